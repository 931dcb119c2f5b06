package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"

	"leitai/live"
	"leitai/models"
)

// boardServer serves the tracker's channel (the board's websocket without
// a live event to look up) over a real TCP listener, so that viewers go
// through the handshake, the detached descriptor and the poller.
func boardServer(t *testing.T, ping, pongWait time.Duration) (*live.Hub, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	snap := func(context.Context, string) (json.RawMessage, error) { return json.RawMessage(`{"tracker":[]}`), nil }
	hub := live.NewHub(live.NewMemoryBroker(live.Retention{}), snap, live.Options{Prepare: PrepareFrame, PingInterval: ping})
	hub.Start(ctx)
	s := &handlers{deps: Deps{Hub: hub, Log: slog.New(slog.DiscardHandler), Context: ctx}, pongWait: pongWait}
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/ws/tracker", s.trackerUpgrade, s.trackerSocket())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() {
		hub.Shutdown()
		_ = app.Shutdown()
		cancel()
	})
	return hub, "ws://" + ln.Addr().String() + "/ws/tracker"
}

// dialViewer connects and reads the first message (the snapshot).
func dialViewer(t *testing.T, url string) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil || m["type"] != "snapshot" {
		t.Fatalf("first message %v, %v: want a snapshot", m, err)
	}
	return c
}

// closeCode reads until the connection ends and returns the close code
// the server sent.
func closeCode(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		if _, _, err := c.ReadMessage(); err != nil {
			var ce *websocket.CloseError
			if !errors.As(err, &ce) {
				t.Fatalf("connection ended without a close frame: %v", err)
			}
			return ce.Code
		}
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("still not so after 20 s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBoardViewerCloseFrameIsNoticed(t *testing.T) {
	hub, url := boardServer(t, time.Hour, time.Hour)
	a, b := dialViewer(t, url), dialViewer(t, url)
	waitFor(t, "two viewers", func() bool { return hub.Viewers(models.TrackerTopic) == 2 })
	if err := a.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "bye")); err != nil {
		t.Fatal(err)
	}
	// The poller read the close frame: the server answers with the same
	// code and the viewer leaves the topic; the other one stays.
	if code := closeCode(t, a); code != 4001 {
		t.Fatalf("close answered with %d, want 4001 (echoed)", code)
	}
	waitFor(t, "one viewer left", func() bool { return hub.Viewers(models.TrackerTopic) == 1 })
	if _, err := hub.Publish(context.Background(), models.TrackerTopic, json.RawMessage(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := b.ReadJSON(&m); err != nil || m["type"] != "event" {
		t.Fatalf("the other viewer got %v, %v: want the event", m, err)
	}
}

func TestBoardViewerSendingDataIsClosed(t *testing.T) {
	hub, url := boardServer(t, time.Hour, time.Hour)
	c := dialViewer(t, url)
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"hello":1}`)); err != nil {
		t.Fatal(err)
	}
	if code := closeCode(t, c); code != 1003 {
		t.Fatalf("close code %d, want 1003 (the board is read-only)", code)
	}
	waitFor(t, "no viewer left", func() bool { return hub.Viewers(models.TrackerTopic) == 0 })
}

func TestBoardViewerMissingPongIsClosed(t *testing.T) {
	// Pings every 50 ms; a viewer silent for 2 s is closed.
	hub, url := boardServer(t, 50*time.Millisecond, 2*time.Second)
	mute := dialViewer(t, url)
	mute.SetPingHandler(func(string) error { return nil }) // never answers
	alive := dialViewer(t, url)
	aliveDone := make(chan error, 1)
	go func() { // reading answers pings with pongs (gorilla's default)
		for {
			if _, _, err := alive.ReadMessage(); err != nil {
				aliveDone <- err
				return
			}
		}
	}()
	if code := closeCode(t, mute); code != 1001 {
		t.Fatalf("close code %d, want 1001 (going away)", code)
	}
	waitFor(t, "the mute viewer left", func() bool { return hub.Viewers(models.TrackerTopic) == 1 })
	select {
	case err := <-aliveDone:
		t.Fatalf("the viewer answering pings was closed too: %v", err)
	default:
	}
}

func TestIdleBoardViewersHoldNoGoroutines(t *testing.T) {
	hub, url := boardServer(t, time.Hour, time.Hour)
	dialViewer(t, url) // starts the poller
	waitFor(t, "one viewer", func() bool { return hub.Viewers(models.TrackerTopic) == 1 })
	before := runtime.NumGoroutine()
	const n = 200
	viewers := make([]*websocket.Conn, n)
	for i := range viewers {
		viewers[i] = dialViewer(t, url)
	}
	waitFor(t, "all viewers joined", func() bool { return hub.Viewers(models.TrackerTopic) == n+1 })
	// The handshakes' goroutines (fasthttp's hijack goroutine, the hub's
	// writer for each snapshot) end once each viewer is idle; fasthttp's
	// worker pool may keep a few idle workers. A goroutine per viewer
	// would be 200 or 400 more.
	const slack = 20
	var now int
	deadline := time.Now().Add(20 * time.Second)
	for now = runtime.NumGoroutine(); now > before+slack && time.Now().Before(deadline); now = runtime.NumGoroutine() {
		time.Sleep(10 * time.Millisecond)
	}
	if now > before+slack {
		t.Fatalf("%d goroutines with %d idle viewers, %d with one: want at most %d more", now, n+1, before, slack)
	}
	// They are still served: an event reaches every one.
	if _, err := hub.Publish(context.Background(), models.TrackerTopic, json.RawMessage(`{"n":1}`)); err != nil {
		t.Fatal(err)
	}
	for i, c := range viewers {
		var m map[string]any
		if err := c.ReadJSON(&m); err != nil || m["type"] != "event" {
			t.Fatalf("viewer %d got %v, %v: want the event", i, m, err)
		}
	}
}
