#include "alert_record.h"

#include <QJsonDocument>

#include "engine/events/event.h"

namespace vigil::models {

QJsonObject AlertRecord::details() const
{
    return QJsonDocument::fromJson(detailsJson).object();
}

QJsonObject AlertRecord::toJson() const
{
    QJsonObject o{{QStringLiteral("id"), id},
                  {QStringLiteral("rule"), ruleName},
                  {QStringLiteral("severity"), engine::toString(severity)},
                  {QStringLiteral("type"), engine::toString(type)},
                  {QStringLiteral("message"), message},
                  {QStringLiteral("status"), engine::toString(status)},
                  {QStringLiteral("source_type"), sourceType},
                  {QStringLiteral("source_id"), sourceId},
                  {QStringLiteral("event_id"), eventId},
                  {QStringLiteral("created_at"), engine::formatTime(createdAtMs)}};
    if (!acknowledgedBy.isEmpty()) {
        o.insert(QStringLiteral("acknowledged_by"), acknowledgedBy);
        o.insert(QStringLiteral("acknowledged_at"), engine::formatTime(acknowledgedAtMs));
    }
    if (!resolvedBy.isEmpty()) {
        o.insert(QStringLiteral("resolved_by"), resolvedBy);
        o.insert(QStringLiteral("resolved_at"), engine::formatTime(resolvedAtMs));
        o.insert(QStringLiteral("resolution_notes"), resolutionNotes);
    }
    return o;
}

} // namespace vigil::models
