// Silences on a real SQLite file (and, with VIGIL_TEST_POSTGRES_URL, on PostgreSQL): matching (the rule language's field paths and strict
// types), create/end/delete through the store with roles and audit rows, alerts silenced at
// ingest (stored, hidden from the console's default query), expiry, and exact previews.

#include "engine/events/event_codec.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(vigil::engine::Silence)

using namespace vigil;
using namespace vigil::models;
using vigil::test::PostgresTestDatabases;

namespace {

constexpr qint64 kT0 = 1'769'860'800'000; // 2026-01-31T12:00:00Z
constexpr qint64 kHour = 3'600'000;

engine::Event makeEvent(const QString &id, const QString &sourceId, const QJsonObject &fields)
{
    const QJsonObject o{{u"id"_qs, id},
                        {u"time"_qs, engine::formatTime(kT0)},
                        {u"type"_qs, u"TRANSACTION"_qs},
                        {u"source_type"_qs, u"payments"_qs},
                        {u"source_id"_qs, sourceId},
                        {u"fields"_qs, fields}};
    engine::Event e;
    QString error;
    if (!engine::EventCodec::decodeEvent(o, 0, u"event"_qs, &e, &error))
        qFatal("bad event in the test: %s", qPrintable(error));
    return e;
}

// Fires on every TRANSACTION event.
const QByteArray kEveryTransfer = R"({"name": "Every transfer", "alert_type": "TRANSACTION", "severity": "HIGH",
    "conditions": {"all": [{"field": "source_id", "op": "exists", "value": true}]},
    "message": "transfer on {source_id}"})";

engine::Silence silence(const QString &rule, const QString &source, const QString &path = {},
                        const QString &value = {}, qint64 expiresAtMs = 0)
{
    engine::Silence s;
    s.ruleName = rule;
    s.sourceId = source;
    s.fieldPath = path;
    s.fieldValue = engine::Silence::parseValue(value);
    s.comment = u"known noise"_qs;
    s.expiresAtMs = expiresAtMs ? expiresAtMs : QDateTime::currentMSecsSinceEpoch() + kHour;
    return s;
}

const Actor kAlice{u"alice"_qs, Role::Analyst};
const Actor kMia{u"mia"_qs, Role::Manager};
const Actor kRoot{u"root"_qs, Role::Admin};

// Alerts 1..8 of the preview table: rule, source, country (JSON), status.
struct Spec
{
    const char *rule;
    const char *source;
    const char *fields;
    engine::AlertStatus status;
};
const Spec kHistory[] = {
    {"Large transfer", "pay-1", R"({"country": "RU", "amount": 42})", engine::AlertStatus::New},
    {"Large transfer", "pay-2", R"({"country": "RU", "amount": "42"})", engine::AlertStatus::Resolved},
    {"Card velocity", "pay-1", R"({"country": "DE"})", engine::AlertStatus::Acknowledged},
    {"Large transfer", "pay-1", R"({"country": "DE", "geo": {"city": "Berlin"}})", engine::AlertStatus::FalsePositive},
    {"Card velocity", "pay-3", R"({"country": "RU"})", engine::AlertStatus::New},
    {"Large transfer", "pay-1", R"({"amount": 42})", engine::AlertStatus::New},
    {"Card velocity", "pay-1", R"({"country": "RU", "geo": {"city": "Moscow"}})", engine::AlertStatus::Resolved},
    {"Large transfer", "pay-2", R"({"country": "ru"})", engine::AlertStatus::New},
};

QList<qint64> ids(std::initializer_list<qint64> list) { return QList<qint64>(list); }

} // namespace

class TestSilences : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void init();
    void cleanup()
    {
        m_store.reset();
        m_postgres.dropAll();
    }

    void matching_data();
    void matching();
    void setMatchesInOrder();
    void validation_data();
    void validation();
    void createRolesAndAudit();
    void expireAndDelete();
    void ingestStoresSilencedButHidden();
    void hiddenOnDeepPagesAndCounts();
    void assigneeIndexHoldsSilence();
    void expiresOnTime();
    void preview_data();
    void preview();
    void previewCancels();

private:
    QVariant scalar(const QString &sql) const;
    QStringList rows(const QString &sql) const;
    // A page of 200 alerts at `offset`: the store's for `query`, and plain SQL's over `where`
    // in `order`, to compare the two.
    QList<qint64> storePage(const AlertQuery &query, int offset) const;
    QList<qint64> sqlPage(const QString &where, const QString &order, int offset) const;
    void fillHistory();

    QTemporaryDir m_dir;
    PostgresTestDatabases m_postgres;
    std::unique_ptr<Store> m_store;
    QString m_name;
    int m_run = 0;
};

void TestSilences::init()
{
    VIGIL_SKIP_UNAVAILABLE_BACKEND();
    DatabaseUrl url;
    url.path = m_dir.filePath(u"silences-%1.db"_qs.arg(++m_run));
    m_name = u"silences-%1"_qs.arg(m_run);
    QString error;
    if (PostgresTestDatabases::isPostgres())
        QVERIFY2(m_postgres.create(&url, &error), qPrintable(error));
    m_store = Store::open(url, m_name, &error);
    QVERIFY2(m_store, qPrintable(error));
}

QVariant TestSilences::scalar(const QString &sql) const
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    if (!q.exec(sql) || !q.next())
        qFatal("cannot run %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
    return q.value(0);
}

QList<qint64> TestSilences::storePage(const AlertQuery &query, int offset) const
{
    QList<AlertRow> page;
    QString why;
    if (!m_store->alertRows(query, offset, 200, &page, &why))
        qFatal("page failed: %s", qPrintable(why));
    QList<qint64> out;
    for (const AlertRow &r : page)
        out.append(r.id);
    return out;
}

QList<qint64> TestSilences::sqlPage(const QString &where, const QString &order, int offset) const
{
    QList<qint64> out;
    for (const QString &id : rows(u"SELECT id FROM alerts WHERE %1 ORDER BY %2 LIMIT 200 OFFSET %3"_qs.arg(where, order).arg(offset)))
        out.append(id.toLongLong());
    return out;
}

QStringList TestSilences::rows(const QString &sql) const
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    if (!q.exec(sql))
        qFatal("cannot run %s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
    QStringList out;
    while (q.next()) {
        QStringList columns;
        for (int i = 0; i < q.record().count(); ++i)
            columns << q.value(i).toString();
        out << columns.join(u'|');
    }
    return out;
}

void TestSilences::fillHistory()
{
    GeneratedChunk chunk;
    int i = 0;
    for (const Spec &s : kHistory) {
        GeneratedEvent e;
        e.eventId = u"h%1"_qs.arg(i);
        e.timeMs = kT0 + i * 60'000;
        e.type = engine::EventType::Transaction;
        e.sourceType = u"payments"_qs;
        e.sourceId = QString::fromLatin1(s.source);
        e.fieldsJson = QByteArray(s.fields);
        chunk.events.append(e);
        GeneratedAlert a;
        a.eventIndex = i;
        a.ruleName = QString::fromLatin1(s.rule);
        a.type = e.type;
        a.status = s.status;
        a.message = u"alert %1"_qs.arg(i + 1);
        a.sourceType = e.sourceType;
        a.sourceId = e.sourceId;
        a.createdAtMs = e.timeMs;
        a.detailsJson = "{}";
        chunk.alerts.append(a);
        ++i;
    }
    QString error;
    QVERIFY2(m_store->insertGenerated(chunk, &error), qPrintable(error));
}

void TestSilences::matching_data()
{
    QTest::addColumn<engine::Silence>("silence");
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<bool>("matches");
    const QByteArray ru = R"({"country": "RU", "amount": 42, "geo": {"city": "Moscow"}, "items": [{"sku": "A-1"}]})";
    QTest::newRow("rule") << silence(u"Large transfer"_qs, {}) << u"Large transfer"_qs << u"pay-1"_qs << ru << true;
    QTest::newRow("other rule") << silence(u"Large transfer"_qs, {}) << u"Card velocity"_qs << u"pay-1"_qs << ru << false;
    QTest::newRow("source") << silence({}, u"pay-1"_qs) << u"Any"_qs << u"pay-1"_qs << ru << true;
    QTest::newRow("other source") << silence({}, u"pay-1"_qs) << u"Any"_qs << u"pay-10"_qs << ru << false;
    QTest::newRow("fields.country") << silence({}, {}, u"fields.country"_qs, u"RU"_qs) << u"Any"_qs << u"x"_qs << ru << true;
    QTest::newRow("quoted value") << silence({}, {}, u"fields.country"_qs, u"\"RU\""_qs) << u"Any"_qs << u"x"_qs << ru << true;
    QTest::newRow("bare name means fields") << silence({}, {}, u"country"_qs, u"RU"_qs) << u"Any"_qs << u"x"_qs << ru << true;
    QTest::newRow("case matters") << silence({}, {}, u"fields.country"_qs, u"ru"_qs) << u"Any"_qs << u"x"_qs << ru << false;
    QTest::newRow("nested") << silence({}, {}, u"fields.geo.city"_qs, u"Moscow"_qs) << u"Any"_qs << u"x"_qs << ru << true;
    QTest::newRow("array index") << silence({}, {}, u"fields.items.0.sku"_qs, u"A-1"_qs) << u"Any"_qs << u"x"_qs << ru << true;
    QTest::newRow("number") << silence({}, {}, u"fields.amount"_qs, u"42"_qs) << u"Any"_qs << u"x"_qs << ru << true;
    QTest::newRow("types are strict") << silence({}, {}, u"fields.amount"_qs, u"\"42\""_qs) << u"Any"_qs << u"x"_qs << ru << false;
    QTest::newRow("missing field") << silence({}, {}, u"fields.iban"_qs, u"X"_qs) << u"Any"_qs << u"x"_qs << ru << false;
    QTest::newRow("envelope path") << silence({}, {}, u"source_type"_qs, u"payments"_qs) << u"Any"_qs << u"x"_qs << ru << true;
    QTest::newRow("combined, all hold") << silence(u"Large transfer"_qs, u"pay-1"_qs, u"fields.country"_qs, u"RU"_qs)
                                        << u"Large transfer"_qs << u"pay-1"_qs << ru << true;
    QTest::newRow("combined, one fails") << silence(u"Large transfer"_qs, u"pay-2"_qs, u"fields.country"_qs, u"RU"_qs)
                                         << u"Large transfer"_qs << u"pay-1"_qs << ru << false;
}

void TestSilences::matching()
{
    QFETCH(engine::Silence, silence);
    QFETCH(QString, rule);
    QFETCH(QString, source);
    QFETCH(QByteArray, fields);
    QFETCH(bool, matches);
    QString error;
    QVERIFY2(silence.compile(&error), qPrintable(error));
    const engine::Event event = makeEvent(u"e1"_qs, source, QJsonDocument::fromJson(fields).object());
    QCOMPARE(silence.matches(rule, event), matches);
    // The same through the set the writer uses, before and at the expiry.
    silence.id = 7;
    engine::SilenceSet set;
    set.setSilences({silence});
    QCOMPARE(set.match(rule, event, silence.expiresAtMs - 1), matches ? 7 : 0);
    QCOMPARE(set.match(rule, event, silence.expiresAtMs), 0);
}

void TestSilences::setMatchesInOrder()
{
    // Two silences on the same field (one lookup for both), one by source; the first
    // active one that matches wins, an expired one never does.
    engine::Silence ir = silence({}, {}, u"fields.country"_qs, u"IR"_qs, kT0 + kHour);
    ir.id = 1;
    engine::Silence ru = silence({}, {}, u"country"_qs, u"RU"_qs, kT0 + kHour);
    ru.id = 2;
    engine::Silence source = silence({}, u"pay-1"_qs, {}, {}, kT0 + kHour);
    source.id = 3;
    engine::Silence expired = silence({}, u"pay-2"_qs, {}, {}, kT0);
    expired.id = 4;
    engine::Silence invalid = silence({}, {}); // no criterion: left out, loudly
    invalid.id = 5;
    engine::SilenceSet set;
    QTest::ignoreMessage(QtWarningMsg, "Vigil: silence 5 is invalid and does not match: A silence needs at least one criterion: a rule, a source or a field value.");
    set.setSilences({ir, ru, source, expired, invalid});
    QCOMPARE(set.silences().size(), 4);
    const auto event = [](const QString &src, const QString &country) {
        return makeEvent(u"e"_qs, src, {{u"country"_qs, country}});
    };
    QCOMPARE(set.match(u"R"_qs, event(u"pay-9"_qs, u"IR"_qs), kT0), 1);
    QCOMPARE(set.match(u"R"_qs, event(u"pay-9"_qs, u"RU"_qs), kT0), 2);
    QCOMPARE(set.match(u"R"_qs, event(u"pay-1"_qs, u"RU"_qs), kT0), 2);
    QCOMPARE(set.match(u"R"_qs, event(u"pay-1"_qs, u"DE"_qs), kT0), 3);
    QCOMPARE(set.match(u"R"_qs, event(u"pay-2"_qs, u"DE"_qs), kT0 - 1), 4);
    QCOMPARE(set.match(u"R"_qs, event(u"pay-2"_qs, u"DE"_qs), kT0), 0);
    QCOMPARE(set.match(u"R"_qs, event(u"pay-1"_qs, u"DE"_qs), kT0 + kHour), 0);
}

void TestSilences::validation_data()
{
    QTest::addColumn<engine::Silence>("silence");
    QTest::addColumn<QString>("error");
    QTest::newRow("no criterion") << silence({}, {})
                                  << u"A silence needs at least one criterion: a rule, a source or a field value."_qs;
    QTest::newRow("bad path") << silence({}, {}, u"fields..country"_qs, u"RU"_qs)
                              << u"The field path 'fields..country' is not valid: write it as in rules, e.g. fields.country."_qs;
    QTest::newRow("no value") << silence({}, {}, u"fields.country"_qs, {})
                              << u"Give the value of fields.country that the silence matches."_qs;
    engine::Silence noComment = silence(u"Large transfer"_qs, {});
    noComment.comment = u"  "_qs;
    QTest::newRow("no comment")
        << noComment << u"Say in the comment why these alerts are silenced: the next analyst reads it in the list of silences."_qs;
    QTest::newRow("expiry in the past") << silence(u"Large transfer"_qs, {}, {}, {}, kT0)
                                        << u"The expiry 2026-01-31T12:00:00.000Z is not in the future: choose a later time."_qs;
    QTest::newRow("more than a year")
        << silence(u"Large transfer"_qs, {}, {}, {}, QDateTime::currentMSecsSinceEpoch() + 400 * 24 * kHour)
        << u"A silence lasts at most a year: choose an earlier expiry, or fix the rule instead."_qs;
}

void TestSilences::validation()
{
    QFETCH(engine::Silence, silence);
    QFETCH(QString, error);
    QString message;
    QVERIFY(!m_store->createSilence(&silence, kAlice, &message));
    QCOMPARE(message, error);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM silences"_qs).toInt(), 0);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM audit_log"_qs).toInt(), 0);
}

void TestSilences::createRolesAndAudit()
{
    QString error;
    engine::Silence s = silence(u"Large transfer"_qs, u"pay-1"_qs, u"fields.country"_qs, u"RU"_qs);
    QVERIFY(!m_store->createSilence(&s, kMia, &error));
    QCOMPARE(error, u"mia may not silence alerts: that needs the analyst or admin role"_qs);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM silences"_qs).toInt(), 0);

    QVERIFY2(m_store->createSilence(&s, kAlice, &error), qPrintable(error));
    QCOMPARE(s.id, 1);
    QCOMPARE(s.createdBy, u"alice"_qs);
    engine::Silence byAdmin = silence({}, u"pay-9"_qs);
    QVERIFY2(m_store->createSilence(&byAdmin, kRoot, &error), qPrintable(error));
    QCOMPARE(byAdmin.id, 2);
    QCOMPARE(rows(u"SELECT rule_name, source_id, field_path, field_value, comment FROM silences ORDER BY id"_qs),
             (QStringList{u"Large transfer|pay-1|fields.country|\"RU\"|known noise"_qs, u"|pay-9|||known noise"_qs}));
    QCOMPARE(rows(u"SELECT u.username, a.action, a.entity, a.entity_id FROM audit_log a JOIN users u ON u.id = a.user_id ORDER BY a.id"_qs),
             (QStringList{u"alice|silence.create|silence|1"_qs, u"root|silence.create|silence|2"_qs}));
    const QJsonObject details = QJsonDocument::fromJson(scalar(u"SELECT details FROM audit_log WHERE id = 1"_qs).toString().toUtf8()).object();
    QCOMPARE(details.value(u"field"_qs).toString(), u"fields.country"_qs);
    QCOMPARE(details.value(u"value"_qs).toString(), u"RU"_qs);
    QCOMPARE(details.value(u"comment"_qs).toString(), u"known noise"_qs);

    // Managers read.
    Store &reader = *m_store;
    QList<engine::Silence> list;
    QVERIFY2(reader.silences(QDateTime::currentMSecsSinceEpoch(), 0, &list, &error), qPrintable(error));
    QCOMPARE(list.size(), 2);
    QCOMPARE(list.at(0).id, 2); // newest first
    QCOMPARE(list.at(1).createdBy, u"alice"_qs);
    QCOMPARE(list.at(1).fieldValue, QJsonValue(u"RU"_qs));
    QCOMPARE(list.at(1).describe(), u"rule = \"Large transfer\", source = \"pay-1\", fields.country = \"RU\""_qs);
    QCOMPARE(list.at(1).matchedCount, 0);
    const QString before = m_store->silencesSignature();
    QVERIFY(!m_store->expireSilence(1, kMia, &error));
    QCOMPARE(error, u"mia may not end silences: that needs the analyst or admin role"_qs);
    QVERIFY(!m_store->deleteSilence(1, kMia, &error));
    QCOMPARE(error, u"mia may not delete silences: that needs the analyst or admin role"_qs);
    QCOMPARE(m_store->silencesSignature(), before);
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM audit_log"_qs).toInt(), 2);
}

void TestSilences::expireAndDelete()
{
    QString error;
    engine::Silence a = silence(u"Every transfer"_qs, u"pay-1"_qs);
    engine::Silence b = silence(u"Every transfer"_qs, u"pay-2"_qs);
    QVERIFY(m_store->createSilence(&a, kAlice, &error));
    QVERIFY(m_store->createSilence(&b, kAlice, &error));
    // a silences one alert.
    int created = 0, updated = 0;
    engine::Rule rule;
    QVERIFY(engine::Rule::fromJson(QJsonDocument::fromJson(kEveryTransfer).object(), &rule, &error));
    QVERIFY(m_store->importRules({rule}, Actor::system(), &created, &updated, &error));
    QList<engine::Rule> rules;
    QVERIFY(m_store->loadRules(&rules, &error));
    engine::Pipeline pipeline;
    pipeline.setRules(rules);
    QList<engine::Silence> active;
    QVERIFY(m_store->activeSilences(QDateTime::currentMSecsSinceEpoch(), &active, &error));
    pipeline.setSilences(active);
    IngestOutcome outcome;
    QVERIFY2(m_store->ingest({makeEvent(u"t1"_qs, u"pay-1"_qs, {})}, pipeline, QDateTime::currentMSecsSinceEpoch(),
                             &outcome, &error),
             qPrintable(error));
    QCOMPARE(outcome.alerts.size(), 1);
    QCOMPARE(outcome.alerts.at(0).silenceId, a.id);

    const QString signature = m_store->silencesSignature();
    QVERIFY(!m_store->deleteSilence(a.id, kAlice, &error));
    QCOMPARE(error, u"Silence 1 has silenced 1 alert(s) and is kept so they still say why: end it instead."_qs);
    QVERIFY2(m_store->expireSilence(a.id, kAlice, &error), qPrintable(error));
    QVERIFY(m_store->silencesSignature() != signature);
    QVERIFY(!m_store->expireSilence(a.id, kRoot, &error));
    QVERIFY2(error.startsWith(u"Silence 1 already ended at "_qs), qPrintable(error));
    QVERIFY2(m_store->deleteSilence(b.id, kRoot, &error), qPrintable(error));
    QVERIFY(!m_store->deleteSilence(b.id, kRoot, &error));
    QCOMPARE(error, u"Silence 2 does not exist (was it deleted?)."_qs);
    QVERIFY(!m_store->expireSilence(99, kRoot, &error));
    QCOMPARE(error, u"Silence 99 does not exist (was it deleted?)."_qs);

    QCOMPARE(rows(u"SELECT u.username, a.action, a.entity_id FROM audit_log a JOIN users u ON u.id = a.user_id"
                  " WHERE a.entity = 'silence' ORDER BY a.id"_qs),
             (QStringList{u"alice|silence.create|1"_qs, u"alice|silence.create|2"_qs, u"alice|silence.expire|1"_qs,
                          u"root|silence.delete|2"_qs}));
    QCOMPARE(rows(u"SELECT id, CASE WHEN expired_by IS NOT NULL THEN 1 ELSE 0 END FROM silences"_qs), QStringList{u"1|1"_qs});
    // Ended, it is no longer active but still listed (recently expired), with its count.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QVERIFY(m_store->activeSilences(now + 1, &active, &error));
    QCOMPARE(active.size(), 0);
    QList<engine::Silence> list;
    QVERIFY(m_store->silences(now + 1, now - kHour, &list, &error));
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.at(0).expiredBy, u"alice"_qs);
    QCOMPARE(list.at(0).matchedCount, 1);
    QVERIFY(!list.at(0).isActiveAt(now + 1));
}

void TestSilences::ingestStoresSilencedButHidden()
{
    QString error;
    engine::Rule rule;
    QVERIFY(engine::Rule::fromJson(QJsonDocument::fromJson(kEveryTransfer).object(), &rule, &error));
    int created = 0, updated = 0;
    QVERIFY(m_store->importRules({rule}, Actor::system(), &created, &updated, &error));
    QList<engine::Rule> rules;
    QVERIFY(m_store->loadRules(&rules, &error));
    engine::Silence ru = silence({}, {}, u"fields.country"_qs, u"RU"_qs);
    QVERIFY(m_store->createSilence(&ru, kAlice, &error));
    engine::Pipeline pipeline;
    pipeline.setRules(rules);
    QList<engine::Silence> active;
    QVERIFY(m_store->activeSilences(QDateTime::currentMSecsSinceEpoch(), &active, &error));
    pipeline.setSilences(active);

    IngestOutcome outcome;
    const engine::EventBatch batch{makeEvent(u"t1"_qs, u"pay-1"_qs, {{u"country"_qs, u"DE"_qs}}),
                                   makeEvent(u"t2"_qs, u"pay-1"_qs, {{u"country"_qs, u"RU"_qs}}),
                                   makeEvent(u"t3"_qs, u"pay-2"_qs, {})};
    QVERIFY2(m_store->ingest(batch, pipeline, QDateTime::currentMSecsSinceEpoch(), &outcome, &error), qPrintable(error));
    QCOMPARE(outcome.alerts.size(), 3);
    QCOMPARE(outcome.alerts.at(0).silenceId, 0);
    QCOMPARE(outcome.alerts.at(1).silenceId, ru.id);
    QCOMPARE(outcome.alerts.at(2).silenceId, 0);
    // Stored, with the silence that hid it.
    QCOMPARE(rows(u"SELECT a.id, e.event_id, COALESCE(a.silence_id, 0) FROM alerts a JOIN events e ON e.id = a.event_id ORDER BY a.id"_qs),
             (QStringList{u"1|t1|0"_qs, u"2|t2|1"_qs, u"3|t3|0"_qs}));
    AlertRecord stored;
    QVERIFY(m_store->alert(2, &stored, &error));
    QCOMPARE(stored.silenceId, ru.id);

    // The console's default query leaves it out; "show silenced" brings it back.
    AlertQuery query;
    qint64 count = 0;
    QVERIFY(m_store->countAlerts(query, &count, &error));
    QCOMPARE(count, 2);
    QList<AlertRow> page;
    QVERIFY(m_store->alertRows(query, 0, 50, &page, &error));
    QCOMPARE(page.size(), 2);
    QCOMPARE(page.at(0).id, 3);
    QCOMPARE(page.at(1).id, 1);
    QList<qint64> matching;
    QVERIFY(m_store->alertIds(query, &matching, &error));
    QCOMPARE(matching, ids({3, 1}));
    query.showSilenced = true;
    QVERIFY(m_store->countAlerts(query, &count, &error));
    QCOMPARE(count, 3);
    QVERIFY(m_store->alertRows(query, 0, 50, &page, &error));
    QCOMPARE(page.size(), 3);
    QCOMPARE(page.at(1).id, 2);
    QCOMPARE(page.at(1).silenceId, ru.id);
    // A snapshot taken before the silenced alert arrived has nothing to hide.
    query.showSilenced = false;
    query.maxId = 1;
    QVERIFY(m_store->countAlerts(query, &count, &error));
    QCOMPARE(count, 1);

    QList<engine::Silence> list;
    QVERIFY(m_store->silences(QDateTime::currentMSecsSinceEpoch(), 0, &list, &error));
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.at(0).matchedCount, 1);
}

void TestSilences::hiddenOnDeepPagesAndCounts()
{
    // Enough alerts that a page is deep (the store then leaves silenced alerts out by id
    // rather than by reading each row), every 10th one silenced; each answer as SQL gives it.
    GeneratedChunk chunk;
    for (int i = 0; i < 3000; ++i) {
        GeneratedAlert a;
        a.ruleName = u"Rule %1"_qs.arg(i % 7);
        a.type = engine::EventType::Transaction;
        a.severity = engine::Severity(i % 4);
        a.status = i % 3 == 0 ? engine::AlertStatus::New : engine::AlertStatus::Resolved;
        a.message = u"alert %1"_qs.arg(i);
        a.sourceType = u"payments"_qs;
        a.sourceId = u"pay-%1"_qs.arg(i % 5);
        a.createdAtMs = kT0 + (i / 2) * 1000; // pairs share a time: ties broken by id
        a.detailsJson = "{}";
        chunk.alerts.append(a);
    }
    QString error;
    QVERIFY2(m_store->insertGenerated(chunk, &error), qPrintable(error));
    engine::Silence noise = silence(u"Rule 1"_qs, {});
    QVERIFY(m_store->createSilence(&noise, kAlice, &error));
    QSqlQuery update(QSqlDatabase::database(m_name, false));
    QVERIFY(update.exec(u"UPDATE alerts SET silence_id = %1 WHERE id % 10 = 3"_qs.arg(noise.id)));
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM alerts WHERE silence_id IS NOT NULL"_qs).toInt(), 300);

    const auto expectedPage = [&](const QString &where, const QString &order, int offset) {
        return sqlPage(u"silence_id IS NULL"_qs + where, order, offset);
    };
    const auto pageIds = [&](const AlertQuery &query, int offset) { return storePage(query, offset); };
    AlertQuery query;
    QVERIFY(m_store->maxAlertId(&query.maxId, &error));
    const QString byTime = u"created_at DESC, id DESC"_qs;
    for (int offset : {0, 1000, 2000, 2500, 2600, 2700}) {
        const QList<qint64> expected = expectedPage({}, byTime, offset);
        QCOMPARE(pageIds(query, offset), expected);
        QCOMPARE(expected.size(), std::max(0, std::min(200, 2700 - offset)));
    }
    query.sortKey = AlertSortKey::Severity;
    query.descending = false;
    QCOMPARE(pageIds(query, 2400),
             expectedPage({}, u"CASE severity WHEN 'LOW' THEN 0 WHEN 'MEDIUM' THEN 1 WHEN 'HIGH' THEN 2 ELSE 3 END,"
                              " created_at, id"_qs, 2400));
    // A snapshot: the newer alerts, silenced or not, are not there.
    AlertQuery older;
    older.maxId = 2500;
    QCOMPARE(pageIds(older, 2000), expectedPage(u" AND id <= 2500"_qs, byTime, 2000));

    qint64 count = 0;
    QVERIFY2(m_store->countAlerts(query, &count, &error), qPrintable(error));
    QCOMPARE(count, 2700);
    QVERIFY2(m_store->countAlerts(older, &count, &error), qPrintable(error));
    QCOMPARE(count, 2250);
    AlertQuery high;
    high.severities = {engine::Severity::High};
    QVERIFY2(m_store->countAlerts(high, &count, &error), qPrintable(error));
    QCOMPARE(count, scalar(u"SELECT COUNT(*) FROM alerts WHERE silence_id IS NULL AND severity = 'HIGH'"_qs).toLongLong());
    QCOMPARE(pageIds(high, 0), expectedPage(u" AND severity = 'HIGH'"_qs, byTime, 0));
    // One rare condition whose matches are all read and sorted for a page (here: the alerts of
    // one source, a fifth of them) leaves silenced alerts out by id as its count does.
    AlertQuery source;
    source.source = u"pay-3"_qs;
    QVERIFY2(m_store->countAlerts(source, &count, &error), qPrintable(error));
    QCOMPARE(count, scalar(u"SELECT COUNT(*) FROM alerts WHERE silence_id IS NULL AND source_id = 'pay-3'"_qs).toLongLong());
    for (int offset : {0, 200, 400})
        QCOMPARE(pageIds(source, offset), expectedPage(u" AND source_id = 'pay-3'"_qs, byTime, offset));
    AlertQuery open;
    open.statuses = {engine::AlertStatus::New};
    QVERIFY2(m_store->countAlerts(open, &count, &error), qPrintable(error));
    QCOMPARE(count, scalar(u"SELECT COUNT(*) FROM alerts WHERE silence_id IS NULL AND status = 'NEW'"_qs).toLongLong());
    open.severities = {engine::Severity::Low};
    QVERIFY2(m_store->countAlerts(open, &count, &error), qPrintable(error));
    QCOMPARE(count, scalar(u"SELECT COUNT(*) FROM alerts WHERE silence_id IS NULL AND status = 'NEW' AND severity = 'LOW'"_qs)
                        .toLongLong());
    QCOMPARE(pageIds(open, 0), expectedPage(u" AND status = 'NEW' AND severity = 'LOW'"_qs, byTime, 0));
}

void TestSilences::assigneeIndexHoldsSilence()
{
    // Migration 9 put silence_id into the assignee's index in place of the old one: the
    // "unassigned" and one-assignee filters and the sort by assignee leave silenced alerts out
    // on the index. Every answer as SQL gives it, with silenced alerts hidden and shown.
    const QString indexes = PostgresTestDatabases::isPostgres()
        ? u"SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND indexname = '%1'"_qs
        : u"SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = '%1'"_qs;
    QCOMPARE(scalar(indexes.arg(u"alerts_assigned_silence_created"_qs)).toInt(), 1);
    QCOMPARE(scalar(indexes.arg(u"alerts_assigned_created"_qs)).toInt(), 0);
    QString error;
    const qint64 alice = m_store->userId(kAlice, &error);
    const qint64 bob = m_store->userId(Actor{u"bob"_qs, Role::Analyst}, &error);
    QVERIFY2(alice > 0 && bob > 0, qPrintable(error));
    GeneratedChunk chunk;
    for (int i = 0; i < 3000; ++i) {
        GeneratedAlert a;
        a.ruleName = u"Rule %1"_qs.arg(i % 7);
        a.type = engine::EventType::Transaction;
        a.severity = engine::Severity(i % 4);
        a.status = engine::AlertStatus::Resolved;
        a.message = u"alert %1"_qs.arg(i);
        a.sourceType = u"payments"_qs;
        a.sourceId = u"pay-%1"_qs.arg(i % 5);
        a.createdAtMs = kT0 + (i / 2) * 1000; // pairs share a time: ties broken by id
        a.assignedTo = i % 4 == 0 ? 0 : i % 4 == 1 ? alice : bob; // 750 unassigned, 750 alice's
        a.detailsJson = "{}";
        chunk.alerts.append(a);
    }
    QVERIFY2(m_store->insertGenerated(chunk, &error), qPrintable(error));
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM alerts WHERE assigned_to IS NULL"_qs).toInt(), 750);
    engine::Silence noise = silence(u"Rule 1"_qs, {});
    QVERIFY(m_store->createSilence(&noise, kAlice, &error));
    QSqlQuery update(QSqlDatabase::database(m_name, false));
    QVERIFY(update.exec(u"UPDATE alerts SET silence_id = %1 WHERE id % 10 = 3"_qs.arg(noise.id)));
    QCOMPARE(scalar(u"SELECT COUNT(*) FROM alerts WHERE silence_id IS NOT NULL AND assigned_to IS NULL"_qs).toInt(), 150);

    const auto expectedPage = [&](const QString &where, const QString &order, int offset) { return sqlPage(where, order, offset); };
    const auto pageIds = [&](const AlertQuery &query, int offset) { return storePage(query, offset); };
    const auto count = [&](const AlertQuery &query) {
        qint64 n = -1;
        QString why;
        if (!m_store->countAlerts(query, &n, &why))
            qFatal("count failed: %s", qPrintable(why));
        return n;
    };
    const QString byTime = u"created_at DESC, id DESC"_qs;

    AlertQuery unassigned;
    unassigned.assignee = u"-"_qs;
    QCOMPARE(count(unassigned), 600);
    for (int offset : {0, 200, 400, 590})
        QCOMPARE(pageIds(unassigned, offset), expectedPage(u"silence_id IS NULL AND assigned_to IS NULL"_qs, byTime, offset));
    unassigned.showSilenced = true;
    QCOMPARE(count(unassigned), 750);
    QCOMPARE(pageIds(unassigned, 600), expectedPage(u"assigned_to IS NULL"_qs, byTime, 600));

    AlertQuery ofAlice;
    ofAlice.assignee = u"alice"_qs;
    QCOMPARE(count(ofAlice), scalar(u"SELECT COUNT(*) FROM alerts WHERE silence_id IS NULL AND assigned_to = %1"_qs.arg(alice)).toLongLong());
    QCOMPARE(pageIds(ofAlice, 400), expectedPage(u"silence_id IS NULL AND assigned_to = %1"_qs.arg(alice), byTime, 400));

    // Sorted by assignee, silenced alerts hidden: the order by assignee, time and id as before
    // the migration, deep pages included.
    AlertQuery byAssignee;
    byAssignee.sortKey = AlertSortKey::Assignee;
    for (bool descending : {false, true}) {
        byAssignee.descending = descending;
        const QString order = descending ? u"assigned_to DESC, created_at DESC, id DESC"_qs : u"assigned_to, created_at, id"_qs;
        for (int offset : {0, 500, 2200})
            QCOMPARE(pageIds(byAssignee, offset), expectedPage(u"silence_id IS NULL"_qs, order, offset));
    }
    // Shown: an assignee's silenced alerts after the others (before them, descending).
    byAssignee.showSilenced = true;
    for (bool descending : {false, true}) {
        byAssignee.descending = descending;
        const QString order = descending ? u"assigned_to DESC, silence_id DESC, created_at DESC, id DESC"_qs
                                         : u"assigned_to, silence_id, created_at, id"_qs;
        for (int offset : {0, 700, 2850})
            QCOMPARE(pageIds(byAssignee, offset), expectedPage(u"1 = 1"_qs, order, offset));
    }
}

void TestSilences::expiresOnTime()
{
    QString error;
    engine::Rule rule;
    QVERIFY(engine::Rule::fromJson(QJsonDocument::fromJson(kEveryTransfer).object(), &rule, &error));
    int created = 0, updated = 0;
    QVERIFY(m_store->importRules({rule}, Actor::system(), &created, &updated, &error));
    QList<engine::Rule> rules;
    QVERIFY(m_store->loadRules(&rules, &error));
    engine::Silence s = silence({}, u"pay-1"_qs);
    QVERIFY(m_store->createSilence(&s, kAlice, &error));
    engine::Pipeline pipeline;
    pipeline.setRules(rules);
    QList<engine::Silence> active;
    QVERIFY(m_store->activeSilences(QDateTime::currentMSecsSinceEpoch(), &active, &error));
    QCOMPARE(active.size(), 1);
    pipeline.setSilences(active);
    // The same loaded set: the last millisecond before the expiry is silenced, the expiry is not.
    IngestOutcome outcome;
    QVERIFY(m_store->ingest({makeEvent(u"before"_qs, u"pay-1"_qs, {})}, pipeline, s.expiresAtMs - 1, &outcome, &error));
    QCOMPARE(outcome.alerts.at(0).silenceId, s.id);
    QVERIFY(m_store->ingest({makeEvent(u"at"_qs, u"pay-1"_qs, {})}, pipeline, s.expiresAtMs, &outcome, &error));
    QCOMPARE(outcome.alerts.at(0).silenceId, 0);
    QVERIFY(m_store->activeSilences(s.expiresAtMs, &active, &error));
    QCOMPARE(active.size(), 0);
    QList<engine::Silence> list;
    QVERIFY(m_store->silences(s.expiresAtMs, s.expiresAtMs - kHour, &list, &error));
    QCOMPARE(list.size(), 1); // recently expired
    QVERIFY(m_store->silences(s.expiresAtMs + 2 * kHour, s.expiresAtMs + kHour, &list, &error));
    QCOMPARE(list.size(), 0); // expired before the window shown
}

void TestSilences::preview_data()
{
    QTest::addColumn<engine::Silence>("silence");
    QTest::addColumn<int>("chunk");
    QTest::addColumn<qint64>("matched");
    QTest::addColumn<qint64>("open");
    QTest::addColumn<QList<qint64>>("sample"); // the newest three

    QTest::newRow("rule") << silence(u"Large transfer"_qs, {}) << 5000 << qint64(5) << qint64(3) << ids({8, 6, 4});
    QTest::newRow("source") << silence({}, u"pay-1"_qs) << 5000 << qint64(5) << qint64(3) << ids({7, 6, 4});
    QTest::newRow("rule and source") << silence(u"Large transfer"_qs, u"pay-1"_qs) << 5000 << qint64(3) << qint64(2)
                                     << ids({6, 4, 1});
    QTest::newRow("field") << silence({}, {}, u"fields.country"_qs, u"RU"_qs) << 5000 << qint64(4) << qint64(2)
                           << ids({7, 5, 2});
    QTest::newRow("field, chunks of 2") << silence({}, {}, u"fields.country"_qs, u"RU"_qs) << 2 << qint64(4) << qint64(2)
                                        << ids({7, 5, 2});
    QTest::newRow("field, chunks of 1") << silence({}, {}, u"country"_qs, u"RU"_qs) << 1 << qint64(4) << qint64(2)
                                        << ids({7, 5, 2});
    QTest::newRow("number") << silence({}, {}, u"fields.amount"_qs, u"42"_qs) << 3 << qint64(2) << qint64(2) << ids({6, 1});
    QTest::newRow("string 42") << silence({}, {}, u"fields.amount"_qs, u"\"42\""_qs) << 3 << qint64(1) << qint64(0) << ids({2});
    QTest::newRow("nested") << silence(u"Card velocity"_qs, {}, u"fields.geo.city"_qs, u"Moscow"_qs) << 5000 << qint64(1)
                            << qint64(0) << ids({7});
    QTest::newRow("all three") << silence(u"Large transfer"_qs, u"pay-2"_qs, u"fields.country"_qs, u"RU"_qs) << 5000
                               << qint64(1) << qint64(0) << ids({2});
    QTest::newRow("nothing") << silence(u"No such rule"_qs, {}) << 5000 << qint64(0) << qint64(0) << ids({});
}

void TestSilences::preview()
{
    QFETCH(engine::Silence, silence);
    QFETCH(int, chunk);
    QFETCH(qint64, matched);
    QFETCH(qint64, open);
    QFETCH(QList<qint64>, sample);
    fillHistory();
    SilencePreview preview;
    QString error;
    QList<qint64> progress;
    QVERIFY2(m_store->previewSilence(silence, 3, &preview, &error,
                                     [&](qint64 done, qint64 total) {
                                         progress << done << total;
                                         return true;
                                     },
                                     chunk),
             qPrintable(error));
    QCOMPARE(preview.matched, matched);
    QCOMPARE(preview.open, open);
    QVERIFY(!preview.cancelled);
    QList<qint64> sampleIds;
    for (const AlertRow &r : std::as_const(preview.sample))
        sampleIds << r.id;
    QCOMPARE(sampleIds, sample);
    // The last report says everything was looked at.
    QVERIFY(progress.size() >= 2);
    QCOMPARE(progress.at(progress.size() - 2), preview.candidates);
    QCOMPARE(progress.last(), preview.candidates);
}

void TestSilences::previewCancels()
{
    fillHistory();
    SilencePreview preview;
    QString error;
    int calls = 0;
    QVERIFY(m_store->previewSilence(silence({}, {}, u"fields.country"_qs, u"RU"_qs), 10, &preview, &error,
                                    [&](qint64 done, qint64 total) {
                                        ++calls;
                                        return done < 4 && total == 8;
                                    },
                                    2));
    QVERIFY(preview.cancelled);
    QCOMPARE(calls, 2);
    // Alerts 8, 7 (RU), 6, 5 (RU) were looked at before the cancel.
    QCOMPARE(preview.matched, 2);
    QCOMPARE(preview.sample.size(), 2);
    // Invalid criteria are refused with the same message as when saving.
    QVERIFY(!m_store->previewSilence(silence({}, {}), 10, &preview, &error));
    QCOMPARE(error, u"A silence needs at least one criterion: a rule, a source or a field value."_qs);
}

QTEST_GUILESS_MAIN(TestSilences)
#include "tst_silences.moc"
