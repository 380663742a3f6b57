#include "model_scorer.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace vigil::engine {

namespace {

void appendNumber(QByteArray *out, double value)
{
    if (std::isfinite(value))
        *out += QByteArray::number(value, 'g', 10);
    else
        *out += "null";
}

QJsonValue jsonNumber(double value) { return std::isfinite(value) ? QJsonValue(value) : QJsonValue(); }

QString formatValue(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', 6) : QStringLiteral("missing");
}

} // namespace

ModelScorer::ModelScorer() : m_parallel(std::thread::hardware_concurrency() > 1) {}

ModelScorer::~ModelScorer() = default;

void ModelScorer::setModels(std::vector<std::unique_ptr<LiveModel>> models)
{
    discard();
    for (auto &model : models) {
        for (auto &old : m_models) {
            if (old && old->record().name == model->record().name) {
                model->adoptWindowState(*old);
                break;
            }
        }
    }
    m_models = std::move(models);
    for (auto &list : m_byType)
        list.clear();
    for (std::size_t i = 0; i < m_models.size(); ++i)
        m_byType[std::size_t(m_models[i]->record().eventType)].push_back(int(i));
}

void ModelScorer::add(const Event &event, int eventIndex)
{
    const std::vector<int> &models = m_byType[std::size_t(event.type)];
    if (models.empty())
        return;
    for (const int m : models) {
        LiveModel &model = *m_models[std::size_t(m)];
        FeatureExtractor &extractor = model.extractor();
        if (!extractor.appliesTo(event))
            continue;
        if (!m_current)
            m_current = std::make_unique<Chunk>();
        Chunk &chunk = *m_current;
        const qsizetype offset = qsizetype(chunk.values.size());
        chunk.values.resize(chunk.values.size() + std::size_t(extractor.featureCount()));
        extractor.extract(event, chunk.values.data() + offset);
        chunk.items.push_back({&event, eventIndex, m, offset});
    }
    if (m_parallel && m_current && int(m_current->items.size()) >= kChunkItems)
        submit();
}

void ModelScorer::submit()
{
    if (!m_current)
        return;
    Chunk *chunk = m_current.get();
    m_batch.push_back(std::move(m_current));
    m_worker.post([this, chunk] { score(*chunk); });
}

void ModelScorer::finish(Decisions *out)
{
    if (m_current) {
        if (m_batch.empty())
            score(*m_current); // a small batch: no hand-over
        else
            submit();
    }
    m_worker.wait();
    if (m_current)
        m_batch.push_back(std::move(m_current));
    bool anyAlert = false;
    for (const auto &chunk : m_batch) {
        out->detections.append(chunk->detections);
        if (!chunk->alerts.isEmpty()) {
            out->alerts.append(chunk->alerts);
            anyAlert = true;
        }
    }
    m_batch.clear();
    if (anyAlert)
        std::stable_sort(out->alerts.begin(), out->alerts.end(),
                         [](const AlertDraft &a, const AlertDraft &b) { return a.eventIndex < b.eventIndex; });
}

void ModelScorer::discard()
{
    m_worker.wait();
    m_batch.clear();
    m_current.reset();
}

void ModelScorer::score(Chunk &chunk) const
{
    chunk.detections.reserve(qsizetype(chunk.items.size()));
    for (const Item &item : chunk.items) {
        const LiveModel &model = *m_models[std::size_t(item.model)];
        const Detector &detector = model.detector();
        const ModelRecord &record = model.record();
        const int d = detector.featureCount();
        const std::span<const double> features(chunk.values.data() + item.offset, std::size_t(d));
        const double score = detector.score(features);
        const bool anomaly = detector.isAnomaly(score);

        DetectionDraft detection;
        detection.eventIndex = item.eventIndex;
        detection.modelId = record.id;
        detection.score = score;
        detection.isAnomaly = anomaly;
        const QByteArrayList &names = model.jsonNames();
        QByteArray &fj = detection.featuresJson;
        fj.reserve(16 * d + 2);
        fj += '{';
        for (int i = 0; i < d; ++i) {
            if (i)
                fj += ',';
            fj += names.at(i);
            fj += ':';
            appendNumber(&fj, features[std::size_t(i)]);
        }
        fj += '}';

        QByteArray &dj = detection.detailsJson;
        dj += "{\"score\":";
        appendNumber(&dj, score);
        dj += ",\"threshold\":";
        appendNumber(&dj, detector.threshold());
        dj += ",\"model\":";
        dj += jsonStringLiteral(record.name);
        dj += ",\"version\":";
        dj += QByteArray::number(record.version);
        if (!anomaly) {
            dj += '}';
            chunk.detections.append(std::move(detection));
            continue;
        }

        // An anomaly: which features made it one.
        const std::vector<double> shares = detector.explain(features);
        dj += ",\"contributions\":{";
        bool first = true;
        for (int i = 0; i < d; ++i) {
            if (shares[std::size_t(i)] <= 0)
                continue;
            if (!first)
                dj += ',';
            first = false;
            dj += names.at(i);
            dj += ':';
            appendNumber(&dj, shares[std::size_t(i)]);
        }
        dj += "}}";

        std::vector<int> order(static_cast<std::size_t>(d));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return shares[std::size_t(a)] > shares[std::size_t(b)]; });
        const QStringList &featureNames = model.extractor().names();
        QJsonArray top;
        QStringList topText;
        QJsonObject featureValues;
        for (int i = 0; i < d; ++i)
            featureValues.insert(featureNames.at(i), jsonNumber(features[std::size_t(i)]));
        for (int k = 0; k < std::min(d, kTopFeatures); ++k) {
            const int i = order[std::size_t(k)];
            if (shares[std::size_t(i)] <= 0)
                break;
            top.append(QJsonObject{{QStringLiteral("feature"), featureNames.at(i)},
                                   {QStringLiteral("value"), jsonNumber(features[std::size_t(i)])},
                                   {QStringLiteral("contribution"), shares[std::size_t(i)]}});
            topText << tr("%1 = %2 (%3%)")
                           .arg(featureNames.at(i), formatValue(features[std::size_t(i)]))
                           .arg(qRound(shares[std::size_t(i)] * 100));
        }
        const Event &event = *item.event;
        AlertDraft alert;
        alert.eventIndex = item.eventIndex;
        alert.modelId = record.id;
        alert.ruleName = record.name;
        alert.severity = severityFromString(detector.severity()).value_or(Severity::Medium);
        alert.type = EventType::Security;
        alert.message = tr("Anomaly score %1 (threshold %2) on %3 %4 %5 from model %6 v%7; top features: %8")
                            .arg(score, 0, 'f', 4)
                            .arg(detector.threshold(), 0, 'g', 4)
                            .arg(toString(event.type), event.sourceType, event.sourceId, record.name)
                            .arg(record.version)
                            .arg(topText.isEmpty() ? tr("none stands out") : topText.join(QStringLiteral(", ")));
        alert.setDetails(QJsonObject{{QStringLiteral("event_id"), event.id},
                                     {QStringLiteral("anomaly_score"), score},
                                     {QStringLiteral("threshold"), detector.threshold()},
                                     {QStringLiteral("model_id"), record.id},
                                     {QStringLiteral("model_name"), record.name},
                                     {QStringLiteral("model_version"), record.version},
                                     {QStringLiteral("model_type"), record.modelType},
                                     {QStringLiteral("features"), featureValues},
                                     {QStringLiteral("top_features"), top}});
        chunk.detections.append(std::move(detection));
        chunk.alerts.append(std::move(alert));
    }
}

} // namespace vigil::engine
