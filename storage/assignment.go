package storage

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

// Assigning a round's projects to experts, and the round's progress.

type assignmentRow struct {
	RoundID   int64 `gorm:"primaryKey"`
	ProjectID int64 `gorm:"primaryKey"`
	ExpertID  int64 `gorm:"primaryKey"`
	Position  int
}

func (assignmentRow) TableName() string { return "assignments" }

func enabledExperts(tx *gorm.DB) ([]userRow, error) {
	var experts []userRow
	err := tx.Where("disabled = ? AND (',' || roles || ',') LIKE ?", false, "%,expert,%").Order("id").Find(&experts).Error
	return experts, err
}

// AssignRound (re)runs the balanced assignment for a round that has no
// scores yet: every project gets exactly k non-conflicted experts with
// loads as even as the conflicts allow, or nothing is written and the
// report says which projects lack experts.
func (db *DB) AssignRound(ctx context.Context, actor models.Actor, roundID int64, seed uint64) (judging.Assignment, error) {
	var result judging.Assignment
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row roundRow
		if err := tx.Take(&row, roundID).Error; err != nil {
			return err
		}
		r := row.model()
		if r.Status != models.RoundDraft && r.Status != models.RoundOpen {
			return models.Errorf(models.KindConflict, "round %q is %s: assignments are fixed", r.Name, r.Status)
		}
		var scored int64
		if err := tx.Model(&scoreRow{}).Where("round_id = ?", roundID).Count(&scored).Error; err != nil {
			return err
		}
		if scored > 0 {
			return models.Errorf(models.KindConflict, "experts have started scoring round %q: move single projects instead of reassigning", r.Name)
		}
		var projects []projectRow
		if err := tx.Where("id IN (?)", tx.Model(&roundProjectRow{}).Select("project_id").Where("round_id = ?", roundID)).Order("id").Find(&projects).Error; err != nil {
			return err
		}
		experts, panel, err := panelOf(tx, roundID)
		if err != nil {
			return err
		}
		if len(experts) == 0 {
			return models.Errorf(models.KindConflict, "round %q has no enabled experts to assign", r.Name)
		}
		conflicts, err := conflictsOf(tx, experts)
		if err != nil {
			return err
		}
		in := judging.AssignInput{K: r.ReviewersPerProject, Seed: seed}
		for _, p := range projects {
			in.Projects = append(in.Projects, judging.AssignProject{ID: p.ID, Unit: p.UnitID})
		}
		for _, e := range experts {
			in.Experts = append(in.Experts, judging.AssignExpert{ID: e.ID, Conflicted: conflicts[e.ID].Has})
		}
		result, err = judging.Assign(in)
		if err != nil {
			return err
		}
		if err := tx.Where("round_id = ?", roundID).Delete(&assignmentRow{}).Error; err != nil {
			return err
		}
		for _, q := range result.Experts {
			for pos, pid := range q.Projects {
				if err := tx.Create(&assignmentRow{RoundID: roundID, ProjectID: pid, ExpertID: q.Expert, Position: pos + 1}).Error; err != nil {
					return err
				}
			}
		}
		if err := tx.Model(&row).Update("assignment_seed", int64(seed)).Error; err != nil {
			return err
		}
		if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.assign", Entity: "round", EntityID: idString(roundID),
			After: map[string]any{"seed": strconv.FormatUint(seed, 10), "projects": len(projects), "experts": len(experts), "panel_chosen": panel,
				"min_load": result.MinLoad, "max_load": result.MaxLoad, "balanced": result.Balanced}}); err != nil {
			return err
		}
		now := db.now()
		for _, q := range result.Experts {
			if len(q.Projects) == 0 {
				continue
			}
			if err := notifyTx(tx, now, note{users: []int64{q.Expert}, kind: models.NoteAssigned, link: "/review",
				params: map[string]string{"round": r.Name, "count": strconv.Itoa(len(q.Projects)), "closes": r.ClosesAt.UTC().Format(time.RFC3339)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return judging.Assignment{}, fmt.Errorf("assign round %d: %w", roundID, err)
	}
	return result, nil
}

// RoundProgress reports per expert how many projects are assigned,
// submitted and in draft.
func (db *DB) RoundProgress(ctx context.Context, roundID int64) ([]models.ExpertProgress, error) {
	g := db.gorm.WithContext(ctx)
	type agg struct {
		ExpertID int64
		N        int
	}
	var assigned, submitted, drafts []agg
	if err := g.Model(&assignmentRow{}).Select("expert_id, COUNT(*) AS n").Where("round_id = ?", roundID).Group("expert_id").Scan(&assigned).Error; err != nil {
		return nil, mapError(err)
	}
	if err := g.Model(&scoreRow{}).Select("expert_id, COUNT(*) AS n").Where("round_id = ? AND status = ?", roundID, string(models.ScoreSubmitted)).Group("expert_id").Scan(&submitted).Error; err != nil {
		return nil, mapError(err)
	}
	if err := g.Model(&scoreRow{}).Select("expert_id, COUNT(*) AS n").Where("round_id = ? AND status = ?", roundID, string(models.ScoreDraft)).Group("expert_id").Scan(&drafts).Error; err != nil {
		return nil, mapError(err)
	}
	byID := map[int64]*models.ExpertProgress{}
	var order []int64
	for _, a := range assigned {
		byID[a.ExpertID] = &models.ExpertProgress{ExpertID: a.ExpertID, Assigned: a.N}
		order = append(order, a.ExpertID)
	}
	for _, s := range submitted {
		if p := byID[s.ExpertID]; p != nil {
			p.Submitted = s.N
		}
	}
	for _, d := range drafts {
		if p := byID[d.ExpertID]; p != nil {
			p.Drafts = d.N
		}
	}
	sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
	out := make([]models.ExpertProgress, 0, len(order))
	for _, id := range order {
		var u userRow
		if err := g.Take(&u, id).Error; err == nil {
			byID[id].Username, byID[id].DisplayName = u.Username, u.DisplayName
		}
		out = append(out, *byID[id])
	}
	return out, nil
}
