package server

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/google/uuid"

	"leitai/models"
)

const requestIDKey = "request_id"

// requestID keeps a well-formed incoming X-Request-ID (from a proxy) or
// generates one, and echoes it on the response.
func requestID() fiber.Handler {
	return requestid.New(requestid.Config{
		Header:     fiber.HeaderXRequestID,
		ContextKey: requestIDKey,
		Generator:  func() string { return uuid.NewString() },
	})
}

func requestIDOf(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// resolveErrors hands an error to the ErrorHandler right away, so the
// middleware outside it (access log, metrics) sees the final status.
func resolveErrors(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return c.App().ErrorHandler(c, err)
	}
	return nil
}

// recoverer turns a panic into a logged internal error.
func recoverer(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(c.UserContext(), "panic",
					slog.String("request_id", requestIDOf(c)),
					slog.Any("panic", r),
					slog.String("stack", string(debug.Stack())))
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return c.Next()
	}
}

// accessLog writes one structured line per request.
func accessLog(log *slog.Logger) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		log.LogAttrs(c.UserContext(), level, "http",
			slog.String("request_id", requestIDOf(c)),
			slog.String("method", c.Method()),
			slog.String("path", c.Path()),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.String("ip", c.IP()),
			slog.Int("bytes", len(c.Response().Body())),
		)
		return err
	}
}

// securityHeaders sets a restrictive content security policy and friends.
// Media origins (the S3 public endpoint) may serve images and video and
// receive uploads.
func securityHeaders(mediaOrigins []string) fiber.Handler {
	extra := strings.Join(mediaOrigins, " ")
	csp := strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		// Element Plus positions popovers with inline styles.
		"style-src 'self' 'unsafe-inline'",
		strings.TrimSpace("img-src 'self' data: blob: " + extra),
		strings.TrimSpace("media-src 'self' blob: " + extra),
		strings.TrimSpace("connect-src 'self' ws: wss: " + extra),
		"font-src 'self' data:",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		// The host console previews the big screen in a frame.
		"frame-ancestors 'self'",
	}, "; ")
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
		c.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
		c.Set(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
		c.Set(fiber.HeaderContentSecurityPolicy, csp)
		c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		c.Set("Cross-Origin-Opener-Policy", "same-origin")
		return c.Next()
	}
}

// Body caps by kind of route: upload chunks may be as large as the
// configured body limit, import files a few MiB, everything else is JSON.
const (
	jsonBodyCap   = maxJSONBody + 4<<10
	importBodyCap = maxImportFile + 256<<10
)

// bodyLimits refuses a mutating request whose declared body is too large
// for its route (413), or that declares no length (400), before the body
// is read.
func bodyLimits(chunkCap int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !isMutating(c.Method()) {
			return c.Next()
		}
		n := c.Request().Header.ContentLength()
		if n < 0 {
			return models.Errorf(models.KindInvalid, "send the request body with a Content-Length header")
		}
		limit := jsonBodyCap
		switch path := c.Path(); {
		case c.Method() == fiber.MethodPut && strings.HasPrefix(path, "/api/v1/uploads/"):
			limit = chunkCap
		case strings.HasSuffix(path, "/import"):
			limit = importBodyCap
		}
		if n > limit {
			return models.Errorf(models.KindTooLarge, "the request body is %d bytes; this route takes at most %d", n, limit)
		}
		return c.Next()
	}
}
