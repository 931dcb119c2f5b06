package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

type tieDecisionRow struct {
	ID           int64 `gorm:"primaryKey"`
	RoundID      int64
	ProjectOrder string
	Reason       string
	DecidedBy    string
	DecidedAt    time.Time
}

func (tieDecisionRow) TableName() string { return "tie_decisions" }

func (r tieDecisionRow) model() models.TieDecision {
	var order []string
	_ = json.Unmarshal([]byte(r.ProjectOrder), &order)
	return models.TieDecision{ID: r.ID, RoundID: r.RoundID, Order: order, Reason: r.Reason, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt.UTC()}
}

type advancementRow struct {
	RoundID   int64 `gorm:"primaryKey"`
	TopN      int
	Threshold *int64
	Overrides string
	Advancing string
	DecidedBy string
	DecidedAt time.Time
}

func (advancementRow) TableName() string { return "round_advancements" }

// overrideJSON is how an override is stored.
type overrideJSON struct {
	Project string `json:"project"`
	Advance bool   `json:"advance"`
	Reason  string `json:"reason"`
}

func (r advancementRow) model() models.Advancement {
	var ov []overrideJSON
	_ = json.Unmarshal([]byte(r.Overrides), &ov)
	out := models.Advancement{RoundID: r.RoundID, Top: r.TopN, Threshold: r.Threshold, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt.UTC(),
		Overrides: make([]models.AdvanceOverride, len(ov))}
	for i, o := range ov {
		out.Overrides[i] = models.AdvanceOverride(o)
	}
	_ = json.Unmarshal([]byte(r.Advancing), &out.Advancing)
	return out
}

// tieDecisions reads a round's decisions in the order they were made.
func tieDecisions(g *gorm.DB, roundID int64) ([]tieDecisionRow, error) {
	var rows []tieDecisionRow
	err := g.Where("round_id = ?", roundID).Order("id").Find(&rows).Error
	return rows, err
}

// TieDecisions lists a round's tie decisions in the order they were made.
func (db *DB) TieDecisions(ctx context.Context, roundID int64) ([]models.TieDecision, error) {
	rows, err := tieDecisions(db.gorm.WithContext(ctx), roundID)
	if err != nil {
		return nil, mapError(err)
	}
	out := make([]models.TieDecision, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// loadDecidable reads a round that is closed and not yet published: the
// only state in which ties and advancement are decided.
func loadDecidable(tx *gorm.DB, roundID int64) (roundRow, error) {
	var row roundRow
	if err := tx.Take(&row, roundID).Error; err != nil {
		return row, err
	}
	return row, row.model().CanDecide()
}

// DecideTie records the organiser's order for a group of projects the tie
// chain left tied on a closed, unpublished round. The order must name
// exactly one still-tied group, all of it (judging.Rank checks it with the
// decision added); the decision goes into the round's score sheet. A
// decided advancement is cleared, since the ranking it was based on
// changed.
func (db *DB) DecideTie(ctx context.Context, actor models.Actor, roundID int64, order []string, reason string) (models.TieDecision, error) {
	var out tieDecisionRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := loadDecidable(tx, roundID); err != nil {
			return err
		}
		if err := models.CheckReason("reason", reason); err != nil {
			return err
		}
		if len(order) < 2 {
			return models.Invalid("a decision orders a tied group", map[string]string{"order": "at least 2 projects"})
		}
		sheet, err := roundSheet(tx, roundID)
		if err != nil {
			return err
		}
		sheet.Decisions = append(sheet.Decisions, judging.Decision{Order: order, Reason: strings.TrimSpace(reason)})
		if _, err := judging.Rank(sheet); err != nil {
			var me *models.Error
			if errors.As(err, &me) && me.Kind == models.KindInvalid {
				return models.Invalid(me.Message, map[string]string{"order": me.Message})
			}
			return err
		}
		b, _ := json.Marshal(order)
		out = tieDecisionRow{RoundID: roundID, ProjectOrder: string(b), Reason: strings.TrimSpace(reason), DecidedBy: actor.Name, DecidedAt: db.now()}
		if err := tx.Create(&out).Error; err != nil {
			return err
		}
		cleared, err := clearAdvancement(tx, roundID)
		if err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.tie_decision", Entity: "round", EntityID: idString(roundID),
			After: map[string]any{"decision_id": out.ID, "order": order, "reason": out.Reason, "advancement_cleared": cleared}})
	})
	if err != nil {
		return models.TieDecision{}, fmt.Errorf("decide tie in round %d: %w", roundID, err)
	}
	return out.model(), nil
}

// DeleteTieDecision withdraws a decision on a closed, unpublished round:
// its group is tied again. A decided advancement is cleared.
func (db *DB) DeleteTieDecision(ctx context.Context, actor models.Actor, roundID, decisionID int64) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := loadDecidable(tx, roundID); err != nil {
			return err
		}
		var row tieDecisionRow
		if err := tx.Where("round_id = ? AND id = ?", roundID, decisionID).Take(&row).Error; err != nil {
			return err
		}
		if err := tx.Delete(&tieDecisionRow{}, decisionID).Error; err != nil {
			return err
		}
		cleared, err := clearAdvancement(tx, roundID)
		if err != nil {
			return err
		}
		m := row.model()
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.tie_decision_withdrawn", Entity: "round", EntityID: idString(roundID),
			Before: map[string]any{"decision_id": m.ID, "order": m.Order, "reason": m.Reason}, After: map[string]any{"advancement_cleared": cleared}})
	})
	if err != nil {
		return fmt.Errorf("withdraw decision %d of round %d: %w", decisionID, roundID, err)
	}
	return nil
}

// clearAdvancement removes a round's decided advancement; it reports
// whether there was one.
func clearAdvancement(tx *gorm.DB, roundID int64) (bool, error) {
	res := tx.Where("round_id = ?", roundID).Delete(&advancementRow{})
	return res.RowsAffected > 0, res.Error
}

// AdvancementOf returns a round's decided advancement (not found when none).
func (db *DB) AdvancementOf(ctx context.Context, roundID int64) (models.Advancement, error) {
	var row advancementRow
	if err := db.gorm.WithContext(ctx).Take(&row, roundID).Error; err != nil {
		return models.Advancement{}, fmt.Errorf("advancement of round %d: %w", roundID, mapError(err))
	}
	return row.model(), nil
}

// SetAdvancement decides who advances from a closed, unpublished round:
// judging.Advance applies the rule and the overrides (each with a reason)
// to the round's ranking with its tie decisions. When the next round exists
// as a draft, its projects become the advancing ones (its assignment is
// cleared); a next round created later starts from them. A next round that
// has already opened keeps its projects: 409.
func (db *DB) SetAdvancement(ctx context.Context, actor models.Actor, roundID int64, in models.AdvanceInput) (models.Advancement, error) {
	var out models.Advancement
	err := db.tx(ctx, func(tx *gorm.DB) error {
		row, err := loadDecidable(tx, roundID)
		if err != nil {
			return err
		}
		for i, o := range in.Overrides {
			if err := models.CheckReason(fmt.Sprintf("overrides[%d].reason", i), o.Reason); err != nil {
				return err
			}
		}
		sheet, err := roundSheet(tx, roundID)
		if err != nil {
			return err
		}
		res, err := judging.Rank(sheet)
		if err != nil {
			return err
		}
		rule := judging.AdvanceRule{Top: in.Top}
		if in.Threshold != nil {
			t := judging.Points(*in.Threshold)
			rule.Threshold = &t
		}
		stored := make([]overrideJSON, len(in.Overrides))
		for i, o := range in.Overrides {
			o.Reason = strings.TrimSpace(o.Reason)
			rule.Overrides = append(rule.Overrides, judging.Override{Project: o.Project, Advance: o.Advance, Reason: o.Reason})
			stored[i] = overrideJSON(o)
		}
		adv, err := judging.Advance(res, rule)
		if err != nil {
			var me *models.Error
			if errors.As(err, &me) && me.Kind == models.KindInvalid {
				return models.Invalid(me.Message, map[string]string{"advancement": me.Message})
			}
			return err
		}
		advancing := adv.Advancing
		if advancing == nil {
			advancing = []string{}
		}
		ovJSON, _ := json.Marshal(stored)
		advJSON, _ := json.Marshal(advancing)
		now := db.now()
		ar := advancementRow{RoundID: roundID, TopN: in.Top, Threshold: in.Threshold, Overrides: string(ovJSON), Advancing: string(advJSON),
			DecidedBy: actor.Name, DecidedAt: now}
		if _, err := clearAdvancement(tx, roundID); err != nil {
			return err
		}
		if err := tx.Create(&ar).Error; err != nil {
			return err
		}
		out = ar.model()
		out.ByRule, out.TieAtCut = adv.ByRule, adv.TieAtCut
		var next roundRow
		if err := tx.Where("edition_id = ? AND ord = ?", row.EditionID, row.Ord+1).Limit(1).Find(&next).Error; err != nil {
			return err
		}
		if next.ID != 0 {
			if next.Status != string(models.RoundDraft) {
				return models.Errorf(models.KindConflict, "the next round %q is %s: its projects are fixed", next.Name, next.Status)
			}
			ids := make([]int64, 0, len(advancing))
			for _, p := range advancing {
				var id int64
				if _, err := fmt.Sscan(p, &id); err != nil {
					return fmt.Errorf("project id %q: %w", p, err)
				}
				ids = append(ids, id)
			}
			if err := replaceRoundProjects(tx, next.ID, ids); err != nil {
				return err
			}
			out.NextRoundID = &next.ID
		}
		var threshold any
		if in.Threshold != nil {
			threshold = judging.Points(*in.Threshold).Text()
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.advance", Entity: "round", EntityID: idString(roundID),
			After: map[string]any{"top": in.Top, "threshold": threshold, "overrides": stored, "advancing": advancing,
				"tie_at_cut": adv.TieAtCut, "next_round_id": out.NextRoundID}})
	})
	if err != nil {
		return models.Advancement{}, fmt.Errorf("advancement of round %d: %w", roundID, err)
	}
	return out, nil
}

// replaceRoundProjects sets a draft round's projects and clears its
// assignment.
func replaceRoundProjects(tx *gorm.DB, roundID int64, projectIDs []int64) error {
	if err := tx.Where("round_id = ?", roundID).Delete(&roundProjectRow{}).Error; err != nil {
		return err
	}
	if err := tx.Where("round_id = ?", roundID).Delete(&assignmentRow{}).Error; err != nil {
		return err
	}
	for _, id := range projectIDs {
		if err := tx.Create(&roundProjectRow{RoundID: roundID, ProjectID: id}).Error; err != nil {
			return err
		}
	}
	return nil
}

// clearDecisions removes a round's tie decisions and advancement (when it
// reopens: scores may change, so the old decisions no longer fit). It
// reports how many decisions there were and whether an advancement was.
func clearDecisions(tx *gorm.DB, roundID int64) (int64, bool, error) {
	res := tx.Where("round_id = ?", roundID).Delete(&tieDecisionRow{})
	if res.Error != nil {
		return 0, false, res.Error
	}
	adv, err := clearAdvancement(tx, roundID)
	return res.RowsAffected, adv, err
}
