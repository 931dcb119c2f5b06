package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// scoreWrite is one change of a score, for a review round or the live
// final alike: the points and comment, the status they take, and — for a
// submission — the audit's action, the host's reason and what else the
// audit records. The caller has checked its own gates (the round's
// window, the show's phase, the panel, conflicts) and the rubric.
type scoreWrite struct {
	RoundID, ProjectID, ExpertID int64
	// Points is the canonical JSON of the points per criterion.
	Points  string
	Comment string
	Status  models.ScoreStatus
	// Action is the audit's action (score.submit, score.live,
	// score.on_behalf, score.correct); a draft has none and is not
	// audited, only kept in the history.
	Action string
	Reason string
	// Extra is added to the audit record's After (seat, live show, …).
	Extra map[string]any
	At    time.Time
}

// writeScore is the one place a score is written: it upserts the score,
// keeps the change in the history (who, when, with what reason) and
// audits a submission with the points it replaced.
func (db *DB) writeScore(tx *gorm.DB, actor models.Actor, w scoreWrite) (scoreRow, error) {
	var prev scoreRow
	err := tx.Where("round_id = ? AND project_id = ? AND expert_id = ?", w.RoundID, w.ProjectID, w.ExpertID).Take(&prev).Error
	exists := err == nil
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return scoreRow{}, err
	}
	var submittedAt *time.Time
	if w.Status == models.ScoreSubmitted {
		at := w.At
		submittedAt = &at
	}
	out := scoreRow{RoundID: w.RoundID, ProjectID: w.ProjectID, ExpertID: w.ExpertID, Points: w.Points, Comment: w.Comment,
		Status: string(w.Status), SubmittedAt: submittedAt, UpdatedAt: w.At}
	if exists {
		err = tx.Model(&scoreRow{}).Where("round_id = ? AND project_id = ? AND expert_id = ?", w.RoundID, w.ProjectID, w.ExpertID).
			Updates(map[string]any{"points": w.Points, "comment": w.Comment, "status": string(w.Status), "submitted_at": submittedAt, "updated_at": w.At}).Error
	} else {
		err = tx.Create(&out).Error
	}
	if err != nil {
		return scoreRow{}, err
	}
	if err := tx.Create(&scoreHistoryRow{RoundID: w.RoundID, ProjectID: w.ProjectID, ExpertID: w.ExpertID, Points: w.Points,
		Comment: w.Comment, Status: string(w.Status), At: w.At, ByUserID: actor.UserID, ByName: actor.Name,
		Action: w.Action, Reason: w.Reason}).Error; err != nil {
		return scoreRow{}, err
	}
	if w.Action == "" {
		return out, nil
	}
	var before any
	if exists && prev.Status == string(models.ScoreSubmitted) {
		before = map[string]any{"points": json.RawMessage(prev.Points)}
	}
	after := map[string]any{"points": json.RawMessage(w.Points)}
	for k, v := range w.Extra {
		after[k] = v
	}
	return out, db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: w.Action, Entity: "score",
		EntityID: fmt.Sprintf("%d/%d/%d", w.RoundID, w.ProjectID, w.ExpertID), Before: before, After: after})
}
