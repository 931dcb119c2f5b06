// The follow-through's handlers: this file has what they share and the
// awards (tiers, creation, changes, signing, status, adoptions, the
// export and the eligibility flags); the plans, reports, tranches and
// checks are in follow_progress.go, the public tracker in
// follow_tracker.go, mentors in follow_mentors.go, the organiser's
// dashboard in follow_dashboard.go and the JSON shapes in follow_json.go.

package server

import (
	"context"
	"fmt"
	"leitai/models"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// FollowThrough is what the follow-through handlers call (storage's
// FollowService).
type FollowThrough interface {
	AwardTiers(ctx context.Context, editionID int64) ([]models.AwardTier, error)
	SetAwardTiers(ctx context.Context, who models.Caller, editionID int64, list []models.AwardTier) ([]models.AwardTier, error)
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
	Tracker(ctx context.Context, f models.TrackerFilter) (models.TrackerList, error)
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

// setAwardTiers replaces an edition's tier list, in order of rank: 422
// naming the field for a bad list, 409 when a tier in use is removed.
func (s *handlers) setAwardTiers(c *fiber.Ctx) error {
	f, err := s.follow()
	if err != nil {
		return err
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req struct {
		Tiers []models.AwardTier `json:"tiers"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	tiers, err := f.SetAwardTiers(c.UserContext(), callerOf(c), id, req.Tiers)
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
		head := []string{strconv.Itoa(a.Rank), a.ProjectTitle, a.UnitName, a.CountyName, a.TierNameZh, fen(a.FundingFen), string(a.Status)}
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
