#pragma once
// What Vigil decides about a batch of events: rules now, detectors next to them.

#include "decisions.h"
#include "detectors/model_scorer.h"
#include "events/event.h"
#include "rules/rule_engine.h"
#include "rules/silence.h"

#include <QJsonObject>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::engine {

/*!
    The decision step of one event's way through Vigil: given events (already known to be
    new), returns the alerts they raise and the anomaly detections of the active models.
    Deterministic for a given rule set, model set and event order. Not thread-safe; the
    ingest writer owns one.

    A batch: beginBatch(), processOne() for each new event in order, finishBatch(). Rules
    run on a worker thread of their own, in event order, a chunk of events at a time, while
    the caller goes on (storing the next events); a batch smaller than one chunk is decided
    on the caller's thread (no hand-over latency for a trickle of events). Models extract
    their features in processOne() (window state needs event order) and score on the
    ModelScorer's worker thread. finishBatch() waits for both and collects their alerts and
    detections. Events given to processOne() must stay alive and unchanged until
    finishBatch(); rules, models and silences change only between batches.
*/
class Pipeline
{
public:
    static constexpr int kRuleChunkEvents = 256;

    Pipeline();
    ~Pipeline();
    Pipeline(const Pipeline &) = delete;
    Pipeline &operator=(const Pipeline &) = delete;

    // Whether full chunks of events are decided on the rules' worker thread (default: when
    // there are 2+ cores). Either way the decisions are the same.
    void setParallelRules(bool parallel) { m_parallelRules = parallel; }

    void setRules(QList<Rule> rules) { m_rules.setRules(std::move(rules)); }
    const QList<Rule> &rules() const { return m_rules.rules(); }

    // The active anomaly models (replacing the previous set between batches; window state
    // moves to a new version whose feature configuration is unchanged).
    void setModels(std::vector<std::unique_ptr<LiveModel>> models) { m_models.setModels(std::move(models)); }
    const ModelScorer &models() const { return m_models; }
    ModelScorer &models() { return m_models; }

    // The whole batch: beginBatch(), processOne() per event, finishBatch().
    Decisions process(const EventBatch &events);
    // Forgets the work of a batch that was not finished (e.g. its transaction failed).
    void beginBatch();
    // Hands one new event (index `eventIndex` of its batch) to the rules and the models.
    void processOne(const Event &event, int eventIndex, Decisions *out);
    // Waits for the rules' and models' verdicts on the batch and appends their alerts (in
    // event order, rules before models for the same event) and detections to *out.
    void finishBatch(Decisions *out);

    qsizetype windowEntryCount() const { return m_rules.windowEntryCount(); }

    // The active silences: the store marks the alerts they match as silenced at ingest.
    void setSilences(QList<Silence> silences) { m_silences.setSilences(std::move(silences)); }
    const SilenceSet &silences() const { return m_silences; }

private:
    struct RuleChunk
    {
        std::vector<std::pair<const Event *, int>> events; // and their index in the batch
        QList<AlertDraft> alerts;
    };
    void decide(RuleChunk &chunk); // the rules, on one thread at a time
    void submitRules();
    void waitForRules();
    void ruleWorkerLoop();

    RuleEngine m_rules;
    SilenceSet m_silences;
    QList<RuleMatch> m_scratch;
    ModelScorer m_models;

    bool m_parallelRules = true;
    std::unique_ptr<RuleChunk> m_ruleChunk;
    std::vector<std::unique_ptr<RuleChunk>> m_ruleBatch; // submitted chunks, in order
    std::mutex m_ruleMutex;
    std::condition_variable m_ruleWork;
    std::condition_variable m_ruleDone;
    std::deque<RuleChunk *> m_ruleQueue;
    int m_rulePending = 0;
    bool m_ruleStop = false;
    std::thread m_ruleWorker; // started with the first chunk handed over
};

} // namespace vigil::engine
