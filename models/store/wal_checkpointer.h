#pragma once
// Checkpoints of an SQLite write-ahead log, moved off the committing thread.

#include <QSqlDatabase>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

struct sqlite3;

namespace vigil::models {

/*!
    By default SQLite checkpoints inside the commit that grows the write-ahead log past 1,000
    pages (kSqliteDefaultPages): the committing thread copies those pages into the database
    file and waits for its fsync, and every producer waiting for that commit's
    acknowledgement waits too. A
    WalCheckpointer takes that work to a thread of its own with its own connection: it
    replaces the connection's WAL hook, is woken after a commit leaves kWakePages or more in
    the log, and runs a PASSIVE checkpoint (which never blocks the writer or the readers).
    A passive checkpoint cannot let the log start over while the writer keeps appending, so
    once the log holds kBackstopPages the committing connection checkpoints itself, as SQLite
    would: by then the thread has copied all but the newest pages, the pass in the commit is
    short, and the next transaction writes the log from its start again. The log stays
    bounded (about kBackstopPages pages) whatever the rate.

    Attach to the one connection that writes (the ingest writer's); detach (or destroy)
    before that connection closes.
*/
class WalCheckpointer
{
public:
    // Half the backstop rather than SQLite's 1,000: a pass copies what several of the ingest's
    // commits changed, a page they all touch once (docs/benchmarks.md: the checkpoint thread's
    // CPU per event a quarter less).
    static constexpr int kWakePages = 4000;
    static constexpr int kSqliteDefaultPages = 1000;
    static constexpr int kBackstopPages = 8000; // 62 MiB of 8 KiB pages (31 MiB of 4 KiB ones)

    // Returns nullptr (with *error) when `db` is not an open SQLite file connection.
    static std::unique_ptr<WalCheckpointer> attach(const QSqlDatabase &db, const QString &path, QString *error);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    qint64 checkpoints() const { return m_checkpoints.load(); }     // completed by the thread
    qint64 backstopCheckpoints() const { return m_backstops.load(); } // run by the committer
    // Wakes the thread and waits until it has checkpointed what the log holds now.
    void checkpointNow();

private:
    WalCheckpointer(sqlite3 *writer, sqlite3 *own);
    static int onCommit(void *self, sqlite3 *db, const char *schema, int pages);
    void run();

    sqlite3 *m_writer;
    sqlite3 *m_own;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    bool m_wanted = false;
    bool m_busy = false;
    bool m_stop = false;
    std::atomic<qint64> m_checkpoints{0};
    std::atomic<qint64> m_backstops{0};
    std::thread m_thread;
};

} // namespace vigil::models
