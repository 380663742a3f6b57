#pragma once
// A dense, row-major table of samples: the input every detector fits on and scores.

#include <QtGlobal>

#include <span>
#include <vector>

namespace vigil::engine {

/*!
    Represents rows() samples of cols() features each, stored row by row in one contiguous
    block of doubles (row i starts at data() + i * cols()). A missing value is NaN; the
    detectors impute it (see Detector).

    Requires: cols() > 0 before any row is appended.
    Ensures: row(i) stays valid until the matrix is resized or rows are appended.
*/
class SampleMatrix
{
public:
    SampleMatrix() = default;
    // A matrix of `rows` × `cols` zeros.
    SampleMatrix(qsizetype rows, int cols);
    // Adopts `values` (size must be a multiple of cols).
    SampleMatrix(std::vector<double> values, int cols);

    qsizetype rows() const { return m_cols > 0 ? qsizetype(m_values.size()) / m_cols : 0; }
    int cols() const { return m_cols; }
    bool isEmpty() const { return m_values.empty(); }

    const double *row(qsizetype i) const { return m_values.data() + i * m_cols; }
    double *row(qsizetype i) { return m_values.data() + i * m_cols; }
    std::span<const double> rowSpan(qsizetype i) const { return {row(i), std::size_t(m_cols)}; }
    double at(qsizetype r, int c) const { return m_values[std::size_t(r * m_cols + c)]; }
    double &at(qsizetype r, int c) { return m_values[std::size_t(r * m_cols + c)]; }

    const double *data() const { return m_values.data(); }
    const std::vector<double> &values() const { return m_values; }

    // Sets the number of features of an empty matrix.
    void setCols(int cols);
    void reserveRows(qsizetype rows) { m_values.reserve(std::size_t(rows * m_cols)); }
    // Requires: row.size() == cols().
    void appendRow(std::span<const double> row);
    // The rows whose indices are listed, in that order.
    SampleMatrix selectRows(std::span<const qsizetype> indices) const;
    // One column as a vector.
    std::vector<double> column(int c) const;

private:
    std::vector<double> m_values;
    int m_cols = 0;
};

} // namespace vigil::engine
