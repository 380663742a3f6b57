#pragma once
// `vigil models`: train anomaly models from stored events, list their versions, activate one.

#include "engine/detectors/detector.h"
#include "engine/detectors/model_record.h"
#include "models/store/store.h"

#include <QStringList>

namespace vigil::app {

// What to train and on which history.
struct TrainingRequest
{
    QString name;
    QString algorithm;
    engine::EventType eventType = engine::EventType::Transaction;
    QJsonObject parameters;
    QJsonObject featureConfig;
    models::Store::EventRange history;
};

/*!
    Reads the request's history from `store` in chunks, extracts features in time order and
    fits the detector (progress through control.progress: reading is the first 20%, fitting
    the rest; control.cancel stops both). On success *record holds the trained version,
    not yet saved. Runs on the calling thread, which must own `store`.
*/
bool trainFromHistory(models::Store &store, const TrainingRequest &request, const engine::TrainingControl &control,
                      engine::ModelRecord *record, QString *error);

/*!
    Runs `vigil models ...` with the whole argv:

        vigil models train --name N --algorithm A --type EVENT_TYPE --features FILE.json
                           [--param key=value]... [--since RFC3339] [--until RFC3339]
                           [--limit N] [--inactive] [--database URL]
        vigil models list [NAME] [--database URL]
        vigil models activate NAME VERSION [--database URL]

    Training runs on a worker thread with progress on standard error; SIGINT/SIGTERM cancel
    it and nothing is saved. A trained model is saved as the next version of its name and,
    unless --inactive, activated (a running node picks it up within 2 s).
    Returns 0 on success, 2 for wrong usage, 1 for a failure (with a message).
*/
int runModelsCommand(const QStringList &arguments);

} // namespace vigil::app
