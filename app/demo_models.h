#pragma once
// The demo's default anomaly models: trained in the background when `--demo` finds none.

#include "models/store/database_url.h"

#include <QCoreApplication>
#include <QThread>

#include <atomic>
#include <memory>

namespace vigil::app {

/*!
    Trains and activates the models of resources/demo_models.json when the database has no
    anomaly model at all (the user's models are never touched). Each model trains on the
    latest stored events of its type when there are enough of them ("minimum_history"),
    otherwise on a generated warm-up sample of demo events ("warmup_events" events of all
    types, spaced in time as the demo feed at `eventsPerSecond` sends them, so window
    features see live-like rates; events the installed rules flag are left out, so that the
    feed's injected anomalies are not learnt as normal).

    Training runs on its own thread with its own database connection; the node's writer
    picks the models up through the model signature (within 2 s) and scoring never waits.
*/
class DemoModels
{
    Q_DECLARE_TR_FUNCTIONS(DemoModels)

public:
    DemoModels(models::DatabaseUrl url, int eventsPerSecond);
    ~DemoModels();

    void start();
    // Cancels training still under way and waits for the thread.
    void stop();

private:
    void run();

    models::DatabaseUrl m_url;
    int m_eventsPerSecond;
    std::atomic<bool> m_cancel{false};
    std::unique_ptr<QThread> m_thread;
};

} // namespace vigil::app
