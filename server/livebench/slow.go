package livebench

import (
	"context"
	"time"
)

// slowClients: SlowPercent of the viewers stop reading (a tiny receive
// buffer, no reads) while events stream at 10 a second for SlowSeconds.
// The others' latency, the server's memory, and how the slow ones end
// (after the stream they read again: a close code, or EOF when the server
// cut them without a close frame it could no longer write; "timeout" when
// they were still connected) are reported.
func (b *bench) slowClients(ctx context.Context) error {
	ss, err := b.server(ctx)
	if err != nil {
		return err
	}
	pid := ss.srv.proc.pid()
	mp, mon, err := b.monitor(ctx, ss.sh)
	if err != nil {
		return err
	}
	defer mp.closeAll()
	n := b.opts.SlowViewers
	slow := n * b.opts.SlowPercent / 100
	pool := newViewerPool(ss.sh.wsURL())
	defer pool.closeAll()
	if _, err := pool.add(ctx, n, slow, b.opts.DialConcurrency); err != nil {
		return err
	}
	before, err := settledRSS(pid)
	if err != nil {
		return err
	}
	stopPeak := peakRSS(pid)
	isSlow := func(slot int) bool { return slot < slow }
	t := &target{pool: pool, want: n - slow, include: func(slot int) bool { return !isSlow(slot) }}
	t0 := time.Now()
	events := 0
	for time.Since(t0) < time.Duration(b.opts.SlowSeconds)*time.Second {
		if _, err := b.scoreEvents(ctx, ss.sh, mon, []*target{t}, 1, 5*time.Second, 0); err != nil {
			stopPeak()
			return err
		}
		events++
		if d := time.Duration(events)*100*time.Millisecond - time.Since(t0); d > 0 {
			time.Sleep(d)
		}
	}
	streamed := time.Since(t0)
	peak := stopPeak()
	after, _ := rssKB(pid)
	// Normal viewers still connected after the stream.
	normalAlive := 0
	for _, v := range pool.viewers[slow:] {
		v.mu.Lock()
		if v.conn != nil {
			normalAlive++
		}
		v.mu.Unlock()
	}
	// The slow ones read again: how did their connection end?
	close(pool.resume)
	ends := map[string]int{}
	for _, v := range pool.viewers[:slow] {
		select {
		case <-v.done:
		case <-time.After(30 * time.Second):
		}
		v.mu.Lock()
		kind := "still_open"
		if v.ended != nil {
			kind = closeKind(v.ended)
		}
		v.mu.Unlock()
		ends[kind]++
	}
	cut := slow - ends["timeout"] - ends["still_open"]
	s := summarise(t.lat, t.missing)
	b.print(map[string]any{"benchmark": "live_slow_clients", "viewers": n, "slow_viewers": slow, "slow_rcvbuf_bytes": slowRcvBuf,
		"events": events, "stream_s": round2(streamed.Seconds()), "event_bytes": t.size,
		"others": map[string]any{"p50_ms": s.P50MS, "p99_ms": s.P99MS, "max_ms": s.MaxMS, "samples": s.Samples, "missing": s.Missing,
			"still_connected": normalAlive, "of": n - slow},
		"target_p99_ms": fanoutTarget(n - slow), "meets_target": s.P99MS <= fanoutTarget(n-slow) && s.Missing == 0 && normalAlive == n-slow && cut == slow,
		"server_rss_before_mib": round2(float64(before) / 1024), "server_rss_peak_mib": round2(float64(peak) / 1024),
		"server_rss_after_mib": round2(float64(after) / 1024),
		"slow_cut":             cut, "slow_not_cut": slow - cut, "slow_endings": ends,
		"note": "slow_endings: close code received, or eof/reset when the server closed without a close frame (its buffers to the slow viewer were full), timeout = still connected"})
	return nil
}
