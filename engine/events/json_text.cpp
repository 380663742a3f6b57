#include "json_text.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <cmath>

namespace vigil::engine::jsonText {

void appendString(QByteArray *out, QByteArrayView utf8)
{
    static const char hex[] = "0123456789abcdef";
    out->append('"');
    qsizetype plain = 0; // start of the run of bytes copied as they are
    for (qsizetype i = 0; i < utf8.size(); ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out->append(utf8.sliced(plain, i - plain));
        plain = i + 1;
        out->append('\\');
        switch (c) {
        case '"': out->append('"'); break;
        case '\\': out->append('\\'); break;
        case '\b': out->append('b'); break;
        case '\f': out->append('f'); break;
        case '\n': out->append('n'); break;
        case '\r': out->append('r'); break;
        case '\t': out->append('t'); break;
        default: out->append("u00").append(hex[c >> 4]).append(hex[c & 0xf]); break;
        }
    }
    out->append(utf8.sliced(plain));
    out->append('"');
}

void appendString(QByteArray *out, const QString &text)
{
    appendString(out, QByteArrayView(text.toUtf8()));
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
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    out->append(QByteArrayView(wrapped).sliced(1, wrapped.size() - 2));
}

} // namespace vigil::engine::jsonText
