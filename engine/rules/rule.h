#pragma once
// An alert rule: the prototype's AlertConfiguration with a real condition language.

#include "condition.h"
#include "message_template.h"

#include <QStringList>

namespace vigil::engine {

/*!
    Represents one alert rule. A rule applies to events whose type equals `alertType`;
    when `conditions` hold, it raises an alert of `severity` with `message` rendered from
    the event. `id` is the store's (0 before it is stored); `createdBy` names the user.

    JSON form (import/export):
    {"name", "alert_type", "severity", "conditions", "message", "notification_channels",
     "enabled", "created_by", "created_at"} — "message_template" and the prototype's flat
    condition list with "operator" are accepted too.
*/
struct Rule
{
    qint64 id = 0;
    QString name;
    EventType alertType = EventType::Transaction;
    Severity severity = Severity::Medium;
    Condition conditions;
    MessageTemplate message;
    QStringList notificationChannels;
    bool enabled = true;
    QString createdBy;
    qint64 createdAtMs = 0;

    // Parses and validates one rule. Errors name the rule and the place:
    // "rule 'Large transfer': conditions.all[1]: unknown operator 'gtx' (...)".
    static bool fromJson(const QJsonObject &json, Rule *rule, QString *error);
    QJsonObject toJson() const;

    // Parses a rule file: {"rules": [...]} or a bare array of rules. Stops at the first
    // invalid rule, so that nothing is half-imported.
    static bool listFromJson(const QByteArray &document, QList<Rule> *rules, QString *error);
    static QByteArray listToJson(const QList<Rule> &rules);

    static QStringList channelNames(); // EMAIL, SMS, SLACK, WEBHOOK, WEBSOCKET
};

} // namespace vigil::engine
