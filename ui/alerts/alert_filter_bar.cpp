#include "alert_filter_bar.h"

#include <QComboBox>
#include <QDateTime>
#include <QCheckBox>
#include <QHBoxLayout>
#include <QVBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QTimer>
#include <QToolButton>

namespace vigil::ui {

namespace {
constexpr qint64 kHourMs = 3'600'000;

// Severity choices: the data is the list of severities as ints.
struct Choice
{
    const char *label;
    QList<int> values;
};

QVariant intList(const QList<int> &v)
{
    QVariantList out;
    for (int i : v)
        out.append(i);
    return out;
}

QList<int> fromIntList(const QVariant &v)
{
    QList<int> out;
    for (const QVariant &i : v.toList())
        out.append(i.toInt());
    return out;
}

void selectData(QComboBox *box, const QVariant &value)
{
    const int i = box->findData(value);
    box->setCurrentIndex(i >= 0 ? i : 0);
}
} // namespace

AlertFilterBar::AlertFilterBar(QWidget *parent) : QWidget(parent)
{
    using engine::AlertStatus;
    using engine::Severity;
    m_view = new QComboBox(this);
    m_view->setObjectName(QStringLiteral("viewCombo"));
    m_view->setToolTip(tr("Saved views: filters and sort, by name"));
    auto *save = new QToolButton(this);
    save->setText(tr("Save View…"));
    save->setObjectName(QStringLiteral("saveViewButton"));

    m_severity = new QComboBox(this);
    m_severity->setObjectName(QStringLiteral("severityFilter"));
    m_severity->addItem(tr("Any severity"), intList({}));
    m_severity->addItem(tr("Critical"), intList({int(Severity::Critical)}));
    m_severity->addItem(tr("High and critical"), intList({int(Severity::High), int(Severity::Critical)}));
    m_severity->addItem(tr("High"), intList({int(Severity::High)}));
    m_severity->addItem(tr("Medium"), intList({int(Severity::Medium)}));
    m_severity->addItem(tr("Low"), intList({int(Severity::Low)}));

    m_status = new QComboBox(this);
    m_status->setObjectName(QStringLiteral("statusFilter"));
    m_status->addItem(tr("Any status"), intList({}));
    m_status->addItem(tr("Open (new or acknowledged)"), intList({int(AlertStatus::New), int(AlertStatus::Acknowledged)}));
    m_status->addItem(tr("New"), intList({int(AlertStatus::New)}));
    m_status->addItem(tr("Acknowledged"), intList({int(AlertStatus::Acknowledged)}));
    m_status->addItem(tr("Resolved"), intList({int(AlertStatus::Resolved)}));
    m_status->addItem(tr("False positive"), intList({int(AlertStatus::FalsePositive)}));
    m_status->addItem(tr("Closed (resolved or false positive)"), intList({int(AlertStatus::Resolved), int(AlertStatus::FalsePositive)}));

    m_type = new QComboBox(this);
    m_type->setObjectName(QStringLiteral("typeFilter"));
    m_type->addItem(tr("Any type"), -1);
    m_type->addItem(tr("Transaction"), int(engine::EventType::Transaction));
    m_type->addItem(tr("Security"), int(engine::EventType::Security));
    m_type->addItem(tr("Inventory"), int(engine::EventType::Inventory));
    m_type->addItem(tr("System"), int(engine::EventType::System));
    m_type->addItem(tr("Compliance"), int(engine::EventType::Compliance));

    m_rule = new QComboBox(this);
    m_rule->setObjectName(QStringLiteral("ruleFilter"));
    m_rule->addItem(tr("Any rule"), QString());

    m_assignee = new QComboBox(this);
    m_assignee->setObjectName(QStringLiteral("assigneeFilter"));
    m_assignee->addItem(tr("Anyone"), QString());
    m_assignee->addItem(tr("Assigned to me"), QStringLiteral("@me"));
    m_assignee->addItem(tr("Unassigned"), QStringLiteral("-"));

    m_time = new QComboBox(this);
    m_time->setObjectName(QStringLiteral("timeFilter"));
    m_time->addItem(tr("Any time"), 0);
    m_time->addItem(tr("Last hour"), 1);
    m_time->addItem(tr("Last 24 hours"), 24);
    m_time->addItem(tr("Last 7 days"), 24 * 7);
    m_time->addItem(tr("Last 30 days"), 24 * 30);

    m_source = new QLineEdit(this);
    m_source->setObjectName(QStringLiteral("sourceFilter"));
    m_source->setPlaceholderText(tr("Source id"));
    m_source->setClearButtonEnabled(true);
    m_source->setMaximumWidth(140);

    // Silenced alerts are stored but left out unless asked for.
    m_silenced = new QCheckBox(tr("Show si&lenced"), this);
    m_silenced->setObjectName(QStringLiteral("showSilenced"));
    m_silenced->setToolTip(tr("Include the alerts that silences hid when they arrived"));

    m_text = new QLineEdit(this);
    m_text->setObjectName(QStringLiteral("textFilter"));
    m_text->setPlaceholderText(tr("Search message, rule, source and event fields ( / )"));
    m_text->setClearButtonEnabled(true);

    m_typing = new QTimer(this);
    m_typing->setSingleShot(true);
    m_typing->setInterval(300);
    connect(m_typing, &QTimer::timeout, this, &AlertFilterBar::changed);

    // Two rows: the search and the views on top, the choices below.
    auto *top = new QHBoxLayout;
    top->addWidget(m_text, 1);
    top->addSpacing(8);
    top->addWidget(new QLabel(tr("View:"), this));
    top->addWidget(m_view);
    top->addWidget(save);
    auto *choices = new QHBoxLayout;
    for (QComboBox *box : {m_severity, m_status, m_type, m_rule, m_assignee, m_time}) {
        box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        box->setMinimumContentsLength(9);
        choices->addWidget(box);
        connect(box, &QComboBox::currentIndexChanged, this, &AlertFilterBar::changed);
    }
    choices->addWidget(m_source);
    choices->addWidget(m_silenced);
    connect(m_silenced, &QCheckBox::toggled, this, &AlertFilterBar::changed);
    choices->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addLayout(choices);
    connect(m_text, &QLineEdit::textEdited, m_typing, qOverload<>(&QTimer::start));
    connect(m_source, &QLineEdit::textEdited, m_typing, qOverload<>(&QTimer::start));
    connect(m_text, &QLineEdit::returnPressed, this, &AlertFilterBar::changed);
    connect(m_source, &QLineEdit::returnPressed, this, &AlertFilterBar::changed);
    connect(save, &QToolButton::clicked, this, &AlertFilterBar::saveViewRequested);
    connect(m_view, &QComboBox::activated, this, [this](int index) {
        if (index > 0)
            emit viewChosen(m_view->itemText(index));
    });
    reloadViews(QString());
}

void AlertFilterBar::changed()
{
    m_typing->stop();
    if (m_applying)
        return;
    if (m_view->currentIndex() > 0) {
        // Changing a filter leaves the saved view (its name no longer describes the rows).
        QSignalBlocker block(m_view);
        m_view->setCurrentIndex(0);
    }
    emit queryChanged();
}

models::AlertQuery AlertFilterBar::query() const
{
    models::AlertQuery q;
    for (int s : fromIntList(m_severity->currentData()))
        q.severities.append(engine::Severity(s));
    for (int s : fromIntList(m_status->currentData()))
        q.statuses.append(engine::AlertStatus(s));
    if (m_type->currentData().toInt() >= 0)
        q.types.append(engine::EventType(m_type->currentData().toInt()));
    if (!m_rule->currentData().toString().isEmpty())
        q.rules.append(m_rule->currentData().toString());
    const QString assignee = m_assignee->currentData().toString();
    q.assignee = assignee == QStringLiteral("@me") ? m_me : assignee;
    if (const int hours = m_time->currentData().toInt(); hours > 0)
        q.fromMs = QDateTime::currentMSecsSinceEpoch() - hours * kHourMs;
    q.source = m_source->text().trimmed();
    q.text = m_text->text().trimmed();
    q.showSilenced = m_silenced->isChecked();
    return q;
}

void AlertFilterBar::setChoices(const QStringList &rules, const QStringList &users)
{
    m_applying = true;
    const QString rule = m_rule->currentData().toString();
    const QString assignee = m_assignee->currentData().toString();
    while (m_rule->count() > 1)
        m_rule->removeItem(1);
    for (const QString &r : rules)
        m_rule->addItem(r, r);
    selectData(m_rule, rule);
    while (m_assignee->count() > 3)
        m_assignee->removeItem(3);
    for (const QString &u : users)
        m_assignee->addItem(u, u);
    selectData(m_assignee, assignee);
    m_applying = false;
}

void AlertFilterBar::focusText()
{
    m_text->setFocus(Qt::ShortcutFocusReason);
    m_text->selectAll();
}

void AlertFilterBar::clearFilters()
{
    m_applying = true;
    for (QComboBox *box : {m_severity, m_status, m_type, m_rule, m_assignee, m_time})
        box->setCurrentIndex(0);
    m_source->clear();
    m_text->clear();
    m_silenced->setChecked(false);
    m_applying = false;
    changed();
}

QJsonObject AlertFilterBar::viewJson(const models::AlertQuery &sorted) const
{
    return QJsonObject{
        {QStringLiteral("severity"), m_severity->currentIndex()},
        {QStringLiteral("status"), m_status->currentIndex()},
        {QStringLiteral("type"), m_type->currentIndex()},
        {QStringLiteral("rule"), m_rule->currentData().toString()},
        {QStringLiteral("assignee"), m_assignee->currentData().toString()},
        {QStringLiteral("time"), m_time->currentIndex()},
        {QStringLiteral("source"), m_source->text()},
        {QStringLiteral("text"), m_text->text()},
        {QStringLiteral("silenced"), m_silenced->isChecked()},
        {QStringLiteral("sort"), int(sorted.sortKey)},
        {QStringLiteral("descending"), sorted.descending},
    };
}

void AlertFilterBar::applyView(const QJsonObject &v, models::AlertQuery *sorted)
{
    m_applying = true;
    m_severity->setCurrentIndex(std::clamp(v.value(QStringLiteral("severity")).toInt(), 0, m_severity->count() - 1));
    m_status->setCurrentIndex(std::clamp(v.value(QStringLiteral("status")).toInt(), 0, m_status->count() - 1));
    m_type->setCurrentIndex(std::clamp(v.value(QStringLiteral("type")).toInt(), 0, m_type->count() - 1));
    const QString rule = v.value(QStringLiteral("rule")).toString();
    if (!rule.isEmpty() && m_rule->findData(rule) < 0)
        m_rule->addItem(rule, rule); // the rule list may not have arrived yet
    selectData(m_rule, rule);
    const QString assignee = v.value(QStringLiteral("assignee")).toString();
    if (!assignee.isEmpty() && m_assignee->findData(assignee) < 0)
        m_assignee->addItem(assignee, assignee);
    selectData(m_assignee, assignee);
    m_time->setCurrentIndex(std::clamp(v.value(QStringLiteral("time")).toInt(), 0, m_time->count() - 1));
    m_source->setText(v.value(QStringLiteral("source")).toString());
    m_text->setText(v.value(QStringLiteral("text")).toString());
    m_silenced->setChecked(v.value(QStringLiteral("silenced")).toBool(false));
    m_applying = false;
    if (sorted) {
        sorted->sortKey = models::AlertSortKey(std::clamp(v.value(QStringLiteral("sort")).toInt(), 0, int(models::AlertSortKey::LastSeen)));
        sorted->descending = v.value(QStringLiteral("descending")).toBool(true);
    }
}

QString AlertFilterBar::settingsKey(const QString &name)
{
    return QStringLiteral("alertViews/") + QString::fromLatin1(name.toUtf8().toHex());
}

QStringList AlertFilterBar::viewNames() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("alertViews"));
    QStringList names;
    for (const QString &key : settings.childKeys())
        names.append(QString::fromUtf8(QByteArray::fromHex(key.toLatin1())));
    names.sort(Qt::CaseInsensitive);
    return names;
}

bool AlertFilterBar::saveView(const QString &name, const models::AlertQuery &sorted)
{
    if (name.trimmed().isEmpty())
        return false;
    QJsonObject v = viewJson(sorted);
    QSettings().setValue(settingsKey(name.trimmed()), QString::fromUtf8(QJsonDocument(v).toJson(QJsonDocument::Compact)));
    reloadViews(name.trimmed());
    return true;
}

void AlertFilterBar::deleteView(const QString &name)
{
    QSettings().remove(settingsKey(name));
    reloadViews(QString());
}

QJsonObject AlertFilterBar::storedView(const QString &name) const
{
    return QJsonDocument::fromJson(QSettings().value(settingsKey(name)).toString().toUtf8()).object();
}

QString AlertFilterBar::currentView() const
{
    return m_view->currentIndex() > 0 ? m_view->currentText() : QString();
}

void AlertFilterBar::reloadViews(const QString &select)
{
    QSignalBlocker block(m_view);
    m_view->clear();
    m_view->addItem(tr("(unsaved)"));
    for (const QString &name : viewNames())
        m_view->addItem(name);
    const int i = select.isEmpty() ? 0 : m_view->findText(select);
    m_view->setCurrentIndex(std::max(0, i));
}

} // namespace vigil::ui
