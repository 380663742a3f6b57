#include "feature_extractor.h"

#include "../rules/condition.h"
#include "../rules/sliding_window.h"

#include <QDateTime>
#include <QJsonArray>

#include <cmath>
#include <limits>

namespace vigil::engine {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString valueText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return {};
}

double numberOf(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    if (v.isBool())
        return v.toBool() ? 1.0 : 0.0;
    if (v.isString()) {
        bool ok = false;
        const double d = v.toString().trimmed().toDouble(&ok);
        if (ok && std::isfinite(d))
            return d;
    }
    return kNaN;
}

qint64 timeOf(const QJsonValue &v, bool *ok)
{
    *ok = false;
    if (v.isDouble()) {
        *ok = std::isfinite(v.toDouble());
        return qint64(v.toDouble());
    }
    if (v.isString()) {
        const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
        if (t.isValid()) {
            *ok = true;
            return t.toMSecsSinceEpoch();
        }
    }
    return 0;
}

void hourAndDay(qint64 timeMs, int offsetMinutes, int *hour, int *day)
{
    const qint64 local = timeMs + qint64(offsetMinutes) * 60000;
    const qint64 hours = local >= 0 ? local / 3600000 : (local - 3599999) / 3600000;
    *hour = int(((hours % 24) + 24) % 24);
    const qint64 days = hours >= 0 ? hours / 24 : (hours - 23) / 24;
    *day = int((((days + 3) % 7) + 7) % 7); // 1970-01-01 was a Thursday; Monday = 0
}

} // namespace

quint32 stableHash(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    quint32 h = 2166136261u;
    for (char c : utf8) {
        h ^= quint8(c);
        h *= 16777619u;
    }
    return h;
}

FeatureExtractor::FeatureExtractor() = default;
FeatureExtractor::~FeatureExtractor() = default;
FeatureExtractor::FeatureExtractor(FeatureExtractor &&) noexcept = default;
FeatureExtractor &FeatureExtractor::operator=(FeatureExtractor &&) noexcept = default;

bool FeatureExtractor::fromJson(const QJsonObject &json, FeatureExtractor *out, QString *error)
{
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    FeatureExtractor fx;
    if (json.contains(u"event_type") && !json.value(u"event_type").isNull()) {
        const std::optional<EventType> type = eventTypeFromString(json.value(u"event_type").toString());
        if (!type)
            return fail(tr("feature configuration: unknown event_type \"%1\" (expected one of: %2)")
                            .arg(json.value(u"event_type").toString(), eventTypeNames().join(QStringLiteral(", "))));
        fx.m_eventType = type;
    }
    const QJsonValue featuresValue = json.value(u"features");
    if (!featuresValue.isArray() || featuresValue.toArray().isEmpty())
        return fail(tr("feature configuration: \"features\" must be a non-empty array"));
    const QJsonArray features = featuresValue.toArray();
    for (qsizetype i = 0; i < features.size(); ++i) {
        const QJsonObject o = features.at(i).toObject();
        Feature f;
        f.json = o;
        f.name = o.value(u"name").toString().trimmed();
        const QString where = tr("feature %1 (%2)").arg(i + 1).arg(f.name.isEmpty() ? QStringLiteral("?") : f.name);
        if (!features.at(i).isObject())
            return fail(tr("%1: expected an object").arg(where));
        const QString transform = o.value(u"transform").toString(QStringLiteral("numeric"));
        static const QStringList transforms{QStringLiteral("numeric"), QStringLiteral("log1p"), QStringLiteral("one_hot"),
                                            QStringLiteral("hash"), QStringLiteral("hour_of_day"),
                                            QStringLiteral("day_of_week"), QStringLiteral("window")};
        const qsizetype t = transforms.indexOf(transform);
        if (t < 0)
            return fail(tr("%1: unknown transform \"%2\" (expected one of: %3)")
                            .arg(where, transform, transforms.join(QStringLiteral(", "))));
        f.transform = Transform(t);
        if (o.contains(u"field")) {
            f.field = FieldPath::parse(o.value(u"field").toString());
            if (!f.field.isValid())
                return fail(tr("%1: invalid field \"%2\"").arg(where, o.value(u"field").toString()));
            f.hasField = true;
        }
        if (f.name.isEmpty())
            f.name = f.hasField ? f.field.text() : transform;
        const bool needsField = f.transform == Transform::Numeric || f.transform == Transform::Log1p
            || f.transform == Transform::OneHot || f.transform == Transform::Hash;
        if (needsField && !f.hasField)
            return fail(tr("%1: \"field\" is required for %2").arg(where, transform));
        if (o.contains(u"default")) {
            const QJsonValue d = o.value(u"default");
            if (!d.isDouble())
                return fail(tr("%1: \"default\" must be a number").arg(where));
            f.defaultValue = d.toDouble();
        }
        switch (f.transform) {
        case Transform::Numeric:
        case Transform::Log1p:
            fx.m_names.append(f.name);
            break;
        case Transform::OneHot: {
            const QJsonArray values = o.value(u"values").toArray();
            if (values.isEmpty())
                return fail(tr("%1: one_hot needs a non-empty \"values\" list").arg(where));
            for (const QJsonValue &v : values) {
                const QString text = valueText(v);
                if (text.isEmpty() && !v.isString())
                    return fail(tr("%1: one_hot values must be strings, numbers or booleans").arg(where));
                f.values.append(text);
                fx.m_names.append(f.name + QLatin1Char('=') + text);
            }
            f.other = o.value(u"other").toBool(false);
            if (f.other)
                fx.m_names.append(f.name + QStringLiteral("=other"));
            break;
        }
        case Transform::Hash: {
            const int buckets = o.value(u"buckets").toInt(0);
            if (buckets < 1 || buckets > 4096)
                return fail(tr("%1: hash needs \"buckets\" between 1 and 4096").arg(where));
            f.buckets = buckets;
            for (int b = 0; b < buckets; ++b)
                fx.m_names.append(f.name + QLatin1Char('#') + QString::number(b));
            break;
        }
        case Transform::HourOfDay:
        case Transform::DayOfWeek: {
            const int offset = o.value(u"utc_offset_minutes").toInt(0);
            if (offset < -24 * 60 || offset > 24 * 60)
                return fail(tr("%1: utc_offset_minutes must be within ±1440").arg(where));
            f.utcOffsetMinutes = offset;
            fx.m_names.append(f.name);
            break;
        }
        case Transform::Window: {
            const QString aggregate = o.value(u"aggregate").toString(QStringLiteral("count"));
            const QStringList aggregates = aggregateNames();
            const qsizetype a = aggregates.indexOf(aggregate);
            if (a < 0)
                return fail(tr("%1: unknown aggregate \"%2\" (expected one of: %3)")
                                .arg(where, aggregate, aggregates.join(QStringLiteral(", "))));
            f.aggregate = int(a);
            if (Aggregate(a) != Aggregate::Count && !f.hasField)
                return fail(tr("%1: \"field\" is required for %2").arg(where, aggregate));
            if (!parseDuration(o.value(u"window"), &f.windowMs))
                return fail(tr("%1: \"window\" must be a duration such as \"10m\"").arg(where));
            if (o.contains(u"group_by")) {
                f.groupBy = FieldPath::parse(o.value(u"group_by").toString());
                if (!f.groupBy.isValid())
                    return fail(tr("%1: invalid group_by \"%2\"").arg(where, o.value(u"group_by").toString()));
                f.hasGroupBy = true;
            }
            f.windowSlot = int(fx.m_windows.size());
            fx.m_windows.push_back(std::make_unique<SlidingWindow>(Aggregate(a), f.windowMs));
            fx.m_names.append(f.name);
            break;
        }
        }
        fx.m_features.push_back(std::move(f));
    }
    *out = std::move(fx);
    return true;
}

QJsonObject FeatureExtractor::toJson() const
{
    QJsonObject o;
    if (m_eventType)
        o.insert(QStringLiteral("event_type"), toString(*m_eventType));
    QJsonArray features;
    for (const Feature &f : m_features)
        features.append(f.json);
    o.insert(QStringLiteral("features"), features);
    return o;
}

bool FeatureExtractor::appliesTo(const Event &event) const
{
    return !m_eventType || *m_eventType == event.type;
}

void FeatureExtractor::reset()
{
    for (const Feature &f : m_features) {
        if (f.transform == Transform::Window)
            m_windows[std::size_t(f.windowSlot)] = std::make_unique<SlidingWindow>(Aggregate(f.aggregate), f.windowMs);
    }
}

std::vector<double> FeatureExtractor::extract(const Event &event)
{
    std::vector<double> out(static_cast<std::size_t>(featureCount()));
    extract(event, out.data());
    return out;
}

void FeatureExtractor::extract(const Event &event, double *out)
{
    for (const Feature &f : m_features) {
        switch (f.transform) {
        case Transform::Numeric:
        case Transform::Log1p: {
            double v = numberOf(f.field.value(event));
            if (std::isnan(v) && f.defaultValue)
                v = *f.defaultValue;
            else if (f.transform == Transform::Log1p && !std::isnan(v))
                v = std::copysign(std::log1p(std::abs(v)), v);
            *out++ = v;
            break;
        }
        case Transform::OneHot: {
            const QJsonValue v = f.field.value(event);
            const bool present = !v.isUndefined() && !v.isNull();
            const QString text = valueText(v);
            bool matched = false;
            for (const QString &value : f.values) {
                const bool hit = present && text == value;
                matched = matched || hit;
                *out++ = hit ? 1.0 : 0.0;
            }
            if (f.other)
                *out++ = present && !matched ? 1.0 : 0.0;
            break;
        }
        case Transform::Hash: {
            const QJsonValue v = f.field.value(event);
            const bool present = !v.isUndefined() && !v.isNull();
            const int hit = present ? int(stableHash(valueText(v)) % quint32(f.buckets)) : -1;
            for (int b = 0; b < f.buckets; ++b)
                *out++ = b == hit ? 1.0 : 0.0;
            break;
        }
        case Transform::HourOfDay:
        case Transform::DayOfWeek: {
            bool ok = true;
            const qint64 t = f.hasField ? timeOf(f.field.value(event), &ok) : event.timeMs;
            int hour = 0;
            int day = 0;
            hourAndDay(t, f.utcOffsetMinutes, &hour, &day);
            *out++ = !ok ? kNaN : f.transform == Transform::HourOfDay ? double(hour) : double(day);
            break;
        }
        case Transform::Window: {
            SlidingWindow &w = *m_windows[std::size_t(f.windowSlot)];
            const Aggregate aggregate = Aggregate(f.aggregate);
            const QString group = f.hasGroupBy ? valueText(f.groupBy.value(event)) : QString();
            if (aggregate == Aggregate::Count) {
                w.add(group, event.timeMs, 1.0, QString());
            } else {
                const QJsonValue v = f.field.value(event);
                if (aggregate == Aggregate::DistinctCount) {
                    if (!v.isUndefined() && !v.isNull())
                        w.add(group, event.timeMs, 0.0, valueText(v));
                } else {
                    const double x = numberOf(v);
                    if (!std::isnan(x))
                        w.add(group, event.timeMs, x, QString());
                }
            }
            *out++ = w.value(group, event.timeMs);
            break;
        }
        }
    }
}

QJsonObject FeatureExtractor::toJson(const std::vector<double> &values) const
{
    QJsonObject o;
    for (qsizetype i = 0; i < m_names.size() && i < qsizetype(values.size()); ++i) {
        const double v = values[std::size_t(i)];
        o.insert(m_names[i], std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null));
    }
    return o;
}

} // namespace vigil::engine
