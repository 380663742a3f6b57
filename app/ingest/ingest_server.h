#pragma once
// The WebSocket edge: producers on /events, subscribers on /alerts.

#include "ingest_writer.h"

#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QPointer>

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
class QTimer;
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace vigil::app {

struct ServerStats
{
    std::atomic<int> producers{0};
    std::atomic<int> subscribers{0};
    std::atomic<qint64> refusedHandshakes{0};
};

/*!
    Accepts WebSocket connections and checks them before the WebSocket handshake: the path
    must be /events or /alerts and the token must match (Authorization: Bearer, or ?token=),
    or the client gets HTTP 401 (404 for another path) and nothing else. Messages on /events
    are decoded on this object's thread and handed to the writer; replies come back through
    sendReplies() in message order. Lives on its own thread; call its slots queued.
*/
class IngestServer : public QObject
{
    Q_OBJECT
public:
    IngestServer(IngestWriter *writer, QString token, qint64 maxMessageBytes, IngestCounters *counters,
                 ServerStats *stats, QObject *parent = nullptr);
    ~IngestServer() override;

    // Refuse new messages with "server overloaded" while this many events wait for the writer.
    void setMaxQueuedEvents(qint64 n) { m_maxQueuedEvents = n; }

public slots:
    // Starts listening; the port actually bound is in *port (for port 0). False with a message.
    bool listen(const QHostAddress &address, quint16 port, quint16 *boundPort, QString *error);
    void sendReplies(const QList<vigil::app::IngestReply> &replies, const vigil::engine::EventBatch &spent);
    void broadcastAlerts(const QList<vigil::models::AlertRecord> &alerts);
    void broadcastAlertUpdate(const vigil::models::AlertRecord &alert);
    // Stops accepting connections and messages; messages already handed over still get replies.
    // Hands the broadcasts not yet recorded to the writer.
    void stopAccepting();
    // Closes every connection (going away) after flushing what is written.
    void closeAll();

public:
    // The broadcasts not yet handed to the writer, as SENT WEBSOCKET rows of the
    // notifications table; they are then no longer pending. Call on this object's thread.
    QList<models::AlertNotification> takeBroadcastRecords();

private:
    void onTcpConnection();
    void inspectHandshake(QTcpSocket *socket);
    void refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QByteArray &body);
    void onWebSocket();
    void onMessage(QWebSocket *socket, quint64 id, const QString &message);
    // Hands the broadcasts sent since the last call to the writer, as SENT WEBSOCKET rows
    // of the notifications table in one transaction.
    void recordBroadcasts();

    IngestWriter *m_writer;
    QString m_token;
    qint64 m_maxMessageBytes;
    qint64 m_maxQueuedEvents = 1'000'000;
    IngestCounters *m_counters;
    ServerStats *m_stats;
    QTcpServer *m_tcp = nullptr;
    QWebSocketServer *m_ws = nullptr;
    QHash<quint64, QPointer<QWebSocket>> m_producers;
    QHash<quint64, QPointer<QWebSocket>> m_subscribers;
    // Alerts broadcast and to how many subscribers, recorded at most once per interval:
    // one writer task and one transaction for all of them.
    struct Broadcast
    {
        qint64 alertId;
        int subscribers;
        qint64 sentAtMs;
    };
    QList<Broadcast> m_broadcasts;
    QTimer *m_recordTimer;
    quint64 m_nextId = 1;
    bool m_accepting = true;
};

} // namespace vigil::app
