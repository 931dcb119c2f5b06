package storage

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// projectScope loads a project as seen by user: admins see every project,
// a unit user only its unit's (anything else is not found, so nobody learns
// which ids exist). It returns the project and its edition.
func (db *DB) projectScope(tx *gorm.DB, user models.User, projectID int64) (models.Project, models.Edition, error) {
	var p projectRow
	if err := tx.Take(&p, projectID).Error; err != nil {
		return models.Project{}, models.Edition{}, mapError(err)
	}
	if !user.HasRole(models.RoleAdmin) {
		if !user.HasRole(models.RoleUnit) || user.UnitID == nil || *user.UnitID != p.UnitID {
			return models.Project{}, models.Edition{}, models.Errorf(models.KindNotFound, "no project %d", projectID)
		}
	}
	var e editionRow
	if err := tx.Take(&e, p.EditionID).Error; err != nil {
		return models.Project{}, models.Edition{}, mapError(err)
	}
	return p.model(), e.model(), nil
}

// ProjectForMedia loads a project the user may see, for reading its media.
func (db *DB) ProjectForMedia(ctx context.Context, user models.User, projectID int64) (models.Project, error) {
	p, _, err := db.projectScope(db.gorm.WithContext(ctx), user, projectID)
	if err != nil {
		return models.Project{}, fmt.Errorf("project %d: %w", projectID, err)
	}
	return p, nil
}

// projectForChange loads a project the user may change inside tx: its unit
// (or an admin), the project still editable and, for units, the edition
// still inside its window (plus grace).
func (db *DB) projectForChange(tx *gorm.DB, user models.User, projectID int64, now time.Time, loc *time.Location) (models.Project, models.Edition, error) {
	p, e, err := db.projectScope(tx, user, projectID)
	if err != nil {
		return p, e, err
	}
	if err := p.CanEdit(); err != nil {
		return p, e, err
	}
	if !user.HasRole(models.RoleAdmin) {
		if err := e.AcceptsChanges(now, loc); err != nil {
			return p, e, err
		}
	}
	return p, e, nil
}

// MediaPurposeApplication marks the application's own materials.
const MediaPurposeApplication = "application"

func uploadPurpose(p string) string {
	if p == MediaPurposeFollow || p == MediaPurposeVisit {
		return p
	}
	return MediaPurposeApplication
}

// projectForUpload loads a project the user may add files to: for the
// application, a project they may change (projectForChange); for site-visit
// photos, a project assigned to the expert in an open round that records
// visits (visitUploadScope); for evidence
// of progress, a project of theirs with an award in force (not terminated
// or completed), whatever the edition's window.
func (db *DB) projectForUpload(tx *gorm.DB, user models.User, projectID int64, purpose string, now time.Time, loc *time.Location) (models.Project, error) {
	if purpose == MediaPurposeVisit {
		return db.visitUploadScope(tx, user, projectID, now)
	}
	if purpose != MediaPurposeFollow {
		p, _, err := db.projectForChange(tx, user, projectID, now, loc)
		return p, err
	}
	p, _, err := db.projectScope(tx, user, projectID)
	if err != nil {
		return p, err
	}
	var a awardRow
	if err := tx.Select("id", "status", "status_reason").Where("project_id = ?", projectID).Take(&a).Error; err != nil {
		return p, models.Errorf(models.KindConflict, "the project has no award: evidence of progress is for funded projects")
	}
	return p, activeForWork(a)
}
