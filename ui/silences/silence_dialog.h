#pragma once
// The Silence dialog: criteria, expiry, comment, and before saving what the silence would match.

#include "engine/rules/silence.h"
#include "models/store/database_url.h"
#include "models/store/store.h"

#include <QDialog>
#include <atomic>
#include <memory>

QT_BEGIN_NAMESPACE
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTimer;
class QTreeWidget;
QT_END_NAMESPACE

namespace vigil::ui {

/*!
    Asks for a silence: rule, source and a field value (combined; at least one), an expiry
    (1 hour, 4 hours, 1 day, 1 week or a custom time) and a comment. What is missing or wrong
    is said under the form and the Silence button stays disabled until it is fixed.

    A preview of what the silence would match among the stored alerts (exact counts, the
    newest matches listed) is computed on a worker thread with its own connection, 300 ms
    after the last change, with progress and cancel for long scans (a field criterion reads
    each candidate's event). Saving does not wait for it.
*/
class SilenceDialog : public QDialog
{
    Q_OBJECT
public:
    enum Expiry { OneHour, FourHours, OneDay, OneWeek, Custom };

    explicit SilenceDialog(models::DatabaseUrl url, QWidget *parent = nullptr);
    ~SilenceDialog() override;

    void setRuleChoices(const QStringList &rules);
    // Prefills the rule and the source (from the alert "Silence similar…" was chosen on).
    void prefill(const QString &ruleName, const QString &sourceId);

    // The silence as entered, its expiry counted from now.
    engine::Silence silence() const;
    // Empty when the silence can be saved; otherwise what to fix.
    QString problem() const;

    // For tests and the main window.
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *problemLabel() const { return m_problem; }
    QTreeWidget *matchList() const { return m_matches; }
    QPushButton *saveButton() const { return m_save; }
    bool previewRunning() const { return m_running != nullptr; }
    const models::SilencePreview &lastPreview() const { return m_preview; }

signals:
    // A preview finished (not cancelled, not superseded): its counts are in lastPreview().
    void previewFinished();

protected:
    void done(int result) override;

private:
    struct PreviewState;

    void changed();
    void validate();
    void startPreview();
    void cancelPreview();
    void showPreview(const models::SilencePreview &preview, const QString &error);
    void updateProgress();

    models::DatabaseUrl m_url;
    QComboBox *m_rule;
    QLineEdit *m_source;
    QLineEdit *m_field;
    QLineEdit *m_value;
    QComboBox *m_expiry;
    QDateTimeEdit *m_custom;
    QLineEdit *m_comment;
    QLabel *m_problem;
    QLabel *m_summary;
    QProgressBar *m_progress;
    QPushButton *m_cancelPreview;
    QTreeWidget *m_matches;
    QDialogButtonBox *m_buttons;
    QPushButton *m_save;
    QTimer *m_debounce;
    QTimer *m_progressTimer;
    std::shared_ptr<PreviewState> m_running;
    quint64 m_generation = 0;
    models::SilencePreview m_preview;
};

} // namespace vigil::ui
