#include "field_path.h"

#include <QDateTime>
#include <QJsonArray>

namespace vigil::engine {

QString formatTime(qint64 timeMs)
{
    return QDateTime::fromMSecsSinceEpoch(timeMs, Qt::UTC).toString(Qt::ISODateWithMs);
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
        p.m_segments = parts;
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
        return event.fields;
    QJsonValue current = event.fields.value(m_segments.first());
    for (qsizetype i = 1; i < m_segments.size(); ++i) {
        if (current.isObject()) {
            current = current.toObject().value(m_segments.at(i));
        } else if (current.isArray()) {
            bool ok = false;
            const int index = m_segments.at(i).toInt(&ok);
            const QJsonArray array = current.toArray();
            if (!ok || index < 0 || index >= array.size())
                return QJsonValue(QJsonValue::Undefined);
            current = array.at(index);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return current;
}

} // namespace vigil::engine
