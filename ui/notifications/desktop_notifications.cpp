#include "desktop_notifications.h"

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QWidget>

namespace vigil::ui {

namespace {
const QString kDesktopKey = QStringLiteral("notifications/desktop");
const QString kSoundKey = QStringLiteral("notifications/sound");
} // namespace

DesktopNotifications::DesktopNotifications(QWidget *window)
    : QObject(window), m_window(window), m_notifier(new CriticalAlertNotifier(5000, this))
{
    const QSettings settings;
    m_desktop = new QAction(tr("&Notify of Critical Alerts"), this);
    m_desktop->setCheckable(true);
    m_desktop->setChecked(settings.value(kDesktopKey, true).toBool());
    m_desktop->setStatusTip(tr("Show a desktop notification when CRITICAL alerts arrive (at most one every few seconds)"));
    m_sound = new QAction(tr("&Sound for Critical Alerts"), this);
    m_sound->setCheckable(true);
    m_sound->setChecked(settings.value(kSoundKey, false).toBool());
    m_sound->setStatusTip(tr("Beep when CRITICAL alerts arrive"));
    connect(m_desktop, &QAction::toggled, this, [](bool on) { QSettings().setValue(kDesktopKey, on); });
    connect(m_sound, &QAction::toggled, this, [](bool on) { QSettings().setValue(kSoundKey, on); });

    // The console works without a tray (many desktops and every headless run have none).
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(this);
        const QIcon icon = window->windowIcon().isNull() ? qApp->style()->standardIcon(QStyle::SP_MessageBoxWarning)
                                                         : window->windowIcon();
        m_tray->setIcon(icon);
        m_tray->setToolTip(tr("Vigil"));
        m_tray->show();
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &DesktopNotifications::openLatest);
        connect(m_tray, &QSystemTrayIcon::activated, this, [this] {
            m_window->showNormal();
            m_window->raise();
            m_window->activateWindow();
        });
    }
    connect(m_notifier, &CriticalAlertNotifier::notify, this, &DesktopNotifications::show);
}

void DesktopNotifications::openLatest()
{
    m_window->showNormal();
    m_window->raise();
    m_window->activateWindow();
    if (m_lastAlertId)
        emit alertChosen(m_lastAlertId);
}

void DesktopNotifications::show(const QString &title, const QString &message, int count,
                                const models::AlertRecord &latest, const QList<qint64> &alertIds)
{
    Q_UNUSED(count);
    m_lastAlertId = latest.id;
    if (m_sound->isChecked())
        QApplication::beep();
    if (!m_desktop->isChecked())
        return;
    if (m_tray)
        m_tray->showMessage(title, message, QSystemTrayIcon::Critical, 10000);
    else
        emit showInWindow(tr("%1 — %2").arg(title, message));
    emit shown(alertIds);
}

QList<models::AlertNotification> DesktopNotifications::records(const QList<qint64> &alertIds, const QString &user,
                                                                qint64 shownAtMs)
{
    QList<models::AlertNotification> rows;
    rows.reserve(alertIds.size());
    for (qint64 id : alertIds) {
        models::AlertNotification n;
        n.alertId = id;
        n.channel = QStringLiteral("DESKTOP");
        n.status = QStringLiteral("SENT");
        n.target = user;
        n.attempts = 1;
        n.createdAtMs = shownAtMs;
        n.sentAtMs = shownAtMs;
        rows.append(std::move(n));
    }
    return rows;
}

} // namespace vigil::ui
