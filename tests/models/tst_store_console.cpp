// The store's console queries on a real SQLite file and, with VIGIL_TEST_POSTGRES_URL, on
// PostgreSQL (an empty schema per test case): filters, sorts, paging, snapshots, bulk triage with
// conflicts, assignment, comments and the alert's history.

#include "models/store/schema.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace vigil;
using namespace vigil::models;
using vigil::test::PostgresTestDatabases;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;

struct Spec
{
    const char *rule;
    engine::Severity severity;
    engine::EventType type;
    engine::AlertStatus status;
    const char *source;
    const char *message;
};

// Alert ids 1..8, created one minute apart in this order.
const Spec kAlerts[] = {
    {"Large transfer", engine::Severity::High, engine::EventType::Transaction, engine::AlertStatus::New, "pay-gw-001", "Transfer of 9000 EUR"},
    {"Brute-force login", engine::Severity::High, engine::EventType::Security, engine::AlertStatus::Acknowledged, "auth-007", "41 failed logins for root"},
    {"Disk nearly full", engine::Severity::Critical, engine::EventType::System, engine::AlertStatus::Resolved, "srv-010", "Disk 97% used"},
    {"Stock below reorder point", engine::Severity::Low, engine::EventType::Inventory, engine::AlertStatus::New, "wh-002", "SKU-1234 stock at 3"},
    {"Large transfer", engine::Severity::High, engine::EventType::Transaction, engine::AlertStatus::FalsePositive, "pay-gw-002", "Transfer of 12000 EUR"},
    {"Card velocity", engine::Severity::Medium, engine::EventType::Transaction, engine::AlertStatus::New, "pay-gw-001", "12 cards in 5 minutes"},
    {"Unencrypted PII export", engine::Severity::Critical, engine::EventType::Compliance, engine::AlertStatus::New, "scan-001", "PII export 100% unencrypted"},
    {"Brute-force login", engine::Severity::High, engine::EventType::Security, engine::AlertStatus::New, "auth-007", "9 failed logins for jdoe"},
};

QList<qint64> ids(std::initializer_list<qint64> list) { return QList<qint64>(list); }

} // namespace

class TestStoreConsole : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void initTestCase();
    void init();
    void cleanup();
    void migratesToLatestVersion();
    void query_data();
    void query();
    void pagesAndSnapshot();
    void bulkActions_data();
    void bulkActions();
    void assignAndComment();
    void refusesManagers();
    void relatedAlerts_data();
    void relatedAlerts();
    void relatedAlertsNewestFirst();
    void silencedAlertsSaySoEverywhere();
    void ruleAlertsHaveNoAnomaly();

private:
    QTemporaryDir m_dir;
    PostgresTestDatabases m_postgres;
    std::unique_ptr<Store> m_store;
    qint64 m_alice = 0;
    int m_run = 0;
};

void TestStoreConsole::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestStoreConsole::init()
{
    VIGIL_SKIP_UNAVAILABLE_BACKEND();
    DatabaseUrl url;
    QString error;
    if (PostgresTestDatabases::isPostgres())
        QVERIFY2(m_postgres.create(&url, &error), qPrintable(error));
    else
        QVERIFY(DatabaseUrl::parse(m_dir.filePath(QStringLiteral("console-%1.db").arg(++m_run)), &url, &error));
    m_store = Store::open(url, QStringLiteral("console-test"), &error);
    QVERIFY2(m_store, qPrintable(error));
    m_alice = m_store->userId(Actor{QStringLiteral("alice"), Role::Analyst}, &error);
    QVERIFY(m_alice > 0);
    GeneratedChunk chunk;
    int i = 0;
    for (const Spec &s : kAlerts) {
        GeneratedEvent e;
        e.eventId = QStringLiteral("e%1").arg(i);
        e.timeMs = kT0 + i * 60'000;
        e.type = s.type;
        e.sourceType = QStringLiteral("test");
        e.sourceId = QString::fromLatin1(s.source);
        e.fieldsJson = i == 5 ? QByteArray("{\"card\":\"needle-4242\"}") : QByteArray("{\"n\":1}");
        chunk.events.append(e);
        GeneratedAlert a;
        a.eventIndex = i;
        a.ruleName = QString::fromLatin1(s.rule);
        a.type = s.type;
        a.severity = s.severity;
        a.status = s.status;
        a.message = QString::fromLatin1(s.message);
        a.sourceType = e.sourceType;
        a.sourceId = e.sourceId;
        a.createdAtMs = e.timeMs;
        a.detailsJson = "{}";
        if (s.status != engine::AlertStatus::New) {
            a.acknowledgedBy = m_alice;
            a.acknowledgedAtMs = a.createdAtMs + 1000;
            a.assignedTo = m_alice;
            a.responses.append({QStringLiteral("ACKNOWLEDGE"), m_alice, a.acknowledgedAtMs, QString()});
        }
        chunk.alerts.append(a);
        ++i;
    }
    QVERIFY2(m_store->insertGenerated(chunk, &error), qPrintable(error));
}

void TestStoreConsole::cleanup()
{
    m_store.reset();
    m_postgres.dropAll();
}

void TestStoreConsole::migratesToLatestVersion()
{
    QCOMPARE(m_store->schemaVersion(), schema::latestVersion());
    // The open alerts' index holds only them (2 of the 8 alerts are closed).
    const QSqlDatabase db = QSqlDatabase::database(QStringLiteral("console-test"), false);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM alerts %1 WHERE status IN ('NEW', 'ACKNOWLEDGED')")
                       .arg(PostgresTestDatabases::isPostgres() ? QString() : QStringLiteral("INDEXED BY alerts_open_created")))
            && q.next());
    QCOMPARE(q.value(0).toInt(), 6);
}

void TestStoreConsole::query_data()
{
    QTest::addColumn<AlertQuery>("query");
    QTest::addColumn<QList<qint64>>("expected");

    QTest::newRow("everything, newest first") << AlertQuery{} << ids({8, 7, 6, 5, 4, 3, 2, 1});
    AlertQuery q;
    q.descending = false;
    QTest::newRow("oldest first") << q << ids({1, 2, 3, 4, 5, 6, 7, 8});
    q = {};
    q.sortKey = AlertSortKey::Severity;
    QTest::newRow("severity rank, not alphabet") << q << ids({7, 3, 8, 5, 2, 1, 6, 4});
    q.descending = false;
    QTest::newRow("severity ascending") << q << ids({4, 6, 1, 2, 5, 8, 3, 7});
    q = {};
    q.sortKey = AlertSortKey::Rule;
    q.descending = false;
    QTest::newRow("rule ascending, then time") << q << ids({2, 8, 6, 3, 1, 5, 4, 7});
    q = {};
    q.severities = {engine::Severity::Critical, engine::Severity::Low};
    QTest::newRow("severity filter") << q << ids({7, 4, 3});
    q = {};
    q.statuses = {engine::AlertStatus::New, engine::AlertStatus::Acknowledged};
    QTest::newRow("open alerts") << q << ids({8, 7, 6, 4, 2, 1});
    q = {};
    q.types = {engine::EventType::Security};
    QTest::newRow("type") << q << ids({8, 2});
    q = {};
    q.rules = {QStringLiteral("Large transfer")};
    QTest::newRow("rule") << q << ids({5, 1});
    q = {};
    q.source = QStringLiteral("pay-gw-001");
    QTest::newRow("source") << q << ids({6, 1});
    q = {};
    q.assignee = QStringLiteral("alice");
    QTest::newRow("assigned to alice") << q << ids({5, 3, 2});
    q.assignee = QStringLiteral("-");
    QTest::newRow("unassigned") << q << ids({8, 7, 6, 4, 1});
    q = {};
    q.fromMs = kT0 + 2 * 60'000;
    q.toMs = kT0 + 5 * 60'000;
    QTest::newRow("time range, end excluded") << q << ids({5, 4, 3});
    q = {};
    q.text = QStringLiteral("FAILED LOGINS");
    QTest::newRow("text in the message, any case") << q << ids({8, 2});
    q.text = QStringLiteral("needle-4242");
    QTest::newRow("text in the event's fields") << q << ids({6});
    q.text = QStringLiteral("100%");
    QTest::newRow("LIKE wildcards are literal") << q << ids({7});
    q = {};
    q.types = {engine::EventType::Transaction};
    q.statuses = {engine::AlertStatus::New};
    q.sortKey = AlertSortKey::Message;
    q.descending = false;
    QTest::newRow("combined filters") << q << ids({6, 1});
    q = {};
    q.maxId = 5;
    QTest::newRow("snapshot bound") << q << ids({5, 4, 3, 2, 1});
    // Open statuses with other columns: answered from the index of open alerts.
    q = {};
    q.severities = {engine::Severity::Critical};
    q.statuses = {engine::AlertStatus::New};
    q.types = {engine::EventType::Security};
    QTest::newRow("CRITICAL + NEW + SECURITY, none") << q << ids({});
    q.types = {engine::EventType::Compliance};
    QTest::newRow("CRITICAL + NEW + COMPLIANCE") << q << ids({7});
    q = {};
    q.statuses = {engine::AlertStatus::Acknowledged};
    q.types = {engine::EventType::Security};
    QTest::newRow("ACKNOWLEDGED + SECURITY") << q << ids({2});
    q = {};
    q.statuses = {engine::AlertStatus::New, engine::AlertStatus::Acknowledged};
    q.source = QStringLiteral("auth-007");
    q.rules = {QStringLiteral("Brute-force login")};
    QTest::newRow("open + source + rule") << q << ids({8, 2});
    q.assignee = QStringLiteral("alice");
    QTest::newRow("open + source + rule + assignee") << q << ids({2});
    q = {};
    q.statuses = {engine::AlertStatus::New, engine::AlertStatus::Resolved};
    q.severities = {engine::Severity::Critical};
    QTest::newRow("NEW or RESOLVED + CRITICAL (not only open)") << q << ids({7, 3});
    q = {};
    q.statuses = {engine::AlertStatus::New};
    q.sortKey = AlertSortKey::Severity;
    QTest::newRow("NEW by severity") << q << ids({7, 8, 1, 6, 4});
}

void TestStoreConsole::query()
{
    QFETCH(AlertQuery, query);
    QFETCH(QList<qint64>, expected);
    QString error;
    qint64 count = -1;
    QVERIFY2(m_store->countAlerts(query, &count, &error), qPrintable(error));
    QCOMPARE(count, expected.size());
    QList<AlertRow> rows;
    QVERIFY2(m_store->alertRows(query, 0, 100, &rows, &error), qPrintable(error));
    QList<qint64> got;
    for (const AlertRow &r : rows)
        got.append(r.id);
    QCOMPARE(got, expected);
    QList<qint64> all;
    QVERIFY2(m_store->alertIds(query, &all, &error), qPrintable(error));
    QCOMPARE(all, expected);
}

void TestStoreConsole::pagesAndSnapshot()
{
    QString error;
    AlertQuery q;
    QVERIFY(m_store->maxAlertId(&q.maxId, &error));
    QCOMPARE(q.maxId, 8);
    QList<AlertRow> page;
    QVERIFY(m_store->alertRows(q, 3, 2, &page, &error));
    QCOMPARE(page.size(), 2);
    QCOMPARE(page.at(0).id, 5);
    QCOMPARE(page.at(1).id, 4);
    QCOMPARE(page.at(0).assignee, QStringLiteral("alice"));
    QCOMPARE(page.at(0).acknowledgedBy, QStringLiteral("alice"));
    QVERIFY(page.at(0).status == engine::AlertStatus::FalsePositive);
    AlertRow one;
    QVERIFY(m_store->alertRow(7, &one, &error));
    QCOMPARE(one.ruleName, QStringLiteral("Unencrypted PII export"));
    QVERIFY(!m_store->alertRow(99, &one, &error));
    QVERIFY(error.contains(QStringLiteral("99")));
}

void TestStoreConsole::bulkActions_data()
{
    QTest::addColumn<int>("action");
    QTest::addColumn<QList<qint64>>("alerts");
    QTest::addColumn<int>("done");
    QTest::addColumn<int>("conflicts");
    QTest::addColumn<int>("missing");
    QTest::addColumn<QString>("status"); // of the first alert afterwards

    QTest::newRow("acknowledge new ones") << int(AlertAction::Acknowledge) << ids({1, 4, 6}) << 3 << 0 << 0 << QStringLiteral("ACKNOWLEDGED");
    QTest::newRow("acknowledge: one taken already") << int(AlertAction::Acknowledge) << ids({1, 2}) << 1 << 1 << 0 << QStringLiteral("ACKNOWLEDGED");
    QTest::newRow("resolve open and closed") << int(AlertAction::Resolve) << ids({2, 3, 8}) << 2 << 1 << 0 << QStringLiteral("RESOLVED");
    QTest::newRow("false positive, one missing") << int(AlertAction::MarkFalsePositive) << ids({7, 42}) << 1 << 0 << 1 << QStringLiteral("FALSE_POSITIVE");
    QTest::newRow("reopen closed") << int(AlertAction::Reopen) << ids({3, 5, 1}) << 2 << 1 << 0 << QStringLiteral("NEW");
}

void TestStoreConsole::bulkActions()
{
    QFETCH(int, action);
    QFETCH(QList<qint64>, alerts);
    QFETCH(int, done);
    QFETCH(int, conflicts);
    QFETCH(int, missing);
    QFETCH(QString, status);
    const Actor bob{QStringLiteral("bob"), Role::Analyst};
    const BulkActionResult r = m_store->applyAlertActions(alerts, AlertAction(action), bob, QStringLiteral("bulk note"));
    QVERIFY2(r.message.isEmpty(), qPrintable(r.message));
    QCOMPARE(r.done, done);
    QCOMPARE(r.conflicts, conflicts);
    QCOMPARE(r.missing, missing);
    QCOMPARE(r.changedIds.size(), done);
    QString error;
    AlertRecord first;
    QVERIFY(m_store->alert(alerts.first(), &first, &error));
    QCOMPARE(engine::toString(first.status), status);
    // Every attempt on an existing alert is an AlertResponse, successful or not.
    QList<AlertHistoryEntry> history;
    QVERIFY(m_store->alertHistory(alerts.first(), &history, &error));
    QVERIFY(!history.isEmpty());
    QCOMPARE(history.constLast().user, QStringLiteral("bob"));
    QCOMPARE(history.constLast().action, toString(AlertAction(action)));
    QCOMPARE(history.constLast().success, r.changedIds.contains(alerts.first()));
    // The index of open alerts follows the change: the open filter still agrees with every
    // alert's status, alone and with another column.
    for (const bool withType : {false, true}) {
        AlertQuery open;
        open.statuses = {engine::AlertStatus::New, engine::AlertStatus::Acknowledged};
        if (withType)
            open.types = {engine::EventType::Transaction};
        QList<qint64> found;
        QVERIFY2(m_store->alertIds(open, &found, &error), qPrintable(error));
        QList<qint64> expected;
        for (qint64 id = 8; id >= 1; --id) {
            AlertRecord a;
            QVERIFY(m_store->alert(id, &a, &error));
            if ((a.status == engine::AlertStatus::New || a.status == engine::AlertStatus::Acknowledged)
                && (!withType || a.type == engine::EventType::Transaction))
                expected.append(id);
        }
        QCOMPARE(found, expected);
        qint64 count = -1;
        QVERIFY2(m_store->countAlerts(open, &count, &error), qPrintable(error));
        QCOMPARE(count, expected.size());
    }
}

void TestStoreConsole::assignAndComment()
{
    QString error;
    const Actor carol{QStringLiteral("carol"), Role::Analyst};
    BulkActionResult r = m_store->assignAlerts(ids({1, 6}), QStringLiteral("alice"), carol);
    QVERIFY2(r.message.isEmpty(), qPrintable(r.message));
    QCOMPARE(r.done, 2);
    AlertQuery q;
    q.assignee = QStringLiteral("alice");
    qint64 count = 0;
    QVERIFY(m_store->countAlerts(q, &count, &error));
    QCOMPARE(count, 5);
    r = m_store->assignAlerts(ids({1}), QStringLiteral("nobody"), carol);
    QVERIFY(r.message.contains(QStringLiteral("nobody")));
    QCOMPARE(r.done, 0);
    r = m_store->assignAlerts(ids({1}), QString(), carol); // unassign
    QCOMPARE(r.done, 1);

    QVERIFY2(m_store->addAlertComment(1, QStringLiteral("Customer called back."), carol, &error), qPrintable(error));
    QVERIFY(!m_store->addAlertComment(1, QStringLiteral("   "), carol, &error));
    QVERIFY(!m_store->addAlertComment(77, QStringLiteral("lost"), carol, &error));
    QVERIFY(error.contains(QStringLiteral("77")));

    QList<AlertHistoryEntry> history;
    QVERIFY(m_store->alertHistory(1, &history, &error));
    QCOMPARE(history.size(), 3);
    QCOMPARE(history.at(0).action, QStringLiteral("ASSIGN"));
    QCOMPARE(history.at(0).text, QStringLiteral("alice"));
    QCOMPARE(history.at(1).action, QStringLiteral("ASSIGN"));
    QCOMPARE(history.at(1).text, QString());
    QCOMPARE(history.at(2).action, QStringLiteral("COMMENT"));
    QCOMPARE(history.at(2).user, QStringLiteral("carol"));

    QStringList users;
    QVERIFY(m_store->triageUsers(&users, &error));
    QCOMPARE(users, (QStringList{QStringLiteral("alice"), QStringLiteral("carol")}));
}

void TestStoreConsole::refusesManagers()
{
    const Actor manager{QStringLiteral("mona"), Role::Manager};
    QString error;
    const BulkActionResult r = m_store->applyAlertActions(ids({1}), AlertAction::Acknowledge, manager, {});
    QCOMPARE(r.done, 0);
    QVERIFY(r.message.contains(QStringLiteral("analyst")));
    QVERIFY(m_store->assignAlerts(ids({1}), QStringLiteral("alice"), manager).message.contains(QStringLiteral("analyst")));
    QVERIFY(!m_store->addAlertComment(1, QStringLiteral("hi"), manager, &error));
    AlertRecord a;
    QVERIFY(m_store->alert(1, &a, &error));
    QVERIFY(a.status == engine::AlertStatus::New);
}

void TestStoreConsole::relatedAlerts_data()
{
    QTest::addColumn<qint64>("alert");
    QTest::addColumn<int>("limit");
    QTest::addColumn<QList<qint64>>("expected");
    // Sources: 1 and 6 pay-gw-001; 2 and 8 auth-007; the others one alert each.
    QTest::newRow("the other from pay-gw-001") << qint64(1) << 20 << ids({6});
    QTest::newRow("itself left out") << qint64(6) << 20 << ids({1});
    QTest::newRow("auth-007") << qint64(2) << 20 << ids({8});
    QTest::newRow("alone") << qint64(3) << 20 << ids({});
    QTest::newRow("no such alert") << qint64(999) << 20 << ids({});
    QTest::newRow("limit 0") << qint64(8) << 0 << ids({});
}

void TestStoreConsole::relatedAlerts()
{
    QFETCH(qint64, alert);
    QFETCH(int, limit);
    QFETCH(QList<qint64>, expected);
    QString error;
    QList<AlertRow> rows;
    QVERIFY2(m_store->relatedAlerts(alert, limit, &rows, &error), qPrintable(error));
    QList<qint64> got;
    for (const AlertRow &r : rows)
        got.append(r.id);
    QCOMPARE(got, expected);
    if (!rows.isEmpty()) {
        QCOMPARE(rows.first().sourceId, QString::fromLatin1(kAlerts[expected.first() - 1].source));
        QCOMPARE(rows.first().message, QString::fromLatin1(kAlerts[expected.first() - 1].message));
    }
}

// A silenced alert says so in related alerts (the detail view marks it, as the table does)
// and in full records (exports, re-reads), not only in the table's rows.
void TestStoreConsole::silencedAlertsSaySoEverywhere()
{
    engine::Silence silence;
    silence.sourceId = QStringLiteral("pay-gw-001");
    silence.comment = QStringLiteral("maintenance");
    silence.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
    QString error;
    QVERIFY2(m_store->createSilence(&silence, Actor{QStringLiteral("alice"), Role::Analyst}, &error), qPrintable(error));
    QSqlQuery q(QSqlDatabase::database(QStringLiteral("console-test"), false));
    QVERIFY(q.prepare(QStringLiteral("UPDATE alerts SET silence_id = ? WHERE id = 6")));
    q.addBindValue(silence.id);
    QVERIFY(q.exec());
    QList<AlertRow> rows;
    QVERIFY2(m_store->relatedAlerts(1, 20, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().id, 6);
    QCOMPARE(rows.first().silenceId, silence.id);
    QVERIFY2(m_store->relatedAlerts(6, 20, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.first().silenceId, 0);
    QList<AlertRecord> records;
    QVERIFY2(m_store->alertRecords({6, 1}, &records, &error), qPrintable(error));
    QCOMPARE(records.size(), 2);
    QCOMPARE(records.at(0).silenceId, silence.id);
    QCOMPARE(records.at(1).silenceId, 0);
    AlertQuery all;
    all.showSilenced = true;
    QList<qint64> silenced;
    QVERIFY2(m_store->readAlertRecords(all, 3, [&](const QList<AlertRecord> &chunk) {
        for (const AlertRecord &r : chunk)
            if (r.silenceId != 0)
                silenced << r.id << r.silenceId;
        return true;
    }, &error), qPrintable(error));
    QCOMPARE(silenced, (QList<qint64>{6, silence.id}));
}

void TestStoreConsole::relatedAlertsNewestFirst()
{
    // Three more from auth-007, newer than alert 8 (ids 9, 10, 11).
    GeneratedChunk chunk;
    for (int i = 0; i < 3; ++i) {
        GeneratedEvent e;
        e.eventId = QStringLiteral("more%1").arg(i);
        e.timeMs = kT0 + (10 + i) * 60'000;
        e.type = engine::EventType::Security;
        e.sourceType = QStringLiteral("test");
        e.sourceId = QStringLiteral("auth-007");
        e.fieldsJson = "{}";
        chunk.events.append(e);
        GeneratedAlert a;
        a.eventIndex = i;
        a.ruleName = QStringLiteral("Brute-force login");
        a.type = e.type;
        a.severity = engine::Severity::High;
        a.message = QStringLiteral("more %1").arg(i);
        a.sourceType = e.sourceType;
        a.sourceId = e.sourceId;
        a.createdAtMs = e.timeMs;
        a.detailsJson = "{}";
        chunk.alerts.append(a);
    }
    QString error;
    QVERIFY2(m_store->insertGenerated(chunk, &error), qPrintable(error));
    QList<AlertRow> rows;
    QVERIFY2(m_store->relatedAlerts(2, 3, &rows, &error), qPrintable(error));
    QList<qint64> got;
    for (const AlertRow &r : rows)
        got.append(r.id);
    QCOMPARE(got, ids({11, 10, 9}));
    QVERIFY2(m_store->relatedAlerts(2, 20, &rows, &error), qPrintable(error));
    got.clear();
    for (const AlertRow &r : rows)
        got.append(r.id);
    QCOMPARE(got, ids({11, 10, 9, 8}));
}

void TestStoreConsole::ruleAlertsHaveNoAnomaly()
{
    AnomalyExplanation x;
    x.modelId = 42;
    QString error;
    QVERIFY2(m_store->anomalyExplanation(1, &x, &error), qPrintable(error));
    QCOMPARE(x.modelId, qint64(0));
    QVERIFY(x.contributions.isEmpty());
    QVERIFY(!m_store->anomalyExplanation(999, &x, &error));
    QCOMPARE(error, QStringLiteral("alert 999 does not exist"));
}

QTEST_MAIN(TestStoreConsole)
#include "tst_store_console.moc"
