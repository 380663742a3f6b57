#pragma once
// Training a model from stored events: features in time order, fit, metrics per version.

#include "detector.h"
#include "feature_extractor.h"
#include "model_record.h"

#include <QCoreApplication>

#include <memory>
#include <vector>

namespace vigil::engine {

/*!
    Turns a history of events into a trained model version.

    1. setup(): the model's name, detector type, event type, parameters and feature
       configuration (the configuration may name a `label_field`, a field holding 1/true
       for a known anomaly and 0/false for normal traffic).
    2. addEvent() for each event of the history, in time order (window features).
    3. train(): fits the detector (progress and cancel through TrainingControl) and fills a
       ModelRecord with the bytes, the parameters with their defaults, and
       performance_metrics:
         training_events, feature_count, training_ms, extraction_ms,
         score_distribution {p50, p90, p99, p999, max} of the training events' calibrated
         scores, flagged_fraction (share of training events above the threshold);
         with labels of both classes: a stratified 70/30 holdout (seed = the model's seed),
         the detector fitted on the 70% and holdout {roc_auc, pr_auc, positives, negatives}.
    The record's version, id and activity are the store's to set.
*/
class ModelTrainer
{
    Q_DECLARE_TR_FUNCTIONS(ModelTrainer)

public:
    static constexpr int kMinimumEvents = 10;

    bool setup(const QString &name, const QString &modelType, EventType eventType, const QJsonObject &parameters,
               const QJsonObject &featureConfig, QString *error);
    void addEvent(const Event &event);
    qsizetype sampleCount() const { return m_samples.rows(); }
    bool hasLabels() const;
    bool train(const TrainingControl &control, ModelRecord *record, QString *error);

    const QStringList &featureNames() const { return m_extractor.names(); }

private:
    QString m_name;
    QString m_modelType;
    EventType m_eventType = EventType::Transaction;
    QJsonObject m_parameters;
    QJsonObject m_featureConfig;
    FeatureExtractor m_extractor;
    FieldPath m_labelField;
    bool m_hasLabelField = false;
    SampleMatrix m_samples;
    std::vector<int> m_labels; // -1 when the event has no readable label
    qint64 m_extractionNs = 0;
};

} // namespace vigil::engine
