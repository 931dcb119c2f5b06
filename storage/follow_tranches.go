package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"leitai/models"
)

// MoveTranche approves a payable tranche, records an approved one paid, or
// withholds one. Approval needs the gate passed (409 naming what is
// missing); payment needs another person than the approver (four eyes).
func (s *FollowService) MoveTranche(ctx context.Context, who models.Caller, awardID int64, seq int, action models.TrancheAction, in models.TrancheInput) (models.AwardDetail, error) {
	now := s.now().UTC()
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, awardID)
		if err != nil {
			return err
		}
		d, err := loadFollowData(tx, []awardRow{a}, false)
		if err != nil {
			return err
		}
		view := d.view(a, now, s.loc)
		var mv *models.MilestoneView
		for i := range view.Milestones {
			if view.Milestones[i].Seq == seq {
				mv = &view.Milestones[i]
			}
		}
		if mv == nil {
			return models.Errorf(models.KindNotFound, "the plan has no milestone %d", seq)
		}
		if _, ok := approvedOf(d.plans[awardID]); !ok {
			return models.Errorf(models.KindConflict, "the award has no approved implementation plan yet")
		}
		var row trancheRow
		if err := tx.Where("award_id = ? AND seq = ?", awardID, seq).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "milestone %d has no tranche", seq)
			}
			return err
		}
		before := map[string]any{"state": row.State}
		after := map[string]any{"seq": seq, "amount_fen": row.AmountFen}
		switch action {
		case models.TrancheApprove:
			if row.State != string(models.TranchePending) {
				return models.Errorf(models.KindConflict, "tranche %d is %s, not waiting for approval", seq, row.State)
			}
			if missing := mv.Tranche.GateMissing; len(missing) > 0 {
				words := make([]string, len(missing))
				for i, m := range missing {
					words[i] = gateWords[m]
				}
				return &models.Error{Kind: models.KindConflict, Message: "tranche " + fmt.Sprint(seq) + " is not payable yet: " + strings.Join(words, "; "),
					Fields: map[string]string{"gate": strings.Join(missing, ",")}}
			}
			row.State, row.ApprovedByID, row.ApprovedBy, row.ApprovedAt = string(models.TrancheApproved), who.Actor.UserID, who.Actor.Name, &now
		case models.TranchePay:
			if row.State != string(models.TrancheApproved) {
				return models.Errorf(models.KindConflict, "tranche %d is %s: only an approved tranche is paid", seq, row.State)
			}
			if models.AwardStatus(a.Status) == models.AwardSuspended {
				return models.Errorf(models.KindConflict, "the project is suspended: no tranche is paid until it resumes")
			}
			if row.ApprovedByID != nil && who.Actor.UserID != nil && *row.ApprovedByID == *who.Actor.UserID {
				return models.Errorf(models.KindConflict, "four eyes: %s approved this tranche, so another person records it paid", row.ApprovedBy)
			}
			fields := map[string]string{}
			in.Reference = strings.TrimSpace(in.Reference)
			if in.Reference == "" {
				fields["reference"] = "the payment reference is required"
			} else if utf8.RuneCountInString(in.Reference) > 200 {
				fields["reference"] = "at most 200 characters"
			}
			if _, err := models.ParseDate(in.PaidOn); err != nil {
				fields["paid_on"] = "a date (YYYY-MM-DD) is required"
			}
			if len(fields) > 0 {
				return models.Invalid("the payment has problems", fields)
			}
			row.State, row.PaidByID, row.PaidBy, row.PaidAt = string(models.TranchePaid), who.Actor.UserID, who.Actor.Name, &now
			row.PaidOn, row.Reference = in.PaidOn, in.Reference
			after["reference"], after["paid_on"] = in.Reference, in.PaidOn
		case models.TrancheWithhold:
			if row.State == string(models.TranchePaid) || row.State == string(models.TrancheWithheld) {
				return models.Errorf(models.KindConflict, "tranche %d is %s", seq, row.State)
			}
			in.Reason = strings.TrimSpace(in.Reason)
			if in.Reason == "" || utf8.RuneCountInString(in.Reason) > 2000 {
				return models.Invalid("say why the tranche is withheld", map[string]string{"reason": "required, at most 2,000 characters"})
			}
			row.State, row.Reason = string(models.TrancheWithheld), in.Reason
			after["reason"] = in.Reason
		default:
			return models.Invalid("unknown action", map[string]string{"action": "approve, pay or withhold"})
		}
		after["state"] = row.State
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, "tranche."+string(action), awardID, before, after); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("tranche %d: %w", seq, mapError(err))
	}
	s.notify(awardID)
	return out, nil
}
