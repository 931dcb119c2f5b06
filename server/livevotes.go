package server

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// LiveVoting is the audience's phones and the tally.
type LiveVoting interface {
	DeviceToken(ctx context.Context, id int64, ip, presence string) (string, error)
	Vote(ctx context.Context, id, projectID int64, ticket, device, ip string) (int, error)
	Tally(ctx context.Context, id int64) (models.VoteCount, error)
}

func (s *handlers) deviceToken(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	// The body is optional: {"presence": "<the big screen's code>"}.
	var req deviceRequest
	if len(c.Body()) > 0 {
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	if len(req.Presence) > 40 {
		return models.Invalid("the code is too long", map[string]string{"presence": "at most 40 characters"})
	}
	tok, err := s.deps.Live.DeviceToken(c.UserContext(), id, c.IP(), req.Presence)
	if err != nil {
		switch models.KindOf(err) {
		case models.KindForbidden:
			s.refused.WithLabelValues("token_presence").Inc()
		case models.KindRateLimited:
			s.refused.WithLabelValues("token_address").Inc()
		}
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"device_token": tok})
}

type deviceRequest struct {
	Presence string `json:"presence"`
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
		if models.KindOf(err) == models.KindRateLimited {
			if strings.TrimSpace(req.Ticket) != "" {
				s.refused.WithLabelValues("vote_ticket_guesses").Inc()
			} else {
				s.refused.WithLabelValues("vote_address_cap").Inc()
			}
		}
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"counted": true, "slot": slot})
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
