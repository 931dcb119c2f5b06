package server

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/judging"
	"leitai/models"
)

// Decisions is what the decision handlers call: the organiser's tie
// decisions and a round's advancement.
type Decisions interface {
	TieDecisions(ctx context.Context, roundID int64) ([]models.TieDecision, error)
	DecideTie(ctx context.Context, actor models.Actor, roundID int64, order []string, reason string) (models.TieDecision, error)
	DeleteTieDecision(ctx context.Context, actor models.Actor, roundID, decisionID int64) error
	AdvancementOf(ctx context.Context, roundID int64) (models.Advancement, error)
	SetAdvancement(ctx context.Context, actor models.Actor, roundID int64, in models.AdvanceInput) (models.Advancement, error)
}

// tieDecisionJSON is one of the organiser's tie decisions.
type tieDecisionJSON struct {
	ID        int64     `json:"id"`
	Order     []string  `json:"order"`
	Reason    string    `json:"reason"`
	DecidedBy string    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
}

func toTieDecisionJSON(d models.TieDecision) tieDecisionJSON {
	return tieDecisionJSON{ID: d.ID, Order: nonNil(d.Order), Reason: d.Reason, DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt}
}

// overrideJSON adds (advance true) or removes a project, with the reason.
type overrideJSON struct {
	Project string `json:"project"`
	Advance bool   `json:"advance"`
	Reason  string `json:"reason"`
}

// advancementJSON is a round's decided advancement.
type advancementJSON struct {
	Top         int             `json:"top"`
	Threshold   *judging.Points `json:"threshold"`
	Overrides   []overrideJSON  `json:"overrides"`
	Advancing   []string        `json:"advancing"`
	ByRule      []string        `json:"by_rule,omitempty"`
	TieAtCut    []string        `json:"tie_at_cut,omitempty"`
	NextRoundID *int64          `json:"next_round_id,omitempty"`
	DecidedBy   string          `json:"decided_by"`
	DecidedAt   time.Time       `json:"decided_at"`
}

func toAdvancementJSON(a models.Advancement) advancementJSON {
	out := advancementJSON{Top: a.Top, Overrides: []overrideJSON{}, Advancing: nonNil(a.Advancing), ByRule: a.ByRule, TieAtCut: a.TieAtCut,
		NextRoundID: a.NextRoundID, DecidedBy: a.DecidedBy, DecidedAt: a.DecidedAt}
	if a.Threshold != nil {
		t := judging.Points(*a.Threshold)
		out.Threshold = &t
	}
	for _, o := range a.Overrides {
		out.Overrides = append(out.Overrides, overrideJSON(o))
	}
	return out
}

// roundDecisions lists a round's tie decisions and its advancement (null
// while undecided).
func (s *handlers) roundDecisions(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	list, err := s.deps.Decisions.TieDecisions(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := make([]tieDecisionJSON, len(list))
	for i, d := range list {
		out[i] = toTieDecisionJSON(d)
	}
	var adv *advancementJSON
	a, err := s.deps.Decisions.AdvancementOf(c.UserContext(), id)
	switch {
	case err == nil:
		v := toAdvancementJSON(a)
		adv = &v
	case models.KindOf(err) != models.KindNotFound:
		return err
	}
	return c.JSON(fiber.Map{"decisions": out, "advancement": adv})
}

type tieDecisionRequest struct {
	Order  []string `json:"order"`
	Reason string   `json:"reason"`
}

// decideTie records the organiser's order for one flagged tie.
func (s *handlers) decideTie(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req tieDecisionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	d, err := s.deps.Decisions.DecideTie(c.UserContext(), actorOf(c), id, req.Order, req.Reason)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toTieDecisionJSON(d))
}

// withdrawTie removes a tie decision; its group is tied again.
func (s *handlers) withdrawTie(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	did, err := pathID(c, "did")
	if err != nil {
		return err
	}
	if err := s.deps.Decisions.DeleteTieDecision(c.UserContext(), actorOf(c), id, did); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// advancementRequest is top N or a threshold (a decimal, e.g. 80.5), not
// both, plus overrides with reasons.
type advancementRequest struct {
	Top       int            `json:"top"`
	Threshold *Decimal       `json:"threshold"`
	Overrides []overrideJSON `json:"overrides"`
}

// setAdvancement decides who advances into the next round.
func (s *handlers) setAdvancement(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req advancementRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	in := models.AdvanceInput{Top: req.Top}
	if req.Threshold != nil {
		p, err := judging.ParsePoints(req.Threshold.String())
		if err != nil {
			return models.Invalid("the threshold is not valid", map[string]string{"threshold": "a number with at most 2 decimals"})
		}
		v := int64(p)
		in.Threshold = &v
	}
	for _, o := range req.Overrides {
		in.Overrides = append(in.Overrides, models.AdvanceOverride(o))
	}
	a, err := s.deps.Decisions.SetAdvancement(c.UserContext(), actorOf(c), id, in)
	if err != nil {
		return err
	}
	return c.JSON(toAdvancementJSON(a))
}
