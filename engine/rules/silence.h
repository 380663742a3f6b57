#pragma once
// Silences: an analyst's "stop showing me this" for alerts of a rule, a source or a field value.

#include "../events/field_path.h"
#include "condition.h"

#include <QJsonValue>
#include <QList>
#include <QString>

namespace vigil::engine {

/*!
    Represents one silence: criteria an alert is matched against, and until when.

    The criteria are combined (all given ones must hold), at least one is required:
    - `ruleName`: the alert's rule name, exactly (a model's alerts carry the model's name);
    - `sourceId`: the triggering event's source_id, exactly;
    - `fieldPath` = `fieldValue`: a field path as rules write it (docs/rules.md: `fields.a.b`,
      `source_type`, a bare name inside `fields`), compared with the rule language's `eq`.
      Types are strict as in rules: 42 does not match "42", a missing field matches nothing.

    A silence is active while `nowMs < expiresAtMs`; ending it early moves expiresAtMs.
    compile() must succeed before matches() is used.
*/
struct Silence
{
    qint64 id = 0;
    QString ruleName;
    QString sourceId;
    QString fieldPath;
    QJsonValue fieldValue;
    QString comment;
    QString createdBy;
    qint64 createdAtMs = 0;
    qint64 expiresAtMs = 0;
    QString expiredBy;            // set when someone ended it before its expiry
    qint64 matchedCount = 0;      // alerts it silenced (as the store counts them)

    bool hasField() const { return !fieldPath.trimmed().isEmpty(); }
    bool isActiveAt(qint64 nowMs) const { return nowMs < expiresAtMs; }

    // Checks the criteria (not the times) and prepares matching; says what is wrong.
    bool compile(QString *error);
    bool isCompiled() const { return m_compiled; }
    // True when the alert of rule `alertRuleName` raised by `event` meets every criterion.
    bool matches(const QString &alertRuleName, const Event &event) const;
    // One line for lists: rule = "X", source = "Y", fields.country = "RU".
    QString describe() const;

    // The value as the user typed it: JSON when it reads as a JSON scalar (42, true,
    // "quoted"), otherwise the text itself as a string (RU).
    static QJsonValue parseValue(const QString &text);
    static QString formatValue(const QJsonValue &value);

private:
    friend class SilenceSet;
    FieldPath m_path;
    Comparison m_comparison;
    bool m_compiled = false;
};

/*!
    The active silences the ingest writer matches every new alert against, in memory.
    There are few (tens at most), so a linear scan with the cheap string criteria first
    costs next to nothing per alert; a field path several silences share is looked up in
    the event once per alert. Expired silences stop matching at their expiry time without
    a reload (the time is the alert's).
*/
class SilenceSet
{
public:
    void setSilences(QList<Silence> silences);
    const QList<Silence> &silences() const { return m_silences; }
    bool isEmpty() const { return m_silences.isEmpty(); }
    // The id of the first silence active at `nowMs` that matches, or 0.
    qint64 match(const QString &alertRuleName, const Event &event, qint64 nowMs) const;

private:
    QList<Silence> m_silences;
};

} // namespace vigil::engine
