#pragma once
// The filters above the alert table, and the named views saved from them.

#include "models/store/alert_query.h"

#include <QJsonObject>
#include <QWidget>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QComboBox;
class QLineEdit;
class QTimer;
QT_END_NAMESPACE

namespace vigil::ui {

/*!
    Severity, status, type, rule, source, assignee, time range and free text, combined.
    Emits queryChanged() at once for a choice and 300 ms after the last keystroke for text.
    Named views (the filters and the sort) are kept in QSettings under "alertViews/".
*/
class AlertFilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit AlertFilterBar(QWidget *parent = nullptr);

    // The filters as a query (the sort is the model's; the relative time range is taken now).
    models::AlertQuery query() const;
    void setCurrentUser(const QString &username) { m_me = username; }
    void setChoices(const QStringList &rules, const QStringList &users);
    void focusText();
    QLineEdit *textEdit() const { return m_text; }
    QCheckBox *showSilencedBox() const { return m_silenced; }
    void clearFilters();

    // Views: a name, the filters and the sort, as JSON (what QSettings keeps).
    QJsonObject viewJson(const models::AlertQuery &sorted) const;
    // Applies a view's filters (and returns its sort through `sorted`).
    void applyView(const QJsonObject &view, models::AlertQuery *sorted);
    QStringList viewNames() const;
    bool saveView(const QString &name, const models::AlertQuery &sorted);
    void deleteView(const QString &name);
    QString currentView() const;
    QJsonObject storedView(const QString &name) const;
    void markView(const QString &name) { reloadViews(name); }

signals:
    void queryChanged();
    void viewChosen(const QString &name);
    void saveViewRequested();

private:
    void changed();
    void reloadViews(const QString &select);
    static QString settingsKey(const QString &name);

    QString m_me;
    bool m_applying = false;
    QComboBox *m_view;
    QComboBox *m_severity;
    QComboBox *m_status;
    QComboBox *m_type;
    QComboBox *m_rule;
    QComboBox *m_assignee;
    QComboBox *m_time;
    QLineEdit *m_source;
    QCheckBox *m_silenced;
    QLineEdit *m_text;
    QTimer *m_typing;
};

} // namespace vigil::ui
