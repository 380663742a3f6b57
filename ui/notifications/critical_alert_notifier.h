#pragma once
// Decides when to tell the analyst about CRITICAL alerts: at once for the first, then at most
// one summary per interval, so a burst becomes "12 new critical alerts" instead of 12 balloons.

#include "models/store/alert_record.h"

#include <QObject>
#include <QTimer>

namespace vigil::ui {

class CriticalAlertNotifier : public QObject
{
    Q_OBJECT
public:
    explicit CriticalAlertNotifier(int intervalMs = 5000, QObject *parent = nullptr);

    // Live alerts as they arrive; only CRITICAL ones count.
    void addAlerts(const QList<models::AlertRecord> &alerts);
    // Critical alerts waiting for the end of the cool-down.
    int pending() const { return m_pending; }
    bool isCoolingDown() const { return m_coolDown.isActive(); }
    int interval() const { return m_coolDown.interval(); }
    // The end of a cool-down (the timer's timeout): what waited goes out as one summary,
    // which starts the next cool-down. Public so tests can end a cool-down without waiting.
    void endCoolDown();

    // The balloon's words for `count` alerts, `latest` the newest of them.
    static QString title(int count);
    static QString message(int count, const models::AlertRecord &latest);

signals:
    // `alertIds`: every alert the notification tells of (`count` of them), oldest first.
    void notify(const QString &title, const QString &message, int count, const vigil::models::AlertRecord &latest,
                const QList<qint64> &alertIds);

private:
    void send(int count, const models::AlertRecord &latest, const QList<qint64> &alertIds);

    QTimer m_coolDown;
    int m_pending = 0;
    models::AlertRecord m_latest;
    QList<qint64> m_pendingIds;
};

} // namespace vigil::ui
