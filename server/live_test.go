package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"leitai/models"

	"github.com/prometheus/client_golang/prometheus"
)

// fakeLive is a LiveShows whose methods the test sets; the rest answer
// errUnexpected.
type fakeLive struct {
	shows      func() ([]models.LiveShow, error)
	show       func(id int64) (models.LiveShow, error)
	action     func(a models.Actor, id int64, action models.ShowAction, message string) (models.LiveShow, error)
	hostView   func(id int64) (models.HostView, error)
	judgeScore func(a models.Actor, judge models.User, id, pid int64, points map[string]int64, submission string) (models.LiveScore, error)
	device     func(id int64, ip, presence string) (string, error)
	vote       func(id, pid int64, ticket, device, ip string) (int, error)
	board      func(id int64) (models.Board, error)
}

func (f *fakeLive) CreateLiveShow(context.Context, models.Actor, int64, models.LiveShowSettings) (models.LiveShow, error) {
	return models.LiveShow{}, errUnexpected
}
func (f *fakeLive) UpdateLiveShow(context.Context, models.Actor, int64, models.LiveShowSettings) (models.LiveShow, error) {
	return models.LiveShow{}, errUnexpected
}
func (f *fakeLive) DrawLiveShow(context.Context, models.Actor, int64, string) (models.LiveShow, error) {
	return models.LiveShow{}, errUnexpected
}
func (f *fakeLive) LiveShow(_ context.Context, id int64) (models.LiveShow, error) {
	if f.show == nil {
		return models.LiveShow{}, errUnexpected
	}
	return f.show(id)
}
func (f *fakeLive) LiveShows(context.Context) ([]models.LiveShow, error) {
	if f.shows == nil {
		return nil, errUnexpected
	}
	return f.shows()
}
func (f *fakeLive) AddTickets(context.Context, models.Actor, int64, int) ([]string, error) {
	return nil, errUnexpected
}
func (f *fakeLive) Tickets(context.Context, int64) ([]models.Ticket, error) {
	return nil, errUnexpected
}
func (f *fakeLive) LiveAction(_ context.Context, a models.Actor, id int64, action models.ShowAction, message string) (models.LiveShow, error) {
	if f.action == nil {
		return models.LiveShow{}, errUnexpected
	}
	return f.action(a, id, action, message)
}
func (f *fakeLive) HostScore(context.Context, models.Actor, int64, int64, int, map[string]int64, string) (models.LiveShow, error) {
	return models.LiveShow{}, errUnexpected
}
func (f *fakeLive) WipeRehearsal(context.Context, models.Actor, int64, string, bool) (models.LiveShow, error) {
	return models.LiveShow{}, errUnexpected
}
func (f *fakeLive) HostView(_ context.Context, id int64) (models.HostView, error) {
	if f.hostView == nil {
		return models.HostView{}, errUnexpected
	}
	return f.hostView(id)
}
func (f *fakeLive) SlotSheet(context.Context, int64, int) (models.LiveShow, models.Round, []models.HostProject, error) {
	return models.LiveShow{}, models.Round{}, nil, errUnexpected
}
func (f *fakeLive) SubmitLiveScore(_ context.Context, a models.Actor, judge models.User, id, pid int64, points map[string]int64, submission string) (models.LiveScore, error) {
	if f.judgeScore == nil {
		return models.LiveScore{}, errUnexpected
	}
	return f.judgeScore(a, judge, id, pid, points, submission)
}
func (f *fakeLive) JudgeView(context.Context, models.User, int64) (models.JudgeView, error) {
	return models.JudgeView{}, errUnexpected
}
func (f *fakeLive) DeviceToken(_ context.Context, id int64, ip, presence string) (string, error) {
	if f.device == nil {
		return "", errUnexpected
	}
	return f.device(id, ip, presence)
}
func (f *fakeLive) Vote(_ context.Context, id, pid int64, ticket, device, ip string) (int, error) {
	if f.vote == nil {
		return 0, errUnexpected
	}
	return f.vote(id, pid, ticket, device, ip)
}
func (f *fakeLive) Tally(context.Context, int64) (models.VoteCount, error) {
	return models.VoteCount{}, errUnexpected
}
func (f *fakeLive) Board(_ context.Context, id int64) (models.Board, error) {
	if f.board == nil {
		return models.Board{}, errUnexpected
	}
	return f.board(id)
}
func (f *fakeLive) FinalistPhoto(context.Context, int64, int64) (models.Media, error) {
	return models.Media{}, errUnexpected
}

// TestLiveHandlers covers parse → authorize → call → respond for the live
// final's host, judge, audience and board routes, and the error mapping.
func TestLiveHandlers(t *testing.T) {
	at := time.Date(2026, 12, 20, 11, 0, 0, 0, time.UTC)
	show := models.LiveShow{ID: 6, RoundID: 3, Seed: "s1"}
	l := &fakeLive{
		shows: func() ([]models.LiveShow, error) { return []models.LiveShow{show}, nil },
		show:  func(id int64) (models.LiveShow, error) { return show, failByID(id) },
		action: func(a models.Actor, id int64, action models.ShowAction, message string) (models.LiveShow, error) {
			if action == "sideways" {
				return models.LiveShow{}, models.Invalid("unknown action", map[string]string{"action": "one of present, open, …"})
			}
			if a.UserID == nil || (*a.UserID != 4 && *a.UserID != 1) {
				t.Errorf("the action is audited as user %d", a.UserID)
			}
			return show, failByID(id)
		},
		hostView: func(id int64) (models.HostView, error) {
			return models.HostView{Show: show, Tally: map[string]int{"11": 2}, Voters: 2, EventVoters: 5}, failByID(id)
		},
		judgeScore: func(a models.Actor, judge models.User, id, pid int64, points map[string]int64, submission string) (models.LiveScore, error) {
			if judge.ID != 3 {
				t.Errorf("the score is the signed-in judge's, got user %d", judge.ID)
			}
			if points["innovation"] != 8550 {
				t.Errorf("85.5 is 8550 hundredths, got %d", points["innovation"])
			}
			return models.LiveScore{ProjectID: pid, Points: points, Total: 8550, SubmittedAt: at, SubmissionID: submission}, failByID(pid)
		},
		device: func(id int64, ip, presence string) (string, error) {
			if presence == "MANY" {
				return "", &models.Error{Kind: models.KindRateLimited, Message: "too many phones from this address: try again in a minute", RetryAfterSeconds: 60}
			}
			if presence == "OLD" {
				return "", &models.Error{Kind: models.KindForbidden, Message: "the code from the big screen is missing or too old", Fields: map[string]string{"presence": "scan again"}}
			}
			return "tok-" + presence, failByID(id)
		},
		vote: func(id, pid int64, ticket, device, ip string) (int, error) {
			if device == "capped" || ticket == "WRONG" {
				return 0, &models.Error{Kind: models.KindRateLimited, Message: "slow down", RetryAfterSeconds: 60}
			}
			if device == "" && ticket == "" {
				return 0, models.Invalid("no device token", map[string]string{"device_token": "required"})
			}
			return 2, failByID(pid)
		},
		board: func(id int64) (models.Board, error) { return models.Board{EventID: id, Seed: "s1"}, failByID(id) },
	}
	long := strings.Repeat("长", 201)
	reg := prometheus.NewRegistry()
	runCases(t, Deps{Live: l, Clock: func() time.Time { return at }, Metrics: reg}, []apiCase{
		get("list: hosts see the events", "/api/v1/live-events", "host", 200, `"seed":"s1"`),
		get("list: units may not", "/api/v1/live-events", "unit", 403),
		get("list: no session", "/api/v1/live-events", "", 401),
		get("get: an unknown event", "/api/v1/live-events/404", "admin", 404),

		send("action: the host presents, answered with the host view", "POST", "/api/v1/live-events/6/actions", "host", `{"action":"present"}`, 200,
			`"event_voters":5`, `"tally":{"11":2}`),
		send("action: an unknown action names the field", "POST", "/api/v1/live-events/6/actions", "host", `{"action":"sideways"}`, 422, `"action"`),
		send("action: a message over 200 characters", "POST", "/api/v1/live-events/6/actions", "host", `{"action":"pause","message":"`+long+`"}`, 422, `"message":"at most 200 characters (now 201)"`),
		send("action: the state machine refuses", "POST", "/api/v1/live-events/409/actions", "host", `{"action":"reveal"}`, 409),
		send("action: experts may not", "POST", "/api/v1/live-events/6/actions", "expert", `{"action":"present"}`, 403),
		send("action: a body that is not JSON", "POST", "/api/v1/live-events/6/actions", "host", `{"action":`, 400),

		send("judge: a score in hundredths, echoed as decimals", "PUT", "/api/v1/live-events/6/judge/scores/11", "expert",
			`{"points":{"innovation":85.5},"submission_id":"sub-1"}`, 200, `"total":"85.50"`, `"submission_id":"sub-1"`),
		send("judge: three decimals name the criterion", "PUT", "/api/v1/live-events/6/judge/scores/11", "expert",
			`{"points":{"innovation":85.555}}`, 422, `"innovation":"a number with at most 2 decimals"`),
		send("judge: no points", "PUT", "/api/v1/live-events/6/judge/scores/11", "expert", `{}`, 422, `"points"`),
		send("judge: scoring closed", "PUT", "/api/v1/live-events/6/judge/scores/409", "expert", `{"points":{"innovation":85.5}}`, 409),
		send("judge: a host cannot score as a judge", "PUT", "/api/v1/live-events/6/judge/scores/11", "host", `{"points":{"innovation":85.5}}`, 403),
		send("judge: a unit cannot", "PUT", "/api/v1/live-events/6/judge/scores/11", "unit", `{"points":{"innovation":85.5}}`, 403),

		send("device: a token against the screen's code, without a session", "POST", "/api/v1/live-events/6/device", "", `{"presence":"K7Q2"}`, 201, `"device_token":"tok-K7Q2"`),
		send("device: an old code is refused naming presence", "POST", "/api/v1/live-events/6/device", "", `{"presence":"OLD"}`, 403, `"presence"`),
		send("device: beyond the address's issue limit", "POST", "/api/v1/live-events/6/device", "", `{"presence":"MANY"}`, 429),
		send("device: a code over 40 characters", "POST", "/api/v1/live-events/6/device", "", `{"presence":"`+strings.Repeat("A", 41)+`"}`, 422, `"presence"`),
		send("device: an unknown event", "POST", "/api/v1/live-events/404/device", "", ``, 404),

		send("vote: counted, with the slot", "POST", "/api/v1/live-events/6/votes", "", `{"project_id":11,"device_token":"tok"}`, 201, `"counted":true`, `"slot":2`),
		send("vote: no token", "POST", "/api/v1/live-events/6/votes", "", `{"project_id":11}`, 422, `"device_token"`),
		send("vote: beyond the venue's cap", "POST", "/api/v1/live-events/6/votes", "", `{"project_id":11,"device_token":"capped"}`, 429),
		send("vote: a ticket slowed for wrong codes", "POST", "/api/v1/live-events/6/votes", "", `{"project_id":11,"ticket":"WRONG"}`, 429),
		send("vote: voting closed", "POST", "/api/v1/live-events/6/votes", "", `{"project_id":409,"device_token":"tok"}`, 409),
		send("vote: a ticket code over 40 characters", "POST", "/api/v1/live-events/6/votes", "", `{"project_id":11,"ticket":"`+strings.Repeat("A", 41)+`"}`, 422, `"ticket"`),

		{name: "board: public and never cached", method: "GET", path: "/api/v1/live-events/6/board", status: 200,
			want: []string{`"seed":"s1"`}, wantHeader: map[string]string{"Cache-Control": "no-store"}},
		get("board: an unknown event", "/api/v1/live-events/404/board", "", 404),
		get("board: an id that is not a number is not found", "/api/v1/live-events/x/board", "", 404, `no id`),
	})
	// Each refusal counted once, by what refused it (/metrics).
	for what, want := range map[string]float64{"token_presence": 1, "token_address": 1, "vote_address_cap": 1, "vote_ticket_guesses": 1} {
		if got := refusedCount(t, reg, what); got != want {
			t.Errorf("leitai_live_refused_total{what=%q} = %v, want %v", what, got, want)
		}
	}
}

// refusedCount reads leitai_live_refused_total{what} from the registry.
func refusedCount(t *testing.T, reg *prometheus.Registry, what string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "leitai_live_refused_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "what" && l.GetValue() == what {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("no leitai_live_refused_total{what=%q}", what)
	return 0
}
