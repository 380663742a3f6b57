#pragma once
// The Silences dock: active and recently ended silences, and the actions on them.

#include "ui/console_backend.h"

#include <QDockWidget>
#include <QPointer>

QT_BEGIN_NAMESPACE
class QAction;
class QLabel;
class QMenu;
class QTableView;
class QTimer;
QT_END_NAMESPACE

namespace vigil::models {
class SilenceListModel;
}

namespace vigil::ui {

class SilenceDialog;

/*!
    Lists the silences active now and those that ended in the last 7 days, with who made
    them, why, until when, and how many alerts each has silenced; offers New, End (expire
    early) and Delete, each confirmed. The list is read on a worker thread with its own
    connection, after every change and once a minute (expiries pass without a change).
    Changes go through the backend (the writer thread, with its role check and audit).
*/
class SilencesDock : public QDockWidget
{
    Q_OBJECT
public:
    SilencesDock(ConsoleBackend *backend, QWidget *parent = nullptr);

    QAction *newAction() const { return m_new; }
    QAction *expireAction() const { return m_expire; }
    QAction *deleteAction() const { return m_delete; }
    QTableView *view() const { return m_view; }
    models::SilenceListModel *model() const { return m_model; }
    SilenceDialog *dialog() const; // the open Silence dialog, if any
    // Skips confirmations and shows errors in the status line only (tests).
    void setConfirmations(bool on) { m_confirm = on; }

    void setRuleChoices(const QStringList &rules) { m_rules = rules; }
    // Opens the Silence dialog, prefilled with a rule and a source when given.
    void openDialog(const QString &ruleName = {}, const QString &sourceId = {});
    void refresh();

signals:
    void loaded(int rows);
    // A one-line outcome for the status bar.
    void message(const QString &text);

private:
    void onFinished(qint64 silenceId, const QString &error);
    void endOrDelete(bool remove);
    void updateActions();
    bool confirm(const QString &title, const QString &text);

    ConsoleBackend *m_backend;
    models::SilenceListModel *m_model;
    QTableView *m_view;
    QLabel *m_status;
    QAction *m_new;
    QAction *m_expire;
    QAction *m_delete;
    QTimer *m_refreshTimer;
    QPointer<SilenceDialog> m_dialog;
    QStringList m_rules;
    QList<QString> m_pending;   // what each change waiting for its answer was (FIFO: one writer)
    quint64 m_loadGeneration = 0;
    qint64 m_selectAfterLoad = 0;
    bool m_confirm = true;
};

} // namespace vigil::ui
