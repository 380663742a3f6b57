#include "demo_models.h"

#include "demo_feed.h"

#include "engine/detectors/model_trainer.h"
#include "engine/events/event_codec.h"
#include "models/store/store.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>

namespace vigil::app {

namespace {

void say(const QString &text)
{
    const QByteArray bytes = (text + QLatin1Char('\n')).toLocal8Bit();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

// `count` demo events of all types, the last one now, spaced as the feed sends them, without
// those the installed rules flag: the feed injects anomalies (large transfers, sanctioned
// countries, CPU spikes) more often than a model's threshold allows, and a model trained on
// them would learn them as normal.
engine::EventBatch warmupSample(models::Store &store, int count, int eventsPerSecond)
{
    DemoFeed feed{QUrl(), QString()};
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    engine::DecodedMessage decoded = engine::EventCodec::decode(feed.makeMessage(count), now);
    const double spacingMs = 1000.0 / std::max(1, eventsPerSecond);
    const qsizetype n = decoded.events.size();
    for (qsizetype i = 0; i < n; ++i) {
        engine::Event &e = decoded.events[i];
        e.timeMs = now - qint64(double(n - 1 - i) * spacingMs);
        e.id = QStringLiteral("warmup-") + e.id;
    }
    QList<engine::Rule> rules;
    QString error;
    if (!store.loadRules(&rules, &error) || rules.isEmpty())
        return std::move(decoded.events);
    engine::Pipeline pipeline;
    pipeline.setRules(std::move(rules));
    const engine::Decisions decisions = pipeline.process(decoded.events);
    QList<bool> flagged(n, false);
    for (const engine::AlertDraft &a : decisions.alerts)
        flagged[a.eventIndex] = true;
    engine::EventBatch clean;
    clean.reserve(n);
    for (qsizetype i = 0; i < n; ++i)
        if (!flagged.at(i))
            clean.append(std::move(decoded.events[i]));
    return clean;
}

} // namespace

DemoModels::DemoModels(models::DatabaseUrl url, int eventsPerSecond)
    : m_url(std::move(url)), m_eventsPerSecond(eventsPerSecond)
{
}

DemoModels::~DemoModels()
{
    stop();
}

void DemoModels::start()
{
    m_thread.reset(QThread::create([this] { run(); }));
    m_thread->setObjectName(QStringLiteral("vigil-demo-models"));
    m_thread->start(QThread::LowPriority);
}

void DemoModels::stop()
{
    m_cancel.store(true);
    if (m_thread) {
        m_thread->wait();
        m_thread.reset();
    }
}

void DemoModels::run()
{
    QString error;
    auto store = models::Store::open(m_url, QStringLiteral("vigil-demo-models"), &error);
    QList<engine::ModelRecord> existing;
    if (!store || !store->modelVersions(QString(), &existing, &error)) {
        say(tr("Demo models: %1").arg(error));
        return;
    }
    if (!existing.isEmpty())
        return; // the user's (or an earlier demo's) models stay as they are
    QFile file(QStringLiteral(":/vigil/demo_models.json"));
    file.open(QIODevice::ReadOnly);
    const QJsonObject config = QJsonDocument::fromJson(file.readAll()).object();
    const int warmupEvents = config.value(u"warmup_events").toInt(8000);
    const int historyEvents = config.value(u"history_events").toInt(20000);
    const int minimumHistory = config.value(u"minimum_history").toInt(2000);
    engine::EventBatch warmup;

    engine::TrainingControl control;
    control.cancel = &m_cancel;
    for (const QJsonValue &value : config.value(u"models").toArray()) {
        if (m_cancel.load())
            return;
        const QJsonObject m = value.toObject();
        const QString name = m.value(u"name").toString();
        const std::optional<engine::EventType> type = engine::eventTypeFromString(m.value(u"event_type").toString());
        engine::ModelTrainer trainer;
        if (!type
            || !trainer.setup(name, m.value(u"algorithm").toString(), *type, m.value(u"parameters").toObject(),
                              m.value(u"feature_config").toObject(), &error)) {
            say(tr("Demo models: %1 in demo_models.json is invalid: %2").arg(name, error));
            continue;
        }
        models::Store::EventRange range;
        range.type = *type;
        range.limit = historyEvents;
        if (!store->readEvents(range, [&trainer](const engine::EventBatch &chunk) {
                for (const engine::Event &e : chunk)
                    trainer.addEvent(e);
                return true;
            }, &error)) {
            say(tr("Demo models: %1").arg(error));
            return;
        }
        QString origin = tr("%1 stored %2 events").arg(trainer.sampleCount()).arg(engine::toString(*type));
        if (trainer.sampleCount() < minimumHistory) {
            if (warmup.isEmpty())
                warmup = warmupSample(*store, warmupEvents, m_eventsPerSecond);
            trainer.setup(name, m.value(u"algorithm").toString(), *type, m.value(u"parameters").toObject(),
                          m.value(u"feature_config").toObject(), &error);
            for (const engine::Event &e : std::as_const(warmup))
                trainer.addEvent(e);
            origin = tr("%1 generated warm-up %2 events").arg(trainer.sampleCount()).arg(engine::toString(*type));
        }
        engine::ModelRecord record;
        if (!trainer.train(control, &record, &error)) {
            say(tr("Demo models: %1 was not trained: %2").arg(name, error));
            continue;
        }
        if (!store->saveModel(&record, true, models::Actor::system(), &error)) {
            say(tr("Demo models: %1").arg(error));
            return;
        }
        say(tr("Demo models: trained \"%1\" version %2 on %3 in %4 ms; it scores live events within seconds.")
                .arg(record.name)
                .arg(record.version)
                .arg(origin)
                .arg(qint64(record.performanceMetrics.value(u"training_ms").toDouble())));
    }
}

} // namespace vigil::app
