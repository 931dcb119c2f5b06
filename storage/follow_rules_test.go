package storage

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"leitai/models"
)

// testFollowRules: the rules of the "Bad input and rules" list that
// the walk-through (testFollowThrough) does not reach: a conflict declared
// after an expert was assigned to a check makes the grade 403; another
// unit's report is 404; a report of the milestone that does not exist is
// 404; a tranche whose report is missing is refused naming the report; a
// funding change below what is paid is 422.
func testFollowRules(t *testing.T, db *DB) {
	ctx := context.Background()
	round, projects, units, county := publishedRound(t, db)
	admin := caller(mustUser(t, db, "fin1", []models.Role{models.RoleAdmin}, nil))
	finance := caller(mustUser(t, db, "fin2", []models.Role{models.RoleAdmin}, nil))
	unit0, unit1 := caller(units[0]), caller(units[1])
	clock := time.Date(2027, 3, 1, 2, 0, 0, 0, time.UTC)
	s := NewFollowService(db, shanghai).WithClock(func() time.Time { return clock })
	awards, err := s.CreateAwards(ctx, admin, round.ID, []models.AwardInput{{ProjectID: projects[0], Tier: "top10", FundingFen: 1000000}})
	if err != nil {
		t.Fatal(err)
	}
	a := awards[0].ID
	plan := models.PlanInput{Milestones: []models.Milestone{
		{Title: "签约启动", DueOn: "2027-03-08", Share: 50, Gate: models.GateSigning},
		{Title: "中期检查", DueOn: "2027-06-30", Share: 30, Gate: models.GateMidterm},
		{Title: "结项验收", DueOn: "2027-12-31", Share: 20, Gate: models.GateReport},
	}}
	if _, err := s.ProposePlan(ctx, unit0, a, plan); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DecidePlan(ctx, admin, a, 1, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignAward(ctx, admin, a, "2027-02-28", nil); err != nil {
		t.Fatal(err)
	}

	// Another unit's report, and a milestone the plan does not have.
	if _, err := s.SaveReport(ctx, unit1, a, 2, models.ReportInput{Text: "冒名"}); models.KindOf(err) != models.KindNotFound {
		t.Errorf("another unit's report: %v, want 404", err)
	}
	if _, err := s.SubmitReport(ctx, unit1, a, 2); models.KindOf(err) != models.KindNotFound {
		t.Errorf("submitting another unit's report: %v, want 404", err)
	}
	if _, err := s.SaveReport(ctx, unit0, a, 9, models.ReportInput{Text: "x"}); models.KindOf(err) != models.KindNotFound {
		t.Errorf("a milestone the plan does not have: %v, want 404", err)
	}

	// Tranche 3 (report gate): approving it before its report is accepted is
	// 409 naming the report.
	_, err = s.MoveTranche(ctx, admin, a, 3, models.TrancheApprove, models.TrancheInput{})
	if models.KindOf(err) != models.KindConflict || !strings.Contains(fieldsOf(err)["gate"], "report") {
		t.Errorf("a tranche whose report is missing: %v (fields %v), want 409 naming the report", err, fieldsOf(err))
	}
	// Paying a tranche nobody approved is 409.
	if _, err := s.MoveTranche(ctx, finance, a, 1, models.TranchePay, models.TrancheInput{Reference: "HZ-9", PaidOn: "2027-03-02"}); models.KindOf(err) != models.KindConflict {
		t.Errorf("paying an unapproved tranche: %v, want 409", err)
	}
	if _, err := s.MoveTranche(ctx, admin, a, 1, models.TrancheApprove, models.TrancheInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveTranche(ctx, finance, a, 1, models.TranchePay, models.TrancheInput{Reference: "HZ-9", PaidOn: "2027-03-02"}); err != nil {
		t.Fatal(err)
	}
	// Funding below what is paid (¥5,000.00), and a negative amount, are 422 on funding_fen.
	for _, fen := range []int64{499999, -1} {
		v := fen
		if _, err := s.UpdateAward(ctx, admin, a, models.AwardChange{FundingFen: &v, Reason: "调减"}); fieldsOf(err)["funding_fen"] == "" {
			t.Errorf("funding of %d fen: %v, want 422 on funding_fen", fen, err)
		}
	}

	// The mid-term check: an assigned expert who then declares a conflict
	// with the unit's county cannot grade it (403), nor can an expert who is
	// not assigned.
	if _, err := s.SaveReport(ctx, unit0, a, 2, models.ReportInput{Text: "中期进展"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitReport(ctx, unit0, a, 2); err != nil {
		t.Fatal(err)
	}
	ex1, ex2 := mustUser(t, db, "chk1", []models.Role{models.RoleExpert}, nil), mustUser(t, db, "chk2", []models.Role{models.RoleExpert}, nil)
	outsider := mustUser(t, db, "chk3", []models.Role{models.RoleExpert}, nil)
	d, err := s.CreateCheck(ctx, admin, a, 2, []int64{ex1.ID, ex2.ID})
	if err != nil {
		t.Fatal(err)
	}
	checkID := d.Milestones[1].Check.ID
	if _, err := s.GradeCheck(ctx, caller(ex1), checkID, models.GradeGood, "", false); err != nil {
		t.Fatalf("an assigned expert's draft: %v", err)
	}
	if err := db.DeclareConflict(ctx, caller(ex1).Actor, ex1.ID, county, "曾在该区挂职"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GradeCheck(ctx, caller(ex1), checkID, models.GradeGood, "", true); models.KindOf(err) != models.KindForbidden {
		t.Errorf("grading after declaring a conflict with the unit: %v, want 403", err)
	}
	if _, err := s.GradeCheck(ctx, caller(outsider), checkID, models.GradePass, "", true); models.KindOf(err) != models.KindForbidden {
		t.Errorf("an expert not assigned to the check: %v, want 403", err)
	}
	if _, err := s.ExpertCheck(ctx, outsider, checkID); models.KindOf(err) != models.KindForbidden && models.KindOf(err) != models.KindNotFound {
		t.Errorf("an expert not assigned opening the check: %v, want 403 or 404", err)
	}

	// The public tracker shows only what is public: not the submitted (not
	// yet accepted) report, not the experts' draft notes, not the mentor's
	// visit notes; the unit and the organisers see the visit.
	mentor := mustUser(t, db, "mentor1", []models.Role{models.RoleExpert}, nil)
	if _, err := s.AssignMentor(ctx, admin, a, mentor.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LogVisit(ctx, caller(mentor), a, "2027-02-27", "走访内部意见：台账待完善"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GradeCheck(ctx, caller(ex2), checkID, models.GradeGood, "检查草稿意见", false); err != nil {
		t.Fatal(err)
	}
	one, err := s.TrackerProject(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Tracker(ctx, models.TrackerFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]any{"the project's page": one, "the list": all} {
		b, _ := json.Marshal(v)
		for _, secret := range []string{"中期进展", "检查草稿意见", "走访内部意见", "曾在该区挂职"} {
			if strings.Contains(string(b), secret) {
				t.Errorf("the public tracker (%s) shows %q", name, secret)
			}
		}
	}
	if d, err := s.Award(ctx, unit0.User, a); err != nil || len(d.Visits) != 1 || d.Visits[0].Notes != "走访内部意见：台账待完善" {
		t.Errorf("the unit sees the mentor's visit: %+v %v", d.Visits, err)
	}
}
