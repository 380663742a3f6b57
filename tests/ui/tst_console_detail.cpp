// The detail pane's anomaly chart and related alerts, driven from the keyboard; the critical
// alert notifications' batching with exact signal counts; the tray-less fallback; the history
// following the notifications a running node records.

#include "app/node.h"
#include "app/node_backend.h"
#include "engine/events/event_codec.h"
#include "models/alerts/alert_page_model.h"
#include "models/store/store.h"
#include "ui/alerts/alert_detail_pane.h"
#include "ui/main_window.h"
#include "ui/notifications/critical_alert_notifier.h"
#include "ui/notifications/desktop_notifications.h"

#include <QAction>
#include <QApplication>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QDateTime>
#include <QJsonDocument>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLocale>
#include <QSettings>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace vigil;
using namespace vigil::models;

namespace {

AlertRecord alert(qint64 id, engine::Severity severity, const QString &source = QStringLiteral("pay-gw-001"))
{
    AlertRecord a;
    a.id = id;
    a.createdAtMs = 1'700'000'000'000 + id * 1000;
    a.severity = severity;
    a.ruleName = QStringLiteral("Large transfer");
    a.message = QStringLiteral("Transfer %1").arg(id);
    a.sourceType = QStringLiteral("payment_gateway");
    a.sourceId = source;
    return a;
}

AlertRow row(qint64 id)
{
    AlertRow r;
    r.id = id;
    r.createdAtMs = 1'700'000'000'000 + id * 1000;
    r.ruleName = QStringLiteral("Card velocity");
    r.message = QStringLiteral("Cards %1").arg(id);
    r.severity = engine::Severity::High;
    return r;
}


// A rule "Root login" of `severity` that queues `channels`, imported into `store`, and a root
// login on each of `hosts` ingested at `raisedAt`: one alert per host, in *outcome.
bool raiseRootLogins(Store &store, const char *severity, const char *channels, const QStringList &hosts,
                     qint64 raisedAt, IngestOutcome *outcome, QString *error)
{
    engine::Rule rule;
    const QByteArray json = QByteArray(R"({"name": "Root login", "alert_type": "SECURITY", "severity": ")") + severity
        + R"(", "conditions": {"all": [{"field": "fields.user", "op": "eq", "value": "root"}]},)"
          R"( "message": "root logged in on {source_id}", "notification_channels": )" + channels + "}";
    if (!engine::Rule::fromJson(QJsonDocument::fromJson(json).object(), &rule, error))
        return false;
    int created = 0, updated = 0;
    QList<engine::Rule> rules;
    if (!store.importRules({rule}, Actor::system(), &created, &updated, error) || !store.loadRules(&rules, error))
        return false;
    engine::Pipeline pipeline;
    pipeline.setRules(rules);
    QList<engine::Event> events;
    for (const QString &host : hosts) {
        engine::Event e;
        if (!engine::EventCodec::decodeEvent(QJsonObject{{u"id"_qs, u"login-"_qs + host},
                                                         {u"time"_qs, engine::formatTime(raisedAt)},
                                                         {u"type"_qs, u"SECURITY"_qs},
                                                         {u"source_type"_qs, u"auth"_qs},
                                                         {u"source_id"_qs, host},
                                                         {u"fields"_qs, QJsonObject{{u"user"_qs, u"root"_qs}}}},
                                             0, u"event"_qs, &e, error))
            return false;
        events.append(e);
    }
    return store.ingest(events, pipeline, raisedAt, outcome, error);
}

} // namespace

class TestConsoleDetail : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void anomalyChart();
    void ruleAlertHasNoChart();
    void relatedAlertsFromTheKeyboard();
    void notifierBatchesBursts();
    void notificationsWithoutTray();
    void balloonClickOpensTheLatestAlert();
    void historyShowsNotifications();
    void historyFollowsRecordedNotifications();

private:
    QTemporaryDir m_dir;
};

void TestConsoleDetail::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("vigil-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_console_detail"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.path());
    QSettings().clear();
}

void TestConsoleDetail::anomalyChart()
{
    ui::AlertDetailPane pane;
    pane.show();
    AlertRecord a = alert(7, engine::Severity::High);
    pane.showLoading(7);
    pane.showAlert(a);
    AnomalyExplanation x;
    x.modelId = 3;
    x.modelName = QStringLiteral("Payment anomaly");
    x.modelVersion = 2;
    x.modelType = QStringLiteral("ISOLATION_FOREST");
    x.score = 0.8123;
    x.threshold = 0.61;
    // 12 features, largest share first (as the store gives them): f0 = 0.30, f1 = 0.20, ...
    const double shares[] = {0.30, 0.20, 0.12, 0.10, 0.08, 0.06, 0.05, 0.04, 0.02, 0.015, 0.01, 0.005};
    for (int i = 0; i < 12; ++i)
        x.contributions.append({QStringLiteral("f%1").arg(i), double(i * 10), shares[i]});
    pane.showAnomaly(7, x);

    QVERIFY(pane.anomalyBox()->isVisible());
    QCOMPARE(pane.modelLabel()->text(),
             QStringLiteral("Model Payment anomaly, version 2 (isolation forest) · score %1 (threshold %2)")
                 .arg(QLocale().toString(0.8123, 'f', 4), QLocale().toString(0.61, 'g', 4)));
    QChart *chart = pane.contributionChart();
    QCOMPARE(chart->series().size(), 1);
    auto *series = qobject_cast<QHorizontalBarSeries *>(chart->series().first());
    QVERIFY(series);
    QCOMPARE(series->count(), 1);
    QBarSet *set = series->barSets().first();
    QCOMPARE(set->count(), ui::AlertDetailPane::kChartFeatures);
    // Bottom to top: the tenth share first, the largest last (drawn at the top).
    for (int i = 0; i < 10; ++i)
        QCOMPARE(set->at(i), shares[9 - i] * 100.0);
    const auto axes = chart->axes(Qt::Vertical);
    QCOMPARE(axes.size(), 1);
    auto *categories = qobject_cast<QBarCategoryAxis *>(axes.first());
    QVERIFY(categories);
    QCOMPARE(categories->categories(),
             QStringList({u"f9"_qs, u"f8"_qs, u"f7"_qs, u"f6"_qs, u"f5"_qs, u"f4"_qs, u"f3"_qs, u"f2"_qs, u"f1"_qs, u"f0"_qs}));

    // A late answer for another alert changes nothing.
    AnomalyExplanation other = x;
    other.modelName = QStringLiteral("Other");
    pane.showAnomaly(8, other);
    QVERIFY(pane.modelLabel()->text().startsWith(QStringLiteral("Model Payment anomaly")));

    // The next alert starts without the previous chart.
    pane.showLoading(9);
    QVERIFY(!pane.anomalyBox()->isVisible());
    QCOMPARE(pane.contributionChart()->series().size(), 0);
}

void TestConsoleDetail::ruleAlertHasNoChart()
{
    ui::AlertDetailPane pane;
    pane.show();
    pane.showLoading(4);
    pane.showAlert(alert(4, engine::Severity::High));
    pane.showAnomaly(4, AnomalyExplanation{});
    QVERIFY(!pane.anomalyBox()->isVisible());
    QCOMPARE(pane.contributionChart()->series().size(), 0);
}

void TestConsoleDetail::relatedAlertsFromTheKeyboard()
{
    ui::AlertDetailPane pane;
    pane.show();
    QVERIFY(QTest::qWaitForWindowExposed(&pane));
    pane.showLoading(10);
    pane.showAlert(alert(10, engine::Severity::High));
    pane.showRelated(10, QStringLiteral("pay-gw-001"), {row(9), row(6), row(2)}, QString());
    QTreeWidget *list = pane.relatedList();
    QVERIFY(list->isVisible());
    QCOMPARE(list->topLevelItemCount(), 3);
    QCOMPARE(list->topLevelItem(0)->data(0, Qt::UserRole).toLongLong(), 9);
    QCOMPARE(list->topLevelItem(2)->data(0, Qt::UserRole).toLongLong(), 2);
    QCOMPARE(list->topLevelItem(1)->text(3), QStringLiteral("Card velocity: Cards 6"));

    QSignalSpy activated(&pane, &ui::AlertDetailPane::relatedAlertActivated);
    list->setFocus();
    list->setCurrentItem(list->topLevelItem(0));
    QTest::keyClick(list, Qt::Key_Down);
    QTest::keyClick(list, Qt::Key_Return);
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.at(0).at(0).toLongLong(), 6);

    // An answer for an alert no longer shown is ignored; an empty answer says so.
    pane.showRelated(11, QStringLiteral("x"), {row(1)}, QString());
    QCOMPARE(list->topLevelItemCount(), 3);
    pane.showRelated(10, QStringLiteral("pay-gw-001"), {}, QString());
    QCOMPARE(list->topLevelItemCount(), 0);
}

void TestConsoleDetail::notifierBatchesBursts()
{
    // A long interval: the cool-down ends only when the test says so (no waiting, no timing).
    ui::CriticalAlertNotifier notifier(60'000);
    QSignalSpy spy(&notifier, &ui::CriticalAlertNotifier::notify);

    // Non-critical alerts never notify.
    notifier.addAlerts({alert(1, engine::Severity::High), alert(2, engine::Severity::Medium)});
    QCOMPARE(spy.count(), 0);
    QVERIFY(!notifier.isCoolingDown());

    // The first critical alert is told at once, on its own.
    notifier.addAlerts({alert(3, engine::Severity::Critical)});
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("Critical alert"));
    QCOMPARE(spy.at(0).at(1).toString(), QStringLiteral("Large transfer on pay-gw-001: Transfer 3"));
    QCOMPARE(spy.at(0).at(2).toInt(), 1);
    QVERIFY(notifier.isCoolingDown());

    // A burst during the cool-down waits: 3 critical in two batches, 1 high ignored.
    notifier.addAlerts({alert(4, engine::Severity::Critical), alert(5, engine::Severity::High),
                        alert(6, engine::Severity::Critical)});
    notifier.addAlerts({alert(7, engine::Severity::Critical, QStringLiteral("auth-007"))});
    QCOMPARE(spy.count(), 1);
    QCOMPARE(notifier.pending(), 3);

    // The cool-down's end: one summary of the three, naming the newest; a new cool-down.
    notifier.endCoolDown();
    QCOMPARE(spy.count(), 2);
    QCOMPARE(spy.at(1).at(0).toString(), QStringLiteral("3 new critical alerts"));
    QCOMPARE(spy.at(1).at(1).toString(), QStringLiteral("Latest: Large transfer on auth-007: Transfer 7"));
    QCOMPARE(spy.at(1).at(2).toInt(), 3);
    QCOMPARE(spy.at(1).at(3).value<AlertRecord>().id, 7);
    QCOMPARE(spy.at(1).at(4).value<QList<qint64>>(), (QList<qint64>{4, 6, 7})); // the high one is not told of
    QCOMPARE(spy.at(0).at(4).value<QList<qint64>>(), QList<qint64>{3});
    QCOMPARE(notifier.pending(), 0);
    QVERIFY(notifier.isCoolingDown());

    // A quiet cool-down ends without a word; the next critical alert is told at once again.
    notifier.endCoolDown();
    QCOMPARE(spy.count(), 2);
    QVERIFY(!notifier.isCoolingDown());
    notifier.addAlerts({alert(8, engine::Severity::Critical), alert(9, engine::Severity::Critical)});
    QCOMPARE(spy.count(), 3);
    QCOMPARE(spy.at(2).at(0).toString(), QStringLiteral("2 new critical alerts"));
    QCOMPARE(spy.at(2).at(2).toInt(), 2);

    // The real timer ends a cool-down too.
    ui::CriticalAlertNotifier quick(1);
    QSignalSpy quickSpy(&quick, &ui::CriticalAlertNotifier::notify);
    quick.addAlerts({alert(10, engine::Severity::Critical)});
    quick.addAlerts({alert(11, engine::Severity::Critical)});
    QCOMPARE(quickSpy.count(), 1);
    QTRY_COMPARE(quickSpy.count(), 2);
    QTRY_VERIFY(!quick.isCoolingDown());
    QCOMPARE(quickSpy.count(), 2);
}

void TestConsoleDetail::notificationsWithoutTray()
{
    QWidget window;
    ui::DesktopNotifications notifications(&window);
    // The offscreen platform has no tray: the window shows the text instead.
    QVERIFY(!notifications.hasTray());
    QVERIFY(notifications.desktopAction()->isChecked());
    QVERIFY(!notifications.soundAction()->isChecked()); // sound is off until asked for
    QSignalSpy shown(&notifications, &ui::DesktopNotifications::showInWindow);
    QSignalSpy recorded(&notifications, &ui::DesktopNotifications::shown);
    notifications.addAlerts({alert(1, engine::Severity::Critical)});
    QCOMPARE(shown.count(), 1);
    QCOMPARE(recorded.count(), 1);
    QCOMPARE(recorded.at(0).at(0).value<QList<qint64>>(), QList<qint64>{1});
    QCOMPARE(shown.at(0).at(0).toString(), QStringLiteral("Critical alert — Large transfer on pay-gw-001: Transfer 1"));
    notifications.addAlerts({alert(2, engine::Severity::Critical), alert(3, engine::Severity::Critical)});
    QCOMPARE(shown.count(), 1);
    notifications.notifier()->endCoolDown();
    QCOMPARE(shown.count(), 2);
    QCOMPARE(recorded.count(), 2);
    QCOMPARE(recorded.at(1).at(0).value<QList<qint64>>(), (QList<qint64>{2, 3}));

    // Switched off: nothing shown (and remembered); the sound choice is remembered too.
    notifications.desktopAction()->setChecked(false);
    notifications.soundAction()->setChecked(true);
    notifications.notifier()->endCoolDown();
    notifications.addAlerts({alert(4, engine::Severity::Critical)});
    QCOMPARE(shown.count(), 2);
    QCOMPARE(recorded.count(), 2); // not shown, so not in the alert's history
    QCOMPARE(QSettings().value(QStringLiteral("notifications/desktop")).toBool(), false);
    QCOMPARE(QSettings().value(QStringLiteral("notifications/sound")).toBool(), true);
    ui::DesktopNotifications restored(&window);
    QVERIFY(!restored.desktopAction()->isChecked());
    QVERIFY(restored.soundAction()->isChecked());
}

void TestConsoleDetail::balloonClickOpensTheLatestAlert()
{
    QWidget window;
    ui::DesktopNotifications notifications(&window);
    QSignalSpy chosen(&notifications, &ui::DesktopNotifications::alertChosen);
    // Before any notification there is nothing to open, but the window still comes up.
    notifications.openLatest();
    QVERIFY(window.isVisible());
    QCOMPARE(chosen.count(), 0);
    window.hide();
    // A burst: the balloon names the newest alert, and a click opens that one.
    notifications.addAlerts({alert(7, engine::Severity::Critical)});
    notifications.notifier()->endCoolDown();
    notifications.addAlerts({alert(8, engine::Severity::Critical), alert(9, engine::Severity::Critical)});
    notifications.notifier()->endCoolDown();
    notifications.openLatest();
    QVERIFY(window.isVisible());
    QCOMPARE(chosen.count(), 1);
    QCOMPARE(chosen.at(0).at(0).toLongLong(), 9);
}

void TestConsoleDetail::historyShowsNotifications()
{
    // A real store: a CRITICAL rule that names three channels raises an alert.
    QString error;
    DatabaseUrl url;
    url.path = m_dir.filePath(QStringLiteral("history.db"));
    auto store = Store::open(url, QStringLiteral("detail-history"), &error);
    QVERIFY2(store, qPrintable(error));
    const qint64 raisedAt = QDateTime::currentMSecsSinceEpoch() - 60'000;
    IngestOutcome outcome;
    QVERIFY2(raiseRootLogins(*store, "CRITICAL", R"(["EMAIL", "WEBSOCKET", "SLACK"])", {u"bastion-1"_qs}, raisedAt,
                             &outcome, &error),
             qPrintable(error));
    QCOMPARE(outcome.alerts.size(), 1);
    const qint64 id = outcome.alerts.first().id;

    // The console shows its desktop notification (no tray offscreen: the status bar); what
    // it records goes through the store as the writer would write it.
    QWidget window;
    ui::DesktopNotifications notifications(&window);
    notifications.desktopAction()->setChecked(true);
    QSignalSpy shown(&notifications, &ui::DesktopNotifications::shown);
    notifications.addAlerts(outcome.alerts);
    QCOMPARE(shown.count(), 1);
    const QList<qint64> told = shown.at(0).at(0).value<QList<qint64>>();
    QCOMPARE(told, QList<qint64>{id});
    QVERIFY2(store->recordNotifications(ui::DesktopNotifications::records(told, u"alice"_qs, raisedAt + 2000), &error),
             qPrintable(error));
    // The /alerts broadcast's record, as the server hands it to the writer.
    AlertNotification broadcast;
    broadcast.alertId = id;
    broadcast.channel = u"WEBSOCKET"_qs;
    broadcast.status = u"SENT"_qs;
    broadcast.target = u"1 subscriber"_qs;
    broadcast.attempts = 1;
    broadcast.createdAtMs = broadcast.sentAtMs = raisedAt + 1000;
    QVERIFY2(store->recordNotifications({broadcast}, &error), qPrintable(error));
    // Then an analyst acknowledges and comments (now: a minute later).
    const Actor bob{u"bob"_qs, Role::Analyst};
    QCOMPARE(store->applyAlertAction(id, AlertAction::Acknowledge, bob, {}).outcome, ActionResult::Outcome::Done);
    QVERIFY2(store->addAlertComment(id, u"on it"_qs, bob, &error), qPrintable(error));

    QList<AlertHistoryEntry> history;
    QVERIFY2(store->alertHistory(id, &history, &error), qPrintable(error));
    QList<AlertNotification> sent;
    QVERIFY2(store->alertNotifications(id, &sent, &error), qPrintable(error));
    QCOMPARE(history.size(), 2);
    QCOMPARE(sent.size(), 4); // EMAIL and SLACK queued, WEBSOCKET and DESKTOP sent

    ui::AlertDetailPane pane;
    pane.show();
    pane.showLoading(id);
    AlertRecord stored;
    QVERIFY(store->alert(id, &stored, &error));
    pane.showAlert(stored);
    pane.showHistory(id, history, sent);
    QTreeWidgetItem *historyItem = nullptr;
    for (int i = 0; i < pane.tree()->topLevelItemCount(); ++i)
        if (pane.tree()->topLevelItem(i)->text(0) == u"History"_qs)
            historyItem = pane.tree()->topLevelItem(i);
    QVERIFY(historyItem);
    QStringList lines;
    for (int i = 0; i < historyItem->childCount(); ++i)
        lines << historyItem->child(i)->text(1);
    QCOMPARE(lines, (QStringList{u"Email: queued — no email sender is set up yet"_qs,
                                 u"Slack: queued — no Slack sender is set up yet"_qs,
                                 u"WebSocket: sent to 1 subscriber"_qs,
                                 u"Desktop: shown to alice"_qs,
                                 u"bob — acknowledge"_qs,
                                 u"bob — comment: on it"_qs}));
    const auto shortTime = [](qint64 ms) { return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::ShortFormat); };
    QCOMPARE(historyItem->child(0)->text(0), shortTime(raisedAt));
    QCOMPARE(historyItem->child(2)->text(0), shortTime(raisedAt + 1000));
    QCOMPARE(historyItem->child(3)->text(0), shortTime(raisedAt + 2000));
    QCOMPARE(historyItem->child(2)->toolTip(1), u"Notification on WebSocket, sent; target: 1 subscriber"_qs);
    QCOMPARE(historyItem->child(0)->toolTip(1), u"Notification on Email, pending; target: decided by the sender"_qs);

    // A sender's later verdicts read as such.
    AlertHistoryEntry failed = sent.at(0).toHistoryEntry();
    failed.status = u"FAILED"_qs;
    failed.attempts = 5;
    failed.lastError = u"SMTP 550 mailbox unavailable"_qs;
    QCOMPARE(ui::AlertDetailPane::notificationText(failed), u"Email: failed after 5 attempts: SMTP 550 mailbox unavailable"_qs);
    failed.status = u"SENT"_qs;
    failed.text = u"soc@example.org"_qs;
    QCOMPARE(ui::AlertDetailPane::notificationText(failed), u"Email: sent to soc@example.org"_qs);

    // An answer for another alert changes nothing.
    pane.showHistory(id + 1, history, sent);
    int histories = 0;
    for (int i = 0; i < pane.tree()->topLevelItemCount(); ++i)
        histories += pane.tree()->topLevelItem(i)->text(0) == u"History"_qs;
    QCOMPARE(histories, 1);
}

void TestConsoleDetail::historyFollowsRecordedNotifications()
{
    // A real store with two alerts of a rule that queues EMAIL; a node (writer, no network)
    // and the console's window over it, as `vigil` runs them.
    QString error;
    DatabaseUrl url;
    url.path = m_dir.filePath(QStringLiteral("follow.db"));
    qint64 shownId = 0, otherId = 0;
    {
        auto store = Store::open(url, QStringLiteral("detail-follow-setup"), &error);
        QVERIFY2(store, qPrintable(error));
        const qint64 raisedAt = QDateTime::currentMSecsSinceEpoch() - 60'000;
        IngestOutcome outcome;
        QVERIFY2(raiseRootLogins(*store, "HIGH", R"(["EMAIL"])", {u"bastion-1"_qs, u"bastion-2"_qs}, raisedAt, &outcome,
                                 &error),
                 qPrintable(error));
        QCOMPARE(outcome.alerts.size(), 2);
        shownId = outcome.alerts.at(0).id;
        otherId = outcome.alerts.at(1).id;
    }
    app::NodeOptions options;
    options.database = url;
    options.listen = false;
    app::Node node(options);
    QVERIFY2(node.start(&error), qPrintable(error));
    app::NodeBackend backend(&node, Actor{u"alice"_qs, Role::Analyst});
    ui::MainWindow window(&backend);
    window.setConfirmations(false);
    window.show();
    window.loadAlerts();
    QTRY_COMPARE(window.alertModel()->rowCount(), 2);
    QSignalSpy recorded(&backend, &ui::ConsoleBackend::notificationsRecorded);
    QSignalSpy histories(window.detailPane(), &ui::AlertDetailPane::historyShown);
    const int row = window.alertModel()->rowOfAlert(shownId);
    QVERIFY(row >= 0);
    window.alertView()->setCurrentIndex(window.alertModel()->index(row, 0));
    QTRY_COMPARE(histories.count(), 1);
    QCOMPARE(window.detailPane()->alertId(), shownId);
    const auto historyLines = [&] {
        QStringList lines;
        QTreeWidget *tree = window.detailPane()->tree();
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            if (tree->topLevelItem(i)->text(0) != u"History"_qs)
                continue;
            for (int c = 0; c < tree->topLevelItem(i)->childCount(); ++c)
                lines << tree->topLevelItem(i)->child(c)->text(1);
        }
        return lines;
    };
    QCOMPARE(historyLines(), QStringList{u"Email: queued — no email sender is set up yet"_qs});

    // The desktop notification of the shown alert, recorded by the writer: the history reads
    // it once it is committed (the pane is not reloaded, the history is replaced in place).
    const qint64 shownAt = QDateTime::currentMSecsSinceEpoch();
    backend.recordNotifications(ui::DesktopNotifications::records({shownId}, u"alice"_qs, shownAt));
    QTRY_COMPARE(recorded.count(), 1);
    QCOMPARE(recorded.at(0).at(0).value<QList<qint64>>(), QList<qint64>{shownId});
    QTRY_COMPARE(histories.count(), 2);
    QCOMPARE(histories.at(1).at(0).toLongLong(), shownId);
    QCOMPARE(histories.at(1).at(1).toInt(), 2);
    QCOMPARE(historyLines(), (QStringList{u"Email: queued — no email sender is set up yet"_qs, u"Desktop: shown to alice"_qs}));
    QCOMPARE(window.detailPane()->alertId(), shownId);

    // Another alert's notification is recorded but leaves the pane alone; the next one of the
    // shown alert is read again. Signals arrive in order: when the second read is shown, the
    // other alert's had been handled, without a read.
    backend.recordNotifications(ui::DesktopNotifications::records({otherId}, u"alice"_qs, shownAt + 1));
    backend.recordNotifications(ui::DesktopNotifications::records({shownId}, u"bob"_qs, shownAt + 2));
    QTRY_COMPARE(recorded.count(), 3);
    QTRY_COMPARE(histories.count(), 3);
    QCOMPARE(recorded.at(1).at(0).value<QList<qint64>>(), QList<qint64>{otherId});
    QCOMPARE(historyLines(), (QStringList{u"Email: queued — no email sender is set up yet"_qs, u"Desktop: shown to alice"_qs,
                                          u"Desktop: shown to bob"_qs}));
    int historyItems = 0;
    for (int i = 0; i < window.detailPane()->tree()->topLevelItemCount(); ++i)
        historyItems += window.detailPane()->tree()->topLevelItem(i)->text(0) == u"History"_qs;
    QCOMPARE(historyItems, 1);
    QCOMPARE(histories.count(), 3);
    window.close();
    node.stop();
}

QTEST_MAIN(TestConsoleDetail)
#include "tst_console_detail.moc"
