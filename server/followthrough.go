package server

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// FollowThrough is what the follow-through handlers call (storage's
// FollowService).
type FollowThrough interface {
	AwardTiers(ctx context.Context, editionID int64) ([]models.AwardTier, error)
	CreateAwards(ctx context.Context, who models.Caller, roundID int64, in []models.AwardInput) ([]models.AwardDetail, error)
	Awards(ctx context.Context, who models.User, editionID int64) ([]models.AwardSummary, error)
	Award(ctx context.Context, who models.User, id int64) (models.AwardDetail, error)
	UpdateAward(ctx context.Context, who models.Caller, id int64, ch models.AwardChange) (models.AwardDetail, error)
	SignAward(ctx context.Context, who models.Caller, id int64, signedOn string, documentID *int64) (models.AwardDetail, error)
	SetAwardStatus(ctx context.Context, who models.Caller, id int64, status models.AwardStatus, reason string, recoverFen int64) (models.AwardDetail, error)
	ProposePlan(ctx context.Context, who models.Caller, awardID int64, in models.PlanInput) (models.AwardDetail, error)
	DecidePlan(ctx context.Context, who models.Caller, awardID int64, version int, approve bool, comment string) (models.AwardDetail, error)
	SaveReport(ctx context.Context, who models.Caller, awardID int64, seq int, in models.ReportInput) (models.AwardDetail, error)
	SubmitReport(ctx context.Context, who models.Caller, awardID int64, seq int) (models.AwardDetail, error)
	DecideReport(ctx context.Context, who models.Caller, awardID int64, seq int, accept bool, comment string) (models.AwardDetail, error)
	MoveTranche(ctx context.Context, who models.Caller, awardID int64, seq int, action models.TrancheAction, in models.TrancheInput) (models.AwardDetail, error)
	AddAdoption(ctx context.Context, who models.Caller, awardID, unitID int64, adoptedOn, evidence string) (models.AwardDetail, error)
	AssignMentor(ctx context.Context, who models.Caller, awardID, expertID int64) (models.AwardDetail, error)
	MentoredAwards(ctx context.Context, expert models.User) ([]models.MentoredAward, error)
	LogVisit(ctx context.Context, who models.Caller, awardID int64, visitedOn, notes string) (models.MentorVisit, error)
	CreateCheck(ctx context.Context, who models.Caller, awardID int64, seq int, experts []int64) (models.AwardDetail, error)
	ExpertChecks(ctx context.Context, expert models.User) ([]models.ExpertCheck, error)
	ExpertCheck(ctx context.Context, expert models.User, id int64) (models.ExpertCheck, error)
	GradeCheck(ctx context.Context, who models.Caller, id int64, grade models.Grade, notes string, submit bool) (models.ExpertCheck, error)
	EditionAwards(ctx context.Context, editionID int64) ([]models.AwardDetail, error)
	Dashboard(ctx context.Context, editionID int64) (models.FollowDashboard, error)
	TerminatedAwards(ctx context.Context, unitIDs []int64) (map[int64][]models.Award, error)
	Tracker(ctx context.Context, f models.TrackerFilter) ([]models.TrackerProject, error)
	TrackerProject(ctx context.Context, awardID int64) (models.TrackerProject, error)
	TrackerPhoto(ctx context.Context, mediaID int64) (string, error)
}

// PhotoStore opens a public photo's derivative.
type PhotoStore interface {
	OpenObject(ctx context.Context, key string) (body []byte, contentType string, err error)
}

func callerOf(c *fiber.Ctx) models.Caller {
	sess, _ := sessionOf(c)
	return models.Caller{User: sess.User, Actor: actorOf(c)}
}

func (s *handlers) follow() (FollowThrough, error) {
	if s.deps.Follow == nil {
		return nil, models.Errorf(models.KindUnavailable, "follow-through is not configured")
	}
	return s.deps.Follow, nil
}

func pathInt(c *fiber.Ctx, name string) (int, error) {
	n, err := strconv.Atoi(c.Params(name))
	if err != nil || n < 1 || n > 1000 {
		return 0, models.Invalid("bad "+name+" in the path", map[string]string{name: "a positive whole number"})
	}
	return n, nil
}

// --- JSON shapes (contract: docs/follow-through.md) ---

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
	t, _ := models.TierByCode(models.DefaultAwardTiers, a.Tier)
	out := awardJSON{ID: a.ID, EditionID: a.EditionID, RoundID: a.RoundID, PublicationID: a.RoundID, ProjectID: a.ProjectID,
		ProjectTitle: a.ProjectTitle, UnitID: a.UnitID, UnitName: a.UnitName, CountyName: a.CountyName, Tier: a.Tier,
		TierNameZh: t.NameZh, TierNameEn: t.NameEn, Rank: a.Rank, FundingFen: a.FundingFen, AgreementMediaID: a.AgreementMediaID,
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

// --- handlers ---

func (s *handlers) awardTiers(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tiers, err := f.AwardTiers(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"tiers": tiers})
}

type createAwardsRequest struct {
	Awards []struct {
		ProjectID  int64  `json:"project_id"`
		Tier       string `json:"tier"`
		FundingFen int64  `json:"funding_fen"`
	} `json:"awards"`
}

func (s *handlers) createAwards(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req createAwardsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := make([]models.AwardInput, len(req.Awards))
	for i, a := range req.Awards {
		in[i] = models.AwardInput{ProjectID: a.ProjectID, Tier: a.Tier, FundingFen: a.FundingFen}
	}
	list, err := f.CreateAwards(c.UserContext(), callerOf(c), id, in)
	if err != nil {
		return err
	}
	out := make([]awardJSON, len(list))
	for i, a := range list {
		out[i] = toAwardJSON(a.AwardSummary)
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"awards": out})
}

func (s *handlers) listAwards(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	list, err := f.Awards(c.UserContext(), callerOf(c).User, id)
	if err != nil {
		return err
	}
	out := make([]awardJSON, len(list))
	for i, a := range list {
		out[i] = toAwardJSON(a)
	}
	return c.JSON(fiber.Map{"awards": out})
}

func (s *handlers) getAward(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := f.Award(c.UserContext(), callerOf(c).User, id)
	if err != nil {
		return err
	}
	return c.JSON(toAwardDetailJSON(d))
}

// awardChange runs a change of one award and answers its new detail.
func (s *handlers) awardChange(c *fiber.Ctx, req any, do func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error)) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := decodeJSON(c, req); err != nil {
		return err
	}
	d, err := do(f, callerOf(c), id)
	if err != nil {
		return err
	}
	return c.JSON(toAwardDetailJSON(d))
}

func (s *handlers) updateAward(c *fiber.Ctx) error {
	var req struct {
		Tier       *string `json:"tier"`
		FundingFen *int64  `json:"funding_fen"`
		Reason     string  `json:"reason"`
	}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.UpdateAward(c.UserContext(), who, id, models.AwardChange{Tier: req.Tier, FundingFen: req.FundingFen, Reason: req.Reason})
	})
}

func (s *handlers) signAward(c *fiber.Ctx) error {
	var req struct {
		SignedOn         string `json:"signed_on"`
		AgreementMediaID *int64 `json:"agreement_media_id"`
	}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.SignAward(c.UserContext(), who, id, req.SignedOn, req.AgreementMediaID)
	})
}

func (s *handlers) awardStatus(status models.AwardStatus) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var req struct {
			Reason     string `json:"reason"`
			RecoverFen int64  `json:"recover_fen"`
		}
		return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
			return f.SetAwardStatus(c.UserContext(), who, id, status, req.Reason, req.RecoverFen)
		})
	}
}

func (s *handlers) proposePlan(c *fiber.Ctx) error {
	var req struct {
		Milestones   []models.Milestone `json:"milestones"`
		Reason       string             `json:"reason"`
		ContactName  string             `json:"contact_name"`
		ContactEmail string             `json:"contact_email"`
	}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.ProposePlan(c.UserContext(), who, id, models.PlanInput{Milestones: req.Milestones, Reason: req.Reason,
			ContactName: req.ContactName, ContactEmail: req.ContactEmail})
	})
}

func (s *handlers) decidePlan(approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		version, err := pathInt(c, "version")
		if err != nil {
			return err
		}
		var req struct {
			Comment string `json:"comment"`
		}
		return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
			return f.DecidePlan(c.UserContext(), who, id, version, approve, req.Comment)
		})
	}
}

func (s *handlers) saveReport(c *fiber.Ctx) error {
	seq, err := pathInt(c, "seq")
	if err != nil {
		return err
	}
	var req struct {
		Text       string            `json:"text"`
		KPIActuals map[string]string `json:"kpi_actuals"`
		MediaIDs   []int64           `json:"media_ids"`
	}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.SaveReport(c.UserContext(), who, id, seq, models.ReportInput{Text: req.Text, KPIActuals: req.KPIActuals, MediaIDs: req.MediaIDs})
	})
}

func (s *handlers) submitReport(c *fiber.Ctx) error {
	seq, err := pathInt(c, "seq")
	if err != nil {
		return err
	}
	var req struct{}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.SubmitReport(c.UserContext(), who, id, seq)
	})
}

func (s *handlers) decideReport(accept bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		seq, err := pathInt(c, "seq")
		if err != nil {
			return err
		}
		var req struct {
			Comment string `json:"comment"`
		}
		return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
			return f.DecideReport(c.UserContext(), who, id, seq, accept, req.Comment)
		})
	}
}

func (s *handlers) moveTranche(action models.TrancheAction) fiber.Handler {
	return func(c *fiber.Ctx) error {
		seq, err := pathInt(c, "seq")
		if err != nil {
			return err
		}
		var req struct {
			Reference string `json:"reference"`
			PaidOn    string `json:"paid_on"`
			Reason    string `json:"reason"`
		}
		return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
			return f.MoveTranche(c.UserContext(), who, id, seq, action, models.TrancheInput{Reference: req.Reference, PaidOn: req.PaidOn, Reason: req.Reason})
		})
	}
}

func (s *handlers) createCheck(c *fiber.Ctx) error {
	seq, err := pathInt(c, "seq")
	if err != nil {
		return err
	}
	var req struct {
		Experts []int64 `json:"experts"`
	}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.CreateCheck(c.UserContext(), who, id, seq, req.Experts)
	})
}

func (s *handlers) addAdoption(c *fiber.Ctx) error {
	var req struct {
		UnitID    int64  `json:"unit_id"`
		AdoptedOn string `json:"adopted_on"`
		Evidence  string `json:"evidence"`
	}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.AddAdoption(c.UserContext(), who, id, req.UnitID, req.AdoptedOn, req.Evidence)
	})
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

func (s *handlers) myChecks(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	list, err := f.ExpertChecks(c.UserContext(), callerOf(c).User)
	if err != nil {
		return err
	}
	out := make([]expertCheckJSON, len(list))
	for i, x := range list {
		out[i] = toExpertCheckJSON(x)
	}
	return c.JSON(fiber.Map{"checks": out})
}

func (s *handlers) getCheck(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	x, err := f.ExpertCheck(c.UserContext(), callerOf(c).User, id)
	if err != nil {
		return err
	}
	return c.JSON(toExpertCheckJSON(x))
}

func (s *handlers) gradeCheck(submit bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		f, err := s.follow()
		if err != nil {
			return err
		}
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req struct {
			Grade models.Grade `json:"grade"`
			Notes string       `json:"notes"`
		}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		x, err := f.GradeCheck(c.UserContext(), callerOf(c), id, req.Grade, req.Notes, submit)
		if err != nil {
			return err
		}
		return c.JSON(toExpertCheckJSON(x))
	}
}

// --- the public tracker ---

type trackerPhotoJSON struct {
	URL string `json:"url"`
	Alt string `json:"alt"`
}

type trackerKPIJSON struct {
	models.KPI
	Actual *string `json:"actual"`
}

type trackerReportJSON struct {
	Seq        int                `json:"seq"`
	Title      string             `json:"title"`
	AcceptedAt time.Time          `json:"accepted_at"`
	Text       string             `json:"text"`
	Photos     []trackerPhotoJSON `json:"photos"`
}

type trackerMilestoneJSON struct {
	Seq          int            `json:"seq"`
	Title        string         `json:"title"`
	DueOn        string         `json:"due_on"`
	Deliverables string         `json:"deliverables"`
	Share        int            `json:"share"`
	Flag         models.DueFlag `json:"flag"`
	Released     bool           `json:"released"`
}

type trackerProjectJSON struct {
	ID          int64                  `json:"id"`
	EditionID   int64                  `json:"edition_id"`
	EditionName string                 `json:"edition_name"`
	Title       string                 `json:"project_title"`
	UnitName    string                 `json:"unit_name"`
	CountyID    *int64                 `json:"county_id"`
	CountyName  string                 `json:"county_name"`
	Tier        string                 `json:"tier"`
	TierNameZh  string                 `json:"tier_name_zh"`
	TierNameEn  string                 `json:"tier_name_en"`
	Status      models.AwardStatus     `json:"status"`
	Progress    map[string]int         `json:"progress"`
	Next        *nextDueJSON           `json:"next"`
	FundingFen  int64                  `json:"funding_fen"`
	PaidFen     int64                  `json:"paid_fen"`
	Milestones  []trackerMilestoneJSON `json:"milestones"`
	KPIs        []trackerKPIJSON       `json:"kpis"`
	Adoptions   []adoptionJSON         `json:"adoptions"`
	Photos      []trackerPhotoJSON     `json:"photos"`
	Reports     []trackerReportJSON    `json:"reports,omitempty"`
}

func toTrackerPhotos(ps []models.TrackerPhoto) []trackerPhotoJSON {
	out := make([]trackerPhotoJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, trackerPhotoJSON{URL: "/api/v1/tracker/photos/" + strconv.FormatInt(p.MediaID, 10), Alt: p.Alt})
	}
	return out
}

func toTrackerJSON(p models.TrackerProject, withReports bool) trackerProjectJSON {
	out := trackerProjectJSON{ID: p.AwardID, EditionID: p.EditionID, EditionName: p.EditionName, Title: p.Title, UnitName: p.UnitName,
		CountyName: p.CountyName, Tier: p.Tier.Code, TierNameZh: p.Tier.NameZh, TierNameEn: p.Tier.NameEn, Status: p.Status,
		Progress: map[string]int{"done": p.Done, "total": p.Total}, FundingFen: p.FundingFen, PaidFen: p.PaidFen,
		Milestones: []trackerMilestoneJSON{}, KPIs: []trackerKPIJSON{}, Adoptions: toAdoptionsJSON(p.Adoptions), Photos: toTrackerPhotos(p.Photos)}
	if p.CountyID != 0 {
		id := p.CountyID
		out.CountyID = &id
	}
	if p.Next != nil {
		out.Next = &nextDueJSON{Seq: p.Next.Seq, Title: p.Next.Title, DueOn: p.Next.DueOn, Flag: p.Next.Flag}
	}
	for _, m := range p.Milestones {
		out.Milestones = append(out.Milestones, trackerMilestoneJSON{Seq: m.Seq, Title: m.Title, DueOn: m.DueOn, Deliverables: m.Deliverables,
			Share: m.Share, Flag: m.Flag, Released: m.Tranche.State == models.TranchePaid})
	}
	for _, k := range p.KPIs {
		out.KPIs = append(out.KPIs, trackerKPIJSON{KPI: k.KPI, Actual: k.Actual})
	}
	if withReports {
		out.Reports = []trackerReportJSON{}
		for _, r := range p.Reports {
			out.Reports = append(out.Reports, trackerReportJSON{Seq: r.Seq, Title: r.Title, AcceptedAt: r.AcceptedAt, Text: r.Text, Photos: toTrackerPhotos(r.Photos)})
		}
	}
	return out
}

func queryOptID(c *fiber.Ctx, name string) (int64, error) {
	id, err := queryID(c, name)
	if err != nil || id == nil {
		return 0, err
	}
	return *id, nil
}

// tracker is the public tracker (contract path GET /api/v1/tracker).
func (s *handlers) tracker(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	var filter models.TrackerFilter
	if filter.EditionID, err = queryOptID(c, "edition"); err != nil {
		return err
	}
	if filter.CountyID, err = queryOptID(c, "county"); err != nil {
		return err
	}
	filter.Tier = c.Query("tier")
	if filter.Tier != "" {
		if _, ok := models.TierByCode(models.DefaultAwardTiers, filter.Tier); !ok {
			return models.Invalid("unknown tier", map[string]string{"tier": "not a tier"})
		}
	}
	list, err := f.Tracker(c.UserContext(), filter)
	if err != nil {
		return err
	}
	// The filters' choices come from every funded project, not the
	// filtered ones.
	all := list
	if filter != (models.TrackerFilter{}) {
		if all, err = f.Tracker(c.UserContext(), models.TrackerFilter{}); err != nil {
			return err
		}
	}
	type choice struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	editions, counties := []choice{}, []choice{}
	seenE, seenC := map[int64]bool{}, map[int64]bool{}
	for _, p := range all {
		if !seenE[p.EditionID] {
			seenE[p.EditionID] = true
			editions = append(editions, choice{p.EditionID, p.EditionName})
		}
		if p.CountyID != 0 && !seenC[p.CountyID] {
			seenC[p.CountyID] = true
			counties = append(counties, choice{p.CountyID, p.CountyName})
		}
	}
	out := make([]trackerProjectJSON, len(list))
	for i, p := range list {
		out[i] = toTrackerJSON(p, false)
	}
	c.Set(fiber.HeaderCacheControl, "no-cache") // pages refetch when the live channel says it changed
	return c.JSON(fiber.Map{"editions": editions, "counties": counties, "tiers": models.DefaultAwardTiers, "projects": out})
}

func (s *handlers) trackerProject(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := f.TrackerProject(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache") // pages refetch when the live channel says it changed
	return c.JSON(toTrackerJSON(p, true))
}

// trackerPhoto serves a public photo's derivative from a stable address:
// the bytes themselves (never a redirect to an expiring link), cacheable
// for good since a medium's derivative never changes.
func (s *handlers) trackerPhoto(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	key, err := f.TrackerPhoto(c.UserContext(), id)
	if err != nil {
		return err
	}
	if s.deps.Photos == nil {
		return models.Errorf(models.KindUnavailable, "the object store is not configured")
	}
	body, ct, err := s.deps.Photos.OpenObject(c.UserContext(), key)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set("X-Content-Type-Options", "nosniff")
	return c.Send(body)
}

// fen shows an amount in fen as yuan with two decimals, from integers.
func fen(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// exportAwards is the edition's implementation status as a table: one row
// per milestone (due, flag, report, check grade, tranche state and amounts).
func (s *handlers) exportAwards(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	format := c.Query("format", "xlsx")
	if format != "csv" && format != "xlsx" {
		return models.Invalid("unknown format", map[string]string{"format": "csv or xlsx"})
	}
	list, err := f.EditionAwards(c.UserContext(), id)
	if err != nil {
		return err
	}
	rows := [][]string{{"名次 Rank", "项目 Project", "单位 Unit", "县区 County", "等次 Tier", "资助(元) Funding (yuan)", "项目状态 Status",
		"节点 Milestone", "截止 Due", "进度 Flag", "报告 Report", "检查结论 Check", "拨付比例 Share %", "拨付状态 Tranche", "金额(元) Amount (yuan)",
		"已拨(元) Paid (yuan)", "凭证 Reference", "拨付日期 Paid on"}}
	for _, a := range list {
		t, _ := models.TierByCode(models.DefaultAwardTiers, a.Tier)
		head := []string{strconv.Itoa(a.Rank), a.ProjectTitle, a.UnitName, a.CountyName, t.NameZh, fen(a.FundingFen), string(a.Status)}
		if len(a.Milestones) == 0 {
			rows = append(rows, append(head, "（方案未批准）", "", "", "", "", "", "", "", "", "", ""))
			continue
		}
		for _, m := range a.Milestones {
			report, grade, paid := "", "", ""
			if m.Report != nil {
				report = string(m.Report.Status)
			}
			if m.Check != nil {
				grade = string(m.Check.Result)
			}
			if m.Tranche.State == models.TranchePaid {
				paid = fen(m.Tranche.AmountFen)
			}
			rows = append(rows, append(append([]string(nil), head...), m.Title, m.DueOn, string(m.Flag), report, grade, strconv.Itoa(m.Share),
				string(m.Tranche.State), fen(m.Tranche.AmountFen), paid, m.Tranche.Reference, m.Tranche.PaidOn))
		}
	}
	return sendTable(c, fmt.Sprintf("implementation-edition-%d", id), "实施跟踪", rows, format)
}

// unitFlags lists, per unit, its terminated awards with their reasons:
// the eligibility screen shows them beside the unit's new submissions (the
// organiser still decides).
func (s *handlers) unitFlags(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	units := c.Query("units")
	var ids []int64
	for _, p := range strings.Split(units, ",") {
		if p == "" {
			continue
		}
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 1 || len(ids) >= 1000 {
			return models.Invalid("bad units", map[string]string{"units": "comma-separated unit ids, at most 1,000"})
		}
		ids = append(ids, n)
	}
	flags, err := f.TerminatedAwards(c.UserContext(), ids)
	if err != nil {
		return err
	}
	type flagJSON struct {
		AwardID    int64  `json:"award_id"`
		EditionID  int64  `json:"edition_id"`
		ProjectID  int64  `json:"project_id"`
		Reason     string `json:"reason"`
		RecoverFen int64  `json:"recover_fen"`
		Status     string `json:"status"`
	}
	out := map[string][]flagJSON{}
	for unit, list := range flags {
		for _, a := range list {
			out[strconv.FormatInt(unit, 10)] = append(out[strconv.FormatInt(unit, 10)], flagJSON{AwardID: a.ID, EditionID: a.EditionID,
				ProjectID: a.ProjectID, Reason: a.StatusReason, RecoverFen: a.RecoverFen, Status: string(a.Status)})
		}
	}
	return c.JSON(fiber.Map{"flags": out})
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

func (s *handlers) assignMentor(c *fiber.Ctx) error {
	var req struct {
		ExpertID int64 `json:"expert_id"`
	}
	return s.awardChange(c, &req, func(f FollowThrough, who models.Caller, id int64) (models.AwardDetail, error) {
		return f.AssignMentor(c.UserContext(), who, id, req.ExpertID)
	})
}

func (s *handlers) mentoring(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	list, err := f.MentoredAwards(c.UserContext(), callerOf(c).User)
	if err != nil {
		return err
	}
	type mentoredJSON struct {
		awardJSON
		Visits []visitJSON `json:"visits"`
	}
	out := make([]mentoredJSON, len(list))
	for i, m := range list {
		out[i] = mentoredJSON{awardJSON: toAwardJSON(m.AwardSummary), Visits: toVisitsJSON(m.Visits)}
	}
	return c.JSON(fiber.Map{"awards": out})
}

func (s *handlers) logVisit(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		VisitedOn string `json:"visited_on"`
		Notes     string `json:"notes"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	v, err := f.LogVisit(c.UserContext(), callerOf(c), id, req.VisitedOn, req.Notes)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(visitJSON(v))
}

type moneyByJSON struct {
	ID         int64  `json:"id,omitempty"`
	Name       string `json:"name"`
	FundingFen int64  `json:"funding_fen"`
	PaidFen    int64  `json:"paid_fen"`
	Projects   int    `json:"projects"`
}

// followDashboard is the organiser's follow-through dashboard.
func (s *handlers) followDashboard(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	edition, err := queryOptID(c, "edition")
	if err != nil {
		return err
	}
	d, err := f.Dashboard(c.UserContext(), edition)
	if err != nil {
		return err
	}
	money := func(list []models.MoneyBy) []moneyByJSON {
		out := make([]moneyByJSON, 0, len(list))
		for _, m := range list {
			out = append(out, moneyByJSON(m))
		}
		return out
	}
	type riskJSON struct {
		AwardID int64    `json:"award_id"`
		Title   string   `json:"project_title"`
		Reasons []string `json:"reasons"`
	}
	risks := []riskJSON{}
	for _, r := range d.AtRisk {
		risks = append(risks, riskJSON{AwardID: r.AwardID, Title: r.Title, Reasons: r.Reasons})
	}
	return c.JSON(fiber.Map{
		"overdue_reports": d.OverdueReports, "due_this_month": d.DueThisMonth, "reports_to_review": d.ReportsToReview,
		"plans_to_review": d.PlansToReview, "checks_awaiting": d.ChecksAwaiting,
		"tranches": fiber.Map{"payable": d.TranchesPayable, "approved": d.TranchesApproved, "paid": d.TranchesPaid,
			"payable_fen": d.PayableFen, "approved_fen": d.ApprovedFen, "paid_fen": d.PaidFen},
		"funding_fen": d.FundingFen, "by_edition": money(d.ByEdition), "by_county": money(d.ByCounty), "at_risk": risks,
		"projects_by_status": d.ProjectsByStatus, "milestones_by_flag": d.MilestonesByFlags,
	})
}
