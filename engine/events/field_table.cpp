#include "field_table.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <charconv>
#include <cstring>
#include <limits>

namespace vigil::engine {

/*
    Reads an object's text into entries. Strict mode accepts only the forms QJsonDocument reads
    in one way (tst_field_table compares the two on every case and on mutated texts); anything
    else stops it, valid or not, and the caller has QJsonDocument decide. Trusted mode reads
    text QJsonDocument has accepted: it finds where each token ends and leaves converting
    unusual forms to convert(), which asks QJsonDocument about them.
*/
class FieldTableReader
{
public:
    using Entry = FieldTable::Entry;
    using Kind = FieldTable::Kind;

    FieldTableReader(QByteArrayView json, bool strict, QList<Entry> *out)
        : m_begin(json.data()), m_p(json.data()), m_end(json.data() + json.size()), m_strict(strict), m_out(out)
    {
    }

    // The whole text: one object, whitespace around it allowed.
    bool read()
    {
        ws();
        if (!object())
            return false;
        ws();
        return m_p == m_end;
    }

    // One object at the start of the text; the length of its text (0: refused).
    qsizetype readPrefix(bool *compact)
    {
        if (!object())
            return 0;
        *compact = m_skipped == 0;
        return m_p - m_begin;
    }

private:
    static constexpr int kStrictDepth = 64;
    static constexpr int kTrustedDepth = 1024; // QJsonDocument's own limit

    char peek() const { return m_p < m_end ? *m_p : '\0'; }
    // At '{' (else false): the object's members.
    bool object()
    {
        if (m_end - m_begin > std::numeric_limits<qint32>::max() || peek() != '{')
            return false;
        m_out->reserve(16); // one allocation for the usual event (growing from one took four)
        return container(true);
    }
    // Where p is in the text the table indexes: strict, the text without the whitespace
    // skipped so far (p is never inside whitespace); trusted, the text itself.
    qint32 offset(const char *p) const { return qint32(p - m_begin - m_skipped); }
    void ws()
    {
        const char *start = m_p;
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
        if (m_strict)
            m_skipped += m_p - start;
    }
    static bool delimiter(char c)
    {
        return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    // At '{' or '[': its members or elements, appended in order; past its closing bracket.
    bool container(bool object)
    {
        const char close = object ? '}' : ']';
        ++m_p;
        ws();
        if (peek() == close) {
            ++m_p;
            return true;
        }
        qint32 previous = -1;
        for (;;) {
            Entry e;
            if (object) {
                if (peek() != '"' || !string(&e.key, &e.keyLength, &e.keyEscaped))
                    return false;
                ws();
                if (peek() != ':')
                    return false;
                ++m_p;
                ws();
            }
            const qint32 index = qint32(m_out->size());
            m_out->append(e);
            if (previous >= 0)
                (*m_out)[previous].next = index;
            previous = index;
            if (!value(index))
                return false;
            ws();
            if (peek() == ',') {
                ++m_p;
                ws();
                continue;
            }
            if (peek() != close)
                return false;
            ++m_p;
            return true;
        }
    }

    bool value(qint32 index)
    {
        const char c = peek();
        const qint32 at = offset(m_p);
        Kind kind;
        qint32 first = -1;
        if (c == '"') {
            Entry &e = (*m_out)[index]; // no entry is added while a string is read
            e.kind = Kind::String;
            return string(&e.value, &e.valueLength, &e.escaped);
        } else if (c == '{' || c == '[') {
            if (++m_depth > (m_strict ? kStrictDepth : kTrustedDepth))
                return false;
            const qsizetype before = m_out->size();
            if (!container(c == '{'))
                return false;
            --m_depth;
            kind = c == '{' ? Kind::Object : Kind::Array;
            if (m_out->size() > before)
                first = qint32(before);
        } else if (c == 't' || c == 'f' || c == 'n') {
            const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
            const size_t n = std::strlen(word);
            if (size_t(m_end - m_p) < n || std::memcmp(m_p, word, n) != 0)
                return false;
            m_p += n;
            if (m_p < m_end && !delimiter(*m_p))
                return false;
            kind = c == 't' ? Kind::True : c == 'f' ? Kind::False : Kind::Null;
        } else if (!number()) {
            return false;
        } else {
            kind = Kind::Number;
        }
        Entry &e = (*m_out)[index];
        e.kind = kind;
        e.value = at;
        e.valueLength = offset(m_p) - at;
        e.first = first;
        return true;
    }

    // At '"': the text between the quotes; past the closing one.
    bool string(qint32 *at, qint32 *length, bool *escaped)
    {
        const char *start = ++m_p;
        while (m_p < m_end) {
            const unsigned char c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                *at = offset(start);
                *length = qint32(m_p - start);
                ++m_p;
                return true;
            }
            if (c == '\\') {
                if (m_end - m_p < 2)
                    return false;
                const char next = m_p[1];
                if (m_strict && !(next == '"' || next == '\\' || next == 'b' || next == 'f' || next == 'n' || next == 'r' || next == 't'))
                    return false; // \u, \/ and what QJsonDocument reads its own way
                *escaped = true;
                m_p += 2;
                continue;
            }
            if (m_strict && (c < 0x20 || c >= 0x7f))
                return false; // control characters and UTF-8: QJsonDocument checks them
            ++m_p;
        }
        return false;
    }

    // A number: strict, -?(0|[1-9][0-9]*)(.[0-9]+)? of at most 24 characters; trusted, the
    // token up to the next delimiter.
    bool number()
    {
        const char *start = m_p;
        if (!m_strict) {
            while (m_p < m_end && !delimiter(*m_p))
                ++m_p;
            return m_p > start;
        }
        const auto digit = [this] { return m_p < m_end && *m_p >= '0' && *m_p <= '9'; };
        if (peek() == '-')
            ++m_p;
        if (!digit())
            return false;
        if (*m_p == '0') {
            ++m_p;
        } else {
            while (digit())
                ++m_p;
        }
        if (peek() == '.') {
            ++m_p;
            if (!digit())
                return false;
            while (digit())
                ++m_p;
        }
        return m_p - start <= 24 && (m_p == m_end || delimiter(*m_p));
    }

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    bool m_strict;
    qsizetype m_skipped = 0;
    int m_depth = 0;
    QList<Entry> *m_out;
};

QByteArray FieldTable::compact(QByteArrayView text)
{
    QByteArray out(text.size(), Qt::Uninitialized);
    char *o = out.data();
    bool inString = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (inString) {
            *o++ = c;
            if (c == '\\' && i + 1 < text.size())
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

bool FieldTable::parse(QByteArrayView json, bool strict)
{
    m_entries.clear();
    if (FieldTableReader(json, strict, &m_entries).read())
        return true;
    m_entries.clear();
    return false;
}

qsizetype FieldTable::parseStrictPrefix(QByteArrayView text, bool *compact)
{
    m_entries.clear();
    *compact = false;
    if (const qsizetype length = FieldTableReader(text, true, &m_entries).readPrefix(compact))
        return length;
    m_entries.clear();
    return 0;
}

namespace {

// A value's text as QJsonDocument reads it, for the forms convert() leaves to it.
QJsonValue readByQt(QByteArrayView text)
{
    QByteArray wrapped;
    wrapped.reserve(text.size() + 2);
    wrapped.append('[').append(text).append(']');
    const QJsonArray array = QJsonDocument::fromJson(wrapped).array();
    return array.isEmpty() ? QJsonValue(QJsonValue::Undefined) : array.first();
}

} // namespace

bool FieldTable::readNumber(QByteArrayView text, bool *integer, qint64 *whole, double *fraction)
{
    // -?[0-9]+ (up to 18 digits: always a qint64) and -?[0-9]+.[0-9]+ here; the rest
    // (exponents, 19 digits and more, forms only QJsonDocument takes) by QJsonDocument.
    const char *p = text.data();
    const char *end = p + text.size();
    const bool negative = p < end && *p == '-';
    const char *digits = negative ? p + 1 : p;
    const char *q = digits;
    while (q < end && *q >= '0' && *q <= '9')
        ++q;
    if (q == end && q > digits && q - digits <= 18) {
        qint64 n = 0;
        for (const char *d = digits; d < end; ++d)
            n = n * 10 + (*d - '0');
        *integer = true;
        *whole = negative ? -n : n;
        return true;
    }
    if (q > digits && q < end && *q == '.') {
        const char *start = ++q;
        while (q < end && *q >= '0' && *q <= '9')
            ++q;
        if (q == end && q > start && std::from_chars(p, end, *fraction).ec == std::errc()) {
            *integer = false;
            return true;
        }
    }
    return false;
}

QJsonValue FieldTable::convert(QByteArrayView json, const Entry &e)
{
    const QByteArrayView text = json.sliced(e.value, e.valueLength);
    switch (e.kind) {
    case Kind::Null: return QJsonValue(QJsonValue::Null);
    case Kind::False: return QJsonValue(false);
    case Kind::True: return QJsonValue(true);
    case Kind::Number: {
        bool integer = false;
        qint64 whole = 0;
        double fraction = 0;
        if (readNumber(text, &integer, &whole, &fraction))
            return integer ? QJsonValue(whole) : QJsonValue(fraction); // a whole fraction stays an integer, as by QJsonDocument
        return readByQt(text);
    }
    case Kind::String: {
        if (!e.escaped)
            return QJsonValue(QString::fromUtf8(text));
        QByteArray out;
        out.reserve(text.size());
        for (qsizetype i = 0; i < text.size(); ++i) {
            char c = text[i];
            if (c == '\\' && i + 1 < text.size()) {
                switch (text[++i]) {
                case '"': c = '"'; break;
                case '\\': c = '\\'; break;
                case '/': c = '/'; break;
                case 'b': c = '\b'; break;
                case 'f': c = '\f'; break;
                case 'n': c = '\n'; break;
                case 'r': c = '\r'; break;
                case 't': c = '\t'; break;
                default: // \u and the rest
                    return readByQt(json.sliced(e.value - 1, e.valueLength + 2));
                }
            }
            out.append(c);
        }
        return QJsonValue(QString::fromUtf8(out));
    }
    case Kind::Object:
    case Kind::Array: {
        const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray());
        return e.kind == Kind::Object ? QJsonValue(doc.object()) : QJsonValue(doc.array());
    }
    }
    return QJsonValue(QJsonValue::Undefined);
}

bool FieldTable::keyEquals(QByteArrayView json, const Entry &e, const QByteArray &key)
{
    if (!e.keyEscaped)
        return e.keyLength == key.size() && std::memcmp(json.data() + e.key, key.constData(), size_t(key.size())) == 0;
    const QJsonValue unescaped = readByQt(json.sliced(e.key - 1, e.keyLength + 2));
    return unescaped.toString().toUtf8() == key;
}

qint32 FieldTable::find(QByteArrayView json, const QList<QByteArray> &segments) const
{
    qint32 first = m_entries.isEmpty() ? -1 : 0;
    bool inObject = true;
    qint32 found = -1;
    for (qsizetype s = 0; s < segments.size(); ++s) {
        const QByteArray &segment = segments.at(s);
        found = -1;
        if (inObject) {
            for (qint32 i = first; i >= 0; i = m_entries.at(i).next) {
                const Entry &e = m_entries.at(i);
                if ((e.keyLength == segment.size() || e.keyEscaped) && keyEquals(json, e, segment))
                    found = i; // the last of a repeated key, as QJsonDocument keeps it
            }
        } else {
            bool ok = false;
            const int index = segment.toInt(&ok);
            if (!ok || index < 0)
                return -1;
            found = first;
            for (int k = 0; k < index && found >= 0; ++k)
                found = m_entries.at(found).next;
        }
        if (found < 0)
            return -1;
        const Entry &e = m_entries.at(found);
        if (s + 1 < segments.size()) {
            if (e.kind != Kind::Object && e.kind != Kind::Array)
                return -1;
            inObject = e.kind == Kind::Object;
            first = e.first;
        }
    }
    return found;
}

QJsonValue FieldTable::value(QByteArrayView json, const QList<QByteArray> &segments) const
{
    const qint32 found = find(json, segments);
    return found < 0 ? QJsonValue(QJsonValue::Undefined) : convert(json, m_entries.at(found));
}

FieldTable::Scalar FieldTable::scalar(QByteArrayView json, const QList<QByteArray> &segments, QByteArrayView *utf8,
                                      double *number, bool *integer) const
{
    const qint32 found = find(json, segments);
    if (found < 0)
        return Scalar::Other;
    const Entry &e = m_entries.at(found);
    if (e.kind == Kind::String && !e.escaped) {
        *utf8 = json.sliced(e.value, e.valueLength);
        return Scalar::Text;
    }
    if (e.kind == Kind::Number) {
        bool isInteger = false;
        qint64 whole = 0;
        if (readNumber(json.sliced(e.value, e.valueLength), &isInteger, &whole, number)) {
            if (isInteger)
                *number = double(whole); // as QJsonValue(qint64).toDouble()
            if (integer)
                *integer = isInteger;
            return Scalar::Number;
        }
    }
    return Scalar::Other;
}

} // namespace vigil::engine
