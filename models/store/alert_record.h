#pragma once
// One alert as the store keeps it and the console and subscribers see it.

#include "engine/types.h"

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace vigil::models {

struct AlertRecord
{
    qint64 id = 0;
    qint64 createdAtMs = 0;
    engine::Severity severity = engine::Severity::Medium;
    engine::EventType type = engine::EventType::Transaction;
    engine::AlertStatus status = engine::AlertStatus::New;
    qint64 ruleId = 0;          // 0: raised by a detector, not a rule
    QString ruleName;
    QString message;
    QString sourceType;
    QString sourceId;
    qint64 eventRowId = 0;      // events.id of the triggering event
    QString eventId;            // the producer's id of the triggering event
    QString acknowledgedBy;
    qint64 acknowledgedAtMs = 0;
    QString resolvedBy;
    qint64 resolvedAtMs = 0;
    QString resolutionNotes;
    QByteArray detailsJson;     // which conditions matched, with actual values: a JSON object
    qint64 silenceId = 0;       // the silence that hid it at ingest (not broadcast), or 0

    // The /alerts wire form: {id, rule, severity, type, message, status, source_type,
    // source_id, created_at, ...}.
    QJsonObject toJson() const;
    // detailsJson read (an empty object when there is none).
    QJsonObject details() const;
};

} // namespace vigil::models

Q_DECLARE_METATYPE(vigil::models::AlertRecord)
