#include "pipeline.h"

#include <algorithm>
#if defined(__linux__)
#include <pthread.h>
#endif

namespace vigil::engine {

Pipeline::Pipeline()
    : m_parallelRules(std::thread::hardware_concurrency() >= 2)
{
}

Pipeline::~Pipeline()
{
    {
        std::lock_guard lock(m_ruleMutex);
        m_ruleStop = true;
    }
    m_ruleWork.notify_all();
    if (m_ruleWorker.joinable())
        m_ruleWorker.join();
}

Decisions Pipeline::process(const EventBatch &events)
{
    Decisions out;
    beginBatch();
    for (qsizetype i = 0; i < events.size(); ++i)
        processOne(events.at(i), int(i), &out);
    finishBatch(&out);
    return out;
}

void Pipeline::beginBatch()
{
    waitForRules();
    m_ruleBatch.clear();
    m_ruleChunk.reset();
    m_models.discard();
}

void Pipeline::processOne(const Event &event, int eventIndex, Decisions *)
{
    if (!m_ruleChunk) {
        m_ruleChunk = std::make_unique<RuleChunk>();
        m_ruleChunk->events.reserve(kRuleChunkEvents);
    }
    m_ruleChunk->events.emplace_back(&event, eventIndex);
    if (m_parallelRules && m_ruleChunk->events.size() >= std::size_t(kRuleChunkEvents))
        submitRules();
    m_models.add(event, eventIndex);
}

void Pipeline::finishBatch(Decisions *out)
{
    if (m_ruleChunk) {
        if (m_ruleBatch.empty())
            decide(*m_ruleChunk); // a small batch: no hand-over
        else
            submitRules();
    }
    waitForRules();
    if (m_ruleChunk)
        m_ruleBatch.push_back(std::move(m_ruleChunk));
    for (const auto &chunk : m_ruleBatch)
        out->alerts.append(chunk->alerts);
    m_ruleBatch.clear();
    // The models' alerts are merged in event order after the rules' (a stable sort).
    m_models.finish(out);
}

void Pipeline::decide(RuleChunk &chunk)
{
    for (const auto &[event, eventIndex] : chunk.events) {
        m_scratch.clear();
        m_rules.evaluate(*event, &m_scratch);
        for (RuleMatch &match : m_scratch) {
            const Rule &rule = m_rules.rules().at(match.ruleIndex);
            AlertDraft a;
            a.eventIndex = eventIndex;
            a.ruleId = rule.id;
            a.ruleName = rule.name;
            a.severity = rule.severity;
            a.type = rule.alertType;
            a.message = rule.message.render(*event);
            a.details = QJsonObject{{QStringLiteral("event_id"), event->id},
                                    {QStringLiteral("conditions"), std::move(match.explanation)}};
            a.notificationChannels = rule.notificationChannels;
            chunk.alerts.append(std::move(a));
        }
    }
}

void Pipeline::submitRules()
{
    RuleChunk *chunk = m_ruleChunk.get();
    m_ruleBatch.push_back(std::move(m_ruleChunk));
    {
        std::lock_guard lock(m_ruleMutex);
        if (!m_ruleWorker.joinable())
            m_ruleWorker = std::thread([this] { ruleWorkerLoop(); });
        m_ruleQueue.push_back(chunk);
        ++m_rulePending;
    }
    m_ruleWork.notify_one();
}

void Pipeline::waitForRules()
{
    std::unique_lock lock(m_ruleMutex);
    m_ruleDone.wait(lock, [this] { return m_rulePending == 0; });
}

void Pipeline::ruleWorkerLoop()
{
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "vigil-rules"); // in top -H and bench/ingest/cpu_per_event.sh
#endif
    for (;;) {
        RuleChunk *chunk = nullptr;
        {
            std::unique_lock lock(m_ruleMutex);
            m_ruleWork.wait(lock, [this] { return m_ruleStop || !m_ruleQueue.empty(); });
            if (m_ruleQueue.empty())
                return; // stopping, nothing left
            chunk = m_ruleQueue.front();
            m_ruleQueue.pop_front();
        }
        decide(*chunk); // chunks are taken in order by this one thread: window state sees event order
        {
            std::lock_guard lock(m_ruleMutex);
            --m_rulePending;
        }
        m_ruleDone.notify_all();
    }
}

} // namespace vigil::engine
