// Free text over the alerts on real SQLite files: the trigram index (its own file since schema
// migration 10) answers exactly what the LIKE scan answers (case-insensitive substring of the
// message, rule, source or the event's fields), follows inserts, updates and deletes, is
// filled for the alerts of an older database when it is migrated, is rebuilt after a bulk
// load, belongs to one database, and is kept up to date by its own thread. Beyond ASCII, the
// scan of the alerts not indexed yet folds case exactly as the index does.

#include "models/store/schema.h"
#include "models/store/store.h"
#include "models/store/text_fold.h"
#include "models/store/text_indexer.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QFile>
#include <QMap>
#include <QSignalSpy>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <set>

using namespace vigil;
using namespace vigil::models;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000;

struct Spec
{
    const char *rule;
    const char *source;
    const char *message;
    const char *fields; // the event's fields; nullptr: an alert without an event
};

// Mixed case, punctuation, LIKE's wildcards and escape character, quotes, repeated letters.
const Spec kAlerts[] = {
    {"Brute-force login", "auth-007", "41 failed logins for root", R"({"user":"root","ip":"10.0.0.7"})"},
    {"Brute-force login", "auth-008", "9 FAILED LOGINS for jdoe", R"({"user":"JDoe","ip":"10.0.0.8"})"},
    {"Large transfer", "pay-gw-001", "Transfer of 9000 EUR", R"({"account":"acct-4242","amount":9000})"},
    {"Large transfer", "pay-gw-002", "Transfer of 12000 EUR", R"({"account":"ACCT-4243","amount":12000})"},
    {"Unencrypted PII export", "scan-001", "PII export 100% unencrypted", R"({"path":"/exports/q_1.csv"})"},
    {"Disk nearly full", "srv-010", "Disk 97% used on /var", R"({"mount":"/var","used_pct":97})"},
    {"Card velocity", "pay-gw-001", "12 cards in 5 minutes", R"({"card":"needle-4242","note":"say \"hi\""})"},
    {"Odd names", "host_a!b", "under_score, \"quoted\" and bang! and 50%_off", nullptr},
    {"Stock below reorder point", "wh-002", "SKU-1234 stock at 3", R"({"sku":"SKU-1234","aaaa":"aaaaaa"})"},
};

// Texts looked for: in one column or another, any case, shorter than a trigram (the scan),
// wildcards taken literally, quotes, and text that only spans two columns (never a match).
const char *const kTexts[] = {
    "failed logins", "FAILED", "Failed Logins For", "acct-424", "ACCT-4242", "4242", "needle", "pay-gw-00",
    "PAY-GW-001", "100%", "97%", "%", "_", "q_1", "50%_off", "host_a!b", "bang!", "!", "say \"hi\"", "\"quoted\"", "\"", "d\" and",
    "aaa", "aaaaaaa", "ok", "o", "Br", "ute-force log", "root", "rootBrute", "EURLarge", "10.0.0", "/var",
    "nothing like this", "  failed  ", "sku-1234 stock", "transfer of 1",
};

// Letters beyond ASCII in every column: accents, German, Greek (with a final sigma), Cyrillic,
// the Kelvin sign (folds to an ASCII k) and a sharp s (folds to nothing else).
const Spec kUnicodeAlerts[] = {
    {"Login anomaly", "auth-münchen", "Login by Jürgen Müller", R"({"user":"MÜLLER","city":"MÜNCHEN"})"},
    {"Vendor payment", "pay-fr-01", "Paiement à la Société Générale", R"({"vendor":"SOCIÉTÉ GÉNÉRALE"})"},
    {"Greek text", "gr-01", "Σίσυφος and ΟΔΥΣΣΕΥΣ", nullptr},
    {"Delivery", "de-01", "Lieferung an Hauptstraße 5", R"({"street":"HAUPTSTRASSE"})"},
    {"Lab sensor", "lab-01", "Cryostat at 4 \u212A", "{\"unit\":\"\u212A\"}"},
    {"Ошибка входа", "ru-01", "ПОЛЬЗОВАТЕЛЬ заблокирован", nullptr},
    {"Plain ASCII", "srv-001", "muller and societe, without accents", nullptr},
};

// Any case of those letters, texts shorter than a trigram (scanned), and texts that must not
// match (no accent folding, no ß = ss).
const char *const kUnicodeTexts[] = {
    "MÜLLER", "müller", "jürgen müller", "ü", "Ü", "mü", "MÜNCHEN", "auth-MÜN", "société", "SOCIÉTÉ GÉN",
    "générale", "À LA", "é", "σίσυφος", "ΣΊΣΥΦΟΣ", "οδυσσευς", "Οδυσσεύς", "hauptstraße", "HAUPTSTRAßE",
    "hauptstrasse", "4 k", "\u212A", "пользователь", "ОШИБКА ВХОДА", "Заблокирован", "muller", "societe",
};

QString connectionName()
{
    static int n = 0;
    return QStringLiteral("text-search-%1").arg(++n);
}

GeneratedChunk chunkOf(const Spec *specs, qsizetype count, qint64 firstTime)
{
    GeneratedChunk chunk;
    for (qsizetype i = 0; i < count; ++i) {
        const Spec &s = specs[i];
        GeneratedAlert a;
        if (s.fields) {
            GeneratedEvent e;
            e.eventId = QStringLiteral("e-%1-%2").arg(firstTime).arg(i);
            e.timeMs = firstTime + i * 60'000;
            e.type = engine::EventType::Security;
            e.sourceType = QStringLiteral("test");
            e.sourceId = QString::fromUtf8(s.source);
            e.fieldsJson = QByteArray(s.fields);
            a.eventIndex = int(chunk.events.size());
            chunk.events.append(e);
        }
        a.ruleName = QString::fromUtf8(s.rule);
        a.type = engine::EventType::Security;
        a.severity = engine::Severity::High;
        a.message = QString::fromUtf8(s.message);
        a.sourceType = QStringLiteral("test");
        a.sourceId = QString::fromUtf8(s.source);
        a.createdAtMs = firstTime + i * 60'000;
        a.detailsJson = "{}";
        chunk.alerts.append(a);
    }
    return chunk;
}

// The reference: a case-insensitive (ASCII) substring of one of the four texts, worked out
// in C++ from what is stored.
QList<qint64> expectedIds(const QSqlDatabase &db, const QString &text)
{
    const QString needle = text.trimmed();
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT a.id, a.message, a.rule_name, a.source_id, COALESCE(e.fields, '')"
                               " FROM alerts a LEFT JOIN events e ON e.id = a.event_id ORDER BY a.created_at DESC, a.id DESC")))
        qFatal("reference query failed: %s", qPrintable(q.lastError().text()));
    QList<qint64> ids;
    while (q.next()) {
        for (int c = 1; c <= 4; ++c) {
            if (q.value(c).toString().contains(needle, Qt::CaseInsensitive)) {
                ids.append(q.value(0).toLongLong());
                break;
            }
        }
    }
    return ids;
}

QList<qint64> searched(Store &store, const QString &text)
{
    AlertQuery query;
    query.text = text;
    QList<qint64> ids;
    QString error;
    if (!store.alertIds(query, &ids, &error))
        qFatal("search failed: %s", qPrintable(error));
    qint64 count = -1;
    if (!store.countAlerts(query, &count, &error) || count != ids.size())
        qFatal("count (%lld) differs from the ids (%lld): %s", count, qint64(ids.size()), qPrintable(error));
    return ids;
}

// Indexes and triggers on alerts, as "name|sql".
QStringList alertSchema(const QSqlDatabase &db)
{
    QSqlQuery q(db);
    q.exec(QStringLiteral("SELECT name, sql FROM sqlite_master WHERE tbl_name = 'alerts' AND type IN ('index', 'trigger')"
                          " AND sql IS NOT NULL ORDER BY name"));
    QStringList out;
    while (q.next())
        out.append(q.value(0).toString() + QLatin1Char('|') + q.value(1).toString());
    return out;
}

bool textIndexIsIntact(const QSqlDatabase &db, QString *error)
{
    // The index's own check (rank 1: its words against its stored text), then its rows
    // against the alerts up to its watermark, both ways.
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("INSERT INTO search.alert_text (alert_text, rank) VALUES ('integrity-check', 1)"))) {
        *error = q.lastError().text();
        return false;
    }
    const QString indexed = QStringLiteral("SELECT rowid, message, rule_name, source_id, fields FROM search.alert_text");
    const QString alerts = QStringLiteral("SELECT id, message, rule_name, source_id, fields FROM alert_text_source"
                                          " WHERE id <= (SELECT through FROM search.alert_text_state)");
    if (!q.exec(QStringLiteral("SELECT (SELECT COUNT(*) FROM (%1 EXCEPT %2)), (SELECT COUNT(*) FROM (%2 EXCEPT %1))")
                    .arg(indexed, alerts))
        || !q.next()) {
        *error = q.lastError().text();
        return false;
    }
    if (q.value(0).toInt() != 0 || q.value(1).toInt() != 0) {
        *error = QStringLiteral("%1 indexed rows are not the alerts', %2 alerts are not indexed as they are")
                     .arg(q.value(0).toInt())
                     .arg(q.value(1).toInt());
        return false;
    }
    return true;
}

qint64 textIndexedThrough(const QSqlDatabase &db)
{
    QSqlQuery q(db);
    return q.exec(QStringLiteral("SELECT through FROM search.alert_text_state")) && q.next() ? q.value(0).toLongLong() : -1;
}

} // namespace

class TestAlertTextSearch : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void sameAnswersAsTheScan_data();
    void sameAnswersAsTheScan();
    void combinesWithFiltersAndSorts();
    void commonTextWithPagesAndFilters();
    void unicodeCaseFoldsAlikeOnBothPaths_data();
    void unicodeCaseFoldsAlikeOnBothPaths();
    void foldsAsTheTokenizer();
    void followsUpdatesAndDeletes();
    void bulkLoadRebuildsIndexes();
    void interruptedBulkLoadIsFinishedOnOpen();
    void interruptedBulkLoadBeforeMigration_data();
    void interruptedBulkLoadBeforeMigration();
    void migrationFromVersionTwoIndexesOldAlerts();
    void indexOfAnotherDatabaseIsRebuilt();
    void indexAheadOfARestoredDatabaseIsRebuilt();
    void indexerThreadKeepsUp();
    void sqliteOnlyStatementsAreSkippedOnPostgres();

private:
    std::unique_ptr<Store> openStore(const QString &file, QString *connection = nullptr);
    QTemporaryDir m_dir;
};

std::unique_ptr<Store> TestAlertTextSearch::openStore(const QString &file, QString *connection)
{
    DatabaseUrl url;
    QString error;
    if (!DatabaseUrl::parse(m_dir.filePath(file), &url, &error))
        return nullptr;
    const QString name = connectionName();
    if (connection)
        *connection = name;
    auto store = Store::open(url, name, &error);
    if (!store)
        qWarning("cannot open %s: %s", qPrintable(file), qPrintable(error));
    return store;
}

void TestAlertTextSearch::sameAnswersAsTheScan_data()
{
    QTest::addColumn<QString>("text");
    for (const char *t : kTexts)
        QTest::newRow(t) << QString::fromLatin1(t);
}

void TestAlertTextSearch::sameAnswersAsTheScan()
{
    QFETCH(QString, text);
    QString connection;
    auto store = openStore(QStringLiteral("same-%1.db").arg(QTest::currentDataTag()).toUtf8().toHex(), &connection);
    QVERIFY(store);
    QString error;
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0), &error), qPrintable(error));
    const QSqlDatabase tailDb = QSqlDatabase::database(connection, false);
    // Not indexed yet (the indexer comes by every couple of seconds): found by the scan.
    QCOMPARE(searched(*store, text), expectedIds(tailDb, text));
    qint64 indexed = 0;
    QVERIFY2(store->indexAlertText(0, &indexed, &error), qPrintable(error));
    QCOMPARE(indexed, qint64(std::size(kAlerts)));
    QVERIFY2(store->indexAlertText(0, &indexed, &error), qPrintable(error));
    QCOMPARE(indexed, qint64(0));
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    const QList<qint64> expected = expectedIds(db, text);
    QCOMPARE(searched(*store, text), expected);
    // Besides, the scan the store falls back to (and used before the index) agrees as well.
    const QString pattern = text.trimmed().replace(QLatin1Char('!'), QStringLiteral("!!"))
                                .replace(QLatin1Char('%'), QStringLiteral("!%"))
                                .replace(QLatin1Char('_'), QStringLiteral("!_"));
    QSqlQuery like(db);
    QVERIFY(like.prepare(QStringLiteral(
        "SELECT a.id FROM alerts a WHERE a.message LIKE ? ESCAPE '!' OR a.rule_name LIKE ? ESCAPE '!'"
        " OR a.source_id LIKE ? ESCAPE '!' OR EXISTS (SELECT 1 FROM events e WHERE e.id = a.event_id"
        " AND e.fields LIKE ? ESCAPE '!') ORDER BY a.created_at DESC, a.id DESC")));
    for (int i = 0; i < 4; ++i)
        like.bindValue(i, QLatin1Char('%') + pattern + QLatin1Char('%'));
    QVERIFY2(like.exec(), qPrintable(like.lastError().text()));
    QList<qint64> scanned;
    while (like.next())
        scanned.append(like.value(0).toLongLong());
    QCOMPARE(scanned, expected);
}

void TestAlertTextSearch::combinesWithFiltersAndSorts()
{
    auto store = openStore(QStringLiteral("combined.db"));
    QVERIFY(store);
    QString error;
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0), &error), qPrintable(error));
    QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
    AlertQuery q;
    q.text = QStringLiteral("4242");
    q.sortKey = AlertSortKey::Message;
    q.descending = false;
    QList<qint64> ids;
    QVERIFY2(store->alertIds(q, &ids, &error), qPrintable(error));
    QCOMPARE(ids, (QList<qint64>{7, 3})); // "12 cards…" before "Transfer…"
    q.source = QStringLiteral("pay-gw-001");
    q.maxId = 6;
    QVERIFY2(store->alertIds(q, &ids, &error), qPrintable(error));
    QCOMPARE(ids, QList<qint64>{3});
    QList<AlertRow> rows;
    QVERIFY2(store->alertRows(q, 0, 10, &rows, &error), qPrintable(error));
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows.at(0).message, QStringLiteral("Transfer of 9000 EUR"));
}

void TestAlertTextSearch::commonTextWithPagesAndFilters()
{
    // Enough matches that the store checks the text row by row while walking the time order
    // (more than it counts ahead for a text), and fewer for the source, which then finds the rows.
    QString connection;
    auto store = openStore(QStringLiteral("common.db"), &connection);
    QVERIFY(store);
    QString error;
    std::vector<Spec> specs;
    QList<QByteArray> texts;
    for (int i = 0; i < 6000; ++i) {
        texts.append(QStringLiteral("Routine check %1").arg(i).toLatin1());
        specs.push_back({"Routine", i % 100 == 0 ? "rare-1" : "common-1", texts.constLast().constData(), nullptr});
    }
    QVERIFY2(store->insertGenerated(chunkOf(specs.data(), qsizetype(specs.size()), kT0), &error), qPrintable(error));
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0 + 6000 * 60'000LL), &error), qPrintable(error));
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
    const QList<qint64> expected = expectedIds(db, QStringLiteral("ROUTINE CHECK 1"));
    QCOMPARE(expected.size(), 1111); // 1, 10-19, 100-199, 1000-1999
    QCOMPARE(searched(*store, QStringLiteral("ROUTINE CHECK 1")), expected);
    AlertQuery q;
    q.text = QStringLiteral("routine");
    QList<AlertRow> page;
    QVERIFY2(store->alertRows(q, 200, 200, &page, &error), qPrintable(error));
    QCOMPARE(page.size(), 200);
    QCOMPARE(page.first().id, 6000 - 200);
    QCOMPARE(page.last().id, 6000 - 399);
    qint64 count = 0;
    QVERIFY2(store->countAlerts(q, &count, &error), qPrintable(error));
    QCOMPARE(count, 6000);
    q.source = QStringLiteral("rare-1");
    QList<qint64> ids;
    QVERIFY2(store->alertIds(q, &ids, &error), qPrintable(error));
    QCOMPARE(ids.size(), 60);
    QCOMPARE(ids.first(), 5901);
    QVERIFY2(store->countAlerts(q, &count, &error), qPrintable(error));
    QCOMPARE(count, 60);
}

void TestAlertTextSearch::unicodeCaseFoldsAlikeOnBothPaths_data()
{
    QTest::addColumn<QString>("text");
    for (const char *t : kUnicodeTexts)
        QTest::newRow(t) << QString::fromUtf8(t);
}

void TestAlertTextSearch::unicodeCaseFoldsAlikeOnBothPaths()
{
    // The same alerts found before the indexer reaches them (scanned) and after (the trigram
    // index), and the same as Qt's case-insensitive search, for text beyond ASCII.
    QFETCH(QString, text);
    QString connection;
    auto store = openStore(QStringLiteral("unicode-%1.db").arg(QString::fromLatin1(text.toUtf8().toHex())), &connection);
    QVERIFY(store);
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QString error;
    QVERIFY2(store->insertGenerated(chunkOf(kUnicodeAlerts, std::size(kUnicodeAlerts), kT0), &error), qPrintable(error));
    const QList<qint64> expected = expectedIds(db, text);
    const QList<qint64> scanned = searched(*store, text);
    QCOMPARE(scanned, expected);
    QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
    QCOMPARE(searched(*store, text), expected);
    // Checked on rows another condition found (the source), not looked up in the index.
    if (!expected.isEmpty()) {
        AlertRecord first;
        QVERIFY2(store->alert(expected.first(), &first, &error), qPrintable(error));
        AlertQuery q;
        q.text = text;
        q.source = first.sourceId;
        QList<qint64> ids;
        QVERIFY2(store->alertIds(q, &ids, &error), qPrintable(error));
        QCOMPARE(ids, QList<qint64>{expected.first()});
    }
}

void TestAlertTextSearch::foldsAsTheTokenizer()
{
    QCOMPARE(TextFold::fold(QStringLiteral("MÜLLER Société ΣΊΣΥΦΟΣ ПОЛЬЗОВАТЕЛЬ")),
             QStringLiteral("müller société σίσυφοσ пользователь"));
    QCOMPARE(TextFold::fold(char32_t(0x212A)), char32_t('k')); // KELVIN SIGN
    QCOMPARE(TextFold::fold(char32_t(0x00DF)), char32_t(0x00DF)); // ß stays (no ss)
    QCOMPARE(TextFold::fold(char32_t(0x00E9)), char32_t(0x00E9)); // é keeps its accent
    QCOMPARE(TextFold::fold(char32_t('Q')), char32_t('q'));
    // The letters the tokenizer takes for one are those the fold makes one: one document per
    // letter (three in a row: one trigram), searched by each fold.
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("fold-check"));
    {
        db.setDatabaseName(QStringLiteral(":memory:"));
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'trigram')")));
        QVERIFY(db.transaction());
        QVERIFY(q.prepare(QStringLiteral("INSERT INTO t (rowid, x) VALUES (?, ?)")));
        QMap<char32_t, QSet<qint64>> classes; // fold → the letters folded to it
        for (char32_t c = 0x41; c < 0x2000; ++c) {
            if (!QChar::isLetter(c))
                continue;
            const char32_t three[3] = {c, c, c};
            q.bindValue(0, qint64(c));
            q.bindValue(1, QString::fromUcs4(three, 3));
            QVERIFY(q.exec());
            classes[TextFold::fold(c)].insert(qint64(c));
        }
        QVERIFY(db.commit());
        QVERIFY(q.prepare(QStringLiteral("SELECT rowid FROM t WHERE t MATCH ?")));
        int folded = 0;
        for (auto it = classes.cbegin(); it != classes.cend(); ++it) {
            folded += int(it.value().size()) - 1;
            const char32_t three[3] = {it.key(), it.key(), it.key()};
            q.bindValue(0, QStringLiteral("\"%1\"").arg(QString::fromUcs4(three, 3)));
            QVERIFY(q.exec());
            QSet<qint64> found;
            while (q.next())
                found.insert(q.value(0).toLongLong());
            QVERIFY2(found == it.value(), qPrintable(QStringLiteral("U+%1").arg(uint(it.key()), 4, 16, QLatin1Char('0'))));
        }
        QVERIFY(folded > 500);
        db.close();
    }
    db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("fold-check"));
}

void TestAlertTextSearch::followsUpdatesAndDeletes()
{
    QString connection;
    auto store = openStore(QStringLiteral("follows.db"), &connection);
    QVERIFY(store);
    QString error;
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0), &error), qPrintable(error));
    QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
    QCOMPARE(searched(*store, QStringLiteral("failed logins")), (QList<qint64>{2, 1}));
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("UPDATE alerts SET message = 'Password sprayed' WHERE id = 2")));
    QVERIFY(q.exec(QStringLiteral("DELETE FROM alerts WHERE id = 3")));
    // Found as they are now before the indexer has been by (scanned), and after.
    QCOMPARE(searched(*store, QStringLiteral("failed logins")), QList<qint64>{1});
    QCOMPARE(searched(*store, QStringLiteral("SPRAYED")), QList<qint64>{2});
    QCOMPARE(searched(*store, QStringLiteral("acct-4242")), QList<qint64>{});
    QVERIFY(q.exec(QStringLiteral("SELECT alert_id FROM alert_text_changes ORDER BY seq")));
    QList<qint64> changes;
    while (q.next())
        changes.append(q.value(0).toLongLong());
    QCOMPARE(changes, (QList<qint64>{2, 3}));
    qint64 indexed = -1;
    QVERIFY2(store->indexAlertText(0, &indexed, &error), qPrintable(error));
    QCOMPARE(indexed, 0);
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM alert_text_changes")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    QCOMPARE(searched(*store, QStringLiteral("failed logins")), QList<qint64>{1});
    QCOMPARE(searched(*store, QStringLiteral("SPRAYED")), QList<qint64>{2});
    QCOMPARE(searched(*store, QStringLiteral("acct-4242")), QList<qint64>{});
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM search.alert_text WHERE rowid = 3")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    // An alert changed before its first pass is indexed as it is then, once.
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, 2, kT0 + 3'600'000), &error), qPrintable(error));
    const qint64 newest = std::size(kAlerts) + 2;
    QVERIFY(q.exec(QStringLiteral("UPDATE alerts SET message = 'Quota exceeded' WHERE id = %1").arg(newest)));
    QVERIFY2(store->indexAlertText(0, &indexed, &error), qPrintable(error));
    QCOMPARE(indexed, 2);
    QCOMPARE(textIndexedThrough(db), newest);
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    QCOMPARE(searched(*store, QStringLiteral("quota exceeded")), QList<qint64>{newest});
    // Triage does not touch the indexed columns; the index stays as it is.
    const BulkActionResult r = store->applyAlertActions({1, 2}, AlertAction::Acknowledge,
                                                        Actor{QStringLiteral("alice"), Role::Analyst}, QString());
    QCOMPARE(r.done, 2);
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    QCOMPARE(searched(*store, QStringLiteral("failed logins")), expectedIds(db, QStringLiteral("failed logins")));
}

void TestAlertTextSearch::bulkLoadRebuildsIndexes()
{
    QString connection;
    auto store = openStore(QStringLiteral("bulk.db"), &connection);
    QVERIFY(store);
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QString error;
    // Alerts stored before the load keep their index entries.
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, 3, kT0), &error), qPrintable(error));
    const QStringList schemaBefore = alertSchema(db);
    QVERIFY(schemaBefore.size() > 10);

    QVERIFY2(store->beginBulkLoad(&error), qPrintable(error));
    QStringList during = alertSchema(db);
    // Only the triggers that note updates and deletes for the free-text index stay.
    QCOMPARE(during, (QStringList{schemaBefore.filter(QStringLiteral("alert_text_changed_delete|")).value(0),
                                  schemaBefore.filter(QStringLiteral("alert_text_changed_update|")).value(0)}));
    QCOMPARE(during.size(), 2);
    QVERIFY(!store->setting(QStringLiteral("bulk_load.pending")).isEmpty());
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts + 3, std::size(kAlerts) - 3, kT0 + 3 * 60'000), &error),
             qPrintable(error));
    QVERIFY2(store->finishBulkLoad(&error), qPrintable(error));

    QCOMPARE(alertSchema(db), schemaBefore);
    QCOMPARE(store->setting(QStringLiteral("bulk_load.pending")), QString());
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    for (const char *t : kTexts)
        QCOMPARE(searched(*store, QString::fromLatin1(t)), expectedIds(db, QString::fromLatin1(t)));
    // The planner has row counts for the alerts' indexes.
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'alerts'")) && q.next());
    QCOMPARE(q.value(0).toInt(), schemaBefore.filter(QStringLiteral("CREATE INDEX")).size());
    // Finishing twice does nothing more.
    QVERIFY2(store->finishBulkLoad(&error), qPrintable(error));
    QCOMPARE(alertSchema(db), schemaBefore);
}

void TestAlertTextSearch::interruptedBulkLoadIsFinishedOnOpen()
{
    QStringList schemaBefore;
    {
        QString connection;
        auto store = openStore(QStringLiteral("interrupted.db"), &connection);
        QVERIFY(store);
        schemaBefore = alertSchema(QSqlDatabase::database(connection, false));
        QString error;
        QVERIFY2(store->beginBulkLoad(&error), qPrintable(error));
        QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0), &error), qPrintable(error));
        // Closed without finishing, as when `vigil generate` is killed.
    }
    QString connection;
    auto store = openStore(QStringLiteral("interrupted.db"), &connection);
    QVERIFY(store);
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QCOMPARE(alertSchema(db), schemaBefore);
    QString error;
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    QCOMPARE(searched(*store, QStringLiteral("acct-424")), (QList<qint64>{4, 3}));
}

void TestAlertTextSearch::interruptedBulkLoadBeforeMigration_data()
{
    QTest::addColumn<int>("version");       // the migration the load was cut short before
    QTest::addColumn<QStringList>("undo");  // what puts the database back as the older schema left it
    QTest::addColumn<QString>("kept");      // the index the migration made or kept
    QTest::addColumn<QString>("gone");      // the index it replaced or dropped
    // Schema 8 saved the assignee's old index among the definitions to build again.
    QTest::newRow("9: the assignee's index")
        << 9
        << QStringList{u"UPDATE settings SET value = json_set(json_remove(value,"
                       " '$.indexes.alerts_assigned_silence_created'), '$.indexes.alerts_assigned_created',"
                       " 'CREATE INDEX alerts_assigned_created ON alerts (assigned_to, created_at)')"
                       " WHERE key = 'bulk_load.pending'"_qs,
                       // Migration 10 undone as well (it runs again on open).
                       u"DROP TRIGGER alert_text_changed_delete"_qs, u"DROP TRIGGER alert_text_changed_update"_qs,
                       u"DROP TABLE alert_text_changes"_qs}
        << u"alerts_assigned_silence_created|"_qs << u"alerts_assigned_created|"_qs;
    // Schema 10 saved the source's own index.
    QTest::newRow("11: the source's index")
        << 11
        << QStringList{u"UPDATE settings SET value = json_set(value, '$.indexes.alerts_source',"
                       " 'CREATE INDEX alerts_source ON alerts (source_id)') WHERE key = 'bulk_load.pending'"_qs}
        << u"alerts_source_created|"_qs << u"alerts_source|"_qs;
}

void TestAlertTextSearch::interruptedBulkLoadBeforeMigration()
{
    // A load cut short at an older schema saved an index that a later migration replaced or
    // dropped; opened by this version, the database gets the migration's indexes, not the old.
    QFETCH(int, version);
    QFETCH(QStringList, undo);
    QFETCH(QString, kept);
    QFETCH(QString, gone);
    const QString file = QStringLiteral("interrupted-%1.db").arg(version - 1);
    QStringList schemaBefore;
    {
        QString connection;
        auto store = openStore(file, &connection);
        QVERIFY(store);
        const QSqlDatabase db = QSqlDatabase::database(connection, false);
        schemaBefore = alertSchema(db);
        QString error;
        QVERIFY2(store->beginBulkLoad(&error), qPrintable(error));
        QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0), &error), qPrintable(error));
        QSqlQuery q(db);
        for (const QString &statement : std::as_const(undo)) {
            QVERIFY2(q.exec(statement), qPrintable(statement));
            if (statement.startsWith(u"UPDATE"_qs))
                QCOMPARE(q.numRowsAffected(), 1);
        }
        q.prepare(QStringLiteral("DELETE FROM schema_version WHERE version >= ?"));
        q.addBindValue(version);
        QVERIFY(q.exec());
        QCOMPARE(q.numRowsAffected(), schema::latestVersion() - version + 1);
    }
    QString connection;
    auto store = openStore(file, &connection);
    QVERIFY(store);
    QCOMPARE(store->schemaVersion(), schema::latestVersion());
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QCOMPARE(alertSchema(db), schemaBefore);
    const QString schemaText = schemaBefore.join(u'\n');
    QVERIFY(schemaText.contains(kept));
    QVERIFY(!schemaText.contains(gone));
    QCOMPARE(store->setting(QStringLiteral("bulk_load.pending")), QString());
    QString error;
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
}

void TestAlertTextSearch::migrationFromVersionTwoIndexesOldAlerts()
{
    // A database as version 2 left it, with alerts, written without the store.
    const QString file = m_dir.filePath(QStringLiteral("version2.db"));
    {
        const QString name = connectionName();
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(file);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("CREATE TABLE schema_version (version INTEGER NOT NULL)")));
            for (const schema::Migration &m : schema::migrations()) {
                if (m.version > 2)
                    continue;
                for (const QString &s : m.statements)
                    QVERIFY2(q.exec(schema::translate(s, schema::Dialect::SQLite)), qPrintable(q.lastError().text()));
                QVERIFY(q.exec(QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(m.version)));
            }
            QVERIFY(q.exec(QStringLiteral("INSERT INTO events (id, event_id, time, type, source_type, source_id, fields,"
                                          " received_at) VALUES (1, 'e1', 1, 'SECURITY', 'auth', 'auth-1',"
                                          " '{\"account\":\"Acct-777\"}', 1)")));
            QVERIFY(q.exec(QStringLiteral("INSERT INTO alerts (rule_name, event_id, type, severity, message, source_type,"
                                          " source_id, created_at) VALUES ('Old rule', 1, 'SECURITY', 'HIGH',"
                                          " 'An old Alert', 'auth', 'auth-1', 1), ('Other', NULL, 'SYSTEM', 'LOW',"
                                          " 'disk', 'host', 'srv-9', 2)")));
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }
    QString connection;
    auto store = openStore(QStringLiteral("version2.db"), &connection);
    QVERIFY(store);
    QCOMPARE(store->schemaVersion(), schema::latestVersion());
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QString error;
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    QCOMPARE(searched(*store, QStringLiteral("acct-777")), QList<qint64>{1});
    QCOMPARE(searched(*store, QStringLiteral("OLD ALERT")), QList<qint64>{1});
    QCOMPARE(searched(*store, QStringLiteral("srv-9")), QList<qint64>{2});
    // Sorting by message has its index, and new alerts are indexed as they come.
    QSqlQuery q(db);
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'alerts_message_created'")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, 1, kT0), &error), qPrintable(error));
    QCOMPARE(searched(*store, QStringLiteral("failed logins")), QList<qint64>{3});
}

void TestAlertTextSearch::indexOfAnotherDatabaseIsRebuilt()
{
    // A database deleted and made anew beside the old index file: the file is not its own.
    const QString file = QStringLiteral("replaced.db");
    {
        auto store = openStore(file);
        QVERIFY(store);
        QString error;
        QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0), &error), qPrintable(error));
        QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
        QCOMPARE(searched(*store, QStringLiteral("failed logins")), (QList<qint64>{2, 1}));
    }
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(m_dir.filePath(file + QLatin1String(suffix)));
    QVERIFY(QFile::exists(m_dir.filePath(file + QStringLiteral("-text"))));
    QString connection;
    auto store = openStore(file, &connection);
    QVERIFY(store);
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QCOMPARE(textIndexedThrough(db), 0);
    QString error;
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts + 4, 2, kT0), &error), qPrintable(error));
    QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    // Alert 1 of this database is the PII export, not the old database's failed logins.
    QCOMPARE(searched(*store, QStringLiteral("failed logins")), QList<qint64>{});
    QCOMPARE(searched(*store, QStringLiteral("unencrypted")), QList<qint64>{1});
}

void TestAlertTextSearch::indexAheadOfARestoredDatabaseIsRebuilt()
{
    // The database restored from a copy older than its index file (same identity).
    const QString file = QStringLiteral("restored.db");
    const QString path = m_dir.filePath(file);
    {
        auto store = openStore(file);
        QVERIFY(store);
        QString error;
        QVERIFY2(store->insertGenerated(chunkOf(kAlerts, 5, kT0), &error), qPrintable(error));
    }
    QVERIFY(QFile::copy(path, path + QStringLiteral(".backup"))); // closed: no log to copy
    {
        auto store = openStore(file);
        QVERIFY(store);
        QString error;
        QVERIFY2(store->insertGenerated(chunkOf(kAlerts + 5, 4, kT0 + 5 * 60'000), &error), qPrintable(error));
        QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
        QCOMPARE(searched(*store, QStringLiteral("sku-1234")), QList<qint64>{9});
    }
    for (const char *suffix : {"", "-wal", "-shm"})
        QFile::remove(path + QLatin1String(suffix));
    QVERIFY(QFile::copy(path + QStringLiteral(".backup"), path));
    QString connection;
    auto store = openStore(file, &connection);
    QVERIFY(store);
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QCOMPARE(textIndexedThrough(db), 0);
    QString error;
    // Alerts 6-9 of the restored database are other alerts than those the file held.
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, 4, kT0 + 3'600'000), &error), qPrintable(error));
    QVERIFY2(store->indexAlertText(0, nullptr, &error), qPrintable(error));
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    QCOMPARE(textIndexedThrough(db), 9);
    QCOMPARE(searched(*store, QStringLiteral("sku-1234")), QList<qint64>{});
    QCOMPARE(searched(*store, QStringLiteral("failed logins")), (QList<qint64>{7, 6, 2, 1}));
}

void TestAlertTextSearch::indexerThreadKeepsUp()
{
    QString connection;
    auto store = openStore(QStringLiteral("indexer.db"), &connection);
    QVERIFY(store);
    const QSqlDatabase db = QSqlDatabase::database(connection, false);
    QString error;
    std::vector<Spec> specs;
    QList<QByteArray> texts;
    for (int i = 0; i < TextIndexer::kAlertsPerPass + 500; ++i) {
        texts.append(QStringLiteral("Batch job %1 failed").arg(i).toLatin1());
        specs.push_back({"Batch", "cron-1", texts.constLast().constData(), nullptr});
    }
    QVERIFY2(store->insertGenerated(chunkOf(specs.data(), qsizetype(specs.size()), kT0), &error), qPrintable(error));
    DatabaseUrl url;
    QVERIFY(DatabaseUrl::parse(m_dir.filePath(QStringLiteral("indexer.db")), &url, &error));
    TextIndexer indexer(url);
    QSignalSpy failures(&indexer, &TextIndexer::failure);
    indexer.start();
    // More than one pass holds: the second follows the first straight away.
    QTRY_COMPARE_WITH_TIMEOUT(textIndexedThrough(db), qint64(specs.size()), 60'000);
    QTRY_VERIFY(indexer.passes() >= 2); // counted just after its commit
    QVERIFY2(textIndexIsIntact(db, &error), qPrintable(error));
    // New alerts wait for the next pass, or one asked for.
    QVERIFY2(store->insertGenerated(chunkOf(kAlerts, std::size(kAlerts), kT0 + 86'400'000), &error), qPrintable(error));
    indexer.indexNow();
    QTRY_COMPARE_WITH_TIMEOUT(textIndexedThrough(db), qint64(specs.size() + std::size(kAlerts)), 60'000);
    indexer.stop();
    QVERIFY(indexer.isFinished());
    QCOMPARE(indexer.alertsIndexed(), qint64(specs.size() + std::size(kAlerts)));
    QCOMPARE(failures.count(), 0);
    QCOMPARE(searched(*store, QStringLiteral("batch job 2999 failed")), QList<qint64>{3000});
}

void TestAlertTextSearch::sqliteOnlyStatementsAreSkippedOnPostgres()
{
    int sqliteOnly = 0;
    for (const schema::Migration &m : schema::migrations()) {
        for (const QString &s : m.statements) {
            const QString pg = schema::translate(s, schema::Dialect::PostgreSQL);
            const QString lite = schema::translate(s, schema::Dialect::SQLite);
            QVERIFY(!lite.isEmpty());
            if (s.startsWith(QStringLiteral("{SQLITE}"))) {
                ++sqliteOnly;
                QVERIFY(pg.isEmpty());
            } else {
                QVERIFY(!pg.isEmpty());
            }
        }
    }
    // Migration 4: the view, the index, three triggers, its merge setting, the backfill, the
    // statistics; migration 6: the insert trigger dropped, the watermark, two triggers again;
    // migration 7: the statistics of its index; migration 9: an unfinished bulk load's saved
    // definitions, the statistics of its index; migration 10: the index and its triggers
    // dropped, the watermark gone, the database's identity, the table of changes and its
    // two triggers.
    // Migration 11: an unfinished bulk load's saved definitions.
    QCOMPARE(sqliteOnly, 26);
}

QTEST_GUILESS_MAIN(TestAlertTextSearch)
#include "tst_alert_text_search.moc"
