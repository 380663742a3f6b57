#include "generate_command.h"

#include "cli.h"
#include "engine/rules/rule.h"
#include "models/store/store.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QTextStream>
#include <array>
#include <cmath>
#include <random>

namespace vigil::app {

namespace {

class GenerateText
{
    Q_DECLARE_TR_FUNCTIONS(Generate)
};

void err(const QString &text) { QTextStream(stderr) << text << Qt::endl; }

constexpr qint64 kMinute = 60'000;
constexpr qint64 kHour = 60 * kMinute;
constexpr qint64 kDay = 24 * kHour;

struct SourceKind
{
    engine::EventType type;
    const char *sourceType;
    const char *prefix;
    int count;
    int weight;     // share of events
};

// Who sends what: a few hundred sources, so repeats of a rule on one source are common.
constexpr std::array<SourceKind, 5> kSources{{
    {engine::EventType::Transaction, "payment_gateway", "pay-gw-", 24, 40},
    {engine::EventType::Security, "auth_service", "auth-", 60, 25},
    {engine::EventType::Inventory, "warehouse", "wh-", 18, 12},
    {engine::EventType::System, "host", "srv-", 120, 18},
    {engine::EventType::Compliance, "compliance_scanner", "scan-", 12, 5},
}};

const char *const kCountries[] = {"DE", "FR", "NL", "US", "GB", "ES", "IT", "PL", "RU", "IR", "KP", "BR", "NG", "CN"};
const char *const kUsers[] = {"jdoe", "asmith", "mkhan", "lchen", "pnovak", "rgarcia", "tmueller", "svolkov", "admin", "root"};
const char *const kAnalysts[] = {"alice", "bob", "carol", "dave", "erin", "frank"};
const char *const kResolveNotes[] = {
    "Confirmed with the account owner; limits adjusted.", "Blocked the source and rotated credentials.",
    "Ticket opened with the infrastructure team.", "Restocked; supplier notified.",
    "Disk cleaned up; retention policy applied.", "Customer verified by phone.",
};
const char *const kFalsePositiveNotes[] = {
    "Known batch job.", "Scheduled load test.", "Internal transfer between own accounts.",
    "Scanner misconfiguration, fixed upstream.", "Maintenance window.",
};

struct RuleInfo
{
    qint64 id = 0;
    QString name;
    engine::EventType type;
    engine::Severity severity;
};

class Generator
{
public:
    explicit Generator(quint64 seed) : m_rng(seed) {}

    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(m_rng); }
    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(m_rng); }
    double exponential(double mean) { return std::exponential_distribution<double>(1.0 / mean)(m_rng); }

    const SourceKind &kind()
    {
        int total = 0;
        for (const SourceKind &k : kSources)
            total += k.weight;
        int r = pick(total);
        for (const SourceKind &k : kSources) {
            if (r < k.weight)
                return k;
            r -= k.weight;
        }
        return kSources.front();
    }

    QByteArray fields(engine::EventType type, QString *summary)
    {
        QByteArray f;
        switch (type) {
        case engine::EventType::Transaction: {
            const double amount = std::round(std::exp(4.0 + 2.2 * uniform() + 2.0 * uniform()) * 100.0) / 100.0;
            const char *country = kCountries[pick(int(std::size(kCountries)))];
            const int account = 100000 + pick(900000);
            f = "{\"amount\":" + QByteArray::number(amount, 'f', 2) + ",\"currency\":\"EUR\",\"country\":\"" + country
                + "\",\"account\":\"acct-" + QByteArray::number(account) + "\",\"channel\":\""
                + (pick(2) ? "card" : "sepa") + "\"}";
            *summary = GenerateText::tr("Transfer of %1 EUR from acct-%2 to %3")
                           .arg(QString::number(amount, 'f', 2))
                           .arg(account)
                           .arg(QLatin1String(country));
            break;
        }
        case engine::EventType::Security: {
            const char *user = kUsers[pick(int(std::size(kUsers)))];
            const int failures = pick(40);
            const QByteArray ip = "10." + QByteArray::number(pick(255)) + '.' + QByteArray::number(pick(255)) + '.'
                + QByteArray::number(1 + pick(254));
            f = "{\"user\":\"" + QByteArray(user) + "\",\"success\":" + (failures > 5 ? "false" : "true")
                + ",\"failed_attempts\":" + QByteArray::number(failures) + ",\"ip\":\"" + ip + "\",\"geo\":{\"country\":\""
                + kCountries[pick(int(std::size(kCountries)))] + "\"}}";
            *summary = GenerateText::tr("%1 failed logins for %2 from %3")
                           .arg(failures)
                           .arg(QLatin1String(user), QString::fromLatin1(ip));
            break;
        }
        case engine::EventType::Inventory: {
            const int sku = 1000 + pick(9000);
            const int stock = pick(60) - 8;
            f = "{\"sku\":\"SKU-" + QByteArray::number(sku) + "\",\"quantity\":" + QByteArray::number(stock)
                + ",\"reorder_point\":20,\"movement\":\"" + (pick(2) ? "out" : "in") + "\"}";
            *summary = GenerateText::tr("SKU-%1 stock at %2 (reorder point 20)").arg(sku).arg(stock);
            break;
        }
        case engine::EventType::System: {
            const double cpu = 50.0 + 50.0 * uniform();
            const double disk = 60.0 + 40.0 * uniform();
            f = "{\"cpu\":" + QByteArray::number(cpu, 'f', 1) + ",\"disk_used_pct\":" + QByteArray::number(disk, 'f', 1)
                + ",\"memory_used_pct\":" + QByteArray::number(40.0 + 60.0 * uniform(), 'f', 1) + "}";
            *summary = GenerateText::tr("CPU %1%, disk %2% used").arg(cpu, 0, 'f', 1).arg(disk, 0, 'f', 1);
            break;
        }
        case engine::EventType::Compliance: {
            const int check = 1 + pick(80);
            f = "{\"check\":\"CIS-" + QByteArray::number(check) + "\",\"passed\":false,\"pii\":" + (pick(3) ? "false" : "true")
                + ",\"records\":" + QByteArray::number(pick(100000)) + "}";
            *summary = GenerateText::tr("Check CIS-%1 failed").arg(check);
            break;
        }
        }
        return f;
    }

private:
    std::mt19937_64 m_rng;
};

bool ensureRules(models::Store &store, QList<RuleInfo> *rules, QString *error)
{
    QList<engine::Rule> loaded;
    if (!store.loadRules(&loaded, error))
        return false;
    if (loaded.isEmpty()) {
        QFile file(QStringLiteral(":/vigil/demo_rules.json"));
        if (!file.open(QIODevice::ReadOnly)) {
            *error = GenerateText::tr("the built-in demo rules are missing from this build");
            return false;
        }
        QList<engine::Rule> demo;
        int created = 0, updated = 0;
        if (!engine::Rule::listFromJson(file.readAll(), &demo, error)
            || !store.importRules(demo, models::Actor::system(), &created, &updated, error)
            || !store.loadRules(&loaded, error))
            return false;
    }
    for (const engine::Rule &r : std::as_const(loaded))
        rules->append({r.id, r.name, r.alertType, r.severity});
    return true;
}

} // namespace

int runGenerateCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(GenerateText::tr(
        "Fill a database with realistic history: events and the alerts they raised over months, across rules, "
        "sources and severities, triaged by a team of analysts (acknowledged, resolved, false positives, with "
        "response times), for demos and benchmarks."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("database"), GenerateText::tr("Database: sqlite:PATH, a plain path, or postgresql://…"),
                      GenerateText::tr("url")});
    parser.addOption({QStringLiteral("alerts"), GenerateText::tr("Number of alerts (default 100000)."), GenerateText::tr("n"),
                      QStringLiteral("100000")});
    parser.addOption({QStringLiteral("events"), GenerateText::tr("Number of events (default: twice the alerts)."),
                      GenerateText::tr("n")});
    parser.addOption({QStringLiteral("days"), GenerateText::tr("How far back the history goes (default 120)."),
                      GenerateText::tr("days"), QStringLiteral("120")});
    parser.addOption({QStringLiteral("seed"), GenerateText::tr("Random seed (default 1): the same seed gives the same history."),
                      GenerateText::tr("n"), QStringLiteral("1")});
    parser.addPositionalArgument(QStringLiteral("generate"), GenerateText::tr("The word 'generate'."));
    if (!parser.parse(arguments)) {
        err(GenerateText::tr("vigil generate: %1\nTry 'vigil generate --help'.").arg(parser.errorText()));
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << parser.helpText();
        return ExitOk;
    }
    bool ok = false;
    const qint64 alerts = parser.value(QStringLiteral("alerts")).toLongLong(&ok);
    if (!ok || alerts < 0 || alerts > 100'000'000) {
        err(GenerateText::tr("vigil generate: --alerts needs a number from 0 to 100000000"));
        return ExitUsage;
    }
    qint64 events = alerts * 2;
    if (parser.isSet(QStringLiteral("events"))) {
        events = parser.value(QStringLiteral("events")).toLongLong(&ok);
        if (!ok || events < 1 || events > 1'000'000'000) {
            err(GenerateText::tr("vigil generate: --events needs a number from 1 to 1000000000"));
            return ExitUsage;
        }
    }
    if (events == 0)
        events = 1;
    const int days = parser.value(QStringLiteral("days")).toInt(&ok);
    if (!ok || days < 1 || days > 3650) {
        err(GenerateText::tr("vigil generate: --days needs a number from 1 to 3650"));
        return ExitUsage;
    }
    const quint64 seed = parser.value(QStringLiteral("seed")).toULongLong(&ok);
    if (!ok) {
        err(GenerateText::tr("vigil generate: --seed needs a whole number"));
        return ExitUsage;
    }
    models::DatabaseUrl url = models::DatabaseUrl::defaultUrl();
    QString error;
    if (parser.isSet(QStringLiteral("database"))
        && !models::DatabaseUrl::parse(parser.value(QStringLiteral("database")), &url, &error)) {
        err(GenerateText::tr("vigil generate: %1").arg(error));
        return ExitUsage;
    }

    auto store = models::Store::open(url, QStringLiteral("vigil-generate"), &error);
    QList<RuleInfo> rules;
    if (!store || !ensureRules(*store, &rules, &error)) {
        err(GenerateText::tr("vigil generate: %1").arg(error));
        return ExitFailure;
    }
    QHash<int, QList<RuleInfo>> rulesByType;
    for (const RuleInfo &r : std::as_const(rules))
        rulesByType[int(r.type)].append(r);
    QList<qint64> analysts;
    for (const char *name : kAnalysts) {
        const qint64 id = store->userId(models::Actor{QString::fromLatin1(name), models::Role::Analyst}, &error);
        if (id == 0) {
            err(GenerateText::tr("vigil generate: %1").arg(error));
            return ExitFailure;
        }
        analysts.append(id);
    }

    Generator g(seed);
    QElapsedTimer clock;
    clock.start();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 start = now - qint64(days) * kDay;
    const double step = double(now - start) / double(events);
    // Ids unique per run, so a second run adds to the history instead of colliding.
    const QString runPrefix = QStringLiteral("gen-%1-").arg(QString::number(now, 36));
    constexpr qint64 kChunkEvents = 50'000;
    qint64 alertsDone = 0;
    // The alerts' indexes are built once at the end instead of row by row.
    if (!store->beginBulkLoad(&error)) {
        err(GenerateText::tr("vigil generate: %1").arg(error));
        return ExitFailure;
    }
    models::GeneratedChunk chunk;
    for (qint64 first = 0; first < events; first += kChunkEvents) {
        chunk.events.clear();
        chunk.alerts.clear();
        const qint64 last = std::min(events, first + kChunkEvents);
        for (qint64 j = first; j < last; ++j) {
            // Alerts are spread evenly over the events: event j raises this many.
            const qint64 raises = (j + 1) * alerts / events - j * alerts / events;
            const SourceKind *kind = &g.kind();
            if (raises > 0 && !rulesByType.contains(int(kind->type))) {
                for (const SourceKind &k : kSources)
                    if (rulesByType.contains(int(k.type)))
                        kind = &k;
            }
            models::GeneratedEvent e;
            e.eventId = runPrefix + QString::number(j);
            e.timeMs = start + qint64(double(j) * step + g.uniform() * step);
            e.type = kind->type;
            e.sourceType = QString::fromLatin1(kind->sourceType);
            // A few sources are noisy: a skewed pick gives repeats worth grouping.
            const int sourceIndex = g.uniform() < 0.3 ? g.pick(3) : g.pick(kind->count);
            e.sourceId = QLatin1String(kind->prefix) + QString::number(sourceIndex + 1).rightJustified(3, QLatin1Char('0'));
            QString summary;
            e.fieldsJson = g.fields(kind->type, &summary);
            const int eventIndex = int(chunk.events.size());
            chunk.events.append(e);
            const QList<RuleInfo> &candidates = rulesByType.value(int(kind->type));
            for (qint64 k = 0; k < raises && !candidates.isEmpty(); ++k) {
                const RuleInfo &rule = candidates.at(g.pick(int(candidates.size())));
                models::GeneratedAlert a;
                a.eventIndex = eventIndex;
                a.ruleId = rule.id;
                a.ruleName = rule.name;
                a.type = rule.type;
                a.severity = rule.severity;
                a.message = rule.name + QStringLiteral(": ") + summary;
                a.detailsJson = "{\"matched\":[{\"field\":\"fields\",\"op\":\"rule\",\"rule\":\"" + rule.name.toUtf8() + "\"}]}";
                a.sourceType = e.sourceType;
                a.sourceId = e.sourceId;
                a.createdAtMs = e.timeMs + 5 + g.pick(200);
                const qint64 age = now - a.createdAtMs;
                const double u = g.uniform();
                const bool recent = age < 3 * kDay;
                engine::AlertStatus status;
                if (recent)
                    status = u < 0.40 ? engine::AlertStatus::New
                        : u < 0.65    ? engine::AlertStatus::Acknowledged
                        : u < 0.90    ? engine::AlertStatus::Resolved
                                      : engine::AlertStatus::FalsePositive;
                else
                    status = u < 0.02 ? engine::AlertStatus::New
                        : u < 0.08    ? engine::AlertStatus::Acknowledged
                        : u < 0.78    ? engine::AlertStatus::Resolved
                                      : engine::AlertStatus::FalsePositive;
                a.status = status;
                // Faster for what matters: mean time to acknowledge 4 min for CRITICAL, 45 min for LOW.
                const double ackMean = rule.severity == engine::Severity::Critical ? 4.0
                    : rule.severity == engine::Severity::High                        ? 12.0
                    : rule.severity == engine::Severity::Medium                      ? 25.0
                                                                                     : 45.0;
                const qint64 analyst = analysts.at(g.pick(int(analysts.size())));
                if (status != engine::AlertStatus::New) {
                    a.acknowledgedBy = analyst;
                    a.assignedTo = analyst;
                    a.acknowledgedAtMs = std::min(now, a.createdAtMs + 20'000 + qint64(g.exponential(ackMean) * kMinute));
                    a.responses.append({QStringLiteral("ACKNOWLEDGE"), analyst, a.acknowledgedAtMs, QString()});
                } else if (g.uniform() < 0.1) {
                    a.assignedTo = analyst;
                }
                if (status == engine::AlertStatus::Resolved || status == engine::AlertStatus::FalsePositive) {
                    a.resolvedBy = analyst;
                    a.resolvedAtMs = std::min(now, a.acknowledgedAtMs + kMinute + qint64(g.exponential(ackMean * 8.0) * kMinute));
                    const bool resolved = status == engine::AlertStatus::Resolved;
                    a.resolutionNotes = resolved
                        ? QString::fromLatin1(kResolveNotes[g.pick(int(std::size(kResolveNotes)))])
                        : QString::fromLatin1(kFalsePositiveNotes[g.pick(int(std::size(kFalsePositiveNotes)))]);
                    a.responses.append({resolved ? QStringLiteral("RESOLVE") : QStringLiteral("MARK_FALSE_POSITIVE"), analyst,
                                        a.resolvedAtMs, a.resolutionNotes});
                }
                chunk.alerts.append(std::move(a));
            }
        }
        if (!store->insertGenerated(chunk, &error)) {
            err(GenerateText::tr("vigil generate: %1 (%2 alerts were written before)").arg(error).arg(alertsDone));
            QString finishError;
            if (!store->finishBulkLoad(&finishError))
                err(GenerateText::tr("vigil generate: %1 (the indexes are built the next time Vigil opens the database)")
                        .arg(finishError));
            return ExitFailure;
        }
        alertsDone += chunk.alerts.size();
        err(GenerateText::tr("  %1 of %2 events, %3 alerts, %4 s")
                .arg(last)
                .arg(events)
                .arg(alertsDone)
                .arg(double(clock.elapsed()) / 1000.0, 0, 'f', 1));
    }
    err(GenerateText::tr("  building the indexes and the free-text index of %1 alerts…").arg(alertsDone));
    const qint64 loadedMs = clock.elapsed();
    if (!store->finishBulkLoad(&error)) {
        err(GenerateText::tr("vigil generate: %1 (the indexes are built the next time Vigil opens the database)").arg(error));
        return ExitFailure;
    }
    err(GenerateText::tr("  indexes built in %1 s").arg(double(clock.elapsed() - loadedMs) / 1000.0, 0, 'f', 1));
    const double seconds = std::max(0.001, double(clock.elapsed()) / 1000.0);
    err(GenerateText::tr("Generated %1 events and %2 alerts over %3 days in %4 s (%5 alerts/s) into %6")
            .arg(events)
            .arg(alertsDone)
            .arg(days)
            .arg(seconds, 0, 'f', 1)
            .arg(double(alertsDone) / seconds, 0, 'f', 0)
            .arg(url.displayName()));
    return ExitOk;
}

} // namespace vigil::app
