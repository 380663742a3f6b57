#pragma once
// The events both ingest benchmarks use: the producer sends them, the SQLite ceiling inserts them.

#include <QByteArray>
#include <QString>

namespace {

// Realistic events of the five types; ~1 in 50 payments is large so rules fire.
QByteArray makeEvent(qint64 n, const QString &prefix)
{
    const int kind = int(n % 5);
    const QByteArray id = (prefix + QString::number(n)).toUtf8();
    const qint64 k = (n * 2654435761LL) & 0xffffff;
    switch (kind) {
    case 0:
        return "{\"id\":\"" + id + "\",\"type\":\"TRANSACTION\",\"source_type\":\"account\",\"source_id\":\"acct-"
            + QByteArray::number(k % 5000) + "\",\"fields\":{\"amount\":"
            + QByteArray::number(n % 50 == 0 ? 25000 + k % 1000 : 5 + k % 900) + ".25,\"currency\":\"EUR\",\"country\":\""
            + (n % 997 == 0 ? "KP" : "DE") + "\",\"card\":\"card-" + QByteArray::number(k % 20000) + "\",\"merchant\":\"m-"
            + QByteArray::number(k % 300) + "\"}}";
    case 1:
        return "{\"id\":\"" + id + "\",\"type\":\"SECURITY\",\"source_type\":\"ip\",\"source_id\":\"10.0."
            + QByteArray::number(k % 200) + "." + QByteArray::number(k % 250) + "\",\"fields\":{\"event\":\"login\",\"user\":\"u"
            + QByteArray::number(k % 800) + "\",\"outcome\":\"" + (k % 9 == 0 ? "failure" : "success")
            + "\",\"geo\":{\"country\":\"DE\"}}}";
    case 2:
        return "{\"id\":\"" + id + "\",\"type\":\"INVENTORY\",\"source_type\":\"warehouse\",\"source_id\":\"wh-"
            + QByteArray::number(k % 6) + "\",\"fields\":{\"sku\":\"SKU-" + QByteArray::number(k % 4000)
            + "\",\"movement\":\"out\",\"delta\":" + QByteArray::number(1 + k % 20) + ",\"quantity\":"
            + QByteArray::number(k % 700) + "}}";
    case 3:
        return "{\"id\":\"" + id + "\",\"type\":\"SYSTEM\",\"source_type\":\"host\",\"source_id\":\"host-"
            + QByteArray::number(k % 40) + "\",\"fields\":{\"cpu\":" + QByteArray::number(k % 100) + ".5,\"disk_used_pct\":"
            + QByteArray::number(40 + k % 50) + ",\"latency_ms\":" + QByteArray::number(k % 400) + "}}";
    default:
        return "{\"id\":\"" + id + "\",\"type\":\"COMPLIANCE\",\"source_type\":\"system\",\"source_id\":\"sys-"
            + QByteArray::number(k % 30) + "\",\"fields\":{\"control\":\"PCI-DSS 3.4\",\"result\":\""
            + (k % 40 == 0 ? "FAIL" : "PASS") + "\"}}";
    }
}

} // namespace
