#include "sqlite_statement.h"

#include <QSqlDriver>
#include <QVariant>
#include <memory>
#include <mutex>
#include <sqlite3.h>

namespace vigil::models {

namespace {
sqlite3 *handleOf(const QSqlDatabase &db)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.data());
}
} // namespace

std::unique_ptr<SqliteStatement> SqliteStatement::prepare(const QSqlDatabase &db, const char *sql, QString *error)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        *error = QStringLiteral("not an SQLite connection");
        return nullptr;
    }
    sqlite3 *raw = handleOf(db);
    if (!raw) {
        *error = QStringLiteral("the SQLite connection is not open");
        return nullptr;
    }
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v3(raw, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(raw));
        sqlite3_finalize(statement);
        return nullptr;
    }
    auto prepared = std::unique_ptr<SqliteStatement>(new SqliteStatement(raw, statement));
    // One buffer per parameter from the start: bound with SQLITE_STATIC, a buffer must not
    // move while the statement can read it, which growing the vector would do (short strings
    // live inside std::string) to the parameters bound before.
    prepared->m_utf8.resize(std::size_t(sqlite3_bind_parameter_count(statement)) + 1);
    return prepared;
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

void SqliteStatement::bindText(int index, const QByteArray &utf8)
{
    sqlite3_bind_text(m_statement, index, utf8.constData(), int(utf8.size()), SQLITE_STATIC);
}

void SqliteStatement::bindText(int index, const QString &text)
{
    if (index <= 0 || m_utf8.size() <= std::size_t(index))
        return; // no such parameter (SQLite would refuse it with SQLITE_RANGE)
    std::string &buffer = m_utf8[std::size_t(index)];
    const qsizetype n = text.size();
    const QChar *in = text.constData();
    buffer.resize(std::size_t(n));
    qsizetype i = 0;
    for (; i < n && in[i].unicode() < 0x80; ++i)
        buffer[std::size_t(i)] = char(in[i].unicode());
    if (i < n) { // not ASCII: Qt's conversion (rare in ids and source names)
        const QByteArray utf8 = text.toUtf8();
        buffer.assign(utf8.constData(), std::size_t(utf8.size()));
    }
    sqlite3_bind_text(m_statement, index, buffer.data(), int(buffer.size()), SQLITE_STATIC);
}

void SqliteStatement::bindInt64(int index, qint64 value)
{
    sqlite3_bind_int64(m_statement, index, value);
}

void SqliteStatement::bindDouble(int index, double value)
{
    sqlite3_bind_double(m_statement, index, value);
}

int SqliteStatement::stepOnce(qint64 *firstColumn, QString *error)
{
    int produced = 0;
    int rc;
    while ((rc = sqlite3_step(m_statement)) == SQLITE_ROW) {
        if (produced == 0 && firstColumn)
            *firstColumn = sqlite3_column_int64(m_statement, 0);
        produced = 1;
    }
    if (rc != SQLITE_DONE) {
        *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(m_statement);
        return -1;
    }
    sqlite3_reset(m_statement);
    return produced;
}

int SqliteStatement::stepInsert(qint64 *rowId, QString *error)
{
    // changes() counts the rows this statement inserted (0 when the conflict clause skipped it).
    const int stored = stepInsertRows(rowId, error);
    return stored < 0 ? -1 : stored > 0 ? 1 : 0;
}

int SqliteStatement::stepInsertRows(qint64 *lastRowId, QString *error)
{
    int rc;
    while ((rc = sqlite3_step(m_statement)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(m_statement);
        return -1;
    }
    const int stored = sqlite3_changes(m_db);
    if (stored > 0 && lastRowId)
        *lastRowId = sqlite3_last_insert_rowid(m_db);
    sqlite3_reset(m_statement);
    return stored;
}

bool SqliteStatement::inTransaction() const
{
    return sqlite3_get_autocommit(m_db) == 0;
}

void SqliteStatement::bindValue(int index, const QVariant &value)
{
    if (value.isNull()) { // a null of any type, QVariant(QMetaType::fromType<qint64>()) included
        sqlite3_bind_null(m_statement, index);
        return;
    }
    switch (value.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Bool:
        sqlite3_bind_int64(m_statement, index, value.toLongLong());
        return;
    case QMetaType::Double:
        sqlite3_bind_double(m_statement, index, value.toDouble());
        return;
    default:
        break;
    }
    const QByteArray utf8 = value.toString().toUtf8();
    sqlite3_bind_text(m_statement, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

int SqliteStatement::step(QString *error)
{
    const int rc = sqlite3_step(m_statement);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    *error = QString::fromUtf8(sqlite3_errmsg(m_db));
    return -1;
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_statement);
}

qint64 SqliteStatement::columnInt64(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

bool SqliteStatement::columnIsNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

QByteArrayView SqliteStatement::columnText(int column) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_statement, column));
    return QByteArrayView(text, sqlite3_column_bytes(m_statement, column));
}

bool SqliteStatement::interrupted() const
{
    return sqlite3_errcode(m_db) == SQLITE_INTERRUPT;
}

SqliteCancel::SqliteCancel(const QSqlDatabase &db, std::function<bool()> cancelled)
    : m_db(handleOf(db)), m_cancelled(std::move(cancelled))
{
    if (m_db && m_cancelled)
        sqlite3_progress_handler(m_db, 10000, &SqliteCancel::progress, this);
}

SqliteCancel::~SqliteCancel()
{
    if (m_db && m_cancelled)
        sqlite3_progress_handler(m_db, 0, nullptr, nullptr);
}

int SqliteCancel::progress(void *self)
{
    auto *guard = static_cast<SqliteCancel *>(self);
    if (!guard->m_fired && guard->m_cancelled())
        guard->m_fired = true;
    return guard->m_fired ? 1 : 0;
}

bool configureSqliteLibrary()
{
    static bool configured = false;
    static std::once_flag once;
    std::call_once(once, [] {
        // SQLITE_MISUSE once the library is initialized: it keeps its statistics then.
        configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    });
    return configured;
}

} // namespace vigil::models
