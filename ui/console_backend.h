#pragma once
// What the console needs from the running node, without knowing how it runs.

#include "models/store/store.h"

#include <QObject>

namespace vigil::ui {

struct ConsoleStatus
{
    qint64 accepted = 0;
    qint64 duplicates = 0;
    qint64 rejected = 0;
    qint64 alerts = 0;
    int producers = 0;
    int subscribers = 0;
    bool listening = false;
    QString listenAddress;   // "127.0.0.1:8765"
};

/*!
    The console's window on the node: live alerts in, user actions out, counters to show.
    Implemented by the app; the console never touches the writer thread or the network.
    Signals arrive on the GUI thread.
*/
class ConsoleBackend : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual models::DatabaseUrl databaseUrl() const = 0;
    virtual models::Actor actor() const = 0;
    virtual ConsoleStatus status() const = 0;
    virtual QString producerToken() const = 0;
    // Runs on the writer thread; the answer arrives as actionFinished().
    virtual void applyAlertAction(qint64 alertId, models::AlertAction action, const QString &note) = 0;
    // Run on the writer thread, each call in one transaction; answers in bulkFinished().
    // `ticket` comes back with the answer so the console can count a long job's progress.
    virtual void applyBulkAction(quint64 ticket, const QList<qint64> &alertIds, models::AlertAction action,
                                 const QString &note) = 0;
    // `assignee` is a username; empty unassigns.
    virtual void assignAlerts(quint64 ticket, const QList<qint64> &alertIds, const QString &assignee) = 0;
    virtual void addComment(qint64 alertId, const QString &text) = 0;
    // Silences: run on the writer thread, which matches new alerts against them from the
    // next batch on; the answer arrives as silenceFinished() (error empty when done). A
    // backend without a writer refuses.
    virtual void createSilence(const engine::Silence &silence) { refuseSilence(silence.id); }
    virtual void expireSilence(qint64 silenceId) { refuseSilence(silenceId); }
    virtual void deleteSilence(qint64 silenceId) { refuseSilence(silenceId); }
    // Records notifications the console delivered (a CRITICAL alert's desktop notification)
    // in the alerts' history, on the writer thread. A backend without a writer records none.
    virtual void recordNotifications(const QList<models::AlertNotification> &sent) { Q_UNUSED(sent) }

signals:
    void alertsRaised(const QList<vigil::models::AlertRecord> &alerts);
    void actionFinished(const vigil::models::ActionResult &result);
    void bulkFinished(quint64 ticket, const vigil::models::BulkActionResult &result);
    void commentFinished(qint64 alertId, const QString &error);
    void silenceFinished(qint64 silenceId, const QString &error);
    // Notification rows of these alerts were committed (the /alerts broadcast's WEBSOCKET
    // rows, a desktop notification's DESKTOP row): the detail pane reloads its history.
    void notificationsRecorded(const QList<qint64> &alertIds);
    void failure(const QString &message);

private:
    void refuseSilence(qint64 silenceId)
    {
        QMetaObject::invokeMethod(
            this, [this, silenceId] { emit silenceFinished(silenceId, tr("This console cannot change silences: open it on a Vigil node.")); },
            Qt::QueuedConnection);
    }
};

} // namespace vigil::ui

Q_DECLARE_METATYPE(vigil::models::ActionResult)
Q_DECLARE_METATYPE(vigil::models::BulkActionResult)
