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

type mentorRow struct {
	AwardID   int64 `gorm:"primaryKey"`
	ExpertID  int64 `gorm:"primaryKey"`
	CreatedAt time.Time
}

func (mentorRow) TableName() string { return "mentors" }

type visitRow struct {
	ID        int64 `gorm:"primaryKey"`
	AwardID   int64
	ExpertID  int64
	VisitedOn string
	Notes     string
	MediaIDs  string `gorm:"column:media_ids"`
	CreatedAt time.Time
}

func (visitRow) TableName() string { return "mentor_visits" }

// AssignMentor makes an expert the project's mentor (导师). The review's
// conflict rules apply: an expert from the unit's chain, or who declared
// a conflict with it, is refused with the reason.
func (s *FollowService) AssignMentor(ctx context.Context, who models.Caller, awardID, expertID int64) (models.AwardDetail, error) {
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
		var u userRow
		if err := tx.Take(&u, expertID).Error; err != nil || u.Disabled || !strings.Contains(","+u.Roles+",", ","+string(models.RoleExpert)+",") {
			return models.Invalid("not an active expert", map[string]string{"expert_id": "not an active expert"})
		}
		if conflicted, err := reviewerConflicted(tx, u.model(), a.UnitID); err != nil {
			return err
		} else if conflicted {
			return models.Invalid("the expert is in conflict with the project's unit",
				map[string]string{"expert_id": u.Username + " is in conflict with the project's unit (the unit chain or a declared conflict)"})
		}
		var n int64
		if err := tx.Model(&mentorRow{}).Where("award_id = ? AND expert_id = ?", awardID, expertID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.Errorf(models.KindConflict, "%s is already the project's mentor", u.Username)
		}
		if err := tx.Create(&mentorRow{AwardID: awardID, ExpertID: expertID, CreatedAt: now}).Error; err != nil {
			return err
		}
		if err := s.audit(tx, who, "mentor.assign", awardID, nil, map[string]any{"expert_id": expertID, "username": u.Username}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("assign mentor: %w", mapError(err))
	}
	return out, nil
}

// MentoredAwards lists the projects an expert mentors, with their visits.
func (s *FollowService) MentoredAwards(ctx context.Context, expert models.User) ([]models.MentoredAward, error) {
	now := s.now()
	var out []models.MentoredAward
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Model(&mentorRow{}).Where("expert_id = ?", expert.ID).Pluck("award_id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		var rows []awardRow
		if err := tx.Where("id IN ?", ids).Order("rank, id").Find(&rows).Error; err != nil {
			return err
		}
		d, err := loadFollowData(tx, rows, true)
		if err != nil {
			return err
		}
		for _, r := range rows {
			v := d.view(r, now, s.loc)
			out = append(out, models.MentoredAward{AwardSummary: v.AwardSummary, Visits: v.Visits})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mentored awards: %w", mapError(err))
	}
	return out, nil
}

// LogVisit records a mentor's visit: its date and notes. Only the
// project's mentors log visits.
func (s *FollowService) LogVisit(ctx context.Context, who models.Caller, awardID int64, visitedOn, notes string) (models.MentorVisit, error) {
	now := s.now().UTC()
	notes = strings.TrimSpace(notes)
	var out models.MentorVisit
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var a awardRow
		if err := tx.Take(&a, awardID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Errorf(models.KindNotFound, "no award %d", awardID)
			}
			return err
		}
		var n int64
		if err := tx.Model(&mentorRow{}).Where("award_id = ? AND expert_id = ?", awardID, who.User.ID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return models.Errorf(models.KindForbidden, "only the project's mentors log visits")
		}
		if err := activeForWork(a); err != nil && models.AwardStatus(a.Status) == models.AwardTerminated {
			return err
		}
		fields := map[string]string{}
		if d, err := models.ParseDate(visitedOn); err != nil {
			fields["visited_on"] = "a date (YYYY-MM-DD) is required"
		} else if d.After(now.In(s.loc).AddDate(0, 0, 1)) {
			fields["visited_on"] = "a visit is logged after it happened"
		}
		if notes == "" || utf8.RuneCountInString(notes) > 10000 {
			fields["notes"] = "required, at most 10,000 characters"
		}
		if len(fields) > 0 {
			return models.Invalid("the visit has problems", fields)
		}
		row := visitRow{AwardID: awardID, ExpertID: who.User.ID, VisitedOn: visitedOn, Notes: notes, MediaIDs: "[]", CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		out = models.MentorVisit{ID: row.ID, ExpertID: row.ExpertID, Name: who.User.Username, VisitedOn: visitedOn, Notes: notes, CreatedAt: now}
		return s.audit(tx, who, "mentor.visit", awardID, nil, map[string]any{"visited_on": visitedOn})
	})
	if err != nil {
		return out, fmt.Errorf("log visit: %w", mapError(err))
	}
	return out, nil
}
