// The write-ahead log checkpointed on a thread of its own: it is checkpointed, stays bounded
// under a writer that never pauses, and loses nothing.

#include "models/store/wal_checkpointer.h"

#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using vigil::models::WalCheckpointer;

class TestWalCheckpointer : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void refusesWhatIsNotAnSqliteFile();
    void checkpointsOffTheCommittingThread();
    void logStaysBoundedUnderAWriterThatNeverPauses();

private:
    // Commits `transactions` transactions of `rowsEach` rows of ~4 KiB (about one page each).
    void write(int transactions, int rowsEach);
    qint64 walBytes() const { return QFileInfo(m_path + QStringLiteral("-wal")).size(); }

    QTemporaryDir m_dir;
    QString m_path;
    QSqlDatabase m_db;
    qint64 m_rows = 0;
};

void TestWalCheckpointer::init()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("%1.db").arg(QString::fromLatin1(QTest::currentTestFunction())));
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("wal-test"));
    m_db.setDatabaseName(m_path);
    QVERIFY(m_db.open());
    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode = WAL")));
    QVERIFY(q.exec(QStringLiteral("PRAGMA synchronous = FULL")));
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)")));
    m_rows = 0;
}

void TestWalCheckpointer::cleanup()
{
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(QStringLiteral("wal-test"));
}

void TestWalCheckpointer::write(int transactions, int rowsEach)
{
    QSqlQuery insert(m_db);
    QVERIFY(insert.prepare(QStringLiteral("INSERT INTO t (payload) VALUES (?)")));
    const QByteArray payload(4000, 'x');
    for (int t = 0; t < transactions; ++t) {
        QVERIFY(m_db.transaction());
        for (int r = 0; r < rowsEach; ++r) {
            insert.bindValue(0, payload);
            QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        }
        QVERIFY(m_db.commit());
        m_rows += rowsEach;
    }
}

void TestWalCheckpointer::refusesWhatIsNotAnSqliteFile()
{
    QString error;
    QVERIFY(!WalCheckpointer::attach(QSqlDatabase(), m_path, &error));
    QCOMPARE(error, QStringLiteral("not an SQLite connection"));
    QVERIFY(!WalCheckpointer::attach(m_db, QStringLiteral(":memory:"), &error));
    QCOMPARE(error, QStringLiteral("not an open SQLite file"));
}

void TestWalCheckpointer::checkpointsOffTheCommittingThread()
{
    QString error;
    auto checkpointer = WalCheckpointer::attach(m_db, m_path, &error);
    QVERIFY2(checkpointer, qPrintable(error));
    // Below the wake threshold nothing happens (transactions of about 100 pages).
    const int half = WalCheckpointer::kWakePages / 2 / 100;
    write(half, 100);
    QCOMPARE(checkpointer->checkpoints(), 0);
    // Past it, the thread is woken; checkpointNow() then waits for it to finish.
    write(half + 2, 100);
    QTRY_VERIFY(checkpointer->checkpoints() >= 1);
    checkpointer->checkpointNow();
    QCOMPARE(checkpointer->backstopCheckpoints(), 0);
    // Everything in the log is in the database file now: a checkpoint finds nothing to copy.
    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) && q.next());
    QCOMPARE(q.value(0).toInt(), 0);                      // not blocked
    QCOMPARE(q.value(1).toInt(), q.value(2).toInt());     // frames in the log == frames copied
    QVERIFY(q.value(1).toInt() >= WalCheckpointer::kWakePages);
}

void TestWalCheckpointer::logStaysBoundedUnderAWriterThatNeverPauses()
{
    QString error;
    auto checkpointer = WalCheckpointer::attach(m_db, m_path, &error);
    QVERIFY2(checkpointer, qPrintable(error));
    // Two and a half times the backstop, in transactions of 100 pages with no pause between.
    const int transactions = WalCheckpointer::kBackstopPages * 5 / 2 / 100;
    write(transactions, 100);
    // The log was started over at least once (a passive checkpoint alone cannot do that
    // under a busy writer), so it never held much more than the backstop.
    QVERIFY(checkpointer->backstopCheckpoints() >= 1);
    const qint64 bound = qint64(WalCheckpointer::kBackstopPages + 2 * 110) * 4096 * 11 / 10;
    QVERIFY2(walBytes() <= bound, qPrintable(QStringLiteral("log of %1 bytes, bound %2").arg(walBytes()).arg(bound)));

    // Detached, the connection checkpoints as SQLite does by default, and nothing was lost.
    checkpointer.reset();
    write(20, 100);
    QSqlQuery q(m_db);
    QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM t")) && q.next());
    QCOMPARE(q.value(0).toLongLong(), m_rows);
    QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
}

QTEST_GUILESS_MAIN(TestWalCheckpointer)

#include "tst_wal_checkpointer.moc"
