#include "node_backend.h"

namespace vigil::app {

NodeBackend::NodeBackend(Node *node, models::Actor actor, QObject *parent)
    : ui::ConsoleBackend(parent), m_node(node), m_actor(std::move(actor))
{
    connect(node->writer(), &IngestWriter::alertsRaised, this, &ui::ConsoleBackend::alertsRaised);
    connect(node->writer(), &IngestWriter::failure, this, &ui::ConsoleBackend::failure);
    connect(node->textIndexer(), &models::TextIndexer::failure, this, &ui::ConsoleBackend::failure);
    connect(node->writer(), &IngestWriter::notificationsRecorded, this, &ui::ConsoleBackend::notificationsRecorded);
}

ui::ConsoleStatus NodeBackend::status() const
{
    ui::ConsoleStatus s;
    const IngestCounters &c = m_node->counters();
    s.accepted = c.accepted.load();
    s.duplicates = c.duplicates.load();
    s.rejected = c.rejected.load();
    s.alerts = c.alerts.load();
    s.producers = m_node->serverStats().producers.load();
    s.subscribers = m_node->serverStats().subscribers.load();
    s.listening = m_node->options().listen;
    s.listenAddress = QStringLiteral("%1:%2").arg(m_node->options().host.toString()).arg(m_node->port());
    return s;
}

void NodeBackend::applyAlertAction(qint64 alertId, models::AlertAction action, const QString &note)
{
    IngestWriter *writer = m_node->writer();
    const models::Actor actor = m_actor;
    writer->post([this, writer, alertId, action, actor, note](models::Store &store, engine::Pipeline &) {
        const models::ActionResult result = store.applyAlertAction(alertId, action, actor, note);
        if (result.outcome == models::ActionResult::Outcome::Done)
            emit writer->alertUpdated(result.alert);
        QMetaObject::invokeMethod(this, [this, result] { emit actionFinished(result); }, Qt::QueuedConnection);
    });
}

void NodeBackend::applyBulkAction(quint64 ticket, const QList<qint64> &alertIds, models::AlertAction action,
                                  const QString &note)
{
    IngestWriter *writer = m_node->writer();
    const models::Actor actor = m_actor;
    writer->post([this, writer, ticket, alertIds, action, actor, note](models::Store &store, engine::Pipeline &) {
        const models::BulkActionResult result = store.applyAlertActions(alertIds, action, actor, note);
        // Subscribers hear about every alert that changed.
        for (qint64 id : result.changedIds) {
            models::AlertRecord alert;
            QString error;
            if (store.alert(id, &alert, &error))
                emit writer->alertUpdated(alert);
        }
        QMetaObject::invokeMethod(this, [this, ticket, result] { emit bulkFinished(ticket, result); }, Qt::QueuedConnection);
    });
}

void NodeBackend::assignAlerts(quint64 ticket, const QList<qint64> &alertIds, const QString &assignee)
{
    IngestWriter *writer = m_node->writer();
    const models::Actor actor = m_actor;
    writer->post([this, ticket, alertIds, assignee, actor](models::Store &store, engine::Pipeline &) {
        const models::BulkActionResult result = store.assignAlerts(alertIds, assignee, actor);
        QMetaObject::invokeMethod(this, [this, ticket, result] { emit bulkFinished(ticket, result); }, Qt::QueuedConnection);
    });
}

void NodeBackend::addComment(qint64 alertId, const QString &text)
{
    IngestWriter *writer = m_node->writer();
    const models::Actor actor = m_actor;
    writer->post([this, alertId, text, actor](models::Store &store, engine::Pipeline &) {
        QString error;
        store.addAlertComment(alertId, text, actor, &error);
        QMetaObject::invokeMethod(this, [this, alertId, error] { emit commentFinished(alertId, error); }, Qt::QueuedConnection);
    });
}

void NodeBackend::changeSilence(qint64 silenceId, std::function<bool(models::Store &, qint64 *, QString *)> change)
{
    IngestWriter *writer = m_node->writer();
    writer->post([this, writer, silenceId, change](models::Store &store, engine::Pipeline &) {
        qint64 id = silenceId;
        QString error;
        // Reloaded at once, not at the next poll: the alert after this one is already matched.
        QString reloadError;
        if (change(store, &id, &error) && !writer->reloadSilences(&reloadError))
            emit writer->failure(reloadError);
        QMetaObject::invokeMethod(this, [this, id, error] { emit silenceFinished(id, error); }, Qt::QueuedConnection);
    });
}

void NodeBackend::createSilence(const engine::Silence &silence)
{
    const models::Actor actor = m_actor;
    changeSilence(0, [silence, actor](models::Store &store, qint64 *id, QString *error) {
        engine::Silence s = silence;
        const bool ok = store.createSilence(&s, actor, error);
        *id = s.id;
        return ok;
    });
}

void NodeBackend::expireSilence(qint64 silenceId)
{
    const models::Actor actor = m_actor;
    changeSilence(silenceId, [actor](models::Store &store, qint64 *id, QString *error) {
        return store.expireSilence(*id, actor, error);
    });
}

void NodeBackend::deleteSilence(qint64 silenceId)
{
    const models::Actor actor = m_actor;
    changeSilence(silenceId, [actor](models::Store &store, qint64 *id, QString *error) {
        return store.deleteSilence(*id, actor, error);
    });
}

void NodeBackend::recordNotifications(const QList<models::AlertNotification> &sent)
{
    if (sent.isEmpty())
        return;
    IngestWriter *writer = m_node->writer();
    writer->post([writer, sent](models::Store &store, engine::Pipeline &) {
        QString error;
        if (!writer->recordSent(store, sent, &error))
            emit writer->failure(error);
    });
}

} // namespace vigil::app
