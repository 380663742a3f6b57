#include "thread_priority.h"

#include <QCoreApplication>

#include <algorithm>

#if defined(__linux__)
#include <cerrno>
#include <cstring>
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace vigil::app {

int currentThreadNice()
{
#if defined(__linux__)
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, id_t(gettid()));
    return errno == 0 ? nice : 0;
#else
    return 0;
#endif
}

bool raiseCurrentThreadPriority(int steps, QString *why)
{
    if (steps <= 0)
        return true;
#if defined(__linux__)
    const int target = std::max(currentThreadNice() - steps, -20);
    if (setpriority(PRIO_PROCESS, id_t(gettid()), target) == 0)
        return true;
    if (why)
        *why = QString::fromLocal8Bit(std::strerror(errno));
    return false;
#else
    if (why)
        *why = QCoreApplication::translate("ThreadPriority", "not supported on this system");
    return false;
#endif
}

} // namespace vigil::app
