package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// TieDecision is the organiser's order for one group of projects that a
// round's tie chain left tied, with the reason. It is carried into the
// round's score sheet as a `decisions` entry, so `leitai rank` reproduces
// the published order.
type TieDecision struct {
	ID      int64
	RoundID int64
	// Order lists the whole tied group (project ids as the score sheet
	// names them), best first.
	Order     []string
	Reason    string
	DecidedBy string
	DecidedAt time.Time
}

// AdvanceOverride adds a project the advancement rule left out, or removes
// one it let through; the reason is required and published.
type AdvanceOverride struct {
	// Project is the project id as the score sheet names it.
	Project string
	Advance bool
	Reason  string
}

// AdvanceInput is the organiser's advancement rule for a round: the top N
// or a threshold (hundredths of a point), exactly one, plus overrides.
type AdvanceInput struct {
	Top       int
	Threshold *int64
	Overrides []AdvanceOverride
}

// Advancement is the decided advancement of a round into the next.
type Advancement struct {
	RoundID   int64
	Top       int
	Threshold *int64
	Overrides []AdvanceOverride
	// Advancing are the projects that go on, in ranking order; ByRule those
	// the rule alone selected; TieAtCut a tied group straddling a top-N
	// cut (all of it advances).
	Advancing []string
	ByRule    []string
	TieAtCut  []string
	// NextRoundID is the draft round whose projects were set to Advancing,
	// if one exists; a round created later starts from Advancing.
	NextRoundID *int64
	DecidedBy   string
	DecidedAt   time.Time
}

// CheckReason checks a decision's or override's reason: 1–500 characters.
func CheckReason(field, reason string) error {
	if n := utf8.RuneCountInString(strings.TrimSpace(reason)); n == 0 || n > 500 {
		return Invalid("a reason is required", map[string]string{field: "a reason of 1–500 characters"})
	}
	return nil
}

// ObjectionInput is an objection to a published round, sent during its
// publication (公示) window by anyone: a name and a way to reach them are
// required, and are shown to the organisers only.
type ObjectionInput struct {
	RoundID int64
	// ProjectID names the project objected to; nil for the round as a whole.
	ProjectID *int64
	Name      string
	Contact   string
	Body      string
	// UserID is the signed-in sender, if any; IP caps how many one address
	// may send.
	UserID *int64
	IP     string
}

// Validate names every problem with an objection.
func (in ObjectionInput) Validate() error {
	f := map[string]string{}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Name)); n == 0 || n > 50 {
		f["name"] = "1–50 characters"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Contact)); n < 5 || n > 100 {
		f["contact"] = "a phone number or e-mail address (5–100 characters)"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(in.Body)); n < 10 || n > 2000 {
		f["body"] = "10–2000 characters"
	}
	if len(f) > 0 {
		return Invalid("the objection is not complete", f)
	}
	return nil
}

// Objection is an objection received during a publication window, with
// the organiser's answer once given.
type Objection struct {
	ID         int64
	RoundID    int64
	ProjectID  *int64
	Name       string
	Contact    string
	Body       string
	UserID     *int64
	CreatedAt  time.Time
	Answer     string
	AnsweredBy string
	AnsweredAt *time.Time
}

// AcceptsObjections reports whether the publication's objection window is
// open at now: not before its start, not after its end.
func (p Publication) AcceptsObjections(now time.Time) error {
	window := fmt.Sprintf("%s – %s", p.ObjectionFrom.UTC().Format(time.RFC3339), p.ObjectionUntil.UTC().Format(time.RFC3339))
	if !p.ObjectionFrom.IsZero() && now.Before(p.ObjectionFrom) {
		return Errorf(KindConflict, "the objection window (%s) has not opened yet", window)
	}
	if now.After(p.ObjectionUntil) {
		return Errorf(KindConflict, "the objection window (%s) closed at %s", window, p.ObjectionUntil.UTC().Format(time.RFC3339))
	}
	return nil
}

// Reminder is a note to an expert with unfinished work in a round.
type Reminder struct {
	ID       int64
	RoundID  int64
	ExpertID int64
	// Username and DisplayName name the expert (for the organiser's list).
	Username    string
	DisplayName string
	Message     string
	// Remaining is how many of the expert's projects were not submitted
	// when the reminder was sent.
	Remaining int
	SentBy    string
	CreatedAt time.Time
}

// A review round's score sheet names each judge by the expert's id, so that
// `leitai rank` and the statistics can tell judges apart without their
// names: JudgeOfExpert and ExpertOfJudge are the one place that spelling
// lives. (Published sheets alias them again, J1…Jn.)

// JudgeOfExpert is the sheet's judge name for an expert.
func JudgeOfExpert(id int64) string { return "E" + strconv.FormatInt(id, 10) }

// ExpertOfJudge is the expert behind a sheet's judge name, if it is one.
func ExpertOfJudge(judge string) (int64, bool) {
	rest, ok := strings.CutPrefix(judge, "E")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}
