#pragma once
// Robust z-scores (median/MAD) and Mahalanobis distance: the statistical detector.

#include "detector.h"

namespace vigil::engine {

/*!
    Represents per-feature robust location and scale and a shrunk covariance of the
    training samples.

    - Robust z-score of feature i: z_i = (x_i − median_i) / (1.4826 · MAD_i). When more than
      half the training values of a feature are equal (MAD = 0) the scale falls back to
      1.2533 · mean absolute deviation from the median, and to 1 for a constant feature.
    - Mahalanobis: the covariance Σ comes from dlib's running_covariance; it is taken in
      correlation form and shrunk, R' = (1 − α) R + α I with α = 1e-3, so that collinear
      features (common in event data) keep it invertible. D²(x) = (x − μ)ᵀ Σ'⁻¹ (x − μ).

    Raw score by `method`:
      robust_z     mean of z_i²;
      mahalanobis  D² / d;
      combined     (mean of z_i² + D² / d) / 2 (the default) —
    all measured as "squared standard deviations per feature". Explanation: the
    per-feature terms, z_i² / d and (x − μ)_i · (Σ'⁻¹ (x − μ))_i / d, which add up to the
    raw score exactly.

    Calibration uses the training rows themselves (the model has 2d + d² numbers, so the
    in-sample distribution differs from new data only negligibly).
*/
class StatisticalDetector : public Detector
{
public:
    StatisticalDetector();
    QString modelType() const override { return QStringLiteral("statistical"); }

    // Robust z-scores of a complete sample.
    std::vector<double> robustZ(const double *sample) const;
    // Squared Mahalanobis distance of a complete sample.
    double mahalanobis2(const double *sample) const;

protected:
    bool takeSpecificParameters(QJsonObject *params, QString *error) override;
    QJsonObject specificParameters() const override;
    bool fitModel(const SampleMatrix &samples, const TrainingControl &control,
                  std::vector<double> *reference, QString *error) override;
    double rawScoreComplete(const double *sample) const override;
    std::vector<double> contributionsComplete(const double *sample) const override;
    void writeModel(QDataStream &out) const override;
    bool readModel(QDataStream &in, quint16 formatVersion, QString *error) override;

private:
    enum class Method : quint8 { Combined, RobustZ, Mahalanobis };
    // Per-feature terms; their sum is the raw score.
    void terms(const double *sample, double *out) const;

    Method m_method = Method::Combined;
    std::vector<double> m_center;   // medians
    std::vector<double> m_spread;   // robust scales
    std::vector<double> m_mean;
    std::vector<double> m_precision; // d × d, row-major: Σ'⁻¹
};

} // namespace vigil::engine
