#pragma once
// A dense autoencoder trained with dlib's DNN API; anomaly = reconstruction error.

#include "detector.h"

namespace vigil::engine {

/*!
    Represents a symmetric multilayer perceptron d → h1 [→ h2 → h1] → d with ReLU hidden
    layers and a linear output, trained by dlib (`loss_mean_squared_multioutput`, `fc`,
    `relu`, Adam) to reproduce standardized samples. The raw score of a sample is the mean
    squared reconstruction error over its standardized features. Explanation: a feature's
    contribution is the drop in that error when the feature alone is replaced by its
    training median (the Detector default); per-feature reconstruction error was tried
    and rejected, because the bottleneck smears one feature's deviation over the
    reconstruction of the others, so the largest error often sits on an innocent feature.

    Parameters: hidden_sizes ("auto" = [clamp(2d, 8, 64), max(2, ⌈d/2⌉)], or one or two
    sizes), epochs (20), learning_rate (0.001), batch_size (128), weight_decay (0),
    standardize (true: z-scores with the training mean and standard deviation),
    calibration_fraction (0.1: that share of the training rows, drawn with the seed, is
    held out of training and its reconstruction errors calibrate the score; with fewer
    than 200 rows every row trains and calibrates).

    Training reports progress once per mini-batch group and honours cancel between
    mini-batches. Initial weights come from the seed (He-uniform), mini-batches are drawn in
    a seeded order, so a seed gives the same model on a given machine.

    Scoring does not touch dlib: the trained weights are copied into plain arrays, so
    score() is const, allocation-light and thread-safe. serialize() keeps dlib's own
    serialization of the network beside them.
*/
class AutoencoderDetector : public Detector
{
public:
    AutoencoderDetector();
    ~AutoencoderDetector() override;
    QString modelType() const override { return QStringLiteral("autoencoder"); }

    // Mean squared error per epoch of the last fit (on standardized training rows).
    const std::vector<double> &lossHistory() const { return m_lossHistory; }
    std::vector<int> layerSizes() const;
    // Reconstruction of a complete sample, in the sample's own units.
    std::vector<double> reconstruct(const double *sample) const;

protected:
    bool takeSpecificParameters(QJsonObject *params, QString *error) override;
    QJsonObject specificParameters() const override;
    bool fitModel(const SampleMatrix &samples, const TrainingControl &control,
                  std::vector<double> *reference, QString *error) override;
    double rawScoreComplete(const double *sample) const override;
    void writeModel(QDataStream &out) const override;
    bool readModel(QDataStream &in, quint16 formatVersion, QString *error) override;

public:
    // One dense layer as used for inference: out = act(in · W + b), W row-major in × out.
    struct Dense
    {
        int in = 0;
        int out = 0;
        std::vector<float> weights;
        std::vector<float> bias;
        bool relu = true;
    };

private:
    void squaredErrors(const double *sample, double *out) const;

    std::vector<int> m_hidden;  // empty = auto
    int m_epochs = 20;
    double m_learningRate = 0.001;
    int m_batchSize = 128;
    double m_weightDecay = 0;
    bool m_standardize = true;
    double m_calibrationFraction = 0.1;

    std::vector<double> m_mean;
    std::vector<double> m_scale;
    std::vector<Dense> m_layers;
    QByteArray m_netBytes;      // dlib::serialize of the trained network
    std::vector<double> m_lossHistory;
};

} // namespace vigil::engine
