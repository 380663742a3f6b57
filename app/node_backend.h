#pragma once
// The console's backend in one process: the console talks to the local node.

#include "node.h"
#include "ui/console_backend.h"

namespace vigil::app {

class NodeBackend : public ui::ConsoleBackend
{
    Q_OBJECT
public:
    NodeBackend(Node *node, models::Actor actor, QObject *parent = nullptr);

    models::DatabaseUrl databaseUrl() const override { return m_node->options().database; }
    models::Actor actor() const override { return m_actor; }
    ui::ConsoleStatus status() const override;
    QString producerToken() const override { return m_node->options().token; }
    void applyAlertAction(qint64 alertId, models::AlertAction action, const QString &note) override;
    void applyBulkAction(quint64 ticket, const QList<qint64> &alertIds, models::AlertAction action,
                         const QString &note) override;
    void assignAlerts(quint64 ticket, const QList<qint64> &alertIds, const QString &assignee) override;
    void addComment(qint64 alertId, const QString &text) override;
    void createSilence(const engine::Silence &silence) override;
    void expireSilence(qint64 silenceId) override;
    void deleteSilence(qint64 silenceId) override;
    void recordNotifications(const QList<models::AlertNotification> &sent) override;

private:
    // Runs `change` on the writer thread, then reloads the writer's silences.
    void changeSilence(qint64 silenceId, std::function<bool(models::Store &, qint64 *, QString *)> change);

    Node *m_node;
    models::Actor m_actor;
};

} // namespace vigil::app
