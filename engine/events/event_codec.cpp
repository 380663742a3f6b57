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

// --- the `fields` text of each event, taken from the message itself -------------------------
//
// The store keeps an event's fields as compact JSON. Serialising the parsed object again
// (QJsonDocument::toJson) cost a quarter of the network thread's time per event; the bytes
// are already in the message. The scanner below runs only on a message QJsonDocument has
// accepted, so it may assume valid JSON. It finds, for the single event or for each element
// of "events", the text of its "fields" value; the decoder keeps that text with the
// whitespace between tokens removed. Where the text would differ from what the parser made
// of it (a \u or \/ escape: the stored text would not contain the characters a search looks
// for; a key written with escapes; a key given twice), it reports nothing and the decoder
// falls back to serialising the object.

struct Scanner
{
    const char *p;
    const char *end;

    void ws()
    {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
            ++p;
    }
    // At '"': moves past the closing quote; *escaped says whether a backslash occurred.
    void string(bool *escaped)
    {
        ++p;
        while (p < end && *p != '"') {
            if (*p == '\\') {
                *escaped = true;
                ++p;
            }
            ++p;
        }
        ++p;
    }
    // Moves past one value of any kind; *odd is set when a string inside holds \u or \/.
    void value(bool *odd)
    {
        int depth = 0;
        do {
            ws();
            if (p >= end)
                return;
            const char c = *p;
            if (c == '"') {
                const char *start = p;
                bool escaped = false;
                string(&escaped);
                if (escaped)
                    for (const char *q = start; q + 1 < p; ++q)
                        if (*q == '\\') {
                            if (q[1] == 'u' || q[1] == '/')
                                *odd = true;
                            ++q;
                        }
            } else if (c == '{' || c == '[') {
                ++depth;
                ++p;
            } else if (c == '}' || c == ']') {
                --depth;
                ++p;
            } else if (c == ',' || c == ':') {
                ++p;
            } else {
                while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t'
                       && *p != '\n' && *p != '\r')
                    ++p;
            }
        } while (depth > 0 && p < end);
    }
    // At '{': calls onMember(key, keyEscaped) with p at the member's value, which onMember
    // must consume. Moves past the closing brace.
    template <typename F>
    void object(F onMember)
    {
        ++p;
        for (;;) {
            ws();
            if (p >= end || *p == '}') {
                ++p;
                return;
            }
            if (*p == ',') {
                ++p;
                continue;
            }
            const char *keyStart = p + 1;
            bool escaped = false;
            string(&escaped);
            const QByteArrayView key(keyStart, p - 1 - keyStart);
            ws();
            ++p; // ':'
            ws();
            onMember(key, escaped);
        }
    }
};

struct FieldsText
{
    QByteArrayView text; // empty: serialise the parsed object instead
    int seen = 0;        // "fields" members met (a repeated key falls back)
};

// The "fields" text of one event object, p at its '{'.
FieldsText scanEvent(Scanner &s)
{
    FieldsText out;
    bool usable = true;
    s.object([&](QByteArrayView key, bool escaped) {
        if (escaped)
            usable = false; // could spell "fields"
        const bool isFields = key == "fields";
        const char *start = s.p;
        bool odd = false;
        s.value(&odd);
        if (isFields) {
            ++out.seen;
            if (!odd && *start == '{')
                out.text = QByteArrayView(start, s.p - start);
            else
                usable = false;
        }
    });
    if (!usable || out.seen != 1)
        out.text = {};
    return out;
}

// One entry per element of "events" (or one for a single event); empty entries fall back.
QList<QByteArrayView> scanFieldsTexts(const QByteArray &message)
{
    Scanner s{message.constData(), message.constData() + message.size()};
    QList<QByteArrayView> out;
    s.ws();
    if (s.p >= s.end || *s.p != '{')
        return out;
    const char *root = s.p;
    int eventsMembers = 0;
    bool escapedKey = false;
    s.object([&](QByteArrayView key, bool escaped) {
        escapedKey = escapedKey || escaped;
        if (key == "events" && *s.p == '[') {
            ++eventsMembers;
            out.clear();
            ++s.p;
            for (;;) {
                s.ws();
                if (s.p >= s.end || *s.p == ']') {
                    ++s.p;
                    return;
                }
                if (*s.p == ',') {
                    ++s.p;
                    continue;
                }
                if (*s.p == '{') {
                    out.append(scanEvent(s).text);
                } else {
                    bool odd = false;
                    s.value(&odd);
                    out.append(QByteArrayView());
                }
            }
        }
        if (key == "events")
            ++eventsMembers;
        bool odd = false;
        s.value(&odd);
    });
    if (escapedKey || eventsMembers > 1)
        return {};
    if (eventsMembers == 0) { // a single event: the root object itself
        s.p = root;
        out = {scanEvent(s).text};
    }
    return out;
}

// The text with whitespace between tokens removed (strings kept as they are).
QByteArray compact(QByteArrayView text)
{
    QByteArray out(text.size(), Qt::Uninitialized);
    char *o = out.data();
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            *o++ = c;
            if (c == '\\')
                *o++ = text[++i];
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
            *o++ = c;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            *o++ = c;
        }
    }
    out.truncate(o - out.constData());
    return out;
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
    return decodeEvent(o, nowMs, where, QByteArrayView(), event, error);
}

bool EventCodec::decodeEvent(const QJsonObject &o, qint64 nowMs, const QString &where, QByteArrayView fieldsText,
                             Event *event, QString *error)
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
    event->fieldsJson = fieldsText.isEmpty() ? QJsonDocument(event->fields).toJson(QJsonDocument::Compact)
                                             : compact(fieldsText);
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
        const QList<QByteArrayView> texts = scanFieldsTexts(message);
        if (decodeEvent(root, nowMs, QStringLiteral("event"), texts.value(0), &e, &error))
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
    QList<QByteArrayView> texts = scanFieldsTexts(message);
    if (texts.size() != array.size())
        texts.clear(); // not what the parser saw: serialise every object
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
        if (decodeEvent(object, nowMs, where, texts.value(i), &e, &error))
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

namespace {

// A JSON string literal for `text`, escaped as QJsonDocument would (non-ASCII as UTF-8).
void appendJsonString(QByteArray *out, const QString &text)
{
    out->append('"');
    const qsizetype n = text.size();
    const QChar *in = text.constData();
    qsizetype i = 0;
    for (; i < n; ++i) { // the common case: printable ASCII, nothing to escape
        const char16_t c = in[i].unicode();
        if (c < 0x20 || c >= 0x80 || c == u'"' || c == u'\\')
            break;
        out->append(char(c));
    }
    if (i < n) {
        const QByteArray rest = QJsonDocument(QJsonArray{text.mid(i)}).toJson(QJsonDocument::Compact);
        out->append(rest.constData() + 2, rest.size() - 4); // inside ["…"]
    }
    out->append('"');
}

void appendIds(QByteArray *out, const QStringList &ids)
{
    out->append('[');
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (i > 0)
            out->append(',');
        appendJsonString(out, ids.at(i));
    }
    out->append(']');
}

} // namespace

QByteArray EventCodec::encodeReply(const QStringList &accepted, const QStringList &duplicates,
                                   const QList<Rejection> &rejected)
{
    // Written directly: building a QJsonObject of every id and serialising it cost a tenth of
    // the network thread's time per event. The same bytes as QJsonDocument's compact form.
    QByteArray out;
    qsizetype size = 48;
    for (const QString &id : accepted)
        size += id.size() + 3;
    for (const QString &id : duplicates)
        size += id.size() + 3;
    out.reserve(size);
    out.append("{\"accepted\":");
    appendIds(&out, accepted);
    out.append(",\"duplicates\":");
    appendIds(&out, duplicates);
    out.append(",\"rejected\":");
    QJsonArray rejectedJson;
    for (const Rejection &r : rejected)
        rejectedJson.append(QJsonObject{{QStringLiteral("id"), r.id}, {QStringLiteral("error"), r.error}});
    out.append(QJsonDocument(rejectedJson).toJson(QJsonDocument::Compact));
    out.append('}');
    return out;
}

} // namespace vigil::engine
