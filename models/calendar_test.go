package models

import (
	"testing"
	"time"
)

// The 2026 National Day holiday as the State Council's notice of November
// 2025 sets it (our reading; the office enters its own): 国庆·中秋 off
// 1–7 October (Thursday to Wednesday), with 调休 working days on Sunday
// 20 September and Saturday 10 October. The brief's variant (off 1–8
// October, working 27 September and 10 October) is tested too: the code
// knows no calendar, only what the office enters.
var (
	national2026 = Calendar{
		DaysOff:     []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
		WorkingDays: []string{"2026-09-20", "2026-10-10"},
	}
	variant2026 = Calendar{
		DaysOff:     []string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07", "2026-10-08"},
		WorkingDays: []string{"2026-09-27", "2026-10-10"},
	}
)

func TestAddWorkingDays(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, sh)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, c := range []struct {
		name string
		from string
		n    int
		cal  Calendar
		want string
	}{
		{"plain week from a Thursday", "2026-11-26 10:00", 5, Calendar{}, "2026-12-03"},
		{"plain week from a Friday evening", "2026-11-27 22:30", 5, Calendar{}, "2026-12-04"},
		{"no calendar runs through National Day", "2026-09-29 10:00", 5, Calendar{}, "2026-10-06"},
		// Tue 29 Sep: Wed 30 (1), off 1–7, Thu 8 (2), Fri 9 (3), Sat 10 调休 (4), Mon 12 (5).
		{"National Day 2026", "2026-09-29 10:00", 5, national2026, "2026-10-12"},
		// Fri 18 Sep: Sun 20 调休 (1), Mon 21 … Thu 24 (5).
		{"the Sunday 调休 before it counts", "2026-09-18 09:00", 5, national2026, "2026-09-24"},
		// Wed 30 Sep published: off to 8th, Fri 9 (1), Sat 10 (2), Mon 12 (3), Tue 13 (4), Wed 14 (5).
		{"the brief's variant, 1–8 October off", "2026-09-30 16:00", 5, variant2026, "2026-10-14"},
		// Fri 25 Sep: Sun 27 调休 (1), Mon 28 (2), Tue 29 (3), Wed 30 (4), Fri 9 Oct (5).
		{"the variant's Sunday 调休", "2026-09-25 12:00", 5, variant2026, "2026-10-09"},
		{"zero days is the same day's end", "2026-10-03 08:00", 0, national2026, "2026-10-03"},
	} {
		got := AddWorkingDays(at(c.from), c.n, sh, c.cal).In(sh)
		if got.Format("2006-01-02 15:04:05") != c.want+" 23:59:59" {
			t.Errorf("%s: %d working days after %s = %s, want %s 23:59:59", c.name, c.n, c.from, got.Format("2006-01-02 15:04:05"), c.want)
		}
	}
	// Late at night in Shanghai is the day before in UTC: the day counted
	// is the Shanghai one.
	late := at("2026-09-30 23:30").UTC()
	if got := AddWorkingDays(late, 1, sh, national2026).In(sh).Format(DateLayout); got != "2026-10-08" {
		t.Errorf("1 working day after 30 Sep 23:30 Shanghai = %s", got)
	}
}

func TestWorkingDaysAfter(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	from := time.Date(2026, 9, 29, 10, 0, 0, 0, sh)
	for n := 0; n <= 12; n++ {
		if got := WorkingDaysAfter(from, AddWorkingDays(from, n, sh, national2026), sh, national2026); got != n {
			t.Errorf("WorkingDaysAfter(AddWorkingDays(%d)) = %d", n, got)
		}
	}
	if n := WorkingDaysAfter(time.Date(2026, 9, 30, 20, 0, 0, 0, sh), time.Date(2026, 10, 7, 23, 0, 0, 0, sh), sh, national2026); n != 0 {
		t.Errorf("working days in the holiday = %d", n)
	}
	if n := WorkingDaysAfter(time.Date(2026, 9, 30, 20, 0, 0, 0, sh), time.Date(2026, 10, 7, 23, 0, 0, 0, sh), sh, Calendar{}); n != 5 {
		t.Errorf("working days 1–7 Oct without a calendar = %d, want 5", n)
	}
	if n := WorkingDaysAfter(from, from.Add(-48*time.Hour), sh, national2026); n != 0 {
		t.Errorf("a window ending before it starts has %d working days", n)
	}
}

func TestCalendarNormalize(t *testing.T) {
	got, err := Calendar{DaysOff: []string{" 2026-10-02", "2026-10-01"}, WorkingDays: []string{"2026-10-10"}}.Normalize()
	if err != nil || got.DaysOff[0] != "2026-10-01" || got.DaysOff[1] != "2026-10-02" || len(got.WorkingDays) != 1 {
		t.Fatalf("Normalize = %+v, %v", got, err)
	}
	for _, c := range []struct {
		cal   Calendar
		field string
	}{
		{Calendar{DaysOff: []string{"2026-13-01"}}, "days_off[0]"},
		{Calendar{DaysOff: []string{"2026-02-30"}}, "days_off[0]"},
		{Calendar{DaysOff: []string{"1 Oct"}}, "days_off[0]"},
		{Calendar{DaysOff: []string{"2026-10-01", "2026-10-01"}}, "days_off[1]"},
		{Calendar{DaysOff: []string{"2026-10-10"}, WorkingDays: []string{"2026-10-10"}}, "working_days[0]"},
		{Calendar{WorkingDays: []string{"2026-10-09"}}, "working_days[0]"}, // a Friday
	} {
		_, err := c.cal.Normalize()
		var e *Error
		if !asError(err, &e) || e.Kind != KindInvalid || e.Fields[c.field] == "" {
			t.Errorf("Normalize(%+v) = %v, want the field %s named", c.cal, err, c.field)
		}
	}
}

func TestPublicationWindow(t *testing.T) {
	now := time.Date(2026, 9, 29, 2, 0, 0, 0, time.UTC)
	if err := (PublicationWindow{From: now, Until: now.Add(time.Hour)}).Check(now); err != nil {
		t.Fatal(err)
	}
	for _, w := range []PublicationWindow{{From: now, Until: now}, {From: now.Add(2 * time.Hour), Until: now.Add(time.Hour)}, {From: now.Add(-2 * time.Hour), Until: now.Add(-time.Hour)}, {From: now, Until: now.Add(91 * 24 * time.Hour)}} {
		var e *Error
		if err := w.Check(now); !asError(err, &e) || e.Fields["objection_until"] == "" {
			t.Errorf("Check(%+v) = %v", w, err)
		}
	}
	p := Publication{ObjectionFrom: now.Add(time.Hour), ObjectionUntil: now.Add(2 * time.Hour)}
	if KindOf(p.AcceptsObjections(now)) != KindConflict || p.AcceptsObjections(now.Add(90*time.Minute)) != nil || KindOf(p.AcceptsObjections(now.Add(3*time.Hour))) != KindConflict {
		t.Error("objections are taken only inside the window")
	}
}
