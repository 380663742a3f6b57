#pragma once
// Exact k-nearest-neighbour search over a fixed set of points.

#include "sample_matrix.h"

#include <QtGlobal>

#include <vector>

namespace vigil::engine {

/*!
    Represents a k-d tree over a copy of n points of d dimensions. Nodes split their widest
    dimension near the median, between two distinct values (values equal to the median all
    go to one side), until at most leafSize points remain or all points of a node are
    equal; points are stored reordered, leaf by leaf, feature-major (one array per dimension),
    so that a leaf scan computes the distances of up to 16 points at once, four per AVX2
    vector when the CPU has it (each sum in dimension order, without FMA: the same bits as
    the scalar loop), before checking them in order against the k-th best distance. Each
    node keeps the gap between its children along the split dimension (the left child's
    largest and the right child's smallest value), which keeps pruning
    effective on integer-valued and heavily tied data. A query descends to the nearer child
    first and visits the far one only when the lower bound of its distance (per-dimension
    offsets maintained incrementally, after Arya & Mount) is below the k-th best distance
    found, so the search is exact.

    Metric: Euclidean or Manhattan distance.

    Ensures: nearest() returns the k points closest to the query in increasing distance
    (ties broken arbitrarily but deterministically); it is const and thread-safe.
*/
class KdTree
{
public:
    enum class Metric : quint8 { Euclidean, Manhattan };

    // Requires: points.rows() >= 1, leafSize >= 1.
    void build(const SampleMatrix &points, Metric metric, int leafSize = 16);
    qsizetype size() const { return qsizetype(m_index.size()); }
    int dims() const { return m_dims; }
    Metric metric() const { return m_metric; }

    /*!
        Finds up to k nearest points to `query` (dims() values), skipping the point whose
        original row index is `exclude` (−1: none). Writes their original row indices and
        distances (ascending) and returns how many were found (min(k, available)).
    */
    int nearest(const double *query, int k, qint64 exclude, quint32 *indices, double *distances) const;

    // Distance between two points under the tree's metric.
    double distance(const double *a, const double *b) const;

private:
    struct Node
    {
        double lowMax = 0;   // largest value of `dim` in the left child
        double highMin = 0;  // smallest value of `dim` in the right child (> lowMax)
        quint32 begin = 0;
        quint32 end = 0;
        qint32 left = -1;  // -1 for a leaf
        qint32 right = -1;
        qint32 dim = 0;
    };
    struct Search;
    qint32 buildNode(quint32 begin, quint32 end, int leafSize);
    template<bool Euclid>
    void searchNode(Search &s, qint32 node, double rd) const;
    template<bool Euclid>
    void scanLeaf(Search &s, quint32 begin, quint32 end) const;

    Metric m_metric = Metric::Euclidean;
    int m_dims = 0;
    std::vector<double> m_points; // row-major while building; then feature-major, see m_stride
    qsizetype m_stride = 0;       // feature-major: value c of stored point i at c * m_stride + i
    std::vector<quint32> m_index; // original row of each stored point
    std::vector<Node> m_nodes;
};

} // namespace vigil::engine
