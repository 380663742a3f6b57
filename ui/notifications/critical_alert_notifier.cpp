#include "critical_alert_notifier.h"

#include <utility>

namespace vigil::ui {

CriticalAlertNotifier::CriticalAlertNotifier(int intervalMs, QObject *parent) : QObject(parent)
{
    qRegisterMetaType<vigil::models::AlertRecord>();
    m_coolDown.setSingleShot(true);
    m_coolDown.setInterval(intervalMs);
    connect(&m_coolDown, &QTimer::timeout, this, &CriticalAlertNotifier::endCoolDown);
}

void CriticalAlertNotifier::addAlerts(const QList<models::AlertRecord> &alerts)
{
    int critical = 0;
    const models::AlertRecord *latest = nullptr;
    QList<qint64> ids;
    for (const models::AlertRecord &a : alerts) {
        if (a.severity != engine::Severity::Critical)
            continue;
        ++critical;
        latest = &a;
        ids.append(a.id);
    }
    if (critical == 0)
        return;
    if (m_coolDown.isActive()) {
        m_pending += critical;
        m_latest = *latest;
        m_pendingIds.append(ids);
        return;
    }
    send(critical, *latest, ids);
}

void CriticalAlertNotifier::endCoolDown()
{
    m_coolDown.stop();
    if (m_pending == 0)
        return;
    const int count = m_pending;
    m_pending = 0;
    const QList<qint64> ids = std::exchange(m_pendingIds, {});
    send(count, m_latest, ids);
}

void CriticalAlertNotifier::send(int count, const models::AlertRecord &latest, const QList<qint64> &alertIds)
{
    m_coolDown.start();
    emit notify(title(count), message(count, latest), count, latest, alertIds);
}

QString CriticalAlertNotifier::title(int count)
{
    return count == 1 ? tr("Critical alert") : tr("%n new critical alerts", nullptr, count);
}

QString CriticalAlertNotifier::message(int count, const models::AlertRecord &latest)
{
    const QString what = tr("%1 on %2: %3").arg(latest.ruleName, latest.sourceId, latest.message);
    return count == 1 ? what : tr("Latest: %1").arg(what);
}

} // namespace vigil::ui
