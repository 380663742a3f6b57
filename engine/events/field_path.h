#pragma once
// A compiled path to a value of an event: an envelope attribute or something inside `fields`.

#include "event.h"

#include <QJsonValue>
#include <QStringList>

namespace vigil::engine {

/*!
    Represents a field path as rules and templates write it.

    - `id`, `time`, `type`, `source_type`, `source_id` name envelope attributes;
    - `fields.a.b` names `b` inside the object `a` inside the event's fields; a numeric
      segment indexes an array (`fields.items.0.sku`);
    - any other name (`amount`, `geo.country`) means the same path inside `fields`, so the
      prototype's flat rules keep working.

    `value()` returns QJsonValue::Undefined when the path does not exist in the event.
    `time` is returned as an RFC 3339 string in UTC, which orders correctly as a string.
*/
class FieldPath
{
public:
    enum class Envelope : quint8 { None, Id, Time, Type, SourceType, SourceId, Fields };

    FieldPath() = default;
    static FieldPath parse(const QString &path);

    bool isValid() const { return m_valid; }
    QString text() const { return m_text; }
    Envelope envelope() const { return m_envelope; }
    QJsonValue value(const Event &event) const;
    // A value inside fields that is a string without escapes, as UTF-8 in the event's JSON
    // text (valid while the event is); false for anything else (ask value()).
    bool plainText(const Event &event, QByteArrayView *utf8) const;
    // A value inside fields as FieldTable::scalar() finds it: a plain string (*utf8, as
    // plainText()) or a number (*number); Other for the rest and the envelope (ask value()).
    FieldTable::Scalar scalar(const Event &event, QByteArrayView *utf8, double *number, bool *integer = nullptr) const;

private:
    QString m_text;
    Envelope m_envelope = Envelope::None;
    QList<QByteArray> m_segments; // inside fields, UTF-8
    bool m_valid = false;
};

} // namespace vigil::engine
