package storage

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/models"
	"leitai/storage/objects"
	"leitai/storage/sniff"
)

// MediaStore is the object store media need: plain objects plus uploads
// in parts. Both objects.FS and objects.MinIO are one.
type MediaStore interface {
	objects.Store
	objects.Multipart
}

// MediaConfig configures project media and their background worker.
type MediaConfig struct {
	// TempDir holds the worker's temporary files; it should be on the data
	// disk, not in memory.
	TempDir string
	// DirectUploads offers browsers presigned part URLs, when the store can
	// sign them (MinIO), so that large files skip the server.
	DirectUploads bool
	// Location formats deadlines in messages.
	Location *time.Location
	// FFmpeg and FFprobe are the programs' paths; empty looks them up in
	// PATH when needed.
	FFmpeg, FFprobe string
	// PollInterval is how often the worker looks for work without a wake-up.
	PollInterval time.Duration
	// LinkExpiry is the lifetime of links to media (default 1 hour).
	LinkExpiry time.Duration
	Log        *slog.Logger
}

// MediaService stores project media: resumable uploads in parts, the
// media rows and their objects, and the worker that makes thumbnails,
// posters and browser-playable video.
type MediaService struct {
	db      *DB
	store   MediaStore
	presign objects.PartPresigner
	cfg     MediaConfig
	log     *slog.Logger
	wake    chan struct{}
	now     func() time.Time
}

// NewMediaService builds the media service on db and store.
func NewMediaService(db *DB, store MediaStore, cfg MediaConfig) *MediaService {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 5 * time.Second
	}
	if cfg.LinkExpiry <= 0 {
		cfg.LinkExpiry = time.Hour
	}
	s := &MediaService{db: db, store: store, cfg: cfg, log: cfg.Log.With(slog.String("component", "media")),
		wake: make(chan struct{}, 1), now: db.now}
	if p, ok := store.(objects.PartPresigner); ok && cfg.DirectUploads {
		s.presign = p
	}
	return s
}

// uploadRow is a row of uploads.
type uploadRow struct {
	ID            string `gorm:"primaryKey"`
	ProjectID     int64
	Kind          string
	Filename      string
	ContentType   string
	Size          int64
	ChunkSize     int64
	ObjectKey     string
	StoreUploadID string
	Mode          string
	State         string
	Purpose       string
	CreatedBy     *int64
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

func (uploadRow) TableName() string { return "uploads" }

const (
	uploadOpen       = "open"
	uploadCompleting = "completing"
)

func (r uploadRow) model(parts []int) models.Upload {
	if parts == nil {
		parts = []int{}
	}
	return models.Upload{ID: r.ID, ProjectID: r.ProjectID, Kind: models.MediaKind(r.Kind), Filename: r.Filename,
		ContentType: r.ContentType, Size: r.Size, ChunkSize: r.ChunkSize, ObjectKey: r.ObjectKey,
		StoreUploadID: r.StoreUploadID, Mode: models.UploadMode(r.Mode), CreatedBy: r.CreatedBy,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), Received: parts}
}

type uploadPartRow struct {
	UploadID string `gorm:"primaryKey"`
	Part     int    `gorm:"primaryKey"`
	Size     int64
	ETag     string `gorm:"column:etag"`
	MD5      string `gorm:"column:md5"`
}

func (uploadPartRow) TableName() string { return "upload_parts" }

// storageDown rewrites an unreachable object store into the message a
// person uploading a file needs.
func storageDown(err error) error {
	if models.KindOf(err) == models.KindUnavailable {
		return models.Wrap(models.KindUnavailable,
			"file storage is unavailable right now: the upload is paused, the parts already received are kept; retry in a moment", err)
	}
	return err
}

func newUploadID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// CreateUpload starts a resumable upload into a project the user may
// change. The size is checked against the claimed kind's limit before any
// byte arrives; part 1 decides the real kind.
func (s *MediaService) CreateUpload(ctx context.Context, actor models.Actor, user models.User, projectID int64, in models.NewUploadInput) (models.Upload, error) {
	return s.createUpload(ctx, actor, user, projectID, in, uploadPurpose(in.Purpose))
}

// createUpload is CreateUpload for a purpose decided by the caller (site
// visits set theirs, see CreateVisitUpload).
func (s *MediaService) createUpload(ctx context.Context, actor models.Actor, user models.User, projectID int64, in models.NewUploadInput, purpose string) (models.Upload, error) {
	kind, err := in.Validate()
	if err != nil {
		return models.Upload{}, err
	}
	now := s.now()
	if _, err := s.db.projectForUpload(s.db.gorm.WithContext(ctx), user, projectID, purpose, now, s.cfg.Location); err != nil {
		return models.Upload{}, fmt.Errorf("upload to project %d: %w", projectID, err)
	}
	mode := models.UploadProxy
	if s.presign != nil && in.Mode != models.UploadProxy {
		mode = models.UploadDirect
	}
	row := uploadRow{ID: newUploadID(), ProjectID: projectID, Kind: string(kind), Filename: models.CleanFilename(in.Filename),
		Size: in.Size, ChunkSize: models.ChunkSize, ObjectKey: objects.NewKey("media"), Mode: string(mode),
		State: uploadOpen, Purpose: purpose, CreatedBy: actor.UserID, CreatedAt: now, ExpiresAt: now.Add(models.UploadLifetime)}
	if models.PartCount(row.Size, row.ChunkSize) > objects.MaxParts {
		return models.Upload{}, models.Errorf(models.KindTooLarge, "the file has too many parts")
	}
	storeID, err := s.store.CreateMultipart(ctx, row.ObjectKey, "application/octet-stream")
	if err != nil {
		return models.Upload{}, storageDown(err)
	}
	row.StoreUploadID = storeID
	err = s.db.tx(ctx, func(tx *gorm.DB) error {
		p, err := s.db.projectForUpload(tx, user, projectID, purpose, now, s.cfg.Location)
		if err != nil {
			return err
		}
		if err := s.checkUploadCaps(tx, p, row.Size, now); err != nil {
			return err
		}
		return tx.Create(&row).Error
	})
	if err != nil {
		s.abortQuietly(row.ObjectKey, storeID)
		return models.Upload{}, fmt.Errorf("create upload: %w", err)
	}
	return row.model(nil), nil
}

// checkUploadCaps refuses a new upload beyond the open-upload caps (see
// models.MaxOpenUploads). The project row is locked first on PostgreSQL,
// so concurrent creates for one project are counted one after another.
func (s *MediaService) checkUploadCaps(tx *gorm.DB, p models.Project, size int64, now time.Time) error {
	if s.db.dialect == Postgres {
		if err := tx.Exec("SELECT id FROM projects WHERE id = ? FOR UPDATE", p.ID).Error; err != nil {
			return err
		}
	}
	var open int64
	if err := tx.Model(&uploadRow{}).Where("project_id = ? AND state = ? AND expires_at > ?", p.ID, uploadOpen, now).Count(&open).Error; err != nil {
		return err
	}
	if open >= models.MaxOpenUploads {
		return models.Errorf(models.KindConflict, "this project already has %d uploads in progress: finish or cancel some first", open)
	}
	var declared struct{ N int64 }
	if err := tx.Raw(`SELECT COALESCE(SUM(u.size), 0) AS n FROM uploads u JOIN projects p ON p.id = u.project_id
		WHERE p.unit_id = ? AND u.state = ? AND u.expires_at > ?`, p.UnitID, uploadOpen, now).Scan(&declared).Error; err != nil {
		return err
	}
	if declared.N+size > models.MaxOpenUploadBytesPerUnit {
		return models.Errorf(models.KindConflict, "your unit's uploads in progress already declare %s (at most %s at once): finish or cancel some first",
			models.HumanBytes(declared.N), models.HumanBytes(models.MaxOpenUploadBytesPerUnit))
	}
	return nil
}

// abortQuietly gives up a store upload whose row could not be written.
func (s *MediaService) abortQuietly(key, storeID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.store.AbortMultipart(ctx, key, storeID); err != nil {
		s.log.Warn("abort store upload", slog.String("key", key), slog.Any("error", err))
	}
}

// loadUpload reads an upload the user may see (through its project).
func (s *MediaService) loadUpload(tx *gorm.DB, user models.User, id string) (uploadRow, []uploadPartRow, error) {
	var row uploadRow
	if len(id) != 32 {
		return row, nil, models.Errorf(models.KindNotFound, "no upload %q", id)
	}
	if err := tx.Take(&row, "id = ?", id).Error; err != nil {
		if errors.Is(mapError(err), models.ErrNotFound) {
			return row, nil, models.Errorf(models.KindNotFound, "no upload %q (finished, cancelled or expired)", id)
		}
		return row, nil, mapError(err)
	}
	if _, _, err := s.db.projectScope(tx, user, row.ProjectID); err != nil && !ownVisitUpload(row, user) {
		return row, nil, models.Errorf(models.KindNotFound, "no upload %q", id)
	}
	// A site-visit photo being uploaded is the expert's (and the admins'):
	// the project's unit never sees it, as it never sees the photo after.
	if row.Purpose == MediaPurposeVisit && !ownVisitUpload(row, user) && !user.HasRole(models.RoleAdmin) {
		return row, nil, models.Errorf(models.KindNotFound, "no upload %q", id)
	}
	var parts []uploadPartRow
	if err := tx.Where("upload_id = ?", id).Order("part").Find(&parts).Error; err != nil {
		return row, nil, mapError(err)
	}
	return row, parts, nil
}

// changeableUpload loads an open upload the user may still change.
func (s *MediaService) changeableUpload(ctx context.Context, user models.User, id string) (uploadRow, []uploadPartRow, error) {
	tx := s.db.gorm.WithContext(ctx)
	row, parts, err := s.loadUpload(tx, user, id)
	if err != nil {
		return row, nil, err
	}
	if _, err := s.db.projectForUpload(tx, user, row.ProjectID, uploadPurpose(row.Purpose), s.now(), s.cfg.Location); err != nil {
		return row, nil, err
	}
	if row.State != uploadOpen {
		return row, nil, models.Errorf(models.KindConflict, "the upload is being completed")
	}
	if s.now().After(row.ExpiresAt) {
		return row, nil, models.Errorf(models.KindNotFound, "the upload expired: start it again")
	}
	return row, parts, nil
}

func partNumbers(parts []uploadPartRow) []int {
	out := make([]int, len(parts))
	for i, p := range parts {
		out[i] = p.Part
	}
	return out
}

// Upload returns an upload with the parts received so far, for resuming.
func (s *MediaService) Upload(ctx context.Context, user models.User, id string) (models.Upload, error) {
	row, parts, err := s.loadUpload(s.db.gorm.WithContext(ctx), user, id)
	if err != nil {
		return models.Upload{}, err
	}
	return row.model(partNumbers(parts)), nil
}

// ListUploads returns a project's unfinished uploads, newest first, so a
// reloaded page can offer to resume them.
func (s *MediaService) ListUploads(ctx context.Context, user models.User, projectID int64) ([]models.Upload, error) {
	tx := s.db.gorm.WithContext(ctx)
	if _, _, err := s.db.projectScope(tx, user, projectID); err != nil {
		return nil, fmt.Errorf("project %d: %w", projectID, err)
	}
	var rows []uploadRow
	q := tx.Where("project_id = ? AND expires_at > ?", projectID, s.now())
	if !user.HasRole(models.RoleAdmin) {
		q = q.Where("purpose <> ?", MediaPurposeVisit) // the panel's, never the unit's
	}
	if err := q.Order("created_at DESC").Find(&rows).Error; err != nil {
		return nil, mapError(err)
	}
	out := make([]models.Upload, 0, len(rows))
	for _, r := range rows {
		var parts []uploadPartRow
		if err := tx.Where("upload_id = ?", r.ID).Order("part").Find(&parts).Error; err != nil {
			return nil, mapError(err)
		}
		out = append(out, r.model(partNumbers(parts)))
	}
	return out, nil
}

// firstPartRule keeps part 1 first: it decides the file's type before any
// other byte is accepted.
func firstPartRule(n int, parts []uploadPartRow) error {
	if n > 1 && (len(parts) == 0 || parts[0].Part != 1) {
		return models.Errorf(models.KindConflict, "send part 1 first: it decides the file type; then the other parts in any order")
	}
	return nil
}

// PutPart stores part n of an upload from r (exactly the part's size),
// checked against md5sum as it streams into the store. Part 1 is sniffed
// as it arrives: content that is not an allowed type ends the upload (415).
// Sending a part again replaces it.
func (s *MediaService) PutPart(ctx context.Context, user models.User, id string, n int, r io.Reader, size int64, md5sum []byte) (models.Upload, error) {
	row, parts, err := s.changeableUpload(ctx, user, id)
	if err != nil {
		return models.Upload{}, err
	}
	up := row.model(nil)
	want, err := up.PartSize(n)
	if err != nil {
		return models.Upload{}, err
	}
	if size != want {
		return models.Upload{}, models.Errorf(models.KindInvalid, "part %d must be exactly %d bytes (got %d)", n, want, size)
	}
	if err := firstPartRule(n, parts); err != nil {
		return models.Upload{}, err
	}
	var verdict sniff.Verdict
	if n == 1 {
		head := make([]byte, min(int64(sniff.SniffBytes), size))
		if _, err := io.ReadFull(r, head); err != nil {
			return models.Upload{}, models.Errorf(models.KindInvalid, "part 1 ends early: %v", err)
		}
		if verdict, err = s.judge(ctx, row, head); err != nil {
			return models.Upload{}, err
		}
		if seeker, ok := r.(io.Seeker); ok {
			if _, err := seeker.Seek(0, io.SeekStart); err != nil {
				return models.Upload{}, err
			}
		} else {
			r = io.MultiReader(bytes.NewReader(head), r)
		}
	}
	part, err := s.store.PutPart(ctx, row.ObjectKey, row.StoreUploadID, n, r, size, md5sum)
	if err != nil {
		return models.Upload{}, storageDown(err)
	}
	return s.recordPart(ctx, row, part, verdict)
}

// judge sniffs the head of part 1; content that is not allowed (or over
// its real kind's limit) ends the upload.
func (s *MediaService) judge(ctx context.Context, row uploadRow, head []byte) (sniff.Verdict, error) {
	verdict, err := sniff.Sniff(head)
	if err == nil {
		err = verdict.Kind.CheckSize(row.Size)
	}
	if err != nil {
		s.discardUpload(ctx, row)
		return verdict, err
	}
	return verdict, nil
}

// discardUpload removes an upload, its parts and its row.
func (s *MediaService) discardUpload(ctx context.Context, row uploadRow) {
	if err := s.store.AbortMultipart(ctx, row.ObjectKey, row.StoreUploadID); err != nil {
		s.log.Warn("abort upload", slog.String("upload", row.ID), slog.Any("error", err))
	}
	if err := s.db.gorm.WithContext(ctx).Delete(&uploadRow{}, "id = ?", row.ID).Error; err != nil {
		s.log.Warn("delete upload row", slog.String("upload", row.ID), slog.Any("error", err))
	}
}

// recordPart notes a stored part (replacing an earlier copy) and, for part
// 1, the sniffed kind and type; every part keeps the upload alive a day.
func (s *MediaService) recordPart(ctx context.Context, row uploadRow, part models.UploadPart, verdict sniff.Verdict) (models.Upload, error) {
	var out models.Upload
	err := s.db.tx(ctx, func(tx *gorm.DB) error {
		updates := map[string]any{"expires_at": s.now().Add(models.UploadLifetime)}
		if verdict.ContentType != "" {
			updates["kind"], updates["content_type"] = string(verdict.Kind), verdict.ContentType
		}
		res := tx.Model(&uploadRow{}).Where("id = ? AND state = ?", row.ID, uploadOpen).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.KindNotFound, "the upload was cancelled or completed meanwhile")
		}
		p := uploadPartRow{UploadID: row.ID, Part: part.Number, Size: part.Size, ETag: part.ETag, MD5: part.MD5}
		if err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "upload_id"}, {Name: "part"}},
			DoUpdates: clause.AssignmentColumns([]string{"size", "etag", "md5"}),
		}).Create(&p).Error; err != nil {
			return err
		}
		var fresh uploadRow
		if err := tx.Take(&fresh, "id = ?", row.ID).Error; err != nil {
			return err
		}
		var nums []int
		if err := tx.Model(&uploadPartRow{}).Where("upload_id = ?", row.ID).Order("part").Pluck("part", &nums).Error; err != nil {
			return err
		}
		out = fresh.model(nums)
		return nil
	})
	if err != nil {
		return models.Upload{}, fmt.Errorf("record part %d: %w", part.Number, err)
	}
	return out, nil
}

// PresignPart returns a signed URL on which the browser PUTs part n (n ≥
// 2: part 1 always goes through the server, which sniffs it) with the
// given MD5 as Content-MD5.
func (s *MediaService) PresignPart(ctx context.Context, user models.User, id string, n int, md5sum []byte) (models.PresignedPart, error) {
	row, parts, err := s.changeableUpload(ctx, user, id)
	if err != nil {
		return models.PresignedPart{}, err
	}
	if s.presign == nil || row.Mode != string(models.UploadDirect) {
		return models.PresignedPart{}, models.Errorf(models.KindConflict, "this upload goes through the server: PUT the part to /api/v1/uploads/%s/parts/%d", id, n)
	}
	if _, err := row.model(nil).PartSize(n); err != nil {
		return models.PresignedPart{}, err
	}
	if n == 1 {
		return models.PresignedPart{}, models.Errorf(models.KindConflict, "part 1 goes through the server, which checks the file type: PUT it to /api/v1/uploads/%s/parts/1", id)
	}
	if err := firstPartRule(n, parts); err != nil {
		return models.PresignedPart{}, err
	}
	if len(md5sum) != 16 {
		return models.PresignedPart{}, models.Invalid("bad checksum", map[string]string{"md5": "the part's MD5, base64 (as in Content-MD5)"})
	}
	p, err := s.presign.PresignPart(ctx, row.ObjectKey, row.StoreUploadID, n, md5sum, 15*time.Minute)
	if err != nil {
		return models.PresignedPart{}, storageDown(err)
	}
	return p, nil
}

// PartDone records a part the browser sent straight to the store, after
// checking that the store holds it with the reported ETag and the expected
// size.
func (s *MediaService) PartDone(ctx context.Context, user models.User, id string, n int, etag string) (models.Upload, error) {
	row, parts, err := s.changeableUpload(ctx, user, id)
	if err != nil {
		return models.Upload{}, err
	}
	want, err := row.model(nil).PartSize(n)
	if err != nil {
		return models.Upload{}, err
	}
	if err := firstPartRule(n, parts); err != nil {
		return models.Upload{}, err
	}
	etag = strings.Trim(strings.TrimSpace(etag), `"`)
	if etag == "" {
		return models.Upload{}, models.Invalid("the ETag is missing", map[string]string{"etag": "the ETag header of the part's PUT response"})
	}
	stored, err := s.store.ListParts(ctx, row.ObjectKey, row.StoreUploadID)
	if err != nil {
		return models.Upload{}, storageDown(err)
	}
	i := slices.IndexFunc(stored, func(p models.UploadPart) bool { return p.Number == n })
	if i < 0 || stored[i].ETag != etag {
		return models.Upload{}, models.Errorf(models.KindInvalid, "part %d is not in storage with ETag %s: send it again", n, etag)
	}
	if stored[i].Size != want {
		return models.Upload{}, models.Errorf(models.KindInvalid, "part %d has %d bytes in storage, not %d: send it again", n, stored[i].Size, want)
	}
	return s.recordPart(ctx, row, stored[i], sniff.Verdict{})
}

// AbortUpload cancels an upload and removes its parts.
func (s *MediaService) AbortUpload(ctx context.Context, user models.User, id string) error {
	row, _, err := s.loadUpload(s.db.gorm.WithContext(ctx), user, id)
	if err != nil {
		return err
	}
	if row.State != uploadOpen {
		return models.Errorf(models.KindConflict, "the upload is being completed")
	}
	if err := s.store.AbortMultipart(ctx, row.ObjectKey, row.StoreUploadID); err != nil {
		return storageDown(err)
	}
	if err := s.db.gorm.WithContext(ctx).Delete(&uploadRow{}, "id = ?", id).Error; err != nil {
		return mapError(err)
	}
	return nil
}

// CompleteUpload checks that every part arrived with the right size (the
// recorded part list, no read-back), joins the parts in the store, and in
// one transaction records the medium and its audit entry. When that
// transaction fails the object is deleted: never a media row without its
// object, nor an object without its row.
func (s *MediaService) CompleteUpload(ctx context.Context, actor models.Actor, user models.User, id string) (models.Media, error) {
	row, parts, err := s.changeableUpload(ctx, user, id)
	if err != nil {
		return models.Media{}, err
	}
	up := row.model(partNumbers(parts))
	var missing []string
	var list []models.UploadPart
	var total int64
	byNumber := map[int]uploadPartRow{}
	for _, p := range parts {
		byNumber[p.Part] = p
	}
	for n := 1; n <= up.Parts(); n++ {
		p, ok := byNumber[n]
		want, _ := up.PartSize(n)
		if !ok || p.Size != want {
			missing = append(missing, strconv.Itoa(n))
			continue
		}
		list = append(list, models.UploadPart{Number: n, Size: p.Size, ETag: p.ETag, MD5: p.MD5})
		total += p.Size
	}
	if len(missing) > 0 {
		shown := missing
		if len(shown) > 20 {
			shown = append(shown[:20:20], "…")
		}
		return models.Media{}, models.Invalid("the upload is incomplete: send the missing parts, then complete it",
			map[string]string{"parts": "missing: " + strings.Join(shown, ", ")})
	}
	if total != row.Size || row.ContentType == "" {
		return models.Media{}, models.Errorf(models.KindInvalid, "the parts add up to %d bytes, not %d", total, row.Size)
	}
	// One completion at a time: claim the upload.
	res := s.db.gorm.WithContext(ctx).Model(&uploadRow{}).Where("id = ? AND state = ?", id, uploadOpen).Update("state", uploadCompleting)
	if res.Error != nil {
		return models.Media{}, mapError(res.Error)
	}
	if res.RowsAffected == 0 {
		return models.Media{}, models.Errorf(models.KindConflict, "the upload is already being completed")
	}
	reopen := func() {
		_ = s.db.gorm.WithContext(context.WithoutCancel(ctx)).Model(&uploadRow{}).Where("id = ?", id).Update("state", uploadOpen).Error
	}
	if _, err := s.store.CompleteMultipart(ctx, row.ObjectKey, row.StoreUploadID, list); err != nil {
		reopen()
		return models.Media{}, storageDown(err)
	}
	verdict := sniff.Verdict{Kind: models.MediaKind(row.Kind), ContentType: row.ContentType}
	if verdict.Pending() {
		if verdict, err = s.resolvePending(ctx, row); err != nil {
			// The parts are joined now, so the upload cannot be resumed:
			// the object goes, and the browser starts again if it can.
			s.dropObject(row.ObjectKey)
			_ = s.db.gorm.WithContext(context.WithoutCancel(ctx)).Delete(&uploadRow{}, "id = ?", id).Error
			if models.KindOf(err) != models.KindUnsupportedMedia {
				err = fmt.Errorf("check the document's type: %w", storageDown(err))
			}
			return models.Media{}, err
		}
	}
	processing := models.ProcessingNone
	if verdict.Kind == models.MediaImage || verdict.Kind == models.MediaVideo {
		processing = models.ProcessingPending
	}
	now := s.now()
	m := mediaRow{ProjectID: row.ProjectID, Kind: string(verdict.Kind), Filename: row.Filename, ContentType: verdict.ContentType,
		Size: row.Size, ObjectKey: row.ObjectKey, Processing: string(processing), Clean: string(models.CleanPending), Purpose: uploadPurpose(row.Purpose), CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	err = s.db.tx(ctx, func(tx *gorm.DB) error {
		del := tx.Delete(&uploadRow{}, "id = ? AND state = ?", id, uploadCompleting)
		if del.Error != nil {
			return del.Error
		}
		if del.RowsAffected != 1 {
			return models.Errorf(models.KindConflict, "the upload was cancelled meanwhile")
		}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		return s.db.appendAudit(tx, models.AuditRecord{Actor: actor, Action: "media.create", Entity: "media",
			EntityID: idString(m.ID), After: mediaAudit(m.model())})
	})
	if err != nil {
		// The row is not there, so neither may the object be. Should the
		// delete fail too, the upload row (still 'completing') names the
		// object and the expiry sweep deletes it.
		if derr := s.store.Delete(context.WithoutCancel(ctx), row.ObjectKey); derr == nil {
			_ = s.db.gorm.WithContext(context.WithoutCancel(ctx)).Delete(&uploadRow{}, "id = ?", id).Error
		} else {
			s.log.Warn("could not delete the object of a failed completion; the expiry sweep will",
				slog.String("key", row.ObjectKey), slog.Any("error", derr))
		}
		return models.Media{}, fmt.Errorf("complete upload: %w", err)
	}
	s.Wake() // thumbnails, and the clean copy every medium gets
	return m.model(), nil
}

// resolvePending decides a ZIP or OLE2 file whose first chunk did not show
// its type, with ranged reads of its directory (never the whole file).
func (s *MediaService) resolvePending(ctx context.Context, row uploadRow) (sniff.Verdict, error) {
	read := func(start, end int64) ([]byte, error) {
		rc, _, err := s.store.Get(ctx, row.ObjectKey, &models.ByteRange{Start: start, End: end - 1})
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, end-start))
	}
	switch row.ContentType {
	case models.TypeZipPending:
		start := max(0, row.Size-sniff.ZipTailBytes)
		tail, err := read(start, row.Size)
		if err != nil {
			return sniff.Verdict{}, err
		}
		cdStart, cdEnd, dir, err := sniff.ZipDirectory(tail, row.Size)
		if err != nil {
			return sniff.Verdict{}, err
		}
		if dir == nil {
			if dir, err = read(cdStart, cdEnd); err != nil {
				return sniff.Verdict{}, err
			}
		}
		return sniff.ResolveZip(dir)
	case models.TypeOLEPending:
		head, err := read(0, min(512, row.Size))
		if err != nil {
			return sniff.Verdict{}, err
		}
		start, end, err := sniff.OLEDirectory(head)
		if err != nil {
			return sniff.Verdict{}, err
		}
		if end > row.Size {
			return sniff.ResolveOLE(nil)
		}
		sector, err := read(start, end)
		if err != nil {
			return sniff.Verdict{}, err
		}
		return sniff.ResolveOLE(sector)
	}
	return sniff.Verdict{Kind: models.MediaKind(row.Kind), ContentType: row.ContentType}, nil
}

// dropObject deletes an object nobody will record, or leaves it to the
// trash sweep.
func (s *MediaService) dropObject(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.store.Delete(ctx, key); err != nil {
		_ = s.db.gorm.WithContext(ctx).Create(&trashRow{ObjectKey: key, CreatedAt: s.now()}).Error
	}
}
