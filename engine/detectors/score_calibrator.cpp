#include "score_calibrator.h"

#include <algorithm>
#include <cmath>

namespace vigil::engine {

void ScoreCalibrator::fit(std::span<const double> referenceScores)
{
    std::vector<double> s;
    s.reserve(referenceScores.size());
    for (double v : referenceScores) {
        if (std::isfinite(v))
            s.push_back(v);
    }
    m_x.clear();
    m_p.clear();
    m_count = qint64(s.size());
    if (s.empty()) {
        m_x = {0.0};
        m_p = {0.5};
        m_lowScale = m_highScale = 1;
        return;
    }
    std::sort(s.begin(), s.end());
    const std::size_t n = s.size();
    // Knots at evenly spaced ranks, then at every distinct value among them.
    const std::size_t knots = std::min<std::size_t>(n, kMaxKnots);
    for (std::size_t k = 0; k < knots; ++k) {
        const std::size_t rank = knots == 1 ? 0 : (k * (n - 1) + (knots - 1) / 2) / (knots - 1);
        const double x = s[rank];
        if (!m_x.empty() && x == m_x.back())
            continue;
        const auto lo = std::lower_bound(s.begin(), s.end(), x);
        const auto hi = std::upper_bound(lo, s.end(), x);
        const double below = double(lo - s.begin());
        const double equal = double(hi - lo);
        m_x.push_back(x);
        m_p.push_back((below + 0.5 * equal) / double(n));
    }
    const double range = s.back() - s.front();
    const double floor = std::max({std::abs(s.back()), std::abs(s.front()), 1.0}) * 1e-9;
    const std::size_t tenth = n / 10;
    m_highScale = std::max(s.back() - s[n - 1 - tenth], std::max(range * 1e-3, floor));
    m_lowScale = std::max(s[tenth] - s.front(), std::max(range * 1e-3, floor));
}

double ScoreCalibrator::map(double x) const
{
    if (m_x.empty() || std::isnan(x))
        return 0.5;
    if (x >= m_x.back()) {
        if (x == m_x.back())
            return m_p.back();
        if (std::isinf(x))
            return 1.0;
        return 1.0 - (1.0 - m_p.back()) / (1.0 + (x - m_x.back()) / m_highScale);
    }
    if (x <= m_x.front()) {
        if (x == m_x.front())
            return m_p.front();
        if (std::isinf(x))
            return 0.0;
        return m_p.front() / (1.0 + (m_x.front() - x) / m_lowScale);
    }
    const auto it = std::upper_bound(m_x.begin(), m_x.end(), x);
    const std::size_t j = std::size_t(it - m_x.begin());
    const double x0 = m_x[j - 1];
    const double x1 = m_x[j];
    const double t = (x - x0) / (x1 - x0);
    return m_p[j - 1] + t * (m_p[j] - m_p[j - 1]);
}

double ScoreCalibrator::rawQuantile(double p) const
{
    if (m_x.empty())
        return 0;
    if (p <= m_p.front())
        return m_x.front();
    if (p >= m_p.back())
        return m_x.back();
    const auto it = std::lower_bound(m_p.begin(), m_p.end(), p);
    const std::size_t j = std::size_t(it - m_p.begin());
    if (m_p[j] == m_p[j - 1])
        return m_x[j];
    const double t = (p - m_p[j - 1]) / (m_p[j] - m_p[j - 1]);
    return m_x[j - 1] + t * (m_x[j] - m_x[j - 1]);
}

void ScoreCalibrator::write(QDataStream &out) const
{
    out << qint64(m_count) << m_lowScale << m_highScale << quint32(m_x.size());
    for (std::size_t i = 0; i < m_x.size(); ++i)
        out << m_x[i] << m_p[i];
}

bool ScoreCalibrator::read(QDataStream &in)
{
    qint64 count = 0;
    quint32 size = 0;
    in >> count >> m_lowScale >> m_highScale >> size;
    if (in.status() != QDataStream::Ok || size == 0 || size > 1u << 20)
        return false;
    m_count = count;
    m_x.resize(size);
    m_p.resize(size);
    for (quint32 i = 0; i < size; ++i)
        in >> m_x[i] >> m_p[i];
    if (in.status() != QDataStream::Ok)
        return false;
    for (quint32 i = 1; i < size; ++i) {
        if (!(m_x[i] > m_x[i - 1]) || m_p[i] < m_p[i - 1])
            return false;
    }
    return m_lowScale > 0 && m_highScale > 0;
}

} // namespace vigil::engine
