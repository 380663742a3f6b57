// Grouping: the store's group counts on a real SQLite file (and, with VIGIL_TEST_POSTGRES_URL,
// on PostgreSQL), and AlertGroupModel over the real AlertLoader (its own thread and
// connection): paging, expanding, live batches.

#include "models/alerts/alert_group_model.h"
#include "models/alerts/alert_loader.h"
#include "models/store/schema.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"

#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QSqlQuery>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vigil;
using namespace vigil::models;
using vigil::test::PostgresTestDatabases;

namespace {

constexpr qint64 kHour = 60 * 60 * 1000;
constexpr qint64 kT0 = 1'700'006'400'000; // midnight UTC: 19676 days

struct Spec
{
    const char *rule;
    const char *source;
    qint64 minute;            // after kT0
    engine::Severity severity;
    engine::AlertStatus status;
};

// Ids 1..12 in this order. Groups of one hour:
//   Large transfer / pay-gw-001 / hour 0: ids 1, 2, 4 (Low, High, Medium)  → 3, top High
//   Large transfer / pay-gw-002 / hour 0: id 3                              → 1
//   Brute-force    / auth-007   / hour 0: ids 5, 6, 7, 8 (one Critical)     → 4, top Critical
//   Large transfer / pay-gw-001 / hour 1: ids 9, 10                         → 2
//   Disk full      / srv-010    / hour 1: ids 11, 12                        → 2
const Spec kAlerts[] = {
    {"Large transfer", "pay-gw-001", 1, engine::Severity::Low, engine::AlertStatus::New},
    {"Large transfer", "pay-gw-001", 5, engine::Severity::High, engine::AlertStatus::Resolved},
    {"Large transfer", "pay-gw-002", 6, engine::Severity::Medium, engine::AlertStatus::New},
    {"Large transfer", "pay-gw-001", 10, engine::Severity::Medium, engine::AlertStatus::New},
    {"Brute-force login", "auth-007", 12, engine::Severity::High, engine::AlertStatus::New},
    {"Brute-force login", "auth-007", 20, engine::Severity::Critical, engine::AlertStatus::Acknowledged},
    {"Brute-force login", "auth-007", 30, engine::Severity::High, engine::AlertStatus::New},
    {"Brute-force login", "auth-007", 59, engine::Severity::Low, engine::AlertStatus::FalsePositive},
    {"Large transfer", "pay-gw-001", 61, engine::Severity::High, engine::AlertStatus::New},
    {"Large transfer", "pay-gw-001", 75, engine::Severity::Low, engine::AlertStatus::New},
    {"Disk nearly full", "srv-010", 70, engine::Severity::High, engine::AlertStatus::New},
    {"Disk nearly full", "srv-010", 80, engine::Severity::Critical, engine::AlertStatus::New},
};

GeneratedAlert generated(const Spec &s, int index)
{
    GeneratedAlert a;
    a.ruleName = QString::fromLatin1(s.rule);
    a.sourceType = QStringLiteral("host");
    a.sourceId = QString::fromLatin1(s.source);
    a.severity = s.severity;
    a.status = s.status;
    a.type = engine::EventType::Security;
    a.createdAtMs = kT0 + s.minute * 60'000;
    a.message = QStringLiteral("%1 #%2").arg(QString::fromLatin1(s.rule)).arg(index);
    a.detailsJson = "{}";
    return a;
}

bool insert(Store &store, const QList<Spec> &specs, int firstIndex, QString *error)
{
    GeneratedChunk chunk;
    for (qsizetype i = 0; i < specs.size(); ++i)
        chunk.alerts.append(generated(specs.at(i), firstIndex + int(i)));
    return store.insertGenerated(chunk, error);
}

// 450 "Port scan" alerts from sources src-0 … src-449, one a minute from minute 120 on:
// 450 groups of one, more than two pages of groups.
bool insertPortScans(Store &store, QString *error)
{
    QList<Spec> more;
    QList<QByteArray> names;
    for (int i = 0; i < 450; ++i)
        names.append(QByteArray("src-") + QByteArray::number(i));
    for (int i = 0; i < 450; ++i)
        more.append({"Port scan", names.at(i).constData(), 120 + i, engine::Severity::Low, engine::AlertStatus::New});
    return insert(store, more, 13, error);
}

struct Expected
{
    const char *rule;
    const char *source;
    qint64 count;
    qint64 firstMinute;
    qint64 lastMinute;
    engine::Severity top;
    qint64 newestId;
};

// Every cell of every top-level row, and of the children of expanded groups.
QStringList dump(const QAbstractItemModel &model)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(); ++r) {
        const QModelIndex parent = model.index(r, 0);
        QStringList cells;
        for (int c = 0; c < model.columnCount(); ++c)
            cells << model.index(r, c).data().toString();
        out << cells.join(u'|');
        for (int k = 0; k < model.rowCount(parent); ++k) {
            QStringList child;
            for (int c = 0; c < model.columnCount(parent); ++c)
                child << model.index(k, c, parent).data().toString();
            out << QStringLiteral("  ") + child.join(u'|');
        }
    }
    return out;
}

} // namespace

class TestAlertGroupModel : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void initTestCase();
    void init();
    void cleanup();
    void storeCountsGroups();
    void storeComposesWithFiltersAndSorts_data();
    void storeComposesWithFiltersAndSorts();
    void membersQueryCoversTheGroup();
    void modelLoadsAndExpands();
    void liveBatchEqualsFreshQuery();
    void liveInOtherOrderWaits();
    void firstPageBeforeTheCount_data();
    void firstPageBeforeTheCount();
    void storeFoldIsCancellable();
    void storeFoldLeavesSilencedOut();
    void sortsByCountAndLastSeen();
    void expandedGroupsSurviveRefresh();
    void expandedGroupsFollowTheirRow();

private:
    void connectLoader(AlertGroupModel &model);
    void loadModel(AlertGroupModel &model, const AlertQuery &query = {});
    void expandAll(AlertGroupModel &model);

    QTemporaryDir m_dir;
    PostgresTestDatabases m_postgres;
    DatabaseUrl m_url;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<AlertLoader> m_loader;
    int m_run = 0;
};

void TestAlertGroupModel::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestAlertGroupModel::init()
{
    VIGIL_SKIP_UNAVAILABLE_BACKEND();
    QString error;
    if (PostgresTestDatabases::isPostgres())
        QVERIFY2(m_postgres.create(&m_url, &error), qPrintable(error));
    else
        QVERIFY(DatabaseUrl::parse(m_dir.filePath(QStringLiteral("groups-%1.db").arg(++m_run)), &m_url, &error));
    m_store = Store::open(m_url, QStringLiteral("group-test"), &error);
    QVERIFY2(m_store, qPrintable(error));
    QCOMPARE(m_store->schemaVersion(), schema::latestVersion());
    QVERIFY2(insert(*m_store, QList<Spec>(std::begin(kAlerts), std::end(kAlerts)), 1, &error), qPrintable(error));
    m_loader = std::make_unique<AlertLoader>(m_url);
    m_loader->start();
}

void TestAlertGroupModel::cleanup()
{
    m_loader.reset();
    m_store.reset();
    m_postgres.dropAll();
}

void TestAlertGroupModel::storeCountsGroups()
{
    QString error;
    qint64 groups = 0;
    AlertQuery q; // newest groups first
    QVERIFY2(m_store->buildAlertGroups(q, kHour, &groups, &error), qPrintable(error));
    QCOMPARE(groups, 5);
    QList<AlertGroupRow> rows;
    QVERIFY2(m_store->alertGroupRows(0, 200, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 5);
    // Ordered by the group's first alert, newest first.
    const Expected expected[] = {
        {"Disk nearly full", "srv-010", 2, 70, 80, engine::Severity::Critical, 12},
        {"Large transfer", "pay-gw-001", 2, 61, 75, engine::Severity::High, 10},
        {"Brute-force login", "auth-007", 4, 12, 59, engine::Severity::Critical, 8},
        {"Large transfer", "pay-gw-002", 1, 6, 6, engine::Severity::Medium, 3},
        {"Large transfer", "pay-gw-001", 3, 1, 10, engine::Severity::High, 4},
    };
    for (int i = 0; i < 5; ++i) {
        const AlertGroupRow &g = rows.at(i);
        const Expected &e = expected[i];
        QCOMPARE(g.ruleName, QString::fromLatin1(e.rule));
        QCOMPARE(g.sourceId, QString::fromLatin1(e.source));
        QCOMPARE(g.count, e.count);
        QCOMPARE(g.firstSeenMs, kT0 + e.firstMinute * 60'000);
        QCOMPARE(g.lastSeenMs, kT0 + e.lastMinute * 60'000);
        QCOMPARE(int(g.topSeverity), int(e.top));
        QCOMPARE(g.newest.id, e.newestId);
        QCOMPARE(g.newest.message, QStringLiteral("%1 #%2").arg(QString::fromLatin1(e.rule)).arg(e.newestId));
        QCOMPARE(g.bucket, (kT0 + e.firstMinute * 60'000) / kHour);
    }
    // Pages are ranges of the same numbering.
    QVERIFY(m_store->alertGroupRows(3, 200, &rows, &error));
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).sourceId, QStringLiteral("pay-gw-002"));

    // A day folds both hours of Large transfer / pay-gw-001 together.
    QVERIFY(m_store->buildAlertGroups(q, 24 * kHour, &groups, &error));
    QCOMPARE(groups, 4);
    // A snapshot bound leaves later alerts out.
    q.maxId = 4;
    QVERIFY(m_store->buildAlertGroups(q, kHour, &groups, &error));
    QCOMPARE(groups, 2);
    QVERIFY(m_store->alertGroupRows(0, 200, &rows, &error));
    QCOMPARE(rows.at(1).count, 3);
    QVERIFY(!m_store->buildAlertGroups(q, 0, &groups, &error));
    QVERIFY(error.contains(QStringLiteral("window")));
}

void TestAlertGroupModel::storeComposesWithFiltersAndSorts_data()
{
    QTest::addColumn<AlertQuery>("query");
    QTest::addColumn<QStringList>("groups"); // "rule/source:count" in order

    AlertQuery high;
    high.severities = {engine::Severity::High, engine::Severity::Critical};
    QTest::newRow("severity") << high
                              << QStringList{QStringLiteral("Disk nearly full/srv-010:2"), QStringLiteral("Large transfer/pay-gw-001:1"),
                                             QStringLiteral("Brute-force login/auth-007:3"), QStringLiteral("Large transfer/pay-gw-001:1")};
    AlertQuery open;
    open.statuses = {engine::AlertStatus::New};
    open.sortKey = AlertSortKey::Rule;
    open.descending = false;
    QTest::newRow("status, by rule") << open
                                     << QStringList{QStringLiteral("Brute-force login/auth-007:2"), QStringLiteral("Disk nearly full/srv-010:2"),
                                                    QStringLiteral("Large transfer/pay-gw-001:2"), QStringLiteral("Large transfer/pay-gw-002:1"),
                                                    QStringLiteral("Large transfer/pay-gw-001:2")};
    AlertQuery text;
    text.text = QStringLiteral("transfer");
    text.fromMs = kT0 + 5 * 60'000;
    text.sortKey = AlertSortKey::Time;
    text.descending = false;
    QTest::newRow("text and time, oldest first")
        << text << QStringList{QStringLiteral("Large transfer/pay-gw-001:2"), QStringLiteral("Large transfer/pay-gw-002:1"),
                               QStringLiteral("Large transfer/pay-gw-001:2")};
    // The groups' own columns, both ways (ties: first seen, in the same direction).
    const auto sorted = [](AlertSortKey key, bool descending) {
        AlertQuery q;
        q.sortKey = key;
        q.descending = descending;
        return q;
    };
    const QString bf = QStringLiteral("Brute-force login/auth-007:4"), lt1 = QStringLiteral("Large transfer/pay-gw-001:3"),
                  disk = QStringLiteral("Disk nearly full/srv-010:2"), lt1b = QStringLiteral("Large transfer/pay-gw-001:2"),
                  lt2 = QStringLiteral("Large transfer/pay-gw-002:1");
    QTest::newRow("by count, most first") << sorted(AlertSortKey::Count, true) << QStringList{bf, lt1, disk, lt1b, lt2};
    QTest::newRow("by count, fewest first") << sorted(AlertSortKey::Count, false) << QStringList{lt2, lt1b, disk, lt1, bf};
    QTest::newRow("by last seen, newest first") << sorted(AlertSortKey::LastSeen, true) << QStringList{disk, lt1b, bf, lt1, lt2};
    QTest::newRow("by last seen, oldest first") << sorted(AlertSortKey::LastSeen, false) << QStringList{lt2, lt1, bf, lt1b, disk};
    QTest::newRow("by first seen, oldest first") << sorted(AlertSortKey::Time, false) << QStringList{lt1, lt2, bf, lt1b, disk};
    // By the newest alert's status: numbered by SQL after the fold (FALSE_POSITIVE < NEW).
    QTest::newRow("by status") << sorted(AlertSortKey::Status, false) << QStringList{bf, lt1, lt2, lt1b, disk};
    AlertQuery bySeverity;
    bySeverity.sortKey = AlertSortKey::Severity;
    QTest::newRow("by highest severity")
        << bySeverity
        << QStringList{QStringLiteral("Disk nearly full/srv-010:2"), QStringLiteral("Brute-force login/auth-007:4"),
                       QStringLiteral("Large transfer/pay-gw-001:2"), QStringLiteral("Large transfer/pay-gw-001:3"),
                       QStringLiteral("Large transfer/pay-gw-002:1")};
}

void TestAlertGroupModel::storeComposesWithFiltersAndSorts()
{
    QFETCH(AlertQuery, query);
    QFETCH(QStringList, groups);
    QString error;
    qint64 count = 0;
    QVERIFY2(m_store->buildAlertGroups(query, kHour, &count, &error), qPrintable(error));
    QList<AlertGroupRow> rows;
    QVERIFY2(m_store->alertGroupRows(0, 200, &rows, &error), qPrintable(error));
    QStringList got;
    for (const AlertGroupRow &g : rows)
        got << QStringLiteral("%1/%2:%3").arg(g.ruleName, g.sourceId).arg(g.count);
    QCOMPARE(got, groups);
    QCOMPARE(count, qint64(groups.size()));
}

void TestAlertGroupModel::membersQueryCoversTheGroup()
{
    QString error;
    AlertQuery q;
    q.statuses = {engine::AlertStatus::New};
    const AlertGroupKey key{QStringLiteral("Large transfer"), QStringLiteral("pay-gw-001"), kT0 / kHour};
    QList<qint64> ids;
    QVERIFY(m_store->alertIds(groupMembersQuery(q, key, kHour), &ids, &error));
    QCOMPARE(ids, (QList<qint64>{4, 1})); // id 2 is resolved; 9 and 10 are the next hour
}

void TestAlertGroupModel::connectLoader(AlertGroupModel &model)
{
    AlertLoader *loader = m_loader.get();
    connect(&model, &AlertGroupModel::queryRequested, loader, [loader](quint64 generation) { loader->noteGroupGeneration(generation); },
            Qt::DirectConnection);
    connect(&model, &AlertGroupModel::queryRequested, loader, &AlertLoader::runGroupQuery);
    connect(&model, &AlertGroupModel::pageRequested, loader, &AlertLoader::fetchGroupPage);
    connect(&model, &AlertGroupModel::membersRequested, loader, &AlertLoader::fetchGroupMembers);
    connect(loader, &AlertLoader::groupQueryFinished, &model, &AlertGroupModel::queryFinished);
    connect(loader, &AlertLoader::groupPageFinished, &model, &AlertGroupModel::pageFinished);
    connect(loader, &AlertLoader::groupMembersFinished, &model, &AlertGroupModel::membersFinished);
    connect(loader, &AlertLoader::groupCountFinished, &model, &AlertGroupModel::countFinished);
}

void TestAlertGroupModel::loadModel(AlertGroupModel &model, const AlertQuery &query)
{
    QSignalSpy loaded(&model, &AlertGroupModel::loaded);
    model.setQuery(query, false);
    QTRY_COMPARE(loaded.count(), 1);
}

void TestAlertGroupModel::expandAll(AlertGroupModel &model)
{
    // Every group's children loaded, whoever asked for them: a QAbstractItemModelTester on
    // the model fetches them too, and a load still under way when a test then writes alerts
    // would read those alerts as well (the database answers later than the test goes on).
    for (int r = 0; r < model.rowCount(); ++r) {
        const QModelIndex group = model.index(r, 0);
        if (model.canFetchMore(group))
            model.fetchMore(group);
        const qint64 children = std::min<qint64>(model.data(group, AlertGroupModel::CountRole).toLongLong(),
                                                 AlertGroupModel::kMaxChildren);
        QTRY_COMPARE(qint64(model.rowCount(group)), children);
    }
}

void TestAlertGroupModel::modelLoadsAndExpands()
{
    AlertGroupModel model;
    model.setFlushInterval(0);
    connectLoader(model);
    // (The tester is attached below: it would fetch every group's children itself.)
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    loadModel(model);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.snapshotCount(), 5);
    QCOMPARE(model.query().maxId, 12);
    // Brute-force login: row 2, four alerts, Critical on top, the newest alert's status.
    QCOMPARE(model.index(2, AlertGroupModel::Rule).data().toString(), QStringLiteral("Brute-force login"));
    QCOMPARE(model.index(2, AlertGroupModel::Count).data(AlertGroupModel::CountRole).toLongLong(), 4);
    QCOMPARE(model.index(2, AlertGroupModel::Severity).data().toString(), QStringLiteral("Critical"));
    QCOMPARE(model.index(2, AlertGroupModel::Status).data().toString(), QStringLiteral("False positive"));
    QCOMPARE(model.index(2, AlertGroupModel::Message).data().toString(), QStringLiteral("Brute-force login #8"));
    QVERIFY(model.hasChildren(model.index(2, 0)));
    QCOMPARE(model.rowCount(model.index(2, 0)), 0);
    QVERIFY(model.canFetchMore(model.index(2, 0)));

    inserted.clear();
    model.fetchMore(model.index(2, 0));
    QTRY_COMPARE(model.rowCount(model.index(2, 0)), 4);
    QCOMPARE(inserted.count(), 1); // the children in one insert
    QVERIFY(!model.canFetchMore(model.index(2, 0)));
    const QModelIndex child = model.index(0, AlertGroupModel::Message, model.index(2, 0));
    QCOMPARE(child.parent(), model.index(2, 0));
    QCOMPARE(child.data().toString(), QStringLiteral("Brute-force login #8")); // newest first
    QCOMPARE(model.index(3, 0, model.index(2, 0)).data(AlertGroupModel::AlertIdRole).toLongLong(), 5);
    QCOMPARE(model.index(3, AlertGroupModel::Count, model.index(2, 0)).data().toString(), QString());
    QCOMPARE(model.data(child, AlertGroupModel::IsGroupRole).toBool(), false);
    QCOMPARE(model.alertAt(child)->id, 8);
    QCOMPARE(model.rowCount(child), 0);

    // The tester walks the whole tree (fetching the other groups' children) and checks it.
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(model.rowCount(model.index(4, 0)), 3);
    QCOMPARE(model.rowCount(model.index(2, 0)), 4);
}

void TestAlertGroupModel::liveBatchEqualsFreshQuery()
{
    AlertGroupModel live;
    live.setFlushInterval(0);
    connectLoader(live);
    QAbstractItemModelTester tester(&live, QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadModel(live);
    expandAll(live);

    // Ids 13..18: two into loaded groups (Disk, hour 1; Large transfer / 001, hour 1), two that
    // start groups (in the same hour), one more into a started group, and one late arrival in
    // hour 0's Brute-force group, which is loaded too.
    const QList<Spec> more = {
        {"Disk nearly full", "srv-010", 90, engine::Severity::Low, engine::AlertStatus::New},
        {"Large transfer", "pay-gw-001", 95, engine::Severity::Critical, engine::AlertStatus::New},
        {"Card velocity", "pay-gw-003", 100, engine::Severity::Medium, engine::AlertStatus::New},
        {"Brute-force login", "auth-009", 101, engine::Severity::High, engine::AlertStatus::New},
        {"Card velocity", "pay-gw-003", 110, engine::Severity::High, engine::AlertStatus::New},
        {"Brute-force login", "auth-007", 59, engine::Severity::Medium, engine::AlertStatus::New},
    };
    QString error;
    QVERIFY2(insert(*m_store, more, 13, &error), qPrintable(error));
    QList<AlertRecord> records;
    for (qint64 id = 13; id <= 18; ++id) {
        AlertRecord r;
        QVERIFY2(m_store->alert(id, &r, &error), qPrintable(error));
        records.append(r);
    }

    QSignalSpy inserted(&live, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&live, &QAbstractItemModel::dataChanged);
    QSignalSpy reset(&live, &QAbstractItemModel::modelReset);
    live.addAlerts(records.mid(0, 3));
    live.addAlerts(records.mid(3));
    QCOMPARE(inserted.count(), 0); // nothing before the flush
    live.flush();
    QCOMPARE(reset.count(), 0);
    QCOMPARE(live.liveAlertsWaiting(), 0);
    QCOMPARE(live.rowCount(), 7);
    QCOMPARE(live.liveGroupCount(), 2);
    // One insert for the new groups, one per expanded group that grew (Disk, Large transfer,
    // Brute-force); three rows changed.
    int topLevel = 0;
    for (const QList<QVariant> &args : std::as_const(inserted))
        topLevel += args.at(0).value<QModelIndex>().isValid() ? 0 : 1;
    QCOMPARE(topLevel, 1);
    QCOMPARE(inserted.count(), 4);
    QCOMPARE(changed.count(), 3);
    QCOMPARE(live.index(0, AlertGroupModel::Rule).data().toString(), QStringLiteral("Brute-force login"));
    QCOMPARE(live.index(1, AlertGroupModel::Count).data(AlertGroupModel::CountRole).toLongLong(), 2);

    expandAll(live); // the two new groups too, as the fresh model below

    AlertGroupModel fresh;
    fresh.setFlushInterval(0);
    connectLoader(fresh);
    loadModel(fresh);
    expandAll(fresh);
    QCOMPARE(dump(live), dump(fresh));
}

void TestAlertGroupModel::liveInOtherOrderWaits()
{
    AlertGroupModel model;
    model.setFlushInterval(0);
    connectLoader(model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    AlertQuery byRule;
    byRule.sortKey = AlertSortKey::Rule;
    loadModel(model, byRule);
    QString error;
    QVERIFY(insert(*m_store, {{"Disk nearly full", "srv-010", 90, engine::Severity::Low, engine::AlertStatus::New}}, 13, &error));
    AlertRecord r;
    QVERIFY(m_store->alert(13, &r, &error));
    QSignalSpy waiting(&model, &AlertGroupModel::liveAlertsWaitingChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addAlerts({r});
    model.flush();
    QCOMPARE(waiting.count(), 1);
    QCOMPARE(model.liveAlertsWaiting(), 1);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(model.rowCount(), 5);
    // A refresh shows it and clears the count.
    QSignalSpy loaded(&model, &AlertGroupModel::loaded);
    model.refresh();
    QTRY_COMPARE(loaded.count(), 1);
    QCOMPARE(model.liveAlertsWaiting(), 0);
    QCOMPARE(model.rowCount(), 5);
}

void TestAlertGroupModel::firstPageBeforeTheCount_data()
{
    QTest::addColumn<bool>("newestFirst");
    QTest::newRow("newest first: the newest windows first, then the count") << true;
    QTest::newRow("oldest first: the whole fold, then the first page") << false;
}

void TestAlertGroupModel::firstPageBeforeTheCount()
{
    QFETCH(bool, newestFirst);
    // 450 more alerts, one source each, one a minute from hour 2 on (hours 2..9): 450 groups
    // of one, 455 in all — more than two pages.
    QString error;
    QVERIFY2(insertPortScans(*m_store, &error), qPrintable(error));

    AlertGroupModel model;
    model.setFlushInterval(0);
    connectLoader(model);
    QSignalSpy loaded(&model, &AlertGroupModel::loaded);
    QSignalSpy counted(&model, &AlertGroupModel::counted);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    AlertQuery q;
    q.descending = newestFirst;
    model.setQuery(q, false);
    QTRY_COMPARE(counted.count(), 1);
    QCOMPARE(loaded.count(), 1);
    QCOMPARE(model.rowCount(), 455);
    QCOMPARE(inserted.count(), newestFirst ? 1 : 0); // the counted rest, in one insert
    QVERIFY(!model.isCounting());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Every page (read from the folded table) continues the first in the same order.
    for (int r = 0; r < model.rowCount(); ++r)
        QTRY_VERIFY(model.groupAt(r));
    qint64 previous = newestFirst ? std::numeric_limits<qint64>::max() : 0;
    for (int r = 0; r < model.rowCount(); ++r) {
        const qint64 first = model.groupAt(r)->firstSeenMs;
        QVERIFY2(newestFirst ? first <= previous : first >= previous, qPrintable(QString::number(r)));
        previous = first;
    }
    QCOMPARE(model.groupAt(newestFirst ? 0 : 454)->sourceId, QStringLiteral("src-449"));
    QCOMPARE(model.groupAt(newestFirst ? 454 : 0)->sourceId, QStringLiteral("pay-gw-001"));
}

void TestAlertGroupModel::storeFoldIsCancellable()
{
    // 20,000 more alerts: the fold asks every 4,096 rows (and SQLite every few thousand steps).
    QList<Spec> more;
    for (int i = 0; i < 20'000; ++i)
        more.append({"Port scan", "scanner-1", 200 + i % 600, engine::Severity::Low, engine::AlertStatus::New});
    QString error;
    QVERIFY2(insert(*m_store, more, 13, &error), qPrintable(error));

    qint64 groups = -1;
    int asked = 0;
    QVERIFY(!m_store->buildAlertGroups({}, kHour, &groups, &error, [&] { return ++asked > 1; }));
    QVERIFY2(error.isEmpty(), qPrintable(error)); // stopped, not failed
    QVERIFY(asked >= 2);
    QCOMPARE(groups, -1);
    QList<AlertGroupRow> rows;
    QVERIFY(m_store->alertGroupRows(0, 200, &rows, &error));
    QVERIFY(rows.isEmpty()); // nothing half-folded is left

    // In every order, the numbering pass (a sort joined to the newest alerts) included.
    // PostgreSQL folds in one statement, and asks before and after it.
    const int asks = PostgresTestDatabases::isPostgres() ? 1 : 3;
    for (AlertSortKey key : {AlertSortKey::Count, AlertSortKey::Status}) {
        AlertQuery q;
        q.sortKey = key;
        asked = 0;
        QVERIFY(!m_store->buildAlertGroups(q, kHour, &groups, &error, [&] { return ++asked > asks; }));
        QVERIFY(m_store->alertGroupRows(0, 200, &rows, &error));
        QVERIFY(rows.isEmpty());
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    // The connection is fine afterwards (no transaction left open): 5 groups + hours 3..13.
    QVERIFY2(m_store->buildAlertGroups({}, kHour, &groups, &error, [] { return false; }), qPrintable(error));
    QCOMPARE(groups, 16);
    QVERIFY(m_store->alertGroupRows(0, 200, &rows, &error));
    QCOMPARE(rows.size(), 16);
    QCOMPARE(rows.first().ruleName, QStringLiteral("Port scan"));
    QCOMPARE(rows.first().count, 20 * 33); // minutes 780..799, 33 alerts each
}

void TestAlertGroupModel::storeFoldLeavesSilencedOut()
{
    // Alert 6 (the Critical Brute-force one) silenced: the group has three alerts, High on top.
    engine::Silence silence;
    silence.ruleName = QStringLiteral("Brute-force login");
    silence.comment = QStringLiteral("maintenance");
    silence.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + kHour;
    QString error;
    QVERIFY2(m_store->createSilence(&silence, Actor::system(), &error), qPrintable(error));
    QSqlQuery q(QSqlDatabase::database(QStringLiteral("group-test")));
    QVERIFY(q.prepare(QStringLiteral("UPDATE alerts SET silence_id = ? WHERE id = 6")));
    q.bindValue(0, silence.id);
    QVERIFY(q.exec());

    AlertQuery query;
    query.sortKey = AlertSortKey::Count;
    qint64 groups = 0;
    QVERIFY2(m_store->buildAlertGroups(query, kHour, &groups, &error), qPrintable(error));
    QCOMPARE(groups, 5);
    QList<AlertGroupRow> rows;
    QVERIFY(m_store->alertGroupRows(0, 200, &rows, &error));
    QCOMPARE(rows.at(0).ruleName, QStringLiteral("Brute-force login"));
    QCOMPARE(rows.at(0).count, 3);
    QCOMPARE(int(rows.at(0).topSeverity), int(engine::Severity::High));
    // Shown when asked for.
    query.showSilenced = true;
    QVERIFY(m_store->buildAlertGroups(query, kHour, &groups, &error));
    QVERIFY(m_store->alertGroupRows(0, 200, &rows, &error));
    QCOMPARE(rows.at(0).count, 4);
    QCOMPARE(int(rows.at(0).topSeverity), int(engine::Severity::Critical));
}

void TestAlertGroupModel::sortsByCountAndLastSeen()
{
    AlertGroupModel model;
    model.setFlushInterval(0);
    connectLoader(model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadModel(model);
    QCOMPARE(AlertGroupModel::sortKeyOf(AlertGroupModel::Count), AlertSortKey::Count);
    QCOMPARE(AlertGroupModel::sortKeyOf(AlertGroupModel::LastSeen), AlertSortKey::LastSeen);
    QCOMPARE(AlertGroupModel::sortKeyOf(AlertGroupModel::Rule), AlertSortKey::Rule);
    QCOMPARE(AlertGroupModel::columnOf(AlertSortKey::Count), int(AlertGroupModel::Count));
    QCOMPARE(AlertGroupModel::columnOf(AlertSortKey::LastSeen), int(AlertGroupModel::LastSeen));
    QCOMPARE(AlertGroupModel::columnOf(AlertSortKey::Severity), int(AlertGroupModel::Severity));

    const auto column = [&](int c) {
        QStringList out;
        for (int r = 0; r < model.rowCount(); ++r)
            out << model.index(r, c).data().toString();
        return out;
    };
    struct Step
    {
        int column;
        Qt::SortOrder order;
        QStringList counts;   // the Count column, top to bottom
        QStringList sources;
    };
    const Step steps[] = {
        {AlertGroupModel::Count, Qt::DescendingOrder, {"4", "3", "2", "2", "1"},
         {"auth-007", "pay-gw-001", "srv-010", "pay-gw-001", "pay-gw-002"}},
        {AlertGroupModel::Count, Qt::AscendingOrder, {"1", "2", "2", "3", "4"},
         {"pay-gw-002", "pay-gw-001", "srv-010", "pay-gw-001", "auth-007"}},
        {AlertGroupModel::LastSeen, Qt::DescendingOrder, {"2", "2", "4", "3", "1"},
         {"srv-010", "pay-gw-001", "auth-007", "pay-gw-001", "pay-gw-002"}},
        {AlertGroupModel::LastSeen, Qt::AscendingOrder, {"1", "3", "4", "2", "2"},
         {"pay-gw-002", "pay-gw-001", "auth-007", "pay-gw-001", "srv-010"}},
        {AlertGroupModel::Time, Qt::AscendingOrder, {"3", "1", "4", "2", "2"},
         {"pay-gw-001", "pay-gw-002", "auth-007", "pay-gw-001", "srv-010"}},
    };
    for (const Step &step : steps) {
        QSignalSpy requested(&model, &AlertGroupModel::queryRequested);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy loaded(&model, &AlertGroupModel::loaded);
        QSignalSpy counted(&model, &AlertGroupModel::counted);
        model.sort(step.column, step.order);
        QCOMPARE(requested.count(), 1);
        QTRY_COMPARE(loaded.count(), 1);
        QCOMPARE(counted.count(), 1); // the whole fold answers at once in these orders
        QCOMPARE(reset.count(), 1);
        int topLevel = 0; // (the tester fetches every group's alerts: those are inserted)
        for (const QList<QVariant> &args : std::as_const(inserted))
            topLevel += args.at(0).value<QModelIndex>().isValid() ? 0 : 1;
        QCOMPARE(topLevel, 0);
        QCOMPARE(layout.count(), 0);
        QCOMPARE(model.query().sortKey, AlertGroupModel::sortKeyOf(step.column));
        QCOMPARE(model.query().descending, step.order == Qt::DescendingOrder);
        QCOMPARE(column(AlertGroupModel::Count), step.counts);
        QCOMPARE(column(AlertGroupModel::Source), step.sources);
        // The same order again asks nothing.
        model.sort(step.column, step.order);
        QCOMPARE(requested.count(), 1);
    }
    // Last seen as shown: the group's newest alert's time, in the column's order.
    model.sort(AlertGroupModel::LastSeen, Qt::DescendingOrder);
    QSignalSpy loaded(&model, &AlertGroupModel::loaded);
    QTRY_COMPARE(loaded.count(), 1);
    QStringList lastSeen = column(AlertGroupModel::LastSeen);
    QStringList expected = lastSeen;
    std::sort(expected.begin(), expected.end(), std::greater<>());
    QCOMPARE(lastSeen, expected);
}

void TestAlertGroupModel::expandedGroupsSurviveRefresh()
{
    AlertGroupModel model;
    model.setFlushInterval(0);
    connectLoader(model);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy restore(&model, &AlertGroupModel::expandRequested);
    loadModel(model);
    // Brute-force login / auth-007 (row 2) expanded, as a view would.
    const QModelIndex bf = model.index(2, 0);
    model.fetchMore(bf);
    QTRY_COMPARE(model.rowCount(bf), 4);
    model.setExpanded(bf, true);
    model.setExpanded(model.index(1, 0, bf), true); // not a group: ignored
    QCOMPARE(model.expandedGroupCount(), 1);

    // Two new alerts: one in that group (a late arrival), one starting a group on top.
    QString error;
    QVERIFY2(insert(*m_store,
                    {{"Brute-force login", "auth-007", 40, engine::Severity::Low, engine::AlertStatus::New},
                     {"Card velocity", "pay-gw-003", 130, engine::Severity::Medium, engine::AlertStatus::New}},
                    13, &error),
             qPrintable(error));
    QSignalSpy loaded(&model, &AlertGroupModel::loaded);
    model.refresh();
    QTRY_COMPARE(loaded.count(), 1);
    QCOMPARE(model.rowCount(), 6);
    // The group is row 3 now: asked to be expanded once, its alerts read anew (five now).
    QCOMPARE(restore.count(), 1);
    const QModelIndex again = restore.at(0).at(0).value<QModelIndex>();
    QCOMPARE(again, model.index(3, 0));
    QCOMPARE(again.siblingAtColumn(AlertGroupModel::Source).data().toString(), QStringLiteral("auth-007"));
    QTRY_COMPARE(model.rowCount(again), 5);
    QVERIFY(!model.canFetchMore(again));

    // Another sort and another filter keep it too; collapsing forgets it.
    restore.clear();
    model.sort(AlertGroupModel::Count, Qt::DescendingOrder);
    QTRY_COMPARE(loaded.count(), 2);
    QCOMPARE(restore.count(), 1);
    QCOMPARE(restore.at(0).at(0).value<QModelIndex>(), model.index(0, 0));
    QTRY_COMPARE(model.rowCount(model.index(0, 0)), 5);
    AlertQuery open = model.query();
    open.statuses = {engine::AlertStatus::New};
    model.setQuery(open);
    QTRY_COMPARE(loaded.count(), 3);
    QCOMPARE(restore.count(), 2);
    QTRY_COMPARE(model.rowCount(model.index(0, 0)), 3); // ids 5, 7 and 13 are new
    model.setExpanded(model.index(0, 0), false);
    QCOMPARE(model.expandedGroupCount(), 0);
    model.refresh();
    QTRY_COMPARE(loaded.count(), 4);
    QCOMPARE(restore.count(), 2);

    // A new window: other groups, nothing remembered.
    model.setExpanded(model.index(0, 0), true);
    QCOMPARE(model.expandedGroupCount(), 1);
    model.setWindow(24 * kHour);
    QCOMPARE(model.expandedGroupCount(), 0);
    QTRY_COMPARE(loaded.count(), 5);
    QCOMPARE(restore.count(), 2);
}

void TestAlertGroupModel::expandedGroupsFollowTheirRow()
{
    // An expanded group beyond the first page: restored when its page is read.
    QString error;
    QVERIFY2(insertPortScans(*m_store, &error), qPrintable(error));

    AlertGroupModel model;
    model.setFlushInterval(0);
    connectLoader(model);
    QSignalSpy counted(&model, &AlertGroupModel::counted);
    model.setQuery({}, false);
    QTRY_COMPARE(counted.count(), 1);
    QCOMPARE(model.rowCount(), 455);
    // Row 452: Brute-force login (newest first: 450 port scans, Disk, Large transfer, ...).
    QTRY_VERIFY(model.groupAt(452));
    QCOMPARE(model.groupAt(452)->sourceId, QStringLiteral("auth-007"));
    model.fetchMore(model.index(452, 0));
    QTRY_COMPARE(model.rowCount(model.index(452, 0)), 4);
    model.setExpanded(model.index(452, 0), true);

    QSignalSpy restore(&model, &AlertGroupModel::expandRequested);
    QSignalSpy pages(&model, &AlertGroupModel::pageRequested);
    counted.clear();
    model.refresh();
    QTRY_COMPARE(counted.count(), 1);
    QCOMPARE(restore.count(), 0); // its page is not read yet
    QVERIFY(!model.groupAt(452));
    QTRY_VERIFY(model.groupAt(452));
    QCOMPARE(restore.count(), 1);
    QCOMPARE(restore.at(0).at(0).value<QModelIndex>(), model.index(452, 0));
    QTRY_COMPARE(model.rowCount(model.index(452, 0)), 4);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
}

QTEST_GUILESS_MAIN(TestAlertGroupModel)
#include "tst_alert_group_model.moc"
