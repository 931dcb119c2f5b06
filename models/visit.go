package models

import (
	"strings"
	"time"
	"unicode/utf8"
)

// SiteVisit is an expert's site visit (实地考察) to a project in a round
// that records them: when, what they saw, and photos (media of the
// project with purpose "visit"). One per expert, project and round.
type SiteVisit struct {
	ID         int64
	RoundID    int64
	ProjectID  int64
	ExpertID   int64
	ExpertName string
	VisitedOn  string
	Notes      string
	MediaIDs   []int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Limits of a site visit.
const (
	MaxVisitNotes  = 5000
	MaxVisitPhotos = 20
)

// VisitInput is what an expert saves.
type VisitInput struct {
	VisitedOn string
	Notes     string
	MediaIDs  []int64
}

// Validate names every problem: a real date not after today (in loc),
// notes or photos, notes within the limit, at most MaxVisitPhotos photos
// given once each. It trims the notes.
func (in *VisitInput) Validate(now time.Time, loc *time.Location) error {
	f := map[string]string{}
	in.Notes = strings.TrimSpace(in.Notes)
	if _, err := ParseDate(in.VisitedOn); err != nil {
		f["visited_on"] = "a date (YYYY-MM-DD) is required"
	} else if in.VisitedOn > now.In(loc).Format(time.DateOnly) {
		f["visited_on"] = "a visit is recorded after it happened (not a future date)"
	}
	if utf8.RuneCountInString(in.Notes) > MaxVisitNotes {
		f["notes"] = "at most 5000 characters"
	}
	if in.Notes == "" && len(in.MediaIDs) == 0 {
		f["notes"] = "notes or at least one photo"
	}
	if len(in.MediaIDs) > MaxVisitPhotos {
		f["media_ids"] = "at most 20 photos"
	}
	seen := map[int64]bool{}
	for _, id := range in.MediaIDs {
		if seen[id] {
			f["media_ids"] = "each photo once"
		}
		seen[id] = true
	}
	if len(f) > 0 {
		return Invalid("the site visit has problems", f)
	}
	return nil
}

// AcceptsVisits reports whether the round's experts may record or change
// site visits at now: a round that records them, open, inside its window.
func (r Round) AcceptsVisits(now time.Time) error {
	switch {
	case !r.SiteVisits:
		return Errorf(KindConflict, "round %q does not record site visits", r.Name)
	case r.Status != RoundOpen:
		return Errorf(KindConflict, "round %q is %s: site visits can no longer change", r.Name, r.Status)
	case now.Before(r.OpensAt):
		return Errorf(KindConflict, "round %q opens at %s", r.Name, r.OpensAt.UTC().Format(time.RFC3339))
	case now.After(r.ClosesAt):
		return Errorf(KindConflict, "round %q closed at %s: site visits can no longer change", r.Name, r.ClosesAt.UTC().Format(time.RFC3339))
	}
	return nil
}
