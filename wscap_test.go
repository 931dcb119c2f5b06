package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"leitai/storage"
)

// startWithBoard seeds a live final on a fresh SQLite data dir, serves it
// with env, creates its live event and returns the base URL and the event.
func startWithBoard(t *testing.T, env map[string]string) (base string, eventID int64) {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	db, err := storage.Open(ctx, "", dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const password = "board-caps-pass-1"
	roundID := seedLiveFinal(t, db, password)
	db.Close()
	env["LEITAI_DATA_DIR"] = dir
	base = startServe(t, testConfig(t, env))
	admin := login(t, base, "admin", password)
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
	return base, ev.ID
}

// dialBoard opens a board connection from the loopback address from
// (127.0.0.0/8 is all local on Linux): the connection and its first
// message, or the refusal's response.
func dialBoard(t *testing.T, base string, eventID int64, from string) (*websocket.Conn, *http.Response) {
	t.Helper()
	d := &websocket.Dialer{HandshakeTimeout: 10 * time.Second,
		NetDialContext: (&net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext}
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws/live/" + strconv.FormatInt(eventID, 10)
	conn, resp, err := d.Dial(u, nil)
	if err != nil {
		if resp == nil {
			t.Fatalf("dial from %s: %v", from, err)
		}
		return nil, resp
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := conn.ReadMessage()
	if err != nil {
		t.Fatalf("first message from %s: %v", from, err)
	}
	var m struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &m); err != nil || m.Type != "snapshot" {
		t.Fatalf("first message %.100s, want a snapshot", data)
	}
	return conn, nil
}

// mustRefuse checks a refused dial: 503, Retry-After and the error shape.
func mustRefuse(t *testing.T, resp *http.Response, what string) {
	t.Helper()
	if resp == nil {
		t.Fatalf("%s: connected, want 503", what)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || e.Error.Code != "unavailable" {
		t.Fatalf("%s: %d Retry-After %q %s, want 503 with Retry-After", what, resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}

var metricLine = regexp.MustCompile(`(?m)^(leitai_board_[a-z_]+(?:\{[^}]*\})?) ([0-9.e+]+)$`)

func boardMetrics(t *testing.T, base string) map[string]float64 {
	t.Helper()
	code, body := get(t, base+"/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	out := map[string]float64{}
	for _, m := range metricLine.FindAllStringSubmatch(body, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		out[m[1]] = v
	}
	return out
}

// waitConnections polls /metrics until the server counts n connections
// (closing is asynchronous on the server's side).
func waitConnections(t *testing.T, base string, n float64) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		m := boardMetrics(t, base)
		if m["leitai_board_connections"] == n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("leitai_board_connections = %v, want %v", m["leitai_board_connections"], n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// One address cannot hold more than its cap of board connections, the
// instance no more than its own; both are refused with 503 and
// Retry-After, other addresses are unaffected, and the places come back
// when connections close.
func TestBoardConnectionCaps(t *testing.T) {
	base, eventID := startWithBoard(t, map[string]string{"LEITAI_WS_PER_ADDRESS": "3", "LEITAI_WS_MAX": "5"})
	var first []*websocket.Conn
	for i := range 3 {
		conn, resp := dialBoard(t, base, eventID, "127.0.0.1")
		if conn == nil {
			t.Fatalf("connection %d from 127.0.0.1 refused: %d", i+1, resp.StatusCode)
		}
		first = append(first, conn)
	}
	_, resp := dialBoard(t, base, eventID, "127.0.0.1")
	mustRefuse(t, resp, "a fourth connection from one address")
	var others []*websocket.Conn
	for i := range 2 {
		conn, resp := dialBoard(t, base, eventID, "127.0.0.2")
		if conn == nil {
			t.Fatalf("connection %d from another address refused: %d", i+1, resp.StatusCode)
		}
		others = append(others, conn)
	}
	_, resp = dialBoard(t, base, eventID, "127.0.0.3")
	mustRefuse(t, resp, "a sixth connection to an instance capped at 5")
	m := waitConnections(t, base, 5)
	for name, want := range map[string]float64{
		`leitai_board_refused_total{reason="address"}`:  1,
		`leitai_board_refused_total{reason="instance"}`: 1,
		"leitai_board_connections_max":                  5,
		"leitai_board_connections_per_address_max":      3,
		"leitai_board_queue_drops_total":                0,
		"leitai_board_slow_cuts_total":                  0,
	} {
		if got, ok := m[name]; !ok || got != want {
			t.Errorf("%s = %v (present %v), want %v", name, got, ok, want)
		}
	}

	// Closing gives the places back, to that address and to the instance.
	for _, c := range first {
		c.Close()
	}
	waitConnections(t, base, 2)
	for i := range 3 {
		conn, resp := dialBoard(t, base, eventID, "127.0.0.1")
		if conn == nil {
			t.Fatalf("reconnection %d from 127.0.0.1 refused after closing: %d", i+1, resp.StatusCode)
		}
		others = append(others, conn)
	}
	for _, c := range others {
		c.Close()
	}
	waitConnections(t, base, 0)
	// An unknown board is refused before the upgrade, also after a known
	// one was served from memory.
	if _, resp := dialBoard(t, base, eventID+1000, "127.0.0.3"); resp == nil || resp.StatusCode != 404 {
		t.Fatalf("unknown board: %v, want 404", resp)
	}
	if conn, resp := dialBoard(t, base, eventID, "127.0.0.3"); conn == nil {
		t.Fatalf("an empty board refused a viewer: %d", resp.StatusCode)
	} else {
		conn.Close()
	}
}

func TestWSCapacityFromOpenFileLimit(t *testing.T) {
	for _, c := range []struct {
		configured int
		nofile     uint64
		want       int
		clamped    bool
	}{
		{0, 20000, 19000, false},
		{0, 1024, 768, false},
		{0, 300, 150, false},
		{500, 20000, 500, false},
		{30000, 20000, 19000, true},
		{0, 0, 0, false},
		{700, 0, 700, false},
	} {
		got, clamped := wsCapacity(c.configured, c.nofile)
		if got != c.want || clamped != c.clamped {
			t.Errorf("wsCapacity(%d, %d) = %d, %v; want %d, %v", c.configured, c.nofile, got, clamped, c.want, c.clamped)
		}
	}
	// The default configuration: 2,000 per address, derived instance cap.
	cfg := testConfig(t, map[string]string{})
	if cfg.WSPerAddress != 2000 || cfg.WSMax != 0 {
		t.Fatalf("defaults: per address %d, max %d", cfg.WSPerAddress, cfg.WSMax)
	}
}
