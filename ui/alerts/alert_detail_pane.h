#pragma once
// The selected alert: its attributes, the conditions that matched, the event's fields and
// the alert's history; for an anomaly, the model and each feature's share of the score as a
// bar chart; the latest other alerts from the same source, each a way to that alert.

#include "models/store/alert_query.h"
#include "models/store/alert_record.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QChart;
class QChartView;
class QLabel;
class QSplitter;
class QTreeWidget;
class QTreeWidgetItem;
QT_END_NAMESPACE

namespace vigil::ui {

class AlertDetailPane : public QWidget
{
    Q_OBJECT
public:
    explicit AlertDetailPane(QWidget *parent = nullptr);
    QTreeWidget *tree() const { return m_tree; }

    void showAlert(const models::AlertRecord &alert);
    // The triggering event, loaded off the GUI thread; ignored if another alert is shown by then.
    void showEvent(qint64 alertId, const QJsonObject &event, const QString &error);
    // The alert's responses and comments, oldest first, with its notifications (sent and
    // queued) merged in time order. Shown again (new notifications recorded), it replaces the
    // history in place.
    void showHistory(qint64 alertId, const QList<models::AlertHistoryEntry> &entries,
                     const QList<models::AlertNotification> &notifications = {});
    // The timeline's words for a notification: "Email: queued — no email sender is set up yet".
    static QString notificationText(const models::AlertHistoryEntry &notification);
    static QString channelName(const QString &channel);
    // Shows that `alertId` is on its way (its details load off the GUI thread).
    void showLoading(qint64 alertId);
    // Why a model raised it (hidden for a rule's alert): the model and the top features.
    void showAnomaly(qint64 alertId, const models::AnomalyExplanation &explanation);
    // Other alerts from the same source, newest first.
    void showRelated(qint64 alertId, const QString &source, const QList<models::AlertRow> &alerts, const QString &error);
    void clear();
    qint64 alertId() const { return m_alertId; }

    static constexpr int kChartFeatures = 10;   // bars in the contribution chart
    QTreeWidget *relatedList() const { return m_related; }
    QWidget *anomalyBox() const { return m_anomalyBox; }
    QLabel *modelLabel() const { return m_model; }
    QChart *contributionChart() const { return m_chart; }

signals:
    // The analyst chose a related alert (Enter or double-click).
    void relatedAlertActivated(qint64 alertId);
    // The history of the shown alert was (re)built with this many entries.
    void historyShown(qint64 alertId, int entries);

private:
    void resetExtras();

    QLabel *m_title;
    QSplitter *m_splitter;
    QTreeWidget *m_tree;
    QWidget *m_anomalyBox;
    QLabel *m_model;
    QChart *m_chart;
    QChartView *m_chartView;
    QWidget *m_relatedBox;
    QLabel *m_relatedTitle;
    QTreeWidget *m_related;
    QTreeWidgetItem *m_eventItem = nullptr;
    QTreeWidgetItem *m_historyItem = nullptr;
    qint64 m_alertId = 0;
};

} // namespace vigil::ui
