#include "live_model.h"

#include <QJsonDocument>

namespace vigil::engine {

QByteArray jsonStringLiteral(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() + 2);
    out += '"';
    for (const char c : utf8) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                char buffer[8];
                std::snprintf(buffer, sizeof buffer, "\\u%04x", unsigned(static_cast<unsigned char>(c)));
                out += buffer;
            } else {
                out += c;
            }
        }
    }
    out += '"';
    return out;
}

std::unique_ptr<LiveModel> LiveModel::load(const ModelRecord &record, QString *error)
{
    const QString what = tr("model \"%1\" version %2").arg(record.name).arg(record.version);
    QString problem;
    std::unique_ptr<Detector> detector = loadDetector(record.modelType, record.parameters, record.modelData, &problem);
    if (!detector) {
        *error = tr("%1 cannot be loaded: %2; retrain it or activate another version").arg(what, problem);
        return nullptr;
    }
    std::unique_ptr<LiveModel> model(new LiveModel);
    if (!FeatureExtractor::fromJson(record.featureConfig, &model->m_extractor, &problem)) {
        *error = tr("%1 has an invalid feature configuration: %2").arg(what, problem);
        return nullptr;
    }
    if (model->m_extractor.featureCount() != detector->featureCount()) {
        *error = tr("%1: its feature configuration makes %2 features but the trained model expects %3; retrain it")
                     .arg(what)
                     .arg(model->m_extractor.featureCount())
                     .arg(detector->featureCount());
        return nullptr;
    }
    model->m_record = record;
    model->m_record.modelData.clear(); // the detector holds the model; the bytes are not needed twice
    model->m_detector = std::move(detector);
    model->m_featureKey = QJsonDocument(model->m_extractor.toJson()).toJson(QJsonDocument::Compact);
    for (const QString &name : model->m_extractor.names())
        model->m_jsonNames.append(jsonStringLiteral(name));
    return model;
}

void LiveModel::adoptWindowState(LiveModel &previous)
{
    if (previous.m_featureKey == m_featureKey)
        std::swap(m_extractor, previous.m_extractor);
}

} // namespace vigil::engine
