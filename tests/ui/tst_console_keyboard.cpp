// The analyst console driven from the keyboard: moving, filtering, details, triage of one
// alert, of a selection and of everything matching, all over a real SQLite database.

#include "models/alerts/alert_page_model.h"
#include "models/store/store.h"
#include "ui/alerts/alert_detail_pane.h"
#include "ui/alerts/alert_export_controller.h"
#include "ui/alerts/alert_filter_bar.h"
#include "ui/main_window.h"
#include "ui/notifications/desktop_notifications.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QSplitter>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace vigil;
using namespace vigil::models;

namespace {

// The console's backend without a node: actions run on the test's own store connection.
class FakeBackend : public ui::ConsoleBackend
{
    Q_OBJECT
public:
    explicit FakeBackend(const DatabaseUrl &url) : m_url(url)
    {
        QString error;
        m_store = Store::open(url, QStringLiteral("fake-backend"), &error);
    }
    DatabaseUrl databaseUrl() const override { return m_url; }
    Actor actor() const override { return {QStringLiteral("alice"), Role::Analyst}; }
    ui::ConsoleStatus status() const override { return {}; }
    QString producerToken() const override { return QStringLiteral("token"); }
    void applyAlertAction(qint64 alertId, AlertAction action, const QString &note) override
    {
        ++singleActions;
        const ActionResult r = m_store->applyAlertAction(alertId, action, actor(), note);
        QMetaObject::invokeMethod(this, [this, r] { emit actionFinished(r); }, Qt::QueuedConnection);
    }
    void applyBulkAction(quint64 ticket, const QList<qint64> &ids, AlertAction action, const QString &note) override
    {
        bulkIds += ids;
        const BulkActionResult r = m_store->applyAlertActions(ids, action, actor(), note);
        QMetaObject::invokeMethod(this, [this, ticket, r] { emit bulkFinished(ticket, r); }, Qt::QueuedConnection);
    }
    void assignAlerts(quint64 ticket, const QList<qint64> &ids, const QString &assignee) override
    {
        const BulkActionResult r = m_store->assignAlerts(ids, assignee, actor());
        QMetaObject::invokeMethod(this, [this, ticket, r] { emit bulkFinished(ticket, r); }, Qt::QueuedConnection);
    }
    void addComment(qint64 alertId, const QString &text) override
    {
        QString error;
        m_store->addAlertComment(alertId, text, actor(), &error);
        QMetaObject::invokeMethod(this, [this, alertId, error] { emit commentFinished(alertId, error); }, Qt::QueuedConnection);
    }
    Store *store() { return m_store.get(); }

    int singleActions = 0;
    QList<qint64> bulkIds;

private:
    DatabaseUrl m_url;
    std::unique_ptr<Store> m_store;
};

constexpr int kAlerts = 30;

// Alerts 1..30: every third one is NEW, the rest RESOLVED; alert 17 carries a needle.
bool fill(Store &store, QString *error)
{
    GeneratedChunk chunk;
    for (int i = 0; i < kAlerts; ++i) {
        GeneratedEvent e;
        e.eventId = QStringLiteral("ev-%1").arg(i);
        e.timeMs = 1'700'000'000'000 + qint64(i) * 60'000;
        e.type = engine::EventType::Transaction;
        e.sourceType = QStringLiteral("payment_gateway");
        e.sourceId = QStringLiteral("pay-gw-%1").arg(i % 4);
        e.fieldsJson = "{\"amount\":" + QByteArray::number(100 * i) + "}";
        chunk.events.append(e);
        GeneratedAlert a;
        a.eventIndex = i;
        a.ruleName = QStringLiteral("Large transfer");
        a.severity = i % 5 == 0 ? engine::Severity::Critical : engine::Severity::High;
        a.status = i % 3 == 0 ? engine::AlertStatus::New : engine::AlertStatus::Resolved;
        a.message = i + 1 == 17 ? QStringLiteral("Transfer with a needle") : QStringLiteral("Transfer number %1").arg(i + 1);
        a.sourceType = e.sourceType;
        a.sourceId = e.sourceId;
        a.createdAtMs = e.timeMs;
        a.detailsJson = "{}";
        chunk.alerts.append(a);
    }
    return store.insertGenerated(chunk, error);
}

qint64 idAt(const ui::MainWindow &w, int row)
{
    return w.alertModel()->index(row, 0).data(AlertPageModel::AlertIdRole).toLongLong();
}

QString statusAt(const ui::MainWindow &w, int row)
{
    return w.alertModel()->index(row, AlertPageModel::Status).data().toString();
}

} // namespace

class TestConsoleKeyboard : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void opensNewestFirst();
    void movesWithJAndK_data();
    void movesWithJAndK();
    void slashFiltersEscapeReturns();
    void enterShowsDetails();
    void acknowledgeWithA();
    void nextUnacknowledgedWithN();
    void bulkOnSelection();
    void everythingMatching();
    void menusShowShortcuts();
    void relatedAlertGoesToTheAlert();
    void exportInMenus();
    void exportSelectionAndFilter();
    void criticalAlertsNotifyInTheStatusBar();
    void detailPaneWidthOnFirstStartThenRestored();

private:
    QTemporaryDir m_dir;
    int m_run = 0;
    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestConsoleKeyboard::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("vigil-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_console_keyboard"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.path());
    QSettings().clear();
}

void TestConsoleKeyboard::init()
{
    DatabaseUrl url;
    QString error;
    QVERIFY(DatabaseUrl::parse(m_dir.filePath(QStringLiteral("kb-%1.db").arg(++m_run)), &url, &error));
    m_backend = std::make_unique<FakeBackend>(url);
    QVERIFY(m_backend->store());
    QVERIFY2(fill(*m_backend->store(), &error), qPrintable(error));
    m_window = std::make_unique<ui::MainWindow>(m_backend.get());
    m_window->setConfirmations(false);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->loadAlerts();
    QTRY_COMPARE(m_window->alertModel()->rowCount(), kAlerts);
    QTRY_VERIFY(m_window->alertView()->currentIndex().isValid());
    m_window->alertView()->setFocus();
    QTRY_VERIFY(m_window->alertView()->hasFocus());
}

void TestConsoleKeyboard::cleanup()
{
    m_window.reset();
    m_backend.reset();
}

void TestConsoleKeyboard::opensNewestFirst()
{
    QCOMPARE(idAt(*m_window, 0), kAlerts);
    QCOMPARE(idAt(*m_window, kAlerts - 1), 1);
    QCOMPARE(m_window->alertView()->currentIndex().row(), 0);
    QTRY_VERIFY(m_window->detailPane()->alertId() == kAlerts);
}

void TestConsoleKeyboard::movesWithJAndK_data()
{
    QTest::addColumn<QString>("keys");
    QTest::addColumn<int>("row");
    QTest::newRow("j") << QStringLiteral("j") << 1;
    QTest::newRow("jjj") << QStringLiteral("jjj") << 3;
    QTest::newRow("jjk") << QStringLiteral("jjk") << 1;
    QTest::newRow("k at the top stays") << QStringLiteral("k") << 0;
}

void TestConsoleKeyboard::movesWithJAndK()
{
    QFETCH(QString, keys);
    QFETCH(int, row);
    for (QChar c : keys)
        QTest::keyClick(m_window->alertView(), c == u'j' ? Qt::Key_J : Qt::Key_K);
    QCOMPARE(m_window->alertView()->currentIndex().row(), row);
    QTRY_COMPARE(m_window->detailPane()->alertId(), idAt(*m_window, row));
}

void TestConsoleKeyboard::slashFiltersEscapeReturns()
{
    QTest::keyClick(m_window->alertView(), Qt::Key_Slash);
    QLineEdit *text = m_window->filterBar()->textEdit();
    QTRY_VERIFY(text->hasFocus());
    QSignalSpy shown(m_window.get(), &ui::MainWindow::queryShown);
    QTest::keyClicks(text, QStringLiteral("needle"));
    QCOMPARE(text->text(), QStringLiteral("needle")); // letters type, they are not shortcuts here
    QTest::keyClick(text, Qt::Key_Return);
    QTRY_COMPARE(shown.count(), 1);
    QCOMPARE(m_window->alertModel()->rowCount(), 1);
    QCOMPARE(idAt(*m_window, 0), 17);
    QTest::keyClick(text, Qt::Key_Escape);
    QTRY_VERIFY(m_window->alertView()->hasFocus());
}

void TestConsoleKeyboard::enterShowsDetails()
{
    QTest::keyClick(m_window->alertView(), Qt::Key_Return);
    QTRY_VERIFY(m_window->detailPane()->tree()->hasFocus());
    QTRY_VERIFY(m_window->detailPane()->tree()->topLevelItemCount() >= 2); // the alert, its event, its history
    QTest::keyClick(m_window->detailPane()->tree(), Qt::Key_Escape);
    QTRY_VERIFY(m_window->alertView()->hasFocus());
}

void TestConsoleKeyboard::acknowledgeWithA()
{
    // Row 0 is alert 30 (index 29, 29 % 3 != 0: resolved); row 2 is alert 28 (index 27: new).
    QCOMPARE(statusAt(*m_window, 2), QStringLiteral("New"));
    QTest::keyClick(m_window->alertView(), Qt::Key_J);
    QTest::keyClick(m_window->alertView(), Qt::Key_J);
    QTest::keyClick(m_window->alertView(), Qt::Key_A);
    QCOMPARE(m_backend->singleActions, 1);
    QTRY_COMPARE(statusAt(*m_window, 2), QStringLiteral("Acknowledged"));
    AlertRecord a;
    QString error;
    QVERIFY(m_backend->store()->alert(28, &a, &error));
    QCOMPARE(a.acknowledgedBy, QStringLiteral("alice"));
}

void TestConsoleKeyboard::nextUnacknowledgedWithN()
{
    // New alerts are the ids 1, 4, 7, ..., 28 (index % 3 == 0): rows 2, 5, 8, ...
    QTest::keyClick(m_window->alertView(), Qt::Key_N);
    QCOMPARE(m_window->alertView()->currentIndex().row(), 2);
    QTest::keyClick(m_window->alertView(), Qt::Key_N);
    QCOMPARE(m_window->alertView()->currentIndex().row(), 5);
}

void TestConsoleKeyboard::bulkOnSelection()
{
    QTableView *view = m_window->alertView();
    // Select rows 0..5 with the keyboard: Shift+Down five times.
    for (int i = 0; i < 5; ++i)
        QTest::keyClick(view, Qt::Key_Down, Qt::ShiftModifier);
    QCOMPARE(view->selectionModel()->selectedRows().size(), 6);
    QSignalSpy shown(m_window.get(), &ui::MainWindow::queryShown);
    QTest::keyClick(view, Qt::Key_A);
    QCOMPARE(m_backend->singleActions, 0);
    QCOMPARE(m_backend->bulkIds.size(), 6);
    QTRY_COMPARE(shown.count(), 1); // refreshed after the bulk action
    for (int row = 0; row < 6; ++row) {
        const QString status = statusAt(*m_window, row);
        QVERIFY2(status == QStringLiteral("Acknowledged") || status == QStringLiteral("Resolved"), qPrintable(status));
    }
    QCOMPARE(statusAt(*m_window, 2), QStringLiteral("Acknowledged"));
    QCOMPARE(statusAt(*m_window, 5), QStringLiteral("Acknowledged"));
}

void TestConsoleKeyboard::everythingMatching()
{
    QSignalSpy shown(m_window.get(), &ui::MainWindow::queryShown);
    QTest::keyClick(m_window->alertView(), Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
    QTRY_COMPARE(m_backend->bulkIds.size(), kAlerts);
    QTRY_COMPARE(shown.count(), 1);
    AlertQuery open;
    open.statuses = {engine::AlertStatus::New};
    qint64 count = -1;
    QString error;
    QVERIFY(m_backend->store()->countAlerts(open, &count, &error));
    QCOMPARE(count, 0);
}

void TestConsoleKeyboard::menusShowShortcuts()
{
    QMenu *alertMenu = nullptr;
    for (QAction *a : m_window->menuBar()->actions())
        if (a->text() == QStringLiteral("&Alert"))
            alertMenu = a->menu();
    QVERIFY(alertMenu);
    QStringList missing;
    int withShortcut = 0;
    for (QAction *a : alertMenu->actions()) {
        if (a->isSeparator() || a->menu())
            continue;
        if (a->shortcut().isEmpty())
            missing << a->text();
        else
            ++withShortcut;
    }
    QVERIFY2(missing.isEmpty(), qPrintable(missing.join(u',')));
    QCOMPARE(withShortcut, 10);
    const auto contextMenus = m_window->findChildren<QMenu *>();
    bool contextHasAcknowledge = false;
    for (QMenu *menu : contextMenus)
        if (menu->parent() == m_window.get())
            for (QAction *a : menu->actions())
                contextHasAcknowledge |= a->text() == QStringLiteral("&Acknowledge") && a->shortcut() == QKeySequence(Qt::Key_A);
    QVERIFY(contextHasAcknowledge);
}

void TestConsoleKeyboard::relatedAlertGoesToTheAlert()
{
    // Row 0 is alert 30 from pay-gw-1 (index 29); the others from pay-gw-1 are 26, 22, ..., 2.
    QTreeWidget *related = m_window->detailPane()->relatedList();
    QTRY_COMPARE(related->topLevelItemCount(), 7);
    QList<qint64> ids;
    for (int i = 0; i < related->topLevelItemCount(); ++i)
        ids.append(related->topLevelItem(i)->data(0, Qt::UserRole).toLongLong());
    QCOMPARE(ids, QList<qint64>({26, 22, 18, 14, 10, 6, 2}));
    // A rule's alert: no anomaly chart.
    QVERIFY(!m_window->detailPane()->anomalyBox()->isVisible());

    related->setFocus();
    related->setCurrentItem(related->topLevelItem(0));
    QTest::keyClick(related, Qt::Key_Down);
    QTest::keyClick(related, Qt::Key_Return);
    QCOMPARE(m_window->alertView()->currentIndex().row(), 8); // alert 22
    QCOMPARE(idAt(*m_window, 8), 22);
    QTRY_COMPARE(m_window->detailPane()->alertId(), 22);
    // Now the pane lists 22's neighbours: alert 30 first, 22 itself left out.
    QTRY_COMPARE(related->topLevelItemCount(), 7);
    QCOMPARE(related->topLevelItem(0)->data(0, Qt::UserRole).toLongLong(), 30);
}

void TestConsoleKeyboard::exportInMenus()
{
    QMenu *fileMenu = nullptr;
    QMenu *viewMenu = nullptr;
    for (QAction *a : m_window->menuBar()->actions()) {
        if (a->text() == QStringLiteral("&File"))
            fileMenu = a->menu();
        if (a->text() == QStringLiteral("&View"))
            viewMenu = a->menu();
    }
    QVERIFY(fileMenu && viewMenu);
    QHash<QString, QKeySequence> shortcuts;
    for (QAction *a : fileMenu->actions())
        shortcuts.insert(a->text(), a->shortcut());
    QCOMPARE(shortcuts.value(QStringLiteral("&Export Selection…")), QKeySequence(Qt::CTRL | Qt::Key_E));
    QCOMPARE(shortcuts.value(QStringLiteral("Export All &Matching…")), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    int contextExports = 0;
    for (QMenu *menu : m_window->findChildren<QMenu *>())
        if (menu->parent() == m_window.get())
            for (QAction *a : menu->actions())
                contextExports += a->text().startsWith(QStringLiteral("&Export Selection")) || a->text().startsWith(QStringLiteral("Export All"));
    QCOMPARE(contextExports, 2);
    QStringList toggles;
    for (QAction *a : viewMenu->actions())
        if (a->isCheckable())
            toggles << a->text();
    QVERIFY2(toggles.contains(QStringLiteral("&Notify of Critical Alerts")), qPrintable(toggles.join(u", ")));
    QVERIFY2(toggles.contains(QStringLiteral("&Sound for Critical Alerts")), qPrintable(toggles.join(u", ")));
}

void TestConsoleKeyboard::exportSelectionAndFilter()
{
    ui::AlertExportController *exporter = m_window->exporter();
    exporter->setInteractive(false);
    QSignalSpy finished(exporter, &ui::AlertExportController::exportFinished);

    // Rows 0..2 selected from the keyboard: alerts 30, 29, 28 in table order.
    QTableView *view = m_window->alertView();
    QTest::keyClick(view, Qt::Key_Down, Qt::ShiftModifier);
    QTest::keyClick(view, Qt::Key_Down, Qt::ShiftModifier);
    int notLoaded = -1;
    const QList<qint64> ids = ui::AlertExportController::selectedIdsInOrder(view, m_window->alertModel(), &notLoaded);
    QCOMPARE(ids, QList<qint64>({30, 29, 28}));
    QCOMPARE(notLoaded, 0);
    const QString selection = m_dir.filePath(QStringLiteral("selection-%1.json").arg(m_run));
    exporter->exportTo(selection, ExportFormat::Json, {}, ids, true);
    QVERIFY(exporter->isRunning());
    QTRY_COMPARE(finished.count(), 1);
    QVERIFY(!exporter->isRunning());
    QFile file(selection);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray array = QJsonDocument::fromJson(file.readAll()).array();
    QCOMPARE(array.size(), 3);
    QCOMPARE(array.at(0).toObject().value(QStringLiteral("id")).toInteger(), 30);
    QCOMPARE(array.at(2).toObject().value(QStringLiteral("id")).toInteger(), 28);

    // The whole filter (severity Critical: alerts 1, 6, ..., 26), as CSV.
    AlertQuery critical = m_window->alertModel()->query();
    critical.severities = {engine::Severity::Critical};
    const QString matching = m_dir.filePath(QStringLiteral("matching-%1.csv").arg(m_run));
    exporter->exportTo(matching, ExportFormat::Csv, critical, {}, false);
    QTRY_COMPARE(finished.count(), 2);
    const auto result = finished.at(1).at(1).value<AlertExporter::Result>();
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.written, 6);
    QFile csv(matching);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count("\r\n"), 7); // the header and six alerts

    // An unwritable file: the error names it, nothing is written.
    const QString bad = m_dir.filePath(QStringLiteral("missing-folder/alerts.csv"));
    exporter->exportTo(bad, ExportFormat::Csv, critical, {}, false);
    QTRY_COMPARE(finished.count(), 3);
    QVERIFY(finished.at(2).at(1).value<AlertExporter::Result>().error.contains(QDir::toNativeSeparators(bad)));
    QVERIFY(!QFile::exists(bad));
}

void TestConsoleKeyboard::criticalAlertsNotifyInTheStatusBar()
{
    // The offscreen platform has no tray: a burst of critical alerts is one status message.
    ui::DesktopNotifications *notifications = m_window->notifications();
    QVERIFY(!notifications->hasTray());
    QSignalSpy shown(notifications, &ui::DesktopNotifications::showInWindow);
    AlertRecord a;
    QString error;
    QVERIFY(m_backend->store()->alert(26, &a, &error)); // critical (index 25)
    AlertRecord b;
    QVERIFY(m_backend->store()->alert(21, &b, &error)); // critical (index 20)
    emit m_backend->alertsRaised({a});
    emit m_backend->alertsRaised({b});
    QCOMPARE(shown.count(), 1);
    QCOMPARE(m_window->statusBar()->currentMessage(), shown.at(0).at(0).toString());
    notifications->notifier()->endCoolDown();
    QCOMPARE(shown.count(), 2);
    QVERIFY2(m_window->statusBar()->currentMessage().startsWith(QStringLiteral("Critical alert — ")),
             qPrintable(m_window->statusBar()->currentMessage()));
}

void TestConsoleKeyboard::detailPaneWidthOnFirstStartThenRestored()
{
    // Nothing saved yet: the detail pane gets its share of the window's width, not a fixed
    // narrow one.
    QVERIFY(!QSettings().contains(QStringLiteral("console/splitter")));
    auto *splitter = m_window->findChild<QSplitter *>(QStringLiteral("consoleSplitter"));
    QVERIFY(splitter);
    const QList<int> first = splitter->sizes();
    QCOMPARE(first.size(), 2);
    const int total = first.at(0) + first.at(1);
    QCOMPARE(first.at(1), ui::MainWindow::defaultDetailWidth(total));
    QCOMPARE(ui::MainWindow::defaultDetailWidth(1600), 560);
    QCOMPARE(ui::MainWindow::defaultDetailWidth(3000), 720);
    QCOMPARE(ui::MainWindow::defaultDetailWidth(800), 400);

    // The analyst moves the splitter; the next start shows it where it was left.
    const QList<int> chosen{total - 700, 700};
    splitter->setSizes(chosen);
    QCOMPARE(splitter->sizes(), chosen);
    QVERIFY(m_window->close());
    QVERIFY(QSettings().contains(QStringLiteral("console/splitter")));
    m_window = std::make_unique<ui::MainWindow>(m_backend.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    auto *restored = m_window->findChild<QSplitter *>(QStringLiteral("consoleSplitter"));
    QVERIFY(restored);
    QCOMPARE(restored->sizes(), chosen);
    QSettings().clear(); // the other tests start without saved state
}

QTEST_MAIN(TestConsoleKeyboard)
#include "tst_console_keyboard.moc"
