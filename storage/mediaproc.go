package storage

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	// Decoders for thumbnails.
	_ "image/gif"
	_ "image/png"

	_ "golang.org/x/image/webp"

	"leitai/models"
)

const (
	// thumbSide is the longest side of a thumbnail, in pixels.
	thumbSide = 480
	// posterSide is the longest side of a video's poster frame.
	posterSide = 1280
	// maxDecodePixels is the largest picture decoded in this process (a
	// 40-megapixel photo takes about 60 MiB as YCbCr); larger ones go to
	// ffmpeg, in its own process.
	maxDecodePixels = 40_000_000
	// staleAfter is how long a running job may go without a sign of life
	// before another worker takes it over (its worker died).
	staleAfter = 15 * time.Minute
	// sweepEvery spaces the clean-up of expired uploads and deleted objects.
	sweepEvery = time.Minute
)

// Wake tells the worker that there is new work, without waiting for its
// next poll.
func (s *MediaService) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Start runs the worker until ctx ends or the returned stop function is
// called; stop waits for the worker to finish its current step.
func (s *MediaService) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.Run(ctx)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

// Run is the media worker: it processes pending media one at a time (a
// claim by conditional update, so that several instances never process the
// same medium), then makes the clean copies still missing (CleanNext), and
// every minute aborts uploads past their expiry and
// deletes objects left in object_trash.
func (s *MediaService) Run(ctx context.Context) {
	s.log.Info("media worker started", slog.String("ffmpeg", s.ffmpegPath()))
	ticker := time.NewTicker(s.cfg.PollInterval)
	defer ticker.Stop()
	var lastSweep time.Time
	for {
		if time.Since(lastSweep) >= sweepEvery {
			s.Sweep(ctx)
			lastSweep = time.Now()
		}
		for ctx.Err() == nil {
			worked, err := s.ProcessNext(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("media worker", slog.Any("error", err))
			}
			if !worked {
				break
			}
		}
		for ctx.Err() == nil {
			worked, err := s.CleanNext(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("media worker: clean copies", slog.Any("error", err))
			}
			if !worked {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-s.wake:
		}
	}
}

// Sweep aborts uploads past their expiry (removing their parts and any
// object a crashed completion left) and deletes the objects listed in
// object_trash.
func (s *MediaService) Sweep(ctx context.Context) {
	now := s.now()
	var ups []uploadRow
	err := s.db.gorm.WithContext(ctx).
		Where("(state = ? AND expires_at < ?) OR (state = ? AND expires_at < ?)", uploadOpen, now, uploadCompleting, now.Add(-time.Hour)).
		Limit(100).Find(&ups).Error
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("sweep uploads", slog.Any("error", err))
		}
		return
	}
	for _, u := range ups {
		if err := s.store.AbortMultipart(ctx, u.ObjectKey, u.StoreUploadID); err != nil {
			s.log.Warn("abort expired upload", slog.String("upload", u.ID), slog.Any("error", err))
			continue
		}
		// No media row names the key while the upload row exists (they
		// change hands in one transaction), so the object can go.
		if err := s.store.Delete(ctx, u.ObjectKey); err != nil {
			s.log.Warn("delete object of expired upload", slog.String("upload", u.ID), slog.Any("error", err))
			continue
		}
		if err := s.db.gorm.WithContext(ctx).Delete(&uploadRow{}, "id = ?", u.ID).Error; err != nil {
			s.log.Warn("delete expired upload", slog.String("upload", u.ID), slog.Any("error", err))
			continue
		}
		s.log.Info("expired upload removed", slog.String("upload", u.ID), slog.Int64("project_id", u.ProjectID))
	}
	var trash []trashRow
	if err := s.db.gorm.WithContext(ctx).Order("id").Limit(200).Find(&trash).Error; err != nil {
		return
	}
	for _, t := range trash {
		s.deleteTrash(ctx, t)
	}
}

// ProcessNext claims one pending medium and processes it. It reports
// whether it found one.
func (s *MediaService) ProcessNext(ctx context.Context) (bool, error) {
	g := s.db.gorm.WithContext(ctx)
	now := s.now()
	// A job whose worker died goes back in the queue.
	if err := g.Model(&mediaRow{}).Where("processing = ? AND updated_at < ?", string(models.ProcessingRunning), now.Add(-staleAfter)).
		Updates(map[string]any{"processing": string(models.ProcessingPending), "updated_at": now}).Error; err != nil {
		return false, mapError(err)
	}
	for range 5 {
		var row mediaRow
		err := g.Where("processing = ?", string(models.ProcessingPending)).Order("id").Limit(1).Take(&row).Error
		if err != nil {
			if errors.Is(mapError(err), models.ErrNotFound) {
				return false, nil
			}
			return false, mapError(err)
		}
		res := g.Model(&mediaRow{}).Where("id = ? AND processing = ?", row.ID, string(models.ProcessingPending)).
			Updates(map[string]any{"processing": string(models.ProcessingRunning), "progress": 0, "process_error": "", "updated_at": s.now()})
		if res.Error != nil {
			return false, mapError(res.Error)
		}
		if res.RowsAffected == 0 {
			continue // another instance was quicker
		}
		s.process(ctx, row.model())
		return true, nil
	}
	return true, nil
}

// job is one medium being processed.
type job struct {
	s       *MediaService
	m       models.Media
	dir     string
	derived map[string]string // column → key written
	cancel  context.CancelFunc
	mu      sync.Mutex
	last    time.Time
}

func (s *MediaService) process(ctx context.Context, m models.Media) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	log := s.log.With(slog.Int64("media_id", m.ID), slog.String("kind", string(m.Kind)))
	start := time.Now()
	j := &job{s: s, m: m, derived: map[string]string{}, cancel: cancel}
	err := j.run(ctx)
	if j.dir != "" {
		os.RemoveAll(j.dir)
	}
	if ctx.Err() != nil && err != nil {
		// Shutting down or the medium was deleted: leave the row to be
		// taken over, drop what was written.
		j.dropDerived()
		return
	}
	g := s.db.gorm.WithContext(context.WithoutCancel(ctx))
	if err != nil {
		msg := err.Error()
		log.Warn("media processing failed", slog.String("error", msg))
		res := g.Model(&mediaRow{}).Where("id = ? AND processing = ?", m.ID, string(models.ProcessingRunning)).
			Updates(map[string]any{"processing": string(models.ProcessingFailed), "process_error": clip(msg, 500), "updated_at": s.now()})
		if res.Error == nil && res.RowsAffected == 0 {
			j.dropDerived()
		}
		return
	}
	updates := map[string]any{"processing": string(models.ProcessingDone), "progress": 100, "process_error": "", "updated_at": s.now()}
	for col, key := range j.derived {
		updates[col] = key
	}
	res := g.Model(&mediaRow{}).Where("id = ? AND processing = ?", m.ID, string(models.ProcessingRunning)).Updates(updates)
	if res.Error != nil || res.RowsAffected == 0 {
		// Deleted meanwhile: its derivatives must not outlive it.
		j.dropDerived()
		return
	}
	log.Info("media processed", slog.Duration("took", time.Since(start)))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// dropDerived deletes the derivatives this job wrote.
func (j *job) dropDerived() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, key := range j.derived {
		if err := j.s.store.Delete(ctx, key); err != nil {
			_ = j.s.db.gorm.WithContext(ctx).Create(&trashRow{ObjectKey: key, CreatedAt: j.s.now()}).Error
		}
	}
}

// progress records how far the job is (at most every two seconds); a
// medium deleted meanwhile cancels the job.
func (j *job) progress(pct int) {
	j.mu.Lock()
	if time.Since(j.last) < 2*time.Second {
		j.mu.Unlock()
		return
	}
	j.last = time.Now()
	j.mu.Unlock()
	pct = min(max(pct, 0), 99)
	res := j.s.db.gorm.Model(&mediaRow{}).Where("id = ? AND processing = ?", j.m.ID, string(models.ProcessingRunning)).
		Updates(map[string]any{"progress": pct, "updated_at": j.s.now()})
	if res.Error == nil && res.RowsAffected == 0 {
		j.cancel()
	}
}

func (j *job) run(ctx context.Context) error {
	tmp := j.s.cfg.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return fmt.Errorf("temporary folder: %w", err)
	}
	dir, err := os.MkdirTemp(tmp, fmt.Sprintf("media-%d-", j.m.ID))
	if err != nil {
		return fmt.Errorf("temporary folder: %w", err)
	}
	j.dir = dir
	switch j.m.Kind {
	case models.MediaImage:
		return j.image(ctx)
	case models.MediaVideo:
		return j.video(ctx)
	}
	return nil
}

// fetch copies the original into the job's folder, streaming.
func (j *job) fetch(ctx context.Context) (string, error) {
	rc, _, err := j.s.store.Get(ctx, j.m.ObjectKey, nil)
	if err != nil {
		return "", fmt.Errorf("read the original: %w", err)
	}
	defer rc.Close()
	path := filepath.Join(j.dir, "original")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		return "", fmt.Errorf("read the original: %w", err)
	}
	return path, f.Close()
}

// store puts a derivative under derived/<media id>/name.
func (j *job) store(ctx context.Context, column, path, name, contentType string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	key := fmt.Sprintf("derived/%d/%s", j.m.ID, name)
	if _, err := j.s.store.Put(ctx, key, f, fi.Size(), contentType); err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	j.derived[column] = key
	return nil
}

// ---- photos ----

func (j *job) image(ctx context.Context) error {
	src, err := j.fetch(ctx)
	if err != nil {
		return err
	}
	thumb := filepath.Join(j.dir, "thumb.jpg")
	switch j.m.ContentType {
	case models.TypeJPEG, models.TypePNG, models.TypeGIF, models.TypeWebP:
		err = goThumbnail(src, thumb, thumbSide)
		if errors.Is(err, errTooManyPixels) {
			err = j.s.ffmpegFrame(ctx, src, thumb, 0, thumbSide)
		}
	default: // HEIC, HEIF, AVIF: only ffmpeg reads them
		err = j.s.ffmpegFrame(ctx, src, thumb, 0, thumbSide)
	}
	if err != nil {
		return fmt.Errorf("could not make a thumbnail: %w", err)
	}
	return j.store(ctx, "thumb_key", thumb, "thumb.jpg", models.TypeJPEG)
}

// ---- video ----

func (j *job) video(ctx context.Context) error {
	ffmpeg, ffprobe := j.s.ffmpegPath(), j.s.ffprobePath()
	if ffmpeg == "" || ffprobe == "" {
		return errNoFFmpeg
	}
	src, err := j.fetch(ctx)
	if err != nil {
		return err
	}
	out, err := runTool(ctx, ffprobe, "-v", "error", "-print_format", "json", "-show_format", "-show_streams", src)
	if err != nil {
		return fmt.Errorf("the video cannot be read: %w", err)
	}
	var p probe
	if err := json.Unmarshal(out, &p); err != nil {
		return fmt.Errorf("the video cannot be read: %w", err)
	}
	if v, _ := p.codec("video"); v == "" {
		return errors.New("the file has no video stream")
	}
	dur := p.seconds()
	poster := filepath.Join(j.dir, "poster.jpg")
	at := min(1.0, dur/3)
	if err := j.s.ffmpegFrame(ctx, src, poster, at, posterSide); err != nil {
		return fmt.Errorf("could not take a poster frame: %w", err)
	}
	if err := j.store(ctx, "poster_key", poster, "poster.jpg", models.TypeJPEG); err != nil {
		return err
	}
	thumb := filepath.Join(j.dir, "thumb.jpg")
	if err := goThumbnail(poster, thumb, thumbSide); err != nil {
		return fmt.Errorf("could not make a thumbnail: %w", err)
	}
	if err := j.store(ctx, "thumb_key", thumb, "thumb.jpg", models.TypeJPEG); err != nil {
		return err
	}
	playable := p.browserPlayable()
	if playable && j.m.ContentType == models.TypeMP4 {
		return nil // plays as it is
	}
	play := filepath.Join(j.dir, "play.mp4")
	args := []string{"-nostdin", "-v", "error", "-y", "-i", src, "-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn"}
	if playable {
		// The right codecs in a container browsers do not all take (MOV,
		// 3GP): a copy into MP4, seconds long.
		args = append(args, "-c", "copy")
	} else {
		args = append(args, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
			"-vf", scaleFilter(1920), "-c:a", "aac", "-b:a", "128k")
	}
	args = append(args, "-movflags", "+faststart", "-progress", "pipe:1", "-nostats", play)
	if err := j.transcode(ctx, ffmpeg, args, dur); err != nil {
		return fmt.Errorf("could not convert the video for browsers: %w", err)
	}
	return j.store(ctx, "playback_key", play, "play.mp4", models.TypeMP4)
}

// transcode runs ffmpeg and turns its -progress output into the medium's
// progress.
func (j *job) transcode(ctx context.Context, bin string, args []string, seconds float64) error {
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{max: 4096, buf: &stderr}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k != "out_time_us" || seconds <= 0 {
			continue
		}
		if us, err := strconv.ParseInt(v, 10, 64); err == nil && us > 0 {
			j.progress(int(float64(us) / (seconds * 1e6) * 100))
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("ffmpeg: %w: %s", err, lastLine(stderr.String()))
	}
	return nil
}
