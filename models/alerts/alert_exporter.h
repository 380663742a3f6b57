#pragma once
// Writes alerts to a CSV or JSON file on a thread of its own, with its own read connection.

#include "models/store/alert_query.h"
#include "models/store/alert_record.h"
#include "models/store/database_url.h"

#include <QObject>
#include <atomic>
#include <functional>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace vigil::models {

enum class ExportFormat : quint8 { Csv, Json };

// What to export: every alert matching `query`, or (with useIds) exactly `ids`, in that order.
struct ExportRequest
{
    DatabaseUrl url;
    QString path;
    ExportFormat format = ExportFormat::Csv;
    AlertQuery query;
    QList<qint64> ids;
    bool useIds = false;
    int chunkSize = 1000;       // alerts read and written at a time
};

/*!
    One export. start() runs it on its own thread and connection: alerts are read a chunk
    at a time (a forward-only read for a filter, bounded id lists for a selection) and
    written as they come, so memory does not grow with the export. The file is written
    through QSaveFile: it appears, complete, only when the export succeeds; a failed or
    cancelled export leaves no file behind (and an existing file untouched).

    CSV follows RFC 4180 (a header line, CRLF line ends, fields quoted when they hold a
    comma, a double quote, CR or LF, with quotes doubled), UTF-8. JSON is one array of the
    /alerts protocol's alert objects, each with its "details".
*/
class AlertExporter : public QObject
{
    Q_OBJECT
public:
    explicit AlertExporter(const ExportRequest &request, QObject *parent = nullptr);
    ~AlertExporter() override;

    const ExportRequest &request() const { return m_request; }
    void start();
    // Any thread: stops at the next chunk; finished() follows with cancelled = true.
    void cancel() { m_cancel.store(true); }
    bool isRunning() const;
    // Blocks until the export thread is done (finished() may still be queued).
    void wait();

    // Runs the export on the calling thread (start() calls it on the export thread).
    struct Result
    {
        qint64 written = 0;
        qint64 total = 0;
        bool cancelled = false;
        QString error;          // for the user: which file, what went wrong
    };
    static Result run(const ExportRequest &request, const std::atomic<bool> &cancel,
                      const std::function<void(qint64 done, qint64 total)> &progress);

    // The file formats, for the export and for tests that read files back.
    static QStringList csvColumns();
    static QByteArray csvRecord(const QStringList &fields);
    static QStringList csvFields(const AlertRecord &alert);
    static QJsonObject jsonObject(const AlertRecord &alert);

signals:
    void progress(qint64 done, qint64 total);
    void finished(const vigil::models::AlertExporter::Result &result);

private:
    ExportRequest m_request;
    std::atomic<bool> m_cancel{false};
    QThread *m_thread = nullptr;
};

} // namespace vigil::models

Q_DECLARE_METATYPE(vigil::models::AlertExporter::Result)
