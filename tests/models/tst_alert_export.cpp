// Exports from a real SQLite file (and, with VIGIL_TEST_POSTGRES_URL, from PostgreSQL): the CSV (RFC 4180) and JSON files are read back and
// compared field by field with what was stored; a cancelled or failed export leaves no file.

#include "models/alerts/alert_exporter.h"
#include "models/store/store.h"
#include "tests/postgres_test_databases.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vigil;
using namespace vigil::models;
using vigil::test::PostgresTestDatabases;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000; // 2023-11-14T22:13:20.000Z

struct Spec
{
    const char *rule;
    engine::Severity severity;
    engine::AlertStatus status;
    const char *source;
    QString message;
    QByteArray details;
};

// Messages with everything CSV must quote: commas, double quotes, CR, LF, non-ASCII.
const QList<Spec> &specs()
{
    static const QList<Spec> list = {
        {"Large transfer", engine::Severity::High, engine::AlertStatus::New, "pay-gw-001", u"Transfer of 9,000 EUR"_qs,
         "{\"conditions\":[{\"field\":\"amount\",\"op\":\">\",\"value\":5000,\"actual\":9000,\"matched\":true}]}"},
        {"Brute-force login", engine::Severity::Critical, engine::AlertStatus::Acknowledged, "auth-007",
         u"41 failed logins for \"root\""_qs, "{}"},
        {"Disk nearly full", engine::Severity::Medium, engine::AlertStatus::Resolved, "srv-010",
         u"Disk 97% used\r\non /var, \"quoted\""_qs, "{\"note\":\"a, \\\"b\\\"\\nc\"}"},
        {"Card velocity", engine::Severity::Low, engine::AlertStatus::FalsePositive, "pay-gw-001",
         u"Zahlung über 12 Karten — ünïcödé"_qs, "{}"},
        {"Plain", engine::Severity::Low, engine::AlertStatus::New, "wh-002", u"no special characters"_qs, "{}"},
    };
    return list;
}

QString isoTime(int index, qint64 plusMs = 0)
{
    return QDateTime::fromMSecsSinceEpoch(kT0 + index * 60'000 + plusMs, Qt::UTC).toString(Qt::ISODateWithMs);
}

// RFC 4180 reader, written independently of the exporter's writer.
QList<QStringList> parseCsv(const QString &text, QString *problem)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false, fieldStarted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text.at(i + 1) == u'"') {
                    field.append(u'"');
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field.append(c);
            }
            continue;
        }
        if (c == u'"' && !fieldStarted) {
            quoted = fieldStarted = true;
        } else if (c == u',') {
            record.append(field);
            field.clear();
            fieldStarted = false;
        } else if (c == u'\r') {
            if (i + 1 >= text.size() || text.at(i + 1) != u'\n') {
                *problem = u"bare CR outside quotes at %1"_qs.arg(i);
                return {};
            }
            ++i;
            record.append(field);
            records.append(record);
            record.clear();
            field.clear();
            fieldStarted = false;
        } else if (c == u'\n') {
            *problem = u"bare LF outside quotes at %1"_qs.arg(i);
            return {};
        } else if (c == u'"') {
            *problem = u"quote inside an unquoted field at %1"_qs.arg(i);
            return {};
        } else {
            field.append(c);
            fieldStarted = true;
        }
    }
    if (quoted || fieldStarted || !record.isEmpty())
        *problem = u"the file does not end with CRLF after the last record"_qs;
    return records;
}

} // namespace

class TestAlertExport : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
    void init();
    void cleanup() { m_postgres.dropAll(); }
    void csvOfFilter();
    void jsonOfSelection();
    void jsonOfNothing();
    void streamsInChunks();
    void cancelLeavesNoFile();
    void cancelOnTheExportThread();
    void unwritableFile();

private:
    ExportRequest request(const QString &file, ExportFormat format) const;
    // What the export must say about alert `index` (1-based id = index + 1).
    QStringList expectedCsv(int index) const;
    QJsonObject expectedJson(int index) const;

    QTemporaryDir m_dir;
    QString m_files; // this test's exports: a folder of its own (each test runs once per backend)
    PostgresTestDatabases m_postgres;
    DatabaseUrl m_url;
    int m_run = 0;
};

void TestAlertExport::init()
{
    VIGIL_SKIP_UNAVAILABLE_BACKEND();
    QVERIFY(m_dir.isValid());
    QString error;
    m_files = m_dir.filePath(u"files-%1"_qs.arg(++m_run));
    QVERIFY(QDir().mkpath(m_files));
    if (PostgresTestDatabases::isPostgres())
        QVERIFY2(m_postgres.create(&m_url, &error), qPrintable(error));
    else
        QVERIFY(DatabaseUrl::parse(m_dir.filePath(u"export-%1.db"_qs.arg(m_run)), &m_url, &error));
    auto store = Store::open(m_url, u"export-setup"_qs, &error);
    QVERIFY2(store, qPrintable(error));
    const qint64 alice = store->userId(Actor{u"alice"_qs, Role::Analyst}, &error);
    QVERIFY(alice > 0);
    GeneratedChunk chunk;
    for (int i = 0; i < specs().size(); ++i) {
        const Spec &s = specs().at(i);
        GeneratedEvent e;
        e.eventId = u"evt-%1"_qs.arg(i + 1);
        e.timeMs = kT0 + i * 60'000;
        e.type = engine::EventType::Security;
        e.sourceType = u"test"_qs;
        e.sourceId = QString::fromLatin1(s.source);
        e.fieldsJson = "{}";
        chunk.events.append(e);
        GeneratedAlert a;
        a.eventIndex = i;
        a.ruleName = QString::fromLatin1(s.rule);
        a.type = e.type;
        a.severity = s.severity;
        a.status = s.status;
        a.message = s.message;
        a.sourceType = e.sourceType;
        a.sourceId = e.sourceId;
        a.createdAtMs = e.timeMs;
        a.detailsJson = s.details;
        if (s.status != engine::AlertStatus::New) {
            a.acknowledgedBy = alice;
            a.acknowledgedAtMs = a.createdAtMs + 1000;
        }
        if (s.status == engine::AlertStatus::Resolved || s.status == engine::AlertStatus::FalsePositive) {
            a.resolvedBy = alice;
            a.resolvedAtMs = a.createdAtMs + 2000;
            a.resolutionNotes = u"Checked, \"benign\",\nclosed"_qs;
        }
        chunk.alerts.append(a);
    }
    QVERIFY2(store->insertGenerated(chunk, &error), qPrintable(error));
}

ExportRequest TestAlertExport::request(const QString &file, ExportFormat format) const
{
    ExportRequest r;
    r.url = m_url;
    r.path = QDir(m_files).filePath(file);
    r.format = format;
    return r;
}

QStringList TestAlertExport::expectedCsv(int i) const
{
    const Spec &s = specs().at(i);
    const bool acknowledged = s.status != engine::AlertStatus::New;
    const bool closed = s.status == engine::AlertStatus::Resolved || s.status == engine::AlertStatus::FalsePositive;
    return {QString::number(i + 1),
            isoTime(i),
            engine::toString(s.severity),
            u"SECURITY"_qs,
            engine::toString(s.status),
            QString::fromLatin1(s.rule),
            s.message,
            u"test"_qs,
            QString::fromLatin1(s.source),
            u"evt-%1"_qs.arg(i + 1),
            acknowledged ? u"alice"_qs : QString(),
            acknowledged ? isoTime(i, 1000) : QString(),
            closed ? u"alice"_qs : QString(),
            closed ? isoTime(i, 2000) : QString(),
            closed ? u"Checked, \"benign\",\nclosed"_qs : QString(),
            QString::fromUtf8(QJsonDocument::fromJson(s.details).toJson(QJsonDocument::Compact))};
}

QJsonObject TestAlertExport::expectedJson(int i) const
{
    const Spec &s = specs().at(i);
    QJsonObject o{{u"id"_qs, i + 1},
                  {u"rule"_qs, QString::fromLatin1(s.rule)},
                  {u"severity"_qs, engine::toString(s.severity)},
                  {u"type"_qs, u"SECURITY"_qs},
                  {u"message"_qs, s.message},
                  {u"status"_qs, engine::toString(s.status)},
                  {u"source_type"_qs, u"test"_qs},
                  {u"source_id"_qs, QString::fromLatin1(s.source)},
                  {u"event_id"_qs, u"evt-%1"_qs.arg(i + 1)},
                  {u"created_at"_qs, isoTime(i)},
                  {u"details"_qs, QJsonDocument::fromJson(s.details).object()}};
    if (s.status != engine::AlertStatus::New) {
        o.insert(u"acknowledged_by"_qs, u"alice"_qs);
        o.insert(u"acknowledged_at"_qs, isoTime(i, 1000));
    }
    if (s.status == engine::AlertStatus::Resolved || s.status == engine::AlertStatus::FalsePositive) {
        o.insert(u"resolved_by"_qs, u"alice"_qs);
        o.insert(u"resolved_at"_qs, isoTime(i, 2000));
        o.insert(u"resolution_notes"_qs, u"Checked, \"benign\",\nclosed"_qs);
    }
    return o;
}

void TestAlertExport::csvOfFilter()
{
    // Everything from pay-gw-001 and auth-007 ... as a filter: source pay-gw-001, oldest first.
    ExportRequest r = request(u"filter.csv"_qs, ExportFormat::Csv);
    r.query.source = u"pay-gw-001"_qs;
    r.query.descending = false;
    std::atomic<bool> cancel{false};
    const AlertExporter::Result result = AlertExporter::run(r, cancel, [](qint64, qint64) {});
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.written, 2);
    QCOMPARE(result.total, 2);
    QVERIFY(!result.cancelled);

    QFile file(r.path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QString problem;
    const QList<QStringList> records = parseCsv(QString::fromUtf8(file.readAll()), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(records.size(), 3);
    QCOMPARE(records.at(0), AlertExporter::csvColumns());
    QCOMPARE(records.at(0).first(), u"id"_qs);
    QCOMPARE(records.at(1), expectedCsv(0));
    QCOMPARE(records.at(2), expectedCsv(3));

    // The whole table, newest first: every awkward character survives the round trip.
    r = request(u"all.csv"_qs, ExportFormat::Csv);
    QVERIFY(AlertExporter::run(r, cancel, [](qint64, qint64) {}).error.isEmpty());
    QFile all(r.path);
    QVERIFY(all.open(QIODevice::ReadOnly));
    const QList<QStringList> rows = parseCsv(QString::fromUtf8(all.readAll()), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.size(), specs().size() + 1);
    for (int i = 0; i < specs().size(); ++i)
        QCOMPARE(rows.at(i + 1), expectedCsv(int(specs().size()) - 1 - i));
}

void TestAlertExport::jsonOfSelection()
{
    ExportRequest r = request(u"selection.json"_qs, ExportFormat::Json);
    r.useIds = true;
    r.ids = {3, 1, 999, 2}; // in the table's order; 999 no longer exists
    std::atomic<bool> cancel{false};
    const AlertExporter::Result result = AlertExporter::run(r, cancel, [](qint64, qint64) {});
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.written, 3);
    QFile file(r.path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError parse;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parse);
    QCOMPARE(parse.error, QJsonParseError::NoError);
    QVERIFY(doc.isArray());
    const QJsonArray array = doc.array();
    QCOMPARE(array.size(), 3);
    QCOMPARE(array.at(0).toObject(), expectedJson(2));
    QCOMPARE(array.at(1).toObject(), expectedJson(0));
    QCOMPARE(array.at(2).toObject(), expectedJson(1));
}

void TestAlertExport::jsonOfNothing()
{
    ExportRequest r = request(u"none.json"_qs, ExportFormat::Json);
    r.query.source = u"nobody"_qs;
    std::atomic<bool> cancel{false};
    const AlertExporter::Result result = AlertExporter::run(r, cancel, [](qint64, qint64) {});
    QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
    QCOMPARE(result.written, 0);
    QFile file(r.path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll());
    QVERIFY(doc.isArray());
    QCOMPARE(doc.array().size(), 0);
}

void TestAlertExport::streamsInChunks()
{
    ExportRequest r = request(u"chunks.json"_qs, ExportFormat::Json);
    r.chunkSize = 2;
    std::atomic<bool> cancel{false};
    QStringList calls;
    const AlertExporter::Result result
        = AlertExporter::run(r, cancel, [&](qint64 done, qint64 total) { calls.append(u"%1/%2"_qs.arg(done).arg(total)); });
    QVERIFY(result.error.isEmpty());
    // 5 alerts, 2 at a time: the start, then after each chunk.
    QCOMPARE(calls, QStringList({u"0/5"_qs, u"2/5"_qs, u"4/5"_qs, u"5/5"_qs}));
    QFile file(r.path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray array = QJsonDocument::fromJson(file.readAll()).array();
    QCOMPARE(array.size(), 5);
    for (int i = 0; i < 5; ++i)
        QCOMPARE(array.at(i).toObject(), expectedJson(4 - i));
}

void TestAlertExport::cancelLeavesNoFile()
{
    for (const ExportFormat format : {ExportFormat::Csv, ExportFormat::Json}) {
        ExportRequest r = request(format == ExportFormat::Csv ? u"cancelled.csv"_qs : u"cancelled.json"_qs, format);
        r.chunkSize = 1;
        std::atomic<bool> cancel{false};
        int calls = 0;
        const AlertExporter::Result result = AlertExporter::run(r, cancel, [&](qint64 done, qint64) {
            ++calls;
            if (done == 2)
                cancel.store(true); // the analyst pressed Cancel after two alerts
        });
        QVERIFY(result.cancelled);
        QVERIFY(result.error.isEmpty());
        QCOMPARE(result.written, 2);
        QCOMPARE(calls, 3);
        QVERIFY(!QFile::exists(r.path));
        QCOMPARE(QDir(m_files).entryList({u"cancelled*"_qs}, QDir::Files | QDir::Hidden), QStringList());
    }

    // A file that was there before stays as it was.
    ExportRequest r = request(u"existing.csv"_qs, ExportFormat::Csv);
    {
        QFile before(r.path);
        QVERIFY(before.open(QIODevice::WriteOnly));
        before.write("keep me\n");
    }
    std::atomic<bool> cancel{true};
    const AlertExporter::Result result = AlertExporter::run(r, cancel, [](qint64, qint64) {});
    QVERIFY(result.cancelled);
    QFile after(r.path);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), QByteArray("keep me\n"));
}

void TestAlertExport::cancelOnTheExportThread()
{
    ExportRequest r = request(u"threaded.csv"_qs, ExportFormat::Csv);
    r.chunkSize = 1;
    AlertExporter exporter(r);
    QSignalSpy progress(&exporter, &AlertExporter::progress);
    QSignalSpy finished(&exporter, &AlertExporter::finished);
    // Direct: runs on the export thread, so the cancel lands before the next chunk.
    connect(&exporter, &AlertExporter::progress, &exporter, [&exporter](qint64 done, qint64) {
        if (done == 1)
            exporter.cancel();
    }, Qt::DirectConnection);
    exporter.start();
    exporter.wait();
    QCOMPARE(finished.count(), 1);
    const auto result = finished.at(0).at(0).value<AlertExporter::Result>();
    QVERIFY(result.cancelled);
    QCOMPARE(result.written, 1);
    QCOMPARE(progress.count(), 2); // 0 of 5, then 1 of 5
    QVERIFY(!QFile::exists(r.path));

    // Uncancelled, the same request writes the file.
    AlertExporter again(r);
    QSignalSpy done(&again, &AlertExporter::finished);
    again.start();
    again.wait();
    QCOMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).value<AlertExporter::Result>().written, 5);
    QVERIFY(QFile::exists(r.path));
}

void TestAlertExport::unwritableFile()
{
    ExportRequest r = request(u"no-such-folder/alerts.csv"_qs, ExportFormat::Csv);
    std::atomic<bool> cancel{false};
    AlertExporter::Result result = AlertExporter::run(r, cancel, [](qint64, qint64) {});
    QVERIFY(!result.cancelled);
    QCOMPARE(result.written, 0);
    QVERIFY2(result.error.startsWith(u"Cannot write %1: "_qs.arg(QDir::toNativeSeparators(r.path))), qPrintable(result.error));
    QVERIFY2(result.error.endsWith(u". Choose another folder or file name."_qs), qPrintable(result.error));
    QVERIFY(!QFile::exists(r.path));

    // A folder where the file should go.
    QVERIFY(QDir(m_files).mkdir(u"a-folder.json"_qs));
    r = request(u"a-folder.json"_qs, ExportFormat::Json);
    result = AlertExporter::run(r, cancel, [](qint64, qint64) {});
    QVERIFY2(result.error.startsWith(u"Cannot write %1: "_qs.arg(QDir::toNativeSeparators(r.path))), qPrintable(result.error));
}

QTEST_GUILESS_MAIN(TestAlertExport)
#include "tst_alert_export.moc"
