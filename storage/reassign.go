package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// Moving a single project from one expert to another once scoring has
// started, without disturbing the rest of the assignment.

// RoundAssignments lists a round's projects (by id) with their assigned
// experts and each one's score status.
func (db *DB) RoundAssignments(ctx context.Context, roundID int64) ([]models.AssignedProject, error) {
	var out []models.AssignedProject
	err := db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&roundRow{}, roundID).Error; err != nil {
			return err
		}
		var projects []projectRow
		if err := tx.Select("id", "title", "unit_id").Where("id IN (?)", tx.Model(&roundProjectRow{}).Select("project_id").Where("round_id = ?", roundID)).
			Order("id").Find(&projects).Error; err != nil {
			return err
		}
		var as []assignmentRow
		if err := tx.Where("round_id = ?", roundID).Order("project_id, expert_id").Find(&as).Error; err != nil {
			return err
		}
		var scores []scoreRow
		if err := tx.Select("project_id", "expert_id", "status").Where("round_id = ?", roundID).Find(&scores).Error; err != nil {
			return err
		}
		status := map[[2]int64]models.ScoreStatus{}
		for _, s := range scores {
			status[[2]int64{s.ProjectID, s.ExpertID}] = models.ScoreStatus(s.Status)
		}
		var users []userRow
		if err := tx.Select("id", "username", "display_name").Where("id IN (?)", tx.Model(&assignmentRow{}).Select("expert_id").Where("round_id = ?", roundID)).Find(&users).Error; err != nil {
			return err
		}
		names := map[int64]string{}
		for _, u := range users {
			names[u.ID] = expertName(u)
		}
		units, err := listUnits(tx)
		if err != nil {
			return err
		}
		tree := models.NewUnitTree(units)
		byProject := map[int64][]models.AssignedExpert{}
		for _, a := range as {
			byProject[a.ProjectID] = append(byProject[a.ProjectID], models.AssignedExpert{ExpertID: a.ExpertID, Name: names[a.ExpertID], Score: status[[2]int64{a.ProjectID, a.ExpertID}]})
		}
		out = make([]models.AssignedProject, 0, len(projects))
		for _, p := range projects {
			u, _ := tree.Unit(p.UnitID)
			experts := byProject[p.ID]
			if experts == nil {
				experts = []models.AssignedExpert{}
			}
			out = append(out, models.AssignedProject{ProjectID: p.ID, Title: p.Title, UnitID: p.UnitID, UnitName: u.Name, Experts: experts})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assignments of round %d: %w", roundID, mapError(err))
	}
	return out, nil
}

// ReassignProject moves one project of a draft or open round from one
// expert to another, with a required reason. It refuses (409) when the
// source is not assigned it or has submitted its score (the submitted
// score counts and stays), when the target already has it, is not an
// enabled expert of the round's panel, or is in conflict with the
// project's unit (the conflict named). The source's unsubmitted draft is
// dropped (drafts never count). Every other assignment stays as it is;
// the loads before and after are reported with a warning when the
// balance rule (spread ≤ 1) no longer holds. Audited as round.reassign;
// the new expert is notified (round.assigned).
func (db *DB) ReassignProject(ctx context.Context, actor models.Actor, roundID, projectID, fromExpert, toExpert int64, reason string) (models.Reassignment, error) {
	why, err := needReason(reason)
	if err != nil {
		return models.Reassignment{}, err
	}
	if fromExpert == toExpert {
		return models.Reassignment{}, models.Invalid("the project would stay with the same expert", map[string]string{"to_expert_id": "choose another expert than the one it moves from"})
	}
	res := models.Reassignment{RoundID: roundID, ProjectID: projectID, From: fromExpert, To: toExpert}
	err = db.tx(ctx, func(tx *gorm.DB) error {
		var row roundRow
		if err := tx.Take(&row, roundID).Error; err != nil {
			return err
		}
		r := row.model()
		if r.Status != models.RoundDraft && r.Status != models.RoundOpen {
			return models.Errorf(models.KindConflict, "round %q is %s: its assignments are fixed", r.Name, r.Status)
		}
		var p projectRow
		if err := tx.Select("id", "title", "unit_id").Where("id IN (?)", tx.Model(&roundProjectRow{}).Select("project_id").Where("round_id = ?", roundID)).
			Limit(1).Find(&p, projectID).Error; err != nil {
			return err
		}
		if p.ID == 0 {
			return models.Errorf(models.KindNotFound, "project %d is not in round %q", projectID, r.Name)
		}
		from, err := expertRow(tx, fromExpert)
		if err != nil {
			return models.Invalid("no such expert to move from", map[string]string{"from_expert_id": "no such expert"})
		}
		to, err := expertRow(tx, toExpert)
		if err != nil {
			return models.Invalid("no such expert to move to", map[string]string{"to_expert_id": "no such expert"})
		}
		has := func(expert int64) (bool, error) {
			var n int64
			err := tx.Model(&assignmentRow{}).Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, expert).Count(&n).Error
			return n > 0, err
		}
		if ok, err := has(fromExpert); err != nil {
			return err
		} else if !ok {
			return models.Errorf(models.KindConflict, "%s is not assigned 「%s」 in round %q: nothing to move", expertName(from), p.Title, r.Name)
		}
		if ok, err := has(toExpert); err != nil {
			return err
		} else if ok {
			return models.Errorf(models.KindConflict, "%s already reviews 「%s」 in round %q: choose another expert", expertName(to), p.Title, r.Name)
		}
		if to.Disabled {
			return models.Errorf(models.KindConflict, "%s is disabled: enable the account or choose another expert", expertName(to))
		}
		panel, chosen, err := panelOf(tx, roundID)
		if err != nil {
			return err
		}
		inPanel := false
		for _, e := range panel {
			inPanel = inPanel || e.ID == toExpert
		}
		if chosen && !inPanel {
			return models.Errorf(models.KindConflict, "%s is not on round %q's panel: add them to the panel first", expertName(to), r.Name)
		}
		named, err := conflictNamed(tx, to, p.UnitID)
		if err != nil {
			return err
		}
		if named != "" {
			return models.Errorf(models.KindConflict, "%s may not review 「%s」: %s", expertName(to), p.Title, named)
		}
		var sc scoreRow
		if err := tx.Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, fromExpert).Limit(1).Find(&sc).Error; err != nil {
			return err
		}
		if sc.RoundID != 0 && sc.Status == string(models.ScoreSubmitted) {
			return models.Errorf(models.KindConflict, "%s has already submitted a score for 「%s」, and a submitted score counts: it cannot be moved. Leave this project with them, or move one they have not submitted", expertName(from), p.Title)
		}
		loads, err := roundLoads(tx, roundID)
		if err != nil {
			return err
		}
		if sc.RoundID != 0 {
			if err := tx.Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, fromExpert).Delete(&scoreRow{}).Error; err != nil {
				return err
			}
			res.DiscardedDraft = true
		}
		if err := tx.Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, fromExpert).Delete(&assignmentRow{}).Error; err != nil {
			return err
		}
		var last struct{ N int }
		if err := tx.Model(&assignmentRow{}).Select("COALESCE(MAX(position), 0) AS n").Where("round_id = ? AND expert_id = ?", roundID, toExpert).Scan(&last).Error; err != nil {
			return err
		}
		if err := tx.Create(&assignmentRow{RoundID: roundID, ProjectID: projectID, ExpertID: toExpert, Position: last.N + 1}).Error; err != nil {
			return err
		}
		// The loads: every expert with an assignment or on the panel.
		if _, ok := loads[toExpert]; !ok {
			loads[toExpert] = 0
		}
		for _, e := range panel {
			if _, ok := loads[e.ID]; !ok {
				loads[e.ID] = 0
			}
		}
		ids := make([]int64, 0, len(loads))
		for id := range loads {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		var users []userRow
		if err := tx.Select("id", "username", "display_name").Where("id IN ?", ids).Find(&users).Error; err != nil {
			return err
		}
		names := map[int64]string{}
		for _, u := range users {
			names[u.ID] = expertName(u)
		}
		for _, id := range ids {
			after := loads[id]
			switch id {
			case fromExpert:
				after--
			case toExpert:
				after++
			}
			res.Loads = append(res.Loads, models.ExpertLoad{ExpertID: id, Name: names[id], Before: loads[id], After: after})
		}
		res.SpreadBefore, res.SpreadAfter = spread(res.Loads, false), spread(res.Loads, true)
		res.Balanced = res.SpreadAfter <= models.BalanceSpread
		if !res.Balanced {
			res.Warning = fmt.Sprintf("the loads now differ by %d projects (the balance rule is at most %d; before the move %d): %s now has %d; move another project to even them out if you can",
				res.SpreadAfter, models.BalanceSpread, res.SpreadBefore, expertName(to), loads[toExpert]+1)
		}
		if err := db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.reassign", Entity: "round", EntityID: idString(roundID),
			Before: map[string]any{"project_id": projectID, "expert_id": fromExpert, "expert": expertName(from), "load_spread": res.SpreadBefore, "draft": sc.RoundID != 0},
			After: map[string]any{"project_id": projectID, "expert_id": toExpert, "expert": expertName(to), "load_spread": res.SpreadAfter,
				"balanced": res.Balanced, "reason": why, "discarded_draft": res.DiscardedDraft}}); err != nil {
			return err
		}
		return notifyTx(tx, db.now(), note{users: []int64{toExpert}, kind: models.NoteAssigned, link: "/review",
			params: map[string]string{"round": r.Name, "count": "1", "closes": r.ClosesAt.UTC().Format(time.RFC3339)}})
	})
	if err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			err = mapError(err)
		}
		return models.Reassignment{}, fmt.Errorf("reassign project %d in round %d: %w", projectID, roundID, err)
	}
	return res, nil
}

// roundLoads counts each assigned expert's projects in a round.
func roundLoads(tx *gorm.DB, roundID int64) (map[int64]int, error) {
	var rows []struct {
		ExpertID int64
		N        int
	}
	if err := tx.Model(&assignmentRow{}).Select("expert_id, COUNT(*) AS n").Where("round_id = ?", roundID).Group("expert_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := map[int64]int{}
	for _, r := range rows {
		out[r.ExpertID] = r.N
	}
	return out, nil
}

func spread(loads []models.ExpertLoad, after bool) int {
	if len(loads) == 0 {
		return 0
	}
	lo, hi := -1, 0
	for _, l := range loads {
		v := l.Before
		if after {
			v = l.After
		}
		if lo < 0 || v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return hi - lo
}
