#pragma once
// Sliding time-window aggregates per group key, with memory bounded by the window.

#include "condition.h"

#include <QHash>
#include <deque>
#include <limits>

namespace vigil::engine {

/*!
    Keeps, for each group key, the values seen within the last `windowMs` of event time and
    answers count, sum, avg, min, max and distinct count over them in O(1) amortised.

    Event time drives the window: a group's window is (latest − windowMs, latest], where
    latest is the newest event time the group has seen. A late event (older than latest)
    counts as of latest, so a group's entries stay in time order. Groups whose newest entry
    has slid out of the window are dropped by sweep(), which add() calls as time advances:
    memory is bounded by the events inside one window.
*/
class SlidingWindow
{
public:
    SlidingWindow(Aggregate aggregate, qint64 windowMs);

    // Adds a value (count ignores it; distinct_count uses `key`) to a group at `timeMs`.
    void add(const QString &group, qint64 timeMs, double value, const QString &key);
    // The aggregate of the group as of `nowMs` (entries older than the window are dropped
    // first); 0 for a group with no entries, NaN for min/max/avg of nothing.
    double value(const QString &group, qint64 nowMs);
    int groupCount() const { return int(m_groups.size()); }
    qsizetype entryCount() const;

private:
    struct Entry
    {
        qint64 timeMs;
        double value;
    };
    struct Group
    {
        std::deque<Entry> entries;
        std::deque<Entry> minQueue; // increasing values
        std::deque<Entry> maxQueue; // decreasing values
        std::deque<QString> keys;   // distinct_count: key of each entry
        QHash<QString, int> distinct;
        double sum = 0;
        qint64 latest = 0;
        quint64 seq = 0;            // entries added, to pair queues with entries
    };
    void evict(Group &g, qint64 now);
    void sweep(qint64 now);

    Aggregate m_aggregate;
    qint64 m_windowMs;
    QHash<QString, Group> m_groups;
    qint64 m_latest = std::numeric_limits<qint64>::min();
    qint64 m_lastSweep = std::numeric_limits<qint64>::min();
};

} // namespace vigil::engine
