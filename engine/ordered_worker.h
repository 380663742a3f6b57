#pragma once
// A thread of its own that runs jobs one at a time, in the order they were posted.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace vigil::engine {

/*!
    The pipeline's stages that may run beside the ingest writer (rules, model scoring) hand
    it chunks of work that must be done in order and waited for at the end of a batch. The
    thread starts with the first job, so a stage that never gets a chunk big enough to hand
    over costs no thread. Destruction runs what is queued, then ends the thread.
*/
class OrderedWorker
{
public:
    // `name` shows in top -H and in bench/ingest/cpu_per_event.sh (at most 15 characters).
    explicit OrderedWorker(const char *name) : m_name(name) {}
    ~OrderedWorker();
    OrderedWorker(const OrderedWorker &) = delete;
    OrderedWorker &operator=(const OrderedWorker &) = delete;

    void post(std::function<void()> job);
    // Returns when every job posted so far has run.
    void wait();

private:
    void run();

    const char *m_name;
    std::mutex m_mutex;
    std::condition_variable m_work;
    std::condition_variable m_done;
    std::deque<std::function<void()>> m_queue;
    int m_pending = 0; // queued or running
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace vigil::engine
