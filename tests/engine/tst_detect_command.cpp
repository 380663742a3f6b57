// `vigil detect`: output format, metrics, exit codes and error messages, run as a process.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

class TestDetectCommand : public QObject
{
    Q_OBJECT

private:
    struct Result
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    Result run(const QStringList &args) const;
    QString write(const QString &name, const QByteArray &text) const;
    QString program() const;
    QStringList programs();

    QStringList m_programs;

    QTemporaryDir m_dir;

private slots:
    void initTestCase();
    void scoresEveryRowInOrder_data();
    void scoresEveryRowInOrder();
    void scoreFileAndOutFile_data();
    void scoreFileAndOutFile();
    void exitCodesAndMessages_data();
    void exitCodesAndMessages();
};

QString TestDetectCommand::program() const
{
    QFETCH(QString, program);
    return program;
}

void TestDetectCommand::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(QStringLiteral(VIGIL_DETECT_CLI)));
}

// The stand-alone command and, once main.cpp dispatches `detect`, vigil itself.
QStringList TestDetectCommand::programs()
{
    if (!m_programs.isEmpty())
        return m_programs;
    m_programs.append(QStringLiteral("detect-cli"));
    QProcess probe;
    probe.start(QStringLiteral(VIGIL_EXECUTABLE), {QStringLiteral("detect"), QStringLiteral("--help")});
    const bool wired = probe.waitForFinished(20000) && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0
        && probe.readAllStandardOutput().contains("--algorithm");
    if (wired)
        m_programs.append(QStringLiteral("vigil"));
    else
        qInfo("%s does not dispatch `detect` yet: testing the stand-alone command only", VIGIL_EXECUTABLE);
    return m_programs;
}

TestDetectCommand::Result TestDetectCommand::run(const QStringList &args) const
{
    const QString exe = program() == u"vigil" ? QStringLiteral(VIGIL_EXECUTABLE) : QStringLiteral(VIGIL_DETECT_CLI);
    QProcess p;
    p.setProcessEnvironment(QProcessEnvironment::systemEnvironment());
    p.start(exe, QStringList{QStringLiteral("detect")} + args);
    Result r;
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit)
        return r;
    r.exitCode = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString TestDetectCommand::write(const QString &name, const QByteArray &text) const
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TestDetectCommand::scoresEveryRowInOrder_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QString>("algorithm");
    for (const QString &program : programs()) {
        for (const char *a : {"isolation_forest", "local_outlier_factor", "autoencoder", "statistical"})
            QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(program, QLatin1String(a)))) << program << QString::fromLatin1(a);
    }
}

void TestDetectCommand::scoresEveryRowInOrder()
{
    QFETCH(QString, algorithm);
    // thyroid: 3772 labelled rows, 6 features; the training file is scored.
    const QString train = QStringLiteral(VIGIL_SHARED_DATA "/thyroid.csv");
    const Result r = run({QStringLiteral("--algorithm"), algorithm, QStringLiteral("--train"), train,
                          QStringLiteral("--seed"), QStringLiteral("3"), QStringLiteral("--param"), QStringLiteral("threshold=0.95")});
    QCOMPARE(r.exitCode, 0);
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.first(), QByteArray("score,is_anomaly"));
    QCOMPARE(lines.size(), 3772 + 1);
    int flagged = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> f = lines[i].split(',');
        QCOMPARE(f.size(), 2);
        bool ok = false;
        const double s = f[0].toDouble(&ok);
        QVERIFY(ok && s >= 0 && s <= 1);
        QVERIFY(f[1] == "0" || f[1] == "1");
        QCOMPARE(f[1] == "1", s > 0.95);
        flagged += f[1] == "1";
    }
    QVERIFY(flagged > 0 && flagged < 3772 / 5);
    QVERIFY2(r.err.contains("ROC-AUC: ") && r.err.contains("PR-AUC: "), r.err.constData());
    const qsizetype at = r.err.indexOf("ROC-AUC: ") + 9;
    const double auc = r.err.mid(at, r.err.indexOf('\n', at) - at).toDouble();
    QVERIFY2(auc > 0.6, r.err.constData());
}

void TestDetectCommand::scoreFileAndOutFile_data()
{
    QTest::addColumn<QString>("program");
    for (const QString &program : programs())
        QTest::newRow(qPrintable(program)) << program;
}

void TestDetectCommand::scoreFileAndOutFile()
{
    QByteArray train("x,y,class\n");
    for (int i = 0; i < 400; ++i)
        train += QByteArray::number((i * 37) % 100 / 10.0) + ',' + QByteArray::number((i * 53) % 100 / 10.0) + ",0\n";
    QByteArray score("x,y,class\n");
    for (int i = 0; i < 50; ++i)
        score += (i == 31 ? QByteArray("90,-80") : QByteArray::number(i % 10) + ',' + QByteArray::number(9 - i % 10)) + (i == 31 ? ",1\n" : ",0\n");
    const QString trainPath = write(QStringLiteral("train.csv"), train);
    const QString scorePath = write(QStringLiteral("score.csv"), score);
    const QString outPath = m_dir.filePath(QStringLiteral("out-%1.csv").arg(program()));
    const Result r = run({QStringLiteral("--algorithm=isolation_forest"), QStringLiteral("--train"), trainPath,
                          QStringLiteral("--score"), scorePath, QStringLiteral("--label-column"), QStringLiteral("class"),
                          QStringLiteral("--out"), outPath});
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY(r.out.isEmpty());
    QVERIFY(r.err.contains("ROC-AUC: 1.000000"));
    QFile f(outPath);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 51);
    std::vector<double> s;
    for (qsizetype i = 1; i < lines.size(); ++i)
        s.push_back(lines[i].split(',')[0].toDouble());
    QCOMPARE(int(std::max_element(s.begin(), s.end()) - s.begin()), 31);
    QCOMPARE(lines[32].split(',')[1], QByteArray("1"));
}

void TestDetectCommand::exitCodesAndMessages_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    for (const QString &program : programs()) {
        const QString good = write(QStringLiteral("good.csv"), "a,b,label\n1,2,0\n2,3,0\n3,4,1\n4,5,0\n");
        const QString ragged = write(QStringLiteral("ragged.csv"), "a,b,label\n1,2,0\n2,3\n");
        const QString text = write(QStringLiteral("text.csv"), "a,b,label\n1,2,0\n2,3,0\n\n4,high,0\n");
        const QString empty = write(QStringLiteral("empty.csv"), "");
        const QString other = write(QStringLiteral("other.csv"), "a,c,label\n1,2,0\n");
        const QString missing = m_dir.filePath(QStringLiteral("missing.csv"));
        const QString p = program;
        auto row = [&](const char *name, QStringList args, int code, const QString &message) {
            QTest::newRow(qPrintable(p + QLatin1Char(' ') + QLatin1String(name))) << p << args << code << message;
        };
        const QString alg = QStringLiteral("--algorithm");
        const QString tr = QStringLiteral("--train");
        row("help", {QStringLiteral("--help")}, 0, QString());
        row("no arguments", {}, 2, QStringLiteral("--algorithm is required"));
        row("no train", {alg, QStringLiteral("statistical")}, 2, QStringLiteral("--train is required"));
        row("unknown algorithm", {alg, QStringLiteral("svm"), tr, good}, 2, QStringLiteral("unknown algorithm \"svm\""));
        row("unknown option", {alg, QStringLiteral("statistical"), tr, good, QStringLiteral("--fast")}, 2,
            QStringLiteral("unknown argument \"--fast\""));
        row("option without value", {alg, QStringLiteral("statistical"), tr}, 2, QStringLiteral("--train needs a value"));
        row("bad param", {alg, QStringLiteral("isolation_forest"), tr, good, QStringLiteral("--param"), QStringLiteral("n_estimators=many")},
            2, QStringLiteral("n_estimators"));
        row("param without =", {alg, QStringLiteral("isolation_forest"), tr, good, QStringLiteral("--param"), QStringLiteral("n_estimators")},
            2, QStringLiteral("key=value"));
        row("bad seed", {alg, QStringLiteral("isolation_forest"), tr, good, QStringLiteral("--seed"), QStringLiteral("-1")}, 2,
            QStringLiteral("--seed"));
        row("ragged row", {alg, QStringLiteral("statistical"), tr, ragged}, 1, ragged + QStringLiteral(":3: the row has 2 fields; the header has 3"));
        row("text in a number column", {alg, QStringLiteral("statistical"), tr, text}, 1,
            text + QStringLiteral(":5: column \"b\": \"high\" is not a number"));
        row("empty file", {alg, QStringLiteral("statistical"), tr, empty}, 1, empty + QStringLiteral(": the file is empty"));
        row("missing file", {alg, QStringLiteral("statistical"), tr, missing}, 1, missing + QStringLiteral(": cannot open"));
        row("bad score file", {alg, QStringLiteral("statistical"), tr, good, QStringLiteral("--score"), ragged}, 1,
            ragged + QStringLiteral(":3:"));
        row("other columns", {alg, QStringLiteral("statistical"), tr, good, QStringLiteral("--score"), other}, 1,
            QStringLiteral("differ"));
        row("missing label column", {alg, QStringLiteral("statistical"), tr, good, QStringLiteral("--label-column"), QStringLiteral("y")}, 1,
            QStringLiteral("no column named \"y\""));
        row("unwritable out", {alg, QStringLiteral("statistical"), tr, good, QStringLiteral("--out"), m_dir.filePath(QStringLiteral("no/such/dir/out.csv"))},
            1, QStringLiteral("cannot write"));
    }
}

void TestDetectCommand::exitCodesAndMessages()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const Result r = run(args);
    QCOMPARE(r.exitCode, exitCode);
    if (exitCode == 0) {
        QVERIFY(r.out.contains("--algorithm"));
    } else {
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(message), r.err.constData());
        QVERIFY(!r.out.contains("score,is_anomaly"));
    }
}

QTEST_GUILESS_MAIN(TestDetectCommand)
#include "tst_detect_command.moc"
