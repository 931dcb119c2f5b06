package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// maxJSONBody caps JSON request bodies; uploads have their own routes.
const maxJSONBody = 1 << 20

// decodeJSON reads the body strictly into v: unknown fields, trailing data,
// wrong types and oversized bodies are clear 400/413 errors.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(body) > maxJSONBody {
		return models.Errorf(models.KindTooLarge, "the JSON body is larger than %d bytes", maxJSONBody)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return models.Errorf(models.KindInvalid, "the request body is empty: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return models.Errorf(models.KindInvalid, "malformed JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return models.Errorf(models.KindInvalid, "malformed JSON: unexpected data after the object")
	}
	return nil
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q must be %s", typ.Field, typ.Type.String())
		}
		return fmt.Sprintf("expected %s", typ.Type.String())
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the body ends too early"
	}
	return err.Error()
}

// pathID parses a positive integer path parameter.
func pathID(c *fiber.Ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Params(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, models.Errorf(models.KindNotFound, "no %s %q", name, c.Params(name))
	}
	return id, nil
}

// queryID parses an optional positive integer query parameter.
func queryID(c *fiber.Ctx, name string) (*int64, error) {
	raw := c.Query(name)
	if raw == "" {
		return nil, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return nil, models.Invalid("bad query parameter", map[string]string{name: "a positive number"})
	}
	return &id, nil
}
