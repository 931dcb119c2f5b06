package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// The review's admin tools (issue 13, "Review gaps"): conflicts an admin
// adds or removes beside the automatic ones, moving one project from one
// expert to another after scoring started, the edition's holiday calendar
// and the publication window the admin sets.

// ReviewGaps is what these handlers need from storage.
type ReviewGaps interface {
	ExpertConflicts(ctx context.Context) ([]models.ExpertConflicts, error)
	AddConflict(ctx context.Context, actor models.Actor, expertID, unitID int64, reason string) error
	RemoveConflict(ctx context.Context, actor models.Actor, expertID, unitID int64, reason string) error
	RoundAssignments(ctx context.Context, roundID int64) ([]models.AssignedProject, error)
	ReassignProject(ctx context.Context, actor models.Actor, roundID, projectID, fromExpert, toExpert int64, reason string) (models.Reassignment, error)
	EditionCalendar(ctx context.Context, editionID int64) (models.Calendar, error)
	SetEditionCalendar(ctx context.Context, actor models.Actor, editionID int64, in models.Calendar) (models.Calendar, error)
	ProposeWindow(ctx context.Context, roundID int64, now time.Time, loc *time.Location, asked models.PublicationWindow) (models.WindowProposal, error)
	PublishRound(ctx context.Context, actor models.Actor, id int64, loc *time.Location, window *models.PublicationWindow) (models.RoundChange, error)
}

type conflictRootJSON struct {
	UnitID int64  `json:"unit_id"`
	Name   string `json:"name"`
	Why    string `json:"why"`
}

type declaredConflictJSON struct {
	UnitID   int64     `json:"unit_id"`
	UnitName string    `json:"unit_name"`
	Reason   string    `json:"reason"`
	ByID     *int64    `json:"by_id"`
	By       string    `json:"by"`
	ByExpert bool      `json:"by_expert"`
	At       time.Time `json:"at"`
}

type expertConflictsJSON struct {
	ExpertID       int64                  `json:"expert_id"`
	Username       string                 `json:"username"`
	DisplayName    string                 `json:"display_name"`
	UnitID         *int64                 `json:"unit_id"`
	UnitName       string                 `json:"unit_name"`
	Automatic      []conflictRootJSON     `json:"automatic"`
	AutomaticUnits int                    `json:"automatic_units"`
	Declared       []declaredConflictJSON `json:"declared"`
}

func (s *handlers) listConflicts(c *fiber.Ctx) error {
	list, err := s.deps.Gaps.ExpertConflicts(c.UserContext())
	if err != nil {
		return err
	}
	out := make([]expertConflictsJSON, len(list))
	for i, e := range list {
		j := expertConflictsJSON{ExpertID: e.ExpertID, Username: e.Username, DisplayName: e.DisplayName, UnitID: e.UnitID, UnitName: e.UnitName,
			AutomaticUnits: e.AutomaticUnits, Automatic: []conflictRootJSON{}, Declared: []declaredConflictJSON{}}
		for _, a := range e.Automatic {
			j.Automatic = append(j.Automatic, conflictRootJSON{UnitID: a.UnitID, Name: a.Name, Why: a.Why})
		}
		for _, d := range e.Declared {
			j.Declared = append(j.Declared, declaredConflictJSON{UnitID: d.UnitID, UnitName: d.UnitName, Reason: d.Reason, ByID: d.ByID, By: d.By, ByExpert: d.ByExpert, At: d.At})
		}
		out[i] = j
	}
	return c.JSON(fiber.Map{"experts": out})
}

type adminConflictRequest struct {
	ExpertID int64  `json:"expert_id"`
	UnitID   int64  `json:"unit_id"`
	Reason   string `json:"reason"`
}

func (r adminConflictRequest) check() error {
	fields := map[string]string{}
	if r.ExpertID <= 0 {
		fields["expert_id"] = "required"
	}
	if r.UnitID <= 0 {
		fields["unit_id"] = "required"
	}
	if len(fields) > 0 {
		return models.Invalid("the expert and the unit are required", fields)
	}
	return nil
}

func (s *handlers) addConflict(c *fiber.Ctx) error {
	var req adminConflictRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	if err := s.deps.Gaps.AddConflict(c.UserContext(), actorOf(c), req.ExpertID, req.UnitID, req.Reason); err != nil {
		return err
	}
	c.Status(fiber.StatusCreated)
	return s.listConflicts(c)
}

func (s *handlers) removeConflict(c *fiber.Ctx) error {
	var req adminConflictRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	if err := s.deps.Gaps.RemoveConflict(c.UserContext(), actorOf(c), req.ExpertID, req.UnitID, req.Reason); err != nil {
		return err
	}
	return s.listConflicts(c)
}

type roundAssignedExpertJSON struct {
	ExpertID int64              `json:"expert_id"`
	Name     string             `json:"name"`
	Score    models.ScoreStatus `json:"score"`
}

type roundAssignmentJSON struct {
	ProjectID int64                     `json:"project_id"`
	Title     string                    `json:"title"`
	UnitID    int64                     `json:"unit_id"`
	UnitName  string                    `json:"unit_name"`
	Experts   []roundAssignedExpertJSON `json:"experts"`
}

func (s *handlers) roundAssignments(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	list, err := s.deps.Gaps.RoundAssignments(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]roundAssignmentJSON, len(list))
	for i, p := range list {
		j := roundAssignmentJSON{ProjectID: p.ProjectID, Title: p.Title, UnitID: p.UnitID, UnitName: p.UnitName, Experts: []roundAssignedExpertJSON{}}
		for _, e := range p.Experts {
			j.Experts = append(j.Experts, roundAssignedExpertJSON{ExpertID: e.ExpertID, Name: e.Name, Score: e.Score})
		}
		out[i] = j
	}
	return c.JSON(fiber.Map{"projects": out})
}

type reassignRequest struct {
	ProjectID    int64  `json:"project_id"`
	FromExpertID int64  `json:"from_expert_id"`
	ToExpertID   int64  `json:"to_expert_id"`
	Reason       string `json:"reason"`
}

type expertLoadJSON struct {
	ExpertID int64  `json:"expert_id"`
	Name     string `json:"name"`
	Before   int    `json:"before"`
	After    int    `json:"after"`
}

func (s *handlers) reassignProject(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req reassignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	fields := map[string]string{}
	for name, v := range map[string]int64{"project_id": req.ProjectID, "from_expert_id": req.FromExpertID, "to_expert_id": req.ToExpertID} {
		if v <= 0 {
			fields[name] = "required"
		}
	}
	if len(fields) > 0 {
		return models.Invalid("the project and both experts are required", fields)
	}
	res, err := s.deps.Gaps.ReassignProject(c.UserContext(), actorOf(c), id, req.ProjectID, req.FromExpertID, req.ToExpertID, req.Reason)
	if err != nil {
		return err
	}
	loads := make([]expertLoadJSON, len(res.Loads))
	for i, l := range res.Loads {
		loads[i] = expertLoadJSON{ExpertID: l.ExpertID, Name: l.Name, Before: l.Before, After: l.After}
	}
	return c.JSON(fiber.Map{"round_id": res.RoundID, "project_id": res.ProjectID, "from_expert_id": res.From, "to_expert_id": res.To,
		"loads": loads, "spread_before": res.SpreadBefore, "spread_after": res.SpreadAfter, "balance_rule": models.BalanceSpread,
		"balanced": res.Balanced, "warning": res.Warning, "discarded_draft": res.DiscardedDraft})
}

type calendarJSON struct {
	DaysOff     []string `json:"days_off"`
	WorkingDays []string `json:"working_days"`
}

func toCalendarJSON(c models.Calendar) calendarJSON {
	out := calendarJSON{DaysOff: c.DaysOff, WorkingDays: c.WorkingDays}
	if out.DaysOff == nil {
		out.DaysOff = []string{}
	}
	if out.WorkingDays == nil {
		out.WorkingDays = []string{}
	}
	return out
}

func (s *handlers) editionCalendar(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cal, err := s.deps.Gaps.EditionCalendar(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(toCalendarJSON(cal))
}

func (s *handlers) setEditionCalendar(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req calendarJSON
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.DaysOff)+len(req.WorkingDays) > 366 {
		return models.Invalid("too many days", map[string]string{"days_off": "at most 366 days in all"})
	}
	cal, err := s.deps.Gaps.SetEditionCalendar(c.UserContext(), actorOf(c), id, models.Calendar{DaysOff: req.DaysOff, WorkingDays: req.WorkingDays})
	if err != nil {
		return err
	}
	return c.JSON(toCalendarJSON(cal))
}

// publicationWindow proposes a round's default publication window (now →
// 5 working days by the edition's calendar) and counts the working days
// of the window in ?from=&until= (RFC 3339), for the publish dialog.
func (s *handlers) publicationWindow(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var asked models.PublicationWindow
	fields := map[string]string{}
	for name, dst := range map[string]*time.Time{"from": &asked.From, "until": &asked.Until} {
		if v := c.Query(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				fields[name] = "not an RFC 3339 time"
				continue
			}
			*dst = t
		}
	}
	if len(fields) > 0 {
		return models.Invalid("bad window", fields)
	}
	p, err := s.deps.Gaps.ProposeWindow(c.UserContext(), id, s.deps.Clock(), s.deps.Config.Location, asked)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"default_from": p.Default.From, "default_until": p.Default.Until, "default_working_days": p.DefaultDays,
		"working_days": p.Days, "calendar": toCalendarJSON(p.Calendar)})
}

// window is the publication window a status change asks for: both ends
// or neither (422 naming the missing one); only when publishing.
func (r roundStatusRequest) window() (*models.PublicationWindow, error) {
	if r.ObjectionFrom == nil && r.ObjectionUntil == nil {
		return nil, nil
	}
	if r.Status != models.RoundPublished {
		return nil, models.Invalid("a publication window is set only when publishing", map[string]string{"objection_until": "only with status published"})
	}
	if r.ObjectionFrom == nil {
		return nil, models.Invalid("the window's start is missing", map[string]string{"objection_from": "required with objection_until"})
	}
	if r.ObjectionUntil == nil {
		return nil, models.Invalid("the window's end is missing", map[string]string{"objection_until": "required with objection_from"})
	}
	return &models.PublicationWindow{From: *r.ObjectionFrom, Until: *r.ObjectionUntil}, nil
}
