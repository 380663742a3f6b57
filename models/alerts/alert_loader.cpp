#include "alert_loader.h"

#include "alert_group_model.h"
#include "alert_page_model.h"
#include "models/store/store.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSet>
#include <QThread>

namespace vigil::models {

namespace {
class LoaderText
{
    Q_DECLARE_TR_FUNCTIONS(AlertLoader)
};
} // namespace

AlertLoader::AlertLoader(const DatabaseUrl &url) : m_url(url), m_thread(new QThread)
{
    qRegisterMetaType<vigil::models::AlertQuery>();
    qRegisterMetaType<vigil::models::AlertRow>();
    qRegisterMetaType<QList<vigil::models::AlertRow>>();
    qRegisterMetaType<vigil::models::AlertHistoryEntry>();
    qRegisterMetaType<QList<vigil::models::AlertHistoryEntry>>();
    qRegisterMetaType<QList<qint64>>();
    qRegisterMetaType<vigil::models::AlertGroupRow>();
    qRegisterMetaType<QList<vigil::models::AlertGroupRow>>();
    m_thread->setObjectName(QStringLiteral("vigil-alert-loader"));
    m_countPool.setMaxThreadCount(1);
    m_groupPool.setMaxThreadCount(1);
    m_groupPool.setExpiryTimeout(-1); // the same thread all along: the connection belongs to it
}

AlertLoader::~AlertLoader()
{
    stop();
    m_countPool.waitForDone();
    m_groupPool.start([this] { m_groupStore.reset(); }); // closed on its own thread
    m_groupPool.waitForDone();
    delete m_thread;
}

void AlertLoader::start()
{
    moveToThread(m_thread);
    m_thread->start();
}

void AlertLoader::stop()
{
    if (!m_thread->isRunning())
        return;
    // The store's connection belongs to the loader's thread: close it there.
    QMetaObject::invokeMethod(this, [this] {
        m_store.reset();
        moveToThread(QCoreApplication::instance()->thread());
        QThread::currentThread()->quit();
    }, Qt::QueuedConnection);
    m_thread->wait();
}

Store *AlertLoader::store(QString *error)
{
    if (!m_store) {
        m_store = Store::open(m_url, QStringLiteral("vigil-alert-loader-%1").arg(quintptr(this)), error);
        if (!m_store && error->isEmpty())
            *error = LoaderText::tr("cannot open %1").arg(m_url.displayName());
    }
    return m_store.get();
}

void AlertLoader::runQuery(quint64 generation, const AlertQuery &given)
{
    m_latest.store(std::max(m_latest.load(), generation));
    if (generation < m_latest.load())
        return;
    // First rows first: the first page goes out as soon as it is read; when it is full, the
    // count (a scan of every match) follows in countFinished().
    QElapsedTimer clock;
    clock.start();
    QString error;
    AlertQuery query = given;
    QList<AlertRow> rows;
    Store *s = store(&error);
    if (s && (query.maxId > 0 || s->maxAlertId(&query.maxId, &error)))
        s->alertRows(query, 0, AlertPageModel::kPageSize, &rows, &error);
    if (!error.isEmpty()) {
        emit queryFinished(generation, query, 0, {}, LoaderText::tr("Cannot load alerts: %1").arg(error), true);
        return;
    }
    const bool complete = rows.size() < AlertPageModel::kPageSize;
    const qint64 firstCount = rows.size();
    emit queryFinished(generation, query, firstCount, rows, QString(), complete);
    emit queryTimed(generation, clock.elapsed());
    if (complete)
        return;
    // Counted on a thread of its own (with its own connection), so a long count never holds
    // up the first rows of the next query or a page; skipped when a newer query came meanwhile.
    const DatabaseUrl url = m_url;
    m_countPool.start([this, url, generation, query, firstCount] {
        if (generation < m_latest.load())
            return;
        QString countError;
        qint64 count = firstCount;
        {
            auto counter = Store::open(url, QStringLiteral("vigil-alert-counter-%1").arg(quintptr(this)), &countError);
            if (!counter || !counter->countAlerts(query, &count, &countError)) {
                emit failure(LoaderText::tr("Cannot count alerts: %1").arg(countError));
                count = firstCount;
            }
        }
        emit countFinished(generation, count);
    });
}

void AlertLoader::fetchPage(quint64 generation, const AlertQuery &query, int page)
{
    if (generation < m_latest.load())
        return;
    QString error;
    QList<AlertRow> rows;
    Store *s = store(&error);
    if (!s || !s->alertRows(query, qint64(page) * AlertPageModel::kPageSize, AlertPageModel::kPageSize, &rows, &error)) {
        emit failure(LoaderText::tr("Cannot load alerts: %1").arg(error));
        return;
    }
    emit pageFinished(generation, page, rows);
}

void AlertLoader::fetchChoices()
{
    QString error;
    QStringList rules, users;
    Store *s = store(&error);
    if (!s || !s->ruleNames(&rules, &error) || !s->triageUsers(&users, &error)) {
        emit failure(error);
        return;
    }
    emit choicesFinished(rules, users);
}

void AlertLoader::fetchMatchingIds(quint64 ticket, const AlertQuery &query)
{
    QString error;
    QList<qint64> ids;
    Store *s = store(&error);
    if (s)
        s->alertIds(query, &ids, &error);
    emit matchingIdsFinished(ticket, ids, error);
}

void AlertLoader::fetchHistory(qint64 alertId)
{
    QString error;
    QList<AlertHistoryEntry> entries;
    Store *s = store(&error);
    if (s && s->alertHistory(alertId, &entries, &error)) {
        QList<AlertNotification> notifications;
        if (s->alertNotifications(alertId, &notifications, &error))
            entries = mergedHistory(entries, notifications);
    }
    emit historyFinished(alertId, entries, error);
}

Store *AlertLoader::groupStore(QString *error)
{
    if (!m_groupStore) {
        m_groupStore = Store::open(m_url, QStringLiteral("vigil-alert-groups-%1").arg(quintptr(this)), error);
        if (!m_groupStore && error->isEmpty())
            *error = LoaderText::tr("cannot open %1").arg(m_url.displayName());
    }
    return m_groupStore.get();
}

void AlertLoader::runGroupQuery(quint64 generation, const AlertQuery &given, qint64 windowMs)
{
    m_latestGroups.store(std::max(m_latestGroups.load(), generation));
    if (generation < m_latestGroups.load() || generation <= m_abandonedGroups.load())
        return;
    QElapsedTimer clock;
    clock.start();
    QString error;
    AlertQuery query = given;
    QList<AlertGroupRow> rows;
    bool complete = false;
    Store *s = store(&error);
    if (s && query.maxId == 0)
        s->maxAlertId(&query.maxId, &error);
    if (s && error.isEmpty() && query.sortKey == AlertSortKey::Time && query.descending && windowMs > 0) {
        // Newest groups first: the groups that start in the newest windows are the first rows,
        // and a window-aligned time range holds them whole. So the first page is folded from
        // the newest windows alone (1, 8, 64, … of them until a page is full), in milliseconds,
        // while the whole history is folded for the rest.
        QList<AlertRow> newest;
        if (s->alertRows(query, 0, 1, &newest, &error) && newest.isEmpty())
            complete = true;
        const qint64 lastBucket = newest.isEmpty() ? 0 : newest.first().createdAtMs / windowMs;
        for (qint64 span = 1; error.isEmpty() && !complete; span *= 8) {
            if (generation < m_latestGroups.load() || generation <= m_abandonedGroups.load())
                return; // a newer query (or the flat table) came meanwhile: it answers
            const qint64 from = std::max<qint64>(0, lastBucket - span + 1) * windowMs;
            AlertQuery recent = query;
            recent.fromMs = std::max(query.fromMs, from);
            if (!s->alertGroupsFirst(recent, windowMs, AlertGroupModel::kPageSize, &rows, &error))
                break;
            if (rows.size() >= AlertGroupModel::kPageSize)
                break;
            // Fewer than a page: complete when nothing older matches.
            AlertQuery older = query;
            older.toMs = from;
            QList<AlertRow> before;
            if (from <= query.fromMs || from == 0 || (s->alertRows(older, 0, 1, &before, &error) && before.isEmpty()))
                complete = error.isEmpty();
        }
    }
    if (!error.isEmpty()) {
        emit groupQueryFinished(generation, query, windowMs, 0, {}, LoaderText::tr("Cannot group alerts: %1").arg(error), true);
        return;
    }
    if (complete) {
        emit groupQueryFinished(generation, query, windowMs, rows.size(), rows, QString(), true);
        emit groupQueryTimed(generation, clock.elapsed());
        return;
    }
    const bool firstShown = !rows.isEmpty();
    if (firstShown) {
        emit groupQueryFinished(generation, query, windowMs, rows.size(), rows, QString(), false);
        emit groupQueryTimed(generation, clock.elapsed());
    }
    // The whole fold, on the group thread; skipped when a newer query came meanwhile, and
    // abandoned as soon as one comes (or the grouped view is left) while it runs.
    m_groupPool.start([this, generation, query, windowMs, firstShown, clock]() mutable {
        const auto superseded = [this, generation] {
            return generation < m_latestGroups.load() || generation <= m_abandonedGroups.load();
        };
        if (superseded())
            return;
        QString foldError;
        qint64 count = 0;
        QList<AlertGroupRow> first;
        m_groupsBuilt = 0;
        Store *g = groupStore(&foldError);
        const bool built = g && g->buildAlertGroups(query, windowMs, &count, &foldError, superseded);
        if (g && !built && foldError.isEmpty())
            return; // abandoned: the next query's answer says what the view shows
        if (built && !firstShown)
            g->alertGroupRows(0, AlertGroupModel::kPageSize, &first, &foldError);
        if (!foldError.isEmpty()) {
            const QString message = LoaderText::tr("Cannot group alerts: %1").arg(foldError);
            if (firstShown)
                emit failure(message);
            else
                emit groupQueryFinished(generation, query, windowMs, 0, {}, message, true);
            return;
        }
        m_groupsBuilt = generation;
        if (firstShown) {
            emit groupCountFinished(generation, count);
        } else {
            emit groupQueryFinished(generation, query, windowMs, count, first, QString(), true);
            emit groupQueryTimed(generation, clock.elapsed());
        }
    });
}

void AlertLoader::fetchGroupPage(quint64 generation, int page)
{
    m_groupPool.start([this, generation, page] {
        if (generation < m_latestGroups.load() || generation != m_groupsBuilt)
            return;
        QString error;
        QList<AlertGroupRow> rows;
        Store *g = groupStore(&error);
        if (!g || !g->alertGroupRows(qint64(page) * AlertGroupModel::kPageSize, AlertGroupModel::kPageSize, &rows, &error)) {
            emit failure(LoaderText::tr("Cannot load alert groups: %1").arg(error));
            return;
        }
        emit groupPageFinished(generation, page, rows);
    });
}

void AlertLoader::fetchGroupMembers(quint64 generation, quint64 list, const AlertQuery &query, int limit)
{
    if (generation < m_latestGroups.load())
        return;
    QString error;
    QList<AlertRow> rows;
    Store *s = store(&error);
    if (s)
        s->alertRows(query, 0, limit, &rows, &error);
    emit groupMembersFinished(generation, list, rows,
                              error.isEmpty() ? QString() : LoaderText::tr("Cannot load the group's alerts: %1").arg(error));
}

void AlertLoader::fetchMatchingIdsOfAll(quint64 ticket, const QList<AlertQuery> &queries)
{
    QString error;
    QList<qint64> all;
    QSet<qint64> seen;
    Store *s = store(&error);
    for (const AlertQuery &query : queries) {
        QList<qint64> ids;
        if (!s || !s->alertIds(query, &ids, &error))
            break;
        for (qint64 id : std::as_const(ids))
            if (!seen.contains(id)) {
                seen.insert(id);
                all.append(id);
            }
    }
    emit matchingIdsFinished(ticket, error.isEmpty() ? all : QList<qint64>(), error);
}

} // namespace vigil::models
