#pragma once
// Free text on SQLite has two paths: the trigram index (FTS5) for the alerts it holds, and a
// scan for the newest alerts not yet indexed and for text shorter than a trigram. Both must
// give the same answer, so the scan folds case exactly as the index's tokenizer does: every
// Unicode letter, not only ASCII as LIKE does ("MÜLLER" finds "Müller").

#include <QSqlDatabase>
#include <QString>
#include <string>

namespace vigil::models {

class TextFold
{
public:
    // The fold of the linked SQLite's trigram tokenizer (read from the tokenizer itself once
    // per process; Qt's simple case folding where SQLite has no FTS5).
    static char32_t fold(char32_t c);
    // `utf8` folded, appended to *out (bytes that are not UTF-8 are copied as they are).
    static void foldUtf8(const char *utf8, qsizetype size, std::string *out);
    static QString fold(const QString &text);

    // Registers the SQL function vigil_contains(text, needle) on an SQLite connection: 1 when
    // the folded text contains the folded needle, 0 when not, NULL when text is NULL (as LIKE).
    // The case-insensitive substring match the trigram index answers, for rows it does not hold.
    static bool registerFunctions(const QSqlDatabase &db, QString *error);
};

} // namespace vigil::models
