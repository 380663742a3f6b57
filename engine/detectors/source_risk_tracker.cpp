#include "source_risk_tracker.h"

#include <algorithm>
#include <cmath>

namespace vigil::engine {

SourceRiskTracker::SourceRiskTracker(qint64 halfLifeMs)
    : m_halfLifeMs(std::max<qint64>(1, halfLifeMs))
{
}

double SourceRiskTracker::decayed(const State &s, qint64 timeMs) const
{
    if (timeMs <= s.timeMs)
        return s.risk;
    return s.risk * std::exp2(-double(timeMs - s.timeMs) / double(m_halfLifeMs));
}

double SourceRiskTracker::add(const QString &source, qint64 timeMs, double risk)
{
    risk = std::clamp(std::isnan(risk) ? 0.0 : risk, 0.0, 1.0);
    State &s = m_sources[source];
    const qint64 t = std::max(timeMs, s.timeMs);
    const double before = decayed(s, t);
    s.risk = 1.0 - (1.0 - before) * (1.0 - risk);
    s.timeMs = t;
    const double result = s.risk;
    if (timeMs - m_lastSweep >= m_halfLifeMs)
        sweep(timeMs);
    return result;
}

double SourceRiskTracker::risk(const QString &source, qint64 timeMs) const
{
    const auto it = m_sources.constFind(source);
    return it == m_sources.constEnd() ? 0.0 : decayed(*it, timeMs);
}

void SourceRiskTracker::sweep(qint64 timeMs)
{
    for (auto it = m_sources.begin(); it != m_sources.end();) {
        if (decayed(*it, timeMs) < 0.001)
            it = m_sources.erase(it);
        else
            ++it;
    }
    m_lastSweep = timeMs;
}

} // namespace vigil::engine
