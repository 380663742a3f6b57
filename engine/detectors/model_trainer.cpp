#include "model_trainer.h"

#include "detection_metrics.h"
#include "holdout_split.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace vigil::engine {

namespace {

int labelOf(const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool() ? 1 : 0;
    if (value.isDouble())
        return value.toDouble() != 0 ? 1 : 0;
    if (value.isString()) {
        const QString s = value.toString().trimmed().toLower();
        if (s == u"1" || s == u"true" || s == u"yes" || s == u"anomaly")
            return 1;
        if (s == u"0" || s == u"false" || s == u"no" || s == u"normal")
            return 0;
    }
    return -1;
}

double quantile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const double pos = p * double(sorted.size() - 1);
    const std::size_t lo = std::size_t(std::floor(pos));
    const std::size_t hi = std::min(sorted.size() - 1, lo + 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - double(lo));
}

} // namespace

bool ModelTrainer::setup(const QString &name, const QString &modelType, EventType eventType,
                         const QJsonObject &parameters, const QJsonObject &featureConfig, QString *error)
{
    if (name.trimmed().isEmpty()) {
        *error = tr("a model needs a name");
        return false;
    }
    const QString canonical = Detector::canonicalModelType(modelType);
    // createDetector validates the type and every parameter, naming what is wrong.
    if (!createDetector(modelType, parameters, error))
        return false;
    QJsonObject config = featureConfig;
    if (!config.contains(u"event_type"))
        config.insert(QStringLiteral("event_type"), toString(eventType));
    FeatureExtractor extractor;
    if (!FeatureExtractor::fromJson(config, &extractor, error))
        return false;
    if (extractor.eventType() && *extractor.eventType() != eventType) {
        *error = tr("the feature configuration is for %1 events, the model for %2 events")
                     .arg(toString(*extractor.eventType()), toString(eventType));
        return false;
    }
    m_hasLabelField = false;
    if (config.contains(u"label_field")) {
        m_labelField = FieldPath::parse(config.value(u"label_field").toString());
        if (!m_labelField.isValid()) {
            *error = tr("feature configuration: invalid label_field \"%1\"").arg(config.value(u"label_field").toString());
            return false;
        }
        m_hasLabelField = true;
    }
    m_name = name.trimmed();
    m_modelType = canonical;
    m_eventType = eventType;
    m_parameters = parameters;
    m_featureConfig = config;
    m_extractor = std::move(extractor);
    m_samples = SampleMatrix();
    m_samples.setCols(m_extractor.featureCount());
    m_labels.clear();
    m_extractionNs = 0;
    return true;
}

void ModelTrainer::addEvent(const Event &event)
{
    if (event.type != m_eventType || !m_extractor.appliesTo(event))
        return;
    QElapsedTimer clock;
    clock.start();
    const std::vector<double> row = m_extractor.extract(event);
    m_samples.appendRow(row);
    m_labels.push_back(m_hasLabelField ? labelOf(m_labelField.value(event)) : -1);
    m_extractionNs += clock.nsecsElapsed();
}

bool ModelTrainer::hasLabels() const
{
    bool normal = false, anomalous = false;
    for (const int l : m_labels) {
        normal |= l == 0;
        anomalous |= l == 1;
    }
    return normal && anomalous;
}

bool ModelTrainer::train(const TrainingControl &control, ModelRecord *record, QString *error)
{
    if (m_samples.rows() < kMinimumEvents) {
        *error = tr("only %1 %2 event(s) to train \"%3\" on; at least %4 are needed: widen --since or --limit, or ingest more events first")
                     .arg(m_samples.rows())
                     .arg(toString(m_eventType), m_name)
                     .arg(kMinimumEvents);
        return false;
    }
    std::unique_ptr<Detector> detector = createDetector(m_modelType, m_parameters, error);
    if (!detector)
        return false;

    QJsonObject metrics;
    QElapsedTimer clock;
    clock.start();
    SampleMatrix fitRows = m_samples;
    HoldoutSplit split;
    const bool labelled = hasLabels();
    if (labelled) {
        // Rows without a readable label count as normal for the split.
        std::vector<int> labels = m_labels;
        for (int &l : labels)
            l = l == 1 ? 1 : 0;
        split = HoldoutSplit::stratified(labels, 0.3, detector->seed());
        fitRows = m_samples.selectRows(split.train);
    }
    if (!detector->fit(fitRows, error, control))
        return false;
    const qint64 trainingMs = clock.elapsed();

    std::vector<double> scores(std::size_t(m_samples.rows()));
    detector->scoreBatch(m_samples, scores);
    if (labelled) {
        std::vector<double> testScores;
        std::vector<int> testLabels;
        for (const qsizetype r : split.test) {
            testScores.push_back(scores[std::size_t(r)]);
            testLabels.push_back(m_labels[std::size_t(r)] == 1 ? 1 : 0);
        }
        const DetectionMetrics m = DetectionMetrics::compute(testScores, testLabels);
        metrics.insert(QStringLiteral("holdout"), QJsonObject{{QStringLiteral("roc_auc"), m.rocAuc},
                                                               {QStringLiteral("pr_auc"), m.prAuc},
                                                               {QStringLiteral("positives"), double(m.positives)},
                                                               {QStringLiteral("negatives"), double(m.negatives)},
                                                               {QStringLiteral("test_fraction"), 0.3}});
    }
    qsizetype flagged = 0;
    for (const double s : scores)
        flagged += detector->isAnomaly(s) ? 1 : 0;
    std::vector<double> sorted = scores;
    std::sort(sorted.begin(), sorted.end());
    metrics.insert(QStringLiteral("training_events"), double(m_samples.rows()));
    metrics.insert(QStringLiteral("fitted_events"), double(fitRows.rows()));
    metrics.insert(QStringLiteral("feature_count"), m_extractor.featureCount());
    metrics.insert(QStringLiteral("features"), QJsonArray::fromStringList(m_extractor.names()));
    metrics.insert(QStringLiteral("training_ms"), double(trainingMs));
    metrics.insert(QStringLiteral("extraction_ms"), double(m_extractionNs / 1'000'000));
    metrics.insert(QStringLiteral("flagged_fraction"), double(flagged) / double(scores.size()));
    metrics.insert(QStringLiteral("score_distribution"),
                   QJsonObject{{QStringLiteral("p50"), quantile(sorted, 0.5)},
                               {QStringLiteral("p90"), quantile(sorted, 0.9)},
                               {QStringLiteral("p99"), quantile(sorted, 0.99)},
                               {QStringLiteral("p999"), quantile(sorted, 0.999)},
                               {QStringLiteral("max"), sorted.back()}});

    ModelRecord r;
    r.name = m_name;
    r.modelType = m_modelType;
    r.eventType = m_eventType;
    r.parameters = detector->parameters();
    r.featureConfig = m_featureConfig;
    r.performanceMetrics = metrics;
    r.lastTrainedMs = QDateTime::currentMSecsSinceEpoch();
    r.modelData = detector->serialize();
    *record = std::move(r);
    return true;
}

} // namespace vigil::engine
