#pragma once
// The fields of an event as an index over their JSON text: where rules, templates and
// detectors find a value by its path, without building a QJsonObject per event.

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QList>

namespace vigil::engine {

/*!
    Indexes the members of a JSON object kept as text (an event's `fields`, as the store keeps
    them): one entry per member and per array element, nested ones included, each with the
    offsets of its key and its value in the text. value() follows a path through the entries
    and converts only the value found, exactly as QJsonDocument would read it.

    Building a QJsonObject for every event and looking values up in it was a third of the
    ingest's CPU per event besides the store (docs/benchmarks.md); the entries cost one
    allocation.

    The table holds offsets, not pointers: it stays valid for any copy of the same text.
*/
class FieldTable
{
public:
    // The text with the whitespace between tokens removed (strings kept as they are).
    static QByteArray compact(QByteArrayView text);
    /*!
        Reads `json`, which must be one object and nothing else around it, taking only what
        QJsonDocument reads in exactly the same way: strings of printable ASCII with the escapes
        \" \\ \b \f \n \r \t, numbers without an exponent, true, false, null, nesting up to 64
        deep. The table then indexes compact(json). Returns false for anything else, valid or
        not (the table is then empty): the caller asks QJsonDocument, which decides and words
        the error.
    */
    bool parseStrict(QByteArrayView json) { return parse(json, true); }
    /*!
        parseStrict() of the object at the start of `text`, which may go on after it (the
        decoder reads an event's fields where they stand in the message). Returns the length of
        the object's text, or 0 (with an empty table) when parseStrict() would refuse it.
        *compact tells whether that text is already compact(): no whitespace between tokens.
    */
    qsizetype parseStrictPrefix(QByteArrayView text, bool *compact);
    /*!
        Reads text that QJsonDocument accepts as an object (the decoder checked it, or Vigil
        wrote it): any string, escape or number form. Returns false, with an empty table, when
        the text is no JSON object after all.
    */
    bool parseTrusted(QByteArrayView json) { return parse(json, false); }

    /*!
        The value at `segments` (UTF-8 keys from the object inward; a segment that is a number
        indexes an array) in `json`, the text the table was made from, as QJsonObject::value()
        would give it: a repeated key means its last value; QJsonValue::Undefined when there is
        no such value.
    */
    QJsonValue value(QByteArrayView json, const QList<QByteArray> &segments) const;

    // What scalar() found without a QJsonValue. Text: a string without escapes, its UTF-8 bytes
    // a view into `json`. Other: anything else, present or not (missing,
    // null, a boolean, a string with escapes, a number in a form left to QJsonDocument, an
    // object or an array): ask value().
    enum class Scalar { Other, Text, Number };
    /*!
        One lookup for the rule engine: the value at `segments` as a plain string (*utf8) or a
        number (*number: value().toDouble(), without the QJsonValue).
    */
    Scalar scalar(QByteArrayView json, const QList<QByteArray> &segments, QByteArrayView *utf8, double *number,
                  bool *integer = nullptr) const; // *integer: a number QJsonDocument reads as a qint64

    qsizetype size() const { return m_entries.size(); }
    void clear() { m_entries.clear(); }

private:
    enum class Kind : quint8 { Null, False, True, Number, String, Object, Array };
    struct Entry
    {
        qint32 key = 0;         // offset of the key's text (between its quotes); arrays: none
        qint32 keyLength = 0;
        qint32 value = 0;       // offset of the value's text (strings: between the quotes)
        qint32 valueLength = 0;
        qint32 next = -1;       // the next member or element of the same container
        qint32 first = -1;      // objects and arrays: their first member or element
        Kind kind = Kind::Null;
        bool keyEscaped = false;
        bool escaped = false;   // a string with a backslash in it
    };
    friend class FieldTableReader;

    bool parse(QByteArrayView json, bool strict);
    static QJsonValue convert(QByteArrayView json, const Entry &e);
    // A number's text in the forms read here: -?[0-9]{1,18} (*integer: a qint64 in *whole)
    // and -?[0-9]+.[0-9]+ (*fraction). False: left to QJsonDocument.
    static bool readNumber(QByteArrayView text, bool *integer, qint64 *whole, double *fraction);
    qint32 find(QByteArrayView json, const QList<QByteArray> &segments) const; // -1: none
    static bool keyEquals(QByteArrayView json, const Entry &e, const QByteArray &key);

    QList<Entry> m_entries; // in the order of the text; the object's own members from 0
};

} // namespace vigil::engine
