// AlertPageModel: query lifecycle, paging, bounded cache, live batches, updates.
// The test plays the loader: it answers the model's requests itself.

#include "models/alerts/alert_page_model.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace vigil;
using namespace vigil::models;

namespace {

AlertRecord record(qint64 id, engine::Severity severity = engine::Severity::High,
                   engine::AlertStatus status = engine::AlertStatus::New, const QString &rule = QStringLiteral("Large transfer"),
                   const QString &source = QStringLiteral("pay-gw-001"))
{
    AlertRecord a;
    a.id = id;
    a.createdAtMs = 1'700'000'000'000 + id * 1000;
    a.severity = severity;
    a.status = status;
    a.type = engine::EventType::Transaction;
    a.ruleName = rule;
    a.sourceType = QStringLiteral("payment_gateway");
    a.sourceId = source;
    a.message = QStringLiteral("Transfer %1 from %2").arg(id).arg(source);
    return a;
}

QList<AlertRow> rows(qint64 firstId, int n)
{
    QList<AlertRow> out;
    for (int i = 0; i < n; ++i)
        out.append(alertRowFrom(record(firstId - i))); // newest first, as the store answers
    return out;
}

// Answers the model's first query with `count` rows and the first page.
void answerQuery(AlertPageModel &model, qint64 count, qint64 maxId)
{
    AlertQuery q = model.query();
    q.maxId = maxId;
    model.queryFinished(model.generation(), q, count, rows(maxId, int(std::min<qint64>(count, AlertPageModel::kPageSize))), {});
}

QStringList displayed(const AlertPageModel &model)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < model.columnCount(); ++c)
            cells << model.index(r, c).data().toString();
        out << cells.join(u'|');
    }
    return out;
}

} // namespace

class TestAlertPageModel : public QObject
{
    Q_OBJECT
private slots:
    void queryLifecycle();
    void staleAnswersAreIgnored();
    void countArrivesAfterTheFirstPage_data();
    void countArrivesAfterTheFirstPage();
    void pagesOnDemand();
    void cacheIsBounded();
    void liveBatches_data();
    void liveBatches();
    void batchedEqualsOneByOne_data() { liveBatches_data(); }
    void batchedEqualsOneByOne();
    void liveInOtherOrderWaits();
    void snapshotDropsQueuedDuplicates();
    void updateAlertChangesOneRow();
    void matches_data();
    void matches();
};

void TestAlertPageModel::queryLifecycle()
{
    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy requested(&model, &AlertPageModel::queryRequested);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy loaded(&model, &AlertPageModel::loaded);

    AlertQuery q;
    q.severities = {engine::Severity::High};
    model.setQuery(q);
    QCOMPARE(requested.count(), 1);
    QCOMPARE(requested.at(0).at(0).toULongLong(), model.generation());
    QVERIFY(model.isLoading());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(reset.count(), 0); // the rows stay until the answer arrives

    answerQuery(model, 1000, 5000);
    QVERIFY(!model.isLoading());
    QCOMPARE(reset.count(), 1);
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(model.rowCount(), 1000);
    QCOMPARE(model.query().maxId, 5000);
    QCOMPARE(model.index(0, AlertPageModel::Time).data(AlertPageModel::AlertIdRole).toLongLong(), 5000);
    QCOMPARE(model.index(0, AlertPageModel::Severity).data().toString(), QStringLiteral("High"));

    QSignalSpy failed(&model, &AlertPageModel::queryFailed);
    model.refresh();
    QCOMPARE(requested.count(), 2);
    model.queryFinished(model.generation(), model.query(), 0, {}, QStringLiteral("database is locked"));
    QCOMPARE(failed.count(), 1);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 1000); // a failed refresh keeps what is shown
}

void TestAlertPageModel::staleAnswersAreIgnored()
{
    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setQuery({});
    const quint64 first = model.generation();
    model.sort(AlertPageModel::Rule, Qt::AscendingOrder);
    QCOMPARE(model.generation(), first + 1);
    model.queryFinished(first, AlertQuery{}, 10, rows(10, 10), {});
    QCOMPARE(reset.count(), 0);
    QCOMPARE(model.rowCount(), 0);
    AlertQuery q = model.query();
    QVERIFY(q.sortKey == AlertSortKey::Rule);
    QCOMPARE(q.descending, false);
    q.maxId = 10;
    model.queryFinished(model.generation(), q, 10, rows(10, 10), {});
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 10);
}

void TestAlertPageModel::countArrivesAfterTheFirstPage_data()
{
    QTest::addColumn<bool>("descending");
    QTest::addColumn<int>("live");   // live rows shown before the count arrives
    QTest::newRow("newest first") << true << 0;
    QTest::newRow("newest first, with live rows on top") << true << 3;
    QTest::newRow("oldest first, with live rows below") << false << 3;
}

void TestAlertPageModel::countArrivesAfterTheFirstPage()
{
    QFETCH(bool, descending);
    QFETCH(int, live);
    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.sort(AlertPageModel::Time, descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    QSignalSpy counted(&model, &AlertPageModel::counted);
    AlertQuery q = model.query();
    q.maxId = 1000;
    model.queryFinished(model.generation(), q, AlertPageModel::kPageSize, rows(1000, AlertPageModel::kPageSize), {}, false);
    QVERIFY(model.isCounting());
    QCOMPARE(counted.count(), 0);
    QList<AlertRecord> arriving;
    for (int i = 0; i < live; ++i)
        arriving.append(record(1001 + i));
    model.addAlerts(arriving);
    model.flush();
    QCOMPARE(model.rowCount(), AlertPageModel::kPageSize + live);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.countFinished(model.generation() + 1, 5000); // not this query's
    QCOMPARE(inserted.count(), 0);
    model.countFinished(model.generation(), 1000);
    QCOMPARE(inserted.count(), 1);
    const int first = AlertPageModel::kPageSize + (descending ? live : 0);
    QCOMPARE(inserted.at(0).at(1).toInt(), first);
    QCOMPARE(inserted.at(0).at(2).toInt(), first + 1000 - AlertPageModel::kPageSize - 1);
    QCOMPARE(model.rowCount(), 1000 + live);
    QCOMPARE(counted.count(), 1);
    QCOMPARE(counted.at(0).at(0).toLongLong(), 1000);
    QVERIFY(!model.isCounting());
    model.countFinished(model.generation(), 2000); // only once
    QCOMPARE(inserted.count(), 1);
}

void TestAlertPageModel::pagesOnDemand()
{
    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setQuery({});
    answerQuery(model, 1000, 1000);
    QSignalSpy pageRequested(&model, &AlertPageModel::pageRequested);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    const int row = 2 * AlertPageModel::kPageSize + 7; // page 2
    QVERIFY(!model.index(row, 0).data(AlertPageModel::LoadedRole).toBool());
    QCOMPARE(model.index(row, AlertPageModel::Message).data().toString(), QStringLiteral("Loading…"));
    QCOMPARE(pageRequested.count(), 1); // asked once, however often it is looked at
    QCOMPARE(pageRequested.at(0).at(2).toInt(), 2);

    model.pageFinished(model.generation() + 1, 2, rows(600, AlertPageModel::kPageSize)); // another generation
    QCOMPARE(changed.count(), 0);
    model.pageFinished(model.generation(), 2, rows(600, AlertPageModel::kPageSize));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 2 * AlertPageModel::kPageSize);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 3 * AlertPageModel::kPageSize - 1);
    QCOMPARE(changed.at(0).at(1).toModelIndex().column(), AlertPageModel::ColumnCount - 1);
    QCOMPARE(model.index(row, 0).data(AlertPageModel::AlertIdRole).toLongLong(), 600 - 7);
    QCOMPARE(pageRequested.count(), 1);
}

void TestAlertPageModel::cacheIsBounded()
{
    AlertPageModel model;
    model.setFlushInterval(0);
    model.setMaxCachedPages(3);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setQuery({});
    answerQuery(model, 10 * AlertPageModel::kPageSize, 100000);
    for (int page = 1; page < 6; ++page)
        model.pageFinished(model.generation(), page, rows(100000 - page * AlertPageModel::kPageSize, AlertPageModel::kPageSize));
    QCOMPARE(model.cachedPageCount(), 3);
    QVERIFY(!model.rowAt(0)); // page 0 was the least recently stored: evicted
    QVERIFY(model.rowAt(5 * AlertPageModel::kPageSize));
    model.pageFinished(model.generation(), 0, rows(100000, AlertPageModel::kPageSize));
    QVERIFY(model.rowAt(0));
    QCOMPARE(model.cachedPageCount(), 3);
    QVERIFY(!model.rowAt(3 * AlertPageModel::kPageSize)); // now page 3 made room
}

void TestAlertPageModel::liveBatches_data()
{
    QTest::addColumn<QList<int>>("batches");       // sizes of the batches flushed
    QTest::addColumn<QList<int>>("severities");    // filter (empty: any)
    QTest::addColumn<int>("expectedRows");

    QTest::newRow("one alert") << QList<int>{1} << QList<int>{} << 1;
    QTest::newRow("one batch of 50") << QList<int>{50} << QList<int>{} << 50;
    QTest::newRow("three batches") << QList<int>{3, 1, 7} << QList<int>{} << 11;
    QTest::newRow("filter keeps HIGH only") << QList<int>{10, 10} << QList<int>{int(engine::Severity::High)} << 10;
    QTest::newRow("filter matches none") << QList<int>{4} << QList<int>{int(engine::Severity::Low)} << 0;
}

namespace {
// Alerts 101.. alternate between HIGH and MEDIUM.
QList<QList<AlertRecord>> makeBatches(const QList<int> &sizes)
{
    QList<QList<AlertRecord>> out;
    qint64 id = 101;
    for (int n : sizes) {
        QList<AlertRecord> batch;
        for (int i = 0; i < n; ++i, ++id)
            batch.append(record(id, id % 2 ? engine::Severity::High : engine::Severity::Medium));
        out.append(batch);
    }
    return out;
}
AlertQuery severityQuery(const QList<int> &severities)
{
    AlertQuery q;
    for (int s : severities)
        q.severities.append(engine::Severity(s));
    return q;
}
} // namespace

void TestAlertPageModel::liveBatches()
{
    QFETCH(QList<int>, batches);
    QFETCH(QList<int>, severities);
    QFETCH(int, expectedRows);

    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setQuery(severityQuery(severities));
    answerQuery(model, 20, 100);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    int expectedInserts = 0;
    int before = model.rowCount();
    for (const QList<AlertRecord> &batch : makeBatches(batches)) {
        model.addAlerts(batch);
        QCOMPARE(model.rowCount(), before); // nothing shows before the flush
        model.flush();
        const int added = model.rowCount() - before;
        if (added > 0) {
            ++expectedInserts;
            QCOMPARE(inserted.constLast().at(1).toInt(), 0);
            QCOMPARE(inserted.constLast().at(2).toInt(), added - 1);
        }
        before = model.rowCount();
    }
    QCOMPARE(inserted.count(), expectedInserts);
    QCOMPARE(model.liveRowCount(), expectedRows);
    QCOMPARE(model.rowCount(), 20 + expectedRows);
    if (expectedRows > 0) // newest on top, the snapshot below
        QVERIFY(model.index(0, 0).data(AlertPageModel::AlertIdRole).toLongLong() > 100);
    QCOMPARE(model.index(expectedRows, 0).data(AlertPageModel::AlertIdRole).toLongLong(), 100);
}

void TestAlertPageModel::batchedEqualsOneByOne()
{
    QFETCH(QList<int>, batches);
    QFETCH(QList<int>, severities);
    QFETCH(int, expectedRows);

    AlertPageModel batched, single;
    for (AlertPageModel *m : {&batched, &single}) {
        m->setFlushInterval(0);
        m->setQuery(severityQuery(severities));
        answerQuery(*m, 20, 100);
    }
    QAbstractItemModelTester t1(&batched, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&single, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy batchedInserts(&batched, &QAbstractItemModel::rowsInserted);
    QSignalSpy singleInserts(&single, &QAbstractItemModel::rowsInserted);

    QList<AlertRecord> all;
    for (const QList<AlertRecord> &batch : makeBatches(batches))
        all += batch;
    batched.addAlerts(all);
    batched.flush();
    for (const AlertRecord &a : all) {
        single.addAlerts({a});
        single.flush();
    }
    QCOMPARE(batchedInserts.count(), expectedRows > 0 ? 1 : 0);
    QCOMPARE(singleInserts.count(), expectedRows);
    QCOMPARE(displayed(batched), displayed(single));
    QCOMPARE(batched.rowCount(), 20 + expectedRows);
}

void TestAlertPageModel::liveInOtherOrderWaits()
{
    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.sort(AlertPageModel::Severity, Qt::DescendingOrder);
    answerQuery(model, 20, 100);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy waiting(&model, &AlertPageModel::liveAlertsWaitingChanged);
    model.addAlerts({record(101), record(102)});
    model.flush();
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(waiting.count(), 1);
    QCOMPARE(waiting.at(0).at(0).toInt(), 2);
    QCOMPARE(model.rowCount(), 20);
    model.refresh();
    answerQuery(model, 22, 102);
    QCOMPARE(waiting.count(), 2);
    QCOMPARE(model.liveAlertsWaiting(), 0);
}

void TestAlertPageModel::snapshotDropsQueuedDuplicates()
{
    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setQuery({});
    model.addAlerts({record(1), record(2), record(3)}); // arrive while the query runs
    answerQuery(model, 2, 2);                            // the snapshot already has 1 and 2
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.flush();
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 0).data(AlertPageModel::AlertIdRole).toLongLong(), 3);
}

void TestAlertPageModel::updateAlertChangesOneRow()
{
    AlertPageModel model;
    model.setFlushInterval(0);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setQuery({});
    answerQuery(model, 50, 50);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    AlertRecord a = record(47);
    a.status = engine::AlertStatus::Acknowledged;
    a.acknowledgedBy = QStringLiteral("alice");
    model.updateAlert(a);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 3);
    QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 3);
    QCOMPARE(model.index(3, AlertPageModel::Status).data().toString(), QStringLiteral("Acknowledged"));
    model.updateAlert(record(999999)); // not loaded: nothing to change
    QCOMPARE(changed.count(), 1);
}

void TestAlertPageModel::matches_data()
{
    QTest::addColumn<AlertQuery>("query");
    QTest::addColumn<bool>("expected");
    const auto q = [] { return AlertQuery{}; };
    AlertQuery severity = q();
    severity.severities = {engine::Severity::Critical};
    AlertQuery status = q();
    status.statuses = {engine::AlertStatus::New};
    AlertQuery rule = q();
    rule.rules = {QStringLiteral("Card velocity")};
    AlertQuery source = q();
    source.source = QStringLiteral("pay-gw-001");
    AlertQuery text = q();
    text.text = QStringLiteral("TRANSFER 7");
    AlertQuery assigned = q();
    assigned.assignee = QStringLiteral("alice");
    AlertQuery unassigned = q();
    unassigned.assignee = QStringLiteral("-");
    AlertQuery old = q();
    old.toMs = 1'700'000'000'000;
    AlertQuery snapshot = q();
    snapshot.maxId = 7;

    QTest::newRow("no filter") << q() << true;
    QTest::newRow("other severity") << severity << false;
    QTest::newRow("status new") << status << true;
    QTest::newRow("other rule") << rule << false;
    QTest::newRow("same source") << source << true;
    QTest::newRow("text, any case") << text << true;
    QTest::newRow("assigned to someone") << assigned << false;
    QTest::newRow("unassigned") << unassigned << true;
    QTest::newRow("before the time range") << old << false;
    QTest::newRow("inside the snapshot") << snapshot << false;
}

void TestAlertPageModel::matches()
{
    QFETCH(AlertQuery, query);
    QFETCH(bool, expected);
    QCOMPARE(alertMatches(query, record(7)), expected);
}

QTEST_MAIN(TestAlertPageModel)
#include "tst_alert_page_model.moc"
