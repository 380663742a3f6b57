#pragma once
// The condition language of rules: boolean groups over typed comparisons and window aggregates.

#include "../events/field_path.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QRegularExpression>
#include <QString>
#include <optional>
#include <vector>

namespace vigil::engine {

enum class Op : quint8 {
    Eq, Ne, Gt, Ge, Lt, Le, Between, In, NotIn,
    Contains, NotContains, StartsWith, EndsWith, Regex, Exists
};
enum class Aggregate : quint8 { Count, Sum, Avg, Min, Max, DistinctCount };

QString toString(Op op);
QString toString(Aggregate aggregate);
QStringList operatorNames();
QStringList aggregateNames();

/*!
    One comparison of an actual value with the rule's value, compiled once.

    Numbers compare as numbers, strings as strings, booleans only with eq/ne/in/not_in.
    A missing actual value or one of another type than the rule's value makes the
    comparison false — for every operator, including ne and not_in — except `exists`,
    which is true when the value is present and not null (or, with value false, when it
    is absent or null).
*/
struct Comparison
{
    Op op = Op::Eq;
    QJsonValue value;                 // as written in the rule
    QList<QJsonValue> items;          // in / not_in; between: [low, high]
    QRegularExpression regex;         // regex
    // Made once for the hot path (QJsonValue::toString() builds a new string per call): the
    // rule's value when it is a string, and each string of `items` (empty for other types).
    QString text;
    QStringList itemTexts;
    // The same as UTF-8, for testText().
    QByteArray textUtf8;
    // The value as JSON text, for the explanations of alerts.
    QByteArray valueJson;
    QList<QByteArray> itemUtf8;

    bool test(const QJsonValue &actual) const;
    // test() of a string given as UTF-8 (an event's field as it stands in its JSON text),
    // without making a QString of it: eq, ne, in, not_in, contains, not_contains, starts_with,
    // ends_with and exists; std::nullopt for the operators that need the string itself.
    std::optional<bool> testText(QByteArrayView utf8) const;
    // test() of a number (QJsonValue::Double) given as a double, without the QJsonValue.
    bool testNumber(double actual) const;
    bool takesText() const
    {
        return op != Op::Gt && op != Op::Ge && op != Op::Lt && op != Op::Le && op != Op::Between && op != Op::Regex;
    }
    // Validates and compiles `value` for `op`; on failure says why in *error.
    bool compile(Op op, const QJsonValue &value, QString *error);
};

/*!
    A node of a rule's condition tree.

    - All / Any / Not: boolean groups (`{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}`);
    - Compare: `{"field": path, "op": operator, "value": value}`;
    - Window: `{"aggregate": count|sum|avg|min|max|distinct_count, "field": path,
      "group_by": path, "window": "5m", "where": condition, "op": operator, "value": value}` —
      the aggregate of `field` over the events of the rule's type that satisfy `where`
      within the sliding window, per value of `group_by`, compared with `value`.
*/
struct Condition
{
    enum class Kind : quint8 { All, Any, Not, Compare, Window };

    Kind kind = Kind::All;
    std::vector<Condition> children;  // All, Any, Not (exactly one)
    FieldPath field;                  // Compare: the field; Window: the aggregated field
    Comparison comparison;            // Compare and Window
    // Window only
    Aggregate aggregate = Aggregate::Count;
    FieldPath groupBy;                // invalid path = one global group
    qint64 windowMs = 0;
    std::vector<Condition> where;     // zero or one filter
    int windowSlot = -1;              // index of this window's state within its rule

    // Parses a condition written as JSON. A JSON array is the prototype's flat list
    // (every element must hold). `where` names the place for error messages.
    static bool parse(const QJsonValue &json, const QString &where, Condition *out, QString *error);
    // The canonical JSON form (object tree, key "op"), as stored and exported.
    QJsonValue toJson() const;
};

// Parses "300", 300, "45s", "5m", "2h", "1d" into milliseconds.
bool parseDuration(const QJsonValue &value, qint64 *ms);
QString formatDuration(qint64 ms);

} // namespace vigil::engine
