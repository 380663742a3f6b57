#include "main_window.h"

#include "alerts/alert_detail_pane.h"
#include "alerts/alert_export_controller.h"
#include "alerts/alert_filter_bar.h"
#include "notifications/desktop_notifications.h"
#include "silences/silences_dock.h"
#include "models/alerts/alert_group_model.h"
#include "models/alerts/alert_loader.h"
#include "models/alerts/alert_page_model.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QCloseEvent>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressDialog>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>

namespace vigil::ui {

namespace {
constexpr int kBulkChunk = 2000;       // alerts per writer transaction in a bulk action
constexpr int kNextScanLimit = 20000;  // rows "n" looks through before giving up
const QString kGroupedKey = QStringLiteral("console/grouped");
const QString kGroupWindowKey = QStringLiteral("console/groupWindowMs");

struct LoadedDetails
{
    qint64 alertId = 0;
    models::AlertRecord alert;
    QJsonObject event;
    QList<models::AlertHistoryEntry> history;
    QList<models::AlertNotification> notifications;
    models::AnomalyExplanation anomaly;
    QList<models::AlertRow> related;
    QString relatedError;
    QString error;
};

constexpr int kRelatedAlerts = 20;     // related alerts the detail pane lists

QString threadConnectionName(const char *what)
{
    return QStringLiteral("vigil-%1-%2").arg(QLatin1String(what)).arg(quintptr(QThread::currentThreadId()));
}

QString actionVerb(models::AlertAction action)
{
    switch (action) {
    case models::AlertAction::Acknowledge: return MainWindow::tr("acknowledge");
    case models::AlertAction::Resolve: return MainWindow::tr("resolve");
    case models::AlertAction::MarkFalsePositive: return MainWindow::tr("mark as false positive");
    case models::AlertAction::Reopen: return MainWindow::tr("reopen");
    }
    return {};
}
} // namespace

MainWindow::MainWindow(ConsoleBackend *backend, QWidget *parent)
    : QMainWindow(parent), m_backend(backend), m_model(new models::AlertPageModel(this)),
      m_groupModel(new models::AlertGroupModel(this))
{
    qRegisterMetaType<vigil::models::ActionResult>();
    qRegisterMetaType<vigil::models::BulkActionResult>();
    setWindowTitle(tr("Vigil — %1").arg(backend->databaseUrl().displayName()));

    m_filters = new AlertFilterBar(this);
    m_filters->setCurrentUser(backend->actor().username);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("alertTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->verticalHeader()->hide();
    // Fixed row heights: the view never asks a million rows for their size.
    m_view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    QHeaderView *header = m_view->horizontalHeader();
    header->setStretchLastSection(true);
    header->setSectionsMovable(true);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(models::AlertPageModel::Time, Qt::DescendingOrder);
    header->setSectionResizeMode(QHeaderView::Interactive);
    // Widths for bold text: CRITICAL rows are bold, and their time must not be elided.
    QFont bold = m_view->font();
    bold.setBold(true);
    const QFontMetrics fm(bold);
    const int pad = 2 * fm.horizontalAdvance(QLatin1Char('M'));
    m_view->setColumnWidth(models::AlertPageModel::Time, fm.horizontalAdvance(QStringLiteral("2026-12-31 23:59:59")) + pad);
    m_view->setColumnWidth(models::AlertPageModel::Severity, fm.horizontalAdvance(tr("Critical")) + pad);
    m_view->setColumnWidth(models::AlertPageModel::Type, fm.horizontalAdvance(tr("Transaction")) + pad);
    m_view->setColumnWidth(models::AlertPageModel::Rule, fm.horizontalAdvance(QStringLiteral("Payment to sanctioned country")) + pad);
    m_view->setColumnWidth(models::AlertPageModel::Message, 46 * fm.horizontalAdvance(QLatin1Char('n')));
    m_view->setColumnWidth(models::AlertPageModel::Source, fm.horizontalAdvance(QStringLiteral("pay-gw-024")) + pad);
    m_view->setColumnWidth(models::AlertPageModel::Status, fm.horizontalAdvance(tr("Acknowledged")) + pad);
    m_view->setColumnWidth(models::AlertPageModel::Assignee, fm.horizontalAdvance(QStringLiteral("assignee")) + pad);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);

    m_detail = new AlertDetailPane(this);
    m_detail->setObjectName(QStringLiteral("detailPane"));
    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(0);
    leftLayout->addWidget(m_filters);
    m_tables = new QStackedWidget(left);
    m_tables->addWidget(m_view);
    createGroupView();
    leftLayout->addWidget(m_tables);
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("consoleSplitter"));
    m_splitter->addWidget(left);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 1);
    // The sizes come from the window's width when it is first shown (showEvent), or from the
    // last session.
    setCentralWidget(m_splitter);

    m_export = new AlertExportController(backend->databaseUrl(), this);
    m_notifications = new DesktopNotifications(this);
    // Silences: listed in a dock (hidden until asked for), made from the alert menu.
    m_silences = new SilencesDock(backend, this);
    addDockWidget(Qt::BottomDockWidgetArea, m_silences);
    m_silences->hide();
    connect(m_silences, &SilencesDock::message, this, [this](const QString &text) { statusBar()->showMessage(text, 8000); });

    createActions();
    createHeaderMenu();

    m_count = new QLabel(this);
    m_count->setObjectName(QStringLiteral("countLabel"));
    m_rates = new QLabel(this);
    m_connections = new QLabel(this);
    m_totals = new QLabel(this);
    m_database = new QLabel(backend->databaseUrl().displayName(), this);
    // The live state (rates, producers and subscribers, totals) is permanent: a message in the
    // status bar (a critical alert, an export finished) covers only the row count.
    m_count->setContentsMargins(4, 0, 12, 0);
    statusBar()->addWidget(m_count);
    for (QLabel *label : {m_rates, m_connections, m_totals, m_database}) {
        label->setContentsMargins(4, 0, 12, 0);
        statusBar()->addPermanentWidget(label);
    }

    // The loader: its own thread and connection; the model talks to it through signals.
    m_loader = new models::AlertLoader(backend->databaseUrl());
    connect(m_model, &models::AlertPageModel::queryRequested, m_loader, &models::AlertLoader::runQuery);
    connect(m_model, &models::AlertPageModel::queryRequested, this, [this](quint64 generation) {
        m_loader->noteGeneration(generation);
        m_queryClock.start();
        m_count->setText(tr("Loading…"));
    });
    connect(m_model, &models::AlertPageModel::pageRequested, m_loader, &models::AlertLoader::fetchPage);
    connect(m_loader, &models::AlertLoader::queryFinished, m_model, &models::AlertPageModel::queryFinished);
    connect(m_loader, &models::AlertLoader::pageFinished, m_model, &models::AlertPageModel::pageFinished);
    connect(m_loader, &models::AlertLoader::countFinished, m_model, &models::AlertPageModel::countFinished);
    connect(m_model, &models::AlertPageModel::counted, this, [this](qint64 rows) {
        m_lastCountMs = m_queryClock.isValid() ? m_queryClock.elapsed() : 0;
        updateCount();
        emit queryCounted(rows, m_lastCountMs);
    });
    connect(m_loader, &models::AlertLoader::queryTimed, this, [this](quint64, qint64 ms) { m_lastQueryMs = ms; });
    connect(m_loader, &models::AlertLoader::failure, this, [this](const QString &message) {
        statusBar()->showMessage(message, 15000);
    });
    connect(m_loader, &models::AlertLoader::choicesFinished, this, [this](const QStringList &rules, const QStringList &users) {
        m_users = users;
        m_filters->setChoices(rules, users);
        m_silences->setRuleChoices(rules);
    });
    connect(m_loader, &models::AlertLoader::matchingIdsFinished, this,
            [this](quint64 ticket, const QList<qint64> &ids, const QString &error) {
                if (ticket != m_idsTicket || !m_onIds)
                    return;
                const auto then = std::move(m_onIds);
                m_onIds = nullptr;
                if (!error.isEmpty()) {
                    QMessageBox::warning(this, tr("Cannot list the alerts"), error);
                    return;
                }
                then(ids);
            });
    connect(m_model, &models::AlertPageModel::queryFailed, this, [this](const QString &error) {
        updateCount();
        QMessageBox::warning(this, tr("Cannot load alerts"), error);
    });
    connect(m_model, &models::AlertPageModel::loaded, this, [this](qint64 rows) {
        const qint64 ms = m_queryClock.isValid() ? m_queryClock.elapsed() : 0;
        updateCount();
        if (m_pendingSelect) {
            const int row = m_model->rowOfAlert(m_pendingSelect);
            m_pendingSelect = 0;
            if (row >= 0) {
                m_view->setCurrentIndex(m_model->index(row, 0));
                m_view->scrollTo(m_model->index(row, 0));
            }
        }
        if (!m_view->currentIndex().isValid() && rows > 0)
            m_view->setCurrentIndex(m_model->index(0, 0));
        updateActions();
        emit queryShown(rows, ms);
    });
    connect(m_model, &models::AlertPageModel::liveAlertsWaitingChanged, this, &MainWindow::updateCount);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateCount);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
        const int current = m_view->currentIndex().row();
        if (current >= topLeft.row() && current <= bottomRight.row()) {
            updateActions();
            if (m_detail->alertId() == 0)
                onCurrentChanged();
        }
        if (m_pendingNext)
            nextUnacknowledged();
    });
    // The grouped tree asks the same loader (its groups table lives on the loader's connection).
    connect(m_groupModel, &models::AlertGroupModel::queryRequested, this, [this](quint64 generation) {
        m_loader->noteGroupGeneration(generation);
        m_queryClock.start();
        m_count->setText(tr("Grouping…"));
    });
    connect(m_groupModel, &models::AlertGroupModel::queryRequested, m_loader, &models::AlertLoader::runGroupQuery);
    connect(m_groupModel, &models::AlertGroupModel::pageRequested, m_loader, &models::AlertLoader::fetchGroupPage);
    connect(m_groupModel, &models::AlertGroupModel::membersRequested, m_loader, &models::AlertLoader::fetchGroupMembers);
    connect(m_loader, &models::AlertLoader::groupQueryFinished, m_groupModel, &models::AlertGroupModel::queryFinished);
    connect(m_loader, &models::AlertLoader::groupPageFinished, m_groupModel, &models::AlertGroupModel::pageFinished);
    connect(m_loader, &models::AlertLoader::groupMembersFinished, m_groupModel, &models::AlertGroupModel::membersFinished);
    connect(m_loader, &models::AlertLoader::groupCountFinished, m_groupModel, &models::AlertGroupModel::countFinished);
    connect(m_groupModel, &models::AlertGroupModel::counted, this, [this](qint64 groups) {
        m_lastCountMs = m_queryClock.isValid() ? m_queryClock.elapsed() : 0;
        updateCount();
        emit groupsCounted(groups, m_lastCountMs);
    });
    connect(m_loader, &models::AlertLoader::groupQueryTimed, this, [this](quint64, qint64 ms) { m_lastQueryMs = ms; });
    connect(m_groupModel, &models::AlertGroupModel::queryFailed, this, [this](const QString &error) {
        updateCount();
        QMessageBox::warning(this, tr("Cannot group alerts"), error);
    });
    connect(m_groupModel, &models::AlertGroupModel::loaded, this, [this](qint64 groups) {
        const qint64 ms = m_queryClock.isValid() ? m_queryClock.elapsed() : 0;
        updateCount();
        if (!m_groupView->currentIndex().isValid() && groups > 0)
            m_groupView->setCurrentIndex(m_groupModel->index(0, 0));
        updateActions();
        emit groupsShown(groups, ms);
    });
    connect(m_groupModel, &models::AlertGroupModel::liveAlertsWaitingChanged, this, &MainWindow::updateCount);
    connect(m_groupModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateCount);
    connect(m_groupModel, &QAbstractItemModel::dataChanged, this, &MainWindow::updateActions);
    m_loader->start();

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::onCurrentChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    connect(m_view, &QTableView::customContextMenuRequested, this, [this](const QPoint &pos) {
        m_contextMenu->popup(m_view->viewport()->mapToGlobal(pos));
    });
    connect(m_view, &QTableView::doubleClicked, this, &MainWindow::showDetails);
    connect(m_groupView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::onCurrentChanged);
    connect(m_groupView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    connect(m_groupView, &QTreeView::customContextMenuRequested, this, [this](const QPoint &pos) {
        m_contextMenu->popup(m_groupView->viewport()->mapToGlobal(pos));
    });
    // Expanded groups stay expanded when the groups are read again (refresh, filter, sort).
    connect(m_groupView, &QTreeView::expanded, m_groupModel, [this](const QModelIndex &group) {
        m_groupModel->setExpanded(group, true);
    });
    connect(m_groupView, &QTreeView::collapsed, m_groupModel, [this](const QModelIndex &group) {
        m_groupModel->setExpanded(group, false);
    });
    connect(m_groupModel, &models::AlertGroupModel::expandRequested, m_groupView, &QTreeView::expand);
    connect(m_filters, &AlertFilterBar::queryChanged, this, &MainWindow::applyFilters);
    connect(m_filters, &AlertFilterBar::saveViewRequested, this, &MainWindow::saveView);
    connect(m_filters, &AlertFilterBar::viewChosen, this, &MainWindow::chooseView);
    connect(m_backend, &ConsoleBackend::alertsRaised, m_model, &models::AlertPageModel::addAlerts);
    connect(m_backend, &ConsoleBackend::alertsRaised, m_notifications, &DesktopNotifications::addAlerts);
    connect(m_notifications, &DesktopNotifications::showInWindow, this, [this](const QString &text) {
        statusBar()->showMessage(text, 10000);
    });
    connect(m_notifications, &DesktopNotifications::alertChosen, this, &MainWindow::goToAlert);
    connect(m_notifications, &DesktopNotifications::shown, this, [this](const QList<qint64> &alertIds) {
        m_backend->recordNotifications(DesktopNotifications::records(alertIds, m_backend->actor().username,
                                                                     QDateTime::currentMSecsSinceEpoch()));
    });
    connect(m_export, &AlertExportController::statusMessage, this, [this](const QString &text) {
        statusBar()->showMessage(text, 8000);
    });
    connect(m_detail, &AlertDetailPane::relatedAlertActivated, this, &MainWindow::goToAlert);
    connect(m_backend, &ConsoleBackend::notificationsRecorded, this, &MainWindow::onNotificationsRecorded);
    connect(m_backend, &ConsoleBackend::alertsRaised, m_groupModel, &models::AlertGroupModel::addAlerts);
    connect(m_backend, &ConsoleBackend::actionFinished, this, &MainWindow::onActionFinished);
    connect(m_backend, &ConsoleBackend::bulkFinished, this, &MainWindow::onBulkFinished);
    connect(m_backend, &ConsoleBackend::commentFinished, this, [this](qint64 alertId, const QString &error) {
        if (!error.isEmpty()) {
            QMessageBox::warning(this, tr("Comment not saved"), error);
            return;
        }
        statusBar()->showMessage(tr("Comment added to alert %1.").arg(alertId), 4000);
        if (m_detail->alertId() == alertId)
            showDetailsOf(alertId);
    });
    connect(m_backend, &ConsoleBackend::failure, this, [this](const QString &message) {
        statusBar()->showMessage(message, 15000);
    });

    auto *statusTimer = new QTimer(this);
    connect(statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    statusTimer->start(1000);
    m_statusClock.start();
    m_lastStatus = m_backend->status();
    updateStatus();
    updateActions();

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("console/geometry")).toByteArray());
    m_splitterSized = m_splitter->restoreState(settings.value(QStringLiteral("console/splitter")).toByteArray());
    header->restoreState(settings.value(QStringLiteral("console/alertHeader")).toByteArray());
    m_groupView->header()->restoreState(settings.value(QStringLiteral("console/groupHeader")).toByteArray());
    if (!settings.contains(QStringLiteral("console/geometry")))
        resize(1600, 900);
    connect(header, &QHeaderView::sortIndicatorChanged, m_model, &models::AlertPageModel::sort);
    connect(m_groupView->header(), &QHeaderView::sortIndicatorChanged, m_groupModel, &models::AlertGroupModel::sort);
}

void MainWindow::createGroupView()
{
    m_groupView = new QTreeView(this);
    m_groupView->setObjectName(QStringLiteral("alertGroupTree"));
    m_groupView->setModel(m_groupModel);
    m_groupView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_groupView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_groupView->setAlternatingRowColors(true);
    m_groupView->setWordWrap(false);
    m_groupView->setTextElideMode(Qt::ElideRight);
    // Uniform heights: the view never asks every group for its size. Enter shows details, so
    // double-click does too instead of expanding (the arrow, Right and + expand).
    m_groupView->setUniformRowHeights(true);
    m_groupView->setExpandsOnDoubleClick(false);
    m_groupView->setContextMenuPolicy(Qt::CustomContextMenu);
    QHeaderView *header = m_groupView->header();
    header->setStretchLastSection(false);
    header->setSectionsMovable(true);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(models::AlertGroupModel::Time, Qt::DescendingOrder);
    for (int c = 0; c < models::AlertGroupModel::Count; ++c)
        header->resizeSection(c, m_view->columnWidth(c));
    const QFontMetrics fm = m_groupView->fontMetrics();
    const int pad = 2 * fm.horizontalAdvance(QLatin1Char('M'));
    header->resizeSection(models::AlertGroupModel::Time, m_view->columnWidth(models::AlertPageModel::Time) + pad);
    header->resizeSection(models::AlertGroupModel::Count, fm.horizontalAdvance(QStringLiteral("1,000,000")) + pad);
    header->resizeSection(models::AlertGroupModel::LastSeen, m_view->columnWidth(models::AlertPageModel::Time));
    // Count and last seen go right after the severity, where an analyst reads them first.
    header->moveSection(models::AlertGroupModel::Count, models::AlertGroupModel::Severity + 1);
    header->moveSection(models::AlertGroupModel::LastSeen, models::AlertGroupModel::Time + 1);
    connect(m_groupView, &QTreeView::doubleClicked, this, &MainWindow::showDetails);
    m_tables->addWidget(m_groupView);
    m_groupModel->setWindow(QSettings().value(kGroupWindowKey, models::AlertGroupModel::kDefaultWindowMs).toLongLong());
}

bool MainWindow::isGrouped() const
{
    return m_tables->currentWidget() == m_groupView;
}

void MainWindow::setGrouped(bool on)
{
    if (m_groupAction->isChecked() != on) {
        QSignalBlocker block(m_groupAction);
        m_groupAction->setChecked(on);
    }
    QSettings().setValue(kGroupedKey, on);
    if (on == isGrouped())
        return;
    // The other view takes over the same filter and sort (the table sorts by time for the
    // groups' own count and last seen). A fold still running is not wanted any more.
    models::AlertQuery q = activeQuery();
    if (!on) {
        m_loader->abandonGroups(m_groupModel->generation());
        if (q.sortKey == models::AlertSortKey::Count || q.sortKey == models::AlertSortKey::LastSeen) {
            q.sortKey = models::AlertSortKey::Time;
            q.descending = true;
        }
    }
    m_tables->setCurrentWidget(on ? static_cast<QWidget *>(m_groupView) : m_view);
    setSortIndicator(q);
    if (m_model->generation() > 0 || m_groupModel->generation() > 0)
        setActiveQuery(q, false);
    (on ? static_cast<QWidget *>(m_groupView) : m_view)->setFocus(Qt::ShortcutFocusReason);
    updateCount();
    updateActions();
}

// The visible view's header shows `query`'s sort (without sorting again).
void MainWindow::setSortIndicator(const models::AlertQuery &query)
{
    QHeaderView *header = isGrouped() ? m_groupView->header() : m_view->horizontalHeader();
    const int column = isGrouped() ? models::AlertGroupModel::columnOf(query.sortKey) : int(query.sortKey);
    QSignalBlocker block(header);
    header->setSortIndicator(column, query.descending ? Qt::DescendingOrder : Qt::AscendingOrder);
}

models::AlertQuery MainWindow::activeQuery() const
{
    return isGrouped() ? m_groupModel->query() : m_model->query();
}

void MainWindow::setActiveQuery(const models::AlertQuery &query, bool keepSort)
{
    if (isGrouped())
        m_groupModel->setQuery(query, keepSort);
    else
        m_model->setQuery(query, keepSort);
}

void MainWindow::refreshActive()
{
    if (isGrouped()) {
        m_groupModel->refresh();
        return;
    }
    if (const models::AlertRow *row = currentRow())
        m_pendingSelect = row->id;
    m_model->refresh();
}

MainWindow::~MainWindow()
{
    delete m_loader; // stops its thread, closing its connection there
}

int MainWindow::defaultDetailWidth(int width)
{
    // Enough for the event's field names and values side by side (a time spelled out, a
    // notification's line); the table keeps the rest, at 1600 px all but the assignee column.
    return std::clamp(width * 35 / 100, std::min(420, width / 2), 720);
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_splitterSized)
        return;
    // First start: the window has its size (and its layout) now.
    m_splitterSized = true;
    const int width = m_splitter->width() - m_splitter->handleWidth();
    const int detail = defaultDetailWidth(width);
    m_splitter->setSizes({width - detail, detail});
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_export->isRunning()) {
        if (!confirm(tr("Export Running"), tr("An export is still running. Cancel it and quit? Its file will not be written."))) {
            event->ignore();
            return;
        }
        m_export->cancel();
    }
    QSettings settings;
    settings.setValue(QStringLiteral("console/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("console/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("console/alertHeader"), m_view->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("console/groupHeader"), m_groupView->header()->saveState());
    settings.setValue(QStringLiteral("console/lastView"), m_filters->currentView());
    settings.setValue(QStringLiteral("console/lastFilters"),
                      QString::fromUtf8(QJsonDocument(m_filters->viewJson(activeQuery())).toJson(QJsonDocument::Compact)));
    event->accept();
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *exportSelection = file->addAction(tr("&Export Selection…"), this,
                                               [this] { m_export->exportSelection(m_view, m_model); });
    exportSelection->setShortcut(Qt::CTRL | Qt::Key_E);
    exportSelection->setStatusTip(tr("Write the selected alerts to a CSV or JSON file"));
    QAction *exportMatching = file->addAction(tr("Export All &Matching…"), this,
                                              [this] { m_export->exportMatching(m_model->query()); });
    exportMatching->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_E);
    exportMatching->setStatusTip(tr("Write every alert matching the filter to a CSV or JSON file"));
    file->addSeparator();
    QAction *token = file->addAction(tr("Producer &Token…"), this, &MainWindow::showToken);
    token->setStatusTip(tr("Show the token producers and subscribers use to connect"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *find = view->addAction(tr("&Filter…"), this, [this] { m_filters->focusText(); });
    find->setShortcut(Qt::Key_Slash);
    QAction *clear = view->addAction(tr("&Clear Filters"), this, [this] { m_filters->clearFilters(); });
    clear->setShortcut(Qt::CTRL | Qt::Key_Backspace);
    QAction *refresh = view->addAction(tr("&Refresh"), this, &MainWindow::refreshActive);
    refresh->setShortcut(QKeySequence::Refresh);
    view->addSeparator();
    m_groupAction = view->addAction(tr("&Group Repeats"), this, &MainWindow::setGrouped);
    m_groupAction->setCheckable(true);
    m_groupAction->setShortcut(Qt::CTRL | Qt::Key_G);
    m_groupAction->setStatusTip(tr("Fold alerts of the same rule and source within a window into one row "
                                   "(Right or + expands a group, Left or - collapses it)"));
    QMenu *window = view->addMenu(tr("Group &Window"));
    auto *windows = new QActionGroup(window);
    const qint64 minute = 60 * 1000;
    const std::pair<QString, qint64> choices[] = {{tr("&5 Minutes"), 5 * minute}, {tr("&15 Minutes"), 15 * minute},
                                                  {tr("1 &Hour"), 60 * minute}, {tr("1 &Day"), 24 * 60 * minute}};
    for (const auto &[label, ms] : choices) {
        QAction *a = window->addAction(label, this, [this, ms = ms] {
            QSettings().setValue(kGroupWindowKey, ms);
            m_groupModel->setWindow(ms);
        });
        a->setCheckable(true);
        a->setChecked(ms == m_groupModel->windowMs());
        windows->addAction(a);
    }
    view->addSeparator();
    QAction *details = view->addAction(tr("Show &Details"), this, &MainWindow::showDetails);
    details->setShortcuts({QKeySequence(Qt::Key_Return), QKeySequence(Qt::Key_Enter)});
    details->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(details);
    m_groupView->addAction(details);
    QAction *back = view->addAction(tr("&Back to the Table"), this, &MainWindow::backToTable);
    back->setShortcut(Qt::Key_Escape);
    view->addSeparator();
    view->addAction(tr("&Save View…"), this, &MainWindow::saveView);
    view->addAction(tr("De&lete View"), this, &MainWindow::deleteView);
    view->addSeparator();
    view->addAction(m_notifications->desktopAction());
    view->addAction(m_notifications->soundAction());

    QMenu *alert = menuBar()->addMenu(tr("&Alert"));
    m_acknowledge = alert->addAction(tr("&Acknowledge"), this, [this] { triage(models::AlertAction::Acknowledge); });
    m_acknowledge->setShortcut(Qt::Key_A);
    m_acknowledge->setStatusTip(tr("Take ownership of the selected alerts until they are resolved"));
    m_resolve = alert->addAction(tr("&Resolve…"), this, [this] { triage(models::AlertAction::Resolve); });
    m_resolve->setShortcut(Qt::Key_R);
    m_falsePositive = alert->addAction(tr("Mark &False Positive…"), this, [this] { triage(models::AlertAction::MarkFalsePositive); });
    m_falsePositive->setShortcut(Qt::Key_F);
    m_reopen = alert->addAction(tr("Re&open…"), this, [this] { triage(models::AlertAction::Reopen); });
    m_reopen->setShortcut(Qt::SHIFT | Qt::Key_O);
    alert->addSeparator();
    m_assignMe = alert->addAction(tr("Assign to &Me"), this, [this] { assignSelected(true); });
    m_assignMe->setShortcut(Qt::Key_T);
    m_assignTo = alert->addAction(tr("Assign &To…"), this, [this] { assignSelected(false); });
    m_assignTo->setShortcut(Qt::SHIFT | Qt::Key_T);
    m_comment = alert->addAction(tr("Add &Comment…"), this, &MainWindow::commentOnCurrent);
    m_comment->setShortcut(Qt::Key_C);
    alert->addSeparator();
    QAction *next = alert->addAction(tr("&Next Alert"), this, [this] { moveSelection(1); });
    next->setShortcut(Qt::Key_J);
    QAction *previous = alert->addAction(tr("&Previous Alert"), this, [this] { moveSelection(-1); });
    previous->setShortcut(Qt::Key_K);
    QAction *nextNew = alert->addAction(tr("Next &Unacknowledged"), this, &MainWindow::nextUnacknowledged);
    nextNew->setShortcut(Qt::Key_N);
    alert->addSeparator();
    QMenu *matching = alert->addMenu(tr("All &Matching the Filter"));
    matching->addAction(tr("Acknowledge All Matching…"), this, [this] { triageMatching(models::AlertAction::Acknowledge); })
        ->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_A);
    matching->addAction(tr("Resolve All Matching…"), this, [this] { triageMatching(models::AlertAction::Resolve); })
        ->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_R);
    matching->addAction(tr("Mark All Matching as False Positive…"), this,
                        [this] { triageMatching(models::AlertAction::MarkFalsePositive); })
        ->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_F);
    for (QAction *a : {m_acknowledge, m_resolve, m_falsePositive, m_reopen, m_assignMe, m_assignTo, m_comment})
        a->setShortcutContext(Qt::WindowShortcut);

    QMenu *silences = menuBar()->addMenu(tr("&Silences"));
    QAction *similar = silences->addAction(tr("Silence &Similar…"), this, [this] {
        const models::AlertRow *row = currentRow();
        if (!row) {
            statusBar()->showMessage(tr("Choose an alert first: its rule and source fill in the silence."), 6000);
            return;
        }
        m_silences->openDialog(row->ruleName, row->sourceId);
    });
    similar->setShortcut(Qt::Key_S);
    similar->setStatusTip(tr("Silence alerts like the current one: same rule and source, for a while"));
    silences->addAction(m_silences->newAction());
    silences->addSeparator();
    QAction *list = m_silences->toggleViewAction();
    list->setText(tr("Show Silences &List"));
    list->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_S);
    silences->addAction(list);
    silences->addAction(m_silences->expireAction());
    silences->addAction(m_silences->deleteAction());

    m_contextMenu = new QMenu(this);
    m_contextMenu->addActions({m_acknowledge, m_resolve, m_falsePositive, m_reopen});
    m_contextMenu->addSeparator();
    m_contextMenu->addActions({m_assignMe, m_assignTo, m_comment});
    m_contextMenu->addSeparator();
    m_contextMenu->addAction(similar);
    m_contextMenu->addSeparator();
    m_contextMenu->addAction(details);
    m_contextMenu->addAction(nextNew);
    m_contextMenu->addMenu(matching);
    m_contextMenu->addSeparator();
    m_contextMenu->addActions({exportSelection, exportMatching});

    QToolBar *bar = addToolBar(tr("Triage"));
    bar->setObjectName(QStringLiteral("triageToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addActions({m_acknowledge, m_resolve, m_falsePositive, m_reopen});
    bar->addSeparator();
    bar->addActions({m_assignMe, m_comment});
    for (QAction *a : bar->actions())
        if (!a->shortcut().isEmpty())
            a->setToolTip(QStringLiteral("%1 (%2)").arg(a->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                                                        a->shortcut().toString(QKeySequence::NativeText)));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Vigil"), this, [this] {
        QMessageBox::about(this, tr("About Vigil"),
                           tr("<b>Vigil %1</b><p>Live events, rules, anomaly detection and alert triage.</p>")
                               .arg(QStringLiteral(VIGIL_VERSION)));
    });
}

void MainWindow::createHeaderMenu()
{
    QHeaderView *header = m_view->horizontalHeader();
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QHeaderView::customContextMenuRequested, this, [this, header](const QPoint &pos) {
        QMenu menu(this);
        menu.addSection(tr("Columns"));
        for (int c = 0; c < m_model->columnCount(); ++c) {
            QAction *a = menu.addAction(m_model->headerData(c, Qt::Horizontal).toString());
            a->setCheckable(true);
            a->setChecked(!header->isSectionHidden(c));
            a->setEnabled(c != models::AlertPageModel::Message);
            connect(a, &QAction::toggled, header, [header, c](bool on) { header->setSectionHidden(c, !on); });
        }
        menu.exec(header->mapToGlobal(pos));
    });
}

void MainWindow::loadAlerts()
{
    QMetaObject::invokeMethod(m_loader, &models::AlertLoader::fetchChoices, Qt::QueuedConnection);
    QSettings settings;
    const QString lastView = settings.value(QStringLiteral("console/lastView")).toString();
    models::AlertQuery sorted;
    sorted.sortKey = models::AlertSortKey(m_view->horizontalHeader()->sortIndicatorSection());
    sorted.descending = m_view->horizontalHeader()->sortIndicatorOrder() == Qt::DescendingOrder;
    if (!lastView.isEmpty() && m_filters->viewNames().contains(lastView)) {
        m_filters->applyView(m_filters->storedView(lastView), &sorted);
        m_filters->markView(lastView);
    } else {
        const QJsonObject last = QJsonDocument::fromJson(settings.value(QStringLiteral("console/lastFilters")).toString().toUtf8()).object();
        if (!last.isEmpty())
            m_filters->applyView(last, &sorted);
    }
    models::AlertQuery q = m_filters->query();
    q.sortKey = sorted.sortKey;
    q.descending = sorted.descending;
    const bool grouped = settings.value(kGroupedKey, false).toBool();
    {
        QSignalBlocker blockAction(m_groupAction);
        m_groupAction->setChecked(grouped);
        m_tables->setCurrentWidget(grouped ? static_cast<QWidget *>(m_groupView) : m_view);
        setSortIndicator(q);
    }
    setActiveQuery(q, false);
}

void MainWindow::applyFilters()
{
    if (!isGrouped())
        if (const models::AlertRow *row = currentRow())
            m_pendingSelect = row->id;
    setActiveQuery(m_filters->query(), true);
}

void MainWindow::saveView()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save View"), tr("Name of the view (filters, sort):"),
                                               QLineEdit::Normal, m_filters->currentView(), &ok);
    if (!ok || name.trimmed().isEmpty())
        return;
    m_filters->saveView(name, activeQuery());
    statusBar()->showMessage(tr("View \"%1\" saved.").arg(name.trimmed()), 4000);
}

void MainWindow::chooseView(const QString &name)
{
    models::AlertQuery sorted = activeQuery();
    m_filters->applyView(m_filters->storedView(name), &sorted);
    m_filters->markView(name);
    models::AlertQuery q = m_filters->query();
    q.sortKey = sorted.sortKey;
    q.descending = sorted.descending;
    setSortIndicator(q);
    setActiveQuery(q, false);
}

void MainWindow::deleteView()
{
    const QString name = m_filters->currentView();
    if (name.isEmpty()) {
        statusBar()->showMessage(tr("Choose a saved view first."), 4000);
        return;
    }
    if (confirm(tr("Delete View"), tr("Delete the view \"%1\"?").arg(name)))
        m_filters->deleteView(name);
}

const models::AlertRow *MainWindow::currentRow() const
{
    if (isGrouped())
        return m_groupModel->alertAt(m_groupView->currentIndex());
    const QModelIndex current = m_view->currentIndex();
    return current.isValid() ? m_model->rowAt(current.row()) : nullptr;
}

QList<qint64> MainWindow::selectedIds() const
{
    QList<qint64> ids;
    if (isGrouped()) {
        // The selected alerts under groups; group rows go through withSelectedIds().
        for (const QModelIndex &index : m_groupView->selectionModel()->selectedRows())
            if (!m_groupModel->isGroup(index))
                if (const models::AlertRow *row = m_groupModel->alertAt(index))
                    ids.append(row->id);
        return ids;
    }
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        if (const models::AlertRow *row = m_model->rowAt(index.row()))
            ids.append(row->id);
    if (ids.isEmpty())
        if (const models::AlertRow *row = currentRow())
            ids.append(row->id);
    return ids;
}

bool MainWindow::confirm(const QString &title, const QString &text)
{
    if (!m_confirm)
        return true;
    return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Yes;
}

void MainWindow::onCurrentChanged()
{
    updateActions();
    const models::AlertRow *row = currentRow();
    if (!row) {
        if (!(isGrouped() ? m_groupView : static_cast<QAbstractItemView *>(m_view))->currentIndex().isValid())
            m_detail->clear();
        return;
    }
    if (row->id == m_detail->alertId())
        return;
    showDetailsOf(row->id);
}

void MainWindow::showDetailsOf(qint64 alertId)
{
    m_detail->showLoading(alertId);
    const models::DatabaseUrl url = m_backend->databaseUrl();
    auto *watcher = new QFutureWatcher<LoadedDetails>(this);
    connect(watcher, &QFutureWatcher<LoadedDetails>::finished, this, [this, watcher] {
        const LoadedDetails loaded = watcher->result();
        watcher->deleteLater();
        if (loaded.alertId != m_detail->alertId())
            return; // another alert was chosen meanwhile
        if (loaded.alert.id == 0) {
            m_detail->showEvent(loaded.alertId, {}, loaded.error);
            return;
        }
        m_detail->showAlert(loaded.alert);
        m_detail->showAnomaly(loaded.alertId, loaded.anomaly);
        m_detail->showEvent(loaded.alertId, loaded.event, loaded.error);
        m_detail->showHistory(loaded.alertId, loaded.history, loaded.notifications);
        m_detail->showRelated(loaded.alertId, loaded.alert.sourceId, loaded.related, loaded.relatedError);
    });
    watcher->setFuture(QtConcurrent::run([url, alertId] {
        LoadedDetails out;
        out.alertId = alertId;
        auto store = models::Store::open(url, threadConnectionName("detail"), &out.error);
        if (store && store->alert(alertId, &out.alert, &out.error)) {
            store->eventJson(out.alert.eventRowId, &out.event, &out.error);
            QString historyError;
            store->alertHistory(alertId, &out.history, &historyError);
            store->alertNotifications(alertId, &out.notifications, &historyError);
            QString anomalyError;
            store->anomalyExplanation(alertId, &out.anomaly, &anomalyError);
            store->relatedAlerts(alertId, kRelatedAlerts, &out.related, &out.relatedError);
        }
        return out;
    }));
}

void MainWindow::onNotificationsRecorded(const QList<qint64> &alertIds)
{
    if (m_detail->alertId() == 0 || !alertIds.contains(m_detail->alertId()))
        return;
    if (m_historyReading) {
        m_historyStale = true;
        return;
    }
    reloadHistory();
}

void MainWindow::reloadHistory()
{
    m_historyReading = true;
    m_historyStale = false;
    const qint64 alertId = m_detail->alertId();
    const models::DatabaseUrl url = m_backend->databaseUrl();
    auto *watcher = new QFutureWatcher<LoadedDetails>(this);
    connect(watcher, &QFutureWatcher<LoadedDetails>::finished, this, [this, watcher] {
        const LoadedDetails loaded = watcher->result();
        watcher->deleteLater();
        m_historyReading = false;
        // A read that failed leaves the history shown as it was.
        if (loaded.error.isEmpty())
            m_detail->showHistory(loaded.alertId, loaded.history, loaded.notifications);
        if (m_historyStale && m_detail->alertId() != 0)
            reloadHistory();
    });
    watcher->setFuture(QtConcurrent::run([url, alertId] {
        LoadedDetails out;
        out.alertId = alertId;
        auto store = models::Store::open(url, threadConnectionName("history"), &out.error);
        if (store && store->alertHistory(alertId, &out.history, &out.error))
            store->alertNotifications(alertId, &out.notifications, &out.error);
        return out;
    }));
}

void MainWindow::goToAlert(qint64 alertId)
{
    const int row = m_model->rowOfAlert(alertId);
    if (row >= 0) {
        m_view->setCurrentIndex(m_model->index(row, 0));
        m_view->scrollTo(m_model->index(row, 0));
        return;
    }
    // Not among the table's loaded rows (filtered out, or on a page not read yet): its
    // details are still worth seeing.
    m_view->selectionModel()->clearSelection();
    showDetailsOf(alertId);
    statusBar()->showMessage(tr("Alert %1 is not among the rows the table shows; its details are on the right.").arg(alertId),
                             6000);
}

void MainWindow::updateActions()
{
    const models::AlertRow *row = currentRow();
    const QAbstractItemView *view = isGrouped() ? m_groupView : static_cast<QAbstractItemView *>(m_view);
    const int selected = int(view->selectionModel()->selectedRows().size());
    const bool onGroup = isGrouped() && m_groupModel->isGroup(view->currentIndex());
    const bool many = selected > 1 || (onGroup && view->currentIndex().data(models::AlertGroupModel::CountRole).toLongLong() > 1);
    const auto status = row ? row->status : engine::AlertStatus::New;
    const bool open = status == engine::AlertStatus::New || status == engine::AlertStatus::Acknowledged;
    m_acknowledge->setEnabled(row && (many || status == engine::AlertStatus::New));
    m_resolve->setEnabled(row && (many || open));
    m_falsePositive->setEnabled(row && (many || open));
    m_reopen->setEnabled(row && (many || !open));
    m_assignMe->setEnabled(row);
    m_assignTo->setEnabled(row);
    m_comment->setEnabled(row && !many && !onGroup);
}

void MainWindow::updateCount()
{
    if (isGrouped()) {
        QString text = m_groupModel->isLoading() ? tr("Grouping…")
            : m_groupModel->isCounting()         ? tr("%1+ groups · grouping the rest…").arg(QLocale().toString(m_groupModel->rowCount()))
                                                 : tr("%1 groups").arg(QLocale().toString(m_groupModel->rowCount()));
        if (m_groupModel->liveAlertsWaiting() > 0)
            text += tr(" · %n new not shown in this order (F5)", nullptr, m_groupModel->liveAlertsWaiting());
        m_count->setText(text);
        return;
    }
    QString text = m_model->isLoading() ? tr("Loading…")
        : m_model->isCounting()         ? tr("%1+ alerts · counting…").arg(QLocale().toString(m_model->rowCount()))
                                        : tr("%1 alerts").arg(QLocale().toString(m_model->rowCount()));
    if (m_model->liveAlertsWaiting() > 0)
        text += tr(" · %n new not shown in this order (F5)", nullptr, m_model->liveAlertsWaiting());
    m_count->setText(text);
}

void MainWindow::moveSelection(int delta)
{
    if (isGrouped()) {
        // Through the visible rows: groups, and the alerts of expanded ones.
        QModelIndex at = m_groupView->currentIndex();
        if (!at.isValid()) {
            at = m_groupModel->index(0, 0);
        } else {
            const QModelIndex next = delta > 0 ? m_groupView->indexBelow(at) : m_groupView->indexAbove(at);
            at = next.isValid() ? next : at;
        }
        if (at.isValid()) {
            m_groupView->setCurrentIndex(at);
            m_groupView->scrollTo(at);
        }
        return;
    }
    const int rows = m_model->rowCount();
    if (rows == 0)
        return;
    const int row = std::clamp(m_view->currentIndex().isValid() ? m_view->currentIndex().row() + delta : 0, 0, rows - 1);
    m_view->setCurrentIndex(m_model->index(row, 0));
    m_view->scrollTo(m_model->index(row, 0));
}

void MainWindow::nextUnacknowledged()
{
    if (isGrouped()) {
        // The next row (group or alert) whose alert — a group's newest — is new.
        QModelIndex at = m_groupView->currentIndex();
        for (int seen = 0; seen < kNextScanLimit; ++seen) {
            at = at.isValid() ? m_groupView->indexBelow(at) : m_groupModel->index(0, 0);
            if (!at.isValid())
                break;
            if (!at.data(models::AlertGroupModel::LoadedRole).toBool()) {
                statusBar()->showMessage(tr("Loading more groups… press N again."), 4000);
                return;
            }
            if (at.data(models::AlertGroupModel::StatusRole).toInt() == int(engine::AlertStatus::New)) {
                m_groupView->setCurrentIndex(at);
                m_groupView->scrollTo(at);
                return;
            }
        }
        statusBar()->showMessage(tr("No unacknowledged alert below this one. Filter by status New to see them all."), 5000);
        return;
    }
    const int rows = m_model->rowCount();
    const int from = m_pendingNext ? m_pendingNextFrom
                                   : (m_view->currentIndex().isValid() ? m_view->currentIndex().row() + 1 : 0);
    m_pendingNext = false;
    const int start = m_view->currentIndex().isValid() ? m_view->currentIndex().row() + 1 : 0;
    for (int r = from; r < rows && r < start + kNextScanLimit; ++r) {
        const models::AlertRow *row = m_model->rowAt(r);
        if (!row) {
            // Its page is on the way: continue from here when it arrives.
            m_pendingNext = true;
            m_pendingNextFrom = r;
            return;
        }
        if (row->status == engine::AlertStatus::New) {
            m_view->setCurrentIndex(m_model->index(r, 0));
            m_view->scrollTo(m_model->index(r, 0));
            return;
        }
    }
    statusBar()->showMessage(tr("No unacknowledged alert below this one. Filter by status New to see them all."), 5000);
}

void MainWindow::showDetails()
{
    QList<int> sizes = m_splitter->sizes();
    if (sizes.size() == 2 && sizes.at(1) < 50) {
        const int width = sizes.at(0) + sizes.at(1);
        const int detail = defaultDetailWidth(width);
        m_splitter->setSizes({width - detail, detail});
    }
    m_detail->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::backToTable()
{
    (isGrouped() ? static_cast<QWidget *>(m_groupView) : m_view)->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::withSelectedIds(const std::function<void(const QList<qint64> &, int)> &then)
{
    if (!isGrouped()) {
        const QList<qint64> ids = selectedIds();
        if (!ids.isEmpty())
            then(ids, 0);
        return;
    }
    QModelIndexList rows = m_groupView->selectionModel()->selectedRows();
    if (rows.isEmpty() && m_groupView->currentIndex().isValid())
        rows.append(m_groupView->currentIndex().siblingAtColumn(0));
    QList<models::AlertQuery> groups;
    QList<qint64> ids;
    for (const QModelIndex &index : std::as_const(rows)) {
        if (m_groupModel->isGroup(index)) {
            if (m_groupModel->groupAt(index.row()))
                groups.append(m_groupModel->membersQuery(index.row()));
        } else if (const models::AlertRow *row = m_groupModel->alertAt(index)) {
            ids.append(row->id);
        }
    }
    if (groups.isEmpty()) {
        if (!ids.isEmpty())
            then(ids, 0);
        return;
    }
    // Every alert of each group, live ones included: read by the loader, off this thread.
    m_idsTicket = m_nextTicket++;
    const int groupCount = int(groups.size());
    m_onIds = [this, then, ids, groupCount](const QList<qint64> &groupIds) {
        statusBar()->clearMessage();
        QList<qint64> all = groupIds;
        const QSet<qint64> known(groupIds.cbegin(), groupIds.cend());
        for (qint64 id : ids)
            if (!known.contains(id))
                all.append(id);
        if (all.isEmpty()) {
            statusBar()->showMessage(tr("The selected groups no longer hold any alert matching the filter."), 5000);
            return;
        }
        then(all, groupCount);
    };
    statusBar()->showMessage(tr("Collecting the alerts of %n group(s)…", nullptr, groupCount));
    QMetaObject::invokeMethod(m_loader, [loader = m_loader, ticket = m_idsTicket, groups] {
        loader->fetchMatchingIdsOfAll(ticket, groups);
    }, Qt::QueuedConnection);
}

void MainWindow::triage(models::AlertAction action)
{
    withSelectedIds([this, action](const QList<qint64> &ids, int groups) { triageIds(action, ids, groups); });
}

void MainWindow::triageIds(models::AlertAction action, const QList<qint64> &ids, int groups)
{
    if (groups > 0 && ids.size() > 1
        && !confirm(tr("Apply to Groups"),
                    tr("This will %1 %n alert(s) in %2 group(s). Alerts another analyst already took are left as they are.",
                       nullptr, int(ids.size()))
                        .arg(actionVerb(action))
                        .arg(groups)))
        return;
    QString note;
    if (action != models::AlertAction::Acknowledge || ids.size() > 1) {
        QString title, label;
        const QString which = ids.size() == 1 ? tr("Alert %1").arg(ids.first()) : tr("%n Alerts", nullptr, int(ids.size()));
        switch (action) {
        case models::AlertAction::Acknowledge:
            title = tr("Acknowledge %1").arg(which);
            label = tr("Note (optional):");
            break;
        case models::AlertAction::Resolve:
            title = tr("Resolve %1").arg(which);
            label = tr("What was done? (resolution note)");
            break;
        case models::AlertAction::MarkFalsePositive:
            title = tr("Mark %1 as False Positive").arg(which);
            label = tr("Why is this a false positive?");
            break;
        case models::AlertAction::Reopen:
            title = tr("Reopen %1").arg(which);
            label = tr("Why is it reopened?");
            break;
        }
        if (m_confirm) {
            bool ok = false;
            note = QInputDialog::getMultiLineText(this, title, label, QString(), &ok);
            if (!ok)
                return;
        }
    }
    if (ids.size() == 1) {
        statusBar()->showMessage(tr("Saving…"));
        m_backend->applyAlertAction(ids.first(), action, note);
        return;
    }
    runBulk(tr("%1 %n alert(s)", nullptr, int(ids.size())).arg(actionVerb(action)), ids,
            [this, action, note](quint64 ticket, const QList<qint64> &chunk) {
                m_backend->applyBulkAction(ticket, chunk, action, note);
            });
}

void MainWindow::triageMatching(models::AlertAction action)
{
    models::AlertQuery q = activeQuery();
    q.maxId = 0; // everything matching now, live alerts included
    m_idsTicket = m_nextTicket++;
    m_onIds = [this, action](const QList<qint64> &ids) {
        if (ids.isEmpty()) {
            statusBar()->showMessage(tr("No alert matches the filter."), 4000);
            return;
        }
        if (!confirm(tr("Apply to Everything Matching"),
                     tr("This will %1 %n alert(s) matching the current filter. Alerts another analyst already took "
                        "are left as they are.",
                        nullptr, int(ids.size()))
                         .arg(actionVerb(action))))
            return;
        QString note;
        if (m_confirm && action != models::AlertAction::Acknowledge) {
            bool ok = false;
            note = QInputDialog::getMultiLineText(this, tr("Note"), tr("Note recorded with each alert:"), QString(), &ok);
            if (!ok)
                return;
        }
        runBulk(tr("%1 %n alert(s)", nullptr, int(ids.size())).arg(actionVerb(action)), ids,
                [this, action, note](quint64 ticket, const QList<qint64> &chunk) {
                    m_backend->applyBulkAction(ticket, chunk, action, note);
                });
    };
    statusBar()->showMessage(tr("Counting the alerts that match…"));
    QMetaObject::invokeMethod(m_loader, [loader = m_loader, ticket = m_idsTicket, q] { loader->fetchMatchingIds(ticket, q); },
                              Qt::QueuedConnection);
}

void MainWindow::assignSelected(bool toMe)
{
    withSelectedIds([this, toMe](const QList<qint64> &ids, int) {
        QString assignee = m_backend->actor().username;
        if (!toMe) {
            bool ok = false;
            QStringList users = m_users;
            users.prepend(tr("(nobody)"));
            assignee = QInputDialog::getItem(this, tr("Assign %n Alert(s)", nullptr, int(ids.size())), tr("Assign to:"), users,
                                             users.indexOf(m_backend->actor().username), true, &ok);
            if (!ok)
                return;
            if (assignee == tr("(nobody)"))
                assignee.clear();
        }
        if (ids.size() > 1
            && !confirm(tr("Assign Alerts"), tr("Assign %n alert(s) to %1?", nullptr, int(ids.size()))
                                                 .arg(assignee.isEmpty() ? tr("nobody") : assignee)))
            return;
        runBulk(tr("assign %n alert(s)", nullptr, int(ids.size())), ids, [this, assignee](quint64 ticket, const QList<qint64> &chunk) {
            m_backend->assignAlerts(ticket, chunk, assignee);
        });
    });
}

void MainWindow::commentOnCurrent()
{
    const models::AlertRow *row = currentRow();
    if (!row)
        return;
    const qint64 id = row->id;
    bool ok = false;
    const QString text = QInputDialog::getMultiLineText(this, tr("Comment on Alert %1").arg(id), tr("Comment:"), QString(), &ok);
    if (ok && !text.trimmed().isEmpty())
        m_backend->addComment(id, text);
}

void MainWindow::runBulk(const QString &what, const QList<qint64> &ids,
                         const std::function<void(quint64, const QList<qint64> &)> &post)
{
    if (m_bulkChunks > m_bulkChunksDone) {
        statusBar()->showMessage(tr("Another bulk action is still running."), 4000);
        return;
    }
    m_bulkWhat = what;
    m_bulkTotal = {};
    m_bulkChunks = int((ids.size() + kBulkChunk - 1) / kBulkChunk);
    m_bulkChunksDone = 0;
    m_bulkTicket = m_nextTicket;
    m_nextTicket += quint64(m_bulkChunks);
    if (m_bulkChunks > 1) {
        m_progress = new QProgressDialog(tr("Working: %1…").arg(what), QString(), 0, m_bulkChunks, this);
        m_progress->setWindowModality(Qt::WindowModal);
        m_progress->setMinimumDuration(300);
        m_progress->setAttribute(Qt::WA_DeleteOnClose);
    }
    statusBar()->showMessage(tr("Working: %1…").arg(what));
    // Chunks are separate writer transactions, so ingest keeps flowing between them.
    for (int c = 0; c < m_bulkChunks; ++c)
        post(m_bulkTicket + quint64(c), ids.mid(qsizetype(c) * kBulkChunk, kBulkChunk));
}

void MainWindow::onBulkFinished(quint64 ticket, const models::BulkActionResult &result)
{
    if (ticket < m_bulkTicket || ticket >= m_bulkTicket + quint64(m_bulkChunks))
        return;
    ++m_bulkChunksDone;
    m_bulkTotal.done += result.done;
    m_bulkTotal.conflicts += result.conflicts;
    m_bulkTotal.missing += result.missing;
    if (!result.message.isEmpty())
        m_bulkTotal.message = result.message;
    if (m_progress)
        m_progress->setValue(m_bulkChunksDone);
    if (m_bulkChunksDone < m_bulkChunks)
        return;
    if (m_progress)
        m_progress->close();
    QString text = tr("Done: %1 — %n changed", nullptr, m_bulkTotal.done).arg(m_bulkWhat);
    if (m_bulkTotal.conflicts > 0)
        text += tr(", %n already taken or not applicable (left as they are)", nullptr, m_bulkTotal.conflicts);
    if (m_bulkTotal.missing > 0)
        text += tr(", %n no longer exist", nullptr, m_bulkTotal.missing);
    if (!m_bulkTotal.message.isEmpty())
        QMessageBox::warning(this, tr("Not everything was changed"), m_bulkTotal.message);
    statusBar()->showMessage(text + QLatin1Char('.'), 8000);
    refreshActive();
    if (m_detail->alertId())
        showDetailsOf(m_detail->alertId());
}

void MainWindow::onActionFinished(const models::ActionResult &result)
{
    if (result.alert.id != 0) {
        m_model->updateAlert(result.alert);
        m_groupModel->updateAlert(result.alert);
    }
    if (result.outcome == models::ActionResult::Outcome::Done) {
        statusBar()->showMessage(tr("Alert %1 is now %2.").arg(result.alert.id).arg(models::AlertPageModel::statusText(result.alert.status)), 4000);
        if (m_detail->alertId() == result.alert.id)
            showDetailsOf(result.alert.id);
    } else {
        statusBar()->clearMessage();
        if (m_confirm)
            QMessageBox::information(this, tr("Alert not changed"), result.message);
        else
            statusBar()->showMessage(result.message, 8000);
    }
    updateActions();
}

void MainWindow::updateStatus()
{
    const ConsoleStatus now = m_backend->status();
    const double seconds = std::max(0.001, m_statusClock.restart() / 1000.0);
    const double eventsPerSecond = double(now.accepted - m_lastStatus.accepted) / seconds;
    const double alertsPerSecond = double(now.alerts - m_lastStatus.alerts) / seconds;
    m_lastStatus = now;
    m_rates->setText(tr("%1 events/s · %2 alerts/s")
                         .arg(QLocale().toString(eventsPerSecond, 'f', 0), QLocale().toString(alertsPerSecond, 'f', 1)));
    m_connections->setText(now.listening ? tr("%1 · %n producer(s)", nullptr, now.producers).arg(now.listenAddress)
                                                 + tr(" · %n subscriber(s)", nullptr, now.subscribers)
                                         : tr("ingest off"));
    m_totals->setText(tr("accepted %1 · duplicates %2 · rejected %3")
                          .arg(QLocale().toString(now.accepted), QLocale().toString(now.duplicates),
                               QLocale().toString(now.rejected)));
}

void MainWindow::showToken()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("Producer Token"));
    box.setText(tr("Producers connect to ws://%1/events and subscribers to ws://%1/alerts with this token "
                   "(header Authorization: Bearer TOKEN, or ?token=TOKEN):")
                    .arg(m_backend->status().listenAddress));
    box.setInformativeText(m_backend->producerToken());
    box.setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPushButton *copy = box.addButton(tr("&Copy"), QMessageBox::ActionRole);
    box.addButton(QMessageBox::Close);
    box.exec();
    if (box.clickedButton() == copy)
        QGuiApplication::clipboard()->setText(m_backend->producerToken());
}

} // namespace vigil::ui
