#pragma once
// The risk of one event from its detections, as the prototype's calculate_risk_score.

#include "../types.h"

#include <span>

namespace vigil::engine {

/*!
    Represents one detection's say in an event's risk: its calibrated anomaly score in
    [0, 1], the model's weight (parameter model_weight, default 1) and severity
    (parameter severity, default MEDIUM).

    eventRisk() is the prototype's calculate_risk_score: the mean over detections of
    score × model_weight × severity_weight, with LOW 0.25, MEDIUM 0.5, HIGH 0.75 and
    CRITICAL 1.0; 0 without detections. It lies in [0, 1] when every model_weight is
    at most 1.
*/
struct RiskInput
{
    double score = 0;
    double modelWeight = 1.0;
    Severity severity = Severity::Medium;
};

class RiskScore
{
public:
    static double severityWeight(Severity severity);
    static double eventRisk(std::span<const RiskInput> detections);
};

} // namespace vigil::engine
