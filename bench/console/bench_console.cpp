// The analyst console at scale: opens a database (1,000,000 alerts from `vigil generate`),
// then measures, on the real MainWindow, the time to first rows, every sort, every filter,
// jumps through the table, and the GUI thread's stalls while live alerts arrive at 1,000/s;
// then the same for the grouped view (Ctrl+G): grouping, sorting and filtering groups,
// expanding one, jumping, and live alerts folding into groups.
//
//   QT_QPA_PLATFORM=offscreen bench_console --database PATH [--live-seconds 10] [--live-only] [--grouped-only]
//
// A 2 ms timer on the GUI thread records how late it fires: that lateness is the stall a
// user would feel. Figures are printed as a Markdown table.

#include "models/alerts/alert_group_model.h"
#include "models/alerts/alert_page_model.h"
#include "models/store/store.h"
#include "ui/alerts/alert_filter_bar.h"
#include "ui/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTreeView>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cstdio>

using namespace vigil;

namespace {

class BenchBackend : public ui::ConsoleBackend
{
    Q_OBJECT
public:
    explicit BenchBackend(const models::DatabaseUrl &url) : m_url(url) {}
    models::DatabaseUrl databaseUrl() const override { return m_url; }
    models::Actor actor() const override { return {QStringLiteral("bench"), models::Role::Analyst}; }
    ui::ConsoleStatus status() const override { return {}; }
    QString producerToken() const override { return {}; }
    void applyAlertAction(qint64, models::AlertAction, const QString &) override {}
    void applyBulkAction(quint64, const QList<qint64> &, models::AlertAction, const QString &) override {}
    void assignAlerts(quint64, const QList<qint64> &, const QString &) override {}
    void addComment(qint64, const QString &) override {}
    void raise(const QList<models::AlertRecord> &alerts) { emit alertsRaised(alerts); }

private:
    models::DatabaseUrl m_url;
};

// Records how late a 2 ms timer fires on the GUI thread.
class StallMeter : public QObject
{
public:
    StallMeter()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(2);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            if (m_last > 0)
                m_gaps.push_back(double(now - m_last) / 1e6 - 2.0);
            m_last = now;
        });
    }
    void start()
    {
        m_gaps.clear();
        m_last = 0;
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double percentile(double p) const
    {
        if (m_gaps.empty())
            return 0;
        std::vector<double> g = m_gaps;
        std::sort(g.begin(), g.end());
        return std::max(0.0, g[std::min(g.size() - 1, std::size_t(p * double(g.size() - 1)))]);
    }
    double max() const { return m_gaps.empty() ? 0 : std::max(0.0, *std::max_element(m_gaps.begin(), m_gaps.end())); }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<double> m_gaps;
};

long residentKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLong();
    return 0;
}

// Waits for the window to show the first rows of the query in hand (returned), then for the
// count of all its rows (*countMs).
qint64 waitShown(ui::MainWindow &w, QSignalSpy &shown, qint64 *countMs)
{
    QElapsedTimer t;
    t.start();
    const int before = int(shown.count());
    while (shown.count() == before && t.elapsed() < 120000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QCoreApplication::processEvents(); // the view paints the rows
    const qint64 first = t.elapsed();
    while (w.alertModel()->isCounting() && t.elapsed() < 120000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QCoreApplication::processEvents();
    *countMs = t.elapsed();
    return first;
}

// Waits for the grouped view to show the first groups of the query in hand (returned), then
// for all of them to be grouped (*countMs).
qint64 waitGroups(const models::AlertGroupModel &model, QSignalSpy &shown, qint64 *countMs)
{
    QElapsedTimer t;
    t.start();
    const int before = int(shown.count());
    while (shown.count() == before && t.elapsed() < 300000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QCoreApplication::processEvents();
    const qint64 first = t.elapsed();
    while (model.isCounting() && t.elapsed() < 300000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    QCoreApplication::processEvents();
    *countMs = t.elapsed();
    return first;
}

struct Row
{
    QString what;
    qint64 ms;
    qint64 countMs;
    qint64 rows;
    double stallMax;
};

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("database"), QStringLiteral("Database made by vigil generate."), QStringLiteral("path")});
    parser.addOption({QStringLiteral("grouped-only"), QStringLiteral("Measure only the grouped view.")});
    parser.addOption({QStringLiteral("live-seconds"), QStringLiteral("How long live alerts arrive (default 10)."),
                      QStringLiteral("s"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("live-only"), QStringLiteral("Open, then only the live alerts (for profiling).")});
    parser.process(app);
    const bool groupedOnly = parser.isSet(QStringLiteral("grouped-only"));
    QTemporaryDir settingsDir;
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("vigil-bench"));

    models::DatabaseUrl url;
    QString error;
    if (!models::DatabaseUrl::parse(parser.value(QStringLiteral("database")), &url, &error)) {
        std::fprintf(stderr, "bench_console: %s\n", qPrintable(error));
        return 2;
    }
    qint64 total = 0;
    {
        auto store = models::Store::open(url, QStringLiteral("bench-count"), &error);
        if (!store || !store->countAlerts({}, &total, &error)) {
            std::fprintf(stderr, "bench_console: %s\n", qPrintable(error));
            return 1;
        }
    }

    BenchBackend backend(url);
    StallMeter stalls;
    QList<Row> rows;
    QElapsedTimer open;
    open.start();
    ui::MainWindow window(&backend);
    window.setConfirmations(false);
    window.resize(1500, 860);
    window.show();
    QSignalSpy shown(&window, &ui::MainWindow::queryShown);
    stalls.start();
    const qint64 constructed = open.elapsed();
    window.loadAlerts();
    qint64 loaderMs = 0;
    const qint64 firstRows = waitShown(window, shown, &loaderMs);
    stalls.stop();
    rows.append({QStringLiteral("open: new window to first rows"), constructed + firstRows, constructed + loaderMs,
                 window.alertModel()->rowCount(), stalls.max()});

    const bool liveOnly = parser.isSet(QStringLiteral("live-only"));
    // Sorting by every column, both ways.
    QHeaderView *header = window.alertView()->horizontalHeader();
    for (int c = 0; !liveOnly && !groupedOnly && c < models::AlertPageModel::ColumnCount; ++c) {
        for (Qt::SortOrder order : {Qt::AscendingOrder, Qt::DescendingOrder}) {
            if (c == models::AlertPageModel::Time && order == Qt::DescendingOrder)
                continue; // the order it opened with
            stalls.start();
            header->setSortIndicator(c, order);
            const qint64 ms = waitShown(window, shown, &loaderMs);
            stalls.stop();
            rows.append({QStringLiteral("sort by %1 %2")
                             .arg(window.alertModel()->headerData(c, Qt::Horizontal).toString(),
                                  order == Qt::AscendingOrder ? QStringLiteral("↑") : QStringLiteral("↓")),
                         ms, loaderMs, window.alertModel()->rowCount(), stalls.max()});
        }
    }
    if (!liveOnly && !groupedOnly) {
        header->setSortIndicator(models::AlertPageModel::Time, Qt::DescendingOrder);
        waitShown(window, shown, &loaderMs);
    }

    // Filters, each alone, through the same path as the filter bar.
    struct Filter
    {
        const char *what;
        std::function<void(models::AlertQuery &)> set;
    };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QList<Filter> filters = {
        {"severity = CRITICAL", [](models::AlertQuery &q) { q.severities = {engine::Severity::Critical}; }},
        {"status = NEW", [](models::AlertQuery &q) { q.statuses = {engine::AlertStatus::New}; }},
        {"status open (NEW, ACKNOWLEDGED)", [](models::AlertQuery &q) { q.statuses = {engine::AlertStatus::New, engine::AlertStatus::Acknowledged}; }},
        {"type = SECURITY", [](models::AlertQuery &q) { q.types = {engine::EventType::Security}; }},
        {"rule = Card velocity", [](models::AlertQuery &q) { q.rules = {QStringLiteral("Card velocity")}; }},
        {"source = srv-042", [](models::AlertQuery &q) { q.source = QStringLiteral("srv-042"); }},
        {"assignee = alice", [](models::AlertQuery &q) { q.assignee = QStringLiteral("alice"); }},
        {"unassigned", [](models::AlertQuery &q) { q.assignee = QStringLiteral("-"); }},
        {"last 24 hours", [now](models::AlertQuery &q) { q.fromMs = now - 24 * 3600 * 1000LL; }},
        {"text \"acct-4242\" (message, rule, source, fields)", [](models::AlertQuery &q) { q.text = QStringLiteral("acct-4242"); }},
        {"text \"failed logins\"", [](models::AlertQuery &q) { q.text = QStringLiteral("failed logins"); }},
        {"CRITICAL + NEW + SECURITY", [](models::AlertQuery &q) {
             q.severities = {engine::Severity::Critical};
             q.statuses = {engine::AlertStatus::New};
             q.types = {engine::EventType::Security};
         }},
        {"HIGH sorted by rule", [](models::AlertQuery &q) {
             q.severities = {engine::Severity::High};
             q.sortKey = models::AlertSortKey::Rule;
             q.descending = false;
         }},
    };
    for (const Filter &f : liveOnly || groupedOnly ? QList<Filter>() : filters) {
        models::AlertQuery q;
        f.set(q);
        stalls.start();
        window.alertModel()->setQuery(q, false);
        const qint64 ms = waitShown(window, shown, &loaderMs);
        stalls.stop();
        rows.append({QStringLiteral("filter: %1").arg(QLatin1String(f.what)), ms, loaderMs, window.alertModel()->rowCount(), stalls.max()});
    }
    if (!liveOnly && !groupedOnly) {
        window.alertModel()->setQuery({}, false);
        waitShown(window, shown, &loaderMs);
    }

    // Jumps: the middle and the end of a million rows (the page is fetched on demand).
    QTableView *view = window.alertView();
    for (double where : liveOnly || groupedOnly ? QList<double>() : QList<double>{0.5, 1.0}) {
        stalls.start();
        QElapsedTimer t;
        t.start();
        const int row = std::min(window.alertModel()->rowCount() - 1, int(where * window.alertModel()->rowCount()));
        view->scrollTo(window.alertModel()->index(row, 0));
        while (!window.alertModel()->index(row, 0).data(models::AlertPageModel::LoadedRole).toBool() && t.elapsed() < 60000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QCoreApplication::processEvents();
        stalls.stop();
        rows.append({QStringLiteral("jump to row %1").arg(row), t.elapsed(), -1, window.alertModel()->rowCount(), stalls.max()});
    }
    view->scrollToTop();

    // Live: 1,000 alerts/s, in the batches the writer sends (10 every 10 ms).
    const int liveSeconds = parser.value(QStringLiteral("live-seconds")).toInt();
    qint64 nextId = total + 10'000'000;
    QTimer live;
    live.setTimerType(Qt::PreciseTimer);
    QObject::connect(&live, &QTimer::timeout, &backend, [&] {
        QList<models::AlertRecord> batch;
        for (int i = 0; i < 10; ++i) {
            models::AlertRecord a;
            a.id = ++nextId;
            a.createdAtMs = QDateTime::currentMSecsSinceEpoch();
            a.severity = engine::Severity(nextId % 4);
            a.type = engine::EventType::Security;
            a.ruleName = QStringLiteral("Brute-force login");
            a.message = QStringLiteral("Live alert %1").arg(nextId);
            a.sourceType = QStringLiteral("auth_service");
            a.sourceId = QStringLiteral("auth-%1").arg(nextId % 60);
            batch.append(a);
        }
        backend.raise(batch);
    });
    const int rowsBefore = window.alertModel()->rowCount();
    stalls.start();
    live.start(10);
    QElapsedTimer liveClock;
    liveClock.start();
    while (liveClock.elapsed() < (groupedOnly ? 0 : liveSeconds) * 1000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    live.stop();
    QCoreApplication::processEvents();
    stalls.stop();
    const int liveRows = window.alertModel()->rowCount() - rowsBefore;
    const qint64 liveAlerts = nextId - total - 10'000'000;
    const double liveP50 = stalls.percentile(0.5), liveP99 = stalls.percentile(0.99), liveMax = stalls.max();

    // Grouped (rule, source, 1 hour): the same steps over groups.
    QList<Row> grouped;
    QSignalSpy groupsShown(&window, &ui::MainWindow::groupsShown);
    models::AlertGroupModel *groups = window.groupModel();
    stalls.start();
    window.setGrouped(true);
    qint64 groupedMs = 0;
    qint64 firstGroups = waitGroups(*groups, groupsShown, &groupedMs);
    stalls.stop();
    grouped.append({QStringLiteral("group (Ctrl+G): all alerts to first groups"), firstGroups, groupedMs, groups->rowCount(),
                    stalls.max()});
    const QList<Filter> groupSteps = {
        {"sort by highest severity", [](models::AlertQuery &q) { q.sortKey = models::AlertSortKey::Severity; }},
        {"sort by rule ↑", [](models::AlertQuery &q) {
             q.sortKey = models::AlertSortKey::Rule;
             q.descending = false;
         }},
        {"sort by count", [](models::AlertQuery &q) { q.sortKey = models::AlertSortKey::Count; }},
        {"sort by last seen ↑", [](models::AlertQuery &q) {
             q.sortKey = models::AlertSortKey::LastSeen;
             q.descending = false;
         }},
        {"sort by status (newest alert's)", [](models::AlertQuery &q) { q.sortKey = models::AlertSortKey::Status; }},
        {"filter: severity = CRITICAL", [](models::AlertQuery &q) { q.severities = {engine::Severity::Critical}; }},
        {"filter: status = NEW", [](models::AlertQuery &q) { q.statuses = {engine::AlertStatus::New}; }},
        {"filter: rule = Card velocity", [](models::AlertQuery &q) { q.rules = {QStringLiteral("Card velocity")}; }},
        {"filter: last 24 hours", [now](models::AlertQuery &q) { q.fromMs = now - 24 * 3600 * 1000LL; }},
        {"filter: text \"failed logins\"", [](models::AlertQuery &q) { q.text = QStringLiteral("failed logins"); }},
    };
    for (const Filter &f : groupSteps) {
        models::AlertQuery q;
        f.set(q);
        stalls.start();
        groups->setQuery(q, false);
        firstGroups = waitGroups(*groups, groupsShown, &groupedMs);
        stalls.stop();
        grouped.append({QStringLiteral("grouped, %1").arg(QString::fromUtf8(f.what)), firstGroups, groupedMs,
                        groups->rowCount(), stalls.max()});
    }
    {
        // A new query while a whole fold runs (sorted by count): the fold is abandoned, the
        // new query's groups do not wait for it.
        models::AlertQuery byCount;
        byCount.sortKey = models::AlertSortKey::Count;
        groups->setQuery(byCount, false);
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 300)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        models::AlertQuery recent;
        recent.fromMs = now - 24 * 3600 * 1000LL;
        stalls.start();
        groups->setQuery(recent, false);
        firstGroups = waitGroups(*groups, groupsShown, &groupedMs);
        stalls.stop();
        grouped.append({QStringLiteral("grouped, last 24 hours, 0.3 s into a fold by count"), firstGroups, groupedMs,
                        groups->rowCount(), stalls.max()});
    }
    groups->setQuery({}, false);
    waitGroups(*groups, groupsShown, &groupedMs);
    QTreeView *tree = window.groupView();
    {
        // Expanding the largest loaded group on the first page: its alerts come from the store.
        int biggest = 0;
        for (int r = 0; r < std::min(groups->rowCount(), models::AlertGroupModel::kPageSize); ++r)
            if (groups->index(r, 0).data(models::AlertGroupModel::CountRole).toLongLong()
                > groups->index(biggest, 0).data(models::AlertGroupModel::CountRole).toLongLong())
                biggest = r;
        const QModelIndex group = groups->index(biggest, 0);
        stalls.start();
        QElapsedTimer t;
        t.start();
        tree->expand(group);
        while (groups->rowCount(group) == 0 && t.elapsed() < 60000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QCoreApplication::processEvents();
        stalls.stop();
        grouped.append({QStringLiteral("expand a group of %1 alerts").arg(group.data(models::AlertGroupModel::CountRole).toLongLong()),
                        t.elapsed(), -1, groups->rowCount(group), stalls.max()});
        tree->collapse(group);
    }
    for (double where : {0.5, 1.0}) {
        stalls.start();
        QElapsedTimer t;
        t.start();
        const int row = std::min(groups->rowCount() - 1, int(where * groups->rowCount()));
        tree->scrollTo(groups->index(row, 0));
        while (!groups->index(row, 0).data(models::AlertGroupModel::LoadedRole).toBool() && t.elapsed() < 60000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QCoreApplication::processEvents();
        stalls.stop();
        grouped.append({QStringLiteral("jump to group %1").arg(row), t.elapsed(), -1, groups->rowCount(), stalls.max()});
    }
    tree->scrollToTop();
    const int groupsBefore = groups->rowCount();
    const qint64 nextBefore = nextId;
    stalls.start();
    live.start(10);
    liveClock.restart();
    while (liveClock.elapsed() < liveSeconds * 1000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    live.stop();
    QCoreApplication::processEvents();
    stalls.stop();

    std::printf("Alerts in the database: %lld\n\n", total);
    std::printf("GUI stall = how late a 2 ms timer on the GUI thread fired, longest while the step ran.\n\n");
    std::printf("| what | first rows on screen (ms) | all rows counted (ms) | rows | longest GUI stall (ms) |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    for (const Row &r : rows)
        std::printf("| %s | %lld | %s | %lld | %.1f |\n", qPrintable(r.what), r.ms,
                    r.countMs >= 0 ? qPrintable(QString::number(r.countMs)) : "–", r.rows, r.stallMax);
    std::printf("\nLive: %d alerts in %d s (1,000/s in batches of 10 every 10 ms) shown as %d new rows; "
                "GUI stalls p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                int(liveAlerts), liveSeconds, liveRows, liveP50, liveP99, liveMax);
    std::printf("\nGrouped by rule, source and 1 hour (rows = groups).\n\n");
    std::printf("| what | first groups on screen (ms) | all groups counted (ms) | groups | longest GUI stall (ms) |\n");
    std::printf("|---|---:|---:|---:|---:|\n");
    for (const Row &r : grouped)
        std::printf("| %s | %lld | %s | %lld | %.1f |\n", qPrintable(r.what), r.ms,
                    r.countMs >= 0 ? qPrintable(QString::number(r.countMs)) : "–", r.rows, r.stallMax);
    std::printf("\nLive, grouped: %d alerts in %d s (60 sources, one rule) shown as %d new groups, the rest folded into "
                "theirs; GUI stalls p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                int(nextId - nextBefore), liveSeconds, groups->rowCount() - groupsBefore, stalls.percentile(0.5),
                stalls.percentile(0.99), stalls.max());
    std::printf("Resident memory at the end: %.0f MB\n", double(residentKb()) / 1024.0);
    return 0;
}

#include "bench_console.moc"
