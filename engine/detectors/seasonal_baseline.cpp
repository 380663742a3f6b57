#include "seasonal_baseline.h"

#include "parameter_reader.h"

#include <QDataStream>
#include <QIODevice>

#include <algorithm>
#include <cmath>

namespace vigil::engine {

namespace {

double alphaFor(double halfLife)
{
    return 1.0 - std::exp2(-1.0 / halfLife);
}

int bucketsFor(SeasonalBaseline::Season s)
{
    switch (s) {
    case SeasonalBaseline::Season::None: return 1;
    case SeasonalBaseline::Season::HourOfDay: return 24;
    case SeasonalBaseline::Season::DayOfWeek: return 7;
    case SeasonalBaseline::Season::HourOfWeek: return 168;
    }
    return 1;
}

} // namespace

SeasonalBaseline::SeasonalBaseline()
    : SeasonalBaseline(Options())
{
}

SeasonalBaseline::SeasonalBaseline(const Options &options)
    : m_options(options)
{
    m_buckets.resize(std::size_t(bucketsFor(options.season)));
    m_alpha = alphaFor(std::max(1.0, options.halfLife));
    m_globalAlpha = alphaFor(std::max(1.0, options.globalHalfLife));
}

bool SeasonalBaseline::optionsFromJson(const QJsonObject &json, Options *options, QString *error)
{
    QJsonObject rest = json;
    ParameterReader r(&rest);
    Options o = *options;
    QString season = o.season == Season::None ? QStringLiteral("none")
        : o.season == Season::HourOfDay      ? QStringLiteral("hour_of_day")
        : o.season == Season::DayOfWeek      ? QStringLiteral("day_of_week")
                                             : QStringLiteral("hour_of_week");
    r.takeString(QStringLiteral("season"), &season,
                 {QStringLiteral("none"), QStringLiteral("hour_of_day"), QStringLiteral("day_of_week"), QStringLiteral("hour_of_week")});
    r.takeDouble(QStringLiteral("half_life"), &o.halfLife, 1.0, 1e9);
    r.takeDouble(QStringLiteral("half_life_global"), &o.globalHalfLife, 1.0, 1e9);
    r.takeInt(QStringLiteral("warmup"), &o.warmup, 0, 1000000);
    r.takeDouble(QStringLiteral("clip"), &o.clip, 0.5, 1e6);
    r.takeInt(QStringLiteral("utc_offset_minutes"), &o.utcOffsetMinutes, -24 * 60, 24 * 60);
    if (!r.finish(QStringLiteral("seasonal baseline"))) {
        if (error)
            *error = r.error();
        return false;
    }
    o.season = season == u"none" ? Season::None : season == u"hour_of_day" ? Season::HourOfDay
        : season == u"day_of_week" ? Season::DayOfWeek : Season::HourOfWeek;
    *options = o;
    return true;
}

int SeasonalBaseline::bucketOf(qint64 timeMs) const
{
    const qint64 local = timeMs + qint64(m_options.utcOffsetMinutes) * 60000;
    const qint64 hours = local >= 0 ? local / 3600000 : (local - 3599999) / 3600000;
    const int hourOfDay = int(((hours % 24) + 24) % 24);
    const qint64 days = hours >= 0 ? hours / 24 : (hours - 23) / 24;
    // 1970-01-01 was a Thursday; Monday = 0.
    const int dayOfWeek = int((((days + 3) % 7) + 7) % 7);
    switch (m_options.season) {
    case Season::None: return 0;
    case Season::HourOfDay: return hourOfDay;
    case Season::DayOfWeek: return dayOfWeek;
    case Season::HourOfWeek: return dayOfWeek * 24 + hourOfDay;
    }
    return 0;
}

SeasonalBaseline::Observation SeasonalBaseline::peek(qint64 timeMs, double value) const
{
    Observation o;
    if (m_global.count == 0 || !std::isfinite(value))
        return o;
    const Moments &b = m_buckets[std::size_t(bucketOf(timeMs))];
    const double globalSpread = std::sqrt(std::max(0.0, m_global.variance));
    o.seasonal = b.count >= std::max(1, m_options.warmup);
    o.expected = o.seasonal ? b.mean : m_global.mean;
    const double own = o.seasonal ? std::sqrt(std::max(0.0, b.variance)) : globalSpread;
    const double floor = std::max(0.1 * globalSpread, 1e-9 * (1.0 + std::abs(o.expected)));
    o.spread = std::max(own, floor);
    o.z = (value - o.expected) / o.spread;
    o.score = std::erf(std::abs(o.z) / std::sqrt(2.0));
    return o;
}

void SeasonalBaseline::learn(Moments &m, double value, double alpha)
{
    if (m.count == 0) {
        m.mean = value;
        m.variance = 0;
    } else {
        const double diff = value - m.mean;
        const double increment = alpha * diff;
        m.mean += increment;
        m.variance = (1.0 - alpha) * (m.variance + diff * increment);
    }
    ++m.count;
}

SeasonalBaseline::Observation SeasonalBaseline::observe(qint64 timeMs, double value)
{
    const Observation o = peek(timeMs, value);
    if (!std::isfinite(value))
        return o;
    double learnt = value;
    if (m_global.count > 0 && std::abs(o.z) > m_options.clip)
        learnt = o.expected + (o.z > 0 ? 1 : -1) * m_options.clip * o.spread;
    Moments &b = m_buckets[std::size_t(bucketOf(timeMs))];
    // A bucket's first values come in unclipped against its own (unknown) level.
    learn(b, b.count < m_options.warmup ? value : learnt, m_alpha);
    learn(m_global, learnt, m_globalAlpha);
    return o;
}

QByteArray SeasonalBaseline::serialize() const
{
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << quint16(1) << quint8(m_options.season) << m_options.halfLife << m_options.globalHalfLife
        << qint32(m_options.warmup) << m_options.clip << qint32(m_options.utcOffsetMinutes);
    out << m_global.mean << m_global.variance << qint64(m_global.count) << quint32(m_buckets.size());
    for (const Moments &m : m_buckets)
        out << m.mean << m.variance << qint64(m.count);
    return bytes;
}

bool SeasonalBaseline::deserialize(const QByteArray &bytes)
{
    QDataStream in(bytes);
    in.setVersion(QDataStream::Qt_6_4);
    quint16 version = 0;
    quint8 season = 0;
    Options o;
    qint32 warmup = 0;
    qint32 offset = 0;
    in >> version >> season >> o.halfLife >> o.globalHalfLife >> warmup >> o.clip >> offset;
    if (in.status() != QDataStream::Ok || version != 1 || season > quint8(Season::HourOfWeek))
        return false;
    o.season = Season(season);
    o.warmup = warmup;
    o.utcOffsetMinutes = offset;
    SeasonalBaseline restored(o);
    qint64 count = 0;
    quint32 buckets = 0;
    in >> restored.m_global.mean >> restored.m_global.variance >> count >> buckets;
    restored.m_global.count = count;
    if (in.status() != QDataStream::Ok || buckets != restored.m_buckets.size())
        return false;
    for (Moments &m : restored.m_buckets) {
        in >> m.mean >> m.variance >> count;
        m.count = count;
    }
    if (in.status() != QDataStream::Ok)
        return false;
    *this = std::move(restored);
    return true;
}

} // namespace vigil::engine
