package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/judging"
	"leitai/models"
)

// LiveShows runs the live final (docs/live.md).
type LiveShows interface {
	CreateLiveShow(ctx context.Context, actor models.Actor, roundID int64, in models.LiveShowSettings) (models.LiveShow, error)
	UpdateLiveShow(ctx context.Context, actor models.Actor, id int64, in models.LiveShowSettings) (models.LiveShow, error)
	DrawLiveShow(ctx context.Context, actor models.Actor, id int64, seed string) (models.LiveShow, error)
	LiveShow(ctx context.Context, id int64) (models.LiveShow, error)
	LiveShows(ctx context.Context) ([]models.LiveShow, error)
	LiveAction(ctx context.Context, actor models.Actor, id int64, action models.ShowAction, message string) (models.LiveShow, error)
	SubmitLiveScore(ctx context.Context, actor models.Actor, judge models.User, id, projectID int64, points map[string]int64, submissionID string) (models.LiveScore, error)
	HostScore(ctx context.Context, actor models.Actor, id, projectID int64, seat int, points map[string]int64, reason string) (models.LiveShow, error)
	DeviceToken(ctx context.Context, id int64, ip string) (string, error)
	Vote(ctx context.Context, id, projectID int64, ticket, device, ip string) (int, error)
	Tally(ctx context.Context, id int64) (models.VoteCount, error)
	AddTickets(ctx context.Context, actor models.Actor, id int64, count int) ([]string, error)
	Tickets(ctx context.Context, id int64) ([]models.Ticket, error)
	WipeRehearsal(ctx context.Context, actor models.Actor, id int64, confirm string, stayRehearsal bool) (models.LiveShow, error)
	HostView(ctx context.Context, id int64) (models.HostView, error)
	SlotSheet(ctx context.Context, id int64, slot int) (models.LiveShow, models.Round, []models.HostProject, error)
	JudgeView(ctx context.Context, judge models.User, id int64) (models.JudgeView, error)
	Board(ctx context.Context, id int64) (models.Board, error)
	FinalistPhoto(ctx context.Context, id, projectID int64) (models.Media, error)
}

type liveWeightsJSON struct {
	Panel    int `json:"panel"`
	Previous int `json:"previous"`
	Audience int `json:"audience"`
}

type liveJudgeJSON struct {
	Seat        int    `json:"seat"`
	UserID      int64  `json:"user_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
}

type finalistJSON struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	UnitName string `json:"unit_name"`
}

type liveEventJSON struct {
	ID               int64           `json:"id"`
	RoundID          int64           `json:"round_id"`
	EditionID        int64           `json:"edition_id"`
	Title            string          `json:"title"`
	AudienceMode     string          `json:"audience_mode"`
	Weights          liveWeightsJSON `json:"weights"`
	PresentationSecs int             `json:"presentation_secs"`
	QASecs           int             `json:"qa_secs"`
	Pairing          string          `json:"pairing"`
	PreviousRoundID  *int64          `json:"previous_round_id"`
	Rehearsal        bool            `json:"rehearsal"`
	Seed             string          `json:"seed"`
	Slots            [][]int64       `json:"slots"`
	Started          bool            `json:"started"`
	Judges           []liveJudgeJSON `json:"judges"`
	Finalists        []finalistJSON  `json:"finalists"`
	DisplayPath      string          `json:"display_path"`
	VotePath         string          `json:"vote_path"`
	// VotesPerAddress and AudienceFloor are as set (0: the default);
	// VoteCap and Floor the values in force.
	VotesPerAddress int `json:"votes_per_address"`
	VoteCap         int `json:"vote_cap"`
	AudienceFloor   int `json:"audience_floor"`
	Floor           int `json:"floor"`
}

// toLiveEventJSON renders an event; board supplies the finalists' titles
// (nil leaves them out).
func toLiveEventJSON(s models.LiveShow, board *models.Board) liveEventJSON {
	out := liveEventJSON{ID: s.ID, RoundID: s.RoundID, EditionID: s.EditionID, Title: s.Title, AudienceMode: string(s.AudienceMode),
		Weights:          liveWeightsJSON{s.Weights.Panel, s.Weights.Previous, s.Weights.Audience},
		PresentationSecs: int(s.Timings.Presentation / time.Second), QASecs: int(s.Timings.QA / time.Second),
		Pairing: string(s.Pairing), PreviousRoundID: s.PreviousRoundID, Rehearsal: s.Rehearsal, Seed: s.Seed,
		Slots: s.Slots, Started: s.Started, Judges: []liveJudgeJSON{}, Finalists: []finalistJSON{},
		DisplayPath: "/display/" + strconv.FormatInt(s.ID, 10), VotePath: "/vote/" + strconv.FormatInt(s.ID, 10),
		VotesPerAddress: s.VotesPerAddress, VoteCap: s.VoteCap(), AudienceFloor: s.AudienceFloor, Floor: s.Floor()}
	if out.Slots == nil {
		out.Slots = [][]int64{}
	}
	for _, j := range s.Judges {
		out.Judges = append(out.Judges, liveJudgeJSON{j.Seat, j.UserID, j.Username, j.DisplayName})
	}
	if board != nil {
		for _, sl := range s.Slots {
			for _, p := range sl {
				bp := board.Projects[strconv.FormatInt(p, 10)]
				out.Finalists = append(out.Finalists, finalistJSON{ID: p, Title: bp.Title, UnitName: bp.UnitName})
			}
		}
	}
	return out
}

type liveEventRequest struct {
	Title            string           `json:"title"`
	AudienceMode     string           `json:"audience_mode"`
	Weights          *liveWeightsJSON `json:"weights"`
	PresentationSecs *int             `json:"presentation_secs"`
	QASecs           *int             `json:"qa_secs"`
	Pairing          string           `json:"pairing"`
	JudgeIDs         []int64          `json:"judge_ids"`
	PreviousRoundID  *int64           `json:"previous_round_id"`
	Rehearsal        *bool            `json:"rehearsal"`
	VotesPerAddress  *int             `json:"votes_per_address"`
	AudienceFloor    *int             `json:"audience_floor"`
}

// settings merges the request over base (PATCH) or the defaults (create).
func (r liveEventRequest) settings(base models.LiveShowSettings) models.LiveShowSettings {
	out := base
	if r.Title != "" {
		out.Title = r.Title
	}
	if r.AudienceMode != "" {
		out.AudienceMode = models.AudienceMode(r.AudienceMode)
	}
	if r.Weights != nil {
		out.Weights = models.LiveWeights{Panel: r.Weights.Panel, Previous: r.Weights.Previous, Audience: r.Weights.Audience}
	}
	if r.PresentationSecs != nil {
		out.Timings.Presentation = time.Duration(*r.PresentationSecs) * time.Second
	}
	if r.QASecs != nil {
		out.Timings.QA = time.Duration(*r.QASecs) * time.Second
	}
	if r.Pairing != "" {
		out.Pairing = models.Pairing(r.Pairing)
	}
	if r.JudgeIDs != nil {
		out.JudgeIDs = r.JudgeIDs
	}
	if r.PreviousRoundID != nil {
		out.PreviousRoundID = r.PreviousRoundID
		if *r.PreviousRoundID == 0 {
			out.PreviousRoundID = nil
		}
	}
	if r.Rehearsal != nil {
		out.Rehearsal = *r.Rehearsal
	}
	if r.VotesPerAddress != nil {
		out.VotesPerAddress = *r.VotesPerAddress
	}
	if r.AudienceFloor != nil {
		out.AudienceFloor = *r.AudienceFloor
	}
	return out
}

func (s *handlers) liveEventResponse(c *fiber.Ctx, status int, ev models.LiveShow) error {
	b, err := s.deps.Live.Board(c.UserContext(), ev.ID)
	if err != nil {
		return err
	}
	return c.Status(status).JSON(toLiveEventJSON(ev, &b))
}

func (s *handlers) createLiveEvent(c *fiber.Ctx) error {
	roundID, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req liveEventRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := req.settings(models.LiveShowSettings{AudienceMode: models.AudienceBoth, Weights: models.DefaultLiveWeights,
		Timings: models.DefaultShowTimings, Pairing: models.PairingPK, Rehearsal: true})
	ev, err := s.deps.Live.CreateLiveShow(c.UserContext(), actorOf(c), roundID, in)
	if err != nil {
		return err
	}
	return s.liveEventResponse(c, fiber.StatusCreated, ev)
}

func (s *handlers) listLiveEvents(c *fiber.Ctx) error {
	evs, err := s.deps.Live.LiveShows(c.UserContext())
	if err != nil {
		return err
	}
	items := make([]liveEventJSON, len(evs))
	for i, ev := range evs {
		b, err := s.deps.Live.Board(c.UserContext(), ev.ID)
		if err != nil {
			return err
		}
		items[i] = toLiveEventJSON(ev, &b)
	}
	return c.JSON(fiber.Map{"items": items})
}

// liveEvent loads the event named by the path's :id.
func (s *handlers) liveEvent(c *fiber.Ctx) (models.LiveShow, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return models.LiveShow{}, err
	}
	return s.deps.Live.LiveShow(c.UserContext(), id)
}

func (s *handlers) getLiveEvent(c *fiber.Ctx) error {
	ev, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	return s.liveEventResponse(c, fiber.StatusOK, ev)
}

func (s *handlers) updateLiveEvent(c *fiber.Ctx) error {
	ev, err := s.liveEvent(c)
	if err != nil {
		return err
	}
	var req liveEventRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ev, err = s.deps.Live.UpdateLiveShow(c.UserContext(), actorOf(c), ev.ID, req.settings(ev.LiveShowSettings))
	if err != nil {
		return err
	}
	return s.liveEventResponse(c, fiber.StatusOK, ev)
}

type drawRequest struct {
	Seed string `json:"seed"`
}

func (s *handlers) drawLiveEvent(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req drawRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	ev, err := s.deps.Live.DrawLiveShow(c.UserContext(), actorOf(c), id, req.Seed)
	if err != nil {
		return err
	}
	return s.liveEventResponse(c, fiber.StatusOK, ev)
}

type ticketsRequest struct {
	Count int `json:"count"`
}

func (s *handlers) addTickets(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ticketsRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	codes, err := s.deps.Live.AddTickets(c.UserContext(), actorOf(c), id, req.Count)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"codes": codes})
}

func (s *handlers) listTickets(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ts, err := s.deps.Live.Tickets(c.UserContext(), id)
	if err != nil {
		return err
	}
	type ticketJSON struct {
		Code      string `json:"code"`
		UsedSlots int    `json:"used_slots"`
	}
	items := make([]ticketJSON, len(ts))
	for i, t := range ts {
		items[i] = ticketJSON{t.Code, t.UsedSlots}
	}
	return c.JSON(fiber.Map{"items": items})
}

// --- the host ---

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

// --- the judges' tablets ---

type judgeProjectJSON struct {
	ID       int64           `json:"id"`
	Title    string          `json:"title"`
	UnitName string          `json:"unit_name"`
	Summary  string          `json:"summary"`
	PhotoURL *string         `json:"photo_url"`
	Score    *judgeScoreJSON `json:"score"`
}

type judgeScoreJSON struct {
	ProjectID    int64                  `json:"project_id"`
	Points       map[string]json.Number `json:"points"`
	Total        string                 `json:"total"`
	SubmittedAt  *time.Time             `json:"submitted_at"`
	SubmissionID string                 `json:"submission_id,omitempty"`
}

func (s *handlers) judgeState(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	v, err := s.deps.Live.JudgeView(c.UserContext(), sess.User, id)
	if err != nil {
		return err
	}
	b, err := s.deps.Live.Board(c.UserContext(), id)
	if err != nil {
		return err
	}
	projects := make([]judgeProjectJSON, len(v.Projects))
	for i, p := range v.Projects {
		bp := b.Projects[strconv.FormatInt(p.ID, 10)]
		jp := judgeProjectJSON{ID: p.ID, Title: p.Title, UnitName: bp.UnitName, Summary: p.Summary, PhotoURL: bp.PhotoURL}
		if sc, ok := v.Scores[p.ID]; ok {
			jp.Score = &judgeScoreJSON{ProjectID: p.ID, Points: pointsJSON(sc.Points), Total: judging.Points(sc.Total()).String(), SubmittedAt: sc.SubmittedAt}
		}
		projects[i] = jp
	}
	return c.JSON(fiber.Map{"event_id": v.Show.ID, "title": v.Show.Title, "seat": v.Seat, "rubric": toRubricItems(v.Round.Rubric),
		"phase": v.Show.Show.Phase, "paused": v.Show.Show.Paused, "pause_message": v.Show.Show.PauseMessage, "slot": v.Show.Show.Slot,
		"slot_count": len(v.Show.Slots), "projects": projects})
}

func (s *handlers) judgeScore(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	var req liveScoreRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	points, err := parsePoints(req.Points)
	if err != nil {
		return err
	}
	sess, _ := sessionOf(c)
	sc, err := s.deps.Live.SubmitLiveScore(c.UserContext(), actorOf(c), sess.User, id, pid, points, req.SubmissionID)
	if err != nil {
		return err
	}
	at := sc.SubmittedAt
	return c.JSON(judgeScoreJSON{ProjectID: sc.ProjectID, Points: pointsJSON(sc.Points), Total: judging.Points(sc.Total).String(), SubmittedAt: &at, SubmissionID: sc.SubmissionID})
}

// --- the audience ---

func (s *handlers) deviceToken(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	tok, err := s.deps.Live.DeviceToken(c.UserContext(), id, c.IP())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"device_token": tok})
}

type voteRequest struct {
	ProjectID   int64  `json:"project_id"`
	Ticket      string `json:"ticket"`
	DeviceToken string `json:"device_token"`
}

func (s *handlers) vote(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req voteRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if len(req.Ticket) > 40 || len(req.DeviceToken) > 100 {
		return models.Invalid("the ticket code or device token is too long", map[string]string{"ticket": "at most 40 characters"})
	}
	slot, err := s.deps.Live.Vote(c.UserContext(), id, req.ProjectID, req.Ticket, req.DeviceToken, c.IP())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"counted": true, "slot": slot})
}

func (s *handlers) board(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	b, err := s.deps.Live.Board(c.UserContext(), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(b)
}

// finalistPhoto redirects to a fresh link to a finalist's photo (its
// thumbnail when one was made): the board keeps a stable address while
// media links expire.
func (s *handlers) finalistPhoto(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	m, err := s.deps.Live.FinalistPhoto(c.UserContext(), id, pid)
	if err != nil {
		return err
	}
	links, err := s.deps.Media.MediaLinks(c.UserContext(), m)
	if err != nil {
		return err
	}
	url := links.ThumbURL
	if url == "" {
		url = links.URL
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=300")
	return c.Redirect(url, fiber.StatusFound)
}

// TallyMessage is the sideband frame with an event's vote tally, for the
// hub's RunSideband (at most 4 a second).
func TallyMessage(ctx context.Context, l LiveShows, topic string) ([]byte, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(topic, "live:"), 10, 64)
	if err != nil {
		return nil, nil
	}
	vc, err := l.Tally(ctx, id)
	if err != nil {
		return nil, err
	}
	// voters is the current slot's (the screen's count); event_voters the
	// whole event's.
	return json.Marshal(fiber.Map{"type": "tally", "tally": vc.Tally, "slot": vc.Slot, "voters": vc.SlotVoters, "event_voters": vc.EventVoters})
}
