// The store's side of silences: create, end and delete them (role-checked and audited), list
// them with their matched counts, give the writer the active ones, and preview what one would
// match among the stored alerts.

#include "store.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>

namespace vigil::models {

namespace {

class SilenceStoreText
{
    Q_DECLARE_TR_FUNCTIONS(Store)
};

namespace sql {
constexpr const char *InsertSilence =
    "INSERT INTO silences (rule_name, source_id, field_path, field_value, comment, created_by, created_at,"
    " expires_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr const char *SelectSilenceState = "SELECT expires_at, (SELECT COUNT(*) FROM alerts WHERE silence_id = ?)"
                                           " FROM silences WHERE id = ?";
constexpr const char *ExpireSilence =
    "UPDATE silences SET expires_at = ?, expired_by = ?, updated_at = ? WHERE id = ? AND expires_at > ?";
constexpr const char *DeleteSilence =
    "DELETE FROM silences WHERE id = ? AND NOT EXISTS (SELECT 1 FROM alerts WHERE silence_id = ?)";
#define VIGIL_SILENCE_COLUMNS                                                                              \
    "SELECT s.id, s.rule_name, s.source_id, s.field_path, s.field_value, s.comment, COALESCE(uc.username, ''),"  \
    " s.created_at, s.expires_at, COALESCE(ue.username, ''),"                                              \
    " (SELECT COUNT(*) FROM alerts a WHERE a.silence_id = s.id)"                                           \
    " FROM silences s LEFT JOIN users uc ON uc.id = s.created_by LEFT JOIN users ue ON ue.id = s.expired_by"
constexpr const char *SelectSilences = VIGIL_SILENCE_COLUMNS " WHERE s.expires_at > ? ORDER BY s.created_at DESC, s.id DESC";
#undef VIGIL_SILENCE_COLUMNS
constexpr const char *SelectActiveSilences =
    "SELECT id, rule_name, source_id, field_path, field_value, comment, created_at, expires_at"
    " FROM silences WHERE expires_at > ? ORDER BY id";
constexpr const char *SelectSilencesSignature =
    "SELECT COUNT(*), COALESCE(MAX(updated_at), 0), COALESCE(MAX(id), 0) FROM silences";

// Preview: composed from these fragments only (values bound).
constexpr const char *PreviewCount =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.status IN ('NEW', 'ACKNOWLEDGED') THEN 1 ELSE 0 END), 0) FROM alerts a"
    " WHERE 1 = 1";
constexpr const char *PreviewRows =
    "SELECT a.id, a.created_at, COALESCE(a.event_id, 0), a.rule_name, a.message, a.source_type, a.source_id,"
    " COALESCE(ua.username, ''), COALESCE(us.username, ''), a.severity, a.type, a.status, COALESCE(a.silence_id, 0),"
    " COALESCE(e.event_id, ''), COALESCE(e.time, a.created_at), COALESCE(e.type, a.type), COALESCE(e.fields, '{}')"
    " FROM alerts a LEFT JOIN users ua ON ua.id = a.acknowledged_by LEFT JOIN users us ON us.id = a.assigned_to"
    " LEFT JOIN events e ON e.id = a.event_id WHERE 1 = 1";
constexpr const char *PreviewRule = " AND a.rule_name = ?";
constexpr const char *PreviewSource = " AND a.source_id = ?";
constexpr const char *PreviewAfter = " AND (a.created_at < ? OR (a.created_at = ? AND a.id < ?))";
constexpr const char *PreviewOrder = " ORDER BY a.created_at DESC, a.id DESC LIMIT ?";
} // namespace sql

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
bool maySilence(Role role) { return role == Role::Analyst || role == Role::Admin || role == Role::System; }
constexpr qint64 kMaxSilenceMs = 366LL * 24 * 3600 * 1000;

// A null QString binds as SQL NULL, which the NOT NULL text columns refuse: none is ''.
QString text(const QString &s) { return s.isNull() ? QStringLiteral("") : s; }

QString valueText(const QJsonValue &value)
{
    return value.isUndefined() ? QStringLiteral("") : engine::Silence::formatValue(value);
}
QJsonValue valueFromText(const QString &text)
{
    if (text.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + "]");
    return doc.array().isEmpty() ? QJsonValue(text) : doc.array().at(0);
}

QJsonObject silenceJson(const engine::Silence &s)
{
    return {{QStringLiteral("rule"), s.ruleName},
            {QStringLiteral("source_id"), s.sourceId},
            {QStringLiteral("field"), s.fieldPath},
            {QStringLiteral("value"), s.fieldValue.isUndefined() ? QJsonValue() : s.fieldValue},
            {QStringLiteral("comment"), s.comment},
            {QStringLiteral("expires_at"), engine::formatTime(s.expiresAtMs)}};
}

AlertRow previewRow(const QSqlQuery &q)
{
    AlertRow r;
    r.id = q.value(0).toLongLong();
    r.createdAtMs = q.value(1).toLongLong();
    r.eventRowId = q.value(2).toLongLong();
    r.ruleName = q.value(3).toString();
    r.message = q.value(4).toString();
    r.sourceType = q.value(5).toString();
    r.sourceId = q.value(6).toString();
    r.acknowledgedBy = q.value(7).toString();
    r.assignee = q.value(8).toString();
    r.severity = engine::severityFromString(q.value(9).toString()).value_or(engine::Severity::Medium);
    r.type = engine::eventTypeFromString(q.value(10).toString()).value_or(engine::EventType::System);
    r.status = engine::alertStatusFromString(q.value(11).toString()).value_or(engine::AlertStatus::New);
    r.silenceId = q.value(12).toLongLong();
    return r;
}

} // namespace

bool Store::createSilence(engine::Silence *silence, const Actor &actor, QString *error)
{
    if (!maySilence(actor.role)) {
        *error = SilenceStoreText::tr("%1 may not silence alerts: that needs the analyst or admin role").arg(actor.username);
        return false;
    }
    silence->ruleName = silence->ruleName.trimmed();
    silence->sourceId = silence->sourceId.trimmed();
    silence->fieldPath = silence->fieldPath.trimmed();
    if (!silence->compile(error))
        return false;
    if (silence->comment.trimmed().isEmpty()) {
        *error = SilenceStoreText::tr("Say in the comment why these alerts are silenced: the next analyst reads it in the list of silences.");
        return false;
    }
    const qint64 now = nowMs();
    if (silence->expiresAtMs <= now) {
        *error = SilenceStoreText::tr("The expiry %1 is not in the future: choose a later time.")
                     .arg(engine::formatTime(silence->expiresAtMs));
        return false;
    }
    if (silence->expiresAtMs - now > kMaxSilenceMs) {
        *error = SilenceStoreText::tr("A silence lasts at most a year: choose an earlier expiry, or fix the rule instead.");
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0)
        return false;
    if (!m_db.transaction()) {
        *error = SilenceStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    QSqlQuery &q = prepared(sql::InsertSilence);
    q.bindValue(0, text(silence->ruleName));
    q.bindValue(1, text(silence->sourceId));
    q.bindValue(2, text(silence->fieldPath));
    q.bindValue(3, silence->hasField() ? valueText(silence->fieldValue) : QStringLiteral(""));
    q.bindValue(4, silence->comment.trimmed());
    q.bindValue(5, uid);
    q.bindValue(6, now);
    q.bindValue(7, silence->expiresAtMs);
    q.bindValue(8, now);
    if (!q.exec() || !q.next()) {
        fail(q, error, sql::InsertSilence);
        q.finish();
        m_db.rollback();
        return false;
    }
    const qint64 id = q.value(0).toLongLong();
    q.finish();
    if (!audit(uid, QStringLiteral("silence.create"), QStringLiteral("silence"), QString::number(id), silenceJson(*silence),
               error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        *error = SilenceStoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    silence->id = id;
    silence->createdAtMs = now;
    silence->createdBy = actor.username;
    silence->comment = silence->comment.trimmed();
    return true;
}

bool Store::expireSilence(qint64 silenceId, const Actor &actor, QString *error)
{
    if (!maySilence(actor.role)) {
        *error = SilenceStoreText::tr("%1 may not end silences: that needs the analyst or admin role").arg(actor.username);
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0)
        return false;
    if (!m_db.transaction()) {
        *error = SilenceStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const qint64 now = nowMs();
    QSqlQuery &q = prepared(sql::ExpireSilence);
    q.bindValue(0, now);
    q.bindValue(1, uid);
    q.bindValue(2, now);
    q.bindValue(3, silenceId);
    q.bindValue(4, now);
    if (!q.exec()) {
        fail(q, error, sql::ExpireSilence);
        m_db.rollback();
        return false;
    }
    if (q.numRowsAffected() != 1) {
        m_db.rollback();
        QSqlQuery &state = prepared(sql::SelectSilenceState);
        state.bindValue(0, silenceId);
        state.bindValue(1, silenceId);
        const bool exists = state.exec() && state.next();
        const qint64 expiredAt = exists ? state.value(0).toLongLong() : 0;
        state.finish();
        *error = exists ? SilenceStoreText::tr("Silence %1 already ended at %2.").arg(silenceId).arg(engine::formatTime(expiredAt))
                        : SilenceStoreText::tr("Silence %1 does not exist (was it deleted?).").arg(silenceId);
        return false;
    }
    if (!audit(uid, QStringLiteral("silence.expire"), QStringLiteral("silence"), QString::number(silenceId),
               QJsonObject{{QStringLiteral("expired_at"), engine::formatTime(now)}}, error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        *error = SilenceStoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::deleteSilence(qint64 silenceId, const Actor &actor, QString *error)
{
    if (!maySilence(actor.role)) {
        *error = SilenceStoreText::tr("%1 may not delete silences: that needs the analyst or admin role").arg(actor.username);
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0)
        return false;
    if (!m_db.transaction()) {
        *error = SilenceStoreText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    QSqlQuery &state = prepared(sql::SelectSilenceState);
    state.bindValue(0, silenceId);
    state.bindValue(1, silenceId);
    if (!state.exec()) {
        fail(state, error, sql::SelectSilenceState);
        m_db.rollback();
        return false;
    }
    if (!state.next()) {
        state.finish();
        m_db.rollback();
        *error = SilenceStoreText::tr("Silence %1 does not exist (was it deleted?).").arg(silenceId);
        return false;
    }
    const qint64 matched = state.value(1).toLongLong();
    state.finish();
    if (matched > 0) {
        m_db.rollback();
        *error = SilenceStoreText::tr("Silence %1 has silenced %n alert(s) and is kept so they still say why: end it instead.",
                                      nullptr, int(std::min<qint64>(matched, std::numeric_limits<int>::max())))
                     .arg(silenceId);
        return false;
    }
    QSqlQuery &q = prepared(sql::DeleteSilence);
    q.bindValue(0, silenceId);
    q.bindValue(1, silenceId);
    if (!q.exec() || q.numRowsAffected() != 1) {
        fail(q, error, sql::DeleteSilence);
        m_db.rollback();
        return false;
    }
    if (!audit(uid, QStringLiteral("silence.delete"), QStringLiteral("silence"), QString::number(silenceId), {}, error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        *error = SilenceStoreText::tr("cannot commit: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::silences(qint64 now, qint64 endedSinceMs, QList<engine::Silence> *out, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectSilences);
    q.bindValue(0, std::min(now, endedSinceMs));
    if (!q.exec())
        return fail(q, error, sql::SelectSilences);
    QList<engine::Silence> list;
    while (q.next()) {
        engine::Silence s;
        s.id = q.value(0).toLongLong();
        s.ruleName = q.value(1).toString();
        s.sourceId = q.value(2).toString();
        s.fieldPath = q.value(3).toString();
        s.fieldValue = valueFromText(q.value(4).toString());
        s.comment = q.value(5).toString();
        s.createdBy = q.value(6).toString();
        s.createdAtMs = q.value(7).toLongLong();
        s.expiresAtMs = q.value(8).toLongLong();
        s.expiredBy = q.value(9).toString();
        s.matchedCount = q.value(10).toLongLong();
        list.append(std::move(s));
    }
    q.finish();
    *out = std::move(list);
    return true;
}

bool Store::activeSilences(qint64 now, QList<engine::Silence> *out, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectActiveSilences);
    q.bindValue(0, now);
    if (!q.exec())
        return fail(q, error, sql::SelectActiveSilences);
    QList<engine::Silence> list;
    while (q.next()) {
        engine::Silence s;
        s.id = q.value(0).toLongLong();
        s.ruleName = q.value(1).toString();
        s.sourceId = q.value(2).toString();
        s.fieldPath = q.value(3).toString();
        s.fieldValue = valueFromText(q.value(4).toString());
        s.comment = q.value(5).toString();
        s.createdAtMs = q.value(6).toLongLong();
        s.expiresAtMs = q.value(7).toLongLong();
        list.append(std::move(s));
    }
    q.finish();
    *out = std::move(list);
    return true;
}

QString Store::silencesSignature()
{
    QSqlQuery &q = prepared(sql::SelectSilencesSignature);
    QString signature;
    if (q.exec() && q.next())
        signature = QStringLiteral("%1:%2:%3").arg(q.value(0).toLongLong()).arg(q.value(1).toLongLong()).arg(q.value(2).toLongLong());
    q.finish();
    return signature;
}

bool Store::previewSilence(const engine::Silence &given, int sampleLimit, SilencePreview *out, QString *error,
                           const std::function<bool(qint64, qint64)> &progress, int chunkSize)
{
    *out = SilencePreview();
    engine::Silence silence = given;
    silence.ruleName = silence.ruleName.trimmed();
    silence.sourceId = silence.sourceId.trimmed();
    silence.fieldPath = silence.fieldPath.trimmed();
    if (!silence.compile(error))
        return false;
    // The rule and source criteria narrow the candidates in SQL (both are indexed, with
    // created_at, so the newest-first order walks an index).
    QString where;
    QVariantList values;
    if (!silence.ruleName.isEmpty()) {
        where.append(QLatin1String(sql::PreviewRule));
        values.append(silence.ruleName);
    }
    if (!silence.sourceId.isEmpty()) {
        where.append(QLatin1String(sql::PreviewSource));
        values.append(silence.sourceId);
    }
    const auto bindAll = [](QSqlQuery &q, const QVariantList &v) {
        for (qsizetype i = 0; i < v.size(); ++i)
            q.bindValue(int(i), v.at(i));
    };
    QSqlQuery count(m_db);
    count.setForwardOnly(true);
    if (!count.prepare(QLatin1String(sql::PreviewCount) + where))
        return fail(count, error, sql::PreviewCount);
    bindAll(count, values);
    if (!count.exec() || !count.next())
        return fail(count, error, sql::PreviewCount);
    out->candidates = count.value(0).toLongLong();
    if (!silence.hasField()) {
        // Every candidate matches: the counts are the candidates', the sample their newest.
        out->matched = out->candidates;
        out->open = count.value(1).toLongLong();
    }
    count.finish();

    QSqlQuery rows(m_db);
    rows.setForwardOnly(true);
    if (!rows.prepare(QLatin1String(sql::PreviewRows) + where + QLatin1String(sql::PreviewAfter)
                      + QLatin1String(sql::PreviewOrder)))
        return fail(rows, error, sql::PreviewRows);
    const int chunk = silence.hasField() ? std::max(1, chunkSize) : std::max(1, sampleLimit);
    qint64 afterTime = std::numeric_limits<qint64>::max();
    qint64 afterId = std::numeric_limits<qint64>::max();
    qint64 done = 0;
    for (;;) {
        QVariantList v = values;
        v << afterTime << afterTime << afterId << chunk;
        bindAll(rows, v);
        if (!rows.exec())
            return fail(rows, error, sql::PreviewRows);
        int n = 0;
        while (rows.next()) {
            ++n;
            AlertRow row = previewRow(rows);
            afterTime = row.createdAtMs;
            afterId = row.id;
            bool hit = true;
            if (silence.hasField()) {
                engine::Event event;
                event.id = rows.value(13).toString();
                event.timeMs = rows.value(14).toLongLong();
                event.type = engine::eventTypeFromString(rows.value(15).toString()).value_or(engine::EventType::System);
                event.sourceType = row.sourceType;
                event.sourceId = row.sourceId;
                event.setFieldsJson(rows.value(16).toString().toUtf8());
                hit = silence.matches(row.ruleName, event);
                if (hit) {
                    ++out->matched;
                    if (row.status == engine::AlertStatus::New || row.status == engine::AlertStatus::Acknowledged)
                        ++out->open;
                }
            }
            if (hit && out->sample.size() < sampleLimit)
                out->sample.append(std::move(row));
        }
        rows.finish();
        done += n;
        if (!silence.hasField() || n < chunk)
            break;
        if (progress && !progress(done, out->candidates)) {
            out->cancelled = true;
            return true;
        }
    }
    if (progress)
        progress(silence.hasField() ? done : out->candidates, out->candidates);
    return true;
}

} // namespace vigil::models
