#pragma once
// The live alert table: newest first, rows appended in batches.

#include "models/store/alert_record.h"

#include <QAbstractTableModel>
#include <QTimer>
#include <vector>

namespace vigil::models {

/*!
    Holds alerts newest first. Live alerts are queued by addAlerts() and inserted once per
    flush (one beginInsertRows for the whole batch, never once per row). Display strings are
    built in data(), never stored. updateAlert() changes one row in place.
*/
class AlertTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Severity, Type, Rule, Message, Source, Status, ColumnCount };
    enum Roles { AlertIdRole = Qt::UserRole + 1, SeverityRole, StatusRole, CreatedAtRole };

    explicit AlertTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Replaces everything (the initial load), newest first.
    void setAlerts(QList<AlertRecord> alerts);
    // Queues live alerts (oldest first, as raised); they appear at the next flush.
    void addAlerts(const QList<AlertRecord> &alerts);
    void flush();
    void updateAlert(const AlertRecord &alert);

    const AlertRecord &alertAt(int row) const { return m_rows[m_rows.size() - 1 - std::size_t(row)]; }
    int rowOfAlert(qint64 alertId) const;
    // The interval of the batching timer (0 flushes only on flush()).
    void setFlushInterval(int ms);

    static QColor severityColor(engine::Severity severity);

private:
    std::vector<AlertRecord> m_rows;   // oldest first; row r is m_rows[size - 1 - r]
    std::vector<AlertRecord> m_pending;
    QTimer m_flushTimer;
};

} // namespace vigil::models
