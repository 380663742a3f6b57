#pragma once
// Evaluates rules against events, keeping the sliding-window state their aggregates need.

#include "rule.h"
#include "sliding_window.h"

#include <QByteArray>
#include <memory>

namespace vigil::engine {

struct RuleMatch
{
    int ruleIndex = -1;  // index into RuleEngine::rules()
    // Every comparison of the rule with its actual value and outcome: a JSON array, written as
    // QJsonDocument writes it (docs/architecture.md, "What each thread pays").
    QByteArray explanation;
};

/*!
    Holds a set of rules and evaluates events against them.

    For each event, only the enabled rules whose alert type equals the event's type run.
    Per rule, first every window aggregate whose `where` filter holds takes the event in,
    then the condition tree is evaluated (groups short-circuit; window state does not
    depend on evaluation order). Not thread-safe: one engine per pipeline thread.
*/
class RuleEngine
{
public:
    RuleEngine();
    ~RuleEngine();
    RuleEngine(RuleEngine &&) noexcept;
    RuleEngine &operator=(RuleEngine &&) noexcept;

    // Replaces the rules. Window state survives for a rule whose id and conditions are
    // unchanged, so editing a message or a severity does not reset counts.
    void setRules(QList<Rule> rules);
    const QList<Rule> &rules() const { return m_rules; }

    // Evaluates one event; appends a RuleMatch per rule that fires.
    void evaluate(const Event &event, QList<RuleMatch> *matches);

    // Total entries held in windows (for memory checks).
    qsizetype windowEntryCount() const;

private:
    struct RuleState;
    QList<Rule> m_rules;
    std::vector<std::unique_ptr<RuleState>> m_states; // parallel to m_rules
    std::array<std::vector<int>, kEventTypeCount> m_byType;
};

} // namespace vigil::engine
