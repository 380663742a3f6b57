// Detector benchmark: ROC-AUC on the shared labelled sets (README protocol) and speed.
//
// usage: bench_detectors --data DIR [--splits DIR] [--datasets a,b] [--detectors a,b]
//                        [--seeds N] [--auc] [--speed] [--scoring] [--dump FILE]
// --scoring times only Isolation Forest and LOF batch scoring of the shuttle test rows (what
// side_by_side.sh compares with scikit-learn); --dump writes the raw and calibrated scores of
// both detectors on each dataset's seed-0 test rows (%.17g, to check kernels bit for bit).
// With --splits, the test rows of each dataset and seed are read from DIR/<name>_seed<k>.txt
// (written by sklearn_reference.py) so both implementations score exactly the same rows;
// without it, HoldoutSplit::stratified draws the split.

#include "engine/detectors/detection_metrics.h"
#include "engine/detectors/detector.h"
#include "engine/detectors/holdout_split.h"
#include "engine/detectors/isolation_forest.h"
#include "engine/detectors/numeric_csv.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <numeric>

using namespace vigil::engine;
using Clock = std::chrono::steady_clock;

namespace {

double seconds(Clock::time_point a, Clock::time_point b)
{
    return std::chrono::duration<double>(b - a).count();
}

struct Data
{
    NumericCsv table;
    QString name;
};

struct Fold
{
    SampleMatrix train;
    SampleMatrix test;
    std::vector<int> testLabels;
};

bool load(const QString &dir, const QString &name, Data *out)
{
    QString error;
    out->name = name;
    if (!NumericCsv::read(dir + QLatin1Char('/') + name + QStringLiteral(".csv"), QStringLiteral("label"), true,
                          &out->table, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return false;
    }
    return true;
}

Fold makeFold(const Data &data, const QString &splitsDir, int seed)
{
    const qsizetype n = data.table.samples.rows();
    HoldoutSplit split;
    QFile f(splitsDir + QStringLiteral("/%1_seed%2.txt").arg(data.name).arg(seed));
    if (!splitsDir.isEmpty() && f.open(QIODevice::ReadOnly)) {
        std::vector<char> isTest(std::size_t(n), 0);
        const QList<QByteArray> parts = f.readAll().simplified().split(' ');
        for (const QByteArray &p : parts) {
            const qsizetype i = p.toLongLong();
            split.test.push_back(i);
            isTest[std::size_t(i)] = 1;
        }
        for (qsizetype i = 0; i < n; ++i) {
            if (!isTest[std::size_t(i)])
                split.train.push_back(i);
        }
    } else {
        split = HoldoutSplit::stratified(data.table.labels, 0.4, quint64(seed));
    }
    Fold fold;
    fold.train = data.table.samples.selectRows(split.train);
    fold.test = data.table.samples.selectRows(split.test);
    fold.testLabels = HoldoutSplit::pick(data.table.labels, split.test);
    HoldoutSplit::standardize(&fold.train, &fold.test);
    return fold;
}

std::unique_ptr<Detector> fitDetector(const QString &type, const SampleMatrix &train, int seed, double *fitSeconds,
                                      const QJsonObject &extra = {})
{
    QJsonObject params = extra;
    params.insert(QStringLiteral("seed"), seed);
    QString error;
    std::unique_ptr<Detector> d = createDetector(type, params, &error);
    const auto t0 = Clock::now();
    if (!d || !d->fit(train, &error)) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(type), qPrintable(error));
        std::exit(1);
    }
    *fitSeconds = seconds(t0, Clock::now());
    return d;
}

void aucSection(const QString &dataDir, const QString &splitsDir, const QStringList &datasets,
                const QStringList &detectors, int seeds)
{
    std::printf("| dataset | detector | ROC-AUC mean (seeds 0-%d) | min | PR-AUC mean | fit s (seed 0) |\n", seeds - 1);
    std::printf("|---|---|---|---|---|---|\n");
    for (const QString &name : datasets) {
        Data data;
        if (!load(dataDir, name, &data))
            std::exit(1);
        std::map<QString, std::vector<double>> auc, pr;
        std::map<QString, double> fit0;
        for (int seed = 0; seed < seeds; ++seed) {
            const Fold fold = makeFold(data, splitsDir, seed);
            std::map<QString, std::vector<double>> scores;
            for (const QString &type : detectors) {
                double fitS = 0;
                std::unique_ptr<Detector> d = fitDetector(type, fold.train, seed, &fitS);
                std::vector<double> s(std::size_t(fold.test.rows()));
                d->scoreBatch(fold.test, s);
                const DetectionMetrics m = DetectionMetrics::compute(s, fold.testLabels);
                auc[type].push_back(m.rocAuc);
                pr[type].push_back(m.prAuc);
                if (seed == 0)
                    fit0[type] = fitS;
                scores[type] = std::move(s);
                std::fprintf(stderr, "%s seed %d %s AUC %.4f (fit %.2fs)\n", qPrintable(name), seed,
                             qPrintable(type), m.rocAuc, fitS);
            }
            // Ensembles: the mean of calibrated scores (they share one scale).
            const std::vector<QStringList> ensembles = {
                {QStringLiteral("isolation_forest"), QStringLiteral("statistical")},
                {QStringLiteral("isolation_forest"), QStringLiteral("autoencoder")},
                {QStringLiteral("isolation_forest"), QStringLiteral("statistical"), QStringLiteral("autoencoder")},
            };
            for (const QStringList &members : ensembles) {
                if (!std::all_of(members.begin(), members.end(), [&](const QString &m) { return scores.count(m) > 0; }))
                    continue;
                std::vector<double> mean(std::size_t(fold.test.rows()), 0.0);
                for (const QString &m : members) {
                    for (std::size_t i = 0; i < mean.size(); ++i)
                        mean[i] += scores[m][i] / double(members.size());
                }
                const QString key = QStringLiteral("ensemble(%1)").arg(members.join(QLatin1Char('+')));
                const DetectionMetrics m = DetectionMetrics::compute(mean, fold.testLabels);
                auc[key].push_back(m.rocAuc);
                pr[key].push_back(m.prAuc);
            }
        }
        for (const auto &[type, values] : auc) {
            const double mean = std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
            const double minimum = *std::min_element(values.begin(), values.end());
            const std::vector<double> &p = pr[type];
            const double prMean = std::accumulate(p.begin(), p.end(), 0.0) / double(p.size());
            const auto f = fit0.find(type);
            std::printf("| %s | %s | %.4f | %.4f | %.4f | %s |\n", qPrintable(name), qPrintable(type), mean, minimum,
                        prMean, f == fit0.end() ? "" : qPrintable(QString::number(f->second, 'f', 3)));
        }
        std::fflush(stdout);
    }
}

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    const std::size_t i = std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size())));
    return v[i];
}

double processCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// Rows per second of scoreBatch over `rows`, repeated for at least `minSeconds`; *perCpuSecond
// (optional) gets the rows per second of process CPU time, which other jobs on a shared
// machine disturb less than the wall clock (with one thread it is the kernel's own speed).
double throughput(const Detector &d, const SampleMatrix &rows, int threads, double minSeconds,
                  double *perCpuSecond = nullptr)
{
    std::vector<double> out(std::size_t(rows.rows()));
    d.scoreBatch(rows, out, threads); // warm-up
    qsizetype scored = 0;
    const double cpu0 = processCpuSeconds();
    const auto t0 = Clock::now();
    double elapsed = 0;
    do {
        d.scoreBatch(rows, out, threads);
        scored += rows.rows();
        elapsed = seconds(t0, Clock::now());
    } while (elapsed < minSeconds);
    if (perCpuSecond)
        *perCpuSecond = double(scored) / (processCpuSeconds() - cpu0);
    return double(scored) / elapsed;
}

void latency(const Detector &d, const SampleMatrix &rows, const char *what)
{
    std::vector<double> us;
    const int calls = 100000;
    us.reserve(calls);
    double sink = 0;
    for (int i = 0; i < 2000; ++i)
        sink += d.score(rows.rowSpan(i % rows.rows()));
    for (int i = 0; i < calls; ++i) {
        const auto row = rows.rowSpan(i % rows.rows());
        const auto t0 = Clock::now();
        sink += d.score(row);
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    }
    std::printf("%s one-event score(): p50 %.2f µs, p99 %.2f µs, p99.9 %.2f µs, max %.1f µs (%d calls; checksum %.3f)\n",
                what, percentile(us, 50), percentile(us, 99), percentile(us, 99.9), percentile(us, 100), calls, sink);
}

void scoringSection(const QString &dataDir, const QString &splitsDir)
{
    Data shuttle;
    if (!load(dataDir, QStringLiteral("shuttle"), &shuttle))
        std::exit(1);
    const Fold fold = makeFold(shuttle, splitsDir, 0);
    double fitS = 0;
    std::unique_ptr<Detector> forest = fitDetector(QStringLiteral("isolation_forest"), fold.train, 0, &fitS);
    std::unique_ptr<Detector> lof = fitDetector(QStringLiteral("local_outlier_factor"), fold.train, 0, &fitS);
    double if1Cpu = 0;
    double lof1Cpu = 0;
    const double if1 = throughput(*forest, fold.test, 1, 2.0, &if1Cpu);
    const double if2 = throughput(*forest, fold.test, 2, 2.0);
    const double lof1 = throughput(*lof, fold.test, 1, 2.0, &lof1Cpu);
    const double lof2 = throughput(*lof, fold.test, 2, 2.0);
    std::printf("{\"if_1t\": %.0f, \"if_2t\": %.0f, \"if_1t_cpu\": %.0f, \"lof_1t\": %.0f, \"lof_2t\": %.0f, "
                "\"lof_1t_cpu\": %.0f}\n",
                if1, if2, if1Cpu, lof1, lof2, lof1Cpu);
}

void dumpScores(const QString &dataDir, const QString &splitsDir, const QStringList &datasets, const QString &file)
{
    FILE *f = std::fopen(qPrintable(file), "w");
    if (!f) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(file));
        std::exit(1);
    }
    for (const QString &name : datasets) {
        Data data;
        if (!load(dataDir, name, &data))
            std::exit(1);
        Fold fold = makeFold(data, splitsDir, 0);
        if (fold.test.rows() > 20000) { // http: its first 20000 test rows and 60000 training rows
            std::vector<qsizetype> head(20000);
            std::iota(head.begin(), head.end(), 0);
            fold.test = fold.test.selectRows(head);
            head.resize(60000);
            std::iota(head.begin(), head.end(), 0);
            fold.train = fold.train.selectRows(head);
        }
        for (const QString &type : {QStringLiteral("isolation_forest"), QStringLiteral("local_outlier_factor")}) {
            double fitS = 0;
            std::unique_ptr<Detector> d = fitDetector(type, fold.train, 0, &fitS);
            std::vector<double> raw(std::size_t(fold.test.rows())), cal(raw.size());
            d->rawScoreBatch(fold.test, raw);
            d->scoreBatch(fold.test, cal);
            double one = 0;
            for (qsizetype r = 0; r < fold.test.rows(); r += 97)
                one += d->rawScore(fold.test.rowSpan(r));
            for (std::size_t r = 0; r < raw.size(); ++r)
                std::fprintf(f, "%s %s %zu %.17g %.17g\n", qPrintable(name), qPrintable(type), r, raw[r], cal[r]);
            std::fprintf(f, "%s %s one-row-sum %.17g\n", qPrintable(name), qPrintable(type), one);
        }
    }
    std::fclose(f);
}

void speedSection(const QString &dataDir, const QString &splitsDir)
{
    Data shuttle;
    if (!load(dataDir, QStringLiteral("shuttle"), &shuttle))
        std::exit(1);
    const Fold fold = makeFold(shuttle, splitsDir, 0);
    std::printf("shuttle: %lld training rows, %lld test rows, %d features\n", (long long)fold.train.rows(),
                (long long)fold.test.rows(), fold.train.cols());

    double fitS = 0;
    std::unique_ptr<Detector> forest = fitDetector(QStringLiteral("isolation_forest"), fold.train, 0, &fitS);
    std::printf("isolation_forest fit on shuttle: %.4f s\n", fitS);
    std::printf("isolation_forest batch scoring on shuttle test rows: %.0f rows/s (1 thread), %.0f rows/s (2 threads)\n",
                throughput(*forest, fold.test, 1, 2.0), throughput(*forest, fold.test, 2, 2.0));
    latency(*forest, fold.test, "isolation_forest");

    double lofFit = 0;
    std::unique_ptr<Detector> lof = fitDetector(QStringLiteral("local_outlier_factor"), fold.train, 0, &lofFit);
    std::printf("local_outlier_factor fit on shuttle: %.3f s\n", lofFit);
    std::printf("local_outlier_factor batch scoring on shuttle test rows: %.0f rows/s (1 thread), %.0f rows/s (2 threads)\n",
                throughput(*lof, fold.test, 1, 2.0), throughput(*lof, fold.test, 2, 2.0));
    latency(*lof, fold.test, "local_outlier_factor");

    // Autoencoder training on shuttle, with progress.
    {
        QString error;
        std::unique_ptr<Detector> ae = createDetector(QStringLiteral("autoencoder"), {{QStringLiteral("seed"), 0}}, &error);
        TrainingControl control;
        int lastTenth = -1;
        const auto t0 = Clock::now();
        control.progress = [&](double f, const QString &stage) {
            const int tenth = int(f * 10);
            if (tenth != lastTenth) {
                lastTenth = tenth;
                std::printf("  autoencoder progress %3d%% %s (%.1f s)\n", tenth * 10, qPrintable(stage), seconds(t0, Clock::now()));
            }
        };
        if (!ae->fit(fold.train, &error, control)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            std::exit(1);
        }
        const double s = seconds(t0, Clock::now());
        std::vector<double> scores(std::size_t(fold.test.rows()));
        ae->scoreBatch(fold.test, scores);
        std::printf("autoencoder training on shuttle (%lld rows, parameters %s): %.2f s, test ROC-AUC %.4f\n",
                    (long long)fold.train.rows(), qPrintable(QString::fromUtf8(QJsonDocument(ae->parameters()).toJson(QJsonDocument::Compact))),
                    s, DetectionMetrics::compute(scores, fold.testLabels).rocAuc);
        std::printf("autoencoder batch scoring on shuttle test rows: %.0f rows/s (2 threads)\n", throughput(*ae, fold.test, 2, 1.0));
    }

    Data http;
    if (!load(dataDir, QStringLiteral("http"), &http))
        std::exit(1);
    const Fold httpFold = makeFold(http, splitsDir, 0);
    std::vector<double> fits;
    for (int run = 0; run < 5; ++run) {
        double s = 0;
        fitDetector(QStringLiteral("isolation_forest"), httpFold.train, run, &s);
        fits.push_back(s);
    }
    std::printf("isolation_forest fit on the http training split (%lld rows): median %.4f s, max %.4f s over 5 seeds\n",
                (long long)httpFold.train.rows(), percentile(fits, 50), percentile(fits, 100));
    double httpFit = 0;
    std::unique_ptr<Detector> httpForest = fitDetector(QStringLiteral("isolation_forest"), httpFold.train, 0, &httpFit);
    std::printf("isolation_forest batch scoring on http test rows (%lld): %.0f rows/s (2 threads)\n",
                (long long)httpFold.test.rows(), throughput(*httpForest, httpFold.test, 2, 2.0));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    QString dataDir = QStringLiteral(VIGIL_SHARED_DATA);
    QString splitsDir;
    QStringList datasets{QStringLiteral("cardio"), QStringLiteral("thyroid"), QStringLiteral("satimage-2"),
                         QStringLiteral("mammography"), QStringLiteral("shuttle"), QStringLiteral("http")};
    QStringList detectors = Detector::modelTypes();
    int seeds = 5;
    bool auc = false;
    bool speed = false;
    bool scoring = false;
    QString dump;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString a = args[i];
        auto next = [&]() { return i + 1 < args.size() ? args[++i] : QString(); };
        if (a == u"--data")
            dataDir = next();
        else if (a == u"--splits")
            splitsDir = next();
        else if (a == u"--datasets")
            datasets = next().split(QLatin1Char(','));
        else if (a == u"--detectors")
            detectors = next().split(QLatin1Char(','));
        else if (a == u"--seeds")
            seeds = next().toInt();
        else if (a == u"--auc")
            auc = true;
        else if (a == u"--speed")
            speed = true;
        else if (a == u"--scoring")
            scoring = true;
        else if (a == u"--dump")
            dump = next();
        else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(a));
            return 2;
        }
    }
    if (!dump.isEmpty()) {
        dumpScores(dataDir, splitsDir, datasets, dump);
        return 0;
    }
    if (scoring) {
        scoringSection(dataDir, splitsDir);
        return 0;
    }
    if (!auc && !speed)
        auc = speed = true;
    if (auc)
        aucSection(dataDir, splitsDir, datasets, detectors, seeds);
    if (speed)
        speedSection(dataDir, splitsDir);
    return 0;
}
