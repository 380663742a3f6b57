#pragma once
// An active model ready to score live events: its detector, its feature extractor, its identity.

#include "detector.h"
#include "feature_extractor.h"
#include "model_record.h"

#include <QByteArrayList>
#include <QCoreApplication>

#include <memory>

namespace vigil::engine {

/*!
    Represents one active model as the pipeline uses it: the stored record (without its
    bytes), the fitted detector rebuilt from the bytes with loadDetector(), and a
    FeatureExtractor made from the record's feature configuration.

    The detector is shared and const (scoring may run on any thread); the extractor is
    stateful (window features) and belongs to the thread that feeds events in order.
*/
class LiveModel
{
    Q_DECLARE_TR_FUNCTIONS(LiveModel)

public:
    // Rebuilds a model from its record; nullptr and *error naming the model when the bytes,
    // the type or the feature configuration do not fit together.
    static std::unique_ptr<LiveModel> load(const ModelRecord &record, QString *error);

    const ModelRecord &record() const { return m_record; }
    const Detector &detector() const { return *m_detector; }
    FeatureExtractor &extractor() { return m_extractor; }
    const FeatureExtractor &extractor() const { return m_extractor; }
    // The feature configuration as compact JSON: two models with the same key extract the
    // same features, so window state can move from one version to the next.
    const QByteArray &featureKey() const { return m_featureKey; }
    // Feature names as JSON string literals (quoted and escaped), for fast serialisation.
    const QByteArrayList &jsonNames() const { return m_jsonNames; }
    // Takes over another model's window state (same featureKey()).
    void adoptWindowState(LiveModel &previous);

private:
    LiveModel() = default;

    ModelRecord m_record;
    std::shared_ptr<const Detector> m_detector;
    FeatureExtractor m_extractor;
    QByteArray m_featureKey;
    QByteArrayList m_jsonNames;
};

// `text` as a JSON string literal, quotes included.
QByteArray jsonStringLiteral(const QString &text);

} // namespace vigil::engine
