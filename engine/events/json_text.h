#pragma once
// JSON text written straight into a QByteArray, as QJsonDocument::toJson(Compact) writes the
// same values: for the texts made on the ingest's path (alert explanations, replies), without
// building a QJsonObject first.

#include <QByteArray>
#include <QJsonValue>
#include <QString>

namespace vigil::engine::jsonText {

// A string, quoted, with " \ and control characters escaped and the rest in UTF-8, as Qt
// writes it (a string that is not valid UTF-16 included).
void appendString(QByteArray *out, const QString &text);
// A double as Qt writes QJsonValue(double): a whole one below 2^53 as an integer, else the
// shortest form that reads back the same double; null when it is not finite.
void appendNumber(QByteArray *out, double value);
// Any value (strings and numbers as above; arrays and objects by QJsonDocument).
void appendValue(QByteArray *out, const QJsonValue &value);

} // namespace vigil::engine::jsonText
