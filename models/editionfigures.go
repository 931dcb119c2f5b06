package models

// EditionFigures is the office's overview of an edition: submissions by
// county and by category, the eligibility results, and the review's
// progress by round and by expert.
type EditionFigures struct {
	EditionID int64
	// Submissions counts the projects ever submitted (every status but
	// draft); ByCounty and ByCategory split them.
	Submissions int
	ByCounty    []FigureCount
	ByCategory  []FigureCount
	// Eligibility counts the submitted projects by status (submitted —
	// awaiting the check —, eligible, ineligible, returned, withdrawn).
	Eligibility []FigureCount
	Rounds      []RoundFigures
	Experts     []ExpertFigures
}

// FigureCount is one bar: a key (a unit id, a category, a status), its
// label and its count.
type FigureCount struct {
	Key   string
	Label string
	N     int
}

// RoundFigures is one round's progress: its projects, the experts'
// assignments, and the scores submitted and still in draft.
type RoundFigures struct {
	RoundID     int64
	Name        string
	Order       int
	Status      RoundStatus
	Projects    int
	Assignments int
	Submitted   int
	Drafts      int
}

// ExpertFigures is one expert's progress in one round.
type ExpertFigures struct {
	RoundID   int64
	ExpertID  int64
	Name      string
	Assigned  int
	Submitted int
	Drafts    int
}
