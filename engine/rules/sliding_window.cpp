#include "sliding_window.h"

#include <cmath>
#include <limits>

namespace vigil::engine {

SlidingWindow::SlidingWindow(Aggregate aggregate, qint64 windowMs)
    : m_aggregate(aggregate), m_windowMs(windowMs)
{
}

void SlidingWindow::evict(Group &g, qint64 now)
{
    const qint64 cutoff = now - m_windowMs; // entries at or before cutoff are out
    while (!g.entries.empty() && g.entries.front().timeMs <= cutoff) {
        const Entry &e = g.entries.front();
        g.sum -= e.value;
        if (m_aggregate == Aggregate::DistinctCount) {
            auto it = g.distinct.find(g.keys.front());
            if (it != g.distinct.end() && --it.value() == 0)
                g.distinct.erase(it);
            g.keys.removeFirst();
        }
        g.entries.removeFirst();
    }
    if (g.entries.empty()) {
        g.sum = 0; // no drift carried across quiet periods
        g.entries.squeeze();
    }
    while (!g.minQueue.empty() && g.minQueue.front().timeMs <= cutoff)
        g.minQueue.removeFirst();
    while (!g.maxQueue.empty() && g.maxQueue.front().timeMs <= cutoff)
        g.maxQueue.removeFirst();
}

void SlidingWindow::sweep(qint64 now)
{
    const qint64 cutoff = now - m_windowMs;
    for (auto it = m_groups.begin(); it != m_groups.end();) {
        if (it->latest <= cutoff)
            it = m_groups.erase(it);
        else
            ++it;
    }
    m_lastSweep = now;
    m_last = nullptr;
}

void SlidingWindow::add(const QString &group, qint64 timeMs, double value, const QString &key)
{
    if (timeMs > m_latest)
        m_latest = timeMs;
    // Sweep idle groups once per window length of event time.
    if (m_lastSweep == std::numeric_limits<qint64>::min())
        m_lastSweep = m_latest;
    else if (m_latest - m_lastSweep >= m_windowMs)
        sweep(m_latest);

    Group &g = m_groups[group];
    m_last = &g;
    m_lastGroup = group;
    const qint64 t = std::max(timeMs, g.latest);
    g.latest = t;
    evict(g, t);
    g.entries.push_back({t, value});
    g.sum += value;
    switch (m_aggregate) {
    case Aggregate::Min:
        while (!g.minQueue.empty() && g.minQueue.back().value >= value)
            g.minQueue.removeLast();
        g.minQueue.push_back({t, value});
        break;
    case Aggregate::Max:
        while (!g.maxQueue.empty() && g.maxQueue.back().value <= value)
            g.maxQueue.removeLast();
        g.maxQueue.push_back({t, value});
        break;
    case Aggregate::DistinctCount: {
        const size_t hash = qHash(key, size_t(0x9e3779b97f4a7c15ULL));
        g.keys.push_back(hash);
        ++g.distinct[hash];
        break;
    }
    default:
        break;
    }
}

double SlidingWindow::value(const QString &group, qint64 nowMs)
{
    Group *found = m_last && m_lastGroup == group ? m_last : nullptr;
    if (!found) {
        const auto it = m_groups.find(group);
        found = it == m_groups.end() ? nullptr : &*it;
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (found && nowMs > found->latest) {
        found->latest = nowMs;
        evict(*found, nowMs);
    }
    if (!found || found->entries.empty())
        return (m_aggregate == Aggregate::Count || m_aggregate == Aggregate::Sum
                || m_aggregate == Aggregate::DistinctCount) ? 0.0 : nan;
    const Group &g = *found;
    switch (m_aggregate) {
    case Aggregate::Count: return double(g.entries.size());
    case Aggregate::Sum: return g.sum;
    case Aggregate::Avg: return g.sum / double(g.entries.size());
    case Aggregate::Min: return g.minQueue.empty() ? nan : g.minQueue.front().value;
    case Aggregate::Max: return g.maxQueue.empty() ? nan : g.maxQueue.front().value;
    case Aggregate::DistinctCount: return double(g.distinct.size());
    }
    return nan;
}

qsizetype SlidingWindow::entryCount() const
{
    qsizetype n = 0;
    for (const Group &g : m_groups)
        n += qsizetype(g.entries.size());
    return n;
}

} // namespace vigil::engine
