package models

import (
	"errors"
	"slices"
	"testing"
	"time"
)

func TestSplitFundingSumsExactly(t *testing.T) {
	for _, c := range []struct {
		total  int64
		shares []int
	}{{100001, []int{50, 30, 20}}, {1, []int{33, 33, 34}}, {99999999, []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}}, {0, []int{100}}} {
		parts := SplitFunding(c.total, c.shares)
		var sum int64
		for _, p := range parts {
			if p < 0 {
				t.Fatalf("%v: negative part %d", c, p)
			}
			sum += p
		}
		if sum != c.total {
			t.Errorf("SplitFunding(%d, %v) = %v: sums to %d", c.total, c.shares, parts, sum)
		}
	}
	if got := SplitFunding(1000000, []int{50, 30, 20}); got[0] != 500000 || got[1] != 300000 || got[2] != 200000 {
		t.Errorf("50/30/20 of ¥10,000 = %v", got)
	}
}

func TestPlanValidate(t *testing.T) {
	ok := PlanInput{Milestones: DefaultPlan(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))}
	if err := ok.Validate(); err != nil {
		t.Fatalf("default plan: %v", err)
	}
	bad := PlanInput{Milestones: []Milestone{
		{Title: "a", DueOn: "2026-04-01", Share: 50, Gate: GateSigning},
		{Title: "b", DueOn: "2026-09-01", Share: 40, Gate: GateFinal, KPIs: []KPI{{Name: "覆盖户数", Target: "1,200"}}},
	}}
	err := bad.Validate()
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindInvalid {
		t.Fatalf("shares 90: %v", err)
	}
	if e.Fields["milestones"] == "" || e.Fields["milestones[1].kpis[0].target"] == "" {
		t.Errorf("fields = %v, want milestones and the KPI target named", e.Fields)
	}
	for name, in := range map[string]PlanInput{
		"no milestones": {},
		"bad date":      {Milestones: []Milestone{{Title: "a", DueOn: "2026-13-01", Share: 100, Gate: GateReport}}},
		"bad gate":      {Milestones: []Milestone{{Title: "a", DueOn: "2026-12-01", Share: 100, Gate: "paid"}}},
		"zero share":    {Milestones: []Milestone{{Title: "a", DueOn: "2026-12-01", Share: 0, Gate: GateReport}, {Title: "b", DueOn: "2026-12-01", Share: 100, Gate: GateReport}}},
		"no title":      {Milestones: []Milestone{{DueOn: "2026-12-01", Share: 100, Gate: GateReport}}},
	} {
		if err := in.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func TestFlagOfAroundTheDueDateInTheTimeZone(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("time zone: %v", err)
	}
	// 2026-06-30 16:30 UTC is already 2026-07-01 00:30 in Shanghai.
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, c := range []struct {
		due  string
		now  string
		want DueFlag
	}{
		{"2026-07-09", "2026-06-30T16:30:00Z", FlagUpcoming}, // 8 days ahead in Shanghai
		{"2026-07-08", "2026-06-30T16:30:00Z", FlagDue},      // 7 days
		{"2026-07-01", "2026-06-30T16:30:00Z", FlagDue},      // the day itself in Shanghai
		{"2026-06-30", "2026-06-30T16:30:00Z", FlagLate},     // yesterday in Shanghai, today in UTC
		{"2026-06-17", "2026-06-30T16:30:00Z", FlagLate},     // 14 days past in Shanghai
		{"2026-06-16", "2026-06-30T16:30:00Z", FlagVeryLate}, // 15 days past
	} {
		if got := FlagOf(c.due, false, at(c.now), sh); got != c.want {
			t.Errorf("due %s at %s: %s, want %s", c.due, c.now, got, c.want)
		}
	}
	if got := FlagOf("2026-06-30", false, at("2026-06-30T16:30:00Z"), time.UTC); got != FlagDue {
		t.Errorf("in UTC the same moment is the due day: %s", got)
	}
	if FlagOf("2020-01-01", true, time.Now(), sh) != FlagDone {
		t.Error("an accepted milestone is done whatever its date")
	}
}

func TestCheckResult(t *testing.T) {
	for _, c := range []struct {
		in   []Grade
		want Grade
	}{
		{[]Grade{GradeExcellent, GradeGood, GradePass}, GradeGood},
		{[]Grade{GradeExcellent, GradeGood}, GradeGood},
		{[]Grade{GradeExcellent, GradeExcellent, GradeFail}, GradeExcellent},
		{[]Grade{GradeExcellent, GradeFail, GradeFail}, GradeFail},
		{[]Grade{GradeGood, GradePass, GradePass, GradeExcellent}, GradePass},
		{nil, ""},
	} {
		if got := CheckResult(c.in); got != c.want {
			t.Errorf("CheckResult(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReportValidateNamesUnknownKPIs(t *testing.T) {
	m := Milestone{KPIs: []KPI{{Name: "覆盖户数", Target: "1200"}}}
	in := ReportInput{KPIActuals: map[string]string{"覆盖户数": "800", "其他": "1"}}
	var e *Error
	if err := in.Validate(m); !errors.As(err, &e) || e.Fields["kpi_actuals.其他"] == "" {
		t.Fatalf("unknown KPI: %v", err)
	}
	in = ReportInput{KPIActuals: map[string]string{"覆盖户数": "八百"}}
	if err := in.Validate(m); !errors.As(err, &e) || e.Fields["kpi_actuals.覆盖户数"] == "" {
		t.Fatalf("non-number: %v", err)
	}
}

func TestNewTrackerList(t *testing.T) {
	top10 := AwardTier{Code: "top10"}
	first := AwardTier{Code: "first"}
	all := []TrackerProject{
		{AwardID: 1, EditionID: 2, EditionName: "2026", CountyID: 10, CountyName: "惠城区", Tier: top10},
		{AwardID: 2, EditionID: 2, EditionName: "2026", CountyID: 11, CountyName: "博罗县", Tier: first},
		{AwardID: 3, EditionID: 1, EditionName: "2025", CountyID: 10, CountyName: "惠城区", Tier: top10},
		{AwardID: 4, EditionID: 1, EditionName: "2025", Tier: first}, // a city department: no county
	}
	ids := func(l TrackerList) (out []int64) {
		for _, p := range l.Projects {
			out = append(out, p.AwardID)
		}
		return out
	}
	for _, tt := range []struct {
		f    TrackerFilter
		want []int64
	}{
		{TrackerFilter{}, []int64{1, 2, 3, 4}},
		{TrackerFilter{EditionID: 1}, []int64{3, 4}},
		{TrackerFilter{CountyID: 10}, []int64{1, 3}},
		{TrackerFilter{Tier: "first", EditionID: 2}, []int64{2}},
		{TrackerFilter{CountyID: 99}, nil},
	} {
		l := NewTrackerList(all, tt.f)
		if got := ids(l); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: projects %v, want %v", tt.f, got, tt.want)
		}
		if len(l.Editions) != 2 || l.Editions[0] != (Choice{2, "2026"}) || len(l.Counties) != 2 || l.Counties[1] != (Choice{11, "博罗县"}) {
			t.Errorf("%+v: the choices depend on the filter: %+v %+v", tt.f, l.Editions, l.Counties)
		}
		if l.Projects == nil {
			t.Errorf("%+v: nil projects (JSON null)", tt.f)
		}
	}
}
