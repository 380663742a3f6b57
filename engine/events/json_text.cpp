#include "json_text.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <cmath>

namespace vigil::engine::jsonText {

namespace {

// The value exactly as QJsonDocument writes it: inside a one-element array, less the brackets.
void appendAsQt(QByteArray *out, const QJsonValue &value)
{
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    out->append(QByteArrayView(wrapped).sliced(1, wrapped.size() - 2));
}

} // namespace

void appendString(QByteArray *out, const QString &text)
{
    // Printable ASCII (ids, names, sources) straight into the buffer; anything else as Qt
    // writes it (a lone surrogate included).
    const qsizetype n = text.size();
    const QChar *in = text.constData();
    const qsizetype at = out->size();
    out->resize(at + n + 2);
    char *w = out->data() + at;
    *w++ = '"';
    for (qsizetype i = 0; i < n; ++i) {
        const char16_t c = in[i].unicode();
        if (c < 0x20 || c >= 0x7f || c == u'"' || c == u'\\') {
            out->truncate(at);
            appendAsQt(out, text);
            return;
        }
        *w++ = char(c);
    }
    *w = '"';
}

void appendNumber(QByteArray *out, double value)
{
    if (!std::isfinite(value)) {
        out->append("null");
    } else if (value == std::trunc(value) && std::abs(value) < 9007199254740992.0) {
        out->append(QByteArray::number(qint64(value))); // QJsonValue keeps such a double as an integer
    } else {
        out->append(QByteArray::number(value, 'g', QLocale::FloatingPointShortest));
    }
}

void appendValue(QByteArray *out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: out->append("null"); return;
    case QJsonValue::Bool: out->append(value.toBool() ? "true" : "false"); return;
    case QJsonValue::String: appendString(out, value.toString()); return;
    case QJsonValue::Double:
    case QJsonValue::Array:
    case QJsonValue::Object: break;
    }
    // Numbers too: QJsonValue tells an integer (written as one) from a double only to Qt.
    appendAsQt(out, value);
}

} // namespace vigil::engine::jsonText
