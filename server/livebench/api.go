package livebench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// apiClient speaks the platform's JSON API as one signed-in person (or
// anonymously).
type apiClient struct {
	base, cookie, csrf string
	http               *http.Client
}

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// newHTTPClient keeps up to conns connections to the server; local, when
// set, is the source address (127.0.0.x) of every connection.
func newHTTPClient(conns int, local net.IP) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if local != nil {
		d.LocalAddr = &net.TCPAddr{IP: local}
	}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute,
	}}
}

func (c *apiClient) do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
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
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %w", method, path, &apiError{Status: resp.StatusCode, Body: string(data)})
	}
	for _, sc := range resp.Cookies() {
		if sc.Name == "leitai_session" {
			c.cookie = sc.Value
		}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func login(ctx context.Context, hc *http.Client, base, username, password string) (*apiClient, error) {
	c := &apiClient{base: base, http: hc}
	var s struct {
		CSRFToken string `json:"csrf_token"`
	}
	if err := c.do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": password}, &s); err != nil {
		return nil, fmt.Errorf("sign in as %s: %w", username, err)
	}
	c.csrf = s.CSRFToken
	return c, nil
}

// liveEvent is the part of the event object the benchmark uses.
type liveEvent struct {
	ID    int64     `json:"id"`
	Slots [][]int64 `json:"slots"`
}

// show is a seeded live event run by its host and judged by its panel.
type show struct {
	base   string
	event  liveEvent
	host   *apiClient
	judges []*apiClient
	slot   []int64 // the projects of the slot being scored
	subs   int
}

// createShow signs in, creates a live event on the seeded round (every
// expert on its panel, open audience voting) and runs the first slot to
// open scoring, as the host does.
func createShow(ctx context.Context, base string, seed Seed) (*show, error) {
	hc := newHTTPClient(8, nil)
	admin, err := login(ctx, hc, base, seed.Admin, seed.Password)
	if err != nil {
		return nil, err
	}
	var users struct {
		Users []struct {
			ID int64 `json:"id"`
		} `json:"users"`
	}
	if err := admin.do(ctx, "GET", "/api/v1/users?role=expert", nil, &users); err != nil {
		return nil, err
	}
	var judgeIDs []int64
	for _, u := range users.Users {
		judgeIDs = append(judgeIDs, u.ID)
	}
	sh := &show{base: base}
	if err := admin.do(ctx, "POST", fmt.Sprintf("/api/v1/rounds/%d/live-events", seed.RoundID), map[string]any{
		"title": "终审PK赛（压测）", "judge_ids": judgeIDs, "audience_mode": "open", "pairing": "pk",
		// The venue's setting for how many phones share one address: the
		// vote burst sends each source address's devicesPerSource phones.
		"votes_per_address": devicesPerSource,
		"weights":           map[string]int{"panel": 60, "previous": 30, "audience": 10}}, &sh.event); err != nil {
		return nil, fmt.Errorf("create the live event: %w", err)
	}
	if len(sh.event.Slots) == 0 {
		return nil, fmt.Errorf("the live event %d has no slots", sh.event.ID)
	}
	sh.slot = sh.event.Slots[0]
	if sh.host, err = login(ctx, hc, base, seed.Host, seed.Password); err != nil {
		return nil, err
	}
	actions := []string{}
	for range sh.slot {
		actions = append(actions, "present", "qa")
	}
	for _, a := range append(actions, "open_scoring") {
		if err := sh.act(ctx, a); err != nil {
			return nil, err
		}
	}
	for _, j := range seed.Judges {
		c, err := login(ctx, hc, base, j, seed.Password)
		if err != nil {
			return nil, err
		}
		sh.judges = append(sh.judges, c)
	}
	return sh, nil
}

// onInstance is the same show driven through another instance.
func (sh *show) onInstance(ctx context.Context, base string, seed Seed) (*show, error) {
	cp := *sh
	cp.base = base
	cp.judges = nil
	hc := newHTTPClient(8, nil)
	for _, j := range seed.Judges {
		c, err := login(ctx, hc, base, j, seed.Password)
		if err != nil {
			return nil, err
		}
		cp.judges = append(cp.judges, c)
	}
	return &cp, nil
}

func (sh *show) act(ctx context.Context, action string) error {
	return sh.host.do(ctx, "POST", fmt.Sprintf("/api/v1/live-events/%d/actions", sh.event.ID), map[string]string{"action": action}, nil)
}

// submitScore is one judge's score submission from a tablet: each is a
// new submission, so each appends one event carrying the whole board.
func (sh *show) submitScore(ctx context.Context) error {
	sh.subs++
	n := sh.subs
	judge := sh.judges[n%len(sh.judges)]
	project := sh.slot[(n/len(sh.judges))%len(sh.slot)]
	points := map[string]float64{"innovative": float64(14 + n%8), "exploratory": 15, "demonstrative": 15, "replicable": 15, "sustainable": 10, "presentation": 8}
	return judge.do(ctx, "PUT", fmt.Sprintf("/api/v1/live-events/%d/judge/scores/%d", sh.event.ID, project),
		map[string]any{"points": points, "submission_id": fmt.Sprintf("bench-%d-%d", time.Now().UnixNano(), n)}, nil)
}

func (sh *show) wsURL() string {
	return fmt.Sprintf("ws%s/ws/live/%d", sh.base[len("http"):], sh.event.ID)
}
