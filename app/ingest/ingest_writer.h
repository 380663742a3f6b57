#pragma once
// The ingest writer: one thread that owns the write connection and the pipeline.

#include "engine/events/event_codec.h"
#include "engine/pipeline.h"
#include "models/store/store.h"

#include <QMutex>
#include <QObject>
#include <QThread>
#include <QWaitCondition>
#include <atomic>
#include <deque>
#include <functional>

namespace vigil::app {

// One decoded producer message waiting to be committed.
struct IngestJob
{
    quint64 connectionId = 0;
    engine::EventBatch events;
    QList<engine::Rejection> rejected; // from decoding, reported in the reply
};

// What one message's reply says; the network thread encodes it (the writer only decides).
struct IngestReply
{
    quint64 connectionId = 0;
    QStringList accepted;
    QStringList duplicates;
    QList<engine::Rejection> rejected;
};

struct IngestCounters
{
    std::atomic<qint64> accepted{0};
    std::atomic<qint64> duplicates{0};
    std::atomic<qint64> rejected{0};
    std::atomic<qint64> alerts{0};
    std::atomic<qint64> silencedAlerts{0}; // stored, but hidden and not broadcast
    std::atomic<qint64> commits{0};
    std::atomic<qint64> commitNs{0};      // time spent in Store::ingest (statements + commit)
    std::atomic<qint64> waitNs{0};        // time the writer waited for work
    std::atomic<qint64> queuedEvents{0};
};

/*!
    Takes decoded messages from any thread, and on its own thread commits everything that is
    waiting as one transaction (group commit: many small messages share one fsync), then
    hands each message its reply. Work for the store from other threads (alert actions, rule
    changes) runs on the same thread, between batches, through post().

    Signals are emitted from the writer thread; connect with queued connections.
*/
class IngestWriter : public QThread
{
    Q_OBJECT
public:
    IngestWriter(models::DatabaseUrl url, IngestCounters *counters, QObject *parent = nullptr);
    ~IngestWriter() override;

    // Opens the store and loads the rules; call before start(). False with a message.
    bool open(QString *error);

    void enqueue(IngestJob job);
    // Runs `task` on the writer thread with the writer's store and pipeline.
    void post(std::function<void(models::Store &, engine::Pipeline &)> task);
    // Commits everything queued, then ends the thread. Blocks until done. `last`, when given,
    // runs on the writer thread after the last commit, before the store closes.
    void drainAndStop(std::function<void(models::Store &)> last = {});
    // For tasks on the writer thread: stores records of notifications sent and, once they are
    // committed, says so with notificationsRecorded(). Nothing to store is success.
    bool recordSent(models::Store &store, const QList<models::AlertNotification> &rows, QString *error);

    // Writer thread only (from run() or a posted task): loads the active silences into the
    // pipeline, so a silence made in this process takes effect with the next batch.
    bool reloadSilences(QString *error);

    // Upper bound of events committed in one transaction.
    void setMaxBatchEvents(int n) { m_maxBatchEvents = n; }
    // Before start(): how many nice steps the writer thread, and the rules' and models'
    // workers it starts, run above the process (0: the process's priority; negative: below
    // it). When the system refuses, the log says so once and the writer runs at the process's
    // priority.
    void setPrioritySteps(int steps) { m_prioritySteps = steps; }

signals:
    // `spent` is the committed batch, handed over so that it is freed off the writer thread.
    void repliesReady(const QList<vigil::app::IngestReply> &replies, const vigil::engine::EventBatch &spent);
    void alertsRaised(const QList<vigil::models::AlertRecord> &alerts);
    void alertUpdated(const vigil::models::AlertRecord &alert);
    void rulesChanged(int ruleCount);
    // The active anomaly models were (re)loaded: how many score live events.
    void modelsChanged(int modelCount);
    // The active silences were (re)loaded: how many there are.
    void silencesChanged(int activeCount);
    // A posted task committed notification rows of these alerts.
    void notificationsRecorded(const QList<qint64> &alertIds);
    void failure(const QString &message);

protected:
    void run() override;

private:
    void commit(std::vector<IngestJob> &jobs);
    // Loads the active models into the pipeline (between batches: an atomic swap).
    bool reloadModels(QString *error);

    models::DatabaseUrl m_url;
    IngestCounters *m_counters;
    std::unique_ptr<models::Store> m_store;
    engine::Pipeline m_pipeline;

    QMutex m_mutex;
    QWaitCondition m_wake;
    std::deque<IngestJob> m_jobs;
    std::deque<std::function<void(models::Store &, engine::Pipeline &)>> m_tasks;
    bool m_stopping = false;
    std::function<void(models::Store &)> m_last; // drainAndStop()'s
    int m_maxBatchEvents = 20000;
    int m_prioritySteps = 0;
    QString m_silencesSignature;
};

} // namespace vigil::app

Q_DECLARE_METATYPE(vigil::app::IngestReply)
