#include "ordered_worker.h"

#if defined(__linux__)
#include <pthread.h>
#endif

namespace vigil::engine {

OrderedWorker::~OrderedWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_work.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

void OrderedWorker::post(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        if (!m_thread.joinable())
            m_thread = std::thread([this] { run(); });
        m_queue.push_back(std::move(job));
        ++m_pending;
    }
    m_work.notify_one();
}

void OrderedWorker::wait()
{
    std::unique_lock lock(m_mutex);
    m_done.wait(lock, [this] { return m_pending == 0; });
}

void OrderedWorker::run()
{
#if defined(__linux__)
    pthread_setname_np(pthread_self(), m_name);
#endif
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_work.wait(lock, [this] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty())
            return; // stopping, nothing left
        std::function<void()> job = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        job(); // one thread takes the jobs in order
        lock.lock();
        if (--m_pending == 0)
            m_done.notify_all();
    }
}

} // namespace vigil::engine
