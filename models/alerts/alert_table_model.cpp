#include "alert_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QDateTime>
#include <QLocale>

namespace vigil::models {

AlertTableModel::AlertTableModel(QObject *parent) : QAbstractTableModel(parent)
{
    m_flushTimer.setInterval(100);
    connect(&m_flushTimer, &QTimer::timeout, this, &AlertTableModel::flush);
    m_flushTimer.start();
}

void AlertTableModel::setFlushInterval(int ms)
{
    if (ms <= 0) {
        m_flushTimer.stop();
    } else {
        m_flushTimer.setInterval(ms);
        m_flushTimer.start();
    }
}

int AlertTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AlertTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor AlertTableModel::severityColor(engine::Severity severity)
{
    switch (severity) {
    case engine::Severity::Low: return QColor(0x3b, 0x82, 0xc4);
    case engine::Severity::Medium: return QColor(0xc9, 0x8a, 0x00);
    case engine::Severity::High: return QColor(0xd9, 0x5f, 0x0e);
    case engine::Severity::Critical: return QColor(0xc6, 0x1a, 0x1a);
    }
    return {};
}

namespace {
QString severityText(engine::Severity s)
{
    switch (s) {
    case engine::Severity::Low: return AlertTableModel::tr("Low");
    case engine::Severity::Medium: return AlertTableModel::tr("Medium");
    case engine::Severity::High: return AlertTableModel::tr("High");
    case engine::Severity::Critical: return AlertTableModel::tr("Critical");
    }
    return {};
}
QString statusText(engine::AlertStatus s)
{
    switch (s) {
    case engine::AlertStatus::New: return AlertTableModel::tr("New");
    case engine::AlertStatus::Acknowledged: return AlertTableModel::tr("Acknowledged");
    case engine::AlertStatus::Resolved: return AlertTableModel::tr("Resolved");
    case engine::AlertStatus::FalsePositive: return AlertTableModel::tr("False positive");
    }
    return {};
}
QString typeText(engine::EventType t)
{
    switch (t) {
    case engine::EventType::Transaction: return AlertTableModel::tr("Transaction");
    case engine::EventType::Inventory: return AlertTableModel::tr("Inventory");
    case engine::EventType::Security: return AlertTableModel::tr("Security");
    case engine::EventType::System: return AlertTableModel::tr("System");
    case engine::EventType::Compliance: return AlertTableModel::tr("Compliance");
    }
    return {};
}
} // namespace

QVariant AlertTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AlertRecord &a = alertAt(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return QLocale().toString(QDateTime::fromMSecsSinceEpoch(a.createdAtMs), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case Severity: return severityText(a.severity);
        case Type: return typeText(a.type);
        case Rule: return a.ruleName;
        case Message: return a.message;
        case Source: return a.sourceType + QLatin1Char(' ') + a.sourceId;
        case Status: return statusText(a.status);
        default: return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == Severity)
            return QBrush(severityColor(a.severity));
        if (a.status == engine::AlertStatus::Resolved || a.status == engine::AlertStatus::FalsePositive)
            return QBrush(QColor(0x80, 0x80, 0x80));
        return {};
    case Qt::FontRole:
        if (index.column() == Severity || a.status == engine::AlertStatus::New) {
            QFont f;
            f.setBold(index.column() == Severity || a.severity == engine::Severity::Critical);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Message)
            return a.message;
        return {};
    case AlertIdRole: return a.id;
    case SeverityRole: return int(a.severity);
    case StatusRole: return int(a.status);
    case CreatedAtRole: return a.createdAtMs;
    default: return {};
    }
}

QVariant AlertTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("Time");
    case Severity: return tr("Severity");
    case Type: return tr("Type");
    case Rule: return tr("Rule");
    case Message: return tr("Message");
    case Source: return tr("Source");
    case Status: return tr("Status");
    default: return {};
    }
}

void AlertTableModel::setAlerts(QList<AlertRecord> alerts)
{
    beginResetModel();
    m_rows.assign(std::make_move_iterator(alerts.rbegin()), std::make_move_iterator(alerts.rend()));
    m_pending.clear();
    endResetModel();
}

void AlertTableModel::addAlerts(const QList<AlertRecord> &alerts)
{
    m_pending.insert(m_pending.end(), alerts.cbegin(), alerts.cend());
}

void AlertTableModel::flush()
{
    if (m_pending.empty())
        return;
    const int n = int(m_pending.size());
    // Rows are kept oldest first and shown reversed, so a batch is an append at the end of
    // the vector and an insert of rows 0..n-1 in the view.
    beginInsertRows(QModelIndex(), 0, n - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(m_pending.begin()), std::make_move_iterator(m_pending.end()));
    m_pending.clear();
    endInsertRows();
}

int AlertTableModel::rowOfAlert(qint64 alertId) const
{
    // Ids grow with time, so search from the newest end.
    for (std::size_t i = m_rows.size(); i-- > 0;)
        if (m_rows[i].id == alertId)
            return int(m_rows.size() - 1 - i);
    return -1;
}

void AlertTableModel::updateAlert(const AlertRecord &alert)
{
    for (AlertRecord &pending : m_pending)
        if (pending.id == alert.id)
            pending = alert;
    const int row = rowOfAlert(alert.id);
    if (row < 0)
        return;
    m_rows[m_rows.size() - 1 - std::size_t(row)] = alert;
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

} // namespace vigil::models
