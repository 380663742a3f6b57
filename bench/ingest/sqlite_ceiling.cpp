// vigil-bench-sqlite-ceiling: the same event rows inserted straight into SQLite, as the
// ceiling for the ingest benchmark. Same table and index as Vigil's events table, 8 KiB pages,
// WAL, synchronous=FULL, one prepared statement, one transaction per --batch events.
// Prints one JSON line.
#include "bench_events.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>
#include <cstdio>
#include <sqlite3.h>
#include <vector>

namespace {
struct Row
{
    QByteArray id, type, sourceType, sourceId, fields;
};
void check(int rc, sqlite3 *db, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        std::exit(1);
    }
}
} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 4) {
        std::fprintf(stderr, "usage: vigil-bench-sqlite-ceiling DB EVENTS BATCH [--cache-mib N] [--wal-autocheckpoint PAGES]\n"
                             "                                   [--prefix P] [--returning]\n"
                             "  --cache-mib N  page cache per connection (default 64, as Vigil's connections)\n"
                             "  --wal-autocheckpoint PAGES  SQLite's checkpoint threshold (default 1000, SQLite's)\n"
                             "  --prefix P     event ids P0, P1, … (default ceiling-): add rows to a filled database\n"
                             "  --returning    ask for the new id with RETURNING id instead of sqlite3_changes() (Vigil\n"
                             "                 inserts like the default; this shows what RETURNING costs)\n");
        return 2;
    }
    const QByteArray path = args.at(1).toUtf8();
    const qint64 events = args.at(2).toLongLong();
    const int batch = std::max(1, args.at(3).toInt());
    const qsizetype cacheAt = args.indexOf(QStringLiteral("--cache-mib"));
    const int cacheMib = cacheAt > 0 && cacheAt + 1 < args.size() ? args.at(cacheAt + 1).toInt() : 64;
    const bool useChanges = !args.contains(QStringLiteral("--returning"));
    const qsizetype walAt = args.indexOf(QStringLiteral("--wal-autocheckpoint"));
    const int walPages = walAt > 0 && walAt + 1 < args.size() ? args.at(walAt + 1).toInt() : 1000;
    const qsizetype prefixAt = args.indexOf(QStringLiteral("--prefix"));
    const QString prefix = prefixAt > 0 && prefixAt + 1 < args.size() ? args.at(prefixAt + 1) : QStringLiteral("ceiling-");

    // Rows are prepared before the clock starts: this measures the database alone.
    std::vector<Row> rows;
    rows.reserve(std::size_t(events));
    for (qint64 n = 0; n < events; ++n) {
        const QJsonObject o = QJsonDocument::fromJson(makeEvent(n, prefix)).object();
        rows.push_back({o.value(QStringLiteral("id")).toString().toUtf8(), o.value(QStringLiteral("type")).toString().toUtf8(),
                        o.value(QStringLiteral("source_type")).toString().toUtf8(),
                        o.value(QStringLiteral("source_id")).toString().toUtf8(),
                        QJsonDocument(o.value(QStringLiteral("fields")).toObject()).toJson(QJsonDocument::Compact)});
    }

    sqlite3 *db = nullptr;
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); // as Vigil sets the library up (sqlite_statement.h)
    check(sqlite3_open(path.constData(), &db), db, "open");
    const QByteArray cachePragma = "PRAGMA cache_size=-" + QByteArray::number(cacheMib * 1024) + ";";
    check(sqlite3_exec(db, cachePragma.constData(), nullptr, nullptr, nullptr), db, "cache_size");
    const QByteArray walPragma = "PRAGMA wal_autocheckpoint=" + QByteArray::number(walPages) + ";";
    check(sqlite3_exec(db, walPragma.constData(), nullptr, nullptr, nullptr), db, "wal_autocheckpoint");
    check(sqlite3_exec(db, "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA temp_store=MEMORY;"
                           "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE,"
                           " time INTEGER NOT NULL, type TEXT NOT NULL, source_type TEXT NOT NULL, source_id TEXT NOT NULL,"
                           " fields TEXT NOT NULL, received_at INTEGER NOT NULL);"
                           "CREATE INDEX IF NOT EXISTS events_type_time ON events (type, time);",
                       nullptr, nullptr, nullptr),
          db, "schema");
    sqlite3_stmt *insert = nullptr;
    check(sqlite3_prepare_v2(db,
                             useChanges ? "INSERT INTO events (event_id, time, type, source_type, source_id, fields,"
                                          " received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING"
                                        : "INSERT INTO events (event_id, time, type, source_type, source_id, fields,"
                                          " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                                          " ON CONFLICT (event_id) DO NOTHING RETURNING id",
                             -1, &insert, nullptr),
          db, "prepare");
    qint64 stored = 0;
    QElapsedTimer clock;
    clock.start();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (qint64 i = 0; i < events; i += batch) {
        check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db, "begin");
        for (qint64 j = i; j < std::min(events, i + batch); ++j) {
            const Row &r = rows[std::size_t(j)];
            sqlite3_bind_text(insert, 1, r.id.constData(), int(r.id.size()), SQLITE_STATIC);
            sqlite3_bind_int64(insert, 2, now + j);
            sqlite3_bind_text(insert, 3, r.type.constData(), int(r.type.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert, 4, r.sourceType.constData(), int(r.sourceType.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert, 5, r.sourceId.constData(), int(r.sourceId.size()), SQLITE_STATIC);
            sqlite3_bind_text(insert, 6, r.fields.constData(), int(r.fields.size()), SQLITE_STATIC);
            sqlite3_bind_int64(insert, 7, now);
            int rc;
            while ((rc = sqlite3_step(insert)) == SQLITE_ROW)
                ++stored;
            check(rc, db, "insert");
            if (useChanges && sqlite3_changes(db) == 1 && sqlite3_last_insert_rowid(db) > 0)
                ++stored;
            sqlite3_reset(insert);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
    }
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    sqlite3_finalize(insert);
    sqlite3_close(db);
    std::printf("{\"events\":%lld,\"stored\":%lld,\"batch\":%d,\"cache_mib\":%d,\"wal_autocheckpoint\":%d,\"dedup\":\"%s\",\"seconds\":%.3f,"
                "\"events_per_s\":%.0f}\n",
                events, stored, batch, cacheMib, walPages, useChanges ? "changes" : "returning", seconds, double(events) / seconds);
    return 0;
}
