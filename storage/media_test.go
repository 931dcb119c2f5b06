package storage

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage/objects"
	"leitai/storage/scrub/scrubtest"
	"leitai/storage/storagetest"
)

// mediaFixture is one project with the people around it.
type mediaFixture struct {
	db                     *DB
	store                  MediaStore
	svc                    *MediaService
	unit, other, admin     models.User
	expert                 models.User
	project                models.Project
	edition                models.Edition
	actorUnit, actorAdmin  models.Actor
	closedProject          models.Project
	closedEditionProjectID int64
}

func newMediaFixture(t *testing.T, db *DB, store MediaStore, direct bool) *mediaFixture {
	t.Helper()
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	town := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	other := mustUnit(t, db, &city, models.UnitCounty, "龙门县")
	f := &mediaFixture{db: db, store: store}
	f.unit = mustUser(t, db, "boluo", []models.Role{models.RoleUnit}, &town)
	f.other = mustUser(t, db, "longmen", []models.Role{models.RoleUnit}, &other)
	f.admin = mustUser(t, db, "admin1", []models.Role{models.RoleAdmin}, nil)
	f.expert = mustUser(t, db, "expert1", []models.Role{models.RoleExpert}, nil)
	f.actorUnit = models.Actor{UserID: &f.unit.ID, Name: f.unit.Username}
	f.actorAdmin = models.Actor{UserID: &f.admin.ID, Name: f.admin.Username}
	now := time.Now()
	f.edition = mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	p, err := db.CreateProject(ctx, cli, f.unit, f.edition.ID, models.ProjectFields{Title: "四民主工作法"}, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	f.project = p
	f.svc = NewMediaService(db, store, MediaConfig{TempDir: t.TempDir(), DirectUploads: direct, Location: shanghai})
	return f
}

func md5Of(b []byte) []byte { s := md5.Sum(b); return s[:] }

// upload sends body as a whole upload and returns the upload after the
// last part.
func (f *mediaFixture) upload(t *testing.T, user models.User, name, claimed string, body []byte) models.Upload {
	t.Helper()
	ctx := context.Background()
	up, err := f.svc.CreateUpload(ctx, f.actorUnit, user, f.project.ID, models.NewUploadInput{Filename: name, Size: int64(len(body)), ContentType: claimed})
	if err != nil {
		t.Fatalf("CreateUpload %s: %v", name, err)
	}
	for n := 1; n <= up.Parts(); n++ {
		part := body[int64(n-1)*up.ChunkSize : min(int64(len(body)), int64(n)*up.ChunkSize)]
		if up, err = f.svc.PutPart(ctx, user, up.ID, n, bytes.NewReader(part), int64(len(part)), md5Of(part)); err != nil {
			t.Fatalf("PutPart %d of %s: %v", n, name, err)
		}
	}
	return up
}

func (f *mediaFixture) complete(t *testing.T, user models.User, name, claimed string, body []byte) models.Media {
	t.Helper()
	up := f.upload(t, user, name, claimed, body)
	m, err := f.svc.CompleteUpload(context.Background(), f.actorUnit, user, up.ID)
	if err != nil {
		t.Fatalf("CompleteUpload %s: %v", name, err)
	}
	return m
}

// TestMedia runs the media suite on SQLite and PostgreSQL with the
// filesystem store.
func TestMedia(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	suite := []struct {
		name string
		fn   func(t *testing.T, f *mediaFixture)
	}{
		{"resumable upload, completion, listing, deletion", testUploadFlow},
		{"content decides the type", testSniffing},
		{"size limits", testSizeLimits},
		{"caps on uploads in progress", testUploadCaps},
		{"scope and deadlines", testMediaScope},
		{"office documents decided at completion", testPendingZip},
		{"expired uploads are swept", testSweep},
		{"thumbnails and video processing", testProcessing},
		{"clean copies for blind rounds", testCleanCopies},
	}
	open := map[Dialect]func(t *testing.T) *DB{
		SQLite:   func(t *testing.T) *DB { return openMigrated(t, "", t.TempDir()) },
		Postgres: func(t *testing.T) *DB { return openMigrated(t, pg.NewDatabase(), "") },
	}
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) {
					store, err := objects.NewFS(filepath.Join(t.TempDir(), "media"), []byte("0123456789abcdef-secret"), "")
					if err != nil {
						t.Fatal(err)
					}
					tc.fn(t, newMediaFixture(t, open[d](t), store, false))
				})
			}
		})
	}
}

// fakeMP4 is an ISO BMFF video header followed by filler.
func fakeMP4(size int) []byte {
	b := make([]byte, size)
	copy(b, []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"))
	for i := 24; i < size; i++ {
		b[i] = byte(i * 31)
	}
	return b
}

func pngOf(w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func auditActions(t *testing.T, db *DB, entityID string) []string {
	t.Helper()
	entries, err := db.ListAudit(context.Background(), models.AuditFilter{Entity: "media", EntityID: entityID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}

func testUploadFlow(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	body := fakeMP4(int(models.ChunkSize) + 300_000) // two parts
	up, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: "路演/../视频.mov", Size: int64(len(body)), ContentType: "video/quicktime"})
	if err != nil {
		t.Fatalf("CreateUpload: %v", err)
	}
	if up.Parts() != 2 || up.Mode != models.UploadProxy || up.Filename != "视频.mov" || up.ContentType != "" {
		t.Fatalf("upload = %+v", up)
	}
	p1, p2 := body[:models.ChunkSize], body[models.ChunkSize:]
	// Part 2 before part 1: refused, part 1 decides the type.
	if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 2, bytes.NewReader(p2), int64(len(p2)), md5Of(p2)); models.KindOf(err) != models.KindConflict {
		t.Fatalf("part 2 first: %v, want conflict", err)
	}
	// A corrupted chunk is rejected and can be retried.
	bad := bytes.Clone(p1)
	bad[1000] ^= 0x40
	if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 1, bytes.NewReader(bad), int64(len(bad)), md5Of(p1)); models.KindOf(err) != models.KindInvalid || !strings.Contains(err.Error(), "corrupted chunk") {
		t.Fatalf("corrupted part 1: %v", err)
	}
	if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 1, bytes.NewReader(p1[:100]), 100, md5Of(p1[:100])); models.KindOf(err) != models.KindInvalid || !strings.Contains(err.Error(), "8388608") {
		t.Fatalf("short part 1: %v, want invalid naming the expected size", err)
	}
	if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 3, bytes.NewReader(p2), int64(len(p2)), md5Of(p2)); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("part 3 of 2: %v", err)
	}
	got, err := f.svc.PutPart(ctx, f.unit, up.ID, 1, bytes.NewReader(p1), int64(len(p1)), md5Of(p1))
	if err != nil {
		t.Fatalf("part 1: %v", err)
	}
	if got.Kind != models.MediaVideo || got.ContentType != models.TypeMP4 || len(got.Received) != 1 {
		t.Fatalf("after part 1: %+v", got)
	}
	// Resume: the upload says what arrived; completing early names what is missing.
	resumed, err := f.svc.Upload(ctx, f.unit, up.ID)
	if err != nil || len(resumed.Received) != 1 || resumed.Received[0] != 1 {
		t.Fatalf("Upload = %+v, %v", resumed, err)
	}
	if list, err := f.svc.ListUploads(ctx, f.unit, f.project.ID); err != nil || len(list) != 1 {
		t.Fatalf("ListUploads = %+v, %v", list, err)
	}
	_, err = f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID)
	if fields := fieldsOf(err); fields["parts"] != "missing: 2" {
		t.Fatalf("early completion: %v (%v)", err, fields)
	}
	// Sending a part twice is harmless.
	for range 2 {
		if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 2, bytes.NewReader(p2), int64(len(p2)), md5Of(p2)); err != nil {
			t.Fatalf("part 2: %v", err)
		}
	}
	m, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID)
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	if m.Kind != models.MediaVideo || m.Size != int64(len(body)) || m.Processing != models.ProcessingPending || m.Filename != "视频.mov" {
		t.Fatalf("media = %+v", m)
	}
	if _, err := f.svc.Upload(ctx, f.unit, up.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("upload after completion: %v", err)
	}
	if _, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("second completion: %v", err)
	}
	rc, info, err := f.store.Get(ctx, m.ObjectKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(stored, body) || info.Size != int64(len(body)) {
		t.Fatal("the stored object differs from the upload")
	}
	list, err := f.svc.ListMedia(ctx, f.unit, f.project.ID)
	if err != nil || len(list) != 1 || list[0].ID != m.ID {
		t.Fatalf("ListMedia = %+v, %v", list, err)
	}
	links, err := f.svc.MediaLinks(ctx, m)
	if err != nil || !strings.Contains(links.URL, "/files/"+m.ObjectKey) || !strings.Contains(links.URL, "inline") || !strings.Contains(links.DownloadURL, "attachment") {
		t.Fatalf("links = %+v, %v", links, err)
	}
	// Deleting removes the row and every object, audited.
	if err := f.svc.DeleteMedia(ctx, f.actorUnit, f.unit, m.ID); err != nil {
		t.Fatalf("DeleteMedia: %v", err)
	}
	if _, err := f.store.Stat(ctx, m.ObjectKey); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("object after delete: %v", err)
	}
	if list, _ := f.svc.ListMedia(ctx, f.unit, f.project.ID); len(list) != 0 {
		t.Fatalf("media after delete: %+v", list)
	}
	if got := auditActions(t, f.db, idString(m.ID)); strings.Join(got, ",") != "media.delete,media.create" {
		t.Fatalf("audit = %v", got)
	}
	var trash int64
	f.db.gorm.Model(&trashRow{}).Count(&trash)
	if trash != 0 {
		t.Fatalf("%d objects left in the trash list", trash)
	}
	// Cancelling an upload removes it.
	up2 := f.upload(t, f.unit, "a.png", "image/png", pngOf(20, 20))
	if err := f.svc.AbortUpload(ctx, f.unit, up2.ID); err != nil {
		t.Fatalf("AbortUpload: %v", err)
	}
	if _, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up2.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("complete after abort: %v", err)
	}
}

func testSniffing(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	cases := []struct {
		name, claimed string
		body          []byte
		kind          models.MediaKind
		ct            string
	}{
		{"photo.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>" + strings.Repeat(" ", 100)), "", ""},
		{"logo.png", "image/png", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", ""},
		{"setup.pdf", "application/pdf", append([]byte("MZ\x90\x00"), make([]byte, 200)...), "", ""},
		{"report.docx", "", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj"), models.MediaDocument, models.TypePDF},
		{"movie.txt", "text/plain", pngOf(30, 20), models.MediaImage, models.TypePNG},
	}
	for _, c := range cases {
		up, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: c.name, Size: int64(len(c.body)), ContentType: c.claimed})
		if err != nil {
			t.Fatalf("%s: CreateUpload: %v", c.name, err)
		}
		got, err := f.svc.PutPart(ctx, f.unit, up.ID, 1, bytes.NewReader(c.body), int64(len(c.body)), md5Of(c.body))
		if c.kind == "" {
			if models.KindOf(err) != models.KindUnsupportedMedia {
				t.Fatalf("%s: %v, want unsupported_media", c.name, err)
			}
			if _, err := f.svc.Upload(ctx, f.unit, up.ID); !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("%s: a refused upload stays: %v", c.name, err)
			}
			continue
		}
		if err != nil || got.Kind != c.kind || got.ContentType != c.ct {
			t.Fatalf("%s: %+v %v, want %s %s", c.name, got, err, c.kind, c.ct)
		}
		if _, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID); err != nil {
			t.Fatalf("%s: complete: %v", c.name, err)
		}
	}
}

func testSizeLimits(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	for _, c := range []struct {
		name, ct string
		size     int64
	}{
		{"huge.jpg", "image/jpeg", models.MaxImageBytes + 1},
		{"huge.mp4", "video/mp4", models.MaxVideoBytes + 1},
		{"huge.pdf", "application/pdf", models.MaxDocumentBytes + 1},
	} {
		if _, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: c.name, Size: c.size, ContentType: c.ct}); models.KindOf(err) != models.KindTooLarge {
			t.Fatalf("%s: %v, want too_large", c.name, err)
		}
	}
	if _, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: "empty.pdf", Size: 0}); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("empty file: %v", err)
	}
	// Claimed a video (2 GiB limit) but the content is a photo: its limit
	// applies as soon as part 1 shows it.
	up, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: "x.mp4", Size: 40 << 20, ContentType: "video/mp4"})
	if err != nil {
		t.Fatal(err)
	}
	part := make([]byte, models.ChunkSize)
	copy(part, []byte{0xFF, 0xD8, 0xFF, 0xE0})
	if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 1, bytes.NewReader(part), int64(len(part)), md5Of(part)); models.KindOf(err) != models.KindTooLarge {
		t.Fatalf("40 MiB of JPEG: %v, want too_large", err)
	}
}

// testUploadCaps: declared-but-unsent uploads cannot reserve unbounded
// space — bytes per unit and open uploads per project are capped, and a
// cancelled upload frees its share.
func testUploadCaps(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	create := func(name, ct string, size int64) (models.Upload, error) {
		return f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: name, Size: size, ContentType: ct})
	}
	var videos []models.Upload
	for i := range 2 {
		up, err := create(fmt.Sprintf("v%d.mp4", i), "video/mp4", models.MaxVideoBytes)
		if err != nil {
			t.Fatal(err)
		}
		videos = append(videos, up)
	}
	if _, err := create("v3.mp4", "video/mp4", models.MaxVideoBytes); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "GiB") {
		t.Fatalf("a third 2 GiB video in progress: %v, want conflict naming the bytes", err)
	}
	for i := range models.MaxOpenUploads - 2 {
		if _, err := create(fmt.Sprintf("p%d.jpg", i), "image/jpeg", 1<<20); err != nil {
			t.Fatalf("upload %d: %v", i+3, err)
		}
	}
	if _, err := create("one-too-many.jpg", "image/jpeg", 1<<20); models.KindOf(err) != models.KindConflict {
		t.Fatalf("upload %d in progress: %v, want conflict", models.MaxOpenUploads+1, err)
	}
	if err := f.svc.AbortUpload(ctx, f.unit, videos[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := create("after-cancel.jpg", "image/jpeg", 1<<20); err != nil {
		t.Fatalf("a cancelled upload frees its place: %v", err)
	}
}

func testMediaScope(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	m := f.complete(t, f.unit, "a.png", "image/png", pngOf(10, 10))
	up := f.upload(t, f.unit, "b.png", "image/png", pngOf(12, 12))
	for _, u := range []models.User{f.other, f.expert} {
		if _, err := f.svc.ListMedia(ctx, u, f.project.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s lists media: %v", u.Username, err)
		}
		if _, err := f.svc.MediaByID(ctx, u, m.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s reads media: %v", u.Username, err)
		}
		if err := f.svc.DeleteMedia(ctx, models.Actor{}, u, m.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s deletes media: %v", u.Username, err)
		}
		if _, err := f.svc.Upload(ctx, u, up.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s reads an upload: %v", u.Username, err)
		}
		if _, err := f.svc.CompleteUpload(ctx, models.Actor{}, u, up.ID); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s completes an upload: %v", u.Username, err)
		}
		if _, err := f.svc.CreateUpload(ctx, models.Actor{}, u, f.project.ID, models.NewUploadInput{Filename: "c.png", Size: 10}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s uploads: %v", u.Username, err)
		}
	}
	if list, err := f.svc.ListMedia(ctx, f.admin, f.project.ID); err != nil || len(list) != 1 {
		t.Fatalf("admin lists: %+v %v", list, err)
	}
	// Past the deadline the unit can no longer change media; an admin can.
	past := time.Now().Add(-2 * time.Hour)
	if err := f.db.gorm.Exec("UPDATE editions SET closes_at = ? WHERE id = ?", past, f.edition.ID).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: "c.png", Size: 10}); models.KindOf(err) != models.KindConflict {
		t.Fatalf("upload after the deadline: %v, want conflict", err)
	}
	p := pngOf(12, 12)
	if _, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID); models.KindOf(err) != models.KindConflict {
		t.Fatalf("complete after the deadline: %v, want conflict", err)
	}
	if err := f.svc.DeleteMedia(ctx, f.actorUnit, f.unit, m.ID); models.KindOf(err) != models.KindConflict {
		t.Fatalf("delete after the deadline: %v, want conflict", err)
	}
	_ = p
	if _, err := f.svc.CompleteUpload(ctx, f.actorAdmin, f.admin, up.ID); err != nil {
		t.Fatalf("admin completes after the deadline: %v", err)
	}
	if err := f.svc.DeleteMedia(ctx, f.actorAdmin, f.admin, m.ID); err != nil {
		t.Fatalf("admin deletes after the deadline: %v", err)
	}
}

func docx(t *testing.T, bigFirst int, officeDir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	if bigFirst > 0 {
		h := &zip.FileHeader{Name: "media/blob.bin", Method: zip.Store}
		fw, _ := w.CreateHeader(h)
		blob := make([]byte, bigFirst)
		for i := range blob {
			blob[i] = byte(i * 13)
		}
		fw.Write(blob)
	}
	for _, name := range []string{"[Content_Types].xml", "_rels/.rels", officeDir + "document.xml"} {
		fw, _ := w.Create(name)
		fw.Write([]byte("<xml/>"))
	}
	w.Close()
	return buf.Bytes()
}

func testPendingZip(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	// The Office parts sit behind a large first entry: the first chunk
	// does not show them, the central directory does.
	m := f.complete(t, f.unit, "plan.docx", "", docx(t, 100<<10, "word/"))
	if m.ContentType != models.TypeDOCX || m.Kind != models.MediaDocument || m.Processing != models.ProcessingNone {
		t.Fatalf("late docx = %+v", m)
	}
	m = f.complete(t, f.unit, "slides.pptx", "", docx(t, 0, "ppt/"))
	if m.ContentType != models.TypePPTX {
		t.Fatalf("pptx = %+v", m)
	}
	up := f.upload(t, f.unit, "archive.docx", "", docx(t, 100<<10, "other/"))
	if _, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID); models.KindOf(err) != models.KindUnsupportedMedia {
		t.Fatalf("a plain zip: %v, want unsupported_media", err)
	}
	if list, _ := f.svc.ListMedia(ctx, f.unit, f.project.ID); len(list) != 2 {
		t.Fatalf("media after a refused zip: %d", len(list))
	}
}

func testSweep(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	up := f.upload(t, f.unit, "a.png", "image/png", pngOf(10, 10))
	if err := f.db.gorm.Model(&uploadRow{}).Where("id = ?", up.ID).Update("expires_at", time.Now().Add(-time.Minute)).Error; err != nil {
		t.Fatal(err)
	}
	fresh := f.upload(t, f.unit, "b.png", "image/png", pngOf(10, 10))
	f.svc.Sweep(ctx)
	if _, err := f.svc.Upload(ctx, f.unit, up.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("expired upload after the sweep: %v", err)
	}
	if _, err := f.store.ListParts(ctx, up.ObjectKey, up.StoreUploadID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("expired upload's parts after the sweep: %v", err)
	}
	if _, err := f.svc.Upload(ctx, f.unit, fresh.ID); err != nil {
		t.Fatalf("a live upload was swept: %v", err)
	}
}

// requireFFmpeg fails (never skips) without ffmpeg.
func requireFFmpeg(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Fatalf("%s not found: `make test` provisions it; or install with: apt-get update && apt-get install -y ffmpeg", bin)
		}
	}
}

func makeVideo(t *testing.T, args ...string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "v"+args[len(args)-1])
	cmd := exec.Command("ffmpeg", append([]string{"-nostdin", "-v", "error", "-f", "lavfi", "-i", "testsrc=duration=3:size=640x360:rate=25",
		"-f", "lavfi", "-i", "sine=duration=3"}, append(args[:len(args)-1], out)...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make test video: %v\n%s", err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *mediaFixture) processAll(t *testing.T) {
	t.Helper()
	for {
		worked, err := f.svc.ProcessNext(context.Background())
		if err != nil {
			t.Fatalf("ProcessNext: %v", err)
		}
		cleaned, err := f.svc.CleanNext(context.Background())
		if err != nil {
			t.Fatalf("CleanNext: %v", err)
		}
		if !worked && !cleaned {
			return
		}
	}
}

func decodeJPEGObject(t *testing.T, s MediaStore, key string) image.Image {
	t.Helper()
	rc, _, err := s.Get(context.Background(), key, nil)
	if err != nil {
		t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	img, err := jpeg.Decode(rc)
	if err != nil {
		t.Fatalf("%s is not a JPEG: %v", key, err)
	}
	return img
}

func testProcessing(t *testing.T, f *mediaFixture) {
	requireFFmpeg(t)
	ctx := context.Background()
	photo := f.complete(t, f.unit, "big.png", "image/png", pngOf(1200, 800))
	hevc := f.complete(t, f.unit, "iphone.mov", "video/quicktime",
		makeVideo(t, "-c:v", "libx265", "-tag:v", "hvc1", "-x265-params", "log-level=error", "-c:a", "aac", "-pix_fmt", "yuv420p", ".mov"))
	h264 := f.complete(t, f.unit, "ok.mp4", "video/mp4",
		makeVideo(t, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-movflags", "+faststart", ".mp4"))
	f.processAll(t)

	got, err := f.svc.MediaByID(ctx, f.unit, photo.ID)
	if err != nil || got.Processing != models.ProcessingDone || got.Progress != 100 || got.ThumbKey != "derived/"+idString(photo.ID)+"/thumb.jpg" {
		t.Fatalf("photo after processing: %+v %v", got, err)
	}
	if b := decodeJPEGObject(t, f.store, got.ThumbKey).Bounds(); b.Dx() != 480 || b.Dy() != 320 {
		t.Fatalf("thumbnail %v, want 480×320", b)
	}

	got, err = f.svc.MediaByID(ctx, f.unit, hevc.ID)
	if err != nil || got.Processing != models.ProcessingDone || got.PlaybackKey == "" || got.PosterKey == "" || got.ThumbKey == "" {
		t.Fatalf("HEVC video after processing: %+v %v", got, err)
	}
	decodeJPEGObject(t, f.store, got.PosterKey)
	// The playable copy is H.264 in MP4 with the index up front.
	rc, _, err := f.store.Get(ctx, got.PlaybackKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	play := filepath.Join(t.TempDir(), "play.mp4")
	pf, _ := os.Create(play)
	io.Copy(pf, rc)
	rc.Close()
	pf.Close()
	probeOut, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,pix_fmt", "-of", "csv=p=0", play).Output()
	if err != nil || strings.TrimSpace(string(probeOut)) != "h264,yuv420p" {
		t.Fatalf("playback stream = %q, %v", probeOut, err)
	}
	head, _ := os.ReadFile(play)
	if moov, mdat := bytes.Index(head, []byte("moov")), bytes.Index(head, []byte("mdat")); moov < 0 || moov > mdat {
		t.Fatalf("playback file without faststart (moov at %d, mdat at %d)", moov, mdat)
	}
	links, err := f.svc.MediaLinks(ctx, got)
	if err != nil || links.PlaybackURL == "" || links.PlaybackURL == links.URL || links.PosterURL == "" {
		t.Fatalf("HEVC links = %+v %v", links, err)
	}

	got, err = f.svc.MediaByID(ctx, f.unit, h264.ID)
	if err != nil || got.Processing != models.ProcessingDone || got.PlaybackKey != "" || got.PosterKey == "" {
		t.Fatalf("H.264 video after processing: %+v %v", got, err)
	}
	if links, _ := f.svc.MediaLinks(ctx, got); links.PlaybackURL != links.URL {
		t.Fatalf("a playable MP4 should play as it is: %+v", links)
	}

	// Without ffmpeg a video fails with a clear error; the original stays.
	f.svc.cfg.FFmpeg, f.svc.cfg.FFprobe = "/nonexistent/ffmpeg", "/nonexistent/ffprobe"
	noTool := f.complete(t, f.unit, "again.mp4", "video/mp4", makeVideo(t, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", ".mp4"))
	f.processAll(t)
	got, _ = f.svc.MediaByID(ctx, f.unit, noTool.ID)
	if got.Processing != models.ProcessingFailed || !strings.Contains(got.ProcessError, "ffmpeg") {
		t.Fatalf("video without ffmpeg: %+v", got)
	}
	// Deleting a processed medium removes its derivatives too.
	full, _ := f.svc.MediaByID(ctx, f.unit, hevc.ID)
	if err := f.svc.DeleteMedia(ctx, f.actorUnit, f.unit, hevc.ID); err != nil {
		t.Fatal(err)
	}
	for _, k := range full.Keys() {
		if _, err := f.store.Stat(ctx, k); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s after delete: %v", k, err)
		}
	}
}

// TestMediaOnMinIO checks uploads against a real MinIO: direct parts, and
// MinIO stopped in the middle of an upload (503, no media row, resume).
func TestMediaOnMinIO(t *testing.T) {
	srv := storagetest.StartMinIO(t)
	ctx := context.Background()
	store, err := objects.NewMinIO(ctx, objects.MinIOConfig{Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, Bucket: "leitai-test"})
	if err != nil {
		t.Fatal(err)
	}
	f := newMediaFixture(t, openMigrated(t, "", t.TempDir()), store, true)
	body := fakeMP4(2*int(models.ChunkSize) + 1000) // three parts
	parts := [][]byte{body[:models.ChunkSize], body[models.ChunkSize : 2*models.ChunkSize], body[2*models.ChunkSize:]}

	t.Run("direct parts", func(t *testing.T) {
		up, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: "v.mp4", Size: int64(len(body)), ContentType: "video/mp4"})
		if err != nil || up.Mode != models.UploadDirect {
			t.Fatalf("CreateUpload: %+v %v", up, err)
		}
		if _, err := f.svc.PresignPart(ctx, f.unit, up.ID, 1, md5Of(parts[0])); models.KindOf(err) != models.KindConflict {
			t.Fatalf("presign part 1: %v, want conflict (part 1 goes through the server)", err)
		}
		if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 1, bytes.NewReader(parts[0]), int64(len(parts[0])), md5Of(parts[0])); err != nil {
			t.Fatal(err)
		}
		for n := 2; n <= 3; n++ {
			signed, err := f.svc.PresignPart(ctx, f.unit, up.ID, n, md5Of(parts[n-1]))
			if err != nil {
				t.Fatalf("presign %d: %v", n, err)
			}
			req, _ := http.NewRequest(signed.Method, signed.URL, bytes.NewReader(parts[n-1]))
			for k, v := range signed.Headers {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("PUT part %d to MinIO: %v %v", n, resp, err)
			}
			resp.Body.Close()
			etag := resp.Header.Get("ETag")
			if _, err := f.svc.PartDone(ctx, f.unit, up.ID, n, "0123456789abcdef0123456789abcdef"); models.KindOf(err) != models.KindInvalid {
				t.Fatalf("done with a wrong ETag: %v", err)
			}
			if _, err := f.svc.PartDone(ctx, f.unit, up.ID, n, etag); err != nil {
				t.Fatalf("done %d: %v", n, err)
			}
		}
		m, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID)
		if err != nil || m.Size != int64(len(body)) {
			t.Fatalf("complete: %+v %v", m, err)
		}
		info, err := store.Stat(ctx, m.ObjectKey)
		if err != nil || info.Size != int64(len(body)) {
			t.Fatalf("object: %+v %v", info, err)
		}
		if err := f.svc.DeleteMedia(ctx, f.actorUnit, f.unit, m.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("clean copies", func(t *testing.T) {
		body := scrubtest.JPEG(t, "博罗县民政局", 1)
		m := f.complete(t, f.unit, "博罗县.jpg", "image/jpeg", body)
		f.processAll(t)
		m, err := f.svc.MediaByID(ctx, f.unit, m.ID)
		if err != nil || m.Clean != models.CleanDone {
			t.Fatalf("after the worker: %+v %v", m, err)
		}
		l, err := f.svc.CleanLinks(ctx, m)
		if err != nil || l.URL == "" {
			t.Fatalf("clean links: %+v %v", l, err)
		}
		clean := fetchLink(t, store, l.DownloadURL)
		if bytes.Contains(clean, []byte("博罗县")) {
			t.Fatal("the clean copy on MinIO names the unit")
		}
		if _, err := jpeg.Decode(bytes.NewReader(clean)); err != nil {
			t.Fatal(err)
		}
		if l, _ = f.svc.MediaLinks(ctx, m); !bytes.Equal(fetchLink(t, store, l.DownloadURL), body) {
			t.Fatal("the original link does not serve the original")
		}
		if err := f.svc.DeleteMedia(ctx, f.actorUnit, f.unit, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Stat(ctx, m.CleanKey); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("clean copy after delete: %v", err)
		}
	})

	t.Run("MinIO stops mid-upload", func(t *testing.T) {
		up, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: "v.mp4", Size: int64(len(body)), ContentType: "video/mp4", Mode: models.UploadProxy})
		if err != nil || up.Mode != models.UploadProxy {
			t.Fatalf("CreateUpload: %+v %v", up, err)
		}
		if _, err := f.svc.PutPart(ctx, f.unit, up.ID, 1, bytes.NewReader(parts[0]), int64(len(parts[0])), md5Of(parts[0])); err != nil {
			t.Fatal(err)
		}
		srv.Stop()
		_, err = f.svc.PutPart(ctx, f.unit, up.ID, 2, bytes.NewReader(parts[1]), int64(len(parts[1])), md5Of(parts[1]))
		if models.KindOf(err) != models.KindUnavailable || !strings.Contains(err.Error(), "file storage is unavailable") {
			t.Fatalf("part with MinIO down: %v, want unavailable with a clear message", err)
		}
		if _, err := f.svc.CreateUpload(ctx, f.actorUnit, f.unit, f.project.ID, models.NewUploadInput{Filename: "w.mp4", Size: 10, ContentType: "video/mp4"}); models.KindOf(err) != models.KindUnavailable {
			t.Fatalf("new upload with MinIO down: %v", err)
		}
		var n int64
		f.db.gorm.Model(&mediaRow{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d media rows while MinIO is down", n)
		}
		srv.Start()
		// Resume: only part 1 arrived; send the rest, not part 1 again.
		resumed, err := f.svc.Upload(ctx, f.unit, up.ID)
		if err != nil || len(resumed.Received) != 1 || resumed.Received[0] != 1 {
			t.Fatalf("after the restart: %+v %v", resumed, err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for n := 2; n <= 3; n++ {
			for {
				_, err := f.svc.PutPart(ctx, f.unit, up.ID, n, bytes.NewReader(parts[n-1]), int64(len(parts[n-1])), md5Of(parts[n-1]))
				if err == nil {
					break
				}
				if models.KindOf(err) != models.KindUnavailable || time.Now().After(deadline) {
					t.Fatalf("part %d after the restart: %v", n, err)
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
		m, err := f.svc.CompleteUpload(ctx, f.actorUnit, f.unit, up.ID)
		if err != nil {
			t.Fatalf("complete after the restart: %v", err)
		}
		rc, _, err := store.Get(ctx, m.ObjectKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(stored, body) {
			t.Fatal("object after the outage differs")
		}
	})
}
