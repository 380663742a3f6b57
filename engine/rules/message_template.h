#pragma once
// Alert message templates: "Transfer of {fields.amount} from {source_id}".

#include "../events/field_path.h"

#include <vector>

namespace vigil::engine {

/*!
    A compiled message template. `{path}` is replaced with the event's value at that field
    path (see FieldPath); `{{` and `}}` stand for literal braces. A placeholder whose value
    is missing renders as `<missing path>` so the gap is visible; rendering never fails.
    Numbers render without trailing zeros, objects and arrays as compact JSON.
*/
class MessageTemplate
{
public:
    MessageTemplate() = default;
    // Returns false with a message for an unclosed '{' or an empty or invalid placeholder.
    static bool parse(const QString &text, MessageTemplate *out, QString *error);

    QString render(const Event &event) const;
    QString text() const { return m_text; }

    static QString renderValue(const QJsonValue &value);
    enum class Found { Missing, Null, Value };
    // The value at `path` in `event` as renderValue() writes it, *found saying whether there
    // was one. Envelope strings and plain strings inside fields come without a QJsonValue.
    static QString renderField(const FieldPath &path, const Event &event, Found *found);

private:
    struct Part
    {
        QString literal;
        FieldPath path; // valid = placeholder
    };
    QString m_text;
    std::vector<Part> m_parts;
};

} // namespace vigil::engine
