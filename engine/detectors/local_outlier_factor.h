#pragma once
// Local Outlier Factor (Breunig et al. 2000) in novelty mode: new samples against the training set.

#include "detector.h"
#include "kd_tree.h"

namespace vigil::engine {

/*!
    Represents the training set, its k-distances and local reachability densities, and a
    k-d tree over it. For a new sample x with k nearest training neighbours N(x):

        reach(x, o) = max(k-distance(o), d(x, o))
        lrd(x)      = 1 / (mean over o in N(x) of reach(x, o) + 1e-10)
        raw score   = LOF(x) = mean over o in N(x) of lrd(o) / lrd(x)

    exactly as scikit-learn's LocalOutlierFactor(novelty=True).score_samples (negated).
    A training row's neighbours exclude the row itself.

    Parameters: n_neighbors (20; at most n − 1 are used), metric ("euclidean" or
    "manhattan"), standardize (true: features are z-scored with the training mean and
    standard deviation first, so that no feature dominates by its unit).

    Calibration uses every training row's own LOF computed without itself (leave one out),
    which is how a new sample from the same distribution scores.

    Memory: the training rows are kept (n × d doubles) with two numbers per row.
*/
class LocalOutlierFactor : public Detector
{
public:
    LocalOutlierFactor();
    QString modelType() const override { return QStringLiteral("local_outlier_factor"); }
    int neighbours() const { return m_usedK; }

protected:
    bool takeSpecificParameters(QJsonObject *params, QString *error) override;
    QJsonObject specificParameters() const override;
    bool fitModel(const SampleMatrix &samples, const TrainingControl &control,
                  std::vector<double> *reference, QString *error) override;
    double rawScoreComplete(const double *sample) const override;
    void writeModel(QDataStream &out) const override;
    bool readModel(QDataStream &in, quint16 formatVersion, QString *error) override;

private:
    void rebuild();
    double lofOf(const double *standardized, qint64 exclude) const;

    int m_k = 20;
    QString m_metric = QStringLiteral("euclidean");
    bool m_standardize = true;

    int m_usedK = 0;
    std::vector<double> m_mean;
    std::vector<double> m_scale;
    SampleMatrix m_train;          // standardized training rows
    std::vector<double> m_kDistance;
    std::vector<double> m_lrd;
    KdTree m_tree;
};

} // namespace vigil::engine
