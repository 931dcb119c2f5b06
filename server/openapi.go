package server

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPIDocument is the OpenAPI 3 description of every route; a test keeps
// it in step with the route table.
//
//go:embed openapi.json
var openAPIDocument []byte

func (s *handlers) openAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openAPIDocument)
}
