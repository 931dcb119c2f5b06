package models

import (
	"sort"
	"strings"
	"time"
)

// MoneyBy is funding and what was paid of it, for one edition or county.
type MoneyBy struct {
	ID         int64
	Name       string
	FundingFen int64
	PaidFen    int64
	Projects   int
}

// AtRisk is a funded project that needs the organiser: late and a failed
// check, a very late milestone, or a suspension.
type AtRisk struct {
	AwardID int64
	Title   string
	Reasons []string
}

// FollowDashboard is what an organiser needs at a glance.
type FollowDashboard struct {
	OverdueReports    int
	DueThisMonth      int
	ReportsToReview   int
	PlansToReview     int
	ChecksAwaiting    int
	TranchesPayable   int
	TranchesApproved  int
	TranchesPaid      int
	PayableFen        int64
	ApprovedFen       int64
	PaidFen           int64
	FundingFen        int64
	ByEdition         []MoneyBy
	ByCounty          []MoneyBy
	AtRisk            []AtRisk
	ProjectsByStatus  map[AwardStatus]int
	MilestonesByFlags map[DueFlag]int
}

// Dashboard sums awards into the organiser's dashboard at now in loc.
// editionNames and the awards' CountyName label the money breakdowns.
func Dashboard(awards []AwardDetail, editionNames map[int64]string, now time.Time, loc *time.Location) FollowDashboard {
	if loc == nil {
		loc = time.UTC
	}
	d := FollowDashboard{ProjectsByStatus: map[AwardStatus]int{}, MilestonesByFlags: map[DueFlag]int{}}
	byEdition, byCounty := map[int64]*MoneyBy{}, map[string]*MoneyBy{}
	month := now.In(loc).Format("2006-01")
	for _, a := range awards {
		d.ProjectsByStatus[a.Status]++
		d.FundingFen += a.FundingFen
		e := byEdition[a.EditionID]
		if e == nil {
			e = &MoneyBy{ID: a.EditionID, Name: editionNames[a.EditionID]}
			byEdition[a.EditionID] = e
		}
		county := a.CountyName
		if county == "" {
			county = "市直"
		}
		c := byCounty[county]
		if c == nil {
			c = &MoneyBy{Name: county}
			byCounty[county] = c
		}
		e.Projects++
		c.Projects++
		e.FundingFen += a.FundingFen
		c.FundingFen += a.FundingFen
		if a.Plan != nil && a.Plan.Status == PlanProposed {
			d.PlansToReview++
		}
		var reasons []string
		late, failed := false, false
		for _, m := range a.Milestones {
			d.MilestonesByFlags[m.Flag]++
			active := a.Status == AwardActive || a.Status == AwardSuspended
			if active && (m.Flag == FlagLate || m.Flag == FlagVeryLate) && m.Gate.NeedsReport() {
				d.OverdueReports++
				late = true
				if m.Flag == FlagVeryLate {
					reasons = append(reasons, "very_late:"+m.Title)
				}
			}
			if active && m.Flag != FlagDone && strings.HasPrefix(m.DueOn, month) {
				d.DueThisMonth++
			}
			if m.Report != nil && m.Report.Status == ReportSubmitted {
				d.ReportsToReview++
			}
			if m.Check != nil && m.Check.Result == "" {
				d.ChecksAwaiting++
			}
			if m.Check != nil && m.Check.Result == GradeFail {
				failed = true
			}
			switch m.Tranche.State {
			case TranchePayable:
				d.TranchesPayable++
				d.PayableFen += m.Tranche.AmountFen
			case TrancheApproved:
				d.TranchesApproved++
				d.ApprovedFen += m.Tranche.AmountFen
			case TranchePaid:
				d.TranchesPaid++
				d.PaidFen += m.Tranche.AmountFen
				e.PaidFen += m.Tranche.AmountFen
				c.PaidFen += m.Tranche.AmountFen
			}
		}
		if late && failed {
			reasons = append([]string{"late_and_failed_check"}, reasons...)
		}
		if a.Status == AwardSuspended {
			reasons = append(reasons, "suspended")
		}
		if len(reasons) > 0 && a.Status != AwardTerminated {
			d.AtRisk = append(d.AtRisk, AtRisk{AwardID: a.ID, Title: a.ProjectTitle, Reasons: reasons})
		}
	}
	for _, e := range byEdition {
		d.ByEdition = append(d.ByEdition, *e)
	}
	sort.Slice(d.ByEdition, func(i, j int) bool { return d.ByEdition[i].ID < d.ByEdition[j].ID })
	for _, c := range byCounty {
		d.ByCounty = append(d.ByCounty, *c)
	}
	sort.Slice(d.ByCounty, func(i, j int) bool {
		if d.ByCounty[i].PaidFen != d.ByCounty[j].PaidFen {
			return d.ByCounty[i].PaidFen > d.ByCounty[j].PaidFen
		}
		return d.ByCounty[i].Name < d.ByCounty[j].Name
	})
	return d
}
