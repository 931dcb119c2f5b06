package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"gorm.io/gorm"

	"leitai/models"
	"leitai/storage/storagetest"
)

func publishN(t *testing.T, b *LiveBroker, topic string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, err := b.Publish(context.Background(), topic, json.RawMessage(fmt.Sprintf(`{"kind":"tick","n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
}

func receive(t *testing.T, ch <-chan models.LiveEvent, n int) []models.LiveEvent {
	t.Helper()
	var got []models.LiveEvent
	deadline := time.After(10 * time.Second)
	for len(got) < n {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("listener closed after %d events", len(got))
			}
			got = append(got, ev)
		case <-deadline:
			t.Fatalf("received %d events, want %d", len(got), n)
		}
	}
	return got
}

func testLiveBroker(t *testing.T, db *DB) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	b := db.NewLiveBroker(LiveBrokerOptions{Poll: 50 * time.Millisecond})
	epoch, head, err := b.Head(ctx, "event-1")
	if err != nil || epoch == "" || head != 0 {
		t.Fatalf("head of a new topic: %q %d %v", epoch, head, err)
	}
	ch := b.Listen(ctx)
	publishN(t, b, "event-1", 1, 5)
	publishN(t, b, "event-2", 1, 2)
	got := receive(t, ch, 7)
	next := map[string]uint64{"event-1": 1, "event-2": 1}
	for _, ev := range got {
		if ev.Offset != next[ev.Topic] {
			t.Fatalf("%s: offset %d, want %d", ev.Topic, ev.Offset, next[ev.Topic])
		}
		next[ev.Topic]++
	}
	events, ok, err := b.Since(ctx, "event-1", epoch, 2)
	if err != nil || !ok || len(events) != 3 || events[0].Offset != 3 || string(events[2].Payload) != `{"kind":"tick","n":5}` {
		t.Fatalf("since 2: %v %v %v", events, ok, err)
	}
	if _, ok, _ := b.Since(ctx, "event-1", "another-epoch", 2); ok {
		t.Fatal("a foreign epoch must need a snapshot")
	}
	if _, ok, _ := b.Since(ctx, "event-1", epoch, 9); ok {
		t.Fatal("a future offset must need a snapshot")
	}
	if evs, ok, _ := b.Since(ctx, "event-1", epoch, 5); !ok || len(evs) != 0 {
		t.Fatal("an up-to-date client needs nothing")
	}
	// The change and its event commit together or not at all.
	err = db.tx(ctx, func(tx *gorm.DB) error {
		if _, err := db.appendLiveEvent(tx, "event-1", json.RawMessage(`{"kind":"lost"}`), db.now()); err != nil {
			return err
		}
		return fmt.Errorf("the use case failed after writing its event")
	})
	if err == nil {
		t.Fatal("expected the failure")
	}
	if _, head, _ := b.Head(ctx, "event-1"); head != 5 {
		t.Fatalf("a rolled-back event left head at %d", head)
	}
}

// TestLiveBrokerAcrossInstancesAndRestarts runs two brokers on one
// PostgreSQL database (two instances): an event published on A reaches B's
// listener; after "restarting" (new handles) the epoch and history are the
// same.
func TestLiveBrokerAcrossInstancesAndRestarts(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	url := pg.NewDatabase()
	open := func() *DB {
		db, err := Open(context.Background(), url, "", slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// A long poll interval: delivery within the test's time proves NOTIFY.
	a := open().NewLiveBroker(LiveBrokerOptions{Poll: time.Hour})
	bdb := open()
	b := bdb.NewLiveBroker(LiveBrokerOptions{Poll: time.Hour})
	chB := b.Listen(ctx)
	time.Sleep(200 * time.Millisecond) // let B's LISTEN connection come up
	start := time.Now()
	publishN(t, a, "final", 1, 3)
	got := receive(t, chB, 3)
	t.Logf("A → B over NOTIFY: 3 events in %v", time.Since(start))
	if got[2].Offset != 3 {
		t.Fatalf("B got %+v", got)
	}
	epoch, _, _ := a.Head(ctx, "final")

	// Restart: new handles, same database.
	c := open().NewLiveBroker(LiveBrokerOptions{})
	e2, head, err := c.Head(ctx, "final")
	if err != nil || e2 != epoch || head != 3 {
		t.Fatalf("after restart: epoch %q (was %q), head %d, %v", e2, epoch, head, err)
	}
	if evs, ok, _ := c.Since(ctx, "final", epoch, 1); !ok || len(evs) != 2 {
		t.Fatalf("history after restart: %v %v", evs, ok)
	}
	// PostgreSQL restarted under a listener: it reconnects, LISTENs again
	// and catches up.
	pg.Stop()
	pg.Start()
	waitFor := time.Now().Add(10 * time.Second)
	for {
		if _, err := a.Publish(ctx, "final", json.RawMessage(`{"kind":"after-restart"}`)); err == nil {
			break
		}
		if time.Now().After(waitFor) {
			t.Fatal("publishing never recovered after the PostgreSQL restart")
		}
		time.Sleep(100 * time.Millisecond)
	}
	got = receive(t, chB, 1)
	if got[0].Offset != 4 {
		t.Fatalf("after the restart B got offset %d", got[0].Offset)
	}
}
