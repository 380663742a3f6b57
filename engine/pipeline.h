#pragma once
// What Vigil decides about a batch of events: rules now, detectors next to them.

#include "decisions.h"
#include "detectors/model_scorer.h"
#include "events/event.h"
#include "rules/rule_engine.h"
#include "rules/silence.h"

#include <QJsonObject>

namespace vigil::engine {

/*!
    The decision step of one event's way through Vigil: given events (already known to be
    new), returns the alerts they raise and the anomaly detections of the active models.
    Deterministic for a given rule set, model set and event order. Not thread-safe; the
    ingest writer owns one.

    A batch: beginBatch(), processOne() for each new event in order, finishBatch(). Rules
    are decided inside processOne(); models extract their features there (window state
    needs event order) and score on the ModelScorer's worker thread while the caller goes
    on (storing the next events), and finishBatch() collects their detections and alerts.
    Events given to processOne() must stay alive and unchanged until finishBatch().
*/
class Pipeline
{
public:
    void setRules(QList<Rule> rules) { m_rules.setRules(std::move(rules)); }
    const QList<Rule> &rules() const { return m_rules.rules(); }

    // The active anomaly models (replacing the previous set between batches; window state
    // moves to a new version whose feature configuration is unchanged).
    void setModels(std::vector<std::unique_ptr<LiveModel>> models) { m_models.setModels(std::move(models)); }
    const ModelScorer &models() const { return m_models; }
    ModelScorer &models() { return m_models; }

    // The whole batch: beginBatch(), processOne() per event, finishBatch().
    Decisions process(const EventBatch &events);
    // Forgets model work of a batch that was not finished (e.g. its transaction failed).
    void beginBatch() { m_models.discard(); }
    // Appends the rule decisions for one event (index `eventIndex` of its batch) to *out
    // and hands the event to the models.
    void processOne(const Event &event, int eventIndex, Decisions *out);
    // Waits for the models' verdicts on the batch and appends their detections and alerts
    // to *out (alerts stay in event order).
    void finishBatch(Decisions *out) { m_models.finish(out); }

    qsizetype windowEntryCount() const { return m_rules.windowEntryCount(); }

    // The active silences: the store marks the alerts they match as silenced at ingest.
    void setSilences(QList<Silence> silences) { m_silences.setSilences(std::move(silences)); }
    const SilenceSet &silences() const { return m_silences; }

private:
    RuleEngine m_rules;
    SilenceSet m_silences;
    QList<RuleMatch> m_scratch;
    ModelScorer m_models;
};

} // namespace vigil::engine
