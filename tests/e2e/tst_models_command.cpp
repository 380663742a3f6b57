// `vigil models` as a process: train from stored events, list versions, activate (rollback),
// labelled metrics, usage errors and Ctrl+C cancelling a long training.

#include "../models/anomaly_test_data.h"

#include "models/store/store.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace vigil;
using namespace vigil::testdata;

class TestModelsCommand : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_db;
    QString m_features;
    QString m_labelledFeatures;

    struct Result
    {
        int exitCode = -1;
        QString out;
        QString err;
    };

    Result vigil(const QStringList &arguments, int timeoutMs = 120000)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_qs, m_dir.path());
        env.insert(u"XDG_DATA_HOME"_qs, m_dir.filePath(u"data"_qs));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(VIGIL_BINARY), arguments);
        if (!p.waitForFinished(timeoutMs))
            qFatal("vigil %s did not finish", qPrintable(arguments.join(u' ')));
        return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
    }

    static void writeJson(const QString &path, const QJsonObject &o)
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        f.write(QJsonDocument(o).toJson());
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(u"vigil.db"_qs);
        m_features = m_dir.filePath(u"features.json"_qs);
        m_labelledFeatures = m_dir.filePath(u"labelled.json"_qs);
        writeJson(m_features, paymentFeatures());
        QJsonObject labelled = paymentFeatures();
        labelled.insert(u"label_field"_qs, u"is_fraud"_qs);
        writeJson(m_labelledFeatures, labelled);
        models::DatabaseUrl url;
        url.path = m_db;
        QString error;
        auto store = models::Store::open(url, u"seed"_qs, &error);
        QVERIFY2(store, qPrintable(error));
        engine::Pipeline none;
        models::IngestOutcome outcome;
        QVERIFY2(store->ingest(normalPayments(3000, 12, kT0, u"p-"_qs, 60), none, kT0, &outcome, &error), qPrintable(error));
    }

    void trainListActivate()
    {
        Result r = vigil({u"models"_qs, u"train"_qs, u"--name"_qs, u"pay"_qs, u"--algorithm"_qs, u"isolation_forest"_qs,
                          u"--type"_qs, u"TRANSACTION"_qs, u"--features"_qs, m_features, u"--param"_qs, u"seed=3"_qs,
                          u"--limit"_qs, u"2000"_qs, u"--database"_qs, m_db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(u"Trained \"pay\" version 1"_qs), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"2000 events"_qs), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"%"_qs), qPrintable(r.err)); // progress

        r = vigil({u"models"_qs, u"train"_qs, u"--name"_qs, u"pay"_qs, u"--algorithm"_qs, u"statistical"_qs,
                   u"--type"_qs, u"transaction"_qs, u"--features"_qs, m_labelledFeatures,
                   u"--since"_qs, engine::formatTime(kT0 + 1000 * 2000), u"--database"_qs, m_db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(u"version 2"_qs), qPrintable(r.err));
        QVERIFY2(r.err.contains(u"ROC-AUC"_qs), qPrintable(r.err));

        r = vigil({u"models"_qs, u"list"_qs, u"--database"_qs, m_db});
        QCOMPARE(r.exitCode, 0);
        QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.at(1).contains(u"isolation_forest"_qs) && lines.at(1).contains(u" no "_qs), qPrintable(r.out));
        QVERIFY2(lines.at(2).contains(u"statistical"_qs) && lines.at(2).contains(u" yes "_qs), qPrintable(r.out));
        QVERIFY2(lines.at(2).contains(u"2000"_qs), qPrintable(r.out)); // trained on the events since

        r = vigil({u"models"_qs, u"activate"_qs, u"pay"_qs, u"1"_qs, u"--database"_qs, m_db});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        r = vigil({u"models"_qs, u"list"_qs, u"pay"_qs, u"--database"_qs, m_db});
        lines = r.out.split(u'\n', Qt::SkipEmptyParts);
        QVERIFY2(lines.at(1).contains(u" yes "_qs) && lines.at(2).contains(u" no "_qs), qPrintable(r.out));
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        const QString db = u"--database"_qs;
        QTest::newRow("no action") << QStringList{u"models"_qs} << 2 << u"train, list or activate"_qs;
        QTest::newRow("no name") << QStringList{u"models"_qs, u"train"_qs, u"--algorithm"_qs, u"statistical"_qs} << 2 << u"--name"_qs;
        QTest::newRow("bad algorithm") << QStringList{u"models"_qs, u"train"_qs, u"--name"_qs, u"x"_qs, u"--algorithm"_qs, u"forest"_qs}
                                       << 2 << u"forest"_qs;
        QTest::newRow("bad type") << QStringList{u"models"_qs, u"train"_qs, u"--name"_qs, u"x"_qs, u"--algorithm"_qs, u"lof"_qs,
                                                 u"--type"_qs, u"PAYMENT"_qs} << 2 << u"PAYMENT"_qs;
        QTest::newRow("bad since") << QStringList{u"models"_qs, u"train"_qs, u"--name"_qs, u"x"_qs, u"--algorithm"_qs, u"lof"_qs,
                                                  u"--type"_qs, u"SYSTEM"_qs, u"--features"_qs, u"FEATURES"_qs, u"--since"_qs, u"yesterday"_qs}
                                   << 2 << u"RFC 3339"_qs;
        QTest::newRow("missing features file") << QStringList{u"models"_qs, u"train"_qs, u"--name"_qs, u"x"_qs, u"--algorithm"_qs,
                                                              u"lof"_qs, u"--type"_qs, u"SYSTEM"_qs, u"--features"_qs, u"/nonexistent.json"_qs, db, u"DB"_qs}
                                               << 1 << u"/nonexistent.json"_qs;
        QTest::newRow("no events of the type") << QStringList{u"models"_qs, u"train"_qs, u"--name"_qs, u"x"_qs, u"--algorithm"_qs,
                                                              u"isolation_forest"_qs, u"--type"_qs, u"TRANSACTION"_qs, u"--features"_qs,
                                                              u"FEATURES"_qs, u"--since"_qs, u"2030-01-01T00:00:00Z"_qs, db, u"DB"_qs}
                                               << 1 << u"only 0"_qs;
        QTest::newRow("bad parameter") << QStringList{u"models"_qs, u"train"_qs, u"--name"_qs, u"x"_qs, u"--algorithm"_qs,
                                                      u"isolation_forest"_qs, u"--type"_qs, u"TRANSACTION"_qs, u"--features"_qs,
                                                      u"FEATURES"_qs, u"--param"_qs, u"n_trees=5"_qs, db, u"DB"_qs}
                                       << 1 << u"n_trees"_qs;
        QTest::newRow("unknown version") << QStringList{u"models"_qs, u"activate"_qs, u"pay"_qs, u"42"_qs, db, u"DB"_qs} << 1
                                         << u"no version 42"_qs;
        QTest::newRow("version not a number") << QStringList{u"models"_qs, u"activate"_qs, u"pay"_qs, u"latest"_qs, db, u"DB"_qs} << 2
                                              << u"latest"_qs;
    }
    void errors()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        arguments.replaceInStrings(u"FEATURES"_qs, m_features);
        for (QString &a : arguments)
            if (a == u"DB"_qs)
                a = m_db;
        const Result r = vigil(arguments);
        QCOMPARE(r.exitCode, exitCode);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void ctrlCCancelsTraining()
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"HOME"_qs, m_dir.path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(VIGIL_BINARY),
                {u"models"_qs, u"train"_qs, u"--name"_qs, u"slow"_qs, u"--algorithm"_qs, u"autoencoder"_qs, u"--type"_qs,
                 u"TRANSACTION"_qs, u"--features"_qs, m_features, u"--param"_qs, u"epochs=100000"_qs, u"--database"_qs, m_db});
        QVERIFY(p.waitForStarted());
        QString err;
        QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(p.readAllStandardError())).contains(u"epoch"_qs), 30000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(30000));
        err += QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(u"cancelled"_qs), qPrintable(err));
        const Result list = vigil({u"models"_qs, u"list"_qs, u"slow"_qs, u"--database"_qs, m_db});
        QCOMPARE(list.exitCode, 1); // nothing saved
    }
};

QTEST_GUILESS_MAIN(TestModelsCommand)
#include "tst_models_command.moc"
