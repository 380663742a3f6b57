#include "alert_detail_pane.h"

#include "engine/events/event.h"

#include <algorithm>
#include <cmath>

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCursor>
#include <QDateTime>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QToolTip>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QValueAxis>

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

    // The anomaly's explanation: which features made the score, as shares of it.
    m_anomalyBox = new QWidget(this);
    m_anomalyBox->setObjectName(QStringLiteral("anomalyBox"));
    m_model = new QLabel(m_anomalyBox);
    m_model->setObjectName(QStringLiteral("modelLabel"));
    m_model->setWordWrap(true);
    m_model->setTextFormat(Qt::PlainText);
    m_chart = new QChart;
    m_chart->legend()->hide();
    m_chart->setAnimationOptions(QChart::NoAnimation);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chartView = new QChartView(m_chart, m_anomalyBox);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(180);
    m_chartView->setFocusPolicy(Qt::NoFocus);
    auto *anomalyLayout = new QVBoxLayout(m_anomalyBox);
    anomalyLayout->setContentsMargins(0, 4, 0, 0);
    anomalyLayout->addWidget(m_model);
    anomalyLayout->addWidget(m_chartView);

    // Other alerts from the same source: Enter or a double-click goes to one.
    m_relatedBox = new QWidget(this);
    m_relatedTitle = new QLabel(m_relatedBox);
    m_relatedTitle->setTextFormat(Qt::PlainText);
    m_relatedTitle->setWordWrap(true);
    m_related = new QTreeWidget(m_relatedBox);
    m_related->setObjectName(QStringLiteral("relatedAlerts"));
    m_related->setColumnCount(4);
    m_related->setHeaderLabels({tr("Time"), tr("Severity"), tr("Status"), tr("Alert")});
    m_related->setRootIsDecorated(false);
    m_related->setUniformRowHeights(true);
    m_related->setAlternatingRowColors(true);
    m_related->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_related->header()->setStretchLastSection(true);
    m_relatedTitle->setBuddy(m_related);
    connect(m_related, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (const qint64 id = item->data(0, Qt::UserRole).toLongLong())
            emit relatedAlertActivated(id);
    });
    auto *relatedLayout = new QVBoxLayout(m_relatedBox);
    relatedLayout->setContentsMargins(0, 4, 0, 0);
    relatedLayout->addWidget(m_relatedTitle);
    relatedLayout->addWidget(m_related);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(m_tree);
    m_splitter->addWidget(m_anomalyBox);
    m_splitter->addWidget(m_relatedBox);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setStretchFactor(2, 1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_splitter);
    clear();
}

void AlertDetailPane::resetExtras()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis; // removeAxis() hands it back
    }
    m_anomalyBox->hide();
    m_model->clear();
    m_related->clear();
    m_relatedTitle->setText(tr("Related alerts from the same source"));
    m_relatedBox->setVisible(m_alertId != 0);
}

void AlertDetailPane::showAnomaly(qint64 alertId, const models::AnomalyExplanation &x)
{
    if (alertId != m_alertId)
        return;
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis; // removeAxis() hands it back
    }
    if (x.modelId == 0) {
        m_anomalyBox->hide();
        return;
    }
    m_model->setText(tr("Model %1, version %2%3 · score %4 (threshold %5)")
                         .arg(x.modelName)
                         .arg(x.modelVersion)
                         .arg(x.modelType.isEmpty() ? QString() : tr(" (%1)").arg(x.modelType.toLower().replace(QLatin1Char('_'), QLatin1Char(' '))))
                         .arg(QLocale().toString(x.score, 'f', 4), QLocale().toString(x.threshold, 'g', 4)));
    const int n = int(std::min<qsizetype>(kChartFeatures, x.contributions.size()));
    m_chart->setTitle(n == 0 ? tr("No feature stands out") : tr("Share of the anomaly score, top %n feature(s)", nullptr, n));
    if (n > 0) {
        // A horizontal bar chart draws its first category at the bottom: the largest share
        // goes last so it is read first.
        auto *set = new QBarSet(tr("Share of the score"));
        QStringList categories;
        double largest = 0;
        for (int i = n - 1; i >= 0; --i) {
            const models::FeatureContribution &c = x.contributions.at(i);
            set->append(c.contribution * 100.0);
            categories.append(c.feature);
            largest = std::max(largest, c.contribution * 100.0);
        }
        const QList<models::FeatureContribution> shown = x.contributions.mid(0, n);
        connect(set, &QBarSet::hovered, m_chartView, [this, shown, n](bool status, int index) {
            if (!status || index < 0 || index >= n) {
                QToolTip::hideText();
                return;
            }
            const models::FeatureContribution &c = shown.at(n - 1 - index);
            QToolTip::showText(QCursor::pos(), tr("%1 = %2: %3% of the score")
                                                   .arg(c.feature, QLocale().toString(c.value, 'g', 6),
                                                        QLocale().toString(c.contribution * 100.0, 'f', 1)),
                               m_chartView);
        });
        auto *series = new QHorizontalBarSeries;
        series->append(set);
        series->setLabelsVisible(true);
        series->setLabelsFormat(QStringLiteral("@value %"));
        series->setLabelsPrecision(3);
        series->setBarWidth(0.7);
        m_chart->addSeries(series);
        auto *features = new QBarCategoryAxis;
        features->append(categories);
        m_chart->addAxis(features, Qt::AlignLeft);
        series->attachAxis(features);
        auto *shares = new QValueAxis;
        const double top = std::clamp(std::ceil(largest * 1.15 / 10.0) * 10.0, 10.0, 100.0);
        shares->setRange(0, top);
        shares->setTickType(QValueAxis::TicksDynamic);
        shares->setTickAnchor(0);
        shares->setTickInterval(top <= 50 ? 10 : 20);
        shares->setLabelFormat(QStringLiteral("%d %"));
        m_chart->addAxis(shares, Qt::AlignBottom);
        series->attachAxis(shares);
        m_chartView->setMinimumHeight(std::max(180, 60 + 26 * n));
    }
    m_anomalyBox->show();
}

void AlertDetailPane::showRelated(qint64 alertId, const QString &source, const QList<models::AlertRow> &alerts,
                                  const QString &error)
{
    if (alertId != m_alertId)
        return;
    m_related->clear();
    m_relatedBox->show();
    if (!error.isEmpty()) {
        m_relatedTitle->setText(tr("Related alerts from %1 cannot be shown: %2").arg(source, error));
        return;
    }
    m_relatedTitle->setText(alerts.isEmpty() ? tr("No other alert from %1.").arg(source)
                                             : tr("Latest %n other alert(s) from %1 (Enter to go to one):", nullptr,
                                                  int(alerts.size())).arg(source));
    QList<QTreeWidgetItem *> items;
    for (const models::AlertRow &r : alerts) {
        auto *item = new QTreeWidgetItem({QLocale().toString(QDateTime::fromMSecsSinceEpoch(r.createdAtMs), QLocale::ShortFormat),
                                          engine::toString(r.severity), engine::toString(r.status),
                                          tr("%1: %2").arg(r.ruleName, r.message)});
        item->setData(0, Qt::UserRole, r.id);
        item->setToolTip(3, tr("Alert %1 — %2: %3").arg(r.id).arg(r.ruleName, r.message));
        items.append(item);
    }
    m_related->addTopLevelItems(items);
}

void AlertDetailPane::showLoading(qint64 alertId)
{
    if (alertId == m_alertId)
        return;
    m_alertId = alertId;
    m_eventItem = nullptr;
    m_tree->clear();
    m_historyItem = nullptr;
    resetExtras();
    m_title->setText(tr("Alert %1: loading…").arg(alertId));
}

QString AlertDetailPane::channelName(const QString &channel)
{
    if (channel == QLatin1String("EMAIL"))
        return tr("Email");
    if (channel == QLatin1String("SLACK"))
        return tr("Slack");
    if (channel == QLatin1String("SMS"))
        return tr("SMS");
    if (channel == QLatin1String("WEBHOOK"))
        return tr("Webhook");
    if (channel == QLatin1String("WEBSOCKET"))
        return tr("WebSocket");
    if (channel == QLatin1String("DESKTOP"))
        return tr("Desktop");
    return channel;
}

QString AlertDetailPane::notificationText(const models::AlertHistoryEntry &n)
{
    const QString channel = channelName(n.channel);
    if (n.status == QLatin1String("SENT")) {
        if (n.channel == QLatin1String("DESKTOP"))
            return n.text.isEmpty() ? tr("%1: shown").arg(channel) : tr("%1: shown to %2").arg(channel, n.text);
        return n.text.isEmpty() ? tr("%1: sent").arg(channel) : tr("%1: sent to %2").arg(channel, n.text);
    }
    if (n.status == QLatin1String("FAILED")) {
        const QString attempts = n.attempts == 1 ? tr("1 attempt") : tr("%1 attempts").arg(n.attempts);
        return n.lastError.isEmpty() ? tr("%1: failed after %2").arg(channel, attempts)
                                     : tr("%1: failed after %2: %3").arg(channel, attempts, n.lastError);
    }
    // PENDING: in the outbox.
    if (n.attempts > 0)
        return n.lastError.isEmpty() ? tr("%1: queued, %2 attempts so far").arg(channel).arg(n.attempts)
                                     : tr("%1: queued, %2 attempts so far (last: %3)").arg(channel).arg(n.attempts).arg(n.lastError);
    QString sender;
    if (n.channel == QLatin1String("EMAIL"))
        sender = tr("no email sender is set up yet");
    else if (n.channel == QLatin1String("SLACK"))
        sender = tr("no Slack sender is set up yet");
    else if (n.channel == QLatin1String("SMS"))
        sender = tr("no SMS sender is set up yet");
    else if (n.channel == QLatin1String("WEBHOOK"))
        sender = tr("no webhook sender is set up yet");
    else
        sender = tr("no %1 sender is set up yet").arg(channel);
    return tr("%1: queued — %2").arg(channel, sender);
}

void AlertDetailPane::showHistory(qint64 alertId, const QList<models::AlertHistoryEntry> &responses,
                                  const QList<models::AlertNotification> &notifications)
{
    if (alertId != m_alertId)
        return;
    const QList<models::AlertHistoryEntry> entries = models::mergedHistory(responses, notifications);
    auto *history = new QTreeWidgetItem({tr("History"), entries.isEmpty() ? tr("no responses yet") : QString()});
    if (m_historyItem) {
        // In the place of the one shown; the keyboard stays on the history if it was in it.
        const int at = m_tree->indexOfTopLevelItem(m_historyItem);
        const QTreeWidgetItem *current = m_tree->currentItem();
        const bool wasCurrent = current && (current == m_historyItem || current->parent() == m_historyItem);
        delete m_historyItem;
        m_tree->insertTopLevelItem(at, history);
        if (wasCurrent)
            m_tree->setCurrentItem(history);
    } else {
        m_tree->addTopLevelItem(history);
    }
    m_historyItem = history;
    for (const models::AlertHistoryEntry &e : entries) {
        const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(e.timeMs), QLocale::ShortFormat);
        if (e.action == QLatin1String("NOTIFICATION")) {
            auto *item = new QTreeWidgetItem(history, {when, notificationText(e)});
            item->setToolTip(1, tr("Notification on %1, %2; target: %3")
                                    .arg(channelName(e.channel), e.status.toLower(),
                                         e.text.isEmpty() ? tr("decided by the sender") : e.text));
            continue;
        }
        QString what = e.action == QStringLiteral("COMMENT") ? tr("comment") : e.action.toLower().replace(QLatin1Char('_'), QLatin1Char(' '));
        if (!e.success)
            what = tr("%1 (refused: already taken)").arg(what);
        auto *item = new QTreeWidgetItem(history, {when,
                                                   tr("%1 — %2").arg(e.user, what)
                                                       + (e.text.isEmpty() ? QString() : QStringLiteral(": ") + e.text)});
        item->setToolTip(1, e.text);
    }
    history->setExpanded(true);
    emit historyShown(alertId, int(entries.size()));
}

void AlertDetailPane::clear()
{
    m_alertId = 0;
    m_eventItem = nullptr;
    m_tree->clear();
    m_historyItem = nullptr;
    resetExtras();
    m_title->setText(tr("Select an alert to see its details."));
}

void AlertDetailPane::showAlert(const models::AlertRecord &a)
{
    if (a.id != m_alertId) {
        m_alertId = a.id;
        resetExtras();
    }
    m_tree->clear();
    m_historyItem = nullptr;
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

    const QJsonArray conditions = a.details().value(QStringLiteral("conditions")).toArray();
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
