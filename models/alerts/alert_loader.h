#pragma once
// Runs the console's queries on a thread of its own, with its own database connection.

#include "models/store/alert_query.h"
#include "models/store/database_url.h"

#include <QObject>
#include <QThreadPool>
#include <atomic>
#include <memory>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace vigil::models {

class Store;

/*!
    Answers AlertPageModel's requests (a query: snapshot id, count and first page; a page)
    and the console's other reads (rule names, users, the ids matching a filter, an alert's
    history) on its own thread and connection, so the GUI thread never waits on SQL.
    Requests for an older generation than the latest query are skipped.

    Create it on the GUI thread, then start(): it moves itself to its thread.
*/
class AlertLoader : public QObject
{
    Q_OBJECT
public:
    explicit AlertLoader(const DatabaseUrl &url);
    ~AlertLoader() override;

    void start();
    void stop();  // finishes the request in hand and joins the thread

    // Call on any thread: the loader skips work for generations older than this.
    void noteGeneration(quint64 generation) { m_latest.store(generation); }
    void noteGroupGeneration(quint64 generation) { m_latestGroups.store(generation); }
    // Call on any thread when the grouped view is left: the fold of `generation` (and older)
    // stops, if it runs, and is not started, if it waits.
    void abandonGroups(quint64 generation) { m_abandonedGroups.store(generation); }

public slots:
    void runQuery(quint64 generation, const vigil::models::AlertQuery &query);
    void fetchPage(quint64 generation, const vigil::models::AlertQuery &query, int page);
    void fetchChoices();
    void fetchMatchingIds(quint64 ticket, const vigil::models::AlertQuery &query);
    void fetchHistory(qint64 alertId);
    // Grouping (AlertGroupModel): the groups of a query are folded once into a table of this
    // loader's connection; pages and a group's members are then read from it and the store.
    void runGroupQuery(quint64 generation, const vigil::models::AlertQuery &query, qint64 windowMs);
    void fetchGroupPage(quint64 generation, int page);
    void fetchGroupMembers(quint64 generation, quint64 list, const vigil::models::AlertQuery &query, int limit);
    // The ids of every alert matching any of `queries` (the groups of a selection), each once.
    void fetchMatchingIdsOfAll(quint64 ticket, const QList<vigil::models::AlertQuery> &queries);

signals:
    void queryFinished(quint64 generation, const vigil::models::AlertQuery &query, qint64 count,
                       const QList<vigil::models::AlertRow> &firstPage, const QString &error, bool counted);
    void countFinished(quint64 generation, qint64 count);
    void pageFinished(quint64 generation, int page, const QList<vigil::models::AlertRow> &rows);
    void queryTimed(quint64 generation, qint64 milliseconds);
    void choicesFinished(const QStringList &rules, const QStringList &users);
    void matchingIdsFinished(quint64 ticket, const QList<qint64> &ids, const QString &error);
    void historyFinished(qint64 alertId, const QList<vigil::models::AlertHistoryEntry> &entries, const QString &error);
    void failure(const QString &message);
    // `counted`: `count` is the number of groups; otherwise it is the first page's size and
    // groupCountFinished() follows when the whole history is folded.
    void groupQueryFinished(quint64 generation, const vigil::models::AlertQuery &query, qint64 windowMs, qint64 count,
                            const QList<vigil::models::AlertGroupRow> &firstPage, const QString &error, bool counted);
    void groupCountFinished(quint64 generation, qint64 count);
    void groupPageFinished(quint64 generation, int page, const QList<vigil::models::AlertGroupRow> &rows);
    void groupMembersFinished(quint64 generation, quint64 list, const QList<vigil::models::AlertRow> &rows,
                              const QString &error);
    void groupQueryTimed(quint64 generation, qint64 milliseconds);

private:
    Store *store(QString *error);

    DatabaseUrl m_url;
    QThread *m_thread;
    std::unique_ptr<Store> m_store;
    std::atomic<quint64> m_latest{0};
    std::atomic<quint64> m_latestGroups{0}; // the group model counts its own generations
    std::atomic<quint64> m_abandonedGroups{0}; // folds up to this generation are not wanted
    quint64 m_groupsBuilt = 0;              // the generation the groups table holds (pool thread)
    QThreadPool m_countPool;      // one counting thread, its own connection per count
    // One thread that keeps its connection: it folds the groups into a table of that
    // connection and reads their pages, so a long fold never holds up this thread.
    QThreadPool m_groupPool;
    std::unique_ptr<Store> m_groupStore;    // used on m_groupPool's thread only
    Store *groupStore(QString *error);      // likewise
};

} // namespace vigil::models

Q_DECLARE_METATYPE(vigil::models::AlertHistoryEntry)
