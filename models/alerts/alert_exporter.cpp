#include "alert_exporter.h"

#include "engine/events/event.h"
#include "models/store/store.h"

#include <QCoreApplication>
#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>
#include <QThread>

namespace vigil::models {

namespace {
class ExportText
{
    Q_DECLARE_TR_FUNCTIONS(AlertExporter)
};

QString timeOrEmpty(qint64 ms) { return ms ? engine::formatTime(ms) : QString(); }

QString csvField(const QString &value)
{
    if (!value.contains(QLatin1Char(',')) && !value.contains(QLatin1Char('"')) && !value.contains(QLatin1Char('\n'))
        && !value.contains(QLatin1Char('\r')))
        return value;
    QString quoted = value;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}
} // namespace

AlertExporter::AlertExporter(const ExportRequest &request, QObject *parent) : QObject(parent), m_request(request)
{
    qRegisterMetaType<vigil::models::AlertExporter::Result>();
}

AlertExporter::~AlertExporter()
{
    cancel();
    wait();
}

bool AlertExporter::isRunning() const { return m_thread && m_thread->isRunning(); }

void AlertExporter::wait()
{
    if (m_thread)
        m_thread->wait();
}

void AlertExporter::start()
{
    if (m_thread)
        return;
    m_thread = QThread::create([this] {
        const Result result = run(m_request, m_cancel, [this](qint64 done, qint64 total) { emit progress(done, total); });
        emit finished(result);
    });
    m_thread->setObjectName(QStringLiteral("vigil-alert-export"));
    m_thread->setParent(this);
    m_thread->start();
}

QStringList AlertExporter::csvColumns()
{
    return {QStringLiteral("id"),          QStringLiteral("created_at"),      QStringLiteral("severity"),
            QStringLiteral("type"),        QStringLiteral("status"),          QStringLiteral("rule"),
            QStringLiteral("message"),     QStringLiteral("source_type"),     QStringLiteral("source_id"),
            QStringLiteral("event_id"),    QStringLiteral("acknowledged_by"), QStringLiteral("acknowledged_at"),
            QStringLiteral("resolved_by"), QStringLiteral("resolved_at"),     QStringLiteral("resolution_notes"),
            QStringLiteral("details")};
}

QStringList AlertExporter::csvFields(const AlertRecord &a)
{
    return {QString::number(a.id),
            engine::formatTime(a.createdAtMs),
            engine::toString(a.severity),
            engine::toString(a.type),
            engine::toString(a.status),
            a.ruleName,
            a.message,
            a.sourceType,
            a.sourceId,
            a.eventId,
            a.acknowledgedBy,
            timeOrEmpty(a.acknowledgedAtMs),
            a.resolvedBy,
            timeOrEmpty(a.resolvedAtMs),
            a.resolutionNotes,
            QString::fromUtf8(QJsonDocument(a.details()).toJson(QJsonDocument::Compact))};
}

QByteArray AlertExporter::csvRecord(const QStringList &fields)
{
    QString line;
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (i > 0)
            line.append(QLatin1Char(','));
        line.append(csvField(fields.at(i)));
    }
    line.append(QStringLiteral("\r\n"));
    return line.toUtf8();
}

QJsonObject AlertExporter::jsonObject(const AlertRecord &alert)
{
    QJsonObject o = alert.toJson();
    o.insert(QStringLiteral("details"), alert.details());
    return o;
}

AlertExporter::Result AlertExporter::run(const ExportRequest &request, const std::atomic<bool> &cancel,
                                         const std::function<void(qint64, qint64)> &progress)
{
    Result result;
    const QString shownPath = QDir::toNativeSeparators(request.path);
    // QSaveFile writes beside the target and renames on commit: no partial file, ever.
    QSaveFile file(request.path);
    if (!file.open(QIODevice::WriteOnly)) {
        result.error = ExportText::tr("Cannot write %1: %2. Choose another folder or file name.").arg(shownPath, file.errorString());
        return result;
    }
    const auto writeFailed = [&] {
        result.error = ExportText::tr("Cannot write %1: %2. Check the free space and permissions, then export again.")
                           .arg(shownPath, file.errorString());
        file.cancelWriting();
        return result;
    };
    const auto write = [&](const QByteArray &bytes) { return file.write(bytes) == bytes.size(); };

    QString error;
    std::unique_ptr<Store> store;
    {
        store = Store::open(request.url, QStringLiteral("vigil-alert-export-%1").arg(quintptr(QThread::currentThreadId())),
                            &error);
        if (!store) {
            result.error = ExportText::tr("Cannot read the alerts from %1: %2").arg(request.url.displayName(), error);
            file.cancelWriting();
            return result;
        }
    }
    AlertQuery query = request.query;
    if (request.useIds) {
        result.total = request.ids.size();
    } else {
        // One snapshot: the count and the rows agree even while alerts arrive.
        if ((query.maxId == 0 && !store->maxAlertId(&query.maxId, &error)) || !store->countAlerts(query, &result.total, &error)) {
            result.error = ExportText::tr("Cannot read the alerts from %1: %2").arg(request.url.displayName(), error);
            file.cancelWriting();
            return result;
        }
    }
    progress(0, result.total);

    const bool json = request.format == ExportFormat::Json;
    if (!write(json ? QByteArray("[") : csvRecord(csvColumns())))
        return writeFailed();
    bool writeError = false;
    const auto writeChunk = [&](const QList<AlertRecord> &alerts) {
        if (cancel.load()) {
            result.cancelled = true;
            return false;
        }
        QByteArray bytes;
        for (const AlertRecord &a : alerts) {
            if (json) {
                bytes += result.written == 0 ? "\n" : ",\n";
                bytes += QJsonDocument(jsonObject(a)).toJson(QJsonDocument::Compact);
            } else {
                bytes += csvRecord(csvFields(a));
            }
            ++result.written;
        }
        if (!write(bytes)) {
            writeError = true;
            return false;
        }
        progress(result.written, result.total);
        return true;
    };
    bool ok = true;
    if (request.useIds) {
        const int chunk = std::max(1, request.chunkSize);
        for (qsizetype first = 0; ok && first < request.ids.size(); first += chunk) {
            QList<AlertRecord> alerts;
            ok = store->alertRecords(request.ids.mid(first, chunk), &alerts, &error);
            if (ok && !writeChunk(alerts))
                break;
        }
    } else {
        ok = store->readAlertRecords(query, std::max(1, request.chunkSize), writeChunk, &error);
    }
    store.reset();
    if (!ok) {
        result.error = ExportText::tr("Cannot read the alerts from %1: %2").arg(request.url.displayName(), error);
        file.cancelWriting();
        return result;
    }
    if (writeError)
        return writeFailed();
    if (!result.cancelled && cancel.load())
        result.cancelled = true;
    if (result.cancelled) {
        file.cancelWriting();
        return result;
    }
    if (json && !write(result.written == 0 ? QByteArray("]\n") : QByteArray("\n]\n")))
        return writeFailed();
    if (!file.commit()) {
        result.error = ExportText::tr("Cannot write %1: %2. Check the free space and permissions, then export again.")
                           .arg(shownPath, file.errorString());
        return result;
    }
    return result;
}

} // namespace vigil::models
