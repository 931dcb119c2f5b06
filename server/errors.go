package server

import (
	"errors"
	"log/slog"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// errorBody is the error contract: {"error":{"code","message","fields"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    models.Kind       `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// statusOf maps an error kind to its HTTP status.
var statusOf = map[models.Kind]int{
	models.KindInvalid:          fiber.StatusBadRequest,
	models.KindUnauthenticated:  fiber.StatusUnauthorized,
	models.KindForbidden:        fiber.StatusForbidden,
	models.KindNotFound:         fiber.StatusNotFound,
	models.KindConflict:         fiber.StatusConflict,
	models.KindTooLarge:         fiber.StatusRequestEntityTooLarge,
	models.KindUnsupportedMedia: fiber.StatusUnsupportedMediaType,
	models.KindRateLimited:      fiber.StatusTooManyRequests,
	models.KindUnavailable:      fiber.StatusServiceUnavailable,
	models.KindInternal:         fiber.StatusInternalServerError,
}

// defaultRetryAfter is the Retry-After of a 429 or 503 that names none:
// a client should come back soon, not hammer.
var defaultRetryAfter = map[models.Kind]int{models.KindRateLimited: 1, models.KindUnavailable: 5}

// kindOfStatus maps the statuses Fiber itself produces to error kinds.
var kindOfStatus = map[int]models.Kind{
	fiber.StatusBadRequest:            models.KindInvalid,
	fiber.StatusUnprocessableEntity:   models.KindInvalid,
	fiber.StatusUnauthorized:          models.KindUnauthenticated,
	fiber.StatusForbidden:             models.KindForbidden,
	fiber.StatusNotFound:              models.KindNotFound,
	fiber.StatusMethodNotAllowed:      models.KindNotFound,
	fiber.StatusConflict:              models.KindConflict,
	fiber.StatusRequestEntityTooLarge: models.KindTooLarge,
	fiber.StatusUnsupportedMediaType:  models.KindUnsupportedMedia,
	fiber.StatusTooManyRequests:       models.KindRateLimited,
	fiber.StatusServiceUnavailable:    models.KindUnavailable,
	fiber.StatusRequestTimeout:        models.KindUnavailable,
}

// errorHandler is the one place where errors become HTTP responses.
// Internal errors are logged with the request id and shown generically.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		detail := errorDetail{Code: models.KindInternal, Message: "internal error"}
		status := fiber.StatusInternalServerError
		var me *models.Error
		var fe *fiber.Error
		switch {
		case errors.As(err, &me):
			detail = errorDetail{Code: me.Kind, Message: me.Message, Fields: me.Fields}
			status = statusOf[me.Kind]
			if status == 0 {
				status = fiber.StatusInternalServerError
			}
			if me.Kind == models.KindInvalid && len(me.Fields) > 0 {
				status = fiber.StatusUnprocessableEntity
			}
			if me.Kind == models.KindRateLimited || me.Kind == models.KindUnavailable {
				retry := me.RetryAfterSeconds
				if retry <= 0 {
					retry = defaultRetryAfter[me.Kind]
				}
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
			}
			if me.Kind == models.KindInternal || me.Kind == models.KindUnavailable {
				logError(c, log, err)
			}
			if me.Kind == models.KindInternal {
				detail.Message = "internal error"
			}
		case errors.As(err, &fe):
			status = fe.Code
			kind, ok := kindOfStatus[fe.Code]
			if !ok {
				kind = models.KindInternal
			}
			detail = errorDetail{Code: kind, Message: fe.Message}
			if retry := defaultRetryAfter[kind]; retry > 0 {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
			}
			if kind == models.KindInternal {
				detail.Message = "internal error"
				logError(c, log, err)
			}
		default:
			logError(c, log, err)
		}
		if detail.Code == models.KindInternal {
			status = fiber.StatusInternalServerError
		}
		return c.Status(status).JSON(errorBody{Error: detail})
	}
}

func logError(c *fiber.Ctx, log *slog.Logger, err error) {
	log.ErrorContext(c.UserContext(), "request failed",
		slog.String("request_id", requestIDOf(c)),
		slog.String("method", c.Method()),
		slog.String("path", c.Path()),
		slog.Any("error", err))
}

func (s *handlers) apiNotFound(c *fiber.Ctx) error {
	return models.Errorf(models.KindNotFound, "no API route %s %s", c.Method(), c.Path())
}
