package live

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

func TestAdmissionCapsPerAddressAndInAll(t *testing.T) {
	h := NewHub(NewMemoryBroker(DefaultRetention), nil, Options{PerAddress: 2, MaxViewers: 3})
	a1, err := h.Admit("10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	a2, err := h.Admit("10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Admit("10.0.0.1"); !errors.Is(err, ErrAddressFull) {
		t.Fatalf("third from one address: %v, want ErrAddressFull", err)
	}
	if err := h.CanAdmit("10.0.0.1"); !errors.Is(err, ErrAddressFull) {
		t.Fatalf("CanAdmit at the address cap: %v", err)
	}
	b1, err := h.Admit("10.0.0.2")
	if err != nil {
		t.Fatalf("another address: %v", err)
	}
	if _, err := h.Admit("10.0.0.3"); !errors.Is(err, ErrFull) {
		t.Fatalf("fourth in all: %v, want ErrFull", err)
	}
	if err := h.CanAdmit("10.0.0.3"); !errors.Is(err, ErrFull) {
		t.Fatalf("CanAdmit at the instance cap: %v", err)
	}
	s := h.Stats()
	if s.Connections != 3 || s.RefusedAddress != 2 || s.RefusedFull != 2 || s.PerAddress != 2 || s.MaxViewers != 3 {
		t.Fatalf("stats at the caps: %+v", s)
	}
	a1()
	a1() // releasing twice gives back one place only
	if got := h.Admitted("10.0.0.1"); got != 1 {
		t.Fatalf("10.0.0.1 holds %d after one release, want 1", got)
	}
	c1, err := h.Admit("10.0.0.3")
	if err != nil {
		t.Fatalf("a released place is free again: %v", err)
	}
	a2()
	b1()
	c1()
	if s := h.Stats(); s.Connections != 0 || len(h.admit.byAddr) != 0 {
		t.Fatalf("after every release: %+v, addresses %v", s, h.admit.byAddr)
	}
	// Every place is free again.
	for i := range 2 {
		if _, err := h.Admit("10.0.0.1"); err != nil {
			t.Fatalf("admit %d after release: %v", i, err)
		}
	}
}

func TestAdmissionCountsReturnUnderConcurrency(t *testing.T) {
	h := NewHub(NewMemoryBroker(DefaultRetention), nil, Options{PerAddress: 50, MaxViewers: 120})
	var wg sync.WaitGroup
	var mu sync.Mutex
	admitted, refused := 0, 0
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := fmt.Sprintf("10.0.1.%d", g%3)
			var held []func()
			for range 100 {
				release, err := h.Admit(addr)
				mu.Lock()
				if err != nil {
					refused++
				} else {
					admitted++
					held = append(held, release)
				}
				mu.Unlock()
				if len(held) > 10 {
					held[0]()
					held = held[1:]
				}
			}
			for _, r := range held {
				r()
			}
		}()
	}
	wg.Wait()
	if admitted+refused != 800 || admitted == 0 {
		t.Fatalf("admitted %d refused %d", admitted, refused)
	}
	if s := h.Stats(); s.Connections != 0 || s.RefusedAddress+s.RefusedFull != uint64(refused) || len(h.admit.byAddr) != 0 {
		t.Fatalf("counts did not return: %+v, refused %d, addresses %v", s, refused, h.admit.byAddr)
	}
}

func TestSlowViewerCutsAndDropsAreCounted(t *testing.T) {
	b := NewMemoryBroker(DefaultRetention)
	h, ctx := newTestHub(t, b, Options{QueueSize: 4})
	slow := newFakeConn()
	slow.block = make(chan struct{})
	fast := newFakeConn()
	serve(t, ctx, h, slow, "ev", "", 0, false)
	serve(t, ctx, h, fast, "ev", "", 0, false)
	waitViewers(t, h, "ev", 2)
	for i := 1; i <= 20; i++ {
		publish(t, h, "ev", 1)
		fast.waitFrames(t, i+1)
	}
	waitViewers(t, h, "ev", 1)
	close(slow.block)
	<-slow.closed
	s := h.Stats()
	if s.SlowCuts != 1 || s.QueueDrops != 1 {
		t.Fatalf("one viewer cut for a full queue: %+v, want 1 cut and 1 drop", s)
	}

	// A write that hits its deadline is a slow viewer too.
	late := &timeoutConn{closed: make(chan int, 1)}
	go func() { _ = h.Serve(ctx, late, "ev", "", 0, false) }()
	select {
	case code := <-late.closed:
		if code != 1006 {
			t.Fatalf("close code %d after a write timeout", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the timed-out viewer was not closed")
	}
	if s := h.Stats(); s.SlowCuts != 2 {
		t.Fatalf("after a write timeout: %+v, want 2 cuts", s)
	}
}

// timeoutConn fails every write at its deadline.
type timeoutConn struct{ closed chan int }

func (c *timeoutConn) WriteFrame(Frame) error        { return fmt.Errorf("write: %w", os.ErrDeadlineExceeded) }
func (c *timeoutConn) Ping() error                   { return nil }
func (c *timeoutConn) Close(code int, reason string) { c.closed <- code }
