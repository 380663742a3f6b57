#pragma once
// One event as Vigil sees it: the envelope a producer sends plus its free-form fields.

#include "../types.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace vigil::engine {

/*!
    Represents one event. `id` is unique across producers (producers prefix their own ids);
    `timeMs` is UTC milliseconds since the epoch; `fields` holds the event's payload, nested
    objects and arrays allowed. `fieldsJson` is `fields` as compact JSON, made once when the
    event is decoded so that the store never has to serialise it again.
*/
struct Event
{
    QString id;
    qint64 timeMs = 0;
    EventType type = EventType::System;
    QString sourceType;
    QString sourceId;
    QJsonObject fields;
    QByteArray fieldsJson;
};

using EventBatch = QList<Event>;

// RFC 3339 / ISO 8601 in UTC with milliseconds, e.g. 2026-11-27T10:15:00.123Z.
QString formatTime(qint64 timeMs);

} // namespace vigil::engine
