#include "local_outlier_factor.h"

#include "parameter_reader.h"

#include <QJsonObject>
#include <QVarLengthArray>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

namespace vigil::engine {

namespace {

KdTree::Metric metricOf(const QString &name)
{
    return name == u"manhattan" ? KdTree::Metric::Manhattan : KdTree::Metric::Euclidean;
}

// Runs work(first, last) over [0, n) on up to two threads, in blocks, checking cancel.
bool parallelRows(qsizetype n, const TrainingControl &control, double progressFrom, double progressTo,
                  const QString &stage, const std::function<void(qsizetype, qsizetype)> &work)
{
    const qsizetype block = 2048;
    std::atomic<qsizetype> next{0};
    std::atomic<bool> stop{false};
    std::atomic<qsizetype> done{0};
    auto worker = [&](bool reporter) {
        for (;;) {
            if (stop.load(std::memory_order_relaxed))
                return;
            const qsizetype a = next.fetch_add(block);
            if (a >= n)
                return;
            const qsizetype b = std::min(n, a + block);
            work(a, b);
            done.fetch_add(b - a);
            if (reporter) {
                if (control.cancelled())
                    stop = true;
                control.report(progressFrom + (progressTo - progressFrom) * double(done.load()) / double(n), stage);
            }
        }
    };
    const int threads = n >= 4 * block ? int(std::min(2u, std::max(1u, std::thread::hardware_concurrency()))) : 1;
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(worker, false);
    worker(true);
    for (std::thread &t : pool)
        t.join();
    return !stop.load();
}

} // namespace

LocalOutlierFactor::LocalOutlierFactor() = default;

bool LocalOutlierFactor::takeSpecificParameters(QJsonObject *params, QString *error)
{
    ParameterReader r(params);
    int k = m_k;
    QString metric = m_metric;
    bool standardize = m_standardize;
    r.takeInt(QStringLiteral("n_neighbors"), &k, 1, 10000);
    const QStringList metrics{QStringLiteral("euclidean"), QStringLiteral("manhattan")};
    r.takeString(QStringLiteral("metric"), &metric, metrics);
    r.takeString(QStringLiteral("distance"), &metric, metrics);
    r.takeBool(QStringLiteral("standardize"), &standardize);
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return false;
    }
    m_k = k;
    m_metric = metric;
    m_standardize = standardize;
    return true;
}

QJsonObject LocalOutlierFactor::specificParameters() const
{
    QJsonObject o;
    o.insert(QStringLiteral("n_neighbors"), m_k);
    o.insert(QStringLiteral("metric"), m_metric);
    o.insert(QStringLiteral("standardize"), m_standardize);
    return o;
}

void LocalOutlierFactor::rebuild()
{
    m_tree.build(m_train, metricOf(m_metric), 16);
}

bool LocalOutlierFactor::fitModel(const SampleMatrix &samples, const TrainingControl &control,
                                  std::vector<double> *reference, QString *error)
{
    const qsizetype n = samples.rows();
    const int d = samples.cols();
    const int k = int(std::min<qsizetype>(m_k, n - 1));

    LocalOutlierFactor next;
    next.m_k = m_k;
    next.m_metric = m_metric;
    next.m_standardize = m_standardize;
    next.m_usedK = k;
    next.m_mean.assign(std::size_t(d), 0.0);
    next.m_scale.assign(std::size_t(d), 1.0);
    if (m_standardize) {
        for (int c = 0; c < d; ++c) {
            double mean = 0;
            for (qsizetype r = 0; r < n; ++r)
                mean += samples.at(r, c);
            mean /= double(n);
            double var = 0;
            for (qsizetype r = 0; r < n; ++r) {
                const double t = samples.at(r, c) - mean;
                var += t * t;
            }
            const double sd = std::sqrt(var / double(n));
            next.m_mean[std::size_t(c)] = mean;
            next.m_scale[std::size_t(c)] = sd > 0 ? sd : 1.0;
        }
    }
    next.m_train = SampleMatrix(n, d);
    for (qsizetype r = 0; r < n; ++r) {
        for (int c = 0; c < d; ++c)
            next.m_train.at(r, c) = (samples.at(r, c) - next.m_mean[std::size_t(c)]) / next.m_scale[std::size_t(c)];
    }
    control.report(0.02, tr("building the neighbour index"));
    next.rebuild();

    // Pass 1: neighbours of every training row (itself excluded) and its k-distance.
    std::vector<quint32> neighbourIndex(static_cast<std::size_t>(n) * std::size_t(k));
    std::vector<double> neighbourDistance(static_cast<std::size_t>(n) * std::size_t(k));
    next.m_kDistance.assign(std::size_t(n), 0.0);
    const bool ok1 = parallelRows(n, control, 0.05, 0.75, tr("finding neighbours"), [&](qsizetype a, qsizetype b) {
        QVarLengthArray<double, 64> dist(k);
        for (qsizetype r = a; r < b; ++r) {
            quint32 *idx = neighbourIndex.data() + std::size_t(r) * std::size_t(k);
            const int found = next.m_tree.nearest(next.m_train.row(r), k, r, idx, dist.data());
            for (int j = 0; j < found; ++j)
                neighbourDistance[std::size_t(r) * std::size_t(k) + std::size_t(j)] = dist[j];
            next.m_kDistance[std::size_t(r)] = found > 0 ? dist[found - 1] : 0.0;
        }
    });
    if (!ok1) {
        cancelledError(control, error);
        return false;
    }
    // Pass 2: local reachability densities.
    next.m_lrd.assign(std::size_t(n), 0.0);
    for (qsizetype r = 0; r < n; ++r) {
        double sum = 0;
        for (int j = 0; j < k; ++j) {
            const std::size_t at = std::size_t(r) * std::size_t(k) + std::size_t(j);
            sum += std::max(next.m_kDistance[neighbourIndex[at]], neighbourDistance[at]);
        }
        next.m_lrd[std::size_t(r)] = 1.0 / (sum / k + 1e-10);
    }
    // Pass 3: each training row's LOF without itself, for calibration.
    reference->assign(std::size_t(n), 0.0);
    for (qsizetype r = 0; r < n; ++r) {
        double sum = 0;
        for (int j = 0; j < k; ++j)
            sum += next.m_lrd[neighbourIndex[std::size_t(r) * std::size_t(k) + std::size_t(j)]];
        (*reference)[std::size_t(r)] = (sum / k) / next.m_lrd[std::size_t(r)];
    }
    if (cancelledError(control, error))
        return false;

    m_usedK = next.m_usedK;
    m_mean = std::move(next.m_mean);
    m_scale = std::move(next.m_scale);
    m_train = std::move(next.m_train);
    m_kDistance = std::move(next.m_kDistance);
    m_lrd = std::move(next.m_lrd);
    m_tree = std::move(next.m_tree);
    return true;
}

double LocalOutlierFactor::lofOf(const double *x, qint64 exclude) const
{
    const int k = m_usedK;
    QVarLengthArray<quint32, 64> idx(k);
    QVarLengthArray<double, 64> dist(k);
    const int found = m_tree.nearest(x, k, exclude, idx.data(), dist.data());
    if (found == 0)
        return 1.0;
    double reachSum = 0;
    double lrdSum = 0;
    for (int j = 0; j < found; ++j) {
        reachSum += std::max(m_kDistance[idx[j]], dist[j]);
        lrdSum += m_lrd[idx[j]];
    }
    const double lrd = 1.0 / (reachSum / found + 1e-10);
    return (lrdSum / found) / lrd;
}

double LocalOutlierFactor::rawScoreComplete(const double *sample) const
{
    const int d = featureCount();
    QVarLengthArray<double, 64> x(d);
    for (int c = 0; c < d; ++c)
        x[c] = (sample[c] - m_mean[std::size_t(c)]) / m_scale[std::size_t(c)];
    return lofOf(x.data(), -1);
}

void LocalOutlierFactor::writeModel(QDataStream &out) const
{
    const qsizetype n = m_train.rows();
    const int d = m_train.cols();
    out << qint32(m_usedK) << qint64(n) << qint32(d);
    for (int c = 0; c < d; ++c)
        out << m_mean[std::size_t(c)] << m_scale[std::size_t(c)];
    for (double v : m_train.values())
        out << v;
    for (qsizetype r = 0; r < n; ++r)
        out << m_kDistance[std::size_t(r)] << m_lrd[std::size_t(r)];
}

bool LocalOutlierFactor::readModel(QDataStream &in, quint16, QString *error)
{
    qint32 k = 0;
    qint64 n = 0;
    qint32 d = 0;
    in >> k >> n >> d;
    if (in.status() != QDataStream::Ok || d != featureCount() || n < 2 || k < 1 || k >= n || n > (qint64(1) << 31)) {
        if (error)
            *error = tr("bad local outlier factor header");
        return false;
    }
    std::vector<double> mean(static_cast<std::size_t>(d));
    std::vector<double> scale(static_cast<std::size_t>(d));
    for (int c = 0; c < d; ++c)
        in >> mean[std::size_t(c)] >> scale[std::size_t(c)];
    std::vector<double> values(static_cast<std::size_t>(n) * std::size_t(d));
    for (double &v : values) {
        in >> v;
        if (in.status() != QDataStream::Ok)
            break;
    }
    std::vector<double> kDistance(static_cast<std::size_t>(n));
    std::vector<double> lrd(static_cast<std::size_t>(n));
    for (qint64 r = 0; r < n && in.status() == QDataStream::Ok; ++r)
        in >> kDistance[std::size_t(r)] >> lrd[std::size_t(r)];
    if (in.status() != QDataStream::Ok) {
        if (error)
            *error = tr("truncated local outlier factor model");
        return false;
    }
    m_usedK = k;
    m_mean = std::move(mean);
    m_scale = std::move(scale);
    m_train = SampleMatrix(std::move(values), d);
    m_kDistance = std::move(kDistance);
    m_lrd = std::move(lrd);
    rebuild();
    return true;
}

} // namespace vigil::engine
