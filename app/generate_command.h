#pragma once
// `vigil generate`: fills a database with realistic history for demos and benchmarks.

#include <QStringList>

namespace vigil::app {

// `arguments` start with the program name and may still contain the word "generate".
// Returns the process exit code (0 ok, 1 failure, 2 usage).
int runGenerateCommand(const QStringList &arguments);

} // namespace vigil::app
