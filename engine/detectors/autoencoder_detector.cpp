// The only translation unit of Vigil that includes dlib/dnn.h (it is slow to compile).
#include "autoencoder_detector.h"

#include "parameter_reader.h"
#include "random_generator.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QVarLengthArray>

#include <dlib/dnn.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

namespace vigil::engine {

namespace {

using Sample = dlib::matrix<float, 0, 1>;

// d → h → d
using Net1 = dlib::loss_mean_squared_multioutput<
    dlib::fc<1, dlib::relu<dlib::fc<1, dlib::input<Sample>>>>>;
// d → h1 → h2 → h1 → d
using Net2 = dlib::loss_mean_squared_multioutput<
    dlib::fc<1, dlib::relu<dlib::fc<1, dlib::relu<dlib::fc<1, dlib::relu<dlib::fc<1, dlib::input<Sample>>>>>>>>>;

void configure(Net1 &net, int d, const std::vector<int> &hidden)
{
    dlib::layer<1>(net).layer_details().set_num_outputs(d);
    dlib::layer<3>(net).layer_details().set_num_outputs(hidden[0]);
}

void configure(Net2 &net, int d, const std::vector<int> &hidden)
{
    dlib::layer<1>(net).layer_details().set_num_outputs(d);
    dlib::layer<3>(net).layer_details().set_num_outputs(hidden[0]);
    dlib::layer<5>(net).layer_details().set_num_outputs(hidden[1]);
    dlib::layer<7>(net).layer_details().set_num_outputs(hidden[0]);
}

// The fc layers' parameters from input to output, as plain arrays.
template<typename Net>
std::vector<AutoencoderDetector::Dense> extractLayers(Net &net)
{
    std::vector<AutoencoderDetector::Dense> layers;
    dlib::visit_layer_parameters(net, [&](dlib::tensor &t) {
        if (t.size() == 0)
            return; // relu
        AutoencoderDetector::Dense layer;
        layer.in = int(t.num_samples()) - 1;
        layer.out = int(t.k());
        const float *p = t.host();
        layer.weights.assign(p, p + std::size_t(layer.in) * std::size_t(layer.out));
        layer.bias.assign(p + std::size_t(layer.in) * std::size_t(layer.out),
                          p + std::size_t(layer.in + 1) * std::size_t(layer.out));
        layers.push_back(std::move(layer));
    });
    std::reverse(layers.begin(), layers.end()); // the visit starts at the output
    for (std::size_t i = 0; i < layers.size(); ++i)
        layers[i].relu = i + 1 < layers.size();
    return layers;
}

template<typename Net>
QByteArray netBytes(Net &net)
{
    net.clean();
    std::ostringstream out;
    dlib::serialize(net, out);
    const std::string s = out.str();
    return QByteArray(s.data(), qsizetype(s.size()));
}

template<typename Net>
bool netFromBytes(const QByteArray &bytes, std::vector<AutoencoderDetector::Dense> *layers)
{
    try {
        Net net;
        std::istringstream in(std::string(bytes.constData(), std::size_t(bytes.size())));
        dlib::deserialize(net, in);
        *layers = extractLayers(net);
        return true;
    } catch (const std::exception &) {
        return false;
    }
}

struct TrainResult
{
    std::vector<AutoencoderDetector::Dense> layers;
    QByteArray bytes;
    std::vector<double> losses;
    bool cancelled = false;
};

template<typename Net>
TrainResult train(const std::vector<Sample> &rows, int d, const std::vector<int> &hidden, int epochs,
                  double learningRate, int batchSize, double weightDecay, quint64 seed,
                  const TrainingControl &control)
{
    TrainResult result;
    Net net;
    configure(net, d, hidden);
    // Allocate the parameters with one forward pass, then initialise them from the seed.
    dlib::resizable_tensor x;
    net.to_tensor(rows.begin(), rows.begin() + 1, x);
    net.subnet().forward(x);
    RandomGenerator init(seed, 0xAE1);
    dlib::visit_layer_parameters(net, [&](dlib::tensor &t) {
        if (t.size() == 0)
            return;
        const long in = t.num_samples() - 1;
        const long out = t.k();
        const double limit = std::sqrt(6.0 / double(in));
        float *p = t.host();
        for (long i = 0; i < in * out; ++i)
            p[i] = float((2.0 * init.uniform() - 1.0) * limit);
        for (long j = 0; j < out; ++j)
            p[in * out + j] = 0.0f;
    });

    std::vector<dlib::adam> solvers(Net::num_computational_layers, dlib::adam(float(weightDecay), 0.9f, 0.999f));
    RandomGenerator order(seed, 0xAE2);
    std::vector<std::size_t> index(rows.size());
    std::iota(index.begin(), index.end(), std::size_t(0));
    std::vector<Sample> batch;
    batch.reserve(std::size_t(batchSize));
    const std::size_t n = rows.size();
    const std::size_t batchesPerEpoch = (n + std::size_t(batchSize) - 1) / std::size_t(batchSize);
    const std::size_t totalBatches = batchesPerEpoch * std::size_t(epochs);
    std::size_t doneBatches = 0;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        for (std::size_t i = n - 1; i > 0; --i)
            std::swap(index[i], index[std::size_t(order.below(i + 1))]);
        double lossSum = 0;
        for (std::size_t b = 0; b < n; b += std::size_t(batchSize)) {
            if (control.cancelled()) {
                result.cancelled = true;
                return result;
            }
            batch.clear();
            const std::size_t e = std::min(n, b + std::size_t(batchSize));
            for (std::size_t i = b; i < e; ++i)
                batch.push_back(rows[index[i]]);
            net.to_tensor(batch.begin(), batch.end(), x);
            const double loss = net.compute_parameter_gradients(x, batch.begin());
            net.update_parameters(solvers, learningRate);
            lossSum += loss * double(e - b);
            ++doneBatches;
            if ((doneBatches & 15) == 0 || doneBatches == totalBatches)
                control.report(0.95 * double(doneBatches) / double(totalBatches),
                               AutoencoderDetector::tr("epoch %1 of %2").arg(epoch + 1).arg(epochs));
        }
        // loss_mean_squared_multioutput averages the squared error over the batch, summed over outputs.
        result.losses.push_back(lossSum / double(n) / double(d));
    }
    result.layers = extractLayers(net);
    result.bytes = netBytes(net);
    return result;
}

} // namespace

AutoencoderDetector::AutoencoderDetector() = default;
AutoencoderDetector::~AutoencoderDetector() = default;

bool AutoencoderDetector::takeSpecificParameters(QJsonObject *params, QString *error)
{
    std::vector<int> hidden = m_hidden;
    const QString key = QStringLiteral("hidden_sizes");
    if (params->value(key).isString() && params->value(key).toString().trimmed() == u"auto") {
        hidden.clear();
        params->remove(key);
    }
    ParameterReader r(params);
    int epochs = m_epochs;
    double learningRate = m_learningRate;
    int batchSize = m_batchSize;
    double weightDecay = m_weightDecay;
    bool standardize = m_standardize;
    double calibration = m_calibrationFraction;
    r.takeIntList(key, &hidden, 1, 4096, 2);
    r.takeInt(QStringLiteral("epochs"), &epochs, 1, 100000);
    r.takeDouble(QStringLiteral("learning_rate"), &learningRate, 1e-9, 10.0);
    r.takeInt(QStringLiteral("batch_size"), &batchSize, 1, 1 << 20);
    r.takeDouble(QStringLiteral("weight_decay"), &weightDecay, 0.0, 1.0);
    r.takeBool(QStringLiteral("standardize"), &standardize);
    r.takeDouble(QStringLiteral("calibration_fraction"), &calibration, 0.0, 0.5);

    if (!r.ok()) {
        if (error)
            *error = r.error();
        return false;
    }
    m_hidden = hidden;
    m_epochs = epochs;
    m_learningRate = learningRate;
    m_batchSize = batchSize;
    m_weightDecay = weightDecay;
    m_standardize = standardize;
    m_calibrationFraction = calibration;
    return true;
}

QJsonObject AutoencoderDetector::specificParameters() const
{
    QJsonObject o;
    if (m_hidden.empty()) {
        o.insert(QStringLiteral("hidden_sizes"), QStringLiteral("auto"));
    } else {
        QJsonArray a;
        for (int h : m_hidden)
            a.append(h);
        o.insert(QStringLiteral("hidden_sizes"), a);
    }
    o.insert(QStringLiteral("epochs"), m_epochs);
    o.insert(QStringLiteral("learning_rate"), m_learningRate);
    o.insert(QStringLiteral("batch_size"), m_batchSize);
    o.insert(QStringLiteral("weight_decay"), m_weightDecay);
    o.insert(QStringLiteral("standardize"), m_standardize);
    o.insert(QStringLiteral("calibration_fraction"), m_calibrationFraction);
    return o;
}

std::vector<int> AutoencoderDetector::layerSizes() const
{
    std::vector<int> sizes;
    if (m_layers.empty())
        return sizes;
    sizes.push_back(m_layers.front().in);
    for (const Dense &l : m_layers)
        sizes.push_back(l.out);
    return sizes;
}

bool AutoencoderDetector::fitModel(const SampleMatrix &samples, const TrainingControl &control,
                                   std::vector<double> *reference, QString *error)
{
    const qsizetype n = samples.rows();
    const int d = samples.cols();
    std::vector<int> hidden = m_hidden;
    if (hidden.empty())
        hidden = {std::clamp(2 * d, 8, 64), std::max(2, (d + 1) / 2)};

    std::vector<double> mean(static_cast<std::size_t>(d), 0.0);
    std::vector<double> scale(static_cast<std::size_t>(d), 1.0);
    if (m_standardize) {
        for (int c = 0; c < d; ++c) {
            double m = 0;
            for (qsizetype r = 0; r < n; ++r)
                m += samples.at(r, c);
            m /= double(n);
            double v = 0;
            for (qsizetype r = 0; r < n; ++r)
                v += (samples.at(r, c) - m) * (samples.at(r, c) - m);
            const double sd = std::sqrt(v / double(n));
            mean[std::size_t(c)] = m;
            scale[std::size_t(c)] = sd > 0 ? sd : 1.0;
        }
    }

    // Held-out calibration rows.
    std::vector<qsizetype> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), qsizetype(0));
    qsizetype holdout = 0;
    if (n >= 200 && m_calibrationFraction > 0) {
        holdout = std::max<qsizetype>(1, qsizetype(std::llround(double(n) * m_calibrationFraction)));
        RandomGenerator rng(seed(), 0xCA1);
        for (qsizetype i = n - 1; i > 0; --i)
            std::swap(order[std::size_t(i)], order[std::size_t(rng.below(quint64(i) + 1))]);
    }
    std::vector<Sample> rows;
    rows.reserve(std::size_t(n - holdout));
    for (qsizetype i = holdout; i < n; ++i) {
        const double *src = samples.row(order[std::size_t(i)]);
        Sample s(d);
        for (int c = 0; c < d; ++c)
            s(c) = float((src[c] - mean[std::size_t(c)]) / scale[std::size_t(c)]);
        rows.push_back(s);
    }

    TrainResult result;
    try {
        if (hidden.size() == 1)
            result = train<Net1>(rows, d, hidden, m_epochs, m_learningRate, m_batchSize, m_weightDecay, seed(), control);
        else
            result = train<Net2>(rows, d, hidden, m_epochs, m_learningRate, m_batchSize, m_weightDecay, seed(), control);
    } catch (const std::exception &e) {
        if (error)
            *error = tr("autoencoder training failed: %1").arg(QString::fromLocal8Bit(e.what()));
        return false;
    }
    if (result.cancelled) {
        cancelledError(control, error);
        if (error && error->isEmpty())
            *error = tr("training was cancelled");
        return false;
    }
    for (const Dense &l : result.layers) {
        for (float w : l.weights) {
            if (!std::isfinite(w)) {
                if (error)
                    *error = tr("autoencoder training diverged (try a smaller learning_rate)");
                return false;
            }
        }
    }

    m_mean = std::move(mean);
    m_scale = std::move(scale);
    m_layers = std::move(result.layers);
    m_netBytes = std::move(result.bytes);
    m_lossHistory = std::move(result.losses);

    control.report(0.96, tr("calibrating"));
    reference->clear();
    const qsizetype last = holdout > 0 ? holdout : n;
    for (qsizetype i = 0; i < last; ++i)
        reference->push_back(rawScoreComplete(samples.row(order[std::size_t(i)])));
    return true;
}

void AutoencoderDetector::squaredErrors(const double *sample, double *out) const
{
    const int d = int(m_mean.size());
    int width = d;
    for (const Dense &l : m_layers)
        width = std::max(width, l.out);
    QVarLengthArray<float, 128> a(width);
    QVarLengthArray<float, 128> b(width);
    QVarLengthArray<float, 64> x(d);
    for (int c = 0; c < d; ++c) {
        x[c] = float((sample[c] - m_mean[std::size_t(c)]) / m_scale[std::size_t(c)]);
        a[c] = x[c];
    }
    for (const Dense &l : m_layers) {
        for (int j = 0; j < l.out; ++j)
            b[j] = l.bias[std::size_t(j)];
        for (int i = 0; i < l.in; ++i) {
            const float v = a[i];
            const float *w = l.weights.data() + std::size_t(i) * std::size_t(l.out);
            for (int j = 0; j < l.out; ++j)
                b[j] += v * w[j];
        }
        for (int j = 0; j < l.out; ++j)
            a[j] = l.relu ? std::max(0.0f, b[j]) : b[j];
    }
    for (int c = 0; c < d; ++c) {
        const double e = double(a[c]) - double(x[c]);
        out[c] = e * e;
    }
}

double AutoencoderDetector::rawScoreComplete(const double *sample) const
{
    const int d = int(m_mean.size());
    QVarLengthArray<double, 64> e(d);
    squaredErrors(sample, e.data());
    double s = 0;
    for (double v : e)
        s += v;
    return s / d;
}

std::vector<double> AutoencoderDetector::reconstruct(const double *sample) const
{
    const int d = int(m_mean.size());
    std::vector<float> a(static_cast<std::size_t>(d));
    for (int c = 0; c < d; ++c)
        a[std::size_t(c)] = float((sample[c] - m_mean[std::size_t(c)]) / m_scale[std::size_t(c)]);
    for (const Dense &l : m_layers) {
        std::vector<float> b(l.bias);
        for (int i = 0; i < l.in; ++i)
            for (int j = 0; j < l.out; ++j)
                b[std::size_t(j)] += a[std::size_t(i)] * l.weights[std::size_t(i) * std::size_t(l.out) + std::size_t(j)];
        if (l.relu)
            for (float &v : b)
                v = std::max(0.0f, v);
        a = std::move(b);
    }
    std::vector<double> out(static_cast<std::size_t>(d));
    for (int c = 0; c < d; ++c)
        out[std::size_t(c)] = double(a[std::size_t(c)]) * m_scale[std::size_t(c)] + m_mean[std::size_t(c)];
    return out;
}

void AutoencoderDetector::writeModel(QDataStream &out) const
{
    const quint32 d = quint32(m_mean.size());
    out << d;
    for (quint32 c = 0; c < d; ++c)
        out << m_mean[c] << m_scale[c];
    out << quint8(m_layers.size() == 2 ? 1 : 2) << m_netBytes;
    out << quint32(m_lossHistory.size());
    for (double l : m_lossHistory)
        out << l;
}

bool AutoencoderDetector::readModel(QDataStream &in, quint16, QString *error)
{
    quint32 d = 0;
    in >> d;
    if (in.status() != QDataStream::Ok || int(d) != featureCount()) {
        if (error)
            *error = tr("bad autoencoder header");
        return false;
    }
    std::vector<double> mean(d), scale(d);
    for (quint32 c = 0; c < d; ++c)
        in >> mean[c] >> scale[c];
    quint8 depth = 0;
    QByteArray bytes;
    quint32 epochs = 0;
    in >> depth >> bytes >> epochs;
    if (in.status() != QDataStream::Ok || epochs > 1000000) {
        if (error)
            *error = tr("truncated autoencoder");
        return false;
    }
    std::vector<double> losses(epochs);
    for (double &l : losses)
        in >> l;
    std::vector<Dense> layers;
    const bool ok = depth == 1 ? netFromBytes<Net1>(bytes, &layers) : depth == 2 ? netFromBytes<Net2>(bytes, &layers) : false;
    if (!ok || layers.empty() || layers.front().in != int(d) || layers.back().out != int(d)) {
        if (error)
            *error = tr("corrupt autoencoder network");
        return false;
    }
    for (std::size_t i = 1; i < layers.size(); ++i) {
        if (layers[i].in != layers[i - 1].out) {
            if (error)
                *error = tr("corrupt autoencoder network");
            return false;
        }
    }
    m_mean = std::move(mean);
    m_scale = std::move(scale);
    m_layers = std::move(layers);
    m_netBytes = std::move(bytes);
    m_lossHistory = std::move(losses);
    return true;
}

} // namespace vigil::engine
