#pragma once
// The ingest wire format: decoding producer messages, encoding replies. Pure and thread-safe.

#include "event.h"

#include <QJsonValue>
#include <QStringList>

namespace vigil::engine {

struct Rejection
{
    QJsonValue id; // the event's id when it had a usable one, else null
    QString error; // what is wrong and where, e.g. "events[2].type: ..."
};

struct DecodedMessage
{
    EventBatch events;           // valid events, in message order
    QList<Rejection> rejected;   // invalid events (or the whole message), in message order
};

/*!
    Decodes producer messages and encodes replies (see docs/protocol.md).

    A message is one event object or `{"events": [...]}`. Every problem becomes a Rejection
    that names the problem and where it is; decode() never throws and never fails as a whole.
    Events without `time` get `nowMs`.
*/
class EventCodec
{
public:
    static constexpr int kMaxIdLength = 256;
    static constexpr int kMaxSourceLength = 256;

    static DecodedMessage decode(const QByteArray &message, qint64 nowMs);
    // The same decoding through QJsonDocument alone: what decode() gives, by definition. decode()
    // reads the usual message shape itself and leaves everything else to this (docs/protocol.md).
    static DecodedMessage decodeGeneral(const QByteArray &message, qint64 nowMs);
    // Decodes one event object; `where` prefixes error messages ("events[3]").
    static bool decodeEvent(const QJsonObject &object, qint64 nowMs, const QString &where,
                            Event *event, QString *error);
    // The same, with the text of the object's "fields" value as it stood in the message (kept,
    // without whitespace between tokens, as the event's fieldsJson); empty: serialise `fields`.
    static bool decodeEvent(const QJsonObject &object, qint64 nowMs, const QString &where,
                            QByteArrayView fieldsText, Event *event, QString *error);

    static QJsonObject toJson(const Event &event);
    static QByteArray encodeReply(const QStringList &accepted, const QStringList &duplicates,
                                  const QList<Rejection> &rejected);
    // Parses an RFC 3339 time; returns false for anything else.
    static bool parseTime(const QString &text, qint64 *timeMs);
};

} // namespace vigil::engine
