#include "text_fold.h"

#include <QCoreApplication>
#include <QSqlDriver>
#include <QVariant>
#include <algorithm>
#include <memory>
#include <sqlite3.h>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::models {

namespace {

class TextFoldText
{
    Q_DECLARE_TR_FUNCTIONS(TextFold)
};

// Letters the trigram tokenizer folds, sorted by code point (ASCII included).
using FoldPairs = std::vector<std::pair<char32_t, char32_t>>;

// Asks the tokenizer: every code point that Unicode folds to another (any Unicode version's
// fold is kept by later ones, so the tokenizer's older table folds a subset of these) goes
// into an in-memory trigram index three times in a row, and the index's vocabulary says what
// it became. SQLite's table is older than Qt's: it leaves the letters added since alone.
bool readTokenizerFold(FoldPairs *pairs)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return false;
    }
    const std::unique_ptr<sqlite3, int (*)(sqlite3 *)> closer(db, sqlite3_close);
    const auto exec = [db](const char *sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; };
    if (!exec("CREATE VIRTUAL TABLE f USING fts5(x, tokenize = 'trigram')")
        || !exec("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')") || !exec("BEGIN"))
        return false;
    sqlite3_stmt *insert = nullptr;
    if (sqlite3_prepare_v2(db, "INSERT INTO f (rowid, x) VALUES (?, ?)", -1, &insert, nullptr) != SQLITE_OK) {
        sqlite3_finalize(insert);
        return false;
    }
    bool ok = true;
    for (char32_t c = 1; ok && c <= 0x10FFFF; ++c) {
        if (c >= 0xD800 && c <= 0xDFFF)
            continue;
        if (QChar::toCaseFolded(c) == c && QChar::toLower(c) == c)
            continue;
        const char32_t three[3] = {c, c, c};
        const QByteArray text = QString::fromUcs4(three, 3).toUtf8();
        sqlite3_bind_int64(insert, 1, c);
        sqlite3_bind_text(insert, 2, text.constData(), int(text.size()), SQLITE_TRANSIENT);
        ok = sqlite3_step(insert) == SQLITE_DONE;
        sqlite3_reset(insert);
    }
    sqlite3_finalize(insert);
    sqlite3_stmt *vocabulary = nullptr;
    if (!ok || sqlite3_prepare_v2(db, "SELECT term, doc FROM v", -1, &vocabulary, nullptr) != SQLITE_OK) {
        sqlite3_finalize(vocabulary);
        return false;
    }
    while (sqlite3_step(vocabulary) == SQLITE_ROW) {
        const auto *term = reinterpret_cast<const char *>(sqlite3_column_text(vocabulary, 0));
        const QList<uint> folded = QString::fromUtf8(term, sqlite3_column_bytes(vocabulary, 0)).toUcs4();
        const auto from = char32_t(sqlite3_column_int64(vocabulary, 1));
        if (!folded.isEmpty() && folded.first() != from)
            pairs->emplace_back(from, char32_t(folded.first()));
    }
    sqlite3_finalize(vocabulary);
    std::sort(pairs->begin(), pairs->end());
    return true;
}

struct FoldTable
{
    char ascii[128];
    FoldPairs pairs;  // beyond ASCII
    bool fromTokenizer = false;

    FoldTable()
    {
        FoldPairs all;
        fromTokenizer = readTokenizerFold(&all);
        if (!fromTokenizer) {
            all.clear();
            for (char32_t c = 1; c <= 0x10FFFF; ++c)
                if ((c < 0xD800 || c > 0xDFFF) && QChar::toCaseFolded(c) != c)
                    all.emplace_back(c, QChar::toCaseFolded(c));
        }
        for (int c = 0; c < 128; ++c)
            ascii[c] = char(c);
        for (const auto &[from, to] : all) {
            if (from < 128 && to < 128)
                ascii[from] = char(to);
            else if (from >= 128)
                pairs.emplace_back(from, to);
        }
    }
    char32_t fold(char32_t c) const
    {
        if (c < 128)
            return char32_t(uchar(ascii[c]));
        const auto it = std::lower_bound(pairs.begin(), pairs.end(), std::pair<char32_t, char32_t>(c, 0));
        return it != pairs.end() && it->first == c ? it->second : c;
    }
};

const FoldTable &table()
{
    static const FoldTable t;
    return t;
}

void appendUtf8(char32_t c, std::string *out)
{
    if (c < 0x80) {
        out->push_back(char(c));
    } else if (c < 0x800) {
        out->push_back(char(0xC0 | (c >> 6)));
        out->push_back(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out->push_back(char(0xE0 | (c >> 12)));
        out->push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out->push_back(char(0x80 | (c & 0x3F)));
    } else {
        out->push_back(char(0xF0 | (c >> 18)));
        out->push_back(char(0x80 | ((c >> 12) & 0x3F)));
        out->push_back(char(0x80 | ((c >> 6) & 0x3F)));
        out->push_back(char(0x80 | (c & 0x3F)));
    }
}

// vigil_contains(text, needle); the folded needle is kept with the statement (it is the same
// bound value on every row).
void containsFunction(sqlite3_context *context, int, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(context);
        return;
    }
    auto *needle = static_cast<std::string *>(sqlite3_get_auxdata(context, 1));
    thread_local std::string unkept;
    if (!needle) {
        auto folded = std::make_unique<std::string>();
        TextFold::foldUtf8(reinterpret_cast<const char *>(sqlite3_value_text(argv[1])), sqlite3_value_bytes(argv[1]),
                           folded.get());
        unkept = *folded;
        sqlite3_set_auxdata(context, 1, folded.release(), [](void *p) { delete static_cast<std::string *>(p); });
        // SQLite may have dropped it at once; then this row uses the copy.
        needle = static_cast<std::string *>(sqlite3_get_auxdata(context, 1));
        if (!needle)
            needle = &unkept;
    }
    if (needle->empty()) {
        sqlite3_result_int(context, 1);
        return;
    }
    thread_local std::string haystack;
    haystack.clear();
    TextFold::foldUtf8(reinterpret_cast<const char *>(sqlite3_value_text(argv[0])), sqlite3_value_bytes(argv[0]),
                       &haystack);
    sqlite3_result_int(context, std::string_view(haystack).find(*needle) != std::string_view::npos ? 1 : 0);
}

} // namespace

char32_t TextFold::fold(char32_t c) { return table().fold(c); }

void TextFold::foldUtf8(const char *utf8, qsizetype size, std::string *out)
{
    const FoldTable &t = table();
    const auto *s = reinterpret_cast<const unsigned char *>(utf8);
    out->reserve(out->size() + std::size_t(size));
    qsizetype i = 0;
    while (i < size) {
        const unsigned char b = s[i];
        if (b < 0x80) {
            out->push_back(t.ascii[b]);
            ++i;
            continue;
        }
        const int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
        bool valid = length > 0 && i + length <= size;
        char32_t c = length == 4 ? b & 0x07 : length == 3 ? b & 0x0F : b & 0x1F;
        for (int k = 1; valid && k < length; ++k) {
            valid = (s[i + k] & 0xC0) == 0x80;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (!valid) {
            out->push_back(char(b)); // not UTF-8: the byte as it is
            ++i;
            continue;
        }
        appendUtf8(t.fold(c), out);
        i += length;
    }
}

QString TextFold::fold(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    std::string out;
    foldUtf8(utf8.constData(), utf8.size(), &out);
    return QString::fromUtf8(out.data(), qsizetype(out.size()));
}

bool TextFold::registerFunctions(const QSqlDatabase &db, QString *error)
{
    const QVariant handle = db.driver() ? db.driver()->handle() : QVariant();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0) {
        *error = TextFoldText::tr("not an SQLite connection");
        return false;
    }
    sqlite3 *raw = *static_cast<sqlite3 *const *>(handle.data());
    if (!raw) {
        *error = TextFoldText::tr("the SQLite connection is not open");
        return false;
    }
    table(); // built now, not inside the first search
    if (sqlite3_create_function_v2(raw, "vigil_contains", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                   nullptr, containsFunction, nullptr, nullptr, nullptr)
        != SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(raw));
        return false;
    }
    return true;
}

} // namespace vigil::models
