package storage

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"leitai/models"
)

// publishedRound makes an edition with two counties' projects, scores
// them apart and publishes the round. It returns the round, the projects
// (best first) and their units' users.
func publishedRound(t *testing.T, db *DB) (models.Round, []int64, []models.User, int64) {
	t.Helper()
	ctx := context.Background()
	city := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	county := mustUnit(t, db, &city, models.UnitCounty, "惠城区")
	other := mustUnit(t, db, &city, models.UnitCounty, "惠阳区")
	now := time.Now()
	e := mustEdition(t, db, now.Add(-time.Hour), now.Add(time.Hour), 0, 0)
	var projects []int64
	var users []models.User
	for i, unit := range []int64{county, other} {
		u := mustUser(t, db, "unit"+strconv.Itoa(i), []models.Role{models.RoleUnit}, &unit)
		p, err := db.CreateProject(ctx, cli, u, e.ID, completeFields("项目"+strconv.Itoa(i)), shanghai)
		if err != nil {
			t.Fatal(err)
		}
		attachMedia(t, db, p.ID)
		if _, err := db.SubmitProject(ctx, cli, u, p.ID, shanghai); err != nil {
			t.Fatal(err)
		}
		projects, users = append(projects, p.ID), append(users, u)
	}
	if _, err := db.SetEligibility(ctx, cli, projects, true, ""); err != nil {
		t.Fatal(err)
	}
	experts := []models.User{mustUser(t, db, "rex0", []models.Role{models.RoleExpert}, nil), mustUser(t, db, "rex1", []models.Role{models.RoleExpert}, nil)}
	r, err := db.CreateRound(ctx, cli, e.ID, models.Round{Name: "终审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour),
		Rubric: models.DefaultRubric(), ReviewersPerProject: 2, Method: "mean", KeyCriterion: "innovative"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AssignRound(ctx, cli, r.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundOpen, time.UTC); err != nil {
		t.Fatal(err)
	}
	for _, ex := range experts {
		for i, p := range projects {
			pts := map[string]int64{"innovative": int64(2400 - 400*i), "exploratory": 1500, "demonstrative": 1500, "replicable": 1500, "sustainable": 1000}
			if _, err := db.SaveScore(ctx, cli, ex, r.ID, p, pts, "", true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundClosed, time.UTC); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveRound(ctx, cli, r.ID, models.RoundPublished, shanghai); err != nil {
		t.Fatal(err)
	}
	return r, projects, users, county
}

func caller(u models.User) models.Caller {
	id := u.ID
	return models.Caller{User: u, Actor: models.Actor{UserID: &id, Name: u.Username}}
}

// testFollowThrough walks a funded project through its whole
// implementation: awards from the published ranking, a versioned plan,
// reports with changes requested, an expert check with the conflict rule,
// tranches behind their gates and the four-eyes rule, flags around the due
// dates in the time zone, termination and its eligibility flag, the public
// tracker.
func testFollowThrough(t *testing.T, db *DB) {
	ctx := context.Background()
	round, projects, units, county := publishedRound(t, db)
	admin1 := caller(mustUser(t, db, "fin1", []models.Role{models.RoleAdmin}, nil))
	admin2 := caller(mustUser(t, db, "fin2", []models.Role{models.RoleAdmin}, nil))
	unit0, unit1 := caller(units[0]), caller(units[1])
	// The clock: 2027-03-01 10:00 in Shanghai.
	clock := time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)
	s := NewFollowService(db, shanghai).WithClock(func() time.Time { return clock })
	var changed []int64
	s.OnChange(func(id int64) { changed = append(changed, id) })

	// Awards come from the published ranking only, with valid tiers and money.
	for name, in := range map[string][]models.AwardInput{
		"unknown project": {{ProjectID: 999999, Tier: "top10", FundingFen: 100}},
		"unknown tier":    {{ProjectID: projects[0], Tier: "gold", FundingFen: 100}},
		"negative":        {{ProjectID: projects[0], Tier: "top10", FundingFen: -1}},
		"too much":        {{ProjectID: projects[0], Tier: "top10", FundingFen: models.MaxFundingFen + 1}},
		"twice":           {{ProjectID: projects[0], Tier: "top10", FundingFen: 1}, {ProjectID: projects[0], Tier: "first", FundingFen: 1}},
	} {
		if _, err := s.CreateAwards(ctx, admin1, round.ID, in); models.KindOf(err) != models.KindInvalid || len(fieldsOf(err)) == 0 {
			t.Errorf("%s: %v, want 422 naming the field", name, err)
		}
	}
	awards, err := s.CreateAwards(ctx, admin1, round.ID, []models.AwardInput{
		{ProjectID: projects[0], Tier: "top10", FundingFen: 10000001}, {ProjectID: projects[1], Tier: "excellence", FundingFen: 3000000}})
	if err != nil {
		t.Fatal(err)
	}
	a0, a1 := awards[0], awards[1]
	if a0.Rank != 1 || a0.UnitName != "惠城区" || a0.CountyName != "惠城区" || a0.PlanStatus != "none" || a0.ProjectTitle != "项目0" {
		t.Fatalf("award 0: %+v", a0.AwardSummary)
	}
	if _, err := s.CreateAwards(ctx, admin1, round.ID, []models.AwardInput{{ProjectID: projects[0], Tier: "first", FundingFen: 1}}); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a second award for a project: %v", err)
	}
	// A unit sees its own awards only.
	if list, err := s.Awards(ctx, unit1.User, round.EditionID); err != nil || len(list) != 1 || list[0].ID != a1.ID {
		t.Fatalf("unit 1's awards: %+v %v", list, err)
	}
	if _, err := s.Award(ctx, unit1.User, a0.ID); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("another unit's award: %v", err)
	}
	if _, err := s.ProposePlan(ctx, unit1, a0.ID, models.PlanInput{Milestones: models.DefaultPlan(clock)}); models.KindOf(err) != models.KindNotFound {
		t.Fatalf("another unit's plan: %v", err)
	}

	// The plan: shares must make 100; the default 50/30/20 is approved.
	bad := models.PlanInput{Milestones: models.DefaultPlan(clock)}
	bad.Milestones[2].Share = 10
	if _, err := s.ProposePlan(ctx, unit0, a0.ID, bad); fieldsOf(err)["milestones"] == "" {
		t.Fatalf("shares of 90: %v", err)
	}
	plan := models.PlanInput{Milestones: []models.Milestone{
		{Title: "签约启动", DueOn: "2027-03-08", Share: 50, Gate: models.GateSigning},
		{Title: "中期检查", DueOn: "2027-06-30", Share: 30, Gate: models.GateMidterm, KPIs: []models.KPI{{Name: "覆盖户数", Unit: "户", Baseline: "0", Target: "1200"}}},
		{Title: "结项验收", DueOn: "2027-12-31", Share: 20, Gate: models.GateFinal, KPIs: []models.KPI{{Name: "覆盖户数", Unit: "户", Baseline: "0", Target: "2000"}}},
	}}
	if _, err := s.ProposePlan(ctx, unit0, a0.ID, plan); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecidePlan(ctx, admin1, a0.ID, 1, false, ""); fieldsOf(err)["comment"] == "" {
		t.Fatalf("returning without a comment: %v", err)
	}
	d, err := s.DecidePlan(ctx, admin1, a0.ID, 1, true, "")
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, m := range d.Milestones {
		sum += m.Tranche.AmountFen
	}
	if sum != 10000001 || d.Milestones[0].Tranche.AmountFen != 5000000 || d.Milestones[2].Tranche.AmountFen != 2000001 {
		t.Fatalf("tranches %v sum to %d, want 10000001 with the odd fen last", d.Milestones, sum)
	}
	if d.Milestones[0].Flag != models.FlagDue || d.Milestones[1].Flag != models.FlagUpcoming {
		t.Fatalf("flags on 2027-03-01: %s %s", d.Milestones[0].Flag, d.Milestones[1].Flag)
	}

	// Tranche 1 waits for the signed agreement; four eyes on payment.
	if _, err := s.MoveTranche(ctx, admin1, a0.ID, 1, models.TrancheApprove, models.TrancheInput{}); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "not signed") {
		t.Fatalf("approving before signing: %v", err)
	}
	if _, err := s.SignAward(ctx, admin1, a0.ID, "2027-03-05", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveTranche(ctx, admin1, a0.ID, 1, models.TranchePay, models.TrancheInput{Reference: "HZ-1", PaidOn: "2027-03-06"}); models.KindOf(err) != models.KindConflict {
		t.Fatalf("paying before approval: %v", err)
	}
	if _, err := s.MoveTranche(ctx, admin1, a0.ID, 1, models.TrancheApprove, models.TrancheInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveTranche(ctx, admin1, a0.ID, 1, models.TranchePay, models.TrancheInput{Reference: "HZ-1", PaidOn: "2027-03-06"}); models.KindOf(err) != models.KindConflict || !strings.Contains(err.Error(), "four eyes") {
		t.Fatalf("the approver paying: %v", err)
	}
	if _, err := s.MoveTranche(ctx, admin2, a0.ID, 1, models.TranchePay, models.TrancheInput{PaidOn: "2027-03-06"}); fieldsOf(err)["reference"] == "" {
		t.Fatalf("paying without a reference: %v", err)
	}
	if d, err = s.MoveTranche(ctx, admin2, a0.ID, 1, models.TranchePay, models.TrancheInput{Reference: "HZ-1", PaidOn: "2027-03-06"}); err != nil || d.PaidFen != 5000000 {
		t.Fatalf("paid: %d %v", d.PaidFen, err)
	}

	// The report of milestone 2: changes requested, resubmitted, accepted, frozen.
	if _, err := s.SaveReport(ctx, unit0, a0.ID, 2, models.ReportInput{Text: "已覆盖 800 户", KPIActuals: map[string]string{"覆盖户数": "八百"}}); fieldsOf(err)["kpi_actuals.覆盖户数"] == "" {
		t.Fatalf("a KPI that is not a number: %v", err)
	}
	if _, err := s.SaveReport(ctx, admin1, a0.ID, 2, models.ReportInput{Text: "x"}); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("an admin filing the unit's report: %v", err)
	}
	if _, err := s.SaveReport(ctx, unit0, a0.ID, 2, models.ReportInput{Text: "已覆盖 800 户", KPIActuals: map[string]string{"覆盖户数": "800"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitReport(ctx, unit0, a0.ID, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveReport(ctx, unit0, a0.ID, 2, models.ReportInput{Text: "改"}); models.KindOf(err) != models.KindConflict {
		t.Fatalf("editing a submitted report: %v", err)
	}
	if d, err = s.DecideReport(ctx, admin1, a0.ID, 2, false, "请补充入户照片"); err != nil || d.Milestones[1].Report.Status != models.ReportChangesRequested {
		t.Fatalf("changes requested: %v", err)
	}
	if _, err := s.SaveReport(ctx, unit0, a0.ID, 2, models.ReportInput{Text: "已覆盖 900 户，附照片", KPIActuals: map[string]string{"覆盖户数": "900"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitReport(ctx, unit0, a0.ID, 2); err != nil {
		t.Fatal(err)
	}
	if d, err = s.DecideReport(ctx, admin1, a0.ID, 2, true, ""); err != nil || d.Milestones[1].Report.Revision != 2 {
		t.Fatalf("accepted: %+v %v", d.Milestones[1].Report, err)
	}
	if _, err := s.SaveReport(ctx, unit0, a0.ID, 2, models.ReportInput{Text: "改"}); models.KindOf(err) != models.KindConflict {
		t.Fatalf("editing an accepted report: %v", err)
	}

	// Tranche 2 also waits for the mid-term check; conflicts are refused.
	if _, err := s.MoveTranche(ctx, admin1, a0.ID, 2, models.TrancheApprove, models.TrancheInput{}); models.KindOf(err) != models.KindConflict || fieldsOf(err)["gate"] != "check" {
		t.Fatalf("approving before the check: %v", err)
	}
	local := mustUser(t, db, "local-expert", []models.Role{models.RoleExpert}, &county)
	ex1, ex2, ex3 := mustUser(t, db, "chk1", []models.Role{models.RoleExpert}, nil), mustUser(t, db, "chk2", []models.Role{models.RoleExpert}, nil), mustUser(t, db, "chk3", []models.Role{models.RoleExpert}, nil)
	if _, err := s.CreateCheck(ctx, admin1, a0.ID, 2, []int64{ex1.ID, local.ID}); !strings.Contains(fieldsOf(err)["experts[1]"], "conflict") {
		t.Fatalf("an expert of the unit's county: %v", err)
	}
	if d, err = s.CreateCheck(ctx, admin1, a0.ID, 2, []int64{ex1.ID, ex2.ID, ex3.ID}); err != nil {
		t.Fatal(err)
	}
	checkID := d.Milestones[1].Check.ID
	if g := d.Milestones[1].Check.Grades; len(g) != 3 || g[0].Name != "chk1" || g[0].Submitted {
		t.Fatalf("a new check lists its experts, none graded: %+v", g)
	}
	if _, err := s.GradeCheck(ctx, caller(local), checkID, models.GradePass, "", true); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("an unassigned expert grading: %v", err)
	}
	if list, err := s.ExpertChecks(ctx, ex1); err != nil || len(list) != 1 || list[0].Report == nil || list[0].Report.Text != "已覆盖 900 户，附照片" {
		t.Fatalf("the expert's checks: %+v %v", list, err)
	}
	for i, g := range []models.Grade{models.GradeExcellent, models.GradeFail, models.GradeGood} {
		ex := []models.User{ex1, ex2, ex3}[i]
		if _, err := s.GradeCheck(ctx, caller(ex), checkID, g, "现场走访", true); err != nil {
			t.Fatal(err)
		}
	}
	if d, err = s.Award(ctx, admin1.User, a0.ID); err != nil || d.Milestones[1].Check.Result != models.GradeGood || d.Milestones[1].Tranche.State != models.TranchePayable {
		t.Fatalf("check result: %+v %v", d.Milestones[1], err)
	}
	if _, err := s.GradeCheck(ctx, caller(ex1), checkID, models.GradePass, "", false); models.KindOf(err) != models.KindConflict {
		t.Fatalf("changing a submitted grade: %v", err)
	}

	// A change to the approved plan is a new version with a reason; both kept.
	change := plan
	change.Milestones = append([]models.Milestone(nil), plan.Milestones...)
	change.Milestones[2].DueOn = "2028-03-31"
	if _, err := s.ProposePlan(ctx, unit0, a0.ID, change); fieldsOf(err)["reason"] == "" {
		t.Fatalf("changing an approved plan without a reason: %v", err)
	}
	change.Reason = "疫情推迟入户"
	if d, err = s.ProposePlan(ctx, unit0, a0.ID, change); err != nil || d.Milestones[2].DueOn != "2027-12-31" || d.PlanStatus != "approved+proposed" {
		t.Fatalf("the approved plan stays in force while the change waits: %+v %v", d.PlanStatus, err)
	}
	if d, err = s.DecidePlan(ctx, admin1, a0.ID, 2, true, ""); err != nil || len(d.PlanVersions) != 2 || d.PlanVersions[1].Status != models.PlanSuperseded || d.Milestones[2].DueOn != "2028-03-31" {
		t.Fatalf("versions: %+v %v", d.PlanVersions, err)
	}
	if d.Milestones[0].Tranche.State != models.TranchePaid || d.Milestones[0].Tranche.AmountFen != 5000000 {
		t.Fatalf("a paid tranche survives a new plan: %+v", d.Milestones[0].Tranche)
	}

	// Late flags: the clock moves past milestone 3's new due date.
	clock = time.Date(2028, 4, 14, 17, 0, 0, 0, time.UTC) // 2028-04-15 01:00 in Shanghai: 15 days late
	if d, _ = s.Award(ctx, admin1.User, a0.ID); d.Milestones[2].Flag != models.FlagVeryLate || d.Next == nil || d.Next.Seq != 3 {
		t.Fatalf("very late: %+v", d.Milestones[2].Flag)
	}
	clock = time.Date(2028, 4, 14, 15, 0, 0, 0, time.UTC) // 23:00 on the 14th in Shanghai: 14 days
	if d, _ = s.Award(ctx, admin1.User, a0.ID); d.Milestones[2].Flag != models.FlagLate {
		t.Fatalf("late: %+v", d.Milestones[2].Flag)
	}

	// After signing, changing the award needs a reason and is versioned.
	funding := int64(12000000)
	if _, err := s.UpdateAward(ctx, admin1, a0.ID, models.AwardChange{FundingFen: &funding}); fieldsOf(err)["reason"] == "" {
		t.Fatalf("changing a signed award without a reason: %v", err)
	}
	low := int64(100)
	if _, err := s.UpdateAward(ctx, admin1, a0.ID, models.AwardChange{FundingFen: &low, Reason: "x"}); fieldsOf(err)["funding_fen"] == "" {
		t.Fatalf("funding below what is paid: %v", err)
	}
	if d, err = s.UpdateAward(ctx, admin1, a0.ID, models.AwardChange{FundingFen: &funding, Reason: "追加配套资金"}); err != nil || len(d.History) != 2 || d.Version != 2 {
		t.Fatalf("versioned award: %+v %v", d.History, err)
	}
	var total int64
	for _, m := range d.Milestones {
		total += m.Tranche.AmountFen
	}
	if total != funding {
		t.Fatalf("tranches sum to %d after the change, want %d", total, funding)
	}

	// The public tracker: approved plan, accepted report's actual, no drafts.
	if _, err := s.SaveReport(ctx, unit0, a0.ID, 3, models.ReportInput{Text: "草稿：尚未公开", KPIActuals: map[string]string{"覆盖户数": "1999"}}); err != nil {
		t.Fatal(err)
	}
	list, err := s.Tracker(ctx, models.TrackerFilter{EditionID: round.EditionID})
	tr := list.Projects
	if err != nil || len(tr) != 2 {
		t.Fatalf("tracker: %+v %v", tr, err)
	}
	p := tr[0]
	if p.AwardID != a0.ID || p.Total != 3 || p.Done != 2 || p.PaidFen != 5000000 || len(p.KPIs) != 1 || p.KPIs[0].Actual == nil || *p.KPIs[0].Actual != "900" || p.KPIs[0].Target != "2000" {
		t.Fatalf("tracker project: %+v kpis %+v", p, p.KPIs)
	}
	if tr[1].Total != 0 {
		t.Fatalf("an award without an approved plan shows no milestones: %+v", tr[1])
	}
	one, err := s.TrackerProject(ctx, a0.ID)
	if err != nil || len(one.Reports) != 1 || one.Reports[0].Text != "已覆盖 900 户，附照片" {
		t.Fatalf("tracker page: %+v %v", one.Reports, err)
	}
	// A filter narrows the projects, never the choices.
	if byCounty, _ := s.Tracker(ctx, models.TrackerFilter{CountyID: county}); len(byCounty.Projects) != 1 || len(byCounty.Counties) != 2 || len(byCounty.Editions) != 1 {
		t.Fatalf("by county: %d projects, counties %+v, editions %+v", len(byCounty.Projects), byCounty.Counties, byCounty.Editions)
	}

	// Mentors (导师): conflicts refused; only mentors log visits.
	if _, err := s.AssignMentor(ctx, admin1, a0.ID, local.ID); !strings.Contains(fieldsOf(err)["expert_id"], "conflict") {
		t.Fatalf("a mentor from the unit's county: %v", err)
	}
	if _, err := s.AssignMentor(ctx, admin1, a0.ID, ex1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LogVisit(ctx, caller(ex2), a0.ID, "2028-04-01", "走访"); models.KindOf(err) != models.KindForbidden {
		t.Fatalf("a visit by an expert who is not the mentor: %v", err)
	}
	if _, err := s.LogVisit(ctx, caller(ex1), a0.ID, "2099-01-01", "走访"); fieldsOf(err)["visited_on"] == "" {
		t.Fatalf("a visit in the future: %v", err)
	}
	if _, err := s.LogVisit(ctx, caller(ex1), a0.ID, "2028-04-01", "走访三户，台账完整"); err != nil {
		t.Fatal(err)
	}
	if list, err := s.MentoredAwards(ctx, ex1); err != nil || len(list) != 1 || len(list[0].Visits) != 1 || list[0].Visits[0].Name != "chk1" {
		t.Fatalf("mentored: %+v %v", list, err)
	}
	if d, _ = s.Award(ctx, admin1.User, a0.ID); len(d.Mentors) != 1 || len(d.Visits) != 1 {
		t.Fatalf("the award's mentors and visits: %+v %+v", d.Mentors, d.Visits)
	}

	// Adoption by another unit (推广), shown on the tracker.
	if _, err := s.AddAdoption(ctx, admin1, a0.ID, county, "2027-09-01", "x"); fieldsOf(err)["unit_id"] == "" {
		t.Fatalf("the project's own unit adopting it: %v", err)
	}
	if _, err := s.AddAdoption(ctx, admin1, a0.ID, *units[1].UnitID, "2027-09-01", "惠阳区全区推广"); err != nil {
		t.Fatal(err)
	}
	if one, _ := s.TrackerProject(ctx, a0.ID); len(one.Adoptions) != 1 || one.Adoptions[0].UnitName != "惠阳区" {
		t.Fatalf("adoptions on the tracker: %+v", one.Adoptions)
	}

	// Termination: the amount to recover is at most what was paid; nothing
	// more is filed; the unit is flagged.
	if _, err := s.SetAwardStatus(ctx, admin1, a0.ID, models.AwardTerminated, "", 0); fieldsOf(err)["reason"] == "" {
		t.Fatalf("terminating without a reason: %v", err)
	}
	if _, err := s.SetAwardStatus(ctx, admin1, a0.ID, models.AwardTerminated, "挪用资金", 5000001); fieldsOf(err)["recover_fen"] == "" {
		t.Fatalf("recovering more than was paid: %v", err)
	}
	if _, err := s.SetAwardStatus(ctx, admin1, a0.ID, models.AwardSuspended, "核查中", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveTranche(ctx, admin1, a0.ID, 2, models.TrancheApprove, models.TrancheInput{}); fieldsOf(err)["gate"] != "suspended" {
		t.Fatalf("approving while suspended: %v", err)
	}
	if d, err = s.SetAwardStatus(ctx, admin1, a0.ID, models.AwardTerminated, "挪用资金", 2000000); err != nil || d.Status != models.AwardTerminated || d.Milestones[1].Tranche.State != models.TrancheWithheld {
		t.Fatalf("terminated: %+v %v", d.Status, err)
	}
	if _, err := s.SaveReport(ctx, unit0, a0.ID, 3, models.ReportInput{Text: "x"}); models.KindOf(err) != models.KindConflict {
		t.Fatalf("a report for a terminated project: %v", err)
	}
	if flags, err := s.TerminatedAwards(ctx, []int64{*units[0].UnitID, *units[1].UnitID}); err != nil || len(flags[*units[0].UnitID]) != 1 || len(flags[*units[1].UnitID]) != 0 {
		t.Fatalf("eligibility flags: %+v %v", flags, err)
	}
	if len(changed) == 0 {
		t.Fatal("the tracker's listeners were never told")
	}
	// Every transition is in the audit chain, which still verifies.
	if res, err := db.VerifyAudit(ctx); err != nil || res.FirstBroken != nil {
		t.Fatalf("audit: %+v %v", res, err)
	}
}
