// The store's side of the analyst console and of `vigil generate`: paging, sorting and
// filtering over all alerts, bulk triage, assignment, comments, history, bulk history writes.
//
// The page and count statements are composed from the fixed fragments below (never from user
// text: every value is a bound parameter) and then prepared; the ORDER BY of each sort key
// matches an index of schema migrations 2, 4 and 9, so sorting a million alerts walks an index.

#include "store.h"

#include "sqlite_statement.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QSqlError>
#include <algorithm>
#include <functional>
#include <optional>
#include <limits>

namespace vigil::models {

namespace {

class ConsoleStoreText
{
    Q_DECLARE_TR_FUNCTIONS(Store)
};

namespace sql {
constexpr const char *AlertRowSelect =
    "SELECT a.id, a.created_at, COALESCE(a.event_id, 0), a.rule_name, a.message, a.source_type, a.source_id,"
    " COALESCE(ua.username, ''), COALESCE(us.username, ''), a.severity, a.type, a.status, COALESCE(a.silence_id, 0)"
    " FROM alerts a LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users us ON us.id = a.assigned_to";
constexpr const char *AlertCountSelect = "SELECT COUNT(*) FROM alerts a";
constexpr const char *AlertIdSelect = "SELECT a.id FROM alerts a";
constexpr const char *WhereAll = " WHERE 1 = 1";
// The unary + keeps the planner from trading the sort index for a row-id range scan.
constexpr const char *WhereMaxId = " AND +a.id <= ?";
// A severity's rank, written as alerts_severity_rank_created indexes it (migration 2) so that
// the planner can use that index; every statement here spells it this one way.
#define VIGIL_SEVERITY_RANK "(CASE a.severity WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END)"
constexpr const char *SeverityRank = VIGIL_SEVERITY_RANK;
constexpr const char *WhereSeverityIn = " AND " VIGIL_SEVERITY_RANK " IN (";
constexpr const char *WhereStatusIn = " AND a.status IN (";
constexpr const char *WhereOpen = " AND a.status IN ('NEW', 'ACKNOWLEDGED')";
constexpr const char *WhereTypeIn = " AND a.type IN (";
constexpr const char *WhereRuleIn = " AND a.rule_name IN (";
constexpr const char *WhereSource = " AND a.source_id = ?";
constexpr const char *WhereAssignee = " AND a.assigned_to = (SELECT id FROM users WHERE username = ?)";
constexpr const char *WhereUnassigned = " AND a.assigned_to IS NULL";
constexpr const char *WhereFrom = " AND a.created_at >= ?";
constexpr const char *WhereTo = " AND a.created_at < ?";
// Free text: the trigram index (schema migrations 4 and 10, SQLite) finds the alerts whose message,
// rule, source or event fields contain the text, ignoring case; a text shorter than a trigram
// is scanned with the same meaning: vigil_contains() folds case as the index's tokenizer does
// (every Unicode letter, see text_fold.h), so "MÜLLER" finds "Müller" on both paths.
// PostgreSQL scans with ILIKE.
// A TextIndexer adds new alerts in the background (Store::indexAlertText), so the index holds
// the alerts up to a watermark; the few newer ones are scanned. Values: the phrase, then the
// text four times.
#define VIGIL_TEXT_THROUGH "(SELECT COALESCE(MAX(through), 0) FROM search.alert_text_state)"
#define VIGIL_TEXT_CONTAINS                                                                                \
    "(vigil_contains(a.message, ?) OR vigil_contains(a.rule_name, ?) OR vigil_contains(a.source_id, ?)"  \
    " OR EXISTS (SELECT 1 FROM events e WHERE e.id = a.event_id AND vigil_contains(e.fields, ?)))"
// Alerts changed or deleted since they were indexed (alert_text_changes, nearly always empty)
// are scanned as they are now until the indexer has been by, not looked up in the index.
#define VIGIL_TEXT_CHANGED "(SELECT alert_id FROM alert_text_changes)"
constexpr const char *WhereTextIndexed =
    " AND (a.id IN (SELECT rowid FROM search.alert_text WHERE alert_text MATCH ? AND rowid NOT IN " VIGIL_TEXT_CHANGED ")"
    " OR (a.id > " VIGIL_TEXT_THROUGH " OR a.id IN " VIGIL_TEXT_CHANGED ") AND " VIGIL_TEXT_CONTAINS ")";
constexpr const char *CountTextMatches =
    "SELECT (SELECT COUNT(*) FROM search.alert_text WHERE alert_text MATCH ? AND rowid <= ?"
    " AND rowid NOT IN " VIGIL_TEXT_CHANGED ")"
    " + (SELECT COUNT(*) FROM alerts a WHERE (a.id > " VIGIL_TEXT_THROUGH " OR a.id IN " VIGIL_TEXT_CHANGED ")"
    " AND a.id <= ? AND " VIGIL_TEXT_CONTAINS ")";
constexpr const char *WhereTextContains = " AND " VIGIL_TEXT_CONTAINS;
#undef VIGIL_TEXT_CONTAINS
#undef VIGIL_TEXT_THROUGH
#undef VIGIL_TEXT_CHANGED
constexpr const char *ProbeHead = "SELECT COUNT(*) FROM (SELECT 1 FROM alerts a WHERE 1 = 1";
constexpr const char *ProbeText = "SELECT COUNT(*) FROM (SELECT 1 FROM search.alert_text WHERE alert_text MATCH ?";
constexpr const char *ProbeTail = " LIMIT ?)";
constexpr const char *WhereTextILike =
    " AND (a.message ILIKE ? ESCAPE '!' OR a.rule_name ILIKE ? ESCAPE '!' OR a.source_id ILIKE ? ESCAPE '!'"
    " OR EXISTS (SELECT 1 FROM events e WHERE e.id = a.event_id AND e.fields ILIKE ? ESCAPE '!'))";
constexpr const char *LimitOffset = " LIMIT ? OFFSET ?";
constexpr const char *WhereIdInPage = " WHERE a.id IN (";
constexpr const char *WhereId = " AND a.id = ?";
// Hiding silenced alerts, three ways (see SilenceCheck). The unary + keeps the planner on the
// sort index: alerts_silence would find every row.
constexpr const char *WhereNotSilenced = " AND +a.silence_id IS NULL";
constexpr const char *WhereNotSilencedIndexed = " AND a.silence_id IS NULL";
constexpr const char *WhereNotInSilencedSet =
    " AND +a.id NOT IN (SELECT s.id FROM alerts s WHERE s.silence_id IS NOT NULL)";
constexpr const char *CountSilenced =
    "SELECT COUNT(*) FROM (SELECT 1 FROM alerts WHERE silence_id IS NOT NULL AND +id <= ? LIMIT ?)";
constexpr const char *AnySilenced = "SELECT 1 FROM alerts WHERE silence_id IS NOT NULL LIMIT 1";
constexpr const char *AnySilencedUpTo = "SELECT 1 FROM alerts WHERE silence_id IS NOT NULL AND +id <= ? LIMIT 1";

constexpr const char *MaxAlertId = "SELECT COALESCE(MAX(id), 0) FROM alerts";
constexpr const char *TriageUsers =
    "SELECT username FROM users WHERE role IN ('analyst', 'admin') AND active = 1 ORDER BY username";
constexpr const char *RuleNames = "SELECT name FROM rules ORDER BY name";
constexpr const char *UserByName = "SELECT id FROM users WHERE username = ?";

constexpr const char *AlertStateForAction =
    "SELECT a.status, a.created_at, COALESCE(ua.username, ''), COALESCE(ur.username, '') FROM alerts a"
    " LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users ur ON ur.id = a.resolved_by WHERE a.id = ?";
constexpr const char *BulkAcknowledge =
    "UPDATE alerts SET status = 'ACKNOWLEDGED', acknowledged_by = ?, acknowledged_at = ?"
    " WHERE id = ? AND status = 'NEW'";
constexpr const char *BulkClose =
    "UPDATE alerts SET status = ?, resolved_by = ?, resolved_at = ?, resolution_notes = ?,"
    " acknowledged_by = COALESCE(acknowledged_by, ?), acknowledged_at = COALESCE(acknowledged_at, ?)"
    " WHERE id = ? AND status IN ('NEW', 'ACKNOWLEDGED')";
constexpr const char *BulkReopen =
    "UPDATE alerts SET status = 'NEW', acknowledged_by = NULL, acknowledged_at = NULL,"
    " resolved_by = NULL, resolved_at = NULL WHERE id = ? AND status <> 'NEW'";
constexpr const char *AssignAlert = "UPDATE alerts SET assigned_to = ? WHERE id = ?";
constexpr const char *InsertResponse =
    "INSERT INTO alert_responses (alert_id, user_id, action_taken, notes, timestamp, success, response_time_ms)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr const char *InsertComment =
    "INSERT INTO alert_comments (alert_id, user_id, body, created_at) VALUES (?, ?, ?, ?)";
constexpr const char *AlertExists = "SELECT 1 FROM alerts WHERE id = ?";
constexpr const char *SelectHistory =
    "SELECT r.timestamp, COALESCE(u.username, ''), r.action_taken, r.notes, r.success, 0, r.id FROM alert_responses r"
    " LEFT JOIN users u ON u.id = r.user_id WHERE r.alert_id = ?"
    " UNION ALL SELECT c.created_at, COALESCE(u.username, ''), 'COMMENT', c.body, 1, 1, c.id FROM alert_comments c"
    " LEFT JOIN users u ON u.id = c.user_id WHERE c.alert_id = ?"
    " ORDER BY 1, 6, 7";

// The columns of Store::alertFromQuery, for exports (details included).
constexpr const char *AlertRecordSelect =
    "SELECT a.id, a.created_at, a.severity, a.type, a.status, COALESCE(a.rule_id, 0), a.rule_name,"
    " a.message, a.source_type, a.source_id, COALESCE(a.event_id, 0), COALESCE(e.event_id, ''),"
    " COALESCE(ua.username, ''), COALESCE(a.acknowledged_at, 0), COALESCE(ur.username, ''),"
    " COALESCE(a.resolved_at, 0), a.resolution_notes, a.details, COALESCE(a.silence_id, 0)"
    " FROM alerts a LEFT JOIN events e ON e.id = a.event_id"
    " LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users ur ON ur.id = a.resolved_by";
constexpr const char *WhereIdIn = " WHERE a.id IN (";
// Related alerts walk alerts_source_created (source_id, created_at) from the newest.
constexpr const char *RelatedAlerts =
    "SELECT a.id, a.created_at, COALESCE(a.event_id, 0), a.rule_name, a.message, a.source_type, a.source_id,"
    " COALESCE(ua.username, ''), COALESCE(us.username, ''), a.severity, a.type, a.status, COALESCE(a.silence_id, 0)"
    " FROM alerts a LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users us ON us.id = a.assigned_to"
    " JOIN alerts o ON o.id = ? WHERE a.source_id = o.source_id AND a.source_type = o.source_type AND a.id <> o.id"
    " ORDER BY a.created_at DESC, a.id DESC LIMIT ?";
constexpr const char *AnomalyOfAlert =
    "SELECT COALESCE(a.model_id, 0), COALESCE(a.event_id, 0), a.created_at, COALESCE(m.name, ''),"
    " COALESCE(m.version, 0), COALESCE(m.model_type, ''), a.details"
    " FROM alerts a LEFT JOIN anomaly_models m ON m.id = a.model_id WHERE a.id = ?";
// A detection is stored in the same transaction as its alert, with the same time: the
// (model_id, created_at) index finds it among the model's many detections.
constexpr const char *DetectionOfAlert =
    "SELECT details, features FROM anomaly_detections WHERE model_id = ? AND created_at = ? AND event_id = ?"
    " ORDER BY id LIMIT 1";

constexpr const char *GenerateMaxEventId = "SELECT COALESCE(MAX(id), 0) FROM events";
constexpr const char *GenerateMaxResponseId = "SELECT COALESCE(MAX(id), 0) FROM alert_responses";
constexpr const char *GenerateEvents =
    "INSERT INTO events (id, event_id, time, type, source_type, source_id, fields, received_at) VALUES ";
constexpr const char *GenerateEventTuple = "(?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char *GenerateAlerts =
    "INSERT INTO alerts (id, rule_id, rule_name, event_id, type, severity, message, details, source_type, source_id,"
    " status, created_at, acknowledged_by, acknowledged_at, resolved_by, resolved_at, resolution_notes, assigned_to)"
    " VALUES ";
constexpr const char *GenerateAlertTuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char *GenerateResponses =
    "INSERT INTO alert_responses (id, alert_id, user_id, action_taken, notes, timestamp, success, response_time_ms)"
    " VALUES ";
constexpr const char *GenerateResponseTuple = "(?, ?, ?, ?, ?, ?, ?, ?)";
// PostgreSQL: rows given explicit ids leave the id column's identity sequence behind; it is
// moved past them, or the next row stored without an id would take one of theirs.
constexpr const char *GenerateAdvanceIdentity = "SELECT setval(pg_get_serial_sequence(?, 'id'), ?)";

// Bulk load: what is dropped and built again (every secondary index of alerts, whichever
// migration made it), and where that is remembered.
constexpr const char *BulkLoadSetting = "bulk_load.pending";
constexpr const char *AlertIndexDefinitions =
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alerts' AND sql IS NOT NULL ORDER BY name";
constexpr const char *DropIndex = "DROP INDEX \"%1\"";
constexpr const char *Analyze = "ANALYZE alerts";

// The free-text index's file (schema migration 10), attached as "search" to every connection.
// alert_text stores its text (an index in another file cannot read migration 4's content
// view in the database), so a change needs no old values; alert_text_state says which database the file belongs to and
// through which alert id it is complete.
constexpr const char *AttachTextIndex = "ATTACH DATABASE ? AS search";
constexpr const char *TextIndexTables =
    "SELECT COUNT(*) FROM search.sqlite_master WHERE name IN ('alert_text', 'alert_text_state')";
constexpr const char *DropTextIndex = "DROP TABLE IF EXISTS search.alert_text";
constexpr const char *DropTextState = "DROP TABLE IF EXISTS search.alert_text_state";
constexpr const char *CreateTextIndex =
    "CREATE VIRTUAL TABLE search.alert_text USING fts5(message, rule_name, source_id, fields, tokenize = 'trigram')";
constexpr const char *CreateTextState = "CREATE TABLE IF NOT EXISTS search.alert_text_state (id INTEGER PRIMARY KEY CHECK (id = 1),"
                                        " database TEXT NOT NULL, through INTEGER NOT NULL)";
constexpr const char *ResetTextState = "INSERT INTO search.alert_text_state (id, database, through) VALUES (1, ?, 0)";
constexpr const char *TextState = "SELECT database, through FROM search.alert_text_state WHERE id = 1";
constexpr const char *TextDatabaseSetting = "alert_text.database";
// Taken first in a pass: the index file's write lock (never the database's), so the
// watermark read next is the current one whoever else indexes.
constexpr const char *LockTextIndex = "UPDATE search.alert_text_state SET through = through WHERE id = 1";
constexpr const char *TextThrough = "SELECT through FROM search.alert_text_state WHERE id = 1";
constexpr const char *SetTextThrough = "UPDATE search.alert_text_state SET through = ? WHERE id = 1";
constexpr const char *ReadNewAlertText =
    "SELECT id, message, rule_name, source_id, fields FROM alert_text_source WHERE id > ? AND id <= ? ORDER BY id";
constexpr const char *TextChanges = "SELECT seq, alert_id FROM alert_text_changes ORDER BY seq LIMIT ?";
constexpr const char *ReadAlertText = "SELECT id, message, rule_name, source_id, fields FROM alert_text_source WHERE id = ?";
constexpr const char *DropTextRow = "DELETE FROM search.alert_text WHERE rowid = ?";
constexpr const char *InsertAlertText =
    "INSERT INTO search.alert_text (rowid, message, rule_name, source_id, fields) VALUES (?, ?, ?, ?, ?)";
constexpr const char *ForgetTextChanges = "DELETE FROM alert_text_changes WHERE seq <= ?";
constexpr const char *ClearTextChanges = "DELETE FROM alert_text_changes";
// The index's own options (kept in its file): during a bulk load it keeps one segment per
// 64 MiB of text and merges none (a "crisis" merge of the whole index, which it starts when
// a level has 16 segments, takes minutes); otherwise it merges a little after each write.
constexpr const char *TextIndexOption = "INSERT INTO search.alert_text (alert_text, rank) VALUES (?, ?)";
} // namespace sql

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

QVariant nullableId(qint64 id) { return id > 0 ? QVariant(id) : QVariant(QMetaType::fromType<qint64>()); }

const char *orderExpression(AlertSortKey key)
{
    switch (key) {
    case AlertSortKey::Time: return "a.created_at";
    case AlertSortKey::Severity: return sql::SeverityRank;
    case AlertSortKey::Type: return "a.type";
    case AlertSortKey::Rule: return "a.rule_name";
    case AlertSortKey::Message: return "a.message";
    case AlertSortKey::Source: return "a.source_id";
    case AlertSortKey::Status: return "a.status";
    case AlertSortKey::Assignee: return "a.assigned_to";
    case AlertSortKey::Id: return "a.id";
    case AlertSortKey::Count:
    case AlertSortKey::LastSeen: return "a.created_at"; // groups only
    }
    return "a.created_at";
}

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('!'), QStringLiteral("!!"));
    escaped.replace(QLatin1Char('%'), QStringLiteral("!%"));
    escaped.replace(QLatin1Char('_'), QStringLiteral("!_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

// The free-text index's query for `text`: one phrase, which the trigram tokenizer matches as
// a substring (any case) of one column.
QString textPhrase(const QString &text)
{
    QString phrase = text;
    phrase.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + phrase + QLatin1Char('"');
}

// One condition of a query's WHERE clause, in two forms: `indexed` lets the planner look rows
// up with the column's index, `checked` (a unary + on the column) only checks rows found
// another way. `probed`: its rows can be counted cheaply on its index (see choosePlan()).
struct Term
{
    QString indexed;
    QString checked;
    QVariantList values;
    QVariantList checkedValues;     // when `checked` binds other values than `indexed`
    bool probed = true;
    bool text = false;
    bool silenceOnIndex = false;    // its index holds silence_id (open alerts', assignee's)
};

QList<Term> queryTerms(const AlertQuery &query, DatabaseUrl::Kind kind)
{
    QList<Term> terms;
    const auto inList = [&](const char *head, const QVariantList &items) {
        Term t;
        t.indexed = QLatin1String(head);
        for (qsizetype i = 0; i < items.size(); ++i)
            t.indexed.append(i == 0 ? QStringLiteral("?") : QStringLiteral(", ?"));
        t.indexed.append(QLatin1Char(')'));
        t.values = items;
        terms.append(t);
    };
    const auto single = [&](const char *fragment, const QVariantList &values) {
        Term t;
        t.indexed = QLatin1String(fragment);
        t.values = values;
        terms.append(t);
    };
    if (!query.severities.isEmpty()) {
        QVariantList v;
        for (engine::Severity s : query.severities)
            v.append(int(s));
        inList(sql::WhereSeverityIn, v);
    }
    if (!query.statuses.isEmpty()) {
        QVariantList v;
        bool open = true;
        for (engine::AlertStatus s : query.statuses) {
            v.append(engine::toString(s));
            open = open && (s == engine::AlertStatus::New || s == engine::AlertStatus::Acknowledged);
        }
        inList(sql::WhereStatusIn, v);
        // Open alerts only: said literally, so the planner may read the index of open alerts
        // (schema migration 7), which holds the other filtered columns too.
        if (open) {
            terms.last().indexed.append(QLatin1String(sql::WhereOpen));
            terms.last().silenceOnIndex = true;
        }
    }
    if (!query.types.isEmpty()) {
        QVariantList v;
        for (engine::EventType t : query.types)
            v.append(engine::toString(t));
        inList(sql::WhereTypeIn, v);
    }
    if (!query.rules.isEmpty()) {
        QVariantList v;
        for (const QString &r : query.rules)
            v.append(r);
        inList(sql::WhereRuleIn, v);
    }
    if (!query.source.isEmpty())
        single(sql::WhereSource, {query.source});
    if (query.assignee == QStringLiteral("-"))
        single(sql::WhereUnassigned, {});
    else if (!query.assignee.isEmpty())
        single(sql::WhereAssignee, {query.assignee});
    if (!query.assignee.isEmpty())
        terms.last().silenceOnIndex = true; // (assigned_to, silence_id, created_at): migration 9
    if (query.fromMs > 0 || query.toMs > 0) {
        Term t;
        if (query.fromMs > 0) {
            t.indexed.append(QLatin1String(sql::WhereFrom));
            t.values.append(query.fromMs);
        }
        if (query.toMs > 0) {
            t.indexed.append(QLatin1String(sql::WhereTo));
            t.values.append(query.toMs);
        }
        terms.append(t);
    }
    for (Term &t : terms)
        t.checked = QString(t.indexed).replace(QStringLiteral(" AND "), QStringLiteral(" AND +"));
    const QString text = query.text.trimmed();
    if (text.isEmpty())
        return terms;
    Term t;
    t.text = true;
    if (kind == DatabaseUrl::Kind::SQLite) {
        // Either the matches drive (rows looked up by id), or rows found another way are
        // checked on the row (the same answer, and no index search per row). The trigram index
        // cannot look up fewer than three characters: such a text is always checked.
        t.checked = QLatin1String(sql::WhereTextContains);
        t.checkedValues = {text, text, text, text};
        if (text.toUcs4().size() >= 3) {
            t.indexed = QLatin1String(sql::WhereTextIndexed);
            t.values = {textPhrase(text), text, text, text, text};
        } else {
            t.indexed = t.checked;
            t.values = t.checkedValues;
            t.probed = false;
        }
    } else {
        t.indexed = QLatin1String(sql::WhereTextILike);
        t.checked = t.indexed;
        t.probed = false;
        const QString pattern = likePattern(text);
        t.values = {pattern, pattern, pattern, pattern};
    }
    terms.append(t);
    return terms;
}

/*!
    How a query finds its rows. SQLite's statistics (sqlite_stat1) keep only the average rows
    per value, so the planner cannot tell a rare status (NEW: 3 %) from a common one and may
    read a quarter of the table through the wrong index, or sort 400,000 rows for a page of
    200. The store counts instead, on the indexes alone and never beyond kProbeLimit rows,
    how many rows each condition matches:
    - the rarest condition under kProbeLimit rows finds the rows (`driving`), the others only
      check them, and the page is sorted (a few ten thousand rows at most);
    - when every condition matches many rows, a page walks the index of the sort order and
      checks each row (`driving` -1): matches are dense, a page is found after a few hundred
      rows. The count still goes through the rarest condition's index.
*/
struct QueryPlan
{
    bool chosen = false;    // false: the planner decides (no condition, or PostgreSQL)
    int driving = -1;       // term that finds the rows; -1: walk the sort order's index
    int rarest = -1;        // term with the fewest rows (for counting)
    qint64 rarestRows = 0;  // its rows, as counted (at most the probe's limit)
};

/*!
    How silenced alerts are left out when "Show silenced" is off. Checking each row's
    silence_id (Row) reads every row walked from the table unless its index holds the column;
    a deep page walks hundreds of thousands of index entries and reads as many rows. NotInSet
    reads the silenced alerts' ids once (from alerts_silence) and checks the ids the index
    walk already has; it pays when more rows are walked than alerts are silenced. Indexed: a
    count of all alerts, answered on alerts_silence alone.
*/
enum class SilenceCheck { Row, NotInSet, Indexed };

constexpr qint64 kProbeLimit = 50'000;
constexpr qint64 kTextProbeLimit = 5'000; // free text reads postings, not an index range

// Appends the WHERE clause to `statement` and collects the values to bind. `forCount`: the
// rows are counted, not paged (no order to walk).
void composeWhere(const AlertQuery &query, const QList<Term> &terms, const QueryPlan &plan, bool forCount,
                  bool hideSilenced, QString *statement, QVariantList *values,
                  SilenceCheck silenceCheck = SilenceCheck::Row)
{
    statement->append(QLatin1String(sql::WhereAll));
    if (hideSilenced)
        statement->append(QLatin1String(silenceCheck == SilenceCheck::NotInSet ? sql::WhereNotInSilencedSet
                                        : silenceCheck == SilenceCheck::Indexed ? sql::WhereNotSilencedIndexed
                                                                                : sql::WhereNotSilenced));
    if (query.maxId > 0) {
        statement->append(QLatin1String(sql::WhereMaxId));
        values->append(query.maxId);
    }
    const int finder = !plan.chosen ? -1 : (forCount ? plan.rarest : plan.driving);
    for (qsizetype i = 0; i < terms.size(); ++i) {
        const Term &t = terms.at(i);
        const bool indexed = !plan.chosen || i == finder;
        statement->append(indexed ? t.indexed : t.checked);
        values->append(indexed || t.checkedValues.isEmpty() ? t.values : t.checkedValues);
    }
}

// Counts the rows of each condition (up to the limits) and picks the plan; the counts of a
// query are kept for the next pages of it (per thread: one store per thread).
QueryPlan choosePlan(const QSqlDatabase &db, const QString &connection, DatabaseUrl::Kind kind, const QList<Term> &terms)
{
    QueryPlan plan;
    if (kind != DatabaseUrl::Kind::SQLite || terms.isEmpty())
        return plan;
    QString key = connection;
    for (const Term &t : terms) {
        key.append(t.indexed);
        for (const QVariant &v : t.values)
            key.append(QLatin1Char('\x1f')).append(v.toString());
    }
    thread_local QHash<QString, QList<qint64>> cache;
    QList<qint64> counts = cache.value(key);
    if (counts.size() != terms.size()) {
        counts.clear();
        for (const Term &t : terms) {
            if (!t.probed) {
                counts.append(std::numeric_limits<qint64>::max());
                continue;
            }
            const qint64 limit = t.text ? kTextProbeLimit : kProbeLimit;
            QString statement = t.text ? QLatin1String(sql::ProbeText) : QLatin1String(sql::ProbeHead) + t.indexed;
            statement.append(QLatin1String(sql::ProbeTail));
            QSqlQuery q(db);
            q.setForwardOnly(true);
            if (!q.prepare(statement))
                return plan; // the query itself will report what is wrong
            int n = 0;
            for (const QVariant &v : t.values) {
                q.bindValue(n++, v);
                if (t.text)
                    break;
            }
            q.bindValue(n, limit);
            if (!q.exec() || !q.next())
                return plan;
            const qint64 c = q.value(0).toLongLong();
            // A common text is never the one to find rows by: reading its postings costs more.
            counts.append(c >= limit && limit < kProbeLimit ? std::numeric_limits<qint64>::max() - 1 : c);
        }
        if (cache.size() > 64)
            cache.clear();
        cache.insert(key, counts);
    }
    plan.chosen = true;
    for (qsizetype i = 0; i < terms.size(); ++i)
        if (plan.rarest < 0 || counts.at(i) < counts.at(plan.rarest))
            plan.rarest = int(i);
    plan.rarestRows = counts.at(plan.rarest);
    if (counts.at(plan.rarest) < kProbeLimit)
        plan.driving = plan.rarest;
    return plan;
}

// The silenced alerts up to `maxId` (all when 0), counted on alerts_silence up to `limit`.
qint64 silencedAlerts(const QSqlDatabase &db, qint64 maxId, qint64 limit)
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(QLatin1String(sql::CountSilenced)))
        return limit;
    q.bindValue(0, maxId > 0 ? maxId : std::numeric_limits<qint64>::max());
    q.bindValue(1, limit);
    return q.exec() && q.next() ? q.value(0).toLongLong() : limit;
}

// Pages at least this deep may leave silenced alerts out by their ids (SilenceCheck).
constexpr qint64 kDeepPage = 2'000;

// One condition that the plan's probe chose reads all its matches (a count, or a page that
// sorts them): the silenced alerts are left out by id when fewer are silenced than it reads
// (a condition the probe stopped counting: while fewer than twice the probe's limit are).
// Open statuses and assignees are answered by their own indexes, which hold silence_id.
SilenceCheck silenceCheckForOneCondition(const QSqlDatabase &db, const AlertQuery &query, const QList<Term> &terms,
                                         const QueryPlan &plan)
{
    if (terms.size() != 1 || !plan.chosen || terms.constFirst().silenceOnIndex)
        return SilenceCheck::Row;
    const qint64 reads = plan.rarestRows >= kProbeLimit ? 2 * kProbeLimit : plan.rarestRows;
    return silencedAlerts(db, query.maxId, reads) < reads ? SilenceCheck::NotInSet : SilenceCheck::Row;
}

void composeOrder(const AlertQuery &query, const QueryPlan &plan, QString *statement)
{
    const QLatin1String dir = query.descending ? QLatin1String(" DESC") : QLatin1String(" ASC");
    statement->append(QStringLiteral(" ORDER BY "));
    // A unary + keeps the planner from walking the sort order's index when a rare condition
    // finds the rows: sorting them is cheaper.
    if (plan.chosen && plan.driving >= 0)
        statement->append(QLatin1Char('+'));
    statement->append(QLatin1String(orderExpression(query.sortKey)));
    statement->append(dir);
    // The assignee's index (migration 9) holds silence_id before the time: in that order the
    // index is walked, not sorted. With silenced alerts hidden (all NULL) it is the order by
    // assignee and time; shown, an assignee's silenced alerts follow the others.
    if (query.sortKey == AlertSortKey::Assignee) {
        statement->append(QStringLiteral(", a.silence_id"));
        statement->append(dir);
    }
    if (query.sortKey != AlertSortKey::Id) {
        if (query.sortKey != AlertSortKey::Time) {
            statement->append(QStringLiteral(", a.created_at"));
            statement->append(dir);
        }
        statement->append(QStringLiteral(", a.id"));
        statement->append(dir);
    }
}

AlertRow rowFromQuery(const QSqlQuery &q)
{
    AlertRow r;
    r.id = q.value(0).toLongLong();
    r.createdAtMs = q.value(1).toLongLong();
    r.eventRowId = q.value(2).toLongLong();
    r.ruleName = q.value(3).toString();
    r.message = q.value(4).toString();
    r.sourceType = q.value(5).toString();
    r.sourceId = q.value(6).toString();
    r.acknowledgedBy = q.value(7).toString();
    r.assignee = q.value(8).toString();
    r.severity = engine::severityFromString(q.value(9).toString()).value_or(engine::Severity::Medium);
    r.type = engine::eventTypeFromString(q.value(10).toString()).value_or(engine::EventType::System);
    r.status = engine::alertStatusFromString(q.value(11).toString()).value_or(engine::AlertStatus::New);
    r.silenceId = q.value(12).toLongLong();
    return r;
}

bool mayTriage(Role role) { return role == Role::Analyst || role == Role::Admin || role == Role::System; }

} // namespace

bool AlertQuery::hasFilter() const
{
    return !severities.isEmpty() || !statuses.isEmpty() || !types.isEmpty() || !rules.isEmpty() || !source.isEmpty()
        || !assignee.isEmpty() || fromMs > 0 || toMs > 0 || !text.trimmed().isEmpty();
}

bool Store::execComposed(QSqlQuery &q, const QString &statement, const QVariantList &values, bool forwardOnly,
                         const char *what, QString *error)
{
    q.setForwardOnly(forwardOnly);
    if (!q.prepare(statement))
        return fail(q, error, what);
    for (qsizetype i = 0; i < values.size(); ++i)
        q.bindValue(int(i), values.at(i));
    if (!q.exec())
        return fail(q, error, what);
    return true;
}

bool Store::countAlerts(const AlertQuery &query, qint64 *count, QString *error)
{
    QString statement = QLatin1String(sql::AlertCountSelect);
    QVariantList values;
    const QList<Term> terms = queryTerms(query, m_url.kind);
    const bool hideSilenced = !query.showSilenced && hasSilencedAlerts(query.maxId);
    if (terms.size() == 1 && terms.constFirst().text && terms.constFirst().probed && !hideSilenced) {
        // Only free text: the index counts its matches without reading a row.
        statement = QLatin1String(sql::CountTextMatches);
        const QVariantList &v = terms.constFirst().values;
        const qint64 upTo = query.maxId > 0 ? query.maxId : std::numeric_limits<qint64>::max();
        values = {v.at(0), upTo, upTo, v.at(1), v.at(2), v.at(3), v.at(4)};
    } else {
        const QueryPlan plan = choosePlan(m_db, m_connectionName, m_url.kind, terms);
        // A count of one condition reads its index alone, but for silence_id: then the ids
        // are checked instead, when fewer alerts are silenced than it reads (and the open
        // alerts' index holds silence_id). With more conditions the rows are read anyway.
        SilenceCheck check = SilenceCheck::Row;
        if (hideSilenced && m_url.kind == DatabaseUrl::Kind::SQLite)
            check = terms.isEmpty() ? SilenceCheck::Indexed : silenceCheckForOneCondition(m_db, query, terms, plan);
        composeWhere(query, terms, plan, true, hideSilenced, &statement, &values, check);
    }
    QSqlQuery q(m_db);
    if (!execComposed(q, statement, values, true, sql::AlertCountSelect, error))
        return false;
    if (!q.next())
        return fail(q, error, sql::AlertCountSelect);
    *count = q.value(0).toLongLong();
    return true;
}

bool Store::alertRows(const AlertQuery &query, qint64 offset, int limit, QList<AlertRow> *rows, QString *error)
{
    // A deferred join: the page's ids are found on the indexes alone (no table row is read
    // for the rows skipped by OFFSET or filtered out), then only those rows are read.
    QString statement = QLatin1String(sql::AlertRowSelect) + QLatin1String(sql::WhereIdInPage)
        + QLatin1String(sql::AlertIdSelect);
    QVariantList values;
    const QList<Term> terms = queryTerms(query, m_url.kind);
    const QueryPlan plan = choosePlan(m_db, m_connectionName, m_url.kind, terms);
    const bool hideSilenced = !query.showSilenced && hasSilencedAlerts(query.maxId);
    // A deep page of all alerts walks the sort order's index and needs no row but for
    // silence_id: the silenced alerts are left out by id instead, when they are fewer than the
    // entries it skips. (With a condition, the rows walked are read for it anyway.)
    // A page of one condition that is the rarest under the probe's limit (the unassigned
    // alerts, say) reads every match to sort them: the same check as its count. The
    // assignee's index holds silence_id: a page sorted by assignee checks it there.
    SilenceCheck check = SilenceCheck::Row;
    if (hideSilenced && m_url.kind == DatabaseUrl::Kind::SQLite) {
        if (terms.isEmpty()) {
            if (query.sortKey != AlertSortKey::Assignee && offset >= kDeepPage
                && silencedAlerts(m_db, query.maxId, offset) < offset)
                check = SilenceCheck::NotInSet;
        } else if (plan.driving >= 0) { // (a page walking the sort index finds its rows in a few hundred)
            check = silenceCheckForOneCondition(m_db, query, terms, plan);
        }
    }
    composeWhere(query, terms, plan, false, hideSilenced, &statement, &values, check);
    composeOrder(query, plan, &statement);
    statement.append(QLatin1String(sql::LimitOffset));
    statement.append(QLatin1Char(')'));
    composeOrder(query, QueryPlan(), &statement);
    values.append(limit);
    values.append(offset);
    QSqlQuery q(m_db);
    if (!execComposed(q, statement, values, true, sql::AlertRowSelect, error))
        return false;
    QList<AlertRow> out;
    out.reserve(limit);
    while (q.next())
        out.append(rowFromQuery(q));
    *rows = std::move(out);
    return true;
}

bool Store::alertRow(qint64 alertId, AlertRow *row, QString *error)
{
    QString statement = QLatin1String(sql::AlertRowSelect) + QLatin1String(sql::WhereAll) + QLatin1String(sql::WhereId);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(statement))
        return fail(q, error, sql::AlertRowSelect);
    q.bindValue(0, alertId);
    if (!q.exec())
        return fail(q, error, sql::AlertRowSelect);
    if (!q.next()) {
        *error = ConsoleStoreText::tr("alert %1 does not exist").arg(alertId);
        return false;
    }
    *row = rowFromQuery(q);
    return true;
}

bool Store::alertIds(const AlertQuery &query, QList<qint64> *ids, QString *error)
{
    QString statement = QLatin1String(sql::AlertIdSelect);
    QVariantList values;
    const QList<Term> terms = queryTerms(query, m_url.kind);
    const QueryPlan plan = choosePlan(m_db, m_connectionName, m_url.kind, terms);
    composeWhere(query, terms, plan, false, !query.showSilenced && hasSilencedAlerts(query.maxId), &statement, &values);
    composeOrder(query, plan, &statement);
    QSqlQuery q(m_db);
    if (!execComposed(q, statement, values, true, sql::AlertIdSelect, error))
        return false;
    QList<qint64> out;
    while (q.next())
        out.append(q.value(0).toLongLong());
    *ids = std::move(out);
    return true;
}

bool Store::hasSilencedAlerts(qint64 maxId)
{
    // One step on the alerts_silence index (NULLs sort first, so the first non-NULL entry
    // is found at once, and its row id is in the index).
    QSqlQuery &q = prepared(maxId > 0 ? sql::AnySilencedUpTo : sql::AnySilenced);
    if (maxId > 0)
        q.bindValue(0, maxId);
    // When the check itself fails, hide silenced alerts anyway: correct, only slower.
    const bool any = !q.exec() || q.next();
    q.finish();
    return any;
}

bool Store::readInteger(const char *statement, qint64 *value, QString *error)
{
    QSqlQuery &q = prepared(statement);
    if (!q.exec() || !q.next())
        return fail(q, error, statement);
    *value = q.value(0).toLongLong();
    q.finish();
    return true;
}

bool Store::maxAlertId(qint64 *id, QString *error)
{
    return readInteger(sql::MaxAlertId, id, error);
}

bool Store::triageUsers(QStringList *usernames, QString *error)
{
    QSqlQuery &q = prepared(sql::TriageUsers);
    if (!q.exec())
        return fail(q, error, sql::TriageUsers);
    usernames->clear();
    while (q.next())
        usernames->append(q.value(0).toString());
    q.finish();
    return true;
}

bool Store::ruleNames(QStringList *names, QString *error)
{
    QSqlQuery &q = prepared(sql::RuleNames);
    if (!q.exec())
        return fail(q, error, sql::RuleNames);
    names->clear();
    while (q.next())
        names->append(q.value(0).toString());
    q.finish();
    return true;
}

BulkActionResult Store::applyAlertActions(const QList<qint64> &alertIds, AlertAction action, const Actor &actor,
                                          const QString &givenNote)
{
    const QString note = givenNote.isNull() ? QStringLiteral("") : givenNote;
    BulkActionResult result;
    if (!mayTriage(actor.role)) {
        result.message = ConsoleStoreText::tr("%1 may not change alerts: that needs the analyst or admin role").arg(actor.username);
        return result;
    }
    const qint64 uid = userId(actor, &result.message);
    if (uid == 0)
        return result;
    if (!m_db.transaction()) {
        result.message = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return result;
    }
    const auto abort = [&](QSqlQuery &q, const char *what) {
        fail(q, &result.message, what);
        q.finish();
        m_db.rollback();
        const QString message = result.message;
        result = BulkActionResult();
        result.message = message;
        return result;
    };
    const qint64 now = nowMs();
    const char *statement = action == AlertAction::Acknowledge ? sql::BulkAcknowledge
        : action == AlertAction::Reopen                        ? sql::BulkReopen
                                                               : sql::BulkClose;
    for (qint64 id : alertIds) {
        QSqlQuery &state = prepared(sql::AlertStateForAction);
        state.bindValue(0, id);
        if (!state.exec())
            return abort(state, sql::AlertStateForAction);
        if (!state.next()) {
            state.finish();
            ++result.missing;
            continue;
        }
        const QString before = state.value(0).toString();
        const qint64 createdAt = state.value(1).toLongLong();
        state.finish();
        QSqlQuery &update = prepared(statement);
        switch (action) {
        case AlertAction::Acknowledge:
            update.bindValue(0, uid);
            update.bindValue(1, now);
            update.bindValue(2, id);
            break;
        case AlertAction::Resolve:
        case AlertAction::MarkFalsePositive:
            update.bindValue(0, action == AlertAction::Resolve ? QStringLiteral("RESOLVED") : QStringLiteral("FALSE_POSITIVE"));
            update.bindValue(1, uid);
            update.bindValue(2, now);
            update.bindValue(3, note);
            update.bindValue(4, uid);
            update.bindValue(5, now);
            update.bindValue(6, id);
            break;
        case AlertAction::Reopen:
            update.bindValue(0, id);
            break;
        }
        if (!update.exec())
            return abort(update, statement);
        const bool changed = update.numRowsAffected() == 1;
        QSqlQuery &response = prepared(sql::InsertResponse);
        response.bindValue(0, id);
        response.bindValue(1, uid);
        response.bindValue(2, toString(action));
        response.bindValue(3, note);
        response.bindValue(4, now);
        response.bindValue(5, changed ? 1 : 0);
        response.bindValue(6, now - createdAt);
        if (!response.exec())
            return abort(response, sql::InsertResponse);
        if (!changed) {
            ++result.conflicts;
            continue;
        }
        if (!audit(uid, QStringLiteral("alert.%1").arg(toString(action).toLower()), QStringLiteral("alert"),
                   QString::number(id),
                   QJsonObject{{QStringLiteral("from"), before}, {QStringLiteral("note"), note},
                               {QStringLiteral("bulk"), alertIds.size() > 1}},
                   &result.message)) {
            m_db.rollback();
            return BulkActionResult{0, 0, 0, result.message, {}};
        }
        ++result.done;
        result.changedIds.append(id);
    }
    if (!m_db.commit()) {
        const QString message = ConsoleStoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return BulkActionResult{0, 0, 0, message, {}};
    }
    return result;
}

BulkActionResult Store::assignAlerts(const QList<qint64> &alertIds, const QString &assignee, const Actor &actor)
{
    BulkActionResult result;
    if (!mayTriage(actor.role)) {
        result.message = ConsoleStoreText::tr("%1 may not assign alerts: that needs the analyst or admin role").arg(actor.username);
        return result;
    }
    const qint64 uid = userId(actor, &result.message);
    if (uid == 0)
        return result;
    qint64 assigneeId = 0;
    if (!assignee.isEmpty()) {
        QSqlQuery &find = prepared(sql::UserByName);
        find.bindValue(0, assignee);
        if (!find.exec()) {
            fail(find, &result.message, sql::UserByName);
            return result;
        }
        assigneeId = find.next() ? find.value(0).toLongLong() : 0;
        find.finish();
        if (assigneeId == 0) {
            result.message = ConsoleStoreText::tr("there is no user named %1").arg(assignee);
            return result;
        }
    }
    if (!m_db.transaction()) {
        result.message = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return result;
    }
    const qint64 now = nowMs();
    for (qint64 id : alertIds) {
        QSqlQuery &state = prepared(sql::AlertStateForAction);
        state.bindValue(0, id);
        if (!state.exec() || !state.next()) {
            state.finish();
            ++result.missing;
            continue;
        }
        const qint64 createdAt = state.value(1).toLongLong();
        state.finish();
        QSqlQuery &update = prepared(sql::AssignAlert);
        update.bindValue(0, nullableId(assigneeId));
        update.bindValue(1, id);
        QSqlQuery &response = prepared(sql::InsertResponse);
        response.bindValue(0, id);
        response.bindValue(1, uid);
        response.bindValue(2, QStringLiteral("ASSIGN"));
        response.bindValue(3, assignee.isNull() ? QStringLiteral("") : assignee);
        response.bindValue(4, now);
        response.bindValue(5, 1);
        response.bindValue(6, now - createdAt);
        if (!update.exec() || !response.exec()
            || !audit(uid, QStringLiteral("alert.assign"), QStringLiteral("alert"), QString::number(id),
                      QJsonObject{{QStringLiteral("assignee"), assignee}}, &result.message)) {
            if (result.message.isEmpty())
                fail(update.lastError().isValid() ? update : response, &result.message, sql::AssignAlert);
            const QString message = result.message;
            m_db.rollback();
            return BulkActionResult{0, 0, 0, message, {}};
        }
        ++result.done;
        result.changedIds.append(id);
    }
    if (!m_db.commit()) {
        const QString message = ConsoleStoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return BulkActionResult{0, 0, 0, message, {}};
    }
    return result;
}

bool Store::addAlertComment(qint64 alertId, const QString &text, const Actor &actor, QString *error)
{
    if (!mayTriage(actor.role)) {
        *error = ConsoleStoreText::tr("%1 may not comment on alerts: that needs the analyst or admin role").arg(actor.username);
        return false;
    }
    if (text.trimmed().isEmpty()) {
        *error = ConsoleStoreText::tr("a comment needs some text");
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0)
        return false;
    if (!m_db.transaction()) {
        *error = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    QSqlQuery &exists = prepared(sql::AlertExists);
    exists.bindValue(0, alertId);
    if (!exists.exec() || !exists.next()) {
        exists.finish();
        m_db.rollback();
        *error = ConsoleStoreText::tr("alert %1 does not exist").arg(alertId);
        return false;
    }
    exists.finish();
    QSqlQuery &q = prepared(sql::InsertComment);
    q.bindValue(0, alertId);
    q.bindValue(1, uid);
    q.bindValue(2, text);
    q.bindValue(3, nowMs());
    if (!q.exec()) {
        fail(q, error, sql::InsertComment);
        m_db.rollback();
        return false;
    }
    if (!audit(uid, QStringLiteral("alert.comment"), QStringLiteral("alert"), QString::number(alertId),
               QJsonObject{{QStringLiteral("text"), text}}, error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        *error = ConsoleStoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::alertHistory(qint64 alertId, QList<AlertHistoryEntry> *entries, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectHistory);
    q.bindValue(0, alertId);
    q.bindValue(1, alertId);
    if (!q.exec())
        return fail(q, error, sql::SelectHistory);
    entries->clear();
    while (q.next()) {
        AlertHistoryEntry e;
        e.timeMs = q.value(0).toLongLong();
        e.user = q.value(1).toString();
        e.action = q.value(2).toString();
        e.text = q.value(3).toString();
        e.success = q.value(4).toInt() != 0;
        entries->append(e);
    }
    q.finish();
    return true;
}

bool Store::anomalyExplanation(qint64 alertId, AnomalyExplanation *explanation, QString *error)
{
    *explanation = AnomalyExplanation();
    QSqlQuery &q = prepared(sql::AnomalyOfAlert);
    q.bindValue(0, alertId);
    if (!q.exec())
        return fail(q, error, sql::AnomalyOfAlert);
    if (!q.next()) {
        q.finish();
        *error = ConsoleStoreText::tr("alert %1 does not exist").arg(alertId);
        return false;
    }
    const qint64 modelId = q.value(0).toLongLong();
    const qint64 eventRowId = q.value(1).toLongLong();
    const qint64 createdAt = q.value(2).toLongLong();
    AnomalyExplanation out;
    out.modelId = modelId;
    out.modelName = q.value(3).toString();
    out.modelVersion = q.value(4).toInt();
    out.modelType = engine::ModelRecord::modelTypeFromStored(q.value(5).toString());
    const QJsonObject details = QJsonDocument::fromJson(q.value(6).toString().toUtf8()).object();
    q.finish();
    if (modelId == 0)
        return true; // a rule's alert (or its model was deleted)
    // The alert's details say what the model said at the time, should the row be gone.
    out.score = details.value(QStringLiteral("anomaly_score")).toDouble();
    out.threshold = details.value(QStringLiteral("threshold")).toDouble();
    if (out.modelName.isEmpty())
        out.modelName = details.value(QStringLiteral("model_name")).toString();
    if (out.modelVersion == 0)
        out.modelVersion = details.value(QStringLiteral("model_version")).toInt();

    QSqlQuery &d = prepared(sql::DetectionOfAlert);
    d.bindValue(0, modelId);
    d.bindValue(1, createdAt);
    d.bindValue(2, eventRowId);
    if (!d.exec())
        return fail(d, error, sql::DetectionOfAlert);
    if (d.next()) {
        const QJsonObject detection = QJsonDocument::fromJson(d.value(0).toString().toUtf8()).object();
        const QJsonObject features = QJsonDocument::fromJson(d.value(1).toString().toUtf8()).object();
        const QJsonObject shares = detection.value(QStringLiteral("contributions")).toObject();
        for (auto it = shares.begin(); it != shares.end(); ++it)
            out.contributions.append({it.key(), features.value(it.key()).toDouble(), it.value().toDouble()});
        if (detection.contains(QStringLiteral("score")))
            out.score = detection.value(QStringLiteral("score")).toDouble();
        if (detection.contains(QStringLiteral("threshold")))
            out.threshold = detection.value(QStringLiteral("threshold")).toDouble();
    } else {
        // No detection row (e.g. pruned): the alert keeps the top features.
        const QJsonObject features = details.value(QStringLiteral("features")).toObject();
        for (const QJsonValue &v : details.value(QStringLiteral("top_features")).toArray()) {
            const QJsonObject f = v.toObject();
            const QString name = f.value(QStringLiteral("feature")).toString();
            out.contributions.append({name, features.value(name).toDouble(f.value(QStringLiteral("value")).toDouble()),
                                      f.value(QStringLiteral("contribution")).toDouble()});
        }
    }
    d.finish();
    std::stable_sort(out.contributions.begin(), out.contributions.end(),
                     [](const FeatureContribution &a, const FeatureContribution &b) {
                         return a.contribution != b.contribution ? a.contribution > b.contribution : a.feature < b.feature;
                     });
    *explanation = std::move(out);
    return true;
}

bool Store::relatedAlerts(qint64 alertId, int limit, QList<AlertRow> *rows, QString *error)
{
    QSqlQuery &q = prepared(sql::RelatedAlerts);
    q.bindValue(0, alertId);
    q.bindValue(1, limit);
    if (!q.exec())
        return fail(q, error, sql::RelatedAlerts);
    QList<AlertRow> out;
    while (q.next())
        out.append(rowFromQuery(q));
    q.finish();
    *rows = std::move(out);
    return true;
}

bool Store::readAlertRecords(const AlertQuery &query, int chunkSize,
                             const std::function<bool(const QList<AlertRecord> &)> &chunk, QString *error)
{
    QString statement = QLatin1String(sql::AlertRecordSelect);
    QVariantList values;
    const QList<Term> terms = queryTerms(query, m_url.kind);
    const QueryPlan plan = choosePlan(m_db, m_connectionName, m_url.kind, terms);
    composeWhere(query, terms, plan, false, !query.showSilenced && hasSilencedAlerts(query.maxId), &statement, &values);
    composeOrder(query, plan, &statement);
    // Forward-only: rows stream from one read (one snapshot) and are never all held.
    QSqlQuery q(m_db);
    if (!execComposed(q, statement, values, true, sql::AlertRecordSelect, error))
        return false;
    QList<AlertRecord> batch;
    batch.reserve(chunkSize);
    while (q.next()) {
        batch.append(alertFromQuery(q));
        if (batch.size() >= chunkSize) {
            if (!chunk(batch))
                return true;
            batch.clear();
        }
    }
    if (q.lastError().isValid())
        return fail(q, error, sql::AlertRecordSelect);
    if (!batch.isEmpty())
        chunk(batch);
    return true;
}

bool Store::alertRecords(const QList<qint64> &alertIds, QList<AlertRecord> *alerts, QString *error)
{
    constexpr qsizetype kIdsPerStatement = 500; // well under SQLite's bound-parameter limit
    QHash<qint64, AlertRecord> found;
    for (qsizetype first = 0; first < alertIds.size(); first += kIdsPerStatement) {
        const qsizetype n = std::min(kIdsPerStatement, alertIds.size() - first);
        QString statement = QLatin1String(sql::AlertRecordSelect) + QLatin1String(sql::WhereIdIn);
        for (qsizetype i = 0; i < n; ++i)
            statement.append(i == 0 ? QStringLiteral("?") : QStringLiteral(", ?"));
        statement.append(QLatin1Char(')'));
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (!q.prepare(statement))
            return fail(q, error, sql::AlertRecordSelect);
        for (qsizetype i = 0; i < n; ++i)
            q.bindValue(int(i), alertIds.at(first + i));
        if (!q.exec())
            return fail(q, error, sql::AlertRecordSelect);
        while (q.next()) {
            AlertRecord a = alertFromQuery(q);
            found.insert(a.id, std::move(a));
        }
    }
    QList<AlertRecord> out;
    out.reserve(found.size());
    for (qint64 id : alertIds) {
        auto it = found.find(id);
        if (it != found.end())
            out.append(*it);
    }
    *alerts = std::move(out);
    return true;
}

bool Store::insertGenerated(const GeneratedChunk &chunk, QString *error)
{
    // Bulk history: explicit ids (read under the write transaction) let rows go in many at a
    // time, one statement per kRowsPerStatement rows, which is where the time goes otherwise.
    constexpr int kRowsPerStatement = 64;
    if (!m_db.transaction()) {
        *error = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const auto rollback = [&](const QSqlQuery &q, const char *what) {
        fail(q, error, what);
        m_db.rollback();
        return false;
    };
    const auto maxId = [&](const char *statement, qint64 *id) { return readInteger(statement, id, nullptr); };
    qint64 eventBase = 0, alertBase = 0, responseBase = 0;
    if (!maxId(sql::GenerateMaxEventId, &eventBase) || !maxId(sql::MaxAlertId, &alertBase)
        || !maxId(sql::GenerateMaxResponseId, &responseBase)) {
        *error = ConsoleStoreText::tr("cannot read the last ids: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    // Runs `head` + n × `tuple` for the rows [first, first + n), binding `bind(row, values)`.
    QHash<QString, QSqlQuery> statements;
    const auto insertRows = [&](const char *head, const char *tuple, qsizetype total,
                                const std::function<void(qsizetype, QVariantList &)> &bind) {
        QVariantList values;
        for (qsizetype first = 0; first < total; first += kRowsPerStatement) {
            const int n = int(std::min<qsizetype>(kRowsPerStatement, total - first));
            const QString key = QString::fromLatin1(head) + QString::number(n);
            auto it = statements.find(key);
            if (it == statements.end()) {
                QString text = QString::fromLatin1(head);
                for (int i = 0; i < n; ++i) {
                    if (i > 0)
                        text.append(QLatin1String(", "));
                    text.append(QLatin1String(tuple));
                }
                QSqlQuery q(m_db);
                q.setForwardOnly(true);
                if (!q.prepare(text))
                    return rollback(q, head);
                it = statements.insert(key, q);
            }
            values.clear();
            for (qsizetype r = first; r < first + n; ++r)
                bind(r, values);
            for (qsizetype i = 0; i < values.size(); ++i)
                it->bindValue(int(i), values.at(i));
            if (!it->exec())
                return rollback(*it, head);
        }
        return true;
    };
    const QVariant nullInt(QMetaType::fromType<qint64>());
    if (!insertRows(sql::GenerateEvents, sql::GenerateEventTuple, chunk.events.size(), [&](qsizetype i, QVariantList &v) {
            const GeneratedEvent &e = chunk.events.at(i);
            v << eventBase + 1 + i << e.eventId << e.timeMs << engine::toString(e.type) << e.sourceType << e.sourceId
              << QString::fromUtf8(e.fieldsJson) << e.timeMs;
        }))
        return false;
    struct ResponseRef
    {
        qsizetype alert;
        qsizetype response;
    };
    QList<ResponseRef> responses;
    for (qsizetype i = 0; i < chunk.alerts.size(); ++i)
        for (qsizetype r = 0; r < chunk.alerts.at(i).responses.size(); ++r)
            responses.append({i, r});
    if (!insertRows(sql::GenerateAlerts, sql::GenerateAlertTuple, chunk.alerts.size(), [&](qsizetype i, QVariantList &v) {
            const GeneratedAlert &a = chunk.alerts.at(i);
            const qint64 eventRowId = a.eventIndex >= 0 ? eventBase + 1 + a.eventIndex : a.eventRowId;
            v << alertBase + 1 + i << nullableId(a.ruleId) << a.ruleName << nullableId(eventRowId) << engine::toString(a.type)
              << engine::toString(a.severity) << a.message << QString::fromUtf8(a.detailsJson) << a.sourceType << a.sourceId
              << engine::toString(a.status) << a.createdAtMs << nullableId(a.acknowledgedBy)
              << (a.acknowledgedAtMs > 0 ? QVariant(a.acknowledgedAtMs) : nullInt) << nullableId(a.resolvedBy)
              << (a.resolvedAtMs > 0 ? QVariant(a.resolvedAtMs) : nullInt)
              << (a.resolutionNotes.isNull() ? QStringLiteral("") : a.resolutionNotes) << nullableId(a.assignedTo);
        }))
        return false;
    if (!insertRows(sql::GenerateResponses, sql::GenerateResponseTuple, responses.size(), [&](qsizetype i, QVariantList &v) {
            const GeneratedAlert &a = chunk.alerts.at(responses.at(i).alert);
            const GeneratedResponse &r = a.responses.at(responses.at(i).response);
            v << responseBase + 1 + i << alertBase + 1 + responses.at(i).alert << r.userId << r.action
              << (r.notes.isNull() ? QStringLiteral("") : r.notes) << r.timeMs << 1 << r.timeMs - a.createdAtMs;
        }))
        return false;
    if (m_url.kind == DatabaseUrl::Kind::PostgreSQL) {
        const std::pair<const char *, qint64> lastIds[] = {{"events", eventBase + chunk.events.size()},
                                                           {"alerts", alertBase + chunk.alerts.size()},
                                                           {"alert_responses", responseBase + responses.size()}};
        for (const auto &[table, lastId] : lastIds) {
            if (lastId < 1)
                continue; // an empty table: its sequence starts at 1 as it is
            QSqlQuery &q = prepared(sql::GenerateAdvanceIdentity);
            q.bindValue(0, QString::fromLatin1(table));
            q.bindValue(1, lastId);
            if (!q.exec())
                return rollback(q, sql::GenerateAdvanceIdentity);
            q.finish();
        }
    }
    if (!m_db.commit()) {
        *error = ConsoleStoreText::tr("cannot commit generated history: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

QString Store::textIndexPath(const DatabaseUrl &url)
{
    if (url.kind != DatabaseUrl::Kind::SQLite)
        return QString();
    if (url.path == QStringLiteral(":memory:"))
        return url.path;
    return url.path + QStringLiteral("-text");
}

bool Store::attachTextIndex(QString *error)
{
    const QString path = textIndexPath(m_url);
    const auto failed = [&](const QSqlQuery &q) {
        *error = ConsoleStoreText::tr("cannot open the free-text index %1: %2. Check that its folder is writable;"
                                      " the file may be deleted while Vigil is stopped (it is built again).")
                     .arg(path, q.lastError().text());
        return false;
    };
    QSqlQuery q(m_db);
    if (!q.prepare(QLatin1String(sql::AttachTextIndex)))
        return failed(q);
    q.bindValue(0, path);
    if (!q.exec())
        return failed(q);
    q.finish(); // the journal mode cannot change while a statement of the connection is open
    // Derived data, so a commit needs no fsync of its own: a power cut loses at most the last
    // passes, and their watermark with them.
    for (const char *pragma : {"PRAGMA search.journal_mode = WAL", "PRAGMA search.synchronous = NORMAL",
                               "PRAGMA search.cache_size = -16384"}) {
        QSqlQuery p(m_db);
        if (!p.exec(QLatin1String(pragma)))
            return failed(p);
    }
    return true;
}

bool Store::prepareTextIndex(QString *error)
{
    if (m_url.kind != DatabaseUrl::Kind::SQLite)
        return true;
    const QString database = setting(QLatin1String(sql::TextDatabaseSetting));
    qint64 maxId = 0;
    if (database.isEmpty() || !maxAlertId(&maxId, error)) {
        if (database.isEmpty())
            *error = ConsoleStoreText::tr("the database %1 has no free-text index identity (schema migration 10)")
                         .arg(m_url.displayName());
        return false;
    }
    // Whether the file is this database's, complete up to an alert that exists. Read without
    // a lock first: every connection opens through here, and the answer is nearly always yes.
    const auto current = [&](bool *ok) {
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        *ok = false;
        if (!q.exec(QLatin1String(sql::TextIndexTables)) || !q.next())
            return fail(q, error, sql::TextIndexTables);
        if (q.value(0).toInt() != 2)
            return true;
        if (!q.exec(QLatin1String(sql::TextState)))
            return fail(q, error, sql::TextState);
        *ok = q.next() && q.value(0).toString() == database && q.value(1).toLongLong() <= maxId;
        return true;
    };
    bool ok = false;
    if (!current(&ok))
        return false;
    if (ok)
        return true;
    if (!m_db.transaction()) {
        *error = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    QSqlQuery q(m_db);
    const auto rollback = [&](const char *what) {
        fail(q, error, what);
        m_db.rollback();
        return false;
    };
    // Under the index file's write lock (taken by the first statement that writes it): another
    // connection may have made it meanwhile.
    if (!q.exec(QLatin1String(sql::CreateTextState)))
        return rollback(sql::CreateTextState);
    if (!current(&ok)) {
        m_db.rollback();
        return false;
    }
    if (!ok) {
        if (!q.exec(QLatin1String(sql::DropTextIndex)))
            return rollback(sql::DropTextIndex);
        if (!q.exec(QLatin1String(sql::DropTextState)))
            return rollback(sql::DropTextState);
        if (!q.exec(QLatin1String(sql::CreateTextIndex)))
            return rollback(sql::CreateTextIndex);
        if (!q.exec(QLatin1String(sql::CreateTextState)))
            return rollback(sql::CreateTextState);
        if (!q.prepare(QLatin1String(sql::ResetTextState)))
            return rollback(sql::ResetTextState);
        q.bindValue(0, database);
        if (!q.exec())
            return rollback(sql::ResetTextState);
        if (!setTextIndexOptions(false, error)) {
            m_db.rollback();
            return false;
        }
        // Changes noted before now are covered: every alert is indexed as it is from here on.
        if (!q.exec(QLatin1String(sql::ClearTextChanges)))
            return rollback(sql::ClearTextChanges);
    }
    if (!m_db.commit()) {
        *error = ConsoleStoreText::tr("cannot commit the free-text index: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::setTextIndexOptions(bool bulkLoad, QString *error)
{
    const std::pair<const char *, int> options[] = {
        {"automerge", bulkLoad ? 0 : 4}, {"crisismerge", 10000}, {"hashsize", bulkLoad ? 64 << 20 : 1 << 20}};
    QSqlQuery &q = prepared(sql::TextIndexOption);
    for (const auto &[name, value] : options) {
        q.bindValue(0, QString::fromLatin1(name));
        q.bindValue(1, value);
        if (!q.exec())
            return fail(q, error, sql::TextIndexOption);
    }
    return true;
}

void Store::setCacheSize(int kib)
{
    if (m_url.kind != DatabaseUrl::Kind::SQLite)
        return;
    QSqlQuery q(m_db);
    q.exec(QStringLiteral("PRAGMA cache_size = -%1").arg(std::max(kib, 1024)));
}

bool Store::indexAlertText(qint64 maxAlerts, qint64 *indexed, QString *error, const std::function<bool()> &cancelled)
{
    if (indexed)
        *indexed = 0;
    if (m_url.kind != DatabaseUrl::Kind::SQLite)
        return true;
    std::optional<SqliteCancel> cancel;
    if (cancelled)
        cancel.emplace(m_db, cancelled);
    // First what to index, each read a statement of its own: the database's snapshot lasts as
    // long as one read, never a whole pass, so the index never keeps the write-ahead log that
    // the ingest writer appends to from starting over (a pass holding it let the log grow to
    // 150 MB over three million events, and every commit paid for checkpointing it).
    qint64 through = 0, maxId = 0;
    if (!readInteger(sql::TextThrough, &through, error) || !maxAlertId(&maxId, error))
        return false;
    constexpr int kChangesPerPass = 10'000;
    QSqlQuery &changes = prepared(sql::TextChanges);
    changes.bindValue(0, kChangesPerPass);
    if (!changes.exec())
        return fail(changes, error, sql::TextChanges);
    qint64 lastChange = 0;
    QList<qint64> changed;
    QSet<qint64> seen;
    while (changes.next()) {
        lastChange = changes.value(0).toLongLong();
        const qint64 id = changes.value(1).toLongLong();
        // Alerts not indexed yet are indexed as they are now, when their turn comes.
        if (id <= through && !seen.contains(id)) {
            seen.insert(id);
            changed.append(id);
        }
    }
    changes.finish();
    const qint64 upTo = maxAlerts > 0 ? std::min(maxId, through + maxAlerts) : maxId;
    struct Text
    {
        qint64 id;
        QString message, rule, source, fields;
    };
    QList<Text> texts;
    const auto readTexts = [&](QSqlQuery &q, const char *statement) {
        if (!q.exec())
            return fail(q, error, statement);
        while (q.next())
            texts.append({q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString(),
                          q.value(4).toString()});
        q.finish();
        return true;
    };
    if (upTo > through) {
        QSqlQuery &read = prepared(sql::ReadNewAlertText);
        read.bindValue(0, through);
        read.bindValue(1, upTo);
        if (!readTexts(read, sql::ReadNewAlertText))
            return false;
    }
    for (qint64 id : std::as_const(changed)) {
        QSqlQuery &read = prepared(sql::ReadAlertText); // nothing when it was deleted
        read.bindValue(0, id);
        if (!readTexts(read, sql::ReadAlertText))
            return false;
    }
    // Then one transaction of the index's file: many alerts make one new segment of the index
    // (one per ingest commit kept it merging).
    if (!m_db.transaction()) {
        *error = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const auto rollback = [&](QSqlQuery &q, const char *what) {
        fail(q, error, what);
        q.finish();
        m_db.rollback();
        return false;
    };
    QSqlQuery &lock = prepared(sql::LockTextIndex);
    if (!lock.exec())
        return rollback(lock, sql::LockTextIndex);
    qint64 stillThrough = 0;
    if (!readInteger(sql::TextThrough, &stillThrough, error)) {
        m_db.rollback();
        return false;
    }
    if (stillThrough != through) {
        // Another connection (a second console, vigil generate) indexed meanwhile: the next
        // pass starts from where it ended.
        m_db.rollback();
        return true;
    }
    for (qint64 id : std::as_const(changed)) {
        QSqlQuery &drop = prepared(sql::DropTextRow);
        drop.bindValue(0, id);
        if (!drop.exec())
            return rollback(drop, sql::DropTextRow);
    }
    QSqlQuery &insert = prepared(sql::InsertAlertText);
    for (const Text &t : std::as_const(texts)) {
        insert.bindValue(0, t.id);
        insert.bindValue(1, t.message);
        insert.bindValue(2, t.rule);
        insert.bindValue(3, t.source);
        insert.bindValue(4, t.fields);
        if (!insert.exec())
            return rollback(insert, sql::InsertAlertText);
    }
    if (upTo > through) {
        QSqlQuery &mark = prepared(sql::SetTextThrough);
        mark.bindValue(0, upTo);
        if (!mark.exec())
            return rollback(mark, sql::SetTextThrough);
    }
    if (!m_db.commit()) {
        *error = ConsoleStoreText::tr("cannot commit the free-text index: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    if (lastChange > 0) {
        // The database's write lock, briefly, and only when alerts changed. Should this fail,
        // the next pass indexes the same alerts again, which changes nothing.
        QSqlQuery &forget = prepared(sql::ForgetTextChanges);
        forget.bindValue(0, lastChange);
        if (!forget.exec())
            return fail(forget, error, sql::ForgetTextChanges);
    }
    if (indexed)
        *indexed = upTo - through;
    return true;
}

bool Store::beginBulkLoad(QString *error)
{
    if (m_url.kind != DatabaseUrl::Kind::SQLite)
        return true;
    // Each alert row would otherwise update every index on its way in; building them once at
    // the end from sorted data is faster. (The free-text index is another file, written
    // after the rows are in: finishBulkLoad.)
    if (!finishBulkLoad(error))
        return false;
    if (!m_db.transaction()) {
        *error = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const auto rollback = [&](const QSqlQuery &q, const char *what) {
        fail(q, error, what);
        m_db.rollback();
        return false;
    };
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    QStringList names;
    QJsonObject indexes;
    if (!q.exec(QLatin1String(sql::AlertIndexDefinitions)))
        return rollback(q, sql::AlertIndexDefinitions);
    while (q.next()) {
        names.append(q.value(0).toString());
        indexes.insert(q.value(0).toString(), q.value(1).toString());
    }
    q.finish();
    for (const QString &name : std::as_const(names)) {
        if (!q.exec(QString::fromLatin1(sql::DropIndex).arg(name)))
            return rollback(q, sql::DropIndex);
    }
    const QJsonObject pending{{QStringLiteral("indexes"), indexes}};
    if (!setSetting(QLatin1String(sql::BulkLoadSetting),
                    QString::fromUtf8(QJsonDocument(pending).toJson(QJsonDocument::Compact)), error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        *error = ConsoleStoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::finishBulkLoad(QString *error)
{
    if (m_url.kind != DatabaseUrl::Kind::SQLite)
        return true;
    QJsonObject pending = QJsonDocument::fromJson(setting(QLatin1String(sql::BulkLoadSetting)).toUtf8()).object();
    if (pending.isEmpty())
        return true;
    // Several steps, each its own transaction (one huge one would spill the page cache into
    // the write-ahead log and read it back page by page): the indexes one by one, then the
    // new alerts' text in slices. The pending note is updated with each step, so a step cut
    // short is redone, and one done is not done twice.
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.exec(QStringLiteral("PRAGMA cache_size = -262144"));
    const auto done = [&](bool ok) {
        q.exec(QStringLiteral("PRAGMA cache_size = -65536"));
        return ok;
    };
    const auto step = [&](const std::function<bool()> &work) {
        if (!m_db.transaction()) {
            *error = ConsoleStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
            return false;
        }
        if (!work()) {
            m_db.rollback();
            return false;
        }
        const QString note = pending.isEmpty() ? QStringLiteral("")
                                               : QString::fromUtf8(QJsonDocument(pending).toJson(QJsonDocument::Compact));
        if (!setSetting(QLatin1String(sql::BulkLoadSetting), note, error)) {
            m_db.rollback();
            return false;
        }
        if (!m_db.commit()) {
            *error = ConsoleStoreText::tr("cannot commit the rebuilt indexes: %1").arg(m_db.lastError().text());
            m_db.rollback();
            return false;
        }
        return true;
    };
    QJsonObject indexes = pending.value(QStringLiteral("indexes")).toObject();
    const QStringList names = indexes.keys();
    for (const QString &name : names) {
        const bool ok = step([&] {
            // Definitions read back from sqlite_master by beginBulkLoad().
            if (!q.exec(indexes.value(name).toString()))
                return fail(q, error, "CREATE INDEX (bulk load)");
            indexes.remove(name);
            pending.insert(QStringLiteral("indexes"), indexes);
            return true;
        });
        if (!ok)
            return done(false);
    }
    // The loaded alerts' text, in slices (each a transaction of the index's file, which keeps
    // its own watermark: a slice done is not done again), with the index set for a bulk load
    // meanwhile. A load begun before schema 10 noted more ("after", the insert trigger of
    // schema 4): the index of those days is gone, this one is complete when this returns.
    if (!setTextIndexOptions(true, error))
        return done(false);
    for (qint64 indexed = 1; indexed > 0;) {
        if (!indexAlertText(200'000, &indexed, error))
            return done(false);
    }
    if (!setTextIndexOptions(false, error))
        return done(false);
    const bool ok = step([&] {
        if (!q.exec(QLatin1String(sql::Analyze)))
            return fail(q, error, sql::Analyze);
        pending = QJsonObject();
        return true;
    });
    return done(ok);
}

// --- grouping ---
//
// Groups are folded once per query into a temporary table of the reading connection, numbered
// (pos) in the query's order, so every page afterwards is a primary-key range: scrolling a
// hundred thousand groups costs what scrolling a hundred thousand alerts does, and the GROUP BY
// over a million alerts runs once, not once per page. The window is a fixed time bucket
// (created_at / windowMs), not a gap between repeats, because a bucket is a pure function of
// one alert: the database groups it without a window function over the whole history, and the
// console can put a live alert into its group without asking the store.

namespace {
namespace groupSql {
constexpr const char *CreateTable =
    "CREATE TEMP TABLE IF NOT EXISTS alert_groups (pos INTEGER PRIMARY KEY, rule_name TEXT NOT NULL,"
    " source_id TEXT NOT NULL, bucket BIGINT NOT NULL, n BIGINT NOT NULL, first_seen BIGINT NOT NULL,"
    " last_seen BIGINT NOT NULL, top_rank INTEGER NOT NULL, first_id BIGINT NOT NULL, last_id BIGINT NOT NULL)";
constexpr const char *Clear = "DELETE FROM alert_groups";
constexpr const char *InsertHead =
    "INSERT INTO alert_groups (pos, rule_name, source_id, bucket, n, first_seen, last_seen, top_rank, first_id, last_id)"
    " SELECT ROW_NUMBER() OVER (ORDER BY ";
constexpr const char *InsertColumns =
    "), g.rule_name, g.source_id, g.bucket, g.n, g.first_seen, g.last_seen, g.top_rank, g.first_id, g.last_id FROM ";
// The groups of the matching alerts; composeWhere() and GroupTail go after it.
constexpr const char *Fold =
    "(SELECT a.rule_name AS rule_name, a.source_id AS source_id, a.created_at / ? AS bucket, COUNT(*) AS n,"
    " MIN(a.created_at) AS first_seen, MAX(a.created_at) AS last_seen,"
    " MAX" VIGIL_SEVERITY_RANK " AS top_rank,"
    " MIN(a.id) AS first_id, MAX(a.id) AS last_id FROM alerts a";
constexpr const char *GroupTail = " GROUP BY a.rule_name, a.source_id, a.created_at / ?) g";
// The same for a time range: grouping by an expression of the rule keeps SQLite from walking
// the whole rule index in group order instead of reading the range on the created_at index.
constexpr const char *RangeFold =
    "(SELECT a.rule_name || '' AS rule_name, a.source_id AS source_id, a.created_at / ? AS bucket, COUNT(*) AS n,"
    " MIN(a.created_at) AS first_seen, MAX(a.created_at) AS last_seen,"
    " MAX" VIGIL_SEVERITY_RANK " AS top_rank,"
    " MIN(a.id) AS first_id, MAX(a.id) AS last_id FROM alerts a";
constexpr const char *RangeGroupTail = " GROUP BY a.rule_name || '', a.source_id, a.created_at / ?) g";
// PostgreSQL takes the bucket's two parameters for two expressions, and the selected one for
// a column that is neither grouped nor aggregated: it groups by the output columns instead.
constexpr const char *PostgresGroupTail = " GROUP BY 1, 2, 3) g";
constexpr const char *JoinNewest = " JOIN alerts a ON a.id = g.last_id";
constexpr const char *Count = "SELECT COUNT(*) FROM alert_groups";
constexpr const char *RowColumns =
    "SELECT a.id, a.created_at, COALESCE(a.event_id, 0), a.rule_name, a.message, a.source_type, a.source_id,"
    " COALESCE(ua.username, ''), COALESCE(us.username, ''), a.severity, a.type, a.status,"
    " g.rule_name, g.source_id, g.bucket, g.n, g.first_seen, g.last_seen, g.top_rank, g.first_id";
constexpr const char *JoinNewestRow =
    " JOIN alerts a ON a.id = g.last_id"
    " LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users us ON us.id = a.assigned_to";
constexpr const char *Page =
    "SELECT a.id, a.created_at, COALESCE(a.event_id, 0), a.rule_name, a.message, a.source_type, a.source_id,"
    " COALESCE(ua.username, ''), COALESCE(us.username, ''), a.severity, a.type, a.status,"
    " g.rule_name, g.source_id, g.bucket, g.n, g.first_seen, g.last_seen, g.top_rank, g.first_id"
    " FROM alert_groups g JOIN alerts a ON a.id = g.last_id"
    " LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users us ON us.id = a.assigned_to"
    " WHERE g.pos > ? AND g.pos <= ? ORDER BY g.pos";

// SQLite: the fold reads the matching alerts in rule, source and time order, the order of
// alerts_rule_source_created (migration 5), which holds every column read here (the id is
// the row id), and folds each run of one rule, source and window as it comes: no GROUP BY
// sorter over a million rows, no table row read. Filters compose as in the flat view; the
// planner may find a rare filter's rows on its own index and sort those instead.
constexpr const char *Scan =
    "SELECT a.rule_name, a.source_id, a.created_at,"
    " " VIGIL_SEVERITY_RANK ", a.id FROM alerts a";
constexpr const char *ScanOrder = " ORDER BY a.rule_name, a.source_id, a.created_at";
// Silenced alerts are few: their ids are skipped in the fold, so it never reads a table row
// for silence_id (which the index does not hold).
constexpr const char *SilencedIds = "SELECT id FROM alerts WHERE silence_id IS NOT NULL";
// A page of folded groups: their newest alerts, by id.
constexpr const char *NewestOfPage = " WHERE a.id IN (";
// Orders by the newest alert's columns: the column's own index (migrations 1, 2 and 4: status,
// type, assignee and message, each followed by created_at and the row id) is read in its
// order, and each group ranked by where its newest alert comes: no table row is read.
constexpr const char *RankType = "SELECT a.id, a.type FROM alerts a WHERE +a.id <= ? ORDER BY a.type";
constexpr const char *RankMessage = "SELECT a.id, a.message FROM alerts a WHERE +a.id <= ? ORDER BY a.message";
constexpr const char *RankStatus = "SELECT a.id, a.status FROM alerts a WHERE +a.id <= ? ORDER BY a.status";
constexpr const char *RankAssignee = "SELECT a.id, a.assigned_to FROM alerts a WHERE +a.id <= ? ORDER BY a.assigned_to";
} // namespace groupSql
#undef VIGIL_SEVERITY_RANK

// The order of groups: by the newest alert's columns (a), or by the group's own (g). Time is
// the group's start, so a group never moves while it grows and a new one starts on top.
const char *groupOrderExpression(AlertSortKey key)
{
    switch (key) {
    case AlertSortKey::Time: return "g.first_seen";
    case AlertSortKey::Severity: return "g.top_rank";
    case AlertSortKey::Type: return "a.type";
    case AlertSortKey::Rule: return "g.rule_name";
    case AlertSortKey::Message: return "a.message";
    case AlertSortKey::Source: return "g.source_id";
    case AlertSortKey::Status: return "a.status";
    case AlertSortKey::Assignee: return "a.assigned_to";
    case AlertSortKey::Id: return "g.first_id";
    case AlertSortKey::Count: return "g.n";
    case AlertSortKey::LastSeen: return "g.last_seen";
    }
    return "g.first_seen";
}

bool orderNeedsNewest(AlertSortKey key)
{
    return QByteArray(groupOrderExpression(key)).startsWith("a.");
}

QString groupOrder(const AlertQuery &query)
{
    const QLatin1String dir = query.descending ? QLatin1String(" DESC") : QLatin1String(" ASC");
    QString order = QLatin1String(groupOrderExpression(query.sortKey)) + dir;
    if (query.sortKey != AlertSortKey::Time && query.sortKey != AlertSortKey::Id)
        order += QStringLiteral(", g.first_seen") + dir;
    if (query.sortKey != AlertSortKey::Id)
        order += QStringLiteral(", g.first_id") + dir;
    return order;
}

// "(SELECT … GROUP BY …) g" over the alerts matching `query`, and its values.
QString composeFold(const AlertQuery &query, qint64 windowMs, DatabaseUrl::Kind kind, bool hideSilenced,
                    QVariantList *values, bool range = false)
{
    QString fold = QLatin1String(range ? groupSql::RangeFold : groupSql::Fold);
    values->append(windowMs);
    // Every matching alert is read once, so the database's own planner chooses.
    composeWhere(query, queryTerms(query, kind), QueryPlan(), true, hideSilenced, &fold, values);
    if (kind != DatabaseUrl::Kind::SQLite)
        return fold + QLatin1String(groupSql::PostgresGroupTail);
    fold += QLatin1String(range ? groupSql::RangeGroupTail : groupSql::GroupTail);
    values->append(windowMs);
    return fold;
}

struct FoldKey
{
    int rule = 0;
    int source = 0;
    qint64 bucket = 0;
    bool operator==(const FoldKey &o) const = default;
};
size_t qHash(const FoldKey &key, size_t seed = 0) { return qHashMulti(seed, key.rule, key.source, key.bucket); }

} // namespace

// One group as the SQLite fold builds it; rule and source are indexes into its name lists.
struct FoldedGroup
{
    int rule = 0;
    int source = 0;
    qint64 bucket = 0;
    qint64 count = 0;
    qint64 firstSeen = 0;
    qint64 lastSeen = 0;
    int topRank = 0;
    qint64 firstId = 0;
    qint64 lastId = 0;
    qint64 newestRank = 0; // when the order is by the newest alert's column: its value's rank
};

// The groups of the last SQLite fold of a connection, in the query's order (see
// Store::buildAlertGroups): about 60 bytes a group, less than a table of them, and nothing to
// write. Pages join them to their newest alerts.
struct FoldedGroups
{
    std::vector<FoldedGroup> groups;
    QStringList rules;
    QStringList sources;
};

namespace {

// The statement ranking the newest alerts' column for `key`, or nullptr when the order needs
// none.
const char *rankStatement(AlertSortKey key)
{
    switch (key) {
    case AlertSortKey::Type: return groupSql::RankType;
    case AlertSortKey::Message: return groupSql::RankMessage;
    case AlertSortKey::Status: return groupSql::RankStatus;
    case AlertSortKey::Assignee: return groupSql::RankAssignee;
    default: return nullptr;
    }
}

// Puts `groups` in the order groupOrder() gives in SQL: the key, then first seen, then first
// id, all in the query's direction (BINARY text order is byte order, NULL the lowest).
void sortFolded(const AlertQuery &query, const QList<QByteArray> &rules, const QList<QByteArray> &sources,
                std::vector<FoldedGroup> *groups)
{
    // Names by rank, so comparing two groups compares integers.
    const auto ranks = [](const QList<QByteArray> &names) {
        std::vector<int> order(names.size()), rank(names.size());
        for (qsizetype i = 0; i < names.size(); ++i)
            order[i] = int(i);
        std::sort(order.begin(), order.end(), [&](int a, int b) { return names.at(a) < names.at(b); });
        for (std::size_t i = 0; i < order.size(); ++i)
            rank[order[i]] = int(i);
        return rank;
    };
    const std::vector<int> ruleRank = query.sortKey == AlertSortKey::Rule ? ranks(rules) : std::vector<int>();
    const std::vector<int> sourceRank = query.sortKey == AlertSortKey::Source ? ranks(sources) : std::vector<int>();
    const AlertSortKey key = query.sortKey;
    const auto primary = [&](const FoldedGroup &g) -> qint64 {
        switch (key) {
        case AlertSortKey::Severity: return g.topRank;
        case AlertSortKey::Rule: return ruleRank[g.rule];
        case AlertSortKey::Source: return sourceRank[g.source];
        case AlertSortKey::Count: return g.count;
        case AlertSortKey::LastSeen: return g.lastSeen;
        case AlertSortKey::Id: return g.firstId;
        case AlertSortKey::Type:
        case AlertSortKey::Message:
        case AlertSortKey::Status:
        case AlertSortKey::Assignee: return g.newestRank;
        case AlertSortKey::Time: return g.firstSeen;
        }
        return g.firstSeen;
    };
    const auto less = [&](const FoldedGroup &a, const FoldedGroup &b) {
        const qint64 pa = primary(a), pb = primary(b);
        if (pa != pb)
            return pa < pb;
        if (a.firstSeen != b.firstSeen)
            return a.firstSeen < b.firstSeen;
        return a.firstId < b.firstId;
    };
    if (query.descending)
        std::sort(groups->begin(), groups->end(), [&](const FoldedGroup &a, const FoldedGroup &b) { return less(b, a); });
    else
        std::sort(groups->begin(), groups->end(), less);
}

AlertGroupRow groupFromQuery(const QSqlQuery &q)
{
    AlertGroupRow g;
    g.newest = rowFromQuery(q);
    g.ruleName = q.value(12).toString();
    g.sourceId = q.value(13).toString();
    g.bucket = q.value(14).toLongLong();
    g.count = q.value(15).toLongLong();
    g.firstSeenMs = q.value(16).toLongLong();
    g.lastSeenMs = q.value(17).toLongLong();
    g.topSeverity = engine::Severity(std::clamp(q.value(18).toInt(), 0, 3));
    g.firstId = q.value(19).toLongLong();
    return g;
}
} // namespace

bool Store::buildAlertGroups(const AlertQuery &query, qint64 windowMs, qint64 *groups, QString *error,
                             const std::function<bool()> &cancelled)
{
    if (windowMs <= 0) {
        *error = ConsoleStoreText::tr("the grouping window must be longer than zero");
        return false;
    }
    const auto exec = [&](const char *statement) {
        QSqlQuery &q = prepared(statement);
        if (!q.exec())
            return fail(q, error, statement);
        q.finish();
        return true;
    };
    m_folded.reset();
    if (m_url.kind == DatabaseUrl::Kind::SQLite) {
        if (!exec(groupSql::CreateTable))
            return false;
    } else {
        // PostgreSQL prepares no CREATE: the fixed statement (nothing bound) runs as it is.
        QSqlQuery create(m_db);
        if (!create.exec(QLatin1String(groupSql::CreateTable)))
            return fail(create, error, groupSql::CreateTable);
    }
    if (!exec(groupSql::Clear))
        return false;
    if (cancelled && cancelled())
        return false;
    if (m_url.kind == DatabaseUrl::Kind::SQLite)
        return foldAlertGroups(query, windowMs, groups, error, cancelled);
    // PostgreSQL: its own GROUP BY (hashed, parallel) does it in one statement.
    // The newest alert is joined only when the order needs its columns (type, message, status,
    // assignee): a join per group costs as much as the fold itself over a million alerts.
    QVariantList values;
    QString statement = QLatin1String(groupSql::InsertHead) + groupOrder(query) + QLatin1String(groupSql::InsertColumns)
        + composeFold(query, windowMs, m_url.kind, !query.showSilenced && hasSilencedAlerts(query.maxId), &values);
    if (orderNeedsNewest(query.sortKey))
        statement += QLatin1String(groupSql::JoinNewest);
    QSqlQuery q(m_db);
    if (!execComposed(q, statement, values, false, groupSql::InsertHead, error))
        return false;
    q.finish();
    if (cancelled && cancelled()) {
        exec(groupSql::Clear); // stopped after the statement: no groups are left
        return false;
    }
    QSqlQuery &count = prepared(groupSql::Count);
    if (!count.exec() || !count.next())
        return fail(count, error, groupSql::Count);
    *groups = count.value(0).toLongLong();
    count.finish();
    return true;
}

bool Store::foldAlertGroups(const AlertQuery &query, qint64 windowMs, qint64 *groups, QString *error,
                            const std::function<bool()> &cancelled)
{
    // SQLite asks `cancelled` while a statement runs (a sort inside one included); the loops
    // below ask it themselves every 4096 rows.
    SqliteCancel guard(m_db, cancelled);
    const auto stop = [&](qint64 n) { return (n & 0xfff) == 0 && cancelled && cancelled(); };
    const auto failed = [&](SqliteStatement &st, const QString &message) {
        st.reset();
        if (!st.interrupted() && !guard.fired())
            *error = ConsoleStoreText::tr("database error (%1) while grouping alerts: %2").arg(m_url.displayName(), message);
        return false;
    };

    // The silenced alerts of the snapshot, when they are to be left out.
    std::vector<qint64> silenced;
    if (!query.showSilenced && hasSilencedAlerts(query.maxId)) {
        QString prepareError;
        auto ids = SqliteStatement::prepare(m_db, groupSql::SilencedIds, &prepareError);
        if (!ids) {
            *error = ConsoleStoreText::tr("database error (%1) while grouping alerts: %2").arg(m_url.displayName(), prepareError);
            return false;
        }
        QString stepError;
        int rc;
        while ((rc = ids->step(&stepError)) == 1)
            if (query.maxId <= 0 || ids->columnInt64(0) <= query.maxId)
                silenced.push_back(ids->columnInt64(0));
        if (rc < 0)
            return failed(*ids, stepError);
        ids->reset();
        std::sort(silenced.begin(), silenced.end());
    }

    // In index order when every condition can be checked on the index (rule, source, time,
    // severity; free text is a set of ids): then a group's alerts come as one run. A status,
    // type or assignee needs the alert's row: the planner then finds the rows its own way (a
    // rare status on its index) and the fold looks each group up.
    const bool ordered = query.statuses.isEmpty() && query.types.isEmpty() && query.assignee.isEmpty();
    QVariantList values;
    QString statement = QLatin1String(groupSql::Scan);
    composeWhere(query, queryTerms(query, m_url.kind), QueryPlan(), true, false, &statement, &values);
    if (ordered)
        statement += QLatin1String(groupSql::ScanOrder);
    QString prepareError;
    auto scan = SqliteStatement::prepare(m_db, statement.toUtf8().constData(), &prepareError);
    if (!scan) {
        *error = ConsoleStoreText::tr("database error (%1) while grouping alerts: %2").arg(m_url.displayName(), prepareError);
        return false;
    }
    for (qsizetype i = 0; i < values.size(); ++i)
        scan->bindValue(int(i) + 1, values.at(i));

    // Ordered, a group's alerts are one run of rows; otherwise groups are looked up by key.
    std::vector<FoldedGroup> folded;
    QHash<FoldKey, qsizetype> byKey;
    QList<QByteArray> rules, sources;
    QHash<QByteArray, int> ruleIds, sourceIds;
    const auto intern = [](QList<QByteArray> &names, QHash<QByteArray, int> &ids, QByteArrayView name) {
        const auto it = ids.constFind(QByteArray::fromRawData(name.data(), name.size()));
        if (it != ids.constEnd())
            return *it;
        names.append(name.toByteArray());
        ids.insert(names.constLast(), int(names.size() - 1));
        return int(names.size() - 1);
    };
    int rule = -1, source = -1;
    QString stepError;
    int rc;
    for (qint64 n = 1; (rc = scan->step(&stepError)) == 1; ++n) {
        if (stop(n)) {
            scan->reset();
            return false;
        }
        const qint64 id = scan->columnInt64(4);
        if (!silenced.empty() && std::binary_search(silenced.cbegin(), silenced.cend(), id))
            continue;
        const QByteArrayView ruleName = scan->columnText(0);
        const QByteArrayView sourceId = scan->columnText(1);
        const qint64 createdAt = scan->columnInt64(2);
        const int rank = int(scan->columnInt64(3));
        const qint64 bucket = createdAt / windowMs;
        if (rule < 0 || ruleName != QByteArrayView(rules.at(rule))) {
            rule = intern(rules, ruleIds, ruleName);
            source = -1;
        }
        if (source < 0 || sourceId != QByteArrayView(sources.at(source)))
            source = intern(sources, sourceIds, sourceId);
        FoldedGroup *g = folded.empty() ? nullptr : &folded.back();
        if (g && !(g->rule == rule && g->source == source && g->bucket == bucket)) {
            g = nullptr;
            if (!ordered)
                if (const auto it = byKey.constFind({rule, source, bucket}); it != byKey.constEnd())
                    g = &folded[std::size_t(*it)];
        }
        if (g) {
            ++g->count;
            g->firstSeen = std::min(g->firstSeen, createdAt);
            g->lastSeen = std::max(g->lastSeen, createdAt);
            g->topRank = std::max(g->topRank, rank);
            g->firstId = std::min(g->firstId, id);
            g->lastId = std::max(g->lastId, id);
            continue;
        }
        if (!ordered)
            byKey.insert({rule, source, bucket}, qsizetype(folded.size()));
        folded.push_back({rule, source, bucket, 1, createdAt, createdAt, rank, id, id, 0});
    }
    if (rc < 0)
        return failed(*scan, stepError);
    scan.reset();

    // The newest alerts' column, when the order is by one: its index read in its order, each
    // distinct value a rank (NULL first, as SQL sorts it), each group given its newest's rank.
    if (const char *rankSql = rankStatement(query.sortKey)) {
        QHash<qint64, qsizetype> byNewest;
        byNewest.reserve(qsizetype(folded.size()));
        for (std::size_t i = 0; i < folded.size(); ++i)
            byNewest.insert(folded[i].lastId, qsizetype(i));
        auto ranks = SqliteStatement::prepare(m_db, rankSql, &prepareError);
        if (!ranks) {
            *error = ConsoleStoreText::tr("database error (%1) while grouping alerts: %2").arg(m_url.displayName(), prepareError);
            return false;
        }
        ranks->bindInt64(1, query.maxId > 0 ? query.maxId : std::numeric_limits<qint64>::max());
        qint64 rank = 0;
        QByteArray previous;
        bool previousNull = false;
        for (qint64 n = 1; (rc = ranks->step(&stepError)) == 1; ++n) {
            if (stop(n)) {
                ranks->reset();
                return false;
            }
            const bool null = ranks->columnIsNull(1);
            const QByteArrayView value = ranks->columnText(1);
            if (n == 1 || null != previousNull || value != QByteArrayView(previous)) {
                ++rank;
                previous = value.toByteArray();
                previousNull = null;
            }
            if (const auto it = byNewest.constFind(ranks->columnInt64(0)); it != byNewest.constEnd())
                folded[std::size_t(*it)].newestRank = rank;
        }
        if (rc < 0)
            return failed(*ranks, stepError);
        ranks->reset();
    }

    // Kept in the query's order; pages are read from them (the table stays empty).
    sortFolded(query, rules, sources, &folded);
    auto kept = std::make_shared<FoldedGroups>();
    for (const QByteArray &name : std::as_const(rules))
        kept->rules.append(QString::fromUtf8(name));
    for (const QByteArray &name : std::as_const(sources))
        kept->sources.append(QString::fromUtf8(name));
    kept->groups = std::move(folded);
    *groups = qint64(kept->groups.size());
    m_folded = std::move(kept);
    return true;
}
bool Store::alertGroupRows(qint64 offset, int limit, QList<AlertGroupRow> *rows, QString *error)
{
    if (m_folded) {
        const std::vector<FoldedGroup> &all = m_folded->groups;
        const std::size_t first = std::size_t(std::clamp<qint64>(offset, 0, qint64(all.size())));
        const std::size_t end = std::min(all.size(), first + std::size_t(std::max(limit, 0)));
        QList<AlertGroupRow> out;
        if (first == end) {
            *rows = out;
            return true;
        }
        // The page's newest alerts in one statement, by id.
        QString statement = QLatin1String(sql::AlertRowSelect) + QLatin1String(groupSql::NewestOfPage);
        for (std::size_t i = first; i < end; ++i)
            statement.append(i == first ? QStringLiteral("?") : QStringLiteral(", ?"));
        statement.append(QLatin1Char(')'));
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (!q.prepare(statement))
            return fail(q, error, groupSql::NewestOfPage);
        for (std::size_t i = first; i < end; ++i)
            q.bindValue(int(i - first), all[i].lastId);
        if (!q.exec())
            return fail(q, error, groupSql::NewestOfPage);
        QHash<qint64, AlertRow> newest;
        while (q.next()) {
            const AlertRow r = rowFromQuery(q);
            newest.insert(r.id, r);
        }
        out.reserve(qsizetype(end - first));
        for (std::size_t i = first; i < end; ++i) {
            const FoldedGroup &f = all[i];
            AlertGroupRow g;
            g.ruleName = m_folded->rules.at(f.rule);
            g.sourceId = m_folded->sources.at(f.source);
            g.bucket = f.bucket;
            g.count = f.count;
            g.firstSeenMs = f.firstSeen;
            g.lastSeenMs = f.lastSeen;
            g.topSeverity = engine::Severity(std::clamp(f.topRank, 0, 3));
            g.firstId = f.firstId;
            g.newest = newest.value(f.lastId);
            out.append(g);
        }
        *rows = std::move(out);
        return true;
    }
    QSqlQuery &q = prepared(groupSql::Page);
    q.bindValue(0, offset);
    q.bindValue(1, offset + limit);
    if (!q.exec())
        return fail(q, error, groupSql::Page);
    QList<AlertGroupRow> out;
    out.reserve(limit);
    while (q.next())
        out.append(groupFromQuery(q));
    q.finish();
    *rows = std::move(out);
    return true;
}

bool Store::alertGroupsFirst(const AlertQuery &query, qint64 windowMs, int limit, QList<AlertGroupRow> *rows, QString *error)
{
    if (windowMs <= 0) {
        *error = ConsoleStoreText::tr("the grouping window must be longer than zero");
        return false;
    }
    QVariantList values;
    QString statement = QLatin1String(groupSql::RowColumns) + QStringLiteral(" FROM ")
        + composeFold(query, windowMs, m_url.kind, !query.showSilenced && hasSilencedAlerts(query.maxId), &values,
                      query.fromMs > 0)
        + QLatin1String(groupSql::JoinNewestRow) + QStringLiteral(" ORDER BY ") + groupOrder(query) + QStringLiteral(" LIMIT ?");
    values.append(limit);
    QSqlQuery q(m_db);
    if (!execComposed(q, statement, values, true, groupSql::RowColumns, error))
        return false;
    QList<AlertGroupRow> out;
    while (q.next())
        out.append(groupFromQuery(q));
    *rows = std::move(out);
    return true;
}

} // namespace vigil::models
