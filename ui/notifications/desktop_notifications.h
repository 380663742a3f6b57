#pragma once
// CRITICAL alerts on the desktop: a tray balloon (where the platform has a tray; otherwise
// the window's status bar) and an optional sound, both switchable from the View menu and
// remembered in QSettings.

#include "critical_alert_notifier.h"

#include <QObject>

QT_BEGIN_NAMESPACE
class QAction;
class QSystemTrayIcon;
class QWidget;
QT_END_NAMESPACE

namespace vigil::ui {

class DesktopNotifications : public QObject
{
    Q_OBJECT
public:
    explicit DesktopNotifications(QWidget *window);

    CriticalAlertNotifier *notifier() const { return m_notifier; }
    // Checkable actions for the View menu: balloons (on by default), sound (off by default).
    QAction *desktopAction() const { return m_desktop; }
    QAction *soundAction() const { return m_sound; }
    bool hasTray() const { return m_tray != nullptr; }

    void addAlerts(const QList<models::AlertRecord> &alerts) { m_notifier->addAlerts(alerts); }

    // What a click on the balloon does: brings the window up and shows the alert the last
    // notification was about (nothing to show before the first notification).
    void openLatest();

signals:
    // No tray on this desktop: the window shows the notification itself.
    void showInWindow(const QString &text);
    // The analyst clicked a balloon: show this alert.
    void alertChosen(qint64 alertId);

private:
    void show(const QString &title, const QString &message, int count, const models::AlertRecord &latest);

    QWidget *m_window;
    CriticalAlertNotifier *m_notifier;
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_desktop;
    QAction *m_sound;
    qint64 m_lastAlertId = 0;
};

} // namespace vigil::ui
