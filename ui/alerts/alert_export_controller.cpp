#include "alert_export_controller.h"

#include "models/alerts/alert_page_model.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressDialog>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <algorithm>
#include <climits>
#include <utility>

namespace vigil::ui {

namespace {
const QString kLastFolderKey = QStringLiteral("export/folder");
const QString kLastFormatKey = QStringLiteral("export/format");

QString csvFilter() { return AlertExportController::tr("CSV, comma-separated values (*.csv)"); }
QString jsonFilter() { return AlertExportController::tr("JSON, an array of alert objects (*.json)"); }
} // namespace

AlertExportController::AlertExportController(const models::DatabaseUrl &url, QWidget *window)
    : QObject(window), m_url(url), m_window(window)
{
}

QList<qint64> AlertExportController::selectedIdsInOrder(const QTableView *view, const models::AlertPageModel *model,
                                                        int *notLoaded)
{
    QModelIndexList rows = view->selectionModel()->selectedRows();
    if (rows.isEmpty() && view->currentIndex().isValid())
        rows.append(view->currentIndex());
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<qint64> ids;
    ids.reserve(rows.size());
    *notLoaded = 0;
    for (const QModelIndex &index : std::as_const(rows)) {
        if (const models::AlertRow *row = model->rowAt(index.row()))
            ids.append(row->id);
        else
            ++*notLoaded;
    }
    return ids;
}

models::ExportFormat AlertExportController::formatFor(QString *path, const QString &selectedFilter)
{
    const QString suffix = QFileInfo(*path).suffix().toLower();
    if (suffix == QStringLiteral("json"))
        return models::ExportFormat::Json;
    if (suffix == QStringLiteral("csv"))
        return models::ExportFormat::Csv;
    const bool json = selectedFilter == jsonFilter();
    path->append(json ? QStringLiteral(".json") : QStringLiteral(".csv"));
    return json ? models::ExportFormat::Json : models::ExportFormat::Csv;
}

QString AlertExportController::askForFile(const QString &title, models::ExportFormat *format)
{
    QSettings settings;
    const bool lastJson = settings.value(kLastFormatKey).toString() == QStringLiteral("json");
    QString folder = settings.value(kLastFolderKey).toString();
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString name = QStringLiteral("vigil-alerts-%1.%2")
                             .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm")),
                                  lastJson ? QStringLiteral("json") : QStringLiteral("csv"));
    QString filter = lastJson ? jsonFilter() : csvFilter();
    QString path = QFileDialog::getSaveFileName(m_window, title, QDir(folder).filePath(name),
                                                csvFilter() + QStringLiteral(";;") + jsonFilter(), &filter);
    if (path.isEmpty())
        return {};
    *format = formatFor(&path, filter);
    settings.setValue(kLastFolderKey, QFileInfo(path).absolutePath());
    settings.setValue(kLastFormatKey, *format == models::ExportFormat::Json ? QStringLiteral("json") : QStringLiteral("csv"));
    return path;
}

void AlertExportController::exportSelection(const QTableView *view, const models::AlertPageModel *model)
{
    if (isRunning()) {
        emit statusMessage(tr("An export is still running."));
        return;
    }
    int notLoaded = 0;
    const QList<qint64> ids = selectedIdsInOrder(view, model, &notLoaded);
    if (ids.isEmpty() && notLoaded == 0) {
        emit statusMessage(tr("Select the alerts to export first."));
        return;
    }
    if (notLoaded > 0 && m_interactive) {
        // A selection over rows never scrolled to (Ctrl+A over a million) has no ids yet.
        const auto answer = QMessageBox::question(
            m_window, tr("Export Selection"),
            tr("%n selected row(s) are not loaded yet, so they cannot be exported as a selection.", nullptr, notLoaded)
                + QLatin1Char(' ')
                + (ids.isEmpty() ? tr("Use File › Export All Matching to export everything the filter shows.")
                                 : tr("Export the %n loaded one(s) only? (File › Export All Matching exports everything "
                                      "the filter shows.)", nullptr, int(ids.size()))),
            ids.isEmpty() ? QMessageBox::StandardButtons(QMessageBox::Ok) : QMessageBox::Yes | QMessageBox::Cancel,
            ids.isEmpty() ? QMessageBox::Ok : QMessageBox::Cancel);
        if (ids.isEmpty() || answer != QMessageBox::Yes)
            return;
    }
    models::ExportFormat format = models::ExportFormat::Csv;
    const QString path = askForFile(tr("Export %n Selected Alert(s)", nullptr, int(ids.size())), &format);
    if (!path.isEmpty())
        exportTo(path, format, {}, ids, true);
}

void AlertExportController::exportMatching(const models::AlertQuery &query)
{
    if (isRunning()) {
        emit statusMessage(tr("An export is still running."));
        return;
    }
    models::ExportFormat format = models::ExportFormat::Csv;
    const QString path = askForFile(tr("Export All Alerts Matching the Filter"), &format);
    if (!path.isEmpty()) {
        models::AlertQuery q = query;
        q.maxId = 0; // everything matching when the export starts, live alerts included
        exportTo(path, format, q, {}, false);
    }
}

void AlertExportController::exportTo(const QString &path, models::ExportFormat format, const models::AlertQuery &query,
                                     const QList<qint64> &ids, bool useIds)
{
    if (isRunning())
        return;
    models::ExportRequest request;
    request.url = m_url;
    request.path = path;
    request.format = format;
    request.query = query;
    request.ids = ids;
    request.useIds = useIds;
    m_exporter = new models::AlertExporter(request, this);
    const QString shown = QDir::toNativeSeparators(path);
    if (m_interactive) {
        m_progress = new QProgressDialog(tr("Exporting to %1…").arg(shown), tr("Cancel"), 0, 1000, m_window);
        m_progress->setWindowTitle(tr("Export"));
        m_progress->setWindowModality(Qt::WindowModal);
        m_progress->setMinimumDuration(400);
        m_progress->setAutoClose(false);
        m_progress->setAutoReset(false);
        m_progress->setAttribute(Qt::WA_DeleteOnClose);
        m_progress->setValue(0);
        connect(m_progress, &QProgressDialog::canceled, this, &AlertExportController::cancel);
    }
    connect(m_exporter, &models::AlertExporter::progress, this, [this, shown](qint64 done, qint64 total) {
        if (!m_progress)
            return;
        m_progress->setValue(total > 0 ? int(std::min<qint64>(1000, done * 1000 / total)) : 0);
        m_progress->setLabelText(tr("Exporting to %1…\n%2 of %3 alerts")
                                     .arg(shown, QLocale().toString(done), QLocale().toString(total)));
    });
    connect(m_exporter, &models::AlertExporter::finished, this, &AlertExportController::onFinished);
    emit statusMessage(tr("Exporting to %1…").arg(shown));
    m_exporter->start();
}

void AlertExportController::cancel()
{
    if (m_exporter)
        m_exporter->cancel();
}

void AlertExportController::onFinished(const models::AlertExporter::Result &result)
{
    if (!m_exporter)
        return;
    const QString path = m_exporter->request().path;
    const QString shown = QDir::toNativeSeparators(path);
    m_exporter->wait();
    m_exporter->deleteLater();
    m_exporter = nullptr;
    if (m_progress)
        m_progress->close();
    if (!result.error.isEmpty()) {
        emit statusMessage(tr("Export failed: nothing was written."));
        if (m_interactive)
            QMessageBox::warning(m_window, tr("Export Failed"), result.error);
    } else if (result.cancelled) {
        emit statusMessage(tr("Export cancelled: %1 was not written.").arg(shown));
    } else {
        emit statusMessage(tr("Exported %n alert(s) to %1.", nullptr, int(std::min<qint64>(result.written, INT_MAX))).arg(shown));
    }
    emit exportFinished(path, result);
}

} // namespace vigil::ui
