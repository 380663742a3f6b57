#include "pipeline.h"

namespace vigil::engine {

Decisions Pipeline::process(const EventBatch &events)
{
    Decisions out;
    beginBatch();
    for (qsizetype i = 0; i < events.size(); ++i)
        processOne(events.at(i), int(i), &out);
    finishBatch(&out);
    return out;
}

void Pipeline::processOne(const Event &event, int eventIndex, Decisions *out)
{
    m_scratch.clear();
    m_rules.evaluate(event, &m_scratch);
    for (RuleMatch &match : m_scratch) {
        const Rule &rule = m_rules.rules().at(match.ruleIndex);
        AlertDraft a;
        a.eventIndex = eventIndex;
        a.ruleId = rule.id;
        a.ruleName = rule.name;
        a.severity = rule.severity;
        a.type = rule.alertType;
        a.message = rule.message.render(event);
        a.details = QJsonObject{{QStringLiteral("event_id"), event.id},
                                {QStringLiteral("conditions"), std::move(match.explanation)}};
        a.notificationChannels = rule.notificationChannels;
        out->alerts.append(std::move(a));
    }
    m_models.add(event, eventIndex);
}

} // namespace vigil::engine
