#pragma once
// One stored anomaly model as data: a row of the anomaly_models table.

#include "../types.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace vigil::engine {

/*!
    Represents one version of a named anomaly model, with all the prototype's AnomalyModel
    fields (name, model_type, parameters, feature_config, performance_metrics, last_trained,
    is_active, version) plus the event type it scores and the trained bytes
    (Detector::serialize()).

    `modelType` is the canonical detector name (isolation_forest, ...); the database keeps
    the prototype's names (ISOLATION_FOREST, LOCAL_OUTLIER, AUTOENCODER, STATISTICAL),
    converted by storedTypeName()/modelTypeFromStored().
*/
struct ModelRecord
{
    qint64 id = 0;
    QString name;
    QString modelType;
    EventType eventType = EventType::Transaction;
    QJsonObject parameters;
    QJsonObject featureConfig;
    QJsonObject performanceMetrics;
    qint64 lastTrainedMs = 0;
    bool active = false;
    int version = 0;
    qint64 createdAtMs = 0;
    QByteArray modelData;

    // "ISOLATION_FOREST" for "isolation_forest", ...; empty for an unknown type.
    static QString storedTypeName(const QString &modelType);
    // The canonical name for a stored (or canonical) name; empty when unknown.
    static QString modelTypeFromStored(const QString &stored);
};

} // namespace vigil::engine
