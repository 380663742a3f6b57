#include "message_template.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace vigil::engine {

namespace {
class TemplateText
{
    Q_DECLARE_TR_FUNCTIONS(TemplateText)
};
} // namespace

bool MessageTemplate::parse(const QString &text, MessageTemplate *out, QString *error)
{
    MessageTemplate t;
    t.m_text = text;
    QString literal;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == u'{' && i + 1 < text.size() && text.at(i + 1) == u'{') {
            literal += u'{';
            ++i;
        } else if (c == u'}' && i + 1 < text.size() && text.at(i + 1) == u'}') {
            literal += u'}';
            ++i;
        } else if (c == u'{') {
            const qsizetype close = text.indexOf(u'}', i + 1);
            if (close < 0) {
                *error = TemplateText::tr("message template: '{' at position %1 is never closed (write {{ for a literal brace)").arg(i + 1);
                return false;
            }
            const QString name = text.mid(i + 1, close - i - 1).trimmed();
            const FieldPath path = FieldPath::parse(name);
            if (!path.isValid()) {
                *error = TemplateText::tr("message template: '{%1}' at position %2 is not a field path such as {source_id} or {fields.amount}")
                             .arg(name).arg(i + 1);
                return false;
            }
            if (!literal.isEmpty())
                t.m_parts.push_back({literal, FieldPath()});
            literal.clear();
            t.m_parts.push_back({QString(), path});
            i = close;
        } else {
            literal += c;
        }
    }
    if (!literal.isEmpty())
        t.m_parts.push_back({literal, FieldPath()});
    *out = std::move(t);
    return true;
}

QString MessageTemplate::renderValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String: return value.toString();
    case QJsonValue::Double: return QString::number(value.toDouble(), 'g', 15);
    case QJsonValue::Bool: return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Array: return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object: return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined: break;
    }
    return {};
}

QString MessageTemplate::renderField(const FieldPath &path, const Event &event, Found *found)
{
    *found = Found::Value;
    switch (path.envelope()) {
    case FieldPath::Envelope::Id: return event.id;
    case FieldPath::Envelope::SourceType: return event.sourceType;
    case FieldPath::Envelope::SourceId: return event.sourceId;
    default: break;
    }
    QByteArrayView utf8;
    if (path.plainText(event, &utf8))
        return QString::fromUtf8(utf8);
    const QJsonValue v = path.value(event);
    if (v.isUndefined())
        *found = Found::Missing;
    else if (v.isNull())
        *found = Found::Null;
    return renderValue(v);
}

QString MessageTemplate::render(const Event &event) const
{
    QString out;
    for (const Part &part : m_parts) {
        if (!part.path.isValid()) {
            out += part.literal;
            continue;
        }
        Found found;
        const QString value = renderField(part.path, event, &found);
        if (found == Found::Missing)
            out += QStringLiteral("<missing %1>").arg(part.path.text().trimmed());
        else
            out += value;
    }
    return out;
}

} // namespace vigil::engine
