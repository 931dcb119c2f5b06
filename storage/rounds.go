package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// Review rounds: their rows, creation, settings, the status machine
// (draft → open → closed → published) and the projects in a round.
// Conflicts, assignment, scores, sheets and publication have files of
// their own.

type roundRow struct {
	ID                  int64 `gorm:"primaryKey"`
	EditionID           int64
	Name                string
	Ord                 int
	Kind                string
	OpensAt             time.Time
	ClosesAt            time.Time
	Rubric              string
	ReviewersPerProject int
	Method              string
	TrimCount           int
	KeyCriterion        string
	Blind               bool
	SiteVisits          bool
	Status              string
	AssignmentSeed      int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

func (roundRow) TableName() string { return "rounds" }

// rubricJSON is how a rubric is stored.
type rubricJSON struct {
	Key         string `json:"key"`
	NameZh      string `json:"name_zh"`
	NameEn      string `json:"name_en"`
	Description string `json:"description"`
	Max         int64  `json:"max"`
	Step        int64  `json:"step"`
}

func (r roundRow) model() models.Round {
	var stored []rubricJSON
	_ = json.Unmarshal([]byte(r.Rubric), &stored)
	rubric := make(models.Rubric, len(stored))
	for i, c := range stored {
		rubric[i] = models.Criterion{Key: c.Key, NameZh: c.NameZh, NameEn: c.NameEn, Description: c.Description, Max: c.Max, Step: c.Step}
	}
	return models.Round{ID: r.ID, EditionID: r.EditionID, Name: r.Name, Order: r.Ord, Kind: models.RoundKind(r.Kind),
		OpensAt: r.OpensAt.UTC(), ClosesAt: r.ClosesAt.UTC(), Rubric: rubric, ReviewersPerProject: r.ReviewersPerProject,
		Method: r.Method, Trim: r.TrimCount, KeyCriterion: r.KeyCriterion, Blind: r.Blind, SiteVisits: r.SiteVisits, Status: models.RoundStatus(r.Status)}
}

func (r *roundRow) set(m models.Round) {
	stored := make([]rubricJSON, len(m.Rubric))
	for i, c := range m.Rubric {
		stored[i] = rubricJSON{Key: c.Key, NameZh: c.NameZh, NameEn: c.NameEn, Description: c.Description, Max: c.Max, Step: c.Step}
	}
	b, _ := json.Marshal(stored)
	r.Name, r.Kind, r.OpensAt, r.ClosesAt = strings.TrimSpace(m.Name), string(m.Kind), m.OpensAt.UTC(), m.ClosesAt.UTC()
	r.Rubric, r.ReviewersPerProject, r.Method, r.TrimCount = string(b), m.ReviewersPerProject, m.Method, m.Trim
	r.KeyCriterion, r.Blind, r.SiteVisits = m.KeyCriterion, m.Blind, m.SiteVisits
}

type roundProjectRow struct {
	RoundID   int64 `gorm:"primaryKey"`
	ProjectID int64 `gorm:"primaryKey"`
}

func (roundProjectRow) TableName() string { return "round_projects" }

func roundAudit(r models.Round) map[string]any {
	return map[string]any{"name": r.Name, "order": r.Order, "kind": r.Kind, "status": r.Status, "method": r.Method,
		"trim": r.Trim, "key_criterion": r.KeyCriterion, "reviewers_per_project": r.ReviewersPerProject, "blind": r.Blind, "site_visits": r.SiteVisits,
		"opens_at": r.OpensAt.Format(time.RFC3339), "closes_at": r.ClosesAt.Format(time.RFC3339), "rubric_total": r.Rubric.Total()}
}

// CreateRound adds a draft round after the edition's last one. The first
// round reviews the edition's eligible projects; a later round starts with
// the projects that advance from the round before it when its advancement
// is decided, else with all of that round's projects.
func (db *DB) CreateRound(ctx context.Context, actor models.Actor, editionID int64, in models.Round) (models.Round, error) {
	in.Status = models.RoundDraft
	if err := in.Validate(); err != nil {
		return models.Round{}, err
	}
	var row roundRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&editionRow{}, editionID).Error; err != nil {
			return err
		}
		var last roundRow
		if err := tx.Where("edition_id = ?", editionID).Order("ord DESC").Limit(1).Find(&last).Error; err != nil {
			return err
		}
		now := db.now()
		row = roundRow{EditionID: editionID, Ord: last.Ord + 1, Status: string(models.RoundDraft), CreatedAt: now, UpdatedAt: now}
		row.set(in)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		var projectIDs []int64
		if last.ID == 0 {
			if err := tx.Model(&projectRow{}).Where("edition_id = ? AND status = ?", editionID, string(models.ProjectEligible)).Order("id").Pluck("id", &projectIDs).Error; err != nil {
				return err
			}
		} else {
			var adv advancementRow
			if err := tx.Where("round_id = ?", last.ID).Limit(1).Find(&adv).Error; err != nil {
				return err
			}
			if adv.RoundID != 0 {
				for _, p := range adv.model().Advancing {
					id, err := strconv.ParseInt(p, 10, 64)
					if err != nil {
						return fmt.Errorf("advancing project %q: %w", p, err)
					}
					projectIDs = append(projectIDs, id)
				}
				sort.Slice(projectIDs, func(i, j int) bool { return projectIDs[i] < projectIDs[j] })
			} else if err := tx.Model(&roundProjectRow{}).Where("round_id = ?", last.ID).Order("project_id").Pluck("project_id", &projectIDs).Error; err != nil {
				return err
			}
		}
		for _, id := range projectIDs {
			if err := tx.Create(&roundProjectRow{RoundID: row.ID, ProjectID: id}).Error; err != nil {
				return err
			}
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.create", Entity: "round",
			EntityID: idString(row.ID), After: roundAudit(row.model())})
	})
	if err != nil {
		return models.Round{}, fmt.Errorf("create round: %w", err)
	}
	return row.model(), nil
}

// RoundByID returns one round.
func (db *DB) RoundByID(ctx context.Context, id int64) (models.Round, error) {
	var row roundRow
	if err := db.gorm.WithContext(ctx).Take(&row, id).Error; err != nil {
		return models.Round{}, fmt.Errorf("round %d: %w", id, mapError(err))
	}
	return row.model(), nil
}

// ListRounds returns an edition's rounds in order.
func (db *DB) ListRounds(ctx context.Context, editionID int64) ([]models.Round, error) {
	var rows []roundRow
	if err := db.gorm.WithContext(ctx).Where("edition_id = ?", editionID).Order("ord").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	out := make([]models.Round, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// UpdateRound changes a round: every setting while it is a draft, only
// the window afterwards, nothing once published.
func (db *DB) UpdateRound(ctx context.Context, actor models.Actor, id int64, in models.Round) (models.Round, error) {
	var out roundRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&out, id).Error; err != nil {
			return err
		}
		before := out.model()
		if err := before.CanChangeWindow(); err != nil {
			return err
		}
		next := before
		next.OpensAt, next.ClosesAt = in.OpensAt, in.ClosesAt
		// Site visits do not touch the scores: they may change until
		// the round is published.
		next.SiteVisits = in.SiteVisits
		if before.Status == models.RoundDraft {
			next = in
			next.ID, next.EditionID, next.Order, next.Status = before.ID, before.EditionID, before.Order, before.Status
		} else if settingsDiffer(before, in) {
			return before.CanEditSettings()
		}
		if err := next.Validate(); err != nil {
			return err
		}
		out.set(next)
		out.UpdatedAt = db.now()
		if err := tx.Model(&out).Select("name", "kind", "opens_at", "closes_at", "rubric", "reviewers_per_project", "method",
			"trim_count", "key_criterion", "blind", "site_visits", "updated_at").Updates(&out).Error; err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.update", Entity: "round",
			EntityID: idString(id), Before: roundAudit(before), After: roundAudit(out.model())})
	})
	if err != nil {
		return models.Round{}, fmt.Errorf("update round %d: %w", id, err)
	}
	return out.model(), nil
}

func settingsDiffer(a, b models.Round) bool {
	if a.Name != strings.TrimSpace(b.Name) || a.Kind != b.Kind || a.ReviewersPerProject != b.ReviewersPerProject || a.Method != b.Method ||
		a.Trim != b.Trim || a.KeyCriterion != b.KeyCriterion || a.Blind != b.Blind || len(a.Rubric) != len(b.Rubric) {
		return true
	}
	for i := range a.Rubric {
		if a.Rubric[i] != b.Rubric[i] {
			return true
		}
	}
	return false
}

// MoveRound changes a round's status along the state machine. Opening
// needs every project to have its k experts.
func (db *DB) MoveRound(ctx context.Context, actor models.Actor, id int64, to models.RoundStatus, loc *time.Location) (models.RoundChange, error) {
	return db.moveRound(ctx, actor, id, to, loc, nil)
}

// PublishRound publishes a closed round with the objection window the
// admin set (nil: the default, now → 5 working days by the edition's
// holiday calendar).
func (db *DB) PublishRound(ctx context.Context, actor models.Actor, id int64, loc *time.Location, window *models.PublicationWindow) (models.RoundChange, error) {
	return db.moveRound(ctx, actor, id, models.RoundPublished, loc, window)
}

func (db *DB) moveRound(ctx context.Context, actor models.Actor, id int64, to models.RoundStatus, loc *time.Location, window *models.PublicationWindow) (models.RoundChange, error) {
	var res models.RoundChange
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row roundRow
		if err := tx.Take(&row, id).Error; err != nil {
			return err
		}
		r := row.model()
		if err := r.CanMoveTo(to); err != nil {
			return err
		}
		if to == models.RoundOpen {
			var short []int64
			if err := tx.Raw(`SELECT rp.project_id FROM round_projects rp LEFT JOIN assignments a
				ON a.round_id = rp.round_id AND a.project_id = rp.project_id
				WHERE rp.round_id = ? GROUP BY rp.project_id HAVING COUNT(a.expert_id) <> ? ORDER BY rp.project_id`,
				id, r.ReviewersPerProject).Scan(&short).Error; err != nil {
				return err
			}
			var n int64
			if err := tx.Model(&roundProjectRow{}).Where("round_id = ?", id).Count(&n).Error; err != nil {
				return err
			}
			if n == 0 {
				return models.Errorf(models.KindConflict, "round %q has no projects to review", r.Name)
			}
			if len(short) > 0 {
				return models.Errorf(models.KindConflict, "%d project(s) lack their %d experts (e.g. project %d): run the assignment first", len(short), r.ReviewersPerProject, short[0])
			}
		}
		if to == models.RoundPublished {
			if err := db.publish(tx, actor, row, loc, window); err != nil {
				return err
			}
		}
		if to == models.RoundClosed {
			var drafts []scoreRow
			if err := tx.Where("round_id = ? AND status = ?", id, string(models.ScoreDraft)).Order("project_id, expert_id").Find(&drafts).Error; err != nil {
				return err
			}
			for _, d := range drafts {
				res.UncountedDrafts = append(res.UncountedDrafts, d.model())
			}
		}
		after := map[string]any{"status": to, "uncounted_drafts": len(res.UncountedDrafts)}
		if to == models.RoundOpen && r.Status == models.RoundClosed {
			// Reopening lets scores change: the tie decisions and the
			// advancement made on the old ranking no longer fit.
			n, adv, err := clearDecisions(tx, id)
			if err != nil {
				return err
			}
			after["cleared_tie_decisions"], after["cleared_advancement"] = n, adv
		}
		before := r
		row.Status, row.UpdatedAt = string(to), db.now()
		if err := tx.Model(&row).Select("status", "updated_at").Updates(&row).Error; err != nil {
			return err
		}
		res.Round = row.model()
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round." + string(to), Entity: "round",
			EntityID: idString(id), Before: map[string]any{"status": before.Status}, After: after})
	})
	if err != nil {
		return models.RoundChange{}, fmt.Errorf("round %d → %s: %w", id, to, err)
	}
	return res, nil
}

// SetRoundProjects sets which projects a draft round reviews: the
// organiser's advancement from the round before (top N, a threshold and
// overrides with reasons, decided with judging.Advance).
func (db *DB) SetRoundProjects(ctx context.Context, actor models.Actor, roundID int64, projectIDs []int64, reason string) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var row roundRow
		if err := tx.Take(&row, roundID).Error; err != nil {
			return err
		}
		if err := row.model().CanEditSettings(); err != nil {
			return err
		}
		var n int64
		if err := tx.Model(&projectRow{}).Where("id IN ? AND edition_id = ?", projectIDs, row.EditionID).Count(&n).Error; err != nil {
			return err
		}
		if int(n) != len(projectIDs) {
			return models.Invalid("unknown projects", map[string]string{"project_ids": "every project must belong to the round's edition"})
		}
		if err := replaceRoundProjects(tx, roundID, projectIDs); err != nil {
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.projects", Entity: "round", EntityID: idString(roundID),
			After: map[string]any{"project_ids": projectIDs, "reason": reason}})
	})
	if err != nil {
		return fmt.Errorf("round %d projects: %w", roundID, err)
	}
	return nil
}
