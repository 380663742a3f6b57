#include "wal_checkpointer.h"

#include <QSqlDriver>
#include <QVariant>
#include <sqlite3.h>
#if defined(__linux__)
#include <pthread.h>
#endif

namespace vigil::models {

std::unique_ptr<WalCheckpointer> WalCheckpointer::attach(const QSqlDatabase &db, const QString &path, QString *error)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        *error = QStringLiteral("not an SQLite connection");
        return nullptr;
    }
    sqlite3 *writer = *static_cast<sqlite3 *const *>(handle.data());
    if (!writer || path.isEmpty() || path == QStringLiteral(":memory:")) {
        *error = QStringLiteral("not an open SQLite file");
        return nullptr;
    }
    sqlite3 *own = nullptr;
    const QByteArray file = path.toUtf8();
    if (sqlite3_open_v2(file.constData(), &own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        *error = QString::fromUtf8(own ? sqlite3_errmsg(own) : "out of memory");
        sqlite3_close(own);
        return nullptr;
    }
    sqlite3_busy_timeout(own, 5000);
    sqlite3_exec(own, "PRAGMA synchronous = FULL", nullptr, nullptr, nullptr); // as the writer's
    return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(writer, own));
}

WalCheckpointer::WalCheckpointer(sqlite3 *writer, sqlite3 *own) : m_writer(writer), m_own(own)
{
    m_thread = std::thread([this] { run(); });
    // Replaces SQLite's auto-checkpoint, which is itself a WAL hook.
    sqlite3_wal_hook(m_writer, &WalCheckpointer::onCommit, this);
}

WalCheckpointer::~WalCheckpointer()
{
    sqlite3_wal_autocheckpoint(m_writer, kSqliteDefaultPages); // the connection checkpoints as before
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
    sqlite3_close(m_own);
}

int WalCheckpointer::onCommit(void *self, sqlite3 *db, const char *schema, int pages)
{
    auto *c = static_cast<WalCheckpointer *>(self);
    if (pages >= kBackstopPages) {
        // The thread fell behind (or readers keep the log alive): checkpoint here, as SQLite would.
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        ++c->m_backstops;
        return SQLITE_OK;
    }
    if (pages >= kWakePages) {
        {
            std::lock_guard lock(c->m_mutex);
            c->m_wanted = true;
        }
        c->m_wake.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::checkpointNow()
{
    std::unique_lock lock(m_mutex);
    m_wanted = true;
    m_wake.notify_one();
    m_idle.wait(lock, [this] { return !m_wanted && !m_busy; });
}

void WalCheckpointer::run()
{
#if defined(__linux__)
    pthread_setname_np(pthread_self(), "vigil-wal"); // at most 15 characters
#endif
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || m_wanted; });
        if (m_stop)
            return;
        m_wanted = false;
        m_busy = true;
        lock.unlock();
        // PASSIVE: copies what no reader still needs, never waits for the writer or readers.
        if (sqlite3_wal_checkpoint_v2(m_own, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr) == SQLITE_OK)
            ++m_checkpoints;
        lock.lock();
        m_busy = false;
        m_idle.notify_all();
    }
}

} // namespace vigil::models
