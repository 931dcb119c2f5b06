package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"leitai/models"
	"leitai/storage"
	"leitai/storage/storagetest"
)

// TestMain lets the test binary act as the leitai binary for tests that
// need a real process to kill: LEITAI_TEST_MAIN=1 runs main() instead.
func TestMain(m *testing.M) {
	if os.Getenv("LEITAI_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// instance is a leitai process started from the test binary.
type instance struct {
	t    *testing.T
	cmd  *exec.Cmd
	env  []string
	port int
	logs *bytes.Buffer
}

func startInstance(t *testing.T, env map[string]string, port int) *instance {
	t.Helper()
	in := &instance{t: t, port: port, logs: &bytes.Buffer{}}
	in.env = append(os.Environ(), "LEITAI_TEST_MAIN=1", "LEITAI_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"LEITAI_PUBLIC_URL=http://127.0.0.1:"+strconv.Itoa(port))
	for k, v := range env {
		in.env = append(in.env, k+"="+v)
	}
	in.start()
	t.Cleanup(func() {
		if in.cmd.ProcessState == nil {
			_ = in.cmd.Process.Signal(syscall.SIGTERM)
			_ = in.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("instance :%d logs:\n%s", in.port, in.logs.String())
		}
	})
	return in
}

func (in *instance) start() {
	in.t.Helper()
	in.cmd = exec.Command(os.Args[0], "serve")
	in.cmd.Env = in.env
	in.cmd.Stdout, in.cmd.Stderr = in.logs, in.logs
	if err := in.cmd.Start(); err != nil {
		in.t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(in.base() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	in.t.Fatalf("instance :%d did not become ready:\n%s", in.port, in.logs.String())
}

// kill9 kills the process the hard way (no shutdown, no close frames).
func (in *instance) kill9() {
	in.t.Helper()
	if err := in.cmd.Process.Kill(); err != nil {
		in.t.Fatal(err)
	}
	_ = in.cmd.Wait()
}

func (in *instance) base() string { return "http://127.0.0.1:" + strconv.Itoa(in.port) }

// boardFrame is one websocket message of the live board.
type boardFrame struct {
	Type   string          `json:"type"`
	Epoch  string          `json:"epoch"`
	Offset uint64          `json:"offset"`
	State  json.RawMessage `json:"state"`
	Event  struct {
		Kind  string          `json:"kind"`
		State json.RawMessage `json:"state"`
	} `json:"event"`
	Tally map[string]int `json:"tally"`
	raw   string
}

type boardState struct {
	Phase     string                     `json:"phase"`
	Slot      int                        `json:"slot"`
	Submitted map[string]int             `json:"submitted"`
	Results   map[string]json.RawMessage `json:"results"`
	Tally     map[string]int             `json:"tally"`
}

// boardViewer is a websocket client of one board that remembers the last epoch
// and offset, as the screens do.
type boardViewer struct {
	t      *testing.T
	conn   *websocket.Conn
	epoch  string
	offset uint64
	frames []boardFrame
}

func (v *boardViewer) dial(base string, eventID int64, recover bool) boardFrame {
	v.t.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws/live/" + strconv.FormatInt(eventID, 10)
	if recover {
		u += "?" + url.Values{"epoch": {v.epoch}, "offset": {strconv.FormatUint(v.offset, 10)}}.Encode()
	}
	var err error
	for range 100 { // the server may still be starting
		if v.conn, _, err = websocket.DefaultDialer.Dial(u, nil); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		v.t.Fatalf("dial %s: %v", u, err)
	}
	return v.next()
}

// next reads the next history frame (tallies are kept aside), checking
// that offsets have no gaps.
func (v *boardViewer) next() boardFrame {
	v.t.Helper()
	for {
		_ = v.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, data, err := v.conn.ReadMessage()
		if err != nil {
			v.t.Fatalf("read: %v (after offset %d)", err, v.offset)
		}
		var f boardFrame
		if err := json.Unmarshal(data, &f); err != nil {
			v.t.Fatal(err)
		}
		f.raw = string(data)
		v.frames = append(v.frames, f)
		switch f.Type {
		case "tally":
			continue
		case "event":
			if f.Epoch != v.epoch || f.Offset != v.offset+1 {
				v.t.Fatalf("event at epoch %s offset %d after epoch %s offset %d: a gap", f.Epoch, f.Offset, v.epoch, v.offset)
			}
		}
		v.epoch, v.offset = f.Epoch, f.Offset
		return f
	}
}

// until reads events until one has the given kind and returns its state.
func (v *boardViewer) until(kind string) boardState {
	v.t.Helper()
	for range 50 {
		f := v.next()
		if f.Type == "event" && f.Event.Kind == kind {
			var s boardState
			if err := json.Unmarshal(f.Event.State, &s); err != nil {
				v.t.Fatal(err)
			}
			return s
		}
	}
	v.t.Fatalf("no %q event", kind)
	return boardState{}
}

// seedLiveFinal creates, straight in the database, a live round with two
// finalists and the people of the show; it returns the round id.
func seedLiveFinal(t *testing.T, db *storage.DB, password string) int64 {
	t.Helper()
	ctx := context.Background()
	actor := models.Actor{Name: "test"}
	city, err := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCity, Name: "惠州市"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(username string, role models.Role, unit *int64) models.User {
		u, err := db.CreateUser(ctx, actor, models.NewUser{Username: username, Password: password, Roles: []models.Role{role}, UnitID: unit, DisplayName: username})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	mk("admin", models.RoleAdmin, nil)
	mk("host", models.RoleHost, nil)
	unit := mk("unit", models.RoleUnit, &city.ID)
	for i := 1; i <= 5; i++ {
		mk(fmt.Sprintf("judge%d", i), models.RoleExpert, nil)
	}
	now := time.Now()
	ed, err := db.CreateEdition(ctx, actor, models.EditionInput{Year: 2026, Title: "2026年惠州市社会治理创新十大项目",
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), Categories: []string{"基层治理"}, Status: models.EditionActive})
	if err != nil {
		t.Fatal(err)
	}
	var projects []int64
	for i := range 4 {
		p, err := db.CreateProject(ctx, actor, unit, ed.ID, models.ProjectFields{Title: fmt.Sprintf("决赛项目%d", i+1), Category: "基层治理"}, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		projects = append(projects, p.ID)
	}
	r, err := db.CreateRound(ctx, actor, ed.ID, models.Round{Name: "终审", Kind: models.RoundLive, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(24 * time.Hour), Rubric: models.FinalRubric(), ReviewersPerProject: 5, Method: "trimmed_mean", Trim: 1, KeyCriterion: "innovative"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRoundProjects(ctx, actor, r.ID, projects, "决赛"); err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func decodeInto(t *testing.T, code int, body []byte, want int, v any) {
	t.Helper()
	if code != want {
		t.Fatalf("status %d, want %d: %s", code, want, body)
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLiveFinalSurvivesKill9 runs a live slot through real leitai
// processes: on PostgreSQL two instances serve one event (a viewer of B
// sees what the host does on A); the instance the host, judges and phones
// use is killed with kill -9 mid-slot and restarted, and the viewers
// recover from the persisted history with the same epoch and no gap, while
// every acknowledged score and vote is still there. No sealed score is on
// the public wire before the reveal. The same runs on the embedded SQLite
// with one instance.
func TestLiveFinalSurvivesKill9(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dir := t.TempDir()
			env := map[string]string{"LEITAI_DATA_DIR": dir, "LEITAI_LOG_LEVEL": "warn"}
			dbURL := ""
			if dialect == "postgres" {
				dbURL = pg.NewDatabase()
				env["LEITAI_DATABASE_URL"] = dbURL
			}
			ctx := context.Background()
			db, err := storage.Open(ctx, dbURL, dir, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			const password = "live-final-pass-1"
			roundID := seedLiveFinal(t, db, password)
			db.Close()

			a := startInstance(t, env, storagetest.FreePort(t))
			b := a
			if dialect == "postgres" {
				b = startInstance(t, env, storagetest.FreePort(t))
			}
			admin := login(t, a.base(), "admin", password)
			var users struct {
				Users []struct {
					ID       int64  `json:"id"`
					Username string `json:"username"`
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
			if len(ev.Slots) != 2 || len(judgeIDs) != 5 {
				t.Fatalf("event %+v, judges %v", ev, judgeIDs)
			}
			slot := ev.Slots[0]

			// A viewer on B (the same instance on SQLite) and one on A.
			vb := &boardViewer{t: t}
			if f := vb.dial(b.base(), ev.ID, false); f.Type != "snapshot" {
				t.Fatalf("first frame %s", f.raw)
			}
			va := &boardViewer{t: t}
			va.dial(a.base(), ev.ID, false)
			host := login(t, a.base(), "host", password)
			act := func(c *client, action string) {
				t.Helper()
				code, body, _ := c.do("POST", fmt.Sprintf("/api/v1/live-events/%d/actions", ev.ID), map[string]string{"action": action})
				if code != 200 {
					t.Fatalf("%s: %d %s", action, code, body)
				}
			}
			for _, action := range []string{"present", "qa", "present", "qa", "open_scoring"} {
				act(host, action)
				if s := vb.until(action); action == "open_scoring" && s.Phase != "scoring" {
					t.Fatalf("phase after open_scoring: %s", s.Phase)
				}
			}
			code, body, _ = host.do("POST", fmt.Sprintf("/api/v1/live-events/%d/actions", ev.ID), map[string]string{"action": "reveal"})
			if code != 409 {
				t.Fatalf("reveal before seal: %d %s", code, body)
			}
			// Three judges score and a phone votes: all acknowledged.
			judges := map[int]*client{}
			score := func(j int, project int64, innovative float64, sub string) (int, []byte) {
				if judges[j] == nil {
					judges[j] = login(t, a.base(), fmt.Sprintf("judge%d", j), password)
				}
				code, body, _ := judges[j].do("PUT", fmt.Sprintf("/api/v1/live-events/%d/judge/scores/%d", ev.ID, project),
					map[string]any{"points": map[string]float64{"innovative": innovative, "exploratory": 15, "demonstrative": 15, "replicable": 15, "sustainable": 10, "presentation": 8}, "submission_id": sub})
				return code, body
			}
			for j := 1; j <= 3; j++ {
				for k, p := range slot {
					if code, body := score(j, p, float64(15+j+k), fmt.Sprintf("j%d-%d", j, k)); code != 200 {
						t.Fatalf("judge %d: %d %s", j, code, body)
					}
				}
			}
			phone := &client{t: t, base: a.base()}
			var dev struct {
				Token string `json:"device_token"`
			}
			code, body, _ = phone.do("POST", fmt.Sprintf("/api/v1/live-events/%d/device", ev.ID), nil)
			decodeInto(t, code, body, 201, &dev)
			code, body, _ = phone.do("POST", fmt.Sprintf("/api/v1/live-events/%d/votes", ev.ID), map[string]any{"project_id": slot[0], "device_token": dev.Token})
			decodeInto(t, code, body, 201, nil)
			code, _, _ = phone.do("POST", fmt.Sprintf("/api/v1/live-events/%d/votes", ev.ID), map[string]any{"project_id": slot[1], "device_token": dev.Token})
			if code != 409 {
				t.Fatalf("second vote of a device: %d", code)
			}
			for range 6 {
				vb.until("score")
			}

			// kill -9 the instance everyone uses, mid-slot; restart it.
			a.kill9()
			if dialect == "postgres" {
				// B keeps serving its viewer meanwhile.
				if _, err := http.Get(b.base() + "/healthz"); err != nil {
					t.Fatal(err)
				}
			}
			a.start()
			before := va.offset
			if f := va.dial(a.base(), ev.ID, true); f.Type != "recovered" || f.Offset != before || f.Epoch != vb.epoch {
				t.Fatalf("after kill -9 the viewer got %s (it had epoch %s offset %d)", f.raw, vb.epoch, before)
			}
			if dialect == "sqlite" {
				// B is A: its viewer reconnects too.
				if f := vb.dial(a.base(), ev.ID, true); f.Type != "recovered" {
					t.Fatalf("viewer on the killed instance: %s", f.raw)
				}
			}
			host = login(t, a.base(), "host", password)
			var hs struct {
				Current []struct {
					Seats []struct {
						Submitted bool `json:"submitted"`
					} `json:"seats"`
				} `json:"current"`
				Tally map[string]int `json:"tally"`
			}
			code, body, _ = host.do("GET", fmt.Sprintf("/api/v1/live-events/%d/host", ev.ID), nil)
			decodeInto(t, code, body, 200, &hs)
			for _, p := range hs.Current {
				n := 0
				for _, s := range p.Seats {
					if s.Submitted {
						n++
					}
				}
				if n != 3 {
					t.Fatalf("after kill -9: %d acknowledged scores survived, want 3: %s", n, body)
				}
			}
			if hs.Tally[strconv.FormatInt(slot[0], 10)] != 1 {
				t.Fatalf("after kill -9 the acknowledged vote is gone: %v", hs.Tally)
			}
			// A retried submission (the tablet did not see the answer) counts once.
			judges = map[int]*client{}
			if code, body := score(1, slot[0], 16, "j1-0"); code != 200 {
				t.Fatalf("retry: %d %s", code, body)
			}
			for j := 4; j <= 5; j++ {
				for k, p := range slot {
					if code, body := score(j, p, float64(15+j+k), fmt.Sprintf("j%d-%d", j, k)); code != 200 {
						t.Fatalf("judge %d: %d %s", j, code, body)
					}
				}
			}
			act(host, "seal")
			if code, _ := score(5, slot[0], 20, "late"); code != 409 {
				t.Fatalf("a score after seal: %d, want 409", code)
			}
			sealed := vb.until("seal")
			if len(sealed.Results) != 0 || sealed.Submitted[strconv.FormatInt(slot[0], 10)] != 5 {
				t.Fatalf("sealed board: %+v", sealed)
			}
			// Nothing sealed went out on the public wire: totals appear only
			// in a revealed slot's results.
			for _, f := range append(vb.frames, va.frames...) {
				if strings.Contains(f.raw, `"total"`) {
					t.Fatalf("a score reached the public board before its reveal: %s", f.raw)
				}
			}
			act(host, "reveal")
			revealed := vb.until("reveal")
			if len(revealed.Results) != 2 {
				t.Fatalf("revealed board: %+v", revealed)
			}
			var res struct {
				Scores []struct {
					Total  string  `json:"total"`
					Struck *string `json:"struck"`
				} `json:"scores"`
				Panel string `json:"panel"`
			}
			if err := json.Unmarshal(revealed.Results[strconv.FormatInt(slot[0], 10)], &res); err != nil {
				t.Fatal(err)
			}
			// Judges 1…5 gave 16…20 on innovative + 63: totals 79…83; the
			// trimmed mean drops 79 and 83.
			if len(res.Scores) != 5 || res.Scores[0].Struck == nil || *res.Scores[0].Struck != "low" || res.Panel != "81.00" {
				t.Fatalf("revealed scores %+v", res)
			}

			// A viewer that drops and returns catches up from history.
			vb.conn.Close()
			act(host, "present")
			if f := vb.dial(b.base(), ev.ID, true); f.Type != "recovered" {
				t.Fatalf("recovery: %s", f.raw)
			}
			if s := vb.until("present"); s.Slot != 1 || s.Phase != "presenting" {
				t.Fatalf("after recovery: %+v", s)
			}

			// Publishing the final round exports a sheet with the audience
			// and the weights; `leitai rank` on it reproduces the ranking.
			for _, st := range []string{"open", "closed", "published"} {
				code, body, _ := admin.do("POST", fmt.Sprintf("/api/v1/rounds/%d/status", roundID), map[string]string{"status": st})
				if code != 200 {
					t.Fatalf("round → %s: %d %s", st, code, body)
				}
			}
			code, body, _ = host.do("POST", fmt.Sprintf("/api/v1/live-events/%d/wipe", ev.ID), map[string]any{"confirm": "终审PK赛"})
			if code != 409 {
				t.Fatalf("wiping a published final: %d %s", code, body)
			}
			code, sheet, _ := phone.do("GET", fmt.Sprintf("/api/v1/rounds/%d/published-sheet", roundID), nil)
			if code != 200 || !strings.Contains(string(sheet), `"audience"`) || !strings.Contains(string(sheet), `"weights"`) {
				t.Fatalf("published sheet: %d %s", code, sheet)
			}
			var stdout, stderr bytes.Buffer
			if code := cmdRank(bytes.NewReader(sheet), &stdout, &stderr); code != 0 {
				t.Fatalf("leitai rank: %d %s", code, stderr.String())
			}
			var ranked struct {
				Ranking []struct {
					Project string  `json:"project"`
					Rank    int     `json:"rank"`
					Score   float64 `json:"score"`
				} `json:"ranking"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &ranked); err != nil {
				t.Fatal(err)
			}
			var pub struct {
				Results []struct {
					Round struct {
						ID int64 `json:"id"`
					} `json:"round"`
					Ranking []struct {
						ProjectID string  `json:"project_id"`
						Rank      int     `json:"rank"`
						Score     float64 `json:"score"`
					} `json:"ranking"`
				} `json:"results"`
			}
			code, body, _ = phone.do("GET", "/api/v1/results", nil)
			decodeInto(t, code, body, 200, &pub)
			if len(pub.Results) != 1 || len(pub.Results[0].Ranking) != len(ranked.Ranking) || len(ranked.Ranking) != 2 {
				t.Fatalf("published %s vs rank %s", body, stdout.String())
			}
			for i, e := range pub.Results[0].Ranking {
				r := ranked.Ranking[i]
				if e.ProjectID != r.Project || e.Rank != r.Rank || e.Score != r.Score {
					t.Fatalf("published %+v, leitai rank %+v", pub.Results[0].Ranking, ranked.Ranking)
				}
			}

			// A graceful stop (SIGTERM) closes the screens with 1012 (service
			// restart, so they reconnect elsewhere) and the process exits 0.
			va.dial(a.base(), ev.ID, true)
			if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			for {
				_ = va.conn.SetReadDeadline(time.Now().Add(20 * time.Second))
				if _, _, err := va.conn.ReadMessage(); err != nil {
					if !websocket.IsCloseError(err, 1012) {
						t.Fatalf("on SIGTERM the screen got %v, want close 1012", err)
					}
					break
				}
			}
			if err := a.cmd.Wait(); err != nil {
				t.Fatalf("leitai after SIGTERM with screens connected: %v\n%s", err, a.logs.String())
			}
		})
	}
}
