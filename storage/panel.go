package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"leitai/models"
)

type roundExpertRow struct {
	RoundID  int64 `gorm:"primaryKey"`
	ExpertID int64 `gorm:"primaryKey"`
}

func (roundExpertRow) TableName() string { return "round_experts" }

type reminderRow struct {
	ID        int64 `gorm:"primaryKey"`
	RoundID   int64
	ExpertID  int64
	Message   string
	Remaining int
	SentBy    string
	CreatedAt time.Time
}

func (reminderRow) TableName() string { return "reminders" }

func (r reminderRow) model() models.Reminder {
	return models.Reminder{ID: r.ID, RoundID: r.RoundID, ExpertID: r.ExpertID, Message: r.Message, Remaining: r.Remaining,
		SentBy: r.SentBy, CreatedAt: r.CreatedAt.UTC()}
}

// panelOf returns the experts a round's assignment draws on: its chosen
// panel's enabled experts, or every enabled expert when none are chosen
// (chosen reports which).
func panelOf(tx *gorm.DB, roundID int64) ([]userRow, bool, error) {
	experts, err := enabledExperts(tx)
	if err != nil {
		return nil, false, err
	}
	var ids []int64
	if err := tx.Model(&roundExpertRow{}).Where("round_id = ?", roundID).Pluck("expert_id", &ids).Error; err != nil {
		return nil, false, err
	}
	if len(ids) == 0 {
		return experts, false, nil
	}
	out := experts[:0:0]
	for _, e := range experts {
		if slices.Contains(ids, e.ID) {
			out = append(out, e)
		}
	}
	return out, true, nil
}

// RoundExperts returns the ids of a round's chosen panel, sorted; empty
// when none are chosen (the assignment then draws on every enabled expert).
func (db *DB) RoundExperts(ctx context.Context, roundID int64) ([]int64, error) {
	g := db.gorm.WithContext(ctx)
	if err := g.Take(&roundRow{}, roundID).Error; err != nil {
		return nil, fmt.Errorf("round %d: %w", roundID, mapError(err))
	}
	ids := []int64{}
	if err := g.Model(&roundExpertRow{}).Where("round_id = ?", roundID).Order("expert_id").Pluck("expert_id", &ids).Error; err != nil {
		return nil, mapError(err)
	}
	return ids, nil
}

// SetRoundExperts chooses a round's panel (an empty list: every enabled
// expert) while the round is a draft or open; the next assignment uses it,
// the current one stays until then. Every id must be an enabled expert.
func (db *DB) SetRoundExperts(ctx context.Context, actor models.Actor, roundID int64, expertIDs []int64) ([]int64, error) {
	ids := slices.Clone(expertIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if ids == nil {
		ids = []int64{}
	}
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row roundRow
		if err := tx.Take(&row, roundID).Error; err != nil {
			return err
		}
		if s := models.RoundStatus(row.Status); s != models.RoundDraft && s != models.RoundOpen {
			return models.Errorf(models.KindConflict, "round %q is %s: its panel is fixed", row.Name, s)
		}
		experts, err := enabledExperts(tx)
		if err != nil {
			return err
		}
		var unknown []string
		for _, id := range ids {
			if !slices.ContainsFunc(experts, func(e userRow) bool { return e.ID == id }) {
				unknown = append(unknown, idString(id))
			}
		}
		if len(unknown) > 0 {
			return models.Invalid("not enabled experts", map[string]string{"expert_ids": "not enabled experts: " + strings.Join(unknown, ", ")})
		}
		var before []int64
		if err := tx.Model(&roundExpertRow{}).Where("round_id = ?", roundID).Order("expert_id").Pluck("expert_id", &before).Error; err != nil {
			return err
		}
		if err := tx.Where("round_id = ?", roundID).Delete(&roundExpertRow{}).Error; err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.Create(&roundExpertRow{RoundID: roundID, ExpertID: id}).Error; err != nil {
				return err
			}
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.panel", Entity: "round", EntityID: idString(roundID),
			Before: map[string]any{"expert_ids": before}, After: map[string]any{"expert_ids": ids}})
	})
	if err != nil {
		return nil, fmt.Errorf("panel of round %d: %w", roundID, err)
	}
	return ids, nil
}

// RemindExperts sends a reminder to every expert with projects not yet
// submitted in an open round (recorded per expert, shown on their home,
// audited). It returns the reminders sent: none when everyone is done.
func (db *DB) RemindExperts(ctx context.Context, actor models.Actor, roundID int64, message string) ([]models.Reminder, error) {
	message = strings.TrimSpace(message)
	if utf8.RuneCountInString(message) > 200 {
		return nil, models.Invalid("the message is too long", map[string]string{"message": "at most 200 characters"})
	}
	var out []models.Reminder
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row roundRow
		if err := tx.Take(&row, roundID).Error; err != nil {
			return err
		}
		if row.Status != string(models.RoundOpen) {
			return models.Errorf(models.KindConflict, "round %q is %s: reminders are for open rounds", row.Name, row.Status)
		}
		type agg struct {
			ExpertID  int64
			Assigned  int
			Submitted int
		}
		var rows []agg
		if err := tx.Raw(`SELECT a.expert_id AS expert_id, COUNT(*) AS assigned,
				SUM(CASE WHEN s.status = ? THEN 1 ELSE 0 END) AS submitted
			FROM assignments a LEFT JOIN scores s
				ON s.round_id = a.round_id AND s.project_id = a.project_id AND s.expert_id = a.expert_id
			WHERE a.round_id = ? GROUP BY a.expert_id ORDER BY a.expert_id`, string(models.ScoreSubmitted), roundID).Scan(&rows).Error; err != nil {
			return err
		}
		now := db.now()
		var ids []int64
		for _, a := range rows {
			if a.Submitted >= a.Assigned {
				continue
			}
			r := reminderRow{RoundID: roundID, ExpertID: a.ExpertID, Message: message, Remaining: a.Assigned - a.Submitted, SentBy: actor.Name, CreatedAt: now}
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
			out = append(out, r.model())
			ids = append(ids, a.ExpertID)
		}
		if len(ids) == 0 {
			return nil
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.remind", Entity: "round", EntityID: idString(roundID),
			After: map[string]any{"expert_ids": ids, "message": message}})
	})
	if err != nil {
		return nil, fmt.Errorf("remind experts of round %d: %w", roundID, err)
	}
	if err := db.nameReminders(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// RoundReminders lists the reminders sent in a round, newest first.
func (db *DB) RoundReminders(ctx context.Context, roundID int64) ([]models.Reminder, error) {
	var rows []reminderRow
	if err := db.gorm.WithContext(ctx).Where("round_id = ?", roundID).Order("id DESC").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	out := make([]models.Reminder, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	if err := db.nameReminders(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (db *DB) nameReminders(ctx context.Context, list []models.Reminder) error {
	var ids []int64
	for _, r := range list {
		ids = append(ids, r.ExpertID)
	}
	if len(ids) == 0 {
		return nil
	}
	var users []userRow
	if err := db.gorm.WithContext(ctx).Where("id IN ?", ids).Find(&users).Error; err != nil {
		return mapError(err)
	}
	for i := range list {
		for _, u := range users {
			if u.ID == list[i].ExpertID {
				list[i].Username, list[i].DisplayName = u.Username, u.DisplayName
			}
		}
	}
	return nil
}

// LatestReminders returns, per round, the newest reminder sent to the
// expert.
func (db *DB) LatestReminders(ctx context.Context, expertID int64) (map[int64]models.Reminder, error) {
	var rows []reminderRow
	if err := db.gorm.WithContext(ctx).Where("expert_id = ?", expertID).Order("id").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	out := map[int64]models.Reminder{}
	for _, r := range rows {
		out[r.RoundID] = r.model()
	}
	return out, nil
}
