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

// CreateCheck schedules the expert check (mid-term check or final
// acceptance) of a milestone whose gate asks for one, with its experts.
// The review's conflict rules apply: an expert from the unit's chain or
// who declared a conflict with it is refused, with the reason.
func (s *FollowService) CreateCheck(ctx context.Context, who models.Caller, awardID int64, seq int, experts []int64) (models.AwardDetail, error) {
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
		m, err := milestoneOf(tx, awardID, seq)
		if err != nil {
			return err
		}
		kind := m.Gate.CheckKind()
		if kind == "" {
			return models.Errorf(models.KindConflict, "milestone %d's gate is %s: it has no expert check", seq, m.Gate)
		}
		if len(experts) == 0 || len(experts) > 15 {
			return models.Invalid("name the check's experts", map[string]string{"experts": "one to fifteen experts"})
		}
		var existing checkRow
		err = tx.Where("award_id = ? AND seq = ?", awardID, seq).Take(&existing).Error
		if err == nil {
			return models.Errorf(models.KindConflict, "milestone %d already has its check", seq)
		} else if !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		var users []userRow
		if err := tx.Where("id IN ?", experts).Find(&users).Error; err != nil {
			return err
		}
		byID := map[int64]userRow{}
		for _, u := range users {
			byID[u.ID] = u
		}
		fields := map[string]string{}
		for i, id := range experts {
			u, ok := byID[id]
			at := fmt.Sprintf("experts[%d]", i)
			if !ok || u.Disabled || !strings.Contains(","+u.Roles+",", ","+string(models.RoleExpert)+",") {
				fields[at] = "not an active expert"
				continue
			}
			conflicted, err := reviewerConflicted(tx, u.model(), a.UnitID)
			if err != nil {
				return err
			}
			if conflicted {
				fields[at] = u.Username + " is in conflict with the project's unit (the unit chain or a declared conflict)"
			}
		}
		if len(fields) > 0 {
			return models.Invalid("some experts cannot check this project", fields)
		}
		c := checkRow{AwardID: awardID, Seq: seq, Kind: string(kind), CreatedAt: now}
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		for _, id := range experts {
			if err := tx.Create(&checkGradeRow{CheckID: c.ID, ExpertID: id, UpdatedAt: now}).Error; err != nil {
				return err
			}
		}
		if err := s.audit(tx, who, "check.create", awardID, nil, map[string]any{"seq": seq, "kind": kind, "experts": experts}); err != nil {
			return err
		}
		out, err = s.detail(tx, who.User, awardID, now)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("create check: %w", mapError(err))
	}
	return out, nil
}

// ExpertChecks lists the checks an expert is assigned to.
func (s *FollowService) ExpertChecks(ctx context.Context, expert models.User) ([]models.ExpertCheck, error) {
	var out []models.ExpertCheck
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var ids []int64
		if err := tx.Model(&checkGradeRow{}).Where("expert_id = ?", expert.ID).Order("check_id").Pluck("check_id", &ids).Error; err != nil {
			return err
		}
		for _, id := range ids {
			c, err := s.expertCheck(tx, expert, id)
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("expert checks: %w", mapError(err))
	}
	return out, nil
}

// ExpertCheck is one check of the expert's, with the milestone's report.
func (s *FollowService) ExpertCheck(ctx context.Context, expert models.User, id int64) (models.ExpertCheck, error) {
	var out models.ExpertCheck
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = s.expertCheck(tx, expert, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("check %d: %w", id, mapError(err))
	}
	return out, nil
}

func (s *FollowService) expertCheck(tx *gorm.DB, expert models.User, id int64) (models.ExpertCheck, error) {
	c, g, err := assignedCheck(tx, expert, id)
	if err != nil {
		return models.ExpertCheck{}, err
	}
	var a awardRow
	if err := tx.Take(&a, c.AwardID).Error; err != nil {
		return models.ExpertCheck{}, err
	}
	d, err := loadFollowData(tx, []awardRow{a}, false)
	if err != nil {
		return models.ExpertCheck{}, err
	}
	out := models.ExpertCheck{ID: c.ID, AwardID: a.ID, Kind: models.CheckKind(c.Kind), ProjectTitle: d.titles[a.ProjectID],
		Result: models.Grade(c.Result), Grade: models.CheckGrade{ExpertID: expert.ID, Grade: models.Grade(g.Grade), Notes: g.Notes,
			Submitted: g.SubmittedAt != nil}}
	if u, ok := d.tree.Unit(a.UnitID); ok {
		out.UnitName = u.Name
	}
	if p, ok := approvedOf(d.plans[a.ID]); ok {
		for _, m := range p.Milestones {
			if m.Seq == c.Seq {
				out.Milestone = m
			}
		}
	}
	if r, ok := d.reports[a.ID][c.Seq]; ok && r.Status != models.ReportDraft {
		out.Report = &r
	}
	return out, nil
}

// GradeCheck saves an expert's grade and notes (autosave) or submits them.
// Once every expert has submitted, the check's result is the rule's
// (models.CheckResult) and the award may complete.
func (s *FollowService) GradeCheck(ctx context.Context, who models.Caller, id int64, grade models.Grade, notes string, submit bool) (models.ExpertCheck, error) {
	now := s.now().UTC()
	notes = strings.TrimSpace(notes)
	var out models.ExpertCheck
	err := s.tx(ctx, func(tx *gorm.DB) error {
		c, g, err := assignedCheck(tx, who.User, id)
		if err != nil {
			return err
		}
		a, err := s.lockAward(tx, models.User{Roles: []models.Role{models.RoleAdmin}}, c.AwardID)
		if err != nil {
			return err
		}
		if err := activeForWork(a); err != nil && models.AwardStatus(a.Status) == models.AwardTerminated {
			return err
		}
		// The conflict rules are checked again: a conflict declared after
		// the assignment still stops the grade.
		if conflicted, err := reviewerConflicted(tx, who.User, a.UnitID); err != nil {
			return err
		} else if conflicted {
			return models.Errorf(models.KindForbidden, "you are in conflict with this project's unit")
		}
		if g.SubmittedAt != nil {
			return models.Errorf(models.KindConflict, "your grade is submitted")
		}
		if grade != "" && !models.ValidGrade(grade) {
			return models.Invalid("unknown grade", map[string]string{"grade": "one of excellent, good, pass, fail"})
		}
		if utf8.RuneCountInString(notes) > 10000 {
			return models.Invalid("the notes are too long", map[string]string{"notes": "at most 10,000 characters"})
		}
		if submit && grade == "" {
			return models.Invalid("give a grade before submitting", map[string]string{"grade": "required"})
		}
		if submit && grade == models.GradeFail && notes == "" {
			return models.Invalid("say what must change", map[string]string{"notes": "required with 不合格 (fail)"})
		}
		g.Grade, g.Notes, g.UpdatedAt = string(grade), notes, now
		if submit {
			g.SubmittedAt = &now
		}
		if err := tx.Save(&g).Error; err != nil {
			return err
		}
		if submit {
			if err := s.audit(tx, who, "check.grade", a.ID, nil, map[string]any{"check_id": id, "seq": c.Seq, "grade": grade}); err != nil {
				return err
			}
			var all []checkGradeRow
			if err := tx.Where("check_id = ?", id).Find(&all).Error; err != nil {
				return err
			}
			grades := make([]models.Grade, 0, len(all))
			for _, x := range all {
				if x.SubmittedAt == nil {
					grades = nil
					break
				}
				grades = append(grades, models.Grade(x.Grade))
			}
			if grades != nil {
				c.Result = string(models.CheckResult(grades))
				if err := tx.Save(&c).Error; err != nil {
					return err
				}
				if err := s.audit(tx, who, "check.result", a.ID, nil, map[string]any{"check_id": id, "seq": c.Seq,
					"result": c.Result, "rule": models.CheckRule}); err != nil {
					return err
				}
				if err := s.completeIfDone(tx, who, a, now); err != nil {
					return err
				}
			}
		}
		out, err = s.expertCheck(tx, who.User, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("grade check %d: %w", id, mapError(err))
	}
	return out, nil
}

// assignedCheck loads a check and the expert's grade row: 404 when there is
// no such check, 403 when the expert is not assigned to it.
func assignedCheck(tx *gorm.DB, expert models.User, id int64) (checkRow, checkGradeRow, error) {
	var c checkRow
	if err := tx.Take(&c, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return c, checkGradeRow{}, models.Errorf(models.KindNotFound, "no check %d", id)
		}
		return c, checkGradeRow{}, err
	}
	var g checkGradeRow
	if err := tx.Where("check_id = ? AND expert_id = ?", id, expert.ID).Take(&g).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return c, g, models.Errorf(models.KindForbidden, "you are not assigned to check %d", id)
		}
		return c, g, err
	}
	return c, g, nil
}
