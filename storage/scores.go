package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// Expert scoring of review rounds: an expert's list, one project's
// review page and saving (drafts and submissions, with history).

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
	// ByUserID and ByName are who wrote the change (the expert, or the
	// host for a judge); Action is the audit's action ('' for a draft);
	// Reason is the host's, for an entry on behalf or a correction.
	ByUserID *int64
	ByName   string
	Action   string
	Reason   string
}

func (scoreHistoryRow) TableName() string { return "score_history" }

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
	// A blind round's experts read the admin's redacted copies.
	ptrs := make([]*models.Project, len(items))
	for i := range items {
		ptrs[i] = &items[i].Project
	}
	if err := overlayRedactions(g, row, ptrs); err != nil {
		return models.Round{}, nil, mapError(err)
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
	pm := p.model()
	// A blind round's experts read the admin's redacted copy.
	if err := overlayRedactions(db.gorm.WithContext(ctx), round, []*models.Project{&pm}); err != nil {
		return models.Round{}, models.Project{}, nil, fmt.Errorf("review project %d: %w", projectID, mapError(err))
	}
	return round.model(), pm, score, nil
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
		// One reading of the clock for the window and the stored change.
		now := db.now()
		r := sc.round().model()
		if err := r.AcceptsScores(now); err != nil {
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
		if sc.PrevStatus != nil && *sc.PrevStatus == string(models.ScoreSubmitted) && !submit {
			return models.Errorf(models.KindConflict, "the score is submitted: change it by submitting again")
		}
		w := scoreWrite{RoundID: roundID, ProjectID: projectID, ExpertID: expert.ID, Points: canon, Comment: comment,
			Status: models.ScoreDraft, At: now}
		if submit {
			w.Status, w.Action = models.ScoreSubmitted, "score.submit"
		}
		out, err = db.writeScore(tx, actor, w)
		return err
	})
	if err != nil {
		return models.Score{}, fmt.Errorf("save score: %w", err)
	}
	return out.model(), nil
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
