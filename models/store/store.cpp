#include "store.h"

#include "schema.h"
#include "sqlite_statement.h"
#include "wal_checkpointer.h"
#include "text_fold.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlRecord>

#include <algorithm>
#include <array>

namespace vigil::models {

namespace {

class StoreText
{
    Q_DECLARE_TR_FUNCTIONS(Store)
};

namespace sql {
constexpr const char *SchemaVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
constexpr const char *SelectSchemaVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
constexpr const char *InsertSchemaVersion = "INSERT INTO schema_version (version) VALUES (?)";
// PostgreSQL: several Vigil processes may open one database at once (even CREATE TABLE IF
// NOT EXISTS fails in one of two that race). The first to take this lock of the database
// ("VIGL") migrates; the others wait for it and find the schema done.
constexpr const char *LockMigrations = "SELECT pg_advisory_lock(1447642956)";
constexpr const char *UnlockMigrations = "SELECT pg_advisory_unlock(1447642956)";

constexpr const char *InsertEvent =
    "INSERT INTO events (event_id, time, type, source_type, source_id, fields, received_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING id";
// SQLite's hot path: the same insert without RETURNING; whether it stored the row and its id
// come from sqlite3_changes() and sqlite3_last_insert_rowid(), which costs half as much.
constexpr const char *InsertEventNative =
    "INSERT INTO events (event_id, time, type, source_type, source_id, fields, received_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING";
// The events a multi-row insert stored (those with an id above the largest before it).
constexpr const char *SelectMaxEventId = "SELECT COALESCE(MAX(id), 0) FROM events";
constexpr const char *SelectEventsAfter = "SELECT id, event_id FROM events WHERE id > ?";
constexpr const char *InsertAlert =
    "INSERT INTO alerts (rule_id, model_id, rule_name, event_id, type, severity, message, details,"
    " source_type, source_id, status, created_at, silence_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'NEW', ?, ?) RETURNING id";

// SQLite's hot path: the same insert without RETURNING (the id is sqlite3_last_insert_rowid()).
constexpr const char *InsertAlertNative =
    "INSERT INTO alerts (rule_id, model_id, rule_name, event_id, type, severity, message, details,"
    " source_type, source_id, status, created_at, silence_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'NEW', ?, ?)";

// The outbox: a channel the rule names, for senders to come (store_notifications.cpp).
constexpr const char *InsertPendingNotification =
    "INSERT INTO notifications (alert_id, channel, status, created_at) VALUES (?, ?, 'PENDING', ?)";

constexpr const char *SelectUser = "SELECT id FROM users WHERE username = ?";
constexpr const char *InsertUser =
    "INSERT INTO users (username, display_name, role, created_at) VALUES (?, ?, ?, ?) RETURNING id";

constexpr const char *SelectRules =
    "SELECT r.id, r.name, r.alert_type, r.severity, r.conditions, r.message_template,"
    " r.notification_channels, r.enabled, COALESCE(u.username, ''), r.created_at"
    " FROM rules r LEFT JOIN users u ON u.id = r.created_by ORDER BY r.id";
constexpr const char *SelectRuleByName = "SELECT id FROM rules WHERE name = ?";
constexpr const char *InsertRule =
    "INSERT INTO rules (name, alert_type, severity, conditions, message_template,"
    " notification_channels, enabled, created_by, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr const char *UpdateRule =
    "UPDATE rules SET alert_type = ?, severity = ?, conditions = ?, message_template = ?,"
    " notification_channels = ?, enabled = ?, updated_at = ? WHERE id = ?";
constexpr const char *SelectRulesSignature = "SELECT COUNT(*), COALESCE(MAX(updated_at), 0), COALESCE(MAX(id), 0) FROM rules";
constexpr const char *UpdateRuleEnabled = "UPDATE rules SET enabled = ?, updated_at = ? WHERE id = ?";

#define VIGIL_ALERT_COLUMNS                                                                          \
    "SELECT a.id, a.created_at, a.severity, a.type, a.status, COALESCE(a.rule_id, 0), a.rule_name," \
    " a.message, a.source_type, a.source_id, COALESCE(a.event_id, 0), COALESCE(e.event_id, ''),"     \
    " COALESCE(ua.username, ''), COALESCE(a.acknowledged_at, 0), COALESCE(ur.username, ''),"         \
    " COALESCE(a.resolved_at, 0), a.resolution_notes, a.details, COALESCE(a.silence_id, 0)"         \
    " FROM alerts a LEFT JOIN events e ON e.id = a.event_id"                                          \
    " LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users ur ON ur.id = a.resolved_by"
constexpr const char *SelectRecentAlerts = VIGIL_ALERT_COLUMNS " ORDER BY a.created_at DESC, a.id DESC LIMIT ?";
constexpr const char *SelectAlert = VIGIL_ALERT_COLUMNS " WHERE a.id = ?";
#undef VIGIL_ALERT_COLUMNS

constexpr const char *AcknowledgeAlert =
    "UPDATE alerts SET status = 'ACKNOWLEDGED', acknowledged_by = ?, acknowledged_at = ?"
    " WHERE id = ? AND status = 'NEW'";
constexpr const char *CloseAlert =
    "UPDATE alerts SET status = ?, resolved_by = ?, resolved_at = ?, resolution_notes = ?,"
    " acknowledged_by = COALESCE(acknowledged_by, ?), acknowledged_at = COALESCE(acknowledged_at, ?)"
    " WHERE id = ? AND status IN ('NEW', 'ACKNOWLEDGED')";
constexpr const char *ReopenAlert =
    "UPDATE alerts SET status = 'NEW', acknowledged_by = NULL, acknowledged_at = NULL,"
    " resolved_by = NULL, resolved_at = NULL WHERE id = ? AND status <> 'NEW'";
constexpr const char *InsertResponse =
    "INSERT INTO alert_responses (alert_id, user_id, action_taken, notes, timestamp, success, response_time_ms)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char *InsertAudit =
    "INSERT INTO audit_log (user_id, action, entity, entity_id, details, created_at) VALUES (?, ?, ?, ?, ?, ?)";

constexpr const char *SelectEvent =
    "SELECT event_id, time, type, source_type, source_id, fields FROM events WHERE id = ?";

constexpr const char *CountEvents = "SELECT COUNT(*) FROM events";
constexpr const char *CountAlerts = "SELECT COUNT(*) FROM alerts";
constexpr const char *CountOpenAlerts = "SELECT COUNT(*) FROM alerts WHERE status IN ('NEW', 'ACKNOWLEDGED')";
constexpr const char *CountRules = "SELECT COUNT(*) FROM rules";

constexpr const char *SelectSetting = "SELECT value FROM settings WHERE key = ?";
constexpr const char *UpsertSetting =
    "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value";
} // namespace sql

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

QString json(const QJsonObject &o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }
QString json(const QJsonValue &v)
{
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    return json(v.toObject());
}

bool mayTriage(Role role) { return role == Role::Analyst || role == Role::Admin || role == Role::System; }
bool mayAdminister(Role role) { return role == Role::Admin || role == Role::System; }

} // namespace

QString toString(Role role)
{
    switch (role) {
    case Role::Analyst: return QStringLiteral("analyst");
    case Role::Manager: return QStringLiteral("manager");
    case Role::Admin: return QStringLiteral("admin");
    case Role::System: return QStringLiteral("system");
    }
    return {};
}

std::optional<Role> roleFromString(QStringView name)
{
    for (Role r : {Role::Analyst, Role::Manager, Role::Admin, Role::System})
        if (name == toString(r))
            return r;
    return std::nullopt;
}

QString toString(AlertAction action)
{
    switch (action) {
    case AlertAction::Acknowledge: return QStringLiteral("ACKNOWLEDGE");
    case AlertAction::Resolve: return QStringLiteral("RESOLVE");
    case AlertAction::MarkFalsePositive: return QStringLiteral("MARK_FALSE_POSITIVE");
    case AlertAction::Reopen: return QStringLiteral("REOPEN");
    }
    return {};
}

Store::Store(const DatabaseUrl &url, const QString &connectionName)
    : m_url(url), m_connectionName(connectionName)
{
}

Store::~Store()
{
    m_checkpointer.reset(); // before the connection it hooks closes
    m_nativeInsertEvent.reset();
    m_nativeInsertEvents.reset();
    m_nativeMaxEventId.reset();
    m_nativeEventsAfter.reset();
    m_nativeInsertDetection.reset();
    m_nativeInsertAlert.reset();
    m_statements.clear();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

std::unique_ptr<Store> Store::open(const DatabaseUrl &url, const QString &connectionName, QString *error)
{
    std::unique_ptr<Store> store(new Store(url, connectionName));
    if (!store->connect(error) || !store->migrate(error))
        return nullptr;
    return store;
}

bool Store::connect(QString *error)
{
    if (m_url.kind == DatabaseUrl::Kind::SQLite) {
        configureSqliteLibrary();
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
            *error = StoreText::tr("the Qt SQLite driver is not installed (Debian package libqt6sql6-sqlite)");
            return false;
        }
        if (m_url.path != QStringLiteral(":memory:")) {
            const QFileInfo info(m_url.path);
            if (!QDir().mkpath(info.absolutePath())) {
                *error = StoreText::tr("cannot create the folder %1 for the database: check its permissions or choose another --database")
                             .arg(info.absolutePath());
                return false;
            }
        }
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        m_db.setDatabaseName(m_url.path);
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    } else {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL"))) {
            *error = StoreText::tr("the Qt PostgreSQL driver is not installed (Debian package libqt6sql6-psql)");
            return false;
        }
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
        m_url.configure(m_db);
    }
    if (!m_db.open()) {
        *error = StoreText::tr("cannot open the database %1: %2").arg(m_url.displayName(), m_db.lastError().text());
        return false;
    }
    if (m_url.kind == DatabaseUrl::Kind::SQLite) {
        // WAL lets the console read while the ingest writer commits; FULL makes a commit durable
        // before producers are acknowledged.
        // 8 KiB pages for a new database (an existing one keeps its own): the ingest writes a
        // third fewer pages and descends fewer levels per insert (docs/benchmarks.md). Only
        // before the first table and before WAL, so first.
        const char *pragmas[] = {"PRAGMA page_size = 8192", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                                 "PRAGMA foreign_keys = ON", "PRAGMA temp_store = MEMORY",
                                 "PRAGMA cache_size = -65536"};
        for (const char *pragma : pragmas) {
            QSqlQuery q(m_db);
            if (!q.exec(QString::fromLatin1(pragma)))
                return fail(q, error, pragma);
        }
        QSqlQuery q(m_db);
        if (q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next()
            && q.value(0).toString() != QStringLiteral("wal") && m_url.path != QStringLiteral(":memory:")) {
            *error = StoreText::tr("the database %1 cannot use write-ahead logging (is it on a network file system?)")
                         .arg(m_url.path);
            return false;
        }
        q.finish();
        // The free-text index's own file (schema migration 10), attached as "search".
        if (!attachTextIndex(error))
            return false;
        // Free text on rows the trigram index does not hold folds case as the index does.
        QString why;
        if (!TextFold::registerFunctions(m_db, &why)) {
            *error = StoreText::tr("cannot set up free-text search on %1: %2").arg(m_url.displayName(), why);
            return false;
        }
    } else {
        // The driver prints the server's notices on standard error ("relation schema_version
        // already exists, skipping" at every start): only warnings and errors say something.
        QSqlQuery q(m_db);
        if (!q.exec(QStringLiteral("SET client_min_messages = warning")))
            return fail(q, error, "SET client_min_messages = warning");
    }
    return true;
}

bool Store::fail(const QSqlQuery &query, QString *error, const char *what)
{
    if (error)
        *error = StoreText::tr("database error (%1) in %2: %3")
                     .arg(m_url.displayName(), QString::fromLatin1(what).left(60), query.lastError().text());
    return false;
}

QSqlQuery &Store::prepared(const char *statement)
{
    auto it = m_statements.find(statement);
    if (it == m_statements.end()) {
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (!q.prepare(QString::fromLatin1(statement)))
            qWarning("Vigil: cannot prepare %s: %s", statement, qPrintable(q.lastError().text()));
        it = m_statements.insert(statement, q);
    }
    return it.value();
}

int Store::schemaVersion()
{
    QSqlQuery &q = prepared(sql::SelectSchemaVersion);
    if (!q.exec() || !q.next())
        return -1;
    const int v = q.value(0).toInt();
    q.finish();
    return v;
}

bool Store::migrate(QString *error)
{
    if (m_url.kind == DatabaseUrl::Kind::PostgreSQL) {
        QSqlQuery &lock = prepared(sql::LockMigrations);
        if (!lock.exec())
            return fail(lock, error, sql::LockMigrations);
        lock.finish();
        const bool migrated = migrateLocked(error);
        QSqlQuery &unlock = prepared(sql::UnlockMigrations);
        unlock.exec();
        unlock.finish();
        return migrated;
    }
    return migrateLocked(error);
}

bool Store::migrateLocked(QString *error)
{
    {
        QSqlQuery q(m_db);
        if (!q.exec(QString::fromLatin1(sql::SchemaVersionTable)))
            return fail(q, error, sql::SchemaVersionTable);
    }
    const int current = schemaVersion();
    if (current < 0) {
        *error = StoreText::tr("cannot read the schema version of %1").arg(m_url.displayName());
        return false;
    }
    if (current > schema::latestVersion()) {
        *error = StoreText::tr("the database %1 has schema version %2, newer than this Vigil (%3): upgrade Vigil")
                     .arg(m_url.displayName())
                     .arg(current)
                     .arg(schema::latestVersion());
        return false;
    }
    const auto dialect = m_url.kind == DatabaseUrl::Kind::SQLite ? schema::Dialect::SQLite : schema::Dialect::PostgreSQL;
    for (const schema::Migration &m : schema::migrations()) {
        if (m.version <= current)
            continue;
        if (!m_db.transaction()) {
            *error = StoreText::tr("cannot start migration %1: %2").arg(m.version).arg(m_db.lastError().text());
            return false;
        }
        for (const QString &statement : m.statements) {
            const QString translated = schema::translate(statement, dialect);
            if (translated.isEmpty())
                continue; // not for this database
            QSqlQuery q(m_db);
            if (!q.exec(translated)) {
                const QString text = q.lastError().text();
                m_db.rollback();
                *error = StoreText::tr("migration %1 (%2) failed: %3")
                             .arg(m.version)
                             .arg(QString::fromLatin1(m.description), text);
                return false;
            }
        }
        QSqlQuery &v = prepared(sql::InsertSchemaVersion);
        v.bindValue(0, m.version);
        if (!v.exec()) {
            m_db.rollback();
            return fail(v, error, sql::InsertSchemaVersion);
        }
        if (!m_db.commit()) {
            *error = StoreText::tr("cannot commit migration %1: %2").arg(m.version).arg(m_db.lastError().text());
            return false;
        }
    }
    // A bulk load cut short (vigil generate killed) left the alerts without their indexes.
    return prepareTextIndex(error) && finishBulkLoad(error);
}

bool Store::ingest(const engine::EventBatch &events, engine::Pipeline &pipeline, qint64 receivedAtMs,
                   IngestOutcome *outcome, QString *error)
{
    outcome->isNew.fill(false, events.size());
    outcome->alerts.clear();
    if (events.isEmpty())
        return true;
    if (!m_db.transaction()) {
        *error = StoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const auto rollback = [&](QSqlQuery &q, const char *what) {
        fail(q, error, what);
        q.finish();
        m_db.rollback();
        outcome->isNew.fill(false, events.size());
        outcome->alerts.clear();
        return false;
    };

    QList<qint64> rowIds(events.size(), 0);
    engine::Decisions decisions;
    pipeline.beginBatch();
    // The rules' and models' worker threads read the events until finishBatch(): a batch given
    // up before it is waited for and dropped, so no worker outlives the caller's events.
    struct Unfinished
    {
        engine::Pipeline &pipeline;
        bool finished = false;
        ~Unfinished()
        {
            if (!finished)
                pipeline.beginBatch();
        }
    } unfinished{pipeline};
    if (m_url.kind == DatabaseUrl::Kind::SQLite && !m_nativeInsertEvent) {
        QString prepareError;
        m_nativeInsertEvent = SqliteStatement::prepare(m_db, sql::InsertEventNative, &prepareError);
        if (!m_nativeInsertEvent)
            qWarning("Vigil: falling back to QSqlQuery for event inserts: %s", qPrintable(prepareError));
    }
    if (m_nativeInsertEvent) {
        // The same statement through SQLite's API: UTF-8 straight from the decoder, no QVariant.
        SqliteStatement &insert = *m_nativeInsertEvent;
        std::array<QByteArray, engine::kEventTypeCount> typeNames;
        for (int t = 0; t < engine::kEventTypeCount; ++t)
            typeNames[std::size_t(t)] = engine::toString(engine::EventType(t)).toLatin1();
        // Gives the batch up: the transaction is rolled back and no event counts as stored.
        const auto giveUp = [&](const QString &message) {
            *error = message;
            m_db.rollback();
            outcome->isNew.fill(false, events.size());
            return false;
        };
        const auto failInsert = [&](const QString &eventId, const QString &stepError) {
            return giveUp(StoreText::tr("database error (%1) storing event '%2': %3").arg(m_url.displayName(), eventId, stepError));
        };
        // Full groups of k events go in with one statement each (bindings ?1 = received_at,
        // then six per row from ?2); the per-statement cost of SQLite (savepoint, cursors,
        // halt, reset) is paid once per group instead of once per event.
        const qsizetype k = m_eventInsertRows > 1 && prepareEventGroupInsert() ? m_eventInsertRows : 1;
        const qsizetype groups = k > 1 ? events.size() / k : 0;
        // The largest events.id so far in this transaction: rows a group stores have larger ones.
        qint64 maxRowId = 0;
        if (groups > 0) {
            QString stepError;
            if (m_nativeMaxEventId->stepOnce(&maxRowId, &stepError) < 0)
                return giveUp(StoreText::tr("database error (%1) reading the events' largest id: %2").arg(m_url.displayName(), stepError));
        }
        // One event with the single-row statement; false (after the rollback) on error.
        const auto insertOne = [&](qsizetype i) {
            const engine::Event &e = events.at(i);
            insert.bindText(1, e.id);
            insert.bindInt64(2, e.timeMs);
            insert.bindText(3, typeNames[std::size_t(e.type)]);
            insert.bindText(4, e.sourceType);
            insert.bindText(5, e.sourceId);
            insert.bindText(6, e.fieldsJson());
            insert.bindInt64(7, receivedAtMs);
            QString stepError;
            const int produced = insert.stepInsert(&rowIds[i], &stepError);
            if (produced < 0)
                return failInsert(e.id, stepError);
            if (produced == 1) {
                outcome->isNew[i] = true;
                maxRowId = std::max(maxRowId, rowIds[i]);
                pipeline.processOne(e, int(i), &decisions);
            }
            return true;
        };
        if (groups > 0) {
            SqliteStatement &group = *m_nativeInsertEvents;
            group.bindInt64(1, receivedAtMs);
            for (qsizetype g = 0; g < groups; ++g) {
                const qsizetype first = g * k;
                for (qsizetype r = 0; r < k; ++r) {
                    const engine::Event &e = events.at(first + r);
                    const int p = 2 + 6 * int(r);
                    group.bindText(p, e.id);
                    group.bindInt64(p + 1, e.timeMs);
                    group.bindText(p + 2, typeNames[std::size_t(e.type)]);
                    group.bindText(p + 3, e.sourceType);
                    group.bindText(p + 4, e.sourceId);
                    group.bindText(p + 5, e.fieldsJson());
                }
                qint64 lastRowId = 0;
                QString stepError;
                const int stored = group.stepInsertRows(&lastRowId, &stepError);
                if (stored < 0) {
                    // The failed statement's rows are undone and, unless the error ended the
                    // transaction, the group goes in again one event at a time: the event at
                    // fault is named as without groups, and a failure that does not come back
                    // leaves the batch as the single-row path would have stored it.
                    if (!group.inTransaction())
                        return giveUp(StoreText::tr("database error (%1) storing the events '%2' to '%3': %4")
                                          .arg(m_url.displayName(), events.at(first).id, events.at(first + k - 1).id, stepError));
                    for (qsizetype r = 0; r < k; ++r) {
                        if (!insertOne(first + r))
                            return false;
                    }
                    continue;
                }
                if (stored == k && lastRowId == maxRowId + k) {
                    // All new. SQLite gives a row of a rowid table (events.id is INTEGER PRIMARY
                    // KEY, without AUTOINCREMENT) one more than the largest rowid in the table
                    // (https://sqlite.org/autoinc.html), so the group's rows, inserted in VALUES
                    // order, hold maxRowId + 1 … maxRowId + k. The last one's id checks it (a
                    // table at the largest 64-bit rowid picks at random and fails the check).
                    // Tested: tst_store ingestInGroupsMatchesOneAtATime.
                    for (qsizetype r = 0; r < k; ++r) {
                        outcome->isNew[first + r] = true;
                        rowIds[first + r] = maxRowId + 1 + r;
                    }
                    maxRowId = lastRowId;
                } else if (stored > 0) {
                    // Some were already stored, or an id came twice in the group (the first
                    // copy is stored, the second is a duplicate): the rows just stored are
                    // the ones above maxRowId; each belongs to the first event with its id.
                    SqliteStatement &after = *m_nativeEventsAfter;
                    after.bindInt64(1, maxRowId);
                    int found = 0;
                    int rc;
                    while ((rc = after.step(&stepError)) == 1) {
                        const qint64 rowId = after.columnInt64(0);
                        maxRowId = std::max(maxRowId, rowId);
                        const QString eventId = QString::fromUtf8(after.columnText(1));
                        for (qsizetype r = 0; r < k; ++r) {
                            if (events.at(first + r).id == eventId) {
                                outcome->isNew[first + r] = true;
                                rowIds[first + r] = rowId;
                                ++found;
                                break;
                            }
                        }
                    }
                    after.reset();
                    if (rc < 0)
                        return failInsert(events.at(first).id, stepError);
                    if (found != stored)
                        return failInsert(events.at(first).id,
                                          StoreText::tr("%1 events were stored but %2 were found again").arg(stored).arg(found));
                }
                for (qsizetype r = 0; r < k; ++r) {
                    if (outcome->isNew.at(first + r))
                        pipeline.processOne(events.at(first + r), int(first + r), &decisions);
                }
            }
        }
        for (qsizetype i = groups * k; i < events.size(); ++i) {
            if (!insertOne(i))
                return false;
        }
    } else {
        QSqlQuery &insertEvent = prepared(sql::InsertEvent);
        for (qsizetype i = 0; i < events.size(); ++i) {
            const engine::Event &e = events.at(i);
            insertEvent.bindValue(0, e.id);
            insertEvent.bindValue(1, e.timeMs);
            insertEvent.bindValue(2, engine::toString(e.type));
            insertEvent.bindValue(3, e.sourceType);
            insertEvent.bindValue(4, e.sourceId);
            insertEvent.bindValue(5, QString::fromUtf8(e.fieldsJson()));
            insertEvent.bindValue(6, receivedAtMs);
            if (!insertEvent.exec()) {
                // Named as the SQLite path names it: which event could not be stored.
                const QString why = insertEvent.lastError().text();
                rollback(insertEvent, sql::InsertEvent);
                *error = StoreText::tr("database error (%1) storing event '%2': %3").arg(m_url.displayName(), e.id, why);
                return false;
            }
            if (insertEvent.next()) {
                rowIds[i] = insertEvent.value(0).toLongLong();
                outcome->isNew[i] = true;
                pipeline.processOne(e, int(i), &decisions);
            }
            insertEvent.finish();
        }
    }

    // The models' verdicts (scored on the pipeline's worker while the events were stored).
    pipeline.finishBatch(&decisions);
    unfinished.finished = true;
    if (!insertDetections(events, rowIds, decisions.detections, receivedAtMs, error)) {
        m_db.rollback();
        outcome->isNew.fill(false, events.size());
        return false;
    }

    // SQLite: the alert insert through SQLite's API too, without RETURNING (the id is
    // sqlite3_last_insert_rowid()): a third of what each alert cost the writer through
    // QSqlQuery (docs/benchmarks.md). Other databases: QSqlQuery with RETURNING id.
    if (m_url.kind == DatabaseUrl::Kind::SQLite && !m_nativeInsertAlert) {
        QString prepareError;
        m_nativeInsertAlert = SqliteStatement::prepare(m_db, sql::InsertAlertNative, &prepareError);
        if (!m_nativeInsertAlert)
            qWarning("Vigil: falling back to QSqlQuery for alert inserts: %s", qPrintable(prepareError));
    }
    QSqlQuery *insertAlertQuery = m_nativeInsertAlert ? nullptr : &prepared(sql::InsertAlert);
    outcome->alerts.reserve(decisions.alerts.size());
    const engine::SilenceSet &silences = pipeline.silences();
    const QVariant nullId(QMetaType::fromType<qint64>()); // no rule, model or silence
    const QByteArray emptyObject("{}"); // bound until step(): a draft without details
    for (const engine::AlertDraft &d : std::as_const(decisions.alerts)) {
        const engine::Event &e = events.at(d.eventIndex);
        const QByteArray &details = d.detailsJson.isEmpty() ? emptyObject : d.detailsJson;
        // In memory, against the few active silences: no statement per alert.
        const qint64 silenceId = silences.isEmpty() ? 0 : silences.match(d.ruleName, e, receivedAtMs);
        AlertRecord a;
        if (SqliteStatement *insert = m_nativeInsertAlert.get()) {
            insert->bindValue(1, d.ruleId > 0 ? QVariant(d.ruleId) : nullId);
            insert->bindValue(2, d.modelId > 0 ? QVariant(d.modelId) : nullId);
            insert->bindText(3, d.ruleName);
            insert->bindInt64(4, rowIds.at(d.eventIndex));
            insert->bindText(5, engine::toString(d.type));
            insert->bindText(6, engine::toString(d.severity));
            insert->bindText(7, d.message);
            insert->bindText(8, details);
            insert->bindText(9, e.sourceType);
            insert->bindText(10, e.sourceId);
            insert->bindInt64(11, receivedAtMs);
            insert->bindValue(12, silenceId > 0 ? QVariant(silenceId) : nullId);
            QString stepError;
            if (insert->stepInsert(&a.id, &stepError) != 1) {
                *error = StoreText::tr("database error (%1) storing an alert of rule '%2': %3")
                             .arg(m_url.displayName(), d.ruleName,
                                  stepError.isEmpty() ? StoreText::tr("the row was not stored") : stepError);
                m_db.rollback();
                outcome->isNew.fill(false, events.size());
                outcome->alerts.clear();
                return false;
            }
        } else {
            QSqlQuery &insertAlert = *insertAlertQuery;
            insertAlert.bindValue(0, d.ruleId > 0 ? QVariant(d.ruleId) : nullId);
            insertAlert.bindValue(1, d.modelId > 0 ? QVariant(d.modelId) : nullId);
            insertAlert.bindValue(2, d.ruleName);
            insertAlert.bindValue(3, rowIds.at(d.eventIndex));
            insertAlert.bindValue(4, engine::toString(d.type));
            insertAlert.bindValue(5, engine::toString(d.severity));
            insertAlert.bindValue(6, d.message);
            insertAlert.bindValue(7, QString::fromUtf8(details));
            insertAlert.bindValue(8, e.sourceType);
            insertAlert.bindValue(9, e.sourceId);
            insertAlert.bindValue(10, receivedAtMs);
            insertAlert.bindValue(11, silenceId > 0 ? QVariant(silenceId) : nullId);
            if (!insertAlert.exec() || !insertAlert.next())
                return rollback(insertAlert, sql::InsertAlert);
            a.id = insertAlert.value(0).toLongLong();
            insertAlert.finish();
        }
        a.createdAtMs = receivedAtMs;
        a.severity = d.severity;
        a.type = d.type;
        a.ruleId = d.ruleId;
        a.ruleName = d.ruleName;
        a.message = d.message;
        a.sourceType = e.sourceType;
        a.sourceId = e.sourceId;
        a.eventRowId = rowIds.at(d.eventIndex);
        a.eventId = e.id;
        a.detailsJson = details;
        a.silenceId = silenceId;
        outcome->alerts.append(std::move(a));
        // The rule's channels wait in the outbox, with the alert; /alerts subscribers are
        // told by the broadcast, and a silenced alert is not notified at all.
        if (silenceId == 0) {
            for (const QString &channel : d.notificationChannels) {
                if (channel == QLatin1String("WEBSOCKET"))
                    continue;
                QSqlQuery &pending = prepared(sql::InsertPendingNotification);
                pending.bindValue(0, outcome->alerts.constLast().id);
                pending.bindValue(1, channel);
                pending.bindValue(2, receivedAtMs);
                if (!pending.exec())
                    return rollback(pending, sql::InsertPendingNotification);
            }
        }
    }
    if (!m_db.commit()) {
        *error = StoreText::tr("cannot commit %1 events: %2").arg(events.size()).arg(m_db.lastError().text());
        m_db.rollback();
        outcome->isNew.fill(false, events.size());
        outcome->alerts.clear();
        return false;
    }
    return true;
}

// InsertEventNative with `rows` rows: (?2, …, ?7, ?1), (?8, …, ?13, ?1), … As OR IGNORE rather
// than ON CONFLICT (event_id) DO NOTHING: the same for the rows ingest binds (event_id's UNIQUE
// is the only constraint they can meet: no value is ever NULL, the id is SQLite's, events has
// no CHECK or foreign key), but a NOT NULL check that could abort the statement after rows
// of it were stored makes SQLite keep a statement journal, a copy of every page the statement
// changes: 62M of the writer's 789M instructions for 30,000 events (docs/benchmarks.md).
static QByteArray insertEventsSql(int rows)
{
    QByteArray sql = "INSERT OR IGNORE INTO events (event_id, time, type, source_type, source_id, fields, received_at) VALUES ";
    for (int r = 0; r < rows; ++r) {
        const int p = 2 + 6 * r;
        sql += r == 0 ? "(" : ", (";
        for (int c = 0; c < 6; ++c)
            sql += '?' + QByteArray::number(p + c) + ", ";
        sql += "?1)";
    }
    return sql;
}

void Store::setEventInsertRows(int rows)
{
    rows = std::clamp(rows, 1, kMaxEventInsertRows);
    if (rows != m_eventInsertRows)
        m_nativeInsertEvents.reset();
    m_eventInsertRows = rows;
}

bool Store::prepareEventGroupInsert()
{
    if (m_nativeInsertEvents && m_nativeMaxEventId && m_nativeEventsAfter)
        return true;
    QString prepareError;
    m_nativeInsertEvents = SqliteStatement::prepare(m_db, insertEventsSql(m_eventInsertRows).constData(), &prepareError);
    if (m_nativeInsertEvents && !m_nativeMaxEventId)
        m_nativeMaxEventId = SqliteStatement::prepare(m_db, sql::SelectMaxEventId, &prepareError);
    if (m_nativeInsertEvents && m_nativeMaxEventId && !m_nativeEventsAfter)
        m_nativeEventsAfter = SqliteStatement::prepare(m_db, sql::SelectEventsAfter, &prepareError);
    if (m_nativeInsertEvents && m_nativeMaxEventId && m_nativeEventsAfter)
        return true;
    qWarning("Vigil: storing events one statement each: %s", qPrintable(prepareError));
    m_nativeInsertEvents.reset();
    m_eventInsertRows = 1;
    return false;
}

bool Store::checkpointInBackground(QString *error)
{
    if (m_url.kind != DatabaseUrl::Kind::SQLite || m_checkpointer)
        return true;
    m_checkpointer = WalCheckpointer::attach(m_db, m_url.path, error);
    return m_checkpointer != nullptr;
}

qint64 Store::userId(const Actor &actor, QString *error)
{
    const auto cached = m_userIds.constFind(actor.username);
    if (cached != m_userIds.cend())
        return *cached;
    QSqlQuery &select = prepared(sql::SelectUser);
    select.bindValue(0, actor.username);
    if (!select.exec())
        return fail(select, error, sql::SelectUser), 0;
    qint64 id = 0;
    if (select.next())
        id = select.value(0).toLongLong();
    select.finish();
    if (id == 0) {
        QSqlQuery &insert = prepared(sql::InsertUser);
        insert.bindValue(0, actor.username);
        insert.bindValue(1, actor.username);
        insert.bindValue(2, toString(actor.role));
        insert.bindValue(3, nowMs());
        if (!insert.exec() || !insert.next())
            return fail(insert, error, sql::InsertUser), 0;
        id = insert.value(0).toLongLong();
        insert.finish();
    }
    m_userIds.insert(actor.username, id);
    return id;
}

bool Store::audit(qint64 userId, const QString &action, const QString &entity, const QString &entityId,
                  const QJsonObject &details, QString *error)
{
    QSqlQuery &q = prepared(sql::InsertAudit);
    q.bindValue(0, userId);
    q.bindValue(1, action);
    q.bindValue(2, entity);
    q.bindValue(3, entityId);
    q.bindValue(4, json(details));
    q.bindValue(5, nowMs());
    if (!q.exec())
        return fail(q, error, sql::InsertAudit);
    return true;
}

bool Store::loadRules(QList<engine::Rule> *rules, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectRules);
    if (!q.exec())
        return fail(q, error, sql::SelectRules);
    QList<engine::Rule> out;
    while (q.next()) {
        const QJsonDocument conditions = QJsonDocument::fromJson(q.value(4).toString().toUtf8());
        const QJsonObject o{
            {QStringLiteral("name"), q.value(1).toString()},
            {QStringLiteral("alert_type"), q.value(2).toString()},
            {QStringLiteral("severity"), q.value(3).toString()},
            {QStringLiteral("conditions"), conditions.isArray() ? QJsonValue(conditions.array()) : QJsonValue(conditions.object())},
            {QStringLiteral("message"), q.value(5).toString()},
            {QStringLiteral("notification_channels"), QJsonDocument::fromJson(q.value(6).toString().toUtf8()).array()},
            {QStringLiteral("enabled"), q.value(7).toInt() != 0},
        };
        engine::Rule r;
        QString ruleError;
        if (!engine::Rule::fromJson(o, &r, &ruleError)) {
            // A stored rule that no longer validates is skipped, loudly: the rest still run.
            qWarning("Vigil: stored rule %lld is invalid and is not evaluated: %s", q.value(0).toLongLong(),
                     qPrintable(ruleError));
            continue;
        }
        r.id = q.value(0).toLongLong();
        r.createdBy = q.value(8).toString();
        r.createdAtMs = q.value(9).toLongLong();
        out.append(std::move(r));
    }
    q.finish();
    *rules = std::move(out);
    return true;
}

bool Store::importRules(const QList<engine::Rule> &rules, const Actor &actor, int *created, int *updated, QString *error)
{
    *created = *updated = 0;
    if (!mayAdminister(actor.role)) {
        *error = StoreText::tr("%1 may not change rules: that needs the admin role").arg(actor.username);
        return false;
    }
    if (!m_db.transaction()) {
        *error = StoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0) {
        m_db.rollback();
        return false;
    }
    const qint64 now = nowMs();
    for (const engine::Rule &r : rules) {
        const QString conditions = json(r.conditions.toJson());
        const QString channels = json(QJsonArray::fromStringList(r.notificationChannels));
        QSqlQuery &find = prepared(sql::SelectRuleByName);
        find.bindValue(0, r.name);
        if (!find.exec()) {
            fail(find, error, sql::SelectRuleByName);
            m_db.rollback();
            return false;
        }
        const qint64 existing = find.next() ? find.value(0).toLongLong() : 0;
        find.finish();
        qint64 id = existing;
        if (existing) {
            QSqlQuery &u = prepared(sql::UpdateRule);
            u.bindValue(0, engine::toString(r.alertType));
            u.bindValue(1, engine::toString(r.severity));
            u.bindValue(2, conditions);
            u.bindValue(3, r.message.text());
            u.bindValue(4, channels);
            u.bindValue(5, r.enabled ? 1 : 0);
            u.bindValue(6, now);
            u.bindValue(7, existing);
            if (!u.exec()) {
                fail(u, error, sql::UpdateRule);
                m_db.rollback();
                return false;
            }
            ++*updated;
        } else {
            QSqlQuery &i = prepared(sql::InsertRule);
            i.bindValue(0, r.name);
            i.bindValue(1, engine::toString(r.alertType));
            i.bindValue(2, engine::toString(r.severity));
            i.bindValue(3, conditions);
            i.bindValue(4, r.message.text());
            i.bindValue(5, channels);
            i.bindValue(6, r.enabled ? 1 : 0);
            i.bindValue(7, uid);
            i.bindValue(8, now);
            i.bindValue(9, now);
            if (!i.exec() || !i.next()) {
                fail(i, error, sql::InsertRule);
                m_db.rollback();
                return false;
            }
            id = i.value(0).toLongLong();
            i.finish();
            ++*created;
        }
        if (!audit(uid, existing ? QStringLiteral("rule.update") : QStringLiteral("rule.create"),
                   QStringLiteral("rule"), QString::number(id), r.toJson(), error)) {
            m_db.rollback();
            return false;
        }
    }
    if (!m_db.commit()) {
        *error = StoreText::tr("cannot commit the rules: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::setRuleEnabled(qint64 ruleId, bool enabled, const Actor &actor, QString *error)
{
    if (!mayAdminister(actor.role)) {
        *error = StoreText::tr("%1 may not change rules: that needs the admin role").arg(actor.username);
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0)
        return false;
    if (!m_db.transaction()) {
        *error = m_db.lastError().text();
        return false;
    }
    QSqlQuery &q = prepared(sql::UpdateRuleEnabled);
    q.bindValue(0, enabled ? 1 : 0);
    q.bindValue(1, nowMs());
    q.bindValue(2, ruleId);
    if (!q.exec()) {
        fail(q, error, sql::UpdateRuleEnabled);
        m_db.rollback();
        return false;
    }
    if (q.numRowsAffected() != 1) {
        m_db.rollback();
        *error = StoreText::tr("rule %1 does not exist (was it deleted?)").arg(ruleId);
        return false;
    }
    if (!audit(uid, enabled ? QStringLiteral("rule.enable") : QStringLiteral("rule.disable"), QStringLiteral("rule"),
               QString::number(ruleId), {}, error)) {
        m_db.rollback();
        return false;
    }
    return m_db.commit();
}

QString Store::rulesSignature()
{
    QSqlQuery &q = prepared(sql::SelectRulesSignature);
    QString signature;
    if (q.exec() && q.next())
        signature = QStringLiteral("%1:%2:%3").arg(q.value(0).toLongLong()).arg(q.value(1).toLongLong()).arg(q.value(2).toLongLong());
    q.finish();
    return signature;
}

AlertRecord Store::alertFromQuery(const QSqlQuery &q)
{
    AlertRecord a;
    a.id = q.value(0).toLongLong();
    a.createdAtMs = q.value(1).toLongLong();
    a.severity = engine::severityFromString(q.value(2).toString()).value_or(engine::Severity::Medium);
    a.type = engine::eventTypeFromString(q.value(3).toString()).value_or(engine::EventType::System);
    a.status = engine::alertStatusFromString(q.value(4).toString()).value_or(engine::AlertStatus::New);
    a.ruleId = q.value(5).toLongLong();
    a.ruleName = q.value(6).toString();
    a.message = q.value(7).toString();
    a.sourceType = q.value(8).toString();
    a.sourceId = q.value(9).toString();
    a.eventRowId = q.value(10).toLongLong();
    a.eventId = q.value(11).toString();
    a.acknowledgedBy = q.value(12).toString();
    a.acknowledgedAtMs = q.value(13).toLongLong();
    a.resolvedBy = q.value(14).toString();
    a.resolvedAtMs = q.value(15).toLongLong();
    a.resolutionNotes = q.value(16).toString();
    a.detailsJson = q.value(17).toString().toUtf8();
    a.silenceId = q.value(18).toLongLong();
    return a;
}

bool Store::recentAlerts(int limit, QList<AlertRecord> *alerts, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectRecentAlerts);
    q.bindValue(0, limit);
    if (!q.exec())
        return fail(q, error, sql::SelectRecentAlerts);
    QList<AlertRecord> out;
    while (q.next())
        out.append(alertFromQuery(q));
    q.finish();
    *alerts = std::move(out);
    return true;
}

bool Store::alert(qint64 alertId, AlertRecord *alert, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectAlert);
    q.bindValue(0, alertId);
    if (!q.exec())
        return fail(q, error, sql::SelectAlert);
    if (!q.next()) {
        *error = StoreText::tr("alert %1 does not exist").arg(alertId);
        return false;
    }
    *alert = alertFromQuery(q);
    q.finish();
    return true;
}

ActionResult Store::applyAlertAction(qint64 alertId, AlertAction action, const Actor &actor, const QString &givenNote)
{
    // A null QString binds as SQL NULL, which the NOT NULL note columns refuse: no note is ''.
    const QString note = givenNote.isNull() ? QStringLiteral("") : givenNote;
    ActionResult result;
    if (!mayTriage(actor.role)) {
        result.outcome = ActionResult::Outcome::Forbidden;
        result.message = StoreText::tr("%1 may not change alerts: that needs the analyst or admin role").arg(actor.username);
        return result;
    }
    QString error;
    const qint64 uid = userId(actor, &error);
    if (uid == 0) {
        result.message = error;
        return result;
    }
    if (!m_db.transaction()) {
        result.message = StoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return result;
    }
    AlertRecord before;
    if (!alert(alertId, &before, &error)) {
        m_db.rollback();
        result.outcome = ActionResult::Outcome::NotFound;
        result.message = error;
        return result;
    }
    const qint64 now = nowMs();
    QSqlQuery *update = nullptr;
    const char *statement = nullptr;
    switch (action) {
    case AlertAction::Acknowledge:
        statement = sql::AcknowledgeAlert;
        update = &prepared(statement);
        update->bindValue(0, uid);
        update->bindValue(1, now);
        update->bindValue(2, alertId);
        break;
    case AlertAction::Resolve:
    case AlertAction::MarkFalsePositive:
        statement = sql::CloseAlert;
        update = &prepared(statement);
        update->bindValue(0, action == AlertAction::Resolve ? QStringLiteral("RESOLVED") : QStringLiteral("FALSE_POSITIVE"));
        update->bindValue(1, uid);
        update->bindValue(2, now);
        update->bindValue(3, note);
        update->bindValue(4, uid);
        update->bindValue(5, now);
        update->bindValue(6, alertId);
        break;
    case AlertAction::Reopen:
        statement = sql::ReopenAlert;
        update = &prepared(statement);
        update->bindValue(0, alertId);
        break;
    }
    if (!update->exec()) {
        fail(*update, &result.message, statement);
        m_db.rollback();
        return result;
    }
    const bool changed = update->numRowsAffected() == 1;
    if (!changed) {
        // Someone else got there first, or the action does not apply to this state.
        m_db.rollback();
        result.alert = before;
        result.outcome = ActionResult::Outcome::Conflict;
        switch (before.status) {
        case engine::AlertStatus::Acknowledged:
            result.message = StoreText::tr("Alert %1 is already acknowledged by %2.").arg(alertId).arg(before.acknowledgedBy);
            break;
        case engine::AlertStatus::Resolved:
            result.message = StoreText::tr("Alert %1 is already resolved by %2.").arg(alertId).arg(before.resolvedBy);
            break;
        case engine::AlertStatus::FalsePositive:
            result.message = StoreText::tr("Alert %1 is already marked false positive by %2.").arg(alertId).arg(before.resolvedBy);
            break;
        case engine::AlertStatus::New:
            result.message = StoreText::tr("Alert %1 is already open.").arg(alertId);
            break;
        }
        // The failed attempt is a response too: success = false.
        QSqlQuery &r = prepared(sql::InsertResponse);
        r.bindValue(0, alertId);
        r.bindValue(1, uid);
        r.bindValue(2, toString(action));
        r.bindValue(3, note);
        r.bindValue(4, now);
        r.bindValue(5, 0);
        r.bindValue(6, now - before.createdAtMs);
        r.exec();
        return result;
    }
    QSqlQuery &r = prepared(sql::InsertResponse);
    r.bindValue(0, alertId);
    r.bindValue(1, uid);
    r.bindValue(2, toString(action));
    r.bindValue(3, note);
    r.bindValue(4, now);
    r.bindValue(5, 1);
    r.bindValue(6, now - before.createdAtMs);
    if (!r.exec()) {
        fail(r, &result.message, sql::InsertResponse);
        m_db.rollback();
        return result;
    }
    if (!audit(uid, QStringLiteral("alert.%1").arg(toString(action).toLower()), QStringLiteral("alert"),
               QString::number(alertId),
               QJsonObject{{QStringLiteral("from"), engine::toString(before.status)}, {QStringLiteral("note"), note}},
               &result.message)) {
        m_db.rollback();
        return result;
    }
    if (!alert(alertId, &result.alert, &result.message)) {
        m_db.rollback();
        return result;
    }
    if (!m_db.commit()) {
        result.message = StoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return result;
    }
    result.outcome = ActionResult::Outcome::Done;
    return result;
}

bool Store::eventJson(qint64 eventRowId, QJsonObject *event, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectEvent);
    q.bindValue(0, eventRowId);
    if (!q.exec())
        return fail(q, error, sql::SelectEvent);
    if (!q.next()) {
        *error = StoreText::tr("event %1 is not in the database").arg(eventRowId);
        return false;
    }
    *event = QJsonObject{{QStringLiteral("id"), q.value(0).toString()},
                         {QStringLiteral("time"), engine::formatTime(q.value(1).toLongLong())},
                         {QStringLiteral("type"), q.value(2).toString()},
                         {QStringLiteral("source_type"), q.value(3).toString()},
                         {QStringLiteral("source_id"), q.value(4).toString()},
                         {QStringLiteral("fields"), QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object()}};
    q.finish();
    return true;
}

bool Store::counts(StoreCounts *counts, QString *error)
{
    const auto one = [&](const char *statement, qint64 *out) {
        QSqlQuery &q = prepared(statement);
        if (!q.exec() || !q.next())
            return fail(q, error, statement);
        *out = q.value(0).toLongLong();
        q.finish();
        return true;
    };
    return one(sql::CountEvents, &counts->events) && one(sql::CountAlerts, &counts->alerts)
        && one(sql::CountOpenAlerts, &counts->openAlerts) && one(sql::CountRules, &counts->rules);
}

QString Store::setting(const QString &key, const QString &fallback)
{
    QSqlQuery &q = prepared(sql::SelectSetting);
    q.bindValue(0, key);
    QString value = fallback;
    if (q.exec() && q.next())
        value = q.value(0).toString();
    q.finish();
    return value;
}

bool Store::setSetting(const QString &key, const QString &value, QString *error)
{
    QSqlQuery &q = prepared(sql::UpsertSetting);
    q.bindValue(0, key);
    q.bindValue(1, value);
    if (!q.exec())
        return fail(q, error, sql::UpsertSetting);
    return true;
}

} // namespace vigil::models
