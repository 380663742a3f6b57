#include "token.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

namespace vigil::app {

namespace {
class TokenText
{
    Q_DECLARE_TR_FUNCTIONS(ProducerToken)
};

bool readToken(const QString &path, QString *token, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = TokenText::tr("cannot read the token file %1: %2").arg(path, f.errorString());
        return false;
    }
    *token = QString::fromUtf8(f.readAll()).trimmed();
    if (token->isEmpty()) {
        *error = TokenText::tr("the token file %1 is empty: put the producer token on its first line").arg(path);
        return false;
    }
    if (token->contains(QRegularExpression(QStringLiteral("\\s")))) {
        *error = TokenText::tr("the token in %1 contains white space: a token is one word").arg(path);
        return false;
    }
    return true;
}
} // namespace

QString ProducerToken::defaultFilePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("producer-token"));
}

bool ProducerToken::resolve(const QString &tokenFile, ProducerToken *out, QString *error)
{
    const QString env = qEnvironmentVariable("VIGIL_TOKEN").trimmed();
    if (!env.isEmpty()) {
        out->token = env;
        out->origin = TokenText::tr("the VIGIL_TOKEN environment variable");
        return true;
    }
    if (!tokenFile.isEmpty()) {
        if (!readToken(tokenFile, &out->token, error))
            return false;
        out->filePath = tokenFile;
        out->origin = TokenText::tr("the file %1").arg(tokenFile);
        return true;
    }
    const QString path = defaultFilePath();
    out->filePath = path;
    if (QFileInfo::exists(path)) {
        if (!readToken(path, &out->token, error))
            return false;
        out->origin = TokenText::tr("the file %1").arg(path);
        return true;
    }
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    out->token = QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = TokenText::tr("cannot create the folder for %1").arg(path);
        return false;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        *error = TokenText::tr("cannot write the new token to %1: %2").arg(path, f.errorString());
        return false;
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    f.write(out->token.toUtf8() + '\n');
    if (!f.commit()) {
        *error = TokenText::tr("cannot write the new token to %1: %2").arg(path, f.errorString());
        return false;
    }
    QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out->generated = true;
    out->origin = TokenText::tr("a new token generated into %1").arg(path);
    return true;
}

bool ProducerToken::equals(const QString &a, const QString &b)
{
    const QByteArray x = a.toUtf8(), y = b.toUtf8();
    unsigned diff = unsigned(x.size() ^ y.size());
    const qsizetype n = std::min(x.size(), y.size());
    for (qsizetype i = 0; i < n; ++i)
        diff |= unsigned(quint8(x.at(i)) ^ quint8(y.at(i)));
    return diff == 0;
}

} // namespace vigil::app
