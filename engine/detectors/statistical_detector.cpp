#include "statistical_detector.h"

#include "parameter_reader.h"

#include <QJsonObject>
#include <QVarLengthArray>

#include <dlib/matrix.h>
#include <dlib/statistics.h>

#include <cmath>

namespace vigil::engine {

namespace {

constexpr double kShrinkage = 1e-3;

QString methodName(int m)
{
    switch (m) {
    case 1: return QStringLiteral("robust_z");
    case 2: return QStringLiteral("mahalanobis");
    default: return QStringLiteral("combined");
    }
}

} // namespace

StatisticalDetector::StatisticalDetector() = default;

bool StatisticalDetector::takeSpecificParameters(QJsonObject *params, QString *error)
{
    ParameterReader r(params);
    QString method = methodName(int(m_method));
    r.takeString(QStringLiteral("method"), &method,
                 {QStringLiteral("combined"), QStringLiteral("robust_z"), QStringLiteral("mahalanobis")});
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return false;
    }
    m_method = method == u"robust_z" ? Method::RobustZ : method == u"mahalanobis" ? Method::Mahalanobis : Method::Combined;
    return true;
}

QJsonObject StatisticalDetector::specificParameters() const
{
    QJsonObject o;
    o.insert(QStringLiteral("method"), methodName(int(m_method)));
    return o;
}

bool StatisticalDetector::fitModel(const SampleMatrix &samples, const TrainingControl &control,
                                   std::vector<double> *reference, QString *error)
{
    const qsizetype n = samples.rows();
    const int d = samples.cols();
    std::vector<double> center = trainingMedians();
    std::vector<double> spread(static_cast<std::size_t>(d), 1.0);
    for (int c = 0; c < d; ++c) {
        std::vector<double> dev(static_cast<std::size_t>(n));
        double meanAbs = 0;
        for (qsizetype r = 0; r < n; ++r) {
            dev[std::size_t(r)] = std::abs(samples.at(r, c) - center[std::size_t(c)]);
            meanAbs += dev[std::size_t(r)];
        }
        meanAbs /= double(n);
        const double mad = medianOf(std::move(dev));
        if (mad > 0)
            spread[std::size_t(c)] = 1.4826 * mad;
        else if (meanAbs > 0)
            spread[std::size_t(c)] = 1.2533 * meanAbs;
    }
    if (cancelledError(control, error))
        return false;
    control.report(0.3, tr("estimating the covariance"));

    dlib::running_covariance<dlib::matrix<double, 0, 1>> rc;
    dlib::matrix<double, 0, 1> v(d);
    for (qsizetype r = 0; r < n; ++r) {
        for (int c = 0; c < d; ++c)
            v(c) = samples.at(r, c);
        rc.add(v);
    }
    const dlib::matrix<double, 0, 1> mean = rc.mean();
    const dlib::matrix<double> cov = rc.covariance();
    // Correlation form, shrunk towards the identity, inverted, and scaled back.
    dlib::matrix<double, 0, 1> sd(d);
    for (int c = 0; c < d; ++c) {
        const double s = std::sqrt(std::max(0.0, cov(c, c)));
        sd(c) = s > 0 ? s : 1.0;
    }
    dlib::matrix<double> corr(d, d);
    for (int i = 0; i < d; ++i) {
        for (int j = 0; j < d; ++j) {
            const double rij = cov(i, j) / (sd(i) * sd(j));
            corr(i, j) = (1 - kShrinkage) * rij + (i == j ? kShrinkage : 0.0);
        }
        if (cov(i, i) <= 0)
            corr(i, i) = 1.0;
    }
    const dlib::matrix<double> corrInv = dlib::inv(corr);
    std::vector<double> precision(static_cast<std::size_t>(d) * std::size_t(d));
    for (int i = 0; i < d; ++i) {
        for (int j = 0; j < d; ++j) {
            const double p = corrInv(i, j) / (sd(i) * sd(j));
            if (!std::isfinite(p)) {
                if (error)
                    *error = tr("the covariance of the training samples cannot be inverted");
                return false;
            }
            precision[std::size_t(i) * std::size_t(d) + std::size_t(j)] = p;
        }
    }
    m_center = std::move(center);
    m_spread = std::move(spread);
    m_mean.resize(std::size_t(d));
    for (int c = 0; c < d; ++c)
        m_mean[std::size_t(c)] = mean(c);
    m_precision = std::move(precision);

    control.report(0.7, tr("calibrating"));
    reference->resize(std::size_t(n));
    for (qsizetype r = 0; r < n; ++r)
        (*reference)[std::size_t(r)] = rawScoreComplete(samples.row(r));
    return true;
}

std::vector<double> StatisticalDetector::robustZ(const double *sample) const
{
    std::vector<double> z(m_center.size());
    for (std::size_t c = 0; c < z.size(); ++c)
        z[c] = (sample[c] - m_center[c]) / m_spread[c];
    return z;
}

double StatisticalDetector::mahalanobis2(const double *sample) const
{
    const std::size_t d = m_mean.size();
    QVarLengthArray<double, 64> diff(static_cast<qsizetype>(d));
    for (std::size_t c = 0; c < d; ++c)
        diff[qsizetype(c)] = sample[c] - m_mean[c];
    double total = 0;
    for (std::size_t i = 0; i < d; ++i) {
        double row = 0;
        const double *p = m_precision.data() + i * d;
        for (std::size_t j = 0; j < d; ++j)
            row += p[j] * diff[qsizetype(j)];
        total += diff[qsizetype(i)] * row;
    }
    return total;
}

void StatisticalDetector::terms(const double *sample, double *out) const
{
    const std::size_t d = m_mean.size();
    const double wz = m_method == Method::Mahalanobis ? 0.0 : m_method == Method::Combined ? 0.5 : 1.0;
    const double wm = m_method == Method::RobustZ ? 0.0 : m_method == Method::Combined ? 0.5 : 1.0;
    QVarLengthArray<double, 64> diff(static_cast<qsizetype>(d));
    for (std::size_t c = 0; c < d; ++c)
        diff[qsizetype(c)] = sample[c] - m_mean[c];
    for (std::size_t i = 0; i < d; ++i) {
        double t = 0;
        if (wz > 0) {
            const double z = (sample[i] - m_center[i]) / m_spread[i];
            t += wz * z * z;
        }
        if (wm > 0) {
            double row = 0;
            const double *p = m_precision.data() + i * d;
            for (std::size_t j = 0; j < d; ++j)
                row += p[j] * diff[qsizetype(j)];
            t += wm * diff[qsizetype(i)] * row;
        }
        out[i] = t / double(d);
    }
}

double StatisticalDetector::rawScoreComplete(const double *sample) const
{
    QVarLengthArray<double, 64> t(qsizetype(m_mean.size()));
    terms(sample, t.data());
    double s = 0;
    for (double v : t)
        s += v;
    return s;
}

std::vector<double> StatisticalDetector::contributionsComplete(const double *sample) const
{
    std::vector<double> t(m_mean.size());
    terms(sample, t.data());
    return t;
}

void StatisticalDetector::writeModel(QDataStream &out) const
{
    const quint32 d = quint32(m_mean.size());
    out << d;
    for (quint32 c = 0; c < d; ++c)
        out << m_center[c] << m_spread[c] << m_mean[c];
    for (double p : m_precision)
        out << p;
}

bool StatisticalDetector::readModel(QDataStream &in, quint16, QString *error)
{
    quint32 d = 0;
    in >> d;
    if (in.status() != QDataStream::Ok || int(d) != featureCount()) {
        if (error)
            *error = tr("bad statistical model header");
        return false;
    }
    std::vector<double> center(d), spread(d), mean(d), precision(std::size_t(d) * d);
    for (quint32 c = 0; c < d; ++c)
        in >> center[c] >> spread[c] >> mean[c];
    for (double &p : precision)
        in >> p;
    if (in.status() != QDataStream::Ok) {
        if (error)
            *error = tr("truncated statistical model");
        return false;
    }
    for (double s : spread) {
        if (!(s > 0)) {
            if (error)
                *error = tr("corrupt statistical model");
            return false;
        }
    }
    m_center = std::move(center);
    m_spread = std::move(spread);
    m_mean = std::move(mean);
    m_precision = std::move(precision);
    return true;
}

} // namespace vigil::engine
