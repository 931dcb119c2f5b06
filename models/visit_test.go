package models

import (
	"strings"
	"testing"
	"time"
)

func TestVisitInputValidate(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	// 23:30 UTC on 1 Dec is already 2 Dec in Shanghai.
	now := time.Date(2026, 12, 1, 23, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		in    VisitInput
		field string // "" when valid
	}{
		{"notes only", VisitInput{VisitedOn: "2026-11-30", Notes: "走访"}, ""},
		{"photos only", VisitInput{VisitedOn: "2026-11-30", MediaIDs: []int64{1, 2}}, ""},
		{"today in the office's zone", VisitInput{VisitedOn: "2026-12-02", Notes: "x"}, ""},
		{"tomorrow there", VisitInput{VisitedOn: "2026-12-03", Notes: "x"}, "visited_on"},
		{"not a date", VisitInput{VisitedOn: "2026-02-30", Notes: "x"}, "visited_on"},
		{"no date", VisitInput{Notes: "x"}, "visited_on"},
		{"blank notes and no photo", VisitInput{VisitedOn: "2026-11-30", Notes: "   "}, "notes"},
		{"notes too long in characters", VisitInput{VisitedOn: "2026-11-30", Notes: strings.Repeat("考", MaxVisitNotes+1)}, "notes"},
		{"notes at the limit", VisitInput{VisitedOn: "2026-11-30", Notes: strings.Repeat("考", MaxVisitNotes)}, ""},
		{"a photo twice", VisitInput{VisitedOn: "2026-11-30", MediaIDs: []int64{3, 3}}, "media_ids"},
		{"too many photos", VisitInput{VisitedOn: "2026-11-30", MediaIDs: make([]int64, MaxVisitPhotos+1)}, "media_ids"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := in.Validate(now, shanghai)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid input refused: %v", err)
				}
				return
			}
			e, ok := err.(*Error)
			if !ok || e.Kind != KindInvalid || e.Fields[tc.field] == "" {
				t.Fatalf("want invalid %s, got %v", tc.field, err)
			}
		})
	}
}

func TestRoundAcceptsVisits(t *testing.T) {
	now := time.Now()
	open := Round{Name: "复审", SiteVisits: true, Status: RoundOpen, OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)}
	if err := open.AcceptsVisits(now); err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]Round{
		"no site visits": {Name: "初审", Status: RoundOpen, OpensAt: open.OpensAt, ClosesAt: open.ClosesAt},
		"closed":         {Name: "复审", SiteVisits: true, Status: RoundClosed, OpensAt: open.OpensAt, ClosesAt: open.ClosesAt},
		"past its close": {Name: "复审", SiteVisits: true, Status: RoundOpen, OpensAt: now.Add(-2 * time.Hour), ClosesAt: now.Add(-time.Hour)},
		"not yet open":   {Name: "复审", SiteVisits: true, Status: RoundOpen, OpensAt: now.Add(time.Hour), ClosesAt: now.Add(2 * time.Hour)},
	} {
		if err := r.AcceptsVisits(now); KindOf(err) != KindConflict {
			t.Errorf("%s: %v, want conflict", name, err)
		}
	}
	// Site visits belong to online rounds that are not blind.
	base := Round{Name: "复审", Kind: RoundOnline, OpensAt: now, ClosesAt: now.Add(time.Hour), ReviewersPerProject: 3, Method: "mean",
		Rubric: DefaultRubric(), KeyCriterion: "innovative", SiteVisits: true}
	if err := base.Validate(); err != nil {
		t.Fatalf("an online round with site visits: %v", err)
	}
	blind := base
	blind.Blind = true
	if e, ok := blind.Validate().(*Error); !ok || e.Fields["site_visits"] == "" {
		t.Errorf("a blind round with site visits: %v", blind.Validate())
	}
	live := base
	live.Kind, live.Rubric = RoundLive, FinalRubric()
	if e, ok := live.Validate().(*Error); !ok || e.Fields["site_visits"] == "" {
		t.Errorf("a live round with site visits: %v", live.Validate())
	}
}
