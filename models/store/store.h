#pragma once
// The only code in Vigil that speaks SQL.

#include "alert_query.h"
#include "alert_record.h"
#include "database_url.h"
#include "engine/detectors/model_record.h"
#include "engine/pipeline.h"
#include "engine/rules/silence.h"
#include "engine/rules/rule.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <functional>
#include <limits>
#include <memory>

namespace vigil::models {

class WalCheckpointer;

class SqliteStatement;
struct FoldedGroups;

enum class Role : quint8 { Analyst, Manager, Admin, System };
QString toString(Role role);
std::optional<Role> roleFromString(QStringView name);

// Who is acting. The store checks the role before every change and writes the audit log.
struct Actor
{
    QString username;
    Role role = Role::Analyst;
    static Actor system() { return {QStringLiteral("system"), Role::System}; }
};

struct IngestOutcome
{
    QList<bool> isNew;          // per event of the batch: false = seen before (duplicate)
    QList<AlertRecord> alerts;  // alerts raised and stored, in event order
};

enum class AlertAction : quint8 { Acknowledge, Resolve, MarkFalsePositive, Reopen };
QString toString(AlertAction action);

struct ActionResult
{
    enum class Outcome { Done, Conflict, NotFound, Forbidden, Invalid, Failed };
    Outcome outcome = Outcome::Failed;
    QString message;            // for the user when not Done: what happened and what to do
    AlertRecord alert;          // the alert as it is now (when found)
};

// What a silence would match among the stored alerts (Store::previewSilence).
struct SilencePreview
{
    qint64 matched = 0;         // alerts meeting every criterion
    qint64 open = 0;            // of them NEW or ACKNOWLEDGED ("current")
    qint64 candidates = 0;      // alerts looked at (after the rule and source criteria)
    QList<AlertRow> sample;     // the newest matches, at most the sample limit
    bool cancelled = false;     // stopped by the progress callback: the counts are partial
};

struct StoreCounts
{
    qint64 events = 0;
    qint64 alerts = 0;
    qint64 openAlerts = 0;      // NEW or ACKNOWLEDGED
    qint64 rules = 0;
};

/*!
    A connection to Vigil's database and everything done with it. One Store per thread:
    the ingest writer owns one, each reader thread opens its own (SQLite in WAL mode lets
    readers and the writer work at the same time). Every statement is prepared; SQL lives
    in named constants in store.cpp; every multi-row write is one transaction.

    Errors are reported with a message meant for the user (what went wrong, what to do).
*/
class Store
{
public:
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    // Opens (creating the SQLite file and its folder when missing) and migrates to the
    // latest schema. `connectionName` must be unique per thread.
    static std::unique_ptr<Store> open(const DatabaseUrl &url, const QString &connectionName, QString *error);

    const DatabaseUrl &url() const { return m_url; }
    int schemaVersion();

    // --- ingest (the writer thread) ---
    // In ONE transaction: stores the events that are new (by event id), runs the pipeline on
    // exactly those, stores the alerts they raise. Nothing is stored when it fails.
    bool ingest(const engine::EventBatch &events, engine::Pipeline &pipeline, qint64 receivedAtMs,
                IngestOutcome *outcome, QString *error);
    // SQLite: events go in with one multi-row INSERT per full group of this many events of a
    // batch, the rest one statement per event (the per-statement cost is shared by the group).
    // 1 stores every event with its own statement, as before groups existed (tests compare
    // the two; the ingest writer reads VIGIL_EVENT_INSERT_ROWS for benchmarks). Clamped to
    // [1, kMaxEventInsertRows]: 6 parameters per row stay under SQLite's oldest limit (999).
    static constexpr int kDefaultEventInsertRows = 32;
    static constexpr int kMaxEventInsertRows = 128;
    void setEventInsertRows(int rows);
    int eventInsertRows() const { return m_eventInsertRows; }

    // --- users ---
    qint64 userId(const Actor &actor, QString *error); // creates the user on first use

    // --- rules ---
    bool loadRules(QList<engine::Rule> *rules, QString *error);
    // Adds new rules and replaces those with the same name, in one transaction (admin only).
    bool importRules(const QList<engine::Rule> &rules, const Actor &actor, int *created, int *updated, QString *error);
    bool setRuleEnabled(qint64 ruleId, bool enabled, const Actor &actor, QString *error);
    // Changes whenever a rule is added, changed or removed (cheap; polled by the writer).
    QString rulesSignature();

    // --- anomaly models (store_models.cpp) ---
    // Saves a trained model as the next version of its name (admin only), keeping earlier
    // versions for rollback; with `activate` it becomes the one active version of its name.
    // Sets record->id, version, active and createdAtMs. Writes an audit_log row.
    bool saveModel(engine::ModelRecord *record, bool activate, const Actor &actor, QString *error);
    // Makes `version` the only active version of `name` (admin only; audited): activation
    // of a newer version, or rollback to an older one.
    bool activateModel(const QString &name, int version, const Actor &actor, QString *error);
    // The active version of every model, with its trained bytes.
    bool loadActiveModels(QList<engine::ModelRecord> *models, QString *error);
    // Every version of `name` (all models when empty), without bytes, by name and version.
    // performanceMetrics["verdicts"] holds the analysts' verdicts on the alerts the version
    // raised, read at call time: alerts, resolved, false_positive, open and, once there is a
    // verdict, precision = resolved / (resolved + false_positive).
    bool modelVersions(const QString &name, QList<engine::ModelRecord> *models, QString *error);
    // One version with its bytes.
    bool loadModel(const QString &name, int version, engine::ModelRecord *model, QString *error);
    // Changes whenever a model version is saved or activated (cheap; polled by the writer).
    QString modelsSignature();
    // Training history: events of one type in [sinceMs, untilMs), in time order; with
    // limit > 0 only the latest `limit` of them. Delivered `chunkSize` at a time to `chunk`,
    // which returns false to stop early.
    struct EventRange
    {
        engine::EventType type = engine::EventType::Transaction;
        qint64 sinceMs = std::numeric_limits<qint64>::min();
        qint64 untilMs = std::numeric_limits<qint64>::max();
        qint64 limit = 0;
        int chunkSize = 5000;
    };
    bool readEvents(const EventRange &range, const std::function<bool(const engine::EventBatch &)> &chunk,
                    QString *error);
    // Part of ingest(), inside its transaction: one anomaly_detections row per detection.
    bool insertDetections(const engine::EventBatch &events, const QList<qint64> &rowIds,
                          const QList<engine::DetectionDraft> &detections, qint64 createdAtMs, QString *error);

    // --- alerts ---
    bool recentAlerts(int limit, QList<AlertRecord> *alerts, QString *error);
    bool alert(qint64 alertId, AlertRecord *alert, QString *error);
    ActionResult applyAlertAction(qint64 alertId, AlertAction action, const Actor &actor, const QString &note);
    // The triggering event's envelope and fields as JSON.
    bool eventJson(qint64 eventRowId, QJsonObject *event, QString *error);

    bool counts(StoreCounts *counts, QString *error);

    // --- the analyst console (store_console.cpp) ---
    // Alerts matching `query` (respecting query.maxId), and one page of them in its order.
    bool countAlerts(const AlertQuery &query, qint64 *count, QString *error);
    bool alertRows(const AlertQuery &query, qint64 offset, int limit, QList<AlertRow> *rows, QString *error);
    bool alertRow(qint64 alertId, AlertRow *row, QString *error);
    // The ids of every alert matching `query`, in its order (for actions on a whole filter).
    bool alertIds(const AlertQuery &query, QList<qint64> *ids, QString *error);
    bool maxAlertId(qint64 *id, QString *error);
    // Grouping: folds the alerts matching `query` (respecting query.maxId) by rule, source
    // and window (created_at / windowMs), in the query's order, kept by this Store (SQLite) or
    // in a temporary table of its connection (PostgreSQL; other connections never see it);
    // then pages of them, joined to their newest alerts.
    // `cancelled` (any thread may make it return true) is asked every few thousand alerts and
    // by SQLite while a statement runs (PostgreSQL: before and after its one statement): when
    // it says so the fold stops and returns false with *error left empty (the table then
    // holds no groups).
    bool buildAlertGroups(const AlertQuery &query, qint64 windowMs, qint64 *groups, QString *error,
                          const std::function<bool()> &cancelled = {});
    bool alertGroupRows(qint64 offset, int limit, QList<AlertGroupRow> *rows, QString *error);
    // The first `limit` groups of `query` in its order, folded on the spot (no table): for a
    // narrow time range, the quick first page while the whole history is folded.
    bool alertGroupsFirst(const AlertQuery &query, qint64 windowMs, int limit, QList<AlertGroupRow> *rows, QString *error);
    // Users who may triage (for "assign to"), and the names of all rules (for filters).
    bool triageUsers(QStringList *usernames, QString *error);
    bool ruleNames(QStringList *names, QString *error);
    // The same action on many alerts in ONE transaction; each attempt is an AlertResponse,
    // alerts someone else already took are counted as conflicts and left as they are.
    BulkActionResult applyAlertActions(const QList<qint64> &alertIds, AlertAction action, const Actor &actor,
                                       const QString &note);
    // Assigns alerts to `assignee` (a username; empty: unassign), in one transaction.
    BulkActionResult assignAlerts(const QList<qint64> &alertIds, const QString &assignee, const Actor &actor);
    bool addAlertComment(qint64 alertId, const QString &text, const Actor &actor, QString *error);
    // Responses (status changes, assignments) and comments, oldest first.
    bool alertHistory(qint64 alertId, QList<AlertHistoryEntry> *entries, QString *error);

    // --- notifications (store_notifications.cpp) ---
    // The notifications table is also the outbox: ingest() writes a PENDING row per channel a
    // rule names (other than WEBSOCKET, which the /alerts broadcast serves) with each alert
    // that was not silenced; senders mark them SENT or FAILED. Records notifications Vigil
    // delivered itself (or any given rows), in one transaction; created_at defaults to now.
    bool recordNotifications(const QList<AlertNotification> &notifications, QString *error);
    // An alert's notifications, in the order they happened (sent, else written).
    bool alertNotifications(qint64 alertId, QList<AlertNotification> *notifications, QString *error);
    // An anomaly alert's model (name, version, type), score and every feature's share of it,
    // largest first, from the alert's detection row. For an alert no model raised,
    // explanation->modelId stays 0 (and it is not an error).
    bool anomalyExplanation(qint64 alertId, AnomalyExplanation *explanation, QString *error);
    // Other alerts from the same source as `alertId`, newest first.
    bool relatedAlerts(qint64 alertId, int limit, QList<AlertRow> *rows, QString *error);
    // Every alert matching `query` (respecting query.maxId) in its order, as full records
    // delivered `chunkSize` at a time from one forward-only read; `chunk` returns false to stop.
    bool readAlertRecords(const AlertQuery &query, int chunkSize,
                          const std::function<bool(const QList<AlertRecord> &)> &chunk, QString *error);
    // The full records of `alertIds`, in that order; ids that no longer exist are left out.
    bool alertRecords(const QList<qint64> &alertIds, QList<AlertRecord> *alerts, QString *error);
    // `vigil generate`: writes a chunk of synthetic history in one transaction.
    bool insertGenerated(const GeneratedChunk &chunk, QString *error);
    // Around many insertGenerated() calls: beginBulkLoad() drops the alerts' secondary
    // indexes; finishBulkLoad() builds them again, indexes the new alerts' text (with the
    // text index set for a bulk load) and refreshes the planner's statistics, in steps that
    // are each one transaction. A load cut short is finished by the next open(). Nothing to
    // do on PostgreSQL.
    bool beginBulkLoad(QString *error);
    // SQLite: the free-text index is a file of its own beside the database (this path), so
    // that a thread of its own (TextIndexer) writes it while the ingest writer commits events.
    // Derived data: deleting it (with Vigil stopped) makes Vigil build it again.
    static QString textIndexPath(const DatabaseUrl &url);
    // Adds the alerts stored since the last call to the free-text index (SQLite), at most
    // `maxAlerts` of them (0: all), and indexes again the alerts changed or deleted since
    // they were indexed, in one transaction of the index's file; *indexed says how many new
    // alerts. A TextIndexer calls it every couple of seconds; searches cover the newer alerts
    // with LIKE. Never holds the database's write lock while it indexes. When `cancelled`
    // (asked every few thousand steps, from this thread) returns true, the pass stops and
    // nothing of it is kept; the result is false with the reason in *error.
    bool indexAlertText(qint64 maxAlerts, qint64 *indexed, QString *error,
                        const std::function<bool()> &cancelled = {});
    // SQLite: the most memory the connection's page cache of the database may hold (default
    // 64 MiB; the free-text index's file has 16 MiB of its own). For connections that read
    // each page once, such as the TextIndexer's.
    void setCacheSize(int kib);

    // SQLite: checkpoints of the write-ahead log run on a thread of their own instead of in
    // the commit that fills it (see WalCheckpointer). For the connection that writes most
    // (the ingest writer's). True without doing anything on PostgreSQL; false with a message
    // when it cannot start (the store then checkpoints as SQLite does by default).
    bool checkpointInBackground(QString *error);
    bool finishBulkLoad(QString *error);

    // --- silences (store_silences.cpp) ---
    // Silences may be created, ended and deleted by analysts and admins (managers read);
    // every change writes an audit_log row.
    // Creates `silence` (its criteria must compile, the comment say why, the expiry lie in
    // the future, at most a year ahead). Sets its id, createdBy and createdAtMs.
    bool createSilence(engine::Silence *silence, const Actor &actor, QString *error);
    // Ends an active silence now.
    bool expireSilence(qint64 silenceId, const Actor &actor, QString *error);
    // Deletes a silence that never silenced an alert (a mistake); one that did can only be
    // ended, so the alerts it hid keep saying why.
    bool deleteSilence(qint64 silenceId, const Actor &actor, QString *error);
    // Silences active at `nowMs` and those that ended since `endedSinceMs`, newest first,
    // with creator and matched count.
    bool silences(qint64 nowMs, qint64 endedSinceMs, QList<engine::Silence> *out, QString *error);
    // The silences active at `nowMs` (what the ingest writer matches against).
    bool activeSilences(qint64 nowMs, QList<engine::Silence> *out, QString *error);
    // Changes whenever a silence is created, ended or deleted (cheap; polled by the writer).
    QString silencesSignature();
    // Which stored alerts `silence` matches (its criteria only, not its times): exact
    // counts and the newest `sampleLimit` matches. A field criterion is tested by the
    // engine's own matching on each candidate's event, `chunkSize` alerts at a time;
    // `progress(done, total)` is called after each chunk and returns false to cancel.
    bool previewSilence(const engine::Silence &silence, int sampleLimit, SilencePreview *out, QString *error,
                        const std::function<bool(qint64, qint64)> &progress = {}, int chunkSize = 5000);

    // A settings value stored in the database (e.g. the producer token's fingerprint).
    QString setting(const QString &key, const QString &fallback = QString());
    bool setSetting(const QString &key, const QString &value, QString *error);

private:
    Store(const DatabaseUrl &url, const QString &connectionName);
    bool connect(QString *error);
    bool migrate(QString *error);
    bool attachTextIndex(QString *error);
    // After the migrations: creates the index's tables in its file, or empties them when the
    // file belongs to another database or holds alerts this one does not.
    bool prepareTextIndex(QString *error);
    bool setTextIndexOptions(bool bulkLoad, QString *error);
    bool migrateLocked(QString *error); // migrate() once no other process migrates (PostgreSQL)
    // SQLite: prepares the multi-row event insert and the two reads it needs; false (one
    // statement per event from then on, with a warning) when SQLite refuses them.
    bool prepareEventGroupInsert();
    QSqlQuery &prepared(const char *sql);
    bool fail(const QSqlQuery &query, QString *error, const char *what);
    // The first column of the one row `statement` (prepared, no values) returns.
    bool readInteger(const char *statement, qint64 *value, QString *error);
    // Prepares a statement composed at run time (filters), binds `values` in order and runs it.
    bool execComposed(QSqlQuery &q, const QString &statement, const QVariantList &values, bool forwardOnly,
                      const char *what, QString *error);
    bool audit(qint64 userId, const QString &action, const QString &entity, const QString &entityId,
               const QJsonObject &details, QString *error);
    static AlertRecord alertFromQuery(const QSqlQuery &query);
    // Whether any alert up to `maxId` (all when 0) was silenced: the console adds the
    // "not silenced" condition only then, so a database without silenced alerts keeps its
    // index-only page reads.
    bool hasSilencedAlerts(qint64 maxId);
    // buildAlertGroups() on SQLite: one ordered read of the alerts, folded as it goes.
    bool foldAlertGroups(const AlertQuery &query, qint64 windowMs, qint64 *groups, QString *error,
                         const std::function<bool()> &cancelled);

    DatabaseUrl m_url;
    QString m_connectionName;
    QSqlDatabase m_db;
    QHash<const char *, QSqlQuery> m_statements;
    QHash<QString, qint64> m_userIds;
    std::unique_ptr<SqliteStatement> m_nativeInsertEvent; // SQLite only: the ingest hot path
    std::unique_ptr<SqliteStatement> m_nativeInsertEvents; // SQLite only: m_eventInsertRows rows at once
    std::unique_ptr<SqliteStatement> m_nativeMaxEventId;   // SQLite only: the largest events.id
    std::unique_ptr<SqliteStatement> m_nativeEventsAfter;  // SQLite only: events with a larger id
    int m_eventInsertRows = kDefaultEventInsertRows;
    std::unique_ptr<SqliteStatement> m_nativeInsertDetection; // SQLite only: detections of a batch
    std::unique_ptr<SqliteStatement> m_nativeInsertAlert;     // SQLite only: the alerts of a batch
    std::unique_ptr<WalCheckpointer> m_checkpointer;          // SQLite writer only
    std::shared_ptr<FoldedGroups> m_folded; // SQLite only: the groups of the last buildAlertGroups()
};

} // namespace vigil::models
