#include "node.h"

namespace vigil::app {

Node::Node(NodeOptions options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    qRegisterMetaType<QList<vigil::app::IngestReply>>();
    qRegisterMetaType<vigil::engine::EventBatch>();
    qRegisterMetaType<QList<vigil::models::AlertRecord>>();
    qRegisterMetaType<vigil::models::AlertRecord>();
    m_netThread.setObjectName(QStringLiteral("vigil-network"));
}

Node::~Node()
{
    stop();
}

bool Node::start(QString *error)
{
    m_writer = new IngestWriter(m_options.database, &m_counters, this);
    if (!m_writer->open(error))
        return false;
    m_writer->setPrioritySteps(m_options.writerPrioritySteps);
    m_writer->start();
    m_textIndexer = new models::TextIndexer(m_options.database, this);
    m_textIndexer->start();
    if (!m_options.listen) {
        m_running = true;
        return true;
    }
    m_server = new IngestServer(m_writer, m_options.token, m_options.maxMessageBytes, &m_counters, &m_stats);
    m_server->moveToThread(&m_netThread);
    connect(&m_netThread, &QThread::finished, m_server, &QObject::deleteLater);
    connect(m_writer, &IngestWriter::repliesReady, m_server, &IngestServer::sendReplies);
    connect(m_writer, &IngestWriter::alertsRaised, m_server, &IngestServer::broadcastAlerts);
    connect(m_writer, &IngestWriter::alertUpdated, m_server, &IngestServer::broadcastAlertUpdate);
    m_netThread.start();
    bool listening = false;
    QMetaObject::invokeMethod(
        m_server, [&] { listening = m_server->listen(m_options.host, m_options.port, &m_port, error); },
        Qt::BlockingQueuedConnection);
    m_running = true;
    if (!listening) {
        stop();
        return false;
    }
    return true;
}

void Node::stop()
{
    if (!m_running)
        return;
    m_running = false;
    m_textIndexer->stop(); // a pass cut short is done again at the next start
    if (m_server)
        QMetaObject::invokeMethod(m_server, &IngestServer::stopAccepting, Qt::BlockingQueuedConnection);
    // The writer's last commits raise alerts that are broadcast after stopAccepting() handed
    // over the broadcasts so far, and a broadcast is recorded up to a second later: what is
    // still pending is written by the writer's store once it committed the rest, before it
    // closes (the network thread runs the broadcasts queued before this request first).
    IngestServer *server = m_server;
    IngestWriter *writer = m_writer;
    m_writer->drainAndStop([server, writer](models::Store &store) {
        if (!server)
            return;
        QList<models::AlertNotification> rows;
        QMetaObject::invokeMethod(server, [&rows, server] { rows = server->takeBroadcastRecords(); },
                                  Qt::BlockingQueuedConnection);
        QString error;
        if (!writer->recordSent(store, rows, &error))
            qWarning("Vigil: the last /alerts broadcasts (%lld alerts) are not in the notifications table: %s",
                     qint64(rows.size()), qPrintable(error));
    });
    if (m_server) {
        // The replies the writer queued reach the network thread before this call does.
        QMetaObject::invokeMethod(m_server, &IngestServer::closeAll, Qt::BlockingQueuedConnection);
        m_netThread.quit();
        m_netThread.wait();
        m_server = nullptr;
    }
}

} // namespace vigil::app
