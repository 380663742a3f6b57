// Feature configuration, the seasonal baseline (on NAB series) and risk scores.

#include "engine/detectors/detection_metrics.h"
#include "engine/detectors/feature_extractor.h"
#include "engine/detectors/risk_score.h"
#include "engine/detectors/seasonal_baseline.h"
#include "engine/detectors/source_risk_tracker.h"

#include <QDateTime>
#include <QTimeZone>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <cmath>

using namespace vigil::engine;

namespace {

QJsonObject json(const char *text)
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson(QByteArray(text), &e);
    if (e.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", qPrintable(e.errorString()));
    return d.object();
}

Event makeEvent(qint64 timeMs, const char *fields, EventType type = EventType::Transaction)
{
    Event e;
    e.id = QStringLiteral("e%1").arg(timeMs);
    e.timeMs = timeMs;
    e.type = type;
    e.sourceType = QStringLiteral("account");
    e.sourceId = QStringLiteral("acc-1");
    e.setFields(json(fields));
    return e;
}

// 2026-11-23 was a Monday; 10:30 UTC.
constexpr qint64 kMonday1030 = 1795429800000;

struct Series
{
    std::vector<qint64> time;
    std::vector<double> value;
    std::vector<int> window;
};

Series readNab(const QString &name)
{
    Series s;
    QFile f(QStringLiteral(VIGIL_SHARED_DATA "/nab/%1.csv").arg(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot open %s", qPrintable(f.fileName()));
    f.readLine();
    while (!f.atEnd()) {
        const QList<QByteArray> p = f.readLine().trimmed().split(',');
        if (p.size() < 3)
            continue;
        QDateTime t = QDateTime::fromString(QString::fromLatin1(p[0]), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        t.setTimeSpec(Qt::UTC);
        s.time.push_back(t.toMSecsSinceEpoch());
        s.value.push_back(p[1].toDouble());
        s.window.push_back(p[2].toInt());
    }
    return s;
}

} // namespace

class TestFeatures : public QObject
{
    Q_OBJECT

private slots:
    void extract_data();
    void extract();
    void badConfiguration_data();
    void badConfiguration();
    void windowAggregatesPerKey();
    void configurationRoundTrip();
    void seasonalBuckets_data();
    void seasonalBuckets();
    void seasonalBaselineLearnsTheWeek();
    void seasonalBaselineRoundTrip();
    void seasonalBaselineOnNab_data();
    void seasonalBaselineOnNab();
    void eventRisk_data();
    void eventRisk();
    void sourceRiskAccumulatesAndFades();
};

void TestFeatures::extract_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QByteArray>("fields");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QList<double>>("expected"); // NaN = missing (imputed by the detector)
    const double nan = std::nan("");
    QTest::newRow("numeric") << QByteArray(R"({"features":[{"name":"amount","field":"amount"}]})")
                             << QByteArray(R"({"amount": 12.5})") << QStringList{"amount"} << QList<double>{12.5};
    QTest::newRow("numeric from text and bool") << QByteArray(R"({"features":[{"field":"a"},{"field":"b"}]})")
                             << QByteArray(R"({"a": " 7 ", "b": true})") << QStringList{"a", "b"} << QList<double>{7, 1};
    QTest::newRow("missing gives NaN") << QByteArray(R"({"features":[{"field":"amount"}]})")
                             << QByteArray(R"({"other": 1})") << QStringList{"amount"} << QList<double>{nan};
    QTest::newRow("non-numeric gives NaN") << QByteArray(R"({"features":[{"field":"amount"}]})")
                             << QByteArray(R"({"amount": "lots"})") << QStringList{"amount"} << QList<double>{nan};
    QTest::newRow("default") << QByteArray(R"({"features":[{"field":"amount","default":-1}]})")
                             << QByteArray(R"({"amount": null})") << QStringList{"amount"} << QList<double>{-1};
    QTest::newRow("log1p") << QByteArray(R"({"features":[{"field":"x","transform":"log1p"},{"field":"y","transform":"log1p"}]})")
                           << QByteArray(R"({"x": 99, "y": -99})") << QStringList{"x", "y"}
                           << QList<double>{std::log(100.0), -std::log(100.0)};
    QTest::newRow("one_hot") << QByteArray(R"({"features":[{"name":"ch","field":"channel","transform":"one_hot","values":["web","pos"],"other":true}]})")
                             << QByteArray(R"({"channel": "pos"})") << QStringList{"ch=web", "ch=pos", "ch=other"} << QList<double>{0, 1, 0};
    QTest::newRow("one_hot other") << QByteArray(R"({"features":[{"name":"ch","field":"channel","transform":"one_hot","values":["web","pos"],"other":true}]})")
                             << QByteArray(R"({"channel": "atm"})") << QStringList{"ch=web", "ch=pos", "ch=other"} << QList<double>{0, 0, 1};
    QTest::newRow("one_hot missing") << QByteArray(R"({"features":[{"name":"ch","field":"channel","transform":"one_hot","values":["web"],"other":true}]})")
                             << QByteArray(R"({})") << QStringList{"ch=web", "ch=other"} << QList<double>{0, 0};
    QTest::newRow("one_hot numbers") << QByteArray(R"({"features":[{"name":"code","field":"code","transform":"one_hot","values":[200,404]}]})")
                             << QByteArray(R"({"code": 404})") << QStringList{"code=200", "code=404"} << QList<double>{0, 1};
    // FNV-1a("m-17") = 0x2fd0ef4d; mod 4 = 1
    QTest::newRow("hash") << QByteArray(R"({"features":[{"name":"m","field":"merchant","transform":"hash","buckets":4}]})")
                          << QByteArray(R"({"merchant": "m-17"})") << QStringList{"m#0", "m#1", "m#2", "m#3"}
                          << QList<double>{0, double(stableHash(QStringLiteral("m-17")) % 4 == 1), double(stableHash(QStringLiteral("m-17")) % 4 == 2), double(stableHash(QStringLiteral("m-17")) % 4 == 3)};
    QTest::newRow("hash missing") << QByteArray(R"({"features":[{"name":"m","field":"merchant","transform":"hash","buckets":2}]})")
                          << QByteArray(R"({})") << QStringList{"m#0", "m#1"} << QList<double>{0, 0};
    QTest::newRow("time of event") << QByteArray(R"({"features":[{"name":"h","transform":"hour_of_day"},{"name":"d","transform":"day_of_week"},{"name":"hl","transform":"hour_of_day","utc_offset_minutes":-660}]})")
                          << QByteArray(R"({})") << QStringList{"h", "d", "hl"} << QList<double>{10, 0, 23};
    QTest::newRow("time field") << QByteArray(R"({"features":[{"name":"h","field":"opened","transform":"hour_of_day"},{"name":"d","field":"opened","transform":"day_of_week"}]})")
                          << QByteArray(R"({"opened": "2026-11-29T22:15:00Z"})") << QStringList{"h", "d"} << QList<double>{22, 6};
    QTest::newRow("unreadable time") << QByteArray(R"({"features":[{"name":"h","field":"opened","transform":"hour_of_day"}]})")
                          << QByteArray(R"({"opened": "yesterday"})") << QStringList{"h"} << QList<double>{nan};
    QTest::newRow("nested field") << QByteArray(R"({"features":[{"name":"lat","field":"fields.geo.lat"}]})")
                          << QByteArray(R"({"geo": {"lat": 52.5}})") << QStringList{"lat"} << QList<double>{52.5};
}

void TestFeatures::extract()
{
    QFETCH(QByteArray, config);
    QFETCH(QByteArray, fields);
    QFETCH(QStringList, names);
    QFETCH(QList<double>, expected);
    FeatureExtractor fx;
    QString error;
    QVERIFY2(FeatureExtractor::fromJson(json(config.constData()), &fx, &error), qPrintable(error));
    QCOMPARE(fx.names(), names);
    const std::vector<double> v = fx.extract(makeEvent(kMonday1030, fields.constData()));
    QCOMPARE(int(v.size()), int(expected.size()));
    for (qsizetype i = 0; i < expected.size(); ++i) {
        if (std::isnan(expected[i]))
            QVERIFY2(std::isnan(v[std::size_t(i)]), qPrintable(QString::number(v[std::size_t(i)])));
        else
            QVERIFY2(std::abs(v[std::size_t(i)] - expected[i]) < 1e-12, qPrintable(QString::number(v[std::size_t(i)])));
    }
    const QJsonObject stored = fx.toJson(v);
    QCOMPARE(stored.size(), names.size());
}

void TestFeatures::badConfiguration_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QString>("error");
    QTest::newRow("no features") << QByteArray(R"({"features":[]})") << "non-empty array";
    QTest::newRow("bad type") << QByteArray(R"({"event_type":"PAYMENT","features":[{"field":"a"}]})") << "PAYMENT";
    QTest::newRow("bad transform") << QByteArray(R"({"features":[{"name":"a","field":"a","transform":"sqrt"}]})") << "feature 1 (a): unknown transform \"sqrt\"";
    QTest::newRow("no field") << QByteArray(R"({"features":[{"name":"a","transform":"log1p"}]})") << "\"field\" is required";
    QTest::newRow("one_hot without values") << QByteArray(R"({"features":[{"field":"a","transform":"one_hot"}]})") << "values";
    QTest::newRow("hash buckets") << QByteArray(R"({"features":[{"field":"a","transform":"hash","buckets":0}]})") << "buckets";
    QTest::newRow("bad window") << QByteArray(R"({"features":[{"field":"a","transform":"window","aggregate":"sum","window":"soon"}]})") << "window";
    QTest::newRow("bad aggregate") << QByteArray(R"({"features":[{"field":"a","transform":"window","aggregate":"median","window":"5m"}]})") << "median";
    QTest::newRow("sum needs a field") << QByteArray(R"({"features":[{"name":"s","transform":"window","aggregate":"sum","window":"5m"}]})") << "\"field\" is required";
    QTest::newRow("default not a number") << QByteArray(R"({"features":[{"field":"a","default":"zero"}]})") << "default";
}

void TestFeatures::badConfiguration()
{
    QFETCH(QByteArray, config);
    QFETCH(QString, error);
    FeatureExtractor fx;
    QString message;
    QVERIFY(!FeatureExtractor::fromJson(json(config.constData()), &fx, &message));
    QVERIFY2(message.contains(error), qPrintable(message));
}

void TestFeatures::windowAggregatesPerKey()
{
    FeatureExtractor fx;
    QString error;
    QVERIFY2(FeatureExtractor::fromJson(json(R"({"event_type":"TRANSACTION","features":[
        {"name":"n10m","transform":"window","aggregate":"count","group_by":"account","window":"10m"},
        {"name":"sum10m","field":"amount","transform":"window","aggregate":"sum","group_by":"account","window":"10m"},
        {"name":"avg10m","field":"amount","transform":"window","aggregate":"avg","group_by":"account","window":"10m"},
        {"name":"merchants","field":"merchant","transform":"window","aggregate":"distinct_count","group_by":"account","window":"10m"}]})"),
                                         &fx, &error), qPrintable(error));
    QVERIFY(fx.appliesTo(makeEvent(0, "{}")));
    QVERIFY(!fx.appliesTo(makeEvent(0, "{}", EventType::Security)));
    const qint64 t0 = kMonday1030;
    const qint64 minute = 60000;
    struct Step { qint64 t; const char *fields; QList<double> expected; };
    const std::vector<Step> steps = {
        {t0, R"({"account":"A","amount":10,"merchant":"m1"})", {1, 10, 10, 1}},
        {t0 + 1 * minute, R"({"account":"B","amount":5,"merchant":"m1"})", {1, 5, 5, 1}},
        {t0 + 2 * minute, R"({"account":"A","amount":30,"merchant":"m2"})", {2, 40, 20, 2}},
        {t0 + 3 * minute, R"({"account":"A","merchant":"m2"})", {3, 40, 20, 2}},          // no amount: counted, not summed
        {t0 + 11 * minute, R"({"account":"A","amount":1,"merchant":"m3"})", {3, 31, 15.5, 2}}, // t0 slid out
        {t0 + 30 * minute, R"({"account":"B","amount":2,"merchant":"m9"})", {1, 2, 2, 1}},
    };
    for (const Step &s : steps) {
        const std::vector<double> v = fx.extract(makeEvent(s.t, s.fields));
        for (int i = 0; i < 4; ++i)
            QVERIFY2(v[std::size_t(i)] == s.expected[i], qPrintable(QStringLiteral("%1 at step t+%2m: %3 != %4")
                .arg(fx.names()[i]).arg((s.t - t0) / minute).arg(v[std::size_t(i)]).arg(s.expected[i])));
    }
    fx.reset();
    QCOMPARE(fx.extract(makeEvent(t0 + 31 * minute, R"({"account":"A","amount":3})"))[0], 1.0);
}

void TestFeatures::configurationRoundTrip()
{
    const QJsonObject config = json(R"({"event_type":"SECURITY","features":[{"name":"port","field":"port"},
        {"name":"proto","field":"proto","transform":"one_hot","values":["tcp","udp"]}]})");
    FeatureExtractor a;
    FeatureExtractor b;
    QString error;
    QVERIFY(FeatureExtractor::fromJson(config, &a, &error));
    QCOMPARE(a.toJson(), config);
    QVERIFY(FeatureExtractor::fromJson(a.toJson(), &b, &error));
    QCOMPARE(b.names(), a.names());
    QVERIFY(*b.eventType() == EventType::Security);
}

void TestFeatures::seasonalBuckets_data()
{
    QTest::addColumn<qint64>("time");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("hourOfWeek");
    QTest::newRow("epoch is Thursday 00h") << qint64(0) << 0 << 3 * 24;
    QTest::newRow("Monday 10:30") << kMonday1030 << 0 << 10;
    QTest::newRow("Monday 10:30 at UTC-11 is Sunday 23h") << kMonday1030 << -660 << 6 * 24 + 23;
    QTest::newRow("before the epoch: Wednesday 23h") << qint64(-1) << 0 << 2 * 24 + 23;
}

void TestFeatures::seasonalBuckets()
{
    QFETCH(qint64, time);
    QFETCH(int, offset);
    QFETCH(int, hourOfWeek);
    SeasonalBaseline::Options o;
    o.utcOffsetMinutes = offset;
    QCOMPARE(SeasonalBaseline(o).bucketOf(time), hourOfWeek);
    o.season = SeasonalBaseline::Season::HourOfDay;
    QCOMPARE(SeasonalBaseline(o).bucketOf(time), hourOfWeek % 24);
    o.season = SeasonalBaseline::Season::DayOfWeek;
    QCOMPARE(SeasonalBaseline(o).bucketOf(time), hourOfWeek / 24);
}

void TestFeatures::seasonalBaselineLearnsTheWeek()
{
    // Busy weekday afternoons, quiet nights: 8 weeks of hourly values with a little noise.
    SeasonalBaseline seasonal;
    SeasonalBaseline::Options flatOptions;
    flatOptions.season = SeasonalBaseline::Season::None;
    flatOptions.halfLife = 500; // a long memory, like the seasonal one's per bucket
    SeasonalBaseline flat(flatOptions);
    const qint64 hour = 3600000;
    // Busy from 9 to 18 on weekdays (bucket = day · 24 + hour, Monday = 0).
    auto level = [&](qint64 t) {
        const int b = seasonal.bucketOf(t);
        return (b % 24 >= 9 && b % 24 < 18 && b / 24 < 5) ? 1000.0 : 100.0;
    };
    for (int i = 0; i < 8 * 168; ++i) {
        const qint64 t = kMonday1030 + i * hour;
        const double noise = 10.0 * std::sin(i * 1.7);
        seasonal.observe(t, level(t) + noise);
        flat.observe(t, level(t) + noise);
    }
    const qint64 nextMonday = kMonday1030 + 8 * 168 * hour; // Monday 10:30 again
    // Normal busy Monday morning: unremarkable for the seasonal baseline.
    const SeasonalBaseline::Observation busy = seasonal.peek(nextMonday, 1005);
    QVERIFY(busy.seasonal);
    QVERIFY2(busy.score < 0.9, qPrintable(QString::number(busy.score)));
    QVERIFY(std::abs(busy.expected - 1000) < 20);
    // The same value on a Sunday night is anomalous for it, and not for a flat baseline.
    const qint64 sundayNight = nextMonday - 32 * hour - 30 * 60000; // Sunday 02:00
    const SeasonalBaseline::Observation night = seasonal.peek(sundayNight, 1005);
    QVERIFY2(night.score > 0.999, qPrintable(QString::number(night.score)));
    QVERIFY2(flat.peek(sundayNight, 1005).score < 0.99, qPrintable(QString::number(flat.peek(sundayNight, 1005).score)));
    // A spike is not learnt at full weight: the baseline barely moves.
    const double before = seasonal.peek(nextMonday, 1000).expected;
    seasonal.observe(nextMonday, 50000);
    QVERIFY(std::abs(seasonal.peek(nextMonday + 168 * hour, 1000).expected - before) < 30);
}

void TestFeatures::seasonalBaselineRoundTrip()
{
    SeasonalBaseline a;
    for (int i = 0; i < 500; ++i)
        a.observe(kMonday1030 + qint64(i) * 1800000, 50 + (i % 48));
    SeasonalBaseline b;
    QVERIFY(b.deserialize(a.serialize()));
    for (int i = 0; i < 48; ++i) {
        const qint64 t = kMonday1030 + qint64(500 + i) * 1800000;
        QCOMPARE(b.peek(t, 70).score, a.peek(t, 70).score);
    }
    QVERIFY(!b.deserialize(QByteArray("junk")));
    QString error;
    SeasonalBaseline::Options o;
    QVERIFY(SeasonalBaseline::optionsFromJson(json(R"({"season":"hour_of_day","half_life":20})"), &o, &error));
    QCOMPARE(o.season, SeasonalBaseline::Season::HourOfDay);
    QVERIFY(!SeasonalBaseline::optionsFromJson(json(R"({"season":"monthly"})"), &o, &error));
    QVERIFY(error.contains(QStringLiteral("season")));
}

void TestFeatures::seasonalBaselineOnNab_data()
{
    QTest::addColumn<QString>("series");
    QTest::addColumn<QString>("season");
    for (const char *s : {"nyc_taxi", "machine_temperature_system_failure", "ambient_temperature_system_failure",
                          "cpu_utilization_asg_misconfiguration", "ec2_request_latency_system_failure",
                          "rogue_agent_key_hold", "rogue_agent_key_updown"}) {
        for (const char *season : {"hour_of_week", "none"})
            QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QLatin1String(s), QLatin1String(season))))
                << QString::fromLatin1(s) << QString::fromLatin1(season);
    }
}

void TestFeatures::seasonalBaselineOnNab()
{
    QFETCH(QString, series);
    QFETCH(QString, season);
    const Series s = readNab(series);
    SeasonalBaseline::Options o;
    QString error;
    QVERIFY(SeasonalBaseline::optionsFromJson(QJsonObject{{QStringLiteral("season"), season}}, &o, &error));
    SeasonalBaseline baseline(o);
    std::vector<double> scores;
    for (std::size_t i = 0; i < s.value.size(); ++i)
        scores.push_back(baseline.observe(s.time[i], s.value[i]).score);
    // NAB's probation: the first 15% only teach.
    const std::size_t start = s.value.size() * 15 / 100;
    std::vector<double> tailScores(scores.begin() + std::ptrdiff_t(start), scores.end());
    std::vector<int> tailLabels(s.window.begin() + std::ptrdiff_t(start), s.window.end());
    const DetectionMetrics m = DetectionMetrics::compute(tailScores, tailLabels);
    // Windows detected at z > 4 (score > 0.99994), and false alarms outside windows.
    int windows = 0;
    int detected = 0;
    long outside = 0;
    long falseAlarms = 0;
    for (std::size_t i = start; i < scores.size(); ++i) {
        const bool alarm = scores[i] > 0.99994;
        if (s.window[i] && (i == start || !s.window[i - 1])) {
            ++windows;
            bool hit = false;
            for (std::size_t j = i; j < scores.size() && s.window[j]; ++j)
                hit = hit || scores[j] > 0.99994;
            detected += hit;
        }
        if (!s.window[i]) {
            ++outside;
            falseAlarms += alarm;
        }
    }
    qInfo("%s %s: point ROC-AUC %.3f, windows detected %d of %d, false alarms %.2f%% of %ld points",
          qPrintable(series), qPrintable(season), m.rocAuc, detected, windows, 100.0 * double(falseAlarms) / double(outside), outside);
    QVERIFY(windows > 0);
    if (series == u"nyc_taxi") {
        // The taxi series is ruled by the week: the marathon, Thanksgiving, Christmas, New
        // Year and the January blizzard only stand out against the same hour of the week.
        if (season == u"hour_of_week") {
            QCOMPARE(detected, 5);
            QVERIFY(double(falseAlarms) / double(outside) < 0.01);
            QVERIFY(m.rocAuc > 0.65);
        } else {
            QVERIFY(m.rocAuc < 0.6); // without the season the same values look ordinary
        }
    }
    QVERIFY(std::all_of(scores.begin(), scores.end(), [](double v) { return v >= 0 && v <= 1; }));
}

void TestFeatures::eventRisk_data()
{
    QTest::addColumn<QList<double>>("scores");
    QTest::addColumn<QList<double>>("weights");
    QTest::addColumn<QList<int>>("severities");
    QTest::addColumn<double>("risk");
    QTest::newRow("none") << QList<double>{} << QList<double>{} << QList<int>{} << 0.0;
    QTest::newRow("one medium") << QList<double>{0.8} << QList<double>{1.0} << QList<int>{int(Severity::Medium)} << 0.4;
    // (0.9·1·1.0 + 0.4·0.5·0.25) / 2 = 0.475
    QTest::newRow("critical and low") << QList<double>{0.9, 0.4} << QList<double>{1.0, 0.5}
                                      << QList<int>{int(Severity::Critical), int(Severity::Low)} << 0.475;
    QTest::newRow("high") << QList<double>{1.0} << QList<double>{1.0} << QList<int>{int(Severity::High)} << 0.75;
}

void TestFeatures::eventRisk()
{
    QFETCH(QList<double>, scores);
    QFETCH(QList<double>, weights);
    QFETCH(QList<int>, severities);
    QFETCH(double, risk);
    std::vector<RiskInput> in;
    for (qsizetype i = 0; i < scores.size(); ++i)
        in.push_back({scores[i], weights[i], Severity(severities[i])});
    QVERIFY(std::abs(RiskScore::eventRisk(in) - risk) < 1e-12);
}

void TestFeatures::sourceRiskAccumulatesAndFades()
{
    const qint64 hour = 3600000;
    SourceRiskTracker t(hour);
    QCOMPARE(t.add(QStringLiteral("acc-1"), kMonday1030, 0.5), 0.5);
    QCOMPARE(t.add(QStringLiteral("acc-1"), kMonday1030, 0.5), 0.75);
    QCOMPARE(t.risk(QStringLiteral("acc-1"), kMonday1030 + hour), 0.375);
    QCOMPARE(t.risk(QStringLiteral("acc-2"), kMonday1030), 0.0);
    QCOMPARE(t.add(QStringLiteral("acc-2"), kMonday1030, 7.0), 1.0); // clamped
    // Quiet sources are forgotten.
    t.add(QStringLiteral("acc-3"), kMonday1030 + 20 * hour, 0.1);
    QCOMPARE(t.sourceCount(), 1);
}

QTEST_GUILESS_MAIN(TestFeatures)
#include "tst_features.moc"
