package livebench

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gorilla/websocket"
)

// catchUp is a display that returns: it presents epoch and offset and
// reads until it has the event at want; it returns the time from dialing
// to that event, the first message's type, and whether offsets had a gap.
func catchUp(ctx context.Context, wsURL, epoch string, offset, want uint64) (time.Duration, string, bool, error) {
	u := wsURL + "?" + url.Values{"epoch": {epoch}, "offset": {strconv.FormatUint(offset, 10)}}.Encode()
	t0 := time.Now()
	conn, _, err := wsDialer(sourceIP(250), false).DialContext(ctx, u, nil)
	if err != nil {
		return 0, "", false, err
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	first, gap := "", false
	cur := offset
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return 0, first, gap, fmt.Errorf("catching up from %d to %d: %w", offset, want, err)
		}
		f, err := parseBoardFrame(data)
		if err != nil {
			return 0, first, gap, err
		}
		switch {
		case first == "":
			first = f.Type
			cur = f.Offset
			if f.Type == "recovered" && f.Offset != offset {
				gap = true
			}
		case f.Type == "event":
			if f.Offset != cur+1 {
				gap = true
			}
			cur = f.Offset
		}
		if cur >= want {
			d := time.Since(t0)
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(1000, ""), time.Now().Add(time.Second))
			return d, first, gap, nil
		}
	}
}

// recovery: a display that drops and returns catches up (from the hub's
// memory, then after a restart from the persisted history); the server is
// restarted under RecoveryViewers viewers, who reconnect with the screens'
// jittered backoff presenting epoch and offset; the time until every one
// has resynced, and how (recovered with the same epoch, or snapshot).
func (b *bench) recovery(ctx context.Context) error {
	ss, err := b.server(ctx)
	if err != nil {
		return err
	}
	mp, mon, err := b.monitor(ctx, ss.sh)
	if err != nil {
		return err
	}
	defer mp.closeAll()
	n := b.opts.RecoveryViewers
	pool := newViewerPool(ss.sh.wsURL())
	defer pool.closeAll()
	if _, err := pool.add(ctx, n, 0, b.opts.DialConcurrency); err != nil {
		return err
	}
	const missed = 10
	t := &target{pool: pool, want: n}
	// (a) A display leaves, 10 events pass, it returns: from memory.
	epoch, h0 := mon.position()
	if _, err := b.scoreEvents(ctx, ss.sh, mon, []*target{t}, missed, 15*time.Second, 20*time.Millisecond); err != nil {
		return err
	}
	ringD, ringFirst, ringGap, err := catchUp(ctx, ss.sh.wsURL(), epoch, h0, h0+missed)
	if err != nil {
		return err
	}
	// (b) It leaves again, 10 more events, then the server restarts.
	_, h1 := mon.position()
	if _, err := b.scoreEvents(ctx, ss.sh, mon, []*target{t}, missed, 15*time.Second, 20*time.Millisecond); err != nil {
		return err
	}
	for _, v := range append(pool.viewers, mon) {
		v.reconnect.Store(true)
	}
	pool.mu.Lock()
	pool.resyncs = nil
	pool.mu.Unlock()
	pool.gaps.Store(0)
	down := time.Now()
	ss.srv.stop()
	restart, err := ss.srv.start(ctx)
	if err != nil {
		return err
	}
	downFor := time.Since(down)
	deadline := time.Now().Add(90 * time.Second)
	for {
		pool.mu.Lock()
		got := len(pool.resyncs)
		pool.mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	pool.mu.Lock()
	rs := append([]resync(nil), pool.resyncs...)
	pool.mu.Unlock()
	kinds := map[string]int{}
	sameEpoch, exact := 0, 0
	var last time.Time
	for _, r := range rs {
		kinds[r.kind]++
		if r.sameEpoch {
			sameEpoch++
		}
		if r.exact {
			exact++
		}
		if r.at.After(last) {
			last = r.at
		}
	}
	settle := last.Sub(down)
	// The display returns after the restart: from the persisted history.
	time.Sleep(200 * time.Millisecond)
	if !waitOffset(mon, h1+missed, 10*time.Second) {
		return fmt.Errorf("the monitor did not resync after the restart")
	}
	histD, histFirst, histGap, err := catchUp(ctx, ss.sh.wsURL(), epoch, h1, h1+missed)
	if err != nil {
		return err
	}
	// One more event: every resynced viewer gets it, without a gap.
	t2 := &target{pool: pool, want: n}
	if _, err := b.scoreEvents(ctx, ss.sh, mon, []*target{t2}, 1, 15*time.Second, 0); err != nil {
		return err
	}
	for _, v := range append(pool.viewers, mon) {
		v.reconnect.Store(false)
	}
	b.print(map[string]any{"benchmark": "live_recovery", "viewers": n,
		"restart_s": round2(restart.Seconds()), "server_down_s": round2(downFor.Seconds()),
		"resynced": len(rs), "recovered": kinds["recovered"], "snapshot": kinds["snapshot"], "same_epoch": sameEpoch,
		"recovered_at_presented_offset": exact,
		"settle_s":                      round2(settle.Seconds()), "target_settle_s": 30, "meets_target": len(rs) == n && settle <= 30*time.Second,
		"after_event": map[string]any{"received": n - t2.missing, "gaps": pool.gaps.Load()},
		"backoff":     "as the screens: 1 s doubling to 15 s, ±20% jitter",
		"display_catchup": map[string]any{"missed_events": missed,
			"from_memory_ms": round2(ms(ringD)), "from_memory_first": ringFirst, "from_memory_gap": ringGap,
			"after_restart_from_history_ms": round2(ms(histD)), "after_restart_first": histFirst, "after_restart_gap": histGap,
			"target_ms": 2000, "meets_target": ringD <= 2*time.Second && histD <= 2*time.Second && !ringGap && !histGap &&
				ringFirst == "recovered" && histFirst == "recovered"}})
	return nil
}
