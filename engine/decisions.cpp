#include "decisions.h"

#include <QJsonDocument>

namespace vigil::engine {

void AlertDraft::setDetails(const QJsonObject &details)
{
    detailsJson = QJsonDocument(details).toJson(QJsonDocument::Compact);
}

} // namespace vigil::engine
