package server

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// fakeDecisions is a Decisions whose methods the test sets.
type fakeDecisions struct {
	ties      func(roundID int64) ([]models.TieDecision, error)
	decide    func(a models.Actor, roundID int64, order []string, reason string) (models.TieDecision, error)
	withdraw  func(a models.Actor, roundID, decisionID int64) error
	advanceOf func(roundID int64) (models.Advancement, error)
	advance   func(a models.Actor, roundID int64, in models.AdvanceInput) (models.Advancement, error)
}

func (f *fakeDecisions) TieDecisions(_ context.Context, id int64) ([]models.TieDecision, error) {
	if f.ties == nil {
		return nil, errUnexpected
	}
	return f.ties(id)
}
func (f *fakeDecisions) DecideTie(_ context.Context, a models.Actor, id int64, order []string, reason string) (models.TieDecision, error) {
	if f.decide == nil {
		return models.TieDecision{}, errUnexpected
	}
	return f.decide(a, id, order, reason)
}
func (f *fakeDecisions) DeleteTieDecision(_ context.Context, a models.Actor, id, did int64) error {
	if f.withdraw == nil {
		return errUnexpected
	}
	return f.withdraw(a, id, did)
}
func (f *fakeDecisions) AdvancementOf(_ context.Context, id int64) (models.Advancement, error) {
	if f.advanceOf == nil {
		return models.Advancement{}, errUnexpected
	}
	return f.advanceOf(id)
}
func (f *fakeDecisions) SetAdvancement(_ context.Context, a models.Actor, id int64, in models.AdvanceInput) (models.Advancement, error) {
	if f.advance == nil {
		return models.Advancement{}, errUnexpected
	}
	return f.advance(a, id, in)
}

func TestDecisionHandlers(t *testing.T) {
	at := time.Date(2026, 4, 2, 3, 0, 0, 0, time.UTC)
	d := &fakeDecisions{
		ties: func(id int64) ([]models.TieDecision, error) {
			if err := failByID(id); err != nil {
				return nil, err
			}
			return []models.TieDecision{{ID: 5, RoundID: id, Order: []string{"P2", "P1"}, Reason: "抽签", DecidedBy: "admin", DecidedAt: at}}, nil
		},
		advanceOf: func(id int64) (models.Advancement, error) {
			if id == 2 {
				return models.Advancement{}, models.Errorf(models.KindNotFound, "not decided")
			}
			return models.Advancement{RoundID: id, Threshold: ptr(int64(8050)), Advancing: []string{"P1"}, DecidedBy: "admin", DecidedAt: at}, nil
		},
		decide: func(a models.Actor, id int64, order []string, reason string) (models.TieDecision, error) {
			if reason == "" {
				return models.TieDecision{}, models.Invalid("a reason is needed", map[string]string{"reason": "required"})
			}
			if err := failByID(id); err != nil {
				return models.TieDecision{}, err
			}
			return models.TieDecision{ID: 6, RoundID: id, Order: order, Reason: reason, DecidedBy: a.Name, DecidedAt: at}, nil
		},
		withdraw: func(_ models.Actor, id, did int64) error {
			if err := failByID(id); err != nil {
				return err
			}
			return failByID(did)
		},
		advance: func(_ models.Actor, id int64, in models.AdvanceInput) (models.Advancement, error) {
			if err := failByID(id); err != nil {
				return models.Advancement{}, err
			}
			if in.Threshold != nil && *in.Threshold != 8050 || len(in.Overrides) != 1 || !in.Overrides[0].Advance {
				return models.Advancement{}, models.Invalid("parsed wrongly", map[string]string{"threshold": "parsed wrongly"})
			}
			return models.Advancement{RoundID: id, Top: in.Top, Threshold: in.Threshold, Overrides: in.Overrides, Advancing: []string{"P1", "P3"}}, nil
		},
	}
	runCases(t, Deps{Decisions: d}, []apiCase{
		get("decisions are for admins", "/api/v1/rounds/1/decisions", "expert", 403),
		get("decisions and the advancement", "/api/v1/rounds/1/decisions", "admin", 200, `"order":["P2","P1"]`, `"threshold":80.5`, `"advancing":["P1"]`),
		get("decisions, advancement undecided", "/api/v1/rounds/2/decisions", "admin", 200, `"advancement":null`),
		get("decisions of no round", "/api/v1/rounds/404/decisions", "admin", 404),
		send("decide a tie", "POST", "/api/v1/rounds/1/decisions", "admin", `{"order":["P1","P2"],"reason":"抽签"}`, 201, `"id":6`, `"decided_by":"admin"`),
		send("decide without a reason", "POST", "/api/v1/rounds/1/decisions", "admin", `{"order":["P1","P2"]}`, 422, `"reason":"required"`),
		send("decide in a published round", "POST", "/api/v1/rounds/409/decisions", "admin", `{"order":["P1"],"reason":"x"}`, 409),
		send("withdraw a decision", "DELETE", "/api/v1/rounds/1/decisions/5", "admin", "", 204),
		send("withdraw a missing decision", "DELETE", "/api/v1/rounds/1/decisions/404", "admin", "", 404),
		send("withdraw, a bad decision id", "DELETE", "/api/v1/rounds/1/decisions/x", "admin", "", 404),
		send("set the advancement", "PUT", "/api/v1/rounds/1/advancement", "admin", `{"threshold":80.5,"overrides":[{"project":"P3","advance":true,"reason":"扶持"}]}`, 200, `"advancing":["P1","P3"]`, `"threshold":80.5`),
		send("a threshold with three decimals", "PUT", "/api/v1/rounds/1/advancement", "admin", `{"threshold":80.505}`, 422, `"threshold":"a number with at most 2 decimals"`),
		send("a threshold as a string", "PUT", "/api/v1/rounds/1/advancement", "admin", `{"threshold":"80"}`, 422, `"threshold":"must be a number"`),
		send("advancement of a round still open", "PUT", "/api/v1/rounds/409/advancement", "admin", `{"top":3}`, 409),
	})
}
