#pragma once
// Where Vigil's database is: `sqlite:PATH`, a plain path, or `postgresql://user:pass@host:port/db`.

#include <QString>

class QSqlDatabase;

namespace vigil::models {

struct DatabaseUrl
{
    enum class Kind { SQLite, PostgreSQL };
    Kind kind = Kind::SQLite;
    QString path;      // SQLite: file path (":memory:" allowed)
    QString host;      // PostgreSQL
    int port = 5432;
    QString user;
    QString password;
    QString database;
    QString options;   // PostgreSQL connect options, e.g. "sslmode=require"

    // Parses a --database argument. Returns false with a message saying what is wrong.
    static bool parse(const QString &text, DatabaseUrl *url, QString *error);
    // The default: <AppDataLocation>/vigil.db
    static DatabaseUrl defaultUrl();
    // For logs and the status bar: never shows the password.
    QString displayName() const;
    // PostgreSQL: sets a QPSQL connection's host, port, user, password, database and options.
    void configure(QSqlDatabase &db) const;
};

} // namespace vigil::models
