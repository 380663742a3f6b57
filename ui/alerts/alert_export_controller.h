#pragma once
// File > Export: asks for a file, runs an AlertExporter on its own thread with a progress
// dialog and Cancel, and says how it went.

#include "models/alerts/alert_exporter.h"

#include <QObject>
#include <QPointer>

QT_BEGIN_NAMESPACE
class QProgressDialog;
class QTableView;
class QWidget;
QT_END_NAMESPACE

namespace vigil::models {
class AlertPageModel;
}

namespace vigil::ui {

class AlertExportController : public QObject
{
    Q_OBJECT
public:
    AlertExportController(const models::DatabaseUrl &url, QWidget *window);

    // Asks for a file (CSV or JSON by its name or the chosen filter), then exports.
    void exportSelection(const QTableView *view, const models::AlertPageModel *model);
    void exportMatching(const models::AlertQuery &query);
    // Exports without asking (the dialogs' second half; also for tests).
    void exportTo(const QString &path, models::ExportFormat format, const models::AlertQuery &query,
                  const QList<qint64> &ids, bool useIds);
    bool isRunning() const { return m_exporter != nullptr; }
    // Without dialogs (tests): errors and outcomes only through the signals.
    void setInteractive(bool on) { m_interactive = on; }
    void cancel();

    // The ids of the selected rows in table order; `notLoaded` counts selected rows whose
    // page is not loaded yet (their ids are unknown to the console).
    static QList<qint64> selectedIdsInOrder(const QTableView *view, const models::AlertPageModel *model, int *notLoaded);
    // CSV or JSON from the file name, else from the dialog's filter; adds the extension.
    static models::ExportFormat formatFor(QString *path, const QString &selectedFilter);

signals:
    void statusMessage(const QString &text);
    void exportFinished(const QString &path, const vigil::models::AlertExporter::Result &result);

private:
    QString askForFile(const QString &title, models::ExportFormat *format);
    void onFinished(const models::AlertExporter::Result &result);

    models::DatabaseUrl m_url;
    QWidget *m_window;
    bool m_interactive = true;
    models::AlertExporter *m_exporter = nullptr;
    QPointer<QProgressDialog> m_progress;
};

} // namespace vigil::ui
