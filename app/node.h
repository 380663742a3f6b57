#pragma once
// One Vigil node: the ingest server and the writer, each on its own thread.

#include "ingest/ingest_server.h"
#include "ingest/ingest_writer.h"
#include "models/store/text_indexer.h"

#include <QHostAddress>
#include <QThread>

namespace vigil::app {

struct NodeOptions
{
    models::DatabaseUrl database;
    bool listen = true;
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8765;
    qint64 maxMessageBytes = 1024 * 1024;
    QString token;
    // Nice steps the writer thread (and the rules' and models' workers it starts) runs above
    // the process (negative: below): IngestWriter::setPrioritySteps(). 0 keeps one priority
    // for all threads.
    int writerPrioritySteps = 0;
};

/*!
    Composes the writer thread (store + pipeline), the network thread (WebSocket server) and
    the free-text indexer's thread.
    start() opens the database (migrating it) and binds the port; stop() is the graceful end:
    no new messages, everything handed over is committed and answered, sockets are closed.
*/
class Node : public QObject
{
    Q_OBJECT
public:
    explicit Node(NodeOptions options, QObject *parent = nullptr);
    ~Node() override;

    bool start(QString *error);
    void stop();

    quint16 port() const { return m_port; }
    const NodeOptions &options() const { return m_options; }
    IngestWriter *writer() const { return m_writer; }
    IngestServer *server() const { return m_server; }
    models::TextIndexer *textIndexer() const { return m_textIndexer; }
    const IngestCounters &counters() const { return m_counters; }
    const ServerStats &serverStats() const { return m_stats; }

private:
    NodeOptions m_options;
    IngestCounters m_counters;
    ServerStats m_stats;
    IngestWriter *m_writer = nullptr;
    IngestServer *m_server = nullptr;
    models::TextIndexer *m_textIndexer = nullptr;
    QThread m_netThread;
    quint16 m_port = 0;
    bool m_running = false;
};

} // namespace vigil::app
