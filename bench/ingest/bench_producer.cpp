// vigil-bench-producer: a separate producer process for the ingest benchmark.
//
// Sends --events events in messages of --batch events over --connections WebSocket
// connections, keeping --window messages in flight per connection, and waits for every
// reply. Prints one JSON line: events, seconds, events/s, reply latency percentiles.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QTimer>
#include <QWebSocket>
#include <algorithm>
#include <cstdio>
#include <deque>
#include <memory>
#include <vector>

#include "bench_events.h"

namespace {

struct Options
{
    QUrl url;
    QString token;
    qint64 events = 100000;
    int batch = 100;
    int window = 8;
    int connections = 1;
    QString prefix;
    qint64 first = 0;
};

class Producer : public QObject
{
public:
    Producer(const Options &o, qint64 first, qint64 count, std::vector<qint64> *latencies, QElapsedTimer *clock)
        : m_o(o), m_next(first), m_end(first + count), m_latencies(latencies), m_clock(clock)
    {
        connect(&m_socket, &QWebSocket::connected, this, [this] { fill(); });
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &reply) {
            if (m_sentAt.empty()) {
                std::fprintf(stderr, "unexpected reply: %s\n", qPrintable(reply.left(300)));
                return;
            }
            m_latencies->push_back(m_clock->nsecsElapsed() - m_sentAt.front());
            m_sentAt.pop_front();
            if (!reply.contains(QStringLiteral("\"rejected\":[]")))
                std::fprintf(stderr, "rejections: %s\n", qPrintable(reply.left(300)));
            fill();
        });
        connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this, [this](QAbstractSocket::SocketError) {
            std::fprintf(stderr, "socket error: %s\n", qPrintable(m_socket.errorString()));
            QCoreApplication::exit(1);
        });
        QNetworkRequest request(o.url);
        request.setRawHeader("Authorization", "Bearer " + o.token.toUtf8());
        m_socket.open(request);
    }
    bool done() const { return m_next >= m_end && m_sentAt.empty(); }
    std::function<void()> onDone;

private:
    void fill()
    {
        while (int(m_sentAt.size()) < m_o.window && m_next < m_end) {
            const qint64 n = std::min<qint64>(m_o.batch, m_end - m_next);
            QByteArray message;
            message.reserve(16 + 256 * n);
            if (m_o.batch == 1) {
                appendEvent(&message, m_next, m_prefix);
            } else {
                message = "{\"events\":[";
                for (qint64 i = 0; i < n; ++i) {
                    if (i)
                        message += ',';
                    appendEvent(&message, m_next + i, m_prefix);
                }
                message += "]}";
            }
            m_next += n;
            m_sentAt.push_back(m_clock->nsecsElapsed());
            m_socket.sendTextMessage(QString::fromUtf8(message));
        }
        if (done() && onDone)
            onDone();
    }

    Options m_o;
    QByteArray m_prefix = m_o.prefix.toUtf8();
    QWebSocket m_socket;
    qint64 m_next;
    qint64 m_end;
    std::deque<qint64> m_sentAt;
    std::vector<qint64> *m_latencies;
    QElapsedTimer *m_clock;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.addHelpOption();
    p.addOption({QStringLiteral("url"), QStringLiteral("ws://HOST:PORT/events"), QStringLiteral("url")});
    p.addOption({QStringLiteral("token"), QStringLiteral("producer token (or VIGIL_TOKEN)"), QStringLiteral("token")});
    p.addOption({QStringLiteral("events"), QStringLiteral("events to send"), QStringLiteral("n"), QStringLiteral("100000")});
    p.addOption({QStringLiteral("batch"), QStringLiteral("events per message"), QStringLiteral("n"), QStringLiteral("100")});
    p.addOption({QStringLiteral("window"), QStringLiteral("messages in flight per connection"), QStringLiteral("n"), QStringLiteral("8")});
    p.addOption({QStringLiteral("connections"), QStringLiteral("parallel connections"), QStringLiteral("n"), QStringLiteral("1")});
    p.addOption({QStringLiteral("prefix"), QStringLiteral("event id prefix"), QStringLiteral("text"), QStringLiteral("bench-")});
    p.addOption({QStringLiteral("first"),
                 QStringLiteral("number of the first event: a later run with --first N continues the sequence of sources, cards "
                                "and amounts instead of replaying it"),
                 QStringLiteral("n"), QStringLiteral("0")});
    p.process(app);
    Options o;
    o.url = QUrl(p.value(QStringLiteral("url")));
    o.token = p.isSet(QStringLiteral("token")) ? p.value(QStringLiteral("token")) : qEnvironmentVariable("VIGIL_TOKEN");
    o.events = p.value(QStringLiteral("events")).toLongLong();
    o.batch = std::max(1, p.value(QStringLiteral("batch")).toInt());
    o.window = std::max(1, p.value(QStringLiteral("window")).toInt());
    o.connections = std::max(1, p.value(QStringLiteral("connections")).toInt());
    o.prefix = p.value(QStringLiteral("prefix"));
    o.first = std::max<qint64>(0, p.value(QStringLiteral("first")).toLongLong());
    if (!o.url.isValid() || o.token.isEmpty()) {
        std::fprintf(stderr, "usage: vigil-bench-producer --url ws://127.0.0.1:PORT/events --token TOKEN\n");
        return 2;
    }

    QElapsedTimer clock;
    clock.start();
    std::vector<qint64> latencies;
    latencies.reserve(std::size_t(o.events / o.batch + 1));
    std::vector<std::unique_ptr<Producer>> producers;
    const qint64 per = o.events / o.connections;
    int finished = 0;
    for (int c = 0; c < o.connections; ++c) {
        const qint64 first = o.first + c * per;
        const qint64 count = c == o.connections - 1 ? o.events - c * per : per;
        producers.push_back(std::make_unique<Producer>(o, first, count, &latencies, &clock));
        producers.back()->onDone = [&finished, &o] {
            if (++finished == o.connections)
                QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
        };
    }
    const int rc = QCoreApplication::exec();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    std::sort(latencies.begin(), latencies.end());
    const auto pct = [&](double q) {
        return latencies.empty() ? 0.0 : double(latencies[std::min(latencies.size() - 1, std::size_t(q * double(latencies.size())))]) / 1e6;
    };
    std::printf("{\"events\":%lld,\"batch\":%d,\"window\":%d,\"connections\":%d,\"seconds\":%.3f,\"events_per_s\":%.0f,"
                "\"reply_ms_p50\":%.2f,\"reply_ms_p99\":%.2f}\n",
                o.events, o.batch, o.window, o.connections, seconds, double(o.events) / seconds, pct(0.5), pct(0.99));
    return rc;
}
