package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"leitai/models"
)

type objectionRow struct {
	ID         int64 `gorm:"primaryKey"`
	RoundID    int64
	ProjectID  *int64
	Name       string
	Contact    string
	Body       string
	UserID     *int64
	IP         string `gorm:"column:ip"`
	CreatedAt  time.Time
	Answer     string
	AnsweredBy string
	AnsweredAt *time.Time
}

func (objectionRow) TableName() string { return "objections" }

func (r objectionRow) model() models.Objection {
	o := models.Objection{ID: r.ID, RoundID: r.RoundID, ProjectID: r.ProjectID, Name: r.Name, Contact: r.Contact, Body: r.Body,
		UserID: r.UserID, CreatedAt: r.CreatedAt.UTC(), Answer: r.Answer, AnsweredBy: r.AnsweredBy}
	if r.AnsweredAt != nil {
		t := r.AnsweredAt.UTC()
		o.AnsweredAt = &t
	}
	return o
}

// objectionsPerHour caps the objections one address may send to one round
// in an hour: enough for a family sharing a line, not for a flood.
const objectionsPerHour = 5

// SubmitObjection records an objection to a published round while its
// publication window is open (409 after it closed, 404 for a round not
// published). A project named must be one the round ranked.
func (db *DB) SubmitObjection(ctx context.Context, actor models.Actor, in models.ObjectionInput, now time.Time) (models.Objection, error) {
	if err := in.Validate(); err != nil {
		return models.Objection{}, err
	}
	var out objectionRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var pub publicationRow
		if err := tx.Take(&pub, in.RoundID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "round %d has no published results", in.RoundID)
			}
			return err
		}
		if err := pub.model().AcceptsObjections(now); err != nil {
			return err
		}
		if in.ProjectID != nil {
			var n int64
			if err := tx.Model(&roundProjectRow{}).Where("round_id = ? AND project_id = ?", in.RoundID, *in.ProjectID).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.Invalid("unknown project", map[string]string{"project_id": "not a project of this round"})
			}
		}
		var recent int64
		if err := tx.Model(&objectionRow{}).Where("round_id = ? AND ip = ? AND created_at > ?", in.RoundID, in.IP, now.Add(-time.Hour).UTC()).
			Count(&recent).Error; err != nil {
			return err
		}
		if recent >= objectionsPerHour {
			return &models.Error{Kind: models.KindRateLimited, Message: "too many objections from this address: try again in an hour", RetryAfterSeconds: 3600}
		}
		out = objectionRow{RoundID: in.RoundID, ProjectID: in.ProjectID, Name: strings.TrimSpace(in.Name), Contact: strings.TrimSpace(in.Contact),
			Body: strings.TrimSpace(in.Body), UserID: in.UserID, IP: in.IP, CreatedAt: now.UTC()}
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "objection.submit", Entity: "round", EntityID: idString(in.RoundID),
			After: map[string]any{"objection_id": out.ID, "project_id": in.ProjectID}})
	})
	if err != nil {
		return models.Objection{}, fmt.Errorf("objection to round %d: %w", in.RoundID, err)
	}
	return out.model(), nil
}

// RoundObjections lists a round's objections, oldest first, with the
// senders' names and contacts (for the organisers).
func (db *DB) RoundObjections(ctx context.Context, roundID int64) ([]models.Objection, error) {
	var rows []objectionRow
	if err := db.gorm.WithContext(ctx).Where("round_id = ?", roundID).Order("id").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	out := make([]models.Objection, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// PublishedObjections lists the objections to the given rounds, by round,
// oldest first; the caller leaves the senders out of what it shows.
func (db *DB) PublishedObjections(ctx context.Context, roundIDs []int64) (map[int64][]models.Objection, error) {
	out := map[int64][]models.Objection{}
	if len(roundIDs) == 0 {
		return out, nil
	}
	var rows []objectionRow
	if err := db.gorm.WithContext(ctx).Where("round_id IN ?", roundIDs).Order("id").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	for _, r := range rows {
		out[r.RoundID] = append(out[r.RoundID], r.model())
	}
	return out, nil
}

// AnswerObjection records (or corrects) the organisers' answer to an
// objection; the answer is public. Audited.
func (db *DB) AnswerObjection(ctx context.Context, actor models.Actor, id int64, answer string) (models.Objection, error) {
	answer = strings.TrimSpace(answer)
	if n := utf8.RuneCountInString(answer); n == 0 || n > 2000 {
		return models.Objection{}, models.Invalid("an answer is required", map[string]string{"answer": "1–2000 characters"})
	}
	var row objectionRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		before := row.Answer
		now := db.now()
		row.Answer, row.AnsweredBy, row.AnsweredAt = answer, actor.Name, &now
		if err := tx.Model(&objectionRow{}).Where("id = ?", id).
			Updates(map[string]any{"answer": answer, "answered_by": actor.Name, "answered_at": now}).Error; err != nil {
			return err
		}
		if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "objection.answer", Entity: "round", EntityID: idString(row.RoundID),
			Before: map[string]any{"objection_id": id, "answer": before}, After: map[string]any{"objection_id": id, "answer": answer}}); err != nil {
			return err
		}
		if row.UserID == nil {
			return nil // an anonymous sender reads the answer on the public page
		}
		var r roundRow
		if err := tx.Select("id", "name").Take(&r, row.RoundID).Error; err != nil {
			return err
		}
		return notifyTx(tx, now, note{users: []int64{*row.UserID}, kind: models.NoteObjectionDone, link: "/results",
			params: map[string]string{"round": r.Name, "answer": answer}})
	})
	if err != nil {
		return models.Objection{}, fmt.Errorf("answer objection %d: %w", id, err)
	}
	return row.model(), nil
}
