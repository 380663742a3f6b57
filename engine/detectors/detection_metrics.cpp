#include "detection_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

namespace vigil::engine {

DetectionMetrics DetectionMetrics::compute(std::span<const double> scores, std::span<const int> labels)
{
    DetectionMetrics m;
    const std::size_t n = std::min(scores.size(), labels.size());
    for (std::size_t i = 0; i < n; ++i)
        (labels[i] ? m.positives : m.negatives)++;
    if (m.positives == 0 || m.negatives == 0) {
        m.rocAuc = m.prAuc = std::numeric_limits<double>::quiet_NaN();
        return m;
    }
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    // Decreasing score.
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });

    // Walk groups of tied scores from the top.
    double aucPairs = 0;     // Σ over positives of negatives ranked below (+½ for ties)
    double ap = 0;
    long long tp = 0;
    long long fp = 0;
    double previousRecall = 0;
    for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        long long groupPos = 0;
        long long groupNeg = 0;
        while (j < n && scores[order[j]] == scores[order[i]]) {
            (labels[order[j]] ? groupPos : groupNeg)++;
            ++j;
        }
        // Positives in this group beat every negative not yet seen, tie with the group's.
        aucPairs += double(groupPos) * (double(m.negatives - fp - groupNeg) + 0.5 * double(groupNeg));
        tp += groupPos;
        fp += groupNeg;
        const double recall = double(tp) / double(m.positives);
        const double precision = double(tp) / double(tp + fp);
        ap += (recall - previousRecall) * precision;
        previousRecall = recall;
        i = j;
    }
    m.rocAuc = aucPairs / (double(m.positives) * double(m.negatives));
    m.prAuc = ap;
    return m;
}

} // namespace vigil::engine
