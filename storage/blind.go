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

// Blind rounds (盲评): the admin's redacted copies of a round's project
// texts. The experts of a blind round read the copy (ExpertReviews and
// ReviewProject overlay it); the project itself never changes.

type blindRedactionRow struct {
	RoundID        int64 `gorm:"primaryKey"`
	ProjectID      int64 `gorm:"primaryKey"`
	Texts          string
	ProjectVersion int
	SavedBy        string
	SavedAt        time.Time
}

func (blindRedactionRow) TableName() string { return "blind_redactions" }

func (r blindRedactionRow) texts() (map[string]string, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(r.Texts), &m); err != nil {
		return nil, fmt.Errorf("redaction of project %d in round %d: %w", r.ProjectID, r.RoundID, err)
	}
	return m, nil
}

// BlindReview lists a blind round's projects with their hits and copies,
// in project order. A round that is not blind is a 409.
func (db *DB) BlindReview(ctx context.Context, roundID int64) (models.Round, []models.BlindProject, error) {
	var round roundRow
	var out []models.BlindProject
	err := db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&round, roundID).Error; err != nil {
			return err
		}
		if !round.Blind {
			return models.Errorf(models.KindConflict, "round %q is not blind: its experts see the unit", round.Name)
		}
		units, err := listUnits(tx)
		if err != nil {
			return err
		}
		tree := models.NewUnitTree(units)
		var projects []projectRow
		if err := tx.Where("id IN (?)", tx.Model(&roundProjectRow{}).Select("project_id").Where("round_id = ?", roundID)).
			Order("id").Find(&projects).Error; err != nil {
			return err
		}
		var copies []blindRedactionRow
		if err := tx.Where("round_id = ?", roundID).Find(&copies).Error; err != nil {
			return err
		}
		byProject := map[int64]blindRedactionRow{}
		for _, c := range copies {
			byProject[c.ProjectID] = c
		}
		var scored []int64
		if err := tx.Model(&scoreRow{}).Distinct("project_id").Where("round_id = ?", roundID).Pluck("project_id", &scored).Error; err != nil {
			return err
		}
		isScored := map[int64]bool{}
		for _, id := range scored {
			isScored[id] = true
		}
		out = make([]models.BlindProject, 0, len(projects))
		for _, p := range projects {
			b, err := blindProject(tree, p, byProject[p.ID], isScored[p.ID])
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	if err != nil {
		return models.Round{}, nil, fmt.Errorf("blind review of round %d: %w", roundID, err)
	}
	return round.model(), out, nil
}

func blindProject(tree *models.UnitTree, p projectRow, saved blindRedactionRow, scored bool) (models.BlindProject, error) {
	terms := models.BlindTerms(tree, p.UnitID, p.ProjectFields)
	orig := models.BlindTexts(p.ProjectFields)
	b := models.BlindProject{ProjectID: p.ID, Version: p.Version, Original: orig, Hits: models.FindBlindFieldHits(orig, terms),
		Terms: terms, Scored: scored}
	if saved.RoundID != 0 {
		texts, err := saved.texts()
		if err != nil {
			return models.BlindProject{}, err
		}
		b.Copy = models.BlindTexts(p.ProjectFields.WithBlindTexts(texts))
		b.CopyHits = models.FindBlindFieldHits(b.Copy, terms)
		at := saved.SavedAt.UTC()
		b.SavedBy, b.SavedAt, b.Stale = saved.SavedBy, &at, saved.ProjectVersion != p.Version
	}
	if b.Terms == nil {
		b.Terms = []models.BlindTerm{}
	}
	return b, nil
}

// SaveRedaction stores the admin's redacted copy of a project's texts for a
// blind round (fields left out keep the original's text). Only before the
// round opens, or while it is open for a project no expert has scored yet
// (409 otherwise); the audit entry counts, it never holds the text.
func (db *DB) SaveRedaction(ctx context.Context, actor models.Actor, roundID, projectID int64, texts map[string]string) (models.BlindProject, error) {
	var out models.BlindProject
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var round roundRow
		if err := tx.Take(&round, roundID).Error; err != nil {
			return err
		}
		if !round.Blind {
			return models.Errorf(models.KindConflict, "round %q is not blind: there is nothing to redact", round.Name)
		}
		switch models.RoundStatus(round.Status) {
		case models.RoundDraft, models.RoundOpen:
		default:
			return models.Errorf(models.KindConflict, "round %q is %s: its experts have read the texts, which can no longer change", round.Name, round.Status)
		}
		var n int64
		if err := tx.Model(&roundProjectRow{}).Where("round_id = ? AND project_id = ?", roundID, projectID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return models.Errorf(models.KindNotFound, "project %d is not in round %q", projectID, round.Name)
		}
		if err := tx.Model(&scoreRow{}).Where("round_id = ? AND project_id = ?", roundID, projectID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return models.Errorf(models.KindConflict, "project %d already has scores in round %q: its experts have read this text, so it stays as they read it", projectID, round.Name)
		}
		var p projectRow
		if err := tx.Take(&p, projectID).Error; err != nil {
			return err
		}
		if err := models.CheckRedaction(p.ProjectFields, texts); err != nil {
			return err
		}
		var prev blindRedactionRow
		if err := tx.Where("round_id = ? AND project_id = ?", roundID, projectID).Take(&prev).Error; err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
			return err
		}
		copyTexts := models.BlindTexts(p.ProjectFields.WithBlindTexts(texts))
		body, err := json.Marshal(copyTexts)
		if err != nil {
			return err
		}
		row := blindRedactionRow{RoundID: roundID, ProjectID: projectID, Texts: string(body), ProjectVersion: p.Version,
			SavedBy: actor.Name, SavedAt: db.now()}
		if prev.RoundID != 0 {
			if err := tx.Model(&blindRedactionRow{}).Where("round_id = ? AND project_id = ?", roundID, projectID).
				Updates(map[string]any{"texts": row.Texts, "project_version": row.ProjectVersion, "saved_by": row.SavedBy, "saved_at": row.SavedAt}).Error; err != nil {
				return err
			}
		} else if err := tx.Create(&row).Error; err != nil {
			return err
		}
		units, err := listUnits(tx)
		if err != nil {
			return err
		}
		if out, err = blindProject(models.NewUnitTree(units), p, row, false); err != nil {
			return err
		}
		changed := 0
		for _, f := range models.BlindFields {
			if copyTexts[f] != out.Original[f] {
				changed++
			}
		}
		after := map[string]any{"round_id": roundID, "project_id": projectID, "project_version": p.Version,
			"fields_changed": changed, "hits_in_original": out.Hits.Count(), "hits_left": out.CopyHits.Count()}
		var before map[string]any
		if prev.RoundID != 0 {
			before = map[string]any{"saved_by": prev.SavedBy}
		}
		return db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "redaction.save", Entity: "project",
			EntityID: idString(projectID), Before: before, After: after})
	})
	if err != nil {
		return models.BlindProject{}, fmt.Errorf("redaction of project %d in round %d: %w", projectID, roundID, err)
	}
	return out, nil
}

// overlayRedactions puts the saved copies of a blind round in place of the
// projects' texts, for its experts. A round that is not blind is left as
// it is.
func overlayRedactions(tx *gorm.DB, round roundRow, projects []*models.Project) error {
	if !round.Blind || len(projects) == 0 {
		return nil
	}
	ids := make([]int64, len(projects))
	for i, p := range projects {
		ids[i] = p.ID
	}
	var rows []blindRedactionRow
	if err := tx.Where("round_id = ? AND project_id IN ?", round.ID, ids).Find(&rows).Error; err != nil {
		return err
	}
	byProject := map[int64]blindRedactionRow{}
	for _, r := range rows {
		byProject[r.ProjectID] = r
	}
	for _, p := range projects {
		r, ok := byProject[p.ID]
		if !ok {
			continue
		}
		texts, err := r.texts()
		if err != nil {
			return err
		}
		p.ProjectFields = p.ProjectFields.WithBlindTexts(texts)
	}
	return nil
}
