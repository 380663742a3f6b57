// The SQL store on real SQLite files and, with VIGIL_TEST_POSTGRES_URL, on PostgreSQL (an
// empty schema per test case): migrations, idempotent and atomic ingest, rules, alert triage with
// its responses and audit trail, events read back, database URLs.

#include "engine/events/event_codec.h"
#include "models/store/schema.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QThread>
#include <QTest>

using namespace vigil;
using namespace vigil::models;
using engine::AlertStatus;
using Outcome = ActionResult::Outcome;
using vigil::test::PostgresTestDatabases;

namespace {

// 2026-01-31T12:00:00Z
constexpr qint64 kEventTime = 1769860800000;

engine::Event makeEvent(const QString &id, const QJsonObject &fields = {}, const QString &type = u"SECURITY"_qs,
                        const QString &sourceId = u"host-1"_qs, qint64 timeMs = kEventTime)
{
    const QJsonObject o{{u"id"_qs, id},
                        {u"time"_qs, engine::formatTime(timeMs)},
                        {u"type"_qs, type},
                        {u"source_type"_qs, u"auth"_qs},
                        {u"source_id"_qs, sourceId},
                        {u"fields"_qs, fields}};
    engine::Event e;
    QString error;
    if (!engine::EventCodec::decodeEvent(o, 0, u"event"_qs, &e, &error))
        qFatal("bad event in the test: %s", qPrintable(error));
    return e;
}

engine::Rule makeRule(const QByteArray &json)
{
    engine::Rule r;
    QString error;
    if (!engine::Rule::fromJson(QJsonDocument::fromJson(json).object(), &r, &error))
        qFatal("bad rule in the test: %s (%s)", qPrintable(error), json.constData());
    return r;
}

// Fires on every SECURITY event.
const QByteArray kEveryLogin = R"({"name": "Every login", "alert_type": "SECURITY", "severity": "HIGH",
    "conditions": {"all": [{"field": "source_id", "op": "exists", "value": true}]},
    "message": "login on {source_id}"})";

// One value of a query on the store's own connection (same thread, same connection).
QVariant scalar(const QString &connection, const QString &sql, const QVariantList &binds = {})
{
    QSqlQuery q(QSqlDatabase::database(connection, false));
    if (!q.prepare(sql))
        qFatal("cannot prepare %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
    for (const QVariant &v : binds)
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        qFatal("cannot run %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
    return q.value(0);
}

// Every row of a query, each row's columns joined with '|'.
QStringList rows(const QString &connection, const QString &sql, const QVariantList &binds = {})
{
    QSqlQuery q(QSqlDatabase::database(connection, false));
    if (!q.prepare(sql))
        qFatal("cannot prepare %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
    for (const QVariant &v : binds)
        q.addBindValue(v);
    if (!q.exec())
        qFatal("cannot run %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
    QStringList out;
    while (q.next()) {
        QStringList columns;
        for (int i = 0; i < q.record().count(); ++i)
            columns << q.value(i).toString();
        out << columns.join(u'|');
    }
    return out;
}

struct Step
{
    QString user;
    Role role;
    AlertAction action;
    QString note;
    Outcome expected;
    QString message;          // exact; "%1" is the alert's id
    AlertStatus statusAfter;
};

} // namespace

Q_DECLARE_METATYPE(QList<Step>)
Q_DECLARE_METATYPE(vigil::models::Role)
Q_DECLARE_METATYPE(vigil::models::AlertAction)
Q_DECLARE_METATYPE(QList<QList<bool>>)
Q_DECLARE_METATYPE(QList<QStringList>)

class TestStore : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_counter = 0;
    PostgresTestDatabases m_postgres;

    static bool postgres() { return PostgresTestDatabases::isPostgres(); }
    // How each database words a foreign key the row breaks.
    static QString foreignKeyFailure()
    {
        return postgres() ? u"violates foreign key constraint"_qs : u"FOREIGN KEY constraint failed"_qs;
    }

    // A new, empty database of the test's backend.
    DatabaseUrl freshUrl()
    {
        if (postgres())
            return m_postgres.createOrWarn();
        DatabaseUrl url;
        url.path = m_dir.filePath(QStringLiteral("db-%1/vigil.db").arg(++m_counter));
        return url;
    }
    QString connectionName() { return QStringLiteral("tst-store-%1").arg(++m_counter); }

    std::unique_ptr<Store> openStore(const DatabaseUrl &url, QString *name)
    {
        *name = connectionName();
        QString error;
        auto store = Store::open(url, *name, &error);
        if (!store)
            qWarning("cannot open %s: %s", qPrintable(url.displayName()), qPrintable(error));
        return store;
    }

    // A fresh store with kEveryLogin imported, and the rules as loaded back; null on failure.
    std::unique_ptr<Store> openStoreWithEveryLogin(QString *connection, QList<engine::Rule> *rules)
    {
        auto store = openStore(freshUrl(), connection);
        int created = 0, updated = 0;
        QString error;
        if (!store || !store->importRules({makeRule(kEveryLogin)}, Actor::system(), &created, &updated, &error)
            || !store->loadRules(rules, &error)) {
            qWarning("a store with the rule: %s", qPrintable(error));
            return nullptr;
        }
        return store;
    }

    // A store with kEveryLogin imported and one alert raised at `createdAtMs`; returns the alert id.
    qint64 storeWithAlert(std::unique_ptr<Store> *store, QString *name, qint64 createdAtMs)
    {
        QList<engine::Rule> rules;
        *store = openStoreWithEveryLogin(name, &rules);
        if (!*store)
            return 0;
        QString error;
        engine::Pipeline pipeline;
        pipeline.setRules(rules);
        IngestOutcome outcome;
        if (!(*store)->ingest({makeEvent(u"evt-1"_qs)}, pipeline, createdAtMs, &outcome, &error) || outcome.alerts.size() != 1) {
            qWarning("ingest: %s", qPrintable(error));
            return 0;
        }
        return outcome.alerts.first().id;
    }

private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void init() { VIGIL_SKIP_UNAVAILABLE_BACKEND(); }
    void cleanup() { m_postgres.dropAll(); }

    // --- migrations ---

    void migrationsCreateEveryTable_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("name");
        for (const char *table : {"schema_version", "users", "rules", "events", "alerts", "alert_responses",
                                  "anomaly_models", "anomaly_detections", "audit_log", "settings", "notifications"})
            QTest::newRow(table) << u"table"_qs << QString::fromLatin1(table);
        // The console's queries: newest alerts, by status, by rule, by source, by event.
        for (const char *index : {"alerts_created", "alerts_status_created", "alerts_rule", "alerts_source_created",
                                  "alerts_event", "alert_responses_alert", "events_type_time", "audit_log_created",
                                  "notifications_alert", "notifications_pending"})
            QTest::newRow(index) << u"index"_qs << QString::fromLatin1(index);
    }
    void migrationsCreateEveryTable()
    {
        QFETCH(QString, kind);
        QFETCH(QString, name);
        QString connection;
        const auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        if (postgres())
            QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM pg_class WHERE relkind = ? AND relname = ?"
                                        " AND pg_table_is_visible(oid)"_qs,
                            {kind == u"table"_qs ? u"r"_qs : u"i"_qs, name}).toInt(), 1);
        else
            QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM sqlite_master WHERE type = ? AND name = ?"_qs, {kind, name}).toInt(), 1);
    }

    // alerts_source went in migration 11: what it answered, alerts_source_created does.
    void sourceQueriesUseTheSourceTimeIndex_data()
    {
        QTest::addColumn<QString>("query");
        QTest::newRow("count") << u"SELECT COUNT(*) FROM alerts WHERE source_id = ?"_qs;
        QTest::newRow("newest first") << u"SELECT id FROM alerts WHERE source_id = ? ORDER BY created_at DESC, id DESC LIMIT 200"_qs;
        QTest::newRow("any") << u"SELECT 1 FROM alerts WHERE source_id = ? LIMIT 1"_qs;
    }
    void sourceQueriesUseTheSourceTimeIndex()
    {
        if (postgres())
            QSKIP("reads SQLite's schema and query plans");
        QFETCH(QString, query);
        QString connection;
        const auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM sqlite_master WHERE name = 'alerts_source'"_qs).toInt(), 0);
        const QStringList plan = rows(connection, u"EXPLAIN QUERY PLAN "_qs + query, {u"pay-gw-01"_qs});
        QVERIFY2(plan.join(u'\n').contains(u"INDEX alerts_source_created (source_id=?)"_qs), qPrintable(plan.join(u'\n')));
    }

    void migrationsFreshDatabaseIsLatest()
    {
        QString connection;
        const auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        // Versions rise from 1 (numbers reserved for work in progress elsewhere may be
        // missing), and the newest is the one a fresh database gets.
        QCOMPARE(schema::migrations().constFirst().version, 1);
        for (qsizetype i = 1; i < schema::migrations().size(); ++i)
            QVERIFY(schema::migrations().at(i).version > schema::migrations().at(i - 1).version);
        QCOMPARE(schema::latestVersion(), schema::migrations().constLast().version);
        QCOMPARE(store->schemaVersion(), schema::latestVersion());
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM schema_version"_qs).toInt(), schema::migrations().size());
        // The built-in system user comes with the schema.
        QCOMPARE(rows(connection, u"SELECT username, role FROM users"_qs), QStringList{u"system|system"_qs});
    }

    void migrationsSetDurablePragmas_data()
    {
        QTest::addColumn<QString>("pragma");
        QTest::addColumn<QString>("expected");
        QTest::newRow("WAL") << u"journal_mode"_qs << u"wal"_qs;
        QTest::newRow("synchronous FULL") << u"synchronous"_qs << u"2"_qs;
        QTest::newRow("foreign keys") << u"foreign_keys"_qs << u"1"_qs;
        QTest::newRow("8 KiB pages") << u"page_size"_qs << u"8192"_qs;
    }
    void migrationsSetDurablePragmas()
    {
        QFETCH(QString, pragma);
        QFETCH(QString, expected);
        if (postgres())
            QSKIP("SQLite's pragmas (PostgreSQL is durable and checks foreign keys as configured by its server)");
        QString connection;
        const auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        QCOMPARE(scalar(connection, u"PRAGMA "_qs + pragma).toString(), expected);
    }

    // A database made before Vigil chose 8 KiB pages keeps its 4 KiB ones (SQLite changes the
    // size only with VACUUM) and opens and migrates as before.
    void existingDatabaseKeepsItsPageSize()
    {
        if (postgres())
            QSKIP("SQLite's page size");
        const DatabaseUrl url = freshUrl();
        QVERIFY(QDir().mkpath(QFileInfo(url.path).absolutePath()));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_qs, u"tst-store-4k"_qs);
            db.setDatabaseName(url.path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(u"PRAGMA page_size = 4096"_qs));
            QVERIFY(q.exec(u"CREATE TABLE before_vigil (x INTEGER)"_qs));
            q.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(u"tst-store-4k"_qs);
        QString connection;
        const auto store = openStore(url, &connection);
        QVERIFY(store);
        QCOMPARE(scalar(connection, u"PRAGMA page_size"_qs).toInt(), 4096);
        QCOMPARE(store->schemaVersion(), schema::latestVersion());
    }

    void migrationsDoNotRunTwice()
    {
        const DatabaseUrl url = freshUrl();
        {
            QString connection;
            auto store = openStore(url, &connection);
            QVERIFY(store);
            QString error;
            QVERIFY2(store->setSetting(u"k"_qs, u"kept"_qs, &error), qPrintable(error));
        }
        QString connection;
        auto store = openStore(url, &connection); // would fail on "table users already exists" if re-run
        QVERIFY(store);
        QCOMPARE(store->schemaVersion(), schema::latestVersion());
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM schema_version"_qs).toInt(), schema::migrations().size());
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM users"_qs).toInt(), 1);
        QCOMPARE(store->setting(u"k"_qs), u"kept"_qs);
        QCOMPARE(store->setting(u"missing"_qs, u"fallback"_qs), u"fallback"_qs);
    }

    // Vigil processes sharing a PostgreSQL database may start together on an empty one: one
    // migrates, the others wait for it and find the schema done.
    void migrationsConcurrentOpens()
    {
        if (!postgres())
            QSKIP("PostgreSQL only: a SQLite database is opened by one process, its writer first");
        const DatabaseUrl url = freshUrl();
        constexpr int kOpeners = 4;
        QString errors[kOpeners];
        int versions[kOpeners] = {};
        QList<QThread *> threads;
        QSemaphore ready, go;
        for (int i = 0; i < kOpeners; ++i) {
            const QString name = connectionName();
            threads << QThread::create([&, i, name] {
                ready.release();
                go.acquire();
                auto store = Store::open(url, name, &errors[i]);
                versions[i] = store ? store->schemaVersion() : -1;
            });
            threads.last()->start();
        }
        ready.acquire(kOpeners);
        go.release(kOpeners);
        for (QThread *t : std::as_const(threads)) {
            QVERIFY(t->wait(60'000));
            delete t;
        }
        for (int i = 0; i < kOpeners; ++i) {
            QVERIFY2(errors[i].isEmpty(), qPrintable(errors[i]));
            QCOMPARE(versions[i], schema::latestVersion());
        }
        QString connection;
        auto store = openStore(url, &connection);
        QVERIFY(store);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM schema_version"_qs).toInt(), schema::migrations().size());
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM users"_qs).toInt(), 1);
    }

    void migrationsRefuseNewerSchema()
    {
        const DatabaseUrl url = freshUrl();
        {
            QString connection;
            auto store = openStore(url, &connection);
            QVERIFY(store);
            QSqlQuery q(QSqlDatabase::database(connection, false));
            QVERIFY(q.exec(u"INSERT INTO schema_version (version) VALUES (%1)"_qs.arg(schema::latestVersion() + 41)));
        }
        QString error;
        auto store = Store::open(url, connectionName(), &error);
        QVERIFY(!store);
        QCOMPARE(error, u"the database %1 has schema version %2, newer than this Vigil (%3): upgrade Vigil"_qs
                            .arg(url.displayName())
                            .arg(schema::latestVersion() + 41)
                            .arg(schema::latestVersion()));
    }

    // --- ingest ---

    void ingestIsIdempotent_data()
    {
        QTest::addColumn<QList<QStringList>>("batches");
        QTest::addColumn<QList<QList<bool>>>("isNew");
        QTest::addColumn<QStringList>("stored"); // event ids in the events table, in row order

        QTest::newRow("across batches") << QList<QStringList>{{u"a"_qs}, {u"a"_qs}}
                                        << QList<QList<bool>>{{true}, {false}} << QStringList{u"a"_qs};
        QTest::newRow("within one batch") << QList<QStringList>{{u"a"_qs, u"a"_qs}}
                                          << QList<QList<bool>>{{true, false}} << QStringList{u"a"_qs};
        QTest::newRow("three copies in one batch") << QList<QStringList>{{u"a"_qs, u"a"_qs, u"a"_qs}}
                                                   << QList<QList<bool>>{{true, false, false}} << QStringList{u"a"_qs};
        QTest::newRow("mixed") << QList<QStringList>{{u"a"_qs, u"b"_qs}, {u"b"_qs, u"c"_qs, u"a"_qs, u"c"_qs}}
                               << QList<QList<bool>>{{true, true}, {false, true, false, false}}
                               << QStringList{u"a"_qs, u"b"_qs, u"c"_qs};
        QTest::newRow("distinct ids") << QList<QStringList>{{u"p1-1"_qs, u"p2-1"_qs}}
                                      << QList<QList<bool>>{{true, true}} << QStringList{u"p1-1"_qs, u"p2-1"_qs};
    }
    void ingestIsIdempotent()
    {
        QFETCH(QList<QStringList>, batches);
        QFETCH(QList<QList<bool>>, isNew);
        QFETCH(QStringList, stored);

        QString connection, error;
        QList<engine::Rule> rules;
        auto store = openStoreWithEveryLogin(&connection, &rules);
        QVERIFY(store);
        engine::Pipeline pipeline;
        pipeline.setRules(rules);

        QStringList alerted; // event ids that raised an alert, over all batches
        QStringList alertIds; // the ids ingest reported for them
        for (qsizetype b = 0; b < batches.size(); ++b) {
            engine::EventBatch batch;
            for (const QString &id : batches.at(b))
                batch.append(makeEvent(id, {{u"batch"_qs, int(b)}}));
            IngestOutcome outcome;
            QVERIFY2(store->ingest(batch, pipeline, kEventTime + b, &outcome, &error), qPrintable(error));
            QCOMPARE(outcome.isNew, isNew.at(b));
            QStringList expectedAlerts;
            for (qsizetype i = 0; i < batch.size(); ++i)
                if (isNew.at(b).at(i))
                    expectedAlerts << batch.at(i).id;
            QStringList raised;
            for (const AlertRecord &a : std::as_const(outcome.alerts)) {
                raised << a.eventId;
                alertIds << QString::number(a.id);
                QVERIFY(a.id > 0);
                QCOMPARE(a.ruleName, u"Every login"_qs);
            }
            QCOMPARE(raised, expectedAlerts);
            alerted << raised;
        }
        QCOMPARE(rows(connection, u"SELECT event_id FROM events ORDER BY id"_qs), stored);
        // The stored copy is the first one seen: its fields say which batch it came in.
        for (const QString &id : stored) {
            qsizetype firstBatch = 0;
            while (!batches.at(firstBatch).contains(id))
                ++firstBatch;
            QCOMPARE(scalar(connection, u"SELECT fields FROM events WHERE event_id = ?"_qs, {id}).toString(),
                     u"{\"batch\":%1}"_qs.arg(firstBatch));
        }
        QCOMPARE(alerted, stored);
        QCOMPARE(rows(connection, u"SELECT e.event_id FROM alerts a JOIN events e ON e.id = a.event_id ORDER BY a.id"_qs), stored);
        // The ids ingest reported are the rows stored; no model and no silence are NULL, not 0.
        QCOMPARE(rows(connection, u"SELECT id FROM alerts ORDER BY id"_qs), alertIds);
        QCOMPARE(rows(connection, u"SELECT id FROM alerts WHERE rule_id = (SELECT id FROM rules) AND model_id IS NULL"
                                  " AND silence_id IS NULL AND status = 'NEW' ORDER BY id"_qs), alertIds);
        StoreCounts counts;
        QVERIFY(store->counts(&counts, &error));
        QCOMPARE(counts.events, stored.size());
        QCOMPARE(counts.alerts, stored.size());
        QCOMPARE(counts.openAlerts, stored.size());
        QCOMPARE(counts.rules, 1);
    }

    // SQLite stores full groups of Store::kDefaultEventInsertRows events with one multi-row
    // insert and the rest one at a time. Every batch is ingested by two fresh stores, one in
    // groups and one a statement per event: which events are new, the rows stored (ids
    // included: a group of new events takes the ids after the largest, as SQLite documents),
    // the alerts' event ids and the alerts themselves (a window rule counts the events in
    // the order the pipeline saw them) must be the same, and as expected.
    void ingestInGroupsMatchesOneAtATime_data()
    {
        QTest::addColumn<QList<QStringList>>("batches");
        QTest::addColumn<int>("deleteNewest"); // events (with their alerts) deleted after the first batch

        const int k = Store::kDefaultEventInsertRows;
        const auto ids = [](const QString &prefix, int count) {
            QStringList out;
            for (int i = 0; i < count; ++i)
                out << u"%1-%2"_qs.arg(prefix).arg(i);
            return out;
        };
        const auto with = [](QStringList list, int at, const QString &id) {
            list[at] = id;
            return list;
        };
        QTest::newRow("exactly one group") << QList<QStringList>{ids(u"a"_qs, k)} << 0;
        QTest::newRow("one short of a group") << QList<QStringList>{ids(u"a"_qs, k - 1)} << 0;
        QTest::newRow("one past a group") << QList<QStringList>{ids(u"a"_qs, k + 1)} << 0;
        QTest::newRow("two groups and three") << QList<QStringList>{ids(u"a"_qs, 2 * k + 3), ids(u"b"_qs, 2 * k + 3)} << 0;
        const QStringList stored = ids(u"s"_qs, 3);
        QTest::newRow("stored id first in a group")
            << QList<QStringList>{stored, with(ids(u"a"_qs, 2 * k + 3), 0, u"s-0"_qs)} << 0;
        QTest::newRow("stored id in the middle of a group")
            << QList<QStringList>{stored, with(ids(u"a"_qs, 2 * k + 3), k + k / 2, u"s-1"_qs)} << 0;
        QTest::newRow("stored id last in a group")
            << QList<QStringList>{stored, with(ids(u"a"_qs, 2 * k + 3), k - 1, u"s-2"_qs)} << 0;
        QTest::newRow("stored ids in every group and the rest")
            << QList<QStringList>{stored, with(with(with(ids(u"a"_qs, 2 * k + 3), 3, u"s-2"_qs), k + 7, u"s-0"_qs), 2 * k + 1, u"s-1"_qs)} << 0;
        QTest::newRow("id twice in one group") << QList<QStringList>{with(ids(u"a"_qs, k), k - 1, u"a-3"_qs)} << 0;
        QTest::newRow("id twice next to each other") << QList<QStringList>{with(ids(u"a"_qs, k + 1), 1, u"a-0"_qs)} << 0;
        QTest::newRow("id in two groups of a batch") << QList<QStringList>{with(ids(u"a"_qs, 2 * k), k + 5, u"a-5"_qs)} << 0;
        QTest::newRow("id of a group again in the rest") << QList<QStringList>{with(ids(u"a"_qs, k + 3), k + 1, u"a-0"_qs)} << 0;
        QTest::newRow("a whole group twice") << QList<QStringList>{ids(u"a"_qs, k) + ids(u"a"_qs, k)} << 0;
        QTest::newRow("all duplicates") << QList<QStringList>{ids(u"a"_qs, 2 * k + 3), ids(u"a"_qs, 2 * k + 3)} << 0;
        QTest::newRow("after the newest events were deleted")
            << QList<QStringList>{ids(u"a"_qs, k + 5), ids(u"b"_qs, 2 * k)} << 9;
        QTest::newRow("deleted ids come again")
            << QList<QStringList>{ids(u"a"_qs, k + 5), ids(u"a"_qs, 2 * k)} << 9;
    }
    void ingestInGroupsMatchesOneAtATime()
    {
        QFETCH(QList<QStringList>, batches);
        QFETCH(int, deleteNewest);

        const engine::Rule perHost = makeRule(R"({"name": "Busy host", "alert_type": "SECURITY", "severity": "LOW",
            "conditions": {"aggregate": "count", "group_by": "fields.host", "window": "1m", "op": "gt", "value": 4},
            "message": "host {fields.host} busy"})");
        struct Side
        {
            std::unique_ptr<Store> store;
            QString connection;
            engine::Pipeline pipeline;
        };
        Side grouped, single;
        for (Side *side : {&grouped, &single}) {
            side->store = openStore(freshUrl(), &side->connection);
            QVERIFY(side->store);
            int created = 0, updated = 0;
            QString error;
            QVERIFY2(side->store->importRules({makeRule(kEveryLogin), perHost}, Actor::system(), &created, &updated, &error),
                     qPrintable(error));
            QList<engine::Rule> rules;
            QVERIFY(side->store->loadRules(&rules, &error));
            side->pipeline.setRules(rules);
        }
        QCOMPARE(grouped.store->eventInsertRows(), Store::kDefaultEventInsertRows);
        single.store->setEventInsertRows(1);
        QCOMPARE(single.store->eventInsertRows(), 1);

        QSet<QString> seen; // what the store holds, by event id
        for (qsizetype b = 0; b < batches.size(); ++b) {
            engine::EventBatch batch;
            QList<bool> expectedNew;
            for (qsizetype i = 0; i < batches.at(b).size(); ++i) {
                const QString &id = batches.at(b).at(i);
                batch.append(makeEvent(id, {{u"batch"_qs, int(b)}, {u"host"_qs, int(i % 3)}}));
                expectedNew << !seen.contains(id);
                seen.insert(id);
            }
            QStringList alerts[2];
            QList<bool> isNew[2];
            for (int s = 0; s < 2; ++s) {
                Side &side = s == 0 ? grouped : single;
                IngestOutcome outcome;
                QString error;
                QVERIFY2(side.store->ingest(batch, side.pipeline, kEventTime + b, &outcome, &error), qPrintable(error));
                isNew[s] = outcome.isNew;
                for (const AlertRecord &a : std::as_const(outcome.alerts)) {
                    // The id the alert names is the stored row's.
                    QCOMPARE(scalar(side.connection, u"SELECT id FROM events WHERE event_id = ?"_qs, {a.eventId}).toLongLong(),
                             a.eventRowId);
                    alerts[s] << u"%1|%2|%3|%4|%5"_qs.arg(a.id).arg(a.eventRowId).arg(a.eventId, a.ruleName, a.message);
                }
            }
            QCOMPARE(isNew[0], expectedNew);
            QCOMPARE(isNew[1], expectedNew);
            QCOMPARE(alerts[0], alerts[1]);
            QVERIFY(alerts[0].size() >= expectedNew.count(true)); // every new event raises "Every login"

            if (b == 0 && deleteNewest > 0) {
                for (Side *side : {&grouped, &single}) {
                    const QStringList gone = rows(side->connection, u"SELECT event_id FROM events ORDER BY id DESC LIMIT ?"_qs, {deleteNewest});
                    for (const QString &id : gone)
                        seen.remove(id);
                    QSqlQuery q(QSqlDatabase::database(side->connection));
                    QVERIFY(q.prepare(u"DELETE FROM alerts WHERE event_id IN (SELECT id FROM events ORDER BY id DESC LIMIT ?)"_qs));
                    q.addBindValue(deleteNewest);
                    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
                    QVERIFY(q.prepare(u"DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id DESC LIMIT ?)"_qs));
                    q.addBindValue(deleteNewest);
                    QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
                }
            }
        }
        const QString events = u"SELECT id, event_id, fields, received_at FROM events ORDER BY id"_qs;
        QCOMPARE(rows(grouped.connection, events), rows(single.connection, events));
        QCOMPARE(rows(grouped.connection, events).size(), seen.size());
        const QString alerts = u"SELECT id, event_id, rule_name, message FROM alerts ORDER BY id"_qs;
        QCOMPARE(rows(grouped.connection, alerts), rows(single.connection, alerts));
    }

    // A group's ids are taken as the ones after the largest only when the last id says so:
    // here a trigger stores a row of its own after each event, so a group's ids are not
    // consecutive, and the rows are read back instead (the trigger's rows belong to no event).
    void ingestInGroupsWithRowsAddedByATrigger()
    {
        if (postgres())
            QSKIP("SQLite's multi-row event insert (PostgreSQL stores an event per statement with RETURNING)");
        const int k = Store::kDefaultEventInsertRows;
        QStringList rowsOf[2];
        QStringList alertsOf[2];
        for (int s = 0; s < 2; ++s) {
            QString connection, error;
            QList<engine::Rule> rules;
            auto store = openStoreWithEveryLogin(&connection, &rules);
            QVERIFY(store);
            if (s == 1)
                store->setEventInsertRows(1);
            {
                QSqlQuery trigger(QSqlDatabase::database(connection));
                QVERIFY2(trigger.exec(u"CREATE TRIGGER shadow AFTER INSERT ON events WHEN new.event_id NOT LIKE 'shadow-%'"
                                      " BEGIN INSERT INTO events (event_id, time, type, source_type, source_id, fields, received_at)"
                                      " VALUES ('shadow-' || new.event_id, new.time, new.type, new.source_type, new.source_id,"
                                      " new.fields, new.received_at); END"_qs),
                         qPrintable(trigger.lastError().text()));
            }
            engine::Pipeline pipeline;
            pipeline.setRules(rules);
            for (int b = 0; b < 2; ++b) {
                engine::EventBatch batch;
                for (int i = 0; i < 2 * k + 3; ++i)
                    batch.append(makeEvent(u"t-%1"_qs.arg(b * (k + 1) + i)));
                IngestOutcome outcome;
                QVERIFY2(store->ingest(batch, pipeline, kEventTime + b, &outcome, &error), qPrintable(error));
                QList<bool> expected;
                for (int i = 0; i < batch.size(); ++i)
                    expected << (b == 0 || i >= k + 2); // the second batch repeats t-(k+1) … t-(2k+2)
                QCOMPARE(outcome.isNew, expected);
                for (const AlertRecord &a : std::as_const(outcome.alerts)) {
                    QCOMPARE(scalar(connection, u"SELECT id FROM events WHERE event_id = ?"_qs, {a.eventId}).toLongLong(),
                             a.eventRowId);
                    alertsOf[s] << u"%1|%2"_qs.arg(a.eventId).arg(a.eventRowId);
                }
            }
            rowsOf[s] = rows(connection, u"SELECT id, event_id FROM events ORDER BY id"_qs);
        }
        QCOMPARE(rowsOf[0], rowsOf[1]);
        QCOMPARE(alertsOf[0], alertsOf[1]);
        QCOMPARE(rowsOf[0].size(), 2 * (3 * k + 4));
    }

    void eventInsertRowsAreClamped()
    {
        QString connection;
        auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        store->setEventInsertRows(0);
        QCOMPARE(store->eventInsertRows(), 1);
        store->setEventInsertRows(100000);
        QCOMPARE(store->eventInsertRows(), Store::kMaxEventInsertRows);
        // The largest group still fits SQLite's parameter limit.
        engine::Pipeline pipeline;
        engine::EventBatch batch;
        for (int i = 0; i < Store::kMaxEventInsertRows + 1; ++i)
            batch.append(makeEvent(u"c-%1"_qs.arg(i)));
        IngestOutcome outcome;
        QString error;
        QVERIFY2(store->ingest(batch, pipeline, kEventTime, &outcome, &error), qPrintable(error));
        QCOMPARE(outcome.isNew, QList<bool>(batch.size(), true));
        QCOMPARE(store->eventInsertRows(), Store::kMaxEventInsertRows);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM events"_qs).toInt(), batch.size());
    }

    void ingestEmptyBatch()
    {
        QString connection;
        auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        engine::Pipeline pipeline;
        IngestOutcome outcome;
        outcome.isNew = {true};
        QString error;
        QVERIFY(store->ingest({}, pipeline, kEventTime, &outcome, &error));
        QCOMPARE(outcome.isNew, QList<bool>{});
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM events"_qs).toInt(), 0);
    }

    // Events and the alerts they raise are one transaction: an alert that cannot be stored
    // takes its batch's events with it. The honest way to make the alert insert fail: the
    // pipeline runs a rule whose row is gone (alerts.rule_id is a foreign key), as when a
    // rule is deleted while the writer still has it loaded.
    void ingestIsAtomic_data()
    {
        QTest::addColumn<QStringList>("ids");
        QTest::addColumn<int>("failingIndex"); // the event that raises the unstorable alert

        QTest::newRow("single event") << QStringList{u"x1"_qs} << 0;
        QTest::newRow("first of three") << QStringList{u"x1"_qs, u"x2"_qs, u"x3"_qs} << 0;
        QTest::newRow("last of three") << QStringList{u"x1"_qs, u"x2"_qs, u"x3"_qs} << 2;
    }
    void ingestIsAtomic()
    {
        QFETCH(QStringList, ids);
        QFETCH(int, failingIndex);

        QString connection, error;
        QList<engine::Rule> rules;
        auto store = openStoreWithEveryLogin(&connection, &rules);
        QVERIFY(store);
        QCOMPARE(rules.size(), 1);
        // Already stored before: must survive the failed batch untouched.
        engine::Pipeline good;
        good.setRules(rules);
        IngestOutcome outcome;
        QVERIFY(store->ingest({makeEvent(u"before"_qs)}, good, kEventTime, &outcome, &error));
        QCOMPARE(outcome.alerts.size(), 1);

        engine::Rule ghost = makeRule(R"({"name": "Deleted rule", "alert_type": "SECURITY", "severity": "LOW",
            "conditions": {"all": [{"field": "fields.fail", "op": "eq", "value": true}]}, "message": "m"})");
        ghost.id = rules.first().id + 1000; // no such row in rules
        engine::Pipeline broken;
        broken.setRules({rules.first(), ghost});
        engine::EventBatch batch;
        for (qsizetype i = 0; i < ids.size(); ++i)
            batch.append(makeEvent(ids.at(i), {{u"fail"_qs, i == failingIndex}}));

        error.clear();
        QVERIFY(!store->ingest(batch, broken, kEventTime + 1, &outcome, &error));
        QVERIFY2(error.contains(foreignKeyFailure()), qPrintable(error));
        QCOMPARE(outcome.isNew, QList<bool>(ids.size(), false));
        QCOMPARE(outcome.alerts.size(), 0);
        QCOMPARE(rows(connection, u"SELECT event_id FROM events ORDER BY id"_qs), QStringList{u"before"_qs});
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM alerts"_qs).toInt(), 1);

        // Nothing was burnt: the same events go in once the rule set is right again.
        QVERIFY2(store->ingest(batch, good, kEventTime + 2, &outcome, &error), qPrintable(error));
        QCOMPARE(outcome.isNew, QList<bool>(ids.size(), true));
        QCOMPARE(outcome.alerts.size(), ids.size());
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM events"_qs).toInt(), ids.size() + 1);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM alerts"_qs).toInt(), ids.size() + 1);
    }

    // An event insert that fails after chunks of the batch went to the rules' thread: the
    // store waits for them before it returns (the events may be freed right after), nothing
    // of the batch is stored, and the next batch is decided as if the failed one never came.
    void failedInsertAfterChunksWereHandedOver_data()
    {
        QTest::addColumn<int>("boomAt");
        QTest::addColumn<QString>("raise"); // how the trigger refuses
        QTest::addColumn<QString>("named"); // the event(s) the error names
        const int n = 3 * engine::Pipeline::kRuleChunkEvents + 10;
        // Full groups of Store::kDefaultEventInsertRows cover the first 768 events, the last
        // ten go in one at a time.
        static_assert((3 * engine::Pipeline::kRuleChunkEvents) % Store::kDefaultEventInsertRows == 0);
        QTest::newRow("one at a time") << n - 5 << u"ABORT"_qs << u"'boom'"_qs;
        // The group's statement is undone and its events go in again one by one, which finds
        // the one at fault.
        QTest::newRow("in a group") << 700 << u"ABORT"_qs << u"'boom'"_qs;
        // The trigger ends the transaction itself: the group is named.
        const int first = 700 / Store::kDefaultEventInsertRows * Store::kDefaultEventInsertRows;
        QTest::newRow("in a group, transaction ended")
            << 700 << u"ROLLBACK"_qs
            << u"'a-%1' to 'a-%2'"_qs.arg(first).arg(first + Store::kDefaultEventInsertRows - 1);
    }
    void failedInsertAfterChunksWereHandedOver()
    {
        QFETCH(int, boomAt);
        QFETCH(QString, raise);
        QFETCH(QString, named);
        if (postgres() && raise == u"ROLLBACK"_qs)
            QSKIP("SQLite only: a trigger that ends the transaction (PostgreSQL has no such thing)");
        QString connection, error;
        QList<engine::Rule> rules;
        auto store = openStoreWithEveryLogin(&connection, &rules);
        QVERIFY(store);
        {
            QSqlQuery trigger(QSqlDatabase::database(connection));
            if (postgres()) {
                QVERIFY2(trigger.exec(u"CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS"
                                      " $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"_qs),
                         qPrintable(trigger.lastError().text()));
                QVERIFY2(trigger.exec(u"CREATE TRIGGER refuse_boom BEFORE INSERT ON events FOR EACH ROW"
                                      " WHEN (new.event_id = 'boom') EXECUTE FUNCTION refuse_boom()"_qs),
                         qPrintable(trigger.lastError().text()));
            } else {
                QVERIFY(trigger.exec(u"CREATE TRIGGER refuse_boom BEFORE INSERT ON events WHEN new.event_id = 'boom'"
                                     " BEGIN SELECT RAISE(%1, 'refused by the test'); END"_qs.arg(raise)));
            }
        }
        engine::Pipeline pipeline;
        pipeline.setParallelRules(true);
        pipeline.setRules(rules);
        const int n = 3 * engine::Pipeline::kRuleChunkEvents + 10;
        IngestOutcome outcome;
        {
            engine::EventBatch batch;
            for (int i = 0; i < n; ++i)
                batch.append(makeEvent(i == boomAt ? u"boom"_qs : u"a-%1"_qs.arg(i)));
            QVERIFY(!store->ingest(batch, pipeline, kEventTime, &outcome, &error));
            QVERIFY2(error.contains(u"refused by the test"_qs), qPrintable(error));
            QVERIFY2(error.contains(named), qPrintable(error));
            QCOMPARE(outcome.isNew, QList<bool>(n, false));
        } // the batch is freed here, as the ingest writer frees a failed one
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM events"_qs).toInt(), 0);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM alerts"_qs).toInt(), 0);

        engine::EventBatch next;
        for (int i = 0; i < n; ++i)
            next.append(makeEvent(u"b-%1"_qs.arg(i)));
        QVERIFY2(store->ingest(next, pipeline, kEventTime + 1, &outcome, &error), qPrintable(error));
        QCOMPARE(outcome.alerts.size(), n);
        for (int i = 0; i < n; ++i)
            QCOMPARE(outcome.alerts.at(i).eventId, u"b-%1"_qs.arg(i));
    }

    // --- notifications ---

    // Each alert that is not silenced queues one PENDING row per channel its rule names,
    // except WEBSOCKET (the /alerts broadcast records what it sent); in the alert's transaction.
    void ingestQueuesNotificationsForTheRulesChannels()
    {
        QString connection;
        auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        QString error;
        int created = 0, updated = 0;
        const engine::Rule notifying = makeRule(R"({"name": "Notifying login", "alert_type": "SECURITY",
            "severity": "CRITICAL", "conditions": {"all": [{"field": "fields.notify", "op": "eq", "value": true}]},
            "message": "login on {source_id}", "notification_channels": ["email", "WEBSOCKET", "SLACK"]})");
        const engine::Rule quiet = makeRule(R"({"name": "Quiet login", "alert_type": "SECURITY", "severity": "LOW",
            "conditions": {"all": [{"field": "fields.notify", "op": "eq", "value": false}]},
            "message": "quiet login on {source_id}", "notification_channels": ["WEBSOCKET"]})");
        QVERIFY2(store->importRules({notifying, quiet}, Actor::system(), &created, &updated, &error), qPrintable(error));
        QList<engine::Rule> rules;
        QVERIFY(store->loadRules(&rules, &error));
        engine::Pipeline pipeline;
        pipeline.setRules(rules);
        engine::Silence hush;
        hush.ruleName = u"Notifying login"_qs;
        hush.sourceId = u"host-silenced"_qs;
        hush.comment = u"maintenance"_qs;
        hush.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
        QVERIFY2(store->createSilence(&hush, Actor{u"alice"_qs, Role::Analyst}, &error), qPrintable(error));
        QList<engine::Silence> active;
        QVERIFY(store->activeSilences(QDateTime::currentMSecsSinceEpoch(), &active, &error));
        pipeline.setSilences(active);

        const engine::EventBatch batch{makeEvent(u"n1"_qs, {{u"notify"_qs, true}}),
                                       makeEvent(u"n2"_qs, {{u"notify"_qs, false}}),
                                       makeEvent(u"n3"_qs, {{u"notify"_qs, true}}, u"SECURITY"_qs, u"host-silenced"_qs),
                                       makeEvent(u"n4"_qs, {{u"notify"_qs, true}}, u"SECURITY"_qs, u"host-2"_qs)};
        IngestOutcome outcome;
        QVERIFY2(store->ingest(batch, pipeline, kEventTime, &outcome, &error), qPrintable(error));
        QCOMPARE(outcome.alerts.size(), 4);
        QCOMPARE(outcome.alerts.at(2).silenceId, hush.id);
        const qint64 first = outcome.alerts.at(0).id;
        const qint64 quietOne = outcome.alerts.at(1).id;
        const qint64 silencedOne = outcome.alerts.at(2).id;
        const qint64 fourth = outcome.alerts.at(3).id;
        // The rule's order, WEBSOCKET left out; nothing for the quiet rule or the silenced alert.
        QCOMPARE(rows(connection, u"SELECT alert_id, channel, status, target, attempts, last_error, created_at,"
                                  " COALESCE(sent_at, -1) FROM notifications ORDER BY id"_qs),
                 (QStringList{u"%1|EMAIL|PENDING||0||%2|-1"_qs.arg(first).arg(kEventTime),
                              u"%1|SLACK|PENDING||0||%2|-1"_qs.arg(first).arg(kEventTime),
                              u"%1|EMAIL|PENDING||0||%2|-1"_qs.arg(fourth).arg(kEventTime),
                              u"%1|SLACK|PENDING||0||%2|-1"_qs.arg(fourth).arg(kEventTime)}));
        // The outbox's index holds the pending rows, oldest first.
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM notifications %1"
                                    " WHERE status = 'PENDING' AND created_at >= 0"_qs
                                        .arg(postgres() ? QString() : u"INDEXED BY notifications_pending"_qs)).toInt(), 4);

        // A resent event raises nothing, so it queues nothing.
        QVERIFY2(store->ingest({batch.at(0)}, pipeline, kEventTime + 1, &outcome, &error), qPrintable(error));
        QCOMPARE(outcome.alerts.size(), 0);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM notifications"_qs).toInt(), 4);

        QList<AlertNotification> read;
        QVERIFY2(store->alertNotifications(first, &read, &error), qPrintable(error));
        QCOMPARE(read.size(), 2);
        QCOMPARE(read.at(0).channel, u"EMAIL"_qs);
        QCOMPARE(read.at(0).status, u"PENDING"_qs);
        QCOMPARE(read.at(0).createdAtMs, kEventTime);
        QCOMPARE(read.at(0).sentAtMs, 0);
        QCOMPARE(read.at(1).channel, u"SLACK"_qs);
        QVERIFY(store->alertNotifications(quietOne, &read, &error));
        QCOMPARE(read.size(), 0);
        QVERIFY(store->alertNotifications(silencedOne, &read, &error));
        QCOMPARE(read.size(), 0);
    }

    // What Vigil delivered itself is recorded SENT, in one transaction per call, and read
    // back with the queued rows in the order they happened.
    void recordNotificationsAndReadThemBack()
    {
        std::unique_ptr<Store> store;
        QString connection;
        const qint64 alertId = storeWithAlert(&store, &connection, kEventTime);
        QVERIFY(alertId > 0);
        QString error;
        AlertNotification pending;
        pending.alertId = alertId;
        pending.channel = u"EMAIL"_qs;
        pending.status = u"PENDING"_qs;
        pending.createdAtMs = kEventTime;
        AlertNotification ws;
        ws.alertId = alertId;
        ws.channel = u"WEBSOCKET"_qs;
        ws.status = u"SENT"_qs;
        ws.target = u"2 subscribers"_qs;
        ws.attempts = 1;
        ws.createdAtMs = ws.sentAtMs = kEventTime + 500;
        AlertNotification desktop = ws;
        desktop.channel = u"DESKTOP"_qs;
        desktop.target = u"alice"_qs;
        desktop.createdAtMs = desktop.sentAtMs = kEventTime + 200;
        QVERIFY2(store->recordNotifications({ws, desktop, pending}, &error), qPrintable(error));

        QList<AlertNotification> read;
        QVERIFY2(store->alertNotifications(alertId, &read, &error), qPrintable(error));
        QCOMPARE(read.size(), 3);
        QCOMPARE(read.at(0).channel, u"EMAIL"_qs);
        QCOMPARE(read.at(1).channel, u"DESKTOP"_qs);
        QCOMPARE(read.at(1).target, u"alice"_qs);
        QCOMPARE(read.at(1).sentAtMs, kEventTime + 200);
        QCOMPARE(read.at(2).channel, u"WEBSOCKET"_qs);
        QCOMPARE(read.at(2).target, u"2 subscribers"_qs);
        QCOMPARE(read.at(2).attempts, 1);

        // A wrong status is refused before anything is written; so is an unknown alert
        // (and the batch it came in).
        AlertNotification bad = ws;
        bad.status = u"DONE"_qs;
        QVERIFY(!store->recordNotifications({ws, bad}, &error));
        QVERIFY2(error.contains(u"PENDING, SENT or FAILED"_qs), qPrintable(error));
        AlertNotification orphan = ws;
        orphan.alertId = alertId + 1000;
        error.clear();
        QVERIFY(!store->recordNotifications({ws, orphan}, &error));
        QVERIFY2(error.contains(foreignKeyFailure()), qPrintable(error));
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM notifications"_qs).toInt(), 3);

        // The timeline: responses and notifications in time order.
        QVERIFY(store->applyAlertAction(alertId, AlertAction::Acknowledge, Actor{u"bob"_qs, Role::Analyst}, {}).outcome
                == Outcome::Done);
        QList<AlertHistoryEntry> history;
        QVERIFY(store->alertHistory(alertId, &history, &error));
        QCOMPARE(history.size(), 1);
        const QList<AlertHistoryEntry> merged = mergedHistory(history, read);
        QCOMPARE(merged.size(), 4);
        QCOMPARE(merged.at(0).channel, u"EMAIL"_qs);
        QCOMPARE(merged.at(1).channel, u"DESKTOP"_qs);
        QCOMPARE(merged.at(2).channel, u"WEBSOCKET"_qs);
        QCOMPARE(merged.at(3).action, u"ACKNOWLEDGE"_qs); // now, long after the alert
        QCOMPARE(merged.at(3).user, u"bob"_qs);
    }

    // --- rules ---

    void rulesImportAndReplaceByName()
    {
        QString connection;
        auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        const Actor admin{u"ada"_qs, Role::Admin};
        int created = -1, updated = -1;
        QString error;
        const auto rule = [](const QString &name, const QString &severity) {
            return makeRule(QStringLiteral(R"({"name": "%1", "alert_type": "TRANSACTION", "severity": "%2",
                "conditions": [{"field": "amount", "operator": "gt", "value": 100}],
                "message": "{fields.amount} from {source_id}", "notification_channels": ["EMAIL"]})")
                                .arg(name, severity)
                                .toUtf8());
        };
        QVERIFY2(store->importRules({rule(u"A"_qs, u"LOW"_qs), rule(u"B"_qs, u"HIGH"_qs)}, admin, &created, &updated, &error),
                 qPrintable(error));
        QCOMPARE(created, 2);
        QCOMPARE(updated, 0);
        QVERIFY2(store->importRules({rule(u"B"_qs, u"CRITICAL"_qs), rule(u"C"_qs, u"MEDIUM"_qs)}, admin, &created, &updated, &error),
                 qPrintable(error));
        QCOMPARE(created, 1);
        QCOMPARE(updated, 1);

        QList<engine::Rule> rules;
        QVERIFY(store->loadRules(&rules, &error));
        QCOMPARE(rules.size(), 3);
        QStringList loaded;
        for (const engine::Rule &r : std::as_const(rules)) {
            loaded << u"%1 %2 %3"_qs.arg(r.name, engine::toString(r.severity), r.createdBy);
            QVERIFY(r.id > 0);
            QCOMPARE(r.notificationChannels, QStringList{u"EMAIL"_qs});
            QCOMPARE(r.message.text(), u"{fields.amount} from {source_id}"_qs);
            // The flat prototype list is stored in the canonical tree form and loads back the same.
            QCOMPARE(r.conditions.toJson(), rule(r.name, u"LOW"_qs).conditions.toJson());
        }
        QCOMPARE(loaded, (QStringList{u"A LOW ada"_qs, u"B CRITICAL ada"_qs, u"C MEDIUM ada"_qs}));
        QCOMPARE(rows(connection, u"SELECT u.username, u.role FROM users u ORDER BY u.id"_qs),
                 (QStringList{u"system|system"_qs, u"ada|admin"_qs}));
        QCOMPARE(rows(connection, u"SELECT u.username, a.action, a.entity, r.name FROM audit_log a"
                                  " JOIN users u ON u.id = a.user_id JOIN rules r ON CAST(r.id AS TEXT) = a.entity_id"
                                  " ORDER BY a.id"_qs),
                 (QStringList{u"ada|rule.create|rule|A"_qs, u"ada|rule.create|rule|B"_qs, u"ada|rule.update|rule|B"_qs,
                              u"ada|rule.create|rule|C"_qs}));
        const QJsonObject details = QJsonDocument::fromJson(
            scalar(connection, u"SELECT details FROM audit_log WHERE action = 'rule.update'"_qs).toString().toUtf8()).object();
        QCOMPARE(details.value(u"severity"_qs).toString(), u"CRITICAL"_qs);
    }

    void rulesImportNeedsAdmin_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<Role>("role");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("analyst") << u"ann"_qs << Role::Analyst << false;
        QTest::newRow("manager") << u"max"_qs << Role::Manager << false;
        QTest::newRow("admin") << u"ada"_qs << Role::Admin << true;
        QTest::newRow("system") << u"system"_qs << Role::System << true;
    }
    void rulesImportNeedsAdmin()
    {
        QFETCH(QString, user);
        QFETCH(Role, role);
        QFETCH(bool, allowed);
        QString connection;
        auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        int created = -1, updated = -1;
        QString error;
        QCOMPARE(store->importRules({makeRule(kEveryLogin)}, Actor{user, role}, &created, &updated, &error), allowed);
        QCOMPARE(created, allowed ? 1 : 0);
        QCOMPARE(updated, 0);
        QCOMPARE(error, allowed ? QString() : u"%1 may not change rules: that needs the admin role"_qs.arg(user));
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM rules"_qs).toInt(), allowed ? 1 : 0);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM audit_log"_qs).toInt(), allowed ? 1 : 0);

        const qint64 ruleId = allowed ? scalar(connection, u"SELECT id FROM rules"_qs).toLongLong() : 1;
        error.clear();
        QCOMPARE(store->setRuleEnabled(ruleId, false, Actor{user, role}, &error), allowed);
        if (allowed) {
            QCOMPARE(scalar(connection, u"SELECT enabled FROM rules"_qs).toInt(), 0);
            QCOMPARE(rows(connection, u"SELECT action FROM audit_log ORDER BY id"_qs),
                     (QStringList{u"rule.create"_qs, u"rule.disable"_qs}));
        } else {
            QCOMPARE(error, u"%1 may not change rules: that needs the admin role"_qs.arg(user));
        }
    }

    // --- alert triage ---

    void alertActions_data()
    {
        QTest::addColumn<QList<Step>>("steps");
        const QString alice = u"alice"_qs, bob = u"bob"_qs, ada = u"ada"_qs;
        using A = AlertAction;
        using S = AlertStatus;

        QTest::newRow("acknowledge, then a second analyst")
            << QList<Step>{{alice, Role::Analyst, A::Acknowledge, {}, Outcome::Done, {}, S::Acknowledged},
                           {bob, Role::Analyst, A::Acknowledge, {}, Outcome::Conflict,
                            u"Alert %1 is already acknowledged by alice."_qs, S::Acknowledged}};
        QTest::newRow("acknowledge, resolve with a note, resolve again")
            << QList<Step>{{alice, Role::Analyst, A::Acknowledge, {}, Outcome::Done, {}, S::Acknowledged},
                           {bob, Role::Analyst, A::Resolve, u"blocked the source"_qs, Outcome::Done, {}, S::Resolved},
                           {alice, Role::Analyst, A::Resolve, u"again"_qs, Outcome::Conflict,
                            u"Alert %1 is already resolved by bob."_qs, S::Resolved},
                           {alice, Role::Analyst, A::Acknowledge, {}, Outcome::Conflict,
                            u"Alert %1 is already resolved by bob."_qs, S::Resolved}};
        QTest::newRow("false positive straight from NEW, then reopen")
            << QList<Step>{{alice, Role::Analyst, A::MarkFalsePositive, u"test traffic"_qs, Outcome::Done, {}, S::FalsePositive},
                           {bob, Role::Analyst, A::MarkFalsePositive, {}, Outcome::Conflict,
                            u"Alert %1 is already marked false positive by alice."_qs, S::FalsePositive},
                           {ada, Role::Admin, A::Reopen, u"not test traffic"_qs, Outcome::Done, {}, S::New},
                           {bob, Role::Analyst, A::Acknowledge, {}, Outcome::Done, {}, S::Acknowledged}};
        QTest::newRow("reopen an open alert")
            << QList<Step>{{alice, Role::Analyst, A::Reopen, {}, Outcome::Conflict, u"Alert %1 is already open."_qs, S::New}};
        QTest::newRow("manager may only look")
            << QList<Step>{{u"max"_qs, Role::Manager, A::Acknowledge, {}, Outcome::Forbidden,
                            u"max may not change alerts: that needs the analyst or admin role"_qs, S::New},
                           {u"max"_qs, Role::Manager, A::Resolve, u"n"_qs, Outcome::Forbidden,
                            u"max may not change alerts: that needs the analyst or admin role"_qs, S::New}};
        QTest::newRow("system resolves")
            << QList<Step>{{u"system"_qs, Role::System, A::Resolve, u"auto"_qs, Outcome::Done, {}, S::Resolved}};
    }
    void alertActions()
    {
        QFETCH(QList<Step>, steps);
        QElapsedTimer elapsed;
        elapsed.start();
        const qint64 createdAt = QDateTime::currentMSecsSinceEpoch() - 60'000;
        std::unique_ptr<Store> store;
        QString connection;
        const qint64 id = storeWithAlert(&store, &connection, createdAt);
        QVERIFY(id > 0);

        QStringList expectedResponses, expectedAudit;
        QString acknowledgedBy, resolvedBy, notes;
        for (const Step &step : std::as_const(steps)) {
            const ActionResult r = store->applyAlertAction(id, step.action, Actor{step.user, step.role}, step.note);
            QVERIFY2(r.outcome == step.expected, qPrintable(u"outcome %1: %2"_qs.arg(int(r.outcome)).arg(r.message)));
            QCOMPARE(r.message, step.message.contains(u"%1"_qs) ? step.message.arg(id) : step.message);
            AlertRecord now;
            QString error;
            QVERIFY(store->alert(id, &now, &error));
            QCOMPARE(engine::toString(now.status), engine::toString(step.statusAfter));
            if (step.expected == Outcome::Forbidden) {
                QCOMPARE(r.alert.id, 0);
                continue;
            }
            QCOMPARE(r.alert.id, id);
            QCOMPARE(engine::toString(r.alert.status), engine::toString(step.statusAfter));
            const bool done = step.expected == Outcome::Done;
            expectedResponses << u"%1|%2|%3|%4"_qs.arg(step.user, toString(step.action), step.note).arg(done ? 1 : 0);
            if (done) {
                expectedAudit << u"%1|alert.%2|alert|%3"_qs.arg(step.user, toString(step.action).toLower()).arg(id);
                switch (step.action) {
                case AlertAction::Acknowledge: acknowledgedBy = step.user; break;
                case AlertAction::Resolve:
                case AlertAction::MarkFalsePositive:
                    resolvedBy = step.user;
                    notes = step.note;
                    if (acknowledgedBy.isEmpty())
                        acknowledgedBy = step.user; // closing an unacknowledged alert acknowledges it too
                    break;
                case AlertAction::Reopen: acknowledgedBy.clear(); resolvedBy.clear(); break;
                }
            }
            QCOMPARE(now.acknowledgedBy, acknowledgedBy);
            QCOMPARE(now.resolvedBy, resolvedBy);
            QCOMPARE(now.acknowledgedAtMs > 0, !acknowledgedBy.isEmpty());
            QCOMPARE(now.resolvedAtMs > 0, !resolvedBy.isEmpty());
            if (!resolvedBy.isEmpty())
                QCOMPARE(now.resolutionNotes, notes);
            QCOMPARE(r.alert.acknowledgedBy, now.acknowledgedBy);
            QCOMPARE(r.alert.resolvedBy, now.resolvedBy);
        }
        QCOMPARE(rows(connection, u"SELECT u.username, r.action_taken, r.notes, r.success FROM alert_responses r"
                                  " JOIN users u ON u.id = r.user_id WHERE r.alert_id = ? ORDER BY r.id"_qs, {id}),
                 expectedResponses);
        QCOMPARE(rows(connection, u"SELECT u.username, a.action, a.entity, a.entity_id FROM audit_log a"
                                  " JOIN users u ON u.id = a.user_id WHERE a.entity = 'alert' ORDER BY a.id"_qs),
                 expectedAudit);
        // response_time_ms: from the alert's creation to the response.
        const qint64 upper = 60'000 + elapsed.elapsed() + 1;
        QSqlQuery q(QSqlDatabase::database(connection, false));
        QVERIFY(q.exec(u"SELECT response_time_ms FROM alert_responses"_qs));
        while (q.next()) {
            const qint64 ms = q.value(0).toLongLong();
            QVERIFY2(ms >= 60'000 && ms <= upper, qPrintable(QString::number(ms)));
        }
    }

    void alertActionAuditDetails()
    {
        std::unique_ptr<Store> store;
        QString connection;
        const qint64 id = storeWithAlert(&store, &connection, QDateTime::currentMSecsSinceEpoch());
        QVERIFY(id > 0);
        QCOMPARE(store->applyAlertAction(id, AlertAction::Acknowledge, Actor{u"alice"_qs, Role::Analyst}, {}).outcome, Outcome::Done);
        QCOMPARE(store->applyAlertAction(id, AlertAction::Resolve, Actor{u"alice"_qs, Role::Analyst}, u"fixed"_qs).outcome,
                 Outcome::Done);
        QStringList details;
        for (const QString &text : rows(connection, u"SELECT details FROM audit_log WHERE entity = 'alert' ORDER BY id"_qs))
            details << QString::fromUtf8(QJsonDocument::fromJson(text.toUtf8()).toJson(QJsonDocument::Compact));
        QCOMPARE(details, (QStringList{u"{\"from\":\"NEW\",\"note\":\"\"}"_qs, u"{\"from\":\"ACKNOWLEDGED\",\"note\":\"fixed\"}"_qs}));
        StoreCounts counts;
        QString error;
        QVERIFY(store->counts(&counts, &error));
        QCOMPARE(counts.alerts, 1);
        QCOMPARE(counts.openAlerts, 0);
        // The /alerts wire form of a resolved alert carries who and why.
        AlertRecord a;
        QVERIFY(store->alert(id, &a, &error));
        const QJsonObject json = a.toJson();
        QCOMPARE(json.value(u"status"_qs).toString(), u"RESOLVED"_qs);
        QCOMPARE(json.value(u"acknowledged_by"_qs).toString(), u"alice"_qs);
        QCOMPARE(json.value(u"resolved_by"_qs).toString(), u"alice"_qs);
        QCOMPARE(json.value(u"resolution_notes"_qs).toString(), u"fixed"_qs);
        QCOMPARE(json.value(u"event_id"_qs).toString(), u"evt-1"_qs);
    }

    void alertActionNotFound_data()
    {
        QTest::addColumn<AlertAction>("action");
        QTest::newRow("acknowledge") << AlertAction::Acknowledge;
        QTest::newRow("resolve") << AlertAction::Resolve;
        QTest::newRow("false positive") << AlertAction::MarkFalsePositive;
        QTest::newRow("reopen") << AlertAction::Reopen;
    }
    void alertActionNotFound()
    {
        QFETCH(AlertAction, action);
        std::unique_ptr<Store> store;
        QString connection;
        const qint64 id = storeWithAlert(&store, &connection, kEventTime);
        QVERIFY(id > 0);
        const ActionResult r = store->applyAlertAction(id + 100, action, Actor{u"alice"_qs, Role::Analyst}, u"n"_qs);
        QCOMPARE(r.outcome, Outcome::NotFound);
        QCOMPARE(r.message, u"alert %1 does not exist"_qs.arg(id + 100));
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM alert_responses"_qs).toInt(), 0);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM audit_log WHERE entity = 'alert'"_qs).toInt(), 0);
    }

    // --- events read back ---

    void eventJsonRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("event");
        QTest::newRow("flat") << QByteArray(R"({"id": "p1-1", "time": "2026-01-31T11:00:00.250Z", "type": "TRANSACTION",
            "source_type": "payments", "source_id": "acct-9", "fields": {"amount": 12500.5, "currency": "EUR"}})");
        QTest::newRow("nested and arrays") << QByteArray(R"({"id": "p1-2", "time": "2026-01-31T11:00:00.000Z", "type": "SECURITY",
            "source_type": "auth", "source_id": "host-1",
            "fields": {"geo": {"country": "DE", "city": {"name": "Köln"}}, "tags": ["a", 1, true, null], "ok": false}})");
        QTest::newRow("empty fields") << QByteArray(R"({"id": "p1-3", "time": "2026-01-31T11:00:00.000Z", "type": "SYSTEM",
            "source_type": "metrics", "source_id": "node-7", "fields": {}})");
        // (not a raw string: moc mis-reads a backslash-quote inside one)
        QTest::newRow("unicode ids") << QByteArray("{\"id\": \"生産者-1\", \"time\": \"2026-01-31T11:00:00.000Z\", \"type\": \"COMPLIANCE\","
            " \"source_type\": \"audit ✓\", \"source_id\": \"ünit\", \"fields\": {\"note\": \"line\\nbreak \\\"quoted\\\"\"}}");
        QTest::newRow("big integers") << QByteArray(R"({"id": "p1-5", "time": "2026-01-31T11:00:00.000Z", "type": "INVENTORY",
            "source_type": "wms", "source_id": "wh-1", "fields": {"quantity": -3, "sku": "X", "serial": 9007199254740991}})");
    }
    void eventJsonRoundTrip()
    {
        QFETCH(QByteArray, event);
        QString connection;
        auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        engine::Event e;
        QString error;
        QVERIFY2(engine::EventCodec::decodeEvent(QJsonDocument::fromJson(event).object(), 0, u"event"_qs, &e, &error), qPrintable(error));
        engine::Pipeline pipeline;
        IngestOutcome outcome;
        QVERIFY(store->ingest({e}, pipeline, kEventTime, &outcome, &error));
        const qint64 rowId = scalar(connection, u"SELECT id FROM events WHERE event_id = ?"_qs, {e.id}).toLongLong();
        QJsonObject back;
        QVERIFY2(store->eventJson(rowId, &back, &error), qPrintable(error));
        QCOMPARE(back, engine::EventCodec::toJson(e));
        QCOMPARE(back, QJsonDocument::fromJson(event).object());
    }

    void eventJsonMissing()
    {
        QString connection;
        auto store = openStore(freshUrl(), &connection);
        QVERIFY(store);
        QJsonObject back{{u"untouched"_qs, true}};
        QString error;
        QVERIFY(!store->eventJson(42, &back, &error));
        QCOMPARE(error, u"event 42 is not in the database"_qs);
        QCOMPARE(back, (QJsonObject{{u"untouched"_qs, true}}));
    }

    // --- where the database is ---

    void databaseUrlParse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("database");
        QTest::addColumn<QString>("options");
        QTest::addColumn<QString>("display"); // displayName() when ok, else the error

        const int sqlite = int(DatabaseUrl::Kind::SQLite), pg = int(DatabaseUrl::Kind::PostgreSQL);
        const QString none;
        QTest::newRow("sqlite: prefix") << u"sqlite:/var/lib/vigil/vigil.db"_qs << true << sqlite << u"/var/lib/vigil/vigil.db"_qs
                                        << none << 5432 << none << none << none << none << u"SQLite /var/lib/vigil/vigil.db"_qs;
        QTest::newRow("plain path") << u"data/v.db"_qs << true << sqlite << u"data/v.db"_qs << none << 5432 << none << none
                                    << none << none << u"SQLite data/v.db"_qs;
        QTest::newRow("memory") << u"sqlite::memory:"_qs << true << sqlite << u":memory:"_qs << none << 5432 << none << none
                                << none << none << u"SQLite :memory:"_qs;
        QTest::newRow("surrounding blanks") << u"  sqlite:/tmp/a.db \n"_qs << true << sqlite << u"/tmp/a.db"_qs << none << 5432
                                            << none << none << none << none << u"SQLite /tmp/a.db"_qs;
        QTest::newRow("postgresql full") << u"postgresql://vigil:s3cret@db.example.org:6543/ops?sslmode=require&connect_timeout=5"_qs
                                         << true << pg << none << u"db.example.org"_qs << 6543 << u"vigil"_qs << u"s3cret"_qs
                                         << u"ops"_qs << u"sslmode=require;connect_timeout=5"_qs
                                         << u"PostgreSQL vigil@db.example.org:6543/ops"_qs;
        QTest::newRow("postgres scheme, default port") << u"postgres://127.0.0.1/vigil"_qs << true << pg << none << u"127.0.0.1"_qs
                                                       << 5432 << none << none << u"vigil"_qs << none
                                                       << u"PostgreSQL 127.0.0.1:5432/vigil"_qs;
        QTest::newRow("percent-encoded password") << u"postgresql://ops:p%40ss%3Aw0rd@db:5432/vigil"_qs << true << pg << none
                                                  << u"db"_qs << 5432 << u"ops"_qs << u"p@ss:w0rd"_qs << u"vigil"_qs << none
                                                  << u"PostgreSQL ops@db:5432/vigil"_qs;
        QTest::newRow("IPv6 host") << u"postgresql://vigil@[::1]:5433/vigil"_qs << true << pg << none << u"::1"_qs << 5433
                                   << u"vigil"_qs << none << u"vigil"_qs << none << u"PostgreSQL vigil@::1:5433/vigil"_qs;
        QTest::newRow("no database") << u"postgresql://vigil:pw@db:5432"_qs << false << 0 << none << none << 0 << none << none
                                     << none << none << u"'postgresql://vigil@db:5432' names no database: add /DBNAME at the end"_qs;
        QTest::newRow("no host") << u"postgresql:///vigil"_qs << false << 0 << none << none << 0 << none << none << none << none
                                 << u"'postgresql:///vigil' is not a valid PostgreSQL URL such as postgresql://vigil@127.0.0.1:5432/vigil"_qs;
        QTest::newRow("other scheme") << u"mysql://db/vigil"_qs << false << 0 << none << none << 0 << none << none << none << none
                                      << u"unsupported database URL 'mysql://db/vigil': use sqlite:PATH, a file path, or postgresql://..."_qs;
        QTest::newRow("empty") << u"  "_qs << false << 0 << none << none << 0 << none << none << none << none
                               << u"the database is empty: give sqlite:PATH, a file path, or postgresql://user@host/db"_qs;
        QTest::newRow("sqlite without path") << u"sqlite:"_qs << false << 0 << none << none << 0 << none << none << none << none
                                             << u"sqlite: needs a file path, e.g. sqlite:/var/lib/vigil/vigil.db"_qs;
    }
    void databaseUrlParse()
    {
        if (postgres())
            QSKIP("the same on every backend: run on the sqlite row");
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(QString, display);
        DatabaseUrl url;
        url.path = u"untouched"_qs;
        QString error;
        QCOMPARE(DatabaseUrl::parse(text, &url, &error), ok);
        if (!ok) {
            QCOMPARE(error, display);
            QCOMPARE(url.path, u"untouched"_qs);
            return;
        }
        QFETCH(int, kind);
        QFETCH(QString, path);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(QString, database);
        QFETCH(QString, options);
        QCOMPARE(int(url.kind), kind);
        QCOMPARE(url.path, path);
        QCOMPARE(url.host, host);
        QCOMPARE(url.port, port);
        QCOMPARE(url.user, user);
        QCOMPARE(url.password, password);
        QCOMPARE(url.database, database);
        QCOMPARE(url.options, options);
        QCOMPARE(url.displayName(), display);
        if (!password.isEmpty())
            QVERIFY(!url.displayName().contains(password));
    }

    void databaseUrlPostgresWithoutServer()
    {
        if (postgres())
            QSKIP("the same on every backend: run on the sqlite row");
        // Callers do not change for PostgreSQL: the same open() reports why it cannot connect.
        DatabaseUrl url;
        QString error;
        QVERIFY(DatabaseUrl::parse(u"postgresql://vigil:pw@127.0.0.1:1/vigil?connect_timeout=1"_qs, &url, &error));
        auto store = Store::open(url, connectionName(), &error);
        QVERIFY(!store);
        QVERIFY2(error.startsWith(u"the Qt PostgreSQL driver is not installed"_qs)
                     || error.startsWith(u"cannot open the database PostgreSQL vigil@127.0.0.1:1/vigil: "_qs),
                 qPrintable(error));
        QVERIFY(!error.contains(u"pw@"_qs));
    }
};

QTEST_GUILESS_MAIN(TestStore)

#include "tst_store.moc"
