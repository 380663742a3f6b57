#pragma once
// One event as Vigil sees it: the envelope a producer sends plus its free-form fields.

#include "../types.h"
#include "field_table.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace vigil::engine {

/*!
    Represents one event. `id` is unique across producers (producers prefix their own ids);
    `timeMs` is UTC milliseconds since the epoch. Its fields, the payload (nested objects and
    arrays allowed), are kept as compact JSON text, as the store keeps them, with a FieldTable
    over it through which FieldPath finds values; fields() builds a QJsonObject for those who
    want one whole (the console, tests).
*/
struct Event
{
    QString id;
    qint64 timeMs = 0;
    EventType type = EventType::System;
    QString sourceType;
    QString sourceId;

    const QByteArray &fieldsJson() const { return m_fieldsJson; }
    const FieldTable &fieldTable() const { return m_fieldTable; }
    QJsonObject fields() const;
    void setFields(const QJsonObject &fields);
    // Text QJsonDocument accepts as an object (the store's, or Vigil's own); false, with no
    // fields to look up (the text is kept), when it is not one.
    bool setFieldsJson(const QByteArray &json);
    // Text and the table already made over it (the decoder).
    void setFieldsJson(const QByteArray &json, FieldTable table);

private:
    QByteArray m_fieldsJson = QByteArrayLiteral("{}");
    FieldTable m_fieldTable;
};

using EventBatch = QList<Event>;

// RFC 3339 / ISO 8601 in UTC with milliseconds, e.g. 2026-11-27T10:15:00.123Z.
QString formatTime(qint64 timeMs);

} // namespace vigil::engine
