package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"leitai/models"
)

// ProposePlan records the unit's implementation plan as a new version.
// While a version waits for the organiser, proposing again replaces it; once
// a version is approved, a change is a new version with a reason and the
// approved one stays in force until the change is approved.
func (s *FollowService) ProposePlan(ctx context.Context, who models.Caller, awardID int64, in models.PlanInput) (models.AwardDetail, error) {
	now := s.now().UTC()
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, awardID)
		if err != nil {
			return err
		}
		if err := activeForWork(a); err != nil {
			return err
		}
		if err := in.Validate(); err != nil {
			return err
		}
		_, hasApproved, err := approvedPlan(tx, awardID)
		if err != nil {
			return err
		}
		if hasApproved && in.Reason == "" {
			return models.Invalid("an approved plan is in force: say why it changes", map[string]string{"reason": "required for a change to an approved plan"})
		}
		body, err := json.Marshal(in.Milestones)
		if err != nil {
			return err
		}
		var latest planRow
		err = tx.Where("award_id = ?", awardID).Order("version DESC").Take(&latest).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			latest = planRow{}
		case err != nil:
			return err
		}
		row := planRow{AwardID: awardID, Version: latest.Version + 1, Status: string(models.PlanProposed), Milestones: string(body),
			Reason: in.Reason, ProposedBy: who.Actor.Name, ProposedAt: now, ContactName: in.ContactName, ContactEmail: in.ContactEmail}
		if latest.Version > 0 && models.PlanStatus(latest.Status) == models.PlanProposed {
			row.Version = latest.Version // still waiting: the unit revises it in place
		}
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, "plan.propose", awardID, nil, map[string]any{"version": row.Version,
			"milestones": len(in.Milestones), "reason": in.Reason}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("propose plan: %w", mapError(err))
	}
	return out, nil
}

// DecidePlan approves a proposed plan version (it comes into force, the
// earlier approved one is kept as superseded and the tranches are split
// anew) or returns it with the organiser's comment.
func (s *FollowService) DecidePlan(ctx context.Context, who models.Caller, awardID int64, version int, approve bool, comment string) (models.AwardDetail, error) {
	now := s.now().UTC()
	comment = strings.TrimSpace(comment)
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, awardID)
		if err != nil {
			return err
		}
		if err := activeForWork(a); err != nil {
			return err
		}
		if !approve && comment == "" {
			return models.Invalid("say what must change", map[string]string{"comment": "required when a plan is sent back"})
		}
		if utf8.RuneCountInString(comment) > 4000 {
			return models.Invalid("the comment is too long", map[string]string{"comment": "at most 4,000 characters"})
		}
		var row planRow
		if err := tx.Where("award_id = ? AND version = ?", awardID, version).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "the plan has no version %d", version)
			}
			return err
		}
		if models.PlanStatus(row.Status) != models.PlanProposed {
			return models.Errorf(models.KindConflict, "plan version %d is %s, not waiting for a decision", version, row.Status)
		}
		row.DecidedBy, row.DecidedAt, row.Comment = who.Actor.Name, &now, comment
		action := "plan.return"
		if approve {
			action = "plan.approve"
			plan, err := row.model()
			if err != nil {
				return err
			}
			if err := s.checkPlanAgainstMoney(tx, awardID, plan.Milestones); err != nil {
				return err
			}
			if err := tx.Model(&planRow{}).Where("award_id = ? AND status = ?", awardID, string(models.PlanApproved)).
				Update("status", string(models.PlanSuperseded)).Error; err != nil {
				return err
			}
			row.Status = string(models.PlanApproved)
		} else {
			row.Status = string(models.PlanReturned)
		}
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		if approve {
			if err := s.resplit(tx, a); err != nil {
				return err
			}
		}
		if err := s.audit(tx, who, action, awardID, nil, map[string]any{"version": version, "comment": comment}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("decide plan: %w", mapError(err))
	}
	s.notify(awardID)
	return out, nil
}

// checkPlanAgainstMoney refuses a new plan that would drop or shrink a
// milestone whose tranche is already approved, paid or withheld: money
// decisions stand.
func (s *FollowService) checkPlanAgainstMoney(tx *gorm.DB, awardID int64, ms []models.Milestone) error {
	var fixed []trancheRow
	if err := tx.Where("award_id = ? AND state <> ?", awardID, "pending").Find(&fixed).Error; err != nil {
		return err
	}
	for _, t := range fixed {
		if t.Seq > len(ms) {
			return models.Errorf(models.KindConflict, "milestone %d's tranche is %s: the new plan cannot drop it", t.Seq, t.State)
		}
	}
	return nil
}

// resplit brings the tranches in line with the approved plan and the
// funding: a pending tranche takes its share of what is not yet fixed
// (approved, paid or withheld), so the tranches always sum to the funding.
func (s *FollowService) resplit(tx *gorm.DB, a awardRow) error {
	plan, ok, err := approvedPlan(tx, a.ID)
	if err != nil || !ok {
		return err
	}
	var existing []trancheRow
	if err := tx.Where("award_id = ?", a.ID).Find(&existing).Error; err != nil {
		return err
	}
	bySeq := map[int]trancheRow{}
	fixed := int64(0)
	for _, t := range existing {
		bySeq[t.Seq] = t
		if t.State != string(models.TranchePending) {
			fixed += t.AmountFen
		}
	}
	var open []models.Milestone
	shares := []int{}
	sum := 0
	for _, m := range plan.Milestones {
		if t, ok := bySeq[m.Seq]; ok && t.State != string(models.TranchePending) {
			continue
		}
		open = append(open, m)
		shares = append(shares, m.Share)
		sum += m.Share
	}
	// The open milestones share what is left in proportion to their shares.
	left := a.FundingFen - fixed
	if left < 0 {
		left = 0
	}
	amounts := make([]int64, len(open))
	if sum > 0 {
		var given int64
		for i, sh := range shares {
			amounts[i] = left * int64(sh) / int64(sum)
			given += amounts[i]
		}
		amounts[len(amounts)-1] += left - given
	}
	for i, m := range open {
		t := bySeq[m.Seq]
		t.AwardID, t.Seq, t.AmountFen, t.State = a.ID, m.Seq, amounts[i], string(models.TranchePending)
		if err := tx.Save(&t).Error; err != nil {
			return err
		}
	}
	// Pending tranches of milestones the plan no longer has go.
	return tx.Where("award_id = ? AND seq > ? AND state = ?", a.ID, len(plan.Milestones), "pending").Delete(&trancheRow{}).Error
}
