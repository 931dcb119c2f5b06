package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"leitai/models"
	"leitai/storage/scrub"
)

// errNoClean marks a medium of which no clean copy can be made (a legacy
// Office file, a video ffmpeg cannot read…): it is final, not retried.
var errNoClean = errors.New("no clean copy can be made")

// CleanNext claims one medium whose clean copy is still to be made and
// makes it: the copy without the metadata that can name the unit, the only
// one experts get in a blind round. A medium waits until its processing is
// over (a video's clean copy is made from its playable copy). Media from
// before the clean copies existed start pending, so this also sweeps them.
// It reports whether it did some work; a failure that may pass (the store
// is down) leaves the medium pending and returns the error.
func (s *MediaService) CleanNext(ctx context.Context) (bool, error) {
	g := s.db.gorm.WithContext(ctx)
	now := s.now()
	if err := g.Model(&mediaRow{}).Where("clean = ? AND updated_at < ?", string(models.CleanRunning), now.Add(-staleAfter)).
		Updates(map[string]any{"clean": string(models.CleanPending), "updated_at": now}).Error; err != nil {
		return false, mapError(err)
	}
	busy := []string{string(models.ProcessingPending), string(models.ProcessingRunning)}
	for range 5 {
		var row mediaRow
		err := g.Where("clean = ? AND processing NOT IN ?", string(models.CleanPending), busy).Order("id").Limit(1).Take(&row).Error
		if err != nil {
			if errors.Is(mapError(err), models.ErrNotFound) {
				return false, nil
			}
			return false, mapError(err)
		}
		res := g.Model(&mediaRow{}).Where("id = ? AND clean = ?", row.ID, string(models.CleanPending)).
			Updates(map[string]any{"clean": string(models.CleanRunning), "updated_at": s.now()})
		if res.Error != nil {
			return false, mapError(res.Error)
		}
		if res.RowsAffected == 0 {
			continue // another instance was quicker
		}
		if err := s.clean(ctx, row.model()); err != nil {
			return false, err
		}
		return true, nil
	}
	return true, nil
}

// clean makes and records one medium's clean copy.
func (s *MediaService) clean(ctx context.Context, m models.Media) error {
	log := s.log.With(slog.Int64("media_id", m.ID), slog.String("content_type", m.ContentType))
	key, err := s.cleanCopy(ctx, m)
	g := s.db.gorm.WithContext(context.WithoutCancel(ctx))
	drop := func() {
		if key != "" {
			s.dropObject(key)
		}
	}
	state := models.CleanDone
	switch {
	case err == nil:
	case ctx.Err() == nil && (errors.Is(err, scrub.ErrUnsupported) || errors.Is(err, errNoClean)):
		log.Info("no clean copy: blind rounds withhold the file", slog.String("reason", err.Error()))
		state, key = models.CleanUnavailable, ""
	default:
		// Shutting down, or the store failed: try again later.
		drop()
		g.Model(&mediaRow{}).Where("id = ? AND clean = ?", m.ID, string(models.CleanRunning)).
			Updates(map[string]any{"clean": string(models.CleanPending), "updated_at": s.now()})
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("clean copy of media %d: %w", m.ID, err)
	}
	res := g.Model(&mediaRow{}).Where("id = ? AND clean = ?", m.ID, string(models.CleanRunning)).
		Updates(map[string]any{"clean": string(state), "clean_key": key, "updated_at": s.now()})
	if res.Error != nil || res.RowsAffected == 0 {
		drop() // deleted meanwhile: the copy must not outlive it
		return nil
	}
	return nil
}

// cleanCopy writes the medium's clean copy and returns its key.
func (s *MediaService) cleanCopy(ctx context.Context, m models.Media) (string, error) {
	var strip func([]byte) ([]byte, error)
	switch m.ContentType {
	case models.TypeJPEG:
		strip = scrub.JPEG
	case models.TypePNG:
		strip = scrub.PNG
	case models.TypeGIF:
		strip = scrub.GIF
	case models.TypeWebP:
		strip = scrub.WebP
	case models.TypePDF:
		strip = scrub.PDF
	case models.TypeHEIC, models.TypeHEIF, models.TypeAVIF:
		return s.cleanWithFFmpeg(ctx, m, m.ObjectKey, "clean.jpg", func(src, dst string) error {
			return s.ffmpegFrame(ctx, src, dst, 0, 16384)
		})
	case models.TypeDOCX, models.TypeXLSX, models.TypePPTX:
		return s.cleanOOXML(ctx, m)
	}
	if m.Kind == models.MediaVideo {
		src := m.ObjectKey
		if m.PlaybackKey != "" {
			src = m.PlaybackKey
		}
		return s.cleanWithFFmpeg(ctx, m, src, "clean.mp4", func(src, dst string) error {
			bin := s.ffmpegPath()
			if bin == "" {
				return errNoFFmpeg
			}
			_, err := runTool(ctx, bin, "-nostdin", "-v", "error", "-y", "-i", src, "-map", "0:v:0", "-map", "0:a:0?",
				"-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact",
				"-movflags", "+faststart", dst)
			return err
		})
	}
	if strip == nil {
		return "", fmt.Errorf("%w: %s files cannot be stripped of their metadata", errNoClean, m.ContentType)
	}
	if m.Size > models.MaxDocumentBytes {
		return "", fmt.Errorf("%w: too large to strip in memory", errNoClean)
	}
	rc, _, err := s.store.Get(ctx, m.ObjectKey, nil)
	if err != nil {
		return "", fmt.Errorf("read the original: %w", err)
	}
	src, err := io.ReadAll(io.LimitReader(rc, models.MaxDocumentBytes+1))
	rc.Close()
	if err != nil {
		return "", fmt.Errorf("read the original: %w", err)
	}
	out, err := strip(src)
	if err != nil {
		return "", err
	}
	key := cleanKey(m, "clean"+extOf(models.CleanType(m)))
	if _, err := s.store.Put(ctx, key, bytes.NewReader(out), int64(len(out)), models.CleanType(m)); err != nil {
		return "", fmt.Errorf("store the clean copy: %w", err)
	}
	return key, nil
}

func cleanKey(m models.Media, name string) string { return fmt.Sprintf("derived/%d/%s", m.ID, name) }

// extOf is the file extension of a clean copy's content type.
func extOf(ct string) string {
	switch ct {
	case models.TypeJPEG:
		return ".jpg"
	case models.TypePNG:
		return ".png"
	case models.TypeGIF:
		return ".gif"
	case models.TypeWebP:
		return ".webp"
	case models.TypePDF:
		return ".pdf"
	case models.TypeMP4:
		return ".mp4"
	case models.TypeDOCX:
		return ".docx"
	case models.TypeXLSX:
		return ".xlsx"
	case models.TypePPTX:
		return ".pptx"
	}
	return ""
}

// download copies an object into a file of dir.
func (s *MediaService) download(ctx context.Context, key, path string) error {
	rc, _, err := s.store.Get(ctx, key, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	defer rc.Close()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return fmt.Errorf("read %s: %w", key, err)
	}
	return f.Close()
}

// putFile stores a file as a clean copy.
func (s *MediaService) putFile(ctx context.Context, key, path, contentType string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if _, err := s.store.Put(ctx, key, f, fi.Size(), contentType); err != nil {
		return fmt.Errorf("store the clean copy: %w", err)
	}
	return nil
}

func (s *MediaService) tempDir(m models.Media) (string, error) {
	tmp := s.cfg.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return "", fmt.Errorf("temporary folder: %w", err)
	}
	return os.MkdirTemp(tmp, fmt.Sprintf("clean-%d-", m.ID))
}

// cleanWithFFmpeg makes a clean copy with ffmpeg: a full-size JPEG of a
// HEIC/AVIF photo, or a video remuxed without its metadata. Whatever
// ffmpeg cannot do is final (errNoClean).
func (s *MediaService) cleanWithFFmpeg(ctx context.Context, m models.Media, srcKey, name string, run func(src, dst string) error) (string, error) {
	dir, err := s.tempDir(m)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	src, dst := filepath.Join(dir, "original"), filepath.Join(dir, name)
	if err := s.download(ctx, srcKey, src); err != nil {
		return "", err
	}
	if err := run(src, dst); err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return "", fmt.Errorf("%w: %w", errNoClean, err)
	}
	key := cleanKey(m, name)
	return key, s.putFile(ctx, key, dst, models.CleanType(m))
}

// cleanOOXML rewrites a Word, Excel or PowerPoint file without its
// properties, streaming from and to temporary files.
func (s *MediaService) cleanOOXML(ctx context.Context, m models.Media) (string, error) {
	dir, err := s.tempDir(m)
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	src, dst := filepath.Join(dir, "original"), filepath.Join(dir, "clean")
	if err := s.download(ctx, m.ObjectKey, src); err != nil {
		return "", err
	}
	in, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return "", err
	}
	out, err := os.Create(dst)
	if err != nil {
		return "", err
	}
	if err := scrub.OOXML(in, fi.Size(), out); err != nil {
		out.Close()
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	key := cleanKey(m, "clean"+extOf(m.ContentType))
	return key, s.putFile(ctx, key, dst, m.ContentType)
}
