package server

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// Panels is what the panel handlers call: a round's chosen experts and
// the reminders sent to them.
type Panels interface {
	RoundExperts(ctx context.Context, roundID int64) ([]int64, error)
	SetRoundExperts(ctx context.Context, actor models.Actor, roundID int64, expertIDs []int64) ([]int64, error)
	RemindExperts(ctx context.Context, actor models.Actor, roundID int64, message string) ([]models.Reminder, error)
	RoundReminders(ctx context.Context, roundID int64) ([]models.Reminder, error)
}

// roundExperts returns a round's chosen panel; an empty list means every
// enabled expert.
func (s *handlers) roundExperts(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ids, err := s.deps.Panels.RoundExperts(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"expert_ids": nonNil(ids)})
}

type panelRequest struct {
	ExpertIDs []int64 `json:"expert_ids"`
}

// setRoundExperts chooses a round's panel for its next assignment.
func (s *handlers) setRoundExperts(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req panelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ids, err := s.deps.Panels.SetRoundExperts(c.UserContext(), actorOf(c), id, req.ExpertIDs)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"expert_ids": nonNil(ids)})
}

// reminderJSON is a reminder sent to an expert.
type reminderJSON struct {
	ID          int64     `json:"id"`
	ExpertID    int64     `json:"expert_id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Message     string    `json:"message"`
	Remaining   int       `json:"remaining"`
	SentBy      string    `json:"sent_by"`
	SentAt      time.Time `json:"sent_at"`
}

func toReminderJSON(r models.Reminder) reminderJSON {
	return reminderJSON{ID: r.ID, ExpertID: r.ExpertID, Username: r.Username, DisplayName: r.DisplayName, Message: r.Message,
		Remaining: r.Remaining, SentBy: r.SentBy, SentAt: r.CreatedAt}
}

func remindersJSON(list []models.Reminder) []reminderJSON {
	out := make([]reminderJSON, len(list))
	for i, r := range list {
		out[i] = toReminderJSON(r)
	}
	return out
}

// roundReminders lists the reminders sent in a round, newest first.
func (s *handlers) roundReminders(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	list, err := s.deps.Panels.RoundReminders(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"reminders": remindersJSON(list)})
}

type remindRequest struct {
	Message string `json:"message"`
}

// remindExperts reminds every expert with unfinished work in an open round.
func (s *handlers) remindExperts(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req remindRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	list, err := s.deps.Panels.RemindExperts(c.UserContext(), actorOf(c), id, strings.TrimSpace(req.Message))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"reminders": remindersJSON(list)})
}
