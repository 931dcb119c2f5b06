package server

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// LiveShows runs the live final (docs/live.md): the whole service, as
// Deps holds it; each handler file declares the part it calls.
type LiveShows interface {
	LiveSetup
	LiveHosting
	LiveJudging
	LiveVoting
	LiveBoards
}

// LiveSetup prepares a live final: its settings, the draw and the tickets.
type LiveSetup interface {
	CreateLiveShow(ctx context.Context, actor models.Actor, roundID int64, in models.LiveShowSettings) (models.LiveShow, error)
	UpdateLiveShow(ctx context.Context, actor models.Actor, id int64, in models.LiveShowSettings) (models.LiveShow, error)
	DrawLiveShow(ctx context.Context, actor models.Actor, id int64, seed string) (models.LiveShow, error)
	LiveShow(ctx context.Context, id int64) (models.LiveShow, error)
	LiveShows(ctx context.Context) ([]models.LiveShow, error)
	AddTickets(ctx context.Context, actor models.Actor, id int64, count int) ([]string, error)
	Tickets(ctx context.Context, id int64) ([]models.Ticket, error)
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
