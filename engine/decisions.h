#pragma once
// What the pipeline decides about events: alerts to raise and anomaly detections to store.

#include "types.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace vigil::engine {

/*!
    An alert the pipeline wants raised, before the store gives it an id.
    `eventIndex` is the index of the triggering event in the processed batch. A rule's alert
    has ruleId; a model's alert has modelId (and the model's name as ruleName).
    `detailsJson` holds the details as compact JSON text, made on the worker that drafts the
    alert, so that the writer (the ingest's one serial step) only binds it.
*/
struct AlertDraft
{
    void setDetails(const QJsonObject &details); // as QJsonDocument writes them

    int eventIndex = -1;
    qint64 ruleId = 0;
    qint64 modelId = 0;
    QString ruleName;
    Severity severity = Severity::Medium;
    EventType type = EventType::Transaction;
    QString message;
    QByteArray detailsJson; // which conditions matched, with actual values: a JSON object
    QStringList notificationChannels;
};

/*!
    One model's verdict on one event, as an anomaly_detections row wants it: the features
    (names → values, JSON), the calibrated score, the decision and the details (score,
    threshold, model, and for an anomaly the per-feature contributions), already serialised
    so that the writer only binds them.
*/
struct DetectionDraft
{
    int eventIndex = -1;
    qint64 modelId = 0;
    double score = 0;
    bool isAnomaly = false;
    QByteArray featuresJson;
    QByteArray detailsJson;
};

struct Decisions
{
    QList<AlertDraft> alerts;          // in event order
    QList<DetectionDraft> detections;  // in event order
};

} // namespace vigil::engine
