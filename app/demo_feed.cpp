#include "demo_feed.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QWebSocket>

namespace vigil::app {

namespace {
const QStringList kCountries = {QStringLiteral("DE"), QStringLiteral("FR"), QStringLiteral("GB"), QStringLiteral("US"),
                                QStringLiteral("NL"), QStringLiteral("ES"), QStringLiteral("IT"), QStringLiteral("PL"),
                                QStringLiteral("SE"), QStringLiteral("CH")};
const QStringList kSanctioned = {QStringLiteral("KP"), QStringLiteral("IR"), QStringLiteral("SY")};
const QStringList kUsers = {QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"),
                            QStringLiteral("dave"), QStringLiteral("erin"), QStringLiteral("admin"),
                            QStringLiteral("svc-backup")};
const QStringList kHosts = {QStringLiteral("web-01"), QStringLiteral("web-02"), QStringLiteral("db-01"),
                            QStringLiteral("queue-01"), QStringLiteral("batch-03")};
const QStringList kControls = {QStringLiteral("PCI-DSS 3.4"), QStringLiteral("GDPR Art.32"), QStringLiteral("SOX 404"),
                               QStringLiteral("ISO27001 A.12.4")};
const QStringList kSkus = {QStringLiteral("SKU-1001"), QStringLiteral("SKU-2040"), QStringLiteral("SKU-3300"),
                           QStringLiteral("SKU-4711"), QStringLiteral("SKU-5150")};
} // namespace

DemoFeed::DemoFeed(QUrl url, QString token, QObject *parent)
    : QObject(parent), m_url(std::move(url)), m_token(std::move(token)), m_random(QRandomGenerator::securelySeeded())
{
    m_prefix = QStringLiteral("demo-%1-").arg(QDateTime::currentMSecsSinceEpoch(), 0, 36);
    connect(&m_timer, &QTimer::timeout, this, &DemoFeed::tick);
}

void DemoFeed::start(int eventsPerSecond)
{
    m_perTick = std::max(1, eventsPerSecond / 4);
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &reply) {
        const QJsonObject o = QJsonDocument::fromJson(reply.toUtf8()).object();
        m_acknowledged += o.value(QStringLiteral("accepted")).toArray().size()
            + o.value(QStringLiteral("duplicates")).toArray().size();
    });
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_timer.isActive())
            QTimer::singleShot(2000, this, [this] {
                if (m_timer.isActive()) {
                    QNetworkRequest request(m_url);
                    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
                    m_socket->open(request);
                }
            });
    });
    QNetworkRequest request(m_url);
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    m_socket->open(request);
    m_timer.start(250);
}

void DemoFeed::stop()
{
    m_timer.stop();
    if (m_socket)
        m_socket->close();
}

void DemoFeed::tick()
{
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(makeMessage(m_perTick)));
    m_sent += m_perTick;
}

QByteArray DemoFeed::makeMessage(int count)
{
    QJsonArray events;
    for (int i = 0; i < count; ++i)
        events.append(makeEvent());
    return QJsonDocument(QJsonObject{{QStringLiteral("events"), events}}).toJson(QJsonDocument::Compact);
}

QJsonObject DemoFeed::makeEvent()
{
    QRandomGenerator &r = m_random;
    const auto pick = [&r](const QStringList &list) { return list.at(r.bounded(int(list.size()))); };
    const QString id = m_prefix + QString::number(++m_sequence);
    const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    QJsonObject event{{QStringLiteral("id"), id}, {QStringLiteral("time"), now}};

    // A brute-force burst: a dozen failed logins from one address.
    if (m_bruteForceLeft == 0 && r.bounded(400) == 0) {
        m_bruteForceLeft = 12 + r.bounded(6);
        m_bruteForceSource = QStringLiteral("203.0.113.%1").arg(r.bounded(1, 255));
    }
    if (m_bruteForceLeft > 0) {
        --m_bruteForceLeft;
        event.insert(QStringLiteral("type"), QStringLiteral("SECURITY"));
        event.insert(QStringLiteral("source_type"), QStringLiteral("ip"));
        event.insert(QStringLiteral("source_id"), m_bruteForceSource);
        event.insert(QStringLiteral("fields"), QJsonObject{{QStringLiteral("event"), QStringLiteral("login")},
                                                           {QStringLiteral("user"), pick(kUsers)},
                                                           {QStringLiteral("outcome"), QStringLiteral("failure")},
                                                           {QStringLiteral("ip"), m_bruteForceSource},
                                                           {QStringLiteral("geo"), QJsonObject{{QStringLiteral("country"), QStringLiteral("RU")}}}});
        return event;
    }

    const int kind = r.bounded(100);
    if (kind < 45) {
        const bool large = r.bounded(150) == 0;
        const bool sanctioned = r.bounded(400) == 0;
        double amount = std::round(std::exp(r.generateDouble() * 6.0 + 1.0) * 100.0) / 100.0;
        if (large)
            amount = 10000 + r.bounded(90000);
        const QString card = QStringLiteral("card-%1").arg(r.bounded(1, 400), 4, 10, QLatin1Char('0'));
        event.insert(QStringLiteral("type"), QStringLiteral("TRANSACTION"));
        event.insert(QStringLiteral("source_type"), QStringLiteral("account"));
        event.insert(QStringLiteral("source_id"), QStringLiteral("acct-%1").arg(r.bounded(1, 2000), 5, 10, QLatin1Char('0')));
        event.insert(QStringLiteral("fields"), QJsonObject{{QStringLiteral("amount"), amount},
                                                           {QStringLiteral("currency"), QStringLiteral("EUR")},
                                                           {QStringLiteral("country"), sanctioned ? pick(kSanctioned) : pick(kCountries)},
                                                           {QStringLiteral("card"), card},
                                                           {QStringLiteral("merchant"), QStringLiteral("m-%1").arg(r.bounded(1, 300))},
                                                           {QStringLiteral("channel"), r.bounded(3) ? QStringLiteral("card") : QStringLiteral("transfer")}});
    } else if (kind < 65) {
        const QString user = pick(kUsers);
        const bool failure = r.bounded(12) == 0;
        const bool external = r.bounded(30) == 0;
        const QString ip = external ? QStringLiteral("198.51.100.%1").arg(r.bounded(1, 255))
                                    : QStringLiteral("10.0.%1.%2").arg(r.bounded(0, 20)).arg(r.bounded(1, 255));
        event.insert(QStringLiteral("type"), QStringLiteral("SECURITY"));
        event.insert(QStringLiteral("source_type"), QStringLiteral("ip"));
        event.insert(QStringLiteral("source_id"), ip);
        event.insert(QStringLiteral("fields"), QJsonObject{{QStringLiteral("event"), QStringLiteral("login")},
                                                           {QStringLiteral("user"), user},
                                                           {QStringLiteral("outcome"), failure ? QStringLiteral("failure") : QStringLiteral("success")},
                                                           {QStringLiteral("ip"), ip},
                                                           {QStringLiteral("geo"), QJsonObject{{QStringLiteral("country"), external ? QStringLiteral("BR") : QStringLiteral("DE")}}}});
    } else if (kind < 80) {
        int quantity = r.bounded(0, 500);
        if (r.bounded(200) == 0)
            quantity = -r.bounded(1, 5);
        event.insert(QStringLiteral("type"), QStringLiteral("INVENTORY"));
        event.insert(QStringLiteral("source_type"), QStringLiteral("warehouse"));
        event.insert(QStringLiteral("source_id"), QStringLiteral("wh-%1").arg(r.bounded(1, 6)));
        event.insert(QStringLiteral("fields"), QJsonObject{{QStringLiteral("sku"), pick(kSkus)},
                                                           {QStringLiteral("movement"), r.bounded(2) ? QStringLiteral("out") : QStringLiteral("in")},
                                                           {QStringLiteral("delta"), r.bounded(1, 50)},
                                                           {QStringLiteral("quantity"), quantity}});
    } else if (kind < 95) {
        const double cpu = std::min(100.0, std::round((25 + 15 * (r.generateDouble() + r.generateDouble()) + (r.bounded(150) == 0 ? 60 : 0)) * 10) / 10);
        const double disk = r.bounded(300) == 0 ? 97.5 + r.generateDouble() * 2.4 : 40 + r.bounded(45);
        event.insert(QStringLiteral("type"), QStringLiteral("SYSTEM"));
        event.insert(QStringLiteral("source_type"), QStringLiteral("host"));
        event.insert(QStringLiteral("source_id"), pick(kHosts));
        event.insert(QStringLiteral("fields"), QJsonObject{{QStringLiteral("cpu"), cpu},
                                                           {QStringLiteral("memory_used_pct"), 30 + r.bounded(50)},
                                                           {QStringLiteral("disk_used_pct"), std::round(disk * 10) / 10},
                                                           {QStringLiteral("mount"), QStringLiteral("/var")},
                                                           {QStringLiteral("latency_ms"), std::round(std::exp(r.generateDouble() * 3 + 2))}});
    } else {
        const bool fail = r.bounded(8) == 0;
        const bool pii = r.bounded(60) == 0;
        event.insert(QStringLiteral("type"), QStringLiteral("COMPLIANCE"));
        event.insert(QStringLiteral("source_type"), QStringLiteral("system"));
        event.insert(QStringLiteral("source_id"), pick(kHosts));
        QJsonObject fields{{QStringLiteral("control"), pick(kControls)},
                           {QStringLiteral("result"), fail ? QStringLiteral("FAIL") : QStringLiteral("PASS")},
                           {QStringLiteral("reason"), fail ? QStringLiteral("audit logging disabled") : QString()}};
        if (pii) {
            fields.insert(QStringLiteral("data_class"), QStringLiteral("PII"));
            fields.insert(QStringLiteral("encrypted"), false);
            fields.insert(QStringLiteral("records"), r.bounded(100, 50000));
            fields.insert(QStringLiteral("user"), pick(kUsers));
        }
        event.insert(QStringLiteral("fields"), fields);
    }
    return event;
}

} // namespace vigil::app
