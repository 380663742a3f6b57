// Detectors: known answers, determinism, serialization, calibration, explanations, AUC floors.

#include "engine/detectors/autoencoder_detector.h"
#include "engine/detectors/detection_metrics.h"
#include "engine/detectors/detector.h"
#include "engine/detectors/holdout_split.h"
#include "engine/detectors/isolation_forest.h"
#include "engine/detectors/kd_tree.h"
#include "engine/detectors/numeric_csv.h"
#include "engine/detectors/random_generator.h"
#include "engine/detectors/score_calibrator.h"

#include <QJsonObject>
#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <thread>

using namespace vigil::engine;

namespace {

// Standard normal samples from the portable generator (Box-Muller).
SampleMatrix gaussian(qsizetype rows, int cols, quint64 seed)
{
    RandomGenerator rng(seed, 99);
    SampleMatrix m(rows, cols);
    for (qsizetype r = 0; r < rows; ++r) {
        for (int c = 0; c < cols; ++c) {
            const double u1 = std::max(rng.uniform(), 1e-300);
            const double u2 = rng.uniform();
            m.at(r, c) = std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
        }
    }
    return m;
}

// Small, fast settings so that the whole file runs in seconds.
QJsonObject quickParams(const QString &type, int seed)
{
    QJsonObject p{{QStringLiteral("seed"), seed}};
    if (type == u"autoencoder") {
        p.insert(QStringLiteral("epochs"), 15);
        p.insert(QStringLiteral("batch_size"), 64);
        p.insert(QStringLiteral("learning_rate"), 0.005);
    }
    return p;
}

std::unique_ptr<Detector> fitted(const QString &type, const SampleMatrix &train, int seed = 1,
                                 QJsonObject params = {})
{
    QJsonObject p = quickParams(type, seed);
    for (auto it = params.begin(); it != params.end(); ++it)
        p.insert(it.key(), it.value());
    QString error;
    std::unique_ptr<Detector> d = createDetector(type, p, &error);
    if (!d)
        qFatal("createDetector: %s", qPrintable(error));
    if (!d->fit(train, &error))
        qFatal("fit: %s", qPrintable(error));
    return d;
}

std::vector<double> scoresOf(const Detector &d, const SampleMatrix &rows)
{
    std::vector<double> s(std::size_t(rows.rows()));
    d.scoreBatch(rows, s);
    return s;
}

void addTypeRows()
{
    QTest::addColumn<QString>("type");
    for (const QString &t : Detector::modelTypes())
        QTest::newRow(qPrintable(t)) << t;
}

} // namespace

class TestDetectors : public QObject
{
    Q_OBJECT

private slots:
    void averagePathLength_data();
    void averagePathLength();
    void metricsKnownAnswers_data();
    void metricsKnownAnswers();
    void kdTreeMatchesBruteForce_data();
    void kdTreeMatchesBruteForce();
    void lofMatchesDefinition();
    void batchMatchesOneByOne_data();
    void batchMatchesOneByOne();
    void obviousOutlierRanksFirst_data() { addTypeRows(); }
    void obviousOutlierRanksFirst();
    void sameSeedSameScores_data() { addTypeRows(); }
    void sameSeedSameScores();
    void serializationRoundTrip_data() { addTypeRows(); }
    void serializationRoundTrip();
    void corruptBytesAreRejected_data() { addTypeRows(); }
    void corruptBytesAreRejected();
    void calibrationInUnitInterval_data() { addTypeRows(); }
    void calibrationInUnitInterval();
    void calibrationHoldsOnNewData_data() { addTypeRows(); }
    void calibrationHoldsOnNewData();
    void calibratorIsMonotone();
    void explainPointsAtTheFeature_data() { addTypeRows(); }
    void explainPointsAtTheFeature();
    void missingValuesAreImputed_data() { addTypeRows(); }
    void missingValuesAreImputed();
    void parameters_data();
    void parameters();
    void trainingProgressAndCancel();
    void scoringWhileAnotherModelTrains();
    void csvReader_data();
    void csvReader();
    void aucFloors_data();
    void aucFloors();
};

void TestDetectors::averagePathLength_data()
{
    QTest::addColumn<double>("n");
    QTest::addColumn<double>("expected");
    auto exact = [](int n) {
        double h = 0;
        for (int i = 1; i <= n - 1; ++i)
            h += 1.0 / i;
        return 2.0 * h - 2.0 * (n - 1) / n;
    };
    QTest::newRow("0") << 0.0 << 0.0;
    QTest::newRow("1") << 1.0 << 0.0;
    QTest::newRow("2") << 2.0 << 1.0;
    QTest::newRow("3") << 3.0 << 5.0 / 3.0;
    QTest::newRow("4") << 4.0 << 13.0 / 6.0;
    QTest::newRow("64") << 64.0 << exact(64);
    QTest::newRow("65") << 65.0 << exact(65);
    QTest::newRow("256") << 256.0 << exact(256);
    QTest::newRow("100000") << 100000.0 << exact(100000);
}

void TestDetectors::averagePathLength()
{
    QFETCH(double, n);
    QFETCH(double, expected);
    QVERIFY2(std::abs(IsolationForest::averagePathLength(n) - expected) < 1e-10,
             qPrintable(QString::number(IsolationForest::averagePathLength(n), 'g', 17)));
    // Against the paper's approximation H(i) ≈ ln(i) + γ for large n.
    if (n >= 256) {
        const double paper = 2.0 * (std::log(n - 1) + 0.5772156649) - 2.0 * (n - 1) / n;
        QVERIFY(std::abs(IsolationForest::averagePathLength(n) - paper) < 1.0 / (n - 1) + 1e-9);
    }
}

void TestDetectors::metricsKnownAnswers_data()
{
    QTest::addColumn<QList<double>>("scores");
    QTest::addColumn<QList<int>>("labels");
    QTest::addColumn<double>("roc");
    QTest::addColumn<double>("pr");
    QTest::newRow("perfect") << QList<double>{0.9, 0.8, 0.1, 0.2} << QList<int>{1, 1, 0, 0} << 1.0 << 1.0;
    QTest::newRow("reversed") << QList<double>{0.1, 0.2, 0.9, 0.8} << QList<int>{1, 1, 0, 0} << 0.0 << 5.0 / 12.0;
    QTest::newRow("all tied") << QList<double>{0.5, 0.5, 0.5, 0.5} << QList<int>{1, 0, 0, 0} << 0.5 << 0.25;
    // scikit-learn: roc_auc_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.75, average_precision = 0.8333…
    QTest::newRow("sklearn doc") << QList<double>{0.1, 0.4, 0.35, 0.8} << QList<int>{0, 0, 1, 1} << 0.75 << 5.0 / 6.0;
}

void TestDetectors::metricsKnownAnswers()
{
    QFETCH(QList<double>, scores);
    QFETCH(QList<int>, labels);
    QFETCH(double, roc);
    QFETCH(double, pr);
    std::vector<double> s(scores.begin(), scores.end());
    std::vector<int> l(labels.begin(), labels.end());
    const DetectionMetrics m = DetectionMetrics::compute(s, l);
    QCOMPARE(m.rocAuc, roc);
    QVERIFY(std::abs(m.prAuc - pr) < 1e-12);
}

void TestDetectors::kdTreeMatchesBruteForce_data()
{
    QTest::addColumn<int>("dims");
    QTest::addColumn<bool>("manhattan");
    QTest::addColumn<bool>("duplicates");
    QTest::newRow("2d euclidean") << 2 << false << false;
    QTest::newRow("3d euclidean duplicates") << 3 << false << true;
    QTest::newRow("9d manhattan") << 9 << true << false;
    QTest::newRow("21d euclidean") << 21 << false << false;
}

void TestDetectors::kdTreeMatchesBruteForce()
{
    QFETCH(int, dims);
    QFETCH(bool, manhattan);
    QFETCH(bool, duplicates);
    SampleMatrix points = gaussian(3000, dims, 5);
    if (duplicates) {
        for (qsizetype r = 0; r < points.rows(); ++r) {
            for (int c = 0; c < dims; ++c)
                points.at(r, c) = std::round(points.at(r, c) * 2) / 2; // heavy ties
        }
    }
    KdTree tree;
    tree.build(points, manhattan ? KdTree::Metric::Manhattan : KdTree::Metric::Euclidean, 8);
    const SampleMatrix queries = gaussian(200, dims, 6);
    const int k = 10;
    std::vector<quint32> idx(k);
    std::vector<double> dist(k);
    for (qsizetype q = 0; q < queries.rows(); ++q) {
        const qint64 exclude = q % 2 ? q : -1;
        const double *query = exclude >= 0 ? points.row(q) : queries.row(q);
        std::vector<double> brute;
        for (qsizetype r = 0; r < points.rows(); ++r) {
            if (r != exclude)
                brute.push_back(tree.distance(query, points.row(r)));
        }
        std::sort(brute.begin(), brute.end());
        QCOMPARE(tree.nearest(query, k, exclude, idx.data(), dist.data()), k);
        for (int j = 0; j < k; ++j) {
            QVERIFY(std::abs(dist[std::size_t(j)] - brute[std::size_t(j)]) < 1e-12);
            QVERIFY(qint64(idx[std::size_t(j)]) != exclude);
            QVERIFY(std::abs(tree.distance(query, points.row(idx[std::size_t(j)])) - dist[std::size_t(j)]) < 1e-12);
        }
    }
}

void TestDetectors::batchMatchesOneByOne_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("rows");
    QTest::addColumn<bool>("ties");
    for (const QString &t : {QStringLiteral("isolation_forest"), QStringLiteral("local_outlier_factor")}) {
        for (int rows : {1, 31, 33, 257, 1000}) {
            QTest::newRow(qPrintable(QStringLiteral("%1 %2 rows").arg(t).arg(rows))) << t << rows << false;
            QTest::newRow(qPrintable(QStringLiteral("%1 %2 rows, ties").arg(t).arg(rows))) << t << rows << true;
        }
    }
}

void TestDetectors::batchMatchesOneByOne()
{
    // The batch kernels (tree-major blocks, vector lanes, batched distances) give exactly the
    // one-row path's scores, before and after a serialization round trip.
    QFETCH(QString, type);
    QFETCH(int, rows);
    QFETCH(bool, ties);
    SampleMatrix train = gaussian(1500, 9, 21);
    SampleMatrix test = gaussian(rows, 9, 22);
    if (ties) {
        for (SampleMatrix *m : {&train, &test}) {
            for (qsizetype r = 0; r < m->rows(); ++r) {
                for (int c = 0; c < m->cols(); ++c)
                    m->at(r, c) = std::round(m->at(r, c) * 2) / 2;
            }
        }
    }
    std::unique_ptr<Detector> d = fitted(type, train, 3);
    QString error;
    std::unique_ptr<Detector> loaded = Detector::deserialize(d->serialize(), &error);
    QVERIFY2(loaded, qPrintable(error));
    for (const Detector *det : {d.get(), loaded.get()}) {
        for (int threads : {1, 2}) {
            std::vector<double> batch(std::size_t(test.rows()));
            det->rawScoreBatch(test, batch, threads);
            for (qsizetype r = 0; r < test.rows(); ++r)
                QCOMPARE(batch[std::size_t(r)], d->rawScore(test.rowSpan(r)));
        }
    }
}

void TestDetectors::lofMatchesDefinition()
{
    // LOF from its definition, by brute force, on a small set.
    const SampleMatrix train = gaussian(300, 3, 11);
    const SampleMatrix test = gaussian(20, 3, 12);
    const int k = 7;
    std::unique_ptr<Detector> lof = fitted(QStringLiteral("local_outlier_factor"), train, 1,
                                           {{QStringLiteral("n_neighbors"), k}, {QStringLiteral("standardize"), false}});
    const qsizetype n = train.rows();
    auto dist = [&](const double *a, const double *b) {
        double s = 0;
        for (int c = 0; c < 3; ++c)
            s += (a[c] - b[c]) * (a[c] - b[c]);
        return std::sqrt(s);
    };
    auto knn = [&](const double *x, qint64 exclude) {
        std::vector<std::pair<double, qsizetype>> all;
        for (qsizetype r = 0; r < n; ++r) {
            if (r != exclude)
                all.push_back({dist(x, train.row(r)), r});
        }
        std::sort(all.begin(), all.end());
        all.resize(static_cast<std::size_t>(k));
        return all;
    };
    std::vector<double> kdist(static_cast<std::size_t>(n)), lrd(static_cast<std::size_t>(n));
    std::vector<std::vector<std::pair<double, qsizetype>>> nb(static_cast<std::size_t>(n));
    for (qsizetype r = 0; r < n; ++r) {
        nb[std::size_t(r)] = knn(train.row(r), r);
        kdist[std::size_t(r)] = nb[std::size_t(r)].back().first;
    }
    for (qsizetype r = 0; r < n; ++r) {
        double s = 0;
        for (const auto &[d, o] : nb[std::size_t(r)])
            s += std::max(kdist[std::size_t(o)], d);
        lrd[std::size_t(r)] = 1.0 / (s / k + 1e-10);
    }
    for (qsizetype q = 0; q < test.rows(); ++q) {
        const auto neighbours = knn(test.row(q), -1);
        double reach = 0, lrdSum = 0;
        for (const auto &[d, o] : neighbours) {
            reach += std::max(kdist[std::size_t(o)], d);
            lrdSum += lrd[std::size_t(o)];
        }
        const double expected = (lrdSum / k) * (reach / k + 1e-10);
        QVERIFY2(std::abs(lof->rawScore(test.rowSpan(q)) - expected) < 1e-9 * expected,
                 qPrintable(QStringLiteral("%1 vs %2").arg(lof->rawScore(test.rowSpan(q))).arg(expected)));
    }
}

void TestDetectors::obviousOutlierRanksFirst()
{
    QFETCH(QString, type);
    const SampleMatrix train = gaussian(600, 4, 21);
    SampleMatrix test = gaussian(200, 4, 22);
    for (int c = 0; c < 4; ++c)
        test.at(137, c) = 7.0;
    std::unique_ptr<Detector> d = fitted(type, train);
    const std::vector<double> s = scoresOf(*d, test);
    const auto top = std::max_element(s.begin(), s.end());
    QCOMPARE(int(top - s.begin()), 137);
    QVERIFY(d->isAnomaly(s[137]));
    const long flagged = std::count_if(s.begin(), s.end(), [&](double v) { return d->isAnomaly(v); });
    QVERIFY2(flagged <= 10, qPrintable(QString::number(flagged)));
}

void TestDetectors::sameSeedSameScores()
{
    QFETCH(QString, type);
    const SampleMatrix train = gaussian(700, 5, 31);
    const SampleMatrix test = gaussian(300, 5, 32);
    const std::vector<double> a = scoresOf(*fitted(type, train, 7), test);
    const std::vector<double> b = scoresOf(*fitted(type, train, 7), test);
    QVERIFY(a == b);
    if (type == u"isolation_forest" || type == u"autoencoder") {
        const std::vector<double> c = scoresOf(*fitted(type, train, 8), test);
        QVERIFY(a != c);
    }
}

void TestDetectors::serializationRoundTrip()
{
    QFETCH(QString, type);
    const SampleMatrix train = gaussian(500, 3, 41);
    SampleMatrix test = gaussian(200, 3, 42);
    test.at(3, 1) = std::numeric_limits<double>::quiet_NaN();
    std::unique_ptr<Detector> d = fitted(type, train, 3, {{QStringLiteral("threshold"), 0.97}});
    const QByteArray bytes = d->serialize();
    QString error;
    std::unique_ptr<Detector> back = Detector::deserialize(bytes, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->modelType(), type);
    QCOMPARE(back->parameters(), d->parameters());
    QCOMPARE(back->featureCount(), 3);
    QVERIFY(scoresOf(*back, test) == scoresOf(*d, test));
    for (qsizetype r = 0; r < 20; ++r) {
        QCOMPARE(back->score(test.rowSpan(r)), d->score(test.rowSpan(r)));
        QVERIFY(back->explain(test.rowSpan(r)) == d->explain(test.rowSpan(r)));
    }
    QCOMPARE(back->serialize(), bytes);

    // loadDetector: the stored type must match; a later threshold edit applies.
    std::unique_ptr<Detector> loaded = loadDetector(type, {{QStringLiteral("threshold"), 0.5}}, bytes, &error);
    QVERIFY2(loaded, qPrintable(error));
    QCOMPARE(loaded->threshold(), 0.5);
    const QString other = type == u"statistical" ? QStringLiteral("autoencoder") : QStringLiteral("statistical");
    QVERIFY(!loadDetector(other, {}, bytes, &error));
    QVERIFY(error.contains(type));
}

void TestDetectors::corruptBytesAreRejected()
{
    QFETCH(QString, type);
    const SampleMatrix train = gaussian(300, 3, 51);
    const QByteArray bytes = fitted(type, train)->serialize();
    QString error;
    QVERIFY(!Detector::deserialize(QByteArray(), &error));
    QVERIFY(!error.isEmpty());
    QVERIFY(!Detector::deserialize(QByteArray("not a model at all"), &error));
    for (qsizetype cut : {qsizetype(8), bytes.size() / 2, bytes.size() - 1}) {
        error.clear();
        QVERIFY(!Detector::deserialize(bytes.left(cut), &error));
        QVERIFY(!error.isEmpty());
    }
    QByteArray future = bytes;
    future[5] = char(99); // format version
    QVERIFY(!Detector::deserialize(future, &error));
    QVERIFY(error.contains(QStringLiteral("version")));
}

void TestDetectors::calibrationInUnitInterval()
{
    QFETCH(QString, type);
    const SampleMatrix train = gaussian(500, 3, 61);
    std::unique_ptr<Detector> d = fitted(type, train);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<std::vector<double>> probes = {
        {0, 0, 0}, {1e6, -1e6, 1e6}, {1e30, 1e30, -1e30}, {nan, nan, nan}, {nan, 50, nan}, {-3, 2, 0.5}};
    for (const auto &p : probes) {
        const double s = d->score(p);
        QVERIFY2(s >= 0 && s <= 1, qPrintable(QString::number(s)));
        const std::vector<double> e = d->explain(p);
        const double sum = std::accumulate(e.begin(), e.end(), 0.0);
        QVERIFY(sum == 0 || std::abs(sum - 1) < 1e-9);
        QVERIFY(std::all_of(e.begin(), e.end(), [](double v) { return v >= 0 && v <= 1; }));
    }
    // Farther is more anomalous (an isolation forest saturates beyond the training range).
    QVERIFY(d->score(std::vector<double>{20, 20, 20}) >= d->score(std::vector<double>{6, 6, 6}));
    if (type != u"isolation_forest")
        QVERIFY(d->score(std::vector<double>{20, 20, 20}) > d->score(std::vector<double>{6, 6, 6}));
    QVERIFY(d->score(std::vector<double>{6, 6, 6}) > d->score(std::vector<double>{0, 0, 0}));
}

void TestDetectors::calibrationHoldsOnNewData()
{
    // A threshold of 0.99 should flag about 1% of new samples from the training distribution.
    QFETCH(QString, type);
    const SampleMatrix train = gaussian(4000, 4, 71);
    const SampleMatrix fresh = gaussian(20000, 4, 72);
    std::unique_ptr<Detector> d = fitted(type, train);
    const std::vector<double> s = scoresOf(*d, fresh);
    const double share = double(std::count_if(s.begin(), s.end(), [](double v) { return v > 0.99; })) / double(s.size());
    QVERIFY2(share > 0.004 && share < 0.02, qPrintable(QStringLiteral("share above 0.99: %1").arg(share)));
    const double median = [&] { std::vector<double> c = s; std::nth_element(c.begin(), c.begin() + c.size() / 2, c.end()); return c[c.size() / 2]; }();
    QVERIFY2(median > 0.4 && median < 0.6, qPrintable(QStringLiteral("median %1").arg(median)));
}

void TestDetectors::calibratorIsMonotone()
{
    ScoreCalibrator c;
    std::vector<double> ref;
    for (int i = 0; i < 5000; ++i)
        ref.push_back(std::sin(i * 0.37) * 3 + (i % 7)); // many ties
    c.fit(ref);
    double previous = -1;
    for (double x = -20; x <= 30; x += 0.01) {
        const double p = c.map(x);
        QVERIFY(p >= previous && p >= 0 && p <= 1);
        previous = p;
    }
    QVERIFY(c.map(1e6) > c.map(1e3));
    QVERIFY(c.map(1e6) < 1.0);
    QCOMPARE(c.map(std::numeric_limits<double>::infinity()), 1.0);
}

void TestDetectors::explainPointsAtTheFeature()
{
    QFETCH(QString, type);
    const SampleMatrix train = gaussian(1000, 4, 81);
    std::unique_ptr<Detector> d = fitted(type, train);
    for (int feature = 0; feature < 4; ++feature) {
        std::vector<double> x{0.1, -0.2, 0.3, 0.0};
        x[std::size_t(feature)] = 6.0;
        const std::vector<double> e = d->explain(x);
        const int top = int(std::max_element(e.begin(), e.end()) - e.begin());
        QCOMPARE(top, feature);
        QVERIFY2(e[std::size_t(feature)] > 0.5, qPrintable(QString::number(e[std::size_t(feature)])));
    }
}

void TestDetectors::missingValuesAreImputed()
{
    QFETCH(QString, type);
    SampleMatrix train = gaussian(400, 3, 91);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (qsizetype r = 0; r < train.rows(); r += 7)
        train.at(r, r % 3) = nan;
    std::unique_ptr<Detector> d = fitted(type, train);
    const std::vector<double> &medians = d->trainingMedians();
    const std::vector<double> withNan{nan, 1.5, nan};
    const std::vector<double> imputed{medians[0], 1.5, medians[2]};
    QCOMPARE(d->score(withNan), d->score(imputed));
}

void TestDetectors::parameters_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::newRow("if defaults") << "isolation_forest" << QJsonObject{} << "";
    QTest::newRow("if strings from the command line") << "ISOLATION_FOREST"
        << QJsonObject{{"n_estimators", "50"}, {"max_samples", "0.5"}, {"max_features", "2"}} << "";
    QTest::newRow("if bad estimators") << "isolation_forest" << QJsonObject{{"n_estimators", 0}} << "n_estimators";
    QTest::newRow("if bad samples") << "isolation_forest" << QJsonObject{{"max_samples", "lots"}} << "max_samples";
    QTest::newRow("unknown key") << "isolation_forest" << QJsonObject{{"n_trees", 10}} << "n_trees";
    QTest::newRow("lof prototype name") << "LOCAL_OUTLIER" << QJsonObject{{"n_neighbors", 5}, {"metric", "manhattan"}} << "";
    QTest::newRow("lof bad metric") << "local_outlier_factor" << QJsonObject{{"metric", "cosine"}} << "metric";
    QTest::newRow("ae hidden list") << "autoencoder" << QJsonObject{{"hidden_sizes", "16,4"}, {"epochs", 2}} << "";
    QTest::newRow("ae three layers") << "autoencoder" << QJsonObject{{"hidden_sizes", "16,8,4"}} << "hidden_sizes";
    QTest::newRow("stat method") << "statistical" << QJsonObject{{"method", "robust_z"}} << "";
    QTest::newRow("stat bad method") << "statistical" << QJsonObject{{"method", "magic"}} << "method";
    QTest::newRow("threshold range") << "statistical" << QJsonObject{{"threshold", 1.5}} << "threshold";
    QTest::newRow("severity") << "statistical" << QJsonObject{{"severity", "HIGH"}, {"model_weight", 0.5}} << "";
    QTest::newRow("unknown type") << "random_forest" << QJsonObject{} << "random_forest";
}

void TestDetectors::parameters()
{
    QFETCH(QString, type);
    QFETCH(QJsonObject, params);
    QFETCH(QString, error);
    QString message;
    std::unique_ptr<Detector> d = createDetector(type, params, &message);
    if (error.isEmpty()) {
        QVERIFY2(d, qPrintable(message));
        // parameters() round-trips through createDetector.
        std::unique_ptr<Detector> again = createDetector(d->modelType(), d->parameters(), &message);
        QVERIFY2(again, qPrintable(message));
        QCOMPARE(again->parameters(), d->parameters());
    } else {
        QVERIFY(!d);
        QVERIFY2(message.contains(error), qPrintable(message));
    }
}

void TestDetectors::trainingProgressAndCancel()
{
    const SampleMatrix train = gaussian(3000, 6, 101);
    QString error;
    std::unique_ptr<Detector> d = createDetector(QStringLiteral("autoencoder"), {{QStringLiteral("epochs"), 5}}, &error);
    QVERIFY(d);
    std::vector<double> progress;
    TrainingControl control;
    control.progress = [&](double f, const QString &) { progress.push_back(f); };
    QVERIFY2(d->fit(train, &error, control), qPrintable(error));
    QVERIFY(progress.size() >= 5);
    QVERIFY(std::is_sorted(progress.begin(), progress.end()));
    QCOMPARE(progress.back(), 1.0);
    QCOMPARE(int(static_cast<AutoencoderDetector *>(d.get())->lossHistory().size()), 5);
    const std::vector<double> before = scoresOf(*d, train);

    // Cancel from the progress callback (as a UI's Cancel button would, from any thread).
    for (const QString &type : Detector::modelTypes()) {
        std::unique_ptr<Detector> other = type == u"autoencoder" ? std::move(d) : createDetector(type, {}, &error);
        const bool wasFitted = other->isFitted();
        std::atomic<bool> cancel{false};
        TrainingControl stop;
        stop.cancel = &cancel;
        stop.progress = [&](double, const QString &) { cancel = true; };
        cancel = type != u"autoencoder"; // the others may report only once: cancel up front
        QVERIFY2(!other->fit(gaussian(20000, 6, 102), &error, stop), qPrintable(type));
        QVERIFY2(error.contains(QStringLiteral("cancel")), qPrintable(error));
        QCOMPARE(other->isFitted(), wasFitted);
        if (type == u"autoencoder")
            QVERIFY(scoresOf(*other, train) == before); // the previous model is untouched
    }
}

void TestDetectors::scoringWhileAnotherModelTrains()
{
    const SampleMatrix train = gaussian(3000, 4, 111);
    const SampleMatrix test = gaussian(2000, 4, 112);
    std::unique_ptr<Detector> live = fitted(QStringLiteral("isolation_forest"), train);
    const std::vector<double> expected = scoresOf(*live, test);
    std::atomic<bool> mismatch{false};
    std::thread scorer([&] {
        for (int round = 0; round < 20; ++round) {
            for (qsizetype r = 0; r < test.rows(); ++r) {
                if (live->score(test.rowSpan(r)) != expected[std::size_t(r)])
                    mismatch = true;
            }
        }
    });
    std::unique_ptr<Detector> next = fitted(QStringLiteral("local_outlier_factor"), train);
    std::unique_ptr<Detector> next2 = fitted(QStringLiteral("autoencoder"), train);
    scorer.join();
    QVERIFY(!mismatch);
    QVERIFY(next->isFitted() && next2->isFitted());
}

void TestDetectors::csvReader_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("error"); // empty: parses
    QTest::addColumn<int>("rows");
    QTest::newRow("ok") << QByteArray("a,b,label\n1,2,0\n3,4e2,1\n") << "" << 2;
    QTest::newRow("crlf, spaces, quotes, blank lines") << QByteArray("\"a\", b ,label\r\n 1 ,\"2\",0\r\n\r\n-3,+4,1\r\n\n") << "" << 2;
    QTest::newRow("missing value") << QByteArray("a,b\n1,\n,2\nnan,3\n") << "" << 3;
    QTest::newRow("empty file") << QByteArray("") << "empty" << 0;
    QTest::newRow("only blank lines") << QByteArray("\n\n") << "empty" << 0;
    QTest::newRow("header only") << QByteArray("a,b,label\n") << "data.csv:1:" << 0;
    QTest::newRow("ragged short") << QByteArray("a,b,label\n1,2,0\n3,4\n") << "data.csv:3: the row has 2 fields; the header has 3" << 0;
    QTest::newRow("ragged long") << QByteArray("a,b,label\n1,2,0,9,9\n") << "data.csv:2: the row has 5 fields; the header has 3" << 0;
    QTest::newRow("text") << QByteArray("a,b,label\n1,2,0\n\n1,abc,0\n") << "data.csv:4: column \"b\": \"abc\" is not a number" << 0;
    QTest::newRow("bad label") << QByteArray("a,b,label\n1,2,2\n") << "data.csv:2: column \"label\"" << 0;
    QTest::newRow("infinite") << QByteArray("a,label\ninf,0\n") << "data.csv:2:" << 0;
}

void TestDetectors::csvReader()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, error);
    QFETCH(int, rows);
    NumericCsv table;
    QString message;
    const bool ok = NumericCsv::parse(text, QStringLiteral("data.csv"), QStringLiteral("label"), false, &table, &message);
    if (error.isEmpty()) {
        QVERIFY2(ok, qPrintable(message));
        QCOMPARE(int(table.samples.rows()), rows);
        if (table.hasLabels()) {
            QCOMPARE(table.featureNames, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
            QCOMPARE(table.samples.at(1, 1), text.contains("4e2") ? 400.0 : 4.0);
            QCOMPARE(table.labels, (std::vector<int>{0, 1}));
        } else {
            QVERIFY(std::isnan(table.samples.at(0, 1)) && std::isnan(table.samples.at(1, 0)) && std::isnan(table.samples.at(2, 0)));
        }
    } else {
        QVERIFY(!ok);
        QVERIFY2(message.contains(error), qPrintable(message));
    }
}

void TestDetectors::aucFloors_data()
{
    // Floors sit 0.01 below what seed 0 gives (the trailing comment, docs/benchmarks.md); every
    // input here is deterministic, so a drop means a change in behaviour, not bad luck.
    QTest::addColumn<QString>("dataset");
    QTest::addColumn<QString>("type");
    QTest::addColumn<int>("maxRows");
    QTest::addColumn<double>("floor");
    QTest::newRow("cardio isolation_forest") << "cardio" << "isolation_forest" << 0 << 0.93; // 0.9407
    QTest::newRow("cardio local_outlier_factor") << "cardio" << "local_outlier_factor" << 0 << 0.56; // 0.5721
    QTest::newRow("cardio autoencoder") << "cardio" << "autoencoder" << 0 << 0.87; // 0.8810
    QTest::newRow("cardio statistical") << "cardio" << "statistical" << 0 << 0.92; // 0.9342
    QTest::newRow("thyroid isolation_forest") << "thyroid" << "isolation_forest" << 0 << 0.96; // 0.9712
    QTest::newRow("thyroid local_outlier_factor") << "thyroid" << "local_outlier_factor" << 0 << 0.72; // 0.7346
    QTest::newRow("thyroid autoencoder") << "thyroid" << "autoencoder" << 0 << 0.83; // 0.8469
    QTest::newRow("thyroid statistical") << "thyroid" << "statistical" << 0 << 0.97; // 0.9812
    QTest::newRow("satimage-2 isolation_forest") << "satimage-2" << "isolation_forest" << 0 << 0.98; // 0.9976
    QTest::newRow("satimage-2 local_outlier_factor") << "satimage-2" << "local_outlier_factor" << 0 << 0.31; // 0.3204
    QTest::newRow("satimage-2 autoencoder") << "satimage-2" << "autoencoder" << 0 << 0.86; // 0.8774
    QTest::newRow("satimage-2 statistical") << "satimage-2" << "statistical" << 0 << 0.98; // 0.9972
    QTest::newRow("mammography isolation_forest") << "mammography" << "isolation_forest" << 0 << 0.83; // 0.8434
    QTest::newRow("mammography local_outlier_factor") << "mammography" << "local_outlier_factor" << 0 << 0.74; // 0.7517
    QTest::newRow("mammography autoencoder") << "mammography" << "autoencoder" << 0 << 0.81; // 0.8239
    QTest::newRow("mammography statistical") << "mammography" << "statistical" << 0 << 0.76; // 0.7766
    QTest::newRow("shuttle isolation_forest") << "shuttle" << "isolation_forest" << 0 << 0.98; // 0.9975
    QTest::newRow("shuttle local_outlier_factor") << "shuttle" << "local_outlier_factor" << 0 << 0.52; // 0.5323
    QTest::newRow("shuttle autoencoder") << "shuttle" << "autoencoder" << 0 << 0.83; // 0.8440
    QTest::newRow("shuttle statistical") << "shuttle" << "statistical" << 0 << 0.98; // 0.9916
    QTest::newRow("http isolation_forest") << "http" << "isolation_forest" << 60000 << 0.98; // 0.9999
    QTest::newRow("http local_outlier_factor") << "http" << "local_outlier_factor" << 60000 << 0.30; // 0.3139
    QTest::newRow("http autoencoder") << "http" << "autoencoder" << 60000 << 0.39; // 0.4091
    QTest::newRow("http statistical") << "http" << "statistical" << 60000 << 0.98; // 0.9942
}

void TestDetectors::aucFloors()
{
    QFETCH(QString, dataset);
    QFETCH(QString, type);
    QFETCH(int, maxRows);
    QFETCH(double, floor);
    NumericCsv table;
    QString error;
    QVERIFY2(NumericCsv::read(QStringLiteral(VIGIL_SHARED_DATA "/%1.csv").arg(dataset), QStringLiteral("label"), true,
                              &table, &error), qPrintable(error));
    std::vector<qsizetype> rows(std::size_t(table.samples.rows()));
    std::iota(rows.begin(), rows.end(), qsizetype(0));
    std::vector<int> labels = table.labels;
    SampleMatrix all = table.samples;
    if (maxRows > 0 && all.rows() > maxRows) {
        // A stratified subsample, itself fixed by its seed.
        const HoldoutSplit sub = HoldoutSplit::stratified(labels, double(maxRows) / double(all.rows()), 1234);
        all = table.samples.selectRows(sub.test);
        labels = HoldoutSplit::pick(table.labels, sub.test);
    }
    const HoldoutSplit split = HoldoutSplit::stratified(labels, 0.4, 0);
    SampleMatrix train = all.selectRows(split.train);
    SampleMatrix test = all.selectRows(split.test);
    HoldoutSplit::standardize(&train, &test);
    std::unique_ptr<Detector> d = createDetector(type, {{QStringLiteral("seed"), 0}}, &error);
    QVERIFY2(d && d->fit(train, &error), qPrintable(error));
    const DetectionMetrics m = DetectionMetrics::compute(scoresOf(*d, test), HoldoutSplit::pick(labels, split.test));
    qInfo("%s %s ROC-AUC %.4f PR-AUC %.4f (floor %.3f)", qPrintable(dataset), qPrintable(type), m.rocAuc, m.prAuc, floor);
    QVERIFY2(m.rocAuc >= floor, qPrintable(QStringLiteral("ROC-AUC %1 < %2").arg(m.rocAuc).arg(floor)));
}

QTEST_GUILESS_MAIN(TestDetectors)
#include "tst_detectors.moc"
