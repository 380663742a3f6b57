#pragma once
// `vigil detect`: fit a detector on a CSV file and score a CSV file, without a display.

#include <QStringList>

namespace vigil::app {

/*!
    Runs `vigil detect` with the words that follow `detect` on the command line:

        --algorithm isolation_forest|local_outlier_factor|autoencoder|statistical
        --train TRAIN.csv [--score SCORE.csv] [--label-column label]
        [--param key=value]... [--seed N] [--out OUT.csv] [--progress]

    Every CSV column but the label column (default "label", used when present) is a numeric
    feature. Writes the header `score,is_anomaly` and one row per row of the scored file (the
    training file without --score), in input order, to OUT or standard output; when the
    scored file has labels, prints ROC-AUC and PR-AUC to standard error.

    Requires: a QCoreApplication may or may not exist; no display is needed.
    Returns: 0 on success, 2 for a usage error, 1 for a failure (unreadable or bad CSV —
    the message names the file and line —, bad parameters, failed training, failed write).
*/
int runDetectCommand(const QStringList &arguments);

} // namespace vigil::app
