package models

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ProjectStatus is where a project stands in the edition's life.
type ProjectStatus string

// The statuses of the submission stage. Later stages (review rounds, the
// final, awards) add theirs.
const (
	ProjectDraft      ProjectStatus = "draft"
	ProjectSubmitted  ProjectStatus = "submitted"
	ProjectWithdrawn  ProjectStatus = "withdrawn"
	ProjectEligible   ProjectStatus = "eligible"
	ProjectIneligible ProjectStatus = "ineligible"
	// ProjectReturned: the organisers sent a submission back for changes,
	// with the reason; the unit edits it and submits again.
	ProjectReturned ProjectStatus = "returned"
	// ProjectRecommended: with the edition's recommendation step on, the
	// county's or department's recommender sent the submission on to the
	// city's eligibility check (县区推荐).
	ProjectRecommended ProjectStatus = "recommended"
	// ProjectRecommenderReturned: the recommender sent it back to the
	// unit, with the reason; the unit edits it and submits again.
	ProjectRecommenderReturned ProjectStatus = "returned_by_recommender"
)

// ProjectFields are the texts a unit writes. Limits count characters
// (runes), as people do.
//
// It is the one type of the eleven fields: the database row embeds it, the
// API reads and writes it under these names, and a submitted version's
// snapshot is its JSON.
type ProjectFields struct {
	Title          string `json:"title"`
	Category       string `json:"category"`
	Summary        string `json:"summary"`
	Problem        string `json:"problem"`        // 痛点
	Approach       string `json:"approach"`       // 做法
	Results        string `json:"results"`        // 成效: indicators and beneficiaries
	Replicability  string `json:"replicability"`  // 推广
	Sustainability string `json:"sustainability"` // 长效
	StartDate      string `json:"start_date"`     // YYYY-MM-DD
	ContactName    string `json:"contact_name"`
	ContactPhone   string `json:"contact_phone"`
}

// FieldLimit is one field's name and its character cap.
type FieldLimit struct {
	Name string
	Max  int
}

// ProjectFieldLimits lists every field with its cap, in form order.
var ProjectFieldLimits = []FieldLimit{
	{"title", 60}, {"category", 20}, {"summary", 500}, {"problem", 3000}, {"approach", 5000},
	{"results", 5000}, {"replicability", 3000}, {"sustainability", 3000}, {"start_date", 10},
	{"contact_name", 30}, {"contact_phone", 20},
}

// Map returns the fields by their API names.
func (p ProjectFields) Map() map[string]string {
	return map[string]string{
		"title": p.Title, "category": p.Category, "summary": p.Summary, "problem": p.Problem,
		"approach": p.Approach, "results": p.Results, "replicability": p.Replicability,
		"sustainability": p.Sustainability, "start_date": p.StartDate, "contact_name": p.ContactName,
		"contact_phone": p.ContactPhone,
	}
}

// CheckDraft names fields over their limits or malformed: a draft may be
// incomplete but never oversized.
func (p ProjectFields) CheckDraft(categories []string) error {
	f := map[string]string{}
	m := p.Map()
	for _, l := range ProjectFieldLimits {
		if n := utf8.RuneCountInString(m[l.Name]); n > l.Max {
			f[l.Name] = "at most " + strconv.Itoa(l.Max) + " characters (now " + strconv.Itoa(n) + ")"
		}
	}
	if p.Category != "" && !slices.Contains(categories, p.Category) {
		f["category"] = "one of: " + strings.Join(categories, ", ")
	}
	if p.StartDate != "" {
		if _, err := time.Parse("2006-01-02", p.StartDate); err != nil {
			f["start_date"] = "a date as YYYY-MM-DD"
		}
	}
	if p.ContactPhone != "" && !ValidPhone(p.ContactPhone) {
		f["contact_phone"] = "a phone number such as 13812345678 or 0752-2345678"
	}
	if len(f) > 0 {
		return Invalid("the project is not valid", f)
	}
	return nil
}

// CheckComplete names every required field still missing, for submission.
func (p ProjectFields) CheckComplete(categories []string) error {
	if err := p.CheckDraft(categories); err != nil {
		return err
	}
	f := map[string]string{}
	for name, v := range p.Map() {
		if strings.TrimSpace(v) == "" {
			f[name] = "required"
		}
	}
	if len(f) > 0 {
		return Invalid("the project is incomplete: fill in every required field before submitting", f)
	}
	return nil
}

// Project is a unit's entry in an edition.
type Project struct {
	ID        int64
	EditionID int64
	UnitID    int64
	ProjectFields
	Status            ProjectStatus
	EligibilityReason string
	// Version counts submissions; each one is kept in the history.
	Version     int
	SubmittedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Recommendation
}

// Recommendation is the recommender's word on the current submission:
// the subtree root it counts against (nil until decided), who decided and
// when, and the comment (with a recommendation or on its own) or the
// reason of a return.
type Recommendation struct {
	RecommendRootID  *int64
	RecommendedBy    string
	RecommendedAt    *time.Time
	RecommendComment string
}

// CanEdit reports whether the unit may still change the texts: drafts and
// withdrawn projects only (a submitted project is withdrawn first).
func (p Project) CanEdit() error {
	switch p.Status {
	case ProjectDraft, ProjectWithdrawn, ProjectReturned, ProjectRecommenderReturned:
		return nil
	case ProjectSubmitted:
		return Errorf(KindConflict, "the project is submitted: withdraw it to make changes")
	}
	return Errorf(KindConflict, "the project is %s and can no longer change", p.Status)
}

// CanWithdraw reports whether a submission may be taken back.
func (p Project) CanWithdraw() error {
	if p.Status != ProjectSubmitted {
		return Errorf(KindConflict, "only a submitted project can be withdrawn (this one is %s)", p.Status)
	}
	return nil
}

// CanJudgeEligibility reports whether admins may mark the project eligible
// or ineligible.
//
// With the edition's recommendation step on (recommendStep), a submission
// reaches the check only once its recommender recommended it.
func (p Project) CanJudgeEligibility(recommendStep bool) error {
	switch p.Status {
	case ProjectEligible, ProjectIneligible:
		return nil
	case ProjectSubmitted:
		if !recommendStep {
			return nil
		}
		return Errorf(KindConflict, "project %d waits for its county's or department's recommendation: only recommended projects are checked", p.ID)
	case ProjectRecommended:
		return nil
	}
	return Errorf(KindConflict, "project %d is %s: only submitted projects are checked", p.ID, p.Status)
}

// CanReturn reports whether the organisers may send the project back to
// the unit for changes: a submission not yet checked for eligibility.
func (p Project) CanReturn() error {
	if p.Status != ProjectSubmitted && p.Status != ProjectRecommended {
		return Errorf(KindConflict, "only a submitted project can be returned (this one is %s)", p.Status)
	}
	return nil
}

// ProjectFilter narrows project lists.
type ProjectFilter struct {
	EditionID int64
	UnitID    *int64
	Category  string
	// CountyID selects projects of units in that county's subtree.
	CountyID *int64
	Status   ProjectStatus
	Query    string
}

// ProjectVersion is one submitted snapshot of a project.
type ProjectVersion struct {
	Version     int
	Fields      ProjectFields
	SubmittedAt time.Time
	SubmittedBy string
}
