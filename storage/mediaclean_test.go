package storage

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"leitai/models"
	"leitai/storage/objects"
	"leitai/storage/scrub/scrubtest"
)

// fetchLink downloads what a signed link serves: through the filesystem
// store's own check for its /files/ links, over HTTP for MinIO's.
func fetchLink(t *testing.T, store MediaStore, link string) []byte {
	t.Helper()
	if fs, ok := store.(*objects.FS); ok {
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		key := strings.TrimPrefix(u.Path, "/files/")
		if _, _, err := fs.VerifyLink(key, u.Query(), time.Now()); err != nil {
			t.Fatalf("link %s: %v", link, err)
		}
		rc, _, err := fs.Get(context.Background(), key, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return b
	}
	resp, err := http.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", link, resp.Status)
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}

// legacyDOC is the start of a Word 97 compound file: enough for the
// sniffer, and a file no clean copy can be made of.
func legacyDOC() []byte {
	b := make([]byte, 1024)
	copy(b, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	name := utf16.Encode([]rune("WordDocument"))
	for i, u := range name {
		binary.LittleEndian.PutUint16(b[512+2*i:], u)
	}
	binary.LittleEndian.PutUint16(b[512+64:], uint16(2*len(name)+2))
	return b
}

// blindRound opens a blind round in which f.expert reviews f.project.
func (f *mediaFixture) blindRound(t *testing.T) models.Round {
	t.Helper()
	ctx := context.Background()
	if _, err := f.db.SubmitProject(ctx, cli, f.unit, f.project.ID, shanghai); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SetEligibility(ctx, cli, []int64{f.project.ID}, true, ""); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r, err := f.db.CreateRound(ctx, cli, f.edition.ID, models.Round{Name: "初审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(time.Hour), Rubric: models.DefaultRubric(), ReviewersPerProject: 1, Method: "mean", KeyCriterion: "innovative", Blind: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SetRoundExperts(ctx, cli, r.ID, []int64{f.expert.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AssignRound(ctx, cli, r.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	return r
}

// testCleanCopies: the worker makes a copy without metadata of every
// medium; a blind round's expert gets only that copy (nothing while it is
// being made, nothing for a file that cannot be stripped), an admin the
// original.
func testCleanCopies(t *testing.T, f *mediaFixture) {
	ctx := context.Background()
	const unit = "博罗县民政局"
	p, err := f.db.CreateProject(ctx, cli, f.unit, f.edition.ID, completeFields("盲评项目"), shanghai)
	if err != nil {
		t.Fatal(err)
	}
	f.project = p
	files := []struct {
		name, claimed string
		body          []byte
		check         func(b []byte) error
	}{
		{"博罗县现场.jpg", "image/jpeg", scrubtest.JPEG(t, unit, 6), func(b []byte) error { _, err := jpeg.Decode(bytes.NewReader(b)); return err }},
		{"博罗县.png", "image/png", scrubtest.PNG(t, unit), func(b []byte) error { _, err := png.Decode(bytes.NewReader(b)); return err }},
		{"方案.docx", "", scrubtest.DOCX(t, unit), func(b []byte) error { _, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); return err }},
		{"申报书.pdf", "application/pdf", scrubtest.PDF(unit), func(b []byte) error {
			if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("(Project plan)")) || !bytes.Contains(b, []byte("startxref")) {
				return errors.New("not the same PDF")
			}
			return nil
		}},
	}
	var media []models.Media
	for _, fl := range files {
		if fl.claimed != "" && !bytes.Contains(fl.body, []byte(unit)) { // a DOCX's parts are deflated
			t.Fatalf("%s does not name the unit", fl.name)
		}
		media = append(media, f.complete(t, f.unit, fl.name, fl.claimed, fl.body))
	}
	doc := f.complete(t, f.unit, "旧.doc", "application/msword", legacyDOC())
	round := f.blindRound(t)

	// Before the worker ran: listed, but no link to any file.
	_, list, err := f.svc.ReviewMedia(ctx, f.expert, round.ID, p.ID)
	if err != nil || len(list) != 5 {
		t.Fatalf("review media: %d %v", len(list), err)
	}
	for _, m := range list {
		l, err := f.svc.CleanLinks(ctx, m)
		if err != nil || l.Withheld != models.WithheldProcessing || l.URL != "" || l.DownloadURL != "" || l.PlaybackURL != "" {
			t.Fatalf("%s before its clean copy: %+v %v", m.Filename, l, err)
		}
	}

	f.processAll(t)
	_, list, _ = f.svc.ReviewMedia(ctx, f.expert, round.ID, p.ID)
	for i, m := range list {
		l, err := f.svc.CleanLinks(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if m.ID == doc.ID {
			if m.Clean != models.CleanUnavailable || l.Withheld != models.WithheldUnavailable || l.URL != "" || l.DownloadURL != "" {
				t.Fatalf("legacy Word file: %+v %+v", m, l)
			}
			continue
		}
		if m.Clean != models.CleanDone || l.Withheld != "" || l.URL == "" || l.DownloadURL == "" {
			t.Fatalf("%s after the worker: %+v %+v", m.Filename, m, l)
		}
		for _, link := range []string{l.URL, l.DownloadURL} {
			b := fetchLink(t, f.store, link)
			if bytes.Contains(b, []byte(unit)) || bytes.Contains(b, []byte("博罗县")) {
				t.Fatalf("%s: the expert's link serves the unit's name", files[i].name)
			}
			if zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b))); err == nil {
				for _, zf := range zr.File {
					rc, _ := zf.Open()
					part, _ := io.ReadAll(rc)
					rc.Close()
					if bytes.Contains(part, []byte("博罗县")) {
						t.Fatalf("%s: part %s of the expert's copy names the unit", files[i].name, zf.Name)
					}
				}
			}
			if err := files[i].check(b); err != nil {
				t.Fatalf("%s: the clean copy does not read: %v", files[i].name, err)
			}
		}
		// The admin (and the unit) still get the original.
		admin, err := f.svc.MediaByID(ctx, f.admin, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		l, err = f.svc.MediaLinks(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		if b := fetchLink(t, f.store, l.DownloadURL); !bytes.Equal(b, files[i].body) {
			t.Fatalf("%s: the admin does not get the original", files[i].name)
		}
	}

	// Media from before the clean copies (the migration leaves them
	// pending) get theirs on the worker's next run.
	if err := f.db.gorm.Model(&mediaRow{}).Where("id = ?", media[1].ID).Updates(map[string]any{"clean": "pending", "clean_key": ""}).Error; err != nil {
		t.Fatal(err)
	}
	f.processAll(t)
	again, _ := f.svc.MediaByID(ctx, f.admin, media[1].ID)
	if again.Clean != models.CleanDone || again.CleanKey == "" {
		t.Fatalf("swept medium: %+v", again)
	}

	// Deleting a medium deletes its clean copy.
	full, _ := f.svc.MediaByID(ctx, f.unit, media[0].ID)
	if err := f.db.gorm.Model(&projectRow{}).Where("id = ?", p.ID).Update("status", string(models.ProjectDraft)).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteMedia(ctx, f.actorAdmin, f.admin, full.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Stat(ctx, full.CleanKey); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("clean copy after delete: %v", err)
	}
}
