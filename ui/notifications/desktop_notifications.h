#pragma once
// CRITICAL alerts on the desktop: a tray balloon (where the platform has a tray; otherwise
// the window's status bar) and an optional sound, both switchable from the View menu and
// remembered in QSettings.

#include "critical_alert_notifier.h"
#include "models/store/alert_query.h"

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
    // The notifications table's rows for a notification shown to `user` at `shownAtMs`:
    // one SENT row on the DESKTOP channel per alert it told of.
    static QList<models::AlertNotification> records(const QList<qint64> &alertIds, const QString &user, qint64 shownAtMs);

signals:
    // No tray on this desktop: the window shows the notification itself.
    void showInWindow(const QString &text);
    // The analyst clicked a balloon: show this alert.
    void alertChosen(qint64 alertId);
    // A notification was shown (tray balloon or status bar) telling of these alerts: the
    // console records it in their history.
    void shown(const QList<qint64> &alertIds);

private:
    void show(const QString &title, const QString &message, int count, const models::AlertRecord &latest,
              const QList<qint64> &alertIds);

    QWidget *m_window;
    CriticalAlertNotifier *m_notifier;
    QSystemTrayIcon *m_tray = nullptr;
    QAction *m_desktop;
    QAction *m_sound;
    qint64 m_lastAlertId = 0;
};

} // namespace vigil::ui
