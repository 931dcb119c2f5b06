package storage

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"leitai/models"
)

// testBlindRedactions: a blind round's admin sees the hits, saves a
// redacted copy (audited with counts, not the text); the experts read the
// copy in their list and on the project, the original stays; a scored
// project's copy is fixed; a round that is not blind has nothing to redact.
func testBlindRedactions(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	huicheng := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	dept := mustUnit(t, db, &city, models.UnitDepartment, "市民政局")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	var projects []int64
	for i, u := range []int64{dept, huicheng} {
		user := mustUser(t, db, "bu"+strconv.Itoa(i), []models.Role{models.RoleUnit}, &u)
		f := completeFields("项目" + strconv.Itoa(i))
		if i == 0 {
			f.Title, f.Summary, f.Problem = "民政局中介超市", "市民政局立足基层，民政局牵头。", "联系电话 13812345678"
		} else {
			f.Summary = "项目立足基层实际。"
		}
		p, err := db.CreateProject(ctx, cli, user, e.ID, f, shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if _, err := db.SubmitProject(ctx, cli, user, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p.ID)
	}
	if _, err := db.SetEligibility(ctx, cli, projects, true, ""); err != nil {
		t.Fatal(err)
	}
	admin := mustUser(t, db, "blindadmin", []models.Role{models.RoleAdmin}, nil)
	expert := mustUser(t, db, "blindexpert", []models.Role{models.RoleExpert}, nil)
	spec := models.Round{Name: "盲评", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 1, Method: "mean", KeyCriterion: "innovative", Blind: true}
	r, err := db.CreateRound(ctx, cli, e.ID, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRoundProjects(ctx, cli, r.ID, projects, "测试"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignRound(ctx, cli, r.ID, 1); err != nil {
		t.Fatal(err)
	}
	_, list, err := db.BlindReview(ctx, r.ID)
	if err != nil || len(list) != 2 {
		t.Fatalf("blind review: %v %+v", err, list)
	}
	named := list[0]
	if named.ProjectID != projects[0] || named.Copy != nil || named.Hits.Count() != 4 || named.Unredacted() != 4 ||
		len(named.Hits["summary"]) != 2 || len(named.Hits["problem"]) != 1 || len(named.Hits["title"]) != 1 {
		t.Fatalf("hits in the department's project: %+v", named.Hits)
	}
	if list[1].Unredacted() != 0 {
		t.Fatalf("the county's project names nothing: %+v", list[1].Hits)
	}
	// Bad copies: a field experts do not read, a deleted text.
	if _, err := db.SaveRedaction(ctx, cli, r.ID, projects[0], map[string]string{"contact_name": "x"}); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("redacting a contact field: %v", err)
	}
	if _, err := db.SaveRedaction(ctx, cli, r.ID, projects[0], map[string]string{"summary": " "}); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("deleting the summary: %v", err)
	}
	if _, err := db.SaveRedaction(ctx, cli, r.ID, 999999, map[string]string{}); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("a project outside the round: %v", err)
	}
	// Redact all but the problem's phone.
	texts := map[string]string{}
	for f, hs := range named.Hits {
		if f != "problem" {
			texts[f] = models.Redact(named.Original[f], hs, models.MaskUnit)
		}
	}
	saved, err := db.SaveRedaction(ctx, cli, r.ID, projects[0], texts)
	if err != nil || saved.Unredacted() != 1 || saved.Copy["summary"] != "【单位】立足基层，【单位】牵头。" || saved.Copy["title"] != "【单位】中介超市" ||
		saved.Copy["problem"] != "联系电话 13812345678" {
		t.Fatalf("save: %v %+v", err, saved)
	}
	// The audit entry counts; it never holds the text.
	entries, err := db.ListAudit(ctx, models.AuditFilter{Entity: "project", EntityID: idString(projects[0]), Limit: 1})
	if err != nil || len(entries) != 1 || entries[0].Action != "redaction.save" || strings.Contains(entries[0].After, "单位") || strings.Contains(entries[0].After, "民政") ||
		!strings.Contains(entries[0].After, `"hits_left":1`) || !strings.Contains(entries[0].After, `"hits_in_original":4`) ||
		!strings.Contains(entries[0].After, `"fields_changed":2`) {
		t.Fatalf("audit: %v %+v", err, entries)
	}
	// The expert reads the copy, in the list and on the project.
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	_, items, err := db.ExpertReviews(ctx, expert, r.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("expert list: %v %+v", err, items)
	}
	for _, it := range items {
		if it.Project.ID == projects[0] && it.Project.Title != "【单位】中介超市" {
			t.Fatalf("the list shows the original title: %q", it.Project.Title)
		}
	}
	_, p, _, err := db.ReviewProject(ctx, expert, r.ID, projects[0])
	if err != nil || p.Summary != "【单位】立足基层，【单位】牵头。" || p.Title != "【单位】中介超市" || p.Approach != "做法" {
		t.Fatalf("the expert's project: %v %+v", err, p.ProjectFields)
	}
	// The original is untouched.
	orig, err := db.ProjectByID(ctx, admin, projects[0])
	if err != nil || orig.Summary != "市民政局立足基层，民政局牵头。" || orig.Title != "民政局中介超市" {
		t.Fatalf("the original changed: %v %+v", err, orig.ProjectFields)
	}
	// While open, an unscored project's copy may still change; once the
	// expert has a draft it is fixed.
	texts["problem"] = "联系电话 ■■"
	if saved, err = db.SaveRedaction(ctx, cli, r.ID, projects[0], texts); err != nil || saved.Unredacted() != 0 {
		t.Fatalf("save while open: %v %+v", err, saved)
	}
	if _, err := db.SaveScore(ctx, models.Actor{UserID: &expert.ID, Name: expert.Username}, expert, r.ID, projects[0], map[string]int64{"innovative": 1000}, "", false); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveRedaction(ctx, cli, r.ID, projects[0], texts); models.KindOf(err) != models.KindConflict {
		t.Fatalf("redacting a scored project: %v", err)
	}
	if _, list, _ = db.BlindReview(ctx, r.ID); !list[0].Scored || list[1].Scored {
		t.Fatalf("scored flags: %+v", list)
	}
	if list[0].Stale {
		t.Fatalf("a copy of the current version is not stale: %+v", list[0])
	}
	// A new version of the project (returned and submitted again) makes
	// the copy stale.
	if err := db.gorm.Exec("UPDATE projects SET version = version + 1 WHERE id = ?", projects[0]).Error; err != nil {
		t.Fatal(err)
	}
	if _, list, _ = db.BlindReview(ctx, r.ID); !list[0].Stale || list[1].Stale {
		t.Fatalf("stale flags: %+v", list)
	}
	// A round that is not blind: the experts see the original, there is
	// nothing to redact.
	spec.Blind, spec.Name = false, "公开评审"
	open, err := db.CreateRound(ctx, cli, e.ID, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.BlindReview(ctx, open.ID); models.KindOf(err) != models.KindConflict {
		t.Fatalf("blind review of an open round: %v", err)
	}
	if _, err := db.SaveRedaction(ctx, cli, open.ID, projects[0], texts); models.KindOf(err) != models.KindConflict {
		t.Fatalf("redacting in a round that is not blind: %v", err)
	}
	// Closed: fixed.
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundClosed, time.UTC); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveRedaction(ctx, cli, r.ID, projects[1], map[string]string{}); models.KindOf(err) != models.KindConflict {
		t.Fatalf("redacting in a closed round: %v", err)
	}
}
