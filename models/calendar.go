package models

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Calendar is an edition's holiday calendar, as the selection office sets
// it: days off (法定节假日) and adjusted working days (调休, weekend days
// that are working days). Days are dates (YYYY-MM-DD) in the deployment's
// time zone. The zero value is the plain Monday–Friday week.
type Calendar struct {
	DaysOff     []string
	WorkingDays []string
}

// DateLayout is the layout of a calendar day.
const DateLayout = "2006-01-02"

// Normalize trims the days, checks each is a real date, refuses a day
// listed twice (in one list or in both) and an adjusted working day that
// is not a Saturday or Sunday; on success the lists come back sorted.
// Errors name the field: days_off[2], working_days[0].
func (c Calendar) Normalize() (Calendar, error) {
	fields := map[string]string{}
	seen := map[string]string{}
	clean := func(name string, days []string, workday bool) []string {
		out := make([]string, 0, len(days))
		for i, raw := range days {
			key := fmt.Sprintf("%s[%d]", name, i)
			d := strings.TrimSpace(raw)
			t, err := time.Parse(DateLayout, d)
			if err != nil || t.Format(DateLayout) != d {
				fields[key] = fmt.Sprintf("%q is not a date (YYYY-MM-DD)", raw)
				continue
			}
			if prev, dup := seen[d]; dup {
				fields[key] = fmt.Sprintf("%s is already listed as %s", d, prev)
				continue
			}
			if wd := t.Weekday(); workday && wd != time.Saturday && wd != time.Sunday {
				fields[key] = fmt.Sprintf("%s is a %s, a working day anyway: an adjusted working day (调休) is a Saturday or Sunday", d, wd)
				continue
			}
			seen[d] = key
			out = append(out, d)
		}
		slices.Sort(out)
		return out
	}
	out := Calendar{DaysOff: clean("days_off", c.DaysOff, false), WorkingDays: clean("working_days", c.WorkingDays, true)}
	if len(fields) > 0 {
		return Calendar{}, Invalid("the holiday calendar has bad days", fields)
	}
	return out, nil
}

// IsWorkingDay reports whether the calendar day of d (its date as given,
// in d's location) is a working day: an adjusted working day is one, a
// day off is not, otherwise Monday to Friday are.
func (c Calendar) IsWorkingDay(d time.Time) bool {
	day := d.Format(DateLayout)
	if slices.Contains(c.WorkingDays, day) {
		return true
	}
	if slices.Contains(c.DaysOff, day) {
		return false
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkingDays returns the end (23:59:59 in loc) of the n-th working day
// after t by the calendar: the default publication (公示) window is 5
// working days.
func AddWorkingDays(t time.Time, n int, loc *time.Location, cal Calendar) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	d := t.In(loc)
	d = time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, loc) // noon: immune to DST shifts
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if cal.IsWorkingDay(d) {
			n--
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 23, 59, 59, 0, loc).UTC()
}

// WorkingDaysAfter counts the working days by the calendar after from's
// day up to and including until's day (dates in loc): the inverse of
// AddWorkingDays, so WorkingDaysAfter(t, AddWorkingDays(t, n, …), …) is n.
func WorkingDaysAfter(from, until time.Time, loc *time.Location, cal Calendar) int {
	if loc == nil {
		loc = time.UTC
	}
	a, b := from.In(loc), until.In(loc)
	d := time.Date(a.Year(), a.Month(), a.Day(), 12, 0, 0, 0, loc).AddDate(0, 0, 1)
	end := time.Date(b.Year(), b.Month(), b.Day(), 12, 0, 0, 0, loc)
	n := 0
	for !d.After(end) {
		if cal.IsWorkingDay(d) {
			n++
		}
		d = d.AddDate(0, 0, 1)
	}
	return n
}

// PublicationWindow is the objection window the admin sets when
// publishing a round (zero times: the default, now → 5 working days).
type PublicationWindow struct {
	From, Until time.Time
}

// MaxWindow caps a publication window's length (a typo's year 2062 is refused).
const MaxWindow = 90 * 24 * time.Hour

// DefaultWindowDays is the default publication window in working days.
const DefaultWindowDays = 5

// Check refuses a window that ends before it starts or has already ended
// at now; it names the field. (A start before the publication is moved
// to it: objections cannot precede the results.)
func (w PublicationWindow) Check(now time.Time) error {
	if !w.Until.After(w.From) {
		return Invalid("the publication window ends before it starts", map[string]string{"objection_until": "must be after objection_from"})
	}
	if !w.Until.After(now) {
		return Invalid("the publication window has already ended", map[string]string{"objection_until": "must be in the future"})
	}
	if w.Until.Sub(w.From) > MaxWindow {
		return Invalid("the publication window is too long", map[string]string{"objection_until": fmt.Sprintf("at most %d days after objection_from", int(MaxWindow.Hours()/24))})
	}
	return nil
}

// WindowProposal is a round's default publication window and, for a
// window the admin is choosing, its working days by the calendar.
type WindowProposal struct {
	Default     PublicationWindow
	DefaultDays int
	// Days counts the working days after the start of the window asked
	// about (the default's when none was asked about).
	Days     int
	Calendar Calendar
}
