// The ingest wire format: what EventCodec accepts, what it rejects and how it says so.

#include "engine/events/event_codec.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace vigil::engine;

namespace {

// 2026-01-31T12:00:00Z: the "now" every decode in this file runs with.
constexpr qint64 kNow = 1769860800000;

QJsonValue parseJson(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson("[" + text + "]", &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in the test table: %s", text.constData());
    return doc.array().at(0);
}

// The canonical JSON of an accepted event (EventCodec::toJson's shape).
QJsonObject expectEvent(const QString &id, const QString &type, const QString &time, const QString &sourceType,
                  const QString &sourceId, const QByteArray &fields = "{}")
{
    return QJsonObject{{u"id"_qs, id},
                       {u"time"_qs, time},
                       {u"type"_qs, type},
                       {u"source_type"_qs, sourceType},
                       {u"source_id"_qs, sourceId},
                       {u"fields"_qs, parseJson(fields)}};
}

QJsonObject rejection(const QJsonValue &id, const QString &error)
{
    return QJsonObject{{u"id"_qs, id}, {u"error"_qs, error}};
}

const QJsonValue kNull(QJsonValue::Null);
const QString kNowText = u"2026-01-31T12:00:00.000Z"_qs;
const QString kTypes = u"TRANSACTION, INVENTORY, SECURITY, SYSTEM, COMPLIANCE"_qs;

// An event object with the given members replaced ("<drop>" removes one), as JSON text.
QByteArray eventText(const QJsonObject &overrides = {})
{
    QJsonObject o{{u"id"_qs, u"p1-1"_qs},
                  {u"time"_qs, u"2026-01-31T11:00:00Z"_qs},
                  {u"type"_qs, u"SECURITY"_qs},
                  {u"source_type"_qs, u"auth"_qs},
                  {u"source_id"_qs, u"host-1"_qs},
                  {u"fields"_qs, QJsonObject{{u"user"_qs, u"alice"_qs}}}};
    for (auto it = overrides.begin(); it != overrides.end(); ++it) {
        if (it.value() == QJsonValue(u"<drop>"_qs))
            o.remove(it.key());
        else
            o.insert(it.key(), it.value());
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject defaultEvent()
{
    return expectEvent(u"p1-1"_qs, u"SECURITY"_qs, u"2026-01-31T11:00:00.000Z"_qs, u"auth"_qs, u"host-1"_qs,
                 R"({"user":"alice"})");
}

QJsonObject defaultEventWith(const QString &key, const QJsonValue &value)
{
    QJsonObject o = defaultEvent();
    o.insert(key, value);
    return o;
}

// Everything a decode produced, byte for byte, to compare decode() with decodeGeneral().
QByteArray describe(const DecodedMessage &decoded)
{
    QJsonArray events;
    for (const Event &e : decoded.events) {
        QJsonObject o = EventCodec::toJson(e);
        o.insert(u"timeMs"_qs, QString::number(e.timeMs));
        o.insert(u"fieldsJson"_qs, QString::fromLatin1(e.fieldsJson().toHex()));
        events.append(o);
    }
    QJsonArray rejected;
    for (const Rejection &r : decoded.rejected)
        rejected.append(rejection(r.id, r.error));
    return QJsonDocument(QJsonObject{{u"events"_qs, events}, {u"rejected"_qs, rejected}}).toJson(QJsonDocument::Compact);
}

// A batch in the benchmark producer's shape, with some of everything around it.
QByteArray sampleBatch()
{
    return QByteArray(R"({"events":[)") + eventText() + "," + eventText({{u"id"_qs, u"p1-2"_qs}, {u"time"_qs, kNull}})
        + R"(, {"id":"p1-3","type":"TRANSACTION","source_type":"account","source_id":"acct-7","fields":)"
          R"({"amount":25000.25,"currency":"EUR","geo":{"country":"DE","list":[1,2.5e3,true,null,"x"]}}})"
        + "," + eventText({{u"type"_qs, u"NETWORK"_qs}}) + "," + eventText({{u"id"_qs, u"caf\u00e9"_qs}})
        + R"(,{"id":"p1-6","type":"SYSTEM","source_type":"host","source_id":"h","time":"2026-01-31T10:00:00.5+01:00"}]})";
}

} // namespace

class TestEventCodec : public QObject
{
    Q_OBJECT

private slots:
    void decode_data();
    void decode();
    void rejectsInvalidEvent_data();
    void rejectsInvalidEvent();
    void parseTime_data();
    void parseTime();
    void decodeEventPrefixesErrors_data();
    void decodeEventPrefixesErrors();
    void toJson_data();
    void toJson();
    void encodeReply_data();
    void encodeReply();
    void encodeReplyMatchesQJsonDocument();
    void fieldsTextAsSent_data();
    void fieldsTextAsSent();
    void fastAndGeneralAgree_data();
    void fastAndGeneralAgree();
    void fastAndGeneralAgreeOnMutatedMessages();
};

// Whole messages: the events they yield and the rejections, each list in message order.
void TestEventCodec::decode_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QJsonArray>("events");
    QTest::addColumn<QJsonArray>("rejected");

    QTest::newRow("single event") << eventText() << QJsonArray{defaultEvent()} << QJsonArray{};
    QTest::newRow("single event, whitespace around")
        << QByteArray("  \n" + eventText() + "\n ") << QJsonArray{defaultEvent()} << QJsonArray{};
    QTest::newRow("batch of one") << QByteArray(R"({"events":[)" + eventText() + "]}")
                                  << QJsonArray{defaultEvent()} << QJsonArray{};
    QTest::newRow("batch keeps order")
        << QByteArray(R"({"events":[)" + eventText({{u"id"_qs, u"b"_qs}}) + ","
                      + eventText({{u"id"_qs, u"a"_qs}}) + "," + eventText({{u"id"_qs, u"c"_qs}}) + "]}")
        << QJsonArray{defaultEventWith(u"id"_qs, u"b"_qs), defaultEventWith(u"id"_qs, u"a"_qs),
                      defaultEventWith(u"id"_qs, u"c"_qs)}
        << QJsonArray{};
    QTest::newRow("empty batch") << QByteArray(R"({"events":[]})") << QJsonArray{} << QJsonArray{};
    QTest::newRow("every event type")
        << QByteArray(R"({"events":[
              {"id":"t","type":"TRANSACTION","source_type":"bank","source_id":"acct-1","time":"2026-01-31T12:00:00Z"},
              {"id":"i","type":"INVENTORY","source_type":"wms","source_id":"wh-1","time":"2026-01-31T12:00:00Z"},
              {"id":"s","type":"SECURITY","source_type":"auth","source_id":"host-1","time":"2026-01-31T12:00:00Z"},
              {"id":"y","type":"SYSTEM","source_type":"node","source_id":"srv-1","time":"2026-01-31T12:00:00Z"},
              {"id":"c","type":"COMPLIANCE","source_type":"audit","source_id":"pol-1","time":"2026-01-31T12:00:00Z"}]})")
        << QJsonArray{expectEvent(u"t"_qs, u"TRANSACTION"_qs, kNowText, u"bank"_qs, u"acct-1"_qs),
                      expectEvent(u"i"_qs, u"INVENTORY"_qs, kNowText, u"wms"_qs, u"wh-1"_qs),
                      expectEvent(u"s"_qs, u"SECURITY"_qs, kNowText, u"auth"_qs, u"host-1"_qs),
                      expectEvent(u"y"_qs, u"SYSTEM"_qs, kNowText, u"node"_qs, u"srv-1"_qs),
                      expectEvent(u"c"_qs, u"COMPLIANCE"_qs, kNowText, u"audit"_qs, u"pol-1"_qs)}
        << QJsonArray{};

    // time
    QTest::newRow("time absent is now")
        << eventText({{u"time"_qs, u"<drop>"_qs}}) << QJsonArray{defaultEventWith(u"time"_qs, kNowText)}
        << QJsonArray{};
    QTest::newRow("time null is now")
        << eventText({{u"time"_qs, kNull}}) << QJsonArray{defaultEventWith(u"time"_qs, kNowText)}
        << QJsonArray{};
    QTest::newRow("time with offset is converted to UTC")
        << eventText({{u"time"_qs, u"2026-01-31T13:30:00+02:00"_qs}})
        << QJsonArray{defaultEventWith(u"time"_qs, u"2026-01-31T11:30:00.000Z"_qs)} << QJsonArray{};
    QTest::newRow("time with nanoseconds keeps milliseconds")
        << eventText({{u"time"_qs, u"2026-01-31T11:00:00.987654321Z"_qs}})
        << QJsonArray{defaultEventWith(u"time"_qs, u"2026-01-31T11:00:00.987Z"_qs)} << QJsonArray{};

    // fields
    QTest::newRow("fields absent is an empty object")
        << eventText({{u"fields"_qs, u"<drop>"_qs}}) << QJsonArray{defaultEventWith(u"fields"_qs, QJsonObject{})}
        << QJsonArray{};
    QTest::newRow("fields null is an empty object")
        << eventText({{u"fields"_qs, kNull}}) << QJsonArray{defaultEventWith(u"fields"_qs, QJsonObject{})}
        << QJsonArray{};
    const QByteArray nested =
        R"({"amount":1500.25,"geo":{"country":"DE","city":{"name":"Berlin","zip":"10115"}},)"
        R"("items":[{"sku":"A1","qty":2},{"sku":"B2","qty":1}],"flag":true,"none":null,"tags":["vip","new"]})";
    QTest::newRow("nested fields are preserved")
        << eventText({{u"fields"_qs, parseJson(nested)}}) << QJsonArray{defaultEventWith(u"fields"_qs, parseJson(nested))}
        << QJsonArray{};
    QTest::newRow("unknown envelope members are ignored")
        << eventText({{u"extra"_qs, 5}, {u"priority"_qs, u"high"_qs}}) << QJsonArray{defaultEvent()} << QJsonArray{};

    // lengths
    const QString id256(256, u'x');
    const QString id257(257, u'x');
    QTest::newRow("id of 256 characters is accepted")
        << eventText({{u"id"_qs, id256}}) << QJsonArray{defaultEventWith(u"id"_qs, id256)} << QJsonArray{};
    QTest::newRow("id of 257 characters is refused")
        << eventText({{u"id"_qs, id257}}) << QJsonArray{}
        << QJsonArray{rejection(id257, u"event.id: longer than 256 characters"_qs)};
    QTest::newRow("source_id of 256 characters is accepted")
        << eventText({{u"source_id"_qs, id256}}) << QJsonArray{defaultEventWith(u"source_id"_qs, id256)}
        << QJsonArray{};
    QTest::newRow("source_id of 257 characters is refused")
        << eventText({{u"source_id"_qs, id257}}) << QJsonArray{}
        << QJsonArray{rejection(u"p1-1"_qs, u"event.source_id: longer than 256 characters"_qs)};
    QTest::newRow("source_type of 257 characters is refused")
        << eventText({{u"source_type"_qs, id257}}) << QJsonArray{}
        << QJsonArray{rejection(u"p1-1"_qs, u"event.source_type: longer than 256 characters"_qs)};
    QTest::newRow("type of 65 characters is refused")
        << eventText({{u"type"_qs, QString(65, u'T')}}) << QJsonArray{}
        << QJsonArray{rejection(u"p1-1"_qs, u"event.type: longer than 64 characters"_qs)};

    // the message as a whole
    QTest::newRow("empty message") << QByteArray() << QJsonArray{}
                                   << QJsonArray{rejection(kNull, u"message is not valid JSON: illegal value at offset 0"_qs)};
    QTest::newRow("unterminated object")
        << QByteArray("{") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"message is not valid JSON: unterminated object at offset 1"_qs)};
    QTest::newRow("truncated batch")
        << QByteArray(R"({"events":[{"id":"a"},)") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"message is not valid JSON: unterminated array at offset 22"_qs)};
    QTest::newRow("garbage after the event")
        << QByteArray(R"({"id":"a","type":"SYSTEM"} trailing)") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"message is not valid JSON: garbage at the end of the document at offset 27"_qs)};
    const QString notObject = u"message must be a JSON object: one event or {\"events\": [...]}"_qs;
    QTest::newRow("top-level array") << QByteArray("[" + eventText() + "]") << QJsonArray{}
                                     << QJsonArray{rejection(kNull, notObject)};
    QTest::newRow("top-level empty array") << QByteArray("[]") << QJsonArray{} << QJsonArray{rejection(kNull, notObject)};
    QTest::newRow("top-level string")
        << QByteArray(R"("event")") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"message is not valid JSON: illegal value at offset 1"_qs)};
    QTest::newRow("top-level number")
        << QByteArray("42") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"message is not valid JSON: illegal value at offset 1"_qs)};
    QTest::newRow("events is a number")
        << QByteArray(R"({"events":5})") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"events: must be an array of event objects, got a number"_qs)};
    QTest::newRow("events is an object")
        << QByteArray(R"({"events":{"id":"a"}})") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"events: must be an array of event objects, got an object"_qs)};
    QTest::newRow("events is null")
        << QByteArray(R"({"events":null})") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"events: must be an array of event objects, got null"_qs)};
    QTest::newRow("events is a string")
        << QByteArray(R"({"events":"[]"})") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"events: must be an array of event objects, got a string"_qs)};
    QTest::newRow("an events member makes it a batch, other members are ignored")
        << QByteArray(R"({"id":"outer","type":"SYSTEM","source_type":"x","source_id":"y","events":[)" + eventText() + "]}")
        << QJsonArray{defaultEvent()} << QJsonArray{};
    QTest::newRow("elements that are not objects")
        << QByteArray(R"({"events":[1,"a",null,[],true]})") << QJsonArray{}
        << QJsonArray{rejection(kNull, u"events[0]: must be an event object, got a number"_qs),
                      rejection(kNull, u"events[1]: must be an event object, got a string"_qs),
                      rejection(kNull, u"events[2]: must be an event object, got null"_qs),
                      rejection(kNull, u"events[3]: must be an event object, got an array"_qs),
                      rejection(kNull, u"events[4]: must be an event object, got a boolean"_qs)};
    QTest::newRow("mixed valid and invalid events keep their order")
        << QByteArray(R"({"events":[)" + eventText({{u"id"_qs, u"ok-0"_qs}}) + ","
                      + eventText({{u"id"_qs, u"bad-1"_qs}, {u"source_id"_qs, u""_qs}}) + ",7,"
                      + eventText({{u"id"_qs, u"ok-3"_qs}, {u"time"_qs, u"<drop>"_qs}}) + ","
                      + eventText({{u"id"_qs, 4}}) + "," + eventText({{u"id"_qs, u"bad-5"_qs}, {u"type"_qs, u"NETWORK"_qs}})
                      + "," + eventText({{u"id"_qs, u"ok-6"_qs}}) + "]}")
        << QJsonArray{defaultEventWith(u"id"_qs, u"ok-0"_qs),
                      expectEvent(u"ok-3"_qs, u"SECURITY"_qs, kNowText, u"auth"_qs, u"host-1"_qs, R"({"user":"alice"})"),
                      defaultEventWith(u"id"_qs, u"ok-6"_qs)}
        << QJsonArray{rejection(u"bad-1"_qs, u"events[1].source_id: must not be empty"_qs),
                      rejection(kNull, u"events[2]: must be an event object, got a number"_qs),
                      rejection(kNull, u"events[4].id: must be a string, got a number"_qs),
                      rejection(u"bad-5"_qs, u"events[5].type: unknown event type 'NETWORK' (expected one of "_qs + kTypes + u")"_qs)};
    QTest::newRow("batch error names the element: events[2].type")
        << QByteArray(R"({"events":[)" + eventText({{u"id"_qs, u"a"_qs}}) + "," + eventText({{u"id"_qs, u"b"_qs}}) + ","
                      + eventText({{u"id"_qs, u"c"_qs}, {u"type"_qs, u"<drop>"_qs}}) + "]}")
        << QJsonArray{defaultEventWith(u"id"_qs, u"a"_qs), defaultEventWith(u"id"_qs, u"b"_qs)}
        << QJsonArray{rejection(u"c"_qs, u"events[2]: required field 'type' is missing"_qs)};
    QTest::newRow("duplicate ids within a message are both decoded (the store deduplicates)")
        << QByteArray(R"({"events":[)" + eventText() + "," + eventText() + "]}")
        << QJsonArray{defaultEvent(), defaultEvent()} << QJsonArray{};
}

void TestEventCodec::decode()
{
    QFETCH(QByteArray, message);
    QFETCH(QJsonArray, events);
    QFETCH(QJsonArray, rejected);

    const DecodedMessage decoded = EventCodec::decode(message, kNow);

    QJsonArray actualEvents;
    for (const Event &e : decoded.events) {
        actualEvents.append(EventCodec::toJson(e));
        // fieldsJson is fields as JSON text, made once for the store: the same object.
        QCOMPARE(QJsonDocument::fromJson(e.fieldsJson()).object(), e.fields());
    }
    QJsonArray actualRejected;
    for (const Rejection &r : decoded.rejected)
        actualRejected.append(rejection(r.id, r.error));

    QCOMPARE(actualEvents, events);
    QCOMPARE(actualRejected, rejected);
}

// One invalid member of an otherwise good event: the rejection's id and its exact message.
void TestEventCodec::rejectsInvalidEvent_data()
{
    QTest::addColumn<QJsonObject>("overrides");
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QString>("error");

    const QString p1 = u"p1-1"_qs;
    // id
    QTest::newRow("id missing") << QJsonObject{{u"id"_qs, u"<drop>"_qs}} << kNull
                                << u"event: required field 'id' is missing"_qs;
    QTest::newRow("id empty") << QJsonObject{{u"id"_qs, u""_qs}} << QJsonValue(u""_qs)
                              << u"event.id: must not be empty"_qs;
    QTest::newRow("id number") << QJsonObject{{u"id"_qs, 17}} << kNull << u"event.id: must be a string, got a number"_qs;
    QTest::newRow("id null") << QJsonObject{{u"id"_qs, kNull}} << kNull << u"event.id: must be a string, got null"_qs;
    QTest::newRow("id boolean") << QJsonObject{{u"id"_qs, true}} << kNull << u"event.id: must be a string, got a boolean"_qs;
    QTest::newRow("id array") << QJsonObject{{u"id"_qs, QJsonArray{u"a"_qs}}} << kNull
                              << u"event.id: must be a string, got an array"_qs;
    QTest::newRow("id object") << QJsonObject{{u"id"_qs, QJsonObject{{u"v"_qs, u"a"_qs}}}} << kNull
                               << u"event.id: must be a string, got an object"_qs;
    // type
    QTest::newRow("type missing") << QJsonObject{{u"type"_qs, u"<drop>"_qs}} << QJsonValue(p1)
                                  << u"event: required field 'type' is missing"_qs;
    QTest::newRow("type empty") << QJsonObject{{u"type"_qs, u""_qs}} << QJsonValue(p1) << u"event.type: must not be empty"_qs;
    QTest::newRow("type number") << QJsonObject{{u"type"_qs, 2}} << QJsonValue(p1)
                                 << u"event.type: must be a string, got a number"_qs;
    QTest::newRow("type unknown") << QJsonObject{{u"type"_qs, u"NETWORK"_qs}} << QJsonValue(p1)
                                  << u"event.type: unknown event type 'NETWORK' (expected one of "_qs + kTypes + u")"_qs;
    QTest::newRow("type in lower case is unknown")
        << QJsonObject{{u"type"_qs, u"security"_qs}} << QJsonValue(p1)
        << u"event.type: unknown event type 'security' (expected one of "_qs + kTypes + u")"_qs;
    // source_type, source_id
    QTest::newRow("source_type missing") << QJsonObject{{u"source_type"_qs, u"<drop>"_qs}} << QJsonValue(p1)
                                         << u"event: required field 'source_type' is missing"_qs;
    QTest::newRow("source_type empty") << QJsonObject{{u"source_type"_qs, u""_qs}} << QJsonValue(p1)
                                       << u"event.source_type: must not be empty"_qs;
    QTest::newRow("source_type object") << QJsonObject{{u"source_type"_qs, QJsonObject{}}} << QJsonValue(p1)
                                        << u"event.source_type: must be a string, got an object"_qs;
    QTest::newRow("source_id missing") << QJsonObject{{u"source_id"_qs, u"<drop>"_qs}} << QJsonValue(p1)
                                       << u"event: required field 'source_id' is missing"_qs;
    QTest::newRow("source_id empty") << QJsonObject{{u"source_id"_qs, u""_qs}} << QJsonValue(p1)
                                     << u"event.source_id: must not be empty"_qs;
    QTest::newRow("source_id number") << QJsonObject{{u"source_id"_qs, 42}} << QJsonValue(p1)
                                      << u"event.source_id: must be a string, got a number"_qs;
    QTest::newRow("source_id null") << QJsonObject{{u"source_id"_qs, kNull}} << QJsonValue(p1)
                                    << u"event.source_id: must be a string, got null"_qs;
    // time
    const QString timeType = u"event.time: must be an RFC 3339 string such as 2026-01-31T12:00:00Z, got "_qs;
    QTest::newRow("time number") << QJsonObject{{u"time"_qs, 1769860800}} << QJsonValue(p1) << timeType + u"a number"_qs;
    QTest::newRow("time boolean") << QJsonObject{{u"time"_qs, false}} << QJsonValue(p1) << timeType + u"a boolean"_qs;
    QTest::newRow("time object") << QJsonObject{{u"time"_qs, QJsonObject{}}} << QJsonValue(p1) << timeType + u"an object"_qs;
    const auto badTime = [](const QString &t) {
        return u"event.time: '"_qs + t + u"' is not an RFC 3339 time such as 2026-01-31T12:00:00Z"_qs;
    };
    for (const QString &t : {u""_qs, u"2026-01-31"_qs, u"2026-01-31T12:00:00"_qs, u"2026-01-31T12:00Z"_qs,
                             u"2026-01-31T12:00:00+0200"_qs, u"2026-01-31T12:00:00 Z"_qs, u"31/01/2026 12:00:00Z"_qs,
                             u"2026-13-01T12:00:00Z"_qs, u"2026-02-30T12:00:00Z"_qs, u"2026-01-31T12:60:00Z"_qs,
                             u"2026-01-31T12:00:00.Z"_qs, u"1769860800"_qs, u"yesterday"_qs}) {
        QTest::addRow("time '%s'", qPrintable(t)) << QJsonObject{{u"time"_qs, t}} << QJsonValue(p1) << badTime(t);
    }
    const QString longTime = u"2026-01-31T12:00:00Z"_qs + QString(100, u'9');
    QTest::newRow("bad long time is quoted to 64 characters")
        << QJsonObject{{u"time"_qs, longTime}} << QJsonValue(p1) << badTime(longTime.left(64));
    // fields
    QTest::newRow("fields array") << QJsonObject{{u"fields"_qs, QJsonArray{1, 2}}} << QJsonValue(p1)
                                  << u"event.fields: must be an object, got an array"_qs;
    QTest::newRow("fields string") << QJsonObject{{u"fields"_qs, u"{}"_qs}} << QJsonValue(p1)
                                   << u"event.fields: must be an object, got a string"_qs;
    QTest::newRow("fields number") << QJsonObject{{u"fields"_qs, 0}} << QJsonValue(p1)
                                   << u"event.fields: must be an object, got a number"_qs;
    QTest::newRow("fields boolean") << QJsonObject{{u"fields"_qs, true}} << QJsonValue(p1)
                                    << u"event.fields: must be an object, got a boolean"_qs;
    // several problems: the first in envelope order is reported
    QTest::newRow("type and source_id wrong: type is reported")
        << QJsonObject{{u"type"_qs, u"X"_qs}, {u"source_id"_qs, 1}} << QJsonValue(p1)
        << u"event.type: unknown event type 'X' (expected one of "_qs + kTypes + u")"_qs;
    QTest::newRow("id and time wrong: id is reported")
        << QJsonObject{{u"id"_qs, 1}, {u"time"_qs, u"now"_qs}} << kNull << u"event.id: must be a string, got a number"_qs;
    QTest::newRow("time and fields wrong: time is reported")
        << QJsonObject{{u"time"_qs, u"now"_qs}, {u"fields"_qs, 1}} << QJsonValue(p1) << badTime(u"now"_qs);
}

void TestEventCodec::rejectsInvalidEvent()
{
    QFETCH(QJsonObject, overrides);
    QFETCH(QJsonValue, id);
    QFETCH(QString, error);

    // Alone...
    const DecodedMessage single = EventCodec::decode(eventText(overrides), kNow);
    QCOMPARE(single.events.size(), 0);
    QCOMPARE(single.rejected.size(), 1);
    QCOMPARE(single.rejected.at(0).id, id);
    QCOMPARE(single.rejected.at(0).error, error);

    // ...and as the second element of a batch, between two good events.
    const QByteArray batch = R"({"events":[)" + eventText({{u"id"_qs, u"before"_qs}}) + "," + eventText(overrides) + ","
                             + eventText({{u"id"_qs, u"after"_qs}}) + "]}";
    const DecodedMessage decoded = EventCodec::decode(batch, kNow);
    QCOMPARE(decoded.events.size(), 2);
    QCOMPARE(decoded.events.at(0).id, u"before"_qs);
    QCOMPARE(decoded.events.at(1).id, u"after"_qs);
    QCOMPARE(decoded.rejected.size(), 1);
    QCOMPARE(decoded.rejected.at(0).id, id);
    QString inBatch = error;
    inBatch.replace(0, 5, u"events[1]"_qs); // "event" -> "events[1]"
    QCOMPARE(decoded.rejected.at(0).error, inBatch);
}

void TestEventCodec::parseTime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("timeMs");

    const qint64 noon = kNow; // 2026-01-31T12:00:00Z
    QTest::newRow("Z") << u"2026-01-31T12:00:00Z"_qs << true << noon;
    QTest::newRow("lowercase z") << u"2026-01-31T12:00:00z"_qs << true << noon;
    QTest::newRow("lowercase t and z") << u"2026-01-31t12:00:00z"_qs << true << noon;
    QTest::newRow("space separator") << u"2026-01-31 12:00:00Z"_qs << true << noon;
    QTest::newRow("+00:00") << u"2026-01-31T12:00:00+00:00"_qs << true << noon;
    QTest::newRow("-00:00") << u"2026-01-31T12:00:00-00:00"_qs << true << noon;
    QTest::newRow("+02:00") << u"2026-01-31T14:00:00+02:00"_qs << true << noon;
    QTest::newRow("-05:30") << u"2026-01-31T06:30:00-05:30"_qs << true << noon;
    QTest::newRow("+23:59") << u"2026-01-31T12:00:00+23:59"_qs << true << noon - (23 * 60 + 59) * 60000LL;
    QTest::newRow("offset crosses the date") << u"2026-02-01T01:00:00+13:00"_qs << true << noon;
    QTest::newRow("fraction of 1 digit") << u"2026-01-31T12:00:00.5Z"_qs << true << noon + 500;
    QTest::newRow("fraction of 2 digits") << u"2026-01-31T12:00:00.05Z"_qs << true << noon + 50;
    QTest::newRow("fraction of 3 digits") << u"2026-01-31T12:00:00.123Z"_qs << true << noon + 123;
    QTest::newRow("fraction of 4 digits is truncated") << u"2026-01-31T12:00:00.1239Z"_qs << true << noon + 123;
    QTest::newRow("fraction of 6 digits") << u"2026-01-31T12:00:00.999999Z"_qs << true << noon + 999;
    QTest::newRow("fraction of 9 digits") << u"2026-01-31T12:00:00.123456789Z"_qs << true << noon + 123;
    QTest::newRow("fraction with offset") << u"2026-01-31T14:00:00.250+02:00"_qs << true << noon + 250;
    QTest::newRow("long fraction with offset") << u"2026-01-31T14:00:00.250999+02:00"_qs << true << noon + 250;
    QTest::newRow("epoch") << u"1970-01-01T00:00:00Z"_qs << true << qint64(0);
    QTest::newRow("leap day") << u"2024-02-29T00:00:00Z"_qs << true << qint64(1709164800000);

    QTest::newRow("empty") << QString() << false << qint64(0);
    QTest::newRow("date only") << u"2026-01-31"_qs << false << qint64(0);
    QTest::newRow("no zone") << u"2026-01-31T12:00:00"_qs << false << qint64(0);
    QTest::newRow("no seconds") << u"2026-01-31T12:00Z"_qs << false << qint64(0);
    QTest::newRow("offset without colon") << u"2026-01-31T12:00:00+0200"_qs << false << qint64(0);
    QTest::newRow("offset hours only") << u"2026-01-31T12:00:00+02"_qs << false << qint64(0);
    QTest::newRow("fraction of 10 digits") << u"2026-01-31T12:00:00.1234567890Z"_qs << false << qint64(0);
    QTest::newRow("empty fraction") << u"2026-01-31T12:00:00.Z"_qs << false << qint64(0);
    QTest::newRow("comma fraction") << u"2026-01-31T12:00:00,5Z"_qs << false << qint64(0);
    QTest::newRow("other separator") << u"2026-01-31X12:00:00Z"_qs << false << qint64(0);
    QTest::newRow("month 13") << u"2026-13-01T12:00:00Z"_qs << false << qint64(0);
    QTest::newRow("February 30") << u"2026-02-30T12:00:00Z"_qs << false << qint64(0);
    QTest::newRow("February 29 of a common year") << u"2026-02-29T12:00:00Z"_qs << false << qint64(0);
    QTest::newRow("minute 60") << u"2026-01-31T12:60:00Z"_qs << false << qint64(0);
    QTest::newRow("hour 25") << u"2026-01-31T25:00:00Z"_qs << false << qint64(0);
    QTest::newRow("offset +24:00") << u"2026-01-31T12:00:00+24:00"_qs << false << qint64(0);
    QTest::newRow("offset minutes 60") << u"2026-01-31T12:00:00+02:60"_qs << false << qint64(0);
    QTest::newRow("leading space") << u" 2026-01-31T12:00:00Z"_qs << false << qint64(0);
    QTest::newRow("trailing space") << u"2026-01-31T12:00:00Z "_qs << false << qint64(0);
    QTest::newRow("two-digit year") << u"26-01-31T12:00:00Z"_qs << false << qint64(0);
    QTest::newRow("epoch seconds") << u"1769860800"_qs << false << qint64(0);
}

void TestEventCodec::parseTime()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qint64, timeMs);

    qint64 parsed = -12345;
    QCOMPARE(EventCodec::parseTime(text, &parsed), ok);
    QCOMPARE(parsed, ok ? timeMs : qint64(-12345)); // untouched on failure
}

void TestEventCodec::decodeEventPrefixesErrors_data()
{
    QTest::addColumn<QString>("where");
    QTest::addColumn<QJsonObject>("overrides");
    QTest::addColumn<QString>("error");

    QTest::newRow("events[3] missing id") << u"events[3]"_qs << QJsonObject{{u"id"_qs, u"<drop>"_qs}}
                                          << u"events[3]: required field 'id' is missing"_qs;
    QTest::newRow("events[12] bad source_type") << u"events[12]"_qs << QJsonObject{{u"source_type"_qs, 1}}
                                                << u"events[12].source_type: must be a string, got a number"_qs;
    QTest::newRow("custom place bad fields") << u"batch 7, event 2"_qs << QJsonObject{{u"fields"_qs, kNull}, {u"time"_qs, 5}}
                                             << u"batch 7, event 2.time: must be an RFC 3339 string such as "
                                                "2026-01-31T12:00:00Z, got a number"_qs;
    QTest::newRow("valid") << u"events[0]"_qs << QJsonObject{} << QString();
}

void TestEventCodec::decodeEventPrefixesErrors()
{
    QFETCH(QString, where);
    QFETCH(QJsonObject, overrides);
    QFETCH(QString, error);

    const QJsonObject object = QJsonDocument::fromJson(eventText(overrides)).object();
    Event e;
    QString actualError;
    QCOMPARE(EventCodec::decodeEvent(object, kNow, where, &e, &actualError), error.isEmpty());
    QCOMPARE(actualError, error);
    if (error.isEmpty()) {
        QCOMPARE(e.id, u"p1-1"_qs);
        QCOMPARE(toString(e.type), u"SECURITY"_qs);
        QCOMPARE(e.sourceType, u"auth"_qs);
        QCOMPARE(e.sourceId, u"host-1"_qs);
        QCOMPARE(e.timeMs, kNow - 3600000);
        QCOMPARE(e.fields(), (QJsonObject{{u"user"_qs, u"alice"_qs}}));
        QCOMPARE(e.fieldsJson(), QByteArray(R"({"user":"alice"})"));
    }
}

void TestEventCodec::toJson_data()
{
    QTest::addColumn<qint64>("timeMs");
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<QByteArray>("json");

    QTest::newRow("transaction") << kNow + 7 << int(EventType::Transaction) << QByteArray(R"({"amount":12.5})")
                                 << QByteArray(R"({"fields":{"amount":12.5},"id":"e-1","source_id":"s-1",)"
                                               R"("source_type":"bank","time":"2026-01-31T12:00:00.007Z","type":"TRANSACTION"})");
    QTest::newRow("compliance, empty fields, epoch")
        << qint64(0) << int(EventType::Compliance) << QByteArray("{}")
        << QByteArray(R"({"fields":{},"id":"e-1","source_id":"s-1","source_type":"bank","time":"1970-01-01T00:00:00.000Z",)"
                      R"("type":"COMPLIANCE"})");
}

void TestEventCodec::toJson()
{
    QFETCH(qint64, timeMs);
    QFETCH(int, type);
    QFETCH(QByteArray, fields);
    QFETCH(QByteArray, json);

    Event e;
    e.id = u"e-1"_qs;
    e.timeMs = timeMs;
    e.type = EventType(type);
    e.sourceType = u"bank"_qs;
    e.sourceId = u"s-1"_qs;
    e.setFields(QJsonDocument::fromJson(fields).object());
    QCOMPARE(QJsonDocument(EventCodec::toJson(e)).toJson(QJsonDocument::Compact), json);

    // What toJson writes, decode reads back to the same event.
    const DecodedMessage back = EventCodec::decode(json, kNow);
    QCOMPARE(back.rejected.size(), 0);
    QCOMPARE(back.events.size(), 1);
    QCOMPARE(EventCodec::toJson(back.events.at(0)), EventCodec::toJson(e));
}

void TestEventCodec::encodeReply_data()
{
    QTest::addColumn<QStringList>("accepted");
    QTest::addColumn<QStringList>("duplicates");
    QTest::addColumn<QJsonArray>("rejected");
    QTest::addColumn<QByteArray>("reply");

    QTest::newRow("nothing") << QStringList() << QStringList() << QJsonArray{}
                             << QByteArray(R"({"accepted":[],"duplicates":[],"rejected":[]})");
    QTest::newRow("accepted only") << QStringList{u"p1-1"_qs, u"p1-2"_qs} << QStringList() << QJsonArray{}
                                   << QByteArray(R"({"accepted":["p1-1","p1-2"],"duplicates":[],"rejected":[]})");
    QTest::newRow("duplicates only") << QStringList() << QStringList{u"p1-1"_qs} << QJsonArray{}
                                     << QByteArray(R"({"accepted":[],"duplicates":["p1-1"],"rejected":[]})");
    QTest::newRow("all three, order kept")
        << QStringList{u"b"_qs, u"a"_qs} << QStringList{u"z"_qs, u"y"_qs}
        << QJsonArray{rejection(u"c"_qs, u"events[2].type: missing"_qs),
                      rejection(kNull, u"events[3]: must be an event object, got a number"_qs)}
        << QByteArray(R"({"accepted":["b","a"],"duplicates":["z","y"],"rejected":[)"
                      R"({"error":"events[2].type: missing","id":"c"},)"
                      R"({"error":"events[3]: must be an event object, got a number","id":null}]})");
    QTest::newRow("quotes and non-ASCII are escaped as JSON")
        << QStringList{u"id \"quoted\""_qs} << QStringList{u"Zürich-1"_qs}
        << QJsonArray{rejection(kNull, u"message is not valid JSON: unterminated object at offset 1"_qs)}
        << QByteArray("{\"accepted\":[\"id \\\"quoted\\\"\"],\"duplicates\":[\"Z\xc3\xbcrich-1\"],\"rejected\":["
                      "{\"error\":\"message is not valid JSON: unterminated object at offset 1\",\"id\":null}]}");
    QTest::newRow("backslash, control characters and a quote at the start")
        << QStringList{u"a\\b"_qs, u"tab\there"_qs, u"\"x"_qs, u"bell\u0007"_qs} << QStringList() << QJsonArray{}
        << QByteArray(R"({"accepted":["a\\b","tab\there","\"x","bell\u0007"],"duplicates":[],"rejected":[]})");
}

void TestEventCodec::encodeReply()
{
    QFETCH(QStringList, accepted);
    QFETCH(QStringList, duplicates);
    QFETCH(QJsonArray, rejected);
    QFETCH(QByteArray, reply);

    QList<Rejection> rejections;
    for (const QJsonValue &r : std::as_const(rejected))
        rejections.append({r.toObject().value(u"id"_qs), r.toObject().value(u"error"_qs).toString()});
    const QByteArray actual = EventCodec::encodeReply(accepted, duplicates, rejections);
    QCOMPARE(actual, reply);
    // One line: a reply is one WebSocket text frame, compact JSON.
    QVERIFY(!actual.contains('\n'));
}

void TestEventCodec::encodeReplyMatchesQJsonDocument()
{
    // Every character a producer id may hold: the hand-written reply is byte for byte the
    // compact QJsonDocument of the same object.
    QStringList ids;
    for (char16_t c = 1; c < 0x300; ++c)
        ids << u"id-"_qs + QChar(c) + u"-end"_qs;
    ids << u"\U0001F600 emoji"_qs << QString() << u"plain"_qs;
    const QByteArray actual = EventCodec::encodeReply(ids, ids.mid(0, 10), {});
    const QJsonObject expected{{u"accepted"_qs, QJsonArray::fromStringList(ids)},
                               {u"duplicates"_qs, QJsonArray::fromStringList(ids.mid(0, 10))},
                               {u"rejected"_qs, QJsonArray()}};
    QCOMPARE(actual, QJsonDocument(expected).toJson(QJsonDocument::Compact));
}

void TestEventCodec::fieldsTextAsSent_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QList<QByteArray>>("fieldsJson");

    const QByteArray head = R"("id":"e1","type":"SYSTEM","source_type":"s","source_id":"h")";
    QTest::newRow("single event, spaces and newlines between tokens dropped")
        << QByteArray("{" + head + ", \"fields\" : {\n  \"a\" : [1, 2 ],\t\"b\": {\"c\": \"x y\"} } }")
        << QList<QByteArray>{R"({"a":[1,2],"b":{"c":"x y"}})"};
    QTest::newRow("numbers are kept as written")
        << QByteArray("{" + head + R"(,"fields":{"amount":1.50,"n":1e3}})")
        << QList<QByteArray>{R"({"amount":1.50,"n":1e3})"};
    QTest::newRow("escapes that JSON writers keep stay as sent")
        << QByteArray("{" + head + R"(,"fields":{"q":"say \"hi\"\n","p":"a\\b"}})")
        << QList<QByteArray>{R"({"q":"say \"hi\"\n","p":"a\\b"})"};
    QTest::newRow("a \\u escape is decoded (the stored text holds the character)")
        << QByteArray("{" + head + R"(,"fields":{"city":"Z\u00fcrich"}})")
        << QList<QByteArray>{"{\"city\":\"Z\xc3\xbcrich\"}"};
    QTest::newRow("a \\/ escape is decoded")
        << QByteArray("{" + head + R"(,"fields":{"path":"a\/b"}})")
        << QList<QByteArray>{R"({"path":"a/b"})"};
    QTest::newRow("fields named twice: what the parser kept")
        << QByteArray("{" + head + R"(,"fields":{"a":1},"fields":{"b":2}})")
        << QList<QByteArray>{QJsonDocument(QJsonDocument::fromJson("{" + head + R"(,"fields":{"a":1},"fields":{"b":2}})")
                                               .object().value(u"fields"_qs).toObject()).toJson(QJsonDocument::Compact)};
    QTest::newRow("a key spelt with escapes")
        << QByteArray("{" + head + R"(,"fi\u0065lds":{"a":  1}})")
        << QList<QByteArray>{R"({"a":1})"};
    QTest::newRow("a nested fields key is not the event's")
        << QByteArray("{" + head + R"(,"fields":{"fields":{"x":1}, "y":[{"fields":2}]}})")
        << QList<QByteArray>{R"({"fields":{"x":1},"y":[{"fields":2}]})"};
    QTest::newRow("no fields: an empty object")
        << QByteArray("{" + head + "}") << QList<QByteArray>{"{}"};
    QTest::newRow("batch: each event its own text, other elements skipped")
        << QByteArray(R"({"note":{"events":[]},"events":[{"id":"a","type":"SYSTEM","source_type":"s","source_id":"h","fields":{"k": "v,]}"}}, 7, )"
                      R"({"fields": { "n" : [ {"m":null} ] },"id":"b","type":"SYSTEM","source_type":"s","source_id":"h"}]})")
        << QList<QByteArray>{R"({"k":"v,]}"})", R"({"n":[{"m":null}]})"};
}

void TestEventCodec::fieldsTextAsSent()
{
    QFETCH(QByteArray, message);
    QFETCH(QList<QByteArray>, fieldsJson);

    const DecodedMessage decoded = EventCodec::decode(message, kNow);
    QCOMPARE(decoded.events.size(), fieldsJson.size());
    for (qsizetype i = 0; i < fieldsJson.size(); ++i) {
        const Event &e = decoded.events.at(i);
        QCOMPARE(e.fieldsJson(), fieldsJson.at(i));
        QCOMPARE(QJsonDocument::fromJson(e.fieldsJson()).object(), e.fields());
    }
}

// decode() reads the usual shape itself and leaves the rest to decodeGeneral(): the two must
// give the same events and the same rejections, worded the same, for any message.
void TestEventCodec::fastAndGeneralAgree_data()
{
    // Every message of decode()'s table; only its "message" column is used here.
    decode_data();
    const auto add = [](const char *name, const QByteArray &message) {
        QTest::newRow(name) << message << QJsonArray{} << QJsonArray{};
    };
    const QByteArray head = R"("id":"e1","type":"SYSTEM","source_type":"s","source_id":"h")";
    add("sample batch", sampleBatch());
    add("escaped quote in an id", QByteArray(R"({"events":[{"id":"a\"b",)" + head.mid(10) + "}]}"));
    add("non-ASCII id", QByteArray("{\"events\":[{\"id\":\"caf\xc3\xa9\"," + head.mid(10) + "}]}"));
    add("raw control character in an id", QByteArray("{\"events\":[{\"id\":\"a\tb\"," + head.mid(10) + "}]}"));
    add("raw control character in fields", QByteArray("{\"events\":[{" + head + ",\"fields\":{\"a\":\"x\ny\"}}]}"));
    add("invalid UTF-8 in an id", QByteArray("{\"events\":[{\"id\":\"a\xff\"," + head.mid(10) + "}]}"));
    add("invalid UTF-8 in fields", QByteArray("{\"events\":[{" + head + ",\"fields\":{\"a\":\"\xc3\"}}]}"));
    add("unknown member with nested values", QByteArray(R"({"events":[{"extra":[1,{"a":"]"}],)" + head + R"(,"fields":{}}]})"));
    add("id a number, time a number, fields an array", QByteArray(R"({"events":[{"id":5,"type":"SYSTEM","source_type":"s","source_id":"h"},{)" + head
                      + R"(,"time":7},{)" + head + R"(,"fields":[1]}]})"));
    add("time null, fields null", QByteArray("{" + head + R"(,"time":null,"fields":null})"));
    add("nul literal misspelt", QByteArray("{" + head + R"(,"time":nul})"));
    add("null followed by garbage", QByteArray("{" + head + R"(,"fields":nullx})"));
    add("time null, then a time", QByteArray("{" + head + R"(,"time":null,"time":"2026-01-31T10:00:00Z"})"));
    add("a time, then time null", QByteArray("{" + head + R"(,"time":"2026-01-31T10:00:00Z","time":null})"));
    add("fields null, then fields", QByteArray("{" + head + R"(,"fields":null,"fields":{"a":1}})"));
    add("id twice", QByteArray(R"({"events":[{"id":"x",)" + head + "}]}"));
    add("events after another member", QByteArray(R"({"a":1,"events":[{)" + head + "}]}"));
    add("another member after events", QByteArray(R"({"events":[{)" + head + R"(}],"a":1})"));
    add("events twice", QByteArray(R"({"events":[],"events":[{)" + head + "}]}"));
    add("a single event with an events member", QByteArray("{" + head + R"(,"events":5})"));
    add("elements that are not objects", QByteArray(R"({"events":[1,{)" + head + "},null]}"));
    add("whitespace everywhere", QByteArray(" \n{ \"events\" :\t[ { \"id\" : \"a\" , \"type\":\"SYSTEM\",\"source_type\":\"s\","
                      "\"source_id\":\"h\" , \"fields\" : { \"k\" : [ 1 , 2 ] } } , {" + head + "} ] } \r\n"));
    add("trailing comma in the array", QByteArray(R"({"events":[{)" + head + "},]}"));
    add("trailing comma in an event", QByteArray(R"({"events":[{)" + head + ",}]}"));
    add("missing colon", QByteArray(R"({"events":[{"id" "a"}]})"));
    add("unbalanced fields", QByteArray("{" + head + R"(,"fields":{"a":[1}})"));
    add("fields ends the message", QByteArray("{" + head + R"(,"fields":{"a":"b)"));
    add("escape at the very end", QByteArray("{" + head + R"(,"fields":{"a":"\)"));
    QByteArray deep = "{" + head + R"(,"fields":{"d":)";
    for (int i = 0; i < 600; ++i)
        deep += "[";
    for (int i = 0; i < 600; ++i)
        deep += "]";
    add("fields nested 600 deep", QByteArray(deep + "}}"));
    // Every prefix of a batch: each cut lands somewhere else in the grammar.
    const QByteArray batch = sampleBatch();
    for (qsizetype n = 0; n < batch.size(); ++n)
        QTest::addRow("prefix of %lld bytes", qlonglong(n)) << batch.left(n) << QJsonArray{} << QJsonArray{};
}

void TestEventCodec::fastAndGeneralAgree()
{
    QFETCH(QByteArray, message);
    QCOMPARE(describe(EventCodec::decode(message, kNow)), describe(EventCodec::decodeGeneral(message, kNow)));
}

void TestEventCodec::fastAndGeneralAgreeOnMutatedMessages()
{
    // 20,000 messages, each the sample batch with one to three bytes deleted, inserted or
    // replaced by one of the characters that matter to the grammar. Fixed seed: the same
    // messages every run.
    const QByteArray batch = sampleBatch();
    const QByteArray alphabet = QByteArray("{}[]\",:\\ \t\nu0159.-+eEtrufalsn/xZ") + "\x01\x7f\xc3\xa9\xff";
    QRandomGenerator random(20261127);
    int fastEqual = 0;
    for (int round = 0; round < 20000; ++round) {
        QByteArray message = batch;
        const int edits = 1 + int(random.bounded(3));
        for (int k = 0; k < edits; ++k) {
            const qsizetype at = qsizetype(random.bounded(quint32(message.size())));
            const char c = alphabet.at(qsizetype(random.bounded(quint32(alphabet.size()))));
            switch (random.bounded(3)) {
            case 0: message.remove(at, 1); break;
            case 1: message.insert(at, c); break;
            default: message[at] = c; break;
            }
        }
        const QByteArray fast = describe(EventCodec::decode(message, kNow));
        const QByteArray general = describe(EventCodec::decodeGeneral(message, kNow));
        if (fast != general)
            QFAIL(qPrintable(u"decode() and decodeGeneral() differ on:\n"_qs + QString::fromUtf8(message) + u"\nfast:    "_qs
                             + QString::fromUtf8(fast) + u"\ngeneral: "_qs + QString::fromUtf8(general)));
        ++fastEqual;
    }
    QCOMPARE(fastEqual, 20000);
}

// Core only, no QGuiApplication: drop the "-platform offscreen" CTest passes to every test.
QTEST_GUILESS_MAIN(TestEventCodec)
#include "tst_event_codec.moc"
