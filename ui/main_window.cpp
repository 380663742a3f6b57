#include "main_window.h"

#include "alerts/alert_detail_pane.h"
#include "models/alerts/alert_table_model.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QtConcurrent>

namespace vigil::ui {

namespace {
struct LoadedAlerts
{
    QList<models::AlertRecord> alerts;
    QString error;
};
struct LoadedEvent
{
    qint64 alertId = 0;
    QJsonObject event;
    QString error;
};

QString threadConnectionName(const char *what)
{
    return QStringLiteral("vigil-%1-%2").arg(QLatin1String(what)).arg(quintptr(QThread::currentThreadId()));
}
} // namespace

MainWindow::MainWindow(ConsoleBackend *backend, QWidget *parent)
    : QMainWindow(parent), m_backend(backend), m_model(new models::AlertTableModel(this))
{
    qRegisterMetaType<vigil::models::ActionResult>();
    setWindowTitle(tr("Vigil — %1").arg(backend->databaseUrl().displayName()));

    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setStretchLastSection(false);
    m_view->horizontalHeader()->setSectionResizeMode(models::AlertTableModel::Message, QHeaderView::Stretch);
    const int em = m_view->fontMetrics().horizontalAdvance(QLatin1Char('M'));
    m_view->setColumnWidth(models::AlertTableModel::Time, 11 * em);
    m_view->setColumnWidth(models::AlertTableModel::Severity, 5 * em);
    m_view->setColumnWidth(models::AlertTableModel::Type, 7 * em);
    m_view->setColumnWidth(models::AlertTableModel::Rule, 13 * em);
    m_view->setColumnWidth(models::AlertTableModel::Source, 10 * em);
    m_view->setColumnWidth(models::AlertTableModel::Status, 7 * em);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    m_detail = new AlertDetailPane(this);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({1000, 420});
    setCentralWidget(splitter);

    createActions();

    m_rates = new QLabel(this);
    m_connections = new QLabel(this);
    m_totals = new QLabel(this);
    m_database = new QLabel(backend->databaseUrl().displayName(), this);
    for (QLabel *label : {m_rates, m_connections, m_totals}) {
        label->setContentsMargins(4, 0, 12, 0);
        statusBar()->addWidget(label);
    }
    statusBar()->addPermanentWidget(m_database);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::onSelectionChanged);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &topLeft) {
        if (m_view->currentIndex().row() == topLeft.row())
            updateActions();
    });
    connect(m_backend, &ConsoleBackend::alertsRaised, m_model, &models::AlertTableModel::addAlerts);
    connect(m_backend, &ConsoleBackend::actionFinished, this, &MainWindow::onActionFinished);
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
    restoreGeometry(settings.value(QStringLiteral("mainWindow/geometry")).toByteArray());
    splitter->restoreState(settings.value(QStringLiteral("mainWindow/splitter")).toByteArray());
    m_view->horizontalHeader()->restoreState(settings.value(QStringLiteral("mainWindow/alertHeader")).toByteArray());
    if (!settings.contains(QStringLiteral("mainWindow/geometry")))
        resize(1400, 820);
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(QStringLiteral("mainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("mainWindow/splitter"), static_cast<QSplitter *>(centralWidget())->saveState());
    settings.setValue(QStringLiteral("mainWindow/alertHeader"), m_view->horizontalHeader()->saveState());
    event->accept();
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *token = file->addAction(tr("Producer &Token…"), this, &MainWindow::showToken);
    token->setStatusTip(tr("Show the token producers and subscribers use to connect"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *alert = menuBar()->addMenu(tr("&Alert"));
    m_acknowledge = alert->addAction(tr("&Acknowledge"), this, [this] { triage(models::AlertAction::Acknowledge); });
    m_acknowledge->setShortcut(Qt::Key_A);
    m_acknowledge->setStatusTip(tr("Take ownership of the selected alert"));
    m_resolve = alert->addAction(tr("&Resolve…"), this, [this] { triage(models::AlertAction::Resolve); });
    m_resolve->setShortcut(Qt::Key_R);
    m_falsePositive = alert->addAction(tr("Mark &False Positive…"), this, [this] { triage(models::AlertAction::MarkFalsePositive); });
    m_falsePositive->setShortcut(Qt::Key_F);
    m_reopen = alert->addAction(tr("Re&open…"), this, [this] { triage(models::AlertAction::Reopen); });
    m_reopen->setShortcut(Qt::SHIFT | Qt::Key_O);
    alert->addSeparator();
    QAction *next = alert->addAction(tr("&Next Alert"), this, [this] { moveSelection(1); });
    next->setShortcut(Qt::Key_J);
    QAction *previous = alert->addAction(tr("&Previous Alert"), this, [this] { moveSelection(-1); });
    previous->setShortcut(Qt::Key_K);
    for (QAction *a : {m_acknowledge, m_resolve, m_falsePositive, m_reopen}) {
        a->setShortcutContext(Qt::WindowShortcut);
        m_view->addAction(a);
    }

    QToolBar *bar = addToolBar(tr("Triage"));
    bar->setObjectName(QStringLiteral("triageToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addAction(m_acknowledge);
    bar->addAction(m_resolve);
    bar->addAction(m_falsePositive);
    bar->addAction(m_reopen);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Vigil"), this, [this] {
        QMessageBox::about(this, tr("About Vigil"),
                           tr("<b>Vigil %1</b><p>Live events, rules, anomaly detection and alert triage.</p>")
                               .arg(QStringLiteral(VIGIL_VERSION)));
    });
}

void MainWindow::loadAlerts()
{
    const models::DatabaseUrl url = m_backend->databaseUrl();
    auto *watcher = new QFutureWatcher<LoadedAlerts>(this);
    connect(watcher, &QFutureWatcher<LoadedAlerts>::finished, this, [this, watcher] {
        const LoadedAlerts loaded = watcher->result();
        watcher->deleteLater();
        if (!loaded.error.isEmpty()) {
            QMessageBox::warning(this, tr("Cannot load alerts"), loaded.error);
            return;
        }
        m_model->setAlerts(loaded.alerts);
        if (m_model->rowCount() > 0)
            m_view->selectRow(0);
        statusBar()->showMessage(tr("Loaded the %n most recent alert(s).", nullptr, int(loaded.alerts.size())), 5000);
    });
    watcher->setFuture(QtConcurrent::run([url] {
        LoadedAlerts out;
        const QString name = threadConnectionName("loader");
        auto store = models::Store::open(url, name, &out.error);
        if (store)
            store->recentAlerts(10000, &out.alerts, &out.error);
        return out;
    }));
}

void MainWindow::onSelectionChanged()
{
    const QModelIndex current = m_view->currentIndex();
    updateActions();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    const models::AlertRecord alert = m_model->alertAt(current.row());
    if (alert.id == m_detail->alertId())
        return;
    m_detail->showAlert(alert);
    const models::DatabaseUrl url = m_backend->databaseUrl();
    auto *watcher = new QFutureWatcher<LoadedEvent>(this);
    connect(watcher, &QFutureWatcher<LoadedEvent>::finished, this, [this, watcher] {
        const LoadedEvent loaded = watcher->result();
        watcher->deleteLater();
        m_detail->showEvent(loaded.alertId, loaded.event, loaded.error);
    });
    watcher->setFuture(QtConcurrent::run([url, alertId = alert.id, eventRowId = alert.eventRowId] {
        LoadedEvent out;
        out.alertId = alertId;
        auto store = models::Store::open(url, threadConnectionName("detail"), &out.error);
        if (store)
            store->eventJson(eventRowId, &out.event, &out.error);
        return out;
    }));
}

void MainWindow::updateActions()
{
    const QModelIndex current = m_view->currentIndex();
    const bool has = current.isValid();
    const auto status = has ? m_model->alertAt(current.row()).status : engine::AlertStatus::New;
    const bool open = status == engine::AlertStatus::New || status == engine::AlertStatus::Acknowledged;
    m_acknowledge->setEnabled(has && status == engine::AlertStatus::New);
    m_resolve->setEnabled(has && open);
    m_falsePositive->setEnabled(has && open);
    m_reopen->setEnabled(has && !open);
}

void MainWindow::moveSelection(int delta)
{
    const int rows = m_model->rowCount();
    if (rows == 0)
        return;
    const int row = std::clamp(m_view->currentIndex().isValid() ? m_view->currentIndex().row() + delta : 0, 0, rows - 1);
    m_view->selectRow(row);
    m_view->scrollTo(m_model->index(row, 0));
}

void MainWindow::triage(models::AlertAction action)
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return;
    const models::AlertRecord alert = m_model->alertAt(current.row());
    QString note;
    if (action != models::AlertAction::Acknowledge) {
        QString title, label;
        switch (action) {
        case models::AlertAction::Resolve:
            title = tr("Resolve Alert %1").arg(alert.id);
            label = tr("What was done? (resolution note)");
            break;
        case models::AlertAction::MarkFalsePositive:
            title = tr("Mark Alert %1 as False Positive").arg(alert.id);
            label = tr("Why is this a false positive?");
            break;
        default:
            title = tr("Reopen Alert %1").arg(alert.id);
            label = tr("Why is it reopened?");
            break;
        }
        bool ok = false;
        note = QInputDialog::getMultiLineText(this, title, label, QString(), &ok);
        if (!ok)
            return;
    }
    statusBar()->showMessage(tr("Saving…"));
    m_backend->applyAlertAction(alert.id, action, note);
}

void MainWindow::onActionFinished(const models::ActionResult &result)
{
    if (result.alert.id != 0)
        m_model->updateAlert(result.alert);
    if (result.outcome == models::ActionResult::Outcome::Done) {
        statusBar()->showMessage(tr("Alert %1 is now %2.").arg(result.alert.id).arg(engine::toString(result.alert.status)), 4000);
        if (m_detail->alertId() == result.alert.id) {
            m_detail->clear();
            onSelectionChanged(); // shows the new state and reloads the event
        }
    } else {
        statusBar()->clearMessage();
        QMessageBox::information(this, tr("Alert not changed"), result.message);
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
