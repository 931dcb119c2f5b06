package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// fakeAccounts is an Accounts whose methods the test sets; a method left
// nil fails the test when called.
type fakeAccounts struct {
	t     *testing.T
	login func(models.LoginAttempt) (string, models.Session, error)
}

func (f *fakeAccounts) Login(_ context.Context, a models.LoginAttempt) (string, models.Session, error) {
	if f.login == nil {
		f.t.Fatal("unexpected Login")
	}
	return f.login(a)
}
func (f *fakeAccounts) SessionByToken(context.Context, string) (models.Session, error) {
	return models.Session{}, models.ErrUnauthenticated
}
func (f *fakeAccounts) Logout(context.Context, string) error {
	f.t.Fatal("unexpected Logout")
	return nil
}
func (f *fakeAccounts) ChangePassword(context.Context, models.Actor, int64, string, string, string) (string, models.Session, error) {
	f.t.Fatal("unexpected ChangePassword")
	return "", models.Session{}, nil
}
func (f *fakeAccounts) RedeemLoginLink(context.Context, string, string, string) (string, models.Session, error) {
	f.t.Fatal("unexpected RedeemLoginLink")
	return "", models.Session{}, nil
}
func (f *fakeAccounts) SetupNeeded(context.Context) (bool, error) { return false, nil }
func (f *fakeAccounts) SetupFirstAdmin(context.Context, models.NewUser, string, string) (string, models.Session, error) {
	f.t.Fatal("unexpected SetupFirstAdmin")
	return "", models.Session{}, nil
}

var testSecret = []byte("a test secret of thirty-two bytes")

func loginHTTP(body string, header map[string]string) *http.Request {
	req := httptest.NewRequest("POST", "/api/v1/auth/login", strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

// TestLoginCSRFAndContentType: a cross-site page cannot sign a victim's
// browser in (login CSRF), and a JSON route takes only application/json.
func TestLoginCSRFAndContentType(t *testing.T) {
	calls := 0
	acc := &fakeAccounts{t: t, login: func(a models.LoginAttempt) (string, models.Session, error) {
		calls++
		return "tok", models.Session{User: models.User{ID: 1, Username: a.Username}, CSRFToken: "c", ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	app := New(Deps{DB: pinger{}, Objects: pinger{}, Accounts: acc, Config: Config{Secret: testSecret, PublicURL: "https://leitai.example.cn"}})
	body := `{"username":"chen","password":"password-chen"}`
	tests := []struct {
		name   string
		header map[string]string
		status int
	}{
		{"text/plain from a form", map[string]string{"Content-Type": "text/plain"}, 415},
		{"form encoding", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"no content type", map[string]string{}, 415},
		{"cross-site fetch", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, 403},
		{"another origin", map[string]string{"Content-Type": "application/json", "Origin": "https://evil.example"}, 403},
		{"null origin", map[string]string{"Content-Type": "application/json", "Origin": "null"}, 403},
		{"same-site sibling without origin", map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "same-site"}, 403},
		{"same origin", map[string]string{"Content-Type": "application/json; charset=utf-8", "Sec-Fetch-Site": "same-origin", "Origin": "http://example.com"}, 200},
		{"the public URL", map[string]string{"Content-Type": "application/json", "Origin": "https://leitai.example.cn"}, 200},
		{"not a browser", map[string]string{"Content-Type": "application/json"}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls
			resp, err := app.Test(loginHTTP(body, tt.header), 5000)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, out)
			}
			if tt.status != 200 && calls != before {
				t.Fatalf("a refused request reached Login")
			}
		})
	}
}

// TestLoginDeviceCookie: a successful sign-in leaves a signed device cookie
// that the next sign-in of the same user presents, so the throttle can tell
// a known device from a guesser; a forged or another user's cookie is not
// trusted.
func TestLoginDeviceCookie(t *testing.T) {
	var seen []string
	acc := &fakeAccounts{t: t, login: func(a models.LoginAttempt) (string, models.Session, error) {
		seen = append(seen, a.Device)
		if a.Password != "right" {
			return "", models.Session{}, &models.Error{Kind: models.KindUnauthenticated, Message: "wrong username or password"}
		}
		return "tok", models.Session{User: models.User{ID: 1, Username: a.Username}, CSRFToken: "c", ExpiresAt: time.Now().Add(time.Hour)}, nil
	}}
	app := New(Deps{DB: pinger{}, Objects: pinger{}, Accounts: acc, Config: Config{Secret: testSecret}})
	post := func(user, password, cookie string) *http.Response {
		t.Helper()
		req := loginHTTP(`{"username":"`+user+`","password":"`+password+`"}`, map[string]string{"Content-Type": "application/json"})
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := app.Test(req, 5000)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("chen", "right", "")
	var device *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == models.DeviceCookieName("chen") {
			device = c
		}
	}
	if resp.StatusCode != 200 || device == nil || !device.HttpOnly || device.Path != "/api/v1/auth/login" || device.SameSite != http.SameSiteStrictMode {
		t.Fatalf("no proper device cookie after sign-in: %d %+v", resp.StatusCode, device)
	}
	if r := post("wu", "wrong", ""); r.StatusCode != 401 || len(r.Cookies()) != 0 {
		t.Fatalf("a failed sign-in must set no cookie: %d %v", r.StatusCode, r.Cookies())
	}
	post("CHEN", "right", device.Name+"="+device.Value)
	post("wu", "right", models.DeviceCookieName("wu")+"="+device.Value) // chen's cookie under wu's name
	forged := device.Value[:len(device.Value)-2] + "xx"
	post("chen", "right", device.Name+"="+forged)
	if len(seen) != 5 || seen[0] != "" || seen[2] == "" || seen[3] != "" || seen[4] != "" {
		t.Fatalf("devices seen by the throttle: %q (want only the third trusted)", seen)
	}
}

// TestDecodersRefuseNullAndStrings: a null body, a null points object and a
// number sent as a string are refused, naming the field, never read as
// "no points" (which erased a draft).
func TestDecodersRefuseNullAndStrings(t *testing.T) {
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler))})
	app.Post("/score", func(c *fiber.Ctx) error {
		var req scoreRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if _, err := parsePoints(req.Points); err != nil {
			return err
		}
		return c.SendStatus(204)
	})
	tests := []struct {
		body   string
		status int
		field  string
	}{
		{`null`, 400, ""},
		{`[]`, 400, ""},
		{`"x"`, 400, ""},
		{`{"points":null}`, 422, "points"},
		{`{}`, 422, "points"},
		{`{"points":{"a":"20"}}`, 422, "points"},
		{`{"points":{"a":null}}`, 422, "points"},
		{`{"points":{"a":true}}`, 422, "points"},
		{`{"points":{"a":20.5}}`, 204, ""},
		{`{"points":{}}`, 204, ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("POST", "/score", strings.NewReader(tt.body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := app.Test(req, 5000)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d: %s", tt.body, resp.StatusCode, tt.status, out)
			continue
		}
		if tt.field != "" {
			var got errorBody
			_ = json.Unmarshal(out, &got)
			if got.Error.Fields[tt.field] == "" {
				t.Errorf("%s: no problem named for %q: %s", tt.body, tt.field, out)
			}
		}
	}
}

// TestReadyzKeepsReasonsPrivate: the public probe says "down", never the
// database's user, name or address.
func TestReadyzKeepsReasonsPrivate(t *testing.T) {
	secret := `failed to connect to user=leitai database=leitai host=10.1.2.3`
	resp, body := do(t, newTestApp(t, errorString(secret), nil), "GET", "/readyz")
	if resp.StatusCode != 503 || strings.Contains(string(body), "10.1.2.3") || strings.Contains(string(body), "user=") {
		t.Fatalf("readyz: %d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Retry-After") == "" {
		t.Fatalf("503 without Retry-After")
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

// TestTabletActorNamesItsIssuer: what a tablet session does is audited as
// the judge via the link's issuer.
func TestTabletActorNamesItsIssuer(t *testing.T) {
	app := fiber.New()
	var got models.Actor
	app.Get("/", func(c *fiber.Ctx) error {
		c.Locals(sessionKey, models.Session{User: models.User{ID: 7, Username: "judge1"},
			Tablet: &models.TabletScope{LiveShowID: 3, Seat: 1, IssuedBy: "host"}})
		got = actorOf(c)
		return nil
	})
	if _, err := app.Test(httptest.NewRequest("GET", "/", nil)); err != nil {
		t.Fatal(err)
	}
	if got.Name != "judge1 via tablet link issued by host" || got.UserID == nil || *got.UserID != 7 {
		t.Fatalf("actor %+v", got)
	}
}
