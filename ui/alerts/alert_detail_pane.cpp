#include "alert_detail_pane.h"

#include "engine/events/event.h"

#include <QDateTime>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace vigil::ui {

namespace {
QString scalarText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::String: return v.toString();
    case QJsonValue::Double: return QString::number(v.toDouble(), 'g', 15);
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null: return QStringLiteral("null");
    default: return {};
    }
}

void addJson(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value)
{
    auto *item = new QTreeWidgetItem(parent, {key, scalarText(value)});
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            addJson(item, it.key(), it.value());
        item->setExpanded(true);
    } else if (value.isArray()) {
        const QJsonArray a = value.toArray();
        for (qsizetype i = 0; i < a.size(); ++i)
            addJson(item, QStringLiteral("[%1]").arg(i), a.at(i));
        item->setExpanded(true);
    }
}

QString timeText(qint64 ms)
{
    return ms ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QLocale::LongFormat) : QString();
}
} // namespace

AlertDetailPane::AlertDetailPane(QWidget *parent) : QWidget(parent)
{
    m_title = new QLabel(this);
    m_title->setWordWrap(true);
    m_title->setTextFormat(Qt::PlainText);
    QFont f = m_title->font();
    f.setBold(true);
    m_title->setFont(f);
    m_tree = new QTreeWidget(this);
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Field"), tr("Value")});
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    setFocusProxy(m_tree);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_tree);
    clear();
}

void AlertDetailPane::showLoading(qint64 alertId)
{
    if (alertId == m_alertId)
        return;
    m_alertId = alertId;
    m_eventItem = nullptr;
    m_tree->clear();
    m_title->setText(tr("Alert %1: loading…").arg(alertId));
}

void AlertDetailPane::showHistory(qint64 alertId, const QList<models::AlertHistoryEntry> &entries)
{
    if (alertId != m_alertId)
        return;
    auto *history = new QTreeWidgetItem(m_tree, {tr("History"), entries.isEmpty() ? tr("no responses yet") : QString()});
    for (const models::AlertHistoryEntry &e : entries) {
        QString what = e.action == QStringLiteral("COMMENT") ? tr("comment") : e.action.toLower().replace(QLatin1Char('_'), QLatin1Char(' '));
        if (!e.success)
            what = tr("%1 (refused: already taken)").arg(what);
        auto *item = new QTreeWidgetItem(history, {QLocale().toString(QDateTime::fromMSecsSinceEpoch(e.timeMs), QLocale::ShortFormat),
                                                   tr("%1 — %2").arg(e.user, what)
                                                       + (e.text.isEmpty() ? QString() : QStringLiteral(": ") + e.text)});
        item->setToolTip(1, e.text);
    }
    history->setExpanded(true);
}

void AlertDetailPane::clear()
{
    m_alertId = 0;
    m_eventItem = nullptr;
    m_tree->clear();
    m_title->setText(tr("Select an alert to see its details."));
}

void AlertDetailPane::showAlert(const models::AlertRecord &a)
{
    m_alertId = a.id;
    m_tree->clear();
    m_title->setText(a.message);
    auto *alert = new QTreeWidgetItem(m_tree, {tr("Alert %1").arg(a.id)});
    const auto add = [alert](const QString &k, const QString &v) {
        if (!v.isEmpty())
            new QTreeWidgetItem(alert, {k, v});
    };
    add(tr("Rule"), a.ruleName);
    add(tr("Severity"), engine::toString(a.severity));
    add(tr("Type"), engine::toString(a.type));
    add(tr("Status"), engine::toString(a.status));
    add(tr("Raised"), timeText(a.createdAtMs));
    add(tr("Source"), a.sourceType + QLatin1Char(' ') + a.sourceId);
    add(tr("Acknowledged by"), a.acknowledgedBy);
    add(tr("Acknowledged at"), timeText(a.acknowledgedAtMs));
    add(tr("Resolved by"), a.resolvedBy);
    add(tr("Resolved at"), timeText(a.resolvedAtMs));
    add(tr("Notes"), a.resolutionNotes);
    alert->setExpanded(true);

    const QJsonArray conditions = a.details.value(QStringLiteral("conditions")).toArray();
    if (!conditions.isEmpty()) {
        auto *matched = new QTreeWidgetItem(m_tree, {tr("Conditions")});
        for (const QJsonValue &v : conditions) {
            const QJsonObject c = v.toObject();
            const QString value = c.value(QStringLiteral("value")).isArray()
                ? QString::fromUtf8(QJsonDocument(c.value(QStringLiteral("value")).toArray()).toJson(QJsonDocument::Compact))
                : scalarText(c.value(QStringLiteral("value")));
            QString what;
            if (c.contains(QStringLiteral("aggregate"))) {
                const QString field = c.value(QStringLiteral("field")).toString();
                what = tr("%1%2 within %3 %4 %5")
                           .arg(c.value(QStringLiteral("aggregate")).toString(),
                                field.isEmpty() ? QString() : QStringLiteral("(%1)").arg(field),
                                c.value(QStringLiteral("window")).toString(), c.value(QStringLiteral("op")).toString(), value);
                if (c.contains(QStringLiteral("group_by")))
                    what += tr(" per %1 = %2").arg(c.value(QStringLiteral("group_by")).toString(),
                                                   c.value(QStringLiteral("group")).toString());
            } else {
                what = QStringLiteral("%1 %2 %3").arg(c.value(QStringLiteral("field")).toString(),
                                                      c.value(QStringLiteral("op")).toString(), value);
            }
            const QJsonValue actual = c.value(QStringLiteral("actual"));
            const QString result = c.value(QStringLiteral("matched")).toBool() ? tr("✔ matched") : tr("✘ not matched");
            auto *item = new QTreeWidgetItem(matched, {what, actual.isUndefined() ? tr("%1 — field missing").arg(result)
                                                                                 : tr("%1 — actual %2").arg(result, scalarText(actual))});
            item->setToolTip(0, what);
        }
        matched->setExpanded(true);
    }
    m_eventItem = new QTreeWidgetItem(m_tree, {tr("Event %1").arg(a.eventId), tr("loading…")});
    m_eventItem->setExpanded(true);
}

void AlertDetailPane::showEvent(qint64 alertId, const QJsonObject &event, const QString &error)
{
    if (alertId != m_alertId || !m_eventItem)
        return;
    if (!error.isEmpty()) {
        m_eventItem->setText(1, error);
        return;
    }
    m_eventItem->setText(1, QString());
    for (const QString &key : {QStringLiteral("id"), QStringLiteral("time"), QStringLiteral("type"),
                               QStringLiteral("source_type"), QStringLiteral("source_id")})
        new QTreeWidgetItem(m_eventItem, {key, event.value(key).toString()});
    addJson(m_eventItem, QStringLiteral("fields"), event.value(QStringLiteral("fields")));
    m_eventItem->setExpanded(true);
}

} // namespace vigil::ui
