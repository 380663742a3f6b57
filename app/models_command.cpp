#include "models_command.h"

#include "cli.h"
#include "unix_signals.h"

#include "engine/detectors/model_trainer.h"
#include "engine/events/event_codec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>
#include <QThread>

#include <atomic>
#include <cstdio>

namespace vigil::app {

namespace {

class ModelsText
{
    Q_DECLARE_TR_FUNCTIONS(ModelsCommand)
};

void printErr(const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

void printOut(const QString &text) { QTextStream(stdout) << text << Qt::flush; }

QString usageText()
{
    return ModelsText::tr("Usage:\n"
                          "  vigil models train --name N --algorithm isolation_forest|local_outlier_factor|autoencoder|statistical\n"
                          "                     --type TRANSACTION|INVENTORY|SECURITY|SYSTEM|COMPLIANCE --features FILE.json\n"
                          "                     [--param key=value]... [--since RFC3339] [--until RFC3339] [--limit N]\n"
                          "                     [--inactive] [--database URL]\n"
                          "  vigil models list [NAME] [--database URL]\n"
                          "  vigil models activate NAME VERSION [--database URL]\n");
}

int usage(const QString &problem)
{
    printErr(ModelsText::tr("vigil models: %1\n\n%2").arg(problem, usageText()));
    return ExitUsage;
}

int failure(const QString &message)
{
    printErr(ModelsText::tr("vigil models: %1\n").arg(message));
    return ExitFailure;
}

models::Actor cliActor() { return {qEnvironmentVariable("USER", QStringLiteral("admin")), models::Role::Admin}; }

QString timeText(qint64 ms) { return ms > 0 ? engine::formatTime(ms) : QStringLiteral("-"); }

int listModels(models::Store &store, const QString &name)
{
    QList<engine::ModelRecord> versions;
    QString error;
    if (!store.modelVersions(name, &versions, &error))
        return failure(error);
    if (versions.isEmpty()) {
        printErr(name.isEmpty() ? ModelsText::tr("No anomaly models yet: train one with `vigil models train`.\n")
                                : ModelsText::tr("No model named \"%1\".\n").arg(name));
        return name.isEmpty() ? ExitOk : ExitFailure;
    }
    // "0.833 (5 of 6)": resolved alerts among those with a verdict; "-" before any verdict.
    const auto precisionText = [](const QJsonObject &verdicts) {
        if (!verdicts.contains(u"precision"))
            return QStringLiteral("-");
        const qint64 resolved = qint64(verdicts.value(u"resolved").toDouble());
        const qint64 judged = resolved + qint64(verdicts.value(u"false_positive").toDouble());
        return ModelsText::tr("%1 (%2 of %3)")
            .arg(verdicts.value(u"precision").toDouble(), 0, 'f', 3)
            .arg(resolved)
            .arg(judged);
    };
    QString out = QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9  %10\n")
                      .arg(QStringLiteral("NAME"), -24)
                      .arg(QStringLiteral("VERSION"), 7)
                      .arg(QStringLiteral("ACTIVE"), -6)
                      .arg(QStringLiteral("TYPE"), -20)
                      .arg(QStringLiteral("EVENTS"), -11)
                      .arg(QStringLiteral("LAST TRAINED"), -24)
                      .arg(QStringLiteral("TRAINED ON"), 10)
                      .arg(QStringLiteral("FIT MS"), 7)
                      .arg(QStringLiteral("ROC-AUC"), -7)
                      .arg(QStringLiteral("PRECISION (VERDICTS)"));
    for (const engine::ModelRecord &m : std::as_const(versions)) {
        const QJsonObject metrics = m.performanceMetrics;
        const QJsonObject holdout = metrics.value(u"holdout").toObject();
        out += QStringLiteral("%1  %2  %3  %4  %5  %6  %7  %8  %9  %10\n")
                   .arg(m.name, -24)
                   .arg(m.version, 7)
                   .arg(m.active ? QStringLiteral("yes") : QStringLiteral("no"), -6)
                   .arg(m.modelType, -20)
                   .arg(engine::toString(m.eventType), -11)
                   .arg(timeText(m.lastTrainedMs), -24)
                   .arg(qint64(metrics.value(u"training_events").toDouble()), 10)
                   .arg(qint64(metrics.value(u"training_ms").toDouble()), 7)
                   .arg(holdout.isEmpty() ? QStringLiteral("-") : QString::number(holdout.value(u"roc_auc").toDouble(), 'f', 4), -7)
                   .arg(precisionText(metrics.value(u"verdicts").toObject()));
    }
    printOut(out);
    return ExitOk;
}

int activate(models::Store &store, const QString &name, const QString &versionText)
{
    bool ok = false;
    const int version = versionText.toInt(&ok);
    if (!ok || version < 1)
        return usage(ModelsText::tr("VERSION must be a version number such as 2, not \"%1\"").arg(versionText));
    QString error;
    if (!store.activateModel(name, version, cliActor(), &error))
        return failure(error);
    printErr(ModelsText::tr("Model \"%1\" version %2 is now active; a running Vigil switches to it within a few seconds.\n")
                 .arg(name)
                 .arg(version));
    return ExitOk;
}

int train(const QCommandLineParser &parser, const models::DatabaseUrl &url)
{
    TrainingRequest request;
    request.name = parser.value(QStringLiteral("name")).trimmed();
    request.algorithm = parser.value(QStringLiteral("algorithm"));
    if (request.name.isEmpty())
        return usage(ModelsText::tr("--name is required"));
    if (engine::Detector::canonicalModelType(request.algorithm).isEmpty())
        return usage(ModelsText::tr("--algorithm \"%1\" is not one of: %2")
                         .arg(request.algorithm, engine::Detector::modelTypes().join(QStringLiteral(", "))));
    const std::optional<engine::EventType> type = engine::eventTypeFromString(parser.value(QStringLiteral("type")).toUpper());
    if (!type)
        return usage(ModelsText::tr("--type \"%1\" is not one of: %2")
                         .arg(parser.value(QStringLiteral("type")), engine::eventTypeNames().join(QStringLiteral(", "))));
    request.eventType = *type;
    request.history.type = *type;
    const QString featuresPath = parser.value(QStringLiteral("features"));
    if (featuresPath.isEmpty())
        return usage(ModelsText::tr("--features FILE.json is required (the feature configuration, see docs/detectors.md)"));
    QFile file(featuresPath);
    if (!file.open(QIODevice::ReadOnly))
        return failure(ModelsText::tr("cannot read %1: %2").arg(featuresPath, file.errorString()));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return failure(ModelsText::tr("%1 is not a JSON object (%2 at offset %3)")
                           .arg(featuresPath,
                                parseError.error == QJsonParseError::NoError ? ModelsText::tr("not an object") : parseError.errorString())
                           .arg(parseError.offset));
    request.featureConfig = doc.object();
    for (const QString &pair : parser.values(QStringLiteral("param"))) {
        const qsizetype eq = pair.indexOf(u'=');
        if (eq <= 0)
            return usage(ModelsText::tr("--param needs key=value, not \"%1\"").arg(pair));
        request.parameters.insert(pair.left(eq).trimmed(), pair.mid(eq + 1).trimmed());
    }
    for (const char *option : {"since", "until"}) {
        const QString name = QString::fromLatin1(option);
        if (!parser.isSet(name))
            continue;
        qint64 ms = 0;
        if (!engine::EventCodec::parseTime(parser.value(name), &ms))
            return usage(ModelsText::tr("--%1 \"%2\" is not an RFC 3339 time such as 2026-11-27T10:00:00Z")
                             .arg(name, parser.value(name)));
        (name == u"since" ? request.history.sinceMs : request.history.untilMs) = ms;
    }
    if (parser.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        request.history.limit = parser.value(QStringLiteral("limit")).toLongLong(&ok);
        if (!ok || request.history.limit < 1)
            return usage(ModelsText::tr("--limit needs a number of events, at least 1"));
    }
    const bool activateNew = !parser.isSet(QStringLiteral("inactive"));

    // The work runs on a worker thread (with its own database connection); this thread
    // waits in an event loop so that Ctrl+C can cancel it.
    std::atomic<bool> cancel{false};
    engine::ModelRecord record;
    QString error;
    bool ok = false;
    engine::TrainingControl control;
    control.cancel = &cancel;
    int lastPercent = -1;
    QString lastStage;
    control.progress = [&lastPercent, &lastStage](double fraction, const QString &stage) {
        const int percent = int(fraction * 100);
        if (percent == lastPercent && stage == lastStage)
            return;
        lastPercent = percent;
        lastStage = stage;
        printErr(ModelsText::tr("\r%1% %2").arg(percent, 3).arg(stage, -40));
    };
    QElapsedTimer clock;
    clock.start();
    QThread *worker = QThread::create([&] {
        auto store = models::Store::open(url, QStringLiteral("vigil-models-train"), &error);
        if (!store)
            return;
        if (!trainFromHistory(*store, request, control, &record, &error))
            return;
        if (cancel.load()) {
            error = ModelsText::tr("training was cancelled; nothing was saved");
            return;
        }
        ok = store->saveModel(&record, activateNew, cliActor(), &error);
    });
    QEventLoop loop;
    UnixSignals unixSignals;
    QObject::connect(&unixSignals, &UnixSignals::terminationRequested, &loop, [&cancel](int) {
        cancel.store(true);
        printErr(ModelsText::tr("\nCancelling…\n"));
    });
    QObject::connect(worker, &QThread::finished, &loop, &QEventLoop::quit);
    worker->start();
    loop.exec();
    worker->wait();
    delete worker;
    printErr(QStringLiteral("\n"));
    if (!ok)
        return failure(error);
    const QJsonObject metrics = record.performanceMetrics;
    const QJsonObject distribution = metrics.value(u"score_distribution").toObject();
    QString summary = ModelsText::tr("Trained \"%1\" version %2 (%3, %4 events): %5 events, %6 features, fitted in %7 ms; "
                                     "training scores p50 %8, p99 %9; %10% above the threshold %11.\n")
                          .arg(record.name)
                          .arg(record.version)
                          .arg(record.modelType, engine::toString(record.eventType))
                          .arg(qint64(metrics.value(u"training_events").toDouble()))
                          .arg(metrics.value(u"feature_count").toInt())
                          .arg(qint64(metrics.value(u"training_ms").toDouble()))
                          .arg(distribution.value(u"p50").toDouble(), 0, 'f', 3)
                          .arg(distribution.value(u"p99").toDouble(), 0, 'f', 3)
                          .arg(metrics.value(u"flagged_fraction").toDouble() * 100, 0, 'f', 2)
                          .arg(record.parameters.value(u"threshold").toDouble());
    const QJsonObject holdout = metrics.value(u"holdout").toObject();
    if (!holdout.isEmpty())
        summary += ModelsText::tr("Holdout (%1 anomalies, %2 normal): ROC-AUC %3, PR-AUC %4.\n")
                       .arg(qint64(holdout.value(u"positives").toDouble()))
                       .arg(qint64(holdout.value(u"negatives").toDouble()))
                       .arg(holdout.value(u"roc_auc").toDouble(), 0, 'f', 4)
                       .arg(holdout.value(u"pr_auc").toDouble(), 0, 'f', 4);
    summary += activateNew ? ModelsText::tr("It is active; a running Vigil switches to it within a few seconds.\n")
                           : ModelsText::tr("It is not active: `vigil models activate %1 %2` makes it so.\n")
                                 .arg(record.name)
                                 .arg(record.version);
    printErr(summary);
    return ExitOk;
}

} // namespace

bool trainFromHistory(models::Store &store, const TrainingRequest &request, const engine::TrainingControl &control,
                      engine::ModelRecord *record, QString *error)
{
    engine::ModelTrainer trainer;
    if (!trainer.setup(request.name, request.algorithm, request.eventType, request.parameters, request.featureConfig, error))
        return false;
    qint64 read = 0;
    const qint64 expected = request.history.limit;
    const bool readOk = store.readEvents(request.history, [&](const engine::EventBatch &chunk) {
        for (const engine::Event &e : chunk)
            trainer.addEvent(e);
        read += chunk.size();
        control.report(expected > 0 ? 0.2 * double(read) / double(expected) : 0.0,
                       ModelsText::tr("reading events: %1").arg(read));
        return !control.cancelled();
    }, error);
    if (!readOk)
        return false;
    if (control.cancelled()) {
        *error = ModelsText::tr("training was cancelled; nothing was saved");
        return false;
    }
    engine::TrainingControl fitControl;
    fitControl.cancel = control.cancel;
    if (control.progress)
        fitControl.progress = [&control](double fraction, const QString &stage) { control.report(0.2 + 0.8 * fraction, stage); };
    return trainer.train(fitControl, record, error);
}

int runModelsCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(ModelsText::tr("Train, list and activate Vigil's anomaly models."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("database"), ModelsText::tr("Database URL (default: %1).").arg(models::DatabaseUrl::defaultUrl().path),
                      ModelsText::tr("url")});
    parser.addOption({QStringLiteral("name"), ModelsText::tr("Model name."), ModelsText::tr("name")});
    parser.addOption({QStringLiteral("algorithm"), ModelsText::tr("Detector type."), ModelsText::tr("algorithm")});
    parser.addOption({QStringLiteral("type"), ModelsText::tr("Event type the model scores."), ModelsText::tr("type")});
    parser.addOption({QStringLiteral("features"), ModelsText::tr("Feature configuration (JSON file)."), ModelsText::tr("file")});
    parser.addOption({QStringLiteral("param"), ModelsText::tr("Detector parameter key=value (repeatable)."), ModelsText::tr("key=value")});
    parser.addOption({QStringLiteral("since"), ModelsText::tr("Train on events from this time (RFC 3339)."), ModelsText::tr("time")});
    parser.addOption({QStringLiteral("until"), ModelsText::tr("Train on events before this time (RFC 3339)."), ModelsText::tr("time")});
    parser.addOption({QStringLiteral("limit"), ModelsText::tr("Train on the latest N events only."), ModelsText::tr("n")});
    parser.addOption({QStringLiteral("inactive"), ModelsText::tr("Save the new version without activating it.")});
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        printOut(parser.helpText() + QLatin1Char('\n') + usageText());
        return ExitOk;
    }
    QStringList words = parser.positionalArguments();
    const qsizetype at = words.indexOf(QStringLiteral("models"));
    if (at >= 0)
        words = words.mid(at + 1);
    const QString action = words.value(0);
    const bool valid = (action == u"train" && words.size() == 1) || (action == u"list" && words.size() <= 2)
        || (action == u"activate" && words.size() == 3);
    if (!valid)
        return usage(action.isEmpty() ? ModelsText::tr("say what to do: train, list or activate")
                                      : ModelsText::tr("wrong arguments for \"%1\"").arg(words.join(u' ')));
    models::DatabaseUrl url = models::DatabaseUrl::defaultUrl();
    QString error;
    if (parser.isSet(QStringLiteral("database")) && !models::DatabaseUrl::parse(parser.value(QStringLiteral("database")), &url, &error))
        return usage(error);
    if (action == u"train")
        return train(parser, url);
    auto store = models::Store::open(url, QStringLiteral("vigil-models"), &error);
    if (!store)
        return failure(error);
    if (action == u"list")
        return listModels(*store, words.value(1));
    return activate(*store, words.at(1), words.at(2));
}

} // namespace vigil::app
