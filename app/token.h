#pragma once
// The producer token: from VIGIL_TOKEN, --token-file, or generated once and kept.

#include <QString>

namespace vigil::app {

struct ProducerToken
{
    QString token;
    QString origin;     // for the log: where the token came from
    QString filePath;   // the file holding it, when there is one
    bool generated = false;

    // VIGIL_TOKEN wins, then `tokenFile`; with neither, the token in
    // <AppDataLocation>/producer-token is used, created (mode 0600) on first start.
    static bool resolve(const QString &tokenFile, ProducerToken *out, QString *error);
    static QString defaultFilePath();
    // Constant-time comparison, so that timing does not leak the token.
    static bool equals(const QString &a, const QString &b);
};

} // namespace vigil::app
