// raiseCurrentThreadPriority(): granted, the calling thread's nice value drops by the steps,
// threads it starts afterwards begin with it and the others keep theirs; refused (the thread
// without CAP_SYS_NICE, RLIMIT_NICE at 0), it says why and changes nothing; negative steps
// (a lower priority) are always granted.

#include "app/ingest/thread_priority.h"

#include <QTest>

#include <cerrno>
#include <functional>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace vigil;

namespace {

// Runs `f` on a thread of its own and waits for it: what a test does to that thread's
// priority or capabilities stays there.
void onOwnThread(const std::function<void()> &f)
{
    std::thread t(f);
    t.join();
}

// Whether a thread of this process may lower its nice value by `steps`, found on a thread
// that ends right after.
bool mayRaise(int steps)
{
    bool granted = false;
    onOwnThread([&] { granted = app::raiseCurrentThreadPriority(steps, nullptr); });
    return granted;
}

// Takes CAP_SYS_NICE out of the calling thread's effective capabilities (capabilities are per
// thread on Linux). False if the kernel refused.
bool dropSysNice()
{
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
    if (syscall(SYS_capget, &header, data) != 0)
        return false;
    data[CAP_TO_INDEX(CAP_SYS_NICE)].effective &= ~CAP_TO_MASK(CAP_SYS_NICE);
    return syscall(SYS_capset, &header, data) == 0;
}

} // namespace

class TestThreadPriority : public QObject
{
    Q_OBJECT

private slots:
    void zeroStepsChangeNothing()
    {
        int before = 99, after = 99;
        bool granted = false;
        onOwnThread([&] {
            before = app::currentThreadNice();
            granted = app::raiseCurrentThreadPriority(0, nullptr);
            after = app::currentThreadNice();
        });
        QVERIFY(granted);
        QCOMPARE(after, before);
    }

    void grantedForTheCallingThreadAndThoseItStarts()
    {
        if (!mayRaise(3))
            QSKIP("raising a thread's priority needs CAP_SYS_NICE or RLIMIT_NICE (refusedWithoutPermission covers this case)");
        const int mainBefore = app::currentThreadNice();
        int before = 99, after = 99, started = 99;
        bool granted = false;
        QString why;
        onOwnThread([&] {
            before = app::currentThreadNice();
            granted = app::raiseCurrentThreadPriority(3, &why);
            after = app::currentThreadNice();
            onOwnThread([&] { started = app::currentThreadNice(); });
        });
        QVERIFY2(granted, qPrintable(why));
        QCOMPARE(before, mainBefore); // a new thread starts at its creator's value
        QCOMPARE(after, std::max(before - 3, -20));
        QCOMPARE(started, after);
        QCOMPARE(app::currentThreadNice(), mainBefore); // the others keep theirs
    }

    void refusedWithoutPermission()
    {
        rlimit saved{};
        QCOMPARE(getrlimit(RLIMIT_NICE, &saved), 0);
        rlimit none = saved;
        none.rlim_cur = 0; // lowering the soft limit is always allowed
        QCOMPARE(setrlimit(RLIMIT_NICE, &none), 0);
        bool dropped = false, granted = true;
        int before = 99, after = 99;
        QString why;
        onOwnThread([&] {
            dropped = dropSysNice();
            before = app::currentThreadNice();
            granted = app::raiseCurrentThreadPriority(5, &why);
            after = app::currentThreadNice();
        });
        QCOMPARE(setrlimit(RLIMIT_NICE, &saved), 0);
        if (before == -20)
            QSKIP("the process runs at nice -20: there is no higher priority to refuse");
        QVERIFY(dropped);
        QVERIFY(!granted);
        QCOMPARE(why, qt_error_string(EACCES));
        QCOMPARE(after, before);
    }

    void lowerIsAlwaysGranted()
    {
        bool dropped = false, granted = false;
        int before = 99, after = 99, started = 99;
        QString why;
        onOwnThread([&] {
            dropped = dropSysNice();
            before = app::currentThreadNice();
            granted = app::raiseCurrentThreadPriority(-4, &why);
            after = app::currentThreadNice();
            onOwnThread([&] { started = app::currentThreadNice(); });
        });
        QVERIFY(dropped);
        QVERIFY2(granted, qPrintable(why));
        QCOMPARE(after, std::min(before + 4, 19));
        QCOMPARE(started, after);
    }
};

QTEST_GUILESS_MAIN(TestThreadPriority)
#include "tst_thread_priority.moc"
