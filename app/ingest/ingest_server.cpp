#include "ingest_server.h"

#include "app/token.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

namespace vigil::app {

namespace {
constexpr qint64 kMaxHandshakeBytes = 16 * 1024;
constexpr int kHandshakeTimeoutMs = 10'000;
constexpr int kRecordBroadcastsMs = 1000;
const char *kInspectedProperty = "vigilInspected";

QByteArray headerValue(const QList<QByteArray> &lines, const QByteArray &name)
{
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}
} // namespace

IngestServer::IngestServer(IngestWriter *writer, QString token, qint64 maxMessageBytes, IngestCounters *counters,
                           ServerStats *stats, QObject *parent)
    : QObject(parent), m_writer(writer), m_token(std::move(token)), m_maxMessageBytes(maxMessageBytes),
      m_counters(counters), m_stats(stats), m_recordTimer(new QTimer(this))
{
    m_recordTimer->setSingleShot(true);
    m_recordTimer->setInterval(kRecordBroadcastsMs);
    connect(m_recordTimer, &QTimer::timeout, this, &IngestServer::recordBroadcasts);
}

IngestServer::~IngestServer() = default;

bool IngestServer::listen(const QHostAddress &address, quint16 port, quint16 *boundPort, QString *error)
{
    m_tcp = new QTcpServer(this);
    m_ws = new QWebSocketServer(QStringLiteral("Vigil"), QWebSocketServer::NonSecureMode, this);
    m_ws->setHandshakeTimeout(std::chrono::milliseconds(kHandshakeTimeoutMs));
    connect(m_ws, &QWebSocketServer::newConnection, this, &IngestServer::onWebSocket);
    connect(m_tcp, &QTcpServer::newConnection, this, &IngestServer::onTcpConnection);
    if (!m_tcp->listen(address, port)) {
        *error = tr("cannot listen on %1:%2: %3 (is another Vigil running? choose another --listen)")
                     .arg(address.toString())
                     .arg(port)
                     .arg(m_tcp->errorString());
        return false;
    }
    *boundPort = m_tcp->serverPort();
    return true;
}

void IngestServer::onTcpConnection()
{
    while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
        if (!m_accepting) {
            refuse(socket, 503, "Service Unavailable", "Vigil is shutting down\n");
            continue;
        }
        // Replies are small and latency-bound: do not let Nagle hold them back.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspectHandshake(socket); });
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(kHandshakeTimeoutMs, socket, [socket] {
            if (!socket->property(kInspectedProperty).toBool())
                socket->abort();
        });
    }
}

void IngestServer::refuse(QTcpSocket *socket, int status, const QByteArray &reason, const QByteArray &body)
{
    socket->setProperty(kInspectedProperty, true);
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    QByteArray response = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\n";
    if (status == 401)
        response += "WWW-Authenticate: Bearer realm=\"vigil\"\r\n";
    response += "Content-Type: text/plain; charset=utf-8\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nConnection: close\r\n\r\n" + body;
    socket->write(response);
    socket->disconnectFromHost();
    if (status == 401)
        ++m_stats->refusedHandshakes;
}

void IngestServer::inspectHandshake(QTcpSocket *socket)
{
    if (socket->property(kInspectedProperty).toBool())
        return;
    // Look at the request without consuming it: the WebSocket server reads it again.
    const QByteArray head = socket->peek(kMaxHandshakeBytes);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() >= kMaxHandshakeBytes)
            refuse(socket, 431, "Request Header Fields Too Large", "request headers exceed 16 KiB\n");
        return; // wait for the rest
    }
    const QList<QByteArray> lines = head.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || requestLine.at(0) != "GET") {
        refuse(socket, 400, "Bad Request", "expected a WebSocket upgrade: GET /events or GET /alerts\n");
        return;
    }
    const QUrl url(QString::fromLatin1(requestLine.at(1)));
    const QString path = url.path();
    if (path != QStringLiteral("/events") && path != QStringLiteral("/alerts")) {
        refuse(socket, 404, "Not Found", "unknown path: producers use /events, subscribers /alerts\n");
        return;
    }
    QString presented;
    const QByteArray authorization = headerValue(lines, "Authorization");
    if (authorization.startsWith("Bearer "))
        presented = QString::fromLatin1(authorization.mid(7).trimmed());
    else
        presented = QUrlQuery(url).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    if (presented.isEmpty() || !ProducerToken::equals(presented, m_token)) {
        refuse(socket, 401, "Unauthorized",
               presented.isEmpty() ? "missing token: send Authorization: Bearer TOKEN or ?token=TOKEN\n"
                                   : "wrong token\n");
        return;
    }
    socket->setProperty(kInspectedProperty, true);
    disconnect(socket, &QTcpSocket::readyRead, this, nullptr);
    disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    m_ws->handleConnection(socket);
}

void IngestServer::onWebSocket()
{
    while (QWebSocket *socket = m_ws->nextPendingConnection()) {
        socket->setParent(this);
        socket->setMaxAllowedIncomingMessageSize(quint64(m_maxMessageBytes));
        socket->setMaxAllowedIncomingFrameSize(quint64(m_maxMessageBytes));
        const quint64 id = m_nextId++;
        const bool producer = socket->requestUrl().path() == QStringLiteral("/events");
        if (producer) {
            m_producers.insert(id, socket);
            ++m_stats->producers;
            connect(socket, &QWebSocket::textMessageReceived, this,
                    [this, socket, id](const QString &message) { onMessage(socket, id, message); });
            connect(socket, &QWebSocket::binaryMessageReceived, this, [this, socket, id](const QByteArray &message) {
                onMessage(socket, id, QString::fromUtf8(message));
            });
        } else {
            m_subscribers.insert(id, socket);
            ++m_stats->subscribers;
        }
        connect(socket, &QWebSocket::disconnected, this, [this, socket, id, producer] {
            if (producer) {
                if (m_producers.remove(id))
                    --m_stats->producers;
            } else if (m_subscribers.remove(id)) {
                --m_stats->subscribers;
            }
            socket->deleteLater();
        });
    }
}

void IngestServer::onMessage(QWebSocket *socket, quint64 id, const QString &message)
{
    if (!m_accepting) {
        socket->sendTextMessage(QString::fromUtf8(engine::EventCodec::encodeReply(
            {}, {}, {{QJsonValue(QJsonValue::Null), QStringLiteral("Vigil is shutting down: nothing was stored; send it again later")}})));
        return;
    }
    if (m_counters->queuedEvents.load() > m_maxQueuedEvents) {
        ++m_counters->rejected;
        socket->sendTextMessage(QString::fromUtf8(engine::EventCodec::encodeReply(
            {}, {}, {{QJsonValue(QJsonValue::Null), QStringLiteral("server overloaded: nothing was stored; send it again shortly")}})));
        return;
    }
    engine::DecodedMessage decoded = engine::EventCodec::decode(message.toUtf8(), QDateTime::currentMSecsSinceEpoch());
    IngestJob job;
    job.connectionId = id;
    job.events = std::move(decoded.events);
    job.rejected = std::move(decoded.rejected);
    m_writer->enqueue(std::move(job));
}

void IngestServer::sendReplies(const QList<IngestReply> &replies, const engine::EventBatch &spent)
{
    Q_UNUSED(spent) // its last reference goes with this call: the events are freed here
    for (const IngestReply &reply : replies) {
        const auto it = m_producers.constFind(reply.connectionId);
        if (it != m_producers.cend() && *it)
            (*it)->sendTextMessage(
                QString::fromUtf8(engine::EventCodec::encodeReply(reply.accepted, reply.duplicates, reply.rejected)));
    }
}

void IngestServer::broadcastAlerts(const QList<models::AlertRecord> &alerts)
{
    if (m_subscribers.isEmpty())
        return;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const models::AlertRecord &a : alerts) {
        const QString text = QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("alert")},
                                                                          {QStringLiteral("alert"), a.toJson()}})
                                                   .toJson(QJsonDocument::Compact));
        int sent = 0;
        for (const auto &s : std::as_const(m_subscribers)) {
            if (s) {
                s->sendTextMessage(text);
                ++sent;
            }
        }
        if (sent > 0)
            m_broadcasts.append({a.id, sent, now});
    }
    if (!m_broadcasts.isEmpty() && !m_recordTimer->isActive())
        m_recordTimer->start();
}

void IngestServer::recordBroadcasts()
{
    QList<models::AlertNotification> rows = takeBroadcastRecords();
    if (rows.isEmpty())
        return;
    IngestWriter *writer = m_writer;
    m_writer->post([writer, rows = std::move(rows)](models::Store &store, engine::Pipeline &) {
        QString error;
        if (!writer->recordSent(store, rows, &error))
            qWarning("Vigil: the /alerts broadcast of %lld alerts is not in the notifications table: %s",
                     qint64(rows.size()), qPrintable(error));
    });
}

QList<models::AlertNotification> IngestServer::takeBroadcastRecords()
{
    m_recordTimer->stop();
    QList<models::AlertNotification> rows;
    rows.reserve(m_broadcasts.size());
    for (const Broadcast &b : std::as_const(m_broadcasts)) {
        models::AlertNotification n;
        n.alertId = b.alertId;
        n.channel = QStringLiteral("WEBSOCKET");
        n.status = QStringLiteral("SENT");
        n.target = b.subscribers == 1 ? tr("1 subscriber") : tr("%1 subscribers").arg(b.subscribers);
        n.attempts = 1;
        n.createdAtMs = b.sentAtMs;
        n.sentAtMs = b.sentAtMs;
        rows.append(std::move(n));
    }
    m_broadcasts.clear();
    return rows;
}

void IngestServer::broadcastAlertUpdate(const models::AlertRecord &alert)
{
    if (alert.silenceId != 0)
        return; // subscribers never heard of it
    const QString text = QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("alert_updated")},
                                                                      {QStringLiteral("alert"), alert.toJson()}})
                                               .toJson(QJsonDocument::Compact));
    for (const auto &s : std::as_const(m_subscribers))
        if (s)
            s->sendTextMessage(text);
}

void IngestServer::stopAccepting()
{
    m_accepting = false;
    if (m_tcp)
        m_tcp->close();
    recordBroadcasts(); // while the writer still runs
}

void IngestServer::closeAll()
{
    const auto closeEach = [](QHash<quint64, QPointer<QWebSocket>> &sockets) {
        for (const auto &s : std::as_const(sockets)) {
            if (s) {
                s->flush();
                s->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("Vigil is shutting down"));
            }
        }
    };
    closeEach(m_producers);
    closeEach(m_subscribers);
}

} // namespace vigil::app
