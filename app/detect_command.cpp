#include "detect_command.h"

#include "engine/detectors/detection_metrics.h"
#include "engine/detectors/detector.h"
#include "engine/detectors/numeric_csv.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QTextStream>

#include <charconv>
#include <cstdio>

namespace vigil::app {

namespace {

class DetectCommand
{
    Q_DECLARE_TR_FUNCTIONS(DetectCommand)

public:
    int run(const QStringList &arguments);

private:
    int usage(const QString &problem);
    int failure(const QString &message);
    bool writeScores(const std::vector<double> &scores, double threshold);

    QString m_algorithm;
    QString m_train;
    QString m_score;
    QString m_labelColumn = QStringLiteral("label");
    bool m_labelExplicit = false;
    QString m_out;
    QJsonObject m_params;
    bool m_progress = false;
};

QString usageText()
{
    return DetectCommand::tr(
        "Usage: vigil detect --algorithm isolation_forest|local_outlier_factor|autoencoder|statistical\n"
        "                    --train TRAIN.csv [--score SCORE.csv] [--label-column label]\n"
        "                    [--param key=value]... [--seed N] [--out OUT.csv] [--progress]\n"
        "\n"
        "Fits a detector on TRAIN.csv and writes `score,is_anomaly` for every row of SCORE.csv\n"
        "(or of TRAIN.csv) to OUT.csv or standard output. Every column but the label column is a\n"
        "numeric feature; with labels, ROC-AUC and PR-AUC are printed to standard error.\n");
}

void printErr(const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stderr);
    std::fflush(stderr);
}

int DetectCommand::usage(const QString &problem)
{
    printErr(QStringLiteral("vigil detect: %1\n\n%2").arg(problem, usageText()));
    return 2;
}

int DetectCommand::failure(const QString &message)
{
    printErr(QStringLiteral("vigil detect: %1\n").arg(message));
    return 1;
}

int DetectCommand::run(const QStringList &arguments)
{
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        QString option = arguments[i];
        QString value;
        bool hasValue = false;
        if (option.startsWith(u"--") && option.contains(QLatin1Char('='))) {
            const qsizetype eq = option.indexOf(QLatin1Char('='));
            value = option.mid(eq + 1);
            option = option.left(eq);
            hasValue = true;
        }
        auto takeValue = [&]() -> bool {
            if (hasValue)
                return true;
            if (i + 1 >= arguments.size())
                return false;
            value = arguments[++i];
            return true;
        };
        if (option == u"-h" || option == u"--help") {
            const QByteArray text = usageText().toLocal8Bit();
            std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
            return 0;
        }
        if (option == u"--progress") {
            m_progress = true;
            continue;
        }
        const bool known = option == u"--algorithm" || option == u"--train" || option == u"--score"
            || option == u"--label-column" || option == u"--param" || option == u"--seed" || option == u"--out";
        if (!known)
            return usage(tr("unknown argument \"%1\"").arg(arguments[i]));
        if (!takeValue())
            return usage(tr("%1 needs a value").arg(option));
        if (option == u"--algorithm") {
            m_algorithm = value;
        } else if (option == u"--train") {
            m_train = value;
        } else if (option == u"--score") {
            m_score = value;
        } else if (option == u"--label-column") {
            m_labelColumn = value;
            m_labelExplicit = true;
        } else if (option == u"--out") {
            m_out = value;
        } else if (option == u"--seed") {
            bool ok = false;
            value.toULongLong(&ok);
            if (!ok)
                return usage(tr("--seed needs a non-negative whole number, not \"%1\"").arg(value));
            m_params.insert(QStringLiteral("seed"), value);
        } else if (option == u"--param") {
            const qsizetype eq = value.indexOf(QLatin1Char('='));
            if (eq <= 0)
                return usage(tr("--param needs key=value, not \"%1\"").arg(value));
            m_params.insert(value.left(eq).trimmed(), value.mid(eq + 1).trimmed());
        }
    }
    if (m_algorithm.isEmpty())
        return usage(tr("--algorithm is required"));
    if (m_train.isEmpty())
        return usage(tr("--train is required"));
    if (engine::Detector::canonicalModelType(m_algorithm).isEmpty())
        return usage(tr("unknown algorithm \"%1\" (expected one of: %2)")
                         .arg(m_algorithm, engine::Detector::modelTypes().join(QStringLiteral(", "))));

    QString error;
    std::unique_ptr<engine::Detector> detector = engine::createDetector(m_algorithm, m_params, &error);
    if (!detector)
        return usage(error);

    engine::NumericCsv train;
    const bool trainLabelRequired = m_labelExplicit && m_score.isEmpty();
    if (!engine::NumericCsv::read(m_train, m_labelColumn, trainLabelRequired, &train, &error))
        return failure(error);
    engine::NumericCsv scored;
    const engine::NumericCsv *target = &train;
    if (!m_score.isEmpty()) {
        if (!engine::NumericCsv::read(m_score, m_labelColumn, m_labelExplicit, &scored, &error))
            return failure(error);
        if (scored.featureNames != train.featureNames)
            return failure(tr("%1: the feature columns (%2) differ from those of %3 (%4)")
                               .arg(m_score, scored.featureNames.join(QLatin1Char(',')), m_train,
                                    train.featureNames.join(QLatin1Char(','))));
        target = &scored;
    }

    engine::TrainingControl control;
    if (m_progress) {
        control.progress = [last = -1](double fraction, const QString &stage) mutable {
            const int percent = int(fraction * 100);
            if (percent != last) {
                last = percent;
                printErr(QStringLiteral("%1% %2\n").arg(percent).arg(stage));
            }
        };
    }
    QElapsedTimer timer;
    timer.start();
    if (!detector->fit(train.samples, &error, control))
        return failure(tr("%1: training failed: %2").arg(m_train, error));
    const qint64 fitMs = timer.elapsed();

    std::vector<double> scores(std::size_t(target->samples.rows()));
    timer.restart();
    detector->scoreBatch(target->samples, scores);
    const qint64 scoreMs = timer.elapsed();
    if (m_progress)
        printErr(tr("fit %1 rows in %2 ms; scored %3 rows in %4 ms\n")
                     .arg(train.samples.rows()).arg(fitMs).arg(target->samples.rows()).arg(scoreMs));

    if (!writeScores(scores, detector->threshold()))
        return 1;
    if (target->hasLabels()) {
        const engine::DetectionMetrics m = engine::DetectionMetrics::compute(scores, target->labels);
        printErr(QStringLiteral("ROC-AUC: %1\nPR-AUC: %2\n")
                     .arg(m.rocAuc, 0, 'f', 6).arg(m.prAuc, 0, 'f', 6));
    }
    return 0;
}

bool DetectCommand::writeScores(const std::vector<double> &scores, double threshold)
{
    QByteArray text;
    text.reserve(qsizetype(scores.size()) * 24 + 32);
    text.append("score,is_anomaly\n");
    char buffer[64];
    for (double s : scores) {
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, s);
        text.append(buffer, r.ptr - buffer);
        text.append(s > threshold ? ",1\n" : ",0\n");
    }
    QFile file;
    bool opened = false;
    if (m_out.isEmpty() || m_out == u"-") {
        opened = file.open(stdout, QIODevice::WriteOnly);
    } else {
        file.setFileName(m_out);
        opened = file.open(QIODevice::WriteOnly | QIODevice::Truncate);
    }
    if (!opened) {
        failure(tr("%1: cannot write: %2").arg(m_out, file.errorString()));
        return false;
    }
    if (file.write(text) != text.size() || !file.flush()) {
        failure(tr("%1: cannot write: %2").arg(m_out.isEmpty() ? QStringLiteral("stdout") : m_out, file.errorString()));
        return false;
    }
    return true;
}

} // namespace

int runDetectCommand(const QStringList &arguments)
{
    DetectCommand command;
    return command.run(arguments);
}

} // namespace vigil::app
