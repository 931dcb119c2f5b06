package server

import (
	"github.com/gofiber/fiber/v2"
)

// routes is the route table; every path here is in openapi.json.
func (s *handlers) routes(app *fiber.App) {
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/metrics", s.metrics())
	app.Get("/files/*", s.signedFile)

	api := app.Group("/api/v1")
	api.Get("/openapi.json", s.openAPI)

	// Unknown API paths stay JSON, never the single-page app.
	app.All("/api/*", s.apiNotFound)
	app.Get("/*", s.spa())
}
