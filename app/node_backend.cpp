#include "node_backend.h"

namespace vigil::app {

NodeBackend::NodeBackend(Node *node, models::Actor actor, QObject *parent)
    : ui::ConsoleBackend(parent), m_node(node), m_actor(std::move(actor))
{
    connect(node->writer(), &IngestWriter::alertsRaised, this, &ui::ConsoleBackend::alertsRaised);
    connect(node->writer(), &IngestWriter::failure, this, &ui::ConsoleBackend::failure);
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

} // namespace vigil::app
