package server

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// Pinger is a dependency that can say whether it is ready.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Checker is an object store that can say whether it is ready.
type Checker interface {
	Check(ctx context.Context) error
}

// readyTimeout bounds each readiness check, so a hung dependency answers
// 503 instead of hanging the probe.
const readyTimeout = 2 * time.Second

func (s *handlers) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

// readyz checks the database and the object store in parallel; any failure
// is 503 with the failing part as "down". The reason (which may name the
// database's user, name and address) goes to the log, never to the public.
func (s *handlers) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	var dbErr, storeErr error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); dbErr = s.deps.DB.Ping(ctx) }()
	go func() { defer wg.Done(); storeErr = s.deps.Objects.Check(ctx) }()
	wg.Wait()
	body := fiber.Map{"status": "ok", "database": "ok", "storage": "ok"}
	status := fiber.StatusOK
	if dbErr != nil {
		s.deps.Log.WarnContext(c.UserContext(), "readiness: database down", "error", dbErr)
		body["database"] = "down"
		body["status"] = "unavailable"
		status = fiber.StatusServiceUnavailable
	}
	if storeErr != nil {
		s.deps.Log.WarnContext(c.UserContext(), "readiness: object store down", "error", storeErr)
		body["storage"] = "down"
		body["status"] = "unavailable"
		status = fiber.StatusServiceUnavailable
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if status != fiber.StatusOK {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	return c.Status(status).JSON(body)
}
