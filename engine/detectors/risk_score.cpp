#include "risk_score.h"

namespace vigil::engine {

double RiskScore::severityWeight(Severity severity)
{
    switch (severity) {
    case Severity::Low: return 0.25;
    case Severity::Medium: return 0.5;
    case Severity::High: return 0.75;
    case Severity::Critical: return 1.0;
    }
    return 0.5;
}

double RiskScore::eventRisk(std::span<const RiskInput> detections)
{
    if (detections.empty())
        return 0.0;
    double sum = 0;
    for (const RiskInput &d : detections)
        sum += d.score * d.modelWeight * severityWeight(d.severity);
    return sum / double(detections.size());
}

} // namespace vigil::engine
