package storage

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"leitai/judging"
	"leitai/models"
)

// testDecisions runs a round whose two projects tie exactly through the
// whole chain: the panel, reminders, the organiser's tie decision (carried
// into the score sheet), advancement with an override into the next round,
// reopening clearing the decisions, publication, objections and the
// expert's media.
func testDecisions(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	var projects []int64
	for i := 0; i < 3; i++ {
		user := mustUser(t, db, "u"+strconv.Itoa(i), []models.Role{models.RoleUnit}, &county)
		p, err := db.CreateProject(ctx, cli, user, e.ID, completeFields("项目"+strconv.Itoa(i)), shanghai)
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
	var experts []models.User
	for i := 0; i < 3; i++ {
		experts = append(experts, mustUser(t, db, "ex"+strconv.Itoa(i), []models.Role{models.RoleExpert}, nil))
	}
	unitUser := mustUser(t, db, "notexpert", []models.Role{models.RoleUnit}, &county)
	r, err := db.CreateRound(ctx, cli, e.ID, models.Round{Name: "初审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 2, Method: "mean", KeyCriterion: "innovative", Blind: true})
	if err != nil {
		t.Fatal(err)
	}

	// The panel: only enabled experts; the assignment draws on it alone.
	if _, err := db.SetRoundExperts(ctx, cli, r.ID, []int64{experts[0].ID, unitUser.ID}); fieldsOf(err)["expert_ids"] == "" {
		t.Fatalf("a unit user on the panel: %v", err)
	}
	panel := []int64{experts[1].ID, experts[0].ID, experts[0].ID}
	if ids, err := db.SetRoundExperts(ctx, cli, r.ID, panel); err != nil || !slices.Equal(ids, []int64{experts[0].ID, experts[1].ID}) {
		t.Fatalf("panel: %v %v", ids, err)
	}
	if ids, _ := db.RoundExperts(ctx, r.ID); len(ids) != 2 {
		t.Fatalf("panel read back: %v", ids)
	}
	a, err := db.AssignRound(ctx, cli, r.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range a.Experts {
		if q.Expert == experts[2].ID && len(q.Projects) > 0 {
			t.Fatalf("an expert outside the panel was assigned: %+v", a.Experts)
		}
	}
	if _, err := db.RemindExperts(ctx, cli, r.ID, ""); models.KindOf(err) != models.KindConflict {
		t.Fatalf("reminding in a draft round: %v", err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetRoundExperts(ctx, cli, r.ID, nil); err != nil {
		t.Fatalf("clearing the panel of an open round: %v", err)
	}

	// Media: the assigned expert sees them, an expert without the project
	// gets 403.
	media := NewMediaService(db, nil, MediaConfig{})
	round, list, err := media.ReviewMedia(ctx, experts[0], r.ID, projects[0])
	if err != nil || len(list) != 1 || !round.Blind {
		t.Fatalf("review media: %+v %v", list, err)
	}
	if _, _, err := media.ReviewMedia(ctx, experts[2], r.ID, projects[0]); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("media of an unassigned project: %v", err)
	}

	// Projects 0 and 1 get identical scores (tied through the chain),
	// project 2 is ahead. Expert 1 leaves its last project unsubmitted.
	points := func(p int) map[string]int64 {
		inn := int64(2000)
		if p == 2 {
			inn = 2400
		}
		return map[string]int64{"innovative": inn, "exploratory": 1500, "demonstrative": 1500, "replicable": 1500, "sustainable": 1000}
	}
	for _, ex := range experts[:2] {
		for _, p := range projects {
			if _, err := db.SaveScore(ctx, cli, ex, r.ID, p, points(indexOf(projects, p)), "", ex.ID == experts[0].ID || p != projects[2]); err != nil {
				t.Fatal(err)
			}
		}
	}
	sent, err := db.RemindExperts(ctx, cli, r.ID, "请于周五前完成")
	if err != nil || len(sent) != 1 || sent[0].ExpertID != experts[1].ID || sent[0].Remaining != 1 || sent[0].Username != "ex1" {
		t.Fatalf("reminders: %+v %v", sent, err)
	}
	if latest, _ := db.LatestReminders(ctx, experts[1].ID); latest[r.ID].Message != "请于周五前完成" {
		t.Fatalf("latest reminder: %+v", latest)
	}
	if list, _ := db.RoundReminders(ctx, r.ID); len(list) != 1 {
		t.Fatalf("round reminders: %+v", list)
	}
	if _, err := db.SaveScore(ctx, cli, experts[1], r.ID, projects[2], points(2), "", true); err != nil {
		t.Fatal(err)
	}
	if sent, err := db.RemindExperts(ctx, cli, r.ID, ""); err != nil || len(sent) != 0 {
		t.Fatalf("everyone done, nobody reminded: %+v %v", sent, err)
	}

	p0, p1, p2 := strconv.FormatInt(projects[0], 10), strconv.FormatInt(projects[1], 10), strconv.FormatInt(projects[2], 10)
	if _, err := db.DecideTie(ctx, cli, r.ID, []string{p1, p0}, "现场答辩更充分"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("deciding on an open round: %v", err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundClosed, time.UTC); err != nil {
		t.Fatal(err)
	}
	sheet, _ := db.RoundSheet(ctx, r.ID)
	res, _ := judging.Rank(sheet)
	if len(res.Ties) != 1 || !slices.Equal(res.Ties[0].Projects, sortedIDs(p0, p1)) {
		t.Fatalf("the tie is flagged: %+v", res.Ties)
	}
	for _, bad := range []struct {
		order  []string
		reason string
		field  string
	}{
		{[]string{p1, p0}, " ", "reason"},
		{[]string{p2, p0}, "理由", "order"}, // p2 is not tied
		{[]string{p1}, "理由", "order"},
	} {
		if _, err := db.DecideTie(ctx, cli, r.ID, bad.order, bad.reason); fieldsOf(err)[bad.field] == "" {
			t.Fatalf("decision %v %q: %v", bad.order, bad.reason, err)
		}
	}
	d, err := db.DecideTie(ctx, cli, r.ID, []string{p1, p0}, "现场答辩更充分")
	if err != nil {
		t.Fatal(err)
	}
	sheet, _ = db.RoundSheet(ctx, r.ID)
	res, err = judging.Rank(sheet)
	if err != nil || len(res.Ties) != 0 || res.Ranking[1].Project != p1 || res.Ranking[2].Project != p0 || res.Ranking[2].Rank != 3 ||
		len(sheet.Decisions) != 1 || sheet.Decisions[0].Reason != "现场答辩更充分" {
		t.Fatalf("decided ranking: %+v %+v %v", res.Ranking, sheet.Decisions, err)
	}
	if list, _ := db.TieDecisions(ctx, r.ID); len(list) != 1 || list[0].ID != d.ID || list[0].DecidedBy != "test" {
		t.Fatalf("decisions: %+v", list)
	}

	// The next round exists as a draft before advancement is decided.
	next, err := db.CreateRound(ctx, cli, e.ID, models.Round{Name: "复审", Kind: models.RoundOnline, OpensAt: now.Add(time.Hour), ClosesAt: now.Add(2 * time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 1, Method: "mean", KeyCriterion: "innovative"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetAdvancement(ctx, cli, r.ID, models.AdvanceInput{Top: 1, Overrides: []models.AdvanceOverride{{Project: p1, Advance: true}}}); fieldsOf(err) == nil {
		t.Fatalf("an override without a reason: %v", err)
	}
	if _, err := db.SetAdvancement(ctx, cli, r.ID, models.AdvanceInput{Top: 1, Threshold: new(int64)}); models.KindOf(err) != models.KindInvalid {
		t.Fatalf("top and threshold: %v", err)
	}
	adv, err := db.SetAdvancement(ctx, cli, r.ID, models.AdvanceInput{Top: 1, Overrides: []models.AdvanceOverride{{Project: p0, Advance: true, Reason: "创新点突出，破格晋级"}}})
	if err != nil || !slices.Equal(adv.Advancing, []string{p2, p0}) || adv.NextRoundID == nil || *adv.NextRoundID != next.ID {
		t.Fatalf("advancement: %+v %v", adv, err)
	}
	var nextProjects []int64
	db.gorm.Model(&roundProjectRow{}).Where("round_id = ?", next.ID).Order("project_id").Pluck("project_id", &nextProjects)
	if !slices.Equal(nextProjects, sortedInts(projects[0], projects[2])) {
		t.Fatalf("the next round's projects: %v", nextProjects)
	}
	threshold := int64(7500)
	if adv, err := db.SetAdvancement(ctx, cli, r.ID, models.AdvanceInput{Threshold: &threshold}); err != nil || len(adv.Advancing) != 3 {
		t.Fatalf("threshold 75: %+v %v", adv, err)
	}
	got, err := db.AdvancementOf(ctx, r.ID)
	if err != nil || got.Threshold == nil || *got.Threshold != 7500 || len(got.Advancing) != 3 {
		t.Fatalf("advancement read back: %+v %v", got, err)
	}

	// Reopening clears the decisions; they are made again after closing.
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	if list, _ := db.TieDecisions(ctx, r.ID); len(list) != 0 {
		t.Fatalf("decisions survive reopening: %+v", list)
	}
	if _, err := db.AdvancementOf(ctx, r.ID); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("advancement survives reopening: %v", err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundClosed, time.UTC); err != nil {
		t.Fatal(err)
	}
	d2, err := db.DecideTie(ctx, cli, r.ID, []string{p0, p1}, "先作出")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteTieDecision(ctx, cli, r.ID, d2.ID); err != nil {
		t.Fatal(err)
	}
	// An undecided tie across the top-2 line blocks the 公示, naming it.
	if _, err := db.SetAdvancement(ctx, cli, r.ID, models.AdvanceInput{Top: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundPublished, shanghai); models.KindOf(err) != models.KindConflict ||
		!strings.Contains(err.Error(), "tied across the advancement line") || !strings.Contains(err.Error(), p0) {
		t.Fatalf("publishing an undecided cut tie: %v, want conflict naming it", err)
	}
	if _, err := db.DecideTie(ctx, cli, r.ID, []string{p1, p0}, "现场答辩更充分"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetAdvancement(ctx, cli, r.ID, models.AdvanceInput{Top: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundPublished, shanghai); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideTie(ctx, cli, r.ID, []string{p1, p0}, "x"); models.KindOf(err) != models.KindConflict {
		t.Fatalf("deciding on a published round: %v", err)
	}
	pub, err := db.PublicationOf(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The publication anchors the audit head; cutting the newest entries
	// (the anchor among them) is detected although the rest still chains.
	if v, err := db.VerifyAudit(ctx); err != nil || v.FirstBroken != nil || v.Anchors != 1 || pub.AuditHeadID == 0 {
		t.Fatalf("verify after publication: %+v %v (anchor %d)", v, err, pub.AuditHeadID)
	}
	var cut []auditRow
	if err := db.gorm.Where("id >= ?", pub.AuditHeadID).Order("id").Find(&cut).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.gorm.Exec("DELETE FROM audit_log WHERE id >= ?", pub.AuditHeadID).Error; err != nil {
		t.Fatal(err)
	}
	if v, err := db.VerifyAudit(ctx); err != nil || v.FirstBroken == nil || v.FirstBroken.ID != pub.AuditHeadID {
		t.Fatalf("verify after the newest entries were deleted: %+v %v, want the anchor %d reported", v, err, pub.AuditHeadID)
	}
	for _, row := range cut { // put the log back for the rest of the suite
		if err := db.gorm.Create(&row).Error; err != nil {
			t.Fatal(err)
		}
	}
	if v, err := db.VerifyAudit(ctx); err != nil || v.FirstBroken != nil {
		t.Fatalf("verify after restoring: %+v %v", v, err)
	}
	published, err := judging.ParseSheet(strings.NewReader(pub.Sheet))
	if err != nil {
		t.Fatal(err)
	}
	pres, err := judging.Rank(published)
	if err != nil || len(published.Decisions) != 1 || pres.Ranking[1].Project != p1 || pres.Ranking[1].Tied {
		t.Fatalf("the published sheet reproduces the decision: %+v %v", pres.Ranking, err)
	}

	// Objections: while the window is open; name, contact and text required.
	in := models.ObjectionInput{RoundID: r.ID, ProjectID: &projects[1], Name: "王先生", Contact: "13800001111", Body: "该项目的成效数据与实际不符，请核实。", IP: "10.0.0.1"}
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, models.ObjectionInput{RoundID: r.ID, Name: "x"}, time.Now()); fieldsOf(err)["contact"] == "" || fieldsOf(err)["body"] == "" {
		t.Fatalf("an incomplete objection: %v", err)
	}
	other := in
	other.ProjectID = &unitUser.ID // not a project of the round
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, other, time.Now()); fieldsOf(err)["project_id"] == "" {
		t.Fatalf("an objection to a project not in the round: %v", err)
	}
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, in, pub.ObjectionUntil.Add(time.Second)); models.KindOf(err) != models.KindConflict {
		t.Fatalf("an objection after the window: %v", err)
	}
	noRound := in
	noRound.RoundID = next.ID
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, noRound, time.Now()); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("an objection to an unpublished round: %v", err)
	}
	var first models.Objection
	for i := 0; i < objectionsPerHour; i++ {
		o, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, in, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = o
		}
	}
	if _, err := db.SubmitObjection(ctx, models.Actor{Name: "public"}, in, time.Now()); models.KindOf(err) != models.KindRateLimited {
		t.Fatalf("one address past the cap: %v", err)
	}
	if _, err := db.AnswerObjection(ctx, cli, first.ID, " "); fieldsOf(err)["answer"] == "" {
		t.Fatalf("an empty answer: %v", err)
	}
	ans, err := db.AnswerObjection(ctx, cli, first.ID, "经核实，数据有据可查，维持原结果。")
	if err != nil || ans.AnsweredAt == nil || ans.Contact != "13800001111" {
		t.Fatalf("answer: %+v %v", ans, err)
	}
	all, err := db.RoundObjections(ctx, r.ID)
	if err != nil || len(all) != objectionsPerHour || all[0].Answer == "" || all[1].Answer != "" {
		t.Fatalf("objections: %+v %v", all, err)
	}
	byRound, err := db.PublishedObjections(ctx, []int64{r.ID, next.ID})
	if err != nil || len(byRound[r.ID]) != objectionsPerHour || len(byRound[next.ID]) != 0 {
		t.Fatalf("published objections: %+v %v", byRound, err)
	}
}

func sortedIDs(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

func sortedInts(ids ...int64) []int64 {
	slices.Sort(ids)
	return ids
}

// testConflictChains checks that the score save's conflict check, which
// reads only two ancestor chains, agrees with conflictsOf on the whole tree
// for every expert and unit of a tree with counties, towns, villages, city
// departments and an outside unit, affiliations everywhere and declared
// conflicts.
func testConflictChains(t *testing.T, db *DB) {
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	units := []int64{city}
	for c := 0; c < 2; c++ {
		county := mustUnit(t, db, &city, models.UnitCounty, "县"+strconv.Itoa(c))
		units = append(units, county)
		dept := mustUnit(t, db, &county, models.UnitDepartment, "县局"+strconv.Itoa(c))
		units = append(units, dept)
		for w := 0; w < 2; w++ {
			town := mustUnit(t, db, &county, models.UnitTown, "镇"+strconv.Itoa(c)+strconv.Itoa(w))
			village := mustUnit(t, db, &town, models.UnitVillage, "村"+strconv.Itoa(c)+strconv.Itoa(w))
			units = append(units, town, village)
		}
	}
	cityDept := mustUnit(t, db, &city, models.UnitDepartment, "市局")
	sub := mustUnit(t, db, &cityDept, models.UnitOrganisation, "市局下属")
	outside := mustUnit(t, db, nil, models.UnitExternal, "外市大学")
	units = append(units, cityDept, sub, outside)

	var experts []models.User
	affiliations := append([]*int64{nil}, func() []*int64 {
		out := []*int64{}
		for i := range units {
			out = append(out, &units[i])
		}
		return out
	}()...)
	for i, a := range affiliations {
		e := mustUser(t, db, "cx"+strconv.Itoa(i), []models.Role{models.RoleExpert}, a)
		if i%3 == 0 {
			// A declared conflict with some other unit.
			if err := db.DeclareConflict(ctx, cli, e.ID, units[(i*7)%len(units)], "曾任职"); err != nil {
				t.Fatal(err)
			}
		}
		experts = append(experts, e)
	}
	full, err := conflictsOf(db.gorm, func() []userRow {
		var rows []userRow
		db.gorm.Where("id IN ?", func() []int64 {
			ids := []int64{}
			for _, e := range experts {
				ids = append(ids, e.ID)
			}
			return ids
		}()).Find(&rows)
		return rows
	}())
	if err != nil {
		t.Fatal(err)
	}
	conflicts := 0
	for _, e := range experts {
		for _, u := range units {
			got, err := reviewerConflicted(db.gorm, e, u)
			if err != nil {
				t.Fatal(err)
			}
			if want := full[e.ID].Has(u); got != want {
				t.Errorf("expert %s (unit %v) and unit %d: chains say %v, the whole tree %v", e.Username, e.UnitID, u, got, want)
			}
			if got {
				conflicts++
			}
		}
	}
	if conflicts == 0 || conflicts == len(experts)*len(units) {
		t.Fatalf("a degenerate case: %d conflicts", conflicts)
	}
}
