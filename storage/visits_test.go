package storage

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage/objects"
	"leitai/storage/storagetest"
)

// visitFixture is an open 复审 round that records site visits: two
// projects (惠城区 and 博罗县), three panel experts assigned to both, an
// expert of 惠城区 (in conflict with its project), and an expert assigned
// only in a later round.
type visitFixture struct {
	db                   *DB
	svc                  *MediaService
	round, later         models.Round
	huicheng, boluo      int64 // project ids
	e1, e2, e3, outsider models.User
	local, unit, admin   models.User
}

func newVisitFixture(t *testing.T, db *DB) *visitFixture {
	t.Helper()
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	huicheng := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	boluo := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	f := &visitFixture{db: db}
	var ids []int64
	for i, u := range []int64{huicheng, boluo} {
		user := mustUser(t, db, "vu"+strconv.Itoa(i), []models.Role{models.RoleUnit}, &u)
		if i == 0 {
			f.unit = user
		}
		p, err := db.CreateProject(ctx, cli, user, e.ID, completeFields("考察项目"+strconv.Itoa(i)), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if _, err := db.SubmitProject(ctx, cli, user, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	f.huicheng, f.boluo = ids[0], ids[1]
	if _, err := db.SetEligibility(ctx, cli, ids, true, ""); err != nil {
		t.Fatal(err)
	}
	f.e1 = mustUser(t, db, "visit1", []models.Role{models.RoleExpert}, nil)
	f.e2 = mustUser(t, db, "visit2", []models.Role{models.RoleExpert}, nil)
	f.e3 = mustUser(t, db, "visit3", []models.Role{models.RoleExpert}, nil)
	f.outsider = mustUser(t, db, "visit4", []models.Role{models.RoleExpert}, nil)
	f.local = mustUser(t, db, "visitlocal", []models.Role{models.RoleExpert}, &huicheng)
	f.admin = mustUser(t, db, "visitadmin", []models.Role{models.RoleAdmin}, nil)
	round := models.Round{Name: "复审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 3, Method: "mean", KeyCriterion: "innovative", SiteVisits: true}
	r, err := db.CreateRound(ctx, cli, e.ID, round)
	if err != nil || !r.SiteVisits {
		t.Fatalf("create round with site visits: %+v %v", r, err)
	}
	if _, err := db.SetRoundExperts(ctx, cli, r.ID, []int64{f.e1.ID, f.e2.ID, f.e3.ID, f.local.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignRound(ctx, cli, r.ID, 3); err != nil {
		t.Fatal(err)
	}
	if f.round, err = db.RoundByID(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	later := round
	later.Name, later.SiteVisits, later.ReviewersPerProject = "终审前", false, 1
	if f.later, err = db.CreateRound(ctx, cli, e.ID, later); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetRoundExperts(ctx, cli, f.later.ID, []int64{f.outsider.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignRound(ctx, cli, f.later.ID, 3); err != nil {
		t.Fatal(err)
	}
	store, err := objects.NewFS(filepath.Join(t.TempDir(), "media"), []byte("0123456789abcdef-secret"), "")
	if err != nil {
		t.Fatal(err)
	}
	f.svc = NewMediaService(db, store, MediaConfig{TempDir: t.TempDir(), Location: shanghai})
	return f
}

func visitActor(u models.User) models.Actor { return models.Actor{UserID: &u.ID, Name: u.Username} }

// photo uploads body as the expert's site-visit photo and completes it.
func (f *visitFixture) photo(t *testing.T, expert models.User, projectID int64, name string, body []byte) (models.Media, error) {
	t.Helper()
	ctx := context.Background()
	up, err := f.svc.CreateVisitUpload(ctx, visitActor(expert), expert, f.round.ID, projectID, models.NewUploadInput{Filename: name, Size: int64(len(body)), ContentType: "image/png"})
	if err != nil {
		return models.Media{}, err
	}
	for n := 1; n <= up.Parts(); n++ {
		part := body[int64(n-1)*up.ChunkSize : min(int64(len(body)), int64(n)*up.ChunkSize)]
		if up, err = f.svc.PutPart(ctx, expert, up.ID, n, bytes.NewReader(part), int64(len(part)), md5Of(part)); err != nil {
			return models.Media{}, err
		}
	}
	return f.svc.CompleteUpload(ctx, visitActor(expert), expert, up.ID)
}

// TestSiteVisits runs the site-visit suite on SQLite and PostgreSQL.
func TestSiteVisits(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	open := map[Dialect]func(t *testing.T) *DB{
		SQLite:   func(t *testing.T) *DB { return openMigrated(t, "", t.TempDir()) },
		Postgres: func(t *testing.T) *DB { return openMigrated(t, pg.NewDatabase(), "") },
	}
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) { testSiteVisits(t, newVisitFixture(t, open[d](t))) })
	}
}

func testSiteVisits(t *testing.T, f *visitFixture) {
	ctx := context.Background()
	db, svc, rid := f.db, f.svc, f.round.ID
	if _, err := db.MoveRound(ctx, cli, rid, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(shanghai).Format(time.DateOnly)

	// The conflicted expert is not on 惠城区's project, so nothing of its
	// visits reaches them; neither does the later round's expert, the
	// project's unit, nor an admin acting as an expert.
	for name, u := range map[string]models.User{"conflicted": f.local, "other round": f.outsider, "unit": f.unit, "admin": f.admin} {
		if _, err := svc.SaveVisit(ctx, visitActor(u), u, rid, f.huicheng, models.VisitInput{VisitedOn: today, Notes: "x"}); models.KindOf(err) != models.KindNotFound {
			t.Errorf("%s saves a visit: %v, want not found", name, err)
		}
		if _, err := f.photo(t, u, f.huicheng, "a.png", pngOf(8, 8)); models.KindOf(err) != models.KindNotFound {
			t.Errorf("%s uploads a visit photo: %v, want not found", name, err)
		}
		if u.HasRole(models.RoleAdmin) {
			continue
		}
		if _, _, _, err := svc.ProjectVisits(ctx, u, rid, f.huicheng); models.KindOf(err) != models.KindNotFound {
			t.Errorf("%s reads the visits: %v, want not found", name, err)
		}
	}
	// The later round's expert in their own round: it records no visits.
	if _, err := svc.SaveVisit(ctx, visitActor(f.outsider), f.outsider, f.later.ID, f.huicheng, models.VisitInput{VisitedOn: today, Notes: "x"}); models.KindOf(err) != models.KindConflict {
		t.Errorf("a visit in a round without site visits: %v, want conflict", err)
	}

	// Bad input names its field.
	for _, tc := range []struct {
		in    models.VisitInput
		field string
	}{
		{models.VisitInput{VisitedOn: "2026-13-01", Notes: "x"}, "visited_on"},
		{models.VisitInput{VisitedOn: time.Now().In(shanghai).AddDate(0, 0, 2).Format(time.DateOnly), Notes: "x"}, "visited_on"},
		{models.VisitInput{VisitedOn: today}, "notes"},
		{models.VisitInput{VisitedOn: today, Notes: string(bytes.Repeat([]byte("考"), models.MaxVisitNotes+1))}, "notes"},
		{models.VisitInput{VisitedOn: today, Notes: "x", MediaIDs: []int64{999999}}, "media_ids"},
	} {
		_, err := svc.SaveVisit(ctx, visitActor(f.e1), f.e1, rid, f.huicheng, tc.in)
		var me *models.Error
		if models.KindOf(err) != models.KindInvalid || !errors.As(err, &me) || me.Fields[tc.field] == "" {
			t.Errorf("save %+v: %v, want invalid %s", tc.in, err, tc.field)
		}
	}

	// Photos: a document is refused at the claim; a photo goes through
	// the pipeline and is not listed with the application's materials.
	if _, err := svc.CreateVisitUpload(ctx, visitActor(f.e1), f.e1, rid, f.huicheng, models.NewUploadInput{Filename: "notes.pdf", Size: 10, ContentType: "application/pdf"}); models.KindOf(err) != models.KindInvalid {
		t.Errorf("a PDF as a visit photo: %v", err)
	}
	photo, err := f.photo(t, f.e1, f.huicheng, "现场.png", pngOf(32, 24))
	if err != nil {
		t.Fatal(err)
	}
	if photo.Kind != models.MediaImage {
		t.Fatalf("photo kind %s", photo.Kind)
	}
	// Another expert cannot attach e1's photo to their visit.
	if _, err := svc.SaveVisit(ctx, visitActor(f.e2), f.e2, rid, f.huicheng, models.VisitInput{VisitedOn: today, Notes: "x", MediaIDs: []int64{photo.ID}}); models.KindOf(err) != models.KindInvalid {
		t.Errorf("another expert's photo: %v", err)
	}
	v, err := svc.SaveVisit(ctx, visitActor(f.e1), f.e1, rid, f.huicheng, models.VisitInput{VisitedOn: today, Notes: "  走访了三个村  ", MediaIDs: []int64{photo.ID}})
	if err != nil || v.Notes != "走访了三个村" || len(v.MediaIDs) != 1 {
		t.Fatalf("save visit: %+v %v", v, err)
	}
	// Editing keeps one visit per expert.
	v2, err := svc.SaveVisit(ctx, visitActor(f.e1), f.e1, rid, f.huicheng, models.VisitInput{VisitedOn: today, Notes: "走访了四个村", MediaIDs: []int64{photo.ID}})
	if err != nil || v2.ID != v.ID || v2.Notes != "走访了四个村" {
		t.Fatalf("edit visit: %+v %v", v2, err)
	}
	// The unit sees neither the photo in its materials nor by id.
	list, err := svc.ListMedia(ctx, f.unit, f.huicheng)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.ID == photo.ID {
			t.Error("the visit photo is listed with the application's materials")
		}
	}
	if _, err := svc.MediaByID(ctx, f.unit, photo.ID); models.KindOf(err) != models.KindNotFound {
		t.Errorf("the unit reads the visit photo: %v", err)
	}
	// Nor a visit photo still being uploaded: not in the project's open
	// uploads, not by id; the expert who started it follows it.
	open, err := svc.CreateVisitUpload(ctx, visitActor(f.e1), f.e1, rid, f.huicheng, models.NewUploadInput{Filename: "村口.png", Size: 10, ContentType: "image/png"})
	if err != nil {
		t.Fatal(err)
	}
	ups, err := svc.ListUploads(ctx, f.unit, f.huicheng)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups {
		if u.ID == open.ID {
			t.Error("the unit lists the expert's visit upload among its project's uploads")
		}
	}
	if _, err := svc.Upload(ctx, f.unit, open.ID); models.KindOf(err) != models.KindNotFound {
		t.Errorf("the unit reads the expert's visit upload: %v", err)
	}
	if _, err := svc.Upload(ctx, f.e1, open.ID); err != nil {
		t.Errorf("the expert follows their own visit upload: %v", err)
	}
	if err := svc.AbortUpload(ctx, f.e1, open.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteMedia(ctx, visitActor(f.unit), f.unit, photo.ID); models.KindOf(err) != models.KindNotFound {
		t.Errorf("the unit deletes the visit photo: %v", err)
	}

	// The panel sees it: another assigned expert and an admin.
	for name, u := range map[string]models.User{"second expert": f.e2, "admin": f.admin} {
		r, visits, media, err := svc.ProjectVisits(ctx, u, rid, f.huicheng)
		if err != nil || !r.SiteVisits || len(visits) != 1 || visits[0].ExpertID != f.e1.ID || visits[0].Notes != "走访了四个村" ||
			visits[0].ExpertName == "" || media[photo.ID].ID != photo.ID {
			t.Errorf("%s reads the visits: %+v %v %v", name, visits, media, err)
		}
	}
	// Not another project's visits.
	if _, visits, _, err := svc.ProjectVisits(ctx, f.e2, rid, f.boluo); err != nil || len(visits) != 0 {
		t.Errorf("博罗县's visits: %+v %v", visits, err)
	}

	// Audited: one visit.save per save, the second with its before.
	entries, err := db.ListAudit(ctx, models.AuditFilter{Entity: "site_visit", EntityID: strconv.FormatInt(v.ID, 10)})
	if err != nil || len(entries) != 2 {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	for _, e := range entries {
		if e.Action != "visit.save" {
			t.Errorf("audit action %s", e.Action)
		}
	}

	// Closed: no more changes, still readable.
	if _, err := db.MoveRound(ctx, cli, rid, models.RoundClosed, time.UTC); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SaveVisit(ctx, visitActor(f.e1), f.e1, rid, f.huicheng, models.VisitInput{VisitedOn: today, Notes: "迟到"}); models.KindOf(err) != models.KindConflict {
		t.Errorf("save after closing: %v, want conflict", err)
	}
	if _, err := f.photo(t, f.e1, f.huicheng, "b.png", pngOf(8, 8)); models.KindOf(err) != models.KindConflict {
		t.Errorf("photo after closing: %v, want conflict", err)
	}
	if _, visits, _, err := svc.ProjectVisits(ctx, f.e3, rid, f.huicheng); err != nil || len(visits) != 1 {
		t.Errorf("visits after closing: %+v %v", visits, err)
	}
}
