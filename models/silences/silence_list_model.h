#pragma once
// The list of silences the console shows: active ones and those that ended recently.

#include "engine/rules/silence.h"

#include <QAbstractTableModel>

namespace vigil::models {

/*!
    A table of silences, as the store lists them (Store::silences). It runs no SQL: its
    owner loads the list on a worker and hands it over with setSilences(), together with the
    time that decides which are active. Few rows (tens), so a new list resets the model.
*/
class SilenceListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { State, Criteria, Comment, CreatedBy, Created, Expires, Matched, ColumnCount };
    enum Role { SilenceIdRole = Qt::UserRole + 1, ActiveRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setSilences(QList<engine::Silence> silences, qint64 nowMs);
    const engine::Silence *silenceAt(int row) const;
    int rowOfSilence(qint64 id) const;
    qint64 nowMs() const { return m_nowMs; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<engine::Silence> m_silences;
    qint64 m_nowMs = 0;
};

} // namespace vigil::models
