#pragma once
// What the analyst console asks of the store: a filter and sort over all alerts, compact
// rows for one page of the table, an alert's history, and the rows `vigil generate` writes.

#include "engine/types.h"

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace vigil::models {

// The columns the console can sort by (and show). Kept in step with AlertPageModel's columns;
// Count and LastSeen are the grouped view's own (a group's alerts, its newest alert's time):
// the flat table sorts by time for them.
enum class AlertSortKey : quint8 { Time, Severity, Type, Rule, Message, Source, Status, Assignee, Id, Count, LastSeen };

/*!
    A filter and a sort over the alerts table. Empty lists and zero times mean "any".
    `maxId` pins a snapshot: rows with a larger id (arrived after the query started) are left
    out, so pages of the same query never shift while live alerts arrive.
*/
struct AlertQuery
{
    QList<engine::Severity> severities;
    QList<engine::AlertStatus> statuses;
    QList<engine::EventType> types;
    QStringList rules;              // rule names
    QString source;                 // source_id, exact
    QString assignee;               // username; "-" means unassigned
    qint64 fromMs = 0;              // created_at >= fromMs
    qint64 toMs = 0;                // created_at < toMs
    QString text;                   // free text over message, rule, source and the event's fields
    AlertSortKey sortKey = AlertSortKey::Time;
    bool descending = true;
    qint64 maxId = 0;               // 0: no snapshot bound
    bool showSilenced = false;      // include alerts a silence hid at ingest

    bool isDefaultOrder() const { return sortKey == AlertSortKey::Time && descending; }
    bool hasFilter() const;
    bool operator==(const AlertQuery &o) const = default;
};

/*!
    One row of the alert table: what the columns show, nothing more (no details JSON, no
    event id string): about 100 bytes plus the shared strings.
*/
struct AlertRow
{
    qint64 id = 0;
    qint64 createdAtMs = 0;
    qint64 eventRowId = 0;
    QString ruleName;
    QString message;
    QString sourceType;
    QString sourceId;
    QString acknowledgedBy;
    QString assignee;
    engine::Severity severity = engine::Severity::Medium;
    engine::EventType type = engine::EventType::Transaction;
    engine::AlertStatus status = engine::AlertStatus::New;
    qint64 silenceId = 0;           // hidden by this silence (shown with "show silenced")
};

/*!
    One row of the grouped alert table: the alerts of one rule and one source whose
    created_at falls in the same window (created_at / windowMs == bucket), as counted by the
    store, with the newest alert (largest id) for the message, status, type and assignee.
*/
struct AlertGroupRow
{
    QString ruleName;
    QString sourceId;
    qint64 bucket = 0;              // created_at / windowMs
    qint64 count = 0;
    qint64 firstSeenMs = 0;
    qint64 lastSeenMs = 0;
    qint64 firstId = 0;             // the group's oldest alert id (orders groups by start)
    engine::Severity topSeverity = engine::Severity::Low;
    AlertRow newest;
};

// One line of an alert's timeline: a status change, a comment, an assignment, or a
// notification sent (or waiting to be sent) for it.
struct AlertHistoryEntry
{
    qint64 timeMs = 0;
    QString user;
    QString action;                 // ACKNOWLEDGE, RESOLVE, ..., COMMENT, ASSIGN, NOTIFICATION
    QString text;                   // note, comment, assignee; a notification's target
    bool success = true;
    // NOTIFICATION only: the channel (EMAIL, SLACK, WEBSOCKET, DESKTOP, ...), the status
    // (PENDING, SENT, FAILED), attempts so far and the last error.
    QString channel;
    QString status;
    int attempts = 0;
    QString lastError;
};

/*!
    One row of the notifications table: one alert told on one channel. Rows for channels
    Vigil has no sender for yet are the outbox (PENDING, written with the alert); what Vigil
    delivered itself (the /alerts broadcast, the console's desktop notification) is SENT.
*/
struct AlertNotification
{
    qint64 id = 0;
    qint64 alertId = 0;
    QString channel;                // EMAIL, SLACK, SMS, WEBHOOK, WEBSOCKET, DESKTOP
    QString status;                 // PENDING, SENT, FAILED
    QString target;                 // to whom: "3 subscribers", a user name, an address
    int attempts = 0;
    QString lastError;
    qint64 createdAtMs = 0;
    qint64 sentAtMs = 0;            // 0 until sent

    // When it happened, for a timeline: sent, else written.
    qint64 timeMs() const { return sentAtMs > 0 ? sentAtMs : createdAtMs; }
    AlertHistoryEntry toHistoryEntry() const;
};

// `history` (oldest first) with `notifications` merged in time order; on equal times the
// history's entries come first.
QList<AlertHistoryEntry> mergedHistory(const QList<AlertHistoryEntry> &history,
                                       const QList<AlertNotification> &notifications);
// The alerts `notifications` are about, each once, in their first order.
QList<qint64> alertIdsOf(const QList<AlertNotification> &notifications);

// One feature of an anomaly: its value for the event and its share of the anomaly score.
struct FeatureContribution
{
    QString feature;
    double value = 0;
    double contribution = 0;        // 0..1; the shares of one detection sum to at most 1
};

// Why a model called an event anomalous: the model, the score and each feature's share.
struct AnomalyExplanation
{
    qint64 modelId = 0;             // 0: the alert was not raised by a model
    QString modelName;
    int modelVersion = 0;
    QString modelType;             // as ModelRecord has it: "isolation_forest", "statistical", ...
    double score = 0;
    double threshold = 0;
    QList<FeatureContribution> contributions; // largest share first
};

struct BulkActionResult
{
    int done = 0;
    int conflicts = 0;
    int missing = 0;
    QString message;                // set when the whole batch failed (nothing changed)
    QList<qint64> changedIds;
};

// Rows `vigil generate` writes, in one transaction per chunk.
struct GeneratedEvent
{
    QString eventId;
    qint64 timeMs = 0;
    engine::EventType type = engine::EventType::Transaction;
    QString sourceType;
    QString sourceId;
    QByteArray fieldsJson;
};
struct GeneratedResponse
{
    QString action;                 // ACKNOWLEDGE, RESOLVE, MARK_FALSE_POSITIVE
    qint64 userId = 0;
    qint64 timeMs = 0;
    QString notes;
};
struct GeneratedAlert
{
    int eventIndex = -1;            // into the chunk's events, or -1 with eventRowId set
    qint64 eventRowId = 0;
    qint64 ruleId = 0;
    QString ruleName;
    engine::EventType type = engine::EventType::Transaction;
    engine::Severity severity = engine::Severity::Medium;
    QString message;
    QByteArray detailsJson;
    QString sourceType;
    QString sourceId;
    engine::AlertStatus status = engine::AlertStatus::New;
    qint64 createdAtMs = 0;
    qint64 acknowledgedBy = 0;
    qint64 acknowledgedAtMs = 0;
    qint64 resolvedBy = 0;
    qint64 resolvedAtMs = 0;
    qint64 assignedTo = 0;
    QString resolutionNotes;
    QList<GeneratedResponse> responses;
};
struct GeneratedChunk
{
    QList<GeneratedEvent> events;
    QList<GeneratedAlert> alerts;
};

} // namespace vigil::models

Q_DECLARE_METATYPE(vigil::models::AlertQuery)
Q_DECLARE_METATYPE(vigil::models::AlertRow)
Q_DECLARE_METATYPE(vigil::models::AlertGroupRow)
