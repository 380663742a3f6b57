#pragma once
// The selected alert: its attributes, the conditions that matched and the event's fields.

#include "models/store/alert_query.h"
#include "models/store/alert_record.h"

#include <QWidget>

QT_BEGIN_NAMESPACE
class QLabel;
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
    // The alert's responses and comments, oldest first.
    void showHistory(qint64 alertId, const QList<models::AlertHistoryEntry> &entries);
    // Shows that `alertId` is on its way (its details load off the GUI thread).
    void showLoading(qint64 alertId);
    void clear();
    qint64 alertId() const { return m_alertId; }

private:
    QLabel *m_title;
    QTreeWidget *m_tree;
    QTreeWidgetItem *m_eventItem = nullptr;
    qint64 m_alertId = 0;
};

} // namespace vigil::ui
