// Grouping in the console, driven from the keyboard over a real SQLite database: Ctrl+G
// toggles (and is remembered), Right/Left and +/- expand and collapse, Enter shows the alert,
// a/r/f on a group row act on every alert of the group.

#include "models/alerts/alert_group_model.h"
#include "models/alerts/alert_page_model.h"
#include "models/store/store.h"
#include "ui/alerts/alert_detail_pane.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QHeaderView>
#include <QMenuBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
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
constexpr qint64 kT0 = 1'700'002'800'000; // on the hour: all 30 minutes fall in one window

// Alerts 1..30, one minute apart, from four sources (i % 4): groups of 8, 8, 7 and 7.
// Every third one (i % 3 == 0) is NEW, the rest RESOLVED.
bool fill(Store &store, QString *error)
{
    GeneratedChunk chunk;
    for (int i = 0; i < kAlerts; ++i) {
        GeneratedAlert a;
        a.ruleName = QStringLiteral("Large transfer");
        a.type = engine::EventType::Transaction;
        a.severity = i % 5 == 0 ? engine::Severity::Critical : engine::Severity::High;
        a.status = i % 3 == 0 ? engine::AlertStatus::New : engine::AlertStatus::Resolved;
        a.message = QStringLiteral("Transfer number %1").arg(i + 1);
        a.sourceType = QStringLiteral("payment_gateway");
        a.sourceId = QStringLiteral("pay-gw-%1").arg(i % 4);
        a.createdAtMs = kT0 + qint64(i) * 60'000;
        a.detailsJson = "{}";
        chunk.alerts.append(a);
    }
    return store.insertGenerated(chunk, error);
}

} // namespace

class TestConsoleGrouping : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void ctrlGTogglesAndIsRemembered();
    void expandAndCollapseWithKeys();
    void enterShowsTheAlert();
    void acknowledgeGroupWithA();
    void composesWithTheFilter();
    void menuShowsTheShortcut();
    void expandedGroupStaysExpandedOnRefresh();
    void sortsByCountAndLastSeenFromTheHeader();

private:
    void group();

    QTemporaryDir m_dir;
    int m_run = 0;
    std::unique_ptr<FakeBackend> m_backend;
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestConsoleGrouping::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("vigil-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_console_grouping"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.path());
    QSettings().clear();
}

void TestConsoleGrouping::init()
{
    QSettings().clear();
    DatabaseUrl url;
    QString error;
    QVERIFY(DatabaseUrl::parse(m_dir.filePath(QStringLiteral("group-%1.db").arg(++m_run)), &url, &error));
    m_backend = std::make_unique<FakeBackend>(url);
    QVERIFY(m_backend->store());
    QVERIFY2(fill(*m_backend->store(), &error), qPrintable(error));
    m_window = std::make_unique<ui::MainWindow>(m_backend.get());
    m_window->setConfirmations(false);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->loadAlerts();
    QTRY_COMPARE(m_window->alertModel()->rowCount(), kAlerts);
    m_window->alertView()->setFocus();
    QTRY_VERIFY(m_window->alertView()->hasFocus());
}

void TestConsoleGrouping::cleanup()
{
    m_window.reset();
    m_backend.reset();
}

void TestConsoleGrouping::group()
{
    QSignalSpy shown(m_window.get(), &ui::MainWindow::groupsShown);
    QTest::keyClick(m_window->alertView(), Qt::Key_G, Qt::ControlModifier);
    QVERIFY(m_window->isGrouped());
    QTRY_COMPARE(shown.count(), 1);
    QTRY_VERIFY(m_window->groupView()->hasFocus());
    QTRY_VERIFY(m_window->groupView()->currentIndex().isValid());
}

void TestConsoleGrouping::ctrlGTogglesAndIsRemembered()
{
    group();
    AlertGroupModel *model = m_window->groupModel();
    QVERIFY(m_window->groupView()->isVisible());
    QVERIFY(!m_window->alertView()->isVisible());
    QCOMPARE(model->rowCount(), 4);
    // Newest group first: the source whose first alert came last.
    const QStringList sources = {QStringLiteral("pay-gw-3"), QStringLiteral("pay-gw-2"), QStringLiteral("pay-gw-1"),
                                 QStringLiteral("pay-gw-0")};
    const QList<qint64> counts = {7, 7, 8, 8};
    for (int r = 0; r < 4; ++r) {
        QCOMPARE(model->index(r, AlertGroupModel::Source).data().toString(), sources.at(r));
        QCOMPARE(model->index(r, AlertGroupModel::Count).data(AlertGroupModel::CountRole).toLongLong(), counts.at(r));
    }
    QCOMPARE(QSettings().value(QStringLiteral("console/grouped")).toBool(), true);

    // Remembered at the next start.
    m_window.reset();
    m_window = std::make_unique<ui::MainWindow>(m_backend.get());
    m_window->setConfirmations(false);
    m_window->show();
    QSignalSpy shown(m_window.get(), &ui::MainWindow::groupsShown);
    m_window->loadAlerts();
    QVERIFY(m_window->isGrouped());
    QTRY_COMPARE(shown.count(), 1);
    QCOMPARE(m_window->groupModel()->rowCount(), 4);

    // Ctrl+G again: back to the flat table, remembered too.
    m_window->groupView()->setFocus();
    QTRY_VERIFY(m_window->groupView()->hasFocus());
    QSignalSpy flat(m_window.get(), &ui::MainWindow::queryShown);
    QTest::keyClick(m_window->groupView(), Qt::Key_G, Qt::ControlModifier);
    QVERIFY(!m_window->isGrouped());
    QTRY_COMPARE(flat.count(), 1);
    QCOMPARE(m_window->alertModel()->rowCount(), kAlerts);
    QCOMPARE(QSettings().value(QStringLiteral("console/grouped")).toBool(), false);
}

void TestConsoleGrouping::expandAndCollapseWithKeys()
{
    group();
    QTreeView *view = m_window->groupView();
    AlertGroupModel *model = m_window->groupModel();
    const QModelIndex first = model->index(0, 0);
    QCOMPARE(view->currentIndex().row(), 0);
    QVERIFY(!view->isExpanded(first));

    QTest::keyClick(view, Qt::Key_Right);
    QTRY_COMPARE(model->rowCount(first), 7);
    QVERIFY(view->isExpanded(first));
    QTest::keyClick(view, Qt::Key_Down);
    QCOMPARE(view->currentIndex().parent(), first);
    QCOMPARE(view->currentIndex().data(AlertGroupModel::AlertIdRole).toLongLong(), 28); // i = 27, the newest of pay-gw-3
    QTest::keyClick(view, Qt::Key_J);
    QCOMPARE(view->currentIndex().data(AlertGroupModel::AlertIdRole).toLongLong(), 24);
    QTest::keyClick(view, Qt::Key_Left); // to the group
    QCOMPARE(view->currentIndex().row(), 0);
    QVERIFY(!view->currentIndex().parent().isValid());
    QTest::keyClick(view, Qt::Key_Left); // collapses it
    QVERIFY(!view->isExpanded(first));
    QTest::keyClick(view, Qt::Key_Down);
    QCOMPARE(view->currentIndex().row(), 1);
    QVERIFY(!view->currentIndex().parent().isValid());

    QTest::keyClick(view, Qt::Key_Plus);
    const QModelIndex second = model->index(1, 0);
    QTRY_COMPARE(model->rowCount(second), 7);
    QVERIFY(view->isExpanded(second));
    QTest::keyClick(view, Qt::Key_Minus);
    QVERIFY(!view->isExpanded(second));
    QCOMPARE(model->rowCount(second), 7); // the children stay loaded
}

void TestConsoleGrouping::enterShowsTheAlert()
{
    group();
    QTreeView *view = m_window->groupView();
    QTRY_COMPARE(m_window->detailPane()->alertId(), 28); // the group's newest alert
    QTest::keyClick(view, Qt::Key_Right);
    QTRY_COMPARE(m_window->groupModel()->rowCount(m_window->groupModel()->index(0, 0)), 7);
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_Down);
    QTRY_COMPARE(m_window->detailPane()->alertId(), 24);
    QTest::keyClick(view, Qt::Key_Return);
    QTRY_VERIFY(m_window->detailPane()->tree()->hasFocus());
    QTest::keyClick(m_window->detailPane()->tree(), Qt::Key_Escape);
    QTRY_VERIFY(view->hasFocus());
}

void TestConsoleGrouping::acknowledgeGroupWithA()
{
    group();
    QTreeView *view = m_window->groupView();
    // Row 0 is pay-gw-3: alerts 4, 8, ..., 28; new among them: 4, 16, 28.
    QSignalSpy shown(m_window.get(), &ui::MainWindow::groupsShown);
    QTest::keyClick(view, Qt::Key_A);
    QTRY_COMPARE(m_backend->bulkIds.size(), 7);
    QCOMPARE(m_backend->singleActions, 0);
    QList<qint64> ids = m_backend->bulkIds;
    std::sort(ids.begin(), ids.end());
    QCOMPARE(ids, (QList<qint64>{4, 8, 12, 16, 20, 24, 28}));
    QTRY_COMPARE(shown.count(), 1); // refreshed after the bulk action
    AlertQuery open;
    open.statuses = {engine::AlertStatus::New};
    open.source = QStringLiteral("pay-gw-3");
    qint64 count = -1;
    QString error;
    QVERIFY(m_backend->store()->countAlerts(open, &count, &error));
    QCOMPARE(count, 0);
    open.source = QStringLiteral("pay-gw-2");
    QVERIFY(m_backend->store()->countAlerts(open, &count, &error));
    QCOMPARE(count, 2); // the next group is untouched (i = 6, 18)
    QCOMPARE(m_window->groupModel()->index(0, AlertGroupModel::Status).data().toString(), QStringLiteral("Acknowledged"));

    // A child row acts on that alert alone.
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_Right);
    QTRY_COMPARE(m_window->groupModel()->rowCount(m_window->groupModel()->index(1, 0)), 7);
    QTest::keyClick(view, Qt::Key_Down); // alert 27 (i = 26): resolved
    QTest::keyClick(view, Qt::Key_Down); // alert 23 (i = 22)
    QTest::keyClick(view, Qt::Key_Down); // alert 19 (i = 18): new
    QCOMPARE(view->currentIndex().data(AlertGroupModel::AlertIdRole).toLongLong(), 19);
    QTest::keyClick(view, Qt::Key_A);
    QCOMPARE(m_backend->singleActions, 1);
    QTRY_COMPARE(m_window->groupModel()->index(2, AlertGroupModel::Status, m_window->groupModel()->index(1, 0)).data().toString(),
                 QStringLiteral("Acknowledged"));
}

void TestConsoleGrouping::composesWithTheFilter()
{
    group();
    AlertQuery q = m_window->groupModel()->query();
    q.statuses = {engine::AlertStatus::New};
    QSignalSpy shown(m_window.get(), &ui::MainWindow::groupsShown);
    m_window->groupModel()->setQuery(q);
    QTRY_COMPARE(shown.count(), 1);
    // New: i = 0, 3, ..., 27 → sources 0, 3, 2, 1, 0, 3, 2, 1, 0, 3: groups of 3, 3, 2, 2, the
    // newest first: pay-gw-1 (from i = 9), -2 (6), -3 (3), -0 (0).
    AlertGroupModel *model = m_window->groupModel();
    QCOMPARE(model->rowCount(), 4);
    qint64 total = 0;
    for (int r = 0; r < 4; ++r)
        total += model->index(r, 0).data(AlertGroupModel::CountRole).toLongLong();
    QCOMPARE(total, 10);
    QCOMPARE(model->index(0, AlertGroupModel::Source).data().toString(), QStringLiteral("pay-gw-1")); // i = 9, 21
    QCOMPARE(model->index(0, AlertGroupModel::Count).data().toString(), QStringLiteral("2"));
    QCOMPARE(model->index(2, AlertGroupModel::Count).data().toString(), QStringLiteral("3"));
}

void TestConsoleGrouping::menuShowsTheShortcut()
{
    QAction *grouping = nullptr;
    for (QAction *menu : m_window->menuBar()->actions())
        if (menu->menu())
            for (QAction *a : menu->menu()->actions())
                if (a->text() == QStringLiteral("&Group Repeats"))
                    grouping = a;
    QVERIFY(grouping);
    QCOMPARE(grouping->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_G));
    QVERIFY(grouping->isCheckable());
}

void TestConsoleGrouping::expandedGroupStaysExpandedOnRefresh()
{
    group();
    QTreeView *view = m_window->groupView();
    AlertGroupModel *model = m_window->groupModel();
    // Row 1 (pay-gw-2) expanded with the keyboard.
    QTest::keyClick(view, Qt::Key_Down);
    QTest::keyClick(view, Qt::Key_Right);
    QTRY_COMPARE(model->rowCount(model->index(1, 0)), 7);
    QVERIFY(view->isExpanded(model->index(1, 0)));

    // Meanwhile: one more alert of pay-gw-2 and a new source whose group starts on top.
    GeneratedChunk chunk;
    for (const auto &[source, minute] : {std::pair{"pay-gw-2", 40}, std::pair{"pay-gw-9", 45}}) {
        GeneratedAlert a;
        a.ruleName = QStringLiteral("Large transfer");
        a.type = engine::EventType::Transaction;
        a.severity = engine::Severity::High;
        a.message = QStringLiteral("Late transfer");
        a.sourceType = QStringLiteral("payment_gateway");
        a.sourceId = QString::fromLatin1(source);
        a.createdAtMs = kT0 + qint64(minute) * 60'000;
        a.detailsJson = "{}";
        chunk.alerts.append(a);
    }
    QString error;
    QVERIFY2(m_backend->store()->insertGenerated(chunk, &error), qPrintable(error));

    // F5: read again; pay-gw-2 is row 2 now, still expanded, with its eight alerts.
    QSignalSpy shown(m_window.get(), &ui::MainWindow::groupsShown);
    QTest::keyClick(view, Qt::Key_F5);
    QTRY_COMPARE(shown.count(), 1);
    QCOMPARE(model->rowCount(), 5);
    const QModelIndex moved = model->index(2, 0);
    QCOMPARE(moved.siblingAtColumn(AlertGroupModel::Source).data().toString(), QStringLiteral("pay-gw-2"));
    QTRY_COMPARE(model->rowCount(moved), 8);
    QTRY_VERIFY(view->isExpanded(moved));
    for (int r : {0, 1, 3, 4})
        QVERIFY2(!view->isExpanded(model->index(r, 0)), qPrintable(QString::number(r)));
    QCOMPARE(model->index(0, 0, moved).data(AlertGroupModel::AlertIdRole).toLongLong(), 31); // the new one, newest first

    // Collapsed, it stays collapsed at the next refresh.
    view->setCurrentIndex(moved);
    QTest::keyClick(view, Qt::Key_Left);
    QVERIFY(!view->isExpanded(moved));
    QTest::keyClick(view, Qt::Key_F5);
    QTRY_COMPARE(shown.count(), 2);
    QCOMPARE(model->expandedGroupCount(), 0);
    for (int r = 0; r < model->rowCount(); ++r)
        QVERIFY(!view->isExpanded(model->index(r, 0)));
}

void TestConsoleGrouping::sortsByCountAndLastSeenFromTheHeader()
{
    group();
    QTreeView *view = m_window->groupView();
    AlertGroupModel *model = m_window->groupModel();
    QHeaderView *header = view->header();
    const auto sources = [&] {
        QStringList out;
        for (int r = 0; r < model->rowCount(); ++r)
            out << model->index(r, AlertGroupModel::Source).data().toString().right(1);
        return out;
    };
    const auto click = [&](int column) {
        QSignalSpy shown(m_window.get(), &ui::MainWindow::groupsShown);
        const int x = header->sectionViewportPosition(column) + header->sectionSize(column) / 2;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
        QTRY_COMPARE(shown.count(), 1);
        QCOMPARE(header->sortIndicatorSection(), column);
        QCOMPARE(model->query().sortKey, AlertGroupModel::sortKeyOf(column));
        QCOMPARE(model->query().descending, header->sortIndicatorOrder() == Qt::DescendingOrder);
    };
    // Counts 8, 8, 7, 7 for pay-gw-0..3; ties by first seen in the same direction. The first
    // click shows the most first.
    const QStringList mostFirst = {QStringLiteral("1"), QStringLiteral("0"), QStringLiteral("3"), QStringLiteral("2")};
    const QStringList fewestFirst = {QStringLiteral("2"), QStringLiteral("3"), QStringLiteral("0"), QStringLiteral("1")};
    click(AlertGroupModel::Count);
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QCOMPARE(sources(), mostFirst);
    QCOMPARE(model->index(0, AlertGroupModel::Count).data().toString(), QStringLiteral("8"));
    click(AlertGroupModel::Count);
    QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
    QCOMPARE(sources(), fewestFirst);

    // Last seen: alerts 30 (pay-gw-1), 29 (0), 28 (3), 27 (2); the newest first, then the oldest.
    const QStringList newestFirst = {QStringLiteral("1"), QStringLiteral("0"), QStringLiteral("3"), QStringLiteral("2")};
    QStringList oldestFirst = newestFirst;
    std::reverse(oldestFirst.begin(), oldestFirst.end());
    click(AlertGroupModel::LastSeen);
    QCOMPARE(header->sortIndicatorOrder(), Qt::DescendingOrder);
    QCOMPARE(sources(), newestFirst);
    click(AlertGroupModel::LastSeen);
    QCOMPARE(header->sortIndicatorOrder(), Qt::AscendingOrder);
    QCOMPARE(sources(), oldestFirst);

    // Back to the flat table: it cannot sort by a group's last seen, so it shows time, newest first.
    QSignalSpy flat(m_window.get(), &ui::MainWindow::queryShown);
    QTest::keyClick(view, Qt::Key_G, Qt::ControlModifier);
    QTRY_COMPARE(flat.count(), 1);
    QCOMPARE(m_window->alertModel()->query().sortKey, AlertSortKey::Time);
    QVERIFY(m_window->alertModel()->query().descending);
    QCOMPARE(m_window->alertView()->horizontalHeader()->sortIndicatorSection(), int(AlertPageModel::Time));
}

QTEST_MAIN(TestConsoleGrouping)
#include "tst_console_grouping.moc"
