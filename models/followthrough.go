package models

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Caller is who makes a request, carried as one value through a use case:
// the signed-in user (for scope rules) and the name the audit log records.
type Caller struct {
	User  User
	Actor Actor
}

// AwardTier is one prize level of an edition (十大项目, 一等奖 …).
type AwardTier struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// DefaultAwardTiers is the tier list of an edition that sets none, in
// order of rank.
var DefaultAwardTiers = []AwardTier{
	{Code: "top10", NameZh: "十大项目", NameEn: "Top Ten Project"},
	{Code: "first", NameZh: "一等奖", NameEn: "First Prize"},
	{Code: "second", NameZh: "二等奖", NameEn: "Second Prize"},
	{Code: "third", NameZh: "三等奖", NameEn: "Third Prize"},
	{Code: "excellence", NameZh: "优秀奖", NameEn: "Excellence Award"},
}

// TierByCode finds a tier in list.
func TierByCode(list []AwardTier, code string) (AwardTier, bool) {
	for _, t := range list {
		if t.Code == code {
			return t, true
		}
	}
	return AwardTier{}, false
}

// MaxAwardTiers caps an edition's tier list.
const MaxAwardTiers = 20

var tierCode = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// ValidateAwardTiers checks an edition's tier list, in order of rank: at
// least one tier, at most MaxAwardTiers; each with a code (lower-case
// letters, digits, "-" or "_", at most 32, unique) and a Chinese and an
// English name (at most 50 and 100 characters, the Chinese unique). The
// problems are named by field (tiers[i].code …).
func ValidateAwardTiers(list []AwardTier) map[string]string {
	fields := map[string]string{}
	if len(list) == 0 {
		fields["tiers"] = "at least one tier is required"
	}
	if len(list) > MaxAwardTiers {
		fields["tiers"] = fmt.Sprintf("at most %d tiers", MaxAwardTiers)
	}
	codes, names := map[string]bool{}, map[string]bool{}
	for i, t := range list {
		at := fmt.Sprintf("tiers[%d].", i)
		switch {
		case !tierCode.MatchString(t.Code):
			fields[at+"code"] = "lower-case letters, digits, - or _, at most 32"
		case codes[t.Code]:
			fields[at+"code"] = "listed twice"
		}
		codes[t.Code] = true
		zh, en := strings.TrimSpace(t.NameZh), strings.TrimSpace(t.NameEn)
		switch {
		case zh == "" || utf8.RuneCountInString(zh) > 50:
			fields[at+"name_zh"] = "required, at most 50 characters"
		case names[zh]:
			fields[at+"name_zh"] = "listed twice"
		}
		names[zh] = true
		if en == "" || utf8.RuneCountInString(en) > 100 {
			fields[at+"name_en"] = "required, at most 100 characters"
		}
	}
	return fields
}

// AwardStatus is where a funded project stands.
type AwardStatus string

// The award states: implementing (实施中), suspended (暂停), terminated
// (终止, with an amount to recover) and completed (已结项, once every
// milestone's report is accepted and the final check passed).
const (
	AwardActive     AwardStatus = "active"
	AwardSuspended  AwardStatus = "suspended"
	AwardTerminated AwardStatus = "terminated"
	AwardCompleted  AwardStatus = "completed"
)

// MaxFundingFen caps one award's funding (¥100 million): far above any
// real award, low enough that sums never overflow.
const MaxFundingFen int64 = 100_000_000_00

// Award is one funded project: its tier and funding, linked to the
// published round it came from.
type Award struct {
	ID               int64
	EditionID        int64
	RoundID          int64
	ProjectID        int64
	ProjectTitle     string
	UnitID           int64
	UnitName         string
	CountyName       string
	Tier             string
	TierNameZh       string
	TierNameEn       string
	Rank             int
	FundingFen       int64
	SignedOn         string
	AgreementMediaID *int64
	Status           AwardStatus
	StatusReason     string
	RecoverFen       int64
	Version          int
	CreatedAt        time.Time
}

// AwardInput is one award the organiser makes from a published ranking.
type AwardInput struct {
	ProjectID  int64
	Tier       string
	FundingFen int64
}

// ValidateFunding checks an amount in fen: not negative, within the cap.
func ValidateFunding(fen int64) string {
	switch {
	case fen < 0:
		return "must not be negative"
	case fen > MaxFundingFen:
		return "is more than ¥100,000,000.00"
	}
	return ""
}

// AwardVersion is one recorded state of an award's tier and funding.
type AwardVersion struct {
	Version    int
	Tier       string
	FundingFen int64
	Reason     string
	By         string
	At         time.Time
}

// Gate says what releases a milestone's tranche.
type Gate string

// The gates: the signed agreement; the milestone's accepted report; the
// accepted report and a passed mid-term check (中期检查); the accepted
// report and a passed final acceptance (结项验收).
const (
	GateSigning Gate = "signing"
	GateReport  Gate = "report"
	GateMidterm Gate = "midterm"
	GateFinal   Gate = "final"
)

// NeedsReport reports whether the gate waits for an accepted report.
func (g Gate) NeedsReport() bool { return g != GateSigning }

// CheckKind is the expert check a gate asks for ("" when none).
func (g Gate) CheckKind() CheckKind {
	switch g {
	case GateMidterm:
		return CheckMidterm
	case GateFinal:
		return CheckFinal
	}
	return ""
}

// KPI is a promised indicator: its unit of measure, baseline and target
// as decimal strings (never floats).
type KPI struct {
	Name     string `json:"name"`
	Unit     string `json:"unit"`
	Baseline string `json:"baseline"`
	Target   string `json:"target"`
}

// Milestone is one step of an implementation plan, with its share of the
// funding in whole percent.
type Milestone struct {
	Seq          int    `json:"seq"`
	Title        string `json:"title"`
	DueOn        string `json:"due_on"`
	Deliverables string `json:"deliverables"`
	Share        int    `json:"share"`
	Gate         Gate   `json:"gate"`
	KPIs         []KPI  `json:"kpis"`
}

// Plan limits.
const (
	MaxMilestones = 12
	MaxKPIs       = 20
	maxPlanText   = 4000
)

var decimalRE = regexp.MustCompile(`^-?[0-9]{1,12}(\.[0-9]{1,4})?$`)

// ValidDecimal reports whether s is a plain decimal number ("120", "3.5").
func ValidDecimal(s string) bool { return decimalRE.MatchString(s) }

// ParseDate reads a calendar date "YYYY-MM-DD".
func ParseDate(s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a date (YYYY-MM-DD): %q", s)
	}
	return d, nil
}

// PlanInput is an implementation plan as the unit proposes it.
type PlanInput struct {
	Milestones []Milestone
	Reason     string
	// ContactName and ContactEmail are the project's responsible person
	// (项目负责人): reminders go to the e-mail when SMTP is configured.
	ContactName  string
	ContactEmail string
}

// Validate checks a proposed plan: 1–12 milestones, each titled and dated,
// shares of whole percent summing to exactly 100, known gates, well-formed
// KPIs. It numbers the milestones 1…n and trims their texts.
func (in *PlanInput) Validate() error {
	fields := map[string]string{}
	in.Reason = strings.TrimSpace(in.Reason)
	if utf8.RuneCountInString(in.Reason) > maxPlanText {
		fields["reason"] = "is too long"
	}
	in.ContactName, in.ContactEmail = strings.TrimSpace(in.ContactName), strings.TrimSpace(in.ContactEmail)
	if utf8.RuneCountInString(in.ContactName) > 100 {
		fields["contact_name"] = "at most 100 characters"
	}
	if in.ContactEmail != "" {
		if a, err := mail.ParseAddress(in.ContactEmail); err != nil || a.Address != in.ContactEmail || len(in.ContactEmail) > 254 {
			fields["contact_email"] = "an e-mail address such as name@example.org"
		}
	}
	switch n := len(in.Milestones); {
	case n == 0:
		fields["milestones"] = "at least one milestone is required"
	case n > MaxMilestones:
		fields["milestones"] = fmt.Sprintf("at most %d milestones", MaxMilestones)
	}
	sum := 0
	for i := range in.Milestones {
		m := &in.Milestones[i]
		at := fmt.Sprintf("milestones[%d].", i)
		m.Seq = i + 1
		m.Title = strings.TrimSpace(m.Title)
		m.Deliverables = strings.TrimSpace(m.Deliverables)
		if m.Title == "" {
			fields[at+"title"] = "required"
		} else if utf8.RuneCountInString(m.Title) > 200 {
			fields[at+"title"] = "at most 200 characters"
		}
		if utf8.RuneCountInString(m.Deliverables) > maxPlanText {
			fields[at+"deliverables"] = "is too long"
		}
		if _, err := ParseDate(m.DueOn); err != nil {
			fields[at+"due_on"] = "a date (YYYY-MM-DD) is required"
		}
		if m.Share < 1 || m.Share > 100 {
			fields[at+"share"] = "a whole percentage from 1 to 100"
		}
		sum += m.Share
		switch m.Gate {
		case GateSigning, GateReport, GateMidterm, GateFinal:
		default:
			fields[at+"gate"] = "one of signing, report, midterm, final"
		}
		if len(m.KPIs) > MaxKPIs {
			fields[at+"kpis"] = fmt.Sprintf("at most %d indicators", MaxKPIs)
		}
		seen := map[string]bool{}
		for j := range m.KPIs {
			k := &m.KPIs[j]
			kat := fmt.Sprintf("%skpis[%d].", at, j)
			k.Name, k.Unit = strings.TrimSpace(k.Name), strings.TrimSpace(k.Unit)
			k.Baseline, k.Target = strings.TrimSpace(k.Baseline), strings.TrimSpace(k.Target)
			switch {
			case k.Name == "":
				fields[kat+"name"] = "required"
			case utf8.RuneCountInString(k.Name) > 100:
				fields[kat+"name"] = "at most 100 characters"
			case seen[k.Name]:
				fields[kat+"name"] = "named twice in this milestone"
			}
			seen[k.Name] = true
			if utf8.RuneCountInString(k.Unit) > 20 {
				fields[kat+"unit"] = "at most 20 characters"
			}
			if k.Baseline != "" && !ValidDecimal(k.Baseline) {
				fields[kat+"baseline"] = "a number, e.g. 120 or 3.5"
			}
			if !ValidDecimal(k.Target) {
				fields[kat+"target"] = "a number, e.g. 120 or 3.5"
			}
		}
	}
	if len(in.Milestones) > 0 && sum != 100 {
		if _, taken := fields["milestones"]; !taken {
			fields["milestones"] = fmt.Sprintf("the payment shares add up to %d%%, not 100%%", sum)
		}
	}
	if len(fields) > 0 {
		return Invalid("the plan has problems", fields)
	}
	return nil
}

// DefaultPlan is the template a unit starts from: 50/30/20 on signing,
// after the mid-term check and after final acceptance.
func DefaultPlan(signedOn time.Time) []Milestone {
	d := func(months int) string { return signedOn.AddDate(0, months, 0).Format(time.DateOnly) }
	return []Milestone{
		{Seq: 1, Title: "签约启动", DueOn: d(1), Share: 50, Gate: GateSigning},
		{Seq: 2, Title: "中期检查", DueOn: d(6), Share: 30, Gate: GateMidterm},
		{Seq: 3, Title: "结项验收", DueOn: d(12), Share: 20, Gate: GateFinal},
	}
}

// PlanStatus is where one version of a plan stands.
type PlanStatus string

// The plan states: proposed by the unit, returned with a comment, approved
// (the one in force), superseded by a later approved version.
const (
	PlanProposed   PlanStatus = "proposed"
	PlanReturned   PlanStatus = "returned"
	PlanApproved   PlanStatus = "approved"
	PlanSuperseded PlanStatus = "superseded"
)

// Plan is one version of an award's implementation plan.
type Plan struct {
	Version      int
	Status       PlanStatus
	Milestones   []Milestone
	ContactName  string
	ContactEmail string
	Reason       string
	Comment      string
	ProposedBy   string
	ProposedAt   time.Time
	DecidedBy    string
	DecidedAt    *time.Time
}

// SplitFunding divides total fen by whole-percent shares (summing to 100)
// so that the parts add up to exactly total: each part is rounded down and
// the fen left over go to the last milestone.
func SplitFunding(total int64, shares []int) []int64 {
	out := make([]int64, len(shares))
	var sum int64
	for i, s := range shares {
		out[i] = total * int64(s) / 100
		sum += out[i]
	}
	if n := len(out); n > 0 {
		out[n-1] += total - sum
	}
	return out
}

// DueFlag is how a milestone stands against its due date.
type DueFlag string

// The flags: upcoming (more than 7 days ahead), due (within 7 days), late
// (past due, up to 14 days), very late (more than 14 days past), done
// (its report accepted).
const (
	FlagUpcoming DueFlag = "upcoming"
	FlagDue      DueFlag = "due"
	FlagLate     DueFlag = "late"
	FlagVeryLate DueFlag = "very_late"
	FlagDone     DueFlag = "done"
)

// FlagOf computes a milestone's flag on the calendar of loc: due on the
// due date itself and the 7 days before it, late from the day after,
// very late from the 15th day after.
func FlagOf(dueOn string, done bool, now time.Time, loc *time.Location) DueFlag {
	if done {
		return FlagDone
	}
	due, err := ParseDate(dueOn)
	if err != nil {
		return FlagUpcoming
	}
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := now.In(loc).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	days := int(due.Sub(today).Hours() / 24)
	switch {
	case days > 7:
		return FlagUpcoming
	case days >= 0:
		return FlagDue
	case days >= -14:
		return FlagLate
	}
	return FlagVeryLate
}

// ReportStatus is where a progress report stands.
type ReportStatus string

// The report states. An accepted report is frozen.
const (
	ReportDraft            ReportStatus = "draft"
	ReportSubmitted        ReportStatus = "submitted"
	ReportAccepted         ReportStatus = "accepted"
	ReportChangesRequested ReportStatus = "changes_requested"
)

// Report is a unit's progress report on one milestone.
type Report struct {
	AwardID     int64
	Seq         int
	Status      ReportStatus
	Text        string
	KPIActuals  map[string]string
	MediaIDs    []int64
	Comment     string
	Revision    int
	SubmittedAt *time.Time
	DecidedBy   string
	DecidedAt   *time.Time
	UpdatedAt   time.Time
}

// ReportInput is what a unit saves as its report's draft.
type ReportInput struct {
	Text       string
	KPIActuals map[string]string
	MediaIDs   []int64
}

// Validate checks a report's draft against its milestone's KPIs.
func (in *ReportInput) Validate(m Milestone) error {
	fields := map[string]string{}
	in.Text = strings.TrimSpace(in.Text)
	if utf8.RuneCountInString(in.Text) > 20000 {
		fields["text"] = "at most 20,000 characters"
	}
	known := map[string]bool{}
	for _, k := range m.KPIs {
		known[k.Name] = true
	}
	for name, v := range in.KPIActuals {
		v = strings.TrimSpace(v)
		in.KPIActuals[name] = v
		switch {
		case !known[name]:
			fields["kpi_actuals."+name] = "not an indicator of this milestone"
		case v != "" && !ValidDecimal(v):
			fields["kpi_actuals."+name] = "a number, e.g. 120 or 3.5"
		}
	}
	if len(in.MediaIDs) > 30 {
		fields["media_ids"] = "at most 30 files per report"
	}
	in.MediaIDs = slices.Compact(slices.Sorted(slices.Values(in.MediaIDs)))
	if len(fields) > 0 {
		return Invalid("the report has problems", fields)
	}
	return nil
}

// TrancheState is where one payment stands. "payable" is never stored: a
// pending tranche whose gate has passed is payable.
type TrancheState string

// The tranche states.
const (
	TranchePending  TrancheState = "pending"
	TranchePayable  TrancheState = "payable"
	TrancheApproved TrancheState = "approved"
	TranchePaid     TrancheState = "paid"
	TrancheWithheld TrancheState = "withheld"
)

// Tranche is one milestone's share of the funding.
type Tranche struct {
	Seq          int
	AmountFen    int64
	State        TrancheState
	GateMissing  []string
	ApprovedByID *int64
	ApprovedBy   string
	ApprovedAt   *time.Time
	PaidBy       string
	PaidAt       *time.Time
	PaidOn       string
	Reference    string
	Reason       string
}

// CheckKind is a mid-term check or a final acceptance.
type CheckKind string

// The check kinds.
const (
	CheckMidterm CheckKind = "midterm"
	CheckFinal   CheckKind = "final"
)

// Grade is an expert's verdict on a check.
type Grade string

// The grades, best first: 优秀, 良好, 合格, 不合格.
const (
	GradeExcellent Grade = "excellent"
	GradeGood      Grade = "good"
	GradePass      Grade = "pass"
	GradeFail      Grade = "fail"
)

var gradeOrder = []Grade{GradeExcellent, GradeGood, GradePass, GradeFail}

// ValidGrade reports whether g is one of the four grades.
func ValidGrade(g Grade) bool { return slices.Contains(gradeOrder, g) }

// CheckRule is the rule CheckResult applies, in words.
const CheckRule = "the median grade (the lower of the two middle grades for an even panel); 不合格 (fail) whenever two or more experts grade 不合格"

// CheckResult is a check's result from its experts' grades: fail when two
// or more say fail, else the median grade, taking the lower of the two
// middle grades when the panel is even. A check passes unless the result
// is fail.
func CheckResult(grades []Grade) Grade {
	if len(grades) == 0 {
		return ""
	}
	fails := 0
	idx := make([]int, 0, len(grades))
	for _, g := range grades {
		if g == GradeFail {
			fails++
		}
		idx = append(idx, slices.Index(gradeOrder, g))
	}
	if fails >= 2 {
		return GradeFail
	}
	slices.Sort(idx)
	return gradeOrder[idx[len(idx)/2]]
}

// Adoption is another unit that took a funded project up (推广).
type Adoption struct {
	ID        int64
	UnitID    int64
	UnitName  string
	AdoptedOn string
	Evidence  string
}

// CheckGrade is one expert's grade on a check.
type CheckGrade struct {
	ExpertID  int64
	Name      string
	Grade     Grade
	Notes     string
	Submitted bool
}

// Check is a mid-term check or final acceptance of one milestone.
type Check struct {
	ID     int64
	Kind   CheckKind
	Result Grade
	Grades []CheckGrade
}

// Passed reports whether the check has a result other than fail.
func (c Check) Passed() bool { return c.Result != "" && c.Result != GradeFail }

// MilestoneView is a milestone with where it stands.
type MilestoneView struct {
	Milestone
	Flag    DueFlag
	Report  *Report
	Check   *Check
	Tranche Tranche
}

// NextDue is the next milestone not yet done.
type NextDue struct {
	Seq   int
	Title string
	DueOn string
	Flag  DueFlag
}

// AwardSummary is an award with its plan's state and money.
type AwardSummary struct {
	Award
	PlanStatus  string
	PaidFen     int64
	ApprovedFen int64
	Next        *NextDue
	Done, Total int
}

// RemainingFen is what is left to pay.
func (a AwardSummary) RemainingFen() int64 { return a.FundingFen - a.PaidFen }

// AwardDetail is everything about one award.
type AwardDetail struct {
	AwardSummary
	Plan         *Plan
	PlanVersions []Plan
	Milestones   []MilestoneView
	History      []AwardVersion
	Adoptions    []Adoption
	Mentors      []Mentor
	Visits       []MentorVisit
}

// TrackerKPI is a promised indicator beside its latest accepted actual.
type TrackerKPI struct {
	KPI
	Actual *string
}

// TrackerPhoto is a public photo of a funded project: a stable address of
// a derivative made afresh (no metadata), never an expiring link.
type TrackerPhoto struct {
	MediaID int64
	Alt     string
}

// TrackerReport is an accepted progress report as the public sees it.
type TrackerReport struct {
	Seq        int
	Title      string
	AcceptedAt time.Time
	Text       string
	Photos     []TrackerPhoto
}

// TrackerProject is a funded project on the public tracker: only approved
// plans and accepted reports.
type TrackerProject struct {
	AwardID     int64
	EditionID   int64
	EditionName string
	Title       string
	UnitName    string
	CountyID    int64
	CountyName  string
	Tier        AwardTier
	Status      AwardStatus
	Done, Total int
	Next        *NextDue
	FundingFen  int64
	PaidFen     int64
	Milestones  []MilestoneView
	KPIs        []TrackerKPI
	Adoptions   []Adoption
	Photos      []TrackerPhoto
	Reports     []TrackerReport
}

// TrackerFilter selects the tracker's projects; zero values select all.
type TrackerFilter struct {
	EditionID int64
	CountyID  int64
	Tier      string
}

// Keep reports whether the filter selects p.
func (f TrackerFilter) Keep(p TrackerProject) bool {
	return (f.EditionID == 0 || p.EditionID == f.EditionID) &&
		(f.CountyID == 0 || p.CountyID == f.CountyID) &&
		(f.Tier == "" || p.Tier.Code == f.Tier)
}

// Choice is one option of a filter: an edition or a county.
type Choice struct {
	ID   int64
	Name string
}

// TrackerList is the public tracker's page: the projects the filter
// selects, and the filters' choices, which come from every funded project
// (so that choosing one never hides the others).
type TrackerList struct {
	Projects []TrackerProject
	Editions []Choice
	Counties []Choice
	Tiers    []AwardTier
}

// NewTrackerList selects from all (every funded project, newest edition
// first) what f keeps, and lists every edition, county and tier of all
// once, in order of first appearance.
func NewTrackerList(all []TrackerProject, f TrackerFilter) TrackerList {
	l := TrackerList{Projects: []TrackerProject{}, Editions: []Choice{}, Counties: []Choice{}, Tiers: []AwardTier{}}
	seenE, seenC, seenT := map[int64]bool{}, map[int64]bool{}, map[string]bool{}
	for _, p := range all {
		if !seenT[p.Tier.Code] {
			seenT[p.Tier.Code] = true
			l.Tiers = append(l.Tiers, p.Tier)
		}
		if !seenE[p.EditionID] {
			seenE[p.EditionID] = true
			l.Editions = append(l.Editions, Choice{p.EditionID, p.EditionName})
		}
		if p.CountyID != 0 && !seenC[p.CountyID] {
			seenC[p.CountyID] = true
			l.Counties = append(l.Counties, Choice{p.CountyID, p.CountyName})
		}
		if f.Keep(p) {
			l.Projects = append(l.Projects, p)
		}
	}
	return l
}

// AwardChange is an organiser's change of an award's tier or funding.
type AwardChange struct {
	Tier       *string
	FundingFen *int64
	Reason     string
}

// TrancheAction is what the organiser does to a tranche.
type TrancheAction string

// The tranche actions.
const (
	TrancheApprove  TrancheAction = "approve"
	TranchePay      TrancheAction = "pay"
	TrancheWithhold TrancheAction = "withhold"
)

// TrancheInput carries a payment's reference and date, or a withholding's
// reason.
type TrancheInput struct {
	Reference string
	PaidOn    string
	Reason    string
}

// ExpertCheck is a check as its expert sees it.
type ExpertCheck struct {
	ID           int64
	AwardID      int64
	Kind         CheckKind
	ProjectTitle string
	UnitName     string
	Milestone    Milestone
	Report       *Report
	Grade        CheckGrade
	Result       Grade
}

// Mentor is an expert assigned as 导师 to a funded project.
type Mentor struct {
	ExpertID int64
	Name     string
}

// MentorVisit is one visit a mentor logged.
type MentorVisit struct {
	ID        int64
	ExpertID  int64
	Name      string
	VisitedOn string
	Notes     string
	CreatedAt time.Time
}

// MentoredAward is a funded project as its mentor sees it.
type MentoredAward struct {
	AwardSummary
	Visits []MentorVisit
}

// ReminderKind is when a reminder goes: 7 days before the due date, on the
// day, the day after (late), 15 days after (very late).
type ReminderKind string

// The reminder kinds.
const (
	RemindBefore   ReminderKind = "before"
	RemindDue      ReminderKind = "due"
	RemindLate     ReminderKind = "late"
	RemindVeryLate ReminderKind = "very_late"
)

// ReminderFor is the reminder a milestone due on dueOn calls for at now in
// loc, or "" for none yet (more than 7 days ahead). Only the latest applies:
// a platform switched on late does not send the earlier ones.
func ReminderFor(dueOn string, now time.Time, loc *time.Location) ReminderKind {
	switch FlagOf(dueOn, false, now, loc) {
	case FlagDue:
		due, _ := ParseDate(dueOn)
		y, m, d := now.In(loc).Date()
		if due.Equal(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
			return RemindDue
		}
		return RemindBefore
	case FlagLate:
		return RemindLate
	case FlagVeryLate:
		return RemindVeryLate
	}
	return ""
}
