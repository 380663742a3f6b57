#include "rule.h"

#include "../events/event_codec.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonParseError>

namespace vigil::engine {

namespace {
class RuleText
{
    Q_DECLARE_TR_FUNCTIONS(RuleText)
};
} // namespace

QStringList Rule::channelNames()
{
    return {QStringLiteral("WEBSOCKET"), QStringLiteral("EMAIL"), QStringLiteral("SMS"),
            QStringLiteral("SLACK"), QStringLiteral("WEBHOOK")};
}

bool Rule::fromJson(const QJsonObject &json, Rule *rule, QString *error)
{
    Rule r;
    const QJsonValue name = json.value(QStringLiteral("name"));
    if (!name.isString() || name.toString().trimmed().isEmpty()) {
        *error = RuleText::tr("a rule needs a non-empty 'name'");
        return false;
    }
    r.name = name.toString().trimmed();
    if (r.name.size() > 200) {
        *error = RuleText::tr("rule '%1': the name is longer than 200 characters").arg(r.name.left(40));
        return false;
    }
    const auto fail = [&](const QString &what) {
        *error = RuleText::tr("rule '%1': %2").arg(r.name, what);
        return false;
    };

    QJsonValue type = json.value(QStringLiteral("alert_type"));
    if (type.isUndefined())
        type = json.value(QStringLiteral("type"));
    const auto alertType = eventTypeFromString(type.toString());
    if (!alertType)
        return fail(RuleText::tr("alert_type must be one of %1, got '%2'")
                        .arg(eventTypeNames().join(QStringLiteral(", ")), type.toVariant().toString()));
    r.alertType = *alertType;

    const QJsonValue severity = json.value(QStringLiteral("severity"));
    const auto sev = severityFromString(severity.toString());
    if (!sev)
        return fail(RuleText::tr("severity must be one of %1, got '%2'")
                        .arg(severityNames().join(QStringLiteral(", ")), severity.toVariant().toString()));
    r.severity = *sev;

    const QJsonValue conditions = json.value(QStringLiteral("conditions"));
    if (conditions.isUndefined() || conditions.isNull())
        return fail(RuleText::tr("'conditions' is missing"));
    QString conditionError;
    if (!Condition::parse(conditions, QStringLiteral("conditions"), &r.conditions, &conditionError))
        return fail(conditionError);
    // Number the windows: each gets its own state slot in the rule engine.
    int slot = 0;
    std::vector<Condition *> stack{&r.conditions};
    while (!stack.empty()) {
        Condition *c = stack.back();
        stack.pop_back();
        if (c->kind == Condition::Kind::Window)
            c->windowSlot = slot++;
        for (Condition &child : c->children)
            stack.push_back(&child);
    }

    QJsonValue message = json.value(QStringLiteral("message"));
    if (message.isUndefined())
        message = json.value(QStringLiteral("message_template"));
    if (!message.isUndefined() && !message.isNull() && !message.isString())
        return fail(RuleText::tr("'message' must be a string"));
    QString messageText = message.toString();
    if (messageText.trimmed().isEmpty())
        messageText = QStringLiteral("%1: {source_type} {source_id}").arg(r.name);
    QString templateError;
    if (!MessageTemplate::parse(messageText, &r.message, &templateError))
        return fail(templateError);

    const QJsonValue channels = json.value(QStringLiteral("notification_channels"));
    if (!channels.isUndefined() && !channels.isNull()) {
        if (!channels.isArray())
            return fail(RuleText::tr("'notification_channels' must be a list such as [\"EMAIL\", \"SLACK\"]"));
        const QStringList known = channelNames();
        for (const QJsonValue &c : channels.toArray()) {
            const QString channel = c.toString().toUpper();
            if (!known.contains(channel))
                return fail(RuleText::tr("unknown notification channel '%1' (expected one of %2)")
                                .arg(c.toVariant().toString(), known.join(QStringLiteral(", "))));
            if (!r.notificationChannels.contains(channel))
                r.notificationChannels << channel;
        }
    }

    const QJsonValue enabled = json.value(QStringLiteral("enabled"));
    if (!enabled.isUndefined() && !enabled.isBool())
        return fail(RuleText::tr("'enabled' must be true or false"));
    r.enabled = enabled.toBool(true);
    r.createdBy = json.value(QStringLiteral("created_by")).toString();
    const QJsonValue createdAt = json.value(QStringLiteral("created_at"));
    if (!createdAt.isUndefined() && !createdAt.isNull()
        && (!createdAt.isString() || !EventCodec::parseTime(createdAt.toString(), &r.createdAtMs)))
        return fail(RuleText::tr("'created_at' must be an RFC 3339 time such as 2026-01-31T12:00:00Z"));
    *rule = std::move(r);
    return true;
}

QJsonObject Rule::toJson() const
{
    QJsonObject o{{QStringLiteral("name"), name},
                  {QStringLiteral("alert_type"), toString(alertType)},
                  {QStringLiteral("severity"), toString(severity)},
                  {QStringLiteral("conditions"), conditions.toJson()},
                  {QStringLiteral("message"), message.text()},
                  {QStringLiteral("notification_channels"), QJsonArray::fromStringList(notificationChannels)},
                  {QStringLiteral("enabled"), enabled}};
    if (!createdBy.isEmpty())
        o.insert(QStringLiteral("created_by"), createdBy);
    if (createdAtMs > 0)
        o.insert(QStringLiteral("created_at"), formatTime(createdAtMs));
    return o;
}

bool Rule::listFromJson(const QByteArray &document, QList<Rule> *rules, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(document, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = RuleText::tr("not valid JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
        return false;
    }
    QJsonArray list;
    if (doc.isArray())
        list = doc.array();
    else if (doc.isObject() && doc.object().value(QStringLiteral("rules")).isArray())
        list = doc.object().value(QStringLiteral("rules")).toArray();
    else if (doc.isObject() && doc.object().contains(QStringLiteral("name")))
        list.append(doc.object());
    else {
        *error = RuleText::tr("expected {\"rules\": [...]}, a list of rules, or one rule object");
        return false;
    }
    QList<Rule> out;
    QStringList names;
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list.at(i).isObject()) {
            *error = RuleText::tr("rules[%1]: must be a rule object").arg(i);
            return false;
        }
        Rule r;
        QString ruleError;
        if (!Rule::fromJson(list.at(i).toObject(), &r, &ruleError)) {
            *error = RuleText::tr("rules[%1]: %2").arg(i).arg(ruleError);
            return false;
        }
        if (names.contains(r.name)) {
            *error = RuleText::tr("rules[%1]: the name '%2' is used twice in this file").arg(i).arg(r.name);
            return false;
        }
        names << r.name;
        out.append(std::move(r));
    }
    *rules = std::move(out);
    return true;
}

QByteArray Rule::listToJson(const QList<Rule> &rules)
{
    QJsonArray list;
    for (const Rule &r : rules)
        list.append(r.toJson());
    return QJsonDocument(QJsonObject{{QStringLiteral("rules"), list}}).toJson(QJsonDocument::Indented);
}

} // namespace vigil::engine
