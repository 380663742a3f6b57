#pragma once
// The alert table over the whole store: pages on demand, live alerts in batches.

#include "models/store/alert_query.h"
#include "models/store/alert_record.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>
#include <vector>

namespace vigil::models {

// Whether a live alert belongs to the rows of `query` (the free text is matched against the
// message, rule and source; the event's fields are only searched by the store).
bool alertMatches(const AlertQuery &query, const AlertRecord &alert);
AlertRow alertRowFrom(const AlertRecord &alert);

/*!
    A table over every alert matching an AlertQuery, however many there are. It never runs
    SQL: it asks for a query or a page through queryRequested()/pageRequested() and receives
    the answers in queryFinished()/pageFinished() (an AlertLoader on its own thread answers).

    Rows are a snapshot of the query (alerts up to the query's maxId, in its order) shown
    after the live alerts that arrived since (newest first). Only the pages looked at are
    kept: at most maxCachedPages() pages of pageSize() rows; display strings are built in
    data(). Live alerts are queued and inserted once per flush with one beginInsertRows();
    when the order is not newest first they are counted (liveAlertsWaiting()) and shown at
    the next refresh, since their place in that order is not known without the store.
*/
class AlertPageModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Severity, Type, Rule, Message, Source, Status, Assignee, ColumnCount };
    enum Roles { AlertIdRole = Qt::UserRole + 1, SeverityRole, StatusRole, CreatedAtRole, LoadedRole };
    static constexpr int kPageSize = 200;

    explicit AlertPageModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order) override;

    const AlertQuery &query() const { return m_query; }
    // Asks for the rows of `query` (the sort is kept when `keepSort`); the model keeps its
    // rows until the answer arrives, then resets once.
    void setQuery(const AlertQuery &query, bool keepSort = true);
    void refresh();
    bool isLoading() const { return m_loading; }
    bool isCounting() const { return m_counting; }
    quint64 generation() const { return m_generation; }

    // The row's alert when its page is loaded, else nullptr (and the page is asked for).
    const AlertRow *rowAt(int row) const;
    int rowOfAlert(qint64 alertId) const; // among loaded rows; -1 when not loaded
    qint64 snapshotCount() const { return m_total; }
    int liveRowCount() const { return int(m_live.size()); }
    int liveAlertsWaiting() const { return m_waiting; }
    int cachedPageCount() const { return int(m_pages.size()); }
    void setMaxCachedPages(int pages) { m_maxPages = std::max(2, pages); }
    int maxCachedPages() const { return m_maxPages; }

    // Live alerts, oldest first as raised; they appear at the next flush.
    void addAlerts(const QList<AlertRecord> &alerts);
    void flush();
    void setFlushInterval(int ms);
    // A changed alert (after triage): updates its row wherever it is loaded.
    void updateAlert(const AlertRecord &alert);
    void updateRow(const AlertRow &row);

    static QColor severityColor(engine::Severity severity);
    static QString severityText(engine::Severity severity);
    static QString statusText(engine::AlertStatus status);
    static QString typeText(engine::EventType type);

public slots:
    // The loader's answers; stale generations are ignored.
    // `counted`: `count` is the full count; otherwise it is the first page's size and
    // countFinished() follows.
    void queryFinished(quint64 generation, const vigil::models::AlertQuery &query, qint64 count,
                       const QList<vigil::models::AlertRow> &firstPage, const QString &error, bool counted = true);
    void pageFinished(quint64 generation, int page, const QList<vigil::models::AlertRow> &rows);
    // The full count, when queryFinished() came with only the first page counted: the rows
    // beyond it are inserted (one beginInsertRows) at the snapshot's end.
    void countFinished(quint64 generation, qint64 count);

signals:
    void queryRequested(quint64 generation, const vigil::models::AlertQuery &query);
    void pageRequested(quint64 generation, const vigil::models::AlertQuery &query, int page);
    void queryFailed(const QString &error);
    void loaded(qint64 rows);
    void counted(qint64 rows);
    void liveAlertsWaitingChanged(int count);

private:
    void requestPage(int page) const;
    void storePage(int page, QList<AlertRow> rows);
    AlertRow *mutableRowAt(int row);

    AlertQuery m_query;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_counting = false;
    qint64 m_total = 0;                      // rows of the snapshot
    std::vector<AlertRow> m_live;            // arrived after the snapshot, oldest first
    std::vector<AlertRow> m_pending;         // queued for the next flush
    QHash<int, QList<AlertRow>> m_pages;     // snapshot pages by number
    mutable QList<int> m_pageUse;            // least recently stored first
    mutable QSet<int> m_requested;
    int m_maxPages = 60;
    int m_waiting = 0;
    QTimer m_flushTimer;
};

} // namespace vigil::models
