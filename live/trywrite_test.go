package live

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"
)

// tryConn is a fakeConn whose socket can be "full": TryWriteFrame then
// takes nothing and keeps the frame, which Flush writes later.
type tryConn struct {
	*fakeConn
	mu     sync.Mutex
	full   bool
	rest   Frame
	direct int // frames written by TryWriteFrame
}

func (c *tryConn) TryWriteFrame(f Frame) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rest != nil {
		return false, fmt.Errorf("TryWriteFrame called with a frame left to flush")
	}
	if c.full {
		c.rest = f
		return false, nil
	}
	c.direct++
	return true, c.fakeConn.WriteFrame(f)
}

func (c *tryConn) Flush() error {
	c.mu.Lock()
	f := c.rest
	c.rest = nil
	c.mu.Unlock()
	if f == nil {
		return fmt.Errorf("Flush with nothing left")
	}
	return c.fakeConn.WriteFrame(f)
}

func (c *tryConn) WriteFrame(f Frame) error {
	c.mu.Lock()
	pending := c.rest != nil
	c.mu.Unlock()
	if pending {
		return fmt.Errorf("WriteFrame before the rest was flushed")
	}
	return c.fakeConn.WriteFrame(f)
}

// Frames written straight from the fan-out, then through the writer when
// the socket is full (the rest of a frame first), arrive once each and in
// order.
func TestDirectWritesAndTheWriterKeepOrder(t *testing.T) {
	b := NewMemoryBroker(DefaultRetention)
	h, ctx := newTestHub(t, b, Options{Shards: 3})
	c := &tryConn{fakeConn: newFakeConn()}
	go func() { _ = h.Serve(ctx, c, "ev", "", 0, false) }()
	c.waitFrames(t, 1) // the snapshot, through the writer
	waitViewers(t, h, "ev", 1)
	publish(t, h, "ev", 3) // straight from the fan-out
	c.waitFrames(t, 4)
	c.mu.Lock()
	c.full = true
	c.mu.Unlock()
	publish(t, h, "ev", 3) // the first kept by the conn, the others queued
	c.mu.Lock()
	c.full = false
	c.mu.Unlock()
	publish(t, h, "ev", 3)
	frames := c.waitFrames(t, 10)
	for i, f := range frames[1:] {
		if f["type"] != "event" || f["offset"].(float64) != float64(i+1) {
			t.Fatalf("frame %d is %v, want the event at offset %d", i+1, f, i+1)
		}
	}
	c.mu.Lock()
	direct := c.direct
	c.mu.Unlock()
	if direct < 3 {
		t.Fatalf("%d frames written straight from the fan-out, want at least the first 3", direct)
	}
}

// Many viewers fan out over the shards in parallel: every one gets every
// event in order, and none holds a goroutine once idle.
func TestShardedFanOutToIdleViewers(t *testing.T) {
	b := NewMemoryBroker(DefaultRetention)
	h, ctx := newTestHub(t, b, Options{Shards: 4})
	before := runtime.NumGoroutine()
	const n = 2 * parallelFrom
	conns := make([]*tryConn, n)
	for i := range conns {
		conns[i] = &tryConn{fakeConn: newFakeConn()}
		if _, err := h.Join(ctx, conns[i], "ev", "", 0, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		c.waitFrames(t, 1)
	}
	for i := 0; i < 5; i++ {
		if _, err := h.Publish(context.Background(), "ev", json.RawMessage(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range conns {
		frames := c.waitFrames(t, 6)
		for j, f := range frames[1:] {
			if f["offset"].(float64) != float64(j+1) {
				t.Fatalf("viewer %d: frame %d is %v", i, j+1, f)
			}
		}
	}
	waitGoroutines(t, before+5)
}

// waitGoroutines waits until at most max goroutines run (writers that end
// once their frames are written), failing after a generous while.
func waitGoroutines(t *testing.T, max int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > max {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, want at most %d", runtime.NumGoroutine(), max)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
