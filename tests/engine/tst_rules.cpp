// The rule language: comparisons, field paths, groups, window aggregates, templates,
// rule validation and JSON, the rule engine and the pipeline's alert drafts.

#include "engine/pipeline.h"
#include "engine/rules/condition.h"
#include "engine/rules/message_template.h"
#include "engine/rules/rule.h"
#include "engine/rules/rule_engine.h"
#include "engine/rules/sliding_window.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <cmath>
#include <limits>

using namespace vigil::engine;

namespace {

// 2026-01-31T12:00:00Z
constexpr qint64 kT0 = 1769860800000;

const QString kOps = u"eq, ne, gt, ge, lt, le, between, in, not_in, contains, not_contains, starts_with, "
                     u"ends_with, regex, exists"_qs;

// Parses one JSON value of any kind; an empty text means "absent" (QJsonValue::Undefined).
QJsonValue json(const QByteArray &text)
{
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError || doc.array().size() != 1)
        qFatal("bad JSON in the test table: %s", text.constData());
    return doc.array().at(0);
}

QByteArray compact(const QJsonValue &v)
{
    if (v.isObject())
        return QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact);
    if (v.isArray())
        return QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact);
    return QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
}

Event makeEvent(EventType type, const QString &sourceId, qint64 timeMs, const QJsonObject &fields,
                const QString &id = u"e-1"_qs, const QString &sourceType = u"src"_qs)
{
    Event e;
    e.id = id;
    e.type = type;
    e.sourceId = sourceId;
    e.sourceType = sourceType;
    e.timeMs = timeMs;
    e.setFields(fields);
    return e;
}

// The event most condition, path and template rows look at.
Event sampleEvent()
{
    return makeEvent(EventType::Transaction, u"acct-1"_qs, kT0,
                     json(R"({"amount":1500.5,"round":2000,"small":0.1,"neg":-3,"big":1e21,"currency":"EUR",)"
                          R"("note":"wire transfer to Müller","geo":{"country":"DE","city":{"name":"Berlin"}},)"
                          R"("items":[{"sku":"A1","qty":2},{"sku":"B2","qty":1}],"matrix":[[1,2],[3,4]],)"
                          R"("tags":["vip","new",7,true],"flag":true,"off":false,"none":null,"empty":"",)"
                          R"("id":{"x":1},"time":"local","fields":{"inner":1}})")
                         .toObject(),
                     u"tx-42"_qs, u"bank"_qs);
}

// A rule around `conditions`, as JSON text; `extra` adds members (",\"k\":v").
QByteArray ruleText(const QByteArray &conditions, const QByteArray &extra = {},
                    const QByteArray &type = "TRANSACTION")
{
    return R"({"name":"Big transfer","alert_type":")" + type + R"(","severity":"HIGH","conditions":)" + conditions
           + extra + "}";
}

bool parseRule(const QByteArray &text, Rule *rule, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = u"test table: not a JSON object: "_qs + QString::fromUtf8(text);
        return false;
    }
    return Rule::fromJson(doc.object(), rule, error);
}

QJsonObject draftJson(const AlertDraft &a)
{
    return QJsonObject{{u"event"_qs, a.eventIndex},
                       {u"rule_id"_qs, a.ruleId},
                       {u"rule"_qs, a.ruleName},
                       {u"severity"_qs, toString(a.severity)},
                       {u"type"_qs, toString(a.type)},
                       {u"message"_qs, a.message},
                       {u"details"_qs, QJsonDocument::fromJson(a.detailsJson).object()},
                       {u"channels"_qs, QJsonArray::fromStringList(a.notificationChannels)}};
}

} // namespace

class TestRules : public QObject
{
    Q_OBJECT

private slots:
    void comparison_data();
    void comparison();
    void comparisonRefusesValue_data();
    void comparisonRefusesValue();
    void fieldPath_data();
    void fieldPath();
    void conditionOnEvent_data();
    void conditionOnEvent();
    void invalidRule_data();
    void invalidRule();
    void ruleRoundTrip_data();
    void ruleRoundTrip();
    void listFromJson_data();
    void listFromJson();
    void duration_data();
    void duration();
    void slidingWindow_data();
    void slidingWindow();
    void windowRule_data();
    void windowRule();
    void windowMemoryIsBounded_data();
    void windowMemoryIsBounded();
    void setRulesKeepsOrResetsWindows_data();
    void setRulesKeepsOrResetsWindows();
    void ruleSelection_data();
    void ruleSelection();
    void messageTemplate_data();
    void messageTemplate();
    void messageTemplateRefused_data();
    void messageTemplateRefused();
    void pipeline_data();
    void pipeline();
    void pipelineChunksOnWorkerDecideAsInline();
};

// ---------------------------------------------------------------------------------------------
// Comparison: every operator against numbers, strings, booleans, mismatches and absent values.

void TestRules::comparison_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QByteArray>("value");  // empty = not written
    QTest::addColumn<QByteArray>("actual"); // empty = the field is missing
    QTest::addColumn<bool>("expected");

    struct Row { const char *op, *value, *actual; bool expected; };
    const Row rows[] = {
        // eq
        {"eq", "5", "5", true}, {"eq", "5", "5.0", true}, {"eq", "5", "6", false}, {"eq", "0.1", "0.1", true},
        {"eq", R"("a")", R"("a")", true}, {"eq", R"("a")", R"("A")", false}, {"eq", R"("")", R"("")", true},
        {"eq", "true", "true", true}, {"eq", "true", "false", false}, {"eq", "false", "false", true},
        {"eq", "5", R"("5")", false}, {"eq", R"("5")", "5", false}, {"eq", "1", "true", false},
        {"eq", "true", "1", false}, {"eq", "5", "[5]", false}, {"eq", "5", R"({"v":5})", false},
        {"eq", "5", "", false}, {"eq", "5", "null", false}, {"eq", R"("null")", "null", false},
        // ne: a mismatch or a missing field is false too
        {"ne", "5", "6", true}, {"ne", "5", "5", false}, {"ne", R"("a")", R"("b")", true},
        {"ne", R"("a")", R"("a")", false}, {"ne", "true", "false", true}, {"ne", "true", "true", false},
        {"ne", "5", R"("6")", false}, {"ne", R"("x")", "1", false}, {"ne", "false", "0", false},
        {"ne", "5", "", false}, {"ne", "5", "null", false}, {"ne", "5", "[6]", false},
        // gt ge lt le: numbers as numbers, strings as strings
        {"gt", "5", "10", true}, {"gt", "5", "5", false}, {"gt", "5", "4", false}, {"gt", "5", "5.01", true},
        {"gt", "-2", "-1", true}, {"gt", "9", "10", true}, {"gt", R"("9")", R"("10")", false},
        {"gt", R"("a")", R"("b")", true}, {"gt", R"("b")", R"("a")", false}, {"gt", R"("a")", R"("a")", false},
        {"gt", "9", R"("10")", false}, {"gt", R"("1")", "2", false}, {"gt", "0", "true", false},
        {"gt", "5", "", false}, {"gt", "5", "null", false}, {"gt", "5", "[10]", false},
        {"ge", "5", "5", true}, {"ge", "5", "6", true}, {"ge", "5", "4.999", false},
        {"ge", R"("b")", R"("b")", true}, {"ge", R"("b")", R"("a")", false}, {"ge", "5", R"("5")", false},
        {"ge", "5", "", false},
        {"lt", "5", "4", true}, {"lt", "5", "5", false}, {"lt", "5", "6", false}, {"lt", "0", "-0.5", true},
        {"lt", R"("b")", R"("a")", true}, {"lt", R"("b")", R"("c")", false}, {"lt", "5", R"("4")", false},
        {"lt", "5", "false", false}, {"lt", "5", "", false},
        {"le", "5", "5", true}, {"le", "5", "4", true}, {"le", "5", "5.5", false}, {"le", R"("b")", R"("b")", true},
        {"le", R"("b")", R"("c")", false}, {"le", "5", R"("5")", false}, {"le", "5", "null", false},
        // between, inclusive
        {"between", "[1,10]", "1", true}, {"between", "[1,10]", "10", true}, {"between", "[1,10]", "5", true},
        {"between", "[1,10]", "0.999", false}, {"between", "[1,10]", "10.5", false}, {"between", "[1,10]", "-3", false},
        {"between", "[5,5]", "5", true}, {"between", "[5,5]", "5.1", false}, {"between", "[-10,-1]", "-5", true},
        {"between", "[1,10]", R"("5")", false}, {"between", "[1,10]", "true", false}, {"between", "[1,10]", "", false},
        {"between", "[1,10]", "null", false}, {"between", "[1,10]", "[5]", false},
        {"between", R"(["b","d"])", R"("c")", true}, {"between", R"(["b","d"])", R"("b")", true},
        {"between", R"(["b","d"])", R"("d")", true}, {"between", R"(["b","d"])", R"("da")", false},
        {"between", R"(["b","d"])", R"("a")", false}, {"between", R"(["b","d"])", "3", false},
        // in, not_in
        {"in", R"(["a","b"])", R"("a")", true}, {"in", R"(["a","b"])", R"("b")", true},
        {"in", R"(["a","b"])", R"("c")", false}, {"in", R"(["a","b"])", R"("A")", false},
        {"in", R"(["1","2"])", "1", false}, {"in", "[1,2,3]", "2", true}, {"in", "[1,2,3]", "2.0", true},
        {"in", "[1,2,3]", "4", false}, {"in", "[1,2,3]", R"("2")", false}, {"in", R"([1,"1",true])", R"("1")", true},
        {"in", R"([1,"1",true])", "true", true}, {"in", R"([1,"1",true])", "false", false},
        {"in", R"([1,"1",true])", "1", true}, {"in", R"(["a"])", "", false}, {"in", R"(["a"])", "null", false},
        {"in", R"(["a"])", R"(["a"])", false}, {"in", "[]", R"("a")", false},
        {"not_in", R"(["a","b"])", R"("c")", true}, {"not_in", R"(["a","b"])", R"("a")", false},
        {"not_in", R"(["a","b"])", "1", false}, {"not_in", R"(["a","b"])", "true", false},
        {"not_in", "[1,2]", "3", true}, {"not_in", "[1,2]", "2", false}, {"not_in", R"([1,"x"])", "2", true},
        {"not_in", R"([1,"x"])", R"("y")", true}, {"not_in", R"([1,"x"])", R"("x")", false},
        {"not_in", "[true]", "false", true}, {"not_in", "[true]", "true", false}, {"not_in", R"(["a"])", "", false},
        {"not_in", R"(["a"])", "null", false}, {"not_in", R"(["a"])", R"(["b"])", false},
        // contains, not_contains: substrings of strings, elements of arrays
        {"contains", R"("ab")", R"("xaby")", true}, {"contains", R"("ab")", R"("ab")", true},
        {"contains", R"("ü")", R"("Zürich")", true}, {"contains", R"("u")", R"("Zürich")", false},
        {"starts_with", R"("Zü")", R"("Zürich")", true}, {"eq", R"("Zürich")", R"("Zürich")", true},
        {"contains", "5", R"("x5")", false}, {"not_contains", "5", R"("x5")", false},
        {"contains", R"("ab")", R"("a")", false}, {"contains", R"("ab")", R"("AB")", false},
        {"contains", R"("")", R"("x")", true}, {"contains", R"("ab")", R"(["x","ab"])", true},
        {"contains", R"("ab")", R"(["abc"])", false}, {"contains", "2", "[1,2]", true},
        {"contains", "3", "[1,2]", false}, {"contains", R"("1")", "[1]", false}, {"contains", "true", "[false,true]", true},
        {"contains", "true", "[1]", false}, {"contains", "2", "[]", false}, {"contains", "2", "[[2]]", false},
        {"contains", R"("2")", "123", false}, {"contains", "1", R"("a1")", false}, {"contains", R"("a")", R"({"a":1})", false},
        {"contains", R"("ab")", "", false}, {"contains", R"("ab")", "null", false},
        {"not_contains", R"("ab")", R"("xyz")", true}, {"not_contains", R"("ab")", R"("xaby")", false},
        {"not_contains", R"("ab")", R"(["x"])", true}, {"not_contains", R"("ab")", R"(["ab"])", false},
        {"not_contains", R"("ab")", "[]", true}, {"not_contains", "3", "[1,2]", true}, {"not_contains", "2", "[1,2]", false},
        {"not_contains", R"("1")", "123", false}, {"not_contains", "1", R"("xyz")", false},
        {"not_contains", R"("ab")", "", false}, {"not_contains", R"("ab")", "null", false},
        // numbers as the event's text gives them: integers past 2^53, -0, long fractions
        {"eq", "9007199254740993", "9007199254740993", true}, {"eq", "0", "-0", true}, {"eq", "0", "-0.0", true},
        {"gt", "123456789012345678", "123456789012345679", false}, {"ge", "1", "0.99999999999999999999", true},
        {"lt", "1", "0.9999999999999999", true}, {"between", "[-1,1]", "-0.0000000000000001", true},
        {"exists", "true", "0", true}, {"exists", "false", "-1.5", false}, {"in", "[0.5]", "0.50", true},
        {"starts_with", R"("1")", "1.5", false}, {"not_contains", "1", "1", false},
        // starts_with, ends_with
        {"starts_with", R"("ab")", R"("abc")", true}, {"starts_with", R"("ab")", R"("ab")", true},
        {"starts_with", R"("ab")", R"("cab")", false}, {"starts_with", R"("ab")", R"("Abc")", false},
        {"starts_with", R"("")", R"("x")", true}, {"starts_with", R"("1")", "12", false},
        {"starts_with", R"("a")", R"(["abc"])", false}, {"starts_with", R"("ab")", "", false},
        {"ends_with", R"("ab")", R"("cab")", true}, {"ends_with", R"("ab")", R"("abc")", false},
        {"ends_with", R"("2")", "12", false}, {"ends_with", R"("ab")", "null", false},
        {"ends_with", R"("ller")", R"("Müller")", true},
        // regex: unanchored unless the pattern anchors it
        {"regex", R"("^u[0-9]+$")", R"("u123")", true}, {"regex", R"("^u[0-9]+$")", R"("u12a")", false},
        {"regex", R"("^u[0-9]+$")", R"("U1")", false}, {"regex", R"("err")", R"("an error here")", true},
        {"regex", R"("(?i)^err")", R"("ERROR")", true}, {"regex", R"("1")", "123", false},
        {"regex", R"("t")", "true", false}, {"regex", R"("a")", R"(["a"])", false}, {"regex", R"(".*")", "", false},
        {"regex", R"(".*")", "null", false}, {"regex", R"(".*")", R"("")", true},
        {"regex", R"("^\\d{3}-\\d{4}$")", R"("555-1234")", true},
        // exists
        {"exists", "", "1", true}, {"exists", "", R"("")", true}, {"exists", "", "false", true},
        {"exists", "", "{}", true}, {"exists", "", "[]", true}, {"exists", "", "0", true},
        {"exists", "", "", false}, {"exists", "", "null", false},
        {"exists", "true", "1", true}, {"exists", "true", "", false}, {"exists", "null", "1", true},
        {"exists", "false", "", true}, {"exists", "false", "null", true}, {"exists", "false", "0", false},
        {"exists", "false", R"("")", false},
        // symbolic spellings
        {"==", "5", "5", true}, {"=", R"("a")", R"("a")", true}, {"!=", "5", "6", true}, {"!=", "5", "", false},
        {">", "5", "6", true}, {">=", "5", "5", true}, {"<", "5", "4", true}, {"<=", "5", "6", false},
    };
    for (const Row &r : rows) {
        QTest::addRow("%s %s vs %s", r.op, *r.value ? r.value : "(none)", *r.actual ? r.actual : "(missing)")
            << QString::fromUtf8(r.op) << QByteArray(r.value) << QByteArray(r.actual) << r.expected;
    }
}

void TestRules::comparison()
{
    QFETCH(QString, op);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, actual);
    QFETCH(bool, expected);

    // Through the parser, as a rule writes it...
    QJsonObject condition{{u"field"_qs, u"x"_qs}, {u"op"_qs, op}};
    if (!value.isEmpty())
        condition.insert(u"value"_qs, json(value));
    Condition c;
    QString error;
    QVERIFY2(Condition::parse(condition, u"conditions"_qs, &c, &error), qPrintable(error));
    QCOMPARE(int(c.kind), int(Condition::Kind::Compare));
    QCOMPARE(c.comparison.test(json(actual)), expected);
    // A string as it stands in an event's JSON text (UTF-8) decides as its QJsonValue does.
    const QJsonValue actualValue = json(actual);
    if (actualValue.isString() && c.comparison.takesText()) {
        const std::optional<bool> viaText = c.comparison.testText(actualValue.toString().toUtf8());
        QVERIFY(viaText.has_value());
        QCOMPARE(*viaText, expected);
    }
    // A number as a double decides as its QJsonValue does.
    if (actualValue.isDouble())
        QCOMPARE(c.comparison.testNumber(actualValue.toDouble()), expected);

    // ...and through a whole rule on an event whose field x holds `actual`.
    Rule rule;
    QVERIFY2(Rule::fromJson(QJsonObject{{u"name"_qs, u"R"_qs},
                                        {u"alert_type"_qs, u"SYSTEM"_qs},
                                        {u"severity"_qs, u"LOW"_qs},
                                        {u"conditions"_qs, condition}},
                            &rule, &error),
             qPrintable(error));
    QJsonObject fields{{u"other"_qs, 1}};
    if (!actual.isEmpty())
        fields.insert(u"x"_qs, json(actual));
    RuleEngine engine;
    engine.setRules({rule});
    QList<RuleMatch> matches;
    engine.evaluate(makeEvent(EventType::System, u"s"_qs, kT0, fields), &matches);
    QCOMPARE(matches.size(), expected ? 1 : 0);
}

void TestRules::comparisonRefusesValue_data()
{
    QTest::addColumn<QString>("op");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("error");

    QTest::newRow("eq array") << u"eq"_qs << QByteArray("[1]")
                              << u"operator 'eq' needs a number, string or boolean value, got an array"_qs;
    QTest::newRow("eq object") << u"eq"_qs << QByteArray("{}")
                               << u"operator 'eq' needs a number, string or boolean value, got an object"_qs;
    QTest::newRow("eq null") << u"eq"_qs << QByteArray("null")
                             << u"operator 'eq' needs a number, string or boolean value, got null"_qs;
    QTest::newRow("eq absent") << u"eq"_qs << QByteArray()
                               << u"operator 'eq' needs a number, string or boolean value, got nothing"_qs;
    QTest::newRow("ne array") << u"ne"_qs << QByteArray("[]")
                              << u"operator 'ne' needs a number, string or boolean value, got an array"_qs;
    QTest::newRow("gt boolean") << u"gt"_qs << QByteArray("true")
                                << u"operator 'gt' needs a number or string value, got true"_qs;
    QTest::newRow("ge array") << u"ge"_qs << QByteArray("[1]") << u"operator 'ge' needs a number or string value, got an array"_qs;
    QTest::newRow("lt null") << u"lt"_qs << QByteArray("null") << u"operator 'lt' needs a number or string value, got null"_qs;
    QTest::newRow("le absent") << u"le"_qs << QByteArray() << u"operator 'le' needs a number or string value, got nothing"_qs;
    QTest::newRow("symbolic > boolean") << u">"_qs << QByteArray("false")
                                        << u"operator 'gt' needs a number or string value, got false"_qs;
    const QString betweenShape = u"operator 'between' needs [low, high], two numbers or two strings"_qs;
    QTest::newRow("between number") << u"between"_qs << QByteArray("5") << betweenShape;
    QTest::newRow("between one") << u"between"_qs << QByteArray("[1]") << betweenShape;
    QTest::newRow("between three") << u"between"_qs << QByteArray("[1,2,3]") << betweenShape;
    QTest::newRow("between mixed") << u"between"_qs << QByteArray(R"([1,"9"])") << betweenShape;
    QTest::newRow("between booleans") << u"between"_qs << QByteArray("[false,true]") << betweenShape;
    QTest::newRow("between absent") << u"between"_qs << QByteArray() << betweenShape;
    QTest::newRow("between low > high") << u"between"_qs << QByteArray("[10,1]")
                                        << u"operator 'between': low 10 is greater than high 1"_qs;
    QTest::newRow("between low > high, fractions") << u"between"_qs << QByteArray("[2.5,-0.5]")
                                                   << u"operator 'between': low 2.5 is greater than high -0.5"_qs;
    QTest::newRow("between strings low > high") << u"between"_qs << QByteArray(R"(["b","a"])")
                                                << u"operator 'between': low 'b' is greater than high 'a'"_qs;
    QTest::newRow("in string") << u"in"_qs << QByteArray(R"("DE")") << u"operator 'in' needs an array of values, got 'DE'"_qs;
    QTest::newRow("in absent") << u"in"_qs << QByteArray() << u"operator 'in' needs an array of values, got nothing"_qs;
    QTest::newRow("in nested array") << u"in"_qs << QByteArray("[1,[2]]")
                                     << u"operator 'in': element 1 must be a number, string or boolean"_qs;
    QTest::newRow("not_in object") << u"not_in"_qs << QByteArray(R"({"a":1})")
                                   << u"operator 'not_in' needs an array of values, got an object"_qs;
    QTest::newRow("not_in null element") << u"not_in"_qs << QByteArray(R"(["a",null])")
                                         << u"operator 'not_in': element 1 must be a number, string or boolean"_qs;
    QTest::newRow("contains array") << u"contains"_qs << QByteArray("[1]")
                                    << u"operator 'contains' needs a number, string or boolean value, got an array"_qs;
    QTest::newRow("not_contains absent") << u"not_contains"_qs << QByteArray()
                                         << u"operator 'not_contains' needs a number, string or boolean value, got nothing"_qs;
    QTest::newRow("starts_with number") << u"starts_with"_qs << QByteArray("5")
                                        << u"operator 'starts_with' needs a string value, got 5"_qs;
    QTest::newRow("ends_with boolean") << u"ends_with"_qs << QByteArray("true")
                                       << u"operator 'ends_with' needs a string value, got true"_qs;
    QTest::newRow("regex number") << u"regex"_qs << QByteArray("5") << u"operator 'regex' needs a string value, got 5"_qs;
    QTest::newRow("regex unclosed group") << u"regex"_qs << QByteArray(R"("(")")
                                          << u"invalid regular expression '(': missing closing parenthesis at position 1"_qs;
    QTest::newRow("regex unclosed class") << u"regex"_qs << QByteArray(R"("[a-")")
                                          << u"invalid regular expression '[a-': missing terminating ] for character class at position 3"_qs;
    QTest::newRow("regex bad quantifier") << u"regex"_qs << QByteArray(R"("*")")
                                          << u"invalid regular expression '*': quantifier does not follow a repeatable item at position 0"_qs;
    QTest::newRow("exists string") << u"exists"_qs << QByteArray(R"("yes")") << u"operator 'exists' takes true or false, got 'yes'"_qs;
    QTest::newRow("exists number") << u"exists"_qs << QByteArray("1") << u"operator 'exists' takes true or false, got 1"_qs;
}

void TestRules::comparisonRefusesValue()
{
    QFETCH(QString, op);
    QFETCH(QByteArray, value);
    QFETCH(QString, error);

    QJsonObject condition{{u"field"_qs, u"x"_qs}, {u"op"_qs, op}};
    if (!value.isEmpty())
        condition.insert(u"value"_qs, json(value));
    Condition c;
    QString actual;
    QVERIFY(!Condition::parse(condition, u"conditions.all[2]"_qs, &c, &actual));
    QCOMPARE(actual, u"conditions.all[2]: "_qs + error);
}

// ---------------------------------------------------------------------------------------------
// Field paths

void TestRules::fieldPath_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("value"); // empty = undefined

    QTest::newRow("id") << u"id"_qs << true << QByteArray(R"("tx-42")");
    QTest::newRow("time") << u"time"_qs << true << QByteArray(R"("2026-01-31T12:00:00.000Z")");
    QTest::newRow("type") << u"type"_qs << true << QByteArray(R"("TRANSACTION")");
    QTest::newRow("source_type") << u"source_type"_qs << true << QByteArray(R"("bank")");
    QTest::newRow("source_id") << u"source_id"_qs << true << QByteArray(R"("acct-1")");
    QTest::newRow("fields.amount") << u"fields.amount"_qs << true << QByteArray("1500.5");
    QTest::newRow("bare amount") << u"amount"_qs << true << QByteArray("1500.5");
    QTest::newRow("fields.geo.country") << u"fields.geo.country"_qs << true << QByteArray(R"("DE")");
    QTest::newRow("dotted bare geo.country") << u"geo.country"_qs << true << QByteArray(R"("DE")");
    QTest::newRow("three levels") << u"geo.city.name"_qs << true << QByteArray(R"("Berlin")");
    QTest::newRow("object value") << u"geo.city"_qs << true << QByteArray(R"({"name":"Berlin"})");
    QTest::newRow("array index") << u"fields.items.0.sku"_qs << true << QByteArray(R"("A1")");
    QTest::newRow("array index, bare") << u"items.1.qty"_qs << true << QByteArray("1");
    QTest::newRow("array element") << u"tags.2"_qs << true << QByteArray("7");
    QTest::newRow("nested arrays") << u"matrix.1.0"_qs << true << QByteArray("3");
    QTest::newRow("index past the end") << u"items.2.sku"_qs << true << QByteArray();
    QTest::newRow("negative index") << u"items.-1"_qs << true << QByteArray();
    QTest::newRow("name on an array") << u"items.sku"_qs << true << QByteArray();
    QTest::newRow("index on an object") << u"geo.0"_qs << true << QByteArray();
    QTest::newRow("into a string") << u"currency.length"_qs << true << QByteArray();
    QTest::newRow("into a number") << u"amount.0"_qs << true << QByteArray();
    QTest::newRow("missing") << u"nope"_qs << true << QByteArray();
    QTest::newRow("missing, deeper") << u"fields.nope.deeper"_qs << true << QByteArray();
    QTest::newRow("null is present") << u"none"_qs << true << QByteArray("null");
    QTest::newRow("whole fields") << u"fields"_qs << true
                                  << QByteArray(compact(sampleEvent().fields()));
    QTest::newRow("fields.id is inside fields") << u"fields.id"_qs << true << QByteArray(R"({"x":1})");
    QTest::newRow("id.x is inside fields") << u"id.x"_qs << true << QByteArray("1");
    QTest::newRow("fields.time is inside fields") << u"fields.time"_qs << true << QByteArray(R"("local")");
    QTest::newRow("fields.fields") << u"fields.fields.inner"_qs << true << QByteArray("1");
    QTest::newRow("surrounding spaces") << u" source_id "_qs << true << QByteArray(R"("acct-1")");
    QTest::newRow("case matters") << u"Source_Id"_qs << true << QByteArray();
    QTest::newRow("empty") << QString() << false << QByteArray();
    QTest::newRow("blank") << u"   "_qs << false << QByteArray();
    QTest::newRow("double dot") << u"geo..country"_qs << false << QByteArray();
    QTest::newRow("leading dot") << u".amount"_qs << false << QByteArray();
    QTest::newRow("trailing dot") << u"amount."_qs << false << QByteArray();
    QTest::newRow("fields.") << u"fields."_qs << false << QByteArray();
}

void TestRules::fieldPath()
{
    QFETCH(QString, path);
    QFETCH(bool, valid);
    QFETCH(QByteArray, value);

    const FieldPath p = FieldPath::parse(path);
    QCOMPARE(p.isValid(), valid);
    QCOMPARE(p.text(), path);
    const QJsonValue actual = p.value(sampleEvent());
    QCOMPARE(actual, json(value));
    QCOMPARE(actual.isUndefined(), value.isEmpty());
}

// ---------------------------------------------------------------------------------------------
// Conditions on a whole event: paths, groups, nesting, the flat list and symbolic operators.

void TestRules::conditionOnEvent_data()
{
    QTest::addColumn<QByteArray>("conditions");
    QTest::addColumn<bool>("fires");

    struct Row { const char *name, *conditions; bool fires; };
    const Row rows[] = {
        // envelope attributes
        {"id", R"({"field":"id","op":"eq","value":"tx-42"})", true},
        {"type", R"({"field":"type","op":"eq","value":"TRANSACTION"})", true},
        {"type in", R"({"field":"type","op":"in","value":["SECURITY","TRANSACTION"]})", true},
        {"source_type", R"({"field":"source_type","op":"eq","value":"bank"})", true},
        {"source_id", R"({"field":"source_id","op":"starts_with","value":"acct-"})", true},
        {"source_id ne", R"({"field":"source_id","op":"ne","value":"acct-1"})", false},
        {"time eq", R"({"field":"time","op":"eq","value":"2026-01-31T12:00:00.000Z"})", true},
        {"time between", R"({"field":"time","op":"between","value":["2026-01-31T00:00:00.000Z","2026-01-31T23:59:59.999Z"]})", true},
        {"time lt", R"({"field":"time","op":"lt","value":"2026-01-31T11:59:59.999Z"})", false},
        {"time ge", R"({"field":"time","op":"ge","value":"2026-01-31T11:59:59.999Z"})", true},
        {"time is a string", R"({"field":"time","op":"gt","value":0})", false},
        // A rule's time in another RFC 3339 form is read as the same instant.
        {"time eq without milliseconds", R"({"field":"time","op":"eq","value":"2026-01-31T12:00:00Z"})", true},
        {"time ge without milliseconds", R"({"field":"time","op":"ge","value":"2026-01-31T12:00:00Z"})", true},
        {"time gt without milliseconds", R"({"field":"time","op":"gt","value":"2026-01-31T12:00:00Z"})", false},
        {"time eq with an offset", R"({"field":"time","op":"eq","value":"2026-01-31T13:00:00+01:00"})", true},
        {"time between without milliseconds", R"({"field":"time","op":"between","value":["2026-01-31T12:00:00Z","2026-01-31T12:00:01Z"]})", true},
        // inside fields
        {"fields.geo.country", R"({"field":"fields.geo.country","op":"eq","value":"DE"})", true},
        {"bare geo.country", R"({"field":"geo.country","op":"eq","value":"DE"})", true},
        {"bare amount", R"({"field":"amount","op":"gt","value":1000})", true},
        {"fields.amount", R"({"field":"fields.amount","op":"le","value":1000})", false},
        {"id.x means fields.id.x", R"({"field":"id.x","op":"eq","value":1})", true},
        {"fields.time is not the envelope", R"({"field":"fields.time","op":"eq","value":"local"})", true},
        {"time is the envelope", R"({"field":"time","op":"eq","value":"local"})", false},
        {"fields.fields.inner", R"({"field":"fields.fields.inner","op":"eq","value":1})", true},
        {"array index", R"({"field":"items.0.sku","op":"eq","value":"A1"})", true},
        {"array index 1", R"({"field":"fields.items.1.qty","op":"lt","value":2})", true},
        {"index past the end exists", R"({"field":"items.2.sku","op":"exists"})", false},
        {"index past the end ne", R"({"field":"items.2.sku","op":"ne","value":"A1"})", false},
        {"nested arrays", R"({"field":"matrix.1.0","op":"eq","value":3})", true},
        {"whole fields exists", R"({"field":"fields","op":"exists"})", true},
        {"mismatch", R"({"field":"currency","op":"gt","value":1000})", false},
        {"null does not exist", R"({"field":"none","op":"exists"})", false},
        {"null exists false", R"({"field":"none","op":"exists","value":false})", true},
        {"missing exists false", R"({"field":"nope","op":"exists","value":false})", true},
        {"missing ne", R"({"field":"nope","op":"ne","value":1})", false},
        {"missing not_in", R"({"field":"nope","op":"not_in","value":[1,2]})", false},
        {"missing not_contains", R"({"field":"nope","op":"not_contains","value":"a"})", false},
        {"not of missing eq is true", R"({"not":{"field":"nope","op":"eq","value":1}})", true},
        {"tags contains", R"({"field":"tags","op":"contains","value":"vip"})", true},
        {"tags contains number", R"({"field":"tags","op":"contains","value":7})", true},
        {"tags contains boolean", R"({"field":"tags","op":"contains","value":true})", true},
        {"tags contains part", R"({"field":"tags","op":"contains","value":"vi"})", false},
        {"tags not_contains", R"({"field":"tags","op":"not_contains","value":"old"})", true},
        {"note contains non-ASCII", R"({"field":"note","op":"contains","value":"Müller"})", true},
        {"note regex case-insensitive", R"({"field":"note","op":"regex","value":"(?i)WIRE"})", true},
        {"note regex anchored", R"({"field":"note","op":"regex","value":"^transfer"})", false},
        {"flag eq true", R"({"field":"flag","op":"eq","value":true})", true},
        {"off eq false", R"({"field":"off","op":"eq","value":false})", true},
        {"flag eq 1", R"({"field":"flag","op":"eq","value":1})", false},
        {"flag gt 0", R"({"field":"flag","op":"gt","value":0})", false},
        {"big number", R"({"field":"big","op":"gt","value":1e20})", true},
        {"empty string exists", R"({"field":"empty","op":"exists"})", true},
        {"empty string eq", R"({"field":"empty","op":"eq","value":""})", true},
        // groups
        {"all true", R"({"all":[{"field":"amount","op":"gt","value":1000},{"field":"currency","op":"eq","value":"EUR"}]})", true},
        {"all one false", R"({"all":[{"field":"amount","op":"gt","value":1000},{"field":"currency","op":"eq","value":"USD"}]})", false},
        {"all one missing", R"({"all":[{"field":"amount","op":"gt","value":1000},{"field":"nope","op":"eq","value":1}]})", false},
        {"any one true", R"({"any":[{"field":"currency","op":"eq","value":"USD"},{"field":"amount","op":"gt","value":1000}]})", true},
        {"any none true", R"({"any":[{"field":"currency","op":"eq","value":"USD"},{"field":"amount","op":"lt","value":1000}]})", false},
        {"any of one", R"({"any":[{"field":"currency","op":"eq","value":"EUR"}]})", true},
        {"not true", R"({"not":{"field":"currency","op":"eq","value":"EUR"}})", false},
        {"not false", R"({"not":{"field":"currency","op":"eq","value":"USD"}})", true},
        {"not not", R"({"not":{"not":{"field":"currency","op":"eq","value":"EUR"}}})", true},
        {"nested all/any/not true",
         R"({"all":[{"any":[{"field":"geo.country","op":"in","value":["RU","KP"]},{"field":"amount","op":"ge","value":1500}]},)"
         R"({"not":{"any":[{"field":"note","op":"contains","value":"salary"},{"field":"flag","op":"eq","value":false}]}}]})", true},
        {"nested all/any/not false",
         R"({"all":[{"any":[{"field":"geo.country","op":"in","value":["RU","KP"]},{"field":"amount","op":"ge","value":1500}]},)"
         R"({"not":{"any":[{"field":"note","op":"contains","value":"salary"},{"field":"flag","op":"eq","value":true}]}}]})", false},
        {"three levels",
         R"({"any":[{"all":[{"field":"amount","op":"gt","value":5000},{"field":"currency","op":"eq","value":"EUR"}]},)"
         R"({"all":[{"any":[{"field":"tags","op":"contains","value":"vip"},{"field":"nope","op":"exists"}]},)"
         R"({"not":{"field":"geo.country","op":"eq","value":"US"}}]}]})", true},
        // the prototype's flat list with "operator", and symbolic operators
        {"flat list, all hold", R"([{"field":"amount","operator":">","value":1000},{"field":"currency","operator":"==","value":"EUR"}])", true},
        {"flat list, one fails", R"([{"field":"amount","operator":">","value":1000},{"field":"currency","operator":"!=","value":"EUR"}])", false},
        {"flat list of one", R"([{"field":"amount","operator":"<=","value":1500.5}])", true},
        {"flat list with a missing field", R"([{"field":"amount","operator":">=","value":0},{"field":"nope","operator":"<","value":5}])", false},
        {"not of a flat list", R"({"not":[{"field":"amount","operator":">","value":1000},{"field":"currency","operator":"=","value":"USD"}]})", true},
        {"flat list inside any", R"({"any":[[{"field":"amount","op":"lt","value":0}],[{"field":"amount","op":"gt","value":0}]]})", true},
        {"operator key on the object form", R"({"field":"amount","operator":"between","value":[1500,1501]})", true},
        {"op wins over operator", R"({"field":"amount","op":"lt","operator":"gt","value":1000})", false},
        {"symbolic <", R"({"field":"neg","op":"<","value":0})", true},
        {"symbolic >=", R"({"field":"round","op":">=","value":2000})", true},
    };
    for (const Row &r : rows)
        QTest::newRow(r.name) << QByteArray(r.conditions) << r.fires;
}

void TestRules::conditionOnEvent()
{
    QFETCH(QByteArray, conditions);
    QFETCH(bool, fires);

    Rule rule;
    QString error;
    QVERIFY2(parseRule(ruleText(conditions), &rule, &error), qPrintable(error));
    RuleEngine engine;
    engine.setRules({rule});
    QList<RuleMatch> matches;
    engine.evaluate(sampleEvent(), &matches);
    QCOMPARE(matches.size(), fires ? 1 : 0);
    if (fires)
        QCOMPARE(matches.at(0).ruleIndex, 0);
}

// ---------------------------------------------------------------------------------------------
// Invalid rules: refused with a message naming the rule and the place.

void TestRules::invalidRule_data()
{
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QString>("error");

    const QString p = u"rule 'Big transfer': "_qs;
    const auto cond = [](const char *c) { return ruleText(QByteArray(c)); };

    // conditions
    QTest::newRow("unknown operator, in a group")
        << cond(R"({"all":[{"field":"amount","op":"gt","value":1},{"field":"amount","op":"gtx","value":1}]})")
        << p + u"conditions.all[1]: unknown operator 'gtx' (expected one of "_qs + kOps + u")"_qs;
    QTest::newRow("unknown operator, flat list")
        << cond(R"([{"field":"amount","operator":">","value":1},{"field":"x","operator":"~","value":1}])")
        << p + u"conditions[1]: unknown operator '~' (expected one of "_qs + kOps + u")"_qs;
    QTest::newRow("unknown operator, deep")
        << cond(R"({"any":[{"field":"a","op":"eq","value":1},{"not":{"all":[{"field":"a","op":"EQ","value":1}]}}]})")
        << p + u"conditions.any[1].not.all[0]: unknown operator 'EQ' (expected one of "_qs + kOps + u")"_qs;
    const QString missingOp = u": missing 'op' (one of "_qs + kOps + u"), or a group 'all', 'any' or 'not'"_qs;
    QTest::newRow("missing op") << cond(R"({"field":"amount","value":1})") << p + u"conditions"_qs + missingOp;
    QTest::newRow("op not a string") << cond(R"({"all":[{"field":"amount","op":5,"value":1}]})")
                                     << p + u"conditions.all[0]"_qs + missingOp;
    QTest::newRow("empty object") << cond("{}") << p + u"conditions"_qs + missingOp;
    QTest::newRow("bad regex")
        << cond(R"({"any":[{"field":"note","op":"regex","value":"("}]})")
        << p + u"conditions.any[0]: invalid regular expression '(': missing closing parenthesis at position 1"_qs;
    QTest::newRow("wrong value type: gt boolean") << cond(R"({"field":"amount","op":"gt","value":true})")
                                                  << p + u"conditions: operator 'gt' needs a number or string value, got true"_qs;
    QTest::newRow("wrong value type: eq object")
        << cond(R"({"field":"amount","op":"eq","value":{"a":1}})")
        << p + u"conditions: operator 'eq' needs a number, string or boolean value, got an object"_qs;
    QTest::newRow("wrong value type: in string") << cond(R"({"field":"country","op":"in","value":"DE"})")
                                                 << p + u"conditions: operator 'in' needs an array of values, got 'DE'"_qs;
    QTest::newRow("between low > high") << cond(R"({"all":[{"field":"amount","op":"between","value":[10,1]}]})")
                                        << p + u"conditions.all[0]: operator 'between': low 10 is greater than high 1"_qs;
    QTest::newRow("between not a pair") << cond(R"({"field":"amount","op":"between","value":[1,"9"]})")
                                        << p + u"conditions: operator 'between' needs [low, high], two numbers or two strings"_qs;
    QTest::newRow("exists with a string") << cond(R"({"field":"user","op":"exists","value":"yes"})")
                                          << p + u"conditions: operator 'exists' takes true or false, got 'yes'"_qs;
    QTest::newRow("empty all") << cond(R"({"all":[]})") << p + u"conditions.all: must not be empty"_qs;
    QTest::newRow("empty any, nested") << cond(R"({"all":[{"field":"a","op":"exists"},{"any":[]}]})")
                                       << p + u"conditions.all[1].any: must not be empty"_qs;
    QTest::newRow("empty flat list") << cond("[]") << p + u"conditions: must not be empty"_qs;
    QTest::newRow("group not a list") << cond(R"({"any":{"field":"a","op":"exists"}})")
                                      << p + u"conditions.any: must be a list of conditions"_qs;
    QTest::newRow("not of nothing") << cond(R"({"not":null})")
                                    << p + u"conditions.not: a condition must be an object or a list, got null"_qs;
    QTest::newRow("condition a number") << cond(R"({"all":[5]})")
                                        << p + u"conditions.all[0]: a condition must be an object or a list, got 5"_qs;
    QTest::newRow("conditions a string") << cond(R"("amount > 5")")
                                         << p + u"conditions: a condition must be an object or a list, got 'amount > 5'"_qs;
    QTest::newRow("missing field") << cond(R"({"op":"eq","value":1})") << p + u"conditions: missing 'field'"_qs;
    QTest::newRow("invalid field path")
        << cond(R"({"all":[{"field":"geo..country","op":"eq","value":"DE"}]})")
        << p + u"conditions.all[0].field: 'geo..country' is not a field path such as amount, source_id or fields.geo.country"_qs;
    QTest::newRow("field a number")
        << cond(R"({"field":5,"op":"eq","value":1})")
        << p + u"conditions.field: '5' is not a field path such as amount, source_id or fields.geo.country"_qs;
    // windows
    const QString duration =
        u".window: needs a duration such as 300 (seconds), \"90s\", \"5m\", \"1h\" or \"1d\", at most a year"_qs;
    QTest::newRow("window without duration") << cond(R"({"aggregate":"count","op":"gt","value":10})")
                                             << p + u"conditions"_qs + duration;
    QTest::newRow("window duration unknown unit")
        << cond(R"({"all":[{"field":"a","op":"exists"},{"aggregate":"count","window":"5x","op":"gt","value":10}]})")
        << p + u"conditions.all[1]"_qs + duration;
    QTest::newRow("window duration zero") << cond(R"({"aggregate":"count","window":0,"op":"gt","value":10})")
                                          << p + u"conditions"_qs + duration;
    QTest::newRow("window duration negative") << cond(R"({"aggregate":"count","window":"-5m","op":"gt","value":10})")
                                              << p + u"conditions"_qs + duration;
    QTest::newRow("window longer than a year") << cond(R"({"aggregate":"count","window":"367d","op":"gt","value":10})")
                                               << p + u"conditions"_qs + duration;
    QTest::newRow("window inside where")
        << cond(R"({"aggregate":"count","window":"5m","op":"gt","value":1,)"
                R"("where":{"aggregate":"count","window":"1m","op":"gt","value":1}})")
        << p + u"conditions.where: a window's filter cannot contain another window aggregate"_qs;
    QTest::newRow("window deep inside where")
        << cond(R"({"aggregate":"count","window":"5m","op":"gt","value":1,"where":{"all":[{"field":"a","op":"exists"},)"
                R"({"not":{"aggregate":"sum","field":"a","window":"1m","op":"gt","value":1}}]}})")
        << p + u"conditions.where: a window's filter cannot contain another window aggregate"_qs;
    QTest::newRow("invalid where")
        << cond(R"({"aggregate":"count","window":"5m","op":"gt","value":1,"where":{"field":"x","op":"bogus","value":1}})")
        << p + u"conditions.where: unknown operator 'bogus' (expected one of "_qs + kOps + u")"_qs;
    QTest::newRow("unknown aggregate")
        << cond(R"({"aggregate":"median","field":"a","window":"5m","op":"gt","value":1})")
        << p + u"conditions.aggregate: unknown aggregate 'median' (expected one of count, sum, avg, min, max, distinct_count)"_qs;
    QTest::newRow("aggregate not a string")
        << cond(R"({"aggregate":3,"window":"5m","op":"gt","value":1})")
        << p + u"conditions.aggregate: unknown aggregate '3' (expected one of count, sum, avg, min, max, distinct_count)"_qs;
    QTest::newRow("sum without field") << cond(R"({"aggregate":"sum","window":"5m","op":"gt","value":1})")
                                       << p + u"conditions: aggregate 'sum' needs a 'field'"_qs;
    QTest::newRow("distinct_count without field") << cond(R"({"aggregate":"distinct_count","window":"5m","op":"gt","value":1})")
                                                  << p + u"conditions: aggregate 'distinct_count' needs a 'field'"_qs;
    QTest::newRow("aggregate with contains")
        << cond(R"({"aggregate":"count","window":"5m","op":"contains","value":1})")
        << p + u"conditions: an aggregate compares with eq, ne, gt, ge, lt, le or between, not 'contains'"_qs;
    QTest::newRow("aggregate with a string")
        << cond(R"({"aggregate":"count","window":"5m","op":"gt","value":"10"})")
        << p + u"conditions: an aggregate is a number: compare it with a number, got '10'"_qs;
    QTest::newRow("aggregate between strings")
        << cond(R"({"aggregate":"count","window":"5m","op":"between","value":["a","b"]})")
        << p + u"conditions: an aggregate is a number: compare it with numbers"_qs;
    QTest::newRow("invalid group_by") << cond(R"({"aggregate":"count","window":"5m","op":"gt","value":1,"group_by":"a..b"})")
                                      << p + u"conditions.group_by: 'a..b' is not a field path"_qs;
    // the rule itself
    QTest::newRow("no name") << QByteArray(R"({"alert_type":"TRANSACTION","severity":"HIGH","conditions":{"field":"a","op":"exists"}})")
                             << u"a rule needs a non-empty 'name'"_qs;
    QTest::newRow("blank name") << QByteArray(R"({"name":"  ","alert_type":"TRANSACTION","severity":"HIGH","conditions":{"field":"a","op":"exists"}})")
                                << u"a rule needs a non-empty 'name'"_qs;
    QTest::newRow("name a number") << QByteArray(R"({"name":7,"alert_type":"TRANSACTION","severity":"HIGH","conditions":{"field":"a","op":"exists"}})")
                                   << u"a rule needs a non-empty 'name'"_qs;
    QTest::newRow("name too long")
        << QByteArray(R"({"name":")" + QByteArray(201, 'n') + R"(","alert_type":"TRANSACTION","severity":"HIGH","conditions":{"field":"a","op":"exists"}})")
        << u"rule '"_qs + QString(40, u'n') + u"': the name is longer than 200 characters"_qs;
    const QString types = u"TRANSACTION, INVENTORY, SECURITY, SYSTEM, COMPLIANCE"_qs;
    QTest::newRow("bad alert_type") << ruleText(R"({"field":"a","op":"exists"})", {}, "PAYMENT")
                                    << p + u"alert_type must be one of "_qs + types + u", got 'PAYMENT'"_qs;
    QTest::newRow("lowercase alert_type") << ruleText(R"({"field":"a","op":"exists"})", {}, "transaction")
                                          << p + u"alert_type must be one of "_qs + types + u", got 'transaction'"_qs;
    QTest::newRow("missing alert_type") << QByteArray(R"({"name":"Big transfer","severity":"HIGH","conditions":{"field":"a","op":"exists"}})")
                                        << p + u"alert_type must be one of "_qs + types + u", got ''"_qs;
    const QString severities = u"severity must be one of LOW, MEDIUM, HIGH, CRITICAL, got "_qs;
    QTest::newRow("bad severity") << QByteArray(R"({"name":"Big transfer","alert_type":"TRANSACTION","severity":"URGENT","conditions":{"field":"a","op":"exists"}})")
                                  << p + severities + u"'URGENT'"_qs;
    QTest::newRow("lowercase severity") << QByteArray(R"({"name":"Big transfer","alert_type":"TRANSACTION","severity":"high","conditions":{"field":"a","op":"exists"}})")
                                        << p + severities + u"'high'"_qs;
    QTest::newRow("severity a number") << QByteArray(R"({"name":"Big transfer","alert_type":"TRANSACTION","severity":3,"conditions":{"field":"a","op":"exists"}})")
                                       << p + severities + u"'3'"_qs;
    QTest::newRow("missing conditions") << QByteArray(R"({"name":"Big transfer","alert_type":"TRANSACTION","severity":"HIGH"})")
                                        << p + u"'conditions' is missing"_qs;
    QTest::newRow("null conditions") << cond("null") << p + u"'conditions' is missing"_qs;
    QTest::newRow("unknown channel")
        << ruleText(R"({"field":"a","op":"exists"})", R"(,"notification_channels":["EMAIL","PAGER"])")
        << p + u"unknown notification channel 'PAGER' (expected one of WEBSOCKET, EMAIL, SMS, SLACK, WEBHOOK)"_qs;
    QTest::newRow("channel a number")
        << ruleText(R"({"field":"a","op":"exists"})", R"(,"notification_channels":[1])")
        << p + u"unknown notification channel '1' (expected one of WEBSOCKET, EMAIL, SMS, SLACK, WEBHOOK)"_qs;
    QTest::newRow("channels not a list")
        << ruleText(R"({"field":"a","op":"exists"})", R"(,"notification_channels":"EMAIL")")
        << p + u"'notification_channels' must be a list such as [\"EMAIL\", \"SLACK\"]"_qs;
    QTest::newRow("enabled a string") << ruleText(R"({"field":"a","op":"exists"})", R"(,"enabled":"yes")")
                                      << p + u"'enabled' must be true or false"_qs;
    QTest::newRow("enabled null") << ruleText(R"({"field":"a","op":"exists"})", R"(,"enabled":null)")
                                  << p + u"'enabled' must be true or false"_qs;
    QTest::newRow("message unclosed brace")
        << ruleText(R"({"field":"a","op":"exists"})", R"(,"message":"Transfer {amount")")
        << p + u"message template: '{' at position 10 is never closed (write {{ for a literal brace)"_qs;
    QTest::newRow("message_template empty placeholder")
        << ruleText(R"({"field":"a","op":"exists"})", R"(,"message_template":"Transfer {}")")
        << p + u"message template: '{}' at position 10 is not a field path such as {source_id} or {fields.amount}"_qs;
    QTest::newRow("message a number") << ruleText(R"({"field":"a","op":"exists"})", R"(,"message":5)")
                                      << p + u"'message' must be a string"_qs;
    QTest::newRow("message an object") << ruleText(R"({"field":"a","op":"exists"})", R"(,"message":{"text":"x"})")
                                       << p + u"'message' must be a string"_qs;
    QTest::newRow("created_at not a time") << ruleText(R"({"field":"a","op":"exists"})", R"(,"created_at":"yesterday")")
                                           << p + u"'created_at' must be an RFC 3339 time such as 2026-01-31T12:00:00Z"_qs;
    QTest::newRow("created_at a number") << ruleText(R"({"field":"a","op":"exists"})", R"(,"created_at":1769860800)")
                                         << p + u"'created_at' must be an RFC 3339 time such as 2026-01-31T12:00:00Z"_qs;
}

void TestRules::invalidRule()
{
    QFETCH(QByteArray, rule);
    QFETCH(QString, error);

    Rule r;
    r.name = u"untouched"_qs;
    QString actual;
    QVERIFY(!parseRule(rule, &r, &actual));
    QCOMPARE(actual, error);
    QCOMPARE(r.name, u"untouched"_qs); // a refused rule leaves the output alone

    // In a file, the error also names the rule's index.
    QList<Rule> list;
    QVERIFY(!Rule::listFromJson("[" + ruleText(R"({"field":"a","op":"exists"})").replace("Big transfer", "Fine") + ","
                                    + rule + "]",
                                &list, &actual));
    QCOMPARE(actual, u"rules[1]: "_qs + error);
}

// ---------------------------------------------------------------------------------------------
// JSON round trip: toJson is canonical; fromJson(toJson(r)) gives the same JSON again.

void TestRules::ruleRoundTrip_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("canonical");

    QTest::newRow("prototype flat list, symbolic operators, message_template, channels")
        << QByteArray(R"({"name":"Big","alert_type":"TRANSACTION","severity":"HIGH",)"
                      R"("conditions":[{"field":"amount","operator":">","value":1000},{"field":"currency","operator":"==","value":"EUR"}],)"
                      R"("message_template":"Big {amount}","notification_channels":["email","EMAIL","slack"]})")
        << QByteArray(R"({"alert_type":"TRANSACTION","conditions":{"all":[{"field":"amount","op":"gt","value":1000},)"
                      R"({"field":"currency","op":"eq","value":"EUR"}]},"enabled":true,"message":"Big {amount}",)"
                      R"("name":"Big","notification_channels":["EMAIL","SLACK"],"severity":"HIGH"})");
    QTest::newRow("every symbolic operator")
        << QByteArray(R"({"name":"Sym","alert_type":"SYSTEM","severity":"LOW","conditions":{"any":[)"
                      R"({"field":"a","op":"=","value":1},{"field":"a","op":"!=","value":1},{"field":"a","op":">=","value":1},)"
                      R"({"field":"a","op":"<","value":1},{"field":"a","op":"<=","value":1}]}})")
        << QByteArray(R"({"alert_type":"SYSTEM","conditions":{"any":[{"field":"a","op":"eq","value":1},)"
                      R"({"field":"a","op":"ne","value":1},{"field":"a","op":"ge","value":1},{"field":"a","op":"lt","value":1},)"
                      R"({"field":"a","op":"le","value":1}]},"enabled":true,"message":"Sym: {source_type} {source_id}",)"
                      R"("name":"Sym","notification_channels":[],"severity":"LOW"})");
    QTest::newRow("every operator by name")
        << QByteArray(R"({"name":"Ops","alert_type":"INVENTORY","severity":"MEDIUM","conditions":{"all":[)"
                      R"({"field":"a","op":"between","value":[1,2]},{"field":"b","op":"in","value":["x",1,true]},)"
                      R"({"field":"c","op":"not_in","value":[]},{"field":"d","op":"contains","value":"x"},)"
                      R"({"field":"e","op":"not_contains","value":2},{"field":"f","op":"starts_with","value":"p"},)"
                      R"({"field":"g","op":"ends_with","value":"s"},{"field":"h","op":"regex","value":"^a+$"},)"
                      R"({"field":"i","op":"exists"},{"field":"j","op":"exists","value":false}]}})")
        << QByteArray(R"({"alert_type":"INVENTORY","conditions":{"all":[)"
                      R"({"field":"a","op":"between","value":[1,2]},{"field":"b","op":"in","value":["x",1,true]},)"
                      R"({"field":"c","op":"not_in","value":[]},{"field":"d","op":"contains","value":"x"},)"
                      R"({"field":"e","op":"not_contains","value":2},{"field":"f","op":"starts_with","value":"p"},)"
                      R"({"field":"g","op":"ends_with","value":"s"},{"field":"h","op":"regex","value":"^a+$"},)"
                      R"({"field":"i","op":"exists","value":true},{"field":"j","op":"exists","value":false}]},)"
                      R"("enabled":true,"message":"Ops: {source_type} {source_id}","name":"Ops","notification_channels":[],"severity":"MEDIUM"})");
    QTest::newRow("window with group_by and where, duration in seconds")
        << QByteArray(R"({"name":"Brute force","alert_type":"SECURITY","severity":"CRITICAL","conditions":)"
                      R"({"aggregate":"count","group_by":"source_id","window":300,"where":{"field":"outcome","op":"eq","value":"failure"},)"
                      R"("op":">","value":10},"message":"{source_id}: too many failures","notification_channels":["WEBSOCKET"]})")
        << QByteArray(R"({"alert_type":"SECURITY","conditions":{"aggregate":"count","group_by":"source_id","op":"gt","value":10,)"
                      R"("where":{"field":"outcome","op":"eq","value":"failure"},"window":"5m"},"enabled":true,)"
                      R"("message":"{source_id}: too many failures","name":"Brute force","notification_channels":["WEBSOCKET"],"severity":"CRITICAL"})");
    QTest::newRow("windows in groups, other durations")
        << QByteArray(R"({"name":"W","alert_type":"TRANSACTION","severity":"HIGH","conditions":{"any":[)"
                      R"({"aggregate":"sum","field":"amount","window":"1.5h","op":"ge","value":10000},)"
                      R"({"aggregate":"distinct_count","field":"geo.country","group_by":"fields.user","window":"24h","op":"between","value":[3,5]},)"
                      R"({"not":{"aggregate":"avg","field":"amount","window":"1500ms","op":"lt","value":1}},)"
                      R"({"aggregate":"min","field":"amount","window":"90s","op":"le","value":0},)"
                      R"({"aggregate":"max","field":"amount","window":"2h","op":"ne","value":0}]}})")
        << QByteArray(R"({"alert_type":"TRANSACTION","conditions":{"any":[)"
                      R"({"aggregate":"sum","field":"amount","op":"ge","value":10000,"window":"90m"},)"
                      R"({"aggregate":"distinct_count","field":"geo.country","group_by":"fields.user","op":"between","value":[3,5],"window":"1d"},)"
                      R"({"not":{"aggregate":"avg","field":"amount","op":"lt","value":1,"window":"1500ms"}},)"
                      R"({"aggregate":"min","field":"amount","op":"le","value":0,"window":"90s"},)"
                      R"({"aggregate":"max","field":"amount","op":"ne","value":0,"window":"2h"}]},)"
                      R"("enabled":true,"message":"W: {source_type} {source_id}","name":"W","notification_channels":[],"severity":"HIGH"})");
    QTest::newRow("type key, trimmed name, disabled, created_by and created_at")
        << QByteArray(R"({"name":"  Padded ","type":"COMPLIANCE","severity":"LOW","conditions":{"not":{"field":"user","op":"exists"}},)"
                      R"("enabled":false,"created_by":"alice","created_at":"2026-01-31T13:00:00+01:00","message":""})")
        << QByteArray(R"({"alert_type":"COMPLIANCE","conditions":{"not":{"field":"user","op":"exists","value":true}},)"
                      R"("created_at":"2026-01-31T12:00:00.000Z","created_by":"alice","enabled":false,)"
                      R"("message":"Padded: {source_type} {source_id}","name":"Padded","notification_channels":[],"severity":"LOW"})");
    QTest::newRow("escaped braces and nested paths in the message")
        << QByteArray(R"({"name":"M","alert_type":"TRANSACTION","severity":"HIGH","conditions":{"field":"fields.geo.country","op":"eq","value":"DE"},)"
                      R"("message":"{{x}} {fields.geo.country} { source_id }","notification_channels":null,"enabled":true})")
        << QByteArray(R"({"alert_type":"TRANSACTION","conditions":{"field":"fields.geo.country","op":"eq","value":"DE"},)"
                      R"("enabled":true,"message":"{{x}} {fields.geo.country} { source_id }","name":"M","notification_channels":[],"severity":"HIGH"})");
}

void TestRules::ruleRoundTrip()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, canonical);

    Rule rule;
    QString error;
    QVERIFY2(parseRule(input, &rule, &error), qPrintable(error));
    QCOMPARE(QJsonDocument(rule.toJson()).toJson(QJsonDocument::Compact), canonical);

    Rule again;
    QVERIFY2(parseRule(canonical, &again, &error), qPrintable(error));
    QCOMPARE(QJsonDocument(again.toJson()).toJson(QJsonDocument::Compact), canonical);

    // And through a rule file.
    QList<Rule> list;
    const QByteArray file = Rule::listToJson({rule});
    QVERIFY2(Rule::listFromJson(file, &list, &error), qPrintable(error));
    QCOMPARE(list.size(), 1);
    QCOMPARE(QJsonDocument(list.at(0).toJson()).toJson(QJsonDocument::Compact), canonical);
    QCOMPARE(QJsonDocument::fromJson(file).object(),
             (QJsonObject{{u"rules"_qs, QJsonArray{QJsonDocument::fromJson(canonical).object()}}}));
}

void TestRules::listFromJson_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QString>("error");

    const auto r = [](const char *name, const char *severity = "LOW") {
        return QByteArray(R"({"name":")") + name + R"(","alert_type":"SYSTEM","severity":")" + severity
               + R"(","conditions":{"field":"cpu","op":"gt","value":90}})";
    };
    QTest::newRow("rules object") << QByteArray(R"({"rules":[)" + r("A") + "," + r("B") + "]}") << true
                                  << QStringList{u"A"_qs, u"B"_qs} << QString();
    QTest::newRow("rules object with other members")
        << QByteArray(R"({"version":1,"exported_by":"bob","rules":[)" + r("A") + "]}") << true << QStringList{u"A"_qs}
        << QString();
    QTest::newRow("bare array") << QByteArray("[" + r("B") + "," + r("A") + "," + r("C") + "]") << true
                                << QStringList{u"B"_qs, u"A"_qs, u"C"_qs} << QString();
    QTest::newRow("single object") << r("Only") << true << QStringList{u"Only"_qs} << QString();
    QTest::newRow("empty rules") << QByteArray(R"({"rules":[]})") << true << QStringList() << QString();
    QTest::newRow("empty array") << QByteArray("[]") << true << QStringList() << QString();
    QTest::newRow("same name, different case") << QByteArray("[" + r("cpu") + "," + r("CPU") + "]") << true
                                               << QStringList{u"cpu"_qs, u"CPU"_qs} << QString();
    QTest::newRow("duplicate names") << QByteArray("[" + r("A") + "," + r("B") + "," + r("A", "HIGH") + "]") << false
                                     << QStringList() << u"rules[2]: the name 'A' is used twice in this file"_qs;
    QTest::newRow("duplicate after trimming") << QByteArray(R"({"rules":[)" + r("A") + "," + r(" A ") + "]}") << false
                                              << QStringList() << u"rules[1]: the name 'A' is used twice in this file"_qs;
    QTest::newRow("invalid second rule: nothing imported")
        << QByteArray("[" + r("A") + "," + r("B", "SEVERE") + "]") << false << QStringList()
        << u"rules[1]: rule 'B': severity must be one of LOW, MEDIUM, HIGH, CRITICAL, got 'SEVERE'"_qs;
    QTest::newRow("element not an object") << QByteArray("[" + r("A") + R"(,"B"])") << false << QStringList()
                                           << u"rules[1]: must be a rule object"_qs;
    QTest::newRow("not JSON") << QByteArray("[" + r("A")) << false << QStringList()
                              << u"not valid JSON: unterminated array at offset 102"_qs;
    const QString shape = u"expected {\"rules\": [...]}, a list of rules, or one rule object"_qs;
    QTest::newRow("rules not a list") << QByteArray(R"({"rules":5})") << false << QStringList() << shape;
    QTest::newRow("object without rules or name") << QByteArray(R"({"alert_type":"SYSTEM"})") << false << QStringList()
                                                  << shape;
    QTest::newRow("empty document") << QByteArray() << false << QStringList()
                                    << u"not valid JSON: illegal value at offset 0"_qs;
}

void TestRules::listFromJson()
{
    QFETCH(QByteArray, document);
    QFETCH(bool, ok);
    QFETCH(QStringList, names);
    QFETCH(QString, error);

    Rule sentinel;
    sentinel.name = u"sentinel"_qs;
    QList<Rule> rules{sentinel};
    QString actualError;
    QCOMPARE(Rule::listFromJson(document, &rules, &actualError), ok);
    QCOMPARE(actualError, error);
    QStringList actualNames;
    for (const Rule &rule : std::as_const(rules))
        actualNames << rule.name;
    // On failure the list is untouched: nothing is half-imported.
    QCOMPARE(actualNames, ok ? names : QStringList{u"sentinel"_qs});
}

void TestRules::duration_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("formatted");

    QTest::newRow("300 (seconds)") << QByteArray("300") << true << qint64(300000) << u"5m"_qs;
    QTest::newRow("\"300\"") << QByteArray(R"("300")") << true << qint64(300000) << u"5m"_qs;
    QTest::newRow("0.5 seconds") << QByteArray("0.5") << true << qint64(500) << u"500ms"_qs;
    QTest::newRow("45s") << QByteArray(R"("45s")") << true << qint64(45000) << u"45s"_qs;
    QTest::newRow("90s") << QByteArray(R"("90s")") << true << qint64(90000) << u"90s"_qs;
    QTest::newRow("5m") << QByteArray(R"("5m")") << true << qint64(300000) << u"5m"_qs;
    QTest::newRow("2h") << QByteArray(R"("2h")") << true << qint64(7200000) << u"2h"_qs;
    QTest::newRow("1.5h") << QByteArray(R"("1.5h")") << true << qint64(5400000) << u"90m"_qs;
    QTest::newRow("24h") << QByteArray(R"("24h")") << true << qint64(86400000) << u"1d"_qs;
    QTest::newRow("1d") << QByteArray(R"("1d")") << true << qint64(86400000) << u"1d"_qs;
    QTest::newRow("1500ms") << QByteArray(R"("1500ms")") << true << qint64(1500) << u"1500ms"_qs;
    QTest::newRow("1ms") << QByteArray(R"("1ms")") << true << qint64(1) << u"1ms"_qs;
    QTest::newRow("spaces") << QByteArray(R"(" 5m ")") << true << qint64(300000) << u"5m"_qs;
    QTest::newRow("366d is the limit") << QByteArray(R"("366d")") << true << qint64(31622400000) << u"366d"_qs;
    QTest::newRow("367d") << QByteArray(R"("367d")") << false << qint64(0) << QString();
    QTest::newRow("a year and a second") << QByteArray("31622401") << false << qint64(0) << QString();
    QTest::newRow("0") << QByteArray("0") << false << qint64(0) << QString();
    QTest::newRow("0s") << QByteArray(R"("0s")") << false << qint64(0) << QString();
    QTest::newRow("-5") << QByteArray("-5") << false << qint64(0) << QString();
    QTest::newRow("-5m") << QByteArray(R"("-5m")") << false << qint64(0) << QString();
    QTest::newRow("under a millisecond") << QByteArray(R"("0.5ms")") << false << qint64(0) << QString();
    QTest::newRow("empty") << QByteArray(R"("")") << false << qint64(0) << QString();
    QTest::newRow("unit only") << QByteArray(R"("m")") << false << qint64(0) << QString();
    QTest::newRow("unknown unit") << QByteArray(R"("5x")") << false << qint64(0) << QString();
    QTest::newRow("upper-case unit") << QByteArray(R"("5M")") << false << qint64(0) << QString();
    QTest::newRow("words") << QByteArray(R"("five minutes")") << false << qint64(0) << QString();
    QTest::newRow("boolean") << QByteArray("true") << false << qint64(0) << QString();
    QTest::newRow("null") << QByteArray("null") << false << qint64(0) << QString();
    QTest::newRow("absent") << QByteArray() << false << qint64(0) << QString();
}

void TestRules::duration()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, ok);
    QFETCH(qint64, ms);
    QFETCH(QString, formatted);

    qint64 actual = -1;
    QCOMPARE(parseDuration(json(value), &actual), ok);
    QCOMPARE(actual, ok ? ms : qint64(-1));
    if (ok) {
        QCOMPARE(formatDuration(actual), formatted);
        qint64 back = -1;
        QVERIFY(parseDuration(formatted, &back)); // the formatted form reads back
        QCOMPARE(back, ms);
    }
}

// ---------------------------------------------------------------------------------------------
// SlidingWindow on its own. Steps: ["add", group, tMs, value, key], ["value", group, nowMs,
// expected or null for NaN], ["groups", n], ["entries", n].

void TestRules::slidingWindow_data()
{
    QTest::addColumn<QString>("aggregate");
    QTest::addColumn<qint64>("windowMs");
    QTest::addColumn<QByteArray>("steps");

    QTest::newRow("count slides out, (latest - window, latest]")
        << u"count"_qs << qint64(5000)
        << QByteArray(R"([["value","a",0,0],["add","a",0,0,""],["add","a",1000,0,""],["add","a",2000,0,""],)"
                      R"(["value","a",2000,3],["value","a",4999,3],["value","a",5000,2],["value","a",6000,1],)"
                      R"(["value","a",7000,0],["entries",0],["groups",1]])");
    QTest::newRow("count ignores the value") << u"count"_qs << qint64(5000)
                                             << QByteArray(R"([["add","a",0,7.5,""],["add","a",0,-1,""],["value","a",0,2]])");
    QTest::newRow("sum") << u"sum"_qs << qint64(5000)
                         << QByteArray(R"([["value","a",0,0],["add","a",0,10,""],["add","a",1000,20,""],["add","a",2000,30.5,""],)"
                                       R"(["value","a",2000,60.5],["value","a",5000,50.5],["value","a",7000,0]])");
    QTest::newRow("sum with negatives") << u"sum"_qs << qint64(5000)
                                        << QByteArray(R"([["add","a",0,10,""],["add","a",1,-15,""],["value","a",1,-5]])");
    QTest::newRow("avg") << u"avg"_qs << qint64(5000)
                         << QByteArray(R"([["value","a",0,null],["add","a",0,10,""],["add","a",1000,20,""],["add","a",2000,30,""],)"
                                       R"(["value","a",2000,20],["value","a",5000,25],["value","a",7000,null]])");
    QTest::newRow("min") << u"min"_qs << qint64(5000)
                         << QByteArray(R"([["value","a",0,null],["add","a",0,1,""],["add","a",1000,5,""],["add","a",2000,3,""],)"
                                       R"(["add","a",3000,4,""],["value","a",3000,1],["value","a",5000,3],["value","a",7000,4],)"
                                       R"(["value","a",8000,null]])");
    QTest::newRow("min with equal values") << u"min"_qs << qint64(5000)
                                           << QByteArray(R"([["add","a",0,2,""],["add","a",1000,2,""],["value","a",5000,2],)"
                                                         R"(["value","a",6000,null]])");
    QTest::newRow("max") << u"max"_qs << qint64(5000)
                         << QByteArray(R"([["value","a",0,null],["add","a",0,9,""],["add","a",1000,2,""],["add","a",2000,7,""],)"
                                       R"(["add","a",3000,4,""],["value","a",3000,9],["value","a",5000,7],["value","a",7000,4],)"
                                       R"(["value","a",8000,null]])");
    QTest::newRow("max rising") << u"max"_qs << qint64(5000)
                                << QByteArray(R"([["add","a",0,1,""],["add","a",1000,2,""],["add","a",2000,3,""],["value","a",2000,3],)"
                                              R"(["value","a",6500,3]])");
    QTest::newRow("distinct_count")
        << u"distinct_count"_qs << qint64(5000)
        << QByteArray(R"([["value","a",0,0],["add","a",0,0,"DE"],["add","a",1000,0,"FR"],["add","a",2000,0,"DE"],)"
                      R"(["add","a",3000,0,"US"],["value","a",3000,3],["value","a",5000,3],["value","a",6000,2],)"
                      R"(["value","a",7000,1],["value","a",8000,0]])");
    QTest::newRow("groups are independent")
        << u"count"_qs << qint64(5000)
        << QByteArray(R"([["add","a",0,0,""],["add","b",0,0,""],["add","a",1000,0,""],["value","a",1000,2],)"
                      R"(["value","b",1000,1],["value","c",1000,0],["groups",2],["entries",3]])");
    QTest::newRow("min of an unknown group is NaN") << u"min"_qs << qint64(5000)
                                                    << QByteArray(R"([["add","a",0,1,""],["value","c",0,null],["groups",1]])");
    QTest::newRow("a group's window follows its own latest time")
        << u"count"_qs << qint64(5000)
        << QByteArray(R"([["add","a",0,0,""],["add","b",4000,0,""],["value","a",4999,1],["value","b",4000,1],)"
                      R"(["add","b",8000,0,""],["value","b",8000,2],["value","a",8000,0],["groups",2],["entries",2]])");
    QTest::newRow("late event counts as of the group's latest")
        << u"count"_qs << qint64(5000)
        << QByteArray(R"([["add","a",10000,0,""],["add","a",3000,0,""],["value","a",10000,2],["value","a",14999,2],)"
                      R"(["value","a",15000,0]])");
    QTest::newRow("late event in a sum") << u"sum"_qs << qint64(5000)
                                         << QByteArray(R"([["add","a",10000,1,""],["add","a",100,2,""],["add","a",12000,4,""],)"
                                                       R"(["value","a",12000,7],["value","a",15000,4]])");
    QTest::newRow("late event in a min") << u"min"_qs << qint64(5000)
                                         << QByteArray(R"([["add","a",10000,5,""],["add","a",0,1,""],["value","a",10000,1],)"
                                                       R"(["value","a",14999,1],["value","a",15000,null]])");
    QTest::newRow("idle groups are swept as time moves past the window")
        << u"count"_qs << qint64(60000)
        << QByteArray(R"([["add","a",0,0,""],["add","b",10000,0,""],["add","c",20000,0,""],["groups",3],["entries",3],)"
                      R"(["add","d",60000,0,""],["groups",3],["entries",3],)"
                      R"(["add","e",130000,0,""],["groups",1],["entries",1],["value","c",130000,0]])");
    QTest::newRow("sweeping keeps busy groups")
        << u"sum"_qs << qint64(60000)
        << QByteArray(R"([["add","a",0,1,""],["add","b",0,1,""],["add","a",50000,2,""],["add","b",100000,4,""],)"
                      R"(["groups",2],["add","b",200000,8,""],["groups",1],["entries",1],["value","b",200000,8]])");
    QTest::newRow("distinct_count forgets keys that slid out")
        << u"distinct_count"_qs << qint64(1000)
        << QByteArray(R"([["add","a",0,0,"x"],["add","a",500,0,"y"],["add","a",1200,0,"x"],["value","a",1200,2],)"
                      R"(["add","a",1600,0,"z"],["value","a",1600,2],["entries",2]])");
}

void TestRules::slidingWindow()
{
    QFETCH(QString, aggregate);
    QFETCH(qint64, windowMs);
    QFETCH(QByteArray, steps);

    const int index = int(aggregateNames().indexOf(aggregate));
    QVERIFY(index >= 0);
    SlidingWindow window(Aggregate(index), windowMs);
    const QJsonArray list = json(steps).toArray();
    QVERIFY(!list.isEmpty());
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonArray step = list.at(i).toArray();
        const QString kind = step.at(0).toString();
        const QByteArray where = "step " + QByteArray::number(i) + ": " + compact(step);
        if (kind == u"add") {
            window.add(step.at(1).toString(), qint64(step.at(2).toDouble()), step.at(3).toDouble(), step.at(4).toString());
        } else if (kind == u"value") {
            const double actual = window.value(step.at(1).toString(), qint64(step.at(2).toDouble()));
            if (step.at(3).isNull()) {
                QVERIFY2(std::isnan(actual), where.constData());
            } else {
                QVERIFY2(!std::isnan(actual), where.constData());
                QVERIFY2(actual == step.at(3).toDouble(), (where + " got " + QByteArray::number(actual)).constData());
            }
        } else if (kind == u"groups") {
            QVERIFY2(window.groupCount() == step.at(1).toInt(),
                     (where + " got " + QByteArray::number(window.groupCount())).constData());
        } else if (kind == u"entries") {
            QVERIFY2(window.entryCount() == step.at(1).toInt(),
                     (where + " got " + QByteArray::number(window.entryCount())).constData());
        } else {
            QFAIL(where.constData());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Window rules through the engine. Events: {"src", "t" (seconds after T0), "f" (fields),
// "fire"}; all of the rule's alert type.

void TestRules::windowRule_data()
{
    QTest::addColumn<QByteArray>("rule");
    QTest::addColumn<QByteArray>("events");
    QTest::addColumn<int>("entriesAtEnd");

    const QByteArray failedLogins =
        R"({"name":"Brute force","alert_type":"SECURITY","severity":"HIGH","conditions":{"all":[)"
        R"({"field":"outcome","op":"eq","value":"failure"},)"
        R"({"aggregate":"count","group_by":"source_id","window":"5m","where":{"field":"outcome","op":"eq","value":"failure"},)"
        R"("op":"gt","value":10}]}})";
    QByteArray storm = "[";
    for (int i = 0; i < 10; ++i)
        storm += R"({"src":"h1","t":)" + QByteArray::number(i * 10) + R"(,"f":{"outcome":"failure"},"fire":false},)";
    QTest::newRow("more than 10 failed logins per source_id within 5 minutes")
        << failedLogins
        << QByteArray(storm + R"({"src":"h1","t":100,"f":{"outcome":"failure"},"fire":true},)"
                              R"({"src":"h1","t":110,"f":{"outcome":"failure"},"fire":true},)"
                              R"({"src":"h1","t":120,"f":{"outcome":"success"},"fire":false},)"
                              R"({"src":"h1","t":400,"f":{"outcome":"failure"},"fire":false},)"
                              R"({"src":"h1","t":401,"f":{"outcome":"failure"},"fire":false}])")
        << 3; // 110, 400, 401

    QByteArray interleaved = "[";
    for (int i = 0; i < 10; ++i) {
        interleaved += R"({"src":"h1","t":)" + QByteArray::number(i) + R"(,"f":{"outcome":"failure"},"fire":false},)";
        interleaved += R"({"src":"h2","t":)" + QByteArray::number(i) + R"(,"f":{"outcome":"failure"},"fire":false},)";
    }
    QTest::newRow("groups are independent")
        << failedLogins
        << QByteArray(interleaved + R"({"src":"h3","t":10,"f":{"outcome":"failure"},"fire":false},)"
                                    R"({"src":"h1","t":11,"f":{"outcome":"failure"},"fire":true},)"
                                    R"({"src":"h3","t":12,"f":{"outcome":"failure"},"fire":false},)"
                                    R"({"src":"h2","t":13,"f":{"outcome":"failure"},"fire":true}])")
        << 24;
    QTest::newRow("successes are not counted")
        << failedLogins
        << QByteArray(R"([{"src":"h1","t":0,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":1,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":2,"f":{"outcome":"success"},"fire":false},)"
                      R"({"src":"h1","t":3,"f":{"outcome":"success"},"fire":false},)"
                      R"({"src":"h1","t":4,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":5,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":6,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":7,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":8,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":9,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":10,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":11,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":12,"f":{"outcome":"failure"},"fire":true}])")
        << 11;
    QTest::newRow("a window alone fires on any event of a group over the threshold")
        << QByteArray(R"({"name":"Burst","alert_type":"SECURITY","severity":"HIGH","conditions":)"
                      R"({"aggregate":"count","group_by":"source_id","window":"1m","where":{"field":"outcome","op":"eq","value":"failure"},)"
                      R"("op":"ge","value":2}})")
        << QByteArray(R"([{"src":"h1","t":0,"f":{"outcome":"failure"},"fire":false},)"
                      R"({"src":"h1","t":1,"f":{"outcome":"success"},"fire":false},)"
                      R"({"src":"h1","t":2,"f":{"outcome":"failure"},"fire":true},)"
                      R"({"src":"h1","t":3,"f":{"outcome":"success"},"fire":true},)"
                      R"({"src":"h2","t":4,"f":{"outcome":"success"},"fire":false},)"
                      R"({"src":"h1","t":61,"f":{"outcome":"success"},"fire":false}])")
        << 1; // h1@2 (h1@0 slid out)
    QTest::newRow("late events count as of the group's newest time")
        << QByteArray(R"({"name":"Late","alert_type":"SECURITY","severity":"HIGH","conditions":)"
                      R"({"aggregate":"count","group_by":"source_id","window":"1m","op":"ge","value":3}})")
        << QByteArray(R"([{"src":"h1","t":100,"f":{},"fire":false},{"src":"h1","t":150,"f":{},"fire":false},)"
                      R"({"src":"h1","t":50,"f":{},"fire":true},{"src":"h1","t":205,"f":{},"fire":true},)"
                      R"({"src":"h1","t":211,"f":{},"fire":false}])")
        << 2;
    QTest::newRow("sum of amounts per account within an hour")
        << QByteArray(R"({"name":"Structuring","alert_type":"TRANSACTION","severity":"HIGH","conditions":)"
                      R"({"aggregate":"sum","field":"amount","group_by":"source_id","window":"1h","op":"gt","value":10000}})")
        << QByteArray(R"([{"src":"acct-1","t":0,"f":{"amount":4000},"fire":false},)"
                      R"({"src":"acct-1","t":600,"f":{"amount":4000},"fire":false},)"
                      R"({"src":"acct-2","t":700,"f":{"amount":9000},"fire":false},)"
                      R"({"src":"acct-1","t":1200,"f":{"amount":2500},"fire":true},)"
                      R"({"src":"acct-1","t":1300,"f":{"amount":"n/a"},"fire":true},)"
                      R"({"src":"acct-1","t":1400,"f":{},"fire":true},)"
                      R"({"src":"acct-1","t":3700,"f":{"amount":500},"fire":false}])")
        << 4; // acct-1: 600, 1200, 3700; acct-2: 700
    QTest::newRow("avg per source within 5 minutes")
        << QByteArray(R"({"name":"Hot CPU","alert_type":"SYSTEM","severity":"MEDIUM","conditions":)"
                      R"({"aggregate":"avg","field":"cpu","group_by":"source_id","window":"5m","op":"ge","value":90}})")
        << QByteArray(R"([{"src":"srv-1","t":0,"f":{"cpu":80},"fire":false},{"src":"srv-1","t":60,"f":{"cpu":100},"fire":true},)"
                      R"({"src":"srv-1","t":120,"f":{"cpu":95},"fire":true},{"src":"srv-2","t":130,"f":{},"fire":false},)"
                      R"({"src":"srv-1","t":400,"f":{"cpu":50},"fire":false}])")
        << 2;
    QTest::newRow("max within a minute")
        << QByteArray(R"({"name":"Slow","alert_type":"SYSTEM","severity":"LOW","conditions":)"
                      R"({"aggregate":"max","field":"latency_ms","window":"1m","op":"gt","value":1000}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{"latency_ms":500},"fire":false},{"src":"b","t":10,"f":{"latency_ms":1500},"fire":true},)"
                      R"({"src":"c","t":20,"f":{"latency_ms":200},"fire":true},{"src":"a","t":71,"f":{"latency_ms":300},"fire":false}])")
        << 2;
    QTest::newRow("min per warehouse within 10 minutes")
        << QByteArray(R"({"name":"Low stock","alert_type":"INVENTORY","severity":"MEDIUM","conditions":)"
                      R"({"aggregate":"min","field":"stock","group_by":"source_id","window":"10m","op":"lt","value":5}})")
        << QByteArray(R"([{"src":"wh-1","t":0,"f":{"stock":10},"fire":false},{"src":"wh-1","t":60,"f":{"stock":3},"fire":true},)"
                      R"({"src":"wh-2","t":61,"f":{"stock":4},"fire":true},{"src":"wh-1","t":100,"f":{"stock":8},"fire":true},)"
                      R"({"src":"wh-1","t":700,"f":{"stock":20},"fire":false}])")
        << 1; // wh-1@700; the sweep at 700 s dropped wh-2 (newest 61 s)
    QTest::newRow("distinct countries per account within an hour")
        << QByteArray(R"({"name":"Geo hopping","alert_type":"TRANSACTION","severity":"HIGH","conditions":)"
                      R"({"aggregate":"distinct_count","field":"geo.country","group_by":"source_id","window":"1h","op":"gt","value":2}})")
        << QByteArray(R"([{"src":"acct-1","t":0,"f":{"geo":{"country":"DE"}},"fire":false},)"
                      R"({"src":"acct-1","t":10,"f":{"geo":{"country":"DE"}},"fire":false},)"
                      R"({"src":"acct-1","t":20,"f":{"geo":{"country":"FR"}},"fire":false},)"
                      R"({"src":"acct-1","t":25,"f":{},"fire":false},)"
                      R"({"src":"acct-1","t":30,"f":{"geo":{"country":"US"}},"fire":true},)"
                      R"({"src":"acct-1","t":40,"f":{"geo":{"country":"DE"}},"fire":true},)"
                      R"({"src":"acct-1","t":3641,"f":{"geo":{"country":"DE"}},"fire":false}])")
        << 1;
    QTest::newRow("count of a field counts events that have it")
        << QByteArray(R"({"name":"Errors","alert_type":"SYSTEM","severity":"LOW","conditions":)"
                      R"({"aggregate":"count","field":"error_code","window":"1m","op":"gt","value":1}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{"error_code":500},"fire":false},{"src":"b","t":1,"f":{},"fire":false},)"
                      R"({"src":"c","t":2,"f":{"error_code":null},"fire":false},{"src":"d","t":3,"f":{"error_code":503},"fire":true}])")
        << 2;
    QTest::newRow("missing group_by value: not counted, condition false")
        << QByteArray(R"({"name":"Per user","alert_type":"SECURITY","severity":"LOW","conditions":)"
                      R"({"aggregate":"count","group_by":"fields.user","window":"1m","op":"ge","value":1}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{},"fire":false},{"src":"a","t":1,"f":{"user":null},"fire":false},)"
                      R"({"src":"a","t":2,"f":{"user":"bob"},"fire":true},{"src":"a","t":3,"f":{"user":7},"fire":true},)"
                      R"({"src":"a","t":4,"f":{},"fire":false}])")
        << 2;
    QTest::newRow("count between, inclusive")
        << QByteArray(R"({"name":"Between","alert_type":"SYSTEM","severity":"LOW","conditions":)"
                      R"({"aggregate":"count","window":"1m","op":"between","value":[2,3]}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{},"fire":false},{"src":"a","t":1,"f":{},"fire":true},)"
                      R"({"src":"a","t":2,"f":{},"fire":true},{"src":"a","t":3,"f":{},"fire":false}])")
        << 4;
    QTest::newRow("windows are fed even when a group short-circuits")
        << QByteArray(R"({"name":"VIP or busy","alert_type":"TRANSACTION","severity":"LOW","conditions":{"any":[)"
                      R"({"field":"vip","op":"eq","value":true},{"aggregate":"count","window":"1m","op":"ge","value":3}]}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{"vip":true},"fire":true},{"src":"a","t":1,"f":{"vip":true},"fire":true},)"
                      R"({"src":"a","t":2,"f":{"vip":false},"fire":true}])")
        << 3;
    QTest::newRow("window under not")
        << QByteArray(R"({"name":"Quiet","alert_type":"SYSTEM","severity":"LOW","conditions":{"not":)"
                      R"({"aggregate":"count","group_by":"source_id","window":"1m","op":"ge","value":2}}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{},"fire":true},{"src":"a","t":1,"f":{},"fire":false},)"
                      R"({"src":"a","t":100,"f":{},"fire":true}])")
        << 1;
    QTest::newRow("where with groups")
        << QByteArray(R"({"name":"Human failures","alert_type":"SECURITY","severity":"LOW","conditions":)"
                      R"({"aggregate":"count","window":"1m","op":"ge","value":2,"where":{"all":[)"
                      R"({"field":"outcome","op":"eq","value":"failure"},{"not":{"field":"user","op":"in","value":["svc"]}}]}}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{"outcome":"failure","user":"svc"},"fire":false},)"
                      R"({"src":"a","t":1,"f":{"outcome":"failure","user":"bob"},"fire":false},)"
                      R"({"src":"a","t":2,"f":{"outcome":"success","user":"bob"},"fire":false},)"
                      R"({"src":"a","t":3,"f":{"outcome":"failure"},"fire":true}])")
        << 2;
    QTest::newRow("two windows in one rule")
        << QByteArray(R"({"name":"Two","alert_type":"TRANSACTION","severity":"LOW","conditions":{"all":[)"
                      R"({"aggregate":"count","group_by":"source_id","window":"1m","op":"ge","value":2},)"
                      R"({"aggregate":"sum","field":"amount","group_by":"source_id","window":"10s","op":"gt","value":100}]}})")
        << QByteArray(R"([{"src":"a","t":0,"f":{"amount":90},"fire":false},{"src":"a","t":20,"f":{"amount":20},"fire":false},)"
                      R"({"src":"a","t":25,"f":{"amount":90},"fire":true}])")
        << 5;
}

void TestRules::windowRule()
{
    QFETCH(QByteArray, rule);
    QFETCH(QByteArray, events);
    QFETCH(int, entriesAtEnd);

    Rule r;
    QString error;
    QVERIFY2(parseRule(rule, &r, &error), qPrintable(error));
    RuleEngine engine;
    engine.setRules({r});
    const QJsonArray list = json(events).toArray();
    QVERIFY(!list.isEmpty());
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QJsonObject e = list.at(i).toObject();
        QList<RuleMatch> matches;
        engine.evaluate(makeEvent(r.alertType, e.value(u"src"_qs).toString(),
                                  kT0 + qint64(e.value(u"t"_qs).toDouble() * 1000), e.value(u"f"_qs).toObject(),
                                  u"e-%1"_qs.arg(i)),
                        &matches);
        const bool fired = !matches.isEmpty();
        QVERIFY2(fired == e.value(u"fire"_qs).toBool(),
                 qPrintable(u"event %1 %2: fired %3"_qs.arg(i).arg(QString::fromUtf8(compact(e))).arg(fired)));
    }
    QCOMPARE(engine.windowEntryCount(), qsizetype(entriesAtEnd));
}

// Memory: thousands of groups, then time moves on; one hot group stays within its window.
void TestRules::windowMemoryIsBounded_data()
{
    QTest::addColumn<QString>("aggregate");
    for (const QString &a : aggregateNames())
        QTest::newRow(qPrintable(a)) << a;
}

void TestRules::windowMemoryIsBounded()
{
    QFETCH(QString, aggregate);

    const QByteArray field = aggregate == u"count" ? QByteArray() : QByteArray(R"("field":"v",)");
    Rule rule;
    QString error;
    QVERIFY2(parseRule(R"({"name":"Mem","alert_type":"SYSTEM","severity":"LOW","conditions":{"aggregate":")"
                           + aggregate.toUtf8() + R"(",)" + field
                           + R"("group_by":"source_id","window":"5m","op":"gt","value":1e12}})",
                       &rule, &error),
             qPrintable(error));
    RuleEngine engine;
    engine.setRules({rule});
    QList<RuleMatch> matches;

    // 2000 sources within one minute: all held.
    for (int i = 0; i < 2000; ++i)
        engine.evaluate(makeEvent(EventType::System, u"src-%1"_qs.arg(i), kT0 + i * 30,
                                  QJsonObject{{u"v"_qs, i}}),
                        &matches);
    QCOMPARE(engine.windowEntryCount(), qsizetype(2000));

    // Ten minutes later one event: every idle group has been swept.
    engine.evaluate(makeEvent(EventType::System, u"late"_qs, kT0 + 600000, QJsonObject{{u"v"_qs, 1}}), &matches);
    QCOMPARE(engine.windowEntryCount(), qsizetype(1));

    // One hot source, one event a second for an hour: never more than 5 minutes of entries.
    qsizetype most = 0;
    for (int s = 0; s < 3600; ++s) {
        engine.evaluate(makeEvent(EventType::System, u"hot"_qs, kT0 + 700000 + s * 1000LL, QJsonObject{{u"v"_qs, s}}),
                        &matches);
        most = std::max(most, engine.windowEntryCount());
    }
    QCOMPARE(most, qsizetype(300));
    QCOMPARE(engine.windowEntryCount(), qsizetype(300));
    QCOMPARE(matches.size(), 0);

    // The same on a bare SlidingWindow: groups and entries.
    const int index = int(aggregateNames().indexOf(aggregate));
    SlidingWindow window(Aggregate(index), 300000);
    for (int i = 0; i < 2000; ++i)
        window.add(u"g%1"_qs.arg(i), kT0 + i * 30, i, u"k%1"_qs.arg(i % 7));
    QCOMPARE(window.groupCount(), 2000);
    QCOMPARE(window.entryCount(), qsizetype(2000));
    window.add(u"late"_qs, kT0 + 600000, 1, u"k"_qs);
    QCOMPARE(window.groupCount(), 1);
    QCOMPARE(window.entryCount(), qsizetype(1));
}

// ---------------------------------------------------------------------------------------------
// setRules: window state survives an edit that leaves id and conditions alone.

void TestRules::setRulesKeepsOrResetsWindows_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<int>("entriesAfter");
    QTest::addColumn<bool>("firesOnThird");
    QTest::addColumn<QString>("message");

    QTest::newRow("same rule again") << u"same"_qs << 2 << true << u"Burst from h1"_qs;
    QTest::newRow("message changed") << u"message"_qs << 2 << true << u"Edited: h1 burst"_qs;
    QTest::newRow("severity changed") << u"severity"_qs << 2 << true << u"Burst from h1"_qs;
    QTest::newRow("name and channels changed") << u"name"_qs << 2 << true << u"Burst from h1"_qs;
    QTest::newRow("another rule inserted before") << u"insert"_qs << 2 << true << u"Burst from h1"_qs;
    QTest::newRow("disabled: state kept, does not fire") << u"disable"_qs << 2 << false << QString();
    QTest::newRow("threshold changed: reset") << u"threshold"_qs << 0 << false << QString();
    QTest::newRow("window length changed: reset") << u"window"_qs << 0 << false << QString();
    QTest::newRow("group_by changed: reset") << u"group_by"_qs << 0 << false << QString();
    QTest::newRow("id changed: reset") << u"id"_qs << 0 << false << QString();
    QTest::newRow("unstored rule (id 0): reset") << u"id0"_qs << 0 << false << QString();
    QTest::newRow("rule removed") << u"remove"_qs << 0 << false << QString();
}

void TestRules::setRulesKeepsOrResetsWindows()
{
    QFETCH(QString, change);
    QFETCH(int, entriesAfter);
    QFETCH(bool, firesOnThird);
    QFETCH(QString, message);

    const auto make = [](const QByteArray &value, const QByteArray &window, const QByteArray &groupBy,
                         const QByteArray &extra) {
        Rule r;
        QString error;
        const QByteArray message = extra.contains("\"message\"") ? QByteArray() : QByteArray(R"(,"message":"Burst from {source_id}")");
        if (!parseRule(R"({"name":"Burst","alert_type":"SECURITY","severity":"HIGH",)"
                       R"("conditions":{"aggregate":"count","group_by":")" + groupBy + R"(","window":")" + window
                           + R"(","op":"ge","value":)" + value + "}" + message + extra + "}",
                       &r, &error))
            qFatal("%s", qPrintable(error));
        r.id = 7;
        return r;
    };
    const Rule base = make("3", "1m", "source_id", {});
    Pipeline pipeline;
    if (change == u"id0") {
        Rule unstored = base;
        unstored.id = 0;
        pipeline.setRules({unstored});
    } else {
        pipeline.setRules({base});
    }
    const auto event = [](int second) {
        return makeEvent(EventType::Security, u"h1"_qs, kT0 + second * 1000, {}, u"e-%1"_qs.arg(second));
    };
    QCOMPARE(pipeline.process({event(0), event(1)}).alerts.size(), 0);
    QCOMPARE(pipeline.windowEntryCount(), qsizetype(2));

    QList<Rule> next;
    if (change == u"same") {
        next = {base};
    } else if (change == u"message") {
        next = {make("3", "1m", "source_id", R"(,"message":"Edited: {source_id} burst")")};
    } else if (change == u"severity") {
        next = {make("3", "1m", "source_id", {})};
        next[0].severity = Severity::Critical;
    } else if (change == u"name") {
        next = {make("3", "1m", "source_id", R"(,"notification_channels":["SMS"])")};
        next[0].name = u"Renamed"_qs;
    } else if (change == u"insert") {
        Rule other = make("100", "1h", "source_type", {});
        other.id = 3;
        other.name = u"Other"_qs;
        next = {other, base};
    } else if (change == u"disable") {
        next = {base};
        next[0].enabled = false;
    } else if (change == u"threshold") {
        next = {make("4", "1m", "source_id", {})};
    } else if (change == u"window") {
        next = {make("3", "2m", "source_id", {})};
    } else if (change == u"group_by") {
        next = {make("3", "1m", "source_type", {})};
    } else if (change == u"id") {
        next = {base};
        next[0].id = 8;
    } else if (change == u"id0") {
        next = {base};
        next[0].id = 0;
    } else if (change == u"remove") {
        next = {};
    } else {
        QFAIL("unknown change");
    }
    pipeline.setRules(next);
    QCOMPARE(pipeline.windowEntryCount(), qsizetype(entriesAfter));

    const Decisions third = pipeline.process({event(2)});
    QCOMPARE(third.alerts.size(), firesOnThird ? 1 : 0);
    if (firesOnThird) {
        QCOMPARE(third.alerts.at(0).message, message);
        QCOMPARE(third.alerts.at(0).ruleId, next.last().id);
        QCOMPARE(third.alerts.at(0).ruleName, next.last().name);
        QCOMPARE(toString(third.alerts.at(0).severity), toString(next.last().severity));
    }
}

// ---------------------------------------------------------------------------------------------
// Which rules run: their alert type only, enabled only, in list order.

void TestRules::ruleSelection_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QString>("eventType");
    QTest::addColumn<QStringList>("fired");

    const auto r = [](const char *name, const char *type, const char *extra = "") {
        return QByteArray(R"({"name":")") + name + R"(","alert_type":")" + type
               + R"(","severity":"LOW","conditions":{"field":"amount","op":"gt","value":100})" + extra + "}";
    };
    QTest::newRow("its own type") << QByteArray("[" + r("Tx", "TRANSACTION") + "]") << u"TRANSACTION"_qs
                                  << QStringList{u"Tx"_qs};
    QTest::newRow("another type") << QByteArray("[" + r("Tx", "TRANSACTION") + "]") << u"SECURITY"_qs << QStringList();
    QTest::newRow("disabled") << QByteArray("[" + r("Tx", "TRANSACTION", R"(,"enabled":false)") + "]")
                              << u"TRANSACTION"_qs << QStringList();
    QTest::newRow("enabled explicitly") << QByteArray("[" + r("Tx", "TRANSACTION", R"(,"enabled":true)") + "]")
                                        << u"TRANSACTION"_qs << QStringList{u"Tx"_qs};
    const QByteArray mixed = "[" + r("A", "TRANSACTION") + "," + r("B", "SECURITY") + "," + r("C", "TRANSACTION") + ","
                             + r("D", "TRANSACTION", R"(,"enabled":false)") + "," + r("E", "INVENTORY") + ","
                             + r("F", "TRANSACTION") + "]";
    QTest::newRow("several, list order, TRANSACTION") << mixed << u"TRANSACTION"_qs
                                                      << QStringList{u"A"_qs, u"C"_qs, u"F"_qs};
    QTest::newRow("several, SECURITY") << mixed << u"SECURITY"_qs << QStringList{u"B"_qs};
    QTest::newRow("several, INVENTORY") << mixed << u"INVENTORY"_qs << QStringList{u"E"_qs};
    QTest::newRow("several, SYSTEM") << mixed << u"SYSTEM"_qs << QStringList();
    QTest::newRow("several, COMPLIANCE") << mixed << u"COMPLIANCE"_qs << QStringList();
}

void TestRules::ruleSelection()
{
    QFETCH(QByteArray, rules);
    QFETCH(QString, eventType);
    QFETCH(QStringList, fired);

    QList<Rule> list;
    QString error;
    QVERIFY2(Rule::listFromJson(rules, &list, &error), qPrintable(error));
    const auto type = eventTypeFromString(eventType);
    QVERIFY(type.has_value());
    RuleEngine engine;
    engine.setRules(list);
    QList<RuleMatch> matches;
    engine.evaluate(makeEvent(*type, u"s"_qs, kT0, QJsonObject{{u"amount"_qs, 500}}), &matches);
    QStringList names;
    for (const RuleMatch &m : std::as_const(matches))
        names << engine.rules().at(m.ruleIndex).name;
    QCOMPARE(names, fired);
}

// ---------------------------------------------------------------------------------------------
// Message templates

void TestRules::messageTemplate_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("rendered");

    QTest::newRow("placeholders") << u"Transfer of {fields.amount} {currency} from {source_id}"_qs
                                  << u"Transfer of 1500.5 EUR from acct-1"_qs;
    QTest::newRow("envelope") << u"{id} {type} {source_type} {source_id} {time}"_qs
                              << u"tx-42 TRANSACTION bank acct-1 2026-01-31T12:00:00.000Z"_qs;
    QTest::newRow("whole number") << u"{round}"_qs << u"2000"_qs;
    QTest::newRow("fraction") << u"{small}"_qs << u"0.1"_qs;
    QTest::newRow("negative") << u"{neg}"_qs << u"-3"_qs;
    QTest::newRow("huge") << u"{big}"_qs << u"1e+21"_qs;
    QTest::newRow("object as JSON") << u"geo={geo}"_qs << u"geo={\"city\":{\"name\":\"Berlin\"},\"country\":\"DE\"}"_qs;
    QTest::newRow("array as JSON") << u"{tags}"_qs << u"[\"vip\",\"new\",7,true]"_qs;
    QTest::newRow("array element") << u"{items.1.sku}"_qs << u"B2"_qs;
    QTest::newRow("booleans") << u"{flag}/{off}"_qs << u"true/false"_qs;
    QTest::newRow("null") << u"[{none}]"_qs << u"[null]"_qs;
    QTest::newRow("empty string") << u"[{empty}]"_qs << u"[]"_qs;
    QTest::newRow("missing") << u"user {user}"_qs << u"user <missing user>"_qs;
    QTest::newRow("missing nested") << u"{fields.geo.zip}"_qs << u"<missing fields.geo.zip>"_qs;
    QTest::newRow("missing index") << u"{items.5.sku}!"_qs << u"<missing items.5.sku>!"_qs;
    QTest::newRow("spaces inside braces") << u"{ source_id }/{ nope }"_qs << u"acct-1/<missing nope>"_qs;
    QTest::newRow("escaped braces") << u"{{literal}} and }} {{"_qs << u"{literal} and } {"_qs;
    QTest::newRow("escaped around a placeholder") << u"{{{source_id}}}"_qs << u"{acct-1}"_qs;
    QTest::newRow("lone closing brace") << u"100% } done"_qs << u"100% } done"_qs;
    QTest::newRow("no placeholders") << u"Plain text"_qs << u"Plain text"_qs;
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("non-ASCII") << u"Überweisung an {note}"_qs << u"Überweisung an wire transfer to Müller"_qs;
    QTest::newRow("same placeholder twice") << u"{currency}{currency}"_qs << u"EUREUR"_qs;
    QTest::newRow("fields.id and id") << u"{id}/{fields.id}"_qs << u"tx-42/{\"x\":1}"_qs;
}

void TestRules::messageTemplate()
{
    QFETCH(QString, text);
    QFETCH(QString, rendered);

    MessageTemplate t;
    QString error;
    QVERIFY2(MessageTemplate::parse(text, &t, &error), qPrintable(error));
    QCOMPARE(error, QString());
    QCOMPARE(t.text(), text);
    QCOMPARE(t.render(sampleEvent()), rendered);
}

void TestRules::messageTemplateRefused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    const QString unclosed = u"message template: '{' at position %1 is never closed (write {{ for a literal brace)"_qs;
    const QString notPath = u"message template: '{%1}' at position %2 is not a field path such as {source_id} or {fields.amount}"_qs;
    QTest::newRow("unclosed at start") << u"{unclosed"_qs << unclosed.arg(1);
    QTest::newRow("unclosed later") << u"Amount {amount"_qs << unclosed.arg(8);
    QTest::newRow("unclosed after an escape") << u"{{ {x"_qs << unclosed.arg(4);
    QTest::newRow("unclosed after a placeholder") << u"{id} {"_qs << unclosed.arg(6);
    QTest::newRow("empty placeholder") << u"a {} b"_qs << notPath.arg(QString()).arg(3);
    QTest::newRow("blank placeholder") << u"{  }"_qs << notPath.arg(QString()).arg(1);
    QTest::newRow("double dot") << u"{a..b}"_qs << notPath.arg(u"a..b"_qs).arg(1);
    QTest::newRow("trailing dot") << u"x {fields.}"_qs << notPath.arg(u"fields."_qs).arg(3);
}

void TestRules::messageTemplateRefused()
{
    QFETCH(QString, text);
    QFETCH(QString, error);

    MessageTemplate t;
    QString actual;
    QVERIFY(MessageTemplate::parse(u"{id}"_qs, &t, &actual));
    QVERIFY(!MessageTemplate::parse(text, &t, &actual));
    QCOMPARE(actual, error);
    QCOMPARE(t.text(), u"{id}"_qs); // untouched
}

// ---------------------------------------------------------------------------------------------
// Pipeline: alert drafts with rendered messages, event indexes and explanations.

void TestRules::pipeline_data()
{
    QTest::addColumn<QByteArray>("rules");
    QTest::addColumn<QByteArray>("events"); // [{id, type, src, t, f}]
    QTest::addColumn<QByteArray>("alerts");

    QTest::newRow("compare rule: only the matching event, explanation with actual values")
        << QByteArray(R"([{"name":"Large transfer","alert_type":"TRANSACTION","severity":"HIGH","conditions":{"all":[)"
                      R"({"field":"amount","op":"gt","value":1000},{"field":"geo.country","op":"in","value":["RU","KP"]},)"
                      R"({"not":{"field":"note","op":"contains","value":"salary"}}]},)"
                      R"("message":"Transfer of {amount} {currency} from {source_id} to {geo.country}",)"
                      R"("notification_channels":["EMAIL","WEBSOCKET"]}])")
        << QByteArray(R"([{"id":"e0","type":"TRANSACTION","src":"acct-1","t":0,"f":{"amount":50,"currency":"EUR","geo":{"country":"RU"}}},)"
                      R"({"id":"e1","type":"TRANSACTION","src":"acct-2","t":1,"f":{"amount":5000,"currency":"EUR","geo":{"country":"RU"},"note":"invoice 7"}},)"
                      R"({"id":"e2","type":"TRANSACTION","src":"acct-3","t":2,"f":{"amount":5000,"currency":"EUR","geo":{"country":"DE"}}},)"
                      R"({"id":"e3","type":"TRANSACTION","src":"acct-4","t":3,"f":{"amount":5000,"geo":{"country":"KP"},"note":"salary May"}},)"
                      R"({"id":"e4","type":"SECURITY","src":"acct-5","t":4,"f":{"amount":5000,"geo":{"country":"KP"}}},)"
                      R"({"id":"e5","type":"TRANSACTION","src":"acct-6","t":5,"f":{"amount":1000.5,"geo":{"country":"KP"}}}])")
        << QByteArray(R"([{"event":1,"rule_id":101,"rule":"Large transfer","severity":"HIGH","type":"TRANSACTION",)"
                      R"("message":"Transfer of 5000 EUR from acct-2 to RU","channels":["EMAIL","WEBSOCKET"],)"
                      R"("details":{"event_id":"e1","conditions":[)"
                      R"({"field":"amount","op":"gt","value":1000,"matched":true,"actual":5000},)"
                      R"({"field":"geo.country","op":"in","value":["RU","KP"],"matched":true,"actual":"RU"},)"
                      R"({"field":"note","op":"contains","value":"salary","matched":false,"actual":"invoice 7"}]}},)"
                      R"({"event":5,"rule_id":101,"rule":"Large transfer","severity":"HIGH","type":"TRANSACTION",)"
                      R"("message":"Transfer of 1000.5 <missing currency> from acct-6 to KP","channels":["EMAIL","WEBSOCKET"],)"
                      R"("details":{"event_id":"e5","conditions":[)"
                      R"({"field":"amount","op":"gt","value":1000,"matched":true,"actual":1000.5},)"
                      R"({"field":"geo.country","op":"in","value":["RU","KP"],"matched":true,"actual":"KP"},)"
                      R"({"field":"note","op":"contains","value":"salary","matched":false}]}}])");
    QTest::newRow("window and compare rules on the same events, list order per event")
        << QByteArray(R"([{"name":"Failures","alert_type":"SECURITY","severity":"CRITICAL","conditions":{"all":[)"
                      R"({"field":"outcome","op":"eq","value":"failure"},)"
                      R"({"aggregate":"count","group_by":"source_id","window":"5m","where":{"field":"outcome","op":"eq","value":"failure"},"op":"ge","value":2}]},)"
                      R"("message":"{count} failures? no: {source_id} user {user}"},)"
                      R"({"name":"Root","alert_type":"SECURITY","severity":"LOW","conditions":[{"field":"user","operator":"==","value":"root"}],)"
                      R"("message":"root on {source_id}"}])")
        << QByteArray(R"([{"id":"s0","type":"SECURITY","src":"h1","t":0,"f":{"outcome":"failure","user":"root"}},)"
                      R"({"id":"s1","type":"SECURITY","src":"h2","t":1,"f":{"outcome":"failure","user":"bob"}},)"
                      R"({"id":"s2","type":"SECURITY","src":"h1","t":2,"f":{"outcome":"failure","user":"root"}}])")
        << QByteArray(R"([{"event":0,"rule_id":102,"rule":"Root","severity":"LOW","type":"SECURITY","message":"root on h1","channels":[],)"
                      R"("details":{"event_id":"s0","conditions":[{"field":"user","op":"eq","value":"root","matched":true,"actual":"root"}]}},)"
                      R"({"event":2,"rule_id":101,"rule":"Failures","severity":"CRITICAL","type":"SECURITY",)"
                      R"("message":"<missing count> failures? no: h1 user root","channels":[],)"
                      R"("details":{"event_id":"s2","conditions":[)"
                      R"({"field":"outcome","op":"eq","value":"failure","matched":true,"actual":"failure"},)"
                      R"({"aggregate":"count","window":"5m","op":"ge","value":2,"matched":true,"group_by":"source_id","group":"h1","actual":2}]}},)"
                      R"({"event":2,"rule_id":102,"rule":"Root","severity":"LOW","type":"SECURITY","message":"root on h1","channels":[],)"
                      R"("details":{"event_id":"s2","conditions":[{"field":"user","op":"eq","value":"root","matched":true,"actual":"root"}]}}])");
    QTest::newRow("sum window explanation names the field")
        << QByteArray(R"([{"name":"Spend","alert_type":"TRANSACTION","severity":"MEDIUM","conditions":)"
                      R"({"aggregate":"sum","field":"amount","window":"1h","op":"gt","value":100}}])")
        << QByteArray(R"([{"id":"t0","type":"TRANSACTION","src":"a","t":0,"f":{"amount":60}},)"
                      R"({"id":"t1","type":"TRANSACTION","src":"b","t":10,"f":{"amount":60.25}}])")
        << QByteArray(R"([{"event":1,"rule_id":101,"rule":"Spend","severity":"MEDIUM","type":"TRANSACTION",)"
                      R"("message":"Spend: src b","channels":[],"details":{"event_id":"t1","conditions":[)"
                      R"({"aggregate":"sum","window":"1h","op":"gt","value":100,"matched":true,"field":"amount","actual":120.25}]}}])");
    QTest::newRow("explanations of values the text does not give as they stand")
        << QByteArray(R"([{"name":"Odd \"values\"","alert_type":"SYSTEM","severity":"LOW","conditions":{"all":[)"
                      R"({"field":"q","op":"exists","value":true},{"field":"big","op":"gt","value":0},)"
                      R"({"field":"ratio","op":"ge","value":0.5},{"field":"none","op":"exists","value":false},)"
                      R"({"field":"obj","op":"exists"},{"field":"flag","op":"ne","value":false},)"
                      R"({"field":"ü/\t","op":"exists","value":false},)"
                      R"({"aggregate":"sum","field":"n","group_by":"fields.q","window":"1h","op":"gt","value":999999}]},)"
                      R"("message":"m"}])")
        << QByteArray(R"([{"id":"o\"1\u0001","type":"SYSTEM","src":"a","t":0,)"
                      R"("f":{"q":"say \"hi\"\n\u0007ü","big":9007199254740993,"ratio":5.0,"none":null,)"
                      R"("obj":{"k":[1,2.5]},"flag":true,"n":1000000}}])")
        << QByteArray(R"([{"event":0,"rule_id":101,"rule":"Odd \"values\"","severity":"LOW","type":"SYSTEM","message":"m","channels":[],)"
                      R"("details":{"event_id":"o\"1\u0001","conditions":[)"
                      R"({"field":"q","op":"exists","value":true,"matched":true,"actual":"say \"hi\"\n\u0007ü"},)"
                      R"({"field":"big","op":"gt","value":0,"matched":true,"actual":9007199254740993},)"
                      R"({"field":"ratio","op":"ge","value":0.5,"matched":true,"actual":5},)"
                      R"({"field":"none","op":"exists","value":false,"matched":true,"actual":null},)"
                      R"({"field":"obj","op":"exists","value":null,"matched":true,"actual":{"k":[1,2.5]}},)"
                      R"({"field":"flag","op":"ne","value":false,"matched":true,"actual":true},)"
                      R"({"field":"ü/\t","op":"exists","value":false,"matched":true},)"
                      R"({"aggregate":"sum","window":"1h","op":"gt","value":999999,"matched":true,"field":"n",)"
                      R"("group_by":"fields.q","group":"say \"hi\"\n\u0007ü","actual":1000000}]}}])");
    QTest::newRow("no rules, no alerts")
        << QByteArray("[]") << QByteArray(R"([{"id":"x","type":"SYSTEM","src":"a","t":0,"f":{}}])") << QByteArray("[]");
    QTest::newRow("empty batch")
        << QByteArray(R"([{"name":"Any","alert_type":"SYSTEM","severity":"LOW","conditions":{"field":"id","op":"exists"}}])")
        << QByteArray("[]") << QByteArray("[]");
}

void TestRules::pipeline()
{
    QFETCH(QByteArray, rules);
    QFETCH(QByteArray, events);
    QFETCH(QByteArray, alerts);

    QList<Rule> list;
    QString error;
    QVERIFY2(Rule::listFromJson(rules, &list, &error), qPrintable(error));
    for (qsizetype i = 0; i < list.size(); ++i)
        list[i].id = 101 + i;
    Pipeline pipeline;
    pipeline.setRules(list);
    QCOMPARE(pipeline.rules().size(), list.size());

    EventBatch batch;
    const QJsonArray eventList = json(events).toArray();
    for (const QJsonValue &v : eventList) {
        const QJsonObject e = v.toObject();
        const auto type = eventTypeFromString(e.value(u"type"_qs).toString());
        QVERIFY(type.has_value());
        batch.append(makeEvent(*type, e.value(u"src"_qs).toString(), kT0 + qint64(e.value(u"t"_qs).toDouble() * 1000),
                               e.value(u"f"_qs).toObject(), e.value(u"id"_qs).toString()));
    }
    const Decisions decisions = pipeline.process(batch);
    QJsonArray actual;
    for (const AlertDraft &a : decisions.alerts) {
        // The details as QJsonDocument writes them, byte for byte.
        QCOMPARE(QJsonDocument::fromJson(a.detailsJson).toJson(QJsonDocument::Compact), a.detailsJson);
        actual.append(draftJson(a));
    }
    QCOMPARE(actual, json(alerts).toArray());
}

void TestRules::pipelineChunksOnWorkerDecideAsInline()
{
    // Batches of several rule chunks go to the rules' worker thread; the same events decided
    // on the caller's thread must give the same alerts, in the same order, batch after batch
    // (window state carries across chunks and batches).
    const QByteArray rules = R"([
        {"name":"Burst","alert_type":"SECURITY","severity":"HIGH","conditions":{"all":[
            {"field":"outcome","op":"eq","value":"failure"},
            {"aggregate":"count","group_by":"source_id","window":"1m","op":"ge","value":3}]},
         "message":"{source_id} failed {user}"},
        {"name":"Root","alert_type":"SECURITY","severity":"LOW","conditions":{"field":"user","op":"eq","value":"root"},
         "message":"root on {source_id}"},
        {"name":"Big","alert_type":"TRANSACTION","severity":"MEDIUM","conditions":{"field":"amount","op":"gt","value":900},
         "message":"{amount}"}])";
    QList<Rule> list;
    QString error;
    QVERIFY2(Rule::listFromJson(rules, &list, &error), qPrintable(error));
    Pipeline threaded;
    Pipeline inlineRules;
    inlineRules.setParallelRules(false);
    threaded.setParallelRules(true);
    threaded.setRules(list);
    inlineRules.setRules(list);

    int chunksSeen = 0;
    qint64 t = kT0;
    for (const int batchSize : {Pipeline::kRuleChunkEvents * 3 + 17, 5, int(Pipeline::kRuleChunkEvents), 1000}) {
        EventBatch batch;
        for (int i = 0; i < batchSize; ++i) {
            t += 37;
            const bool security = i % 3 != 0;
            batch.append(makeEvent(security ? EventType::Security : EventType::Transaction,
                                   u"h%1"_qs.arg(i % 7), t,
                                   security ? QJsonObject{{u"outcome"_qs, i % 4 ? u"failure"_qs : u"success"_qs},
                                                          {u"user"_qs, i % 11 ? u"bob"_qs : u"root"_qs}}
                                            : QJsonObject{{u"amount"_qs, (i * 37) % 1000}},
                                   u"e%1-%2"_qs.arg(batchSize).arg(i)));
        }
        const Decisions a = threaded.process(batch);
        const Decisions b = inlineRules.process(batch);
        QVERIFY(!a.alerts.isEmpty());
        QCOMPARE(a.alerts.size(), b.alerts.size());
        for (qsizetype i = 0; i < a.alerts.size(); ++i)
            QCOMPARE(draftJson(a.alerts.at(i)), draftJson(b.alerts.at(i)));
        for (qsizetype i = 1; i < a.alerts.size(); ++i)
            QVERIFY(a.alerts.at(i - 1).eventIndex <= a.alerts.at(i).eventIndex);
        chunksSeen += batchSize / Pipeline::kRuleChunkEvents;
    }
    QVERIFY(chunksSeen >= 7);
}

// Core only, no QGuiApplication: drop the "-platform offscreen" CTest passes to every test.
QTEST_GUILESS_MAIN(TestRules)

#include "tst_rules.moc"
