#include "field_path.h"

#include <QDateTime>
#include <QJsonDocument>

namespace vigil::engine {

QString formatTime(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject Event::fields() const
{
    return QJsonDocument::fromJson(m_fieldsJson).object();
}

void Event::setFields(const QJsonObject &fields)
{
    m_fieldsJson = QJsonDocument(fields).toJson(QJsonDocument::Compact);
    m_fieldTable.parseTrusted(m_fieldsJson);
}

bool Event::setFieldsJson(const QByteArray &json)
{
    m_fieldsJson = json;
    return m_fieldTable.parseTrusted(m_fieldsJson);
}

void Event::setFieldsJson(const QByteArray &json, FieldTable table)
{
    m_fieldsJson = json;
    m_fieldTable = std::move(table);
}

FieldPath FieldPath::parse(const QString &path)
{
    FieldPath p;
    p.m_text = path;
    const QString trimmed = path.trimmed();
    if (trimmed.isEmpty())
        return p;
    QStringList parts = trimmed.split(u'.');
    for (const QString &part : std::as_const(parts)) {
        if (part.isEmpty())
            return p; // "a..b", ".a", "a."
    }
    const QString &head = parts.first();
    if (parts.size() == 1) {
        if (head == u"id")
            p.m_envelope = Envelope::Id;
        else if (head == u"time")
            p.m_envelope = Envelope::Time;
        else if (head == u"type")
            p.m_envelope = Envelope::Type;
        else if (head == u"source_type")
            p.m_envelope = Envelope::SourceType;
        else if (head == u"source_id")
            p.m_envelope = Envelope::SourceId;
        else if (head == u"fields")
            p.m_envelope = Envelope::Fields;
    }
    if (p.m_envelope == Envelope::None) {
        if (head == u"fields")
            parts.removeFirst();
        p.m_envelope = Envelope::Fields;
        for (const QString &part : std::as_const(parts))
            p.m_segments.append(part.toUtf8());
    }
    p.m_valid = true;
    return p;
}

QJsonValue FieldPath::value(const Event &event) const
{
    switch (m_envelope) {
    case Envelope::None:
        return QJsonValue(QJsonValue::Undefined);
    case Envelope::Id:
        return event.id;
    case Envelope::Time:
        return formatTime(event.timeMs);
    case Envelope::Type:
        return toString(event.type);
    case Envelope::SourceType:
        return event.sourceType;
    case Envelope::SourceId:
        return event.sourceId;
    case Envelope::Fields:
        break;
    }
    if (m_segments.isEmpty())
        return event.fields();
    return event.fieldTable().value(event.fieldsJson(), m_segments);
}

bool FieldPath::plainText(const Event &event, QByteArrayView *utf8) const
{
    double unused = 0;
    return scalar(event, utf8, &unused) == FieldTable::Scalar::Text;
}

FieldTable::Scalar FieldPath::scalar(const Event &event, QByteArrayView *utf8, double *number, bool *integer) const
{
    if (m_envelope != Envelope::Fields || m_segments.isEmpty())
        return FieldTable::Scalar::Other;
    return event.fieldTable().scalar(event.fieldsJson(), m_segments, utf8, number, integer);
}

} // namespace vigil::engine
