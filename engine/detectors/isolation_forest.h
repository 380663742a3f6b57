#pragma once
// Isolation Forest (Liu, Ting & Zhou, ICDM 2008), with flat node arrays for fast scoring.

#include "detector.h"

namespace vigil::engine {

/*!
    Represents an ensemble of isolation trees. Each tree is grown on ψ = max_samples rows
    drawn without replacement (and, with max_features < 1, on a random subset of the
    features): at each node a feature with distinct values is picked at random and split
    at a uniform random value between its minimum and maximum, until a node holds one row
    or the height limit ceil(log2 ψ) is reached. The path length h(x) of a sample is the
    depth of the leaf it reaches plus c(size of that leaf), and

        raw score s(x) = 2^(−E(h(x)) / c(ψ))

    with c(n) = 2 H(n−1) − 2 (n−1)/n the average path length of an unsuccessful search in
    a binary search tree of n keys (H the harmonic number, computed exactly — c(2) = 1).

    Parameters: n_estimators (100), max_samples ("auto" = min(256, n); a count > 1 or a
    fraction of the rows in (0, 1]), max_features (1.0: a count > 1 or a fraction).

    Calibration uses out-of-bag path lengths of up to 4096 training rows: a row is scored
    only by the trees that did not see it, so its calibrated score is what a new row gets.

    Speed: every tree lives in one flat node array (12 bytes a node: float threshold,
    left child, feature; the right child is left + 1); a leaf points to itself with an
    infinite threshold, so a traversal is a fixed number of branch-free steps, and batches
    walk 8 rows through a tree at a time. Thresholds are floats and samples are compared
    as floats.

    Deterministic: the same seed, parameters and training rows give the same trees on every
    platform (tree t draws from its own stream of a portable generator).
*/
class IsolationForest : public Detector
{
public:
    IsolationForest();
    QString modelType() const override { return QStringLiteral("isolation_forest"); }

    // c(n) as above; 0 for n <= 1.
    static double averagePathLength(double n);

    int treeCount() const { return int(m_roots.size()); }
    int sampleSize() const { return m_sampleSize; }
    qsizetype nodeCount() const { return qsizetype(m_nodes.size()); }
    // E(h(x)) over the trees, for a complete sample of featureCount() values.
    double meanPathLength(const double *sample) const;

protected:
    bool takeSpecificParameters(QJsonObject *params, QString *error) override;
    QJsonObject specificParameters() const override;
    bool fitModel(const SampleMatrix &samples, const TrainingControl &control,
                  std::vector<double> *reference, QString *error) override;
    double rawScoreComplete(const double *sample) const override;
    void rawScoreBatchComplete(const SampleMatrix &samples, double *out) const override;
    void writeModel(QDataStream &out) const override;
    bool readModel(QDataStream &in, quint16 formatVersion, QString *error) override;

private:
    struct Node
    {
        float threshold;  // go right when x[feature] > threshold; +inf for a leaf
        quint32 left;     // absolute index of the left child; a leaf's own index
        quint32 feature;
    };
    template<int B>
    void pathSums(const float *rows, double *sums) const;

    // Parameters
    int m_estimators = 100;
    double m_maxSamples = 256;
    bool m_maxSamplesAuto = true;
    double m_maxFeatures = 1.0;

    // Model
    int m_sampleSize = 0;
    double m_normaliser = 1; // c(ψ)
    std::vector<Node> m_nodes;
    std::vector<float> m_pathValue;  // leaves: depth + c(rows in the leaf)
    std::vector<quint32> m_roots;
    std::vector<quint8> m_depths;    // steps to reach every leaf of a tree
};

} // namespace vigil::engine
