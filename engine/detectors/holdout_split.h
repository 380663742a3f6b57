#pragma once
// A stratified train/test split of labelled samples, and z-scoring with training statistics.

#include "sample_matrix.h"

#include <QtGlobal>

#include <span>
#include <vector>

namespace vigil::engine {

/*!
    Represents the row indices of a split: `test` holds round(testFraction · count) rows of
    each label (at least one of each when a label has two or more rows), `train` the rest;
    both in increasing order. Deterministic for a seed.

    standardize() z-scores `train` and `test` in place with the training rows' mean and
    (population) standard deviation per column; a constant column is only centred.
*/
struct HoldoutSplit
{
    std::vector<qsizetype> train;
    std::vector<qsizetype> test;

    static HoldoutSplit stratified(std::span<const int> labels, double testFraction, quint64 seed);
    static void standardize(SampleMatrix *train, SampleMatrix *test);
    // The labels of the rows listed.
    static std::vector<int> pick(std::span<const int> labels, std::span<const qsizetype> rows);
};

} // namespace vigil::engine
