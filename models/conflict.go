package models

import "time"

// ExpertConflicts is one expert's conflicts of interest as the admin sees
// them: the automatic ones from the unit chain (their affiliation and, in
// a county, the whole county — judging.Conflicts) beside the declared ones.
type ExpertConflicts struct {
	ExpertID    int64
	Username    string
	DisplayName string
	// UnitID is the expert's affiliation (nil: outside the tree).
	UnitID   *int64
	UnitName string
	// Automatic are the roots of the automatic conflicts (each with its
	// subtree); AutomaticUnits counts every unit they cover.
	Automatic      []ConflictRoot
	AutomaticUnits int
	Declared       []DeclaredConflict
}

// ConflictRoot is a unit whose subtree an expert may not review, and why:
// "affiliation" (their own unit), "county" (their unit's county).
type ConflictRoot struct {
	UnitID int64
	Name   string
	Why    string
}

// DeclaredConflict is a conflict an expert declared or an admin added.
type DeclaredConflict struct {
	UnitID   int64
	UnitName string
	Reason   string
	// By names who declared it; ByExpert is true when the expert did.
	ByID     *int64
	By       string
	ByExpert bool
	At       time.Time
}

// ExpertLoad is one expert's number of assigned projects in a round
// before and after a reassignment.
type ExpertLoad struct {
	ExpertID      int64
	Name          string
	Before, After int
}

// Reassignment reports a project moved from one expert to another in a
// round: the loads before and after and the balance rule (the most and
// fewest projects differ by at most one). A move that breaks the rule is
// made and reported with a warning, never silently.
type Reassignment struct {
	RoundID, ProjectID int64
	From, To           int64
	Loads              []ExpertLoad
	SpreadBefore       int
	SpreadAfter        int
	Balanced           bool
	Warning            string
	// DiscardedDraft is true when the source expert's unsubmitted draft
	// of the project was dropped (a draft never counts).
	DiscardedDraft bool
}

// BalanceSpread is the balance rule of an assignment: the most and the
// fewest assigned projects differ by at most this.
const BalanceSpread = 1

// AssignedProject is one project of a round with its assigned experts and
// where each stands with its score, for moving single projects.
type AssignedProject struct {
	ProjectID int64
	Title     string
	UnitID    int64
	UnitName  string
	Experts   []AssignedExpert
}

// AssignedExpert is an expert assigned a project; Score is "" (not
// started), "draft" or "submitted".
type AssignedExpert struct {
	ExpertID int64
	Name     string
	Score    ScoreStatus
}
