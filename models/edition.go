package models

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// EditionStatus is whether an edition is being prepared, running or done.
type EditionStatus string

// The edition statuses. Only an active edition is shown publicly and takes
// submissions (inside its window).
const (
	EditionDraft    EditionStatus = "draft"
	EditionActive   EditionStatus = "active"
	EditionArchived EditionStatus = "archived"
)

// Edition is one year's selection (年度评选).
type Edition struct {
	ID         int64
	Year       int
	Title      string
	Categories []string
	// OpensAt and ClosesAt bound the submission window; GraceMinutes more
	// are allowed after ClosesAt for submissions already under way.
	OpensAt      time.Time
	ClosesAt     time.Time
	GraceMinutes int
	// QuotaPerUnit caps the projects a unit may submit (0: no cap).
	QuotaPerUnit int
	// Recommend is the recommendation step (县区推荐): off by default.
	Recommend RecommendSettings
	Status    EditionStatus
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Deadline is the last moment a change is accepted: the close plus grace.
func (e Edition) Deadline() time.Time {
	return e.ClosesAt.Add(time.Duration(e.GraceMinutes) * time.Minute)
}

// AcceptsChanges reports whether units may create, edit, submit or
// withdraw projects at now, or why not.
func (e Edition) AcceptsChanges(now time.Time, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case e.Status != EditionActive:
		return Errorf(KindConflict, "the edition %q is not open for submissions", e.Title)
	case now.Before(e.OpensAt):
		return Errorf(KindConflict, "submissions open at %s", e.OpensAt.In(loc).Format("2006-01-02 15:04 MST"))
	case now.After(e.Deadline()):
		return Errorf(KindConflict, "the submission deadline %s has passed", e.Deadline().In(loc).Format("2006-01-02 15:04 MST"))
	}
	return nil
}

// EditionInput is what an admin sends to create or change an edition.
type EditionInput struct {
	Year         int
	Title        string
	Categories   []string
	OpensAt      time.Time
	ClosesAt     time.Time
	GraceMinutes int
	QuotaPerUnit int
	// Recommend, when nil, keeps the edition's recommendation settings
	// (off for a new edition).
	Recommend *RecommendSettings
	Status    EditionStatus
}

// Validate names every problem.
func (in EditionInput) Validate() error {
	f := map[string]string{}
	if in.Year < 2000 || in.Year > 2100 {
		f["year"] = "a year between 2000 and 2100"
	}
	if t := strings.TrimSpace(in.Title); t == "" || utf8.RuneCountInString(t) > 100 {
		f["title"] = "1–100 characters"
	}
	if len(in.Categories) == 0 || len(in.Categories) > 20 {
		f["categories"] = "1–20 categories"
	}
	seen := map[string]bool{}
	for _, c := range in.Categories {
		c = strings.TrimSpace(c)
		if c == "" || utf8.RuneCountInString(c) > 20 {
			f["categories"] = "each category 1–20 characters"
		} else if seen[c] {
			f["categories"] = fmt.Sprintf("category %q given twice", c)
		}
		seen[c] = true
	}
	if in.OpensAt.IsZero() {
		f["opens_at"] = "required"
	}
	if in.ClosesAt.IsZero() {
		f["closes_at"] = "required"
	} else if !in.ClosesAt.After(in.OpensAt) {
		f["closes_at"] = "must be after opens_at"
	}
	if in.GraceMinutes < 0 || in.GraceMinutes > 7*24*60 {
		f["grace_minutes"] = "0 to 10080 minutes"
	}
	if in.QuotaPerUnit < 0 || in.QuotaPerUnit > 100 {
		f["quota_per_unit"] = "0 (no cap) to 100"
	}
	if in.Recommend != nil {
		in.Recommend.check(f)
	}
	switch in.Status {
	case EditionDraft, EditionActive, EditionArchived:
	default:
		f["status"] = "draft, active or archived"
	}
	if len(f) > 0 {
		return Invalid("the edition is not valid", f)
	}
	return nil
}
