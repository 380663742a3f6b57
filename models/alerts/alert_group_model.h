#pragma once
// The grouped alert table: repeats of one rule and source within a window fold into one row,
// expandable to the individual alerts. Pages on demand and takes live alerts in batches, like
// AlertPageModel.

#include "models/store/alert_query.h"
#include "models/store/alert_record.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>
#include <memory>
#include <vector>

namespace vigil::models {

// What makes alerts one group: the rule, the source and the window their time falls in.
struct AlertGroupKey
{
    QString ruleName;
    QString sourceId;
    qint64 bucket = 0;
    bool operator==(const AlertGroupKey &o) const = default;
};
size_t qHash(const AlertGroupKey &key, size_t seed = 0);

// The alerts of one group as a query: `query` narrowed to the group's rule, source and window.
AlertQuery groupMembersQuery(const AlertQuery &query, const AlertGroupKey &key, qint64 windowMs);

/*!
    A tree over the groups of every alert matching an AlertQuery: top-level rows are groups
    (count, first and last seen, highest severity, the newest alert's message and status),
    their children the group's alerts. Like AlertPageModel it never runs SQL: it asks through
    queryRequested()/pageRequested()/membersRequested() and an AlertLoader answers.

    Groups are a snapshot (alerts up to the query's maxId); at most maxCachedPages() pages of
    them are kept, never one holding an expanded group. A group's children load when it is
    expanded (fetchMore), up to kMaxChildren, in the query's order. The first page may come
    before the count (isCounting()): the other groups are inserted when they are counted.

    Expanded groups are remembered by identity (rule, source, window; the view reports them
    through setExpanded()), so a refresh, another filter or another sort keeps them expanded:
    when a remembered group is loaded again, its alerts are read anew and expandRequested()
    asks the view to expand its row. A new window forgets them (its groups are others).

    Live alerts are queued and applied once per flush. In the default order (newest groups
    first) an alert for a loaded group updates its count, last seen, severity and newest
    alert in place (and its children when loaded); an alert that starts a group adds a row on
    top, all of a flush's new groups in one beginInsertRows(). In oldest-first order only
    loaded groups are updated; in other orders, and when the group's row is not loaded,
    alerts are counted (liveAlertsWaiting()) and shown at the next refresh.
*/
class AlertGroupModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    // The flat table's columns (so the sort keys are the same), then the group's own.
    enum Column { Time, Severity, Type, Rule, Message, Source, Status, Assignee, Count, LastSeen, ColumnCount };
    enum Roles { AlertIdRole = Qt::UserRole + 1, SeverityRole, StatusRole, CreatedAtRole, LoadedRole, IsGroupRole, CountRole };
    static constexpr int kPageSize = 200;
    static constexpr int kMaxChildren = 1000;
    static constexpr qint64 kDefaultWindowMs = 60 * 60 * 1000;

    explicit AlertGroupModel(QObject *parent = nullptr);
    ~AlertGroupModel() override;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // Every column sorts, both ways: Time by the group's first alert, Count by its number of
    // alerts, LastSeen by its newest alert's time (sortKeyOf() maps a column to its key).
    void sort(int column, Qt::SortOrder order) override;
    static AlertSortKey sortKeyOf(int column);
    static int columnOf(AlertSortKey key);

    const AlertQuery &query() const { return m_query; }
    qint64 windowMs() const { return m_windowMs; }
    // Asks for the groups of `query` (the sort is kept when `keepSort`); the rows stay until
    // the answer arrives, then the model resets once.
    void setQuery(const AlertQuery &query, bool keepSort = true);
    void setWindow(qint64 windowMs);
    void refresh();
    bool isLoading() const { return m_loading; }
    bool isCounting() const { return m_counting; }
    quint64 generation() const { return m_generation; }

    // The group of a top-level row when its page is loaded, else nullptr (and it is asked for).
    const AlertGroupRow *groupAt(int row) const;
    // A child's alert, or a group's newest alert; nullptr when not loaded.
    const AlertRow *alertAt(const QModelIndex &index) const;
    bool isGroup(const QModelIndex &index) const { return index.isValid() && index.internalId() == 0; }
    AlertGroupKey keyOf(const AlertGroupRow &group) const { return {group.ruleName, group.sourceId, group.bucket}; }
    // The query for all alerts of the group at `row` (live ones included).
    AlertQuery membersQuery(int row) const;
    qint64 snapshotCount() const { return m_total; }
    int liveGroupCount() const { return int(m_live.size()); }
    int liveAlertsWaiting() const { return m_waiting; }
    int cachedPageCount() const { return int(m_pages.size()); }
    void setMaxCachedPages(int pages) { m_maxPages = std::max(2, pages); }

    // Live alerts, oldest first as raised; they are applied at the next flush.
    void addAlerts(const QList<AlertRecord> &alerts);
    void flush();
    void setFlushInterval(int ms);
    // A changed alert (after triage): its child row and, when it is a group's newest, the group.
    void updateAlert(const AlertRecord &alert);

    // The view expanded or collapsed a group row (ignored for other indexes).
    void setExpanded(const QModelIndex &group, bool expanded);
    int expandedGroupCount() const { return int(m_expanded.size()); }

public slots:
    // `counted`: `count` is the number of groups; otherwise it is the first page's size and
    // countFinished() follows (the rows beyond it are then inserted in one beginInsertRows).
    void queryFinished(quint64 generation, const vigil::models::AlertQuery &query, qint64 windowMs, qint64 count,
                       const QList<vigil::models::AlertGroupRow> &firstPage, const QString &error, bool counted = true);
    void countFinished(quint64 generation, qint64 count);
    void pageFinished(quint64 generation, int page, const QList<vigil::models::AlertGroupRow> &rows);
    void membersFinished(quint64 generation, quint64 list, const QList<vigil::models::AlertRow> &rows, const QString &error);

signals:
    void queryRequested(quint64 generation, const vigil::models::AlertQuery &query, qint64 windowMs);
    void pageRequested(quint64 generation, int page);
    void membersRequested(quint64 generation, quint64 list, const vigil::models::AlertQuery &query, int limit);
    void queryFailed(const QString &error);
    void loaded(qint64 groups);
    void counted(qint64 groups);
    void liveAlertsWaitingChanged(int count);
    // A group that was expanded is shown again (after a refresh, or when its page loads):
    // the view should expand `group`; its alerts are already asked for.
    void expandRequested(const QModelIndex &group);

private:
    struct Children
    {
        quint64 serial = 0;
        AlertGroupKey key;
        bool loaded = false;
        QList<AlertRow> rows;
    };
    struct Delta
    {
        qint64 count = 0;
        qint64 lastSeenMs = 0;
        engine::Severity topSeverity = engine::Severity::Low;
        AlertRow newest;
    };

    AlertGroupRow *mutableGroupAt(int row);
    // Like groupAt() without asking for the page: the structure (rowCount, hasChildren,
    // index, parent) must not load pages, or a tree view laying out every row loads them all.
    const AlertGroupRow *peekGroupAt(int row) const;
    int rowOfKey(const AlertGroupKey &key) const; // among loaded rows; -1 when not loaded
    Children *childrenOf(const AlertGroupKey &key) const;
    void requestPage(int page) const;
    void storePage(int page, QList<AlertGroupRow> rows);
    void clearRows();
    // Asks for the alerts of the remembered expanded groups among `count` rows from `first`,
    // then expandRequested() for each.
    void restoreExpanded(int first, int count);
    bool mayStartGroup(const AlertRow &alert, const AlertGroupKey &key, qint64 topFirstSeen) const;
    static void apply(AlertGroupRow &group, const AlertRow &alert);

    AlertQuery m_query;
    qint64 m_windowMs = kDefaultWindowMs;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_counting = false;
    qint64 m_total = 0;                               // groups of the snapshot
    std::vector<AlertGroupRow> m_live;                // groups started after it, oldest first
    std::vector<AlertRow> m_pending;                  // queued for the next flush
    QHash<int, QList<AlertGroupRow>> m_pages;         // snapshot pages by number
    QHash<AlertGroupKey, Delta> m_deltas;             // live alerts of snapshot groups
    QHash<AlertGroupKey, quint64> m_childrenByKey;
    QSet<AlertGroupKey> m_expanded;                   // expanded in the view, kept across queries
    QHash<quint64, std::shared_ptr<Children>> m_children; // by serial (the children's internalId)
    mutable QHash<AlertGroupKey, int> m_rowCache;
    mutable QList<int> m_pageUse;
    mutable QSet<int> m_requested;
    quint64 m_nextSerial = 1;
    int m_maxPages = 60;
    int m_waiting = 0;
    QTimer m_flushTimer;
};

} // namespace vigil::models
