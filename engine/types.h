#pragma once
// Vigil's vocabulary: event types, severities and alert states, with their wire names.

#include <QString>
#include <QStringList>
#include <QStringView>
#include <optional>

namespace vigil::engine {

enum class EventType : quint8 { Transaction, Inventory, Security, System, Compliance };
inline constexpr int kEventTypeCount = 5;

enum class Severity : quint8 { Low, Medium, High, Critical };
inline constexpr int kSeverityCount = 4;

enum class AlertStatus : quint8 { New, Acknowledged, Resolved, FalsePositive };
inline constexpr int kAlertStatusCount = 4;

// Wire names: TRANSACTION, INVENTORY, SECURITY, SYSTEM, COMPLIANCE.
QString toString(EventType type);
std::optional<EventType> eventTypeFromString(QStringView name);
QStringList eventTypeNames();

// Wire names: LOW, MEDIUM, HIGH, CRITICAL.
QString toString(Severity severity);
std::optional<Severity> severityFromString(QStringView name);
QStringList severityNames();

// Wire names: NEW, ACKNOWLEDGED, RESOLVED, FALSE_POSITIVE.
QString toString(AlertStatus status);
std::optional<AlertStatus> alertStatusFromString(QStringView name);
QStringList alertStatusNames();

} // namespace vigil::engine
