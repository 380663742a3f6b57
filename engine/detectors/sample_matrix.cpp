#include "sample_matrix.h"

#include <algorithm>

namespace vigil::engine {

SampleMatrix::SampleMatrix(qsizetype rows, int cols)
    : m_values(std::size_t(rows * cols), 0.0), m_cols(cols)
{
}

SampleMatrix::SampleMatrix(std::vector<double> values, int cols)
    : m_values(std::move(values)), m_cols(cols)
{
    Q_ASSERT(cols > 0 && m_values.size() % std::size_t(cols) == 0);
}

void SampleMatrix::setCols(int cols)
{
    Q_ASSERT(m_values.empty());
    m_cols = cols;
}

void SampleMatrix::appendRow(std::span<const double> row)
{
    Q_ASSERT(qsizetype(row.size()) == m_cols);
    m_values.insert(m_values.end(), row.begin(), row.end());
}

SampleMatrix SampleMatrix::selectRows(std::span<const qsizetype> indices) const
{
    SampleMatrix out;
    out.m_cols = m_cols;
    out.m_values.resize(indices.size() * std::size_t(m_cols));
    double *dst = out.m_values.data();
    for (qsizetype i : indices) {
        std::copy_n(row(i), m_cols, dst);
        dst += m_cols;
    }
    return out;
}

std::vector<double> SampleMatrix::column(int c) const
{
    std::vector<double> out(static_cast<std::size_t>(rows()));
    for (qsizetype r = 0; r < rows(); ++r)
        out[std::size_t(r)] = at(r, c);
    return out;
}

} // namespace vigil::engine
