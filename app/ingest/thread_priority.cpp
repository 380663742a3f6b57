#include "thread_priority.h"

#include <QCoreApplication>

#include <algorithm>

#if defined(__linux__)
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace vigil::app {

#if defined(__linux__)
namespace {
id_t currentThreadId() { return id_t(syscall(SYS_gettid)); }

// The calling thread's nice value; false (errno set) when it cannot be read.
bool readNice(int *nice)
{
    errno = 0; // getpriority() may return -1 as a value
    *nice = getpriority(PRIO_PROCESS, currentThreadId());
    return errno == 0;
}
} // namespace
#endif

int currentThreadNice()
{
#if defined(__linux__)
    int nice = 0;
    return readNice(&nice) ? nice : 0;
#else
    return 0;
#endif
}

bool raiseCurrentThreadPriority(int steps, QString *why)
{
    if (steps == 0)
        return true;
#if defined(__linux__)
    int nice = 0;
    if (readNice(&nice) && setpriority(PRIO_PROCESS, currentThreadId(), std::clamp(nice - steps, -20, 19)) == 0)
        return true;
    if (why)
        *why = qt_error_string(errno);
    return false;
#else
    if (why)
        *why = QCoreApplication::translate("ThreadPriority", "not supported on this system");
    return false;
#endif
}

} // namespace vigil::app
