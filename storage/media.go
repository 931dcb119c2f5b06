package storage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// mediaRow is a row of media.
type mediaRow struct {
	ID           int64 `gorm:"primaryKey"`
	ProjectID    int64
	Kind         string
	Filename     string
	ContentType  string
	Size         int64
	ObjectKey    string
	ThumbKey     string
	PosterKey    string
	PlaybackKey  string
	Processing   string
	Progress     int
	ProcessError string
	Clean        string
	CleanKey     string
	Purpose      string
	CreatedBy    *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (mediaRow) TableName() string { return "media" }

func (r mediaRow) model() models.Media {
	return models.Media{ID: r.ID, ProjectID: r.ProjectID, Kind: models.MediaKind(r.Kind), Filename: r.Filename,
		ContentType: r.ContentType, Size: r.Size, ObjectKey: r.ObjectKey, ThumbKey: r.ThumbKey, PosterKey: r.PosterKey,
		PlaybackKey: r.PlaybackKey, Processing: models.Processing(r.Processing), Progress: r.Progress,
		ProcessError: r.ProcessError, Clean: models.CleanState(r.Clean), CleanKey: r.CleanKey, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// trashRow is an object still to be deleted from the store.
type trashRow struct {
	ID        int64 `gorm:"primaryKey"`
	ObjectKey string
	CreatedAt time.Time
}

func (trashRow) TableName() string { return "object_trash" }

// mediaAudit is what the audit log records of a medium.
func mediaAudit(m models.Media) map[string]any {
	return map[string]any{"project_id": m.ProjectID, "kind": m.Kind, "filename": m.Filename,
		"content_type": m.ContentType, "size": m.Size, "object_key": m.ObjectKey}
}

// ListMedia returns a project's media, oldest first, for a user who may see
// the project.
func (s *MediaService) ListMedia(ctx context.Context, user models.User, projectID int64) ([]models.Media, error) {
	tx := s.db.gorm.WithContext(ctx)
	if _, _, err := s.db.projectView(tx, user, projectID); err != nil {
		return nil, fmt.Errorf("project %d: %w", projectID, err)
	}
	var rows []mediaRow
	if err := tx.Where("project_id = ? AND purpose = ?", projectID, MediaPurposeApplication).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list media: %w", mapError(err))
	}
	out := make([]models.Media, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// ReviewMedia returns the media of a project for its assigned,
// non-conflicted expert in a round (403 otherwise), with the round so the
// caller can hide the file names of a blind round.
func (s *MediaService) ReviewMedia(ctx context.Context, expert models.User, roundID, projectID int64) (models.Round, []models.Media, error) {
	var round roundRow
	var rows []mediaRow
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Take(&round, roundID).Error; err != nil {
			return err
		}
		if _, err := s.db.checkReviewer(tx, expert, roundID, projectID); err != nil {
			return err
		}
		return tx.Where("project_id = ? AND purpose = ?", projectID, MediaPurposeApplication).Order("id").Find(&rows).Error
	})
	if err != nil {
		return models.Round{}, nil, fmt.Errorf("review media of project %d: %w", projectID, err)
	}
	out := make([]models.Media, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return round.model(), out, nil
}

// loadMedia reads a medium whose project the user may see.
func (s *MediaService) loadMedia(tx *gorm.DB, user models.User, id int64) (mediaRow, error) {
	var row mediaRow
	if err := tx.Take(&row, id).Error; err != nil {
		if errors.Is(mapError(err), models.ErrNotFound) {
			return row, models.Errorf(models.KindNotFound, "no media %d", id)
		}
		return row, mapError(err)
	}
	if _, _, err := s.db.projectScope(tx, user, row.ProjectID); err != nil {
		return row, models.Errorf(models.KindNotFound, "no media %d", id)
	}
	// Site-visit photos are the panel's: the project's unit never sees
	// them (the panel reads them through the visits).
	if row.Purpose == MediaPurposeVisit && !user.HasRole(models.RoleAdmin) {
		return row, models.Errorf(models.KindNotFound, "no media %d", id)
	}
	return row, nil
}

// MediaByID returns one medium (to follow its processing).
func (s *MediaService) MediaByID(ctx context.Context, user models.User, id int64) (models.Media, error) {
	row, err := s.loadMedia(s.db.gorm.WithContext(ctx), user, id)
	if err != nil {
		return models.Media{}, err
	}
	return row.model(), nil
}

// DeleteMedia removes a medium of a project the user may still change: its
// row, with an audit entry, and all its objects (the original and its
// derivatives). Objects the store cannot delete right now stay listed in
// object_trash, in the same transaction, and the worker deletes them later.
func (s *MediaService) DeleteMedia(ctx context.Context, actor models.Actor, user models.User, id int64) error {
	var keys []string
	var trash []trashRow
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		row, err := s.loadMedia(tx, user, id)
		if err != nil {
			return err
		}
		if _, err := s.db.projectForUpload(tx, user, row.ProjectID, uploadPurpose(row.Purpose), s.now(), s.cfg.Location); err != nil {
			return err
		}
		m := row.model()
		if err := tx.Delete(&mediaRow{}, id).Error; err != nil {
			return err
		}
		// Derivatives the worker may be writing right now live under a known
		// prefix; it deletes them itself when it finds the row gone.
		keys = m.Keys()
		for _, k := range keys {
			trash = append(trash, trashRow{ObjectKey: k, CreatedAt: s.now()})
		}
		if err := tx.Create(&trash).Error; err != nil {
			return err
		}
		return s.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "media.delete", Entity: "media",
			EntityID: idString(id), Before: mediaAudit(m)})
	})
	if err != nil {
		return fmt.Errorf("delete media %d: %w", id, err)
	}
	for _, t := range trash {
		s.deleteTrash(ctx, t)
	}
	return nil
}

// deleteTrash deletes one listed object and its trash row; a failure is
// left for the next sweep.
func (s *MediaService) deleteTrash(ctx context.Context, t trashRow) {
	if err := s.store.Delete(ctx, t.ObjectKey); err != nil {
		s.log.Warn("delete object later", slog.String("key", t.ObjectKey), slog.Any("error", err))
		return
	}
	if err := s.db.gorm.WithContext(ctx).Delete(&trashRow{}, t.ID).Error; err != nil {
		s.log.Warn("forget deleted object", slog.String("key", t.ObjectKey), slog.Any("error", err))
	}
}

// inlineTypes are the originals a browser may show in place.
var inlineTypes = map[string]bool{
	models.TypeJPEG: true, models.TypePNG: true, models.TypeGIF: true, models.TypeWebP: true, models.TypeAVIF: true,
	models.TypeMP4: true, models.TypeWebM: true, models.TypePDF: true,
}

// MediaLinks signs expiring links to a medium's objects. Photos, playable
// video and PDF open in place; everything else (and every DownloadURL) is
// an attachment. The store never serves HTML or SVG inline whatever it is
// asked.
func (s *MediaService) MediaLinks(ctx context.Context, m models.Media) (models.MediaLinks, error) {
	exp := s.cfg.LinkExpiry
	l := models.MediaLinks{ExpiresAt: s.now().Add(exp)}
	var err error
	if l.URL, err = s.store.DownloadURL(ctx, m.ObjectKey, models.LinkOptions{Expiry: exp, Filename: m.Filename,
		ContentType: m.ContentType, Inline: inlineTypes[m.ContentType] || m.Kind == models.MediaVideo}); err != nil {
		return l, err
	}
	if l.DownloadURL, err = s.store.DownloadURL(ctx, m.ObjectKey, models.LinkOptions{Expiry: exp, Filename: m.Filename,
		ContentType: m.ContentType}); err != nil {
		return l, err
	}
	base := trimExt(m.Filename)
	if m.ThumbKey != "" {
		if l.ThumbURL, err = s.store.DownloadURL(ctx, m.ThumbKey, models.LinkOptions{Expiry: exp, Filename: base + "-thumb.jpg",
			ContentType: models.TypeJPEG, Inline: true}); err != nil {
			return l, err
		}
	}
	if m.PosterKey != "" {
		if l.PosterURL, err = s.store.DownloadURL(ctx, m.PosterKey, models.LinkOptions{Expiry: exp, Filename: base + "-poster.jpg",
			ContentType: models.TypeJPEG, Inline: true}); err != nil {
			return l, err
		}
	}
	switch {
	case m.PlaybackKey != "":
		if l.PlaybackURL, err = s.store.DownloadURL(ctx, m.PlaybackKey, models.LinkOptions{Expiry: exp, Filename: base + ".mp4",
			ContentType: models.TypeMP4, Inline: true}); err != nil {
			return l, err
		}
	case m.Kind == models.MediaVideo && m.Processing == models.ProcessingDone:
		l.PlaybackURL = l.URL // plays as it is
	}
	return l, nil
}

// CleanLinks signs the links a blind round's expert gets: the original and
// its download are the clean copy (no metadata), and a video plays its
// clean copy too; thumbnails and posters are made afresh and carry none.
// While the clean copy is not made yet, or when none can be made, those
// links stay empty and Withheld says why — the original is never offered.
func (s *MediaService) CleanLinks(ctx context.Context, m models.Media) (models.MediaLinks, error) {
	exp := s.cfg.LinkExpiry
	l := models.MediaLinks{ExpiresAt: s.now().Add(exp)}
	base := trimExt(m.Filename)
	var err error
	if m.ThumbKey != "" {
		if l.ThumbURL, err = s.store.DownloadURL(ctx, m.ThumbKey, models.LinkOptions{Expiry: exp, Filename: base + "-thumb.jpg",
			ContentType: models.TypeJPEG, Inline: true}); err != nil {
			return l, err
		}
	}
	if m.PosterKey != "" {
		if l.PosterURL, err = s.store.DownloadURL(ctx, m.PosterKey, models.LinkOptions{Expiry: exp, Filename: base + "-poster.jpg",
			ContentType: models.TypeJPEG, Inline: true}); err != nil {
			return l, err
		}
	}
	switch {
	case m.Clean == models.CleanUnavailable:
		l.Withheld = models.WithheldUnavailable
		return l, nil
	case m.Clean != models.CleanDone || m.CleanKey == "":
		l.Withheld = models.WithheldProcessing
		return l, nil
	}
	ct := models.CleanType(m)
	name := m.Filename
	if ct != m.ContentType {
		name = base + extOf(ct)
	}
	if l.URL, err = s.store.DownloadURL(ctx, m.CleanKey, models.LinkOptions{Expiry: exp, Filename: name,
		ContentType: ct, Inline: inlineTypes[ct]}); err != nil {
		return l, err
	}
	if l.DownloadURL, err = s.store.DownloadURL(ctx, m.CleanKey, models.LinkOptions{Expiry: exp, Filename: name,
		ContentType: ct}); err != nil {
		return l, err
	}
	if m.Kind == models.MediaVideo {
		l.PlaybackURL = l.URL
	}
	return l, nil
}

func trimExt(name string) string {
	for i := len(name) - 1; i > 0; i-- {
		if name[i] == '.' {
			return name[:i]
		}
		if name[i] == '/' {
			break
		}
	}
	return name
}
