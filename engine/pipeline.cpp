#include "pipeline.h"

#include "events/json_text.h"

#include <thread>

namespace vigil::engine {

Pipeline::Pipeline()
    : m_parallelRules(std::thread::hardware_concurrency() >= 2)
{
}

Pipeline::~Pipeline() = default;

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
    m_ruleWorker.wait();
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
    m_ruleWorker.wait();
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
            // {"conditions": [...], "event_id": ...}, as QJsonDocument would write it.
            a.detailsJson.reserve(match.explanation.size() + event->id.size() + 32);
            a.detailsJson.append("{\"conditions\":").append(match.explanation).append(",\"event_id\":");
            jsonText::appendString(&a.detailsJson, event->id);
            a.detailsJson.append('}');
            a.notificationChannels = rule.notificationChannels;
            chunk.alerts.append(std::move(a));
        }
    }
}

void Pipeline::submitRules()
{
    RuleChunk *chunk = m_ruleChunk.get();
    m_ruleBatch.push_back(std::move(m_ruleChunk));
    // One thread takes the chunks in order: window state sees the events in commit order.
    m_ruleWorker.post([this, chunk] { decide(*chunk); });
}

} // namespace vigil::engine
