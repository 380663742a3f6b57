#include "critical_alert_notifier.h"

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
    for (const models::AlertRecord &a : alerts) {
        if (a.severity != engine::Severity::Critical)
            continue;
        ++critical;
        latest = &a;
    }
    if (critical == 0)
        return;
    if (m_coolDown.isActive()) {
        m_pending += critical;
        m_latest = *latest;
        return;
    }
    send(critical, *latest);
}

void CriticalAlertNotifier::endCoolDown()
{
    m_coolDown.stop();
    if (m_pending == 0)
        return;
    const int count = m_pending;
    m_pending = 0;
    send(count, m_latest);
}

void CriticalAlertNotifier::send(int count, const models::AlertRecord &latest)
{
    m_coolDown.start();
    emit notify(title(count), message(count, latest), count, latest);
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
