// vigil: the console, the headless engine node and the command-line tools.
#include "cli.h"

#include <QApplication>
#include <QCoreApplication>
#include <memory>

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    // A server has no display: headless mode and every subcommand use QCoreApplication.
    std::unique_ptr<QCoreApplication> app;
    if (vigil::app::needsNoDisplay(arguments))
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QString());
    QCoreApplication::setApplicationName(QStringLiteral("vigil"));
    QCoreApplication::setApplicationVersion(QStringLiteral(VIGIL_VERSION));
    return vigil::app::run(arguments);
}
