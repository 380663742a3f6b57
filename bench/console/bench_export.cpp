// Exports at scale: every alert of a database (1,000,000 from `vigil generate`) to CSV and to
// JSON through AlertExporter, as File › Export All Matching does, timing each and reading the
// process's resident memory before and after (peak from /proc/self/status VmHWM), to show
// that the export streams rather than holding the alerts.
//
//   bench_export --database PATH [--out DIR]
//
// Figures are printed as a Markdown table.

#include "models/alerts/alert_exporter.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <cstdio>

using namespace vigil;

namespace {

// VmRSS or VmHWM of this process in MiB (Linux).
double memoryMiB(const char *key)
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(key) + ':';
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').first().toDouble() / 1024.0;
    return -1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("database"), QStringLiteral("The database to export."), QStringLiteral("url")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("Folder for the files (default: a temporary one)."),
                      QStringLiteral("dir")});
    parser.process(app);
    models::DatabaseUrl url;
    QString error;
    if (!models::DatabaseUrl::parse(parser.value(QStringLiteral("database")), &url, &error)) {
        std::fprintf(stderr, "bench_export: %s\n", qPrintable(error));
        return 2;
    }
    QTemporaryDir temp;
    const QString out = parser.isSet(QStringLiteral("out")) ? parser.value(QStringLiteral("out")) : temp.path();

    std::printf("| format | alerts | seconds | alerts/s | file (MB) | RSS before / after (MiB) | peak RSS (MiB) |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (const models::ExportFormat format : {models::ExportFormat::Csv, models::ExportFormat::Json}) {
        models::ExportRequest request;
        request.url = url;
        request.format = format;
        request.path = out + (format == models::ExportFormat::Csv ? QStringLiteral("/export.csv") : QStringLiteral("/export.json"));
        const double before = memoryMiB("VmRSS");
        std::atomic<bool> cancel{false};
        QElapsedTimer clock;
        clock.start();
        const models::AlertExporter::Result result = models::AlertExporter::run(request, cancel, [](qint64, qint64) {});
        const double seconds = clock.nsecsElapsed() / 1e9;
        if (!result.error.isEmpty()) {
            std::fprintf(stderr, "bench_export: %s\n", qPrintable(result.error));
            return 1;
        }
        std::printf("| %s | %lld | %.1f | %.0f | %.1f | %.0f / %.0f | %.0f |\n",
                    format == models::ExportFormat::Csv ? "CSV" : "JSON", static_cast<long long>(result.written), seconds,
                    result.written / seconds, QFileInfo(request.path).size() / 1e6, before, memoryMiB("VmRSS"),
                    memoryMiB("VmHWM"));
        std::fflush(stdout);
        QFile::remove(request.path);
    }
    return 0;
}
