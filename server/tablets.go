package server

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// TabletLinks issues judges' tablet links, scoped to one live final's seat.
type TabletLinks interface {
	CreateJudgeLink(ctx context.Context, actor models.Actor, showID int64, seat int) (string, time.Time, error)
}

// judgeLink issues a new single-use tablet link for a seat, revoking the
// seat's earlier links and their sessions; the link lands on the judge's
// tablet page and its session reaches nothing else.
func (s *handlers) judgeLink(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	seat, err := strconv.Atoi(c.Params("seat"))
	if err != nil || seat <= 0 {
		return models.Invalid("the seat must be a number", map[string]string{"seat": "a positive number"})
	}
	token, expires, err := s.deps.Tablets.CreateJudgeLink(c.UserContext(), actorOf(c), id, seat)
	if err != nil {
		return err
	}
	url := strings.TrimRight(s.deps.Config.PublicURL, "/") + "/login/link?next=/judge/" + strconv.FormatInt(id, 10) + "#" + token
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": url, "expires_at": expires, "seat": seat})
}
