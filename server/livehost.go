package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/judging"
	"leitai/models"
)

// LiveHosting runs the show from the host console.
type LiveHosting interface {
	LiveAction(ctx context.Context, actor models.Actor, id int64, action models.ShowAction, message string) (models.LiveShow, error)
	HostScore(ctx context.Context, actor models.Actor, id, projectID int64, seat int, points map[string]int64, reason string) (models.LiveShow, error)
	WipeRehearsal(ctx context.Context, actor models.Actor, id int64, confirm string, stayRehearsal bool) (models.LiveShow, error)
	HostView(ctx context.Context, id int64) (models.HostView, error)
	SlotSheet(ctx context.Context, id int64, slot int) (models.LiveShow, models.Round, []models.HostProject, error)
}

type rubricItemJSON struct {
	Key    string      `json:"key"`
	NameZh string      `json:"name_zh"`
	NameEn string      `json:"name_en"`
	Max    json.Number `json:"max"`
	Step   json.Number `json:"step"`
}

func toRubricItems(r models.Rubric) []rubricItemJSON {
	out := make([]rubricItemJSON, len(r))
	for i, c := range r {
		out[i] = rubricItemJSON{Key: c.Key, NameZh: c.NameZh, NameEn: c.NameEn, Max: json.Number(judging.Points(c.Max).String()), Step: json.Number(judging.Points(c.Step).String())}
	}
	return out
}

type timerJSON struct {
	StartedAt   time.Time `json:"started_at"`
	DurationMS  int64     `json:"duration_ms"`
	RemainingMS *int64    `json:"remaining_ms"`
}

type showJSON struct {
	Phase        string     `json:"phase"`
	Slot         int        `json:"slot"`
	Presenting   int        `json:"presenting"`
	Paused       bool       `json:"paused"`
	PauseMessage string     `json:"pause_message"`
	Timer        *timerJSON `json:"timer"`
	Allowed      []string   `json:"allowed"`
}

func toShowJSON(sh models.Show) showJSON {
	out := showJSON{Phase: string(sh.Phase), Slot: sh.Slot, Presenting: sh.Project, Paused: sh.Paused, PauseMessage: sh.PauseMessage, Allowed: []string{}}
	if !sh.TimerStartedAt.IsZero() && (sh.Phase == models.PhasePresenting || sh.Phase == models.PhaseQA) {
		out.Timer = &timerJSON{StartedAt: sh.TimerStartedAt.UTC(), DurationMS: sh.TimerDuration.Milliseconds()}
		if sh.TimerFrozen() {
			ms := sh.TimerRemaining.Milliseconds()
			out.Timer.RemainingMS = &ms
		}
	}
	for _, a := range sh.Allowed() {
		out.Allowed = append(out.Allowed, string(a))
	}
	return out
}

type hostSeatJSON struct {
	Seat        int                    `json:"seat"`
	Submitted   bool                   `json:"submitted"`
	Total       *string                `json:"total"`
	Points      map[string]json.Number `json:"points"`
	SubmittedAt *time.Time             `json:"submitted_at"`
	OnBehalf    bool                   `json:"on_behalf"`
}

type hostProjectJSON struct {
	ProjectID int64          `json:"project_id"`
	Seats     []hostSeatJSON `json:"seats"`
	Panel     *string        `json:"panel"`
}

func pointsJSON(p map[string]int64) map[string]json.Number {
	out := make(map[string]json.Number, len(p))
	for k, v := range p {
		out[k] = json.Number(judging.Points(v).String())
	}
	return out
}

func toHostProjects(ps []models.HostProject) []hostProjectJSON {
	out := make([]hostProjectJSON, len(ps))
	for i, p := range ps {
		hp := hostProjectJSON{ProjectID: p.ProjectID, Seats: make([]hostSeatJSON, len(p.Seats))}
		if p.Panel != "" {
			panel := p.Panel
			hp.Panel = &panel
		}
		for j, st := range p.Seats {
			hs := hostSeatJSON{Seat: st.Seat, Submitted: st.Submitted, SubmittedAt: st.SubmittedAt, OnBehalf: st.OnBehalf, Points: map[string]json.Number{}}
			if st.Submitted {
				t := judging.Points(st.Total).String()
				hs.Total, hs.Points = &t, pointsJSON(st.Points)
			}
			hp.Seats[j] = hs
		}
		out[i] = hp
	}
	return out
}

func (s *handlers) hostResponse(c *fiber.Ctx, id int64) error {
	v, err := s.deps.Live.HostView(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{
		"event":        toLiveEventJSON(v.Show, &v.Board),
		"show":         toShowJSON(v.Show.Show),
		"rubric":       toRubricItems(v.Round.Rubric),
		"method":       v.Round.Method,
		"current":      toHostProjects(v.Current),
		"tally":        v.Tally,
		"voters":       v.Voters,
		"event_voters": v.EventVoters,
		"board":        v.Board,
	})
}

func (s *handlers) hostState(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.hostResponse(c, id)
}

type actionRequest struct {
	Action  string `json:"action"`
	Message string `json:"message"`
}

func (s *handlers) liveAction(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req actionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if n := len([]rune(req.Message)); n > 200 {
		return models.Invalid("the message is too long", map[string]string{"message": fmt.Sprintf("at most 200 characters (now %d)", n)})
	}
	if _, err := s.deps.Live.LiveAction(c.UserContext(), actorOf(c), id, models.ShowAction(req.Action), req.Message); err != nil {
		return err
	}
	return s.hostResponse(c, id)
}

type liveScoreRequest struct {
	Points       map[string]Decimal `json:"points"`
	Reason       string             `json:"reason"`
	SubmissionID string             `json:"submission_id"`
}

// parsePoints turns decimal points into hundredths, naming bad criteria.
// A missing or null points object is refused rather than read as "no
// points", which would erase a draft.
func parsePoints(in map[string]Decimal) (map[string]int64, error) {
	if in == nil {
		return nil, models.Invalid("the score has no points", map[string]string{"points": "required: an object of criterion → number"})
	}
	points := map[string]int64{}
	fields := map[string]string{}
	for k, v := range in {
		p, err := judging.ParsePoints(v.String())
		if err != nil {
			fields[k] = "a number with at most 2 decimals"
			continue
		}
		points[k] = int64(p)
	}
	if len(fields) > 0 {
		return nil, models.Invalid("the score is not valid", fields)
	}
	return points, nil
}

func (s *handlers) hostScore(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	seat, err := strconv.Atoi(c.Params("seat"))
	if err != nil {
		return models.Invalid("the seat must be a number", map[string]string{"seat": "a number"})
	}
	var req liveScoreRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	points, err := parsePoints(req.Points)
	if err != nil {
		return err
	}
	if _, err := s.deps.Live.HostScore(c.UserContext(), actorOf(c), id, pid, seat, points, req.Reason); err != nil {
		return err
	}
	return s.hostResponse(c, id)
}

type wipeRequest struct {
	Confirm   string `json:"confirm"`
	Rehearsal bool   `json:"rehearsal"`
}

func (s *handlers) wipeLiveEvent(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req wipeRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ev, err := s.deps.Live.WipeRehearsal(c.UserContext(), actorOf(c), id, req.Confirm, req.Rehearsal)
	if err != nil {
		return err
	}
	return s.liveEventResponse(c, fiber.StatusOK, ev)
}

func (s *handlers) slotSheet(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(c.Params("n"))
	if err != nil {
		return models.Invalid("the slot must be a number", map[string]string{"n": "a number from 0"})
	}
	ev, round, projects, err := s.deps.Live.SlotSheet(c.UserContext(), id, n)
	if err != nil {
		return err
	}
	b, err := s.deps.Live.Board(c.UserContext(), id)
	if err != nil {
		return err
	}
	type sheetSeat struct {
		Seat        int                    `json:"seat"`
		DisplayName string                 `json:"display_name"`
		Points      map[string]json.Number `json:"points"`
		Total       *string                `json:"total"`
		SubmittedAt *time.Time             `json:"submitted_at"`
	}
	type sheetProject struct {
		ID       int64       `json:"id"`
		Title    string      `json:"title"`
		UnitName string      `json:"unit_name"`
		Seats    []sheetSeat `json:"seats"`
		Panel    *string     `json:"panel"`
	}
	names := map[int]string{}
	for _, j := range ev.Judges {
		names[j.Seat] = j.DisplayName
	}
	out := make([]sheetProject, len(projects))
	for i, p := range toHostProjects(projects) {
		bp := b.Projects[strconv.FormatInt(p.ProjectID, 10)]
		sp := sheetProject{ID: p.ProjectID, Title: bp.Title, UnitName: bp.UnitName, Panel: p.Panel}
		for _, st := range p.Seats {
			sp.Seats = append(sp.Seats, sheetSeat{Seat: st.Seat, DisplayName: names[st.Seat], Points: st.Points, Total: st.Total, SubmittedAt: st.SubmittedAt})
		}
		out[i] = sp
	}
	return c.JSON(fiber.Map{"event": toLiveEventJSON(ev, &b), "slot": n, "rubric": toRubricItems(round.Rubric), "method": round.Method, "projects": out})
}
