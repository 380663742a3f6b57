// Notifications: what was sent for an alert on which channel, and the outbox of what is
// still to send (the PENDING rows Store::ingest writes with each alert).

#include "store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QSet>
#include <QSqlError>
#include <algorithm>

namespace vigil::models {

namespace {

class NotificationStoreText
{
    Q_DECLARE_TR_FUNCTIONS(Store)
};

namespace sql {
constexpr const char *InsertNotification =
    "INSERT INTO notifications (alert_id, channel, status, target, attempts, last_error, created_at, sent_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr const char *SelectAlertNotifications =
    "SELECT id, alert_id, channel, status, target, attempts, last_error, created_at, COALESCE(sent_at, 0)"
    " FROM notifications WHERE alert_id = ? ORDER BY COALESCE(sent_at, created_at), id";
} // namespace sql

bool isStatus(const QString &status)
{
    return status == QLatin1String("PENDING") || status == QLatin1String("SENT") || status == QLatin1String("FAILED");
}

} // namespace

AlertHistoryEntry AlertNotification::toHistoryEntry() const
{
    AlertHistoryEntry e;
    e.timeMs = timeMs();
    e.action = QStringLiteral("NOTIFICATION");
    e.text = target;
    e.success = status != QLatin1String("FAILED");
    e.channel = channel;
    e.status = status;
    e.attempts = attempts;
    e.lastError = lastError;
    return e;
}

QList<AlertHistoryEntry> mergedHistory(const QList<AlertHistoryEntry> &history,
                                       const QList<AlertNotification> &notifications)
{
    QList<AlertHistoryEntry> out;
    out.reserve(history.size() + notifications.size());
    out.append(history);
    for (const AlertNotification &n : notifications)
        out.append(n.toHistoryEntry());
    // Both lists are in time order; a stable sort keeps each one's order on equal times and
    // puts the history's entries first.
    std::stable_sort(out.begin(), out.end(),
                     [](const AlertHistoryEntry &a, const AlertHistoryEntry &b) { return a.timeMs < b.timeMs; });
    return out;
}

QList<qint64> alertIdsOf(const QList<AlertNotification> &notifications)
{
    QList<qint64> ids;
    QSet<qint64> seen;
    for (const AlertNotification &n : notifications)
        if (!seen.contains(n.alertId)) {
            seen.insert(n.alertId);
            ids.append(n.alertId);
        }
    return ids;
}

bool Store::recordNotifications(const QList<AlertNotification> &notifications, QString *error)
{
    if (notifications.isEmpty())
        return true;
    for (const AlertNotification &n : notifications) {
        if (n.alertId <= 0 || n.channel.isEmpty() || !isStatus(n.status)) {
            *error = NotificationStoreText::tr("cannot record a notification of alert %1 on channel '%2' with status '%3':"
                                               " it needs an alert, a channel and PENDING, SENT or FAILED")
                         .arg(n.alertId)
                         .arg(n.channel, n.status);
            return false;
        }
    }
    if (!m_db.transaction()) {
        *error = NotificationStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QVariant noTime(QMetaType::fromType<qint64>());
    QSqlQuery &insert = prepared(sql::InsertNotification);
    for (const AlertNotification &n : notifications) {
        insert.bindValue(0, n.alertId);
        insert.bindValue(1, n.channel);
        insert.bindValue(2, n.status);
        // A null QString would bind as NULL; the columns hold '' for "none".
        insert.bindValue(3, n.target.isNull() ? QStringLiteral("") : n.target);
        insert.bindValue(4, n.attempts);
        insert.bindValue(5, n.lastError.isNull() ? QStringLiteral("") : n.lastError);
        insert.bindValue(6, n.createdAtMs > 0 ? n.createdAtMs : now);
        insert.bindValue(7, n.sentAtMs > 0 ? QVariant(n.sentAtMs) : noTime);
        if (!insert.exec()) {
            fail(insert, error, sql::InsertNotification);
            insert.finish();
            m_db.rollback();
            return false;
        }
    }
    insert.finish();
    if (!m_db.commit()) {
        *error = NotificationStoreText::tr("cannot commit %1 notifications: %2")
                     .arg(notifications.size())
                     .arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::alertNotifications(qint64 alertId, QList<AlertNotification> *notifications, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectAlertNotifications);
    q.bindValue(0, alertId);
    if (!q.exec())
        return fail(q, error, sql::SelectAlertNotifications);
    notifications->clear();
    while (q.next()) {
        AlertNotification n;
        n.id = q.value(0).toLongLong();
        n.alertId = q.value(1).toLongLong();
        n.channel = q.value(2).toString();
        n.status = q.value(3).toString();
        n.target = q.value(4).toString();
        n.attempts = q.value(5).toInt();
        n.lastError = q.value(6).toString();
        n.createdAtMs = q.value(7).toLongLong();
        n.sentAtMs = q.value(8).toLongLong();
        notifications->append(n);
    }
    q.finish();
    return true;
}

} // namespace vigil::models
