#pragma once
// A streaming, exponentially weighted baseline of one numeric series per hour / weekday.

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonObject>

#include <vector>

namespace vigil::engine {

/*!
    Represents what is normal for one numeric series (payments per minute, CPU load, ...)
    at each point of its season — hour of day, day of week or hour of week (168 buckets) —
    learnt online with exponential weighting, so that "historical pattern analysis" scores
    each new value against the history of the same moment of the day or week.

    For each bucket it keeps an exponentially weighted mean and variance (West's update)
    with weight α = 1 − 2^(−1/half_life), half_life counted in observations of that
    bucket; a global mean and variance (half_life_global observations) stand in until a
    bucket has seen `warmup` values, and floor the bucket's spread at 10% of the global
    one, so that a bucket that happened to be flat does not cry wolf at the first change.

    observe(t, x) first scores x against the baseline as it stands —
        z = (x − expected) / spread,  score = erf(|z| / √2)
    (the two-sided normal probability, in [0, 1)) — then learns x. A value beyond
    `clip` spreads is learnt as if it were at the clip limit, so an anomaly does not drag
    the baseline along; a lasting level change is still followed, at clip spreads a step.
    Before anything is known (no value seen yet) the score is 0.

    Time is UTC milliseconds; utc_offset_minutes shifts it to the series' local time.
    Not thread-safe: one owner feeds it in time order.
*/
class SeasonalBaseline
{
    Q_DECLARE_TR_FUNCTIONS(SeasonalBaseline)

public:
    enum class Season : quint8 { None, HourOfDay, DayOfWeek, HourOfWeek };
    struct Options
    {
        Season season = Season::HourOfWeek;
        double halfLife = 8;          // observations of one bucket
        double globalHalfLife = 500;  // observations
        int warmup = 4;
        double clip = 4;
        int utcOffsetMinutes = 0;
    };
    struct Observation
    {
        double expected = 0;
        double spread = 0;
        double z = 0;
        double score = 0;
        bool seasonal = false; // the bucket's own statistics were used
    };

    SeasonalBaseline();
    explicit SeasonalBaseline(const Options &options);

    /*!
        Reads {"season": "hour_of_week"|"hour_of_day"|"day_of_week"|"none", "half_life",
        "half_life_global", "warmup", "clip", "utc_offset_minutes"}; absent keys keep their
        defaults. Returns false with *error for a bad value.
    */
    static bool optionsFromJson(const QJsonObject &json, Options *options, QString *error);

    Observation observe(qint64 timeMs, double value);
    Observation peek(qint64 timeMs, double value) const;
    int bucketOf(qint64 timeMs) const;
    int bucketCount() const { return int(m_buckets.size()); }
    long long count() const { return m_global.count; }

    QByteArray serialize() const;
    bool deserialize(const QByteArray &bytes);

private:
    struct Moments
    {
        double mean = 0;
        double variance = 0;
        long long count = 0;
    };
    static void learn(Moments &m, double value, double alpha);

    Options m_options;
    std::vector<Moments> m_buckets;
    Moments m_global;
    double m_alpha = 0;
    double m_globalAlpha = 0;
};

} // namespace vigil::engine
