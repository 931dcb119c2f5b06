package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"leitai/storage"
)

// postLogin signs in with the given cookies and returns the status and the
// cookies set.
func postLogin(t *testing.T, base, username, password string, cookies []*http.Cookie) (int, []*http.Cookie) {
	t.Helper()
	raw, _ := json.Marshal(map[string]string{"username": username, "password": password})
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Cookies()
}

// TestAttackerCannotLockOutAKnownDevice is the lock-out attack of the
// adversarial test: an attacker on the same address (one venue Wi-Fi)
// keeps failing as a unit user; the user's browser, which has signed in
// before, still gets in at once with the right password.
func TestAttackerCannotLockOutAKnownDevice(t *testing.T) {
	dir := t.TempDir()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	seedRoles(t, base, dir)

	code, cookies := postLogin(t, base, "r-unit", "password-unit", nil)
	var device []*http.Cookie
	for _, c := range cookies {
		if strings.HasPrefix(c.Name, "leitai_dev_") {
			device = append(device, c)
		}
	}
	if code != 200 || len(device) != 1 {
		t.Fatalf("first sign-in: %d, device cookies %v", code, cookies)
	}
	for i := 0; i < 12; i++ {
		postLogin(t, base, "r-unit", "guess", nil)
	}
	if code, _ := postLogin(t, base, "r-unit", "password-unit", nil); code != 429 {
		t.Fatalf("an unknown device behind the guesser's address is slowed: got %d, want 429", code)
	}
	for i := 0; i < 5; i++ {
		if code, set := postLogin(t, base, "r-unit", "password-unit", device); code != 200 {
			t.Fatalf("attempt %d: the user's own device was refused with %d after an attacker's failures", i+1, code)
		} else {
			for _, c := range set {
				if c.Name == device[0].Name {
					device = []*http.Cookie{c}
				}
			}
		}
	}
}

// redeem opens a tablet link's session the way the tablet page does.
func redeem(t *testing.T, base, url string) *client {
	t.Helper()
	_, token, _ := strings.Cut(url, "#")
	c := &client{t: t, base: base}
	code, body, h := c.do("POST", "/api/v1/auth/link", map[string]string{"token": token})
	if code != 200 {
		t.Fatalf("redeem: %d %s", code, body)
	}
	for _, sc := range h.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(sc, "leitai_session="); ok {
			c.cookie = strings.SplitN(v, ";", 2)[0]
		}
	}
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	_ = json.Unmarshal(body, &s)
	c.csrf = s.CSRFToken
	return c
}

// TestTabletLinkIsScopedToItsFinal is the adversarial test's second attack:
// a host reissues a judge's tablet link and opens it. The session reaches
// that final's judge routes only — not the review rounds, not another
// final — and reissuing the seat ends it.
func TestTabletLinkIsScopedToItsFinal(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := storage.Open(ctx, "", dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const password = "tablet-pass-1"
	roundID := seedLiveFinal(t, db, password)
	db.Close()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	admin := login(t, base, "admin", password)
	host := login(t, base, "host", password)
	var users struct {
		Users []struct {
			ID int64 `json:"id"`
		} `json:"users"`
	}
	code, body, _ := admin.do("GET", "/api/v1/users?role=expert", nil)
	decodeInto(t, code, body, 200, &users)
	var judgeIDs []int64
	for _, u := range users.Users {
		judgeIDs = append(judgeIDs, u.ID)
	}
	var ev struct {
		ID int64 `json:"id"`
	}
	code, body, _ = admin.do("POST", fmt.Sprintf("/api/v1/rounds/%d/live-events", roundID),
		map[string]any{"title": "终审PK赛", "judge_ids": judgeIDs, "audience_mode": "open", "weights": map[string]int{"panel": 90, "previous": 0, "audience": 10}})
	decodeInto(t, code, body, 201, &ev)

	var link struct {
		URL string `json:"url"`
	}
	code, body, _ = host.do("POST", fmt.Sprintf("/api/v1/live-events/%d/judges/1/link", ev.ID), map[string]any{})
	decodeInto(t, code, body, 201, &link)
	tablet := redeem(t, base, link.URL)
	allowed := []string{"GET /api/v1/me", fmt.Sprintf("GET /api/v1/live-events/%d/judge", ev.ID)}
	for _, route := range allowed {
		method, path, _ := strings.Cut(route, " ")
		if code, body, _ := tablet.do(method, path, nil); code != 200 {
			t.Fatalf("%s from the tablet: %d %s", route, code, body)
		}
	}
	refused := []string{
		"GET /api/v1/review/rounds",
		fmt.Sprintf("PUT /api/v1/review/rounds/%d/projects/1/score", roundID),
		"GET /api/v1/me/conflicts",
		"POST /api/v1/me/password",
		fmt.Sprintf("GET /api/v1/live-events/%d/judge", ev.ID+1),
		fmt.Sprintf("PUT /api/v1/live-events/%d/judge/scores/1", ev.ID+1),
	}
	for _, route := range refused {
		method, path, _ := strings.Cut(route, " ")
		var payload any
		if method != "GET" {
			payload = map[string]any{"points": map[string]any{}}
		}
		if code, body, _ := tablet.do(method, path, payload); code != 403 {
			t.Errorf("%s from a tablet session: %d %s, want 403", route, code, body)
		}
	}
	// Reissuing the seat's link ends the session the earlier one opened.
	code, body, _ = host.do("POST", fmt.Sprintf("/api/v1/live-events/%d/judges/1/link", ev.ID), map[string]any{})
	decodeInto(t, code, body, 201, &link)
	if code, body, _ := tablet.do("GET", "/api/v1/me", nil); code != 401 {
		t.Fatalf("the earlier tablet session after a reissue: %d %s, want 401", code, body)
	}
	code, body, _ = admin.do("GET", "/api/v1/audit?action=live.judge_link", nil)
	if code != 200 || !strings.Contains(string(body), "live.judge_link") {
		t.Fatalf("audit of the reissue: %d %.300s", code, body)
	}
}

// TestMetricsForOperatorsOnly: this host may scrape /metrics directly; a
// request relayed by a proxy (as every public visitor's is) may not.
func TestMetricsForOperatorsOnly(t *testing.T) {
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": t.TempDir()}))
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "leitai_http_requests_total") || !strings.Contains(body, "leitai_figures_up 1") || !strings.Contains(body, "leitai_media_backlog 0") {
		t.Fatalf("loopback scrape: %d %.200s", code, body)
	}
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("relayed scrape: %d, want 403", resp.StatusCode)
	}
}
