package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"leitai/models"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

func mustEdition(t *testing.T, db *DB, opens, closes time.Time, grace, quota int) models.Edition {
	t.Helper()
	e, err := db.CreateEdition(context.Background(), cli, models.EditionInput{Year: 2026, Title: "2026年惠州市社会治理创新十大项目",
		Categories: []string{"基层治理", "平安建设", "法治建设", "社区服务"}, OpensAt: opens, ClosesAt: closes,
		GraceMinutes: grace, QuotaPerUnit: quota, Status: models.EditionActive})
	if err != nil {
		t.Fatalf("create edition: %v", err)
	}
	return e
}

func completeFields(title string) models.ProjectFields {
	return models.ProjectFields{Title: title, Category: "基层治理", Summary: "简介", Problem: "痛点", Approach: "做法",
		Results: "成效", Replicability: "推广", Sustainability: "长效", StartDate: "2025-03-01", ContactName: "张三", ContactPhone: "13812345678"}
}

func attachMedia(t *testing.T, db *DB, projectID int64) {
	t.Helper()
	now := time.Now().UTC()
	err := db.gorm.Exec(`INSERT INTO media (project_id, kind, filename, content_type, size, object_key, created_at, updated_at) VALUES (?, 'image', 'a.jpg', 'image/jpeg', 10, 'projects/x', ?, ?)`, projectID, now, now).Error
	if err != nil {
		t.Fatal(err)
	}
}

func testProjects(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	town := mustUnit(t, db, &county, models.UnitTown, "罗阳街道")
	other := mustUnit(t, db, &city, models.UnitCounty, "龙门县")
	unitUser := mustUser(t, db, "luoyang", []models.Role{models.RoleUnit}, &town)
	otherUser := mustUser(t, db, "longmen", []models.Role{models.RoleUnit}, &other)
	admin := mustUser(t, db, "admin1", []models.Role{models.RoleAdmin}, nil)
	expert := mustUser(t, db, "expert1", []models.Role{models.RoleExpert}, nil)
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 30, 2)

	if _, err := db.CreateProject(ctx, cli, expert, e.ID, models.ProjectFields{}, shanghai); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("expert creating a project: %v", err)
	}
	p, err := db.CreateProject(ctx, cli, unitUser, e.ID, models.ProjectFields{Title: "四民主工作法"}, shanghai)
	if err != nil || p.Status != models.ProjectDraft || p.UnitID != town {
		t.Fatalf("create: %+v %v", p, err)
	}
	// Oversized or malformed drafts are refused field by field, counting
	// characters, not bytes.
	long := models.ProjectFields{Title: strings.Repeat("治", 61), Category: "外星事务", StartDate: "2025/03/01"}
	_, err = db.SaveDraft(ctx, unitUser, p.ID, long, shanghai)
	if f := fieldsOf(err); f["title"] == "" || f["category"] == "" || f["start_date"] == "" {
		t.Fatalf("bad draft: %v", err)
	}
	if _, err := db.SaveDraft(ctx, unitUser, p.ID, models.ProjectFields{Title: strings.Repeat("治", 60)}, shanghai); err != nil {
		t.Fatalf("60 Chinese characters fit: %v", err)
	}
	// Another unit cannot see or touch it: not found, not forbidden.
	if _, err := db.ProjectByID(ctx, otherUser, p.ID); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("other unit reading: %v", err)
	}
	if _, err := db.SaveDraft(ctx, otherUser, p.ID, completeFields("x"), shanghai); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("other unit writing: %v", err)
	}
	// Submitting an incomplete project names every missing field.
	_, err = db.SubmitProject(ctx, cli, unitUser, p.ID, shanghai)
	if f := fieldsOf(err); f["summary"] == "" || f["approach"] == "" || f["contact_phone"] == "" || f["title"] != "" {
		t.Fatalf("incomplete submit: %v", err)
	}
	if _, err := db.SaveDraft(ctx, unitUser, p.ID, completeFields("四民主工作法"), shanghai); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitProject(ctx, cli, unitUser, p.ID, shanghai); fieldsOf(err)["media"] == "" {
		t.Fatalf("submit without media: %v", err)
	}
	attachMedia(t, db, p.ID)
	p, err = db.SubmitProject(ctx, cli, unitUser, p.ID, shanghai)
	if err != nil || p.Status != models.ProjectSubmitted || p.Version != 1 || p.SubmittedAt == nil {
		t.Fatalf("submit: %+v %v", p, err)
	}
	if _, err := db.SaveDraft(ctx, unitUser, p.ID, completeFields("改"), shanghai); models.KindOf(err) != models.KindConflict {
		t.Fatalf("editing a submitted project: %v", err)
	}
	// Withdraw, change, resubmit: two versions kept.
	if p, err = db.WithdrawProject(ctx, cli, unitUser, p.ID, shanghai); err != nil || p.Status != models.ProjectWithdrawn {
		t.Fatalf("withdraw: %v", err)
	}
	if _, err := db.SaveDraft(ctx, unitUser, p.ID, completeFields("四民主工作法（修订）"), shanghai); err != nil {
		t.Fatal(err)
	}
	if p, err = db.SubmitProject(ctx, cli, unitUser, p.ID, shanghai); err != nil || p.Version != 2 {
		t.Fatalf("resubmit: %+v %v", p, err)
	}
	versions, err := db.ProjectVersions(ctx, unitUser, p.ID)
	if err != nil || len(versions) != 2 || versions[0].Fields.Title != "四民主工作法（修订）" || versions[1].Fields.Title != "四民主工作法" {
		t.Fatalf("versions: %+v %v", versions, err)
	}
	// Quota of 2 per unit.
	if _, err := db.CreateProject(ctx, cli, unitUser, e.ID, models.ProjectFields{Title: "和美网格"}, shanghai); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateProject(ctx, cli, unitUser, e.ID, models.ProjectFields{Title: "第三个"}, shanghai); models.KindOf(err) != models.KindConflict {
		t.Fatalf("over quota: %v", err)
	}
	// Lists: a unit sees its own, filters by county work for admins.
	mine, _ := db.ListProjects(ctx, unitUser, models.ProjectFilter{EditionID: e.ID})
	theirs, _ := db.ListProjects(ctx, otherUser, models.ProjectFilter{EditionID: e.ID})
	if len(mine) != 2 || len(theirs) != 0 {
		t.Fatalf("unit lists: %d / %d", len(mine), len(theirs))
	}
	inCounty, _ := db.ListProjects(ctx, admin, models.ProjectFilter{EditionID: e.ID, CountyID: &county, Status: models.ProjectSubmitted})
	inOther, _ := db.ListProjects(ctx, admin, models.ProjectFilter{EditionID: e.ID, CountyID: &other})
	found, _ := db.ListProjects(ctx, admin, models.ProjectFilter{EditionID: e.ID, Query: "修订"})
	if len(inCounty) != 1 || len(inOther) != 0 || len(found) != 1 {
		t.Fatalf("admin filters: %d %d %d", len(inCounty), len(inOther), len(found))
	}
	if _, err := db.ListProjects(ctx, expert, models.ProjectFilter{EditionID: e.ID}); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("expert listing: %v", err)
	}
	// Eligibility: a reason is required for ineligible; drafts cannot be
	// judged; all or none.
	if _, err := db.SetEligibility(ctx, cli, []int64{p.ID}, false, " "); fieldsOf(err)["reason"] == "" {
		t.Fatalf("ineligible without reason: %v", err)
	}
	if _, err := db.SetEligibility(ctx, cli, []int64{p.ID, mine[1].ID}, true, ""); models.KindOf(err) != models.KindConflict {
		t.Fatalf("judging a draft: %v", err)
	}
	got, _ := db.ProjectByID(ctx, admin, p.ID)
	if got.Status != models.ProjectSubmitted {
		t.Fatalf("a failed bulk action changed a project: %s", got.Status)
	}
	out, err := db.SetEligibility(ctx, cli, []int64{p.ID}, false, "不属于社会治理类")
	if err != nil || out[0].Status != models.ProjectIneligible || out[0].EligibilityReason != "不属于社会治理类" {
		t.Fatalf("ineligible: %+v %v", out, err)
	}
	if _, err := db.WithdrawProject(ctx, cli, unitUser, p.ID, shanghai); models.KindOf(err) != models.KindConflict {
		t.Fatalf("withdrawing a judged project: %v", err)
	}
}

func testDeadline(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	u := mustUser(t, db, "late", []models.Role{models.RoleUnit}, &city)
	now := time.Now()
	// Closed 20 minutes ago with 30 minutes of grace: still accepted.
	e := mustEdition(t, db, now.Add(-48*time.Hour), now.Add(-20*time.Minute), 30, 0)
	p, err := db.CreateProject(ctx, cli, u, e.ID, completeFields("e普法"), shanghai)
	if err != nil {
		t.Fatalf("inside the grace period: %v", err)
	}
	attachMedia(t, db, p.ID)
	// Closed 40 minutes ago with 30 minutes of grace: 409 naming the deadline.
	past := mustEdition(t, db, now.Add(-48*time.Hour), now.Add(-40*time.Minute), 30, 0)
	_, err = db.CreateProject(ctx, cli, u, past.ID, completeFields("医调委"), shanghai)
	deadline := past.Deadline().In(shanghai).Format("2006-01-02 15:04")
	if models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), deadline) {
		t.Fatalf("after the deadline: %v (want 409 naming %s)", err, deadline)
	}
	// Moving the deadline into the past freezes the existing project too.
	_, err = db.UpdateEdition(ctx, cli, e.ID, models.EditionInput{Year: 2026, Title: e.Title, Categories: e.Categories,
		OpensAt: e.OpensAt, ClosesAt: now.Add(-time.Hour), Status: models.EditionActive})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitProject(ctx, cli, u, p.ID, shanghai); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("submit after the deadline: %v", err)
	}
	// Categories in use cannot be removed.
	_, err = db.UpdateEdition(ctx, cli, e.ID, models.EditionInput{Year: 2026, Title: e.Title, Categories: []string{"平安建设"},
		OpensAt: e.OpensAt, ClosesAt: e.ClosesAt, Status: models.EditionActive})
	if fieldsOf(err)["categories"] == "" {
		t.Fatalf("removing a used category: %v", err)
	}
}
