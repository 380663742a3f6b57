#pragma once
// The free-text index kept up to date on a thread of its own.

#include "database_url.h"

#include <QMutex>
#include <QString>
#include <QThread>
#include <QWaitCondition>
#include <atomic>

namespace vigil::models {

/*!
    Adds new alerts to the free-text index (Store::indexAlertText) on its own thread and
    connection, every kIntervalMs, or straight on while alerts wait: the index lives in a file
    of its own (Store::textIndexPath()), so its merges never hold the database's write lock
    that the ingest writer needs for every commit. Searches find the alerts it has not reached
    yet by scanning them. Nothing to do on PostgreSQL (start() returns at once).

    stop() cancels a pass in progress (nothing of it is kept) and waits for the thread.
*/
class TextIndexer : public QThread
{
    Q_OBJECT
public:
    static constexpr int kIntervalMs = 2000;
    static constexpr qint64 kAlertsPerPass = 20'000;

    explicit TextIndexer(DatabaseUrl url, QObject *parent = nullptr);
    ~TextIndexer() override;

    void stop();
    // Wakes the thread for a pass now (instead of at the end of the interval).
    void indexNow();
    qint64 passes() const { return m_passes.load(); }       // passes completed
    qint64 alertsIndexed() const { return m_indexed.load(); } // new alerts they indexed

signals:
    // A pass failed (the next one tries again): what went wrong, for the log and status bar.
    void failure(const QString &message);

protected:
    void run() override;

private:
    DatabaseUrl m_url;
    QMutex m_mutex;
    QWaitCondition m_wake;
    bool m_wanted = false;
    std::atomic<bool> m_stopping{false};
    std::atomic<qint64> m_passes{0};
    std::atomic<qint64> m_indexed{0};
};

} // namespace vigil::models
