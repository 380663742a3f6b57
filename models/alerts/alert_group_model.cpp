#include "alert_group_model.h"

#include "alert_page_model.h"

#include <QBrush>
#include <QDateTime>
#include <QFont>
#include <QLocale>

namespace vigil::models {

namespace {
QString timeText(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

AlertGroupKey keyOfAlert(const AlertRow &a, qint64 windowMs)
{
    return {a.ruleName, a.sourceId, a.createdAtMs / windowMs};
}
} // namespace

size_t qHash(const AlertGroupKey &key, size_t seed)
{
    return qHashMulti(seed, key.ruleName, key.sourceId, key.bucket);
}

AlertQuery groupMembersQuery(const AlertQuery &query, const AlertGroupKey &key, qint64 windowMs)
{
    AlertQuery q = query;
    q.rules = {key.ruleName};
    q.source = key.sourceId;
    const qint64 start = key.bucket * windowMs;
    const qint64 end = start + windowMs;
    q.fromMs = std::max(query.fromMs, start);
    q.toMs = query.toMs > 0 ? std::min(query.toMs, end) : end;
    q.maxId = 0;
    return q;
}

AlertGroupModel::AlertGroupModel(QObject *parent) : QAbstractItemModel(parent)
{
    qRegisterMetaType<vigil::models::AlertQuery>();
    qRegisterMetaType<vigil::models::AlertRow>();
    qRegisterMetaType<QList<vigil::models::AlertRow>>();
    qRegisterMetaType<vigil::models::AlertGroupRow>();
    qRegisterMetaType<QList<vigil::models::AlertGroupRow>>();
    m_flushTimer.setInterval(100);
    connect(&m_flushTimer, &QTimer::timeout, this, &AlertGroupModel::flush);
    m_flushTimer.start();
}

AlertGroupModel::~AlertGroupModel() = default;

void AlertGroupModel::setFlushInterval(int ms)
{
    if (ms <= 0) {
        m_flushTimer.stop();
    } else {
        m_flushTimer.setInterval(ms);
        m_flushTimer.start();
    }
}

// --- structure ---

AlertGroupModel::Children *AlertGroupModel::childrenOf(const AlertGroupKey &key) const
{
    const auto it = m_childrenByKey.constFind(key);
    return it == m_childrenByKey.constEnd() ? nullptr : m_children.value(*it).get();
}

QModelIndex AlertGroupModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < rowCount() ? createIndex(row, column, quintptr(0)) : QModelIndex();
    if (!isGroup(parent) || parent.column() != 0)
        return {};
    const AlertGroupRow *g = peekGroupAt(parent.row());
    const Children *c = g ? childrenOf(keyOf(*g)) : nullptr;
    if (!c || !c->loaded || row >= c->rows.size())
        return {};
    return createIndex(row, column, quintptr(c->serial));
}

QModelIndex AlertGroupModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == 0)
        return {};
    const std::shared_ptr<Children> c = m_children.value(quint64(child.internalId()));
    if (!c)
        return {};
    const int row = rowOfKey(c->key);
    return row < 0 ? QModelIndex() : createIndex(row, 0, quintptr(0));
}

int AlertGroupModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_total + qint64(m_live.size()));
    if (!isGroup(parent) || parent.column() != 0)
        return 0;
    const AlertGroupRow *g = peekGroupAt(parent.row());
    const Children *c = g ? childrenOf(keyOf(*g)) : nullptr;
    return c && c->loaded ? int(c->rows.size()) : 0;
}

int AlertGroupModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() && !(isGroup(parent) && parent.column() == 0) ? 0 : ColumnCount;
}

bool AlertGroupModel::hasChildren(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return rowCount() > 0;
    if (!isGroup(parent) || parent.column() != 0)
        return false;
    // A group has at least one alert; only loaded children can say otherwise.
    const AlertGroupRow *g = peekGroupAt(parent.row());
    const Children *c = g ? childrenOf(keyOf(*g)) : nullptr;
    return c && c->loaded ? !c->rows.isEmpty() : true;
}

bool AlertGroupModel::canFetchMore(const QModelIndex &parent) const
{
    if (!isGroup(parent) || parent.column() != 0 || m_loading)
        return false;
    const AlertGroupRow *g = peekGroupAt(parent.row());
    return g && !childrenOf(keyOf(*g));
}

void AlertGroupModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    const AlertGroupRow *g = peekGroupAt(parent.row());
    auto c = std::make_shared<Children>();
    c->serial = m_nextSerial++;
    c->key = keyOf(*g);
    m_children.insert(c->serial, c);
    m_childrenByKey.insert(c->key, c->serial);
    emit membersRequested(m_generation, c->serial, groupMembersQuery(m_query, c->key, m_windowMs), kMaxChildren);
}

void AlertGroupModel::membersFinished(quint64 generation, quint64 list, const QList<AlertRow> &rows, const QString &error)
{
    if (generation != m_generation)
        return;
    const std::shared_ptr<Children> c = m_children.value(list);
    if (!c || c->loaded)
        return;
    if (!error.isEmpty()) {
        m_childrenByKey.remove(c->key);
        m_children.remove(list);
        emit queryFailed(error);
        return;
    }
    const int row = rowOfKey(c->key);
    if (row < 0) {
        // The group's page went meanwhile: expanding it again asks anew.
        m_childrenByKey.remove(c->key);
        m_children.remove(list);
        return;
    }
    if (rows.isEmpty()) {
        c->loaded = true;
        return;
    }
    const QModelIndex parent = index(row, 0);
    beginInsertRows(parent, 0, int(rows.size()) - 1);
    c->rows = rows;
    c->loaded = true;
    endInsertRows();
}

// --- rows ---

const AlertGroupRow *AlertGroupModel::groupAt(int row) const
{
    const AlertGroupRow *g = peekGroupAt(row);
    if (!g && row >= int(m_live.size()) && row < rowCount())
        requestPage(int((row - qint64(m_live.size())) / kPageSize));
    return g;
}

const AlertGroupRow *AlertGroupModel::peekGroupAt(int row) const
{
    const qint64 live = qint64(m_live.size());
    if (row < 0 || row >= m_total + live)
        return nullptr;
    // Groups started after the snapshot are only ever on top (see flush()).
    if (row < live)
        return &m_live[std::size_t(live - 1 - row)];
    const qint64 snapshotRow = row - live;
    const int page = int(snapshotRow / kPageSize);
    const auto it = m_pages.constFind(page);
    if (it == m_pages.constEnd())
        return nullptr;
    const int offset = int(snapshotRow % kPageSize);
    return offset < it->size() ? &it->at(offset) : nullptr;
}

AlertGroupRow *AlertGroupModel::mutableGroupAt(int row)
{
    return const_cast<AlertGroupRow *>(groupAt(row));
}

const AlertRow *AlertGroupModel::alertAt(const QModelIndex &index) const
{
    if (!index.isValid())
        return nullptr;
    if (index.internalId() == 0) {
        const AlertGroupRow *g = groupAt(index.row());
        return g ? &g->newest : nullptr;
    }
    const std::shared_ptr<Children> c = m_children.value(quint64(index.internalId()));
    return c && index.row() < c->rows.size() ? &c->rows.at(index.row()) : nullptr;
}

int AlertGroupModel::rowOfKey(const AlertGroupKey &key) const
{
    if (m_rowCache.isEmpty()) {
        const int live = int(m_live.size());
        for (int i = 0; i < live; ++i)
            m_rowCache.insert(keyOf(m_live[std::size_t(i)]), live - 1 - i);
        for (auto it = m_pages.constBegin(); it != m_pages.constEnd(); ++it)
            for (int i = 0; i < it->size(); ++i)
                m_rowCache.insert(keyOf(it->at(i)), it.key() * kPageSize + i + live);
    }
    return m_rowCache.value(key, -1);
}

AlertQuery AlertGroupModel::membersQuery(int row) const
{
    const AlertGroupRow *g = groupAt(row);
    return g ? groupMembersQuery(m_query, keyOf(*g), m_windowMs) : AlertQuery{};
}

void AlertGroupModel::requestPage(int page) const
{
    if (m_loading || m_requested.contains(page))
        return;
    m_requested.insert(page);
    emit const_cast<AlertGroupModel *>(this)->pageRequested(m_generation, page);
}

QVariant AlertGroupModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const bool group = isGroup(index);
    const AlertGroupRow *g = group ? groupAt(index.row()) : nullptr;
    const AlertRow *a = alertAt(index);
    if (!a) {
        if (role == Qt::DisplayRole && index.column() == Message)
            return tr("Loading…");
        if (role == LoadedRole)
            return false;
        return {};
    }
    const engine::Severity severity = g ? g->topSeverity : a->severity;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Time: return timeText(g ? g->firstSeenMs : a->createdAtMs);
        case Severity: return AlertPageModel::severityText(severity);
        case Type: return AlertPageModel::typeText(a->type);
        case Rule: return a->ruleName;
        case Message: return a->message;
        case Source: return a->sourceId;
        case Status: return AlertPageModel::statusText(a->status);
        case Assignee: return a->assignee;
        case Count: return g ? QLocale().toString(g->count) : QVariant();
        case LastSeen: return g ? timeText(g->lastSeenMs) : QVariant();
        default: return {};
        }
    case Qt::TextAlignmentRole:
        return index.column() == Count ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == Severity)
            return QBrush(AlertPageModel::severityColor(severity));
        if (a->status == engine::AlertStatus::Resolved || a->status == engine::AlertStatus::FalsePositive)
            return QBrush(QColor(0x80, 0x80, 0x80));
        return {};
    case Qt::FontRole:
        if (index.column() == Severity || (g && index.column() == Count) || a->status == engine::AlertStatus::New) {
            QFont f;
            f.setBold(index.column() == Severity || index.column() == Count || severity == engine::Severity::Critical);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (g && index.column() == Count && g->count > kMaxChildren)
            return tr("%1 alerts; expanding shows the first %2 in this order, actions apply to all of them")
                .arg(QLocale().toString(g->count), QLocale().toString(kMaxChildren));
        if (index.column() == Message)
            return a->message;
        if (index.column() == Source)
            return a->sourceType + QLatin1Char(' ') + a->sourceId;
        return {};
    case AlertIdRole: return a->id;
    case SeverityRole: return int(severity);
    case StatusRole: return int(a->status);
    case CreatedAtRole: return g ? g->firstSeenMs : a->createdAtMs;
    case LoadedRole: return true;
    case IsGroupRole: return group;
    case CountRole: return g ? g->count : 1;
    default: return {};
    }
}

QVariant AlertGroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    // Times and counts sort the newest, the most first when their column is clicked.
    if (orientation == Qt::Horizontal && role == Qt::InitialSortOrderRole)
        return section == Time || section == Count || section == LastSeen ? QVariant(int(Qt::DescendingOrder)) : QVariant();
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractItemModel::headerData(section, orientation, role);
    switch (section) {
    case Time: return tr("First Seen");
    case Severity: return tr("Severity");
    case Type: return tr("Type");
    case Rule: return tr("Rule");
    case Message: return tr("Message");
    case Source: return tr("Source");
    case Status: return tr("Status");
    case Assignee: return tr("Assignee");
    case Count: return tr("Count");
    case LastSeen: return tr("Last Seen");
    default: return {};
    }
}

// --- queries and pages ---

AlertSortKey AlertGroupModel::sortKeyOf(int column)
{
    switch (column) {
    case Count: return AlertSortKey::Count;
    case LastSeen: return AlertSortKey::LastSeen;
    default: return column >= 0 && column < Count ? AlertSortKey(column) : AlertSortKey::Time;
    }
}

int AlertGroupModel::columnOf(AlertSortKey key)
{
    switch (key) {
    case AlertSortKey::Count: return Count;
    case AlertSortKey::LastSeen: return LastSeen;
    case AlertSortKey::Id: return Time; // first id: the order of first seen
    default: return int(key);
    }
}

void AlertGroupModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    AlertQuery q = m_query;
    q.sortKey = sortKeyOf(column);
    q.descending = order == Qt::DescendingOrder;
    if (q.sortKey == m_query.sortKey && q.descending == m_query.descending && m_generation > 0)
        return;
    setQuery(q, false);
}

void AlertGroupModel::setQuery(const AlertQuery &query, bool keepSort)
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
    emit queryRequested(m_generation, m_query, m_windowMs);
}

void AlertGroupModel::setWindow(qint64 windowMs)
{
    if (windowMs <= 0 || windowMs == m_windowMs)
        return;
    m_windowMs = windowMs;
    m_expanded.clear(); // other windows, other groups
    if (m_generation > 0)
        refresh();
}

void AlertGroupModel::refresh()
{
    setQuery(m_query, true);
}

void AlertGroupModel::clearRows()
{
    m_live.clear();
    m_pages.clear();
    m_pageUse.clear();
    m_requested.clear();
    m_deltas.clear();
    m_children.clear();
    m_childrenByKey.clear();
    m_rowCache.clear();
}

void AlertGroupModel::queryFinished(quint64 generation, const AlertQuery &query, qint64 windowMs, qint64 count,
                                    const QList<AlertGroupRow> &firstPage, const QString &error, bool counted)
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
    m_windowMs = windowMs;
    m_total = std::min<qint64>(count, std::numeric_limits<int>::max() / 2);
    clearRows();
    std::erase_if(m_pending, [&](const AlertRow &r) { return r.id <= query.maxId; });
    if (!firstPage.isEmpty())
        storePage(0, firstPage);
    const bool waitingChanged = m_waiting != 0;
    m_waiting = 0;
    m_counting = !counted;
    endResetModel();
    restoreExpanded(0, int(firstPage.size()));
    if (waitingChanged)
        emit liveAlertsWaitingChanged(0);
    emit loaded(m_total);
    if (counted)
        emit this->counted(m_total);
}

void AlertGroupModel::countFinished(quint64 generation, qint64 count)
{
    if (generation != m_generation || m_loading || !m_counting)
        return;
    m_counting = false;
    count = std::min<qint64>(count, std::numeric_limits<int>::max() / 2);
    if (count > m_total) {
        const qint64 first = m_total + qint64(m_live.size());
        beginInsertRows(QModelIndex(), int(first), int(first + count - m_total - 1));
        m_total = count;
        endInsertRows();
    }
    emit counted(m_total);
}

void AlertGroupModel::storePage(int page, QList<AlertGroupRow> rows)
{
    if (!m_deltas.isEmpty()) {
        for (AlertGroupRow &g : rows) {
            const auto d = m_deltas.constFind(keyOf(g));
            if (d == m_deltas.constEnd())
                continue;
            g.count += d->count;
            g.lastSeenMs = std::max(g.lastSeenMs, d->lastSeenMs);
            g.topSeverity = std::max(g.topSeverity, d->topSeverity);
            g.newest = d->newest;
        }
    }
    m_pages.insert(page, std::move(rows));
    m_pageUse.removeOne(page);
    m_pageUse.append(page);
    m_requested.remove(page);
    m_rowCache.clear();
    // The oldest pages go, except those holding an expanded group: its children hang on it.
    for (qsizetype i = 0; m_pages.size() > m_maxPages && i < m_pageUse.size();) {
        const int candidate = m_pageUse.at(i);
        const QList<AlertGroupRow> &held = m_pages.value(candidate);
        const bool pinned = candidate == page || std::any_of(held.cbegin(), held.cend(), [&](const AlertGroupRow &g) {
                                return m_childrenByKey.contains(keyOf(g));
                            });
        if (pinned) {
            ++i;
            continue;
        }
        m_pages.remove(candidate);
        m_pageUse.removeAt(i);
    }
}

void AlertGroupModel::pageFinished(quint64 generation, int page, const QList<AlertGroupRow> &rows)
{
    if (generation != m_generation || m_loading)
        return;
    storePage(page, rows);
    if (rows.isEmpty())
        return;
    const qint64 first = qint64(page) * kPageSize + qint64(m_live.size());
    const qint64 last = std::min<qint64>(first + rows.size(), rowCount()) - 1;
    if (last >= first) {
        emit dataChanged(index(int(first), 0), index(int(last), ColumnCount - 1));
        restoreExpanded(int(first), int(last - first + 1));
    }
}

void AlertGroupModel::setExpanded(const QModelIndex &group, bool expanded)
{
    if (!isGroup(group) || group.model() != this)
        return;
    const AlertGroupRow *g = peekGroupAt(group.row());
    if (!g)
        return;
    if (expanded)
        m_expanded.insert(keyOf(*g));
    else
        m_expanded.remove(keyOf(*g));
}

void AlertGroupModel::restoreExpanded(int first, int count)
{
    if (m_expanded.isEmpty())
        return;
    QList<QPersistentModelIndex> shown;
    for (int row = first; row < first + count; ++row) {
        const AlertGroupRow *g = peekGroupAt(row);
        if (!g || !m_expanded.contains(keyOf(*g)))
            continue;
        const QModelIndex group = index(row, 0);
        if (canFetchMore(group))
            fetchMore(group);
        shown.append(group);
    }
    for (const QPersistentModelIndex &group : std::as_const(shown))
        if (group.isValid())
            emit expandRequested(group);
}

// --- live alerts ---

void AlertGroupModel::addAlerts(const QList<AlertRecord> &alerts)
{
    if (m_generation == 0)
        return; // not in use: nothing to group into
    for (const AlertRecord &a : alerts)
        if (alertMatches(m_query, a))
            m_pending.push_back(alertRowFrom(a));
}

void AlertGroupModel::apply(AlertGroupRow &group, const AlertRow &alert)
{
    ++group.count;
    group.lastSeenMs = std::max(group.lastSeenMs, alert.createdAtMs);
    group.topSeverity = std::max(group.topSeverity, alert.severity);
    if (alert.id > group.newest.id)
        group.newest = alert;
}

bool AlertGroupModel::mayStartGroup(const AlertRow &alert, const AlertGroupKey &key, qint64 topFirstSeen) const
{
    // A new group goes on top, so it must start no earlier than the top row does...
    if (alert.createdAtMs < topFirstSeen)
        return false;
    // ...and the snapshot must not hold the group in a page not loaded. Groups of the
    // alert's window start inside it, so they all sort above any group that started before
    // it: when page 0 is loaded and reaches past the window's start, all of them are loaded.
    if (m_total == 0)
        return true;
    const auto first = m_pages.constFind(0);
    if (first == m_pages.constEnd() || first->isEmpty())
        return false;
    return (!m_counting && first->size() == m_total) || first->constLast().firstSeenMs < key.bucket * m_windowMs;
}

void AlertGroupModel::flush()
{
    if (m_pending.empty() || m_loading || m_generation == 0)
        return;
    const bool timeOrder = m_query.sortKey == AlertSortKey::Time;
    if (!timeOrder) {
        m_waiting += int(m_pending.size());
        m_pending.clear();
        emit liveAlertsWaitingChanged(m_waiting);
        return;
    }
    const int waitingBefore = m_waiting;
    QSet<int> changedRows;
    QHash<quint64, QList<AlertRow>> newChildren; // by children serial, in arrival order
    std::vector<AlertGroupRow> started;          // new groups of this flush, oldest first
    QHash<AlertGroupKey, std::size_t> startedByKey;
    qint64 topFirstSeen = std::numeric_limits<qint64>::min();
    if (const AlertGroupRow *top = rowCount() > 0 ? groupAt(0) : nullptr)
        topFirstSeen = top->firstSeenMs;
    for (const AlertRow &a : m_pending) {
        const AlertGroupKey key = keyOfAlert(a, m_windowMs);
        if (const auto s = startedByKey.constFind(key); s != startedByKey.constEnd()) {
            apply(started[*s], a);
            continue;
        }
        const int row = rowOfKey(key);
        if (row >= 0) {
            AlertGroupRow *g = mutableGroupAt(row);
            apply(*g, a);
            if (row >= int(m_live.size())) {
                // A snapshot group: remembered, so a reloaded page shows it too.
                Delta &d = m_deltas[key];
                ++d.count;
                d.lastSeenMs = g->lastSeenMs;
                d.topSeverity = std::max(d.topSeverity, a.severity);
                d.newest = g->newest;
            }
            changedRows.insert(row);
            if (Children *c = childrenOf(key); c && c->loaded) {
                const bool known = std::any_of(c->rows.cbegin(), c->rows.cend(), [&](const AlertRow &r) { return r.id == a.id; });
                if (!known)
                    newChildren[c->serial].append(a);
            }
            continue;
        }
        if (m_query.descending && mayStartGroup(a, key, topFirstSeen)) {
            AlertGroupRow g;
            g.ruleName = a.ruleName;
            g.sourceId = a.sourceId;
            g.bucket = key.bucket;
            g.firstSeenMs = a.createdAtMs;
            g.lastSeenMs = a.createdAtMs;
            g.firstId = a.id;
            g.topSeverity = a.severity;
            g.count = 1;
            g.newest = a;
            startedByKey.insert(key, started.size());
            started.push_back(std::move(g));
            topFirstSeen = a.createdAtMs;
            continue;
        }
        ++m_waiting;
    }
    m_pending.clear();

    // Children first (their parents' rows are where they were), then the new groups on top.
    for (auto it = newChildren.constBegin(); it != newChildren.constEnd(); ++it) {
        const std::shared_ptr<Children> c = m_children.value(it.key());
        const int row = rowOfKey(c->key);
        const int n = int(it->size());
        if (m_query.descending) {
            beginInsertRows(index(row, 0), 0, n - 1);
            for (const AlertRow &a : *it)
                c->rows.prepend(a);
        } else {
            beginInsertRows(index(row, 0), int(c->rows.size()), int(c->rows.size()) + n - 1);
            c->rows.append(*it);
        }
        endInsertRows();
    }
    for (int row : std::as_const(changedRows))
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (!started.empty()) {
        beginInsertRows(QModelIndex(), 0, int(started.size()) - 1);
        m_live.insert(m_live.end(), std::make_move_iterator(started.begin()), std::make_move_iterator(started.end()));
        m_rowCache.clear();
        endInsertRows();
    }
    if (m_waiting != waitingBefore)
        emit liveAlertsWaitingChanged(m_waiting);
}

void AlertGroupModel::updateAlert(const AlertRecord &alert)
{
    const auto updated = [&](const AlertRow &old) {
        AlertRow row = alertRowFrom(alert);
        row.assignee = old.assignee; // the record does not carry the assignee
        return row;
    };
    const AlertGroupKey key = {alert.ruleName, alert.sourceId, alert.createdAtMs / m_windowMs};
    const int row = rowOfKey(key);
    if (row < 0)
        return;
    AlertGroupRow *g = mutableGroupAt(row);
    if (g->newest.id == alert.id) {
        g->newest = updated(g->newest);
        if (auto d = m_deltas.find(key); d != m_deltas.end() && d->newest.id == alert.id)
            d->newest = g->newest;
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
    if (Children *c = childrenOf(key)) {
        for (qsizetype i = 0; i < c->rows.size(); ++i) {
            if (c->rows.at(i).id != alert.id)
                continue;
            c->rows[i] = updated(c->rows.at(i));
            if (c->loaded) {
                const QModelIndex parent = index(row, 0);
                emit dataChanged(index(int(i), 0, parent), index(int(i), ColumnCount - 1, parent));
            }
        }
    }
}

} // namespace vigil::models
