#pragma once
// The one interface of Vigil's anomaly detectors: fit, score in [0, 1], explain, serialize.

#include "sample_matrix.h"
#include "score_calibrator.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDataStream>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace vigil::engine {

/*!
    What a caller hands to a long fit: a progress callback and a cancel flag.

    - progress(fraction, stage) is called on the fitting thread with fraction in [0, 1]
      increasing; it may be empty.
    - When *cancel becomes true, fit() stops at the next check (at least once per tree,
      epoch step or few thousand rows) and fails with an error saying it was cancelled;
      the detector is then left as it was before fit().
*/
struct TrainingControl
{
    std::function<void(double fraction, const QString &stage)> progress;
    const std::atomic<bool> *cancel = nullptr;

    bool cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
    void report(double fraction, const QString &stage) const
    {
        if (progress)
            progress(fraction, stage);
    }
};

/*!
    Represents one anomaly detection model over samples of featureCount() numbers.

    Lifecycle: create with createDetector() (type name + parameters), fit() on training
    samples, then score()/explain() any number of times, serialize() to bytes and
    Detector::deserialize() back. fit() may be called again; it replaces the model only
    when it succeeds.

    Scores. rawScore() is the algorithm's own measure, higher meaning more anomalous.
    score() calibrates it into [0, 1] with the detector's ScoreCalibrator: the fraction of
    reference events (training events scored as if new: out-of-bag, leave-one-out or held
    out) that are less anomalous, with strictly increasing tails beyond them. Scores of
    different detectors are therefore comparable, and `isAnomaly(score)` is
    `score > threshold()`; the default threshold is 0.99 (about 1% of normal traffic).

    Missing values. A NaN feature (missing or non-numeric in the event) is replaced by the
    training median of that feature, in fit() and in scoring alike.

    Explanations. explain() returns one non-negative share per feature summing to 1 (or
    all zeros when no feature raises the score): how much of this event's anomaly each
    feature accounts for. By default a feature's contribution is the drop in raw score
    when that feature alone is replaced by its training median (clipped at zero); the
    autoencoder uses per-feature reconstruction error and the statistical detector its
    per-feature terms.

    Parameters common to every detector: threshold (0.99), seed (0), model_weight (1.0)
    and severity (MEDIUM), the last two used by the risk score.

    Thread safety: every const method may run concurrently with other const methods,
    e.g. scoring on one thread while another detector is fitted on another; fit() and
    setThreshold() need exclusive access.
*/
class Detector
{
    Q_DECLARE_TR_FUNCTIONS(Detector)

public:
    static constexpr quint16 kFormatVersion = 1;
    static constexpr double kDefaultThreshold = 0.99;

    virtual ~Detector();
    Detector(const Detector &) = delete;
    Detector &operator=(const Detector &) = delete;

    // Canonical type names: isolation_forest, local_outlier_factor, autoencoder, statistical.
    virtual QString modelType() const = 0;
    static QStringList modelTypes();
    // Accepts canonical names and the prototype's (ISOLATION_FOREST, LOCAL_OUTLIER,
    // AUTOENCODER, STATISTICAL), case-insensitively; empty when unknown.
    static QString canonicalModelType(const QString &name);

    // Sets parameters; unknown keys or bad values fail with a message naming the key.
    // Keys absent keep their current values. Structural parameters take effect at fit().
    bool setParameters(const QJsonObject &params, QString *error);
    // Every parameter with its current value (defaults included), as stored with a model.
    QJsonObject parameters() const;

    /*!
        Requires: samples.rows() >= 2, samples.cols() >= 1.
        Ensures: on success isFitted(), featureCount() == samples.cols(), and the model is
        deterministic for a given seed and input. On failure (bad input, cancel) returns
        false with *error set and leaves the previous model untouched.
    */
    bool fit(const SampleMatrix &samples, QString *error, const TrainingControl &control = {});
    bool isFitted() const { return m_fitted; }
    int featureCount() const { return int(m_medians.size()); }

    // Requires: isFitted() and sample.size() == featureCount().
    double score(std::span<const double> sample) const;
    double rawScore(std::span<const double> sample) const;
    // Scores every row; `threads` workers (0: one per core) for large inputs.
    // Requires: out.size() == samples.rows(), samples.cols() == featureCount().
    void scoreBatch(const SampleMatrix &samples, std::span<double> out, int threads = 0) const;
    void rawScoreBatch(const SampleMatrix &samples, std::span<double> out, int threads = 0) const;
    std::vector<double> explain(std::span<const double> sample) const;

    double threshold() const { return m_threshold; }
    void setThreshold(double threshold) { m_threshold = threshold; }
    bool isAnomaly(double score) const { return score > m_threshold; }
    quint64 seed() const { return m_seed; }
    double modelWeight() const { return m_modelWeight; }
    QString severity() const { return m_severity; }

    const std::vector<double> &trainingMedians() const { return m_medians; }
    const ScoreCalibrator &calibrator() const { return m_calibrator; }

    // The model as bytes: a versioned header, the parameters, the calibration and the
    // algorithm's state. Requires isFitted().
    QByteArray serialize() const;
    // Rebuilds a detector from serialize()'s bytes; nullptr with *error on bad bytes.
    static std::unique_ptr<Detector> deserialize(const QByteArray &bytes, QString *error);

protected:
    Detector();

    // Reads the algorithm's own parameters (ParameterReader removes the keys it knows).
    virtual bool takeSpecificParameters(QJsonObject *params, QString *error) = 0;
    virtual QJsonObject specificParameters() const = 0;
    /*!
        Fits the algorithm on complete samples (no NaN) and fills *reference with the raw
        scores of samples as if they were new (for calibration). Must not change the
        observable model when it fails.
    */
    virtual bool fitModel(const SampleMatrix &samples, const TrainingControl &control,
                          std::vector<double> *reference, QString *error) = 0;
    // Raw score of one complete sample of featureCount() values.
    virtual double rawScoreComplete(const double *sample) const = 0;
    // Raw scores of complete samples; the default calls rawScoreComplete() per row.
    virtual void rawScoreBatchComplete(const SampleMatrix &samples, double *out) const;
    // Unnormalised contribution of each feature of a complete sample (may be negative).
    virtual std::vector<double> contributionsComplete(const double *sample) const;
    virtual void writeModel(QDataStream &out) const = 0;
    virtual bool readModel(QDataStream &in, quint16 formatVersion, QString *error) = 0;

    // Copies a sample, replacing NaN by the training median.
    void impute(const double *sample, double *out) const;
    static bool cancelledError(const TrainingControl &control, QString *error);

private:
    void scoreRange(const SampleMatrix &samples, qsizetype first, qsizetype last, double *out, bool calibrate) const;

    bool m_fitted = false;
    std::vector<double> m_medians;
    ScoreCalibrator m_calibrator;
    double m_threshold = kDefaultThreshold;
    quint64 m_seed = 0;
    double m_modelWeight = 1.0;
    QString m_severity = QStringLiteral("MEDIUM");
};

/*!
    Creates an unfitted detector of a type (see Detector::canonicalModelType) with
    parameters. Returns nullptr and sets *error for an unknown type or bad parameters.
*/
std::unique_ptr<Detector> createDetector(const QString &modelType, const QJsonObject &params, QString *error);

/*!
    Restores a fitted detector from stored bytes, as a model row keeps it: `modelType` must
    match the bytes' type; the non-structural parameters present in `params` (threshold,
    model_weight, severity) override the stored ones so that an analyst's later edit of the
    threshold applies without retraining. Returns nullptr and sets *error on failure.
*/
std::unique_ptr<Detector> loadDetector(const QString &modelType, const QJsonObject &params,
                                       const QByteArray &bytes, QString *error);

// Median of the finite values (NaN ignored); 0 when there are none.
double medianOf(std::vector<double> values);

} // namespace vigil::engine
