#pragma once
// Reads a CSV of numeric features (and an optional 0/1 label column) into a SampleMatrix.

#include "sample_matrix.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <vector>

namespace vigil::engine {

/*!
    Represents a numeric table read from CSV text: a header line naming the columns, then
    one sample per line, fields separated by commas.

    - Every column but the label column is a numeric feature. A number may be surrounded by
      spaces or double quotes; an empty field (or "nan") is a missing value and becomes NaN,
      which the detectors impute. Any other text in a numeric column is an error.
    - The label column, when present, holds 0 (inlier) or 1 (outlier) on every row.
    - Blank lines are skipped; "\r\n" line ends are accepted.

    Errors name the source and the 1-based line, as "file:line: what is wrong", and read()
    leaves *out untouched when it fails.
*/
class NumericCsv
{
    Q_DECLARE_TR_FUNCTIONS(NumericCsv)

public:
    QStringList featureNames;
    SampleMatrix samples;
    std::vector<int> labels;   // empty when the table has no label column
    std::vector<int> lineNumbers; // the line each sample was read from

    bool hasLabels() const { return m_labelled; }

    /*!
        Parses `text`. `labelColumn` names the label column (empty: none). When
        `labelRequired` is false, a missing label column simply means no labels.
        `sourceName` is used in error messages.
        Ensures: on success returns true and fills *out; on failure returns false and sets
        *error (when given).
    */
    static bool parse(const QByteArray &text, const QString &sourceName, const QString &labelColumn,
                      bool labelRequired, NumericCsv *out, QString *error);
    // Reads and parses a file.
    static bool read(const QString &path, const QString &labelColumn, bool labelRequired,
                     NumericCsv *out, QString *error);

private:
    bool m_labelled = false;
};

} // namespace vigil::engine
