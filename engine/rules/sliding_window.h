#pragma once
// Sliding time-window aggregates per group key, with memory bounded by the window.

#include "condition.h"

#include <QHash>
#include <limits>

namespace vigil::engine {

/*!
    Keeps, for each group key, the values seen within the last `windowMs` of event time and
    answers count, sum, avg, min, max and distinct count over them in O(1) amortised.

    Event time drives the window: a group's window is (latest − windowMs, latest], where
    latest is the newest event time the group has seen. A late event (older than latest)
    counts as of latest, so a group's entries stay in time order. Groups whose newest entry
    has slid out of the window are dropped by sweep(), which add() calls as time advances:
    memory is bounded by the events inside one window: 16 bytes per entry, plus 8 for
    distinct_count, which keeps a 64-bit hash of each key rather than the key (two different
    keys share a hash with a probability of about n²/2⁶⁵ — negligible for any window).
*/
class SlidingWindow
{
public:
    SlidingWindow(Aggregate aggregate, qint64 windowMs);
    SlidingWindow(const SlidingWindow &) = delete;
    SlidingWindow &operator=(const SlidingWindow &) = delete;

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
    // QList rather than std::deque: an empty QList allocates nothing (a std::deque allocates
    // its map and a 512-byte block at once), and Qt 6 removes from the front in O(1) by
    // moving its begin pointer. Idle groups therefore cost a few dozen bytes.
    struct Group
    {
        QList<Entry> entries;
        QList<Entry> minQueue;      // min only: increasing values
        QList<Entry> maxQueue;      // max only: decreasing values
        QList<size_t> keys;         // distinct_count only: hash of each entry's key
        QHash<size_t, int> distinct;
        double sum = 0;
        qint64 latest = 0;
    };
    void evict(Group &g, qint64 now);
    void sweep(qint64 now);

    Aggregate m_aggregate;
    qint64 m_windowMs;
    QHash<QString, Group> m_groups;
    // The group add() last took: a rule asks value() of the same group straight after adding
    // to it, and a string compare is cheaper than a second hash lookup. Reset when m_groups
    // changes otherwise (sweep()), as its nodes may move.
    Group *m_last = nullptr;
    QString m_lastGroup;
    qint64 m_latest = std::numeric_limits<qint64>::min();
    qint64 m_lastSweep = std::numeric_limits<qint64>::min();
};

} // namespace vigil::engine
