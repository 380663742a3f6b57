// Live anomaly detection end to end: a Vigil node on a loopback port, a real QWebSocket
// producer and subscriber, models trained from stored events and (re)activated while the
// node runs, detections and anomaly alerts in the database (a SQLite file and, with
// VIGIL_TEST_POSTGRES_URL, PostgreSQL).

#include "../models/anomaly_test_data.h"

#include "app/node.h"
#include "engine/detectors/model_trainer.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace vigil;
using namespace vigil::testdata;
using vigil::test::PostgresTestDatabases;

namespace {

const QString kToken = u"models-e2e-token"_qs;

QJsonObject toWire(const engine::Event &e)
{
    return engine::EventCodec::toJson(e);
}

QByteArray message(const engine::EventBatch &events)
{
    QJsonArray a;
    for (const engine::Event &e : events)
        a.append(toWire(e));
    return QJsonDocument(QJsonObject{{u"events"_qs, a}}).toJson(QJsonDocument::Compact);
}

} // namespace

class TestModelsE2E : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PostgresTestDatabases m_postgres;
    int m_counter = 0;

    models::DatabaseUrl freshUrl()
    {
        ++m_counter;
        if (PostgresTestDatabases::isPostgres())
            return m_postgres.createOrWarn();
        models::DatabaseUrl url;
        url.path = m_dir.filePath(u"e2e-%1.db"_qs.arg(m_counter));
        return url;
    }

    // Stores history through the ingest path and trains + saves (and activates) a model.
    static qint64 trainAndSave(const models::DatabaseUrl &url, const QString &connection, bool seedHistory, int seed)
    {
        QString error;
        auto store = models::Store::open(url, connection, &error);
        if (!store)
            qFatal("%s", qPrintable(error));
        if (seedHistory) {
            engine::Pipeline none;
            models::IngestOutcome outcome;
            if (!store->ingest(normalPayments(1500, 31), none, kT0, &outcome, &error))
                qFatal("%s", qPrintable(error));
        }
        engine::ModelTrainer trainer;
        if (!trainer.setup(u"Payment anomaly"_qs, u"statistical"_qs, engine::EventType::Transaction,
                           {{u"seed"_qs, seed}, {u"threshold"_qs, 0.995}}, paymentFeatures(), &error))
            qFatal("%s", qPrintable(error));
        models::Store::EventRange range;
        if (!store->readEvents(range, [&](const engine::EventBatch &chunk) {
                for (const engine::Event &e : chunk)
                    trainer.addEvent(e);
                return true;
            }, &error))
            qFatal("%s", qPrintable(error));
        engine::ModelRecord record;
        if (!trainer.train({}, &record, &error) || !store->saveModel(&record, true, models::Actor::system(), &error))
            qFatal("%s", qPrintable(error));
        return record.id;
    }

    // One number, read on a connection of its own.
    static int count(const QString &connection, const models::DatabaseUrl &url, const QString &sql)
    {
        QString error;
        const auto store = models::Store::open(url, connection, &error);
        if (!store) {
            qWarning("%s: %s", qPrintable(sql), qPrintable(error));
            return -1;
        }
        QSqlQuery q(QSqlDatabase::database(connection, false));
        if (q.exec(sql) && q.next())
            return q.value(0).toInt();
        qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
        return -1;
    }

    static void openSocket(QWebSocket *socket, quint16 port, const QString &path)
    {
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1%2"_qs.arg(port).arg(path)));
        request.setRawHeader("Authorization", "Bearer " + kToken.toUtf8());
        socket->open(request);
    }

private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void init() { VIGIL_SKIP_UNAVAILABLE_BACKEND(); }
    void cleanup() { m_postgres.dropAll(); }

    void liveDetectionThroughTheNode_data()
    {
        QTest::addColumn<bool>("activateWhileRunning");
        QTest::newRow("model active at start") << false;
        QTest::newRow("model activated while the node runs") << true;
    }
    void liveDetectionThroughTheNode()
    {
        QFETCH(bool, activateWhileRunning);
        const models::DatabaseUrl url = freshUrl();
        const QString tag = QString::number(m_counter);
        qint64 modelId = 0;
        if (!activateWhileRunning) {
            modelId = trainAndSave(url, u"seed-"_qs + tag, true, 1);
        } else {
            QString error;
            auto store = models::Store::open(url, u"history-"_qs + tag, &error);
            QVERIFY2(store, qPrintable(error));
            engine::Pipeline none;
            models::IngestOutcome outcome;
            QVERIFY(store->ingest(normalPayments(1500, 31), none, kT0, &outcome, &error));
        }

        app::NodeOptions options;
        options.database = url;
        options.port = 0;
        options.token = kToken;
        app::Node node(options);
        QString error;
        QVERIFY2(node.start(&error), qPrintable(error));
        QSignalSpy modelsLoaded(node.writer(), &app::IngestWriter::modelsChanged);

        QWebSocket subscriber, producer;
        QStringList alerts, replies;
        connect(&subscriber, &QWebSocket::textMessageReceived, this, [&](const QString &m) { alerts << m; });
        connect(&producer, &QWebSocket::textMessageReceived, this, [&](const QString &m) { replies << m; });
        openSocket(&subscriber, node.port(), u"/alerts"_qs);
        openSocket(&producer, node.port(), u"/events"_qs);
        QTRY_COMPARE(subscriber.state(), QAbstractSocket::ConnectedState);
        QTRY_COMPARE(producer.state(), QAbstractSocket::ConnectedState);

        if (activateWhileRunning) {
            // No model yet: events are stored, nothing is scored.
            producer.sendTextMessage(QString::fromUtf8(message(normalPayments(20, 40, kT0 + 5'000'000, u"before-"_qs))));
            QTRY_COMPARE(replies.size(), 1);
            // A model trained and activated from outside (as `vigil models train` does) is
            // picked up through the model signature without a restart.
            modelId = trainAndSave(url, u"trainer-"_qs + tag, false, 2);
            QTRY_VERIFY_WITH_TIMEOUT(!modelsLoaded.isEmpty() && modelsLoaded.last().at(0).toInt() == 1, 10000);
        }

        const qint64 later = kT0 + 6'000'000;
        engine::EventBatch live = normalPayments(200, 41, later, u"live-"_qs);
        live.insert(100, payment(u"outlier"_qs, later + 200'000, 300000, u"KP"_qs, u"card-9"_qs));
        producer.sendTextMessage(QString::fromUtf8(message(live)));
        QTRY_COMPARE(replies.size(), activateWhileRunning ? 2 : 1);
        const QJsonObject reply = QJsonDocument::fromJson(replies.last().toUtf8()).object();
        QCOMPARE(reply.value(u"accepted"_qs).toArray().size(), 201);

        // The subscriber hears the anomaly alert, named after the model.
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(alerts.cbegin(), alerts.cend(), [](const QString &a) {
            return a.contains(u"outlier"_qs) && a.contains(u"Payment anomaly"_qs);
        }), 5000);
        node.stop();

        QCOMPARE(count(u"check-a"_qs + tag, url, u"SELECT COUNT(*) FROM anomaly_detections"_qs), 201);
        QCOMPARE(count(u"check-b"_qs + tag, url,
                       u"SELECT COUNT(*) FROM anomaly_detections d JOIN events e ON e.id = d.event_id"
                       " WHERE e.event_id = 'outlier' AND d.is_anomaly = 1 AND d.model_id = %1"_qs.arg(modelId)), 1);
        QCOMPARE(count(u"check-c"_qs + tag, url,
                       u"SELECT COUNT(*) FROM alerts a JOIN events e ON e.id = a.event_id WHERE e.event_id = 'outlier'"
                       " AND a.type = 'SECURITY' AND a.model_id = %1 AND a.rule_name = 'Payment anomaly'"_qs.arg(modelId)), 1);
        QVERIFY(count(u"check-d"_qs + tag, url, u"SELECT COUNT(*) FROM alerts WHERE model_id IS NOT NULL"_qs) <= 5);
    }
};

QTEST_GUILESS_MAIN(TestModelsE2E)
#include "tst_models_e2e.moc"
