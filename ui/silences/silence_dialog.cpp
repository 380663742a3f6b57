#include "silence_dialog.h"

#include "models/alerts/alert_page_model.h"

#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QThread>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace vigil::ui {

namespace {
constexpr int kSampleLimit = 200;     // matches listed in the preview
constexpr qint64 kHourMs = 3'600'000;

struct PreviewResult
{
    quint64 generation = 0;
    models::SilencePreview preview;
    QString error;
};
} // namespace

// Shared by the dialog and its worker: progress to show, and the request to stop.
struct SilenceDialog::PreviewState
{
    std::atomic<qint64> done{0};
    std::atomic<qint64> total{0};
    std::atomic<bool> cancel{false};
};

SilenceDialog::SilenceDialog(models::DatabaseUrl url, QWidget *parent) : QDialog(parent), m_url(std::move(url))
{
    setWindowTitle(tr("Silence Alerts"));
    setObjectName(QStringLiteral("silenceDialog"));

    m_rule = new QComboBox(this);
    m_rule->setObjectName(QStringLiteral("silenceRule"));
    m_rule->setEditable(true);
    m_rule->setInsertPolicy(QComboBox::NoInsert);
    m_rule->lineEdit()->setPlaceholderText(tr("Any rule"));
    m_rule->lineEdit()->setClearButtonEnabled(true);
    m_source = new QLineEdit(this);
    m_source->setObjectName(QStringLiteral("silenceSource"));
    m_source->setPlaceholderText(tr("Any source"));
    m_source->setClearButtonEnabled(true);
    m_field = new QLineEdit(this);
    m_field->setObjectName(QStringLiteral("silenceField"));
    m_field->setPlaceholderText(tr("Field path, e.g. fields.country"));
    m_value = new QLineEdit(this);
    m_value->setObjectName(QStringLiteral("silenceValue"));
    m_value->setPlaceholderText(tr("Value, e.g. RU or 42"));
    m_value->setToolTip(tr("Compared as rules compare with eq: 42 is a number, \"42\" a string, other text a string"));
    auto *fieldRow = new QHBoxLayout;
    fieldRow->addWidget(m_field, 3);
    fieldRow->addWidget(new QLabel(QStringLiteral("="), this));
    fieldRow->addWidget(m_value, 2);

    m_expiry = new QComboBox(this);
    m_expiry->setObjectName(QStringLiteral("silenceExpiry"));
    m_expiry->addItem(tr("1 hour"), kHourMs);
    m_expiry->addItem(tr("4 hours"), 4 * kHourMs);
    m_expiry->addItem(tr("1 day"), 24 * kHourMs);
    m_expiry->addItem(tr("1 week"), 7 * 24 * kHourMs);
    m_expiry->addItem(tr("Until a chosen time…"), 0);
    m_expiry->setCurrentIndex(FourHours);
    m_custom = new QDateTimeEdit(QDateTime::currentDateTime().addDays(1), this);
    m_custom->setObjectName(QStringLiteral("silenceCustomExpiry"));
    m_custom->setCalendarPopup(true);
    m_custom->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    m_custom->setEnabled(false);
    auto *expiryRow = new QHBoxLayout;
    expiryRow->addWidget(m_expiry);
    expiryRow->addWidget(m_custom, 1);

    m_comment = new QLineEdit(this);
    m_comment->setObjectName(QStringLiteral("silenceComment"));
    m_comment->setPlaceholderText(tr("Why: the next analyst reads this in the list of silences"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Rule:"), m_rule);
    form->addRow(tr("S&ource:"), m_source);
    form->addRow(tr("&Field value:"), fieldRow);
    if (auto *label = qobject_cast<QLabel *>(form->labelForField(fieldRow)))
        label->setBuddy(m_field);
    form->addRow(tr("&Expires:"), expiryRow);
    if (auto *label = qobject_cast<QLabel *>(form->labelForField(expiryRow)))
        label->setBuddy(m_expiry);
    form->addRow(tr("&Comment:"), m_comment);

    m_problem = new QLabel(this);
    m_problem->setObjectName(QStringLiteral("silenceProblem"));
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b00020;"));

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("silenceSummary"));
    m_summary->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    m_progress->setTextVisible(true);
    m_cancelPreview = new QPushButton(tr("Stop Counting"), this);
    m_cancelPreview->setVisible(false);
    m_cancelPreview->setAutoDefault(false);
    auto *progressRow = new QHBoxLayout;
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelPreview);

    m_matches = new QTreeWidget(this);
    m_matches->setObjectName(QStringLiteral("silenceMatches"));
    m_matches->setRootIsDecorated(false);
    m_matches->setUniformRowHeights(true);
    m_matches->setAlternatingRowColors(true);
    m_matches->setHeaderLabels({tr("Time"), tr("Rule"), tr("Source"), tr("Status"), tr("Message")});
    m_matches->header()->setStretchLastSection(true);
    const QFontMetrics fm = m_matches->fontMetrics();
    const int pad = 2 * fm.horizontalAdvance(QLatin1Char('M'));
    m_matches->setColumnWidth(0, fm.horizontalAdvance(QStringLiteral("2026-12-31 23:59:59")) + pad);
    m_matches->setColumnWidth(1, fm.horizontalAdvance(QStringLiteral("Payment to sanctioned")) + pad);
    m_matches->setColumnWidth(2, fm.horizontalAdvance(QStringLiteral("acct-000000")) + pad);
    m_matches->setColumnWidth(3, fm.horizontalAdvance(tr("Acknowledged")) + pad);
    m_matches->setMinimumHeight(180);
    m_matches->setFocusPolicy(Qt::ClickFocus);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_save = m_buttons->addButton(tr("&Silence"), QDialogButtonBox::AcceptRole);
    m_save->setObjectName(QStringLiteral("silenceSave"));
    m_save->setDefault(true);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_problem);
    layout->addSpacing(6);
    layout->addWidget(new QLabel(tr("<b>Stored alerts this silence would match</b> (it hides new alerts only; these stay as they are)"), this));
    layout->addWidget(m_summary);
    layout->addLayout(progressRow);
    layout->addWidget(m_matches, 1);
    layout->addWidget(m_buttons);
    resize(760, 560);

    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(300);
    connect(m_debounce, &QTimer::timeout, this, &SilenceDialog::startPreview);
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, &SilenceDialog::updateProgress);
    connect(m_cancelPreview, &QPushButton::clicked, this, &SilenceDialog::cancelPreview);

    const auto criteriaChanged = [this] {
        validate();
        m_debounce->start();
    };
    connect(m_rule, &QComboBox::editTextChanged, this, criteriaChanged);
    connect(m_source, &QLineEdit::textChanged, this, criteriaChanged);
    connect(m_field, &QLineEdit::textChanged, this, criteriaChanged);
    connect(m_value, &QLineEdit::textChanged, this, criteriaChanged);
    connect(m_comment, &QLineEdit::textChanged, this, &SilenceDialog::validate);
    connect(m_custom, &QDateTimeEdit::dateTimeChanged, this, &SilenceDialog::validate);
    connect(m_expiry, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_custom->setEnabled(index == Custom);
        if (index == Custom)
            m_custom->setMinimumDateTime(QDateTime::currentDateTime());
        validate();
    });
    m_rule->setCurrentIndex(-1);
    m_rule->setEditText(QString());
    validate();
    m_summary->setText(tr("Choose a rule, a source or a field value."));
}

SilenceDialog::~SilenceDialog()
{
    cancelPreview();
}

void SilenceDialog::setRuleChoices(const QStringList &rules)
{
    const QString text = m_rule->currentText();
    QSignalBlocker block(m_rule);
    m_rule->clear();
    m_rule->addItems(rules);
    m_rule->setCurrentIndex(-1);
    m_rule->setEditText(text);
}

void SilenceDialog::prefill(const QString &ruleName, const QString &sourceId)
{
    m_rule->setEditText(ruleName);
    m_source->setText(sourceId);
    m_comment->setFocus();
}

engine::Silence SilenceDialog::silence() const
{
    engine::Silence s;
    s.ruleName = m_rule->currentText().trimmed();
    s.sourceId = m_source->text().trimmed();
    s.fieldPath = m_field->text().trimmed();
    if (!s.fieldPath.isEmpty())
        s.fieldValue = engine::Silence::parseValue(m_value->text());
    s.comment = m_comment->text().trimmed();
    s.expiresAtMs = m_expiry->currentIndex() == Custom
        ? m_custom->dateTime().toMSecsSinceEpoch()
        : QDateTime::currentMSecsSinceEpoch() + m_expiry->currentData().toLongLong();
    return s;
}

QString SilenceDialog::problem() const
{
    engine::Silence s = silence();
    QString error;
    if (s.fieldPath.isEmpty() && !m_value->text().trimmed().isEmpty())
        return tr("Give the field path the value %1 is compared with, e.g. fields.country.").arg(m_value->text().trimmed());
    if (!s.compile(&error))
        return error;
    if (s.comment.isEmpty())
        return tr("Say in the comment why these alerts are silenced: the next analyst reads it in the list of silences.");
    if (s.expiresAtMs <= QDateTime::currentMSecsSinceEpoch())
        return tr("The chosen expiry has passed: choose a later time.");
    if (s.expiresAtMs - QDateTime::currentMSecsSinceEpoch() > 366LL * 24 * kHourMs)
        return tr("A silence lasts at most a year: choose an earlier expiry, or fix the rule instead.");
    return {};
}

void SilenceDialog::validate()
{
    const QString text = problem();
    m_problem->setText(text);
    m_save->setEnabled(text.isEmpty());
}

void SilenceDialog::done(int result)
{
    if (result == QDialog::Accepted) {
        validate();
        if (!m_save->isEnabled())
            return; // Enter on an incomplete form: the message says what is missing
    }
    cancelPreview();
    QDialog::done(result);
}

void SilenceDialog::cancelPreview()
{
    if (m_running)
        m_running->cancel = true;
    m_running.reset();
    m_progressTimer->stop();
    m_progress->setVisible(false);
    m_cancelPreview->setVisible(false);
}

void SilenceDialog::startPreview()
{
    cancelPreview();
    engine::Silence s = silence();
    QString error;
    if (!s.compile(&error)) {
        ++m_generation;
        m_preview = {};
        m_matches->clear();
        m_summary->setText(s.ruleName.isEmpty() && s.sourceId.isEmpty() && !s.hasField()
                               ? tr("Choose a rule, a source or a field value.")
                               : tr("Nothing to count until the criteria are valid."));
        return;
    }
    const quint64 generation = ++m_generation;
    auto state = std::make_shared<PreviewState>();
    m_running = state;
    m_summary->setText(tr("Counting…"));
    m_progress->setRange(0, 0);
    m_progress->setVisible(s.hasField());
    m_cancelPreview->setVisible(s.hasField());
    m_progressTimer->start();
    const models::DatabaseUrl url = m_url;
    auto *watcher = new QFutureWatcher<PreviewResult>(this);
    connect(watcher, &QFutureWatcher<PreviewResult>::finished, this, [this, watcher] {
        const PreviewResult result = watcher->result();
        watcher->deleteLater();
        if (result.generation != m_generation || result.preview.cancelled)
            return; // superseded by newer criteria, or stopped
        showPreview(result.preview, result.error);
    });
    watcher->setFuture(QtConcurrent::run([url, s, state, generation] {
        PreviewResult out;
        out.generation = generation;
        const QString connection = QStringLiteral("vigil-silence-preview-%1").arg(generation);
        {
            auto store = models::Store::open(url, connection + QStringLiteral("-") + QString::number(quintptr(QThread::currentThreadId())), &out.error);
            if (store)
                store->previewSilence(s, kSampleLimit, &out.preview, &out.error, [state](qint64 done, qint64 total) {
                    state->done = done;
                    state->total = total;
                    return !state->cancel.load();
                });
        }
        return out;
    }));
}

void SilenceDialog::updateProgress()
{
    if (!m_running)
        return;
    const qint64 total = m_running->total.load();
    if (total <= 0)
        return;
    // The bar counts in thousandths, so a million alerts fit an int.
    m_progress->setRange(0, 1000);
    m_progress->setValue(int(1000 * m_running->done.load() / total));
    m_progress->setFormat(tr("%1 of %2 alerts looked at")
                              .arg(QLocale().toString(m_running->done.load()), QLocale().toString(total)));
}

void SilenceDialog::showPreview(const models::SilencePreview &preview, const QString &error)
{
    m_running.reset();
    m_progressTimer->stop();
    m_progress->setVisible(false);
    m_cancelPreview->setVisible(false);
    m_matches->clear();
    if (!error.isEmpty()) {
        m_preview = {};
        m_summary->setText(tr("Cannot count the matching alerts: %1").arg(error));
        return;
    }
    m_preview = preview;
    const QLocale locale;
    if (preview.matched == 0) {
        m_summary->setText(tr("Matches no stored alert."));
    } else {
        QString text = preview.matched == 1
            ? tr("Matches 1 stored alert: %1 open (new or acknowledged), %2 closed.")
                  .arg(locale.toString(preview.open), locale.toString(preview.matched - preview.open))
            : tr("Matches %1 stored alerts: %2 open (new or acknowledged), %3 closed.")
                  .arg(locale.toString(preview.matched), locale.toString(preview.open),
                       locale.toString(preview.matched - preview.open));
        if (preview.matched > preview.sample.size())
            text += QLatin1Char(' ') + tr("The newest %1 are listed.").arg(preview.sample.size());
        m_summary->setText(text);
    }
    QList<QTreeWidgetItem *> items;
    items.reserve(preview.sample.size());
    for (const models::AlertRow &r : preview.sample) {
        auto *item = new QTreeWidgetItem(
            {locale.toString(QDateTime::fromMSecsSinceEpoch(r.createdAtMs), QStringLiteral("yyyy-MM-dd HH:mm:ss")), r.ruleName,
             r.sourceId, models::AlertPageModel::statusText(r.status), r.message});
        item->setData(0, Qt::UserRole, r.id);
        items.append(item);
    }
    m_matches->addTopLevelItems(items);
    emit previewFinished();
}

} // namespace vigil::ui
