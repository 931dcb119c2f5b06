package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"leitai/models"
	"leitai/storage"
)

// client is a browser-like API caller: a session cookie and a CSRF token.
type client struct {
	t      *testing.T
	base   string
	cookie string
	csrf   string
}

func (c *client) do(method, path string, body any) (int, []byte, http.Header) {
	c.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", "leitai_session="+c.cookie)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out, resp.Header
}

// login signs in and keeps the cookie and token.
func login(t *testing.T, base, username, password string) *client {
	t.Helper()
	c := &client{t: t, base: base}
	code, body, h := c.do("POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password})
	if code != 200 {
		t.Fatalf("login %s: %d %s", username, code, body)
	}
	for _, sc := range h.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(sc, "leitai_session="); ok {
			c.cookie = strings.SplitN(v, ";", 2)[0]
			if !strings.Contains(sc, "HttpOnly") || !strings.Contains(strings.ToLower(sc), "samesite=lax") {
				t.Fatalf("session cookie lacks HttpOnly/SameSite=Lax: %s", sc)
			}
		}
	}
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	_ = json.Unmarshal(body, &s)
	c.csrf = s.CSRFToken
	if c.cookie == "" || c.csrf == "" {
		t.Fatalf("login %s: no cookie or token", username)
	}
	return c
}

// accessTable is who may call each documented route: every route ×
// every role. A route missing here fails the test, so new routes must be
// added with their intended audience.
var accessTable = map[string][]string{
	"GET /api/v1/editions/{id}/award-tiers":                        {"anon", "admin", "unit", "expert", "host"},
	"PUT /api/v1/editions/{id}/award-tiers":                        {"admin"},
	"GET /api/v1/editions/{id}/awards":                             {"admin", "unit"},
	"POST /api/v1/rounds/{id}/awards":                              {"admin"},
	"GET /api/v1/awards/{id}":                                      {"admin", "unit"},
	"PATCH /api/v1/awards/{id}":                                    {"admin"},
	"POST /api/v1/awards/{id}/sign":                                {"admin"},
	"POST /api/v1/awards/{id}/suspend":                             {"admin"},
	"POST /api/v1/awards/{id}/resume":                              {"admin"},
	"POST /api/v1/awards/{id}/terminate":                           {"admin"},
	"GET /api/v1/editions/{id}/awards/export":                      {"admin"},
	"DELETE /api/v1/projects/{id}":                                 {"unit"},
	"GET /api/v1/follow/dashboard":                                 {"admin"},
	"GET /api/v1/unit-flags":                                       {"admin"},
	"POST /api/v1/awards/{id}/mentors":                             {"admin"},
	"POST /api/v1/awards/{id}/visits":                              {"expert"},
	"GET /api/v1/mentoring":                                        {"expert"},
	"POST /api/v1/awards/{id}/adoptions":                           {"admin"},
	"PUT /api/v1/awards/{id}/plan":                                 {"unit"},
	"POST /api/v1/awards/{id}/plan/{version}/approve":              {"admin"},
	"POST /api/v1/awards/{id}/plan/{version}/return":               {"admin"},
	"PUT /api/v1/awards/{id}/milestones/{seq}/report":              {"unit"},
	"POST /api/v1/awards/{id}/milestones/{seq}/report/submit":      {"unit"},
	"POST /api/v1/awards/{id}/milestones/{seq}/report/accept":      {"admin"},
	"POST /api/v1/awards/{id}/milestones/{seq}/report/changes":     {"admin"},
	"POST /api/v1/awards/{id}/milestones/{seq}/check":              {"admin"},
	"POST /api/v1/awards/{id}/tranches/{seq}/approve":              {"admin"},
	"POST /api/v1/awards/{id}/tranches/{seq}/pay":                  {"admin"},
	"POST /api/v1/awards/{id}/tranches/{seq}/withhold":             {"admin"},
	"GET /api/v1/checks":                                           {"expert"},
	"GET /api/v1/checks/{id}":                                      {"expert"},
	"PUT /api/v1/checks/{id}/grade":                                {"expert"},
	"POST /api/v1/checks/{id}/grade/submit":                        {"expert"},
	"GET /api/v1/tracker":                                          {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/tracker/{id}":                                     {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/tracker/photos/{id}":                              {"anon", "admin", "unit", "expert", "host"},
	"GET /healthz":                                                 {"anon", "admin", "unit", "expert", "host"},
	"GET /readyz":                                                  {"anon", "admin", "unit", "expert", "host"},
	"GET /metrics":                                                 {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/openapi.json":                                     {"anon", "admin", "unit", "expert", "host"},
	"POST /api/v1/auth/login":                                      {"anon", "admin", "unit", "expert", "host"},
	"POST /api/v1/auth/link":                                       {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/setup":                                            {"anon", "admin", "unit", "expert", "host"},
	"POST /api/v1/setup":                                           {"anon", "admin", "unit", "expert", "host"},
	"POST /api/v1/auth/logout":                                     {"admin", "unit", "expert", "host"},
	"GET /api/v1/me":                                               {"admin", "unit", "expert", "host"},
	"POST /api/v1/me/password":                                     {"admin", "unit", "expert", "host"},
	"GET /api/v1/me/settings":                                      {"admin", "unit", "expert", "host"},
	"PUT /api/v1/me/settings":                                      {"admin", "unit", "expert", "host"},
	"GET /api/v1/notifications":                                    {"admin", "unit", "expert", "host"},
	"POST /api/v1/notifications/read-all":                          {"admin", "unit", "expert", "host"},
	"POST /api/v1/notifications/{id}/read":                         {"admin", "unit", "expert", "host"},
	"GET /api/v1/units":                                            {"admin", "unit", "expert", "host"},
	"POST /api/v1/units":                                           {"admin"},
	"POST /api/v1/units/import":                                    {"admin"},
	"PATCH /api/v1/units/{id}":                                     {"admin"},
	"DELETE /api/v1/units/{id}":                                    {"admin"},
	"GET /api/v1/users":                                            {"admin"},
	"POST /api/v1/users":                                           {"admin"},
	"POST /api/v1/users/import":                                    {"admin"},
	"PATCH /api/v1/users/{id}":                                     {"admin"},
	"POST /api/v1/users/{id}/password":                             {"admin"},
	"POST /api/v1/users/{id}/login-links":                          {"admin"},
	"GET /api/v1/audit":                                            {"admin"},
	"GET /api/v1/audit/verify":                                     {"admin"},
	"GET /api/v1/projects/{id}/media":                              {"admin", "unit", "recommender"},
	"GET /api/v1/projects/{id}/uploads":                            {"admin", "unit"},
	"POST /api/v1/projects/{id}/uploads":                           {"admin", "unit"},
	"GET /api/v1/uploads/{id}":                                     {"admin", "unit", "expert"},
	"DELETE /api/v1/uploads/{id}":                                  {"admin", "unit", "expert"},
	"PUT /api/v1/uploads/{id}/parts/{n}":                           {"admin", "unit", "expert"},
	"POST /api/v1/uploads/{id}/parts/{n}/url":                      {"admin", "unit", "expert"},
	"POST /api/v1/uploads/{id}/parts/{n}/done":                     {"admin", "unit", "expert"},
	"POST /api/v1/uploads/{id}/complete":                           {"admin", "unit", "expert"},
	"GET /api/v1/media/{id}":                                       {"admin", "unit"},
	"DELETE /api/v1/media/{id}":                                    {"admin", "unit"},
	"GET /files/{path}":                                            {"signed link"},
	"GET /api/v1/results":                                          {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/rounds/{id}/published-sheet":                      {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/rounds/{id}/statistics":                           {"admin"},
	"GET /api/v1/rounds/{id}/export":                               {"admin"},
	"GET /api/v1/editions/{id}/rounds":                             {"admin"},
	"POST /api/v1/editions/{id}/rounds":                            {"admin"},
	"GET /api/v1/rounds/{id}":                                      {"admin"},
	"PATCH /api/v1/rounds/{id}":                                    {"admin"},
	"POST /api/v1/rounds/{id}/status":                              {"admin"},
	"POST /api/v1/rounds/{id}/assign":                              {"admin"},
	"GET /api/v1/rounds/{id}/progress":                             {"admin"},
	"GET /api/v1/rounds/{id}/results":                              {"admin"},
	"GET /api/v1/rounds/{id}/sheet":                                {"admin"},
	"GET /api/v1/review/rounds":                                    {"expert"},
	"GET /api/v1/review/rounds/{id}":                               {"expert"},
	"GET /api/v1/review/rounds/{id}/projects/{pid}":                {"expert"},
	"PUT /api/v1/review/rounds/{id}/projects/{pid}/score":          {"expert"},
	"GET /api/v1/me/conflicts":                                     {"expert"},
	"POST /api/v1/me/conflicts":                                    {"expert"},
	"GET /api/v1/editions":                                         {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/editions/current":                                 {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/editions/{id}":                                    {"anon", "admin", "unit", "expert", "host"},
	"POST /api/v1/editions":                                        {"admin"},
	"PATCH /api/v1/editions/{id}":                                  {"admin"},
	"GET /api/v1/editions/{id}/projects":                           {"admin", "unit"},
	"POST /api/v1/editions/{id}/projects":                          {"unit"},
	"GET /api/v1/editions/{id}/projects/export":                    {"admin"},
	"POST /api/v1/projects/eligibility":                            {"admin"},
	"GET /api/v1/projects/{id}":                                    {"admin", "unit", "recommender"},
	"PUT /api/v1/projects/{id}":                                    {"admin", "unit"},
	"POST /api/v1/projects/{id}/submit":                            {"admin", "unit"},
	"POST /api/v1/projects/{id}/withdraw":                          {"admin", "unit"},
	"POST /api/v1/projects/{id}/return":                            {"admin"},
	"GET /api/v1/projects/{id}/versions":                           {"admin", "unit", "recommender"},
	"GET /ws/live/{id}":                                            {"anon", "admin", "unit", "expert", "host"},
	"GET /ws/tracker":                                              {"anon", "admin", "unit", "expert", "host"},
	"POST /api/v1/rounds/{id}/live-events":                         {"admin"},
	"GET /api/v1/live-events":                                      {"admin", "host"},
	"GET /api/v1/live-events/{id}":                                 {"admin", "host"},
	"PATCH /api/v1/live-events/{id}":                               {"admin"},
	"POST /api/v1/live-events/{id}/draw":                           {"admin"},
	"POST /api/v1/live-events/{id}/tickets":                        {"admin"},
	"GET /api/v1/live-events/{id}/tickets":                         {"admin"},
	"POST /api/v1/live-events/{id}/judges/{seat}/link":             {"admin", "host"},
	"GET /api/v1/live-events/{id}/host":                            {"admin", "host"},
	"POST /api/v1/live-events/{id}/actions":                        {"admin", "host"},
	"PUT /api/v1/live-events/{id}/scores/{pid}/seats/{seat}":       {"admin", "host"},
	"POST /api/v1/live-events/{id}/wipe":                           {"admin", "host"},
	"GET /api/v1/live-events/{id}/slots/{n}/sheet":                 {"admin", "host"},
	"GET /api/v1/live-events/{id}/judge":                           {"expert"},
	"PUT /api/v1/live-events/{id}/judge/scores/{pid}":              {"expert"},
	"POST /api/v1/live-events/{id}/screen-link":                    {"admin", "host"},
	"DELETE /api/v1/live-events/{id}/screen-link":                  {"admin", "host"},
	"GET /api/v1/live-events/{id}/presence":                        {"screen key"},
	"GET /api/v1/live-events/{id}/audience":                        {"admin", "host"},
	"POST /api/v1/live-events/{id}/audience/voids":                 {"admin", "host"},
	"PUT /api/v1/live-events/{id}/tallies-public":                  {"admin", "host"},
	"POST /api/v1/live-events/{id}/device":                         {"anon", "admin", "unit", "expert", "host"},
	"POST /api/v1/live-events/{id}/votes":                          {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/live-events/{id}/board":                           {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/live-events/{id}/projects/{pid}/photo":            {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/review/rounds/{id}/projects/{pid}/media":          {"expert"},
	"GET /api/v1/rounds/{id}/decisions":                            {"admin"},
	"POST /api/v1/rounds/{id}/decisions":                           {"admin"},
	"DELETE /api/v1/rounds/{id}/decisions/{did}":                   {"admin"},
	"PUT /api/v1/rounds/{id}/advancement":                          {"admin"},
	"GET /api/v1/rounds/{id}/experts":                              {"admin"},
	"PUT /api/v1/rounds/{id}/experts":                              {"admin"},
	"GET /api/v1/rounds/{id}/reminders":                            {"admin"},
	"POST /api/v1/rounds/{id}/reminders":                           {"admin"},
	"GET /api/v1/rounds/{id}/objections":                           {"admin"},
	"GET /api/v1/rounds/{id}/projects/{pid}/score-history":         {"admin"},
	"POST /api/v1/objections/{id}/answer":                          {"admin"},
	"POST /api/v1/results/{id}/objections":                         {"anon", "admin", "unit", "expert", "host"},
	"GET /api/v1/conflicts":                                        {"admin"},
	"POST /api/v1/conflicts":                                       {"admin"},
	"POST /api/v1/conflicts/remove":                                {"admin"},
	"GET /api/v1/rounds/{id}/assignments":                          {"admin"},
	"POST /api/v1/rounds/{id}/reassign":                            {"admin"},
	"GET /api/v1/rounds/{id}/publication-window":                   {"admin"},
	"GET /api/v1/editions/{id}/calendar":                           {"admin"},
	"PUT /api/v1/editions/{id}/calendar":                           {"admin"},
	"GET /api/v1/rounds/{id}/blind":                                {"admin"},
	"PUT /api/v1/rounds/{id}/blind/{pid}":                          {"admin"},
	"GET /api/v1/review/rounds/{id}/projects/{pid}/visits":         {"expert"},
	"PUT /api/v1/review/rounds/{id}/projects/{pid}/visit":          {"expert"},
	"POST /api/v1/review/rounds/{id}/projects/{pid}/visit/uploads": {"expert"},
	"GET /api/v1/rounds/{id}/projects/{pid}/visits":                {"admin"},
	"GET /api/v1/editions/{id}/figures":                            {"admin"},
	"GET /api/v1/editions/{id}/figures/export":                     {"admin"},
	// County and department recommendation (县区推荐). A row that lets every
	// other signed-in role in lets the recommender in too (recommenderMay).
	"GET /api/v1/editions/{id}/recommendations":     {"admin", "recommender"},
	"POST /api/v1/projects/{id}/recommend":          {"recommender"},
	"POST /api/v1/projects/{id}/recommender-return": {"recommender"},
	"PUT /api/v1/projects/{id}/recommend-comment":   {"recommender"},
	"GET /api/v1/recommend/units":                   {"recommender"},
	"POST /api/v1/recommend/units":                  {"recommender"},
	"PATCH /api/v1/recommend/units/{id}":            {"recommender"},
	"GET /api/v1/recommend/users":                   {"recommender"},
	"POST /api/v1/recommend/users":                  {"recommender"},
	"PATCH /api/v1/recommend/users/{id}":            {"recommender"},
	"POST /api/v1/recommend/users/{id}/password":    {"recommender"},
}

// recommenderMay is whether the recommender role may call a route of the
// table: named in its row, or a row open to every other signed-in role
// (public and signed-in routes).
func recommenderMay(allowed []string) bool {
	if contains(allowed, "recommender") {
		return true
	}
	for _, r := range []string{"admin", "unit", "expert", "host"} {
		if !contains(allowed, r) {
			return false
		}
	}
	return true
}

// seedRoles creates one account per role and signs each in.
func seedRoles(t *testing.T, base, dataDir string) map[string]*client {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, "", dataDir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	actor := models.Actor{Name: "test"}
	unit, err := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCity, Name: "惠州市"})
	if err != nil {
		t.Fatal(err)
	}
	county, err := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCounty, Name: "惠城区", ParentID: &unit.ID})
	if err != nil {
		t.Fatal(err)
	}
	clients := map[string]*client{"anon": {t: t, base: base}}
	for _, role := range models.Roles {
		n := models.NewUser{Username: "r-" + string(role), Password: "password-" + string(role), Roles: []models.Role{role}}
		switch role {
		case models.RoleUnit:
			n.UnitID = &unit.ID
		case models.RoleRecommender:
			n.UnitID = &county.ID
		}
		if _, err := db.CreateUser(ctx, actor, n); err != nil {
			t.Fatal(err)
		}
		clients[string(role)] = login(t, base, n.Username, n.Password)
	}
	return clients
}

// TestAccessEveryRouteEveryRole calls every documented route as every role:
// a role not in the table must get 401 (signed out) or 403, a role in it
// anything else.
func TestAccessEveryRouteEveryRole(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	clients := seedRoles(t, base, dir)

	_, body := get(t, base+"/api/v1/openapi.json")
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	var routes []string
	for p, ops := range doc.Paths {
		for m := range ops {
			routes = append(routes, strings.ToUpper(m)+" "+p)
		}
	}
	// Log out last: it ends the caller's session.
	sort.Slice(routes, func(i, j int) bool {
		li, lj := strings.HasSuffix(routes[i], "/logout"), strings.HasSuffix(routes[j], "/logout")
		if li != lj {
			return lj
		}
		return routes[i] < routes[j]
	})
	for _, route := range routes {
		allowed, ok := accessTable[route]
		if !ok {
			t.Errorf("route %s is not in accessTable: add it with the roles that may call it", route)
			continue
		}
		if allowed[0] == "signed link" || allowed[0] == "screen key" {
			continue // authorised by an HMAC-signed key: tested in storage/objects and TestAudienceDefencesOverHTTP
		}
		method, path, _ := strings.Cut(route, " ")
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{id}", "999999"), "{pid}", "999999")
		for _, role := range []string{"anon", "admin", "unit", "expert", "host", "recommender"} {
			var payload any
			if method != "GET" {
				payload = map[string]any{}
			}
			code, resp, _ := clients[role].do(method, path, payload)
			permitted := contains(allowed, role) || (role == "recommender" && recommenderMay(allowed))
			denied := code == 401 || code == 403
			switch {
			case permitted && denied:
				t.Errorf("%s as %s: %d %s, want access", route, role, code, resp)
			case !permitted && role == "anon" && code != 401:
				t.Errorf("%s signed out: %d %s, want 401", route, code, resp)
			case !permitted && role != "anon" && code != 403:
				t.Errorf("%s as %s: %d %s, want 403", route, role, code, resp)
			}
		}
	}
	for route := range accessTable {
		method, path, _ := strings.Cut(route, " ")
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("accessTable names %s, which is not a route", route)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestCSRFAndSessions checks the CSRF header, logout and the 429 path over
// HTTP.
func TestCSRFAndSessions(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	clients := seedRoles(t, base, dir)
	admin := clients["admin"]

	noToken := &client{t: t, base: base, cookie: admin.cookie}
	code, body, _ := noToken.do("POST", "/api/v1/units", map[string]any{"kind": "city", "name": "X"})
	if code != 403 || !strings.Contains(string(body), "X-CSRF-Token") {
		t.Fatalf("mutation without CSRF token: %d %s", code, body)
	}
	forged := &client{t: t, base: base, cookie: admin.cookie, csrf: clients["unit"].csrf}
	if code, _, _ := forged.do("POST", "/api/v1/units", map[string]any{"kind": "city", "name": "X"}); code != 403 {
		t.Fatalf("another session's token: %d", code)
	}
	code, body, _ = admin.do("GET", "/api/v1/me", nil)
	if code != 200 || !strings.Contains(string(body), `"csrf_token":"`+admin.csrf+`"`) || !strings.Contains(string(body), `"roles":["admin"]`) {
		t.Fatalf("me: %d %s", code, body)
	}
	// Malformed and oversized JSON are clear 400s.
	code, body, _ = admin.do("POST", "/api/v1/units", []byte(`{"kind":`))
	if code != 400 || !strings.Contains(string(body), "malformed JSON") {
		t.Fatalf("malformed JSON: %d %s", code, body)
	}
	code, body, _ = admin.do("POST", "/api/v1/units", map[string]any{"kind": "city", "name": "X", "colour": "red"})
	if code != 400 || !strings.Contains(string(body), "colour") {
		t.Fatalf("unknown field: %d %s", code, body)
	}
	code, body, _ = admin.do("POST", "/api/v1/units", map[string]any{"kind": "city", "name": strings.Repeat("长", 2<<20)})
	if code != 413 {
		t.Fatalf("oversized JSON: %d %.200s", code, body)
	}
	// Duplicate username: 409 naming the field.
	code, body, _ = admin.do("POST", "/api/v1/users", map[string]any{"username": "R-EXPERT", "password": "long enough", "roles": []string{"expert"}})
	if code != 409 || !strings.Contains(string(body), `"username":"already taken"`) {
		t.Fatalf("duplicate username: %d %s", code, body)
	}
	// Wrong passwords end in 429 with Retry-After; same 401 message for an
	// unknown user.
	anon := &client{t: t, base: base}
	_, unknownBody, _ := anon.do("POST", "/api/v1/auth/login", map[string]string{"username": "nobody", "password": "x"})
	var last int
	var lastHeader http.Header
	var lastBody []byte
	for i := 0; i < 6; i++ {
		last, lastBody, lastHeader = anon.do("POST", "/api/v1/auth/login", map[string]string{"username": "r-host", "password": "wrong"})
		if i == 0 && (last != 401 || string(lastBody) != string(unknownBody)) {
			t.Fatalf("wrong password %d %s vs unknown user %s", last, lastBody, unknownBody)
		}
	}
	if last != 429 || lastHeader.Get("Retry-After") == "" || !strings.Contains(string(lastBody), `"rate_limited"`) {
		t.Fatalf("sixth wrong password: %d %s (Retry-After %q)", last, lastBody, lastHeader.Get("Retry-After"))
	}
	// Logout ends the session.
	host := clients["host"]
	if code, _, _ := host.do("POST", "/api/v1/auth/logout", map[string]any{}); code != 204 {
		t.Fatalf("logout: %d", code)
	}
	if code, _, _ := host.do("GET", "/api/v1/me", nil); code != 401 {
		t.Fatalf("me after logout: %d", code)
	}
}

// TestImportOverHTTP uploads a GBK CSV with a bad row (nothing imported,
// every bad row listed), then a good one.
func TestImportOverHTTP(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	admin := seedRoles(t, base, dir)["admin"]
	upload := func(path, name string, data []byte) (int, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		fw, _ := w.CreateFormFile("file", name)
		fw.Write(data)
		w.Close()
		req, _ := http.NewRequest("POST", base+path, &buf)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.Header.Set("Cookie", "leitai_session="+admin.cookie)
		req.Header.Set("X-CSRF-Token", admin.csrf)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	bad, _ := simplifiedchinese.GBK.NewEncoder().String("名称,类型,上级\n惠阳区,县（区）,惠州市\n淡水街道,镇（街道）,惠州市/不存在\n某村,星球,惠州市\n")
	code, body := upload("/api/v1/units/import", "units.csv", []byte(bad))
	if code != 422 || !strings.Contains(string(body), `"row 3"`) || !strings.Contains(string(body), `"row 4"`) {
		t.Fatalf("bad import: %d %s", code, body)
	}
	_, list, _ := admin.do("GET", "/api/v1/units", nil)
	if strings.Contains(string(list), "惠阳区") {
		t.Fatal("a failed import left the good rows behind")
	}
	good, _ := simplifiedchinese.GBK.NewEncoder().String("名称,类型,上级\n惠阳区,县（区）,惠州市\n淡水街道,镇（街道）,惠州市/惠阳区\n")
	code, body = upload("/api/v1/units/import", "units.csv", []byte(good))
	if code != 200 || !strings.Contains(string(body), `"imported":2`) {
		t.Fatalf("good import: %d %s", code, body)
	}
	_, list, _ = admin.do("GET", "/api/v1/units", nil)
	if !strings.Contains(string(list), `"path":["惠州市","惠阳区","淡水街道"]`) {
		t.Fatalf("imported tree: %s", list)
	}
	code, body = upload("/api/v1/users/import", "experts.csv", []byte("用户名,姓名,单位,电话\nexpert-wang,王教授,惠州市/惠阳区,13812345678\n"))
	if code != 200 || !strings.Contains(string(body), `"username":"expert-wang"`) {
		t.Fatalf("user import: %d %s", code, body)
	}
	_, users, _ := admin.do("GET", "/api/v1/users?role=expert&q=wang", nil)
	if !strings.Contains(string(users), `"phone":"13812345678"`) || !strings.Contains(string(users), `"unit_name":"惠阳区"`) {
		t.Fatalf("admins see phones whole: %s", users)
	}
}
