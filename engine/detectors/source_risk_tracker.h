#pragma once
// Risk per source (account, host, user) over time: accumulates with events, fades with time.

#include <QHash>
#include <QString>

namespace vigil::engine {

/*!
    Represents, for every source key, a risk in [0, 1] that grows with each risky event and
    halves every `halfLifeMs` of event time without one:

        decayed = R · 2^(−(t − t_last) / halfLife)
        R       = 1 − (1 − decayed) · (1 − r)      for an event of risk r in [0, 1]

    so that two events of risk 0.5 close together make 0.75, and a quiet source returns to
    0. Events must come in (roughly) time order; an older event counts as of the newest
    time seen for its source. Sources whose risk has faded below 0.001 are forgotten once
    per half-life, so memory follows the active sources.

    Not thread-safe; one owner (the pipeline thread).
*/
class SourceRiskTracker
{
public:
    explicit SourceRiskTracker(qint64 halfLifeMs = 3600000);

    // Adds an event's risk (clamped to [0, 1]) and returns the source's new risk.
    double add(const QString &source, qint64 timeMs, double risk);
    // The source's risk as of `timeMs` (0 for an unknown source).
    double risk(const QString &source, qint64 timeMs) const;
    int sourceCount() const { return int(m_sources.size()); }

private:
    struct State
    {
        double risk = 0;
        qint64 timeMs = 0;
    };
    double decayed(const State &s, qint64 timeMs) const;
    void sweep(qint64 timeMs);

    qint64 m_halfLifeMs;
    QHash<QString, State> m_sources;
    qint64 m_lastSweep = 0;
};

} // namespace vigil::engine
