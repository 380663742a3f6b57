#include "types.h"

#include <array>

namespace vigil::engine {

namespace {
constexpr std::array<const char16_t *, kEventTypeCount> kEventTypes = {
    u"TRANSACTION", u"INVENTORY", u"SECURITY", u"SYSTEM", u"COMPLIANCE"};
constexpr std::array<const char16_t *, kSeverityCount> kSeverities = {u"LOW", u"MEDIUM", u"HIGH",
                                                                      u"CRITICAL"};
constexpr std::array<const char16_t *, kAlertStatusCount> kStatuses = {
    u"NEW", u"ACKNOWLEDGED", u"RESOLVED", u"FALSE_POSITIVE"};

template <typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<const char16_t *, N> &names, QStringView name)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (name == QStringView(names[i]))
            return static_cast<Enum>(i);
    }
    return std::nullopt;
}

template <std::size_t N>
QStringList allNames(const std::array<const char16_t *, N> &names)
{
    QStringList out;
    out.reserve(int(N));
    for (const char16_t *n : names)
        out << QString::fromUtf16(n);
    return out;
}
} // namespace

QString toString(EventType type) { return QString::fromUtf16(kEventTypes[std::size_t(type)]); }
std::optional<EventType> eventTypeFromString(QStringView name) { return lookup<EventType>(kEventTypes, name); }
QStringList eventTypeNames() { return allNames(kEventTypes); }

QString toString(Severity severity) { return QString::fromUtf16(kSeverities[std::size_t(severity)]); }
std::optional<Severity> severityFromString(QStringView name) { return lookup<Severity>(kSeverities, name); }
QStringList severityNames() { return allNames(kSeverities); }

QString toString(AlertStatus status) { return QString::fromUtf16(kStatuses[std::size_t(status)]); }
std::optional<AlertStatus> alertStatusFromString(QStringView name) { return lookup<AlertStatus>(kStatuses, name); }
QStringList alertStatusNames() { return allNames(kStatuses); }

} // namespace vigil::engine
