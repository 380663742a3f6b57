#include "detector.h"

#include "autoencoder_detector.h"
#include "isolation_forest.h"
#include "local_outlier_factor.h"
#include "parameter_reader.h"
#include "statistical_detector.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QVarLengthArray>

#include <algorithm>
#include <cmath>
#include <thread>

namespace vigil::engine {

namespace {

constexpr quint32 kMagic = 0x56474454; // "VGDT"
constexpr quint32 kEndMagic = 0x54444756;
constexpr qsizetype kChunkRows = 256;

std::unique_ptr<Detector> makeDetector(const QString &canonical)
{
    if (canonical == u"isolation_forest")
        return std::make_unique<IsolationForest>();
    if (canonical == u"local_outlier_factor")
        return std::make_unique<LocalOutlierFactor>();
    if (canonical == u"autoencoder")
        return std::make_unique<AutoencoderDetector>();
    if (canonical == u"statistical")
        return std::make_unique<StatisticalDetector>();
    return nullptr;
}

} // namespace

double medianOf(std::vector<double> values)
{
    values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }), values.end());
    if (values.empty())
        return 0;
    const std::size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + std::ptrdiff_t(mid), values.end());
    double m = values[mid];
    if (values.size() % 2 == 0) {
        const double lower = *std::max_element(values.begin(), values.begin() + std::ptrdiff_t(mid));
        m = 0.5 * (m + lower);
    }
    return m;
}

Detector::Detector() = default;
Detector::~Detector() = default;

QStringList Detector::modelTypes()
{
    return {QStringLiteral("isolation_forest"), QStringLiteral("local_outlier_factor"),
            QStringLiteral("autoencoder"), QStringLiteral("statistical")};
}

QString Detector::canonicalModelType(const QString &name)
{
    const QString n = name.trimmed().toLower();
    if (n == u"isolation_forest" || n == u"iforest")
        return QStringLiteral("isolation_forest");
    if (n == u"local_outlier_factor" || n == u"local_outlier" || n == u"lof")
        return QStringLiteral("local_outlier_factor");
    if (n == u"autoencoder")
        return QStringLiteral("autoencoder");
    if (n == u"statistical")
        return QStringLiteral("statistical");
    return {};
}

bool Detector::setParameters(const QJsonObject &params, QString *error)
{
    QJsonObject rest = params;
    ParameterReader reader(&rest);
    double threshold = m_threshold;
    quint64 seed = m_seed;
    double weight = m_modelWeight;
    QString severity = m_severity;
    reader.takeDouble(QStringLiteral("threshold"), &threshold, 0.0, 1.0);
    reader.takeSeed(QStringLiteral("seed"), &seed);
    reader.takeDouble(QStringLiteral("model_weight"), &weight, 0.0, 1000.0);
    reader.takeString(QStringLiteral("severity"), &severity,
                      {QStringLiteral("LOW"), QStringLiteral("MEDIUM"), QStringLiteral("HIGH"), QStringLiteral("CRITICAL")});
    if (!reader.ok()) {
        if (error)
            *error = reader.error();
        return false;
    }
    // Validate the specific parameters before committing anything.
    if (!takeSpecificParameters(&rest, error))
        return false;
    ParameterReader leftover(&rest);
    if (!leftover.finish(modelType())) {
        if (error)
            *error = leftover.error();
        return false;
    }
    m_threshold = threshold;
    m_seed = seed;
    m_modelWeight = weight;
    m_severity = severity;
    return true;
}

QJsonObject Detector::parameters() const
{
    QJsonObject o = specificParameters();
    o.insert(QStringLiteral("threshold"), m_threshold);
    o.insert(QStringLiteral("seed"), double(m_seed));
    o.insert(QStringLiteral("model_weight"), m_modelWeight);
    o.insert(QStringLiteral("severity"), m_severity);
    return o;
}

bool Detector::cancelledError(const TrainingControl &control, QString *error)
{
    if (!control.cancelled())
        return false;
    if (error)
        *error = tr("training was cancelled");
    return true;
}

bool Detector::fit(const SampleMatrix &samples, QString *error, const TrainingControl &control)
{
    if (samples.cols() < 1 || samples.rows() < 2) {
        if (error)
            *error = tr("at least 2 training samples with at least one feature are needed (got %1 × %2)")
                         .arg(samples.rows()).arg(samples.cols());
        return false;
    }
    for (double v : samples.values()) {
        if (std::isinf(v)) {
            if (error)
                *error = tr("training samples contain an infinite value");
            return false;
        }
    }
    const int d = samples.cols();
    std::vector<double> medians(static_cast<std::size_t>(d));
    bool anyMissing = false;
    for (int c = 0; c < d; ++c) {
        std::vector<double> col = samples.column(c);
        anyMissing = anyMissing || std::any_of(col.begin(), col.end(), [](double v) { return std::isnan(v); });
        medians[std::size_t(c)] = medianOf(std::move(col));
    }
    SampleMatrix imputed;
    if (anyMissing) {
        imputed = samples;
        for (qsizetype r = 0; r < imputed.rows(); ++r) {
            double *row = imputed.row(r);
            for (int c = 0; c < d; ++c) {
                if (std::isnan(row[c]))
                    row[c] = medians[std::size_t(c)];
            }
        }
    }
    const SampleMatrix &complete = anyMissing ? imputed : samples;

    // Medians are needed by contributions during fitModel only through m_medians after
    // success; keep the old ones until then.
    std::vector<double> oldMedians = std::move(m_medians);
    m_medians = medians;
    std::vector<double> reference;
    if (!fitModel(complete, control, &reference, error)) {
        m_medians = std::move(oldMedians);
        return false;
    }
    m_calibrator.fit(reference);
    m_fitted = true;
    control.report(1.0, tr("done"));
    return true;
}

void Detector::impute(const double *sample, double *out) const
{
    const std::size_t d = m_medians.size();
    for (std::size_t c = 0; c < d; ++c)
        out[c] = std::isnan(sample[c]) ? m_medians[c] : sample[c];
}

double Detector::rawScore(std::span<const double> sample) const
{
    Q_ASSERT(m_fitted && int(sample.size()) == featureCount());
    QVarLengthArray<double, 64> x(featureCount());
    impute(sample.data(), x.data());
    return rawScoreComplete(x.data());
}

double Detector::score(std::span<const double> sample) const
{
    return m_calibrator.map(rawScore(sample));
}

void Detector::rawScoreBatchComplete(const SampleMatrix &samples, double *out) const
{
    for (qsizetype r = 0; r < samples.rows(); ++r)
        out[r] = rawScoreComplete(samples.row(r));
}

void Detector::scoreRange(const SampleMatrix &samples, qsizetype first, qsizetype last, double *out,
                          bool calibrate) const
{
    const int d = featureCount();
    SampleMatrix chunk(std::min(kChunkRows, last - first), d);
    for (qsizetype begin = first; begin < last; begin += kChunkRows) {
        const qsizetype n = std::min(kChunkRows, last - begin);
        if (chunk.rows() != n)
            chunk = SampleMatrix(n, d);
        for (qsizetype r = 0; r < n; ++r)
            impute(samples.row(begin + r), chunk.row(r));
        rawScoreBatchComplete(chunk, out + begin);
        if (calibrate) {
            for (qsizetype r = 0; r < n; ++r)
                out[begin + r] = m_calibrator.map(out[begin + r]);
        }
    }
}

static void runParallel(qsizetype rows, int threads, const std::function<void(qsizetype, qsizetype)> &work)
{
    if (threads <= 0)
        threads = int(std::max(1u, std::thread::hardware_concurrency()));
    const qsizetype minPerThread = 2048;
    threads = int(std::min<qsizetype>(threads, std::max<qsizetype>(1, rows / minPerThread)));
    if (threads <= 1) {
        work(0, rows);
        return;
    }
    std::vector<std::thread> pool;
    const qsizetype per = (rows + threads - 1) / threads;
    for (int t = 1; t < threads; ++t) {
        const qsizetype a = std::min(rows, per * t);
        const qsizetype b = std::min(rows, per * (t + 1));
        if (a < b)
            pool.emplace_back([&work, a, b] { work(a, b); });
    }
    work(0, std::min(rows, per));
    for (std::thread &t : pool)
        t.join();
}

void Detector::scoreBatch(const SampleMatrix &samples, std::span<double> out, int threads) const
{
    Q_ASSERT(m_fitted && samples.cols() == featureCount() && qsizetype(out.size()) == samples.rows());
    runParallel(samples.rows(), threads, [&](qsizetype a, qsizetype b) { scoreRange(samples, a, b, out.data(), true); });
}

void Detector::rawScoreBatch(const SampleMatrix &samples, std::span<double> out, int threads) const
{
    Q_ASSERT(m_fitted && samples.cols() == featureCount() && qsizetype(out.size()) == samples.rows());
    runParallel(samples.rows(), threads, [&](qsizetype a, qsizetype b) { scoreRange(samples, a, b, out.data(), false); });
}

std::vector<double> Detector::contributionsComplete(const double *sample) const
{
    const int d = featureCount();
    const double base = rawScoreComplete(sample);
    std::vector<double> x(sample, sample + d);
    std::vector<double> out(static_cast<std::size_t>(d));
    for (int c = 0; c < d; ++c) {
        const double keep = x[std::size_t(c)];
        x[std::size_t(c)] = m_medians[std::size_t(c)];
        out[std::size_t(c)] = base - rawScoreComplete(x.data());
        x[std::size_t(c)] = keep;
    }
    return out;
}

std::vector<double> Detector::explain(std::span<const double> sample) const
{
    Q_ASSERT(m_fitted && int(sample.size()) == featureCount());
    std::vector<double> x(sample.size());
    impute(sample.data(), x.data());
    std::vector<double> c = contributionsComplete(x.data());
    double total = 0;
    for (double &v : c) {
        if (!(v > 0))
            v = 0;
        total += v;
    }
    if (total > 0) {
        for (double &v : c)
            v /= total;
    }
    return c;
}

QByteArray Detector::serialize() const
{
    Q_ASSERT(m_fitted);
    QByteArray payload;
    {
        QDataStream ps(&payload, QIODevice::WriteOnly);
        ps.setVersion(QDataStream::Qt_6_4);
        writeModel(ps);
    }
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << kMagic << kFormatVersion << modelType()
        << QJsonDocument(parameters()).toJson(QJsonDocument::Compact);
    out << quint32(m_medians.size());
    for (double m : m_medians)
        out << m;
    m_calibrator.write(out);
    out << payload << kEndMagic;
    return bytes;
}

std::unique_ptr<Detector> Detector::deserialize(const QByteArray &bytes, QString *error)
{
    auto fail = [&](const QString &why) -> std::unique_ptr<Detector> {
        if (error)
            *error = tr("cannot read the stored model: %1").arg(why);
        return nullptr;
    };
    QDataStream in(bytes);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    quint16 version = 0;
    QString type;
    QByteArray paramsJson;
    in >> magic;
    if (in.status() != QDataStream::Ok || magic != kMagic)
        return fail(tr("not a Vigil detector"));
    in >> version;
    if (version < 1 || version > kFormatVersion)
        return fail(tr("format version %1 is not supported (this build reads up to %2)").arg(version).arg(kFormatVersion));
    in >> type >> paramsJson;
    std::unique_ptr<Detector> detector = makeDetector(type);
    if (!detector)
        return fail(tr("unknown model type \"%1\"").arg(type));
    QJsonParseError jsonError;
    const QJsonDocument params = QJsonDocument::fromJson(paramsJson, &jsonError);
    if (jsonError.error != QJsonParseError::NoError || !params.isObject())
        return fail(tr("bad parameters"));
    QString paramError;
    if (!detector->setParameters(params.object(), &paramError))
        return fail(paramError);
    quint32 d = 0;
    in >> d;
    if (in.status() != QDataStream::Ok || d == 0 || d > 100000)
        return fail(tr("bad feature count"));
    detector->m_medians.resize(d);
    for (double &m : detector->m_medians)
        in >> m;
    if (!detector->m_calibrator.read(in))
        return fail(tr("bad calibration"));
    QByteArray payload;
    quint32 endMagic = 0;
    in >> payload >> endMagic;
    if (in.status() != QDataStream::Ok || endMagic != kEndMagic)
        return fail(tr("truncated or corrupt data"));
    QDataStream ps(payload);
    ps.setVersion(QDataStream::Qt_6_4);
    QString modelError;
    if (!detector->readModel(ps, version, &modelError))
        return fail(modelError.isEmpty() ? tr("corrupt model data") : modelError);
    if (ps.status() != QDataStream::Ok)
        return fail(tr("corrupt model data"));
    detector->m_fitted = true;
    return detector;
}

std::unique_ptr<Detector> createDetector(const QString &modelType, const QJsonObject &params, QString *error)
{
    const QString canonical = Detector::canonicalModelType(modelType);
    std::unique_ptr<Detector> detector = makeDetector(canonical);
    if (!detector) {
        if (error)
            *error = Detector::tr("unknown model type \"%1\" (expected one of: %2)")
                         .arg(modelType, Detector::modelTypes().join(QStringLiteral(", ")));
        return nullptr;
    }
    if (!detector->setParameters(params, error))
        return nullptr;
    return detector;
}

std::unique_ptr<Detector> loadDetector(const QString &modelType, const QJsonObject &params,
                                       const QByteArray &bytes, QString *error)
{
    std::unique_ptr<Detector> detector = Detector::deserialize(bytes, error);
    if (!detector)
        return nullptr;
    if (!modelType.isEmpty() && Detector::canonicalModelType(modelType) != detector->modelType()) {
        if (error)
            *error = Detector::tr("the stored model is a %1, not a %2").arg(detector->modelType(), modelType);
        return nullptr;
    }
    QJsonObject overrides;
    for (const QString &key : {QStringLiteral("threshold"), QStringLiteral("model_weight"), QStringLiteral("severity")}) {
        if (params.contains(key))
            overrides.insert(key, params.value(key));
    }
    if (!overrides.isEmpty() && !detector->setParameters(overrides, error))
        return nullptr;
    return detector;
}

} // namespace vigil::engine
