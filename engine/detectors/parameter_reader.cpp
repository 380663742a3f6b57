#include "parameter_reader.h"

#include <QJsonArray>
#include <QStringList>

#include <cmath>

namespace vigil::engine {

bool ParameterReader::fail(const QString &key, const QString &why)
{
    if (m_error.isEmpty())
        m_error = tr("parameter \"%1\": %2").arg(key, why);
    return false;
}

bool ParameterReader::number(const QJsonValue &v, double *out) const
{
    if (v.isDouble()) {
        *out = v.toDouble();
        return std::isfinite(*out);
    }
    if (v.isString()) {
        bool ok = false;
        *out = v.toString().trimmed().toDouble(&ok);
        return ok && std::isfinite(*out);
    }
    return false;
}

void ParameterReader::takeInt(const QString &key, int *value, int min, int max)
{
    if (!ok() || !m_params->contains(key))
        return;
    double d = 0;
    if (!number(m_params->value(key), &d) || d != std::floor(d)) {
        fail(key, tr("expected a whole number"));
        return;
    }
    if (d < min || d > max) {
        fail(key, tr("must be between %1 and %2").arg(min).arg(max));
        return;
    }
    *value = int(d);
    m_params->remove(key);
}

void ParameterReader::takeDouble(const QString &key, double *value, double min, double max)
{
    if (!ok() || !m_params->contains(key))
        return;
    double d = 0;
    if (!number(m_params->value(key), &d)) {
        fail(key, tr("expected a number"));
        return;
    }
    if (d < min || d > max) {
        fail(key, tr("must be between %1 and %2").arg(min).arg(max));
        return;
    }
    *value = d;
    m_params->remove(key);
}

void ParameterReader::takeSeed(const QString &key, quint64 *value)
{
    if (!ok() || !m_params->contains(key))
        return;
    const QJsonValue v = m_params->value(key);
    bool good = false;
    quint64 seed = 0;
    if (v.isDouble()) {
        const double d = v.toDouble();
        good = d >= 0 && d == std::floor(d) && d < 9007199254740992.0;
        seed = quint64(d);
    } else if (v.isString()) {
        seed = v.toString().trimmed().toULongLong(&good);
    }
    if (!good) {
        fail(key, tr("expected a non-negative whole number"));
        return;
    }
    *value = seed;
    m_params->remove(key);
}

void ParameterReader::takeBool(const QString &key, bool *value)
{
    if (!ok() || !m_params->contains(key))
        return;
    const QJsonValue v = m_params->value(key);
    if (v.isBool()) {
        *value = v.toBool();
    } else {
        const QString s = v.isString() ? v.toString().trimmed().toLower() : QString();
        if (s == u"true" || s == u"1" || s == u"yes")
            *value = true;
        else if (s == u"false" || s == u"0" || s == u"no")
            *value = false;
        else if (v.isDouble() && (v.toDouble() == 0 || v.toDouble() == 1))
            *value = v.toDouble() != 0;
        else {
            fail(key, tr("expected true or false"));
            return;
        }
    }
    m_params->remove(key);
}

void ParameterReader::takeString(const QString &key, QString *value, const QStringList &allowed)
{
    if (!ok() || !m_params->contains(key))
        return;
    const QJsonValue v = m_params->value(key);
    const QString s = v.toString().trimmed();
    if (!v.isString() || (!allowed.isEmpty() && !allowed.contains(s))) {
        fail(key, tr("expected one of: %1").arg(allowed.join(QStringLiteral(", "))));
        return;
    }
    *value = s;
    m_params->remove(key);
}

void ParameterReader::takeIntList(const QString &key, std::vector<int> *value, int min, int max, int maxCount)
{
    if (!ok() || !m_params->contains(key))
        return;
    const QJsonValue v = m_params->value(key);
    QList<QJsonValue> items;
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        for (const QJsonValue &item : a)
            items.append(item);
    } else if (v.isString()) {
        const QStringList parts = v.toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (const QString &part : parts)
            items.append(QJsonValue(part));
    } else if (v.isDouble()) {
        items.append(v);
    }
    std::vector<int> out;
    for (const QJsonValue &item : items) {
        double d = 0;
        if (!number(item, &d) || d != std::floor(d) || d < min || d > max) {
            fail(key, tr("expected a list of whole numbers between %1 and %2").arg(min).arg(max));
            return;
        }
        out.push_back(int(d));
    }
    if (out.empty() || int(out.size()) > maxCount) {
        fail(key, tr("expected 1 to %1 values").arg(maxCount));
        return;
    }
    *value = std::move(out);
    m_params->remove(key);
}

void ParameterReader::takeCountOrFraction(const QString &key, double *value, bool *isAuto, const QString &autoText)
{
    if (!ok() || !m_params->contains(key))
        return;
    const QJsonValue v = m_params->value(key);
    if (!autoText.isEmpty() && v.isString() && v.toString().trimmed() == autoText) {
        *isAuto = true;
        m_params->remove(key);
        return;
    }
    double d = 0;
    if (!number(v, &d) || d <= 0 || (d > 1 && d != std::floor(d))) {
        fail(key, autoText.isEmpty()
                      ? tr("expected a count (> 1) or a fraction in (0, 1]")
                      : tr("expected a count (> 1), a fraction in (0, 1] or \"%1\"").arg(autoText));
        return;
    }
    *value = d;
    *isAuto = false;
    m_params->remove(key);
}

bool ParameterReader::finish(const QString &what)
{
    if (!ok())
        return false;
    if (!m_params->isEmpty()) {
        m_error = tr("unknown parameter(s) for %1: %2").arg(what, m_params->keys().join(QStringLiteral(", ")));
        return false;
    }
    return true;
}

} // namespace vigil::engine
