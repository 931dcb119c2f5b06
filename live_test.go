package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"leitai/live"
	"leitai/storage"
	"leitai/storage/storagetest"
)

// The database broker is the hub's broker in production.
var _ live.Broker = (*storage.LiveBroker)(nil)

// viewer is a fake connection that collects frames.
type viewer struct {
	mu     sync.Mutex
	frames []map[string]any
}

func (v *viewer) WriteFrame(f live.Frame) error {
	var m map[string]any
	if err := json.Unmarshal(f.([]byte), &m); err != nil {
		return err
	}
	v.mu.Lock()
	v.frames = append(v.frames, m)
	v.mu.Unlock()
	return nil
}
func (v *viewer) Ping() error       { return nil }
func (v *viewer) Close(int, string) {}

// TestTwoInstancesShareTheBoard runs two hubs on one PostgreSQL database,
// as two leitai instances would: an event published through A reaches a
// viewer connected to B, with the same epoch and offsets.
func TestTwoInstancesShareTheBoard(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	url := pg.NewDatabase()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hub := func() *live.Hub {
		db, err := storage.Open(ctx, url, "", slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		snap := func(context.Context, string) (json.RawMessage, error) { return json.RawMessage(`{}`), nil }
		h := live.NewHub(db.NewLiveBroker(storage.LiveBrokerOptions{Poll: time.Second}), snap, live.Options{})
		h.Start(ctx)
		return h
	}
	a, b := hub(), hub()
	v := &viewer{}
	go b.Serve(ctx, v, "event-7", "", 0, false)
	for b.Viewers("event-7") == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // B's LISTEN connection
	start := time.Now()
	if _, err := a.Publish(ctx, "event-7", json.RawMessage(`{"kind":"reveal","project":"P1"}`)); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		v.mu.Lock()
		n := len(v.frames)
		v.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("viewer on B has %d frames", n)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Logf("published on A, shown on B after %v", time.Since(start))
	v.mu.Lock()
	defer v.mu.Unlock()
	snap, ev := v.frames[0], v.frames[1]
	if snap["type"] != "snapshot" || ev["type"] != "event" || ev["offset"].(float64) != 1 || ev["epoch"] != snap["epoch"] {
		t.Fatalf("frames %v", v.frames)
	}
}
