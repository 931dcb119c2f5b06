package models

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Points in rubrics and scores are whole hundredths (2250 is 22.5 points),
// the unit judging.Points uses, so that sums never drift.

// Criterion is one line of a rubric; its maximum is its weight.
type Criterion struct {
	Key         string
	NameZh      string
	NameEn      string
	Description string
	// Max and Step are in hundredths of a point (e.g. 2500 and 50).
	Max  int64
	Step int64
}

// Rubric is a round's criteria in display order.
type Rubric []Criterion

// DefaultRubric is the 100-point rubric of PRODUCT.md, in steps of 0.5.
func DefaultRubric() Rubric {
	return Rubric{
		{Key: "innovative", NameZh: "创新性", NameEn: "Innovative", Description: "做法新颖，有别于既有做法", Max: 2500, Step: 50},
		{Key: "exploratory", NameZh: "探索性", NameEn: "Exploratory", Description: "直面治理难题，探索新路径", Max: 2000, Step: 50},
		{Key: "demonstrative", NameZh: "示范性", NameEn: "Demonstrative", Description: "成效显著，具有示范带动作用", Max: 2000, Step: 50},
		{Key: "replicable", NameZh: "推广性", NameEn: "Replicable", Description: "可复制、可推广到其他地区", Max: 2000, Step: 50},
		{Key: "sustainable", NameZh: "长效性", NameEn: "Sustainable", Description: "有制度和经费保障，能长期运行", Max: 1500, Step: 50},
	}
}

// FinalRubric is the live final's default: the default criteria scaled to
// 90 points plus 现场陈述与答辩 (presentation) worth 10.
func FinalRubric() Rubric {
	r := DefaultRubric()
	for i := range r {
		r[i].Max = r[i].Max * 9 / 10
	}
	return append(r, Criterion{Key: "presentation", NameZh: "现场陈述与答辩", NameEn: "Presentation and Q&A",
		Description: "陈述清晰、答辩准确", Max: 1000, Step: 50})
}

// Total is the sum of the criteria's maxima.
func (r Rubric) Total() int64 {
	var t int64
	for _, c := range r {
		t += c.Max
	}
	return t
}

// Validate names every problem with the rubric.
func (r Rubric) Validate() error {
	f := map[string]string{}
	if len(r) == 0 || len(r) > 20 {
		f["rubric"] = "1 to 20 criteria"
	}
	seen := map[string]bool{}
	for i, c := range r {
		key := fmt.Sprintf("rubric[%d]", i)
		switch {
		case c.Key == "" || len(c.Key) > 32 || strings.Trim(c.Key, "abcdefghijklmnopqrstuvwxyz0123456789_") != "":
			f[key] = "key: 1–32 lowercase letters, digits or _"
		case seen[c.Key]:
			f[key] = "key " + c.Key + " given twice"
		case c.NameZh == "" || utf8.RuneCountInString(c.NameZh) > 30 || utf8.RuneCountInString(c.NameEn) > 60:
			f[key] = "a Chinese name of 1–30 characters (English up to 60)"
		case c.Max <= 0 || c.Max > 100_00:
			f[key] = "max between 0.01 and 100 points"
		case c.Step <= 0 || c.Max%c.Step != 0:
			f[key] = "a step that divides the max (e.g. 0.5)"
		}
		seen[c.Key] = true
	}
	if len(f) > 0 {
		return Invalid("the rubric is not valid", f)
	}
	return nil
}

// CheckScore checks an expert's points against the rubric: every criterion
// named must exist, lie in [0, max] and sit on the step. With complete
// true (submitting), every criterion must be scored. Problems name the
// criterion.
func (r Rubric) CheckScore(points map[string]int64, complete bool) error {
	f := map[string]string{}
	byKey := map[string]Criterion{}
	for _, c := range r {
		byKey[c.Key] = c
	}
	for k, p := range points {
		c, ok := byKey[k]
		switch {
		case !ok:
			f[k] = "not a criterion of this round"
		case p < 0 || p > c.Max:
			f[k] = fmt.Sprintf("between 0 and %s", formatHundredths(c.Max))
		case p%c.Step != 0:
			f[k] = fmt.Sprintf("in steps of %s", formatHundredths(c.Step))
		}
	}
	if complete {
		for _, c := range r {
			if _, ok := points[c.Key]; !ok {
				f[c.Key] = "required"
			}
		}
	}
	if len(f) > 0 {
		return Invalid("the score is not valid", f)
	}
	return nil
}

// formatHundredths writes 2250 as "22.5" and 2500 as "25".
func formatHundredths(v int64) string {
	s := fmt.Sprintf("%d.%02d", v/100, v%100)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// RoundKind is how a round is judged.
type RoundKind string

// The round kinds.
const (
	RoundOnline RoundKind = "online"
	RoundLive   RoundKind = "live"
)

// RoundStatus is where a round stands: draft → open → closed → published.
type RoundStatus string

// The round statuses.
const (
	RoundDraft     RoundStatus = "draft"
	RoundOpen      RoundStatus = "open"
	RoundClosed    RoundStatus = "closed"
	RoundPublished RoundStatus = "published"
)

// Round is one stage of an edition's review (初审, 复审, 终审).
type Round struct {
	ID        int64
	EditionID int64
	Name      string
	Order     int
	Kind      RoundKind
	OpensAt   time.Time
	ClosesAt  time.Time
	Rubric    Rubric
	// ReviewersPerProject is k, the experts each project gets.
	ReviewersPerProject int
	// Method is mean, median, trimmed_mean or zscore; Trim applies to
	// trimmed_mean.
	Method       string
	Trim         int
	KeyCriterion string
	Blind        bool
	// SiteVisits lets the round's experts record site visits (实地考察,
	// usually in 复审); it may change until the round is published.
	SiteVisits bool
	Status     RoundStatus
}

// transitions lists the allowed status changes. A closed round may reopen
// (a late expert) until its results are published; published is final.
var transitions = map[RoundStatus][]RoundStatus{
	RoundDraft:  {RoundOpen},
	RoundOpen:   {RoundClosed},
	RoundClosed: {RoundOpen, RoundPublished},
}

// CanMoveTo reports whether the round may change to status to.
func (r Round) CanMoveTo(to RoundStatus) error {
	for _, s := range transitions[r.Status] {
		if s == to {
			return nil
		}
	}
	return Errorf(KindConflict, "round %q is %s and cannot become %s", r.Name, r.Status, to)
}

// CanEditSettings reports whether the rubric, method, k and blindness may
// change: only while the round is a draft, before any expert has scored.
func (r Round) CanEditSettings() error {
	if r.Status != RoundDraft {
		return Errorf(KindConflict, "round %q is %s: its rubric and rules are fixed once it opens", r.Name, r.Status)
	}
	return nil
}

// CanChangeWindow reports whether the scoring window may move.
func (r Round) CanChangeWindow() error {
	if r.Status == RoundPublished {
		return Errorf(KindConflict, "round %q is published", r.Name)
	}
	return nil
}

// AcceptsScores reports whether experts may save or change scores at now.
func (r Round) AcceptsScores(now time.Time) error {
	switch {
	case r.Status != RoundOpen:
		return Errorf(KindConflict, "round %q is %s: scores can no longer change", r.Name, r.Status)
	case now.Before(r.OpensAt):
		return Errorf(KindConflict, "round %q opens at %s", r.Name, r.OpensAt.UTC().Format(time.RFC3339))
	case now.After(r.ClosesAt):
		return Errorf(KindConflict, "round %q closed at %s", r.Name, r.ClosesAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// CanDecide reports whether ties and advancement may be decided: after
// closing, before publishing.
func (r Round) CanDecide() error {
	if r.Status != RoundClosed {
		return Errorf(KindConflict, "decisions are made on a closed, unpublished round (this one is %s)", r.Status)
	}
	return nil
}

// Validate checks a round's settings.
func (r Round) Validate() error {
	f := map[string]string{}
	if n := utf8.RuneCountInString(strings.TrimSpace(r.Name)); n == 0 || n > 30 {
		f["name"] = "1–30 characters"
	}
	if r.Kind != RoundOnline && r.Kind != RoundLive {
		f["kind"] = "online or live"
	}
	if r.OpensAt.IsZero() || r.ClosesAt.IsZero() || !r.ClosesAt.After(r.OpensAt) {
		f["closes_at"] = "a window: closes_at after opens_at"
	}
	if r.ReviewersPerProject < 1 || r.ReviewersPerProject > 30 {
		f["reviewers_per_project"] = "1 to 30"
	}
	switch r.Method {
	case "mean", "median", "trimmed_mean", "zscore":
	default:
		f["method"] = "mean, median, trimmed_mean or zscore"
	}
	if r.Kind == RoundLive && r.Method != "mean" && r.Method != "trimmed_mean" {
		f["method"] = "a live round aggregates with mean or trimmed_mean only (a revealed score must never move)"
	}
	if r.SiteVisits && r.Kind == RoundLive {
		f["site_visits"] = "site visits belong to an online round (复审), not to the live final"
	}
	if r.SiteVisits && r.Blind {
		f["site_visits"] = "a visit names the unit: a blind round cannot record site visits"
	}
	if r.Method == "trimmed_mean" && r.Trim < 1 || r.Method != "trimmed_mean" && r.Trim != 0 || r.Trim > 5 {
		f["trim"] = "1–5 for trimmed_mean, 0 otherwise"
	}
	if err := r.Rubric.Validate(); err != nil {
		for k, v := range err.(*Error).Fields {
			f[k] = v
		}
	}
	found := false
	for _, c := range r.Rubric {
		found = found || c.Key == r.KeyCriterion
	}
	if !found {
		f["key_criterion"] = "one of the rubric's keys"
	}
	if len(f) > 0 {
		return Invalid("the round is not valid", f)
	}
	return nil
}

// ScoreStatus is whether an expert's score is still a draft.
type ScoreStatus string

// The score statuses; only submitted scores count.
const (
	ScoreDraft     ScoreStatus = "draft"
	ScoreSubmitted ScoreStatus = "submitted"
)

// Score is one expert's score of one project in one round.
type Score struct {
	RoundID   int64
	ProjectID int64
	ExpertID  int64
	// Points are hundredths per criterion key.
	Points      map[string]int64
	Comment     string
	Status      ScoreStatus
	SubmittedAt *time.Time
	UpdatedAt   time.Time
}

// Total sums the points.
func (s Score) Total() int64 {
	var t int64
	for _, p := range s.Points {
		t += p
	}
	return t
}

// ReviewItem is one project on an expert's list for a round.
type ReviewItem struct {
	Project  Project
	Position int
	// Score is the expert's score so far, nil when not started.
	Score *Score
}

// ExpertProgress is how far one expert is in a round.
type ExpertProgress struct {
	ExpertID    int64
	Username    string
	DisplayName string
	Assigned    int
	Submitted   int
	Drafts      int
}

// RoundChange reports what a status change found, e.g. the drafts that
// closing left uncounted.
type RoundChange struct {
	Round Round
	// UncountedDrafts are scores still in draft when the round closed:
	// they are reported, never counted.
	UncountedDrafts []Score
}

// Publication is a round's published results.
type Publication struct {
	RoundID     int64
	PublishedAt time.Time
	// ObjectionFrom and ObjectionUntil are the publication (公示) window:
	// objections are taken between them.
	ObjectionFrom  time.Time
	ObjectionUntil time.Time
	// Results and Sheet are the JSON snapshots (ranking with titles; the
	// anonymised score sheet that `leitai rank` reproduces).
	Results     string
	Sheet       string
	PublishedBy string
	// AuditHeadID and AuditHeadHash anchor the audit chain's head at
	// publication: verification fails if that entry is ever gone.
	AuditHeadID   int64
	AuditHeadHash string
}

// ScoreChange is one stored change of an expert's score, as the admin's
// score history shows it: when, by whom (the expert, or the host for a
// judge, with the reason), what it became and what it was before.
type ScoreChange struct {
	ProjectID int64
	ExpertID  int64
	// Expert is the expert's display name (or username).
	Expert string
	At     time.Time
	Status ScoreStatus
	// Points are hundredths per criterion; Total their sum.
	Points map[string]int64
	Total  int64
	// Previous is the total of the expert's change before this one (nil
	// for the first).
	Previous *int64
	Comment  string
	// By is who wrote the change ('' for changes from before this was
	// kept); Action the audit's (score.submit, score.live,
	// score.on_behalf, score.correct; '' for a draft); Reason the host's.
	By     string
	Action string
	Reason string
}
