#include "rule_engine.h"

#include "message_template.h"
#include "../events/json_text.h"

#include <QJsonDocument>
#include <cmath>

namespace vigil::engine {

struct RuleEngine::RuleState
{
    std::vector<std::unique_ptr<SlidingWindow>> windows; // by Condition::windowSlot
    QByteArray conditionsKey;                            // canonical conditions, to keep state on edit
};

namespace {

// A value as text; *present is false when it is missing or null.
QString render(const FieldPath &path, const Event &e, bool *present)
{
    MessageTemplate::Found found;
    const QString text = MessageTemplate::renderField(path, e, &found);
    *present = found == MessageTemplate::Found::Value;
    return *present ? text : QString();
}

QString groupKey(const Condition &c, const Event &e, bool *ok)
{
    *ok = true;
    if (!c.groupBy.isValid())
        return QString();
    return render(c.groupBy, e, ok);
}

// A comparison of a field: a plain string straight from the event's JSON text when the
// operator takes it so, a number as a double, else as a QJsonValue.
bool compare(const Condition &c, const Event &e)
{
    QByteArrayView utf8;
    double number = 0;
    switch (c.field.scalar(e, &utf8, &number)) {
    case FieldTable::Scalar::Number:
        return c.comparison.testNumber(number);
    case FieldTable::Scalar::Text:
        if (c.comparison.takesText()) {
            if (const std::optional<bool> result = c.comparison.testText(utf8))
                return *result;
        }
        break;
    case FieldTable::Scalar::Other:
        break;
    }
    return c.comparison.test(c.field.value(e));
}

bool test(const Condition &c, const Event &e, std::vector<std::unique_ptr<SlidingWindow>> &windows)
{
    switch (c.kind) {
    case Condition::Kind::All:
        for (const Condition &child : c.children)
            if (!test(child, e, windows))
                return false;
        return true;
    case Condition::Kind::Any:
        for (const Condition &child : c.children)
            if (test(child, e, windows))
                return true;
        return false;
    case Condition::Kind::Not:
        return !test(c.children.front(), e, windows);
    case Condition::Kind::Compare:
        return compare(c, e);
    case Condition::Kind::Window: {
        bool ok = false;
        const QString group = groupKey(c, e, &ok);
        if (!ok)
            return false;
        const double v = windows[std::size_t(c.windowSlot)]->value(group, e.timeMs);
        if (std::isnan(v))
            return false;
        return c.comparison.testNumber(v);
    }
    }
    return false;
}

void feedWindows(const Condition &c, const Event &e, std::vector<std::unique_ptr<SlidingWindow>> &windows)
{
    if (c.kind == Condition::Kind::Window) {
        if (!c.where.empty() && !test(c.where.front(), e, windows))
            return;
        bool ok = false;
        const QString group = groupKey(c, e, &ok);
        if (!ok)
            return;
        double value = 0;
        QString key;
        if (c.aggregate == Aggregate::DistinctCount) {
            bool present = false;
            key = render(c.field, e, &present);
            if (!present)
                return;
        } else if (c.aggregate != Aggregate::Count) {
            QByteArrayView utf8;
            if (c.field.scalar(e, &utf8, &value) != FieldTable::Scalar::Number) {
                const QJsonValue v = c.field.value(e);
                if (!v.isDouble())
                    return; // sum/avg/min/max take numbers only
                value = v.toDouble();
            }
        } else if (c.field.isValid()) {
            const QJsonValue v = c.field.value(e);
            if (v.isUndefined() || v.isNull())
                return; // count of a field counts events that have it
        }
        windows[std::size_t(c.windowSlot)]->add(group, e.timeMs, value, key);
        return;
    }
    for (const Condition &child : c.children)
        feedWindows(child, e, windows);
}

// The actual value of a comparison: a plain string or a number straight from the event's
// text, anything else through its QJsonValue. False when the field is missing.
bool appendActual(QByteArray *out, const FieldPath &field, const Event &e)
{
    QByteArrayView utf8;
    double number = 0;
    bool integer = false;
    switch (field.scalar(e, &utf8, &number, &integer)) {
    case FieldTable::Scalar::Text:
        out->append('"').append(utf8).append('"'); // no escape in it: JSON as it stands
        return true;
    case FieldTable::Scalar::Number:
        if (integer && std::abs(number) >= 9007199254740992.0)
            break; // an integer past 2^53 is written exactly from its QJsonValue
        jsonText::appendNumber(out, number); // a whole one as an integer, as Qt writes it
        return true;
    case FieldTable::Scalar::Other:
        break;
    }
    const QJsonValue actual = field.value(e);
    if (actual.isUndefined())
        return false;
    jsonText::appendValue(out, actual);
    return true;
}

// One object per comparison, its keys in QJsonObject's (sorted) order, appended to the array
// in *out; *first: no element yet.
void explain(const Condition &c, const Event &e, std::vector<std::unique_ptr<SlidingWindow>> &windows, QByteArray *out,
             bool *first)
{
    switch (c.kind) {
    case Condition::Kind::All:
    case Condition::Kind::Any:
    case Condition::Kind::Not:
        for (const Condition &child : c.children)
            explain(child, e, windows, out, first);
        return;
    case Condition::Kind::Compare:
    case Condition::Kind::Window:
        break;
    }
    out->append(*first ? "{" : ",{");
    *first = false;
    if (c.kind == Condition::Kind::Compare) {
        const qsizetype start = out->size();
        out->append("\"actual\":");
        if (appendActual(out, c.field, e))
            out->append(',');
        else
            out->truncate(start);
        out->append("\"field\":");
        jsonText::appendString(out, c.field.text());
        out->append(",\"matched\":").append(compare(c, e) ? "true" : "false");
    } else {
        bool ok = false;
        const QString group = groupKey(c, e, &ok);
        const double v = ok ? windows[std::size_t(c.windowSlot)]->value(group, e.timeMs)
                            : std::numeric_limits<double>::quiet_NaN();
        if (!std::isnan(v)) {
            out->append("\"actual\":");
            jsonText::appendNumber(out, v);
            out->append(',');
        }
        out->append("\"aggregate\":");
        jsonText::appendString(out, toString(c.aggregate));
        if (c.field.isValid()) {
            out->append(",\"field\":");
            jsonText::appendString(out, c.field.text());
        }
        if (c.groupBy.isValid()) {
            out->append(",\"group\":");
            jsonText::appendString(out, group);
            out->append(",\"group_by\":");
            jsonText::appendString(out, c.groupBy.text());
        }
        out->append(",\"matched\":").append(!std::isnan(v) && c.comparison.testNumber(v) ? "true" : "false");
    }
    out->append(",\"op\":");
    jsonText::appendString(out, toString(c.comparison.op));
    out->append(",\"value\":").append(c.comparison.valueJson.isEmpty() ? QByteArrayView("null") : c.comparison.valueJson);
    if (c.kind == Condition::Kind::Window) {
        out->append(",\"window\":");
        jsonText::appendString(out, formatDuration(c.windowMs));
    }
    out->append('}');
}

int countWindows(const Condition &c)
{
    int n = c.kind == Condition::Kind::Window ? 1 : 0;
    for (const Condition &child : c.children)
        n += countWindows(child);
    return n;
}

void createWindows(const Condition &c, std::vector<std::unique_ptr<SlidingWindow>> &windows)
{
    if (c.kind == Condition::Kind::Window)
        windows[std::size_t(c.windowSlot)] = std::make_unique<SlidingWindow>(c.aggregate, c.windowMs);
    for (const Condition &child : c.children)
        createWindows(child, windows);
}

} // namespace

RuleEngine::RuleEngine() = default;
RuleEngine::~RuleEngine() = default;
RuleEngine::RuleEngine(RuleEngine &&) noexcept = default;
RuleEngine &RuleEngine::operator=(RuleEngine &&) noexcept = default;

void RuleEngine::setRules(QList<Rule> rules)
{
    std::vector<std::unique_ptr<RuleState>> states;
    states.reserve(std::size_t(rules.size()));
    for (const Rule &rule : rules) {
        const QByteArray key = QJsonDocument(QJsonObject{{QStringLiteral("c"), rule.conditions.toJson()}})
                                   .toJson(QJsonDocument::Compact);
        std::unique_ptr<RuleState> state;
        for (qsizetype i = 0; i < m_rules.size(); ++i) {
            if (m_states[std::size_t(i)] && m_rules.at(i).id == rule.id && rule.id != 0
                && m_states[std::size_t(i)]->conditionsKey == key) {
                state = std::move(m_states[std::size_t(i)]);
                break;
            }
        }
        if (!state) {
            state = std::make_unique<RuleState>();
            state->conditionsKey = key;
            state->windows.resize(std::size_t(countWindows(rule.conditions)));
            createWindows(rule.conditions, state->windows);
        }
        states.push_back(std::move(state));
    }
    m_rules = std::move(rules);
    m_states = std::move(states);
    for (auto &list : m_byType)
        list.clear();
    for (qsizetype i = 0; i < m_rules.size(); ++i)
        if (m_rules.at(i).enabled)
            m_byType[std::size_t(m_rules.at(i).alertType)].push_back(int(i));
}

void RuleEngine::evaluate(const Event &event, QList<RuleMatch> *matches)
{
    for (const int index : m_byType[std::size_t(event.type)]) {
        const Rule &rule = m_rules.at(index);
        auto &windows = m_states[std::size_t(index)]->windows;
        if (!windows.empty())
            feedWindows(rule.conditions, event, windows);
        if (test(rule.conditions, event, windows)) {
            RuleMatch m;
            m.ruleIndex = index;
            m.explanation.reserve(256);
            m.explanation.append('[');
            bool first = true;
            explain(rule.conditions, event, windows, &m.explanation, &first);
            m.explanation.append(']');
            matches->append(std::move(m));
        }
    }
}

qsizetype RuleEngine::windowEntryCount() const
{
    qsizetype n = 0;
    for (const auto &state : m_states)
        for (const auto &w : state->windows)
            n += w->entryCount();
    return n;
}

} // namespace vigil::engine
