#include "decisions.h"

#include <QJsonDocument>

namespace vigil::engine {

void AlertDraft::setDetails(QJsonObject object)
{
    detailsJson = QJsonDocument(object).toJson(QJsonDocument::Compact);
    details = std::move(object);
}

} // namespace vigil::engine
