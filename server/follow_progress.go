// A funded project's progress: the unit's plan and reports, the
// organiser's decisions and tranches, the experts' checks.

package server

import (
	"leitai/models"

	"github.com/gofiber/fiber/v2"
)

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
