#include "schema.h"

namespace vigil::models::schema {

const QList<Migration> &migrations()
{
    // Times are UTC milliseconds since the epoch ({BIGINT}): compact, sortable and the same
    // on both databases. JSON columns are TEXT. A statement starting with {SQLITE} is for
    // SQLite only (PostgreSQL skips it).
    static const QList<Migration> list = {
        {1, "initial schema",
         {
             QStringLiteral("CREATE TABLE users ("
                            " id {ID},"
                            " username TEXT NOT NULL UNIQUE,"
                            " display_name TEXT NOT NULL DEFAULT '',"
                            " role TEXT NOT NULL CHECK (role IN ('analyst', 'manager', 'admin', 'system')),"
                            " password_hash TEXT NOT NULL DEFAULT '',"
                            " active INTEGER NOT NULL DEFAULT 1,"
                            " created_at {BIGINT} NOT NULL)"),
             QStringLiteral("INSERT INTO users (username, display_name, role, created_at)"
                            " VALUES ('system', 'Vigil', 'system', 0)"),
             QStringLiteral("CREATE TABLE rules ("
                            " id {ID},"
                            " name TEXT NOT NULL UNIQUE,"
                            " alert_type TEXT NOT NULL,"
                            " severity TEXT NOT NULL,"
                            " conditions TEXT NOT NULL,"
                            " message_template TEXT NOT NULL,"
                            " notification_channels TEXT NOT NULL DEFAULT '[]',"
                            " enabled INTEGER NOT NULL DEFAULT 1,"
                            " created_by {BIGINT} NOT NULL REFERENCES users (id),"
                            " created_at {BIGINT} NOT NULL,"
                            " updated_at {BIGINT} NOT NULL)"),
             QStringLiteral("CREATE TABLE events ("
                            " id {ID},"
                            " event_id TEXT NOT NULL UNIQUE,"
                            " time {BIGINT} NOT NULL,"
                            " type TEXT NOT NULL,"
                            " source_type TEXT NOT NULL,"
                            " source_id TEXT NOT NULL,"
                            " fields TEXT NOT NULL,"
                            " received_at {BIGINT} NOT NULL)"),
             QStringLiteral("CREATE INDEX events_type_time ON events (type, time)"),
             QStringLiteral("CREATE TABLE anomaly_models ("
                            " id {ID},"
                            " name TEXT NOT NULL,"
                            " model_type TEXT NOT NULL CHECK (model_type IN ('ISOLATION_FOREST', 'LOCAL_OUTLIER', 'AUTOENCODER', 'STATISTICAL')),"
                            " event_type TEXT NOT NULL,"
                            " parameters TEXT NOT NULL DEFAULT '{}',"
                            " feature_config TEXT NOT NULL DEFAULT '{}',"
                            " performance_metrics TEXT NOT NULL DEFAULT '{}',"
                            " model_data {BLOB},"
                            " last_trained {BIGINT},"
                            " is_active INTEGER NOT NULL DEFAULT 1,"
                            " version INTEGER NOT NULL DEFAULT 1,"
                            " created_at {BIGINT} NOT NULL,"
                            " UNIQUE (name, version))"),
             QStringLiteral("CREATE TABLE alerts ("
                            " id {ID},"
                            " rule_id {BIGINT} REFERENCES rules (id) ON DELETE SET NULL,"
                            " model_id {BIGINT} REFERENCES anomaly_models (id) ON DELETE SET NULL,"
                            " rule_name TEXT NOT NULL,"
                            " event_id {BIGINT} REFERENCES events (id),"
                            " type TEXT NOT NULL,"
                            " severity TEXT NOT NULL,"
                            " message TEXT NOT NULL,"
                            " details TEXT NOT NULL DEFAULT '{}',"
                            " source_type TEXT NOT NULL,"
                            " source_id TEXT NOT NULL,"
                            " status TEXT NOT NULL DEFAULT 'NEW' CHECK (status IN ('NEW', 'ACKNOWLEDGED', 'RESOLVED', 'FALSE_POSITIVE')),"
                            " created_at {BIGINT} NOT NULL,"
                            " acknowledged_by {BIGINT} REFERENCES users (id) ON DELETE SET NULL,"
                            " acknowledged_at {BIGINT},"
                            " resolved_by {BIGINT} REFERENCES users (id) ON DELETE SET NULL,"
                            " resolved_at {BIGINT},"
                            " resolution_notes TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE INDEX alerts_created ON alerts (created_at)"),
             QStringLiteral("CREATE INDEX alerts_status_created ON alerts (status, created_at)"),
             QStringLiteral("CREATE INDEX alerts_rule ON alerts (rule_id)"),
             QStringLiteral("CREATE INDEX alerts_source ON alerts (source_id)"),
             QStringLiteral("CREATE INDEX alerts_event ON alerts (event_id)"),
             QStringLiteral("CREATE TABLE alert_responses ("
                            " id {ID},"
                            " alert_id {BIGINT} NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,"
                            " user_id {BIGINT} NOT NULL REFERENCES users (id),"
                            " action_taken TEXT NOT NULL,"
                            " notes TEXT NOT NULL DEFAULT '',"
                            " timestamp {BIGINT} NOT NULL,"
                            " success INTEGER NOT NULL,"
                            " response_time_ms {BIGINT} NOT NULL)"),
             QStringLiteral("CREATE INDEX alert_responses_alert ON alert_responses (alert_id)"),
             QStringLiteral("CREATE TABLE anomaly_detections ("
                            " id {ID},"
                            " model_id {BIGINT} NOT NULL REFERENCES anomaly_models (id),"
                            " event_id {BIGINT} REFERENCES events (id),"
                            " source_type TEXT NOT NULL,"
                            " source_id TEXT NOT NULL,"
                            " features TEXT NOT NULL,"
                            " anomaly_score {REAL} NOT NULL,"
                            " is_anomaly INTEGER NOT NULL,"
                            " details TEXT NOT NULL DEFAULT '{}',"
                            " created_at {BIGINT} NOT NULL)"),
             QStringLiteral("CREATE INDEX anomaly_detections_model_created ON anomaly_detections (model_id, created_at)"),
             QStringLiteral("CREATE INDEX anomaly_detections_source ON anomaly_detections (source_id, created_at)"),
             QStringLiteral("CREATE TABLE audit_log ("
                            " id {ID},"
                            " user_id {BIGINT} REFERENCES users (id),"
                            " action TEXT NOT NULL,"
                            " entity TEXT NOT NULL,"
                            " entity_id TEXT NOT NULL DEFAULT '',"
                            " details TEXT NOT NULL DEFAULT '{}',"
                            " created_at {BIGINT} NOT NULL)"),
             QStringLiteral("CREATE INDEX audit_log_created ON audit_log (created_at)"),
             QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
         }},
        {2, "analyst console: assignment, comments, indexes for sorting and filtering",
         {
             QStringLiteral("ALTER TABLE alerts ADD COLUMN assigned_to {BIGINT} REFERENCES users (id) ON DELETE SET NULL"),
             QStringLiteral("CREATE TABLE alert_comments ("
                            " id {ID},"
                            " alert_id {BIGINT} NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,"
                            " user_id {BIGINT} NOT NULL REFERENCES users (id),"
                            " body TEXT NOT NULL,"
                            " created_at {BIGINT} NOT NULL)"),
             QStringLiteral("CREATE INDEX alert_comments_alert ON alert_comments (alert_id, created_at)"),
             // One index per sortable column, each followed by created_at (and the row id,
             // implicitly) so "ORDER BY column, created_at, id" walks an index, and a filter on
             // the column with the default newest-first order does too.
             QStringLiteral("CREATE INDEX alerts_severity_rank_created ON alerts ("
                            "(CASE severity WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END),"
                            " created_at)"),
             QStringLiteral("CREATE INDEX alerts_type_created ON alerts (type, created_at)"),
             QStringLiteral("CREATE INDEX alerts_rule_name_created ON alerts (rule_name, created_at)"),
             QStringLiteral("CREATE INDEX alerts_source_created ON alerts (source_id, created_at)"),
             QStringLiteral("CREATE INDEX alerts_assigned_created ON alerts (assigned_to, created_at)"),
         }},
        {3, "silences: alerts matched at ingest are stored but hidden and not broadcast",
         {
             // Empty criteria mean "any"; field_value is the JSON scalar compared with eq.
             // Ending a silence early moves expires_at and records who did it.
             QStringLiteral("CREATE TABLE silences ("
                            " id {ID},"
                            " rule_name TEXT NOT NULL DEFAULT '',"
                            " source_id TEXT NOT NULL DEFAULT '',"
                            " field_path TEXT NOT NULL DEFAULT '',"
                            " field_value TEXT NOT NULL DEFAULT '',"
                            " comment TEXT NOT NULL,"
                            " created_by {BIGINT} NOT NULL REFERENCES users (id),"
                            " created_at {BIGINT} NOT NULL,"
                            " expires_at {BIGINT} NOT NULL,"
                            " expired_by {BIGINT} REFERENCES users (id),"
                            " updated_at {BIGINT} NOT NULL)"),
             QStringLiteral("CREATE INDEX silences_expires ON silences (expires_at)"),
             // NULL for the (many) alerts no silence matched; the index serves the matched
             // counts and the console's "is anything silenced at all" check.
             QStringLiteral("ALTER TABLE alerts ADD COLUMN silence_id {BIGINT} REFERENCES silences (id)"),
             QStringLiteral("CREATE INDEX alerts_silence ON alerts (silence_id)"),
         }},
        {4, "analyst console: free-text index over alerts, sorting by message",
         {
             QStringLiteral("CREATE INDEX alerts_message_created ON alerts (message, created_at)"),
             // Free text is a case-insensitive substring search over the alert's message, rule,
             // source and its event's fields. A trigram index answers it without reading the
             // rows: what it indexes comes from this view (external content, so nothing is
             // stored twice), and the triggers keep it in step with the alerts (the events
             // table, written much more often, has none: an event's fields are indexed when
             // an alert about it is stored). On PostgreSQL the search stays an ILIKE; pg_trgm
             // is its counterpart of this index.
             QStringLiteral("{SQLITE}CREATE VIEW alert_text_source AS"
                            " SELECT a.id AS id, a.message AS message, a.rule_name AS rule_name, a.source_id AS source_id,"
                            " COALESCE(e.fields, '') AS fields FROM alerts a LEFT JOIN events e ON e.id = a.event_id"),
             QStringLiteral("{SQLITE}CREATE VIRTUAL TABLE alert_text USING fts5(message, rule_name, source_id, fields,"
                            " content = 'alert_text_source', content_rowid = 'id', tokenize = 'trigram')"),
             QStringLiteral("{SQLITE}CREATE TRIGGER alert_text_insert AFTER INSERT ON alerts BEGIN"
                            " INSERT INTO alert_text (rowid, message, rule_name, source_id, fields) VALUES (new.id,"
                            " new.message, new.rule_name, new.source_id,"
                            " COALESCE((SELECT fields FROM events WHERE id = new.event_id), ''));"
                            " END"),
             QStringLiteral("{SQLITE}CREATE TRIGGER alert_text_delete AFTER DELETE ON alerts BEGIN"
                            " INSERT INTO alert_text (alert_text, rowid, message, rule_name, source_id, fields) VALUES ('delete',"
                            " old.id, old.message, old.rule_name, old.source_id,"
                            " COALESCE((SELECT fields FROM events WHERE id = old.event_id), ''));"
                            " END"),
             QStringLiteral("{SQLITE}CREATE TRIGGER alert_text_update AFTER UPDATE OF message, rule_name, source_id, event_id"
                            " ON alerts BEGIN"
                            " INSERT INTO alert_text (alert_text, rowid, message, rule_name, source_id, fields) VALUES ('delete',"
                            " old.id, old.message, old.rule_name, old.source_id,"
                            " COALESCE((SELECT fields FROM events WHERE id = old.event_id), ''));"
                            " INSERT INTO alert_text (rowid, message, rule_name, source_id, fields) VALUES (new.id,"
                            " new.message, new.rule_name, new.source_id,"
                            " COALESCE((SELECT fields FROM events WHERE id = new.event_id), ''));"
                            " END"),
             // The alerts already stored. Never merge the whole index at once (it would when a
             // level reaches 16 segments: minutes for a million alerts); small merges suffice.
             QStringLiteral("{SQLITE}INSERT INTO alert_text (alert_text, rank) VALUES ('crisismerge', 10000)"),
             QStringLiteral("{SQLITE}INSERT INTO alert_text (alert_text) VALUES ('rebuild')"),
             // Row counts per index for the query planner (SQLite has none until ANALYZE):
             // without them it may walk a big index for a filter a smaller one answers.
             QStringLiteral("{SQLITE}ANALYZE"),
         }},
        {5, "analyst console: grouping repeats of a rule and source",
         {
             // The grouped view folds every matching alert by rule, source and time bucket;
             // this index holds all it reads (43 s → 14 s for a million alerts, measured with
             // the sqlite3 shell), and the rule's alerts in source order.
             QStringLiteral("CREATE INDEX alerts_rule_source_created ON alerts (rule_name, source_id, created_at, severity)"),
         }},
        {6, "free text indexed after the ingest commit, not inside it",
         {
             // Indexing each commit's few alerts made a small index segment per commit, and the
             // index spent the writer's time merging them. The writer now indexes the alerts
             // stored since a watermark every couple of seconds (Store::indexAlertText); searches
             // look at the newer ones with LIKE. Changes to indexed alerts only need the index
             // updated for alerts it already holds.
             QStringLiteral("{SQLITE}DROP TRIGGER IF EXISTS alert_text_insert"),
             QStringLiteral("{SQLITE}INSERT INTO settings (key, value) SELECT 'alert_text.through',"
                            " CAST(COALESCE(MAX(id), 0) AS TEXT) FROM alerts WHERE true"
                            " ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
             QStringLiteral("{SQLITE}DROP TRIGGER IF EXISTS alert_text_delete"),
             QStringLiteral("{SQLITE}DROP TRIGGER IF EXISTS alert_text_update"),
             QStringLiteral("{SQLITE}CREATE TRIGGER alert_text_delete AFTER DELETE ON alerts"
                            " WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'alert_text.through')"
                            " BEGIN"
                            " INSERT INTO alert_text (alert_text, rowid, message, rule_name, source_id, fields) VALUES ('delete',"
                            " old.id, old.message, old.rule_name, old.source_id,"
                            " COALESCE((SELECT fields FROM events WHERE id = old.event_id), ''));"
                            " END"),
             QStringLiteral("{SQLITE}CREATE TRIGGER alert_text_update AFTER UPDATE OF message, rule_name, source_id, event_id"
                            " ON alerts"
                            " WHEN old.id <= (SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'alert_text.through')"
                            " BEGIN"
                            " INSERT INTO alert_text (alert_text, rowid, message, rule_name, source_id, fields) VALUES ('delete',"
                            " old.id, old.message, old.rule_name, old.source_id,"
                            " COALESCE((SELECT fields FROM events WHERE id = old.event_id), ''));"
                            " INSERT INTO alert_text (rowid, message, rule_name, source_id, fields) VALUES (new.id,"
                            " new.message, new.rule_name, new.source_id,"
                            " COALESCE((SELECT fields FROM events WHERE id = new.event_id), ''));"
                            " END"),
         }},
        {7, "analyst console: an index of the open alerts for combined filters",
         {
             // Analysts filter the open alerts (NEW and ACKNOWLEDGED, a few percent of all)
             // by severity, type, rule, source, assignee. SQLite's statistics cannot tell a rare
             // status from a common one, and the status index alone made every open alert's row
             // be read to check the other columns (CRITICAL + NEW + SECURITY: 30,000 rows for
             // none). This index holds those columns for the open alerts only, in time order
             // within a status: the rows are checked, counted and paged on the index alone.
             // Queries name the open statuses literally (store_console.cpp) so the planner
             // knows the index applies.
             QStringLiteral("CREATE INDEX alerts_open_created ON alerts (status, created_at, severity, type, rule_name, source_id,"
                            " assigned_to, silence_id) WHERE status IN ('NEW', 'ACKNOWLEDGED')"),
             QStringLiteral("{SQLITE}ANALYZE alerts_open_created"),
         }},
        {8, "notifications: what was sent for an alert, and the outbox of what is still to send",
         {
             // One row per notification of an alert on one channel. Rows the senders have yet
             // to deliver (EMAIL, SLACK, ... named by the rule) are written PENDING with the
             // alert, in its transaction; a sender takes them oldest first (the partial index
             // holds only those), counts its attempts and keeps the last error, and marks them
             // SENT or, past its retries, FAILED. What Vigil delivered itself (the /alerts
             // broadcast, the console's desktop notification) is written SENT. `target` says
             // to whom ("3 subscribers", a user name, an address).
             QStringLiteral("CREATE TABLE notifications ("
                            " id {ID},"
                            " alert_id {BIGINT} NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,"
                            " channel TEXT NOT NULL,"
                            " status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'FAILED')),"
                            " target TEXT NOT NULL DEFAULT '',"
                            " attempts INTEGER NOT NULL DEFAULT 0,"
                            " last_error TEXT NOT NULL DEFAULT '',"
                            " created_at {BIGINT} NOT NULL,"
                            " sent_at {BIGINT})"),
             QStringLiteral("CREATE INDEX notifications_alert ON notifications (alert_id)"),
             QStringLiteral("CREATE INDEX notifications_pending ON notifications (created_at) WHERE status = 'PENDING'"),
         }},
        {9, "analyst console: the assignee index holds silence_id",
         {
             // "Unassigned" (or one assignee) with silenced alerts hidden read every matching
             // row for silence_id: 25,000 rows of a million for the unassigned ones. With the
             // column between the assignee and the time, such filters, their counts and the
             // sort by assignee are answered on the index alone; the sort by assignee orders by
             // (assignee, silence, time), the same order as before when silenced alerts are
             // hidden. It serves every query the old (assigned_to, created_at) did, so that one
             // goes: the alert insert still updates as many indexes.
             QStringLiteral("CREATE INDEX alerts_assigned_silence_created ON alerts (assigned_to, silence_id, created_at)"),
             QStringLiteral("DROP INDEX IF EXISTS alerts_assigned_created"),
             // A bulk load cut short (Store::beginBulkLoad) would build the old one again from
             // the definitions it saved.
             QStringLiteral("{SQLITE}UPDATE settings SET value = json_remove(value, '$.indexes.alerts_assigned_created')"
                            " WHERE key = 'bulk_load.pending' AND json_valid(value)"),
             QStringLiteral("{SQLITE}ANALYZE alerts_assigned_silence_created"),
         }},
        {10, "free text indexed in a file of its own, by a thread of its own",
         {
             // Past a million events the trigram index's merges took over a third of the ingest
             // writer's time while they held the database's one write lock. The index now lives
             // in a second SQLite file beside the database (Store::textIndexPath(), attached as
             // "search" to every connection), written by a thread of its own: its merges never
             // hold the events' lock. It is derived data: built again from the alerts when the
             // file is missing, belongs to another database, or is ahead of this one.
             QStringLiteral("{SQLITE}DROP TRIGGER IF EXISTS alert_text_delete"),
             QStringLiteral("{SQLITE}DROP TRIGGER IF EXISTS alert_text_update"),
             QStringLiteral("{SQLITE}DROP TABLE IF EXISTS alert_text"),
             QStringLiteral("{SQLITE}DELETE FROM settings WHERE key = 'alert_text.through'"),
             // Which database the index file belongs to.
             QStringLiteral("{SQLITE}INSERT INTO settings (key, value) VALUES ('alert_text.database', lower(hex(randomblob(16))))"
                            " ON CONFLICT (key) DO NOTHING"),
             // Alerts changed or deleted after they were indexed: the indexer takes these rows
             // in order, indexes those alerts again (or drops them) and deletes the rows.
             // Triage does not touch these columns; nothing in Vigil changes them today.
             QStringLiteral("{SQLITE}CREATE TABLE alert_text_changes (seq INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL)"),
             QStringLiteral("{SQLITE}CREATE TRIGGER alert_text_changed_delete AFTER DELETE ON alerts BEGIN"
                            " INSERT INTO alert_text_changes (alert_id) VALUES (old.id); END"),
             QStringLiteral("{SQLITE}CREATE TRIGGER alert_text_changed_update AFTER UPDATE OF id, message, rule_name, source_id,"
                            " event_id ON alerts BEGIN"
                            " INSERT INTO alert_text_changes (alert_id) VALUES (old.id);"
                            " INSERT INTO alert_text_changes (alert_id) SELECT new.id WHERE new.id <> old.id; END"),
         }},
        {11, "alerts_source goes: alerts_source_created answers whatever it did",
         {
             // Every alert the ingest stores updates each index on alerts, and this one at a
             // random place. (source_id) is the first column of alerts_source_created.
             QStringLiteral("DROP INDEX IF EXISTS alerts_source"),
             // A bulk load cut short (Store::beginBulkLoad) would build it again.
             QStringLiteral("{SQLITE}UPDATE settings SET value = json_remove(value, '$.indexes.alerts_source')"
                            " WHERE key = 'bulk_load.pending' AND json_valid(value)"),
         }},
    };
    return list;
}

int latestVersion() { return migrations().constLast().version; }

QString translate(const QString &statement, Dialect dialect)
{
    QString s = statement;
    const QLatin1String sqliteOnly("{SQLITE}");
    if (s.startsWith(sqliteOnly)) {
        if (dialect != Dialect::SQLite)
            return QString();
        s.remove(0, sqliteOnly.size());
    }
    if (dialect == Dialect::SQLite) {
        s.replace(QStringLiteral("{ID}"), QStringLiteral("INTEGER PRIMARY KEY"));
        s.replace(QStringLiteral("{BIGINT}"), QStringLiteral("INTEGER"));
        s.replace(QStringLiteral("{REAL}"), QStringLiteral("REAL"));
        s.replace(QStringLiteral("{BLOB}"), QStringLiteral("BLOB"));
    } else {
        s.replace(QStringLiteral("{ID}"), QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"));
        s.replace(QStringLiteral("{BIGINT}"), QStringLiteral("BIGINT"));
        s.replace(QStringLiteral("{REAL}"), QStringLiteral("DOUBLE PRECISION"));
        s.replace(QStringLiteral("{BLOB}"), QStringLiteral("BYTEA"));
    }
    return s;
}

} // namespace vigil::models::schema
