// The follow-through's JSON shapes (contract: docs/follow-through.md).

package server

import (
	"leitai/models"
	"time"
)

type nextDueJSON struct {
	Seq   int            `json:"seq"`
	Title string         `json:"title"`
	DueOn string         `json:"due_on"`
	Flag  models.DueFlag `json:"flag"`
}

type awardJSON struct {
	ID               int64        `json:"id"`
	EditionID        int64        `json:"edition_id"`
	RoundID          int64        `json:"round_id"`
	PublicationID    int64        `json:"publication_id"`
	ProjectID        int64        `json:"project_id"`
	ProjectTitle     string       `json:"project_title"`
	UnitID           int64        `json:"unit_id"`
	UnitName         string       `json:"unit_name"`
	CountyName       string       `json:"county_name"`
	Tier             string       `json:"tier"`
	TierNameZh       string       `json:"tier_name_zh"`
	TierNameEn       string       `json:"tier_name_en"`
	Rank             int          `json:"rank"`
	FundingFen       int64        `json:"funding_fen"`
	SignedOn         *string      `json:"signed_on"`
	AgreementMediaID *int64       `json:"agreement_media_id"`
	Status           string       `json:"status"`
	StatusReason     string       `json:"status_reason"`
	RecoverFen       int64        `json:"recover_fen"`
	Version          int          `json:"version"`
	CreatedAt        time.Time    `json:"created_at"`
	PlanStatus       string       `json:"plan_status"`
	PaidFen          int64        `json:"paid_fen"`
	ApprovedFen      int64        `json:"approved_fen"`
	RemainingFen     int64        `json:"remaining_fen"`
	Done             int          `json:"milestones_done"`
	Total            int          `json:"milestones_total"`
	NextDue          *nextDueJSON `json:"next_due"`
}

func toAwardJSON(a models.AwardSummary) awardJSON {
	out := awardJSON{ID: a.ID, EditionID: a.EditionID, RoundID: a.RoundID, PublicationID: a.RoundID, ProjectID: a.ProjectID,
		ProjectTitle: a.ProjectTitle, UnitID: a.UnitID, UnitName: a.UnitName, CountyName: a.CountyName, Tier: a.Tier,
		TierNameZh: a.TierNameZh, TierNameEn: a.TierNameEn, Rank: a.Rank, FundingFen: a.FundingFen, AgreementMediaID: a.AgreementMediaID,
		Status: string(a.Status), StatusReason: a.StatusReason, RecoverFen: a.RecoverFen, Version: a.Version, CreatedAt: a.CreatedAt,
		PlanStatus: a.PlanStatus, PaidFen: a.PaidFen, ApprovedFen: a.ApprovedFen, RemainingFen: a.RemainingFen(),
		Done: a.Done, Total: a.Total}
	if a.SignedOn != "" {
		v := a.SignedOn
		out.SignedOn = &v
	}
	if a.Next != nil {
		out.NextDue = &nextDueJSON{Seq: a.Next.Seq, Title: a.Next.Title, DueOn: a.Next.DueOn, Flag: a.Next.Flag}
	}
	return out
}

type planJSON struct {
	ContactName  string             `json:"contact_name"`
	ContactEmail string             `json:"contact_email"`
	Version      int                `json:"version"`
	Status       models.PlanStatus  `json:"status"`
	Reason       string             `json:"reason"`
	Comment      string             `json:"comment"`
	ProposedBy   string             `json:"proposed_by"`
	ProposedAt   time.Time          `json:"proposed_at"`
	DecidedBy    string             `json:"decided_by"`
	DecidedAt    *time.Time         `json:"decided_at"`
	Milestones   []models.Milestone `json:"milestones"`
}

func toPlanJSON(p models.Plan) planJSON {
	ms := p.Milestones
	for i := range ms {
		if ms[i].KPIs == nil {
			ms[i].KPIs = []models.KPI{}
		}
	}
	return planJSON{ContactName: p.ContactName, ContactEmail: p.ContactEmail, Version: p.Version, Status: p.Status, Reason: p.Reason, Comment: p.Comment, ProposedBy: p.ProposedBy,
		ProposedAt: p.ProposedAt, DecidedBy: p.DecidedBy, DecidedAt: p.DecidedAt, Milestones: ms}
}

type evidenceJSON struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Filename string `json:"filename"`
}

type reportJSON struct {
	Status      models.ReportStatus `json:"status"`
	Text        string              `json:"text"`
	KPIActuals  map[string]string   `json:"kpi_actuals"`
	MediaIDs    []int64             `json:"media_ids"`
	Comment     string              `json:"comment"`
	Revision    int                 `json:"revision"`
	SubmittedAt *time.Time          `json:"submitted_at"`
	DecidedBy   string              `json:"decided_by"`
	DecidedAt   *time.Time          `json:"decided_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
}

func toReportJSON(r *models.Report) *reportJSON {
	if r == nil {
		return nil
	}
	return &reportJSON{Status: r.Status, Text: r.Text, KPIActuals: r.KPIActuals, MediaIDs: r.MediaIDs, Comment: r.Comment,
		Revision: r.Revision, SubmittedAt: r.SubmittedAt, DecidedBy: r.DecidedBy, DecidedAt: r.DecidedAt, UpdatedAt: r.UpdatedAt}
}

type checkGradeJSON struct {
	UserID    int64        `json:"user_id"`
	Name      string       `json:"name"`
	Grade     models.Grade `json:"grade"`
	Notes     string       `json:"notes"`
	Submitted bool         `json:"submitted"`
}

type checkJSON struct {
	ID      int64            `json:"id"`
	Kind    models.CheckKind `json:"kind"`
	Status  string           `json:"status"`
	Result  *models.Grade    `json:"result"`
	Experts []checkGradeJSON `json:"experts"`
	Rule    string           `json:"rule"`
}

func toCheckJSON(c *models.Check) *checkJSON {
	if c == nil {
		return nil
	}
	out := &checkJSON{ID: c.ID, Kind: c.Kind, Status: "open", Rule: models.CheckRule, Experts: []checkGradeJSON{}}
	if c.Result != "" {
		r := c.Result
		out.Result, out.Status = &r, "done"
	}
	for _, g := range c.Grades {
		out.Experts = append(out.Experts, checkGradeJSON{UserID: g.ExpertID, Name: g.Name, Grade: g.Grade, Notes: g.Notes, Submitted: g.Submitted})
	}
	return out
}

type trancheJSON struct {
	Seq         int                 `json:"seq"`
	AmountFen   int64               `json:"amount_fen"`
	State       models.TrancheState `json:"state"`
	GateMissing []string            `json:"gate_missing"`
	ApprovedBy  string              `json:"approved_by"`
	ApprovedAt  *time.Time          `json:"approved_at"`
	PaidBy      string              `json:"paid_by"`
	PaidAt      *time.Time          `json:"paid_at"`
	PaidOn      string              `json:"paid_on"`
	Reference   string              `json:"reference"`
	Reason      string              `json:"reason"`
}

func toTrancheJSON(t models.Tranche) trancheJSON {
	if t.GateMissing == nil {
		t.GateMissing = []string{}
	}
	return trancheJSON{Seq: t.Seq, AmountFen: t.AmountFen, State: t.State, GateMissing: t.GateMissing, ApprovedBy: t.ApprovedBy,
		ApprovedAt: t.ApprovedAt, PaidBy: t.PaidBy, PaidAt: t.PaidAt, PaidOn: t.PaidOn, Reference: t.Reference, Reason: t.Reason}
}

type milestoneJSON struct {
	models.Milestone
	Flag    models.DueFlag `json:"flag"`
	Report  *reportJSON    `json:"report"`
	Check   *checkJSON     `json:"check"`
	Tranche trancheJSON    `json:"tranche"`
}

type adoptionJSON struct {
	UnitName  string `json:"unit_name"`
	AdoptedOn string `json:"adopted_on"`
	Evidence  string `json:"evidence"`
}

type awardDetailJSON struct {
	awardJSON
	Plan         *planJSON          `json:"plan"`
	PlanVersions []planJSON         `json:"plan_versions"`
	Milestones   []milestoneJSON    `json:"milestones"`
	History      []awardVersionJSON `json:"history"`
	Adoptions    []adoptionJSON     `json:"adoptions"`
	Mentors      []mentorJSON       `json:"mentors"`
	Visits       []visitJSON        `json:"visits"`
}

type awardVersionJSON struct {
	Version    int       `json:"version"`
	Tier       string    `json:"tier"`
	FundingFen int64     `json:"funding_fen"`
	Reason     string    `json:"reason"`
	By         string    `json:"by"`
	At         time.Time `json:"at"`
}

func toMilestonesJSON(ms []models.MilestoneView) []milestoneJSON {
	out := make([]milestoneJSON, 0, len(ms))
	for _, m := range ms {
		if m.KPIs == nil {
			m.KPIs = []models.KPI{}
		}
		out = append(out, milestoneJSON{Milestone: m.Milestone, Flag: m.Flag, Report: toReportJSON(m.Report), Check: toCheckJSON(m.Check),
			Tranche: toTrancheJSON(m.Tranche)})
	}
	return out
}

func toAdoptionsJSON(as []models.Adoption) []adoptionJSON {
	out := make([]adoptionJSON, 0, len(as))
	for _, a := range as {
		out = append(out, adoptionJSON{UnitName: a.UnitName, AdoptedOn: a.AdoptedOn, Evidence: a.Evidence})
	}
	return out
}

func toAwardDetailJSON(d models.AwardDetail) awardDetailJSON {
	out := awardDetailJSON{awardJSON: toAwardJSON(d.AwardSummary), PlanVersions: []planJSON{}, Milestones: toMilestonesJSON(d.Milestones),
		History: []awardVersionJSON{}, Adoptions: toAdoptionsJSON(d.Adoptions), Mentors: toMentorsJSON(d.Mentors), Visits: toVisitsJSON(d.Visits)}
	if d.Plan != nil {
		p := toPlanJSON(*d.Plan)
		out.Plan = &p
	}
	for _, p := range d.PlanVersions {
		out.PlanVersions = append(out.PlanVersions, toPlanJSON(p))
	}
	for _, v := range d.History {
		out.History = append(out.History, awardVersionJSON(v))
	}
	return out
}

type expertCheckJSON struct {
	ID           int64            `json:"id"`
	AwardID      int64            `json:"award_id"`
	Seq          int              `json:"seq"`
	Kind         models.CheckKind `json:"kind"`
	ProjectTitle string           `json:"project_title"`
	UnitName     string           `json:"unit_name"`
	Milestone    models.Milestone `json:"milestone"`
	Report       *reportJSON      `json:"report"`
	Grade        models.Grade     `json:"grade"`
	Notes        string           `json:"notes"`
	Submitted    bool             `json:"submitted"`
	Result       *models.Grade    `json:"result"`
	Rule         string           `json:"rule"`
}

func toExpertCheckJSON(x models.ExpertCheck) expertCheckJSON {
	if x.Milestone.KPIs == nil {
		x.Milestone.KPIs = []models.KPI{}
	}
	out := expertCheckJSON{ID: x.ID, AwardID: x.AwardID, Seq: x.Milestone.Seq, Kind: x.Kind, ProjectTitle: x.ProjectTitle, UnitName: x.UnitName,
		Milestone: x.Milestone, Report: toReportJSON(x.Report), Grade: x.Grade.Grade, Notes: x.Grade.Notes, Submitted: x.Grade.Submitted,
		Rule: models.CheckRule}
	if x.Result != "" {
		r := x.Result
		out.Result = &r
	}
	return out
}

type mentorJSON struct {
	ExpertID int64  `json:"expert_id"`
	Name     string `json:"name"`
}

type visitJSON struct {
	ID        int64     `json:"id"`
	ExpertID  int64     `json:"expert_id"`
	Name      string    `json:"name"`
	VisitedOn string    `json:"visited_on"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
}

func toMentorsJSON(ms []models.Mentor) []mentorJSON {
	out := make([]mentorJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, mentorJSON(m))
	}
	return out
}

func toVisitsJSON(vs []models.MentorVisit) []visitJSON {
	out := make([]visitJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, visitJSON(v))
	}
	return out
}

type moneyByJSON struct {
	ID         int64  `json:"id,omitempty"`
	Name       string `json:"name"`
	FundingFen int64  `json:"funding_fen"`
	PaidFen    int64  `json:"paid_fen"`
	Projects   int    `json:"projects"`
}
