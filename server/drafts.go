package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// DraftDeleter deletes a unit's never-submitted draft.
type DraftDeleter interface {
	DeleteDraft(ctx context.Context, actor models.Actor, user models.User, projectID int64) error
}

// deleteDraft lets a unit delete its own draft that was never submitted
// (a quota place spent by mistake): 409 for a project with a history, 404
// for another unit's.
func (s *handlers) deleteDraft(c *fiber.Ctx) error {
	if s.deps.Drafts == nil {
		return models.Errorf(models.KindUnavailable, "projects are not configured")
	}
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	who := callerOf(c)
	if err := s.deps.Drafts.DeleteDraft(c.UserContext(), who.Actor, who.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
