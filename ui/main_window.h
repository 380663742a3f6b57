#pragma once
// The console's main window: the live alert table, the detail pane, triage actions, status.

#include "console_backend.h"

#include <QElapsedTimer>
#include <QMainWindow>

QT_BEGIN_NAMESPACE
class QAction;
class QLabel;
class QTableView;
QT_END_NAMESPACE

namespace vigil::models {
class AlertTableModel;
}

namespace vigil::ui {

class AlertDetailPane;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(ConsoleBackend *backend, QWidget *parent = nullptr);
    ~MainWindow() override;

    models::AlertTableModel *alertModel() const { return m_model; }
    QTableView *alertView() const { return m_view; }
    // Loads the most recent alerts off the GUI thread.
    void loadAlerts();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void onSelectionChanged();
    void triage(models::AlertAction action);
    void onActionFinished(const models::ActionResult &result);
    void updateStatus();
    void updateActions();
    void moveSelection(int delta);
    void showToken();

    ConsoleBackend *m_backend;
    models::AlertTableModel *m_model;
    QTableView *m_view;
    AlertDetailPane *m_detail;
    QAction *m_acknowledge = nullptr;
    QAction *m_resolve = nullptr;
    QAction *m_falsePositive = nullptr;
    QAction *m_reopen = nullptr;
    QLabel *m_rates;
    QLabel *m_connections;
    QLabel *m_totals;
    QLabel *m_database;
    ConsoleStatus m_lastStatus;
    QElapsedTimer m_statusClock;
};

} // namespace vigil::ui
