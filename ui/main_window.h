#pragma once
// The analyst console: the alert table over the whole store, filters and saved views, the
// detail pane, keyboard-first triage (single, selection, everything matching), status.

#include "console_backend.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QPointer>

QT_BEGIN_NAMESPACE
class QAction;
class QLabel;
class QMenu;
class QProgressDialog;
class QSplitter;
class QStackedWidget;
class QTableView;
class QTreeView;
QT_END_NAMESPACE

namespace vigil::models {
class AlertGroupModel;
class AlertLoader;
class AlertPageModel;
struct AlertRow;
}

namespace vigil::ui {

class AlertDetailPane;
class AlertExportController;
class AlertFilterBar;
class DesktopNotifications;
class SilencesDock;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(ConsoleBackend *backend, QWidget *parent = nullptr);
    ~MainWindow() override;

    models::AlertPageModel *alertModel() const { return m_model; }
    QTableView *alertView() const { return m_view; }
    // Grouping (View ▸ Group Repeats, Ctrl+G): the grouped tree replaces the table.
    models::AlertGroupModel *groupModel() const { return m_groupModel; }
    QTreeView *groupView() const { return m_groupView; }
    bool isGrouped() const;
    void setGrouped(bool on);
    AlertFilterBar *filterBar() const { return m_filters; }
    AlertDetailPane *detailPane() const { return m_detail; }
    AlertExportController *exporter() const { return m_export; }
    DesktopNotifications *notifications() const { return m_notifications; }
    SilencesDock *silencesDock() const { return m_silences; }
    // Starts the loader and runs the first query (the restored view, or newest first).
    void loadAlerts();
    // The last query's time on the loader thread, for the status bar and the benchmark.
    qint64 lastQueryMs() const { return m_lastQueryMs; }
    qint64 lastCountMs() const { return m_lastCountMs; }
    // Skips confirmations (tests and benchmarks).
    void setConfirmations(bool on) { m_confirm = on; }
    // The detail pane's width on first start (nothing saved yet) for a splitter this wide.
    static int defaultDetailWidth(int width);

signals:
    // The first rows of a query are on screen; then the rows are all counted.
    void queryShown(qint64 rows, qint64 milliseconds);
    void queryCounted(qint64 rows, qint64 milliseconds);
    // The first page of groups is on screen.
    void groupsShown(qint64 groups, qint64 milliseconds);
    void groupsCounted(qint64 groups, qint64 milliseconds);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void createActions();
    void createHeaderMenu();
    void onCurrentChanged();
    void showDetailsOf(qint64 alertId);
    // New notification rows of these alerts: the shown one's history is read again, off the
    // GUI thread, one read at a time (rows recorded meanwhile are read by the next).
    void onNotificationsRecorded(const QList<qint64> &alertIds);
    void reloadHistory();
    void goToAlert(qint64 alertId);
    void triage(models::AlertAction action);
    void triageIds(models::AlertAction action, const QList<qint64> &ids, int groups);
    // The ids of the selection; with group rows in it they come from the store (all alerts of
    // each group), so `then` may run later. `groups`: how many group rows were selected.
    void withSelectedIds(const std::function<void(const QList<qint64> &ids, int groups)> &then);
    void createGroupView();
    void setActiveQuery(const models::AlertQuery &query, bool keepSort);
    models::AlertQuery activeQuery() const;
    void setSortIndicator(const models::AlertQuery &query);
    void refreshActive();
    void triageMatching(models::AlertAction action);
    void assignSelected(bool toMe);
    void commentOnCurrent();
    void runBulk(const QString &what, const QList<qint64> &ids,
                 const std::function<void(quint64, const QList<qint64> &)> &post);
    void onActionFinished(const models::ActionResult &result);
    void onBulkFinished(quint64 ticket, const models::BulkActionResult &result);
    void updateStatus();
    void updateActions();
    void updateCount();
    void moveSelection(int delta);
    void nextUnacknowledged();
    void showDetails();
    void backToTable();
    void applyFilters();
    void saveView();
    void chooseView(const QString &name);
    void deleteView();
    void showToken();
    QList<qint64> selectedIds() const;
    const models::AlertRow *currentRow() const;
    bool confirm(const QString &title, const QString &text);

    ConsoleBackend *m_backend;
    models::AlertPageModel *m_model;
    models::AlertLoader *m_loader = nullptr;
    QTableView *m_view;
    models::AlertGroupModel *m_groupModel;
    QTreeView *m_groupView = nullptr;
    QStackedWidget *m_tables = nullptr;
    QAction *m_groupAction = nullptr;
    AlertDetailPane *m_detail;
    AlertFilterBar *m_filters;
    QSplitter *m_splitter;
    AlertExportController *m_export;
    DesktopNotifications *m_notifications;
    SilencesDock *m_silences;
    QAction *m_acknowledge = nullptr;
    QAction *m_resolve = nullptr;
    QAction *m_falsePositive = nullptr;
    QAction *m_reopen = nullptr;
    QAction *m_assignMe = nullptr;
    QAction *m_assignTo = nullptr;
    QAction *m_comment = nullptr;
    QMenu *m_contextMenu = nullptr;
    QLabel *m_count;
    QLabel *m_rates;
    QLabel *m_connections;
    QLabel *m_totals;
    QLabel *m_database;
    QStringList m_users;
    ConsoleStatus m_lastStatus;
    QElapsedTimer m_statusClock;
    QElapsedTimer m_queryClock;
    qint64 m_lastQueryMs = 0;
    qint64 m_lastCountMs = 0;
    bool m_splitterSized = false;   // restored from the settings, or set on first show
    bool m_historyReading = false;  // a history read runs (reloadHistory)
    bool m_historyStale = false;    // and more notifications were recorded meanwhile
    qint64 m_pendingSelect = 0;     // select this alert when its row is loaded
    bool m_pendingNext = false;     // "n" is waiting for a page
    int m_pendingNextFrom = -1;
    bool m_confirm = true;
    quint64 m_nextTicket = 1;
    quint64 m_bulkTicket = 0;       // the job in hand: its first ticket
    int m_bulkChunks = 0;
    int m_bulkChunksDone = 0;
    models::BulkActionResult m_bulkTotal;
    QString m_bulkWhat;
    QPointer<QProgressDialog> m_progress;
    quint64 m_idsTicket = 0;
    std::function<void(const QList<qint64> &)> m_onIds;
};

} // namespace vigil::ui
