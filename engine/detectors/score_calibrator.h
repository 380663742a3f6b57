#pragma once
// Maps a detector's raw anomaly score to [0, 1] through the distribution of reference scores.

#include <QDataStream>

#include <span>
#include <vector>

namespace vigil::engine {

/*!
    Represents a monotone map from raw scores (higher = more anomalous, any scale) to
    calibrated scores in (0, 1): the mid-distribution function of a reference sample of
    raw scores, i.e. for a raw score x

        calibrated(x) = (#{reference < x} + ½ #{reference = x}) / n

    stored as at most kMaxKnots quantile knots and interpolated linearly between them.
    The reference scores are those of events the model did not learn from (out-of-bag,
    leave-one-out or held-out, depending on the detector), so the calibrated score reads
    the same on new data: "this event is more anomalous than that fraction of normal
    traffic". A threshold of 0.99 flags about 1% of traffic like the training data.

    Beyond the reference range the map continues with hyperbolic tails, strictly
    increasing and never reaching 0 or 1:
        above the top knot (x_K, p_K): 1 − (1 − p_K) / (1 + (x − x_K) / s_hi)
        below the bottom knot (x_0, p_0): p_0 / (1 + (x_0 − x) / s_lo)
    with s_hi, s_lo the spread of the top and bottom tenth of the reference scores, so
    that the order of extreme events — and with it ROC-AUC — is kept.

    Requires: fit() with at least one finite score before map().
    Ensures: map() is non-decreasing, in [0, 1], and thread-safe (const, no state).
*/
class ScoreCalibrator
{
public:
    static constexpr int kMaxKnots = 1024;

    void fit(std::span<const double> referenceScores);
    bool isFitted() const { return !m_x.empty(); }
    double map(double rawScore) const;
    // Number of reference scores the map was made from.
    long long referenceCount() const { return m_count; }
    // The raw score whose calibrated value is p (inverse of map within the knots).
    double rawQuantile(double p) const;

    void write(QDataStream &out) const;
    bool read(QDataStream &in);

private:
    std::vector<double> m_x; // strictly increasing raw scores
    std::vector<double> m_p; // their calibrated values, non-decreasing
    double m_lowScale = 1;
    double m_highScale = 1;
    long long m_count = 0;
};

} // namespace vigil::engine
