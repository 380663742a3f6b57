#pragma once
// What Vigil decides about a batch of events: rules now, detectors next to them.

#include "events/event.h"
#include "rules/rule_engine.h"

#include <QJsonObject>

namespace vigil::engine {

/*!
    An alert the pipeline wants raised, before the store gives it an id.
    `eventIndex` is the index of the triggering event in the processed batch.
*/
struct AlertDraft
{
    int eventIndex = -1;
    qint64 ruleId = 0;
    QString ruleName;
    Severity severity = Severity::Medium;
    EventType type = EventType::Transaction;
    QString message;
    QJsonObject details;
    QStringList notificationChannels;
};

struct Decisions
{
    QList<AlertDraft> alerts;
};

/*!
    The pure decision step of one event's way through Vigil: given events (already known to
    be new), returns the alerts they raise. Deterministic for a given rule set and event
    order. Not thread-safe; the ingest writer owns one.
*/
class Pipeline
{
public:
    void setRules(QList<Rule> rules) { m_rules.setRules(std::move(rules)); }
    const QList<Rule> &rules() const { return m_rules.rules(); }

    Decisions process(const EventBatch &events);
    // Appends the decisions for one event (index `eventIndex` of its batch) to *out.
    void processOne(const Event &event, int eventIndex, Decisions *out);

    qsizetype windowEntryCount() const { return m_rules.windowEntryCount(); }

private:
    RuleEngine m_rules;
    QList<RuleMatch> m_scratch;
};

} // namespace vigil::engine
