package models

import (
	"testing"
	"time"
)

func TestDashboardCountsWhatNeedsTheOrganiser(t *testing.T) {
	now := time.Date(2027, 6, 10, 12, 0, 0, 0, time.UTC)
	failed := &Check{Result: GradeFail}
	awards := []AwardDetail{
		{AwardSummary: AwardSummary{Award: Award{ID: 1, EditionID: 1, Status: AwardActive, FundingFen: 1000, CountyName: "惠城区", ProjectTitle: "A"}},
			Milestones: []MilestoneView{
				{Milestone: Milestone{Title: "签约", DueOn: "2027-01-01", Gate: GateSigning}, Flag: FlagDone, Tranche: Tranche{State: TranchePaid, AmountFen: 500}},
				{Milestone: Milestone{Title: "中期", DueOn: "2027-05-01", Gate: GateMidterm}, Flag: FlagVeryLate, Check: failed, Tranche: Tranche{State: TranchePending, AmountFen: 300}},
				{Milestone: Milestone{Title: "结项", DueOn: "2027-06-20", Gate: GateFinal}, Flag: FlagDue, Tranche: Tranche{State: TranchePending, AmountFen: 200}},
			}},
		{AwardSummary: AwardSummary{Award: Award{ID: 2, EditionID: 1, Status: AwardActive, FundingFen: 2000, ProjectTitle: "B"}},
			Plan: &Plan{Status: PlanProposed},
			Milestones: []MilestoneView{
				{Milestone: Milestone{DueOn: "2027-06-01", Gate: GateReport}, Flag: FlagLate, Report: &Report{Status: ReportSubmitted}, Tranche: Tranche{State: TranchePayable, AmountFen: 2000}},
			}},
	}
	d := Dashboard(awards, map[int64]string{1: "2027"}, now, time.UTC)
	if d.OverdueReports != 2 || d.DueThisMonth != 2 || d.ReportsToReview != 1 || d.PlansToReview != 1 || d.TranchesPayable != 1 || d.PayableFen != 2000 || d.PaidFen != 500 {
		t.Fatalf("dashboard %+v", d)
	}
	if len(d.AtRisk) != 1 || d.AtRisk[0].AwardID != 1 || d.AtRisk[0].Reasons[0] != "late_and_failed_check" {
		t.Fatalf("at risk %+v", d.AtRisk)
	}
	if len(d.ByCounty) != 2 || d.ByCounty[0].Name != "惠城区" || d.ByCounty[0].PaidFen != 500 || d.ByCounty[1].Name != "市直" {
		t.Fatalf("by county %+v", d.ByCounty)
	}
	if len(d.ByEdition) != 1 || d.ByEdition[0].FundingFen != 3000 || d.ByEdition[0].Name != "2027" {
		t.Fatalf("by edition %+v", d.ByEdition)
	}
}
