#pragma once
// Reads a detector's parameters from JSON, accepting the strings a command line gives too.

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>

#include <vector>

namespace vigil::engine {

/*!
    Represents a pass over a parameters object. Each take*() call looks a key up; when the
    key is absent the value keeps its default, when present it is validated, converted and
    removed from the object, so that what is left at the end are unknown keys.

    Numbers may be JSON numbers or strings holding numbers ("100"), booleans JSON booleans
    or "true"/"false"/"1"/"0", lists JSON arrays or comma-separated strings ("32,8"), so
    that `--param key=value` on the command line and stored JSON read alike.

    Ensures: after the first failure ok() is false, error() says which key is wrong and
    why, and later calls do nothing.
*/
class ParameterReader
{
    Q_DECLARE_TR_FUNCTIONS(ParameterReader)

public:
    explicit ParameterReader(QJsonObject *params) : m_params(params) {}

    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

    void takeInt(const QString &key, int *value, int min, int max);
    void takeDouble(const QString &key, double *value, double min, double max);
    void takeSeed(const QString &key, quint64 *value);
    void takeBool(const QString &key, bool *value);
    void takeString(const QString &key, QString *value, const QStringList &allowed);
    void takeIntList(const QString &key, std::vector<int> *value, int min, int max, int maxCount);
    // A count or a fraction: a number > 1 is a count, one in (0, 1] a fraction; `autoText`
    // (e.g. "auto") is accepted and leaves *isAuto true.
    void takeCountOrFraction(const QString &key, double *value, bool *isAuto, const QString &autoText);
    // Fails when keys remain: they are unknown to the detector.
    bool finish(const QString &what);

private:
    bool fail(const QString &key, const QString &why);
    bool number(const QJsonValue &v, double *out) const;

    QJsonObject *m_params;
    QString m_error;
};

} // namespace vigil::engine
