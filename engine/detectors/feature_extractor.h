#pragma once
// A declarative feature configuration: JSON → the numeric vector a detector sees for an event.

#include "../events/event.h"
#include "../events/field_path.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace vigil::engine {

class SlidingWindow;

/*!
    Represents a model's feature configuration, stored with the model as JSON:

        {"event_type": "TRANSACTION",            // optional: the events it applies to
         "features": [
           {"name": "amount", "field": "amount", "transform": "numeric"},
           {"name": "log_amount", "field": "amount", "transform": "log1p"},
           {"name": "channel", "field": "channel", "transform": "one_hot",
            "values": ["web", "pos", "atm"], "other": true},
           {"name": "merchant", "field": "merchant_id", "transform": "hash", "buckets": 16},
           {"name": "hour", "transform": "hour_of_day", "utc_offset_minutes": 60},
           {"name": "weekday", "transform": "day_of_week"},
           {"name": "payments_10m", "transform": "window", "aggregate": "count",
            "field": "amount", "group_by": "account", "window": "10m"}]}

    Fields are FieldPaths (`amount`, `fields.card.country`, `source_id`, `time`, ...).
    Transforms and the columns they produce:
      numeric       1 column: the number; true/false → 1/0; a string holding a number → it.
      log1p         1 column: sign(x) · ln(1 + |x|) of the number as above.
      one_hot       one column per listed value ("name=value"), 1 where the field's text
                    equals it; with "other": true one more column ("name=other") for a
                    present value not listed.
      hash          `buckets` columns ("name#k"): 1 in column FNV-1a(text) mod buckets.
      hour_of_day   1 column, 0–23, of `field` (default the event time) in UTC shifted by
                    utc_offset_minutes; day_of_week likewise, Monday = 0 … Sunday = 6.
      window        1 column: count / sum / avg / min / max / distinct_count of `field` over
                    the events seen within `window` (e.g. "10m") with the same `group_by`
                    value (no group_by: all events), this event included.

    Imputation (nothing crashes, nothing is guessed silently):
      - numeric / log1p: a missing, null or non-numeric value gives the feature's "default"
        when the configuration sets one, else NaN, which every detector replaces by the
        training median of that column (Detector, "Missing values");
      - one_hot / hash: a missing value gives all zeros (no category);
      - hour_of_day / day_of_week: an unreadable time gives NaN (→ median);
      - window: an event without the aggregated field (sum/avg/min/max) is not added;
        count counts every event; avg/min/max of nothing is NaN (→ median), count and sum 0;
        a missing group_by value puts the event in the group "".

    Window features are stateful: extract() adds the event to the windows, so feed events
    in time order, once each. Not thread-safe; copy the configuration (toJson/fromJson)
    for another thread.
*/
class FeatureExtractor
{
    Q_DECLARE_TR_FUNCTIONS(FeatureExtractor)

public:
    FeatureExtractor();
    ~FeatureExtractor();
    FeatureExtractor(FeatureExtractor &&) noexcept;
    FeatureExtractor &operator=(FeatureExtractor &&) noexcept;

    // Parses a configuration; nullopt-like failure: returns false and sets *error naming
    // the feature (by index and name) and the problem.
    static bool fromJson(const QJsonObject &json, FeatureExtractor *out, QString *error);
    QJsonObject toJson() const;

    // Whether the configuration applies to the event (its event_type, when set).
    bool appliesTo(const Event &event) const;
    std::optional<EventType> eventType() const { return m_eventType; }
    // Column names, in order; size() == featureCount().
    const QStringList &names() const { return m_names; }
    int featureCount() const { return int(m_names.size()); }

    // The feature vector of an event (updates window state).
    std::vector<double> extract(const Event &event);
    void extract(const Event &event, double *out);
    // Names → values as stored with a detection; NaN becomes null.
    QJsonObject toJson(const std::vector<double> &values) const;
    // Forgets window state.
    void reset();

private:
    enum class Transform : quint8 { Numeric, Log1p, OneHot, Hash, HourOfDay, DayOfWeek, Window };
    struct Feature
    {
        QString name;
        Transform transform = Transform::Numeric;
        FieldPath field;
        bool hasField = false;
        std::optional<double> defaultValue;
        QStringList values;     // one_hot
        bool other = false;     // one_hot
        int buckets = 0;        // hash
        int utcOffsetMinutes = 0;
        int aggregate = 0;      // window: engine Aggregate
        FieldPath groupBy;
        bool hasGroupBy = false;
        qint64 windowMs = 0;
        int windowSlot = -1;
        QJsonObject json;       // as configured, for toJson()
    };

    std::optional<EventType> m_eventType;
    std::vector<Feature> m_features;
    QStringList m_names;
    std::vector<std::unique_ptr<SlidingWindow>> m_windows;
};

// FNV-1a, 32 bits, of UTF-8 text: the stable hash of the "hash" transform.
quint32 stableHash(const QString &text);

} // namespace vigil::engine
