#pragma once
// Vigil's versioned schema. Each migration is written once; dialect tokens ({ID}, {BIGINT},
// {REAL}, {BLOB}) become the right type for SQLite or PostgreSQL; a statement marked {SQLITE}
// runs on SQLite only.

#include <QString>
#include <QStringList>

namespace vigil::models::schema {

struct Migration
{
    int version;
    const char *description;
    QStringList statements;
};

const QList<Migration> &migrations();
int latestVersion();

enum class Dialect { SQLite, PostgreSQL };
// The statement for `dialect`: empty when it does not apply there (marked {SQLITE}).
QString translate(const QString &statement, Dialect dialect);

} // namespace vigil::models::schema
