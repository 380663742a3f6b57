#include "silence.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QVarLengthArray>

namespace vigil::engine {

namespace {
class SilenceText
{
    Q_DECLARE_TR_FUNCTIONS(Silence)
};
} // namespace

bool Silence::compile(QString *error)
{
    m_compiled = false;
    if (ruleName.trimmed().isEmpty() && sourceId.trimmed().isEmpty() && !hasField()) {
        *error = SilenceText::tr("A silence needs at least one criterion: a rule, a source or a field value.");
        return false;
    }
    if (hasField()) {
        m_path = FieldPath::parse(fieldPath.trimmed());
        if (!m_path.isValid()) {
            *error = SilenceText::tr("The field path '%1' is not valid: write it as in rules, e.g. fields.country.")
                         .arg(fieldPath);
            return false;
        }
        if (fieldValue.isUndefined() || fieldValue.isNull()
            || (fieldValue.isString() && fieldValue.toString().isEmpty())) {
            *error = SilenceText::tr("Give the value of %1 that the silence matches.").arg(fieldPath.trimmed());
            return false;
        }
        QString problem;
        if (!m_comparison.compile(Op::Eq, fieldValue, &problem)) {
            *error = SilenceText::tr("The value of %1 cannot be matched: %2").arg(fieldPath.trimmed(), problem);
            return false;
        }
    }
    m_compiled = true;
    return true;
}

bool Silence::matches(const QString &alertRuleName, const Event &event) const
{
    Q_ASSERT(m_compiled);
    if (!ruleName.isEmpty() && ruleName != alertRuleName)
        return false;
    if (!sourceId.isEmpty() && sourceId != event.sourceId)
        return false;
    if (hasField() && !m_comparison.test(m_path.value(event)))
        return false;
    return true;
}

QString Silence::describe() const
{
    QStringList parts;
    if (!ruleName.isEmpty())
        parts << SilenceText::tr("rule = \"%1\"").arg(ruleName);
    if (!sourceId.isEmpty())
        parts << SilenceText::tr("source = \"%1\"").arg(sourceId);
    if (hasField())
        parts << QStringLiteral("%1 = %2").arg(fieldPath.trimmed(), formatValue(fieldValue));
    return parts.join(QStringLiteral(", "));
}

QJsonValue Silence::parseValue(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + trimmed.toUtf8() + "]", &parseError);
    if (parseError.error == QJsonParseError::NoError && doc.array().size() == 1) {
        const QJsonValue v = doc.array().at(0);
        if (v.isString() || v.isDouble() || v.isBool())
            return v;
    }
    return trimmed;
}

QString Silence::formatValue(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact)).mid(1).chopped(1);
}

void SilenceSet::setSilences(QList<Silence> silences)
{
    QList<Silence> compiled;
    compiled.reserve(silences.size());
    for (Silence &s : silences) {
        QString error;
        if (s.isCompiled() || s.compile(&error))
            compiled.append(std::move(s));
        else
            qWarning("Vigil: silence %lld is invalid and does not match: %s", s.id, qPrintable(error));
    }
    m_silences = std::move(compiled);
}

qint64 SilenceSet::match(const QString &alertRuleName, const Event &event, qint64 nowMs) const
{
    // The values of the field paths looked up so far for this alert (silences by the same
    // field, e.g. fields.country = "RU" and = "IR", share one lookup).
    QVarLengthArray<std::pair<const QString *, QJsonValue>, 4> looked;
    for (const Silence &s : m_silences) {
        if (!s.isActiveAt(nowMs) || (!s.ruleName.isEmpty() && s.ruleName != alertRuleName)
            || (!s.sourceId.isEmpty() && s.sourceId != event.sourceId))
            continue;
        if (s.hasField()) {
            const QJsonValue *value = nullptr;
            for (const auto &[path, v] : looked)
                if (*path == s.fieldPath)
                    value = &v;
            if (!value) {
                looked.append({&s.fieldPath, s.m_path.value(event)});
                value = &looked.last().second;
            }
            if (!s.m_comparison.test(*value))
                continue;
        }
        return s.id;
    }
    return 0;
}

} // namespace vigil::engine
