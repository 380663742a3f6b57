#include "holdout_split.h"

#include "random_generator.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace vigil::engine {

HoldoutSplit HoldoutSplit::stratified(std::span<const int> labels, double testFraction, quint64 seed)
{
    std::map<int, std::vector<qsizetype>> byLabel;
    for (std::size_t i = 0; i < labels.size(); ++i)
        byLabel[labels[i]].push_back(qsizetype(i));
    RandomGenerator rng(seed, 0x5B117);
    HoldoutSplit split;
    for (auto &[label, rows] : byLabel) {
        for (std::size_t i = rows.size(); i > 1; --i)
            std::swap(rows[i - 1], rows[std::size_t(rng.below(i))]);
        std::size_t nTest = std::size_t(std::llround(testFraction * double(rows.size())));
        if (rows.size() >= 2)
            nTest = std::clamp<std::size_t>(nTest, 1, rows.size() - 1);
        split.test.insert(split.test.end(), rows.begin(), rows.begin() + std::ptrdiff_t(nTest));
        split.train.insert(split.train.end(), rows.begin() + std::ptrdiff_t(nTest), rows.end());
    }
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.test.begin(), split.test.end());
    return split;
}

void HoldoutSplit::standardize(SampleMatrix *train, SampleMatrix *test)
{
    const int d = train->cols();
    const qsizetype n = train->rows();
    for (int c = 0; c < d; ++c) {
        double mean = 0;
        for (qsizetype r = 0; r < n; ++r)
            mean += train->at(r, c);
        mean /= double(std::max<qsizetype>(1, n));
        double var = 0;
        for (qsizetype r = 0; r < n; ++r)
            var += (train->at(r, c) - mean) * (train->at(r, c) - mean);
        double sd = std::sqrt(var / double(std::max<qsizetype>(1, n)));
        if (!(sd > 0))
            sd = 1;
        for (qsizetype r = 0; r < n; ++r)
            train->at(r, c) = (train->at(r, c) - mean) / sd;
        if (test) {
            for (qsizetype r = 0; r < test->rows(); ++r)
                test->at(r, c) = (test->at(r, c) - mean) / sd;
        }
    }
}

std::vector<int> HoldoutSplit::pick(std::span<const int> labels, std::span<const qsizetype> rows)
{
    std::vector<int> out;
    out.reserve(rows.size());
    for (qsizetype r : rows)
        out.push_back(labels[std::size_t(r)]);
    return out;
}

} // namespace vigil::engine
