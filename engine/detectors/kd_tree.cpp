#include "kd_tree.h"

#include <QVarLengthArray>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define VIGIL_KD_AVX2 1
#endif

namespace vigil::engine {

namespace {

// Points whose distances a leaf scan computes at once.
constexpr quint32 kScanBatch = 16;

#ifdef VIGIL_KD_AVX2
bool hasAvx2()
{
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
}

/*
    Distances (squared Euclidean or Manhattan) from `q` to `count` consecutive stored points
    starting at `first`, four points per vector. Each point's sum runs over the dimensions
    in order with a separate multiply and add (no FMA in this target), so every value is
    bit-identical to the scalar loop's. Reads up to three points past the end (padding).
*/
template<bool Euclid>
__attribute__((target("avx2"))) void distancesAvx2(const double *soa, qsizetype stride, int dims, const double *q,
                                                     quint32 first, quint32 count, double *out)
{
    const __m256d signBit = _mm256_set1_pd(-0.0);
    for (quint32 j = 0; j < count; j += 4) {
        __m256d acc = _mm256_setzero_pd();
        const double *p = soa + first + j;
        for (int c = 0; c < dims; ++c) {
            const __m256d t = _mm256_sub_pd(_mm256_set1_pd(q[c]), _mm256_loadu_pd(p + c * stride));
            acc = _mm256_add_pd(acc, Euclid ? _mm256_mul_pd(t, t) : _mm256_andnot_pd(signBit, t));
        }
        _mm256_storeu_pd(out + j, acc);
    }
}
#endif

template<bool Euclid>
void distancesScalar(const double *soa, qsizetype stride, int dims, const double *q, quint32 first, quint32 count,
                     double *out)
{
    for (quint32 j = 0; j < count; ++j)
        out[j] = 0;
    for (int c = 0; c < dims; ++c) {
        const double *p = soa + c * stride + first;
        const double qc = q[c];
        for (quint32 j = 0; j < count; ++j) {
            const double t = qc - p[j];
            out[j] += Euclid ? t * t : std::abs(t);
        }
    }
}

} // namespace

// Per-query state: a bounded max-heap of the best candidates and the plane offsets.
struct KdTree::Search
{
    const double *query = nullptr;
    int k = 0;
    qint64 exclude = -1;
    QVarLengthArray<std::pair<double, quint32>, 64> heap; // (partial distance, original index)
    QVarLengthArray<double, 32> offsets;

    double worst() const
    {
        return heap.size() < k ? std::numeric_limits<double>::infinity() : heap.front().first;
    }
    void offer(double dist, quint32 index)
    {
        if (heap.size() < k) {
            heap.append({dist, index});
            std::push_heap(heap.begin(), heap.end());
        } else if (dist < heap.front().first) {
            std::pop_heap(heap.begin(), heap.end());
            heap.back() = {dist, index};
            std::push_heap(heap.begin(), heap.end());
        }
    }
};

void KdTree::build(const SampleMatrix &points, Metric metric, int leafSize)
{
    m_metric = metric;
    m_dims = points.cols();
    const qsizetype n = points.rows();
    m_points = points.values();
    m_index.resize(std::size_t(n));
    std::iota(m_index.begin(), m_index.end(), 0u);
    m_nodes.clear();
    m_nodes.reserve(std::size_t(2 * n / std::max(1, leafSize) + 2));
    // Build on an index permutation, then lay the points out in that order.
    buildNode(0, quint32(n), std::max(1, leafSize));
    // Feature-major copy in stored order, padded so that 4-wide loads past a leaf's end
    // stay inside the array.
    m_stride = n + 4;
    std::vector<double> ordered(std::size_t(m_stride) * std::size_t(m_dims), 0.0);
    for (qsizetype i = 0; i < n; ++i) {
        const double *p = points.row(m_index[std::size_t(i)]);
        for (int c = 0; c < m_dims; ++c)
            ordered[std::size_t(c * m_stride + i)] = p[c];
    }
    m_points = std::move(ordered);
}

qint32 KdTree::buildNode(quint32 begin, quint32 end, int leafSize)
{
    const qint32 id = qint32(m_nodes.size());
    m_nodes.push_back({});
    m_nodes[std::size_t(id)].begin = begin;
    m_nodes[std::size_t(id)].end = end;
    if (end - begin <= quint32(leafSize))
        return id;
    // Widest dimension (points are still in original order in m_points here).
    int bestDim = 0;
    double bestSpread = 0;
    for (int c = 0; c < m_dims; ++c) {
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (quint32 i = begin; i < end; ++i) {
            const double v = m_points[std::size_t(m_index[i]) * std::size_t(m_dims) + std::size_t(c)];
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
        if (hi - lo > bestSpread) {
            bestSpread = hi - lo;
            bestDim = c;
        }
    }
    if (!(bestSpread > 0))
        return id; // all points equal: one leaf
    auto value = [&](quint32 idx) { return m_points[std::size_t(idx) * std::size_t(m_dims) + std::size_t(bestDim)]; };
    const quint32 mid = begin + (end - begin) / 2;
    std::nth_element(m_index.begin() + begin, m_index.begin() + mid, m_index.begin() + end,
                     [&](quint32 a, quint32 b) { return value(a) < value(b); });
    const double median = value(m_index[mid]);
    // Values equal to the median go to the smaller side, so that the children do not overlap.
    auto lessThan = std::partition(m_index.begin() + begin, m_index.begin() + end,
                                   [&](quint32 i) { return value(i) < median; });
    auto upTo = std::partition(lessThan, m_index.begin() + end, [&](quint32 i) { return value(i) <= median; });
    const quint32 cutBefore = quint32(lessThan - m_index.begin()); // left: values < median
    const quint32 cutAfter = quint32(upTo - m_index.begin());      // left: values <= median
    const bool beforeValid = cutBefore > begin;
    const bool afterValid = cutAfter < end;
    auto imbalance = [&](quint32 c) { return c > mid ? c - mid : mid - c; };
    const quint32 cut = !afterValid ? cutBefore
        : !beforeValid             ? cutAfter
        : imbalance(cutBefore) <= imbalance(cutAfter) ? cutBefore : cutAfter;
    double lowMax = -std::numeric_limits<double>::infinity();
    double highMin = std::numeric_limits<double>::infinity();
    for (quint32 i = begin; i < cut; ++i)
        lowMax = std::max(lowMax, value(m_index[i]));
    for (quint32 i = cut; i < end; ++i)
        highMin = std::min(highMin, value(m_index[i]));
    const qint32 left = buildNode(begin, cut, leafSize);
    const qint32 right = buildNode(cut, end, leafSize);
    Node &node = m_nodes[std::size_t(id)];
    node.lowMax = lowMax;
    node.highMin = highMin;
    node.dim = bestDim;
    node.left = left;
    node.right = right;
    return id;
}

double KdTree::distance(const double *a, const double *b) const
{
    double s = 0;
    if (m_metric == Metric::Euclidean) {
        for (int c = 0; c < m_dims; ++c) {
            const double t = a[c] - b[c];
            s += t * t;
        }
        return std::sqrt(s);
    }
    for (int c = 0; c < m_dims; ++c)
        s += std::abs(a[c] - b[c]);
    return s;
}

template<bool Euclid>
void KdTree::scanLeaf(Search &s, quint32 begin, quint32 end) const
{
    // Distances of a batch of points first, then the candidates in stored order against the
    // current k-th distance: the same points are accepted as one by one.
    double dist[kScanBatch + 4];
    for (quint32 first = begin; first < end; first += kScanBatch) {
        const quint32 count = std::min(kScanBatch, end - first);
#ifdef VIGIL_KD_AVX2
        if (hasAvx2())
            distancesAvx2<Euclid>(m_points.data(), m_stride, m_dims, s.query, first, count, dist);
        else
#endif
            distancesScalar<Euclid>(m_points.data(), m_stride, m_dims, s.query, first, count, dist);
        for (quint32 j = 0; j < count; ++j) {
            if (dist[j] < s.worst() && qint64(m_index[first + j]) != s.exclude)
                s.offer(dist[j], m_index[first + j]);
        }
    }
}

template<bool Euclid>
void KdTree::searchNode(Search &s, qint32 nodeId, double rd) const
{
    const Node &node = m_nodes[std::size_t(nodeId)];
    if (node.left < 0) {
        scanLeaf<Euclid>(s, node.begin, node.end);
        return;
    }
    const double q = s.query[node.dim];
    const double toLeft = q > node.lowMax ? q - node.lowMax : 0.0;
    const double toRight = q < node.highMin ? node.highMin - q : 0.0;
    const double offLeft = Euclid ? toLeft * toLeft : toLeft;
    const double offRight = Euclid ? toRight * toRight : toRight;
    const bool leftFirst = offLeft <= offRight;
    const double old = s.offsets[node.dim];
    const double nearOff = std::max(old, leftFirst ? offLeft : offRight);
    const double farOff = std::max(old, leftFirst ? offRight : offLeft);
    const double nearRd = rd - old + nearOff;
    if (nearRd < s.worst()) {
        s.offsets[node.dim] = nearOff;
        searchNode<Euclid>(s, leftFirst ? node.left : node.right, nearRd);
    }
    const double farRd = rd - old + farOff;
    if (farRd < s.worst()) {
        s.offsets[node.dim] = farOff;
        searchNode<Euclid>(s, leftFirst ? node.right : node.left, farRd);
    }
    s.offsets[node.dim] = old;
}

int KdTree::nearest(const double *query, int k, qint64 exclude, quint32 *indices, double *distances) const
{
    if (m_nodes.empty() || k <= 0)
        return 0;
    Search s;
    s.query = query;
    s.k = k;
    s.exclude = exclude;
    s.heap.reserve(k);
    s.offsets.resize(m_dims);
    std::fill(s.offsets.begin(), s.offsets.end(), 0.0);
    if (m_metric == Metric::Euclidean)
        searchNode<true>(s, 0, 0.0);
    else
        searchNode<false>(s, 0, 0.0);
    std::sort_heap(s.heap.begin(), s.heap.end());
    const int found = int(s.heap.size());
    for (int i = 0; i < found; ++i) {
        indices[i] = s.heap[i].second;
        distances[i] = m_metric == Metric::Euclidean ? std::sqrt(s.heap[i].first) : s.heap[i].first;
    }
    return found;
}

} // namespace vigil::engine
