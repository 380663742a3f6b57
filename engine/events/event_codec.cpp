#include "event_codec.h"

#include "json_text.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <cstring>

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

QJsonValue idOf(const QJsonObject &o)
{
    const QJsonValue id = o.value(QStringLiteral("id"));
    return id.isString() ? id : QJsonValue(QJsonValue::Null);
}

// --- the usual message, read in one pass ----------------------------------------------------
//
// QJsonDocument::fromJson over the whole message, then looking the envelope up member by
// member, was two thirds of the network thread's time per event. Nearly every message has one
// shape: an object whose only member is "events", an array of event objects whose envelope
// values are plain strings (ASCII, no escapes) and whose "fields" is an object. FastDecoder
// reads that shape itself: it checks the structure between the values, takes the envelope
// strings as they stand, and indexes each "fields" object with FieldTable::parseStrict(); the
// few that FieldTable leaves (\u escapes, UTF-8, exponents) QJsonDocument parses alone. Every
// byte of the message is so checked, either here or by QJsonDocument.
//
// What it does not take as it is goes to the general decoder, so both give the same result:
// - an event with an escape or non-ASCII text in its envelope, a member it does not know, a
//   value of another type, or a value that fails a check is parsed alone by QJsonDocument and
//   decoded by decodeEvent(), which words the error;
// - a message that is not valid JSON or has another shape goes whole to decodeGeneral().
// tst_event_codec compares the two on every case of its tables and on mutated messages.

class FastDecoder
{
public:
    FastDecoder(const QByteArray &message, qint64 nowMs)
        : m_p(message.constData()), m_end(message.constData() + message.size()), m_now(nowMs)
    {
    }

    // False: the message is for decodeGeneral() (*out is then partly filled: discard it).
    bool decode(DecodedMessage *out)
    {
        ws();
        if (peek() != '{')
            return false;
        const char *root = m_p;
        ++m_p;
        ws();
        if (!startsWith("\"events\"")) { // a single event: the root object itself
            m_p = root;
            Event e;
            if (event(&e) != Result::Taken)
                return false;
            ws();
            if (m_p != m_end)
                return false;
            out->events.append(std::move(e));
            return true;
        }
        m_p += 8;
        ws();
        if (peek() != ':')
            return false;
        ++m_p;
        ws();
        if (peek() != '[')
            return false;
        ++m_p;
        ws();
        if (peek() == ']') {
            ++m_p;
        } else {
            for (int i = 0;; ++i) {
                if (peek() != '{')
                    return false; // an element that is not an object
                const char *start = m_p;
                Event e;
                const Result result = event(&e);
                if (result == Result::Invalid)
                    return false;
                if (result == Result::Taken) {
                    out->events.append(std::move(e));
                } else {
                    m_p = start;
                    if (!decodeAlone(i, out))
                        return false;
                }
                ws();
                if (peek() == ',') {
                    ++m_p;
                    ws();
                    continue;
                }
                if (peek() != ']')
                    return false;
                ++m_p;
                break;
            }
        }
        ws();
        if (peek() != '}') // "events" is the root's only member
            return false;
        ++m_p;
        ws();
        return m_p == m_end;
    }

private:
    // Taken: decoded into *e. Alone: decode this event with QJsonDocument. Invalid: the message
    // is not valid JSON here.
    enum class Result { Taken, Alone, Invalid };
    static constexpr int kMaxDepth = 512; // well inside QJsonDocument's limit for the whole message

    char peek() const { return m_p < m_end ? *m_p : '\0'; }
    bool startsWith(const char *text) const
    {
        const size_t n = std::strlen(text);
        return size_t(m_end - m_p) >= n && std::memcmp(m_p, text, n) == 0;
    }
    void ws()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }
    // At '"': a string of printable ASCII without escapes, *out its text; false for any other
    // string (m_p is then left anywhere).
    bool plainString(QByteArrayView *out)
    {
        const char *start = ++m_p;
        while (m_p < m_end) {
            const unsigned char c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                *out = QByteArrayView(start, m_p - start);
                ++m_p;
                return true;
            }
            if (c < 0x20 || c >= 0x80 || c == '\\')
                return false;
            ++m_p;
        }
        return false;
    }
    // Moves past one value, whatever it holds, without checking it (QJsonDocument does); *odd
    // is set when a string inside holds a \u or \/ escape. False: no end in the message.
    bool skipValue(bool *odd)
    {
        int depth = 0;
        do {
            ws();
            if (m_p >= m_end)
                return false;
            const char c = *m_p;
            if (c == '"') {
                ++m_p;
                while (m_p < m_end && *m_p != '"') {
                    if (*m_p == '\\') {
                        if (m_end - m_p < 2)
                            return false;
                        if (m_p[1] == 'u' || m_p[1] == '/')
                            *odd = true;
                        ++m_p;
                    }
                    ++m_p;
                }
                if (m_p >= m_end)
                    return false;
                ++m_p;
            } else if (c == '{' || c == '[') {
                if (++depth > kMaxDepth)
                    return false;
                ++m_p;
            } else if (c == '}' || c == ']') {
                if (--depth < 0)
                    return false;
                ++m_p;
            } else if (c == ',' || c == ':') {
                ++m_p;
            } else {
                while (m_p < m_end && *m_p != ',' && *m_p != '}' && *m_p != ']' && *m_p != ':' && *m_p != '"'
                       && *m_p != '[' && *m_p != '{' && *m_p != ' ' && *m_p != '\t' && *m_p != '\n' && *m_p != '\r')
                    ++m_p;
            }
        } while (depth > 0);
        return true;
    }

    static const std::array<QByteArray, kEventTypeCount> &typeNames()
    {
        static const std::array<QByteArray, kEventTypeCount> names = [] {
            std::array<QByteArray, kEventTypeCount> n;
            for (int t = 0; t < kEventTypeCount; ++t)
                n[std::size_t(t)] = toString(EventType(t)).toLatin1();
            return n;
        }();
        return names;
    }

    // At '{': one event object.
    Result event(Event *e)
    {
        enum Member : unsigned { Id = 1, Type = 2, SourceType = 4, SourceId = 8, Time = 16, Fields = 32 };
        QByteArrayView id, type, sourceType, sourceId, time;
        const char *fieldsStart = nullptr;
        const char *fieldsEnd = nullptr;
        bool odd = false;
        FieldTable table;
        bool tableTaken = false;    // the table indexes the fields
        bool fieldsCompact = false; // and their text has no whitespace to take out
        unsigned seen = 0;      // members named (a second one goes to the general decoder)
        bool timeNull = false;  // "time": null, as if absent
        ++m_p;
        ws();
        if (peek() != '"')
            return Result::Alone; // {} (or not JSON: the decoder alone finds out)
        for (;;) {
            QByteArrayView key;
            if (peek() != '"' || !plainString(&key))
                return Result::Alone;
            ws();
            if (peek() != ':')
                return Result::Invalid;
            ++m_p;
            ws();
            unsigned member = 0;
            QByteArrayView *text = nullptr;
            if (key == "id") {
                member = Id;
                text = &id;
            } else if (key == "type") {
                member = Type;
                text = &type;
            } else if (key == "source_type") {
                member = SourceType;
                text = &sourceType;
            } else if (key == "source_id") {
                member = SourceId;
                text = &sourceId;
            } else if (key == "time") {
                member = Time;
                text = &time;
            } else if (key == "fields") {
                member = Fields;
            } else {
                return Result::Alone; // ignored by the decoder, but the message must still be JSON
            }
            if (seen & member)
                return Result::Alone; // named twice: as QJsonDocument resolves it
            seen |= member;
            if (text) {
                if (peek() == '"') {
                    if (!plainString(text))
                        return Result::Alone;
                } else if (member == Time && startsWith("null")) {
                    m_p += 4;
                    timeNull = true;
                } else {
                    return Result::Alone;
                }
            } else if (peek() == '{') {
                // The table straight from the message: one pass over the fields' text. What
                // the strict reader does not take as it stands (escapes such as \u, UTF-8,
                // exponents, errors) QJsonDocument reads, below.
                fieldsStart = m_p;
                if (const qsizetype n = table.parseStrictPrefix(QByteArrayView(m_p, m_end - m_p), &fieldsCompact)) {
                    m_p += n;
                    tableTaken = true;
                } else if (!skipValue(&odd)) {
                    return Result::Invalid;
                }
                fieldsEnd = m_p;
            } else if (startsWith("null")) {
                m_p += 4;
            } else {
                return Result::Alone;
            }
            ws();
            if (peek() == ',') {
                ++m_p;
                ws();
                continue;
            }
            if (peek() != '}')
                return Result::Invalid;
            ++m_p;
            break;
        }

        // The checks decodeEvent() makes; it words the error of an event that fails one.
        if ((seen & (Id | Type | SourceType | SourceId)) != (Id | Type | SourceType | SourceId))
            return Result::Alone;
        if (id.isEmpty() || id.size() > EventCodec::kMaxIdLength || type.isEmpty() || type.size() > 64
            || sourceType.isEmpty() || sourceType.size() > EventCodec::kMaxSourceLength || sourceId.isEmpty()
            || sourceId.size() > EventCodec::kMaxSourceLength)
            return Result::Alone;
        const auto &names = typeNames();
        const auto known = std::find(names.begin(), names.end(), type);
        if (known == names.end())
            return Result::Alone;
        if ((seen & Time) && !timeNull) {
            if (!EventCodec::parseTime(QString::fromLatin1(time), &e->timeMs))
                return Result::Alone;
        } else {
            e->timeMs = m_now;
        }
        if (fieldsStart) {
            const QByteArrayView text(fieldsStart, fieldsEnd - fieldsStart);
            if (tableTaken) {
                e->setFieldsJson(fieldsCompact ? text.toByteArray() : FieldTable::compact(text), std::move(table));
            } else {
                QJsonParseError error;
                const QJsonDocument fields = QJsonDocument::fromJson(text.toByteArray(), &error);
                if (error.error != QJsonParseError::NoError)
                    return Result::Invalid;
                if (odd)
                    e->setFields(fields.object());
                else
                    e->setFieldsJson(FieldTable::compact(text));
            }
        }
        e->id = QString::fromLatin1(id);
        e->type = EventType(known - names.begin());
        e->sourceType = QString::fromLatin1(sourceType);
        e->sourceId = QString::fromLatin1(sourceId);
        return Result::Taken;
    }

    // At '{': element `index` of "events", parsed alone and decoded as decodeGeneral() does.
    bool decodeAlone(int index, DecodedMessage *out)
    {
        const char *start = m_p;
        bool odd = false;
        if (!skipValue(&odd))
            return false;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromRawData(start, m_p - start), &parseError);
        if (parseError.error != QJsonParseError::NoError || !doc.isObject())
            return false;
        const QJsonObject object = doc.object();
        Scanner s{start, m_p};
        const QByteArrayView fieldsText = scanEvent(s).text;
        Event e;
        QString error;
        if (EventCodec::decodeEvent(object, m_now, QString(), fieldsText, &e, &error)) {
            out->events.append(std::move(e));
        } else {
            error.clear();
            EventCodec::decodeEvent(object, m_now, QStringLiteral("events[%1]").arg(index), &e, &error);
            out->rejected.append({idOf(object), error});
        }
        return true;
    }

    const char *m_p;
    const char *m_end;
    const qint64 m_now;
};

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
        event->setFields(QJsonObject());
    } else if (!fields.isObject()) {
        *error = QStringLiteral("%1.fields: must be an object, got %2").arg(where, describeType(fields));
        return false;
    } else if (fieldsText.isEmpty()) {
        event->setFields(fields.toObject());
    } else {
        event->setFieldsJson(FieldTable::compact(fieldsText));
    }
    return true;
}

DecodedMessage EventCodec::decode(const QByteArray &message, qint64 nowMs)
{
    DecodedMessage out;
    out.events.reserve(std::min<qsizetype>(message.size() / 64 + 1, 4096));
    if (FastDecoder(message, nowMs).decode(&out))
        return out;
    return decodeGeneral(message, nowMs);
}

DecodedMessage EventCodec::decodeGeneral(const QByteArray &message, qint64 nowMs)
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
        const auto where = [i] { return QStringLiteral("events[%1]").arg(i); };
        const QJsonValue item = array.at(i);
        if (!item.isObject()) {
            out.rejected.append({QJsonValue(QJsonValue::Null),
                                 QStringLiteral("%1: must be an event object, got %2").arg(where(), describeType(item))});
            continue;
        }
        const QJsonObject object = item.toObject();
        Event e;
        QString error;
        // The error's prefix is made only for an event that fails: decoding again with it
        // costs nothing on the way every valid event takes (formatting it did, per event).
        if (decodeEvent(object, nowMs, QString(), texts.value(i), &e, &error)) {
            out.events.append(std::move(e));
        } else {
            error.clear();
            decodeEvent(object, nowMs, where(), &e, &error);
            out.rejected.append({idOf(object), error});
        }
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
                       {QStringLiteral("fields"), event.fields()}};
}

namespace {

void appendIds(QByteArray *out, const QStringList &ids)
{
    out->append('[');
    for (qsizetype i = 0; i < ids.size(); ++i) {
        if (i > 0)
            out->append(',');
        jsonText::appendString(out, ids.at(i));
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
