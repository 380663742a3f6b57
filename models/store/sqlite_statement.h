#pragma once
// A prepared statement on SQLite's own API, for the few statements hot enough to need it:
// the ingest writer's inserts and the grouping fold. Everything else goes through QSqlQuery.

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace vigil::models {

/*!
    Wraps one sqlite3_stmt prepared on the sqlite3 handle of a QSQLITE connection (Debian's
    Qt uses the system SQLite, so the handle is the library this file links). Binds UTF-8
    bytes and integers without QVariant, steps, and resets. Valid while the connection is.
*/
class SqliteStatement
{
public:
    // Returns nullptr (with *error) when the connection is not SQLite or preparing fails.
    static std::unique_ptr<SqliteStatement> prepare(const QSqlDatabase &db, const char *sql, QString *error);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    void bindText(int index, const QByteArray &utf8); // 1-based, like SQLite; bytes must outlive step()
    // The string as UTF-8 in a buffer kept per parameter (no allocation once it has grown, and
    // SQLite stores it as it is: a UTF-16 binding costs SQLite a conversion and a malloc).
    void bindText(int index, const QString &text);
    void bindInt64(int index, qint64 value);
    void bindDouble(int index, double value);
    // Runs the statement: returns 1 if it produced a row (its first column in *firstColumn),
    // 0 if it produced none, -1 on error (message in *error). Resets it afterwards.
    int stepOnce(qint64 *firstColumn, QString *error);
    // Runs an INSERT that may do nothing (ON CONFLICT … DO NOTHING): returns 1 if it stored a
    // row (its rowid in *rowId), 0 if it did not, -1 on error. Resets it afterwards.
    // Twice as fast as asking for the id with RETURNING (bench/ingest/sqlite_ceiling.cpp).
    int stepInsert(qint64 *rowId, QString *error);
    // Runs a multi-row INSERT: returns how many rows it stored (sqlite3_changes(); rows the
    // conflict clause skipped are not counted), with the rowid of the last stored one in
    // *lastRowId when any; -1 on error (*error). Resets it afterwards.
    int stepInsertRows(qint64 *lastRowId, QString *error);
    // Whether the connection is inside a transaction (an error can end it: SQLITE_FULL, a
    // trigger's RAISE(ROLLBACK)).
    bool inTransaction() const;

    // Reading rows one at a time (the grouping fold): step() returns 1 for a row, 0 when
    // done, -1 on error (*error); no reset. The columns are valid until the next step().
    void bindValue(int index, const QVariant &value); // integer, floating point, text or null
    int step(QString *error);
    void reset();
    qint64 columnInt64(int column) const;
    bool columnIsNull(int column) const;
    QByteArrayView columnText(int column) const;
    // True when the last step() failed because the connection was interrupted (SqliteCancel).
    bool interrupted() const;

private:
    SqliteStatement(sqlite3 *db, sqlite3_stmt *statement) : m_db(db), m_statement(statement) {}
    sqlite3 *m_db;
    sqlite3_stmt *m_statement;
    std::vector<std::string> m_utf8; // by parameter index, reused row after row
};

/*!
    While it lives, SQLite asks `cancelled` every few thousand steps of the connection's
    virtual machine; when it returns true the running statement stops (SQLITE_INTERRUPT), so
    a long statement, a sort inside it included, can be abandoned from another thread by
    setting what `cancelled` reads. Does nothing on a connection that is not SQLite.
*/
class SqliteCancel
{
public:
    SqliteCancel(const QSqlDatabase &db, std::function<bool()> cancelled);
    ~SqliteCancel();
    SqliteCancel(const SqliteCancel &) = delete;
    SqliteCancel &operator=(const SqliteCancel &) = delete;
    bool fired() const { return m_fired; }

private:
    static int progress(void *self);
    sqlite3 *m_db = nullptr;
    std::function<bool()> m_cancelled;
    bool m_fired = false;
};

/*!
    Sets up the SQLite library for this process, once, before its first connection (Store calls it
    before it opens one; later calls do nothing). It turns off SQLite's
    memory statistics: with them, every allocation SQLite makes takes one mutex shared by all
    connections, and the ingest writer waited on it while the text indexer and the checkpointer
    allocated (docs/benchmarks.md). Vigil never reads those statistics. Returns false when the
    library was already in use (another component opened it first): nothing changes then.
*/
bool configureSqliteLibrary();

} // namespace vigil::models
