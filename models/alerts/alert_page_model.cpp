#include "alert_page_model.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>
#include <QLocale>

namespace vigil::models {

namespace {
bool timeOrdered(const AlertQuery &q) { return q.sortKey == AlertSortKey::Time; }

bool containsText(const AlertRecord &a, const QString &text)
{
    return a.message.contains(text, Qt::CaseInsensitive) || a.ruleName.contains(text, Qt::CaseInsensitive)
        || a.sourceId.contains(text, Qt::CaseInsensitive);
}
} // namespace

bool alertMatches(const AlertQuery &q, const AlertRecord &a)
{
    if (q.maxId > 0 && a.id <= q.maxId)
        return false; // already in the snapshot
    if (!q.severities.isEmpty() && !q.severities.contains(a.severity))
        return false;
    if (!q.statuses.isEmpty() && !q.statuses.contains(a.status))
        return false;
    if (!q.types.isEmpty() && !q.types.contains(a.type))
        return false;
    if (!q.rules.isEmpty() && !q.rules.contains(a.ruleName))
        return false;
    if (!q.source.isEmpty() && q.source != a.sourceId)
        return false;
    if (!q.assignee.isEmpty() && q.assignee != QStringLiteral("-"))
        return false; // live alerts are not assigned yet
    if (q.fromMs > 0 && a.createdAtMs < q.fromMs)
        return false;
    if (q.toMs > 0 && a.createdAtMs >= q.toMs)
        return false;
    const QString text = q.text.trimmed();
    return text.isEmpty() || containsText(a, text);
}

AlertRow alertRowFrom(const AlertRecord &a)
{
    AlertRow r;
    r.id = a.id;
    r.createdAtMs = a.createdAtMs;
    r.eventRowId = a.eventRowId;
    r.ruleName = a.ruleName;
    r.message = a.message;
    r.sourceType = a.sourceType;
    r.sourceId = a.sourceId;
    r.acknowledgedBy = a.acknowledgedBy;
    r.severity = a.severity;
    r.type = a.type;
    r.status = a.status;
    return r;
}

AlertPageModel::AlertPageModel(QObject *parent) : QAbstractTableModel(parent)
{
    qRegisterMetaType<vigil::models::AlertQuery>();
    qRegisterMetaType<vigil::models::AlertRow>();
    qRegisterMetaType<QList<vigil::models::AlertRow>>();
    m_flushTimer.setInterval(100);
    connect(&m_flushTimer, &QTimer::timeout, this, &AlertPageModel::flush);
    m_flushTimer.start();
}

void AlertPageModel::setFlushInterval(int ms)
{
    if (ms <= 0) {
        m_flushTimer.stop();
    } else {
        m_flushTimer.setInterval(ms);
        m_flushTimer.start();
    }
}

int AlertPageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_total + qint64(m_live.size()));
}

int AlertPageModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QColor AlertPageModel::severityColor(engine::Severity severity)
{
    switch (severity) {
    case engine::Severity::Low: return QColor(0x3b, 0x82, 0xc4);
    case engine::Severity::Medium: return QColor(0xc9, 0x8a, 0x00);
    case engine::Severity::High: return QColor(0xd9, 0x5f, 0x0e);
    case engine::Severity::Critical: return QColor(0xc6, 0x1a, 0x1a);
    }
    return {};
}

QString AlertPageModel::severityText(engine::Severity s)
{
    switch (s) {
    case engine::Severity::Low: return tr("Low");
    case engine::Severity::Medium: return tr("Medium");
    case engine::Severity::High: return tr("High");
    case engine::Severity::Critical: return tr("Critical");
    }
    return {};
}

QString AlertPageModel::statusText(engine::AlertStatus s)
{
    switch (s) {
    case engine::AlertStatus::New: return tr("New");
    case engine::AlertStatus::Acknowledged: return tr("Acknowledged");
    case engine::AlertStatus::Resolved: return tr("Resolved");
    case engine::AlertStatus::FalsePositive: return tr("False positive");
    }
    return {};
}

QString AlertPageModel::typeText(engine::EventType t)
{
    switch (t) {
    case engine::EventType::Transaction: return tr("Transaction");
    case engine::EventType::Inventory: return tr("Inventory");
    case engine::EventType::Security: return tr("Security");
    case engine::EventType::System: return tr("System");
    case engine::EventType::Compliance: return tr("Compliance");
    }
    return {};
}

const AlertRow *AlertPageModel::rowAt(int row) const
{
    const qint64 live = qint64(m_live.size());
    if (row < 0 || row >= m_total + live)
        return nullptr;
    qint64 snapshotRow = row;
    if (m_query.descending) {
        if (row < live)
            return &m_live[std::size_t(live - 1 - row)];
        snapshotRow = row - live;
    } else if (row >= m_total) {
        return &m_live[std::size_t(row - m_total)];
    }
    const int page = int(snapshotRow / kPageSize);
    const auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd()) {
        requestPage(page);
        return nullptr;
    }
    const int offset = int(snapshotRow % kPageSize);
    return offset < it->size() ? &it->at(offset) : nullptr;
}

AlertRow *AlertPageModel::mutableRowAt(int row)
{
    return const_cast<AlertRow *>(rowAt(row));
}

void AlertPageModel::requestPage(int page) const
{
    if (m_loading || m_requested.contains(page))
        return;
    m_requested.insert(page);
    auto *self = const_cast<AlertPageModel *>(this);
    emit self->pageRequested(m_generation, m_query, page);
}

QVariant AlertPageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const AlertRow *a = rowAt(index.row());
    if (!a) {
        if (role == Qt::DisplayRole && index.column() == Message)
            return tr("Loading…");
        if (role == LoadedRole)
            return false;
        return {};
    }
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return QLocale().toString(QDateTime::fromMSecsSinceEpoch(a->createdAtMs), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case Severity: return severityText(a->severity);
        case Type: return typeText(a->type);
        case Rule: return a->ruleName;
        case Message: return a->message;
        case Source: return a->sourceId;
        case Status: return a->silenceId ? tr("%1 (silenced)").arg(statusText(a->status)) : statusText(a->status);
        case Assignee: return a->assignee;
        default: return {};
        }
    case Qt::ForegroundRole:
        if (index.column() == Severity)
            return QBrush(severityColor(a->severity));
        if (a->status == engine::AlertStatus::Resolved || a->status == engine::AlertStatus::FalsePositive)
            return QBrush(QColor(0x80, 0x80, 0x80));
        return {};
    case Qt::FontRole:
        if (index.column() == Severity || a->status == engine::AlertStatus::New) {
            QFont f;
            f.setBold(index.column() == Severity || a->severity == engine::Severity::Critical);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == Message)
            return a->message;
        if (index.column() == Source)
            return a->sourceType + QLatin1Char(' ') + a->sourceId;
        return {};
    case AlertIdRole: return a->id;
    case SeverityRole: return int(a->severity);
    case StatusRole: return int(a->status);
    case CreatedAtRole: return a->createdAtMs;
    case LoadedRole: return true;
    default: return {};
    }
}

QVariant AlertPageModel::headerData(int section, Qt::Orientation orientation, int role) const
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
    case Assignee: return tr("Assignee");
    default: return {};
    }
}

void AlertPageModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    AlertQuery q = m_query;
    q.sortKey = AlertSortKey(column);
    q.descending = order == Qt::DescendingOrder;
    if (q.sortKey == m_query.sortKey && q.descending == m_query.descending && m_generation > 0)
        return;
    setQuery(q, false);
}

void AlertPageModel::setQuery(const AlertQuery &query, bool keepSort)
{
    AlertQuery q = query;
    if (keepSort && m_generation > 0) {
        q.sortKey = m_query.sortKey;
        q.descending = m_query.descending;
    }
    q.maxId = 0; // the loader pins the snapshot
    m_query = q;
    ++m_generation;
    m_loading = true;
    emit queryRequested(m_generation, m_query);
}

void AlertPageModel::refresh()
{
    setQuery(m_query, true);
}

void AlertPageModel::queryFinished(quint64 generation, const AlertQuery &query, qint64 count,
                                   const QList<AlertRow> &firstPage, const QString &error, bool counted)
{
    if (generation != m_generation)
        return;
    m_loading = false;
    if (!error.isEmpty()) {
        emit queryFailed(error);
        return;
    }
    beginResetModel();
    m_query = query;
    m_total = std::min<qint64>(count, std::numeric_limits<int>::max() / 2);
    m_live.clear();
    m_pages.clear();
    m_pageUse.clear();
    m_requested.clear();
    // Live alerts queued meanwhile that the snapshot already holds are dropped.
    std::erase_if(m_pending, [&](const AlertRow &r) { return r.id <= query.maxId; });
    if (!firstPage.isEmpty())
        storePage(0, firstPage);
    const bool waitingChanged = m_waiting != 0;
    m_waiting = 0;
    m_counting = !counted;
    endResetModel();
    if (waitingChanged)
        emit liveAlertsWaitingChanged(0);
    emit loaded(m_total);
    if (counted)
        emit this->counted(m_total);
}

void AlertPageModel::countFinished(quint64 generation, qint64 count)
{
    if (generation != m_generation || m_loading || !m_counting)
        return;
    m_counting = false;
    count = std::min<qint64>(count, std::numeric_limits<int>::max() / 2);
    if (count > m_total) {
        const qint64 first = m_total + (m_query.descending ? qint64(m_live.size()) : 0);
        beginInsertRows(QModelIndex(), int(first), int(first + count - m_total - 1));
        m_total = count;
        endInsertRows();
    }
    emit counted(m_total);
}

void AlertPageModel::storePage(int page, QList<AlertRow> rows)
{
    m_pages.insert(page, std::move(rows));
    m_pageUse.removeOne(page);
    m_pageUse.append(page);
    m_requested.remove(page);
    while (m_pages.size() > m_maxPages && !m_pageUse.isEmpty()) {
        const int oldest = m_pageUse.takeFirst();
        m_pages.remove(oldest);
    }
}

void AlertPageModel::pageFinished(quint64 generation, int page, const QList<AlertRow> &rows)
{
    if (generation != m_generation || m_loading)
        return;
    storePage(page, rows);
    if (rows.isEmpty())
        return;
    const qint64 first = qint64(page) * kPageSize + (m_query.descending ? qint64(m_live.size()) : 0);
    const qint64 last = std::min<qint64>(first + rows.size(), rowCount()) - 1;
    if (last >= first)
        emit dataChanged(index(int(first), 0), index(int(last), ColumnCount - 1));
}

void AlertPageModel::addAlerts(const QList<AlertRecord> &alerts)
{
    for (const AlertRecord &a : alerts) {
        if (!alertMatches(m_query, a))
            continue;
        m_pending.push_back(alertRowFrom(a));
    }
}

void AlertPageModel::flush()
{
    if (m_pending.empty() || m_loading || m_generation == 0)
        return;
    if (!timeOrdered(m_query)) {
        m_waiting += int(m_pending.size());
        m_pending.clear();
        emit liveAlertsWaitingChanged(m_waiting);
        return;
    }
    const int n = int(m_pending.size());
    if (m_query.descending) {
        // Newest first: the batch goes on top, rows 0..n-1, in one insert.
        beginInsertRows(QModelIndex(), 0, n - 1);
    } else {
        const int end = rowCount();
        beginInsertRows(QModelIndex(), end, end + n - 1);
    }
    m_live.insert(m_live.end(), std::make_move_iterator(m_pending.begin()), std::make_move_iterator(m_pending.end()));
    m_pending.clear();
    endInsertRows();
}

int AlertPageModel::rowOfAlert(qint64 alertId) const
{
    const int live = int(m_live.size());
    for (int i = 0; i < live; ++i) {
        if (m_live[std::size_t(i)].id == alertId)
            return m_query.descending ? live - 1 - i : int(m_total) + i;
    }
    for (auto it = m_pages.constBegin(); it != m_pages.constEnd(); ++it) {
        for (int i = 0; i < it->size(); ++i) {
            if (it->at(i).id == alertId)
                return it.key() * kPageSize + i + (m_query.descending ? live : 0);
        }
    }
    return -1;
}

void AlertPageModel::updateRow(const AlertRow &row)
{
    for (AlertRow &p : m_pending)
        if (p.id == row.id)
            p = row;
    const int r = rowOfAlert(row.id);
    if (r < 0)
        return;
    *mutableRowAt(r) = row;
    emit dataChanged(index(r, 0), index(r, ColumnCount - 1));
}

void AlertPageModel::updateAlert(const AlertRecord &alert)
{
    const int r = rowOfAlert(alert.id);
    AlertRow row = alertRowFrom(alert);
    if (r >= 0)
        row.assignee = rowAt(r)->assignee; // the record does not carry the assignee
    updateRow(row);
}

} // namespace vigil::models
