#include "cli.h"

#include "demo_feed.h"
#include "demo_models.h"
#include "models_command.h"
#include "node.h"
#include "node_backend.h"
#include "token.h"
#include "unix_signals.h"
#include "generate_command.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFile>
#include <QMessageBox>
#include <QTextStream>
#include <QTimer>
#include <cstdio>

#if __has_include("app/detect_command.h")
#include "app/detect_command.h"
#define VIGIL_HAVE_DETECT 1
#endif

namespace vigil::app {

namespace {

class CliText
{
    Q_DECLARE_TR_FUNCTIONS(Cli)
};

// Nice steps a headless node's writer runs above the process (docs/benchmarks.md, "Writer
// priority": 5 and 10 did alike, so the smaller).
constexpr int kHeadlessWriterPrioritySteps = 5;

const QStringList kValueOptions = {QStringLiteral("--database"), QStringLiteral("--listen"),
                                   QStringLiteral("--token-file"), QStringLiteral("--max-message-bytes"),
                                   QStringLiteral("--demo-rate"), QStringLiteral("-platform")};

void printErr(const QString &text)
{
    QTextStream(stderr) << text << Qt::endl;
}

void printOut(const QString &text)
{
    QTextStream(stdout) << text << Qt::flush;
}

QCommandLineOption databaseOption()
{
    return QCommandLineOption(QStringLiteral("database"),
                              CliText::tr("Database: sqlite:PATH, a plain path, or postgresql://user@host:port/db (default: %1).")
                                  .arg(models::DatabaseUrl::defaultUrl().path),
                              CliText::tr("url"));
}

bool resolveDatabase(const QCommandLineParser &parser, models::DatabaseUrl *url, QString *error)
{
    if (!parser.isSet(QStringLiteral("database"))) {
        *url = models::DatabaseUrl::defaultUrl();
        return true;
    }
    return models::DatabaseUrl::parse(parser.value(QStringLiteral("database")), url, error);
}

QString usageTail()
{
    return CliText::tr("\nCommands:\n"
                       "  (none)                 open the console\n"
                       "  rules import FILE      import rules from a JSON file (replaces rules of the same name)\n"
                       "  rules export           write all rules as JSON to standard output\n"
                       "  detect ...             score a CSV file offline (vigil detect --help)\n"
                       "  models train|list|activate  train anomaly models on stored events, list versions, roll back (vigil models --help)\n"
                       "  generate ...           fill a database with realistic history (vigil generate --help)\n"
                       "\nThe producer token comes from VIGIL_TOKEN, --token-file, or is generated on first start.\n");
}

int rulesCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(CliText::tr("Import or export Vigil's alert rules."));
    parser.addHelpOption();
    parser.addOption(databaseOption());
    parser.addPositionalArgument(QStringLiteral("rules"), CliText::tr("The word 'rules'."));
    parser.addPositionalArgument(QStringLiteral("action"), CliText::tr("import FILE, or export."));
    if (!parser.parse(arguments)) {
        printErr(parser.errorText());
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText());
        return ExitOk;
    }
    const QStringList words = parser.positionalArguments(); // "rules", action, [file]
    const QString action = words.value(1);
    if (!((action == QStringLiteral("import") && words.size() == 3) || (action == QStringLiteral("export") && words.size() == 2))) {
        printErr(CliText::tr("usage: vigil rules import FILE [--database URL] | vigil rules export [--database URL]"));
        return ExitUsage;
    }
    models::DatabaseUrl url;
    QString error;
    if (!resolveDatabase(parser, &url, &error)) {
        printErr(CliText::tr("vigil: %1").arg(error));
        return ExitUsage;
    }
    if (action == QStringLiteral("import")) {
        const QString path = words.at(2);
        QFile file(path);
        if (path != QStringLiteral("-") && !file.open(QIODevice::ReadOnly)) {
            printErr(CliText::tr("vigil: cannot read %1: %2").arg(path, file.errorString()));
            return ExitFailure;
        }
        if (path == QStringLiteral("-"))
            file.open(stdin, QIODevice::ReadOnly);
        QList<engine::Rule> rules;
        if (!engine::Rule::listFromJson(file.readAll(), &rules, &error)) {
            printErr(CliText::tr("vigil: %1: %2\nNothing was imported.").arg(path, error));
            return ExitFailure;
        }
        auto store = models::Store::open(url, QStringLiteral("vigil-cli"), &error);
        if (!store) {
            printErr(CliText::tr("vigil: %1").arg(error));
            return ExitFailure;
        }
        int created = 0, updated = 0;
        const models::Actor actor{qEnvironmentVariable("USER", QStringLiteral("admin")), models::Role::Admin};
        if (!store->importRules(rules, actor, &created, &updated, &error)) {
            printErr(CliText::tr("vigil: %1\nNothing was imported.").arg(error));
            return ExitFailure;
        }
        printErr(CliText::tr("Imported %1 rule(s) into %2: %3 new, %4 replaced.")
                     .arg(rules.size())
                     .arg(url.displayName())
                     .arg(created)
                     .arg(updated));
        return ExitOk;
    }
    auto store = models::Store::open(url, QStringLiteral("vigil-cli"), &error);
    QList<engine::Rule> rules;
    if (!store || !store->loadRules(&rules, &error)) {
        printErr(CliText::tr("vigil: %1").arg(error));
        return ExitFailure;
    }
    printOut(QString::fromUtf8(engine::Rule::listToJson(rules)));
    return ExitOk;
}

bool parseListen(const QString &text, NodeOptions *options, QString *error)
{
    if (text == QStringLiteral("none")) {
        options->listen = false;
        return true;
    }
    const qsizetype colon = text.lastIndexOf(u':');
    bool ok = false;
    const uint port = colon > 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
    QString host = colon > 0 ? text.left(colon) : QString();
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address(host == QStringLiteral("localhost") ? QStringLiteral("127.0.0.1") : host);
    if (!ok || port > 65535 || address.isNull()) {
        *error = CliText::tr("--listen '%1' is not HOST:PORT such as 127.0.0.1:8765 (or 'none')").arg(text);
        return false;
    }
    options->host = address;
    options->port = quint16(port);
    return true;
}

bool installDemoRules(const models::DatabaseUrl &url, QString *error)
{
    auto store = models::Store::open(url, QStringLiteral("vigil-demo-setup"), error);
    if (!store)
        return false;
    QList<engine::Rule> existing;
    if (!store->loadRules(&existing, error))
        return false;
    if (!existing.isEmpty())
        return true; // the user's rules stay as they are
    QFile file(QStringLiteral(":/vigil/demo_rules.json"));
    file.open(QIODevice::ReadOnly);
    QList<engine::Rule> rules;
    if (!engine::Rule::listFromJson(file.readAll(), &rules, error))
        return false;
    int created = 0, updated = 0;
    return store->importRules(rules, models::Actor::system(), &created, &updated, error);
}

int runNode(const QStringList &arguments, bool headless)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(CliText::tr("Vigil: live events, alert rules, anomaly detection and alert triage."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(databaseOption());
    parser.addOption({QStringLiteral("headless"), CliText::tr("Run ingest, rules and store without a window until SIGINT/SIGTERM.")});
    parser.addOption({QStringLiteral("listen"),
                      CliText::tr("Where producers and subscribers connect (default 127.0.0.1:8765; 'none' disables ingest)."),
                      CliText::tr("host:port"), QStringLiteral("127.0.0.1:8765")});
    parser.addOption({QStringLiteral("token-file"), CliText::tr("Read the producer token from FILE (VIGIL_TOKEN wins)."), CliText::tr("file")});
    parser.addOption({QStringLiteral("demo"), CliText::tr("Start the built-in demo feed (installs demo rules when there are none).")});
    parser.addOption({QStringLiteral("demo-rate"), CliText::tr("Events per second of the demo feed (default 40)."), CliText::tr("n"), QStringLiteral("40")});
    parser.addOption({QStringLiteral("max-message-bytes"), CliText::tr("Largest message and frame accepted (default 1048576)."),
                      CliText::tr("bytes"), QStringLiteral("1048576")});
    if (!parser.parse(arguments)) {
        printErr(CliText::tr("vigil: %1\nTry 'vigil --help'.").arg(parser.errorText()));
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText() + usageTail());
        return ExitOk;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        printOut(QStringLiteral("vigil %1\n").arg(QStringLiteral(VIGIL_VERSION)));
        return ExitOk;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printErr(CliText::tr("vigil: unknown command '%1'\nTry 'vigil --help'.").arg(parser.positionalArguments().first()));
        return ExitUsage;
    }

    NodeOptions options;
    QString error;
    if (!resolveDatabase(parser, &options.database, &error) || !parseListen(parser.value(QStringLiteral("listen")), &options, &error)) {
        printErr(CliText::tr("vigil: %1").arg(error));
        return ExitUsage;
    }
    bool ok = false;
    options.maxMessageBytes = parser.value(QStringLiteral("max-message-bytes")).toLongLong(&ok);
    if (!ok || options.maxMessageBytes < 1024) {
        printErr(CliText::tr("vigil: --max-message-bytes needs a number of bytes, at least 1024"));
        return ExitUsage;
    }
    const int demoRate = parser.value(QStringLiteral("demo-rate")).toInt(&ok);
    if (!ok || demoRate < 1 || demoRate > 100000) {
        printErr(CliText::tr("vigil: --demo-rate needs a number of events per second from 1 to 100000"));
        return ExitUsage;
    }
    const bool demo = parser.isSet(QStringLiteral("demo"));
    if (demo && !options.listen) {
        printErr(CliText::tr("vigil: --demo sends events through the WebSocket ingest: it cannot run with --listen none"));
        return ExitUsage;
    }

    // A headless node is there for the ingest: its writer gets the cores first. A console keeps
    // every thread at one priority, so the window never waits behind a busy ingest
    // (docs/architecture.md, "The writer's priority"). Benchmark switch: VIGIL_WRITER_PRIORITY=0
    // turns it off.
    if (headless && qEnvironmentVariable("VIGIL_WRITER_PRIORITY") != QStringLiteral("0"))
        options.writerPrioritySteps = kHeadlessWriterPrioritySteps;

    const auto fatal = [headless](const QString &message) {
        printErr(CliText::tr("vigil: %1").arg(message));
        if (!headless)
            QMessageBox::critical(nullptr, CliText::tr("Vigil cannot start"), message);
        return int(ExitFailure);
    };

    ProducerToken token;
    if (options.listen) {
        if (!ProducerToken::resolve(parser.value(QStringLiteral("token-file")), &token, &error))
            return fatal(error);
        options.token = token.token;
    }
    if (demo && !installDemoRules(options.database, &error))
        return fatal(error);

    Node node(options);
    if (!node.start(&error))
        return fatal(error);
    // The demo's default anomaly models train in the background when there are none.
    std::unique_ptr<DemoModels> demoModels;
    if (demo) {
        demoModels = std::make_unique<DemoModels>(options.database, demoRate);
        demoModels->start();
    }
    printErr(CliText::tr("Vigil %1: database %2").arg(QStringLiteral(VIGIL_VERSION), options.database.displayName()));
    if (options.listen) {
        printErr(CliText::tr("Listening on ws://%1:%2/events (producers) and /alerts (subscribers); token from %3")
                     .arg(options.host.toString())
                     .arg(node.port())
                     .arg(token.origin));
    }

    DemoFeed *feed = nullptr;
    if (demo) {
        const QString host = options.host.isEqual(QHostAddress::AnyIPv4) || options.host.isEqual(QHostAddress::Any)
            ? QStringLiteral("127.0.0.1")
            : options.host.toString();
        QUrl url;
        url.setScheme(QStringLiteral("ws"));
        url.setHost(host);
        url.setPort(node.port());
        url.setPath(QStringLiteral("/events"));
        feed = new DemoFeed(url, options.token, &node);
        feed->start(demoRate);
        printErr(CliText::tr("Demo feed: %1 events/s").arg(demoRate));
    }

    UnixSignals unixSignals;
    int exitCode = ExitOk;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, qApp, [&](int signal) {
        printErr(CliText::tr("Signal %1: finishing the batch in hand, committing, closing connections…").arg(signal));
        if (feed)
            feed->stop();
        QCoreApplication::quit();
    });

    // The counters in the log, once a minute while anything changes.
    QTimer statsTimer;
    qint64 lastLogged = -1;
    QObject::connect(&statsTimer, &QTimer::timeout, qApp, [&node, &lastLogged] {
        const IngestCounters &c = node.counters();
        const qint64 total = c.accepted.load() + c.duplicates.load() + c.rejected.load();
        if (total == lastLogged)
            return;
        lastLogged = total;
        printErr(CliText::tr("Events: %1 accepted, %2 duplicates, %3 rejected; %4 alerts; %5 producer(s), %6 subscriber(s).")
                     .arg(c.accepted.load())
                     .arg(c.duplicates.load())
                     .arg(c.rejected.load())
                     .arg(c.alerts.load())
                     .arg(node.serverStats().producers.load())
                     .arg(node.serverStats().subscribers.load()));
    });
    statsTimer.start(60'000);

    std::unique_ptr<NodeBackend> backend;
    std::unique_ptr<ui::MainWindow> window;
    if (!headless) {
        backend = std::make_unique<NodeBackend>(&node, models::Actor{qEnvironmentVariable("USER", QStringLiteral("analyst")), models::Role::Admin});
        window = std::make_unique<ui::MainWindow>(backend.get());
        window->show();
        window->loadAlerts();
    }
    exitCode = QCoreApplication::exec();
    if (feed)
        feed->stop();
    window.reset();
    if (demoModels)
        demoModels->stop();
    node.stop();
    const IngestCounters &c = node.counters();
    printErr(CliText::tr("Stopped: %1 events accepted, %2 duplicates, %3 rejected, %4 alerts.")
                 .arg(c.accepted.load())
                 .arg(c.duplicates.load())
                 .arg(c.rejected.load())
                 .arg(c.alerts.load()));
    if (c.commits.load() > 0) {
        printErr(CliText::tr("Writer: %1 commits, %2 events per commit, %3 ms per commit, %4 s waiting for work.")
                     .arg(c.commits.load())
                     .arg(double(c.accepted.load() + c.duplicates.load()) / double(c.commits.load()), 0, 'f', 1)
                     .arg(double(c.commitNs.load()) / 1e6 / double(c.commits.load()), 0, 'f', 2)
                     .arg(double(c.waitNs.load()) / 1e9, 0, 'f', 2));
    }
    return exitCode;
}

} // namespace

QString findCommand(const QStringList &arguments)
{
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &a = arguments.at(i);
        if (a.startsWith(u'-')) {
            if (kValueOptions.contains(a))
                ++i; // skip its value
            continue;
        }
        return a;
    }
    return {};
}

bool needsNoDisplay(const QStringList &arguments)
{
    if (!findCommand(arguments).isEmpty())
        return true;
    for (const QString &a : arguments)
        if (a == QStringLiteral("--headless") || a == QStringLiteral("--help") || a == QStringLiteral("-h")
            || a == QStringLiteral("--version") || a == QStringLiteral("-v") || a == QStringLiteral("--help-all"))
            return true;
    return false;
}

int run(const QStringList &arguments)
{
    const QString command = findCommand(arguments);
    if (command == QStringLiteral("rules"))
        return rulesCommand(arguments);
    if (command == QStringLiteral("models"))
        return runModelsCommand(arguments);
    if (command == QStringLiteral("generate"))
        return runGenerateCommand(arguments);
#ifdef VIGIL_HAVE_DETECT
    if (command == QStringLiteral("detect")) {
        QStringList rest = arguments;
        rest.removeAt(rest.indexOf(QStringLiteral("detect")));
        return runDetectCommand(rest.mid(1));
    }
#endif
    if (!command.isEmpty()) {
        printErr(CliText::tr("vigil: unknown command '%1'").arg(command) + usageTail());
        return ExitUsage;
    }
    return runNode(arguments, arguments.contains(QStringLiteral("--headless")));
}

} // namespace vigil::app
