// The store's side of the analyst console and of `vigil generate`: paging, sorting and
// filtering over all alerts, bulk triage, assignment, comments, history, bulk history writes.
//
// The page and count statements are composed from the fixed fragments below (never from user
// text: every value is a bound parameter) and then prepared; the ORDER BY of each sort key
// matches an index of schema migration 2, so sorting a million alerts walks an index.

#include "store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <functional>

namespace vigil::models {

namespace {

class ConsoleStoreText
{
    Q_DECLARE_TR_FUNCTIONS(Store)
};

namespace sql {
constexpr const char *AlertRowSelect =
    "SELECT a.id, a.created_at, COALESCE(a.event_id, 0), a.rule_name, a.message, a.source_type, a.source_id,"
    " COALESCE(ua.username, ''), COALESCE(us.username, ''), a.severity, a.type, a.status"
    " FROM alerts a LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users us ON us.id = a.assigned_to";
constexpr const char *AlertCountSelect = "SELECT COUNT(*) FROM alerts a";
constexpr const char *AlertIdSelect = "SELECT a.id FROM alerts a";
constexpr const char *WhereAll = " WHERE 1 = 1";
// The unary + keeps the planner from trading the sort index for a row-id range scan.
constexpr const char *WhereMaxId = " AND +a.id <= ?";
constexpr const char *SeverityRank =
    "(CASE a.severity WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END)";
constexpr const char *WhereSeverityIn = " AND (CASE a.severity WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END) IN (";
constexpr const char *WhereStatusIn = " AND a.status IN (";
constexpr const char *WhereTypeIn = " AND a.type IN (";
constexpr const char *WhereRuleIn = " AND a.rule_name IN (";
constexpr const char *WhereSource = " AND a.source_id = ?";
constexpr const char *WhereAssignee = " AND a.assigned_to = (SELECT id FROM users WHERE username = ?)";
constexpr const char *WhereUnassigned = " AND a.assigned_to IS NULL";
constexpr const char *WhereFrom = " AND a.created_at >= ?";
constexpr const char *WhereTo = " AND a.created_at < ?";
constexpr const char *WhereText =
    " AND (a.message LIKE ? ESCAPE '!' OR a.rule_name LIKE ? ESCAPE '!' OR a.source_id LIKE ? ESCAPE '!'"
    " OR EXISTS (SELECT 1 FROM events e WHERE e.id = a.event_id AND e.fields LIKE ? ESCAPE '!'))";
constexpr const char *LimitOffset = " LIMIT ? OFFSET ?";
constexpr const char *WhereIdInPage = " WHERE a.id IN (";
constexpr const char *WhereId = " AND a.id = ?";

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

// Appends the WHERE clause of `query` to `statement` and collects the values to bind.
void composeWhere(const AlertQuery &query, QString *statement, QVariantList *values)
{
    statement->append(QLatin1String(sql::WhereAll));
    const auto inList = [&](const char *head, const QVariantList &items) {
        statement->append(QLatin1String(head));
        for (qsizetype i = 0; i < items.size(); ++i)
            statement->append(i == 0 ? QStringLiteral("?") : QStringLiteral(", ?"));
        statement->append(QLatin1Char(')'));
        values->append(items);
    };
    if (query.maxId > 0) {
        statement->append(QLatin1String(sql::WhereMaxId));
        values->append(query.maxId);
    }
    if (!query.severities.isEmpty()) {
        QVariantList v;
        for (engine::Severity s : query.severities)
            v.append(int(s));
        inList(sql::WhereSeverityIn, v);
    }
    if (!query.statuses.isEmpty()) {
        QVariantList v;
        for (engine::AlertStatus s : query.statuses)
            v.append(engine::toString(s));
        inList(sql::WhereStatusIn, v);
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
    if (!query.source.isEmpty()) {
        statement->append(QLatin1String(sql::WhereSource));
        values->append(query.source);
    }
    if (query.assignee == QStringLiteral("-")) {
        statement->append(QLatin1String(sql::WhereUnassigned));
    } else if (!query.assignee.isEmpty()) {
        statement->append(QLatin1String(sql::WhereAssignee));
        values->append(query.assignee);
    }
    if (query.fromMs > 0) {
        statement->append(QLatin1String(sql::WhereFrom));
        values->append(query.fromMs);
    }
    if (query.toMs > 0) {
        statement->append(QLatin1String(sql::WhereTo));
        values->append(query.toMs);
    }
    if (!query.text.trimmed().isEmpty()) {
        statement->append(QLatin1String(sql::WhereText));
        const QString pattern = likePattern(query.text.trimmed());
        for (int i = 0; i < 4; ++i)
            values->append(pattern);
    }
}

void composeOrder(const AlertQuery &query, QString *statement)
{
    const QLatin1String dir = query.descending ? QLatin1String(" DESC") : QLatin1String(" ASC");
    statement->append(QStringLiteral(" ORDER BY "));
    statement->append(QLatin1String(orderExpression(query.sortKey)));
    statement->append(dir);
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
    return r;
}

bool mayTriage(Role role) { return role == Role::Analyst || role == Role::Admin || role == Role::System; }

} // namespace

bool AlertQuery::hasFilter() const
{
    return !severities.isEmpty() || !statuses.isEmpty() || !types.isEmpty() || !rules.isEmpty() || !source.isEmpty()
        || !assignee.isEmpty() || fromMs > 0 || toMs > 0 || !text.trimmed().isEmpty();
}

bool Store::countAlerts(const AlertQuery &query, qint64 *count, QString *error)
{
    QString statement = QLatin1String(sql::AlertCountSelect);
    QVariantList values;
    composeWhere(query, &statement, &values);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(statement))
        return fail(q, error, sql::AlertCountSelect);
    for (qsizetype i = 0; i < values.size(); ++i)
        q.bindValue(int(i), values.at(i));
    if (!q.exec() || !q.next())
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
    composeWhere(query, &statement, &values);
    composeOrder(query, &statement);
    statement.append(QLatin1String(sql::LimitOffset));
    statement.append(QLatin1Char(')'));
    composeOrder(query, &statement);
    values.append(limit);
    values.append(offset);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(statement))
        return fail(q, error, sql::AlertRowSelect);
    for (qsizetype i = 0; i < values.size(); ++i)
        q.bindValue(int(i), values.at(i));
    if (!q.exec())
        return fail(q, error, sql::AlertRowSelect);
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
    composeWhere(query, &statement, &values);
    composeOrder(query, &statement);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(statement))
        return fail(q, error, sql::AlertIdSelect);
    for (qsizetype i = 0; i < values.size(); ++i)
        q.bindValue(int(i), values.at(i));
    if (!q.exec())
        return fail(q, error, sql::AlertIdSelect);
    QList<qint64> out;
    while (q.next())
        out.append(q.value(0).toLongLong());
    *ids = std::move(out);
    return true;
}

bool Store::maxAlertId(qint64 *id, QString *error)
{
    QSqlQuery &q = prepared(sql::MaxAlertId);
    if (!q.exec() || !q.next())
        return fail(q, error, sql::MaxAlertId);
    *id = q.value(0).toLongLong();
    q.finish();
    return true;
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
    const auto maxId = [&](const char *statement, qint64 *id) {
        QSqlQuery &q = prepared(statement);
        if (!q.exec() || !q.next())
            return false;
        *id = q.value(0).toLongLong();
        q.finish();
        return true;
    };
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
    if (!m_db.commit()) {
        *error = ConsoleStoreText::tr("cannot commit generated history: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
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
    " MAX(CASE a.severity WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END) AS top_rank,"
    " MIN(a.id) AS first_id, MAX(a.id) AS last_id FROM alerts a";
constexpr const char *GroupTail = " GROUP BY a.rule_name, a.source_id, a.created_at / ?) g";
// The same for a time range: grouping by an expression of the rule keeps SQLite from walking
// the whole rule index in group order instead of reading the range on the created_at index.
constexpr const char *RangeFold =
    "(SELECT a.rule_name || '' AS rule_name, a.source_id AS source_id, a.created_at / ? AS bucket, COUNT(*) AS n,"
    " MIN(a.created_at) AS first_seen, MAX(a.created_at) AS last_seen,"
    " MAX(CASE a.severity WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END) AS top_rank,"
    " MIN(a.id) AS first_id, MAX(a.id) AS last_id FROM alerts a";
constexpr const char *RangeGroupTail = " GROUP BY a.rule_name || '', a.source_id, a.created_at / ?) g";
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
} // namespace groupSql

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
QString composeFold(const AlertQuery &query, qint64 windowMs, QVariantList *values, bool range = false)
{
    QString fold = QLatin1String(range ? groupSql::RangeFold : groupSql::Fold);
    values->append(windowMs);
    composeWhere(query, &fold, values);
    fold += QLatin1String(range ? groupSql::RangeGroupTail : groupSql::GroupTail);
    values->append(windowMs);
    return fold;
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

bool Store::buildAlertGroups(const AlertQuery &query, qint64 windowMs, qint64 *groups, QString *error)
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
    if (!exec(groupSql::CreateTable) || !exec(groupSql::Clear))
        return false;
    // The newest alert is joined only when the order needs its columns (type, message, status,
    // assignee): a join per group costs as much as the fold itself over a million alerts.
    QVariantList values;
    QString statement = QLatin1String(groupSql::InsertHead) + groupOrder(query) + QLatin1String(groupSql::InsertColumns)
        + composeFold(query, windowMs, &values);
    if (orderNeedsNewest(query.sortKey))
        statement += QLatin1String(groupSql::JoinNewest);
    QSqlQuery q(m_db);
    if (!q.prepare(statement))
        return fail(q, error, groupSql::InsertHead);
    for (qsizetype i = 0; i < values.size(); ++i)
        q.bindValue(int(i), values.at(i));
    if (!q.exec())
        return fail(q, error, groupSql::InsertHead);
    QSqlQuery &count = prepared(groupSql::Count);
    if (!count.exec() || !count.next())
        return fail(count, error, groupSql::Count);
    *groups = count.value(0).toLongLong();
    count.finish();
    return true;
}

bool Store::alertGroupRows(qint64 offset, int limit, QList<AlertGroupRow> *rows, QString *error)
{
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
        + composeFold(query, windowMs, &values, query.fromMs > 0)
        + QLatin1String(groupSql::JoinNewestRow) + QStringLiteral(" ORDER BY ") + groupOrder(query) + QStringLiteral(" LIMIT ?");
    values.append(limit);
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(statement))
        return fail(q, error, groupSql::RowColumns);
    for (qsizetype i = 0; i < values.size(); ++i)
        q.bindValue(int(i), values.at(i));
    if (!q.exec())
        return fail(q, error, groupSql::RowColumns);
    QList<AlertGroupRow> out;
    while (q.next())
        out.append(groupFromQuery(q));
    *rows = std::move(out);
    return true;
}

} // namespace vigil::models
