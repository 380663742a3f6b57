#include "text_indexer.h"

#include "store.h"

#include <QAtomicInteger>
#include <QMutexLocker>

namespace vigil::models {

TextIndexer::TextIndexer(DatabaseUrl url, QObject *parent) : QThread(parent), m_url(std::move(url))
{
    setObjectName(QStringLiteral("vigil-text"));
}

TextIndexer::~TextIndexer()
{
    stop();
}

void TextIndexer::stop()
{
    {
        QMutexLocker lock(&m_mutex);
        m_stopping = true;
    }
    m_wake.wakeAll();
    wait();
}

void TextIndexer::indexNow()
{
    {
        QMutexLocker lock(&m_mutex);
        m_wanted = true;
    }
    m_wake.wakeAll();
}

void TextIndexer::run()
{
    if (m_url.kind != DatabaseUrl::Kind::SQLite)
        return;
    static QAtomicInteger<int> instances;
    QString error;
    auto store = Store::open(m_url, QStringLiteral("vigil-text-%1").arg(instances.fetchAndAddRelaxed(1)), &error);
    if (!store) {
        qWarning("Vigil: the free-text index is not kept up to date: %s", qPrintable(error));
        emit failure(error);
        return;
    }
    // It reads each new alert and event once: a small cache of the database will do.
    store->setCacheSize(8 * 1024);
    const auto cancelled = [this] { return m_stopping.load(); };
    QString lastError;
    for (;;) {
        qint64 indexed = 0;
        if (store->indexAlertText(kAlertsPerPass, &indexed, &error, cancelled)) {
            ++m_passes;
            m_indexed += indexed;
            lastError.clear();
        } else if (!m_stopping && error != lastError) {
            // Said once, not every interval while it lasts.
            lastError = error;
            qWarning("Vigil: indexing new alerts for free-text search: %s", qPrintable(error));
            emit failure(error);
        }
        QMutexLocker lock(&m_mutex);
        // Straight on while alerts wait (a backlog after a restart or a burst).
        if (!m_stopping && !m_wanted && indexed < kAlertsPerPass)
            m_wake.wait(&m_mutex, kIntervalMs);
        m_wanted = false;
        if (m_stopping)
            return;
    }
}

} // namespace vigil::models
