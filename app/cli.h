#pragma once
// Vigil's command line: the console, --headless, and the subcommands.

#include <QStringList>

namespace vigil::app {

// Exit codes that mean something.
enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

// Finds the subcommand word ("rules", "detect", ...) in argv, skipping options and their
// values; empty when Vigil runs as the console or headless.
QString findCommand(const QStringList &arguments);
// True when the invocation needs no display: --headless, a subcommand, --help, --version.
bool needsNoDisplay(const QStringList &arguments);

// Runs Vigil; `arguments` is the whole argv. The application object must exist.
int run(const QStringList &arguments);

} // namespace vigil::app
