// `vigil detect` as a stand-alone program for tests: the same runDetectCommand the vigil
// executable dispatches to, linked with the engine only.

#include "app/detect_command.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    if (!args.isEmpty() && args.first() == u"detect")
        args.removeFirst();
    return vigil::app::runDetectCommand(args);
}
