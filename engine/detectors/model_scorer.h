#pragma once
// The anomaly step of the pipeline: every active model of an event's type scores it.

#include "../decisions.h"
#include "../events/event.h"
#include "live_model.h"
#include "../ordered_worker.h"

#include <QCoreApplication>

#include <array>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::engine {

/*!
    Runs the active models on a batch of new events, on two threads:

    - add(event) runs on the caller's thread (the ingest writer, inside its transaction):
      for every active model of the event's type it extracts the feature vector (window
      features need the events in order, exactly once) and appends it to the current chunk.
    - Each full chunk (kChunkItems vectors) goes to a worker thread, which scores it,
      explains anomalies and serialises detections and alert drafts, while the caller stores
      the next events. finish() hands over the last chunk, waits for the worker and appends
      the results in event order. A batch too small for one chunk is scored on the caller's
      thread (no hand-over latency for a trickle of events).

    Scoring is const on shared detectors, so setModels() may replace the models between
    batches (an atomic swap from the pipeline's point of view: a batch sees one model set).

    Explanations (per-feature contributions) cost one extra score per feature, so they are
    computed for anomalies only; a typical event's details hold its score and the threshold.
*/
class ModelScorer
{
    Q_DECLARE_TR_FUNCTIONS(ModelScorer)

public:
    static constexpr int kChunkItems = 256;
    static constexpr int kTopFeatures = 3;

    ModelScorer();
    ~ModelScorer();
    ModelScorer(const ModelScorer &) = delete;
    ModelScorer &operator=(const ModelScorer &) = delete;

    // Replaces the active models; call between batches. A new model whose feature
    // configuration equals the previous version's keeps its window state.
    void setModels(std::vector<std::unique_ptr<LiveModel>> models);
    int modelCount() const { return int(m_models.size()); }
    const LiveModel &model(int i) const { return *m_models.at(std::size_t(i)); }
    // Whether full chunks are scored on the worker thread (default: when there are 2+ cores).
    void setParallel(bool parallel) { m_parallel = parallel; }
    bool isParallel() const { return m_parallel; }

    // Extracts the event's features for every model of its type (the event must stay alive
    // until finish()).
    void add(const Event &event, int eventIndex);
    // Scores what is left, waits for the worker and appends detections and alerts to *out.
    void finish(Decisions *out);
    // Drops an unfinished batch's work (its events were not stored).
    void discard();

private:
    struct Item
    {
        const Event *event = nullptr;
        int eventIndex = -1;
        int model = -1;
        qsizetype offset = 0; // into Chunk::values
    };
    struct Chunk
    {
        std::vector<Item> items;
        std::vector<double> values;
        QList<DetectionDraft> detections;
        QList<AlertDraft> alerts;
    };

    void submit();
    void score(Chunk &chunk) const;

    std::vector<std::unique_ptr<LiveModel>> m_models;
    std::array<std::vector<int>, kEventTypeCount> m_byType;
    bool m_parallel = true;

    std::unique_ptr<Chunk> m_current;
    std::vector<std::unique_ptr<Chunk>> m_batch; // submitted chunks of this batch, in order

    // Declared last: destroyed first, so no job outlives what it uses.
    OrderedWorker m_worker{"vigil-scoring"};
};

} // namespace vigil::engine
