package livebench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// ---- arrival tracking ----

// tracker records when each viewer received each awaited message (an
// event offset on the board, a sequence number on Centrifugo).
type tracker struct {
	mu     sync.RWMutex
	events map[uint64]*track
}

// track is one awaited message.
type track struct {
	sent  time.Time
	at    []atomic.Int64 // receipt, ns after sent (+1 so 0 means "not yet"), by viewer slot
	count atomic.Int64
	size  atomic.Int64
}

func newTracker() *tracker { return &tracker{events: map[uint64]*track{}} }

// expect registers key for viewers 0…slots-1, sent now: call it just
// before causing the message.
func (t *tracker) expect(key uint64, slots int) *track {
	return t.expectAt(key, slots, time.Now())
}

func (t *tracker) expectAt(key uint64, slots int, sent time.Time) *track {
	tr := &track{at: make([]atomic.Int64, slots), sent: sent}
	t.mu.Lock()
	t.events[key] = tr
	t.mu.Unlock()
	return tr
}

func (t *tracker) forget(key uint64) {
	t.mu.Lock()
	delete(t.events, key)
	t.mu.Unlock()
}

func (t *tracker) arrive(key uint64, slot int, at time.Time, size int) {
	t.mu.RLock()
	tr := t.events[key]
	t.mu.RUnlock()
	if tr == nil || slot >= len(tr.at) {
		return
	}
	if tr.at[slot].CompareAndSwap(0, int64(at.Sub(tr.sent))+1) {
		tr.count.Add(1)
		tr.size.Store(int64(size))
	}
}

// wait blocks until want viewers have the message or the timeout passes.
func (tr *track) wait(want int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for tr.count.Load() < int64(want) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// latencies appends the receipt latencies (ms) of the viewers that
// include accepts and returns how many of those never received it.
func (tr *track) latencies(into []float64, include func(slot int) bool) ([]float64, int) {
	missing := 0
	for slot := range tr.at {
		if include != nil && !include(slot) {
			continue
		}
		ns := tr.at[slot].Load()
		if ns == 0 {
			missing++
			continue
		}
		into = append(into, float64(ns-1)/1e6)
	}
	return into, missing
}

// ---- dialing from several loopback addresses ----

// sourceIPs are the loopback addresses connections come from (all of
// 127.0.0.0/8 is local on Linux): more ephemeral ports for tens of
// thousands of connections, and separate addresses for per-address limits.
func sourceIP(i int) net.IP { return net.IPv4(127, 0, 0, byte(1+i%200)) }

// slowRcvBuf is the receive buffer of a viewer that stops reading: small,
// so the server's writes back up at once instead of filling megabytes of
// loopback buffers (TRAPS.md).
const slowRcvBuf = 4096

func netDialer(local net.IP, slow bool) *net.Dialer {
	d := &net.Dialer{Timeout: 30 * time.Second, LocalAddr: &net.TCPAddr{IP: local}}
	if slow {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, slowRcvBuf)
			})
			if err != nil {
				return err
			}
			return serr
		}
	}
	return d
}

func wsDialer(local net.IP, slow bool) *websocket.Dialer {
	return &websocket.Dialer{NetDialContext: netDialer(local, slow).DialContext, HandshakeTimeout: 60 * time.Second,
		ReadBufferSize: 4096, WriteBufferSize: 512}
}

// reconnectDelay is the screens' wait before retry n (1-based), as in
// frontend/src/api/live.ts: 1 s doubling to 15 s, ±20% jitter.
func reconnectDelay(n int) time.Duration {
	base := min(15*time.Second, time.Second<<min(max(n-1, 0), 4))
	return time.Duration(float64(base) * (0.8 + 0.4*rand.Float64()))
}

// closeKind names how a connection ended: its close code, or what broke.
func closeKind(err error) string {
	var ce *websocket.CloseError
	switch {
	case errors.As(err, &ce):
		return strconv.Itoa(ce.Code)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "error"
}

// ---- Leitai board viewers ----

// viewerPool is a set of websocket viewers of one live board.
type viewerPool struct {
	url string
	tr  *tracker

	mu      sync.Mutex
	viewers []*viewer
	// resyncs records the first message of each reconnection.
	resyncs []resync

	gaps    atomic.Int64
	resume  chan struct{} // closed: slow viewers start reading again
	onTally func(at time.Time)
}

type resync struct {
	at        time.Time
	kind      string // snapshot | recovered
	sameEpoch bool
	// exact: a recovered message names the offset the viewer presented.
	exact bool
}

type viewer struct {
	p    *viewerPool
	slot int
	slow bool

	reconnect atomic.Bool
	quit      chan struct{}
	quitOnce  sync.Once
	mu        sync.Mutex
	conn      *websocket.Conn
	epoch     string
	offset    uint64
	ended     error // how the last connection ended
	done      chan struct{}
}

func newViewerPool(wsURL string) *viewerPool {
	return &viewerPool{url: wsURL, tr: newTracker(), resume: make(chan struct{})}
}

// add connects n more viewers (slow of them stop reading after their
// first message), conc dials at a time, and returns once every one has its
// first message (snapshot) or failed.
func (p *viewerPool) add(ctx context.Context, n, slow, conc int) (time.Duration, error) {
	t0 := time.Now()
	p.mu.Lock()
	first := len(p.viewers)
	for i := range n {
		v := &viewer{p: p, slot: first + i, slow: i < slow, done: make(chan struct{}), quit: make(chan struct{})}
		p.viewers = append(p.viewers, v)
	}
	added := p.viewers[first:]
	p.mu.Unlock()
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	for _, v := range added {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, err := v.dial(ctx, false)
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				close(v.done)
				return
			}
			go v.run(conn)
		}()
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return time.Since(t0), fmt.Errorf("%d of %d viewers could not connect: %v", f, n, firstErr.Load())
	}
	return time.Since(t0), nil
}

// dial opens a connection and reads its first message (snapshot or
// recovered), presenting epoch and offset when recovering.
func (v *viewer) dial(ctx context.Context, recover bool) (*websocket.Conn, error) {
	u := v.p.url
	v.mu.Lock()
	if recover && v.epoch != "" {
		u += "?" + url.Values{"epoch": {v.epoch}, "offset": {strconv.FormatUint(v.offset, 10)}}.Encode()
	}
	presented := v.offset
	epoch := v.epoch
	v.mu.Unlock()
	conn, _, err := wsDialer(sourceIP(v.slot), v.slow).DialContext(ctx, u, nil)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	_, data, err := conn.ReadMessage()
	now := time.Now()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("first message: %w", err)
	}
	_ = conn.SetReadDeadline(time.Time{})
	f, err := parseBoardFrame(data)
	if err != nil || (f.Type != "snapshot" && f.Type != "recovered") {
		conn.Close()
		return nil, fmt.Errorf("first message is not a snapshot: %.200s", data)
	}
	v.mu.Lock()
	v.conn, v.epoch, v.offset = conn, f.Epoch, f.Offset
	v.mu.Unlock()
	if recover {
		v.p.mu.Lock()
		v.p.resyncs = append(v.p.resyncs, resync{at: now, kind: f.Type, sameEpoch: f.Epoch == epoch, exact: f.Type == "snapshot" || f.Offset == presented})
		v.p.mu.Unlock()
	}
	return conn, nil
}

// run reads until the connection ends, then reconnects with backoff while
// reconnect is set.
func (v *viewer) run(conn *websocket.Conn) {
	defer close(v.done)
	for {
		err := v.read(conn)
		v.mu.Lock()
		v.ended, v.conn = err, nil
		v.mu.Unlock()
		conn.Close()
		if !v.reconnect.Load() {
			return
		}
		for n := 1; ; n++ {
			select {
			case <-time.After(reconnectDelay(n)):
			case <-v.quit:
				return
			}
			c, err := v.dial(context.Background(), true)
			if err == nil {
				conn = c
				break
			}
		}
	}
}

func (v *viewer) read(conn *websocket.Conn) error {
	if v.slow {
		select {
		case <-v.p.resume:
		case <-v.quit:
			return errors.New("dropped")
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	}
	var buf bytes.Buffer
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			return err
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return err
		}
		now := time.Now()
		if v.slow {
			_ = conn.SetReadDeadline(now.Add(5 * time.Second))
		}
		f, err := parseBoardFrame(buf.Bytes())
		if err != nil {
			return fmt.Errorf("bad message %.200q: %w", buf.Bytes(), err)
		}
		switch f.Type {
		case "event":
			v.mu.Lock()
			if f.Epoch != v.epoch || f.Offset != v.offset+1 {
				v.p.gaps.Add(1)
			}
			v.epoch, v.offset = f.Epoch, f.Offset
			v.mu.Unlock()
			v.p.tr.arrive(f.Offset, v.slot, now, buf.Len())
		case "tally":
			if v.p.onTally != nil && v.slot == 0 {
				v.p.onTally(now)
			}
		}
	}
}

// position is the viewer's last epoch and offset.
func (v *viewer) position() (string, uint64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.epoch, v.offset
}

// drop closes the viewer's connection without reconnecting.
func (v *viewer) drop() {
	v.reconnect.Store(false)
	v.quitOnce.Do(func() { close(v.quit) })
	v.mu.Lock()
	c := v.conn
	v.mu.Unlock()
	if c != nil {
		_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
		c.Close()
	}
	<-v.done
}

// closeAll drops every viewer.
func (p *viewerPool) closeAll() {
	p.mu.Lock()
	vs := p.viewers
	p.mu.Unlock()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 256)
	for _, v := range vs {
		sem <- struct{}{}
		wg.Add(1)
		go func() { defer wg.Done(); v.drop(); <-sem }()
	}
	wg.Wait()
}

func (p *viewerPool) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.viewers)
}

// alive counts the viewers whose connection is open.
func (p *viewerPool) alive() int {
	p.mu.Lock()
	vs := p.viewers
	p.mu.Unlock()
	n := 0
	for _, v := range vs {
		v.mu.Lock()
		if v.conn != nil {
			n++
		}
		v.mu.Unlock()
	}
	return n
}
