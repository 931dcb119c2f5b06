package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// LiveBoards is the public board's reads.
type LiveBoards interface {
	Board(ctx context.Context, id int64) (models.Board, error)
	FinalistPhoto(ctx context.Context, id, projectID int64) (models.Media, error)
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
