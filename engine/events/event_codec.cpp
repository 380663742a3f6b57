#include "event_codec.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

namespace vigil::engine {

namespace {

QString describeType(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("a boolean");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("missing");
}

bool requireString(const QJsonObject &o, const QString &key, const QString &where, int maxLength,
                   QString *out, QString *error)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined()) {
        *error = QStringLiteral("%1: required field '%2' is missing").arg(where, key);
        return false;
    }
    if (!v.isString()) {
        *error = QStringLiteral("%1.%2: must be a string, got %3").arg(where, key, describeType(v));
        return false;
    }
    *out = v.toString();
    if (out->isEmpty()) {
        *error = QStringLiteral("%1.%2: must not be empty").arg(where, key);
        return false;
    }
    if (out->size() > maxLength) {
        *error = QStringLiteral("%1.%2: longer than %3 characters").arg(where, key).arg(maxLength);
        return false;
    }
    return true;
}

} // namespace

bool EventCodec::parseTime(const QString &text, qint64 *timeMs)
{
    // RFC 3339: date, 'T' (or space), time, optional fraction, and a zone (Z or ±hh:mm).
    static const QRegularExpression rfc3339(QStringLiteral(
        R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$)"));
    if (!rfc3339.match(text).hasMatch())
        return false;
    QString normalised = text;
    normalised[10] = u'T';
    if (normalised.endsWith(u'z'))
        normalised.back() = u'Z';
    // Qt parses at most millisecond precision: trim longer fractions.
    const qsizetype dot = normalised.indexOf(u'.');
    if (dot > 0) {
        qsizetype end = dot + 1;
        while (end < normalised.size() && normalised.at(end).isDigit())
            ++end;
        if (end - dot - 1 > 3)
            normalised.remove(dot + 4, end - dot - 4);
    }
    const QDateTime dt = QDateTime::fromString(normalised, Qt::ISODateWithMs);
    if (!dt.isValid())
        return false;
    *timeMs = dt.toMSecsSinceEpoch();
    return true;
}

bool EventCodec::decodeEvent(const QJsonObject &o, qint64 nowMs, const QString &where, Event *event,
                             QString *error)
{
    if (!requireString(o, QStringLiteral("id"), where, kMaxIdLength, &event->id, error))
        return false;

    QString typeName;
    if (!requireString(o, QStringLiteral("type"), where, 64, &typeName, error))
        return false;
    const auto type = eventTypeFromString(typeName);
    if (!type) {
        *error = QStringLiteral("%1.type: unknown event type '%2' (expected one of %3)")
                     .arg(where, typeName, eventTypeNames().join(QStringLiteral(", ")));
        return false;
    }
    event->type = *type;

    if (!requireString(o, QStringLiteral("source_type"), where, kMaxSourceLength, &event->sourceType, error))
        return false;
    if (!requireString(o, QStringLiteral("source_id"), where, kMaxSourceLength, &event->sourceId, error))
        return false;

    const QJsonValue time = o.value(QStringLiteral("time"));
    if (time.isUndefined() || time.isNull()) {
        event->timeMs = nowMs;
    } else if (!time.isString()) {
        *error = QStringLiteral("%1.time: must be an RFC 3339 string such as 2026-01-31T12:00:00Z, got %2")
                     .arg(where, describeType(time));
        return false;
    } else if (!parseTime(time.toString(), &event->timeMs)) {
        *error = QStringLiteral("%1.time: '%2' is not an RFC 3339 time such as 2026-01-31T12:00:00Z")
                     .arg(where, time.toString().left(64));
        return false;
    }

    const QJsonValue fields = o.value(QStringLiteral("fields"));
    if (fields.isUndefined() || fields.isNull()) {
        event->fields = QJsonObject();
    } else if (!fields.isObject()) {
        *error = QStringLiteral("%1.fields: must be an object, got %2").arg(where, describeType(fields));
        return false;
    } else {
        event->fields = fields.toObject();
    }
    event->fieldsJson = QJsonDocument(event->fields).toJson(QJsonDocument::Compact);
    return true;
}

DecodedMessage EventCodec::decode(const QByteArray &message, qint64 nowMs)
{
    DecodedMessage out;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(message, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        out.rejected.append({QJsonValue(QJsonValue::Null),
                             QStringLiteral("message is not valid JSON: %1 at offset %2")
                                 .arg(parseError.errorString())
                                 .arg(parseError.offset)});
        return out;
    }
    if (!doc.isObject()) {
        out.rejected.append({QJsonValue(QJsonValue::Null),
                             QStringLiteral("message must be a JSON object: one event or {\"events\": [...]}")});
        return out;
    }
    const QJsonObject root = doc.object();
    const auto idOf = [](const QJsonObject &o) -> QJsonValue {
        const QJsonValue id = o.value(QStringLiteral("id"));
        return id.isString() ? id : QJsonValue(QJsonValue::Null);
    };

    const QJsonValue events = root.value(QStringLiteral("events"));
    if (events.isUndefined()) {
        Event e;
        QString error;
        if (decodeEvent(root, nowMs, QStringLiteral("event"), &e, &error))
            out.events.append(std::move(e));
        else
            out.rejected.append({idOf(root), error});
        return out;
    }
    if (!events.isArray()) {
        out.rejected.append({QJsonValue(QJsonValue::Null),
                             QStringLiteral("events: must be an array of event objects, got %1")
                                 .arg(describeType(events))});
        return out;
    }
    const QJsonArray array = events.toArray();
    out.events.reserve(array.size());
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString where = QStringLiteral("events[%1]").arg(i);
        const QJsonValue item = array.at(i);
        if (!item.isObject()) {
            out.rejected.append({QJsonValue(QJsonValue::Null),
                                 QStringLiteral("%1: must be an event object, got %2").arg(where, describeType(item))});
            continue;
        }
        const QJsonObject object = item.toObject();
        Event e;
        QString error;
        if (decodeEvent(object, nowMs, where, &e, &error))
            out.events.append(std::move(e));
        else
            out.rejected.append({idOf(object), error});
    }
    return out;
}

QJsonObject EventCodec::toJson(const Event &event)
{
    return QJsonObject{{QStringLiteral("id"), event.id},
                       {QStringLiteral("time"), formatTime(event.timeMs)},
                       {QStringLiteral("type"), toString(event.type)},
                       {QStringLiteral("source_type"), event.sourceType},
                       {QStringLiteral("source_id"), event.sourceId},
                       {QStringLiteral("fields"), event.fields}};
}

QByteArray EventCodec::encodeReply(const QStringList &accepted, const QStringList &duplicates,
                                   const QList<Rejection> &rejected)
{
    QJsonArray rejectedJson;
    for (const Rejection &r : rejected)
        rejectedJson.append(QJsonObject{{QStringLiteral("id"), r.id}, {QStringLiteral("error"), r.error}});
    const QJsonObject reply{{QStringLiteral("accepted"), QJsonArray::fromStringList(accepted)},
                            {QStringLiteral("duplicates"), QJsonArray::fromStringList(duplicates)},
                            {QStringLiteral("rejected"), rejectedJson}};
    return QJsonDocument(reply).toJson(QJsonDocument::Compact);
}

} // namespace vigil::engine
