package storage

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage/objects"
)

// testDeleteDraft: a unit deletes its own never-submitted draft (files
// and all, audited); another unit's is not found; a submitted one stays.
func testDeleteDraft(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	other := mustUnit(t, db, &city, models.UnitCounty, "龙门县")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 1)
	owner := mustUser(t, db, "draft-owner", []models.Role{models.RoleUnit}, &county)
	stranger := mustUser(t, db, "draft-stranger", []models.Role{models.RoleUnit}, &other)
	store, err := objects.NewFS(filepath.Join(t.TempDir(), "media"), []byte("0123456789abcdef-secret"), "")
	if err != nil {
		t.Fatal(err)
	}
	media := NewMediaService(db, store, MediaConfig{TempDir: t.TempDir(), Location: shanghai})
	p, err := db.CreateProject(ctx, cli, owner, e.ID, completeFields("误建的项目"), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	attachMedia(t, db, p.ID)
	// The quota (1) is spent: a second project is refused until the draft goes.
	if _, err := db.CreateProject(ctx, cli, owner, e.ID, completeFields("第二个"), shanghai); err == nil {
		t.Fatal("the quota of 1 allowed a second project")
	}
	if err := media.DeleteDraft(ctx, cli, stranger, p.ID); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("another unit deleting the draft: %v", err)
	}
	// An upload being completed (claimed, its parts joining in the store)
	// holds the draft: 409, and nothing of the draft is gone.
	up := uploadRow{ID: "completing-upload", ProjectID: p.ID, Kind: "image", Filename: "a.jpg", ContentType: "image/jpeg",
		Size: 10, ChunkSize: 10, ObjectKey: "projects/x/a.jpg", StoreUploadID: "s", Mode: "multipart", State: uploadCompleting,
		Purpose: "application", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := db.gorm.Create(&up).Error; err != nil {
		t.Fatal(err)
	}
	if err := media.DeleteDraft(ctx, cli, owner, p.ID); models.KindOf(err) != models.KindConflict {
		t.Fatalf("deleting a draft while its upload completes: %v", err)
	}
	if _, err := db.ProjectByID(ctx, owner, p.ID); err != nil {
		t.Fatalf("a refused delete took the draft: %v", err)
	}
	// Once the completion gave up (the row is open again), the delete goes
	// through and takes the unfinished upload with it.
	if err := db.gorm.Model(&uploadRow{}).Where("id = ?", up.ID).Update("state", uploadOpen).Error; err != nil {
		t.Fatal(err)
	}
	if err := media.DeleteDraft(ctx, cli, owner, p.ID); err != nil {
		t.Fatal(err)
	}
	var left int64
	if err := db.gorm.Model(&uploadRow{}).Where("project_id = ?", p.ID).Count(&left).Error; err != nil || left != 0 {
		t.Fatalf("uploads left after the delete: %d %v", left, err)
	}
	if _, err := db.ProjectByID(ctx, owner, p.ID); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("the deleted draft is still there: %v", err)
	}
	q, err := db.CreateProject(ctx, cli, owner, e.ID, completeFields("重新申报"), shanghai)
	if err != nil {
		t.Fatalf("the quota place came back: %v", err)
	}
	attachMedia(t, db, q.ID)
	if _, err := db.SubmitProject(ctx, cli, owner, q.ID, shanghai); err != nil {
		t.Fatal(err)
	}
	if err := media.DeleteDraft(ctx, cli, owner, q.ID); models.KindOf(err) != models.KindConflict {
		t.Fatalf("deleting a submitted project: %v", err)
	}
	entries, err := db.ListAudit(ctx, models.AuditFilter{Entity: "project", EntityID: idString(p.ID)})
	if err != nil || len(entries) == 0 || entries[0].Action != "project.delete" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
}
