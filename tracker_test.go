package main

import (
	"context"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestTrackerChannelTellsOpenPages: an open tracker page (or a big screen
// between sessions) on /ws/tracker hears that the public tracker changed,
// without a reload, when an organiser records something public.
func TestTrackerChannelTellsOpenPages(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LEITAI_DATA_DIR": dir, "LEITAI_DATABASE_URL": "", "LEITAI_S3_ENDPOINT": ""}
	for k, v := range env {
		t.Setenv(k, v)
	}
	if code := run(context.Background(), []string{"demo", "--password", "demo-pass-1"}, strings.NewReader(""), io.Discard, io.Discard); code != 0 {
		t.Fatalf("demo exit %d", code)
	}
	base := startServe(t, testConfig(t, env))
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+"/ws/tracker", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	read := func() map[string]json.RawMessage {
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var f map[string]json.RawMessage
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		return f
	}
	if f := read(); string(f["type"]) != `"snapshot"` || !strings.Contains(string(f["state"]), `"tracker":true`) {
		t.Fatalf("first frame: %v", f)
	}
	admin := login(t, base, "admin", "demo-pass-1")
	_, body, _ := (&client{t: t, base: base}).do("GET", "/api/v1/tracker", nil)
	var tr struct {
		Projects []struct{ ID int64 } `json:"projects"`
	}
	if err := json.Unmarshal(body, &tr); err != nil || len(tr.Projects) == 0 {
		t.Fatalf("tracker: %s", body)
	}
	award := tr.Projects[0].ID
	_, body, _ = admin.do("GET", "/api/v1/awards/"+strconv.FormatInt(award, 10), nil)
	var detail struct {
		UnitID int64 `json:"unit_id"`
	}
	_ = json.Unmarshal(body, &detail)
	_, body, _ = admin.do("GET", "/api/v1/units", nil)
	var units struct {
		Units []struct {
			ID   int64  `json:"id"`
			Kind string `json:"kind"`
		} `json:"units"`
	}
	_ = json.Unmarshal(body, &units)
	var other int64
	for _, u := range units.Units {
		if u.Kind == "county" && u.ID != detail.UnitID {
			other = u.ID
		}
	}
	if code, body, _ := admin.do("POST", "/api/v1/awards/"+strconv.FormatInt(award, 10)+"/adoptions",
		map[string]any{"unit_id": other, "adopted_on": "2026-11-01", "evidence": "全区推广"}); code != 200 {
		t.Fatalf("adoption: %d %s", code, body)
	}
	for {
		f := read()
		if string(f["type"]) != `"event"` {
			continue
		}
		var ev struct {
			Kind    string `json:"kind"`
			AwardID int64  `json:"award_id"`
		}
		_ = json.Unmarshal(f["event"], &ev)
		if ev.Kind != "tracker.changed" || ev.AwardID != award {
			t.Fatalf("event %+v, want tracker.changed for %d", ev, award)
		}
		break
	}
}
