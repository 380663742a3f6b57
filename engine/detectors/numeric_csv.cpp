#include "numeric_csv.h"

#include <QFile>

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <limits>

namespace vigil::engine {

namespace {

// Trims spaces, tabs and one pair of surrounding double quotes.
void trimField(const char *&begin, const char *&end)
{
    while (begin < end && (*begin == ' ' || *begin == '\t'))
        ++begin;
    while (end > begin && (end[-1] == ' ' || end[-1] == '\t'))
        --end;
    if (end - begin >= 2 && *begin == '"' && end[-1] == '"') {
        ++begin;
        --end;
    }
}

enum class NumberResult { Ok, Missing, Invalid };

NumberResult parseNumber(const char *begin, const char *end, double *value)
{
    trimField(begin, end);
    if (begin == end) {
        *value = std::numeric_limits<double>::quiet_NaN();
        return NumberResult::Missing;
    }
    if (*begin == '+')
        ++begin;
    const auto [ptr, ec] = std::from_chars(begin, end, *value);
    if (ec == std::errc::result_out_of_range) {
        // Too large or too small for a double: clamp like strtod does.
        const bool negative = *begin == '-';
        *value = std::strtod(std::string(begin, end).c_str(), nullptr);
        if (!std::isfinite(*value))
            *value = negative ? -std::numeric_limits<double>::max() : std::numeric_limits<double>::max();
        return NumberResult::Ok;
    }
    if (ec != std::errc() || ptr != end)
        return NumberResult::Invalid;
    if (std::isnan(*value))
        return NumberResult::Missing;
    if (std::isinf(*value))
        return NumberResult::Invalid;
    return NumberResult::Ok;
}

QString fieldText(const char *begin, const char *end)
{
    QString text = QString::fromUtf8(begin, end - begin).trimmed();
    if (text.size() > 40)
        text = text.left(37) + QStringLiteral("...");
    return text;
}

} // namespace

bool NumericCsv::read(const QString &path, const QString &labelColumn, bool labelRequired,
                      NumericCsv *out, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("%1: cannot open: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray text = file.readAll();
    if (file.error() != QFileDevice::NoError) {
        if (error)
            *error = tr("%1: cannot read: %2").arg(path, file.errorString());
        return false;
    }
    return parse(text, path, labelColumn, labelRequired, out, error);
}

bool NumericCsv::parse(const QByteArray &text, const QString &sourceName, const QString &labelColumn,
                       bool labelRequired, NumericCsv *out, QString *error)
{
    auto fail = [&](int line, const QString &message) {
        if (error)
            *error = line > 0 ? tr("%1:%2: %3").arg(sourceName).arg(line).arg(message)
                              : tr("%1: %2").arg(sourceName, message);
        return false;
    };

    const char *p = text.constData();
    const char *const end = p + text.size();
    int lineNo = 0;

    // Finds the next line, skipping blank ones; returns false at the end of the text.
    auto nextLine = [&](const char *&lineBegin, const char *&lineEnd) {
        while (p < end) {
            lineBegin = p;
            const void *nl = std::memchr(p, '\n', std::size_t(end - p));
            lineEnd = nl ? static_cast<const char *>(nl) : end;
            p = nl ? lineEnd + 1 : end;
            ++lineNo;
            const char *e = lineEnd;
            if (e > lineBegin && e[-1] == '\r')
                --e;
            lineEnd = e;
            const char *b = lineBegin;
            while (b < e && (*b == ' ' || *b == '\t'))
                ++b;
            if (b < e)
                return true;
        }
        return false;
    };

    const char *lb = nullptr;
    const char *le = nullptr;
    if (!nextLine(lb, le))
        return fail(0, tr("the file is empty (a header line is required)"));
    if (le - lb >= 3 && quint8(lb[0]) == 0xEF && quint8(lb[1]) == 0xBB && quint8(lb[2]) == 0xBF)
        lb += 3; // UTF-8 byte order mark

    QStringList header;
    for (const char *f = lb;;) {
        const char *comma = static_cast<const char *>(std::memchr(f, ',', std::size_t(le - f)));
        const char *fe = comma ? comma : le;
        const char *b = f;
        const char *e = fe;
        trimField(b, e);
        header.append(QString::fromUtf8(b, e - b));
        if (!comma)
            break;
        f = comma + 1;
    }
    const int headerLine = lineNo;
    const int columns = int(header.size());

    int labelIndex = -1;
    if (!labelColumn.isEmpty()) {
        labelIndex = int(header.indexOf(labelColumn));
        if (labelIndex < 0 && labelRequired)
            return fail(headerLine, tr("no column named \"%1\" in the header").arg(labelColumn));
    }
    const int featureCount = columns - (labelIndex >= 0 ? 1 : 0);
    if (featureCount <= 0)
        return fail(headerLine, tr("the header names no feature column"));

    NumericCsv table;
    table.m_labelled = labelIndex >= 0;
    for (int c = 0; c < columns; ++c) {
        if (c != labelIndex)
            table.featureNames.append(header[c]);
    }
    table.samples.setCols(featureCount);
    table.samples.reserveRows(qsizetype(text.size() / (featureCount * 8 + 1)));

    std::vector<double> row(static_cast<std::size_t>(featureCount));
    while (nextLine(lb, le)) {
        int column = 0;
        int featureColumn = 0;
        int label = 0;
        for (const char *f = lb;; ++column) {
            const char *comma = static_cast<const char *>(std::memchr(f, ',', std::size_t(le - f)));
            const char *fe = comma ? comma : le;
            if (column >= columns) {
                int fields = column + 1;
                for (const char *q = fe; q < le; ++q)
                    fields += *q == ',';
                return fail(lineNo, tr("the row has %1 fields; the header has %2").arg(fields).arg(columns));
            }
            double value = 0;
            const NumberResult r = parseNumber(f, fe, &value);
            if (column == labelIndex) {
                if (r != NumberResult::Ok || (value != 0.0 && value != 1.0))
                    return fail(lineNo, tr("column \"%1\": the label must be 0 or 1, not \"%2\"")
                                            .arg(header[column], fieldText(f, fe)));
                label = value != 0.0 ? 1 : 0;
            } else {
                if (r == NumberResult::Invalid)
                    return fail(lineNo, tr("column \"%1\": \"%2\" is not a number")
                                            .arg(header[column], fieldText(f, fe)));
                row[std::size_t(featureColumn++)] = value;
            }
            if (!comma)
                break;
            f = comma + 1;
        }
        if (column + 1 != columns)
            return fail(lineNo, tr("the row has %1 fields; the header has %2").arg(column + 1).arg(columns));
        table.samples.appendRow(row);
        table.lineNumbers.push_back(lineNo);
        if (labelIndex >= 0)
            table.labels.push_back(label);
    }
    if (table.samples.rows() == 0)
        return fail(headerLine, tr("the file has a header but no data rows"));
    *out = std::move(table);
    return true;
}

} // namespace vigil::engine
