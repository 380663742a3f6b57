#pragma once
// The built-in demo producer: realistic events of all five types, through the real WebSocket path.

#include <QObject>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrl>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace vigil::app {

/*!
    Connects to ws://HOST:PORT/events with the producer token, like any external producer,
    and sends a message of events every tick: payments with amounts and countries, logins
    with failures, stock movements, system metrics and compliance checks, with rule hits
    and anomalies (brute-force bursts, large transfers, sanctioned countries, disk spikes)
    injected at a steady rate. Reconnects when the connection drops.
*/
class DemoFeed : public QObject
{
    Q_OBJECT
public:
    DemoFeed(QUrl url, QString token, QObject *parent = nullptr);

    void start(int eventsPerSecond = 40);
    void stop();
    qint64 sent() const { return m_sent; }
    qint64 acknowledged() const { return m_acknowledged; }

    // One message of `count` events (also used by tests and `vigil generate`).
    QByteArray makeMessage(int count);

private:
    QJsonObject makeEvent();
    void tick();

    QUrl m_url;
    QString m_token;
    QWebSocket *m_socket = nullptr;
    QTimer m_timer;
    QRandomGenerator m_random;
    int m_perTick = 10;
    qint64 m_sequence = 0;
    qint64 m_sent = 0;
    qint64 m_acknowledged = 0;
    QString m_prefix;
    int m_bruteForceLeft = 0;
    QString m_bruteForceSource;
};

} // namespace vigil::app
