package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/judging"
	"leitai/models"
)

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
		Method: r.Method, Trim: r.TrimCount, KeyCriterion: r.KeyCriterion, Blind: r.Blind, Status: models.RoundStatus(r.Status)}
}

func (r *roundRow) set(m models.Round) {
	stored := make([]rubricJSON, len(m.Rubric))
	for i, c := range m.Rubric {
		stored[i] = rubricJSON{Key: c.Key, NameZh: c.NameZh, NameEn: c.NameEn, Description: c.Description, Max: c.Max, Step: c.Step}
	}
	b, _ := json.Marshal(stored)
	r.Name, r.Kind, r.OpensAt, r.ClosesAt = strings.TrimSpace(m.Name), string(m.Kind), m.OpensAt.UTC(), m.ClosesAt.UTC()
	r.Rubric, r.ReviewersPerProject, r.Method, r.TrimCount = string(b), m.ReviewersPerProject, m.Method, m.Trim
	r.KeyCriterion, r.Blind = m.KeyCriterion, m.Blind
}

type roundProjectRow struct {
	RoundID   int64 `gorm:"primaryKey"`
	ProjectID int64 `gorm:"primaryKey"`
}

func (roundProjectRow) TableName() string { return "round_projects" }

type conflictRow struct {
	ExpertID  int64 `gorm:"primaryKey"`
	UnitID    int64 `gorm:"primaryKey"`
	Reason    string
	CreatedBy *int64
	CreatedAt time.Time
}

func (conflictRow) TableName() string { return "declared_conflicts" }

type assignmentRow struct {
	RoundID   int64 `gorm:"primaryKey"`
	ProjectID int64 `gorm:"primaryKey"`
	ExpertID  int64 `gorm:"primaryKey"`
	Position  int
}

func (assignmentRow) TableName() string { return "assignments" }

type scoreRow struct {
	RoundID     int64 `gorm:"primaryKey"`
	ProjectID   int64 `gorm:"primaryKey"`
	ExpertID    int64 `gorm:"primaryKey"`
	Points      string
	Comment     string
	Status      string
	SubmittedAt *time.Time
	UpdatedAt   time.Time
}

func (scoreRow) TableName() string { return "scores" }

func (s scoreRow) model() models.Score {
	pts := map[string]int64{}
	_ = json.Unmarshal([]byte(s.Points), &pts)
	out := models.Score{RoundID: s.RoundID, ProjectID: s.ProjectID, ExpertID: s.ExpertID, Points: pts, Comment: s.Comment,
		Status: models.ScoreStatus(s.Status), UpdatedAt: s.UpdatedAt.UTC()}
	if s.SubmittedAt != nil {
		t := s.SubmittedAt.UTC()
		out.SubmittedAt = &t
	}
	return out
}

type scoreHistoryRow struct {
	ID        int64 `gorm:"primaryKey"`
	RoundID   int64
	ProjectID int64
	ExpertID  int64
	Points    string
	Comment   string
	Status    string
	At        time.Time
}

func (scoreHistoryRow) TableName() string { return "score_history" }

func roundAudit(r models.Round) map[string]any {
	return map[string]any{"name": r.Name, "order": r.Order, "kind": r.Kind, "status": r.Status, "method": r.Method,
		"trim": r.Trim, "key_criterion": r.KeyCriterion, "reviewers_per_project": r.ReviewersPerProject, "blind": r.Blind,
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
		now := time.Now().UTC()
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
		out.UpdatedAt = time.Now().UTC()
		if err := tx.Model(&out).Select("name", "kind", "opens_at", "closes_at", "rubric", "reviewers_per_project", "method",
			"trim_count", "key_criterion", "blind", "updated_at").Updates(&out).Error; err != nil {
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
			if err := db.publish(tx, actor, row, loc); err != nil {
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
		row.Status, row.UpdatedAt = string(to), time.Now().UTC()
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

// DeclareConflict records that an expert must not review the unit (and its
// subtree); an expert declares their own, an admin anyone's.
func (db *DB) DeclareConflict(ctx context.Context, actor models.Actor, expertID, unitID int64, reason string) error {
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&unitRow{}, unitID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return models.Invalid("no such unit", map[string]string{"unit_id": "no such unit"})
			}
			return err
		}
		row := conflictRow{ExpertID: expertID, UnitID: unitID, Reason: strings.TrimSpace(reason), CreatedBy: actor.UserID, CreatedAt: time.Now().UTC()}
		if err := tx.Create(&row).Error; err != nil {
			if models.KindOf(mapError(err)) == models.KindConflict {
				return nil // declared already
			}
			return err
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "conflict.declare", Entity: "user",
			EntityID: idString(expertID), After: map[string]any{"unit_id": unitID, "reason": row.Reason}})
	})
	if err != nil {
		return fmt.Errorf("declare conflict: %w", err)
	}
	return nil
}

// DeclaredConflicts lists the units an expert declared.
func (db *DB) DeclaredConflicts(ctx context.Context, expertID int64) ([]int64, error) {
	var ids []int64
	if err := db.gorm.WithContext(ctx).Model(&conflictRow{}).Where("expert_id = ?", expertID).Order("unit_id").Pluck("unit_id", &ids).Error; err != nil {
		return nil, mapError(err)
	}
	return ids, nil
}

// conflictsOf builds each expert's conflict set from the unit tree, their
// affiliation and their declarations.
func conflictsOf(tx *gorm.DB, experts []userRow) (map[int64]judging.ConflictSet, error) {
	units, err := listUnits(tx)
	if err != nil {
		return nil, err
	}
	tree := models.NewUnitTree(units)
	ids := make([]int64, len(experts))
	for i, e := range experts {
		ids[i] = e.ID
	}
	// Only these experts' declarations: scoring checks one expert per save.
	var rows []conflictRow
	if err := tx.Where("expert_id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, err
	}
	declared := map[int64][]int64{}
	for _, r := range rows {
		declared[r.ExpertID] = append(declared[r.ExpertID], r.UnitID)
	}
	out := map[int64]judging.ConflictSet{}
	for _, e := range experts {
		out[e.ID] = judging.Conflicts(tree, e.UnitID, declared[e.ID])
	}
	return out, nil
}

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
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.assign", Entity: "round", EntityID: idString(roundID),
			After: map[string]any{"seed": strconv.FormatUint(seed, 10), "projects": len(projects), "experts": len(experts), "panel_chosen": panel,
				"min_load": result.MinLoad, "max_load": result.MaxLoad, "balanced": result.Balanced}})
	})
	if err != nil {
		return judging.Assignment{}, fmt.Errorf("assign round %d: %w", roundID, err)
	}
	return result, nil
}

// ExpertReviews lists the expert's assigned projects in their review
// order, with the expert's own scores so far.
func (db *DB) ExpertReviews(ctx context.Context, expert models.User, roundID int64) (models.Round, []models.ReviewItem, error) {
	g := db.gorm.WithContext(ctx)
	var row roundRow
	if err := g.Take(&row, roundID).Error; err != nil {
		return models.Round{}, nil, mapError(err)
	}
	var assigned []assignmentRow
	if err := g.Where("round_id = ? AND expert_id = ?", roundID, expert.ID).Order("position").Find(&assigned).Error; err != nil {
		return models.Round{}, nil, mapError(err)
	}
	var scores []scoreRow
	if err := g.Where("round_id = ? AND expert_id = ?", roundID, expert.ID).Find(&scores).Error; err != nil {
		return models.Round{}, nil, mapError(err)
	}
	byProject := map[int64]models.Score{}
	for _, s := range scores {
		byProject[s.ProjectID] = s.model()
	}
	items := make([]models.ReviewItem, 0, len(assigned))
	ids := make([]int64, len(assigned))
	for i, a := range assigned {
		ids[i] = a.ProjectID
	}
	var projects []projectRow
	if err := g.Where("id IN ?", ids).Find(&projects).Error; err != nil {
		return models.Round{}, nil, mapError(err)
	}
	byID := make(map[int64]projectRow, len(projects))
	for _, p := range projects {
		byID[p.ID] = p
	}
	for _, a := range assigned {
		p, ok := byID[a.ProjectID]
		if !ok {
			return models.Round{}, nil, models.Errorf(models.KindNotFound, "no project %d", a.ProjectID)
		}
		item := models.ReviewItem{Project: p.model(), Position: a.Position}
		if s, ok := byProject[a.ProjectID]; ok {
			item.Score = &s
		}
		items = append(items, item)
	}
	return row.model(), items, nil
}

// checkReviewer refuses an expert who is not assigned the project, or has
// a conflict with it (declared after the assignment, say): 403.
func (db *DB) checkReviewer(tx *gorm.DB, expert models.User, roundID, projectID int64) (projectRow, error) {
	var n int64
	if err := tx.Model(&assignmentRow{}).Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, expert.ID).Count(&n).Error; err != nil {
		return projectRow{}, err
	}
	if n == 0 {
		return projectRow{}, models.Errorf(models.KindForbidden, "project %d is not assigned to you in this round", projectID)
	}
	var p projectRow
	if err := tx.Take(&p, projectID).Error; err != nil {
		return projectRow{}, err
	}
	conflicted, err := reviewerConflicted(tx, expert, p.UnitID)
	if err != nil {
		return projectRow{}, err
	}
	if conflicted {
		return projectRow{}, models.Errorf(models.KindForbidden, "you have a conflict of interest with project %d", projectID)
	}
	return p, nil
}

// scoreContext is what a score save reads first, in one round trip: the
// round, the project's unit when the project is assigned to the expert,
// and the expert's score so far.
type scoreContext struct {
	ID                  int64
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
	Status              string
	AssignmentSeed      int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
	ProjectUnitID       *int64  `gorm:"column:project_unit_id"`
	PrevPoints          *string `gorm:"column:prev_points"`
	PrevStatus          *string `gorm:"column:prev_status"`
}

func (c scoreContext) round() roundRow {
	return roundRow{ID: c.ID, EditionID: c.EditionID, Name: c.Name, Ord: c.Ord, Kind: c.Kind, OpensAt: c.OpensAt, ClosesAt: c.ClosesAt,
		Rubric: c.Rubric, ReviewersPerProject: c.ReviewersPerProject, Method: c.Method, TrimCount: c.TrimCount, KeyCriterion: c.KeyCriterion,
		Blind: c.Blind, Status: c.Status, AssignmentSeed: c.AssignmentSeed, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// loadScoreContext reads a save's context and applies checkReviewer's
// rules: 404 without the round, 403 when the project is not assigned to
// the expert or the expert has a conflict with it.
func loadScoreContext(tx *gorm.DB, expert models.User, roundID, projectID int64) (scoreContext, error) {
	var rows []scoreContext
	if err := tx.Raw(`SELECT r.id, r.edition_id, r.name, r.ord, r.kind, r.opens_at, r.closes_at, r.rubric, r.reviewers_per_project,
			r.method, r.trim_count, r.key_criterion, r.blind, r.status, r.assignment_seed, r.created_at, r.updated_at,
			p.unit_id AS project_unit_id, s.points AS prev_points, s.status AS prev_status
		FROM rounds r
		LEFT JOIN assignments a ON a.round_id = r.id AND a.project_id = ? AND a.expert_id = ?
		LEFT JOIN projects p ON p.id = a.project_id
		LEFT JOIN scores s ON s.round_id = r.id AND s.project_id = ? AND s.expert_id = ?
		WHERE r.id = ?`, projectID, expert.ID, projectID, expert.ID, roundID).Scan(&rows).Error; err != nil {
		return scoreContext{}, err
	}
	if len(rows) == 0 {
		return scoreContext{}, models.Errorf(models.KindNotFound, "no round %d", roundID)
	}
	c := rows[0]
	if c.ProjectUnitID == nil {
		return scoreContext{}, models.Errorf(models.KindForbidden, "project %d is not assigned to you in this round", projectID)
	}
	conflicted, err := reviewerConflicted(tx, expert, *c.ProjectUnitID)
	if err != nil {
		return scoreContext{}, err
	}
	if conflicted {
		return scoreContext{}, models.Errorf(models.KindForbidden, "you have a conflict of interest with project %d", projectID)
	}
	return c, nil
}

// reviewerConflicted reports whether the expert has a conflict of interest
// with a unit's projects. It gives conflictsOf's answer without reading the
// whole unit tree: whether the unit lies under one of the expert's conflict
// roots depends only on the unit's ancestors and the affiliation's (its
// kind and county), so a tree of those two chains and the expert's
// declarations decides it.
func reviewerConflicted(tx *gorm.DB, expert models.User, unitID int64) (bool, error) {
	seeds := []int64{unitID}
	if expert.UnitID != nil {
		seeds = append(seeds, *expert.UnitID)
	}
	// One round trip: the chains' units, then the declared unit ids
	// (declared = 1).
	type chainRow struct {
		ID       int64
		ParentID *int64
		Kind     string
		Name     string
		Declared int
	}
	var rows []chainRow
	if err := tx.Raw(`WITH RECURSIVE chain(id) AS (
			SELECT id FROM units WHERE id IN ?
			UNION
			SELECT u.parent_id FROM units u JOIN chain c ON u.id = c.id WHERE u.parent_id IS NOT NULL)
		SELECT id, parent_id, kind, name, 0 AS declared FROM units WHERE id IN (SELECT id FROM chain)
		UNION ALL
		SELECT unit_id, NULL, '', '', 1 FROM declared_conflicts WHERE expert_id = ?`, seeds, expert.ID).Scan(&rows).Error; err != nil {
		return false, err
	}
	var units []models.Unit
	var declared []int64
	for _, r := range rows {
		if r.Declared == 1 {
			declared = append(declared, r.ID)
		} else {
			units = append(units, models.Unit{ID: r.ID, ParentID: r.ParentID, Kind: models.UnitKind(r.Kind), Name: r.Name})
		}
	}
	return judging.Conflicts(models.NewUnitTree(units), expert.UnitID, declared).Has(unitID), nil
}

// ReviewProject returns a project for its assigned, non-conflicted expert.
func (db *DB) ReviewProject(ctx context.Context, expert models.User, roundID, projectID int64) (models.Round, models.Project, *models.Score, error) {
	var round roundRow
	var p projectRow
	var score *models.Score
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&round, roundID).Error; err != nil {
			return err
		}
		var err error
		if p, err = db.checkReviewer(tx, expert, roundID, projectID); err != nil {
			return err
		}
		var s scoreRow
		err = tx.Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, expert.ID).Take(&s).Error
		if err == nil {
			m := s.model()
			score = &m
			return nil
		}
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return models.Round{}, models.Project{}, nil, fmt.Errorf("review project %d: %w", projectID, err)
	}
	return round.model(), p.model(), score, nil
}

// SaveScore stores an expert's draft or submission for an assigned
// project while the round is open. Every change is kept in the history;
// submissions are audited.
func (db *DB) SaveScore(ctx context.Context, actor models.Actor, expert models.User, roundID, projectID int64, points map[string]int64, comment string, submit bool) (models.Score, error) {
	var out scoreRow
	err := db.tx(ctx, func(tx *gorm.DB) error {
		sc, err := loadScoreContext(tx, expert, roundID, projectID)
		if err != nil {
			return err
		}
		r := sc.round().model()
		if err := r.AcceptsScores(time.Now()); err != nil {
			return err
		}
		if err := r.Rubric.CheckScore(points, submit); err != nil {
			return err
		}
		canon, err := models.CanonicalJSON(points)
		if err != nil {
			return err
		}
		if canon == "" {
			canon = "{}"
		}
		now := time.Now().UTC()
		status := models.ScoreDraft
		var submittedAt *time.Time
		exists := sc.PrevStatus != nil
		var prev scoreRow
		if exists {
			prev.Status, prev.Points = *sc.PrevStatus, *sc.PrevPoints
		}
		if submit {
			status, submittedAt = models.ScoreSubmitted, &now
		} else if exists && prev.Status == string(models.ScoreSubmitted) {
			return models.Errorf(models.KindConflict, "the score is submitted: change it by submitting again")
		}
		out = scoreRow{RoundID: roundID, ProjectID: projectID, ExpertID: expert.ID, Points: canon, Comment: comment,
			Status: string(status), SubmittedAt: submittedAt, UpdatedAt: now}
		if exists {
			err = tx.Model(&scoreRow{}).Where("round_id = ? AND project_id = ? AND expert_id = ?", roundID, projectID, expert.ID).
				Updates(map[string]any{"points": canon, "comment": comment, "status": string(status), "submitted_at": submittedAt, "updated_at": now}).Error
		} else {
			err = tx.Create(&out).Error
		}
		if err != nil {
			return err
		}
		if err := tx.Create(&scoreHistoryRow{RoundID: roundID, ProjectID: projectID, ExpertID: expert.ID, Points: canon,
			Comment: comment, Status: string(status), At: now}).Error; err != nil {
			return err
		}
		if !submit {
			return nil
		}
		var before any
		if exists && prev.Status == string(models.ScoreSubmitted) {
			before = map[string]any{"points": json.RawMessage(prev.Points)}
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "score.submit", Entity: "score",
			EntityID: fmt.Sprintf("%d/%d/%d", roundID, projectID, expert.ID), Before: before,
			After: map[string]any{"points": json.RawMessage(canon)}})
	})
	if err != nil {
		return models.Score{}, fmt.Errorf("save score: %w", err)
	}
	return out.model(), nil
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

// RoundSheet builds the round's score sheet from its submitted scores:
// projects as their ids, experts as E<id> (the published sheet is
// anonymised later, at publication).
func (db *DB) RoundSheet(ctx context.Context, roundID int64) (judging.Sheet, error) {
	return roundSheet(db.gorm.WithContext(ctx), roundID)
}

func roundSheet(g *gorm.DB, roundID int64) (judging.Sheet, error) {
	// A live final's sheet carries the previous round, the audience and
	// the composite's weights.
	ls, err := liveRoundSheet(g, roundID)
	if err != nil {
		return judging.Sheet{}, mapError(err)
	}
	var sheet judging.Sheet
	if ls != nil {
		sheet = *ls
	} else if sheet, err = panelSheet(g, roundID); err != nil {
		return judging.Sheet{}, err
	}
	decisions, err := tieDecisions(g, roundID)
	if err != nil {
		return judging.Sheet{}, mapError(err)
	}
	for _, d := range decisions {
		m := d.model()
		sheet.Decisions = append(sheet.Decisions, judging.Decision{Order: m.Order, Reason: m.Reason})
	}
	return sheet, nil
}

// panelSheet is an online round's sheet: its submitted scores, the experts
// as E<id>.
func panelSheet(g *gorm.DB, roundID int64) (judging.Sheet, error) {
	var row roundRow
	if err := g.Take(&row, roundID).Error; err != nil {
		return judging.Sheet{}, mapError(err)
	}
	r := row.model()
	sheet := judging.Sheet{Method: judging.Method(r.Method), Trim: r.Trim, KeyCriterion: r.KeyCriterion, Scores: []judging.SheetScore{}}
	for _, c := range r.Rubric {
		sheet.Criteria = append(sheet.Criteria, judging.Criterion{Key: c.Key, Max: judging.Points(c.Max)})
	}
	var scores []scoreRow
	if err := g.Where("round_id = ? AND status = ?", roundID, string(models.ScoreSubmitted)).Order("project_id, expert_id").Find(&scores).Error; err != nil {
		return judging.Sheet{}, mapError(err)
	}
	for _, s := range scores {
		m := s.model()
		var cps judging.CriterionPoints
		for _, c := range r.Rubric {
			cps = append(cps, judging.CriterionPoint{Key: c.Key, Points: judging.Points(m.Points[c.Key])})
		}
		sheet.Scores = append(sheet.Scores, judging.SheetScore{Judge: models.JudgeOfExpert(s.ExpertID), Project: idString(s.ProjectID), Criteria: cps})
	}
	return sheet, nil
}

// ExpertRounds lists the rounds in which the expert has assignments, with
// how many of them the expert has submitted.
func (db *DB) ExpertRounds(ctx context.Context, expert models.User) ([]models.Round, map[int64][2]int, error) {
	g := db.gorm.WithContext(ctx)
	var rows []roundRow
	if err := g.Where("id IN (?) AND status <> ?", g.Model(&assignmentRow{}).Select("round_id").Where("expert_id = ?", expert.ID), string(models.RoundDraft)).
		Order("edition_id DESC, ord").Find(&rows).Error; err != nil {
		return nil, nil, mapError(err)
	}
	counts := map[int64][2]int{}
	out := make([]models.Round, len(rows))
	for i, r := range rows {
		out[i] = r.model()
		var assigned, submitted int64
		if err := g.Model(&assignmentRow{}).Where("round_id = ? AND expert_id = ?", r.ID, expert.ID).Count(&assigned).Error; err != nil {
			return nil, nil, mapError(err)
		}
		if err := g.Model(&scoreRow{}).Where("round_id = ? AND expert_id = ? AND status = ?", r.ID, expert.ID, string(models.ScoreSubmitted)).Count(&submitted).Error; err != nil {
			return nil, nil, mapError(err)
		}
		counts[r.ID] = [2]int{int(submitted), int(assigned)}
	}
	return out, counts, nil
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

type publicationRow struct {
	RoundID        int64 `gorm:"primaryKey"`
	PublishedAt    time.Time
	ObjectionUntil time.Time
	Results        string
	Sheet          string
	PublishedBy    string
	AuditHeadID    int64
	AuditHeadHash  string
}

func (publicationRow) TableName() string { return "round_publications" }

func (r publicationRow) model() models.Publication {
	return models.Publication{RoundID: r.RoundID, PublishedAt: r.PublishedAt.UTC(), ObjectionUntil: r.ObjectionUntil.UTC(),
		Results: r.Results, Sheet: r.Sheet, PublishedBy: r.PublishedBy, AuditHeadID: r.AuditHeadID, AuditHeadHash: r.AuditHeadHash}
}

// publishedEntry is one line of the published ranking.
type publishedEntry struct {
	Rank      int     `json:"rank"`
	ProjectID string  `json:"project_id"`
	Title     string  `json:"title"`
	UnitName  string  `json:"unit_name"`
	Score     float64 `json:"score"`
	Display   string  `json:"display"`
	Judges    int     `json:"judges"`
	Method    string  `json:"method_applied"`
	Tied      bool    `json:"tied"`
	// Advances is set once the round's advancement is decided; Reason is
	// the organiser's override reason, when an override placed it.
	Advances      *bool  `json:"advances,omitempty"`
	AdvanceReason string `json:"advance_reason,omitempty"`
}

// publish snapshots the round's results immutably inside the status
// change's transaction: the ranking with titles and units, and the score
// sheet with the experts anonymised (J1…Jn by id) — `leitai rank` on it
// reproduces the ranking. The publication window is 5 working days in loc.
func (db *DB) publish(tx *gorm.DB, actor models.Actor, row roundRow, loc *time.Location) error {
	sheet, err := roundSheet(tx, row.ID)
	if err != nil {
		return err
	}
	if len(sheet.Scores) == 0 {
		return models.Errorf(models.KindConflict, "round %q has no submitted scores to publish", row.Name)
	}
	var judges []string
	seen := map[string]bool{}
	for _, sc := range sheet.Scores {
		if !seen[sc.Judge] {
			seen[sc.Judge] = true
			judges = append(judges, sc.Judge)
		}
	}
	sort.Slice(judges, func(i, j int) bool {
		a, _ := models.ExpertOfJudge(judges[i])
		b, _ := models.ExpertOfJudge(judges[j])
		return a < b
	})
	alias := map[string]string{}
	for i, j := range judges {
		alias[j] = "J" + strconv.Itoa(i+1)
	}
	for i := range sheet.Scores {
		sheet.Scores[i].Judge = alias[sheet.Scores[i].Judge]
	}
	res, err := judging.Rank(sheet)
	if err != nil {
		return err
	}
	units, err := listUnits(tx)
	if err != nil {
		return err
	}
	tree := models.NewUnitTree(units)
	var adv advancementRow
	if err := tx.Where("round_id = ?", row.ID).Limit(1).Find(&adv).Error; err != nil {
		return err
	}
	if err := tieAtCutDecided(tx, res, adv); err != nil {
		return err
	}
	advancing, reasons := map[string]bool{}, map[string]string{}
	if adv.RoundID != 0 {
		m := adv.model()
		for _, p := range m.Advancing {
			advancing[p] = true
		}
		for _, o := range m.Overrides {
			reasons[o.Project] = o.Reason
		}
	}
	entries := make([]publishedEntry, 0, len(res.Ranking))
	for _, e := range res.Ranking {
		id, _ := strconv.ParseInt(e.Project, 10, 64)
		var p projectRow
		if err := tx.Take(&p, id).Error; err != nil {
			return err
		}
		u, _ := tree.Unit(p.UnitID)
		entry := publishedEntry{Rank: e.Rank, ProjectID: e.Project, Title: p.Title, UnitName: u.Name, Score: e.Score,
			Display: e.Value.String(), Judges: e.Judges, Method: string(e.MethodApplied), Tied: e.Tied}
		if adv.RoundID != 0 {
			a := advancing[e.Project]
			entry.Advances, entry.AdvanceReason = &a, reasons[e.Project]
		}
		entries = append(entries, entry)
	}
	resultsJSON, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	sheetJSON, err := json.Marshal(sheet)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	if loc == nil {
		loc = time.UTC
	}
	head, err := db.auditHead(tx)
	if err != nil {
		return err
	}
	pub := publicationRow{RoundID: row.ID, PublishedAt: now, ObjectionUntil: models.AddWorkingDays(now, 5, loc),
		Results: string(resultsJSON), Sheet: string(sheetJSON), PublishedBy: actor.Name, AuditHeadID: head.ID, AuditHeadHash: head.Hash}
	if err := tx.Create(&pub).Error; err != nil {
		return err
	}
	sum := sha256.Sum256(sheetJSON)
	return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "round.publish", Entity: "round", EntityID: idString(row.ID),
		After: map[string]any{"sheet_sha256": hex.EncodeToString(sum[:]), "projects": len(entries), "objection_until": pub.ObjectionUntil.Format(time.RFC3339),
			"audit_head_id": head.ID, "audit_head_hash": head.Hash}})
}

// tieAtCutDecided refuses to publish while a tied group straddles the top-N
// advancement line and the organiser has settled it neither with a tie
// decision (which breaks the tie in the ranking) nor with an override for
// one of its projects: the 公示 must not show an undecided cut. Ties that
// change nothing stay shared ranks.
func tieAtCutDecided(tx *gorm.DB, res judging.Result, adv advancementRow) error {
	if adv.RoundID == 0 || adv.TopN <= 0 {
		return nil
	}
	a, err := judging.Advance(res, judging.AdvanceRule{Top: adv.TopN})
	if err != nil || len(a.TieAtCut) == 0 {
		return err
	}
	for _, o := range adv.model().Overrides {
		if slices.Contains(a.TieAtCut, o.Project) {
			return nil
		}
	}
	titles := make([]string, 0, len(a.TieAtCut))
	for _, id := range a.TieAtCut {
		var p projectRow
		if err := tx.Select("id", "title").Take(&p, id).Error; err != nil {
			return err
		}
		titles = append(titles, fmt.Sprintf("「%s」(%s)", p.Title, id))
	}
	return models.Errorf(models.KindConflict, "projects %s are tied across the advancement line (top %d): decide the tie with its reason, or override one of them, before publishing",
		strings.Join(titles, ", "), adv.TopN)
}

// Publications lists the published rounds of editions that are not drafts,
// newest first.
func (db *DB) Publications(ctx context.Context) ([]models.Round, []models.Publication, error) {
	g := db.gorm.WithContext(ctx)
	var pubs []publicationRow
	if err := g.Where("round_id IN (?)", g.Model(&roundRow{}).Select("rounds.id").
		Joins("JOIN editions ON editions.id = rounds.edition_id").Where("editions.status <> ?", string(models.EditionDraft))).
		Order("published_at DESC").Find(&pubs).Error; err != nil {
		return nil, nil, mapError(err)
	}
	rounds := make([]models.Round, len(pubs))
	out := make([]models.Publication, len(pubs))
	for i, p := range pubs {
		var r roundRow
		if err := g.Take(&r, p.RoundID).Error; err != nil {
			return nil, nil, mapError(err)
		}
		rounds[i], out[i] = r.model(), p.model()
	}
	return rounds, out, nil
}

// PublicationOf returns one round's publication.
func (db *DB) PublicationOf(ctx context.Context, roundID int64) (models.Publication, error) {
	var p publicationRow
	if err := db.gorm.WithContext(ctx).Take(&p, roundID).Error; err != nil {
		return models.Publication{}, fmt.Errorf("publication of round %d: %w", roundID, mapError(err))
	}
	return p.model(), nil
}
