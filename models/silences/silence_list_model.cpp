#include "silence_list_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QLocale>

namespace vigil::models {

namespace {
QString timeText(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QStringLiteral("yyyy-MM-dd HH:mm"));
}
} // namespace

void SilenceListModel::setSilences(QList<engine::Silence> silences, qint64 nowMs)
{
    beginResetModel();
    m_silences = std::move(silences);
    m_nowMs = nowMs;
    endResetModel();
}

const engine::Silence *SilenceListModel::silenceAt(int row) const
{
    return row >= 0 && row < m_silences.size() ? &m_silences.at(row) : nullptr;
}

int SilenceListModel::rowOfSilence(qint64 id) const
{
    for (int i = 0; i < m_silences.size(); ++i)
        if (m_silences.at(i).id == id)
            return i;
    return -1;
}

int SilenceListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_silences.size());
}

int SilenceListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SilenceListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const engine::Silence &s = m_silences.at(index.row());
    const bool active = s.isActiveAt(m_nowMs);
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case State:
            if (active)
                return tr("Active");
            return s.expiredBy.isEmpty() ? tr("Expired") : tr("Ended by %1").arg(s.expiredBy);
        case Criteria: return s.describe();
        case Comment: return s.comment;
        case CreatedBy: return s.createdBy;
        case Created: return timeText(s.createdAtMs);
        case Expires: return timeText(s.expiresAtMs);
        case Matched: return QLocale().toString(s.matchedCount);
        default: return {};
        }
    case Qt::ToolTipRole:
        if (index.column() == Comment || index.column() == Criteria)
            return data(index, Qt::DisplayRole);
        return {};
    case Qt::ForegroundRole:
        return active ? QVariant() : QVariant(QBrush(QColor(0x80, 0x80, 0x80)));
    case Qt::TextAlignmentRole:
        return index.column() == Matched ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case SilenceIdRole: return s.id;
    case ActiveRole: return active;
    default: return {};
    }
}

QVariant SilenceListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case State: return tr("State");
    case Criteria: return tr("Silences");
    case Comment: return tr("Comment");
    case CreatedBy: return tr("Created by");
    case Created: return tr("Created");
    case Expires: return tr("Expires");
    case Matched: return tr("Alerts silenced");
    default: return {};
    }
}

} // namespace vigil::models
