#pragma once
// Synthetic payment events for the anomaly model tests: a normal population and outliers.

#include "engine/events/event_codec.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <cmath>

namespace vigil::testdata {

// 2026-01-31T12:00:00Z
constexpr qint64 kT0 = 1769860800000;

// The feature configuration the tests train with.
inline QJsonObject paymentFeatures()
{
    return QJsonDocument::fromJson(R"({"event_type": "TRANSACTION", "features": [
        {"name": "log_amount", "field": "amount", "transform": "log1p"},
        {"name": "country", "field": "country", "transform": "one_hot", "values": ["DE", "FR"], "other": true},
        {"name": "card_payments_10m", "transform": "window", "aggregate": "count", "group_by": "card", "window": "10m"}]})")
        .object();
}

inline engine::Event payment(const QString &id, qint64 timeMs, double amount, const QString &country,
                             const QString &card, int label = -1)
{
    QJsonObject fields{{u"amount"_qs, amount}, {u"country"_qs, country}, {u"card"_qs, card}, {u"currency"_qs, u"EUR"_qs}};
    if (label >= 0)
        fields.insert(u"is_fraud"_qs, label == 1);
    const QJsonObject o{{u"id"_qs, id},
                        {u"time"_qs, engine::formatTime(timeMs)},
                        {u"type"_qs, u"TRANSACTION"_qs},
                        {u"source_type"_qs, u"account"_qs},
                        {u"source_id"_qs, u"acct-%1"_qs.arg(card)},
                        {u"fields"_qs, fields}};
    engine::Event e;
    QString error;
    if (!engine::EventCodec::decodeEvent(o, 0, u"event"_qs, &e, &error))
        qFatal("bad event in the test: %s", qPrintable(error));
    return e;
}

// `count` typical payments from t0, one every 2 s: log-normal amounts around 50 EUR,
// DE or FR, 200 cards. With `fraudEvery` > 0 every such event is a labelled outlier.
inline engine::EventBatch normalPayments(int count, quint32 seed, qint64 t0 = kT0, const QString &prefix = u"p-"_qs,
                                         int fraudEvery = 0)
{
    QRandomGenerator random(seed);
    engine::EventBatch out;
    for (int i = 0; i < count; ++i) {
        const bool fraud = fraudEvery > 0 && i % fraudEvery == fraudEvery - 1;
        const double u1 = random.generateDouble(), u2 = random.generateDouble();
        const double gauss = std::sqrt(-2.0 * std::log(std::max(u1, 1e-12))) * std::cos(2 * M_PI * u2);
        double amount = std::round(std::exp(3.9 + 0.6 * gauss) * 100) / 100;
        QString country = random.bounded(2) ? u"DE"_qs : u"FR"_qs;
        if (fraud) {
            amount = 20000 + random.bounded(50000);
            country = u"KP"_qs;
        }
        out.append(payment(prefix + QString::number(i), t0 + qint64(i) * 2000, amount, country,
                           u"card-%1"_qs.arg(random.bounded(200)), fraudEvery > 0 ? int(fraud) : -1));
    }
    return out;
}

} // namespace vigil::testdata
