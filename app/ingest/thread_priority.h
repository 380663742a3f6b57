#pragma once
// The scheduling priority of the calling thread. Linux keeps a nice value per thread
// (setpriority(PRIO_PROCESS, tid), see setpriority(2)), and a thread started from another one
// begins with its value; QThread::setPriority() cannot change it for ordinary (SCHED_OTHER)
// threads, which is why these exist.

#include <QString>

namespace vigil::app {

// The calling thread's nice value (-20 … 19, lower runs first); 0 where unsupported.
int currentThreadNice();

// Lowers the calling thread's nice value by `steps` (a higher priority), to no less than -20;
// negative steps raise it (a lower priority, always allowed), to no more than 19. A higher
// priority needs CAP_SYS_NICE or an RLIMIT_NICE of at least 20 minus the new value (systemd:
// LimitNICE=, ulimit -e). False, with the reason in *why, when the system refuses or does not
// support it; the priority is unchanged then.
bool raiseCurrentThreadPriority(int steps, QString *why);

} // namespace vigil::app
