// What silences cost: matching a new alert against the active silences in memory, ingest
// through the store with and without active silences, the dialog's preview over a generated
// history, and the console's count and pages once some alerts are silenced.
//
//   bench_silences --database PATH [--events 100000]
//
// PATH is a database from `vigil generate`; it is copied into a temporary folder first (the
// bench adds silences and alerts to the copy). Figures are printed as Markdown tables.

#include "engine/events/event_codec.h"
#include "models/store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <cstdio>

using namespace vigil;

namespace {

const char *const kCountries[] = {"DE", "FR", "NL", "US", "GB", "ES", "IT", "PL"};

engine::Event makeEvent(int i, const QString &prefix)
{
    const QJsonObject o{{QStringLiteral("id"), QStringLiteral("%1-%2").arg(prefix).arg(i)},
                        {QStringLiteral("time"), engine::formatTime(1'769'860'800'000 + i)},
                        {QStringLiteral("type"), QStringLiteral("TRANSACTION")},
                        {QStringLiteral("source_type"), QStringLiteral("account")},
                        {QStringLiteral("source_id"), QStringLiteral("acct-%1").arg(i % 5000)},
                        {QStringLiteral("fields"),
                         QJsonObject{{QStringLiteral("amount"), 100 + i % 900},
                                     {QStringLiteral("country"), QLatin1String(kCountries[i % 8])},
                                     {QStringLiteral("geo"), QJsonObject{{QStringLiteral("city"), QStringLiteral("c%1").arg(i % 50)}}}}}};
    engine::Event e;
    QString error;
    engine::EventCodec::decodeEvent(o, 0, QStringLiteral("event"), &e, &error);
    return e;
}

// `n` silences that match none of the bench's events (the worst case: every one is tested),
// a third each by rule, by source, by a nested field.
QList<engine::Silence> nonMatching(int n, qint64 expiresAtMs)
{
    QList<engine::Silence> out;
    for (int i = 0; i < n; ++i) {
        engine::Silence s;
        s.id = i + 1;
        s.comment = QStringLiteral("bench");
        s.expiresAtMs = expiresAtMs;
        switch (i % 3) {
        case 0: s.ruleName = QStringLiteral("No such rule %1").arg(i); break;
        case 1: s.sourceId = QStringLiteral("nowhere-%1").arg(i); break;
        default:
            s.fieldPath = QStringLiteral("fields.geo.city");
            s.fieldValue = QStringLiteral("atlantis-%1").arg(i);
        }
        out.append(s);
    }
    return out;
}

double ms(const QElapsedTimer &t) { return double(t.nsecsElapsed()) / 1e6; }

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("database"), QStringLiteral("A database from vigil generate."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("events"), QStringLiteral("Events ingested per run."), QStringLiteral("n"), QStringLiteral("100000")});
    parser.process(app);
    const int events = parser.value(QStringLiteral("events")).toInt();
    QTemporaryDir dir;
    QString error;
    const qint64 later = QDateTime::currentMSecsSinceEpoch() + 3'600'000;

    // --- 1. matching in memory ---
    std::printf("### Matching one alert against the active silences (in memory, %d alerts)\n\n", events);
    std::printf("| active silences (none matching) | ns per alert |\n|---:|---:|\n");
    engine::EventBatch batch;
    for (int i = 0; i < events; ++i)
        batch.append(makeEvent(i, QStringLiteral("m")));
    for (int n : {0, 1, 10, 50}) {
        engine::SilenceSet set;
        set.setSilences(nonMatching(n, later));
        qint64 hits = 0;
        QElapsedTimer t;
        t.start();
        for (int round = 0; round < 5; ++round)
            for (const engine::Event &e : std::as_const(batch))
                hits += set.isEmpty() ? 0 : set.match(QStringLiteral("Large transfer"), e, later - 1);
        std::printf("| %d | %.0f |\n", n, double(t.nsecsElapsed()) / (5.0 * events));
        if (hits)
            return 1;
    }

    // --- 2. ingest through the store ---
    std::printf("\n### Ingest through Store::ingest, one alert per event, batches of 1,000 (%d events)\n\n", events);
    std::printf("| active silences | silenced | events/s |\n|---:|---:|---:|\n");
    const QByteArray rule = R"({"name": "Every transfer", "alert_type": "TRANSACTION", "severity": "HIGH",
        "conditions": {"all": [{"field": "fields.amount", "op": "gt", "value": 0}]}, "message": "transfer"})";
    engine::Rule everyTransfer;
    engine::Rule::fromJson(QJsonDocument::fromJson(rule).object(), &everyTransfer, &error);
    int run = 0;
    for (int n : {0, 20, 21}) {
        // Silences that never match carry ids the database does not have: no alert refers to them.
        models::DatabaseUrl url;
        url.path = dir.filePath(QStringLiteral("ingest-%1.db").arg(++run));
        auto store = models::Store::open(url, QStringLiteral("ingest-%1").arg(run), &error);
        int created = 0, updated = 0;
        store->importRules({everyTransfer}, models::Actor::system(), &created, &updated, &error);
        QList<engine::Rule> rules;
        store->loadRules(&rules, &error);
        engine::Pipeline pipeline;
        pipeline.setRules(rules);
        QList<engine::Silence> silences = nonMatching(std::min(n, 20), later);
        if (n == 21) { // and one that silences an eighth of the alerts (country FR)
            engine::Silence fr;
            fr.fieldPath = QStringLiteral("fields.country");
            fr.fieldValue = QStringLiteral("FR");
            fr.comment = QStringLiteral("bench");
            fr.expiresAtMs = later;
            if (!store->createSilence(&fr, {QStringLiteral("bench"), models::Role::Analyst}, &error)) {
                std::fprintf(stderr, "%s\n", qPrintable(error));
                return 1;
            }
            silences.append(fr);
        }
        pipeline.setSilences(silences);
        qint64 silenced = 0;
        QElapsedTimer t;
        t.start();
        for (int first = 0; first < events; first += 1000) {
            const engine::EventBatch part = batch.mid(first, 1000);
            models::IngestOutcome outcome;
            if (!store->ingest(part, pipeline, later - 1, &outcome, &error)) {
                std::fprintf(stderr, "%s\n", qPrintable(error));
                return 1;
            }
            for (const models::AlertRecord &a : std::as_const(outcome.alerts))
                silenced += a.silenceId ? 1 : 0;
        }
        std::printf("| %d | %lld | %.0f |\n", int(silences.size()), silenced, events / (ms(t) / 1000.0));
    }

    // --- 3. preview and console over the generated history ---
    if (!parser.isSet(QStringLiteral("database")))
        return 0;
    models::DatabaseUrl url;
    url.path = dir.filePath(QStringLiteral("history.db"));
    if (!QFile::copy(parser.value(QStringLiteral("database")), url.path)) {
        std::fprintf(stderr, "cannot copy %s\n", qPrintable(parser.value(QStringLiteral("database"))));
        return 1;
    }
    auto store = models::Store::open(url, QStringLiteral("history"), &error);
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    models::StoreCounts counts;
    store->counts(&counts, &error);
    QList<models::AlertRow> newest;
    store->alertRows({}, 0, 1, &newest, &error);
    QStringList ruleNames;
    store->ruleNames(&ruleNames, &error);
    std::printf("\n### Preview over %lld stored alerts (exact counts, newest 200 listed)\n\n", counts.alerts);
    std::printf("| silence | candidates | matched | ms |\n|---|---:|---:|---:|\n");
    const auto silence = [](const QString &rule, const QString &source, const QString &path, const QString &value) {
        engine::Silence s;
        s.ruleName = rule;
        s.sourceId = source;
        s.fieldPath = path;
        s.fieldValue = value.isEmpty() ? QJsonValue(QJsonValue::Undefined) : QJsonValue(value);
        return s;
    };
    const QList<engine::Silence> previews{
        silence(newest.value(0).ruleName, {}, {}, {}),
        silence({}, newest.value(0).sourceId, {}, {}),
        silence(newest.value(0).ruleName, {}, QStringLiteral("fields.country"), QStringLiteral("RU")),
        silence({}, {}, QStringLiteral("fields.country"), QStringLiteral("RU")),
    };
    for (const engine::Silence &s : previews) {
        models::SilencePreview preview;
        QElapsedTimer t;
        t.start();
        if (!store->previewSilence(s, 200, &preview, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::printf("| %s | %lld | %lld | %.0f |\n", qPrintable(s.describe()), preview.candidates, preview.matched, ms(t));
    }

    std::printf("\n### Console queries before and after the first silenced alert (%lld alerts)\n\n", counts.alerts);
    std::printf("| query | no silenced alert: ms | with silenced alerts: ms |\n|---|---:|---:|\n");
    struct Row
    {
        const char *name;
        double before = 0, after = 0;
    };
    Row rows[] = {{"count, no filter"}, {"first page (200)"}, {"page in the middle (200)"}, {"count, status NEW"}};
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 1) {
            // Silence a source and ingest 100 of its alerts: from now on the console filters.
            QList<engine::Rule> rules{everyTransfer};
            rules.first().id = 0;
            engine::Pipeline pipeline;
            pipeline.setRules(rules);
            engine::Silence s = nonMatching(1, later).first();
            s.ruleName.clear();
            s.sourceId = QStringLiteral("acct-7");
            if (!store->createSilence(&s, {QStringLiteral("bench"), models::Role::Analyst}, &error)) {
                std::fprintf(stderr, "%s\n", qPrintable(error));
                return 1;
            }
            pipeline.setSilences({s});
            engine::EventBatch mine;
            for (int i = 0; i < 100; ++i)
                mine.append(makeEvent(i * 5000 + 7, QStringLiteral("s")));
            models::IngestOutcome outcome;
            if (!store->ingest(mine, pipeline, later - 1, &outcome, &error)) {
                std::fprintf(stderr, "%s\n", qPrintable(error));
                return 1;
            }
        }
        models::AlertQuery q;
        q.maxId = 0;
        qint64 n = 0;
        QList<models::AlertRow> page;
        for (Row &r : rows) {
            QElapsedTimer t;
            t.start();
            if (&r == &rows[0]) {
                store->countAlerts(q, &n, &error);
            } else if (&r == &rows[1]) {
                store->alertRows(q, 0, 200, &page, &error);
            } else if (&r == &rows[2]) {
                store->alertRows(q, std::min<qint64>(500'000, counts.alerts / 2), 200, &page, &error);
            } else {
                models::AlertQuery open = q;
                open.statuses = {engine::AlertStatus::New};
                store->countAlerts(open, &n, &error);
            }
            (pass == 0 ? r.before : r.after) = ms(t);
        }
    }
    for (const Row &r : rows)
        std::printf("| %s | %.0f | %.0f |\n", r.name, r.before, r.after);
    return 0;
}
