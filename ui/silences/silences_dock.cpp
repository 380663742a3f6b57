#include "silences_dock.h"

#include "models/silences/silence_list_model.h"
#include "silence_dialog.h"

#include <QAction>
#include <QDateTime>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QTableView>
#include <QThread>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <limits>

namespace vigil::ui {

namespace {
constexpr qint64 kRecentMs = 7LL * 24 * 3600 * 1000; // ended silences stay listed this long
constexpr int kRefreshMs = 60'000;

struct LoadedSilences
{
    quint64 generation = 0;
    qint64 nowMs = 0;
    QList<engine::Silence> silences;
    QString error;
};
} // namespace

SilencesDock::SilencesDock(ConsoleBackend *backend, QWidget *parent)
    : QDockWidget(tr("Silences"), parent), m_backend(backend), m_model(new models::SilenceListModel(this))
{
    setObjectName(QStringLiteral("silencesDock"));
    auto *body = new QWidget(this);
    m_view = new QTableView(body);
    m_view->setObjectName(QStringLiteral("silencesTable"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(false);
    // Few rows: the short columns fit their contents, criteria and comment share the rest.
    for (int c : {models::SilenceListModel::State, models::SilenceListModel::CreatedBy, models::SilenceListModel::Created,
                  models::SilenceListModel::Expires, models::SilenceListModel::Matched})
        m_view->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(models::SilenceListModel::Criteria, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(models::SilenceListModel::Comment, QHeaderView::Stretch);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_status = new QLabel(body);

    m_new = new QAction(tr("&New Silence…"), this);
    m_new->setShortcut(Qt::SHIFT | Qt::Key_S);
    m_new->setStatusTip(tr("Silence alerts of a rule, a source or a field value for a while"));
    connect(m_new, &QAction::triggered, this, [this] { openDialog(); });
    m_expire = new QAction(tr("&End Silence Now…"), this);
    m_expire->setShortcut(Qt::Key_Delete);
    m_expire->setStatusTip(tr("Let the alerts of the selected silence through again from now on"));
    m_expire->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_expire, &QAction::triggered, this, [this] { endOrDelete(false); });
    m_delete = new QAction(tr("&Delete Silence…"), this);
    m_delete->setShortcut(Qt::SHIFT | Qt::Key_Delete);
    m_delete->setStatusTip(tr("Remove a silence made by mistake (only one that has not silenced any alert)"));
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_delete, &QAction::triggered, this, [this] { endOrDelete(true); });
    // End and Delete act on this list's selection: their keys work while it has the focus.
    addAction(m_expire);
    addAction(m_delete);
    m_view->addActions({m_new, m_expire, m_delete});

    auto *bar = new QToolBar(body);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    bar->addActions({m_new, m_expire, m_delete});
    for (QAction *a : bar->actions())
        a->setToolTip(QStringLiteral("%1 (%2)").arg(a->text().remove(QLatin1Char('&')).remove(QStringLiteral("…")),
                                                    a->shortcut().toString(QKeySequence::NativeText)));
    auto *layout = new QVBoxLayout(body);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(bar);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_status);
    setWidget(body);

    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &SilencesDock::updateActions);
    connect(m_model, &QAbstractItemModel::modelReset, this, &SilencesDock::updateActions);
    connect(m_backend, &ConsoleBackend::silenceFinished, this, &SilencesDock::onFinished);
    connect(this, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (visible)
            refresh();
    });
    m_refreshTimer = new QTimer(this);
    m_refreshTimer->setInterval(kRefreshMs);
    connect(m_refreshTimer, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh();
    });
    m_refreshTimer->start();
    updateActions();
}

SilenceDialog *SilencesDock::dialog() const
{
    return m_dialog.data();
}

void SilencesDock::refresh()
{
    const quint64 generation = ++m_loadGeneration;
    const models::DatabaseUrl url = m_backend->databaseUrl();
    m_status->setText(tr("Loading…"));
    auto *watcher = new QFutureWatcher<LoadedSilences>(this);
    connect(watcher, &QFutureWatcher<LoadedSilences>::finished, this, [this, watcher] {
        LoadedSilences result = watcher->result();
        watcher->deleteLater();
        if (result.generation != m_loadGeneration)
            return;
        if (!result.error.isEmpty()) {
            m_status->setText(tr("Cannot read the silences: %1").arg(result.error));
            return;
        }
        qint64 keep = m_selectAfterLoad;
        if (!keep)
            if (const engine::Silence *s = m_model->silenceAt(m_view->currentIndex().row()))
                keep = s->id;
        m_selectAfterLoad = 0;
        int active = 0;
        for (const engine::Silence &s : std::as_const(result.silences))
            active += s.isActiveAt(result.nowMs) ? 1 : 0;
        const int rows = int(result.silences.size());
        m_model->setSilences(std::move(result.silences), result.nowMs);
        const int row = m_model->rowOfSilence(keep);
        if (rows > 0)
            m_view->setCurrentIndex(m_model->index(row >= 0 ? row : 0, 0));
        m_status->setText(tr("%n active", nullptr, active) + QStringLiteral(", ")
                          + tr("%n ended in the last 7 days", nullptr, rows - active));
        updateActions();
        emit loaded(rows);
    });
    watcher->setFuture(QtConcurrent::run([url, generation] {
        LoadedSilences out;
        out.generation = generation;
        out.nowMs = QDateTime::currentMSecsSinceEpoch();
        const QString connection = QStringLiteral("vigil-silences-%1").arg(quintptr(QThread::currentThreadId()));
        auto store = models::Store::open(url, connection, &out.error);
        if (store)
            store->silences(out.nowMs, out.nowMs - kRecentMs, &out.silences, &out.error);
        return out;
    }));
}

void SilencesDock::openDialog(const QString &ruleName, const QString &sourceId)
{
    if (m_dialog) {
        m_dialog->raise();
        m_dialog->activateWindow();
        return;
    }
    auto *dialog = new SilenceDialog(m_backend->databaseUrl(), parentWidget() ? parentWidget() : this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setRuleChoices(m_rules);
    if (!ruleName.isEmpty() || !sourceId.isEmpty())
        dialog->prefill(ruleName, sourceId);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        m_pending.append(tr("Silence saved: %1.").arg(dialog->silence().describe()));
        m_backend->createSilence(dialog->silence());
    });
    m_dialog = dialog;
    dialog->open();
    dialog->activateWindow();
}

void SilencesDock::endOrDelete(bool remove)
{
    const engine::Silence *s = m_model->silenceAt(m_view->currentIndex().row());
    if (!s)
        return;
    const qint64 id = s->id;
    if (remove) {
        if (s->matchedCount > 0) {
            const QString text = tr("Silence %1 has silenced %n alert(s) and is kept so they still say why: end it instead.",
                                    nullptr, int(std::min<qint64>(s->matchedCount, std::numeric_limits<int>::max())))
                                     .arg(id);
            if (m_confirm)
                QMessageBox::information(this, tr("Delete Silence"), text);
            emit message(text);
            return;
        }
        if (!confirm(tr("Delete Silence"), tr("Delete the silence %1 (%2)? It has not silenced any alert.").arg(id).arg(s->describe())))
            return;
        m_pending.append(tr("Silence %1 deleted.").arg(id));
        m_backend->deleteSilence(id);
        return;
    }
    if (!s->isActiveAt(QDateTime::currentMSecsSinceEpoch())) {
        emit message(tr("Silence %1 has already ended.").arg(id));
        return;
    }
    if (!confirm(tr("End Silence"), tr("End the silence %1 now? Alerts matching %2 are shown and broadcast again from now on.")
                                        .arg(id)
                                        .arg(s->describe())))
        return;
    m_pending.append(tr("Silence %1 ended.").arg(id));
    m_selectAfterLoad = id;
    m_backend->expireSilence(id);
}

void SilencesDock::onFinished(qint64 silenceId, const QString &error)
{
    const QString done = m_pending.isEmpty() ? QString() : m_pending.takeFirst();
    if (!error.isEmpty()) {
        if (m_confirm)
            QMessageBox::warning(this, tr("Silence not changed"), error);
        emit message(error);
    } else {
        emit message(done);
        if (m_selectAfterLoad == 0)
            m_selectAfterLoad = silenceId;
    }
    refresh();
}

void SilencesDock::updateActions()
{
    const engine::Silence *s = m_model->silenceAt(m_view->currentIndex().row());
    m_expire->setEnabled(s && s->isActiveAt(QDateTime::currentMSecsSinceEpoch()));
    m_delete->setEnabled(s != nullptr);
}

bool SilencesDock::confirm(const QString &title, const QString &text)
{
    if (!m_confirm)
        return true;
    return QMessageBox::question(this, title, text, QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel)
        == QMessageBox::Yes;
}

} // namespace vigil::ui
