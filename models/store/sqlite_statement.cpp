#include "sqlite_statement.h"

#include <QSqlDriver>
#include <QVariant>
#include <memory>
#include <sqlite3.h>

namespace vigil::models {

std::unique_ptr<SqliteStatement> SqliteStatement::prepare(const QSqlDatabase &db, const char *sql, QString *error)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        *error = QStringLiteral("not an SQLite connection");
        return nullptr;
    }
    sqlite3 *raw = *static_cast<sqlite3 *const *>(handle.data());
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
    return std::unique_ptr<SqliteStatement>(new SqliteStatement(raw, statement));
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
    if (m_utf8.size() <= std::size_t(index))
        m_utf8.resize(std::size_t(index) + 1);
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
    int rc;
    while ((rc = sqlite3_step(m_statement)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
        *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(m_statement);
        return -1;
    }
    // changes() counts the rows this statement inserted (0 when the conflict clause skipped it).
    const int stored = sqlite3_changes(m_db) > 0 ? 1 : 0;
    if (stored && rowId)
        *rowId = sqlite3_last_insert_rowid(m_db);
    sqlite3_reset(m_statement);
    return stored;
}

} // namespace vigil::models
