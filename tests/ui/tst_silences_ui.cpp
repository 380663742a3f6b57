// The Silence dialog and the Silences list driven from the keyboard over a real SQLite
// database: validation messages, expiry presets, the exact preview of what a silence would
// match, saving through the backend, ending a silence from the list.

#include "models/silences/silence_list_model.h"
#include "models/store/store.h"
#include "ui/silences/silence_dialog.h"
#include "models/alerts/alert_page_model.h"
#include "ui/alerts/alert_filter_bar.h"
#include "ui/main_window.h"
#include "ui/silences/silences_dock.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QLabel>
#include <QLineEdit>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace vigil;
using namespace vigil::models;

namespace {

constexpr qint64 kT0 = 1'769'860'800'000; // 2026-01-31T12:00:00Z
constexpr qint64 kHour = 3'600'000;

// The console's backend without a node: silences change on the test's own connection.
class SilenceBackend : public ui::ConsoleBackend
{
    Q_OBJECT
public:
    explicit SilenceBackend(const DatabaseUrl &url) : m_url(url)
    {
        QString error;
        m_store = Store::open(url, QStringLiteral("silence-backend"), &error);
    }
    DatabaseUrl databaseUrl() const override { return m_url; }
    Actor actor() const override { return {QStringLiteral("alice"), Role::Analyst}; }
    ui::ConsoleStatus status() const override { return {}; }
    QString producerToken() const override { return QStringLiteral("token"); }
    void applyAlertAction(qint64, AlertAction, const QString &) override {}
    void applyBulkAction(quint64, const QList<qint64> &, AlertAction, const QString &) override {}
    void assignAlerts(quint64, const QList<qint64> &, const QString &) override {}
    void addComment(qint64, const QString &) override {}
    void createSilence(const engine::Silence &silence) override
    {
        engine::Silence s = silence;
        QString error;
        m_store->createSilence(&s, actor(), &error);
        answer(s.id, error);
    }
    void expireSilence(qint64 id) override
    {
        QString error;
        m_store->expireSilence(id, actor(), &error);
        answer(id, error);
    }
    void deleteSilence(qint64 id) override
    {
        QString error;
        m_store->deleteSilence(id, actor(), &error);
        answer(id, error);
    }
    Store *store() { return m_store.get(); }

private:
    void answer(qint64 id, const QString &error)
    {
        QMetaObject::invokeMethod(this, [this, id, error] { emit silenceFinished(id, error); }, Qt::QueuedConnection);
    }
    DatabaseUrl m_url;
    std::unique_ptr<Store> m_store;
};

struct Spec
{
    const char *rule;
    const char *source;
    const char *fields;
    engine::AlertStatus status;
};
// Alerts 1..6.
const Spec kHistory[] = {
    {"Large transfer", "pay-1", R"({"country": "RU"})", engine::AlertStatus::New},
    {"Large transfer", "pay-1", R"({"country": "DE"})", engine::AlertStatus::Resolved},
    {"Card velocity", "pay-1", R"({"country": "RU"})", engine::AlertStatus::Acknowledged},
    {"Large transfer", "pay-2", R"({"country": "RU"})", engine::AlertStatus::New},
    {"Large transfer", "pay-1", R"({"country": "RU"})", engine::AlertStatus::New},
    {"Card velocity", "pay-3", R"({"country": "FR"})", engine::AlertStatus::Resolved},
};

bool fill(Store &store, QString *error)
{
    GeneratedChunk chunk;
    int i = 0;
    for (const Spec &s : kHistory) {
        GeneratedEvent e;
        e.eventId = QStringLiteral("h%1").arg(i);
        e.timeMs = kT0 + i * 60'000;
        e.type = engine::EventType::Transaction;
        e.sourceType = QStringLiteral("payments");
        e.sourceId = QString::fromLatin1(s.source);
        e.fieldsJson = QByteArray(s.fields);
        chunk.events.append(e);
        GeneratedAlert a;
        a.eventIndex = i;
        a.ruleName = QString::fromLatin1(s.rule);
        a.type = e.type;
        a.status = s.status;
        a.message = QStringLiteral("alert %1").arg(i + 1);
        a.sourceType = e.sourceType;
        a.sourceId = e.sourceId;
        a.createdAtMs = e.timeMs;
        a.detailsJson = "{}";
        chunk.alerts.append(a);
        ++i;
    }
    return store.insertGenerated(chunk, error);
}

QStringList column(const QTreeWidget *tree, int c)
{
    QStringList out;
    for (int i = 0; i < tree->topLevelItemCount(); ++i)
        out << tree->topLevelItem(i)->text(c);
    return out;
}

} // namespace

class TestSilencesUi : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void validationFromTheKeyboard();
    void expiryPresets();
    void previewIsExact_data();
    void previewIsExact();
    void similarSilenceSavedAndEndedFromTheList();
    void silenceSimilarFromTheConsole();
    void listModel();

private:
    QTemporaryDir m_dir;
    DatabaseUrl m_url;
    std::unique_ptr<Store> m_setup;
};

void TestSilencesUi::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("vigil-test"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_silences_ui"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_dir.path());
    QSettings().clear();
    m_url.path = m_dir.filePath(QStringLiteral("silences-ui.db"));
    QString error;
    m_setup = Store::open(m_url, QStringLiteral("setup"), &error);
    QVERIFY2(m_setup, qPrintable(error));
    QVERIFY2(fill(*m_setup, &error), qPrintable(error));
}

void TestSilencesUi::validationFromTheKeyboard()
{
    ui::SilenceDialog dialog(m_url);
    dialog.setRuleChoices({QStringLiteral("Card velocity"), QStringLiteral("Large transfer")});
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QLabel *problem = dialog.problemLabel();
    QCOMPARE(problem->text(), QStringLiteral("A silence needs at least one criterion: a rule, a source or a field value."));
    QVERIFY(!dialog.saveButton()->isEnabled());
    // Enter on the empty form does not close it.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QVERIFY(dialog.isVisible());

    // Tab order: rule, source, field, value, expiry, comment.
    QWidget *rule = QApplication::focusWidget();
    QCOMPARE(rule, dialog.findChild<QComboBox *>(QStringLiteral("silenceRule")));
    QTest::keyClick(rule, Qt::Key_Tab);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QWidget *field = QApplication::focusWidget();
    QCOMPARE(field->objectName(), QStringLiteral("silenceField"));
    QTest::keyClicks(field, QStringLiteral("fields..country"));
    QTest::keyClick(field, Qt::Key_Tab);
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("RU"));
    QCOMPARE(problem->text(), QStringLiteral("The field path 'fields..country' is not valid: write it as in rules, e.g. fields.country."));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab, Qt::ShiftModifier);
    QCOMPARE(QApplication::focusWidget(), field);
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(field, Qt::Key_Delete);
    QCOMPARE(problem->text(), QStringLiteral("Give the field path the value RU is compared with, e.g. fields.country."));
    QTest::keyClicks(field, QStringLiteral("fields.country"));
    QCOMPARE(problem->text(),
             QStringLiteral("Say in the comment why these alerts are silenced: the next analyst reads it in the list of silences."));
    QVERIFY(!dialog.saveButton()->isEnabled());
    QTest::keyClick(field, Qt::Key_Return);
    QVERIFY(dialog.isVisible());
    QTest::keyClick(field, Qt::Key_Escape);
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
}

void TestSilencesUi::expiryPresets()
{
    ui::SilenceDialog dialog(m_url);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    auto *expiry = dialog.findChild<QComboBox *>(QStringLiteral("silenceExpiry"));
    auto *custom = dialog.findChild<QDateTimeEdit *>(QStringLiteral("silenceCustomExpiry"));
    QCOMPARE(expiry->currentText(), QStringLiteral("4 hours")); // the default
    QVERIFY(!custom->isEnabled());
    const struct
    {
        Qt::Key key;
        qint64 ms;
    } steps[] = {{Qt::Key_Home, kHour}, {Qt::Key_Down, 4 * kHour}, {Qt::Key_Down, 24 * kHour}, {Qt::Key_Down, 7 * 24 * kHour}};
    for (const auto &step : steps) {
        QTest::keyClick(expiry, step.key);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        const qint64 expires = dialog.silence().expiresAtMs;
        const qint64 after = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(expires >= before + step.ms && expires <= after + step.ms);
    }
    QTest::keyClick(expiry, Qt::Key_End);
    QCOMPARE(expiry->currentIndex(), int(ui::SilenceDialog::Custom));
    QVERIFY(custom->isEnabled());
    const QDateTime chosen = QDateTime::currentDateTime().addDays(3);
    custom->setDateTime(chosen);
    QCOMPARE(dialog.silence().expiresAtMs / 60'000, chosen.toMSecsSinceEpoch() / 60'000);
}

void TestSilencesUi::previewIsExact_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("summary");
    QTest::addColumn<QStringList>("messages");
    QTest::newRow("rule and source") << QStringLiteral("Large transfer") << QStringLiteral("pay-1") << QString() << QString()
                                     << QStringLiteral("Matches 3 stored alerts: 2 open (new or acknowledged), 1 closed.")
                                     << QStringList{QStringLiteral("alert 5"), QStringLiteral("alert 2"), QStringLiteral("alert 1")};
    QTest::newRow("field value") << QString() << QString() << QStringLiteral("fields.country") << QStringLiteral("RU")
                                 << QStringLiteral("Matches 4 stored alerts: 4 open (new or acknowledged), 0 closed.")
                                 << QStringList{QStringLiteral("alert 5"), QStringLiteral("alert 4"), QStringLiteral("alert 3"),
                                                QStringLiteral("alert 1")};
    QTest::newRow("all three") << QStringLiteral("Large transfer") << QStringLiteral("pay-1") << QStringLiteral("country")
                               << QStringLiteral("RU")
                               << QStringLiteral("Matches 2 stored alerts: 2 open (new or acknowledged), 0 closed.")
                               << QStringList{QStringLiteral("alert 5"), QStringLiteral("alert 1")};
    QTest::newRow("none") << QString() << QStringLiteral("pay-404") << QString() << QString()
                          << QStringLiteral("Matches no stored alert.") << QStringList{};
}

void TestSilencesUi::previewIsExact()
{
    QFETCH(QString, rule);
    QFETCH(QString, source);
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(QString, summary);
    QFETCH(QStringList, messages);
    ui::SilenceDialog dialog(m_url);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QSignalSpy finished(&dialog, &ui::SilenceDialog::previewFinished);
    // Typed field by field, moving on with Tab.
    for (const QString &text : {rule, source, field, value}) {
        QTest::keyClicks(QApplication::focusWidget(), text);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    }
    QVERIFY(finished.wait(20000));
    // Typing restarts the 300 ms wait: one preview for the whole form.
    QCOMPARE(finished.count(), 1);
    QCOMPARE(dialog.summaryLabel()->text(), summary);
    QCOMPARE(column(dialog.matchList(), 4), messages);
}

void TestSilencesUi::similarSilenceSavedAndEndedFromTheList()
{
    SilenceBackend backend(m_url);
    QVERIFY(backend.store());
    QMainWindow window;
    ui::SilencesDock dock(&backend, &window);
    window.addDockWidget(Qt::BottomDockWidgetArea, &dock);
    dock.setConfirmations(false);
    QSignalSpy loaded(&dock, &ui::SilencesDock::loaded);
    QSignalSpy messages(&dock, &ui::SilencesDock::message);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    dock.refresh();
    QVERIFY(loaded.wait());
    QCOMPARE(loaded.last().at(0).toInt(), 0);

    // "Silence similar…" on alert 5: rule and source are filled in, the comment has the focus.
    dock.openDialog(QStringLiteral("Large transfer"), QStringLiteral("pay-1"));
    ui::SilenceDialog *dialog = dock.dialog();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowActive(dialog));
    QSignalSpy previewed(dialog, &ui::SilenceDialog::previewFinished);
    QTRY_COMPARE(QApplication::focusWidget()->objectName(), QStringLiteral("silenceComment"));
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("load test of the payments team"));
    QVERIFY(previewed.wait(20000));
    QCOMPARE(dialog->lastPreview().matched, 3);
    QVERIFY(dialog->saveButton()->isEnabled());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_COMPARE(messages.count(), 1);
    QTRY_COMPARE(dock.model()->rowCount(), 1);
    QCOMPARE(messages.last().at(0).toString(), QStringLiteral("Silence saved: rule = \"Large transfer\", source = \"pay-1\"."));
    SilenceListModel *model = dock.model();
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->index(0, SilenceListModel::State).data().toString(), QStringLiteral("Active"));
    QCOMPARE(model->index(0, SilenceListModel::Criteria).data().toString(), QStringLiteral("rule = \"Large transfer\", source = \"pay-1\""));
    QCOMPARE(model->index(0, SilenceListModel::Comment).data().toString(), QStringLiteral("load test of the payments team"));
    QCOMPARE(model->index(0, SilenceListModel::CreatedBy).data().toString(), QStringLiteral("alice"));
    QCOMPARE(model->index(0, SilenceListModel::Matched).data().toString(), QStringLiteral("0"));
    QVERIFY(dock.expireAction()->isEnabled());

    // Delete in the list ends it (confirmations are off in this test).
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    dock.view()->setFocus();
    QTRY_COMPARE(QApplication::focusWidget(), dock.view());
    QCOMPARE(dock.view()->currentIndex().row(), 0);
    QTest::keyClick(dock.view(), Qt::Key_Delete);
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.last().at(0).toString(), QStringLiteral("Silence 1 ended."));
    QTRY_COMPARE(model->index(0, SilenceListModel::State).data().toString(), QStringLiteral("Ended by alice"));
    QVERIFY(!dock.expireAction()->isEnabled());
    QString error;
    QList<engine::Silence> active;
    QVERIFY(backend.store()->activeSilences(QDateTime::currentMSecsSinceEpoch(), &active, &error));
    QCOMPARE(active.size(), 0);
    // Shift+Delete removes it: it never silenced an alert.
    QTest::keyClick(dock.view(), Qt::Key_Delete, Qt::ShiftModifier);
    QTRY_COMPARE(messages.count(), 3);
    QCOMPARE(messages.last().at(0).toString(), QStringLiteral("Silence 1 deleted."));
    QTRY_COMPARE(model->rowCount(), 0);
}

void TestSilencesUi::silenceSimilarFromTheConsole()
{
    SilenceBackend backend(m_url);
    ui::MainWindow window(&backend);
    window.setConfirmations(false);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.loadAlerts();
    QTRY_COMPARE(window.alertModel()->rowCount(), int(std::size(kHistory)));
    QTRY_VERIFY(window.alertView()->currentIndex().isValid());
    window.alertView()->setFocus();
    QTRY_VERIFY(window.alertView()->hasFocus());

    // The menu shows the shortcuts.
    QMenu *menu = nullptr;
    for (QAction *a : window.menuBar()->actions())
        if (a->text() == QStringLiteral("&Silences"))
            menu = a->menu();
    QVERIFY(menu);
    QStringList entries;
    for (QAction *a : menu->actions())
        if (!a->isSeparator())
            entries << a->text() + QLatin1Char('\t') + a->shortcut().toString();
    QCOMPARE(entries, (QStringList{QStringLiteral("Silence &Similar…\tS"), QStringLiteral("&New Silence…\tShift+S"),
                                   QStringLiteral("Show Silences &List\tCtrl+Shift+S"),
                                   QStringLiteral("&End Silence Now…\tDel"), QStringLiteral("&Delete Silence…\tShift+Del")}));

    // S on the newest alert (6: Card velocity on pay-3) opens the dialog filled in from it.
    QTest::keyClick(window.alertView(), Qt::Key_S);
    QTRY_VERIFY(window.silencesDock()->dialog());
    ui::SilenceDialog *dialog = window.silencesDock()->dialog();
    QCOMPARE(dialog->silence().ruleName, QStringLiteral("Card velocity"));
    QCOMPARE(dialog->silence().sourceId, QStringLiteral("pay-3"));
    QTRY_VERIFY(dialog->isActiveWindow());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
    QTRY_VERIFY(!window.silencesDock()->dialog());

    // "Show silenced" in the filter bar reaches the query.
    QVERIFY(!window.alertModel()->query().showSilenced);
    QCheckBox *box = window.filterBar()->showSilencedBox();
    box->setFocus();
    QTest::keyClick(box, Qt::Key_Space);
    QTRY_VERIFY(window.alertModel()->query().showSilenced);
    const QJsonObject view = window.filterBar()->viewJson(window.alertModel()->query());
    QCOMPARE(view.value(QStringLiteral("silenced")).toBool(), true);
    window.filterBar()->clearFilters();
    QVERIFY(!box->isChecked());
    window.filterBar()->applyView(view, nullptr);
    QVERIFY(box->isChecked());
}

void TestSilencesUi::listModel()
{
    SilenceListModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    engine::Silence a;
    a.id = 4;
    a.sourceId = QStringLiteral("pay-1");
    a.comment = QStringLiteral("noisy");
    a.createdBy = QStringLiteral("alice");
    a.createdAtMs = kT0;
    a.expiresAtMs = kT0 + kHour;
    a.matchedCount = 12345;
    engine::Silence b = a;
    b.id = 3;
    b.sourceId.clear();
    b.fieldPath = QStringLiteral("fields.amount");
    b.fieldValue = 42;
    b.expiresAtMs = kT0 + 10;
    b.expiredBy = QStringLiteral("bob");
    model.setSilences({a, b}, kT0 + 100);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(SilenceListModel::ColumnCount));
    QCOMPARE(model.index(0, SilenceListModel::State).data().toString(), QStringLiteral("Active"));
    QCOMPARE(model.index(1, SilenceListModel::State).data().toString(), QStringLiteral("Ended by bob"));
    QCOMPARE(model.index(1, SilenceListModel::Criteria).data().toString(), QStringLiteral("fields.amount = 42"));
    QCOMPARE(model.index(0, SilenceListModel::Matched).data().toString(), QLocale().toString(12345));
    QCOMPARE(model.index(1, 0).data(SilenceListModel::SilenceIdRole).toLongLong(), 3);
    QCOMPARE(model.index(0, 0).data(SilenceListModel::ActiveRole).toBool(), true);
    QCOMPARE(model.rowOfSilence(3), 1);
    QCOMPARE(model.rowOfSilence(99), -1);
    // Later, the first has expired too.
    model.setSilences({a, b}, kT0 + kHour);
    QCOMPARE(resets.count(), 2);
    QCOMPARE(model.index(0, SilenceListModel::State).data().toString(), QStringLiteral("Expired"));
    model.setSilences({}, kT0);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(resets.count(), 3);
}

QTEST_MAIN(TestSilencesUi)
#include "tst_silences_ui.moc"
