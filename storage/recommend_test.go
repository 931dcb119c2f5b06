package storage

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"leitai/models"
)

// testRecommendation: with the edition's step off, submissions reach the
// eligibility check directly (as before); with it on, a submission waits
// for the recommender of its subtree, who sees only that subtree, recommends
// within the quota of their root (409 naming it beyond; concurrent
// recommendations never exceed it) or returns with a required reason; the
// unit and the recommender are notified; every transition is audited.
func testRecommendation(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	boluo := mustUnit(t, db, &city, models.UnitCounty, "博罗县")
	luoyang := mustUnit(t, db, &boluo, models.UnitTown, "罗阳街道")
	longmen := mustUnit(t, db, &city, models.UnitCounty, "龙门县")
	admin := mustUser(t, db, "radmin", []models.Role{models.RoleAdmin}, nil)
	unitUser := mustUser(t, db, "rluoyang", []models.Role{models.RoleUnit}, &luoyang)
	otherUnit := mustUser(t, db, "rlongmen", []models.Role{models.RoleUnit}, &longmen)
	rec := mustUser(t, db, "rec-boluo", []models.Role{models.RoleRecommender}, &boluo)
	recLongmen := mustUser(t, db, "rec-longmen", []models.Role{models.RoleRecommender}, &longmen)
	notes := NewNotificationService(db, shanghai)

	// A recommender must belong to a county or department.
	if _, err := db.CreateUser(ctx, cli, models.NewUser{Username: "rec-town", Password: "password-rec-town", Roles: []models.Role{models.RoleRecommender}, UnitID: &luoyang}); fieldsOf(err)["unit_id"] == "" {
		t.Fatalf("recommender of a town: %v", err)
	}
	if _, err := db.CreateUser(ctx, cli, models.NewUser{Username: "rec-none", Password: "password-rec-none", Roles: []models.Role{models.RoleRecommender}}); fieldsOf(err)["unit_id"] == "" {
		t.Fatalf("recommender without a unit: %v", err)
	}

	now := time.Now()
	submit := func(e models.Edition, u models.User, title string) models.Project {
		t.Helper()
		p, err := db.CreateProject(ctx, cli, u, e.ID, completeFields(title), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if p, err = db.SubmitProject(ctx, cli, u, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		return p
	}

	// Step off (a new edition's default): as today.
	off := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	if off.Recommend.Step {
		t.Fatal("a new edition has the step on")
	}
	p0 := submit(off, unitUser, "步骤关闭")
	if _, err := db.RecommendProject(ctx, cli, rec, p0.ID, ""); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "no recommendation step") {
		t.Fatalf("recommend with the step off: %v", err)
	}
	if _, err := db.SetEligibility(ctx, cli, []int64{p0.ID}, true, ""); err != nil {
		t.Fatalf("eligibility with the step off: %v", err)
	}
	if n := mustNotes(t, notes, rec); n.Total != 0 {
		t.Fatalf("recommender told with the step off: %v", noteKinds(n))
	}

	// Step on with a quota of 2 for 博罗县; an edit that leaves Recommend
	// nil keeps it.
	in := models.EditionInput{Year: 2026, Title: "推荐步骤", Categories: []string{"基层治理"}, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(time.Hour), Status: models.EditionActive,
		Recommend: &models.RecommendSettings{Step: true, Quotas: []models.RecommendQuota{{UnitID: boluo, Quota: 2}}}}
	bad := in
	bad.Recommend = &models.RecommendSettings{Step: true, Quotas: []models.RecommendQuota{{UnitID: luoyang, Quota: 2}}}
	if _, err := db.CreateEdition(ctx, cli, bad); fieldsOf(err)["recommend_quotas"] == "" {
		t.Fatalf("quota for a town: %v", err)
	}
	bad.Recommend = &models.RecommendSettings{Step: true, Quotas: []models.RecommendQuota{{UnitID: boluo, Quota: -1}}}
	if _, err := db.CreateEdition(ctx, cli, bad); fieldsOf(err)["recommend_quotas"] == "" {
		t.Fatalf("negative quota: %v", err)
	}
	e, err := db.CreateEdition(ctx, cli, in)
	if err != nil || !e.Recommend.Step || len(e.Recommend.Quotas) != 1 {
		t.Fatalf("create with the step: %+v %v", e.Recommend, err)
	}
	keep := in
	keep.Recommend, keep.Title = nil, "推荐步骤（改）"
	if e, err = db.UpdateEdition(ctx, cli, e.ID, keep); err != nil || !e.Recommend.Step || len(e.Recommend.Quotas) != 1 {
		t.Fatalf("update keeping the step: %+v %v", e.Recommend, err)
	}
	if got, _ := db.EditionByID(ctx, e.ID); got.Recommend.Quotas[0] != (models.RecommendQuota{UnitID: boluo, Quota: 2}) {
		t.Fatalf("stored quotas: %+v", got.Recommend)
	}

	a := submit(e, unitUser, "甲")
	b := submit(e, unitUser, "乙")
	c := submit(e, unitUser, "丙")
	o := submit(e, otherUnit, "龙门")
	if n := mustNotes(t, notes, rec); n.Total != 3 || noteKinds(n)[0] != models.NoteAwaitingRecommend {
		t.Fatalf("recommender's notes: %v", noteKinds(n))
	}
	// The eligibility check waits for the recommendation.
	if _, err := db.SetEligibility(ctx, cli, []int64{a.ID}, true, ""); models.KindOf(err) != models.KindConflict {
		t.Fatalf("eligibility before the recommendation: %v", err)
	}

	// Scope: only the subtree; the rest is not found.
	list, err := db.ListProjects(ctx, rec, models.ProjectFilter{EditionID: e.ID})
	if err != nil || len(list) != 3 {
		t.Fatalf("recommender's list: %d %v", len(list), err)
	}
	for _, call := range []func() error{
		func() error { _, err := db.ProjectByID(ctx, rec, o.ID); return err },
		func() error { _, err := db.RecommendProject(ctx, cli, rec, o.ID, ""); return err },
		func() error { _, err := db.ReturnByRecommender(ctx, cli, rec, o.ID, "不行"); return err },
		func() error { _, err := db.CommentProject(ctx, cli, rec, o.ID, "看看"); return err },
		func() error { _, err := db.ProjectByID(ctx, recLongmen, a.ID); return err },
	} {
		if err := call(); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("outside the subtree: %v", err)
		}
	}
	// A recommender cannot edit or submit a unit's project.
	if _, err := db.SaveDraft(ctx, rec, a.ID, completeFields("改"), shanghai); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("recommender editing: %v", err)
	}
	// 龙门县 has no quota: a clear conflict.
	if _, err := db.RecommendProject(ctx, cli, recLongmen, o.ID, ""); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "龙门县") {
		t.Fatalf("no quota: %v", err)
	}

	// Comment, recommend two, the third is beyond the quota.
	if _, err := db.CommentProject(ctx, cli, rec, a.ID, strings.Repeat("评", 1001)); fieldsOf(err)["comment"] == "" {
		t.Fatalf("long comment: %v", err)
	}
	if p, err := db.CommentProject(ctx, cli, rec, a.ID, "材料扎实"); err != nil || p.RecommendComment != "材料扎实" {
		t.Fatalf("comment: %+v %v", p.Recommendation, err)
	}
	ra, err := db.RecommendProject(ctx, cli, rec, a.ID, "推荐：成效明显")
	if err != nil || ra.Status != models.ProjectRecommended || ra.RecommendedBy != "test" || ra.RecommendRootID == nil || *ra.RecommendRootID != boluo || ra.RecommendedAt == nil {
		t.Fatalf("recommend: %+v %v", ra, err)
	}
	if _, err := db.RecommendProject(ctx, cli, rec, a.ID, ""); models.KindOf(err) != models.KindConflict {
		t.Fatalf("recommend twice: %v", err)
	}
	if _, err := db.RecommendProject(ctx, cli, rec, b.ID, ""); err != nil {
		t.Fatal(err)
	}
	_, err = db.RecommendProject(ctx, cli, rec, c.ID, "")
	if models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "quota of 博罗县 is 2") || fieldsOf(err)["quota"] != "2 of 2 used" {
		t.Fatalf("beyond the quota: %v", err)
	}
	use, err := db.RecommendQuotaUse(ctx, rec, e.ID)
	if err != nil || len(use) != 1 || use[0].Used != 2 || use[0].Quota != 2 || use[0].UnitName != "博罗县" {
		t.Fatalf("quota use: %+v %v", use, err)
	}
	if all, err := db.RecommendQuotaUse(ctx, admin, e.ID); err != nil || len(all) != 1 {
		t.Fatalf("admin's quota use: %+v %v", all, err)
	}

	// Return needs a reason; the unit sees it, edits and submits again.
	if _, err := db.ReturnByRecommender(ctx, cli, rec, c.ID, "  "); fieldsOf(err)["reason"] == "" {
		t.Fatalf("return without a reason: %v", err)
	}
	rc, err := db.ReturnByRecommender(ctx, cli, rec, c.ID, "请补充成效数据")
	if err != nil || rc.Status != models.ProjectRecommenderReturned {
		t.Fatalf("return: %+v %v", rc, err)
	}
	seen, err := db.ProjectByID(ctx, unitUser, c.ID)
	if err != nil || seen.EligibilityReason != "请补充成效数据" || seen.RecommendComment != "请补充成效数据" {
		t.Fatalf("the unit sees the reason: %+v %v", seen, err)
	}
	un := mustNotes(t, notes, unitUser)
	kinds := noteKinds(un)
	if kinds[0] != models.NoteRecommenderReturned || !strings.Contains(un.Items[0].Body, "请补充成效数据") {
		t.Fatalf("unit's notes: %v %q", kinds, un.Items[0].Body)
	}
	if !slicesContains(kinds, models.NoteRecommended) {
		t.Fatalf("unit not told of the recommendation: %v", kinds)
	}
	if _, err := db.SaveDraft(ctx, unitUser, c.ID, completeFields("丙（改）"), shanghai); err != nil {
		t.Fatalf("edit after a return: %v", err)
	}
	rs, err := db.SubmitProject(ctx, cli, unitUser, c.ID, shanghai)
	if err != nil || rs.Status != models.ProjectSubmitted || rs.RecommendedBy != "" || rs.RecommendComment != "" {
		t.Fatalf("resubmit: %+v %v", rs, err)
	}

	// The city checks the recommended ones; an admin's return of a
	// recommended project frees its place in the quota.
	if _, err := db.SetEligibility(ctx, cli, []int64{a.ID}, true, ""); err != nil {
		t.Fatalf("eligibility of a recommended project: %v", err)
	}
	if _, err := db.ReturnProject(ctx, cli, b.ID, "城市退回"); err != nil {
		t.Fatalf("admin returns a recommended project: %v", err)
	}
	if _, err := db.RecommendProject(ctx, cli, rec, c.ID, ""); err != nil {
		t.Fatalf("recommend after a place was freed: %v", err)
	}

	// The audit chain holds every transition.
	entries, err := db.ListAudit(ctx, models.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, en := range entries {
		actions[en.Action]++
	}
	if actions["project.recommend"] != 3 || actions["project.recommender_return"] != 1 || actions["project.recommend_comment"] != 1 {
		t.Fatalf("audit: %v", actions)
	}
	if v, err := db.VerifyAudit(ctx); err != nil || v.FirstBroken != nil {
		t.Fatalf("verify: %+v %v", v, err)
	}
}

func slicesContains(ks []models.NotificationKind, k models.NotificationKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// testRecommendQuotaRace: recommenders racing for the last places of a
// quota never exceed it.
func testRecommendQuotaRace(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "惠东县")
	unitUser := mustUser(t, db, "hd-unit", []models.Role{models.RoleUnit}, &county)
	rec := mustUser(t, db, "hd-rec", []models.Role{models.RoleRecommender}, &county)
	now := time.Now()
	e, err := db.CreateEdition(ctx, cli, models.EditionInput{Year: 2026, Title: "并发", Categories: []string{"基层治理"},
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), Status: models.EditionActive,
		Recommend: &models.RecommendSettings{Step: true, Quotas: []models.RecommendQuota{{UnitID: county, Quota: 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := 0; i < 6; i++ {
		p, err := db.CreateProject(ctx, cli, unitUser, e.ID, completeFields("项目"), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if _, err := db.SubmitProject(ctx, cli, unitUser, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = db.RecommendProject(ctx, cli, rec, id, "")
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case models.KindOf(err) != models.KindConflict:
			t.Fatalf("racing recommendation: %v", err)
		}
	}
	if ok != 2 {
		t.Fatalf("%d recommendations succeeded, quota 2", ok)
	}
	if use, _ := db.RecommendQuotaUse(ctx, rec, e.ID); use[0].Used != 2 {
		t.Fatalf("used %+v", use)
	}
}

// testScopedAdministration: a recommender manages units and unit accounts
// of their subtree only.
func testScopedAdministration(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "惠阳区")
	town := mustUnit(t, db, &county, models.UnitTown, "淡水街道")
	other := mustUnit(t, db, &city, models.UnitCounty, "大亚湾区")
	otherTown := mustUnit(t, db, &other, models.UnitTown, "澳头街道")
	rec := mustUser(t, db, "hy-rec", []models.Role{models.RoleRecommender}, &county)
	outsider := mustUser(t, db, "dyw-unit", []models.Role{models.RoleUnit}, &otherTown)
	expert := mustUser(t, db, "hy-expert", []models.Role{models.RoleExpert}, &town)
	if _, err := db.ScopedUnits(ctx, outsider); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("a unit user's scope: %v", err)
	}
	units, err := db.ScopedUnits(ctx, rec)
	if err != nil || len(units) != 2 || units[0].ID != county || units[1].ID != town {
		t.Fatalf("scoped units: %+v %v", units, err)
	}
	village, err := db.ScopedCreateUnit(ctx, cli, rec, models.UnitInput{ParentID: &town, Kind: models.UnitVillage, Name: "新村社区"})
	if err != nil {
		t.Fatalf("create a village: %v", err)
	}
	if _, err := db.ScopedCreateUnit(ctx, cli, rec, models.UnitInput{ParentID: &otherTown, Kind: models.UnitVillage, Name: "外村"}); fieldsOf(err)["parent_id"] == "" {
		t.Fatalf("create outside: %v", err)
	}
	if _, err := db.ScopedCreateUnit(ctx, cli, rec, models.UnitInput{Kind: models.UnitCity, Name: "新市"}); fieldsOf(err)["parent_id"] == "" {
		t.Fatalf("create a root: %v", err)
	}
	// Moving a unit outside, changing one outside or the root itself.
	if _, err := db.ScopedUpdateUnit(ctx, cli, rec, town, models.UnitInput{ParentID: &other, Kind: models.UnitTown, Name: "淡水街道"}); fieldsOf(err)["parent_id"] == "" {
		t.Fatalf("move outside: %v", err)
	}
	if _, err := db.ScopedUpdateUnit(ctx, cli, rec, otherTown, models.UnitInput{ParentID: &county, Kind: models.UnitTown, Name: "澳头街道"}); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("pull a unit in: %v", err)
	}
	if _, err := db.ScopedUpdateUnit(ctx, cli, rec, county, models.UnitInput{ParentID: &city, Kind: models.UnitCounty, Name: "惠阳"}); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("change the root: %v", err)
	}
	if u, err := db.ScopedUpdateUnit(ctx, cli, rec, village.ID, models.UnitInput{ParentID: &town, Kind: models.UnitVillage, Name: "新村社区居委会"}); err != nil || u.Name != "新村社区居委会" {
		t.Fatalf("rename inside: %+v %v", u, err)
	}

	// Accounts: unit accounts of the subtree only.
	for _, roles := range [][]models.Role{{models.RoleAdmin}, {models.RoleExpert}, {models.RoleRecommender}, {models.RoleUnit, models.RoleAdmin}} {
		_, err := db.ScopedCreateUser(ctx, cli, rec, models.NewUser{Username: "x-" + string(roles[0]) + "1", Password: "password-x-2026", Roles: roles, UnitID: &town})
		if models.KindOf(err) != models.KindForbidden {
			t.Fatalf("create %v: %v", roles, err)
		}
	}
	if _, err := db.ScopedCreateUser(ctx, cli, rec, models.NewUser{Username: "x-out", Password: "password-x-2026", Roles: []models.Role{models.RoleUnit}, UnitID: &otherTown}); fieldsOf(err)["unit_id"] == "" {
		t.Fatalf("create outside: %v", err)
	}
	dan, err := db.ScopedCreateUser(ctx, cli, rec, models.NewUser{Username: "danshui", Password: "password-danshui-2026", Roles: []models.Role{models.RoleUnit}, UnitID: &town})
	if err != nil {
		t.Fatalf("create a unit account: %v", err)
	}
	users, err := db.ScopedUsers(ctx, rec)
	if err != nil || len(users) != 1 || users[0].ID != dan.ID {
		t.Fatalf("scoped users: %+v %v", users, err)
	}
	if err := db.ScopedResetPassword(ctx, cli, rec, dan.ID, "a-new-password-2026"); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if _, _, err := db.Login(ctx, models.LoginAttempt{Username: "danshui", Password: "a-new-password-2026", IP: "10.0.0.9", UserAgent: "test"}); err != nil {
		t.Fatalf("sign in with the new password: %v", err)
	}
	yes := true
	if u, err := db.ScopedUpdateUser(ctx, cli, rec, dan.ID, models.ScopedAccountChange{Disabled: &yes}); err != nil || !u.Disabled {
		t.Fatalf("disable: %+v %v", u, err)
	}
	for _, id := range []int64{outsider.ID, expert.ID, rec.ID} {
		if err := db.ScopedResetPassword(ctx, cli, rec, id, "a-new-password-2026"); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("reset account %d: %v", id, err)
		}
		if _, err := db.ScopedUpdateUser(ctx, cli, rec, id, models.ScopedAccountChange{Disabled: &yes}); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("disable account %d: %v", id, err)
		}
	}
}
