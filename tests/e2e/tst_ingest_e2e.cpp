// End to end in one process: a Vigil node (writer + WebSocket server threads) on a loopback
// port, real QWebSocket producers and subscribers, and the rows in the database (a SQLite
// file and, with VIGIL_TEST_POSTGRES_URL, PostgreSQL).

#include "app/node.h"
#include "app/ingest/thread_priority.h"
#include "app/node_backend.h"
#include "engine/events/event.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"
#include "ui/notifications/desktop_notifications.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <sys/resource.h>
#include <thread>

using namespace vigil;
using vigil::test::PostgresTestDatabases;

namespace {

const QString kToken = u"e2e-token-7f3a"_qs;
// 2026-01-31T12:00:00Z
constexpr qint64 kT0 = 1769860800000;
constexpr qint64 kMinute = 60'000;

const QByteArray kRules = R"({"rules": [
  {"name": "Big transfer", "alert_type": "TRANSACTION", "severity": "HIGH",
   "conditions": {"all": [{"field": "fields.amount", "op": "gt", "value": 10000}]},
   "message": "Transfer of {fields.amount} from {source_id}", "notification_channels": ["EMAIL", "WEBSOCKET"]},
  {"name": "Brute force", "alert_type": "SECURITY", "severity": "CRITICAL",
   "conditions": {"all": [
      {"field": "fields.outcome", "op": "eq", "value": "failure"},
      {"aggregate": "count", "group_by": "source_id", "window": "5m", "op": "gt", "value": 3,
       "where": {"field": "fields.outcome", "op": "eq", "value": "failure"}}]},
   "message": "More than 3 failed logins from {source_id}"}
]})";

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }
QJsonObject parse(const QString &text) { return QJsonDocument::fromJson(text.toUtf8()).object(); }

QJsonObject makeEvent(const QString &id, const QString &type, const QString &sourceId, const QJsonObject &fields,
                  qint64 timeMs = kT0)
{
    return QJsonObject{{u"id"_qs, id},
                       {u"time"_qs, engine::formatTime(timeMs)},
                       {u"type"_qs, type},
                       {u"source_type"_qs, type == u"SECURITY"_qs ? u"auth"_qs : u"payments"_qs},
                       {u"source_id"_qs, sourceId},
                       {u"fields"_qs, fields}};
}
QJsonObject transfer(const QString &id, double amount, const QString &account = u"acct-1"_qs)
{
    return makeEvent(id, u"TRANSACTION"_qs, account, {{u"amount"_qs, amount}, {u"currency"_qs, u"EUR"_qs}});
}
QJsonObject login(const QString &id, const QString &host, const QString &outcome, qint64 timeMs)
{
    return makeEvent(id, u"SECURITY"_qs, host, {{u"user"_qs, u"root"_qs}, {u"outcome"_qs, outcome}}, timeMs);
}
QJsonObject batch(const QList<QJsonObject> &events)
{
    QJsonArray a;
    for (const QJsonObject &e : events)
        a.append(e);
    return {{u"events"_qs, a}};
}

QJsonObject reply(const QStringList &accepted, const QStringList &duplicates = {}, const QJsonArray &rejected = {})
{
    return {{u"accepted"_qs, QJsonArray::fromStringList(accepted)},
            {u"duplicates"_qs, QJsonArray::fromStringList(duplicates)},
            {u"rejected"_qs, rejected}};
}
QJsonObject rejection(const QJsonValue &id, const QString &error) { return {{u"id"_qs, id}, {u"error"_qs, error}}; }

// A QWebSocket that remembers what it received and how it ended.
class Client : public QObject
{
public:
    QWebSocket socket;
    QStringList received;
    int connectedCount = 0;
    int disconnectedCount = 0;
    int errors = 0;
    QStringList errorTexts;
    qsizetype receivedWhenDisconnected = -1;

    Client()
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &m) { received << m; });
        QObject::connect(&socket, &QWebSocket::connected, this, [this] { ++connectedCount; });
        QObject::connect(&socket, &QWebSocket::disconnected, this, [this] {
            ++disconnectedCount;
            receivedWhenDisconnected = received.size();
        });
        QObject::connect(&socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this](QAbstractSocket::SocketError e) {
            ++errors;
            errorTexts << u"%1 %2"_qs.arg(int(e)).arg(socket.errorString());
        });
    }
    void open(quint16 port, const QString &path, const QString &headerToken, const QString &queryToken = {})
    {
        QUrl url(u"ws://127.0.0.1:%1%2"_qs.arg(port).arg(path));
        if (!queryToken.isNull())
            url.setQuery(u"token="_qs + QString::fromLatin1(QUrl::toPercentEncoding(queryToken)));
        QNetworkRequest request(url);
        if (!headerToken.isNull())
            request.setRawHeader("Authorization", "Bearer " + headerToken.toUtf8());
        socket.open(request);
    }
    void send(const QJsonObject &o) { socket.sendTextMessage(QString::fromUtf8(compact(o))); }
    void send(const QByteArray &raw) { socket.sendTextMessage(QString::fromUtf8(raw)); }
};

} // namespace

class TestIngestE2e : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    PostgresTestDatabases m_postgres;
    int m_counter = 0;
    models::DatabaseUrl m_url;
    std::unique_ptr<app::Node> m_node;
    std::unique_ptr<models::Store> m_reader; // a second connection, to look at the rows
    QString m_readerName;

    // A fresh database with kRules imported and a node on an ephemeral port.
    // A producer on /events and a subscriber on /alerts, both connected.
    bool openProducerAndSubscriber(Client &producer, Client &subscriber)
    {
        producer.open(port(), u"/events"_qs, kToken);
        subscriber.open(port(), u"/alerts"_qs, kToken);
        return QTest::qWaitFor([&] { return producer.connectedCount == 1 && subscriber.connectedCount == 1; });
    }

    bool startNode(qint64 maxMessageBytes = 1024 * 1024, int writerPrioritySteps = 0)
    {
        m_url = {};
        m_url.path = m_dir.filePath(u"db-%1.sqlite"_qs.arg(++m_counter));
        QString error;
        if (PostgresTestDatabases::isPostgres() && !m_postgres.create(&m_url, &error)) {
            qWarning("%s", qPrintable(error));
            return false;
        }
        {
            auto setup = models::Store::open(m_url, u"e2e-setup-%1"_qs.arg(m_counter), &error);
            QList<engine::Rule> rules;
            int created = 0, updated = 0;
            if (!setup || !engine::Rule::listFromJson(kRules, &rules, &error)
                || !setup->importRules(rules, models::Actor::system(), &created, &updated, &error) || created != 2) {
                qWarning("setup: %s", qPrintable(error));
                return false;
            }
        }
        app::NodeOptions options;
        options.database = m_url;
        options.host = QHostAddress::LocalHost;
        options.port = 0;
        options.token = kToken;
        options.maxMessageBytes = maxMessageBytes;
        options.writerPrioritySteps = writerPrioritySteps;
        m_node = std::make_unique<app::Node>(options);
        if (!m_node->start(&error)) {
            qWarning("start: %s", qPrintable(error));
            return false;
        }
        m_readerName = u"e2e-reader-%1"_qs.arg(m_counter);
        m_reader = models::Store::open(m_url, m_readerName, &error);
        return m_node->port() != 0 && m_reader;
    }

    quint16 port() const { return m_node->port(); }

    QStringList rows(const QString &sql) const
    {
        QSqlQuery q(QSqlDatabase::database(m_readerName, false));
        if (!q.exec(sql))
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

private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void init() { VIGIL_SKIP_UNAVAILABLE_BACKEND(); }

    void cleanup()
    {
        m_reader.reset();
        if (m_node)
            m_node->stop();
        m_node.reset();
        m_postgres.dropAll();
    }

    // --- acks and rejections: every message gets one reply, bad input never closes ---

    void replies_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QJsonObject>("expected");
        const QJsonValue null(QJsonValue::Null);
        const QString types = u"TRANSACTION, INVENTORY, SECURITY, SYSTEM, COMPLIANCE"_qs;

        QTest::newRow("one event") << compact(transfer(u"p1-1"_qs, 5)) << reply({u"p1-1"_qs});
        QTest::newRow("batch") << compact(batch({transfer(u"p1-1"_qs, 5), transfer(u"p1-2"_qs, 6), transfer(u"p1-3"_qs, 7)}))
                               << reply({u"p1-1"_qs, u"p1-2"_qs, u"p1-3"_qs});
        QTest::newRow("time defaults to now") << QByteArray(R"({"id": "p1-1", "type": "SYSTEM", "source_type": "m", "source_id": "n", "fields": {}})")
                                              << reply({u"p1-1"_qs});
        QTest::newRow("malformed JSON") << QByteArray(R"({"id": "p1-1", "type": )")
                                        << reply({}, {}, {rejection(null, u"message is not valid JSON: unterminated object at offset 23"_qs)});
        QTest::newRow("not an object") << QByteArray("[1, 2]")
                                       << reply({}, {}, {rejection(null, u"message must be a JSON object: one event or {\"events\": [...]}"_qs)});
        QTest::newRow("unknown type") << compact(makeEvent(u"p1-1"_qs, u"LOGIN"_qs, u"h"_qs, {}))
                                      << reply({}, {}, {rejection(u"p1-1"_qs, u"event.type: unknown event type 'LOGIN' (expected one of %1)"_qs.arg(types))});
        QTest::newRow("missing source_id") << QByteArray(R"({"id": "p1-1", "type": "SYSTEM", "source_type": "m", "fields": {}})")
                                           << reply({}, {}, {rejection(u"p1-1"_qs, u"event: required field 'source_id' is missing"_qs)});
        QTest::newRow("missing id") << QByteArray(R"({"type": "SYSTEM", "source_type": "m", "source_id": "n"})")
                                    << reply({}, {}, {rejection(null, u"event: required field 'id' is missing"_qs)});
        QTest::newRow("fields not an object") << QByteArray(R"({"id": "p1-1", "type": "SYSTEM", "source_type": "m", "source_id": "n", "fields": 3})")
                                              << reply({}, {}, {rejection(u"p1-1"_qs, u"event.fields: must be an object, got a number"_qs)});
        QTest::newRow("bad time") << QByteArray(R"({"id": "p1-1", "time": "yesterday", "type": "SYSTEM", "source_type": "m", "source_id": "n"})")
                                  << reply({}, {}, {rejection(u"p1-1"_qs, u"event.time: 'yesterday' is not an RFC 3339 time such as 2026-01-31T12:00:00Z"_qs)});
        QTest::newRow("events not an array") << QByteArray(R"({"events": {"id": "p1-1"}})")
                                             << reply({}, {}, {rejection(null, u"events: must be an array of event objects, got an object"_qs)});
        QJsonArray mixed{transfer(u"p1-1"_qs, 5), 7, makeEvent(u"p1-3"_qs, u"NOPE"_qs, u"h"_qs, {}), transfer(u"p1-4"_qs, 8)};
        QTest::newRow("batch with bad members") << compact({{u"events"_qs, mixed}})
                                                << reply({u"p1-1"_qs, u"p1-4"_qs}, {},
                                                         {rejection(null, u"events[1]: must be an event object, got a number"_qs),
                                                          rejection(u"p1-3"_qs, u"events[2].type: unknown event type 'NOPE' (expected one of %1)"_qs.arg(types))});
    }
    void replies()
    {
        QFETCH(QByteArray, message);
        QFETCH(QJsonObject, expected);
        QVERIFY(startNode());
        Client producer;
        producer.open(port(), u"/events"_qs, kToken);
        QTRY_COMPARE(producer.connectedCount, 1);

        producer.send(message);
        QTRY_COMPARE(producer.received.size(), 1);
        QCOMPARE(parse(producer.received.at(0)), expected);

        // The connection is still open and the next message works.
        producer.send(transfer(u"after-1"_qs, 1));
        QTRY_COMPARE(producer.received.size(), 2);
        QCOMPARE(parse(producer.received.at(1)), reply({u"after-1"_qs}));
        QCOMPARE(producer.disconnectedCount, 0);
        QCOMPARE(producer.socket.state(), QAbstractSocket::ConnectedState);

        // Exactly the accepted events are rows.
        QStringList stored;
        for (const QJsonValue &id : expected.value(u"accepted"_qs).toArray())
            stored << id.toString();
        stored << u"after-1"_qs;
        QCOMPARE(rows(u"SELECT event_id FROM events ORDER BY id"_qs), stored);
        const app::IngestCounters &c = m_node->counters();
        QCOMPARE(c.accepted.load(), stored.size());
        QCOMPARE(c.rejected.load(), expected.value(u"rejected"_qs).toArray().size());
        QCOMPARE(c.duplicates.load(), 0);
    }

    // --- the writer's priority (a headless node's: cli.cpp) ---

    // The writer and the rules' worker it starts run 5 nice steps above the process; the
    // network, text-index and checkpoint threads keep the process's priority. Where raising
    // is refused (no CAP_SYS_NICE, RLIMIT_NICE too low) the node is asked for 5 steps below
    // instead, which is always allowed, so the same threads must move and the others not.
    void writerRunsAboveTheOtherThreads()
    {
        const int base = app::currentThreadNice();
        bool mayRaise = false; // found on a thread that ends right after
        std::thread([&] { mayRaise = app::raiseCurrentThreadPriority(5, nullptr); }).join();
        const int steps = mayRaise ? 5 : -5;
        QVERIFY(startNode(1024 * 1024, steps));
        Client producer;
        producer.open(port(), u"/events"_qs, kToken);
        QTRY_COMPARE(producer.connectedCount, 1);
        // More events than one rules chunk (Pipeline::kRuleChunkEvents): the rules' worker
        // starts (where there are two cores or more; with one, the writer evaluates them).
        QList<QJsonObject> events;
        QStringList ids;
        for (int i = 0; i < 600; ++i) {
            ids << u"prio-%1"_qs.arg(i);
            events << transfer(ids.last(), i == 599 ? 20000 : 5);
        }
        producer.send(batch(events));
        QTRY_COMPARE(producer.received.size(), 1);
        QCOMPARE(parse(producer.received.at(0)), reply(ids));
        QCOMPARE(rows(u"SELECT COUNT(*) FROM alerts"_qs), QStringList{u"1"_qs});

        QMultiHash<QString, int> nice; // thread name → nice value, from /proc/self/task
        const QDir tasks(u"/proc/self/task"_qs);
        for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QFile comm(tasks.filePath(tid + u"/comm"_qs));
            if (!comm.open(QIODevice::ReadOnly))
                continue; // the thread ended meanwhile
            errno = 0;
            const int value = getpriority(PRIO_PROCESS, id_t(tid.toInt()));
            if (errno == 0)
                nice.insert(QString::fromUtf8(comm.readAll().trimmed()), value);
        }
        const QList<int> moved{std::clamp(base - steps, -20, 19)};
        if (moved.first() == base)
            QSKIP("the process runs at a nice value the writer cannot move away from");
        QCOMPARE(nice.values(u"vigil-writer"_qs), moved);
        QCOMPARE(nice.values(u"vigil-rules"_qs), std::thread::hardware_concurrency() >= 2 ? moved : QList<int>{});
        QCOMPARE(nice.values(u"vigil-network"_qs), QList<int>{base});
        // The free-text index and the checkpoints are SQLite's: on PostgreSQL neither thread runs.
        const QList<int> background = PostgresTestDatabases::isPostgres() ? QList<int>{} : QList<int>{base};
        QCOMPARE(nice.values(u"vigil-text"_qs), background);
        QCOMPARE(nice.values(u"vigil-wal"_qs), background);
    }

    // --- at-least-once delivery, idempotent ingest ---

    void duplicates()
    {
        QVERIFY(startNode());
        Client first, second;
        first.open(port(), u"/events"_qs, kToken);
        second.open(port(), u"/events"_qs, {}, kToken);
        QTRY_COMPARE(first.connectedCount, 1);
        QTRY_COMPARE(second.connectedCount, 1);

        first.send(transfer(u"p1-1"_qs, 20000));
        QTRY_COMPARE(first.received.size(), 1);
        QCOMPARE(parse(first.received.at(0)), reply({u"p1-1"_qs}));

        first.send(transfer(u"p1-1"_qs, 20000)); // a resend after a lost ack
        QTRY_COMPARE(first.received.size(), 2);
        QCOMPARE(parse(first.received.at(1)), reply({}, {u"p1-1"_qs}));

        first.send(batch({transfer(u"p1-1"_qs, 20000), transfer(u"p1-2"_qs, 3), transfer(u"p1-2"_qs, 3)}));
        QTRY_COMPARE(first.received.size(), 3);
        QCOMPARE(parse(first.received.at(2)), reply({u"p1-2"_qs}, {u"p1-1"_qs, u"p1-2"_qs}));

        second.send(transfer(u"p1-2"_qs, 3)); // another connection, same id
        QTRY_COMPARE(second.received.size(), 1);
        QCOMPARE(parse(second.received.at(0)), reply({}, {u"p1-2"_qs}));

        QCOMPARE(rows(u"SELECT event_id, COUNT(*) FROM events GROUP BY event_id ORDER BY event_id"_qs),
                 (QStringList{u"p1-1|1"_qs, u"p1-2|1"_qs}));
        // The big transfer raised its alert once, not once per copy.
        QCOMPARE(rows(u"SELECT a.rule_name, e.event_id FROM alerts a JOIN events e ON e.id = a.event_id"_qs),
                 QStringList{u"Big transfer|p1-1"_qs});
        const app::IngestCounters &c = m_node->counters();
        QCOMPARE(c.accepted.load(), 2);
        QCOMPARE(c.duplicates.load(), 4);
        QCOMPARE(c.alerts.load(), 1);
    }

    // --- the handshake: token and path checked before the upgrade ---

    void handshake_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("headerToken"); // null: no Authorization header
        QTest::addColumn<QString>("queryToken");  // null: no ?token=
        QTest::addColumn<int>("status");          // 101: connected

        const QString none;
        QTest::newRow("bearer") << u"/events"_qs << kToken << none << 101;
        QTest::newRow("query token") << u"/events"_qs << none << kToken << 101;
        QTest::newRow("subscriber, query token") << u"/alerts"_qs << none << kToken << 101;
        QTest::newRow("wrong bearer") << u"/events"_qs << u"e2e-token-7f3b"_qs << none << 401;
        QTest::newRow("wrong query token") << u"/events"_qs << none << u"nope"_qs << 401;
        QTest::newRow("missing token") << u"/events"_qs << none << none << 401;
        QTest::newRow("empty bearer") << u"/events"_qs << u""_qs << none << 401;
        QTest::newRow("token prefix") << u"/events"_qs << kToken.left(kToken.size() - 1) << none << 401;
        QTest::newRow("subscriber without token") << u"/alerts"_qs << none << none << 401;
        QTest::newRow("unknown path") << u"/admin"_qs << kToken << none << 404;
        QTest::newRow("root path") << u"/"_qs << kToken << none << 404;
    }
    void handshake()
    {
        QFETCH(QString, path);
        QFETCH(QString, headerToken);
        QFETCH(QString, queryToken);
        QFETCH(int, status);
        QVERIFY(startNode());

        Client client;
        client.open(port(), path, headerToken, queryToken);
        if (status == 101) {
            QTRY_COMPARE(client.connectedCount, 1);
            QCOMPARE(client.errors, 0);
        } else {
            QTRY_VERIFY(client.errors >= 1);
            QCOMPARE(client.connectedCount, 0);
            // The first error is the refused upgrade, with the server's status; the hang-up follows.
            QCOMPARE(client.errorTexts.first(),
                     u"%1 QWebSocketPrivate::processHandshake: Unhandled http status code: %2 (%3)."_qs
                         .arg(int(QAbstractSocket::ConnectionRefusedError))
                         .arg(status)
                         .arg(status == 401 ? u"Unauthorized"_qs : u"Not Found"_qs));
            QTRY_COMPARE(client.socket.state(), QAbstractSocket::UnconnectedState);
            QCOMPARE(m_node->serverStats().refusedHandshakes.load(), status == 401 ? 1 : 0);
        }

        // The same request by hand: the exact HTTP answer.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, port());
        QVERIFY(raw.waitForConnected(5000));
        QByteArray target = path.toUtf8();
        if (!queryToken.isNull())
            target += "?token=" + QUrl::toPercentEncoding(queryToken);
        QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        if (!headerToken.isNull())
            request += "Authorization: Bearer " + headerToken.toUtf8() + "\r\n";
        raw.write(request + "\r\n");
        QByteArray answer;
        QTRY_VERIFY((answer += raw.readAll()).contains("\r\n\r\n"));
        const QByteArray statusLine = answer.left(answer.indexOf("\r\n"));
        const QByteArray expectedLine = status == 101 ? "HTTP/1.1 101 Switching Protocols"
                                        : status == 401 ? "HTTP/1.1 401 Unauthorized"
                                                        : "HTTP/1.1 404 Not Found";
        QCOMPARE(statusLine, expectedLine);
        if (status == 401)
            QVERIFY(answer.contains("WWW-Authenticate: Bearer realm=\"vigil\"\r\n"));
        if (status != 101)
            QTRY_COMPARE(raw.state(), QAbstractSocket::UnconnectedState); // the server hangs up
        QCOMPARE(rows(u"SELECT COUNT(*) FROM events"_qs), QStringList{u"0"_qs});
    }

    // --- the size cap: close code 1009 ---

    void messageTooLarge_data()
    {
        QTest::addColumn<int>("frameSize");
        QTest::addColumn<int>("messageSize");
        QTest::addColumn<bool>("refused");
        QTest::newRow("one frame over the cap") << 512 * 1024 << 5000 << true;
        QTest::newRow("small frames, message over the cap") << 1000 << 5000 << true;
        QTest::newRow("just over") << 512 * 1024 << 4097 << true;
        QTest::newRow("just under") << 512 * 1024 << 4000 << false;
        QTest::newRow("small frames, message under the cap") << 1000 << 4000 << false;
    }
    void messageTooLarge()
    {
        QFETCH(int, frameSize);
        QFETCH(int, messageSize);
        QFETCH(bool, refused);
        QVERIFY(startNode(4096));
        Client producer;
        producer.socket.setOutgoingFrameSize(quint64(frameSize));
        producer.open(port(), u"/events"_qs, kToken);
        QTRY_COMPARE(producer.connectedCount, 1);

        // A valid event padded to exactly messageSize bytes.
        QJsonObject e = transfer(u"big-1"_qs, 1);
        const qsizetype base = compact(e).size() + QByteArray(R"(,"pad":"")").size();
        QJsonObject fields = e.value(u"fields"_qs).toObject();
        fields.insert(u"pad"_qs, QString(messageSize - base, u'x'));
        e.insert(u"fields"_qs, fields);
        const QByteArray text = compact(e);
        QCOMPARE(text.size(), messageSize);
        producer.send(text);

        if (refused) {
            QTRY_COMPARE(producer.disconnectedCount, 1);
            QCOMPARE(producer.socket.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
            QCOMPARE(producer.received.size(), 0);
            QCOMPARE(rows(u"SELECT COUNT(*) FROM events"_qs), QStringList{u"0"_qs});
        } else {
            QTRY_COMPARE(producer.received.size(), 1);
            QCOMPARE(parse(producer.received.at(0)), reply({u"big-1"_qs}));
            QCOMPARE(producer.disconnectedCount, 0);
        }
    }

    // --- /alerts subscribers ---

    void alertBroadcast()
    {
        QVERIFY(startNode());
        Client subscriber, other, producer;
        subscriber.open(port(), u"/alerts"_qs, kToken);
        other.open(port(), u"/alerts"_qs, {}, kToken);
        producer.open(port(), u"/events"_qs, kToken);
        QTRY_COMPARE(subscriber.connectedCount, 1);
        QTRY_COMPARE(other.connectedCount, 1);
        QTRY_COMPARE(producer.connectedCount, 1);
        QTRY_COMPARE(m_node->serverStats().subscribers.load(), 2);

        producer.send(transfer(u"t-small"_qs, 9999.99, u"acct-7"_qs)); // no rule hit
        producer.send(transfer(u"t-big"_qs, 25000, u"acct-7"_qs));
        QTRY_COMPARE(producer.received.size(), 2);
        QCOMPARE(parse(producer.received.at(0)), reply({u"t-small"_qs}));
        QCOMPARE(parse(producer.received.at(1)), reply({u"t-big"_qs}));
        // A last hit as a marker: when it arrives, everything before it has arrived.
        producer.send(transfer(u"t-marker"_qs, 10001, u"acct-8"_qs));
        QTRY_COMPARE(subscriber.received.size(), 2);
        QTRY_COMPARE(other.received.size(), 2);
        QCOMPARE(other.received, subscriber.received);

        const QStringList stored = rows(u"SELECT a.id, a.created_at, e.event_id FROM alerts a JOIN events e ON e.id = a.event_id ORDER BY a.id"_qs);
        QCOMPARE(stored.size(), 2);
        const QStringList big = stored.at(0).split(u'|');
        QCOMPARE(big.at(2), u"t-big"_qs);

        const QJsonObject message = parse(subscriber.received.at(0));
        QCOMPARE(message.value(u"type"_qs).toString(), u"alert"_qs);
        QCOMPARE(message.keys(), (QStringList{u"alert"_qs, u"type"_qs}));
        const QJsonObject expected{{u"id"_qs, big.at(0).toLongLong()},
                                   {u"rule"_qs, u"Big transfer"_qs},
                                   {u"severity"_qs, u"HIGH"_qs},
                                   {u"type"_qs, u"TRANSACTION"_qs},
                                   {u"message"_qs, u"Transfer of 25000 from acct-7"_qs},
                                   {u"status"_qs, u"NEW"_qs},
                                   {u"source_type"_qs, u"payments"_qs},
                                   {u"source_id"_qs, u"acct-7"_qs},
                                   {u"event_id"_qs, u"t-big"_qs},
                                   {u"created_at"_qs, engine::formatTime(big.at(1).toLongLong())}};
        QCOMPARE(message.value(u"alert"_qs).toObject(), expected);
        QCOMPARE(parse(subscriber.received.at(1)).value(u"alert"_qs).toObject().value(u"event_id"_qs).toString(), u"t-marker"_qs);
        // Subscribers only listen: their messages are not events.
        QCOMPARE(m_node->counters().alerts.load(), 2);

        // The notifications table: the rule's EMAIL waits in the outbox from the alert's
        // commit on; the broadcast to both subscribers is recorded within about a second.
        const qint64 marker = stored.at(1).split(u'|').at(0).toLongLong();
        const QString sql = u"SELECT alert_id, channel, status, target, attempts,"
                            " CASE WHEN sent_at IS NULL THEN 1 ELSE 0 END FROM notifications"
                            " ORDER BY alert_id, channel"_qs;
        QTRY_COMPARE(rows(sql), (QStringList{u"%1|EMAIL|PENDING||0|1"_qs.arg(big.at(0)),
                                             u"%1|WEBSOCKET|SENT|2 subscribers|1|0"_qs.arg(big.at(0)),
                                             u"%1|EMAIL|PENDING||0|1"_qs.arg(marker),
                                             u"%1|WEBSOCKET|SENT|2 subscribers|1|0"_qs.arg(marker)}));
    }

    // What Vigil sent itself goes into the alert's history: the /alerts broadcast (only when
    // someone listened) and the console's desktop notification, both through the writer.
    void deliveredNotificationsAreRecorded()
    {
        QVERIFY(startNode());
        // The console hears of every batch of rows once it is committed.
        app::NodeBackend console(m_node.get(), models::Actor{u"alice"_qs, models::Role::Analyst});
        QSignalSpy recorded(&console, &ui::ConsoleBackend::notificationsRecorded);
        Client producer;
        producer.open(port(), u"/events"_qs, kToken);
        QTRY_COMPARE(producer.connectedCount, 1);
        // Nobody listens: the alert is not broadcast and no WEBSOCKET row is written.
        producer.send(transfer(u"t-unheard"_qs, 25000, u"acct-1"_qs));
        QTRY_COMPARE(producer.received.size(), 1);

        Client subscriber;
        subscriber.open(port(), u"/alerts"_qs, kToken);
        QTRY_COMPARE(subscriber.connectedCount, 1);
        QTRY_COMPARE(m_node->serverStats().subscribers.load(), 1);
        producer.send(transfer(u"t-heard"_qs, 26000, u"acct-2"_qs));
        QTRY_COMPARE(subscriber.received.size(), 1);
        const qint64 heard = parse(subscriber.received.at(0)).value(u"alert"_qs).toObject().value(u"id"_qs).toInteger();
        const QStringList alerts = rows(u"SELECT a.id FROM alerts a JOIN events e ON e.id = a.event_id"
                                         " WHERE e.event_id = 't-unheard'"_qs);
        QCOMPARE(alerts.size(), 1);
        const QString sql = u"SELECT alert_id, channel, status, target FROM notifications"
                            " WHERE channel <> 'EMAIL' ORDER BY id"_qs;
        QTRY_COMPARE(rows(sql), QStringList{u"%1|WEBSOCKET|SENT|1 subscriber"_qs.arg(heard)});
        QTRY_COMPARE(recorded.count(), 1);
        QCOMPARE(recorded.at(0).at(0).value<QList<qint64>>(), QList<qint64>{heard});
        // Both were queued for EMAIL all the same.
        QCOMPARE(rows(u"SELECT alert_id FROM notifications WHERE channel = 'EMAIL' AND status = 'PENDING' ORDER BY id"_qs),
                 (QStringList{alerts.at(0), QString::number(heard)}));

        // The console showed a desktop notification of the heard alert to alice.
        const qint64 shownAt = QDateTime::currentMSecsSinceEpoch();
        console.recordNotifications(ui::DesktopNotifications::records({heard}, console.actor().username, shownAt));
        QTRY_COMPARE(rows(sql), (QStringList{u"%1|WEBSOCKET|SENT|1 subscriber"_qs.arg(heard),
                                             u"%1|DESKTOP|SENT|alice"_qs.arg(heard)}));
        QTRY_COMPARE(recorded.count(), 2);
        QCOMPARE(recorded.at(1).at(0).value<QList<qint64>>(), QList<qint64>{heard});
        QList<models::AlertNotification> read;
        QString error;
        QVERIFY2(m_reader->alertNotifications(heard, &read, &error), qPrintable(error));
        QCOMPARE(read.size(), 3);
        QCOMPARE(read.at(2).channel, u"DESKTOP"_qs);
        QCOMPARE(read.at(2).sentAtMs, shownAt);
    }

    // --- silences: silenced alerts are stored but never reach /alerts subscribers ---

    void silencedAlertsAreNotBroadcast()
    {
        QVERIFY(startNode());
        qRegisterMetaType<vigil::models::ActionResult>();
        qRegisterMetaType<vigil::models::BulkActionResult>();
        // The console's path: the backend posts the change to the writer, which reloads at once.
        app::NodeBackend console(m_node.get(), models::Actor{u"alice"_qs, models::Role::Analyst});
        QSignalSpy finished(&console, &ui::ConsoleBackend::silenceFinished);
        engine::Silence bySource;
        bySource.sourceId = u"acct-noisy"_qs;
        bySource.comment = u"test account of the payments team"_qs;
        bySource.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
        console.createSilence(bySource);
        QVERIFY(finished.wait());
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.at(0).at(0).toLongLong(), 1);
        QCOMPARE(finished.at(0).at(1).toString(), QString());

        Client subscriber, producer;
        subscriber.open(port(), u"/alerts"_qs, kToken);
        producer.open(port(), u"/events"_qs, kToken);
        QTRY_COMPARE(subscriber.connectedCount, 1);
        QTRY_COMPARE(producer.connectedCount, 1);
        QTRY_COMPARE(m_node->serverStats().subscribers.load(), 1);

        producer.send(transfer(u"t-silenced"_qs, 25000, u"acct-noisy"_qs));
        producer.send(transfer(u"t-heard"_qs, 26000, u"acct-7"_qs));
        producer.send(transfer(u"t-marker-1"_qs, 10001, u"acct-8"_qs));
        QTRY_COMPARE(producer.received.size(), 3);
        QCOMPARE(parse(producer.received.at(0)), reply({u"t-silenced"_qs})); // accepted like any event
        QTRY_COMPARE(subscriber.received.size(), 2);
        const auto eventIds = [&subscriber] {
            QStringList ids;
            for (const QString &m : std::as_const(subscriber.received))
                ids << parse(m).value(u"alert"_qs).toObject().value(u"event_id"_qs).toString();
            return ids;
        };
        QCOMPARE(eventIds(), (QStringList{u"t-heard"_qs, u"t-marker-1"_qs}));
        // Stored all the same, marked with the silence; the console's default query hides it.
        QCOMPARE(rows(u"SELECT e.event_id, COALESCE(a.silence_id, 0) FROM alerts a JOIN events e ON e.id = a.event_id ORDER BY a.id"_qs),
                 (QStringList{u"t-silenced|1"_qs, u"t-heard|0"_qs, u"t-marker-1|0"_qs}));
        QCOMPARE(m_node->counters().alerts.load(), 3);
        QCOMPARE(m_node->counters().silencedAlerts.load(), 1);
        // A silenced alert is not notified: nothing queued for its rule's EMAIL channel.
        QCOMPARE(rows(u"SELECT a.id, n.channel FROM notifications n JOIN alerts a ON a.id = n.alert_id"
                      " WHERE n.status = 'PENDING' ORDER BY n.id"_qs),
                 (QStringList{u"2|EMAIL"_qs, u"3|EMAIL"_qs}));
        QString error;
        qint64 shown = 0;
        QVERIFY(m_reader->countAlerts(models::AlertQuery{}, &shown, &error));
        QCOMPARE(shown, 2);

        // A silence made by another process reaches the running node through the writer's poll.
        QList<int> reloads; // queued to this thread: the writer emits from its own
        QObject context;
        connect(m_node->writer(), &app::IngestWriter::silencesChanged, &context, [&reloads](int n) { reloads << n; });
        engine::Silence byField;
        byField.fieldPath = u"fields.currency"_qs;
        byField.fieldValue = u"GBP"_qs;
        byField.comment = u"GBP desk migrates this week"_qs;
        byField.expiresAtMs = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
        QVERIFY2(m_reader->createSilence(&byField, models::Actor{u"bob"_qs, models::Role::Admin}, &error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(reloads.contains(2), 10000);
        QJsonObject gbp = transfer(u"t-gbp"_qs, 30000, u"acct-9"_qs);
        gbp[u"fields"_qs] = QJsonObject{{u"amount"_qs, 30000}, {u"currency"_qs, u"GBP"_qs}};
        producer.send(gbp);
        producer.send(transfer(u"t-marker-2"_qs, 10002, u"acct-8"_qs));

        // Ending the first silence early: the noisy account is heard again.
        console.expireSilence(1);
        QVERIFY(finished.wait());
        QCOMPARE(finished.count(), 2);
        QCOMPARE(finished.at(1).at(1).toString(), QString());
        producer.send(transfer(u"t-noisy-again"_qs, 25001, u"acct-noisy"_qs));
        QTRY_COMPARE(subscriber.received.size(), 4);
        QCOMPARE(eventIds(), (QStringList{u"t-heard"_qs, u"t-marker-1"_qs, u"t-marker-2"_qs, u"t-noisy-again"_qs}));
        QCOMPARE(rows(u"SELECT e.event_id, COALESCE(a.silence_id, 0) FROM alerts a JOIN events e ON e.id = a.event_id WHERE a.id > 3 ORDER BY a.id"_qs),
                 (QStringList{u"t-gbp|2"_qs, u"t-marker-2|0"_qs, u"t-noisy-again|0"_qs}));
        QCOMPARE(rows(u"SELECT u.username, l.action, l.entity_id FROM audit_log l JOIN users u ON u.id = l.user_id"
                      " WHERE l.entity = 'silence' ORDER BY l.id"_qs),
                 (QStringList{u"alice|silence.create|1"_qs, u"bob|silence.create|2"_qs, u"alice|silence.expire|1"_qs}));
    }

    // --- a window rule: more than 3 failed logins per source within 5 minutes ---

    void windowRule_data()
    {
        QTest::addColumn<QList<QJsonObject>>("logins");
        QTest::addColumn<bool>("oneMessage");  // all in one {"events": [...]} or one message each
        QTest::addColumn<QStringList>("alerted"); // event ids that raise "Brute force", in order

        const QString f = u"failure"_qs, s = u"success"_qs, h9 = u"host-9"_qs, h8 = u"host-8"_qs;
        const QList<QJsonObject> four{login(u"l1"_qs, h9, f, kT0), login(u"l2"_qs, h9, f, kT0 + kMinute),
                                      login(u"l3"_qs, h9, f, kT0 + 2 * kMinute), login(u"l4"_qs, h9, f, kT0 + 3 * kMinute)};
        QTest::newRow("four messages") << four << false << QStringList{u"l4"_qs};
        QTest::newRow("one batch of four") << four << true << QStringList{u"l4"_qs};
        QTest::newRow("three are not enough")
            << QList<QJsonObject>{four.at(0), four.at(1), four.at(2)} << false << QStringList{};
        QTest::newRow("per source")
            << QList<QJsonObject>{login(u"a1"_qs, h9, f, kT0), login(u"b1"_qs, h8, f, kT0), login(u"a2"_qs, h9, f, kT0 + 1),
                                  login(u"b2"_qs, h8, f, kT0 + 1), login(u"a3"_qs, h9, f, kT0 + 2), login(u"b3"_qs, h8, f, kT0 + 2),
                                  login(u"a4"_qs, h9, f, kT0 + 3)}
            << false << QStringList{u"a4"_qs};
        QTest::newRow("successes do not count")
            << QList<QJsonObject>{login(u"l1"_qs, h9, f, kT0), login(u"l2"_qs, h9, s, kT0 + 1), login(u"l3"_qs, h9, f, kT0 + 2),
                                  login(u"l4"_qs, h9, s, kT0 + 3), login(u"l5"_qs, h9, f, kT0 + 4), login(u"l6"_qs, h9, f, kT0 + 5)}
            << true << QStringList{u"l6"_qs};
        QTest::newRow("older than the window")
            << QList<QJsonObject>{login(u"l1"_qs, h9, f, kT0), login(u"l2"_qs, h9, f, kT0 + 2 * kMinute),
                                  login(u"l3"_qs, h9, f, kT0 + 4 * kMinute), login(u"l4"_qs, h9, f, kT0 + 6 * kMinute),
                                  login(u"l5"_qs, h9, f, kT0 + 6 * kMinute + 30'000)}
            << false << QStringList{u"l5"_qs};
    }
    void windowRule()
    {
        QFETCH(QList<QJsonObject>, logins);
        QFETCH(bool, oneMessage);
        QFETCH(QStringList, alerted);
        QVERIFY(startNode());
        Client subscriber, producer;
        subscriber.open(port(), u"/alerts"_qs, kToken);
        producer.open(port(), u"/events"_qs, kToken);
        QTRY_COMPARE(subscriber.connectedCount, 1);
        QTRY_COMPARE(producer.connectedCount, 1);

        QStringList ids;
        for (const QJsonObject &l : logins)
            ids << l.value(u"id"_qs).toString();
        if (oneMessage) {
            producer.send(batch(logins));
            QTRY_COMPARE(producer.received.size(), 1);
            QCOMPARE(parse(producer.received.at(0)), reply(ids));
        } else {
            for (qsizetype i = 0; i < logins.size(); ++i) {
                producer.send(logins.at(i)); // one at a time: each is its own commit
                QTRY_COMPARE(producer.received.size(), i + 1);
                QCOMPARE(parse(producer.received.at(i)), reply({ids.at(i)}));
            }
        }
        producer.send(transfer(u"marker"_qs, 50000));
        QTRY_COMPARE(subscriber.received.size(), alerted.size() + 1);

        QStringList broadcast;
        for (const QString &m : std::as_const(subscriber.received)) {
            const QJsonObject a = parse(m).value(u"alert"_qs).toObject();
            if (a.value(u"rule"_qs).toString() == u"Brute force"_qs) {
                broadcast << a.value(u"event_id"_qs).toString();
                QCOMPARE(a.value(u"severity"_qs).toString(), u"CRITICAL"_qs);
                QCOMPARE(a.value(u"message"_qs).toString(), u"More than 3 failed logins from host-9"_qs);
            }
        }
        QCOMPARE(broadcast, alerted);
        QStringList stored;
        for (const QString &id : alerted)
            stored << u"Brute force|SECURITY|CRITICAL|host-9|%1"_qs.arg(id);
        QCOMPARE(rows(u"SELECT a.rule_name, a.type, a.severity, a.source_id, e.event_id FROM alerts a"
                      " JOIN events e ON e.id = a.event_id WHERE a.rule_name = 'Brute force' ORDER BY a.id"_qs),
                 stored);
        QCOMPARE(rows(u"SELECT COUNT(*) FROM events"_qs), QStringList{QString::number(logins.size() + 1)});
    }

    // --- graceful stop: what was handed over is committed and answered, then sockets close ---

    // The /alerts broadcasts of the last second before a stop are recorded too: the one whose
    // record waits for the once-a-second batch, and those of the alerts the writer commits
    // while the node stops (broadcast after the server stopped accepting).
    void stopRecordsTheLastBroadcasts()
    {
        QVERIFY(startNode());
        Client producer, subscriber;
        QVERIFY(openProducerAndSubscriber(producer, subscriber));
        QTRY_COMPARE(m_node->serverStats().subscribers.load(), 1);

        producer.send(transfer(u"last-1"_qs, 20000, u"acct-1"_qs));
        QTRY_COMPARE(subscriber.received.size(), 1);
        // Two more, held in the writer: received, not yet committed when the stop begins.
        QSemaphore hold;
        m_node->writer()->post([&hold](models::Store &, engine::Pipeline &) { hold.acquire(); });
        producer.send(batch({transfer(u"last-2"_qs, 21000, u"acct-2"_qs), transfer(u"last-3"_qs, 22000, u"acct-3"_qs)}));
        QTRY_COMPARE(m_node->counters().queuedEvents.load(), 2);
        hold.release();
        m_node->stop();

        QTRY_COMPARE(subscriber.disconnectedCount, 1);
        QCOMPARE(subscriber.receivedWhenDisconnected, 3); // all three broadcast before the close
        QCOMPARE(rows(u"SELECT e.event_id, n.channel, n.status, n.target,"
                      " CASE WHEN n.sent_at > 0 THEN 1 ELSE 0 END FROM notifications n"
                      " JOIN alerts a ON a.id = n.alert_id JOIN events e ON e.id = a.event_id"
                      " WHERE n.channel = 'WEBSOCKET' ORDER BY e.event_id"_qs),
                 (QStringList{u"last-1|WEBSOCKET|SENT|1 subscriber|1"_qs, u"last-2|WEBSOCKET|SENT|1 subscriber|1"_qs,
                              u"last-3|WEBSOCKET|SENT|1 subscriber|1"_qs}));
    }

    void stopAnswersMessagesInFlight()
    {
        QVERIFY(startNode());
        Client producer, subscriber;
        QVERIFY(openProducerAndSubscriber(producer, subscriber));

        // Hold the writer so that the messages are received but not yet committed.
        QSemaphore hold;
        m_node->writer()->post([&hold](models::Store &, engine::Pipeline &) { hold.acquire(); });
        constexpr int kMessages = 6;
        QList<QJsonObject> expected;
        for (int i = 0; i < kMessages; ++i) {
            const QString a = u"s%1-a"_qs.arg(i), b = u"s%1-b"_qs.arg(i);
            producer.send(batch({transfer(a, 100 + i), transfer(b, 200 + i)}));
            expected << reply({a, b});
        }
        QTRY_COMPARE(m_node->counters().queuedEvents.load(), 2 * kMessages);
        QCOMPARE(producer.received.size(), 0);

        hold.release();
        m_node->stop();

        QTRY_COMPARE(producer.disconnectedCount, 1);
        QCOMPARE(producer.receivedWhenDisconnected, kMessages); // every reply came before the close
        QList<QJsonObject> got;
        for (const QString &m : std::as_const(producer.received))
            got << parse(m);
        QCOMPARE(got, expected);
        QCOMPARE(producer.socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QTRY_COMPARE(subscriber.disconnectedCount, 1);
        QCOMPARE(subscriber.socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        QCOMPARE(rows(u"SELECT COUNT(*) FROM events"_qs), QStringList{QString::number(2 * kMessages)});
        QCOMPARE(m_node->counters().queuedEvents.load(), 0);

        // Nobody gets in after the stop.
        Client late;
        late.open(port(), u"/events"_qs, kToken);
        QTRY_VERIFY(late.errors >= 1);
        QCOMPARE(late.connectedCount, 0);
    }
};

QTEST_GUILESS_MAIN(TestIngestE2e)

#include "tst_ingest_e2e.moc"
