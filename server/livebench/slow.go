package livebench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// slowClients: SlowPercent of the viewers stop reading (a tiny receive
// buffer, no reads) while events stream at 10 a second for SlowSeconds.
// The others' latency, the server's memory, how many viewers the server
// cut off for not keeping up (its leitai_board_slow_cuts_total, read
// before and after the stream: the measure of "the slow ones are cut
// off") and how the slow ones' connections end are reported.
//
// The endings alone cannot tell: after the stream the slow viewers read
// again, but a socket the server cut while its send queue was full
// (CLOSING, tens of KB queued behind a zero window, seen with ss) often
// delivers nothing more on loopback, and its viewer reads a timeout as if
// still connected: that is how the scenario reported slow_cut 0 while the
// server had cut them all (#14).
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
	cutsBefore, err := serverSlowCuts(ctx, ss.sh.base)
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
	// Viewers whose write had just begun to block are cut up to the
	// write deadline later: wait for it (the server's wsWriteWait, 10 s,
	// and its second for the close frame).
	var cutsAfter int
	for deadline := time.Now().Add(12 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		n, err := serverSlowCuts(ctx, ss.sh.base)
		if err != nil {
			return err
		}
		cutsAfter = n
		if cutsAfter-cutsBefore >= slow || time.Now().After(deadline) {
			break
		}
	}
	cut := cutsAfter - cutsBefore
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
	seenCut := slow - ends["timeout"] - ends["still_open"]
	s := summarise(t.lat, t.missing)
	b.print(map[string]any{"benchmark": "live_slow_clients", "viewers": n, "slow_viewers": slow, "slow_rcvbuf_bytes": slowRcvBuf,
		"events": events, "stream_s": round2(streamed.Seconds()), "event_bytes": t.size,
		"others": map[string]any{"p50_ms": s.P50MS, "p99_ms": s.P99MS, "max_ms": s.MaxMS, "samples": s.Samples, "missing": s.Missing,
			"still_connected": normalAlive, "of": n - slow},
		"target_p99_ms": fanoutTarget(n - slow), "meets_target": s.P99MS <= fanoutTarget(n-slow) && s.Missing == 0 && normalAlive == n-slow && cut == slow,
		"server_rss_before_mib": round2(float64(before) / 1024), "server_rss_peak_mib": round2(float64(peak) / 1024),
		"server_rss_after_mib": round2(float64(after) / 1024),
		"slow_cut":             cut, "slow_not_cut": slow - cut, "slow_cut_seen_by_viewers": seenCut, "slow_endings": ends,
		"note": "slow_cut: viewers the server cut off for not keeping up (leitai_board_slow_cuts_total, after − before); slow_endings: what the slow viewers saw on reading again: a close code, eof/reset, or timeout (nothing more arrived: still connected, or cut with its socket still full)"})
	return nil
}

// serverSlowCuts reads leitai_board_slow_cuts_total from the server's
// /metrics (open to loopback).
func serverSlowCuts(ctx context.Context, base string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("metrics: HTTP %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "leitai_board_slow_cuts_total "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, fmt.Errorf("metrics: %q: %w", sc.Text(), err)
			}
			return int(f), nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("metrics: no leitai_board_slow_cuts_total")
}
