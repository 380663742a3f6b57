// Anomaly models as data on real SQLite files (and, with VIGIL_TEST_POSTGRES_URL, on
// PostgreSQL): versions, activation and rollback with
// identical scores after reload, history read back for training, and the pipeline storing
// detections and raising SECURITY alerts for anomalies inside the ingest transaction.

#include "anomaly_test_data.h"

#include "engine/detectors/live_model.h"
#include "engine/detectors/model_trainer.h"
#include "engine/pipeline.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace vigil;
using namespace vigil::models;
using namespace vigil::testdata;
using vigil::test::PostgresTestDatabases;

namespace {

const Actor kAdmin{u"ada"_qs, Role::Admin};

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

} // namespace

class TestAnomalyModels : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PostgresTestDatabases m_postgres;
    int m_counter = 0;

    std::unique_ptr<Store> openStore(QString *connection)
    {
        *connection = u"anomaly-%1"_qs.arg(++m_counter);
        QString error;
        DatabaseUrl url;
        url.path = m_dir.filePath(*connection + u".db"_qs);
        if (PostgresTestDatabases::isPostgres())
            url = m_postgres.createOrWarn();
        auto store = Store::open(url, *connection, &error);
        if (!store)
            qFatal("cannot open the store: %s", qPrintable(error));
        return store;
    }

    static void ingest(Store &store, engine::Pipeline &pipeline, const engine::EventBatch &events, IngestOutcome *outcome = nullptr)
    {
        IngestOutcome local;
        QString error;
        if (!store.ingest(events, pipeline, kT0, outcome ? outcome : &local, &error))
            qFatal("ingest failed: %s", qPrintable(error));
    }

    // Trains a model on every stored TRANSACTION event, the way `vigil models train` does.
    static engine::ModelRecord train(Store &store, const QString &name, const QString &algorithm, QJsonObject params)
    {
        engine::ModelTrainer trainer;
        QString error;
        if (!trainer.setup(name, algorithm, engine::EventType::Transaction, params, paymentFeatures(), &error))
            qFatal("setup: %s", qPrintable(error));
        Store::EventRange range;
        range.type = engine::EventType::Transaction;
        if (!store.readEvents(range, [&](const engine::EventBatch &chunk) {
                for (const engine::Event &e : chunk)
                    trainer.addEvent(e);
                return true;
            }, &error))
            qFatal("read: %s", qPrintable(error));
        engine::ModelRecord record;
        if (!trainer.train({}, &record, &error))
            qFatal("train: %s", qPrintable(error));
        return record;
    }

private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void init() { VIGIL_SKIP_UNAVAILABLE_BACKEND(); }
    void cleanup() { m_postgres.dropAll(); }

    void versionsActivationAndRollback_data()
    {
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<QJsonObject>("v1Params");
        QTest::addColumn<QJsonObject>("v2Params");
        QTest::newRow("isolation_forest") << u"isolation_forest"_qs << QJsonObject{{u"seed"_qs, 1}}
                                          << QJsonObject{{u"seed"_qs, 2}, {u"n_estimators"_qs, 50}};
        QTest::newRow("local_outlier_factor") << u"LOCAL_OUTLIER"_qs << QJsonObject{{u"n_neighbors"_qs, 10}}
                                              << QJsonObject{{u"n_neighbors"_qs, 30}};
        QTest::newRow("autoencoder") << u"autoencoder"_qs << QJsonObject{{u"epochs"_qs, 5}, {u"seed"_qs, 1}}
                                     << QJsonObject{{u"epochs"_qs, 8}, {u"seed"_qs, 2}};
        QTest::newRow("statistical") << u"statistical"_qs << QJsonObject{{u"method"_qs, u"robust_z"_qs}}
                                     << QJsonObject{{u"method"_qs, u"mahalanobis"_qs}};
    }
    void versionsActivationAndRollback()
    {
        QFETCH(QString, algorithm);
        QFETCH(QJsonObject, v1Params);
        QFETCH(QJsonObject, v2Params);
        QString connection, error;
        auto store = openStore(&connection);
        engine::Pipeline noModels;
        ingest(*store, noModels, normalPayments(400, 11));

        engine::ModelRecord v1 = train(*store, u"payments"_qs, algorithm, v1Params);
        engine::ModelRecord v2 = train(*store, u"payments"_qs, algorithm, v2Params);
        const QByteArray v1Bytes = v1.modelData;
        const QString signature0 = store->modelsSignature();
        QVERIFY2(store->saveModel(&v1, true, kAdmin, &error), qPrintable(error));
        QCOMPARE(v1.version, 1);
        const QString signature1 = store->modelsSignature();
        QVERIFY(signature1 != signature0);
        QVERIFY2(store->saveModel(&v2, true, kAdmin, &error), qPrintable(error));
        QCOMPARE(v2.version, 2);

        // Exactly one active version per name: the newest.
        QList<engine::ModelRecord> active;
        QVERIFY(store->loadActiveModels(&active, &error));
        QCOMPARE(active.size(), 1);
        QCOMPARE(active.at(0).version, 2);
        QList<engine::ModelRecord> versions;
        QVERIFY(store->modelVersions(u"payments"_qs, &versions, &error));
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions.at(0).active, false);
        QCOMPARE(versions.at(1).active, true);
        QCOMPARE(versions.at(0).modelType, engine::Detector::canonicalModelType(algorithm));
        QVERIFY(versions.at(0).performanceMetrics.value(u"training_events"_qs).toDouble() == 400);
        QVERIFY(versions.at(0).performanceMetrics.contains(u"score_distribution"_qs));
        QCOMPARE(scalar(connection, u"SELECT model_type FROM anomaly_models WHERE version = 1"_qs).toString(),
                 engine::ModelRecord::storedTypeName(algorithm));

        // Rollback to version 1: it is active again and scores exactly as it did when trained.
        QVERIFY2(store->activateModel(u"payments"_qs, 1, kAdmin, &error), qPrintable(error));
        QVERIFY(store->modelsSignature() != signature1);
        QVERIFY(store->loadActiveModels(&active, &error));
        QCOMPARE(active.size(), 1);
        QCOMPARE(active.at(0).version, 1);
        QCOMPARE(active.at(0).modelData, v1Bytes);
        QString loadError;
        std::unique_ptr<engine::LiveModel> reloaded = engine::LiveModel::load(active.at(0), &loadError);
        QVERIFY2(reloaded, qPrintable(loadError));
        std::unique_ptr<engine::Detector> original = engine::Detector::deserialize(v1Bytes, &loadError);
        QVERIFY(original);
        engine::FeatureExtractor fx;
        QVERIFY(engine::FeatureExtractor::fromJson(paymentFeatures(), &fx, &loadError));
        for (const engine::Event &e : normalPayments(50, 99, kT0 + 10'000'000, u"probe-"_qs, 10)) {
            const std::vector<double> x = fx.extract(e);
            QCOMPARE(reloaded->detector().score(x), original->score(x));
        }

        // Every change is audited; a version that does not exist is refused with a hint.
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM audit_log WHERE action = 'model.create'"_qs).toInt(), 2);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM audit_log WHERE action = 'model.activate'"_qs).toInt(), 1);
        QVERIFY(!store->activateModel(u"payments"_qs, 9, kAdmin, &error));
        QVERIFY2(error.contains(u"no version 9"_qs), qPrintable(error));
        QVERIFY(store->loadActiveModels(&active, &error));
        QCOMPARE(active.at(0).version, 1); // a failed activation changes nothing
    }

    void modelChangesNeedAdmin_data()
    {
        QTest::addColumn<int>("role");
        QTest::newRow("analyst") << int(Role::Analyst);
        QTest::newRow("manager") << int(Role::Manager);
    }
    void modelChangesNeedAdmin()
    {
        QFETCH(int, role);
        QString connection, error;
        auto store = openStore(&connection);
        engine::Pipeline noModels;
        ingest(*store, noModels, normalPayments(50, 3));
        engine::ModelRecord record = train(*store, u"m"_qs, u"statistical"_qs, {});
        const Actor actor{u"eve"_qs, Role(role)};
        QVERIFY(!store->saveModel(&record, true, actor, &error));
        QVERIFY2(error.contains(u"admin"_qs), qPrintable(error));
        QVERIFY(store->saveModel(&record, true, kAdmin, &error));
        QVERIFY(!store->activateModel(u"m"_qs, 1, actor, &error));
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM anomaly_models"_qs).toInt(), 1);
    }

    void readEventsRangeAndLimit_data()
    {
        QTest::addColumn<qint64>("since");
        QTest::addColumn<qint64>("until");
        QTest::addColumn<qint64>("limit");
        QTest::addColumn<int>("chunkSize");
        QTest::addColumn<int>("expectedCount");
        QTest::addColumn<int>("expectedFirst");
        QTest::addColumn<int>("expectedChunks");
        constexpr qint64 none = 0;
        const qint64 lo = std::numeric_limits<qint64>::min(), hi = std::numeric_limits<qint64>::max();
        QTest::newRow("all") << lo << hi << none << 5000 << 100 << 0 << 1;
        QTest::newRow("chunks of 7") << lo << hi << none << 7 << 100 << 0 << 15;
        QTest::newRow("latest 10") << lo << hi << qint64(10) << 5000 << 10 << 90 << 1;
        QTest::newRow("latest 10 in chunks of 3") << lo << hi << qint64(10) << 3 << 10 << 90 << 4;
        QTest::newRow("limit above count") << lo << hi << qint64(1000) << 5000 << 100 << 0 << 1;
        QTest::newRow("since") << kT0 + 100'000 << hi << none << 5000 << 50 << 50 << 1;
        QTest::newRow("since and until") << kT0 + 100'000 << kT0 + 120'000 << none << 5000 << 10 << 50 << 1;
        QTest::newRow("latest 5 before until") << lo << kT0 + 120'000 << qint64(5) << 5000 << 5 << 55 << 1;
        QTest::newRow("empty range") << kT0 + 1'000'000 << hi << none << 5000 << 0 << -1 << 0;
    }
    void readEventsRangeAndLimit()
    {
        QFETCH(qint64, since);
        QFETCH(qint64, until);
        QFETCH(qint64, limit);
        QFETCH(int, chunkSize);
        QFETCH(int, expectedCount);
        QFETCH(int, expectedFirst);
        QFETCH(int, expectedChunks);
        QString connection, error;
        auto store = openStore(&connection);
        engine::Pipeline noModels;
        // Inserted out of time order, plus events of another type that must not show up.
        engine::EventBatch events = normalPayments(100, 5);
        std::reverse(events.begin(), events.end());
        ingest(*store, noModels, events);
        engine::EventBatch other = normalPayments(20, 6, kT0, u"sys-"_qs);
        for (engine::Event &e : other)
            e.type = engine::EventType::System;
        ingest(*store, noModels, other);

        Store::EventRange range;
        range.type = engine::EventType::Transaction;
        range.sinceMs = since;
        range.untilMs = until;
        range.limit = limit;
        range.chunkSize = chunkSize;
        QStringList ids;
        int chunks = 0;
        qint64 lastTime = std::numeric_limits<qint64>::min();
        QVERIFY2(store->readEvents(range, [&](const engine::EventBatch &chunk) {
            ++chunks;
            for (const engine::Event &e : chunk) {
                if (e.timeMs < lastTime)
                    qFatal("events out of time order");
                lastTime = e.timeMs;
                ids << e.id;
                if (e.fields().value(u"amount"_qs).toDouble() <= 0)
                    qFatal("fields not read back");
            }
            return true;
        }, &error), qPrintable(error));
        QCOMPARE(ids.size(), expectedCount);
        QCOMPARE(chunks, expectedChunks);
        if (expectedCount > 0) {
            QCOMPARE(ids.first(), u"p-%1"_qs.arg(expectedFirst));
            QCOMPARE(ids.last(), u"p-%1"_qs.arg(expectedFirst + expectedCount - 1));
        }
    }

    void pipelineStoresDetectionsAndRaisesAnomalyAlerts_data()
    {
        QTest::addColumn<QString>("algorithm");
        QTest::addColumn<bool>("parallel");
        QTest::addColumn<int>("typicalCount");
        QTest::newRow("statistical, small batch, inline") << u"statistical"_qs << false << 300;
        QTest::newRow("statistical, large batch, worker thread") << u"statistical"_qs << true << 3000;
        QTest::newRow("isolation_forest, large batch, worker thread") << u"isolation_forest"_qs << true << 3000;
    }
    void pipelineStoresDetectionsAndRaisesAnomalyAlerts()
    {
        QFETCH(QString, algorithm);
        QFETCH(bool, parallel);
        QFETCH(int, typicalCount);
        QString connection, error;
        auto store = openStore(&connection);
        engine::Pipeline noModels;
        ingest(*store, noModels, normalPayments(2000, 21));
        engine::ModelRecord record = train(*store, u"Payment anomaly"_qs, algorithm,
                                           {{u"threshold"_qs, 0.995}, {u"severity"_qs, u"HIGH"_qs}});
        QVERIFY(store->saveModel(&record, true, kAdmin, &error));
        QList<engine::ModelRecord> active;
        QVERIFY(store->loadActiveModels(&active, &error));
        std::vector<std::unique_ptr<engine::LiveModel>> models;
        models.push_back(engine::LiveModel::load(active.at(0), &error));
        QVERIFY2(models.back(), qPrintable(error));
        engine::Pipeline pipeline;
        pipeline.setModels(std::move(models));
        pipeline.models().setParallel(parallel);

        // Typical payments after the training period, an obvious outlier in the middle,
        // and an event of another type that no model scores.
        const qint64 later = kT0 + 4'000'000;
        engine::EventBatch batch = normalPayments(typicalCount, 77, later, u"live-"_qs);
        const int outlierIndex = typicalCount / 2;
        batch.insert(outlierIndex, payment(u"outlier"_qs, later + outlierIndex * 2000, 250000, u"KP"_qs, u"card-7"_qs));
        engine::Event login = batch.first();
        login.id = u"login-1"_qs;
        login.type = engine::EventType::Security;
        batch.append(login);
        IngestOutcome outcome;
        ingest(*store, pipeline, batch, &outcome);

        const int transactions = typicalCount + 1;
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM anomaly_detections"_qs).toInt(), transactions);
        QCOMPARE(scalar(connection, u"SELECT COUNT(DISTINCT event_id) FROM anomaly_detections WHERE model_id = ?"_qs, {record.id}).toInt(),
                 transactions);
        // The outlier: flagged, with its score, threshold and contributions in the details.
        QCOMPARE(scalar(connection, u"SELECT d.is_anomaly FROM anomaly_detections d JOIN events e ON e.id = d.event_id"
                                    " WHERE e.event_id = 'outlier'"_qs).toInt(), 1);
        const QJsonObject details = QJsonDocument::fromJson(
            scalar(connection, u"SELECT d.details FROM anomaly_detections d JOIN events e ON e.id = d.event_id"
                               " WHERE e.event_id = 'outlier'"_qs).toString().toUtf8()).object();
        QVERIFY(details.value(u"score"_qs).toDouble() > 0.995);
        QCOMPARE(details.value(u"threshold"_qs).toDouble(), 0.995);
        QVERIFY(details.value(u"contributions"_qs).toObject().contains(u"log_amount"_qs));
        const QJsonObject features = QJsonDocument::fromJson(
            scalar(connection, u"SELECT d.features FROM anomaly_detections d JOIN events e ON e.id = d.event_id"
                               " WHERE e.event_id = 'outlier'"_qs).toString().toUtf8()).object();
        QCOMPARE(features.value(u"country=other"_qs).toDouble(), 1.0);
        QVERIFY(std::abs(features.value(u"log_amount"_qs).toDouble() - std::log1p(250000.0)) < 1e-8);

        // Its alert went through the normal alert path: SECURITY, the model's name, model_id.
        const auto outlierAlert = std::find_if(outcome.alerts.cbegin(), outcome.alerts.cend(),
                                               [](const AlertRecord &a) { return a.eventId == u"outlier"_qs; });
        QVERIFY(outlierAlert != outcome.alerts.cend());
        QCOMPARE(engine::toString(outlierAlert->type), u"SECURITY"_qs);
        QCOMPARE(engine::toString(outlierAlert->severity), u"HIGH"_qs);
        QCOMPARE(outlierAlert->ruleName, u"Payment anomaly"_qs);
        QVERIFY2(outlierAlert->message.contains(u"log_amount"_qs), qPrintable(outlierAlert->message));
        QVERIFY2(outlierAlert->message.contains(u"v1"_qs), qPrintable(outlierAlert->message));
        QCOMPARE(outlierAlert->details().value(u"model_version"_qs).toInt(), 1);
        const QJsonArray top = outlierAlert->details().value(u"top_features"_qs).toArray();
        QVERIFY(!top.isEmpty());
        const QStringList expectedTop{u"log_amount"_qs, u"country=other"_qs, u"country=DE"_qs, u"country=FR"_qs};
        QVERIFY2(expectedTop.contains(top.at(0).toObject().value(u"feature"_qs).toString()),
                 qPrintable(top.at(0).toObject().value(u"feature"_qs).toString()));
        QCOMPARE(scalar(connection, u"SELECT model_id FROM alerts a JOIN events e ON e.id = a.event_id WHERE e.event_id = 'outlier'"_qs).toLongLong(),
                 record.id);

        // What the console's detail pane charts: the model, its version, every feature's share
        // of the score (the detection's), largest first, with the feature's value.
        AnomalyExplanation explanation;
        QVERIFY2(store->anomalyExplanation(outlierAlert->id, &explanation, &error), qPrintable(error));
        QCOMPARE(explanation.modelId, record.id);
        QCOMPARE(explanation.modelName, u"Payment anomaly"_qs);
        QCOMPARE(explanation.modelVersion, 1);
        QCOMPARE(explanation.modelType, engine::Detector::canonicalModelType(algorithm));
        QCOMPARE(explanation.score, details.value(u"score"_qs).toDouble());
        QCOMPARE(explanation.threshold, 0.995);
        const QJsonObject shares = details.value(u"contributions"_qs).toObject();
        QCOMPARE(explanation.contributions.size(), shares.size());
        for (qsizetype i = 0; i < explanation.contributions.size(); ++i) {
            const FeatureContribution &c = explanation.contributions.at(i);
            QCOMPARE(c.contribution, shares.value(c.feature).toDouble());
            QCOMPARE(c.value, features.value(c.feature).toDouble());
            if (i > 0)
                QVERIFY(explanation.contributions.at(i - 1).contribution >= c.contribution);
        }
        QCOMPARE(explanation.contributions.first().feature, top.at(0).toObject().value(u"feature"_qs).toString());
        QVERIFY(!store->anomalyExplanation(999'999, &explanation, &error));
        QCOMPARE(error, u"alert 999999 does not exist"_qs);

        // Typical events: a median payment is not flagged, and the flagged share stays near
        // what the threshold promises (0.5%, allowing for sampling noise).
        const int typicalAnomalies = scalar(connection, u"SELECT COUNT(*) FROM anomaly_detections d JOIN events e ON e.id = d.event_id"
                                                        " WHERE d.is_anomaly <> 0 AND e.event_id <> 'outlier'"_qs).toInt();
        QVERIFY2(typicalAnomalies <= std::max(3, typicalCount / 50), qPrintable(QString::number(typicalAnomalies)));
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM alerts WHERE model_id IS NOT NULL"_qs).toInt(), typicalAnomalies + 1);
        engine::EventBatch median{payment(u"median"_qs, later + 10'000'000, 49.4, u"DE"_qs, u"card-1"_qs)};
        ingest(*store, pipeline, median, &outcome);
        QVERIFY(outcome.alerts.isEmpty());
        QCOMPARE(scalar(connection, u"SELECT d.is_anomaly FROM anomaly_detections d JOIN events e ON e.id = d.event_id"
                                    " WHERE e.event_id = 'median'"_qs).toInt(), 0);
        // A duplicate is not scored twice.
        ingest(*store, pipeline, median, &outcome);
        QCOMPARE(scalar(connection, u"SELECT COUNT(*) FROM anomaly_detections"_qs).toInt(), transactions + 1);
    }

    // Precision per version from the analysts' verdicts: resolved = true positive, false
    // positive = false alarm, open alerts have no verdict yet; a reopen takes a verdict back.
    void verdictsGivePrecisionPerVersion()
    {
        QString connection, error;
        auto store = openStore(&connection);
        engine::Pipeline noModels;
        ingest(*store, noModels, normalPayments(2000, 21));
        const QJsonObject params{{u"threshold"_qs, 0.995}, {u"severity"_qs, u"HIGH"_qs}};
        engine::ModelRecord v1 = train(*store, u"Payment anomaly"_qs, u"statistical"_qs, params);
        QVERIFY(store->saveModel(&v1, true, kAdmin, &error));
        engine::ModelRecord v2 = train(*store, u"Payment anomaly"_qs, u"statistical"_qs, params);
        QVERIFY(store->saveModel(&v2, false, kAdmin, &error));

        // Six obvious outliers scored by version 1: six alerts with its model id.
        QList<engine::ModelRecord> active;
        QVERIFY(store->loadActiveModels(&active, &error));
        std::vector<std::unique_ptr<engine::LiveModel>> live;
        live.push_back(engine::LiveModel::load(active.at(0), &error));
        QVERIFY2(live.back(), qPrintable(error));
        engine::Pipeline pipeline;
        pipeline.setModels(std::move(live));
        engine::EventBatch outliers;
        for (int i = 0; i < 6; ++i)
            outliers.append(payment(u"outlier-%1"_qs.arg(i), kT0 + 5'000'000 + i * 1000, 250000 + i * 1000,
                                    u"KP"_qs, u"card-7"_qs));
        IngestOutcome outcome;
        ingest(*store, pipeline, outliers, &outcome);
        QCOMPARE(outcome.alerts.size(), 6);

        const Actor analyst{u"ana"_qs, Role::Analyst};
        const auto act = [&](int i, AlertAction action) {
            const ActionResult r = store->applyAlertAction(outcome.alerts.at(i).id, action, analyst, u"checked"_qs);
            QCOMPARE(int(r.outcome), int(ActionResult::Outcome::Done));
        };
        act(0, AlertAction::Resolve);
        act(1, AlertAction::Resolve);
        act(2, AlertAction::Resolve);
        act(3, AlertAction::MarkFalsePositive);
        act(4, AlertAction::Acknowledge);

        const auto verdictsOf = [&](int version) {
            QList<engine::ModelRecord> versions;
            QString e;
            if (!store->modelVersions(u"Payment anomaly"_qs, &versions, &e))
                qFatal("versions: %s", qPrintable(e));
            return versions.at(version - 1).performanceMetrics.value(u"verdicts"_qs).toObject();
        };
        QJsonObject verdicts = verdictsOf(1);
        QCOMPARE(verdicts.value(u"alerts"_qs).toInt(), 6);
        QCOMPARE(verdicts.value(u"resolved"_qs).toInt(), 3);
        QCOMPARE(verdicts.value(u"false_positive"_qs).toInt(), 1);
        QCOMPARE(verdicts.value(u"open"_qs).toInt(), 2);
        QCOMPARE(verdicts.value(u"precision"_qs).toDouble(), 0.75);
        // Version 2 raised nothing: counts of zero and no precision.
        QCOMPARE(verdictsOf(2).value(u"alerts"_qs).toInt(), 0);
        QVERIFY(!verdictsOf(2).contains(u"precision"_qs));

        // Reopening a resolved alert takes its verdict back: 2 of 3.
        act(0, AlertAction::Reopen);
        verdicts = verdictsOf(1);
        QCOMPARE(verdicts.value(u"resolved"_qs).toInt(), 2);
        QCOMPARE(verdicts.value(u"open"_qs).toInt(), 3);
        QCOMPARE(verdicts.value(u"precision"_qs).toDouble(), 2.0 / 3.0);
    }

    void labelledHistoryGivesHoldoutMetrics()
    {
        QString connection, error;
        auto store = openStore(&connection);
        engine::Pipeline noModels;
        ingest(*store, noModels, normalPayments(1000, 8, kT0, u"p-"_qs, 50));
        engine::ModelTrainer trainer;
        QJsonObject features = paymentFeatures();
        features.insert(u"label_field"_qs, u"is_fraud"_qs);
        QVERIFY2(trainer.setup(u"labelled"_qs, u"isolation_forest"_qs, engine::EventType::Transaction, {}, features, &error),
                 qPrintable(error));
        Store::EventRange range;
        QVERIFY(store->readEvents(range, [&](const engine::EventBatch &chunk) {
            for (const engine::Event &e : chunk)
                trainer.addEvent(e);
            return true;
        }, &error));
        QVERIFY(trainer.hasLabels());
        engine::ModelRecord record;
        QVERIFY2(trainer.train({}, &record, &error), qPrintable(error));
        const QJsonObject holdout = record.performanceMetrics.value(u"holdout"_qs).toObject();
        QCOMPARE(holdout.value(u"positives"_qs).toInt(), 6); // 30% of the 20 outliers
        QVERIFY2(holdout.value(u"roc_auc"_qs).toDouble() > 0.95, qPrintable(QString::number(holdout.value(u"roc_auc"_qs).toDouble())));
        QVERIFY(holdout.value(u"pr_auc"_qs).toDouble() > 0.5);
        QCOMPARE(record.performanceMetrics.value(u"fitted_events"_qs).toInt(), 700);
    }

    void tooLittleHistoryIsAClearError()
    {
        engine::ModelTrainer trainer;
        QString error;
        QVERIFY(trainer.setup(u"tiny"_qs, u"isolation_forest"_qs, engine::EventType::Transaction, {}, paymentFeatures(), &error));
        for (const engine::Event &e : normalPayments(3, 1))
            trainer.addEvent(e);
        engine::ModelRecord record;
        QVERIFY(!trainer.train({}, &record, &error));
        QVERIFY2(error.contains(u"only 3"_qs), qPrintable(error));
        QVERIFY(!trainer.setup(u"bad"_qs, u"forest"_qs, engine::EventType::Transaction, {}, paymentFeatures(), &error));
        QVERIFY2(error.contains(u"forest"_qs), qPrintable(error));
        QVERIFY(!trainer.setup(u"bad"_qs, u"isolation_forest"_qs, engine::EventType::System, {}, paymentFeatures(), &error));
        QVERIFY2(error.contains(u"SYSTEM"_qs), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestAnomalyModels)
#include "tst_anomaly_models.moc"
