// FieldTable against QJsonDocument: what the table takes as it stands must be what
// QJsonDocument reads, and every value found through it must be the one QJsonObject gives.
#include "engine/events/field_path.h"
#include "engine/events/field_table.h"
#include "engine/events/json_text.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace vigil::engine;

namespace {

// What FieldPath::value gave when events held a QJsonObject: the reference.
QJsonValue reference(const QJsonObject &object, const QList<QByteArray> &segments)
{
    QJsonValue current = object;
    for (const QByteArray &segment : segments) {
        if (current.isObject()) {
            current = current.toObject().value(QString::fromUtf8(segment));
        } else if (current.isArray()) {
            bool ok = false;
            const int index = segment.toInt(&ok);
            const QJsonArray array = current.toArray();
            if (!ok || index < 0 || index >= array.size())
                return QJsonValue(QJsonValue::Undefined);
            current = array.at(index);
        } else {
            return QJsonValue(QJsonValue::Undefined);
        }
    }
    return current;
}

// Every path in the object (members, elements, nested), and for each object a key it lacks.
void collectPaths(const QJsonValue &value, QList<QByteArray> prefix, QList<QList<QByteArray>> *out)
{
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            QList<QByteArray> path = prefix;
            path.append(it.key().toUtf8());
            out->append(path);
            collectPaths(it.value(), path, out);
        }
        QList<QByteArray> missing = prefix;
        missing.append("no-such-key");
        out->append(missing);
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i <= a.size(); ++i) { // one past the end too
            QList<QByteArray> path = prefix;
            path.append(QByteArray::number(i));
            out->append(path);
            if (i < a.size())
                collectPaths(a.at(i), path, out);
        }
    } else if (!prefix.isEmpty()) {
        QList<QByteArray> deeper = prefix;
        deeper.append("x"); // inside a scalar: nothing
        out->append(deeper);
    }
}

// Same type and the same value, an integer told from a floating-point number.
bool same(const QJsonValue &a, const QJsonValue &b)
{
    if (a.type() != b.type())
        return false;
    if (a.isDouble())
        return a.toVariant() == b.toVariant() && a.toVariant().typeId() == b.toVariant().typeId();
    return a == b;
}

QString describe(const QJsonValue &v)
{
    if (v.isUndefined())
        return QStringLiteral("undefined");
    QJsonArray wrap{v};
    return QString::fromUtf8(QJsonDocument(wrap).toJson(QJsonDocument::Compact)) + QStringLiteral(" as ")
           + QString::fromLatin1(v.toVariant().typeName() ? v.toVariant().typeName() : "null");
}

// Compares every path of `json`, read by QJsonDocument, with the table over `indexed`.
bool sameValues(const QByteArray &json, const FieldTable &table, const QByteArray &indexed, QString *why)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    QList<QList<QByteArray>> paths;
    collectPaths(object, {}, &paths);
    for (const QList<QByteArray> &path : std::as_const(paths)) {
        const QJsonValue expected = reference(object, path);
        const QJsonValue actual = table.value(indexed, path);
        if (!same(expected, actual)) {
            *why = QStringLiteral("%1 in %2: QJsonObject gives %3, the table %4")
                       .arg(QString::fromUtf8(path.join('.')), QString::fromUtf8(json), describe(expected), describe(actual));
            return false;
        }
        // The rule engine's lookup without a QJsonValue: a plain string's UTF-8, a number's double.
        QByteArrayView utf8;
        double number = 0;
        const FieldTable::Scalar scalar = table.scalar(indexed, path, &utf8, &number);
        const bool scalarSame = scalar == FieldTable::Scalar::Other
            || (scalar == FieldTable::Scalar::Text && expected.isString() && utf8 == expected.toString().toUtf8())
            || (scalar == FieldTable::Scalar::Number && expected.isDouble() && number == expected.toDouble());
        if (!scalarSame) {
            *why = QStringLiteral("%1 in %2: QJsonObject gives %3, scalar() %4 (%5)")
                       .arg(QString::fromUtf8(path.join('.')), QString::fromUtf8(json), describe(expected),
                            QString::fromUtf8(utf8.toByteArray()))
                       .arg(number);
            return false;
        }
    }
    return true;
}

bool qtAccepts(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    return error.error == QJsonParseError::NoError && doc.isObject();
}

// parseStrictPrefix() over the text with more of a message after it takes exactly what
// parseStrict() takes of the text alone, with the same values, and tells compact text.
bool samePrefix(const QByteArray &json, QString *why)
{
    const QByteArray text = json.trimmed();
    FieldTable whole;
    const bool strict = whole.parseStrict(text);
    for (const QByteArray &after : {QByteArray(), QByteArray(R"(, "source_id": "s-1"})"), QByteArray("}]}"),
                                    QByteArray(" 1")}) {
        FieldTable prefix;
        bool compact = true;
        const qsizetype n = prefix.parseStrictPrefix(text + after, &compact);
        const QString where = QString::fromUtf8(text + after);
        if (strict) {
            if (n != text.size()) {
                *why = QStringLiteral("%1: the prefix is %2 bytes, not %3").arg(where).arg(n).arg(text.size());
                return false;
            }
            if (compact != (FieldTable::compact(text) == text)) {
                *why = QStringLiteral("%1: told compact %2").arg(where).arg(compact);
                return false;
            }
            if (!sameValues(text, prefix, FieldTable::compact(text), why))
                return false;
        } else if (n == text.size() || (n == 0 && prefix.size() != 0)) {
            *why = QStringLiteral("%1: parseStrict() refuses it, the prefix reader took %2 bytes").arg(where).arg(n);
            return false;
        }
    }
    return true;
}

} // namespace

class TestFieldTable : public QObject
{
    Q_OBJECT

private slots:
    void strictAsQt_data();
    void strictAsQt();
    void mutatedTexts();
    void repeatedKeyTakesTheLast();
    void fieldPathReadsTheTable();
    void trustedRejectsWhatIsNoObject();
    void scalarFindsTextAndNumbers();
    void jsonTextWritesAsQt();
};

void TestFieldTable::strictAsQt_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("strict"); // taken as it stands (else QJsonDocument decides)

    QTest::newRow("empty") << QByteArray("{}") << true;
    QTest::newRow("flat") << QByteArray(R"({"amount": 1250.5, "country": "NL", "ok": true, "no": false, "none": null})") << true;
    QTest::newRow("nested") << QByteArray(R"({"geo": {"country": "DE", "city": {"name": "Bonn"}}, "items": [{"sku": "A"}, 2, [3]]})") << true;
    QTest::newRow("whitespace") << QByteArray(" {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"b\" : { } , \"c\" : [ ] } \n") << true;
    QTest::newRow("escapes") << QByteArray(R"({"q": "say \"hi\"\\ \n\t\r\b\f", "k\"ey": 1})") << true;
    QTest::newRow("integers") << QByteArray(R"({"a": 0, "b": -0, "c": 123456789012345678, "d": -42})") << true;
    QTest::newRow("whole decimals are integers") << QByteArray(R"({"a": 1.0, "b": -2.000, "c": 0.5, "d": 123.45})") << true;
    QTest::newRow("19 digits") << QByteArray(R"({"a": 9223372036854775807, "b": 9223372036854775808, "c": -9223372036854775808})") << true;
    QTest::newRow("long decimal") << QByteArray(R"({"a": 0.1000000000000000055511151231257827})") << false;
    QTest::newRow("exponent") << QByteArray(R"({"a": 1e3, "b": 1.5E-2, "c": 2e+2})") << false;
    QTest::newRow("out of range") << QByteArray(R"({"a": 1e400})") << false;
    QTest::newRow("leading zero") << QByteArray(R"({"a": 01})") << false;
    QTest::newRow("dot forms") << QByteArray(R"({"a": 1., "b": .5})") << false;
    QTest::newRow("unicode escape") << QByteArray(R"({"a": "caf\u00e9", "\u0062": 2})") << false;
    QTest::newRow("lone surrogate") << QByteArray(R"({"a": "\ud800"})") << false;
    QTest::newRow("slash escape") << QByteArray(R"({"a": "x\/y"})") << false;
    QTest::newRow("unknown escape") << QByteArray(R"({"a": "\x"})") << false;
    QTest::newRow("utf-8") << QByteArray("{\"city\": \"Z\xc3\xbcrich\", \"\xc3\xa9t\xc3\xa9\": 1}") << false;
    QTest::newRow("bad utf-8") << QByteArray("{\"a\": \"\xce\xba\xe1\"}") << false;
    QTest::newRow("control character") << QByteArray("{\"a\": \"x\x01y\"}") << false;
    QTest::newRow("trailing comma") << QByteArray(R"({"a": [1, 2,]})") << false;
    QTest::newRow("missing value") << QByteArray(R"({"a": })") << false;
    QTest::newRow("two values") << QByteArray(R"({"a": 1 2})") << false;
    QTest::newRow("bad literal") << QByteArray(R"({"a": tru})") << false;
    QTest::newRow("literal run on") << QByteArray(R"({"a": truex})") << false;
    QTest::newRow("unterminated") << QByteArray(R"({"a": "x)") << false;
    QTest::newRow("not an object") << QByteArray(R"([1, 2])") << false;
    QTest::newRow("text after") << QByteArray(R"({"a": 1} x)") << false;
    QByteArray deep;
    for (int i = 0; i < 70; ++i)
        deep += "{\"a\":";
    deep += "1" + QByteArray(70, '}');
    QTest::newRow("deeper than 64") << QByteArray("{\"d\":" + deep + "}") << false;
}

void TestFieldTable::strictAsQt()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, strict);

    FieldTable table;
    QCOMPARE(table.parseStrict(json), strict);
    QString why;
    if (strict) {
        QVERIFY2(qtAccepts(json), "taken as it stands but QJsonDocument refuses it");
        const QByteArray indexed = FieldTable::compact(json);
        QVERIFY2(sameValues(json, table, indexed, &why), qPrintable(why));
    } else {
        QCOMPARE(table.size(), 0);
    }
    QVERIFY2(samePrefix(json, &why), qPrintable(why));
    // What QJsonDocument accepts, the trusted reader takes: the text as it is, and the text
    // QJsonDocument writes back.
    if (qtAccepts(json)) {
        FieldTable trusted;
        QVERIFY(trusted.parseTrusted(json));
        QVERIFY2(sameValues(json, trusted, json, &why), qPrintable(why));
        const QByteArray written = QJsonDocument::fromJson(json).toJson(QJsonDocument::Compact);
        QVERIFY(trusted.parseTrusted(written));
        QVERIFY2(sameValues(json, trusted, written, &why), qPrintable(why));
    }
}

// Texts with bytes changed, put in or left out at random (a fixed seed): whatever the strict
// reader takes, QJsonDocument must accept with the same values; whatever QJsonDocument
// accepts, the trusted reader must read with the same values.
void TestFieldTable::mutatedTexts()
{
    const QList<QByteArray> seeds = {
        R"({"amount": 1250.5, "country": "NL", "card": {"bin": "411111", "3ds": true}, "tags": ["a", "b"]})",
        R"({"event": "login", "failures": 3, "geo": {"lat": -33.86, "lon": 151.2}, "mfa": null})",
        R"({"q": "say \"hi\"\\", "n": [0, -0, 1.0, 12.5, [], {}], "z": false})",
    };
    const QByteArray alphabet = R"({}[]:,"\ -.0123456789eEtrufalsn/)";
    QRandomGenerator random(20261127);
    int strictTaken = 0, qtTaken = 0;
    for (int round = 0; round < 20000; ++round) {
        QByteArray json = seeds.at(round % seeds.size());
        const int edits = 1 + int(random.bounded(3));
        for (int e = 0; e < edits && !json.isEmpty(); ++e) {
            const qsizetype at = random.bounded(int(json.size()));
            const char c = alphabet.at(random.bounded(int(alphabet.size())));
            switch (random.bounded(3)) {
            case 0: json[at] = c; break;
            case 1: json.insert(at, c); break;
            default: json.remove(at, 1); break;
            }
        }
        FieldTable table;
        QString why;
        if (table.parseStrict(json)) {
            ++strictTaken;
            QVERIFY2(qtAccepts(json), json.constData());
            QVERIFY2(sameValues(json, table, FieldTable::compact(json), &why), qPrintable(why));
        }
        QVERIFY2(samePrefix(json, &why), qPrintable(why));
        if (qtAccepts(json)) {
            ++qtTaken;
            FieldTable trusted;
            QVERIFY2(trusted.parseTrusted(json), json.constData());
            QVERIFY2(sameValues(json, trusted, json, &why), qPrintable(why));
        }
    }
    // The mutations must reach both sides, or the comparison says little.
    QVERIFY2(strictTaken > 1000, qPrintable(QString::number(strictTaken)));
    QVERIFY2(qtTaken > strictTaken, qPrintable(QString::number(qtTaken)));
}

void TestFieldTable::repeatedKeyTakesTheLast()
{
    const QByteArray json = R"({"a": 1, "b": {"c": 1}, "a": "two", "b": {"c": 2, "c": 3}})";
    FieldTable table;
    QVERIFY(table.parseStrict(json));
    const QByteArray indexed = FieldTable::compact(json);
    QCOMPARE(table.value(indexed, {"a"}), QJsonValue(QStringLiteral("two")));
    QCOMPARE(table.value(indexed, {"b", "c"}), QJsonValue(3));
    QString why;
    QVERIFY2(sameValues(json, table, indexed, &why), qPrintable(why));
}

void TestFieldTable::fieldPathReadsTheTable()
{
    Event e;
    QVERIFY(e.setFieldsJson(R"({"amount":12.5,"geo":{"country":"NL"},"items":[{"sku":"A1"}]})"));
    QCOMPARE(FieldPath::parse(QStringLiteral("amount")).value(e), QJsonValue(12.5));
    QCOMPARE(FieldPath::parse(QStringLiteral("fields.geo.country")).value(e), QJsonValue(QStringLiteral("NL")));
    QCOMPARE(FieldPath::parse(QStringLiteral("items.0.sku")).value(e), QJsonValue(QStringLiteral("A1")));
    QVERIFY(FieldPath::parse(QStringLiteral("items.1.sku")).value(e).isUndefined());
    QCOMPARE(FieldPath::parse(QStringLiteral("geo")).value(e), QJsonValue(QJsonObject{{QStringLiteral("country"), QStringLiteral("NL")}}));
    QCOMPARE(FieldPath::parse(QStringLiteral("fields")).value(e).toObject(), e.fields());
    // Fields set as an object are the same fields.
    Event f;
    f.setFields(e.fields());
    QCOMPARE(FieldPath::parse(QStringLiteral("geo.country")).value(f), QJsonValue(QStringLiteral("NL")));
    QCOMPARE(f.fields(), e.fields());
}

void TestFieldTable::trustedRejectsWhatIsNoObject()
{
    FieldTable table;
    QVERIFY(!table.parseTrusted("[1, 2]"));
    QVERIFY(!table.parseTrusted(R"({"a": )"));
    QVERIFY(!table.parseTrusted(""));
    QCOMPARE(table.size(), 0);
    Event e;
    QVERIFY(!e.setFieldsJson("not json"));
    QVERIFY(FieldPath::parse(QStringLiteral("a")).value(e).isUndefined());
}

// What the rule engine reads without a QJsonValue, and what it leaves to value().
void TestFieldTable::scalarFindsTextAndNumbers()
{
    const QByteArray json = FieldTable::compact(
        R"({"amount": 1250.5, "n": -12, "s": "NL", "e": "a\nb", "big": 12345678901234567890, "t": true,)"
        R"( "z": null, "o": {"k": "v"}, "a": [7]})");
    FieldTable table;
    QVERIFY(table.parseStrict(json));
    struct Row { const char *path; FieldTable::Scalar is; const char *text; double number; };
    const Row rows[] = {
        {"amount", FieldTable::Scalar::Number, "", 1250.5}, {"n", FieldTable::Scalar::Number, "", -12},
        {"s", FieldTable::Scalar::Text, "NL", 0}, {"e", FieldTable::Scalar::Other, "", 0},
        {"big", FieldTable::Scalar::Other, "", 0}, {"t", FieldTable::Scalar::Other, "", 0},
        {"z", FieldTable::Scalar::Other, "", 0}, {"o", FieldTable::Scalar::Other, "", 0},
        {"o.k", FieldTable::Scalar::Text, "v", 0}, {"a.0", FieldTable::Scalar::Number, "", 7},
        {"missing", FieldTable::Scalar::Other, "", 0},
    };
    for (const Row &r : rows) {
        QByteArrayView utf8;
        double number = 0;
        const FieldTable::Scalar is = table.scalar(json, QByteArray(r.path).split('.'), &utf8, &number);
        QVERIFY2(is == r.is, r.path);
        if (is == FieldTable::Scalar::Text)
            QCOMPARE(utf8.toByteArray(), QByteArray(r.text));
        if (is == FieldTable::Scalar::Number)
            QCOMPARE(number, r.number);
    }
}

// jsonText writes values byte for byte as QJsonDocument::toJson(Compact) does.
void TestFieldTable::jsonTextWritesAsQt()
{
    const auto qt = [](const QJsonValue &v) {
        const QByteArray wrapped = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
        return wrapped.mid(1, wrapped.size() - 2);
    };
    QString every;
    for (char16_t c = 0; c < 0x80; ++c)
        every.append(QChar(c));
    for (const QString &text : {QString(), every, QStringLiteral("Z\u00fcrich \u20ac \U0001F600"), QStringLiteral("a\"b\\c/d"),
                               QStringLiteral("id-0001 plain"), QString(QChar(0xd800)) + QStringLiteral("x")}) {
        QByteArray out;
        jsonText::appendString(&out, text);
        QCOMPARE(out, qt(text));
        out.clear();
        jsonText::appendValue(&out, text);
        QCOMPARE(out, qt(text));
    }
    for (const double d : {0.0, -0.0, 1.0, -12.0, 1250.5, 0.1, 1e6, 1e15, 9007199254740993.0, 1e19, 1.8446744073709552e19,
                           1e20, -1e20, 9.2e18, -9.2e18, 9.3e18, 9223372036854775808.0, 1e16, 9007199254740992.0, 36028797018963968.0, 1e6, 1.5e-7, 123456.789, 5e-324, 1.7976931348623157e308}) {
        QByteArray out;
        jsonText::appendNumber(&out, d);
        QCOMPARE(out, qt(QJsonValue(d)));
    }
    for (const QJsonValue &v : {QJsonValue(true), QJsonValue(false), QJsonValue(), QJsonValue(qint64(9007199254740993)),
                                QJsonValue(QJsonArray{1, u"x"_qs, 2.5}), QJsonValue(QJsonObject{{u"b"_qs, 1}, {u"a"_qs, u"\n"_qs}})}) {
        QByteArray out;
        jsonText::appendValue(&out, v);
        QCOMPARE(out, qt(v));
    }
}

QTEST_GUILESS_MAIN(TestFieldTable)
#include "tst_field_table.moc"
