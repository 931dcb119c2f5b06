package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// maxJSONBody caps JSON request bodies; uploads have their own routes.
const maxJSONBody = 1 << 20

// decodeJSON reads the body strictly into v: a body that is not declared
// application/json is 415 (so a cross-site form or text/plain request cannot
// reach a JSON route); unknown fields, trailing data, a body that is not an
// object (null included) and oversized bodies are clear 400/413 errors;
// a value of the wrong type is 422 naming its field.
func decodeJSON(c *fiber.Ctx, v any) error {
	body := c.Body()
	if len(body) > maxJSONBody {
		return models.Errorf(models.KindTooLarge, "the JSON body is larger than %d bytes", maxJSONBody)
	}
	if !isJSONContentType(c.Get(fiber.HeaderContentType)) {
		return models.Errorf(models.KindUnsupportedMedia, "send the body as Content-Type: application/json")
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return models.Errorf(models.KindInvalid, "the request body is empty: send a JSON object")
	}
	if trimmed[0] != '{' {
		return models.Errorf(models.KindInvalid, "malformed JSON: the body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field != "" {
			return models.Invalid("malformed JSON: "+jsonProblem(err), map[string]string{typ.Field: "must be " + typeWord(typ)})
		}
		return models.Errorf(models.KindInvalid, "malformed JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return models.Errorf(models.KindInvalid, "malformed JSON: unexpected data after the object")
	}
	return nil
}

// isJSONContentType accepts application/json with or without parameters.
func isJSONContentType(v string) bool {
	t, _, err := mime.ParseMediaType(v)
	return err == nil && t == "application/json"
}

func typeWord(typ *json.UnmarshalTypeError) string {
	if typ.Type == reflect.TypeOf(Decimal("")) {
		return "a number"
	}
	return typ.Type.String()
}

// Decimal is a number in a request body, kept as its digits so that points
// parse exactly. Unlike json.Number it refuses strings ("20") and null.
type Decimal string

// UnmarshalJSON takes a JSON number literal only.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) || !json.Valid(b) {
		kind := "string"
		if bytes.Equal(b, []byte("null")) {
			kind = "null"
		}
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeOf(Decimal(""))}
	}
	*d = Decimal(b)
	return nil
}

// String returns the digits as sent.
func (d Decimal) String() string { return string(d) }

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q must be %s", typ.Field, typeWord(typ))
		}
		return fmt.Sprintf("expected %s", typeWord(typ))
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
