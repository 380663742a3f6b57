#include "database_url.h"

#include <QSqlDatabase>

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>
#include <QUrl>
#include <QUrlQuery>

namespace vigil::models {

namespace {
class UrlText
{
    Q_DECLARE_TR_FUNCTIONS(DatabaseUrl)
};
} // namespace

bool DatabaseUrl::parse(const QString &text, DatabaseUrl *url, QString *error)
{
    const QString t = text.trimmed();
    if (t.isEmpty()) {
        *error = UrlText::tr("the database is empty: give sqlite:PATH, a file path, or postgresql://user@host/db");
        return false;
    }
    DatabaseUrl u;
    if (t.startsWith(QStringLiteral("postgresql://")) || t.startsWith(QStringLiteral("postgres://"))) {
        const QUrl q(t, QUrl::StrictMode);
        if (!q.isValid() || q.host().isEmpty()) {
            *error = UrlText::tr("'%1' is not a valid PostgreSQL URL such as postgresql://vigil@127.0.0.1:5432/vigil").arg(t);
            return false;
        }
        u.kind = Kind::PostgreSQL;
        u.host = q.host();
        u.port = q.port(5432);
        u.user = q.userName();
        u.password = q.password();
        u.database = q.path().mid(1);
        if (u.database.isEmpty()) {
            *error = UrlText::tr("'%1' names no database: add /DBNAME at the end").arg(q.toString(QUrl::RemovePassword));
            return false;
        }
        QStringList options;
        const auto items = QUrlQuery(q).queryItems(QUrl::FullyDecoded);
        for (const auto &item : items)
            options << item.first + QLatin1Char('=') + item.second;
        u.options = options.join(QLatin1Char(';'));
        *url = u;
        return true;
    }
    if (t.contains(QStringLiteral("://"))) {
        *error = UrlText::tr("unsupported database URL '%1': use sqlite:PATH, a file path, or postgresql://...").arg(t);
        return false;
    }
    u.kind = Kind::SQLite;
    u.path = t.startsWith(QStringLiteral("sqlite:")) ? t.mid(7) : t;
    if (u.path.isEmpty()) {
        *error = UrlText::tr("sqlite: needs a file path, e.g. sqlite:/var/lib/vigil/vigil.db");
        return false;
    }
    *url = u;
    return true;
}

DatabaseUrl DatabaseUrl::defaultUrl()
{
    DatabaseUrl u;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    u.path = QDir(dir).filePath(QStringLiteral("vigil.db"));
    return u;
}

QString DatabaseUrl::displayName() const
{
    if (kind == Kind::SQLite)
        return QStringLiteral("SQLite %1").arg(path);
    return QStringLiteral("PostgreSQL %1%2:%3/%4")
        .arg(user.isEmpty() ? QString() : user + QLatin1Char('@'), host)
        .arg(port)
        .arg(database);
}

void DatabaseUrl::configure(QSqlDatabase &db) const
{
    db.setHostName(host);
    db.setPort(port);
    db.setUserName(user);
    db.setPassword(password);
    db.setDatabaseName(database);
    db.setConnectOptions(options);
}

} // namespace vigil::models
