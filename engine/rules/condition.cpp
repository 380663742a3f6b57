#include "condition.h"

#include "../events/event_codec.h"
#include "../events/json_text.h"

#include <QCoreApplication>
#include <array>
#include <cmath>

namespace vigil::engine {

namespace {

// `time` is compared as the event's canonical RFC 3339 string (UTC, milliseconds), so a
// rule's time written another way ("2026-01-01T00:00:00Z", "+01:00") is brought to that form
// when the rule is read; strings that are not times stay as they are.
QJsonValue canonicalTimes(const QJsonValue &value)
{
    if (value.isString()) {
        qint64 ms = 0;
        return EventCodec::parseTime(value.toString(), &ms) ? QJsonValue(formatTime(ms)) : value;
    }
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(canonicalTimes(v));
        return out;
    }
    return value;
}

class RuleText
{
    Q_DECLARE_TR_FUNCTIONS(RuleText)
};

constexpr std::array<const char16_t *, 15> kOps = {
    u"eq", u"ne", u"gt", u"ge", u"lt", u"le", u"between", u"in", u"not_in",
    u"contains", u"not_contains", u"starts_with", u"ends_with", u"regex", u"exists"};
constexpr std::array<const char16_t *, 6> kAggregates = {u"count", u"sum", u"avg", u"min", u"max",
                                                          u"distinct_count"};

std::optional<Op> opFromString(QStringView name)
{
    // Also accept the symbolic spellings people type.
    if (name == u"==" || name == u"=") return Op::Eq;
    if (name == u"!=") return Op::Ne;
    if (name == u">") return Op::Gt;
    if (name == u">=") return Op::Ge;
    if (name == u"<") return Op::Lt;
    if (name == u"<=") return Op::Le;
    for (std::size_t i = 0; i < kOps.size(); ++i)
        if (name == QStringView(kOps[i]))
            return Op(i);
    return std::nullopt;
}

std::optional<Aggregate> aggregateFromString(QStringView name)
{
    for (std::size_t i = 0; i < kAggregates.size(); ++i)
        if (name == QStringView(kAggregates[i]))
            return Aggregate(i);
    return std::nullopt;
}

bool isScalar(const QJsonValue &v) { return v.isDouble() || v.isString() || v.isBool(); }

// -1, 0, 1; or 2 when the values cannot be ordered (types differ, or not number/string)
int order(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble()) {
        const double x = a.toDouble(), y = b.toDouble();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.isString() && b.isString()) {
        const int c = QString::compare(a.toString(), b.toString());
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    return 2;
}

bool sameScalar(const QJsonValue &a, const QJsonValue &b)
{
    if (a.type() != b.type())
        return false;
    if (a.isDouble())
        return a.toDouble() == b.toDouble();
    if (a.isString())
        return a.toString() == b.toString();
    if (a.isBool())
        return a.toBool() == b.toBool();
    return false;
}

QString valueText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String: return QLatin1Char('\'') + v.toString() + QLatin1Char('\'');
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 15);
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Array: return RuleText::tr("an array");
    case QJsonValue::Object: return RuleText::tr("an object");
    case QJsonValue::Undefined: break;
    }
    return RuleText::tr("nothing");
}

} // namespace

QString toString(Op op) { return QString::fromUtf16(kOps[std::size_t(op)]); }
QString toString(Aggregate a) { return QString::fromUtf16(kAggregates[std::size_t(a)]); }
QStringList operatorNames()
{
    QStringList out;
    for (const char16_t *n : kOps)
        out << QString::fromUtf16(n);
    return out;
}
QStringList aggregateNames()
{
    QStringList out;
    for (const char16_t *n : kAggregates)
        out << QString::fromUtf16(n);
    return out;
}

bool parseDuration(const QJsonValue &value, qint64 *ms)
{
    if (value.isDouble()) {
        const double seconds = value.toDouble();
        if (!(seconds > 0) || seconds > 366.0 * 86400)
            return false;
        *ms = qint64(std::llround(seconds * 1000));
        return true;
    }
    if (!value.isString())
        return false;
    QString text = value.toString().trimmed();
    if (text.isEmpty())
        return false;
    qint64 unit = 1000;
    const QChar last = text.back();
    if (last.isLetter()) {
        if (text.endsWith(QStringLiteral("ms"))) {
            unit = 1;
            text.chop(2);
        } else {
            switch (last.toLatin1()) {
            case 's': unit = 1000; break;
            case 'm': unit = 60 * 1000; break;
            case 'h': unit = 3600 * 1000; break;
            case 'd': unit = 86400 * 1000; break;
            default: return false;
            }
            text.chop(1);
        }
    }
    bool ok = false;
    const double n = text.toDouble(&ok);
    if (!ok || !(n > 0))
        return false;
    const double total = n * double(unit);
    if (total < 1 || total > 366.0 * 86400 * 1000)
        return false;
    *ms = qint64(std::llround(total));
    return true;
}

QString formatDuration(qint64 ms)
{
    if (ms % (86400 * 1000) == 0) return QStringLiteral("%1d").arg(ms / (86400 * 1000));
    if (ms % (3600 * 1000) == 0) return QStringLiteral("%1h").arg(ms / (3600 * 1000));
    if (ms % (60 * 1000) == 0) return QStringLiteral("%1m").arg(ms / (60 * 1000));
    if (ms % 1000 == 0) return QStringLiteral("%1s").arg(ms / 1000);
    return QStringLiteral("%1ms").arg(ms);
}

bool Comparison::compile(Op newOp, const QJsonValue &newValue, QString *error)
{
    op = newOp;
    value = newValue;
    items.clear();
    itemTexts.clear();
    itemUtf8.clear();
    regex = QRegularExpression();
    text = value.isString() ? value.toString() : QString();
    textUtf8 = text.toUtf8();
    valueJson.clear();
    jsonText::appendValue(&valueJson, value);
    const QString name = toString(op);
    switch (op) {
    case Op::Eq:
    case Op::Ne:
        if (!isScalar(value)) {
            *error = RuleText::tr("operator '%1' needs a number, string or boolean value, got %2").arg(name, valueText(value));
            return false;
        }
        return true;
    case Op::Gt:
    case Op::Ge:
    case Op::Lt:
    case Op::Le:
        if (!value.isDouble() && !value.isString()) {
            *error = RuleText::tr("operator '%1' needs a number or string value, got %2").arg(name, valueText(value));
            return false;
        }
        return true;
    case Op::Between: {
        const QJsonArray a = value.toArray();
        if (!value.isArray() || a.size() != 2 || order(a.at(0), a.at(1)) == 2) {
            *error = RuleText::tr("operator 'between' needs [low, high], two numbers or two strings");
            return false;
        }
        if (order(a.at(0), a.at(1)) > 0) {
            *error = RuleText::tr("operator 'between': low %1 is greater than high %2").arg(valueText(a.at(0)), valueText(a.at(1)));
            return false;
        }
        items = {a.at(0), a.at(1)};
        return true;
    }
    case Op::In:
    case Op::NotIn: {
        if (!value.isArray()) {
            *error = RuleText::tr("operator '%1' needs an array of values, got %2").arg(name, valueText(value));
            return false;
        }
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!isScalar(a.at(i))) {
                *error = RuleText::tr("operator '%1': element %2 must be a number, string or boolean").arg(name).arg(i);
                return false;
            }
            items.append(a.at(i));
            itemTexts.append(a.at(i).toString());
            itemUtf8.append(itemTexts.constLast().toUtf8());
        }
        return true;
    }
    case Op::Contains:
    case Op::NotContains:
        if (!isScalar(value)) {
            *error = RuleText::tr("operator '%1' needs a number, string or boolean value, got %2").arg(name, valueText(value));
            return false;
        }
        return true;
    case Op::StartsWith:
    case Op::EndsWith:
        if (!value.isString()) {
            *error = RuleText::tr("operator '%1' needs a string value, got %2").arg(name, valueText(value));
            return false;
        }
        return true;
    case Op::Regex:
        if (!value.isString()) {
            *error = RuleText::tr("operator 'regex' needs a string value, got %1").arg(valueText(value));
            return false;
        }
        regex.setPattern(value.toString());
        if (!regex.isValid()) {
            *error = RuleText::tr("invalid regular expression '%1': %2 at position %3")
                         .arg(value.toString(), regex.errorString())
                         .arg(regex.patternErrorOffset());
            return false;
        }
        regex.optimize();
        return true;
    case Op::Exists:
        if (value.isUndefined() || value.isNull()) {
            value = true;
            return true;
        }
        if (!value.isBool()) {
            *error = RuleText::tr("operator 'exists' takes true or false, got %1").arg(valueText(value));
            return false;
        }
        return true;
    }
    return false;
}

bool Comparison::test(const QJsonValue &actual) const
{
    if (op == Op::Exists) {
        const bool present = !actual.isUndefined() && !actual.isNull();
        return present == value.toBool();
    }
    if (actual.isUndefined() || actual.isNull())
        return false;
    switch (op) {
    case Op::Eq:
        if (value.isString())
            return actual.isString() && actual.toString() == text;
        return sameScalar(actual, value);
    case Op::Ne:
        if (value.isString())
            return actual.isString() && actual.toString() != text;
        return actual.type() == value.type() && !sameScalar(actual, value);
    case Op::Gt: return order(actual, value) == 1;
    case Op::Ge: { const int o = order(actual, value); return o == 0 || o == 1; }
    case Op::Lt: return order(actual, value) == -1;
    case Op::Le: { const int o = order(actual, value); return o == 0 || o == -1; }
    case Op::Between: {
        const int lo = order(actual, items.at(0));
        const int hi = order(actual, items.at(1));
        return (lo == 0 || lo == 1) && (hi == 0 || hi == -1);
    }
    case Op::In:
    case Op::NotIn: {
        if (!isScalar(actual))
            return false;
        bool found = false;
        bool comparable = false;
        if (actual.isString()) { // one conversion, compared with the strings made at compile
            const QString s = actual.toString();
            for (qsizetype i = 0; i < items.size() && !found; ++i) {
                if (items.at(i).isString()) {
                    comparable = true;
                    found = itemTexts.at(i) == s;
                }
            }
            return op == Op::In ? found : comparable && !found;
        }
        for (const QJsonValue &item : items) {
            if (item.type() == actual.type())
                comparable = true;
            if (sameScalar(actual, item)) {
                found = true;
                break;
            }
        }
        if (op == Op::In)
            return found;
        return comparable && !found;
    }
    case Op::Contains:
    case Op::NotContains: {
        bool contains = false;
        if (actual.isString() && value.isString()) {
            contains = actual.toString().contains(text);
        } else if (actual.isArray()) {
            const QJsonArray a = actual.toArray();
            for (const QJsonValue &element : a) {
                if (sameScalar(element, value)) {
                    contains = true;
                    break;
                }
            }
        } else {
            return false; // type mismatch
        }
        return op == Op::Contains ? contains : !contains;
    }
    case Op::StartsWith:
        return actual.isString() && actual.toString().startsWith(text);
    case Op::EndsWith:
        return actual.isString() && actual.toString().endsWith(text);
    case Op::Regex:
        return actual.isString() && regex.match(actual.toString()).hasMatch();
    case Op::Exists:
        break;
    }
    return false;
}

bool Comparison::testNumber(double actual) const
{
    // As test() decides for a number: numbers compare as doubles; anything else is a mismatch.
    const auto order = [actual](const QJsonValue &v) {
        if (!v.isDouble())
            return 2;
        const double y = v.toDouble();
        return actual < y ? -1 : (actual > y ? 1 : 0);
    };
    switch (op) {
    case Op::Exists: return value.toBool();
    case Op::Eq: return value.isDouble() && actual == value.toDouble();
    case Op::Ne: return value.isDouble() && actual != value.toDouble();
    case Op::Gt: return order(value) == 1;
    case Op::Ge: { const int o = order(value); return o == 0 || o == 1; }
    case Op::Lt: return order(value) == -1;
    case Op::Le: { const int o = order(value); return o == 0 || o == -1; }
    case Op::Between: {
        const int lo = order(items.at(0));
        const int hi = order(items.at(1));
        return (lo == 0 || lo == 1) && (hi == 0 || hi == -1);
    }
    case Op::In:
    case Op::NotIn: {
        bool found = false;
        bool comparable = false;
        for (const QJsonValue &item : items) {
            if (item.isDouble()) {
                comparable = true;
                if (item.toDouble() == actual) {
                    found = true;
                    break;
                }
            }
        }
        return op == Op::In ? found : comparable && !found;
    }
    case Op::Contains:
    case Op::NotContains:
    case Op::StartsWith:
    case Op::EndsWith:
    case Op::Regex:
        return false;
    }
    return false;
}

std::optional<bool> Comparison::testText(QByteArrayView utf8) const
{
    // As test() decides for a string: UTF-8 compares, contains and starts as its code points do.
    switch (op) {
    case Op::Exists:
        return value.toBool();
    case Op::Eq:
        return value.isString() && utf8 == QByteArrayView(textUtf8);
    case Op::Ne:
        return value.isString() && utf8 != QByteArrayView(textUtf8);
    case Op::In:
    case Op::NotIn: {
        bool found = false;
        bool comparable = false;
        for (qsizetype i = 0; i < items.size() && !found; ++i) {
            if (items.at(i).isString()) {
                comparable = true;
                found = QByteArrayView(itemUtf8.at(i)) == utf8;
            }
        }
        return op == Op::In ? found : comparable && !found;
    }
    case Op::Contains:
    case Op::NotContains:
        if (!value.isString())
            return false; // type mismatch
        return utf8.contains(QByteArrayView(textUtf8)) == (op == Op::Contains);
    case Op::StartsWith:
        return utf8.startsWith(QByteArrayView(textUtf8));
    case Op::EndsWith:
        return utf8.endsWith(QByteArrayView(textUtf8));
    case Op::Gt:
    case Op::Ge:
    case Op::Lt:
    case Op::Le:
    case Op::Between:
    case Op::Regex:
        break;
    }
    return std::nullopt;
}

bool Condition::parse(const QJsonValue &json, const QString &where, Condition *out, QString *error)
{
    *out = Condition();
    if (json.isArray()) {
        // The prototype's flat list: every condition must hold.
        out->kind = Kind::All;
        const QJsonArray list = json.toArray();
        if (list.isEmpty()) {
            // Like an empty "all": a rule that would fire on every event is a mistake.
            *error = RuleText::tr("%1: must not be empty").arg(where);
            return false;
        }
        for (qsizetype i = 0; i < list.size(); ++i) {
            Condition child;
            if (!parse(list.at(i), QStringLiteral("%1[%2]").arg(where).arg(i), &child, error))
                return false;
            out->children.push_back(std::move(child));
        }
        return true;
    }
    if (!json.isObject()) {
        *error = RuleText::tr("%1: a condition must be an object or a list, got %2").arg(where, valueText(json));
        return false;
    }
    const QJsonObject o = json.toObject();
    const auto parseGroup = [&](Kind kind, const QString &key) {
        out->kind = kind;
        const QJsonValue v = o.value(key);
        if (!v.isArray()) {
            *error = RuleText::tr("%1.%2: must be a list of conditions").arg(where, key);
            return false;
        }
        const QJsonArray list = v.toArray();
        if (list.isEmpty()) {
            *error = RuleText::tr("%1.%2: must not be empty").arg(where, key);
            return false;
        }
        for (qsizetype i = 0; i < list.size(); ++i) {
            Condition child;
            if (!parse(list.at(i), QStringLiteral("%1.%2[%3]").arg(where, key).arg(i), &child, error))
                return false;
            out->children.push_back(std::move(child));
        }
        return true;
    };
    if (o.contains(QStringLiteral("all")))
        return parseGroup(Kind::All, QStringLiteral("all"));
    if (o.contains(QStringLiteral("any")))
        return parseGroup(Kind::Any, QStringLiteral("any"));
    if (o.contains(QStringLiteral("not"))) {
        out->kind = Kind::Not;
        Condition child;
        if (!parse(o.value(QStringLiteral("not")), where + QStringLiteral(".not"), &child, error))
            return false;
        out->children.push_back(std::move(child));
        return true;
    }

    // A comparison or a window aggregate: both have op and value.
    QJsonValue opValue = o.value(QStringLiteral("op"));
    if (opValue.isUndefined())
        opValue = o.value(QStringLiteral("operator"));
    if (!opValue.isString()) {
        *error = RuleText::tr("%1: missing 'op' (one of %2), or a group 'all', 'any' or 'not'")
                     .arg(where, operatorNames().join(QStringLiteral(", ")));
        return false;
    }
    const auto op = opFromString(opValue.toString());
    if (!op) {
        *error = RuleText::tr("%1: unknown operator '%2' (expected one of %3)")
                     .arg(where, opValue.toString(), operatorNames().join(QStringLiteral(", ")));
        return false;
    }
    const QJsonValue fieldValue = o.value(QStringLiteral("field"));
    if (!fieldValue.isUndefined()) {
        if (!fieldValue.isString() || !(out->field = FieldPath::parse(fieldValue.toString())).isValid()) {
            *error = RuleText::tr("%1.field: '%2' is not a field path such as amount, source_id or fields.geo.country")
                         .arg(where, fieldValue.toVariant().toString());
            return false;
        }
    }

    QJsonValue value = o.value(QStringLiteral("value"));
    if (out->field.envelope() == FieldPath::Envelope::Time && !o.contains(QStringLiteral("aggregate")))
        value = canonicalTimes(value);
    QString compileError;
    if (!out->comparison.compile(*op, value, &compileError)) {
        *error = QStringLiteral("%1: %2").arg(where, compileError);
        return false;
    }

    if (!o.contains(QStringLiteral("aggregate"))) {
        out->kind = Kind::Compare;
        if (!out->field.isValid()) {
            *error = RuleText::tr("%1: missing 'field'").arg(where);
            return false;
        }
        return true;
    }

    out->kind = Kind::Window;
    const auto aggregate = aggregateFromString(o.value(QStringLiteral("aggregate")).toString());
    if (!aggregate) {
        *error = RuleText::tr("%1.aggregate: unknown aggregate '%2' (expected one of %3)")
                     .arg(where, o.value(QStringLiteral("aggregate")).toVariant().toString(),
                          aggregateNames().join(QStringLiteral(", ")));
        return false;
    }
    out->aggregate = *aggregate;
    if (out->aggregate != Aggregate::Count && !out->field.isValid()) {
        *error = RuleText::tr("%1: aggregate '%2' needs a 'field'").arg(where, toString(out->aggregate));
        return false;
    }
    if (op == Op::Between) {
        if (!out->comparison.items.at(0).isDouble()) {
            *error = RuleText::tr("%1: an aggregate is a number: compare it with numbers").arg(where);
            return false;
        }
    } else if (*op != Op::Eq && *op != Op::Ne && *op != Op::Gt && *op != Op::Ge && *op != Op::Lt && *op != Op::Le) {
        *error = RuleText::tr("%1: an aggregate compares with eq, ne, gt, ge, lt, le or between, not '%2'")
                     .arg(where, toString(*op));
        return false;
    } else if (!out->comparison.value.isDouble()) {
        *error = RuleText::tr("%1: an aggregate is a number: compare it with a number, got %2")
                     .arg(where, valueText(out->comparison.value));
        return false;
    }
    if (!parseDuration(o.value(QStringLiteral("window")), &out->windowMs)) {
        *error = RuleText::tr("%1.window: needs a duration such as 300 (seconds), \"90s\", \"5m\", \"1h\" or \"1d\", at most a year")
                     .arg(where);
        return false;
    }
    const QJsonValue groupBy = o.value(QStringLiteral("group_by"));
    if (!groupBy.isUndefined() && !groupBy.isNull()) {
        if (!groupBy.isString() || !(out->groupBy = FieldPath::parse(groupBy.toString())).isValid()) {
            *error = RuleText::tr("%1.group_by: '%2' is not a field path").arg(where, groupBy.toVariant().toString());
            return false;
        }
    }
    const QJsonValue filter = o.value(QStringLiteral("where"));
    if (!filter.isUndefined() && !filter.isNull()) {
        Condition child;
        if (!parse(filter, where + QStringLiteral(".where"), &child, error))
            return false;
        if (child.kind == Kind::Window || [&] {
                // no windows inside windows: keeps evaluation one pass and state bounded
                std::vector<const Condition *> stack{&child};
                while (!stack.empty()) {
                    const Condition *c = stack.back();
                    stack.pop_back();
                    if (c->kind == Kind::Window)
                        return true;
                    for (const Condition &cc : c->children)
                        stack.push_back(&cc);
                }
                return false;
            }()) {
            *error = RuleText::tr("%1.where: a window's filter cannot contain another window aggregate").arg(where);
            return false;
        }
        out->where.push_back(std::move(child));
    }
    return true;
}

QJsonValue Condition::toJson() const
{
    switch (kind) {
    case Kind::All:
    case Kind::Any: {
        QJsonArray list;
        for (const Condition &c : children)
            list.append(c.toJson());
        return QJsonObject{{kind == Kind::All ? QStringLiteral("all") : QStringLiteral("any"), list}};
    }
    case Kind::Not:
        return QJsonObject{{QStringLiteral("not"), children.front().toJson()}};
    case Kind::Compare: {
        QJsonObject o{{QStringLiteral("field"), field.text()}, {QStringLiteral("op"), toString(comparison.op)}};
        if (!comparison.value.isUndefined())
            o.insert(QStringLiteral("value"), comparison.value);
        return o;
    }
    case Kind::Window: {
        QJsonObject o{{QStringLiteral("aggregate"), toString(aggregate)},
                      {QStringLiteral("window"), formatDuration(windowMs)},
                      {QStringLiteral("op"), toString(comparison.op)},
                      {QStringLiteral("value"), comparison.value}};
        if (field.isValid())
            o.insert(QStringLiteral("field"), field.text());
        if (groupBy.isValid())
            o.insert(QStringLiteral("group_by"), groupBy.text());
        if (!where.empty())
            o.insert(QStringLiteral("where"), where.front().toJson());
        return o;
    }
    }
    return {};
}

} // namespace vigil::engine
