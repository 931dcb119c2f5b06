package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// pinger is a fake dependency whose readiness the test sets.
type pinger struct{ err error }

func (p pinger) Ping(context.Context) error  { return p.err }
func (p pinger) Check(context.Context) error { return p.err }

var testFrontend = fstest.MapFS{
	"index.html":        {Data: []byte(`<!doctype html><div id="app"></div>`)},
	"assets/app-1a.js":  {Data: []byte(`console.log(1)`)},
	"favicon.svg":       {Data: []byte(`<svg/>`)},
	"assets/style.css":  {Data: []byte(`body{}`)},
	"locales/readme.md": {Data: []byte(`x`)},
}

func newTestApp(t *testing.T, db, store error) *fiber.App {
	t.Helper()
	return New(Deps{DB: pinger{db}, Objects: pinger{store}, Frontend: testFrontend})
}

func do(t *testing.T, app *fiber.App, method, target string) (*http.Response, []byte) {
	t.Helper()
	resp, err := app.Test(httptest.NewRequest(method, target, nil), 5000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

func TestHealthAndReady(t *testing.T) {
	tests := []struct {
		name       string
		db, store  error
		wantStatus int
		want       map[string]string
	}{
		{"all up", nil, nil, 200, map[string]string{"status": "ok", "database": "ok", "storage": "ok"}},
		{"database down", errors.New("connection refused"), nil, 503, map[string]string{"database": "down", "storage": "ok"}},
		{"storage down", nil, errors.New("bucket gone"), 503, map[string]string{"database": "ok", "storage": "down"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, newTestApp(t, tt.db, tt.store), "GET", "/readyz")
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			var got map[string]string
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
	resp, body := do(t, newTestApp(t, nil, nil), "GET", "/healthz")
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("healthz: %d %s", resp.StatusCode, body)
	}
}

// TestErrorShape checks every error kind's status and body.
func TestErrorShape(t *testing.T) {
	tests := []struct {
		err     error
		status  int
		code    string
		message string
	}{
		{models.Invalid("the project is not valid", map[string]string{"title": "required"}), 422, "invalid", "the project is not valid"},
		{models.Errorf(models.KindInvalid, "malformed JSON"), 400, "invalid", "malformed JSON"},
		{models.ErrUnauthenticated, 401, "unauthenticated", "authentication required"},
		{models.ErrForbidden, 403, "forbidden", "forbidden"},
		{models.Errorf(models.KindNotFound, "no such project"), 404, "not_found", "no such project"},
		{models.Errorf(models.KindConflict, "deadline passed"), 409, "conflict", "deadline passed"},
		{models.ErrTooLarge, 413, "too_large", "too large"},
		{models.ErrUnsupportedMedia, 415, "unsupported_media", "unsupported media type"},
		{&models.Error{Kind: models.KindRateLimited, Message: "slow down", RetryAfterSeconds: 7}, 429, "rate_limited", "slow down"},
		{models.Errorf(models.KindUnavailable, "database unavailable"), 503, "unavailable", "database unavailable"},
		{errors.New("secret database detail"), 500, "internal", "internal error"},
		{&models.Error{Kind: models.KindInternal, Message: "secret detail"}, 500, "internal", "internal error"},
		{fiber.ErrRequestEntityTooLarge, 413, "too_large", "Request Entity Too Large"},
	}
	for _, tt := range tests {
		t.Run(tt.code+"/"+tt.message, func(t *testing.T) {
			app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.DiscardHandler))})
			app.Get("/x", func(*fiber.Ctx) error { return tt.err })
			resp, body := do(t, app, "GET", "/x")
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			var got errorBody
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("body %s: %v", body, err)
			}
			if string(got.Error.Code) != tt.code || got.Error.Message != tt.message {
				t.Fatalf("error = %+v, want %s %q", got.Error, tt.code, tt.message)
			}
			if tt.code == "invalid" && tt.status == 422 && got.Error.Fields["title"] != "required" {
				t.Fatalf("fields = %v", got.Error.Fields)
			}
			if tt.code == "unavailable" && resp.Header.Get("Retry-After") == "" {
				t.Fatalf("503 without Retry-After")
			}
			if tt.code == "rate_limited" && resp.Header.Get("Retry-After") != "7" {
				t.Fatalf("Retry-After = %q", resp.Header.Get("Retry-After"))
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	app := New(Deps{DB: pinger{}, Objects: pinger{}, Config: Config{BodyLimit: 1024}})
	app.Post("/api/v1/echo", func(c *fiber.Ctx) error { return c.SendStatus(204) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	defer app.Shutdown()
	resp, err := http.Post("http://"+ln.Addr().String()+"/api/v1/echo", "application/octet-stream", strings.NewReader(strings.Repeat("x", 4096)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 413 || !strings.Contains(string(body), `"code":"too_large"`) {
		t.Fatalf("oversized body: %d %s", resp.StatusCode, body)
	}
}

func TestSPAAndAPINotFound(t *testing.T) {
	app := newTestApp(t, nil, nil)
	tests := []struct {
		target     string
		status     int
		contains   string
		contentTyp string
	}{
		{"/", 200, `<div id="app">`, "text/html"},
		{"/tracker", 200, `<div id="app">`, "text/html"},
		{"/display/42", 200, `<div id="app">`, "text/html"},
		{"/no/such/page", 200, `<div id="app">`, "text/html"},
		{"/assets/app-1a.js", 200, "console.log", "javascript"},
		{"/assets/missing.js", 404, `"not_found"`, "application/json"},
		{"/api/v1/no-such-thing", 404, `"code":"not_found"`, "application/json"},
		{"/api/unknown", 404, `"code":"not_found"`, "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			resp, body := do(t, app, "GET", tt.target)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) ||
				!strings.Contains(resp.Header.Get("Content-Type"), tt.contentTyp) {
				t.Fatalf("GET %s = %d %q %s", tt.target, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
	resp, _ := do(t, app, "POST", "/api/v1/nothing")
	if resp.StatusCode != 404 {
		t.Fatalf("POST unknown API path = %d", resp.StatusCode)
	}
	resp, _ = do(t, app, "GET", "/")
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Request-Id"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	// The page carries the server's time zone (LEITAI_TIMEZONE) for the browser.
	chongqing, err := time.LoadLocation("Asia/Chongqing")
	if err != nil {
		t.Fatal(err)
	}
	zoned := New(Deps{DB: pinger{}, Objects: pinger{}, Frontend: fstest.MapFS{"index.html": {Data: []byte(`<!doctype html><html><head><title>x</title></head><body></body></html>`)}},
		Config: Config{Location: chongqing}})
	if _, body := do(t, zoned, "GET", "/portal"); !strings.Contains(string(body), `<head><meta name="leitai-timezone" content="Asia/Chongqing" /><title>`) {
		t.Fatalf("no time zone in the page: %s", body)
	}
	resp, body := do(t, New(Deps{DB: pinger{}, Objects: pinger{}}), "GET", "/deep/link")
	if resp.StatusCode != 503 || !strings.Contains(string(body), "make run") {
		t.Fatalf("unbuilt frontend: %d %s", resp.StatusCode, body)
	}
}

// TestMetrics: /metrics answers operators only — the bearer token from
// anywhere, or a direct request from this host (tested over a real loopback
// socket in the root package) — never the public or a relayed request.
func TestMetrics(t *testing.T) {
	app := New(Deps{DB: pinger{}, Objects: pinger{}, Frontend: testFrontend, Config: Config{MetricsToken: "s3cret-token"}})
	do(t, app, "GET", "/healthz")
	scrape := func(header map[string]string) (int, string) {
		req := httptest.NewRequest("GET", "/metrics", nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := app.Test(req, 5000)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	for _, h := range []map[string]string{nil, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret-token"}} {
		if code, body := scrape(h); code != 403 || strings.Contains(body, "leitai_http") {
			t.Fatalf("metrics with %v: %d %.100s", h, code, body)
		}
	}
	code, body := scrape(map[string]string{"Authorization": "Bearer s3cret-token"})
	if code != 200 || !strings.Contains(body, `leitai_http_requests_total{method="GET",route="/healthz",status="200"} 1`) {
		t.Fatalf("metrics: %d %s", code, body)
	}
}

// TestOpenAPIMatchesRoutes fails when a route is missing from the document
// or the document names a route that does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+p] = true
		}
	}
	param := regexp.MustCompile(`:(\w+)`)
	routed := map[string]bool{}
	for _, r := range newTestApp(t, nil, nil).GetRoutes(true) {
		if r.Method == "HEAD" || r.Path == "/api/*" || r.Path == "/*" {
			continue // automatic HEADs and the fallbacks are not API
		}
		p := param.ReplaceAllString(r.Path, "{$1}")
		p = strings.Replace(p, "*", "{path}", 1)
		routed[r.Method+" "+p] = true
	}
	var missing, stale []string
	for k := range routed {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routed[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("routes not in openapi.json: %v; documented but not routed: %v", missing, stale)
	}
}

// TestOpenAPIAccessMatchesRules keeps each operation's "x-access" in the
// document equal to the rule the route is registered with.
func TestOpenAPIAccessMatchesRules(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			Access string `json:"x-access"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	app := fiber.New()
	r := (&handlers{deps: Deps{}}).routes(app)
	param := regexp.MustCompile(`:(\w+)`)
	for _, rule := range r.rules {
		path := param.ReplaceAllString(rule.path, "{$1}")
		op, ok := doc.Paths[path][strings.ToLower(rule.method)]
		if !ok {
			t.Errorf("%s %s is not documented", rule.method, path)
			continue
		}
		want := "public"
		switch {
		case rule.access.public:
		case len(rule.access.roles) == 0:
			want = "signed in"
		default:
			names := make([]string, len(rule.access.roles))
			for i, role := range rule.access.roles {
				names[i] = string(role)
			}
			want = strings.Join(names, ", ")
		}
		if op.Access != want {
			t.Errorf("%s %s: x-access %q, route rule %q", rule.method, path, op.Access, want)
		}
	}
}

func TestParseRange(t *testing.T) {
	tests := []struct {
		h       string
		size    int64
		want    models.ByteRange
		wantErr bool
	}{
		{"bytes=0-9", 100, models.ByteRange{Start: 0, End: 9}, false},
		{"bytes=90-", 100, models.ByteRange{Start: 90, End: 99}, false},
		{"bytes=-10", 100, models.ByteRange{Start: 90, End: 99}, false},
		{"bytes=50-500", 100, models.ByteRange{Start: 50, End: 99}, false},
		{"bytes=100-", 100, models.ByteRange{}, true},
		{"bytes=5-1", 100, models.ByteRange{}, true},
		{"bytes=0-1,5-6", 100, models.ByteRange{}, true},
		{"items=0-1", 100, models.ByteRange{}, true},
	}
	for _, tt := range tests {
		got, err := parseRange(tt.h, tt.size)
		if (err != nil) != tt.wantErr || (!tt.wantErr && got != tt.want) {
			t.Errorf("parseRange(%q) = %+v, %v", tt.h, got, err)
		}
	}
}
