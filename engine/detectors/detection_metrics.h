#pragma once
// Ranking quality of anomaly scores against 0/1 labels: ROC-AUC and PR-AUC.

#include <span>

namespace vigil::engine {

/*!
    Represents the two figures Vigil reports for a labelled set of scores.

    - rocAuc: the probability that a random outlier (label 1) scores higher than a random
      inlier (label 0), ties counting one half (the Mann-Whitney statistic).
    - prAuc: average precision, Σ (Rₙ − Rₙ₋₁) Pₙ over the distinct score thresholds in
      decreasing order, as scikit-learn's average_precision_score computes it.

    Requires: scores.size() == labels.size(). Both are NaN when either class is absent.
*/
struct DetectionMetrics
{
    double rocAuc = 0;
    double prAuc = 0;
    long long positives = 0;
    long long negatives = 0;

    static DetectionMetrics compute(std::span<const double> scores, std::span<const int> labels);
};

} // namespace vigil::engine
