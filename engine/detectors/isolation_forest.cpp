#include "isolation_forest.h"

#include "parameter_reader.h"
#include "random_generator.h"

#include <QJsonObject>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace vigil::engine {

namespace {

constexpr double kEulerGamma = 0.57721566490153286061;
constexpr int kCalibrationRows = 4096;
constexpr quint64 kCalibrationStream = 0xCA11B4A7E;

double harmonic(double m)
{
    if (m < 1)
        return 0;
    if (m <= 64) {
        double h = 0;
        for (int i = int(m); i >= 1; --i)
            h += 1.0 / i;
        return h;
    }
    const double inv = 1.0 / m;
    const double inv2 = inv * inv;
    return std::log(m) + kEulerGamma + 0.5 * inv - inv2 / 12.0 + inv2 * inv2 / 120.0;
}

struct TreeBuild
{
    std::vector<float> values;      // rows × features of the sample (tree's feature subset)
    std::vector<quint32> rows;      // row order being partitioned
};

} // namespace

IsolationForest::IsolationForest() = default;

double IsolationForest::averagePathLength(double n)
{
    if (n <= 1)
        return 0;
    return 2.0 * harmonic(n - 1) - 2.0 * (n - 1) / n;
}

bool IsolationForest::takeSpecificParameters(QJsonObject *params, QString *error)
{
    ParameterReader r(params);
    int estimators = m_estimators;
    double maxSamples = m_maxSamples;
    bool maxSamplesAuto = m_maxSamplesAuto;
    double maxFeatures = m_maxFeatures;
    bool featuresAuto = false;
    r.takeInt(QStringLiteral("n_estimators"), &estimators, 1, 100000);
    r.takeCountOrFraction(QStringLiteral("max_samples"), &maxSamples, &maxSamplesAuto, QStringLiteral("auto"));
    r.takeCountOrFraction(QStringLiteral("max_features"), &maxFeatures, &featuresAuto, QString());
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return false;
    }
    if (!maxSamplesAuto && maxSamples > 1 && maxSamples > 16777216) {
        if (error)
            *error = tr("parameter \"max_samples\": at most 16777216 rows per tree");
        return false;
    }
    m_estimators = estimators;
    m_maxSamples = maxSamples;
    m_maxSamplesAuto = maxSamplesAuto;
    m_maxFeatures = maxFeatures;
    return true;
}

QJsonObject IsolationForest::specificParameters() const
{
    QJsonObject o;
    o.insert(QStringLiteral("n_estimators"), m_estimators);
    if (m_maxSamplesAuto)
        o.insert(QStringLiteral("max_samples"), QStringLiteral("auto"));
    else
        o.insert(QStringLiteral("max_samples"), m_maxSamples);
    o.insert(QStringLiteral("max_features"), m_maxFeatures);
    return o;
}

bool IsolationForest::fitModel(const SampleMatrix &samples, const TrainingControl &control,
                               std::vector<double> *reference, QString *error)
{
    const qsizetype n = samples.rows();
    const int d = samples.cols();
    if (n > qsizetype(std::numeric_limits<quint32>::max() / 2)) {
        if (error)
            *error = tr("too many training rows for an isolation forest");
        return false;
    }
    qsizetype psi = 256;
    if (!m_maxSamplesAuto)
        psi = m_maxSamples > 1 ? qsizetype(m_maxSamples) : qsizetype(std::ceil(m_maxSamples * double(n)));
    psi = std::clamp<qsizetype>(psi, 2, n);
    const int featuresPerTree = m_maxFeatures > 1 ? std::min(d, int(m_maxFeatures))
                                                  : std::clamp(int(m_maxFeatures * d), 1, d);
    const int heightLimit = int(std::ceil(std::log2(double(psi))));

    std::vector<Node> nodes;
    std::vector<float> pathValue;
    std::vector<quint32> roots;
    std::vector<quint8> depths;
    std::vector<std::vector<quint32>> inBag(static_cast<std::size_t>(m_estimators));
    nodes.reserve(std::size_t(m_estimators) * std::size_t(std::min<qsizetype>(2 * psi, qsizetype(1) << (heightLimit + 1))));

    TreeBuild tb;
    std::vector<int> features(static_cast<std::size_t>(d));
    struct Pending { quint32 node; quint32 begin; quint32 end; int depth; };
    std::vector<Pending> stack;

    for (int t = 0; t < m_estimators; ++t) {
        if ((t & 7) == 0) {
            if (cancelledError(control, error))
                return false;
            control.report(0.9 * t / m_estimators, tr("growing trees"));
        }
        RandomGenerator rng(seed(), quint64(t) + 1);

        // Rows: Floyd's sampling without replacement, then sorted for a canonical order.
        std::vector<quint32> &bag = inBag[std::size_t(t)];
        bag.clear();
        if (psi == n) {
            bag.resize(std::size_t(n));
            std::iota(bag.begin(), bag.end(), 0u);
        } else {
            std::unordered_set<quint32> chosen;
            chosen.reserve(std::size_t(psi) * 2);
            for (qsizetype j = n - psi; j < n; ++j) {
                const quint32 pick = quint32(rng.below(quint64(j) + 1));
                if (!chosen.insert(pick).second)
                    chosen.insert(quint32(j));
            }
            bag.assign(chosen.begin(), chosen.end());
            std::sort(bag.begin(), bag.end());
        }

        // Features: a random subset when max_features < d.
        std::iota(features.begin(), features.end(), 0);
        for (int k = 0; k < featuresPerTree; ++k)
            std::swap(features[std::size_t(k)], features[std::size_t(k) + std::size_t(rng.below(quint64(d - k)))]);
        std::vector<int> treeFeatures(features.begin(), features.begin() + featuresPerTree);
        if (featuresPerTree == d)
            std::iota(treeFeatures.begin(), treeFeatures.end(), 0);

        const int m = featuresPerTree;
        tb.values.resize(std::size_t(psi) * std::size_t(m));
        for (qsizetype i = 0; i < psi; ++i) {
            const double *src = samples.row(bag[std::size_t(i)]);
            for (int f = 0; f < m; ++f)
                tb.values[std::size_t(i) * std::size_t(m) + std::size_t(f)] = float(src[treeFeatures[std::size_t(f)]]);
        }
        tb.rows.resize(std::size_t(psi));
        std::iota(tb.rows.begin(), tb.rows.end(), 0u);

        const quint32 root = quint32(nodes.size());
        roots.push_back(root);
        nodes.push_back({});
        pathValue.push_back(0);
        int maxDepth = 0;
        std::vector<int> order(static_cast<std::size_t>(m));
        stack.clear();
        stack.push_back({root, 0, quint32(psi), 0});
        while (!stack.empty()) {
            const Pending p = stack.back();
            stack.pop_back();
            const quint32 size = p.end - p.begin;
            bool split = false;
            int splitFeature = 0;
            float threshold = 0;
            if (p.depth < heightLimit && size > 1) {
                std::iota(order.begin(), order.end(), 0);
                for (int k = 0; k < m && !split; ++k) {
                    std::swap(order[std::size_t(k)], order[std::size_t(k) + std::size_t(rng.below(quint64(m - k)))]);
                    const int f = order[std::size_t(k)];
                    float lo = std::numeric_limits<float>::infinity();
                    float hi = -lo;
                    for (quint32 i = p.begin; i < p.end; ++i) {
                        const float v = tb.values[std::size_t(tb.rows[i]) * std::size_t(m) + std::size_t(f)];
                        lo = std::min(lo, v);
                        hi = std::max(hi, v);
                    }
                    if (hi > lo) {
                        double thr = double(lo) + rng.uniform() * (double(hi) - double(lo));
                        threshold = float(thr);
                        if (!(threshold < hi))
                            threshold = std::nextafter(hi, lo);
                        if (threshold < lo)
                            threshold = lo;
                        splitFeature = f;
                        split = true;
                    }
                }
            }
            if (!split) {
                nodes[p.node] = {std::numeric_limits<float>::infinity(), p.node, 0};
                pathValue[p.node] = float(p.depth + averagePathLength(size));
                maxDepth = std::max(maxDepth, p.depth);
                continue;
            }
            // Partition: x <= threshold to the left.
            auto mid = std::partition(tb.rows.begin() + p.begin, tb.rows.begin() + p.end, [&](quint32 row) {
                return !(tb.values[std::size_t(row) * std::size_t(m) + std::size_t(splitFeature)] > threshold);
            });
            const quint32 midIndex = quint32(mid - tb.rows.begin());
            const quint32 left = quint32(nodes.size());
            nodes[p.node] = {threshold, left, quint32(treeFeatures[std::size_t(splitFeature)])};
            nodes.push_back({});
            nodes.push_back({});
            pathValue.push_back(0);
            pathValue.push_back(0);
            stack.push_back({left + 1, midIndex, p.end, p.depth + 1});
            stack.push_back({left, p.begin, midIndex, p.depth + 1});
        }
        depths.push_back(quint8(maxDepth));
    }

    // Commit, then score calibration rows out of bag.
    m_sampleSize = int(psi);
    m_normaliser = averagePathLength(double(psi));
    m_nodes = std::move(nodes);
    m_pathValue = std::move(pathValue);
    m_roots = std::move(roots);
    m_depths = std::move(depths);

    control.report(0.9, tr("calibrating"));
    std::vector<quint32> calibration;
    if (n <= kCalibrationRows) {
        calibration.resize(std::size_t(n));
        std::iota(calibration.begin(), calibration.end(), 0u);
    } else {
        RandomGenerator rng(seed(), kCalibrationStream);
        std::unordered_set<quint32> chosen;
        chosen.reserve(kCalibrationRows * 2);
        for (qsizetype j = n - kCalibrationRows; j < n; ++j) {
            const quint32 pick = quint32(rng.below(quint64(j) + 1));
            if (!chosen.insert(pick).second)
                chosen.insert(quint32(j));
        }
        calibration.assign(chosen.begin(), chosen.end());
        std::sort(calibration.begin(), calibration.end());
    }
    reference->clear();
    reference->reserve(calibration.size());
    std::vector<float> x(static_cast<std::size_t>(d));
    for (quint32 row : calibration) {
        const double *src = samples.row(row);
        for (int c = 0; c < d; ++c)
            x[std::size_t(c)] = float(src[c]);
        double sum = 0;
        double inSampleSum = 0;
        int count = 0;
        for (std::size_t t = 0; t < m_roots.size(); ++t) {
            quint32 idx = m_roots[t];
            for (int level = 0; level < m_depths[t]; ++level) {
                const Node &node = m_nodes[idx];
                idx = node.left + quint32(x[node.feature] > node.threshold);
            }
            inSampleSum += m_pathValue[idx];
            if (!std::binary_search(inBag[t].begin(), inBag[t].end(), row)) {
                sum += m_pathValue[idx];
                ++count;
            }
        }
        const double meanPath = count > 0 ? sum / count : inSampleSum / double(m_roots.size());
        reference->push_back(m_normaliser > 0 ? std::exp2(-meanPath / m_normaliser) : 0.5);
    }
    return true;
}

template<int B>
void IsolationForest::pathSums(const float *rows, double *sums) const
{
    const int d = featureCount();
    for (int r = 0; r < B; ++r)
        sums[r] = 0;
    const Node *nodes = m_nodes.data();
    const float *pathValue = m_pathValue.data();
    for (std::size_t t = 0; t < m_roots.size(); ++t) {
        quint32 idx[B];
        for (int r = 0; r < B; ++r)
            idx[r] = m_roots[t];
        const int depth = m_depths[t];
        for (int level = 0; level < depth; ++level) {
            for (int r = 0; r < B; ++r) {
                const Node &node = nodes[idx[r]];
                idx[r] = node.left + quint32(rows[r * d + int(node.feature)] > node.threshold);
            }
        }
        for (int r = 0; r < B; ++r)
            sums[r] += pathValue[idx[r]];
    }
}

double IsolationForest::meanPathLength(const double *sample) const
{
    const int d = featureCount();
    float buffer[64];
    std::vector<float> heap;
    float *x = buffer;
    if (d > 64) {
        heap.resize(std::size_t(d));
        x = heap.data();
    }
    for (int c = 0; c < d; ++c)
        x[c] = float(sample[c]);
    double sum = 0;
    pathSums<1>(x, &sum);
    return sum / double(m_roots.size());
}

double IsolationForest::rawScoreComplete(const double *sample) const
{
    return std::exp2(-meanPathLength(sample) / m_normaliser);
}

void IsolationForest::rawScoreBatchComplete(const SampleMatrix &samples, double *out) const
{
    // Tree by tree over the whole block, so that a tree's nodes stay in L1 while every row of
    // the block walks it; rows go in groups of G for independent memory chains.
    constexpr int G = 8;
    const int d = featureCount();
    const qsizetype n = samples.rows();
    std::vector<float> block(std::size_t(n) * std::size_t(d));
    for (qsizetype i = 0; i < n * d; ++i)
        block[std::size_t(i)] = float(samples.data()[i]);
    std::vector<double> sums(std::size_t(n), 0.0);
    const Node *nodes = m_nodes.data();
    const float *pathValue = m_pathValue.data();
    const qsizetype full = n - n % G;
    for (std::size_t t = 0; t < m_roots.size(); ++t) {
        const quint32 root = m_roots[t];
        const int depth = m_depths[t];
        for (qsizetype r0 = 0; r0 < full; r0 += G) {
            const float *rows = block.data() + r0 * d;
            quint32 idx[G];
            for (int r = 0; r < G; ++r)
                idx[r] = root;
            for (int level = 0; level < depth; ++level) {
#pragma GCC unroll 16
                for (int r = 0; r < G; ++r) {
                    const Node &node = nodes[idx[r]];
                    idx[r] = node.left + quint32(rows[r * d + int(node.feature)] > node.threshold);
                }
            }
            for (int r = 0; r < G; ++r)
                sums[std::size_t(r0 + r)] += pathValue[idx[r]];
        }
        for (qsizetype r = full; r < n; ++r) {
            const float *row = block.data() + r * d;
            quint32 idx = root;
            for (int level = 0; level < depth; ++level) {
                const Node &node = nodes[idx];
                idx = node.left + quint32(row[node.feature] > node.threshold);
            }
            sums[std::size_t(r)] += pathValue[idx];
        }
    }
    const double trees = double(m_roots.size());
    for (qsizetype r = 0; r < n; ++r)
        out[r] = std::exp2(-(sums[std::size_t(r)] / trees) / m_normaliser);
}

void IsolationForest::writeModel(QDataStream &out) const
{
    out << qint32(m_sampleSize) << quint32(m_roots.size()) << quint32(m_nodes.size());
    for (std::size_t t = 0; t < m_roots.size(); ++t)
        out << m_roots[t] << m_depths[t];
    out.setFloatingPointPrecision(QDataStream::SinglePrecision);
    for (std::size_t i = 0; i < m_nodes.size(); ++i)
        out << m_nodes[i].threshold << m_nodes[i].left << m_nodes[i].feature << m_pathValue[i];
    out.setFloatingPointPrecision(QDataStream::DoublePrecision);
}

bool IsolationForest::readModel(QDataStream &in, quint16, QString *error)
{
    qint32 sampleSize = 0;
    quint32 trees = 0;
    quint32 nodeCount = 0;
    in >> sampleSize >> trees >> nodeCount;
    if (in.status() != QDataStream::Ok || sampleSize < 2 || trees == 0 || trees > 1000000
        || nodeCount < trees || nodeCount > 500000000u) {
        if (error)
            *error = tr("bad isolation forest header");
        return false;
    }
    std::vector<quint32> roots(trees);
    std::vector<quint8> depths(trees);
    for (quint32 t = 0; t < trees; ++t)
        in >> roots[t] >> depths[t];
    std::vector<Node> nodes(nodeCount);
    std::vector<float> pathValue(nodeCount);
    in.setFloatingPointPrecision(QDataStream::SinglePrecision);
    for (quint32 i = 0; i < nodeCount && in.status() == QDataStream::Ok; ++i)
        in >> nodes[i].threshold >> nodes[i].left >> nodes[i].feature >> pathValue[i];
    in.setFloatingPointPrecision(QDataStream::DoublePrecision);
    if (in.status() != QDataStream::Ok) {
        if (error)
            *error = tr("truncated isolation forest");
        return false;
    }
    // Every reachable index must stay inside the arrays, whatever the bytes say.
    const quint32 d = quint32(featureCount());
    for (quint32 i = 0; i < nodeCount; ++i) {
        const Node &node = nodes[i];
        const bool leaf = std::isinf(node.threshold) && node.threshold > 0;
        if (node.feature >= d || (leaf ? node.left != i : node.left + 1 >= nodeCount || node.left <= i)
            || std::isnan(node.threshold)) {
            if (error)
                *error = tr("corrupt isolation forest node %1").arg(i);
            return false;
        }
    }
    for (quint32 t = 0; t < trees; ++t) {
        if (roots[t] >= nodeCount) {
            if (error)
                *error = tr("corrupt isolation forest tree %1").arg(t);
            return false;
        }
    }
    m_sampleSize = sampleSize;
    m_normaliser = averagePathLength(double(sampleSize));
    m_nodes = std::move(nodes);
    m_pathValue = std::move(pathValue);
    m_roots = std::move(roots);
    m_depths = std::move(depths);
    return true;
}

} // namespace vigil::engine
