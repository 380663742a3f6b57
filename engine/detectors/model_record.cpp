#include "model_record.h"

#include "detector.h"

namespace vigil::engine {

QString ModelRecord::storedTypeName(const QString &modelType)
{
    const QString canonical = Detector::canonicalModelType(modelType);
    if (canonical == QStringLiteral("isolation_forest"))
        return QStringLiteral("ISOLATION_FOREST");
    if (canonical == QStringLiteral("local_outlier_factor"))
        return QStringLiteral("LOCAL_OUTLIER");
    if (canonical == QStringLiteral("autoencoder"))
        return QStringLiteral("AUTOENCODER");
    if (canonical == QStringLiteral("statistical"))
        return QStringLiteral("STATISTICAL");
    return {};
}

QString ModelRecord::modelTypeFromStored(const QString &stored)
{
    return Detector::canonicalModelType(stored);
}

} // namespace vigil::engine
