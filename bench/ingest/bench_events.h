#pragma once
// The events both ingest benchmarks use: the producer sends them, the SQLite ceiling inserts them.

#include <QByteArray>
#include <QString>

#include <charconv>

namespace {

inline void appendNumber(QByteArray *out, qint64 v)
{
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, v);
    out->append(digits, result.ptr - digits);
}

/*!
    Appends event `n` to *out: realistic events of the five types; ~1 in 50 payments is large
    so rules fire. Written into the buffer as it stands: the producer shares the machine with
    Vigil, and building each event from temporaries cost it 8,000 instructions an event.
*/
inline void appendEvent(QByteArray *out, qint64 n, const QByteArray &prefix)
{
    const int kind = int(n % 5);
    const qint64 k = (n * 2654435761LL) & 0xffffff;
    out->append("{\"id\":\"").append(prefix);
    appendNumber(out, n);
    switch (kind) {
    case 0:
        out->append("\",\"type\":\"TRANSACTION\",\"source_type\":\"account\",\"source_id\":\"acct-");
        appendNumber(out, k % 5000);
        out->append("\",\"fields\":{\"amount\":");
        appendNumber(out, n % 50 == 0 ? 25000 + k % 1000 : 5 + k % 900);
        out->append(".25,\"currency\":\"EUR\",\"country\":\"").append(n % 997 == 0 ? "KP" : "DE").append("\",\"card\":\"card-");
        appendNumber(out, k % 20000);
        out->append("\",\"merchant\":\"m-");
        appendNumber(out, k % 300);
        out->append("\"}}");
        return;
    case 1:
        out->append("\",\"type\":\"SECURITY\",\"source_type\":\"ip\",\"source_id\":\"10.0.");
        appendNumber(out, k % 200);
        out->append('.');
        appendNumber(out, k % 250);
        out->append("\",\"fields\":{\"event\":\"login\",\"user\":\"u");
        appendNumber(out, k % 800);
        out->append("\",\"outcome\":\"").append(k % 9 == 0 ? "failure" : "success").append("\",\"geo\":{\"country\":\"DE\"}}}");
        return;
    case 2:
        out->append("\",\"type\":\"INVENTORY\",\"source_type\":\"warehouse\",\"source_id\":\"wh-");
        appendNumber(out, k % 6);
        out->append("\",\"fields\":{\"sku\":\"SKU-");
        appendNumber(out, k % 4000);
        out->append("\",\"movement\":\"out\",\"delta\":");
        appendNumber(out, 1 + k % 20);
        out->append(",\"quantity\":");
        appendNumber(out, k % 700);
        out->append("}}");
        return;
    case 3:
        out->append("\",\"type\":\"SYSTEM\",\"source_type\":\"host\",\"source_id\":\"host-");
        appendNumber(out, k % 40);
        out->append("\",\"fields\":{\"cpu\":");
        appendNumber(out, k % 100);
        out->append(".5,\"disk_used_pct\":");
        appendNumber(out, 40 + k % 50);
        out->append(",\"latency_ms\":");
        appendNumber(out, k % 400);
        out->append("}}");
        return;
    default:
        out->append("\",\"type\":\"COMPLIANCE\",\"source_type\":\"system\",\"source_id\":\"sys-");
        appendNumber(out, k % 30);
        out->append("\",\"fields\":{\"control\":\"PCI-DSS 3.4\",\"result\":\"").append(k % 40 == 0 ? "FAIL" : "PASS").append("\"}}");
        return;
    }
}

inline QByteArray makeEvent(qint64 n, const QString &prefix)
{
    QByteArray out;
    out.reserve(256);
    appendEvent(&out, n, prefix.toUtf8());
    return out;
}

} // namespace
