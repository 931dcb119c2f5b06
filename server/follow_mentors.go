// Mentors (导师) of funded projects and their visits.

package server

import (
	"leitai/models"

	"github.com/gofiber/fiber/v2"
)

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
