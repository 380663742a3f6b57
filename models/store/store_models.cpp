// The anomaly models' part of the Store: versions, activation, history for training, and the
// anomaly_detections rows of an ingest batch.

#include "store.h"

#include "sqlite_statement.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QSqlError>

#include <limits>

namespace vigil::models {

namespace {

class StoreModelsText
{
    Q_DECLARE_TR_FUNCTIONS(Store)
};

namespace sql {
constexpr const char *SelectMaxModelVersion = "SELECT COALESCE(MAX(version), 0) FROM anomaly_models WHERE name = ?";
constexpr const char *InsertModel =
    "INSERT INTO anomaly_models (name, model_type, event_type, parameters, feature_config, performance_metrics,"
    " model_data, last_trained, is_active, version, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr const char *DeactivateModel = "UPDATE anomaly_models SET is_active = 0 WHERE name = ? AND is_active <> 0";
constexpr const char *ActivateModelVersion = "UPDATE anomaly_models SET is_active = 1 WHERE name = ? AND version = ?";
#define VIGIL_MODEL_COLUMNS                                                                           \
    "SELECT id, name, model_type, event_type, parameters, feature_config, performance_metrics,"      \
    " COALESCE(last_trained, 0), is_active, version, created_at"
constexpr const char *SelectActiveModels =
    VIGIL_MODEL_COLUMNS ", model_data FROM anomaly_models WHERE is_active <> 0 ORDER BY name, version";
constexpr const char *SelectAllModelVersions = VIGIL_MODEL_COLUMNS " FROM anomaly_models ORDER BY name, version";
constexpr const char *SelectModelVersions = VIGIL_MODEL_COLUMNS " FROM anomaly_models WHERE name = ? ORDER BY version";
constexpr const char *SelectModel =
    VIGIL_MODEL_COLUMNS ", model_data FROM anomaly_models WHERE name = ? AND version = ?";
#undef VIGIL_MODEL_COLUMNS
// Analysts' verdicts on the alerts each model version raised: resolved (a true positive),
// false positive, and still open.
constexpr const char *SelectModelVerdicts =
    "SELECT model_id, SUM(CASE WHEN status = 'RESOLVED' THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN status = 'FALSE_POSITIVE' THEN 1 ELSE 0 END), COUNT(*)"
    " FROM alerts WHERE model_id IS NOT NULL GROUP BY model_id";
// Saving adds a row (count, max id); activation moves which ids are active (their sum and
// sum of squares), so any change the writer must load changes the signature.
constexpr const char *SelectModelsSignature =
    "SELECT COUNT(*), COALESCE(MAX(id), 0), COALESCE(SUM(CASE WHEN is_active <> 0 THEN id ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN is_active <> 0 THEN id * id ELSE 0 END), 0) FROM anomaly_models";

// Training history: keyset pages in (time, id) order on the events_type_time index.
constexpr const char *SelectEventsPage =
    "SELECT id, event_id, time, type, source_type, source_id, fields FROM events"
    " WHERE type = ? AND time < ? AND (time > ? OR (time = ? AND id > ?)) ORDER BY time, id LIMIT ?";
// Where the latest N events of a type (in a range) begin.
constexpr const char *SelectEventsLimitStart =
    "SELECT time, id FROM events WHERE type = ? AND time >= ? AND time < ?"
    " ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?";

constexpr const char *InsertDetection =
    "INSERT INTO anomaly_detections (model_id, event_id, source_type, source_id, features, anomaly_score,"
    " is_anomaly, details, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
} // namespace sql

QString compactJson(const QJsonObject &o) { return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)); }
QJsonObject parseObject(const QVariant &v) { return QJsonDocument::fromJson(v.toString().toUtf8()).object(); }
bool mayChangeModels(Role role) { return role == Role::Admin || role == Role::System; }

engine::ModelRecord modelFromQuery(const QSqlQuery &q, bool withData)
{
    engine::ModelRecord m;
    m.id = q.value(0).toLongLong();
    m.name = q.value(1).toString();
    m.modelType = engine::ModelRecord::modelTypeFromStored(q.value(2).toString());
    m.eventType = engine::eventTypeFromString(q.value(3).toString()).value_or(engine::EventType::System);
    m.parameters = parseObject(q.value(4));
    m.featureConfig = parseObject(q.value(5));
    m.performanceMetrics = parseObject(q.value(6));
    m.lastTrainedMs = q.value(7).toLongLong();
    m.active = q.value(8).toInt() != 0;
    m.version = q.value(9).toInt();
    m.createdAtMs = q.value(10).toLongLong();
    if (withData)
        m.modelData = q.value(11).toByteArray();
    return m;
}

} // namespace

bool Store::saveModel(engine::ModelRecord *record, bool activate, const Actor &actor, QString *error)
{
    if (!mayChangeModels(actor.role)) {
        *error = StoreModelsText::tr("%1 may not change anomaly models: that needs the admin role").arg(actor.username);
        return false;
    }
    const QString storedType = engine::ModelRecord::storedTypeName(record->modelType);
    if (storedType.isEmpty() || record->modelData.isEmpty() || record->name.trimmed().isEmpty()) {
        *error = StoreModelsText::tr("model \"%1\" is incomplete (type \"%2\", %3 bytes): train it before saving it")
                     .arg(record->name, record->modelType)
                     .arg(record->modelData.size());
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0)
        return false;
    if (!m_db.transaction()) {
        *error = StoreModelsText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    const auto rollback = [&](QSqlQuery &q, const char *what) {
        fail(q, error, what);
        q.finish();
        m_db.rollback();
        return false;
    };
    QSqlQuery &maxVersion = prepared(sql::SelectMaxModelVersion);
    maxVersion.bindValue(0, record->name);
    if (!maxVersion.exec() || !maxVersion.next())
        return rollback(maxVersion, sql::SelectMaxModelVersion);
    const int version = maxVersion.value(0).toInt() + 1;
    maxVersion.finish();
    if (activate) {
        QSqlQuery &off = prepared(sql::DeactivateModel);
        off.bindValue(0, record->name);
        if (!off.exec())
            return rollback(off, sql::DeactivateModel);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery &insert = prepared(sql::InsertModel);
    insert.bindValue(0, record->name);
    insert.bindValue(1, storedType);
    insert.bindValue(2, engine::toString(record->eventType));
    insert.bindValue(3, compactJson(record->parameters));
    insert.bindValue(4, compactJson(record->featureConfig));
    insert.bindValue(5, compactJson(record->performanceMetrics));
    insert.bindValue(6, record->modelData);
    insert.bindValue(7, record->lastTrainedMs ? record->lastTrainedMs : now);
    insert.bindValue(8, activate ? 1 : 0);
    insert.bindValue(9, version);
    insert.bindValue(10, now);
    if (!insert.exec() || !insert.next())
        return rollback(insert, sql::InsertModel);
    const qint64 id = insert.value(0).toLongLong();
    insert.finish();
    const QJsonObject details{{QStringLiteral("name"), record->name},
                              {QStringLiteral("version"), version},
                              {QStringLiteral("model_type"), storedType},
                              {QStringLiteral("event_type"), engine::toString(record->eventType)},
                              {QStringLiteral("active"), activate},
                              {QStringLiteral("bytes"), double(record->modelData.size())}};
    if (!audit(uid, QStringLiteral("model.create"), QStringLiteral("anomaly_model"), QString::number(id), details, error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        *error = StoreModelsText::tr("cannot commit model \"%1\": %2").arg(record->name, m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    record->id = id;
    record->version = version;
    record->active = activate;
    record->createdAtMs = now;
    if (!record->lastTrainedMs)
        record->lastTrainedMs = now;
    return true;
}

bool Store::activateModel(const QString &name, int version, const Actor &actor, QString *error)
{
    if (!mayChangeModels(actor.role)) {
        *error = StoreModelsText::tr("%1 may not change anomaly models: that needs the admin role").arg(actor.username);
        return false;
    }
    const qint64 uid = userId(actor, error);
    if (uid == 0)
        return false;
    if (!m_db.transaction()) {
        *error = StoreModelsText::tr("cannot start a transaction: %1").arg(m_db.lastError().text());
        return false;
    }
    QSqlQuery &off = prepared(sql::DeactivateModel);
    off.bindValue(0, name);
    if (!off.exec()) {
        fail(off, error, sql::DeactivateModel);
        m_db.rollback();
        return false;
    }
    QSqlQuery &on = prepared(sql::ActivateModelVersion);
    on.bindValue(0, name);
    on.bindValue(1, version);
    if (!on.exec()) {
        fail(on, error, sql::ActivateModelVersion);
        m_db.rollback();
        return false;
    }
    if (on.numRowsAffected() != 1) {
        m_db.rollback();
        *error = StoreModelsText::tr("model \"%1\" has no version %2: see `vigil models list`").arg(name).arg(version);
        return false;
    }
    if (!audit(uid, QStringLiteral("model.activate"), QStringLiteral("anomaly_model"), name,
               QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("version"), version}}, error)) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        *error = StoreModelsText::tr("cannot commit the activation: %1").arg(m_db.lastError().text());
        m_db.rollback();
        return false;
    }
    return true;
}

bool Store::loadActiveModels(QList<engine::ModelRecord> *models, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectActiveModels);
    if (!q.exec())
        return fail(q, error, sql::SelectActiveModels);
    QList<engine::ModelRecord> out;
    while (q.next())
        out.append(modelFromQuery(q, true));
    q.finish();
    *models = std::move(out);
    return true;
}

bool Store::modelVersions(const QString &name, QList<engine::ModelRecord> *models, QString *error)
{
    const char *statement = name.isEmpty() ? sql::SelectAllModelVersions : sql::SelectModelVersions;
    QSqlQuery &q = prepared(statement);
    if (!name.isEmpty())
        q.bindValue(0, name);
    if (!q.exec())
        return fail(q, error, statement);
    QList<engine::ModelRecord> out;
    while (q.next())
        out.append(modelFromQuery(q, false));
    q.finish();

    // Precision from verdicts is read, not stored: it is always current, and reopening an
    // alert takes its verdict back.
    QSqlQuery &v = prepared(sql::SelectModelVerdicts);
    if (!v.exec())
        return fail(v, error, sql::SelectModelVerdicts);
    QHash<qint64, QJsonObject> verdicts;
    while (v.next()) {
        const qint64 resolved = v.value(1).toLongLong();
        const qint64 falsePositives = v.value(2).toLongLong();
        const qint64 alerts = v.value(3).toLongLong();
        QJsonObject o{{QStringLiteral("alerts"), alerts},
                      {QStringLiteral("resolved"), resolved},
                      {QStringLiteral("false_positive"), falsePositives},
                      {QStringLiteral("open"), alerts - resolved - falsePositives}};
        if (resolved + falsePositives > 0)
            o.insert(QStringLiteral("precision"), double(resolved) / double(resolved + falsePositives));
        verdicts.insert(v.value(0).toLongLong(), o);
    }
    v.finish();
    for (engine::ModelRecord &m : out) {
        const auto it = verdicts.constFind(m.id);
        m.performanceMetrics.insert(QStringLiteral("verdicts"),
                                    it != verdicts.cend() ? *it
                                                          : QJsonObject{{QStringLiteral("alerts"), 0},
                                                                        {QStringLiteral("resolved"), 0},
                                                                        {QStringLiteral("false_positive"), 0},
                                                                        {QStringLiteral("open"), 0}});
    }
    *models = std::move(out);
    return true;
}

bool Store::loadModel(const QString &name, int version, engine::ModelRecord *model, QString *error)
{
    QSqlQuery &q = prepared(sql::SelectModel);
    q.bindValue(0, name);
    q.bindValue(1, version);
    if (!q.exec())
        return fail(q, error, sql::SelectModel);
    if (!q.next()) {
        *error = StoreModelsText::tr("model \"%1\" has no version %2: see `vigil models list`").arg(name).arg(version);
        return false;
    }
    *model = modelFromQuery(q, true);
    q.finish();
    return true;
}

QString Store::modelsSignature()
{
    QSqlQuery &q = prepared(sql::SelectModelsSignature);
    QString signature;
    if (q.exec() && q.next())
        signature = QStringLiteral("%1:%2:%3:%4")
                        .arg(q.value(0).toLongLong())
                        .arg(q.value(1).toLongLong())
                        .arg(q.value(2).toLongLong())
                        .arg(q.value(3).toLongLong());
    q.finish();
    return signature;
}

bool Store::readEvents(const EventRange &range, const std::function<bool(const engine::EventBatch &)> &chunk,
                       QString *error)
{
    const qint64 since = range.sinceMs;
    const qint64 until = range.untilMs;
    qint64 lastTime = since;
    qint64 lastId = std::numeric_limits<qint64>::min();
    const QString type = engine::toString(range.type);
    if (range.limit > 0) {
        QSqlQuery &start = prepared(sql::SelectEventsLimitStart);
        start.bindValue(0, type);
        start.bindValue(1, since);
        start.bindValue(2, until);
        start.bindValue(3, range.limit - 1);
        if (!start.exec())
            return fail(start, error, sql::SelectEventsLimitStart);
        if (start.next()) { // begin at the limit-th latest event (inclusive)
            lastTime = start.value(0).toLongLong();
            lastId = start.value(1).toLongLong() - 1;
        }
        start.finish();
    }
    const int pageSize = std::max(1, range.chunkSize);
    qint64 delivered = 0;
    for (;;) {
        int page = pageSize;
        if (range.limit > 0)
            page = int(std::min<qint64>(page, range.limit - delivered));
        if (page <= 0)
            return true;
        QSqlQuery &q = prepared(sql::SelectEventsPage);
        q.bindValue(0, type);
        q.bindValue(1, until);
        q.bindValue(2, lastTime);
        q.bindValue(3, lastTime);
        q.bindValue(4, lastId);
        q.bindValue(5, page);
        if (!q.exec())
            return fail(q, error, sql::SelectEventsPage);
        engine::EventBatch batch;
        batch.reserve(page);
        while (q.next()) {
            engine::Event e;
            lastId = q.value(0).toLongLong();
            e.id = q.value(1).toString();
            e.timeMs = q.value(2).toLongLong();
            lastTime = e.timeMs;
            e.type = engine::eventTypeFromString(q.value(3).toString()).value_or(range.type);
            e.sourceType = q.value(4).toString();
            e.sourceId = q.value(5).toString();
            e.setFieldsJson(q.value(6).toString().toUtf8());
            batch.append(std::move(e));
        }
        q.finish();
        if (batch.isEmpty())
            return true;
        delivered += batch.size();
        const bool more = batch.size() == page;
        if (!chunk(batch))
            return true;
        if (!more)
            return true;
    }
}

bool Store::insertDetections(const engine::EventBatch &events, const QList<qint64> &rowIds,
                             const QList<engine::DetectionDraft> &detections, qint64 createdAtMs, QString *error)
{
    if (detections.isEmpty())
        return true;
    if (m_url.kind == DatabaseUrl::Kind::SQLite && !m_nativeInsertDetection) {
        QString prepareError;
        m_nativeInsertDetection = SqliteStatement::prepare(m_db, sql::InsertDetection, &prepareError);
        if (!m_nativeInsertDetection)
            qWarning("Vigil: falling back to QSqlQuery for detection inserts: %s", qPrintable(prepareError));
    }
    if (m_nativeInsertDetection) {
        SqliteStatement &insert = *m_nativeInsertDetection;
        for (const engine::DetectionDraft &d : detections) {
            const engine::Event &e = events.at(d.eventIndex);
            const QByteArray sourceType = e.sourceType.toUtf8();
            const QByteArray sourceId = e.sourceId.toUtf8();
            insert.bindInt64(1, d.modelId);
            insert.bindInt64(2, rowIds.at(d.eventIndex));
            insert.bindText(3, sourceType);
            insert.bindText(4, sourceId);
            insert.bindText(5, d.featuresJson);
            insert.bindDouble(6, d.score);
            insert.bindInt64(7, d.isAnomaly ? 1 : 0);
            insert.bindText(8, d.detailsJson);
            insert.bindInt64(9, createdAtMs);
            QString stepError;
            if (insert.stepOnce(nullptr, &stepError) < 0) {
                *error = StoreModelsText::tr("database error (%1) storing the detection of event '%2': %3")
                             .arg(m_url.displayName(), e.id, stepError);
                return false;
            }
        }
        return true;
    }
    QSqlQuery &insert = prepared(sql::InsertDetection);
    for (const engine::DetectionDraft &d : detections) {
        const engine::Event &e = events.at(d.eventIndex);
        insert.bindValue(0, d.modelId);
        insert.bindValue(1, rowIds.at(d.eventIndex));
        insert.bindValue(2, e.sourceType);
        insert.bindValue(3, e.sourceId);
        insert.bindValue(4, QString::fromUtf8(d.featuresJson));
        insert.bindValue(5, d.score);
        insert.bindValue(6, d.isAnomaly ? 1 : 0);
        insert.bindValue(7, QString::fromUtf8(d.detailsJson));
        insert.bindValue(8, createdAtMs);
        if (!insert.exec())
            return fail(insert, error, sql::InsertDetection);
        insert.finish();
    }
    return true;
}

} // namespace vigil::models
