#pragma once
// The store's tests run against PostgreSQL as well as SQLite. VIGIL_TEST_POSTGRES_URL names
// a server and a role that may create databases (scripts/test.sh starts a throwaway one with
// scripts/postgres-test-server.sh); every test case gets an empty schema of its own, created
// here and dropped when the test ends. Without the variable the PostgreSQL rows are skipped.
//
// A test class adds the two backends as global data and skips in init():
//
//     void initTestCase_data() { PostgresTestDatabases::addBackendRows(); }
//     void init() { VIGIL_SKIP_UNAVAILABLE_BACKEND(); }
//
// and asks PostgresTestDatabases::isPostgres() (or QFETCH_GLOBAL(QString, backend)) where
// the two differ.

#include "models/store/database_url.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QTest>

namespace vigil::test {

class PostgresTestDatabases
{
public:
    static constexpr const char *kVariable = "VIGIL_TEST_POSTGRES_URL";

    static QString serverUrl() { return qEnvironmentVariable(kVariable); }
    static bool configured() { return !serverUrl().isEmpty(); }

    // Global data rows: every test function runs once per backend.
    static void addBackendRows()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("sqlite") << QStringLiteral("sqlite");
        QTest::newRow("postgresql") << QStringLiteral("postgresql");
    }
    static bool isPostgres()
    {
        QFETCH_GLOBAL(QString, backend);
        return backend == QLatin1String("postgresql");
    }

    ~PostgresTestDatabases()
    {
        dropAll();
        dropDatabase();
    }

    // A new, empty database for one test: a schema of its own (first on the search path of
    // every connection opened with the URL) in a database made for this test program. Each
    // is as empty as a new database and costs milliseconds instead of half a second.
    bool create(models::DatabaseUrl *url, QString *error)
    {
        models::DatabaseUrl server;
        if (!models::DatabaseUrl::parse(serverUrl(), &server, error)
            || server.kind != models::DatabaseUrl::Kind::PostgreSQL) {
            *error = QStringLiteral("%1 is not a postgresql:// URL: %2").arg(QLatin1String(kVariable), *error);
            return false;
        }
        // Names made here, never from input: CREATE DATABASE and CREATE SCHEMA take no bound values.
        if (m_database.isEmpty()) {
            QSqlDatabase db = connection(kServerConnection, server, error);
            if (!db.isValid())
                return false;
            const QString name = QStringLiteral("vigil_test_%1").arg(QCoreApplication::applicationPid());
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("CREATE DATABASE %1 TEMPLATE template0 ENCODING 'UTF8'").arg(name))) {
                *error = QStringLiteral("cannot create the test database %1 on %2: %3")
                             .arg(name, server.displayName(), q.lastError().text());
                return false;
            }
            m_database = name;
        }
        models::DatabaseUrl test = server;
        test.database = m_database;
        QSqlDatabase db = connection(kTestConnection, test, error);
        if (!db.isValid())
            return false;
        const QString schema = QStringLiteral("t%1").arg(++m_created);
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("CREATE SCHEMA %1").arg(schema))) {
            *error = QStringLiteral("cannot create the schema %1 in %2: %3").arg(schema, test.displayName(), q.lastError().text());
            return false;
        }
        m_schemas.append(schema);
        *url = test;
        url->options = (server.options.isEmpty() ? QString() : server.options + QLatin1Char(';'))
            + QStringLiteral("options=-csearch_path=%1").arg(schema);
        return true;
    }

    // For test code that returns a URL: warns and returns a URL no server answers, so opening it
    // fails the test.
    models::DatabaseUrl createOrWarn()
    {
        models::DatabaseUrl url;
        QString error;
        if (!create(&url, &error)) {
            qWarning("%s", qPrintable(error));
            url.kind = models::DatabaseUrl::Kind::PostgreSQL;
            url.host = QStringLiteral("127.0.0.1");
            url.port = 1;
            url.database = QStringLiteral("vigil_test_not_created");
        }
        return url;
    }

    // Drops the schemas made since the last call (after the test closed its stores).
    void dropAll()
    {
        if (m_schemas.isEmpty())
            return;
        QSqlDatabase db = QSqlDatabase::database(kTestConnection, false);
        QSqlQuery q(db);
        for (const QString &schema : std::as_const(m_schemas))
            if (!q.exec(QStringLiteral("DROP SCHEMA %1 CASCADE").arg(schema)))
                qWarning("cannot drop the test schema %s: %s", qPrintable(schema), qPrintable(q.lastError().text()));
        m_schemas.clear();
    }

private:
    static constexpr const char *kServerConnection = "vigil-test-postgres-server";
    static constexpr const char *kTestConnection = "vigil-test-postgres-schemas";

    void dropDatabase()
    {
        if (QSqlDatabase::contains(kTestConnection)) {
            QSqlDatabase::database(kTestConnection, false).close();
            QSqlDatabase::removeDatabase(kTestConnection);
        }
        if (!m_database.isEmpty() && QSqlDatabase::contains(kServerConnection)) {
            QSqlQuery q(QSqlDatabase::database(kServerConnection, false));
            if (!q.exec(QStringLiteral("DROP DATABASE %1 WITH (FORCE)").arg(m_database)))
                qWarning("cannot drop the test database %s: %s", qPrintable(m_database), qPrintable(q.lastError().text()));
        }
        m_database.clear();
        if (QSqlDatabase::contains(kServerConnection)) {
            QSqlDatabase::database(kServerConnection, false).close();
            QSqlDatabase::removeDatabase(kServerConnection);
        }
    }

    static QSqlDatabase connection(const char *name, const models::DatabaseUrl &url, QString *error)
    {
        QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name, false)
                                                       : QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
        if (!db.isOpen()) {
            url.configure(db);
            if (!db.open()) {
                *error = QStringLiteral("cannot connect to %1 (%2): %3")
                             .arg(url.displayName(), QLatin1String(kVariable), db.lastError().text());
                return QSqlDatabase();
            }
            QSqlQuery(db).exec(QStringLiteral("SET client_min_messages = warning")); // no notice per CASCADE
        }
        return db;
    }

    QString m_database;
    QStringList m_schemas;
    int m_created = 0;
};

} // namespace vigil::test

// In init(): the PostgreSQL rows are skipped when no server is named.
#define VIGIL_SKIP_UNAVAILABLE_BACKEND()                                                                          \
    do {                                                                                                          \
        if (vigil::test::PostgresTestDatabases::isPostgres() && !vigil::test::PostgresTestDatabases::configured()) \
            QSKIP("PostgreSQL: set VIGIL_TEST_POSTGRES_URL=postgresql://USER@HOST:PORT/DB (a role that may"        \
                  " create databases) to run this row; scripts/test.sh starts a server for it");                 \
    } while (false)
