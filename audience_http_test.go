package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"leitai/storage"
)

// TestAudienceDefencesOverHTTP drives the audience's defences through the
// real server (#11 item 3, #15 item 4): the host issues the big screen's
// link; only a screen holding its key gets the rotating code; a phone
// without the code is refused a device token (403 naming presence) and
// one with it votes; the host sees the per-address breakdown, voids an
// address with a reason and the tally drops; the phones' tallies toggle
// reaches the board; revoking the link ends the screen's codes.
func TestAudienceDefencesOverHTTP(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := storage.Open(ctx, "", dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const password = "audience-pass-1"
	roundID := seedLiveFinal(t, db, password)
	db.Close()
	base := startServe(t, testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir}))
	admin := login(t, base, "admin", password)
	host := login(t, base, "host", password)
	phone := &client{t: t, base: base}
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
		ID    int64     `json:"id"`
		Slots [][]int64 `json:"slots"`
	}
	code, body, _ = admin.do("POST", fmt.Sprintf("/api/v1/rounds/%d/live-events", roundID),
		map[string]any{"title": "终审PK赛", "judge_ids": judgeIDs, "audience_mode": "open", "weights": map[string]int{"panel": 90, "previous": 0, "audience": 10}})
	decodeInto(t, code, body, 201, &ev)
	path := func(p string) string { return fmt.Sprintf("/api/v1/live-events/%d%s", ev.ID, p) }

	presence := func(key string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path("/presence"), nil)
		if key != "" {
			req.Header.Set("X-Screen-Key", key)
		}
		resp, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var out struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(b, &out)
		return resp.StatusCode, out.Code
	}
	if code, _ := presence(""); code != 403 {
		t.Fatalf("presence without a key: %d, want 403", code)
	}
	var link struct {
		URL string `json:"url"`
	}
	code, body, _ = host.do("POST", path("/screen-link"), map[string]any{})
	decodeInto(t, code, body, 201, &link)
	_, key, ok := strings.Cut(link.URL, "#screen=")
	if !ok || !strings.Contains(link.URL, fmt.Sprintf("/display/%d#", ev.ID)) {
		t.Fatalf("screen link %q", link.URL)
	}
	if code, _ := presence(key + "x"); code != 403 {
		t.Fatalf("presence with a forged key: %d, want 403", code)
	}
	code, current := presence(key)
	if code != 200 || len(current) != 8 {
		t.Fatalf("presence with the key: %d %q", code, current)
	}
	// The phone without the code, or with a wrong one, is refused.
	for _, req := range []any{nil, map[string]string{"presence": "WRONG123"}} {
		code, body, _ := phone.do("POST", path("/device"), req)
		if code != 403 || !strings.Contains(string(body), `"presence"`) {
			t.Fatalf("a phone without the current code: %d %s, want 403 naming presence", code, body)
		}
	}
	if code, body, _ := phone.do("POST", path("/device"), map[string]any{"presence": 12}); code != 422 {
		t.Fatalf("a number as the code: %d %s, want 422", code, body)
	}
	var tok struct {
		DeviceToken string `json:"device_token"`
	}
	code, body, _ = phone.do("POST", path("/device"), map[string]string{"presence": current})
	decodeInto(t, code, body, 201, &tok)
	code, body, _ = host.do("POST", path("/actions"), map[string]string{"action": "present"})
	if code != 200 {
		t.Fatalf("present: %d %s", code, body)
	}
	p := ev.Slots[0][0]
	code, body, _ = phone.do("POST", path("/votes"), map[string]any{"project_id": p, "device_token": tok.DeviceToken})
	if code != 201 {
		t.Fatalf("vote: %d %s", code, body)
	}

	var br struct {
		OpenVotes int `json:"open_votes"`
		Top       []struct {
			Address string `json:"address"`
			Masked  string `json:"masked"`
			Votes   int    `json:"votes"`
		} `json:"top"`
		Voids []struct {
			Reason string `json:"reason"`
			By     string `json:"by"`
		} `json:"voids"`
		ScreenLink struct {
			Active   bool   `json:"active"`
			IssuedBy string `json:"issued_by"`
		} `json:"screen_link"`
	}
	code, body, _ = host.do("GET", path("/audience"), nil)
	decodeInto(t, code, body, 200, &br)
	if br.OpenVotes != 1 || len(br.Top) != 1 || br.Top[0].Masked != "127.0.0.*" || !br.ScreenLink.Active || br.ScreenLink.IssuedBy != "host" {
		t.Fatalf("breakdown %s", body)
	}
	if code, body, _ := host.do("GET", path("/audience?slot=x"), nil); code != 422 {
		t.Fatalf("a bad slot: %d %s", code, body)
	}
	for _, bad := range []map[string]any{
		{"slot": 0, "address": br.Top[0].Address},
		{"address": br.Top[0].Address, "reason": "r"},
		{"slot": "0", "address": br.Top[0].Address, "reason": "r"},
	} {
		if code, body, _ := host.do("POST", path("/audience/voids"), bad); code != 422 {
			t.Fatalf("void %v: %d %s, want 422", bad, code, body)
		}
	}
	code, body, _ = host.do("POST", path("/audience/voids"), map[string]any{"slot": 0, "address": br.Top[0].Address, "reason": "测试：一个脚本"})
	if code != 201 || !strings.Contains(string(body), `"voided":1`) {
		t.Fatalf("void: %d %s", code, body)
	}
	var board struct {
		Tally         map[string]int `json:"tally"`
		TalliesPublic bool           `json:"tallies_public"`
		Presence      bool           `json:"presence_required"`
	}
	code, body, _ = phone.do("GET", path("/board"), nil)
	decodeInto(t, code, body, 200, &board)
	if board.Tally[fmt.Sprint(p)] != 0 || board.TalliesPublic || !board.Presence {
		t.Fatalf("board after the void %s", body)
	}
	code, body, _ = host.do("GET", path("/audience"), nil)
	decodeInto(t, code, body, 200, &br)
	if br.OpenVotes != 0 || len(br.Voids) != 1 || br.Voids[0].By != "host" || br.Voids[0].Reason != "测试：一个脚本" {
		t.Fatalf("breakdown after the void %s", body)
	}

	if code, body, _ := host.do("PUT", path("/tallies-public"), map[string]any{"public": "yes"}); code != 422 {
		t.Fatalf("tallies-public with a string: %d %s", code, body)
	}
	if code, body, _ := host.do("PUT", path("/tallies-public"), map[string]any{}); code != 422 {
		t.Fatalf("tallies-public without a value: %d %s", code, body)
	}
	if code, body, _ := host.do("PUT", path("/tallies-public"), map[string]any{"public": true}); code != 200 {
		t.Fatalf("tallies-public: %d %s", code, body)
	}
	code, body, _ = phone.do("GET", path("/board"), nil)
	decodeInto(t, code, body, 200, &board)
	if !board.TalliesPublic {
		t.Fatalf("the board does not carry the host's choice: %s", body)
	}

	if code, body, _ := host.do("DELETE", path("/screen-link"), nil); code != 204 {
		t.Fatalf("revoke: %d %s", code, body)
	}
	if code, _ := presence(key); code != 403 {
		t.Fatalf("presence with the revoked key: %d, want 403", code)
	}
	code, body, _ = admin.do("GET", fmt.Sprintf("/api/v1/audit?entity=live_show&entity_id=%d&limit=100", ev.ID), nil)
	for _, action := range []string{"live.screen_link", "live.screen_revoke", "live.void", "live.tallies"} {
		if code != 200 || !strings.Contains(string(body), action) {
			t.Errorf("audit lacks %s: %d %.300s", action, code, body)
		}
	}
}
