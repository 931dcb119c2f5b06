package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"leitai/models"
)

// MediaPurposeFollow marks media uploaded as evidence of progress: they
// never mix with the application's materials.
const MediaPurposeFollow = "follow"

// SaveReport saves the unit's draft report on a milestone of the approved
// plan. A submitted report waits for the organiser; an accepted one is
// frozen; after "changes requested" the unit edits and resubmits.
func (s *FollowService) SaveReport(ctx context.Context, who models.Caller, awardID int64, seq int, in models.ReportInput) (models.AwardDetail, error) {
	now := s.now().UTC()
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, awardID)
		if err != nil {
			return err
		}
		if !who.User.HasRole(models.RoleUnit) || who.User.UnitID == nil || *who.User.UnitID != a.UnitID {
			return models.Errorf(models.KindForbidden, "only the project's unit files its reports")
		}
		if err := activeForWork(a); err != nil {
			return err
		}
		m, err := milestoneOf(tx, awardID, seq)
		if err != nil {
			return err
		}
		if !m.Gate.NeedsReport() {
			return models.Errorf(models.KindConflict, "milestone %d is released on signing and takes no report", seq)
		}
		if in.KPIActuals == nil {
			in.KPIActuals = map[string]string{}
		}
		if err := in.Validate(m); err != nil {
			return err
		}
		if len(in.MediaIDs) > 0 {
			var n int64
			if err := tx.Model(&mediaRow{}).Where("id IN ? AND project_id = ? AND purpose = ?", in.MediaIDs, a.ProjectID, MediaPurposeFollow).
				Count(&n).Error; err != nil {
				return err
			}
			if int(n) != len(in.MediaIDs) {
				return models.Invalid("a file is not evidence uploaded for this project", map[string]string{"media_ids": "only files uploaded as evidence for this project"})
			}
		}
		var row reportRow
		err = tx.Where("award_id = ? AND seq = ?", awardID, seq).Take(&row).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			row = reportRow{AwardID: awardID, Seq: seq, Status: string(models.ReportDraft)}
		case err != nil:
			return err
		}
		switch models.ReportStatus(row.Status) {
		case models.ReportAccepted:
			return models.Errorf(models.KindConflict, "the report was accepted and is frozen")
		case models.ReportSubmitted:
			return models.Errorf(models.KindConflict, "the report is submitted and waits for the organiser")
		}
		kpis, _ := json.Marshal(in.KPIActuals)
		media, _ := json.Marshal(in.MediaIDs)
		row.Text, row.KPIActuals, row.MediaIDs, row.UpdatedAt = in.Text, string(kpis), string(media), now
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("save report: %w", mapError(err))
	}
	return out, nil
}

// SubmitReport sends the unit's report to the organiser.
func (s *FollowService) SubmitReport(ctx context.Context, who models.Caller, awardID int64, seq int) (models.AwardDetail, error) {
	now := s.now().UTC()
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, awardID)
		if err != nil {
			return err
		}
		if !who.User.HasRole(models.RoleUnit) || who.User.UnitID == nil || *who.User.UnitID != a.UnitID {
			return models.Errorf(models.KindForbidden, "only the project's unit submits its reports")
		}
		if err := activeForWork(a); err != nil {
			return err
		}
		m, err := milestoneOf(tx, awardID, seq)
		if err != nil {
			return err
		}
		var row reportRow
		if err := tx.Where("award_id = ? AND seq = ?", awardID, seq).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindConflict, "save the report before submitting it")
			}
			return err
		}
		switch models.ReportStatus(row.Status) {
		case models.ReportAccepted:
			return models.Errorf(models.KindConflict, "the report was accepted and is frozen")
		case models.ReportSubmitted:
			return models.Errorf(models.KindConflict, "the report is already submitted")
		}
		rep, err := row.model()
		if err != nil {
			return err
		}
		if strings.TrimSpace(rep.Text) == "" {
			return models.Invalid("the report says nothing yet", map[string]string{"text": "required before submitting"})
		}
		missing := map[string]string{}
		for _, k := range m.KPIs {
			if rep.KPIActuals[k.Name] == "" {
				missing["kpi_actuals."+k.Name] = "required before submitting"
			}
		}
		if len(missing) > 0 {
			return models.Invalid("give every indicator's actual value", missing)
		}
		row.Status, row.SubmittedAt, row.Revision, row.UpdatedAt = string(models.ReportSubmitted), &now, row.Revision+1, now
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, "report.submit", awardID, nil, map[string]any{"seq": seq, "revision": row.Revision,
			"media": len(rep.MediaIDs)}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("submit report: %w", mapError(err))
	}
	return out, nil
}

// DecideReport accepts a submitted report (it is frozen and shows on the
// public tracker) or asks for changes with the organiser's comment.
func (s *FollowService) DecideReport(ctx context.Context, who models.Caller, awardID int64, seq int, accept bool, comment string) (models.AwardDetail, error) {
	now := s.now().UTC()
	comment = strings.TrimSpace(comment)
	var out models.AwardDetail
	err := s.tx(ctx, func(tx *gorm.DB) error {
		a, err := s.lockAward(tx, who.User, awardID)
		if err != nil {
			return err
		}
		if models.AwardStatus(a.Status) == models.AwardTerminated {
			return activeForWork(a)
		}
		if !accept && comment == "" {
			return models.Invalid("say what must change", map[string]string{"comment": "required when changes are requested"})
		}
		if utf8.RuneCountInString(comment) > 4000 {
			return models.Invalid("the comment is too long", map[string]string{"comment": "at most 4,000 characters"})
		}
		var row reportRow
		if err := tx.Where("award_id = ? AND seq = ?", awardID, seq).Take(&row).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "milestone %d has no report", seq)
			}
			return err
		}
		if models.ReportStatus(row.Status) != models.ReportSubmitted {
			return models.Errorf(models.KindConflict, "the report is %s, not waiting for a decision", row.Status)
		}
		row.DecidedBy, row.DecidedAt, row.Comment, row.UpdatedAt = who.Actor.Name, &now, comment, now
		action := "report.changes"
		row.Status = string(models.ReportChangesRequested)
		if accept {
			action, row.Status = "report.accept", string(models.ReportAccepted)
		}
		if err := tx.Save(&row).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, action, awardID, nil, map[string]any{"seq": seq, "revision": row.Revision, "comment": comment}); err != nil {
			return err
		}
		if err := s.completeIfDone(tx, who, a, now); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("decide report: %w", mapError(err))
	}
	s.notify(awardID)
	return out, nil
}

// completeIfDone marks an award completed (已结项) once every milestone of
// its approved plan is done: reports accepted, checks passed.
func (s *FollowService) completeIfDone(tx *gorm.DB, who models.Caller, a awardRow, now time.Time) error {
	if models.AwardStatus(a.Status) != models.AwardActive {
		return nil
	}
	d, err := loadFollowData(tx, []awardRow{a}, false)
	if err != nil {
		return err
	}
	v := d.view(a, now, s.loc)
	if v.Total == 0 || v.Done < v.Total {
		return nil
	}
	if err := tx.Model(&awardRow{}).Where("id = ?", a.ID).Updates(map[string]any{"status": string(models.AwardCompleted), "updated_at": now}).Error; err != nil {
		return err
	}
	return s.audit(tx, who, "award.complete", a.ID, map[string]any{"status": a.Status}, map[string]any{"status": string(models.AwardCompleted)})
}
