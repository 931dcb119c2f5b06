package storage

import (
	"context"
	"fmt"

	"gorm.io/gorm"

	"leitai/models"
)

// DeleteDraft deletes a project its unit started and never submitted (a
// "＋ 新建项目" spent by mistake gives its quota place back): the project,
// its files (their objects go to the trash, deleted after the commit, or
// later by the worker) and its unfinished uploads, with an audit entry. A
// project ever submitted has a history and is withdrawn, never deleted
// (409); another unit's is not found.
func (s *MediaService) DeleteDraft(ctx context.Context, actor models.Actor, user models.User, projectID int64) error {
	var trash []trashRow
	var uploads []uploadRow
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		p, _, err := s.db.projectScope(tx, user, projectID)
		if err != nil {
			return err
		}
		if p.Status != models.ProjectDraft || p.Version > 0 {
			return models.Errorf(models.KindConflict, "only a draft that was never submitted can be deleted: withdraw a submitted project instead")
		}
		var media []mediaRow
		if err := tx.Where("project_id = ?", projectID).Find(&media).Error; err != nil {
			return err
		}
		for _, m := range media {
			for _, k := range m.model().Keys() {
				trash = append(trash, trashRow{ObjectKey: k, CreatedAt: s.now()})
			}
		}
		// Unfinished uploads go with the draft, but not one that is being
		// completed right now (its file is about to become the project's):
		// the unit is asked to try again in a moment. Only open rows are
		// deleted, and any row left is one that a completion claimed.
		if err := tx.Where("project_id = ? AND state = ?", projectID, uploadOpen).Find(&uploads).Error; err != nil {
			return err
		}
		if err := tx.Where("project_id = ? AND state = ?", projectID, uploadOpen).Delete(&uploadRow{}).Error; err != nil {
			return err
		}
		var completing int64
		if err := tx.Model(&uploadRow{}).Where("project_id = ?", projectID).Count(&completing).Error; err != nil {
			return err
		}
		if completing > 0 {
			return models.Errorf(models.KindConflict, "a file of this draft is being saved right now: try deleting again in a moment")
		}
		if err := tx.Where("project_id = ?", projectID).Delete(&mediaRow{}).Error; err != nil {
			return err
		}
		if len(trash) > 0 {
			if err := tx.Create(&trash).Error; err != nil {
				return err
			}
		}
		if err := tx.Delete(&projectRow{}, projectID).Error; err != nil {
			return err
		}
		return s.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "project.delete", Entity: "project",
			EntityID: idString(projectID), Before: map[string]any{"edition_id": p.EditionID, "unit_id": p.UnitID, "title": p.Title,
				"files": len(media), "uploads": len(uploads)}})
	})
	if err != nil {
		return fmt.Errorf("delete draft %d: %w", projectID, mapError(err))
	}
	for _, u := range uploads {
		s.abortQuietly(u.ObjectKey, u.StoreUploadID)
	}
	for _, t := range trash {
		s.deleteTrash(ctx, t)
	}
	return nil
}
