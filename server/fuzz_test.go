package server

import (
	"log/slog"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// FuzzDecoders feeds arbitrary bodies to every JSON request decoder: each
// must answer with a contract error or success, never a panic or a 500.
func FuzzDecoders(f *testing.F) {
	for _, seed := range []string{
		`{"username":"a","password":"b"}`, `{"kind":"city","name":"惠州市","parent_id":null}`,
		`{"roles":["admin"],"unit_id":1}`, `{"project_ids":[1,2],"eligible":false,"reason":"x"}`,
		`{"year":2026,"opens_at":"2026-01-01T00:00:00Z"}`, `{"title":"\u0000"}`, `[`, `{}{}`, `null`, `"x"`,
		`{"ttl_minutes":1e309}`, `{"current_password":1}`,
		`{"points":{"innovative":22.5},"submission_id":"a"}`, `{"points":{"x":1e400}}`, `{"action":"reveal","message":"休息"}`,
		`{"project_id":1,"ticket":"K7QX-2M9P"}`, `{"weights":{"panel":60},"judge_ids":[1,2]}`,
		`{"points":null}`, `{"points":{"a":"20"}}`, `{"threshold":"80.5"}`, ` null `,
	} {
		f.Add(seed)
	}
	targets := []func() any{
		func() any { return &loginRequest{} }, func() any { return &unitRequest{} }, func() any { return &userCreateRequest{} },
		func() any { return &userUpdateRequest{} }, func() any { return &passwordResetRequest{} }, func() any { return &loginLinkRequest{} },
		func() any { return &passwordChangeRequest{} }, func() any { return &linkRequest{} }, func() any { return &setupRequest{} },
		func() any { return &editionRequest{} }, func() any { return &models.ProjectFields{} }, func() any { return &eligibilityRequest{} },
		func() any { return &newUploadRequest{} }, func() any { return &presignRequest{} }, func() any { return &partDoneRequest{} },
		func() any { return &roundRequest{} }, func() any { return &roundStatusRequest{} }, func() any { return &assignRequest{} },
		func() any { return &conflictRequest{} }, func() any { return &scoreRequest{} },
		func() any { return &liveEventRequest{} }, func() any { return &drawRequest{} }, func() any { return &ticketsRequest{} },
		func() any { return &actionRequest{} }, func() any { return &liveScoreRequest{} }, func() any { return &wipeRequest{} },
		func() any { return &voteRequest{} },
	}
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler))})
	for i, mk := range targets {
		app.Post("/"+strconv.Itoa(i), func(c *fiber.Ctx) error {
			v := mk()
			if err := decodeJSON(c, v); err != nil {
				return err
			}
			if r, ok := v.(*liveScoreRequest); ok {
				if _, err := parsePoints(r.Points); err != nil {
					return err
				}
			}
			if r, ok := v.(*scoreRequest); ok {
				if _, err := parsePoints(r.Points); err != nil {
					return err
				}
			}
			return c.SendStatus(204)
		})
	}
	f.Fuzz(func(t *testing.T, body string) {
		for i := range targets {
			req := httptest.NewRequest("POST", "/"+strconv.Itoa(i), strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := app.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 204 && resp.StatusCode != 400 && resp.StatusCode != 413 && resp.StatusCode != 422 {
				t.Fatalf("decoder %d answered %d to %q", i, resp.StatusCode, body)
			}
		}
	})
}

// FuzzParseTable feeds arbitrary bytes to the import reader and row
// mappers: clear errors, never a panic.
func FuzzParseTable(f *testing.F) {
	f.Add([]byte(unitCSV))
	f.Add([]byte("用户名,角色\nwang,专家、主持\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("\xff\xfe\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tbl, err := parseTable(data)
		if err != nil {
			if models.KindOf(err) != models.KindInvalid {
				t.Fatalf("parseTable error of kind %s: %v", models.KindOf(err), err)
			}
			return
		}
		if _, err := unitRows(tbl); err != nil && models.KindOf(err) != models.KindInvalid {
			t.Fatal(err)
		}
		if _, err := userRows(tbl); err != nil && models.KindOf(err) != models.KindInvalid {
			t.Fatal(err)
		}
	})
}
