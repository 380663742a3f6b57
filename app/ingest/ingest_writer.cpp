#include "ingest_writer.h"

#include "thread_priority.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QMutexLocker>

#include <algorithm>

namespace vigil::app {

namespace {
constexpr int kRulesPollMs = 2000;
}

IngestWriter::IngestWriter(models::DatabaseUrl url, IngestCounters *counters, QObject *parent)
    : QThread(parent), m_url(std::move(url)), m_counters(counters)
{
    setObjectName(QStringLiteral("vigil-writer"));
}

IngestWriter::~IngestWriter()
{
    if (isRunning())
        drainAndStop();
}

bool IngestWriter::open(QString *error)
{
    // The connection is made here and used only on the writer thread once it runs;
    // QSqlDatabase connections may move threads before first use on the new one.
    m_store = models::Store::open(m_url, QStringLiteral("vigil-writer"), error);
    if (!m_store)
        return false;
    QList<engine::Rule> rules;
    if (!m_store->loadRules(&rules, error))
        return false;
    m_pipeline.setRules(std::move(rules));
    m_store.reset(); // reopened on the writer thread (QSqlDatabase is per-thread)
    return true;
}

void IngestWriter::enqueue(IngestJob job)
{
    const qint64 n = job.events.size();
    {
        QMutexLocker lock(&m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_counters->queuedEvents += n;
    m_wake.wakeOne();
}

void IngestWriter::post(std::function<void(models::Store &, engine::Pipeline &)> task)
{
    {
        QMutexLocker lock(&m_mutex);
        m_tasks.push_back(std::move(task));
    }
    m_wake.wakeOne();
}

void IngestWriter::drainAndStop(std::function<void(models::Store &)> last)
{
    {
        QMutexLocker lock(&m_mutex);
        m_stopping = true;
        m_last = std::move(last);
    }
    m_wake.wakeOne();
    wait();
}

void IngestWriter::run()
{
    QString error;
    m_store = models::Store::open(m_url, QStringLiteral("vigil-writer"), &error);
    if (!m_store) {
        emit failure(error);
        return;
    }
    std::vector<IngestJob> jobs;
    std::vector<std::function<void(models::Store &, engine::Pipeline &)>> tasks;
    QString rulesSignature = m_store->rulesSignature();
    // Anomaly models: loaded before the first batch, reloaded when a version is saved or
    // activated (vigil models train/activate, the demo's warm-up training in another thread).
    QString modelsSignature = m_store->modelsSignature();
    // Benchmark switch (bench/ingest/run_models.sh): VIGIL_SCORING_THREAD=0 scores on this thread.
    if (qEnvironmentVariable("VIGIL_SCORING_THREAD") == QStringLiteral("0"))
        m_pipeline.models().setParallel(false);
    // Benchmark switch: VIGIL_EVENT_INSERT_ROWS=1 stores each event with a statement of its own
    // (default: Store::kDefaultEventInsertRows per multi-row insert).
    if (const int rows = qEnvironmentVariableIntValue("VIGIL_EVENT_INSERT_ROWS"); rows > 0)
        m_store->setEventInsertRows(rows);
    // The write-ahead log is checkpointed on a thread of its own, not inside the commits that
    // producers wait for. Benchmark switch: VIGIL_CHECKPOINT_THREAD=0 keeps SQLite's default.
    if (qEnvironmentVariable("VIGIL_CHECKPOINT_THREAD") != QStringLiteral("0")) {
        QString checkpointError;
        if (!m_store->checkpointInBackground(&checkpointError))
            qWarning("Vigil: write-ahead log checkpoints stay in the commits: %s", qPrintable(checkpointError));
    }
    // The writer is the ingest's one serial step: events wait for it, never for the threads
    // that feed it. Raised here, after the checkpoint thread started (background work keeps
    // the process's priority) and before the rules' and models' workers start from this
    // thread (they share the writer's priority: the writer waits for them at every batch).
    // Any thread started from here on begins at this priority: a QThreadPool started from
    // this thread would keep it in its reused threads, so start none here.
    // docs/architecture.md, "The writer's priority"; figures in docs/benchmarks.md.
    if (m_prioritySteps != 0) {
        const int target = std::clamp(currentThreadNice() - m_prioritySteps, -20, 19);
        QString why;
        if (!raiseCurrentThreadPriority(m_prioritySteps, &why))
            qInfo("Vigil: the ingest writer runs at the process's priority; moving it %d nice steps up, to %d, was"
                  " refused (%s). Allow it with CAP_SYS_NICE or an RLIMIT_NICE of at least %d (systemd: LimitNICE=%d).",
                  m_prioritySteps, target, qPrintable(why), 20 - target, target);
    }
    if (!reloadModels(&error))
        emit failure(error);
    if (!reloadSilences(&error))
        emit failure(error);
    QElapsedTimer sinceRulesCheck;
    sinceRulesCheck.start();
    for (;;) {
        // Rules changed by another process (vigil rules import, another console) take effect
        // within a couple of seconds; window state of unchanged rules is kept.
        if (sinceRulesCheck.elapsed() >= kRulesPollMs) {
            sinceRulesCheck.restart();
            const QString signature = m_store->rulesSignature();
            if (signature != rulesSignature) {
                QList<engine::Rule> rules;
                QString loadError;
                if (m_store->loadRules(&rules, &loadError)) {
                    rulesSignature = signature;
                    const int count = int(rules.size());
                    m_pipeline.setRules(std::move(rules));
                    emit rulesChanged(count);
                } else {
                    emit failure(loadError);
                }
            }
            // Silences made by another console or process; their expiry needs no reload
            // (matching compares the expiry with each alert's time).
            if (m_store->silencesSignature() != m_silencesSignature) {
                QString loadError;
                if (!reloadSilences(&loadError))
                    emit failure(loadError);
            }
            const QString models = m_store->modelsSignature();
            if (models != modelsSignature) {
                QString loadError;
                if (reloadModels(&loadError))
                    modelsSignature = models;
                else
                    emit failure(loadError);
            }
        }
        {
            QMutexLocker lock(&m_mutex);
            QElapsedTimer waiting;
            waiting.start();
            while (m_jobs.empty() && m_tasks.empty() && !m_stopping) {
                if (!m_wake.wait(&m_mutex, kRulesPollMs))
                    break;
            }
            m_counters->waitNs += waiting.nsecsElapsed();
            if (m_jobs.empty() && m_tasks.empty() && m_stopping)
                break;
            if (m_jobs.empty() && m_tasks.empty())
                continue; // woke up to look at the rules
            // Everything that is waiting becomes one transaction, up to the batch limit.
            int events = 0;
            while (!m_jobs.empty() && (jobs.empty() || events + m_jobs.front().events.size() <= m_maxBatchEvents)) {
                events += int(m_jobs.front().events.size());
                jobs.push_back(std::move(m_jobs.front()));
                m_jobs.pop_front();
            }
            while (!m_tasks.empty()) {
                tasks.push_back(std::move(m_tasks.front()));
                m_tasks.pop_front();
            }
        }
        for (auto &task : tasks)
            task(*m_store, m_pipeline);
        tasks.clear();
        if (!jobs.empty())
            commit(jobs);
        jobs.clear();
    }
    if (m_last) // set with m_stopping, under the mutex
        m_last(*m_store);
    m_store.reset();
}

bool IngestWriter::recordSent(models::Store &store, const QList<models::AlertNotification> &rows, QString *error)
{
    if (rows.isEmpty())
        return true;
    if (!store.recordNotifications(rows, error))
        return false;
    emit notificationsRecorded(models::alertIdsOf(rows));
    return true;
}

bool IngestWriter::reloadModels(QString *error)
{
    QList<engine::ModelRecord> records;
    if (!m_store->loadActiveModels(&records, error))
        return false;
    std::vector<std::unique_ptr<engine::LiveModel>> models;
    QStringList problems;
    for (const engine::ModelRecord &record : std::as_const(records)) {
        QString problem;
        if (std::unique_ptr<engine::LiveModel> model = engine::LiveModel::load(record, &problem))
            models.push_back(std::move(model));
        else
            problems << problem; // skipped, loudly: the other models still score
    }
    const int count = int(models.size());
    m_pipeline.setModels(std::move(models));
    emit modelsChanged(count);
    if (!problems.isEmpty())
        emit failure(problems.join(u'\n'));
    return true;
}

bool IngestWriter::reloadSilences(QString *error)
{
    const QString signature = m_store->silencesSignature();
    QList<engine::Silence> silences;
    if (!m_store->activeSilences(QDateTime::currentMSecsSinceEpoch(), &silences, error))
        return false;
    m_silencesSignature = signature;
    const int count = int(silences.size());
    m_pipeline.setSilences(std::move(silences));
    emit silencesChanged(count);
    return true;
}

void IngestWriter::commit(std::vector<IngestJob> &jobs)
{
    engine::EventBatch batch;
    qsizetype total = 0;
    for (const IngestJob &job : jobs)
        total += job.events.size();
    batch.reserve(total);
    for (IngestJob &job : jobs)
        for (engine::Event &e : job.events)
            batch.append(std::move(e));

    models::IngestOutcome outcome;
    QString error;
    QElapsedTimer clock;
    clock.start();
    const bool ok = m_store->ingest(batch, m_pipeline, QDateTime::currentMSecsSinceEpoch(), &outcome, &error);
    m_counters->commitNs += clock.nsecsElapsed();
    m_counters->queuedEvents -= total;
    if (!ok)
        emit failure(error);

    QList<IngestReply> replies;
    replies.reserve(qsizetype(jobs.size()));
    qsizetype index = 0;
    qint64 accepted = 0, duplicates = 0, rejected = 0;
    for (const IngestJob &job : jobs) {
        QStringList acceptedIds, duplicateIds;
        QList<engine::Rejection> rejections = job.rejected;
        for (qsizetype i = 0; i < job.events.size(); ++i, ++index) {
            const engine::Event &e = batch.at(index);
            if (!ok)
                rejections.append({e.id, QStringLiteral("not stored: %1; send it again").arg(error)});
            else if (outcome.isNew.at(index))
                acceptedIds << e.id;
            else
                duplicateIds << e.id;
        }
        accepted += acceptedIds.size();
        duplicates += duplicateIds.size();
        rejected += rejections.size();
        replies.append({job.connectionId, std::move(acceptedIds), std::move(duplicateIds), std::move(rejections)});
    }
    m_counters->accepted += accepted;
    m_counters->duplicates += duplicates;
    m_counters->rejected += rejected;
    m_counters->alerts += outcome.alerts.size();
    ++m_counters->commits;
    emit repliesReady(replies, batch);
    // Silenced alerts are stored but neither broadcast to /alerts nor shown live nor notified.
    QList<models::AlertRecord> raised;
    raised.reserve(outcome.alerts.size());
    for (models::AlertRecord &a : outcome.alerts)
        if (a.silenceId == 0)
            raised.append(std::move(a));
    m_counters->silencedAlerts += outcome.alerts.size() - raised.size();
    if (!raised.isEmpty())
        emit alertsRaised(raised);
}

} // namespace vigil::app
