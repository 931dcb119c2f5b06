package live

import (
	"errors"
	"sync"
	"sync/atomic"
)

// CloseTryAgainLater (1013) tells a viewer refused for capacity to come
// back later (the screens reconnect with a jittered backoff).
const CloseTryAgainLater = 1013

// Refusals of Admit and CanAdmit.
var (
	// ErrAddressFull: this client address already holds Options.PerAddress
	// connections.
	ErrAddressFull = errors.New("live: too many board connections from this address")
	// ErrFull: the instance already holds Options.MaxViewers connections.
	ErrFull = errors.New("live: the board is at capacity on this instance")
)

// admission counts the connections admitted per client address and in
// all, so that one address cannot take every file descriptor (and the
// board with it) and the process never runs out of them.
type admission struct {
	perAddress, total int // caps; 0: none

	mu     sync.Mutex
	byAddr map[string]int
	open   int
}

func (a *admission) check(addr string) error {
	if a.total > 0 && a.open >= a.total {
		return ErrFull
	}
	if a.perAddress > 0 && a.byAddr[addr] >= a.perAddress {
		return ErrAddressFull
	}
	return nil
}

// Stats are a hub's counters since it started, for operators.
type Stats struct {
	// Connections are the board connections admitted and not yet released.
	Connections int
	// MaxViewers and PerAddress are the caps (0: none).
	MaxViewers, PerAddress int
	// RefusedAddress and RefusedFull count connections refused by the
	// per-address cap and by the instance's cap.
	RefusedAddress, RefusedFull uint64
	// QueueDrops counts frames not queued for a viewer because its queue
	// was full or it was already being closed (one per frame and viewer).
	QueueDrops uint64
	// SlowCuts counts viewers cut off for not keeping up: their queue
	// filled (close 1008) or a write hit its deadline.
	SlowCuts uint64
}

// counters are the hub's atomically updated figures.
type counters struct {
	refusedAddress, refusedFull, queueDrops, slowCuts atomic.Uint64
}

// CanAdmit reports whether a connection from addr would be admitted now,
// without taking a place: the server asks before the websocket upgrade, so
// that a refused client costs an HTTP answer, not an upgraded connection.
// Admit decides.
func (h *Hub) CanAdmit(addr string) error {
	a := &h.admit
	a.mu.Lock()
	err := a.check(addr)
	a.mu.Unlock()
	h.countRefusal(err)
	return err
}

// Admit takes a place for one connection from addr (the client's address
// as the server sees it, after trusted proxies) and returns the function
// that gives it back, which must be called exactly once when the
// connection ends. It fails with ErrAddressFull or ErrFull at the caps.
func (h *Hub) Admit(addr string) (release func(), err error) {
	a := &h.admit
	a.mu.Lock()
	if err := a.check(addr); err != nil {
		a.mu.Unlock()
		h.countRefusal(err)
		return nil, err
	}
	a.open++
	a.byAddr[addr]++
	a.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			a.open--
			if n := a.byAddr[addr] - 1; n > 0 {
				a.byAddr[addr] = n
			} else {
				delete(a.byAddr, addr) // the map holds only current addresses
			}
			a.mu.Unlock()
		})
	}, nil
}

func (h *Hub) countRefusal(err error) {
	switch err {
	case ErrAddressFull:
		h.count.refusedAddress.Add(1)
	case ErrFull:
		h.count.refusedFull.Add(1)
	}
}

// Admitted returns how many connections addr holds now.
func (h *Hub) Admitted(addr string) int {
	h.admit.mu.Lock()
	defer h.admit.mu.Unlock()
	return h.admit.byAddr[addr]
}

// Stats returns the hub's connection figures and counters.
func (h *Hub) Stats() Stats {
	h.admit.mu.Lock()
	open := h.admit.open
	h.admit.mu.Unlock()
	return Stats{
		Connections: open, MaxViewers: h.admit.total, PerAddress: h.admit.perAddress,
		RefusedAddress: h.count.refusedAddress.Load(), RefusedFull: h.count.refusedFull.Load(),
		QueueDrops: h.count.queueDrops.Load(), SlowCuts: h.count.slowCuts.Load(),
	}
}
