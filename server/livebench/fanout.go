package livebench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"leitai/live"
)

// target is a set of viewers awaiting each event, and what they measured.
type target struct {
	pool    *viewerPool
	include func(slot int) bool // nil: every viewer
	want    int                 // arrivals that complete an event
	lat     []float64
	missing int
	size    int64
}

// monitor connects one extra viewer that follows the board's head: the
// next event's offset is its offset + 1 (the show has no other activity
// while the benchmark drives it).
func (b *bench) monitor(ctx context.Context, sh *show) (*viewerPool, *viewer, error) {
	mp := newViewerPool(sh.wsURL())
	if _, err := mp.add(ctx, 1, 0, 1); err != nil {
		return nil, nil, fmt.Errorf("monitor: %w", err)
	}
	time.Sleep(300 * time.Millisecond) // events still in flight land first
	return mp, mp.viewers[0], nil
}

func waitOffset(v *viewer, off uint64, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if _, o := v.position(); o >= off {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// scoreEvents submits k judge scores one after another; each appends one
// event with the whole board, awaited by every target's viewers (up to
// timeout) before the next, gap later. Latency is from just before the
// submit request to receipt at each viewer. It returns the submit
// requests' own durations (ms).
func (b *bench) scoreEvents(ctx context.Context, sh *show, mon *viewer, targets []*target, k int, timeout, gap time.Duration) ([]float64, error) {
	var submits []float64
	for range k {
		if err := ctx.Err(); err != nil {
			return submits, err
		}
		_, head := mon.position()
		key := head + 1
		sent := time.Now()
		tracks := make([]*track, len(targets))
		for j, t := range targets {
			tracks[j] = t.pool.tr.expectAt(key, t.pool.size(), sent)
		}
		err := sh.submitScore(ctx)
		submits = append(submits, ms(time.Since(sent)))
		if err != nil {
			for _, t := range targets {
				t.pool.tr.forget(key)
			}
			return submits, fmt.Errorf("score submission: %w", err)
		}
		for j, t := range targets {
			tracks[j].wait(t.want, timeout)
			var m int
			t.lat, m = tracks[j].latencies(t.lat, t.include)
			t.missing += m
			if s := tracks[j].size.Load(); s > 0 {
				t.size = s
			}
			t.pool.tr.forget(key)
		}
		if !waitOffset(mon, key, timeout) {
			return submits, fmt.Errorf("the event at offset %d never reached the monitor viewer", key)
		}
		time.Sleep(gap)
	}
	return submits, nil
}

// sizeRuns collects one fan-out size over the runs.
type sizeRuns struct {
	leitai, centrifugo       []Summary
	lConnect, cConnect       []float64
	lSubmit, cPublish        []float64
	lKB, cKB                 []float64
	lBefore, lAfter          []float64
	cBefore, cAfter          []float64
	lBytes, cBytes           int64
	centrifugoErr            string
	leitaiMissing, cMissings int
	// lCPU and cCPU are the server process's CPU (user + system) per
	// event, ms: what the fan-out costs the server, apart from the
	// load generator sharing the machine.
	lCPU, cCPU []float64
}

// Targets of BENCHMARKS.md for the peer's ratios and memory.
const (
	targetRatioP99   = 0.7
	targetRatioMem   = 0.4
	targetKBPerViewr = 12.0
)

// scoreFanout is "score → every screen", "memory" and "peer": Leitai, then
// Centrifugo with the same viewers and event size, Runs times.
func (b *bench) scoreFanout(ctx context.Context) error {
	res := make([]sizeRuns, len(b.opts.Viewers))
	var cbin string
	var cerr error
	if b.opts.NoPeer {
		cerr = errors.New("skipped (--peer=false)")
	} else if cbin, cerr = ensureCentrifugo(ctx, b.opts.CentrifugoBinary, b.log); cerr != nil {
		b.print(map[string]any{"benchmark": "live_peer_centrifugo", "version": CentrifugoVersion, "error": "install failed: " + cerr.Error()})
	}
	for run := range b.opts.Runs {
		b.notef("fan-out run %d/%d: leitai", run+1, b.opts.Runs)
		if err := b.leitaiFanout(ctx, res); err != nil {
			return err
		}
		if cerr != nil {
			continue
		}
		b.notef("fan-out run %d/%d: centrifugo", run+1, b.opts.Runs)
		if err := b.centrifugoFanout(ctx, cbin, res); err != nil {
			cerr = err
			b.print(map[string]any{"benchmark": "live_peer_centrifugo", "version": CentrifugoVersion, "error": err.Error()})
		}
	}
	for i, n := range b.opts.Viewers {
		r := res[i]
		l := combine(r.leitai)
		lj := map[string]any{"p50_ms": l.P50MS, "p99_ms": l.P99MS, "max_ms": l.MaxMS, "samples": l.Samples, "missing": l.Missing,
			"p99_runs_ms": p99s(r.leitai), "event_bytes": r.lBytes, "connect_s": round2(median(r.lConnect)), "submit_p50_ms": round2(median(r.lSubmit)),
			"server_cpu_ms_per_event": round2(median(r.lCPU))}
		out := map[string]any{"benchmark": "live_score_fanout", "viewers": n, "runs": b.opts.Runs, "events_per_run": b.opts.Events, "leitai": lj}
		if target := fanoutTarget(n); target > 0 {
			out["target_p99_ms"] = target
			out["meets_target"] = l.P99MS <= target && l.Missing == 0
		}
		mem := map[string]any{"benchmark": "live_memory", "viewers": n, "runs": b.opts.Runs, "target_kb_per_viewer": targetKBPerViewr,
			"leitai": map[string]any{"kb_per_viewer": round2(median(r.lKB)), "rss_before_mib": round2(median(r.lBefore)), "rss_after_mib": round2(median(r.lAfter))}}
		mem["meets_target"] = median(r.lKB) <= targetKBPerViewr
		if len(r.centrifugo) > 0 {
			c := combine(r.centrifugo)
			out["centrifugo"] = map[string]any{"version": CentrifugoVersion, "p50_ms": c.P50MS, "p99_ms": c.P99MS, "max_ms": c.MaxMS, "samples": c.Samples,
				"missing": c.Missing, "p99_runs_ms": p99s(r.centrifugo), "event_bytes": r.cBytes, "connect_s": round2(median(r.cConnect)),
				"publish_p50_ms": round2(median(r.cPublish)), "server_cpu_ms_per_event": round2(median(r.cCPU))}
			out["ratio_p99"] = ratio(l.P99MS, c.P99MS)
			out["target_ratio"] = targetRatioP99
			out["ratio_server_cpu"] = ratio(median(r.lCPU), median(r.cCPU))
			mem["centrifugo"] = map[string]any{"version": CentrifugoVersion, "kb_per_viewer": round2(median(r.cKB)),
				"rss_before_mib": round2(median(r.cBefore)), "rss_after_mib": round2(median(r.cAfter))}
			mem["ratio"] = ratio(median(r.lKB), median(r.cKB))
			mem["target_ratio"] = targetRatioMem
		} else if cerr != nil {
			out["centrifugo_error"] = cerr.Error()
			mem["centrifugo_error"] = cerr.Error()
		}
		b.print(out)
		b.print(mem)
	}
	return nil
}

// fanoutTarget is BENCHMARKS.md's p99 for n viewers (0: none stated).
func fanoutTarget(n int) float64 {
	switch {
	case n <= 5000:
		return 100
	case n <= 10000:
		return 200
	}
	return 0
}

// combine reports the median of the runs' percentiles and the overall max.
func combine(ss []Summary) Summary {
	var out Summary
	var p50, p99 []float64
	for _, s := range ss {
		p50, p99 = append(p50, s.P50MS), append(p99, s.P99MS)
		out.MaxMS = max(out.MaxMS, s.MaxMS)
		out.Samples += s.Samples
		out.Missing += s.Missing
	}
	out.P50MS, out.P99MS = round2(median(p50)), round2(median(p99))
	return out
}

func p99s(ss []Summary) []float64 {
	var out []float64
	for _, s := range ss {
		out = append(out, s.P99MS)
	}
	return out
}

func (b *bench) leitaiFanout(ctx context.Context, res []sizeRuns) error {
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
	before, err := settledRSS(pid)
	if err != nil {
		return err
	}
	pool := newViewerPool(ss.sh.wsURL())
	defer pool.closeAll()
	for i, n := range b.opts.Viewers {
		d, err := pool.add(ctx, n-pool.size(), 0, b.opts.DialConcurrency)
		if err != nil {
			return err
		}
		b.notef("leitai: %d viewers connected in %.1f s", n, d.Seconds())
		after, err := settledRSS(pid)
		if err != nil {
			return err
		}
		t := &target{pool: pool, want: n}
		cpu0, _ := cpuMS(pid)
		submits, err := b.scoreEvents(ctx, ss.sh, mon, []*target{t}, b.opts.Events, 15*time.Second, 100*time.Millisecond)
		if err != nil {
			return err
		}
		cpu1, _ := cpuMS(pid)
		r := &res[i]
		r.lCPU = append(r.lCPU, (cpu1-cpu0)/float64(b.opts.Events))
		r.leitai = append(r.leitai, summarise(t.lat, t.missing))
		r.lConnect = append(r.lConnect, d.Seconds())
		r.lSubmit = append(r.lSubmit, median(submits))
		r.lKB = append(r.lKB, float64(after-before)/float64(n))
		r.lBefore, r.lAfter = append(r.lBefore, float64(before)/1024), append(r.lAfter, float64(after)/1024)
		r.lBytes = t.size
		b.lastEventBytes = t.size
		b.notef("leitai: %d viewers: p99 %.1f ms, %.1f KB/viewer", n, r.leitai[len(r.leitai)-1].P99MS, r.lKB[len(r.lKB)-1])
	}
	return nil
}

func (b *bench) centrifugoFanout(ctx context.Context, bin string, res []sizeRuns) error {
	c, err := startCentrifugo(ctx, bin, b.log)
	if err != nil {
		return err
	}
	defer c.stop()
	pid := c.proc.pid()
	before, err := settledRSS(pid)
	if err != nil {
		return err
	}
	cp := newCViewers(c.addr)
	defer cp.closeAll()
	var seq uint64
	for i, n := range b.opts.Viewers {
		d, err := cp.add(ctx, n-cp.size(), b.opts.DialConcurrency)
		if err != nil {
			return err
		}
		b.notef("centrifugo: %d clients subscribed in %.1f s", n, d.Seconds())
		after, err := settledRSS(pid)
		if err != nil {
			return err
		}
		r := &res[i]
		size := int(r.lBytes)
		if size == 0 {
			size = 1024
		}
		var lat []float64
		var missing int
		var publishes []float64
		cpu0, _ := cpuMS(pid)
		for range b.opts.Events {
			seq++
			// The push frame wraps the data in about 60 bytes, as the
			// board's event message wraps the board: equal frame sizes.
			data := centrifugoPayload(seq, size-len(`{"push":{"channel":"board","pub":{"data":,"offset":0}}}`))
			tr := cp.tr.expect(seq, cp.size())
			if err := c.publish(ctx, data); err != nil {
				return err
			}
			publishes = append(publishes, ms(time.Since(tr.sent)))
			tr.wait(n, 15*time.Second)
			var m int
			lat, m = tr.latencies(lat, nil)
			missing += m
			if s := tr.size.Load(); s > 0 {
				r.cBytes = s
			}
			cp.tr.forget(seq)
			time.Sleep(100 * time.Millisecond)
		}
		cpu1, _ := cpuMS(pid)
		r.cCPU = append(r.cCPU, (cpu1-cpu0)/float64(b.opts.Events))
		r.centrifugo = append(r.centrifugo, summarise(lat, missing))
		r.cConnect = append(r.cConnect, d.Seconds())
		r.cPublish = append(r.cPublish, median(publishes))
		r.cKB = append(r.cKB, float64(after-before)/float64(n))
		r.cBefore, r.cAfter = append(r.cBefore, float64(before)/1024), append(r.cAfter, float64(after)/1024)
		b.notef("centrifugo: %d clients: p99 %.1f ms, %.1f KB/client", n, r.centrifugo[len(r.centrifugo)-1].P99MS, r.cKB[len(r.cKB)-1])
	}
	return nil
}

// ---- the hub alone ----

// stampConn is an in-process viewer of the hub: it notes when each
// event's frame is written to it.
type stampConn struct {
	slot int
	tr   *tracker
}

func (c *stampConn) WriteFrame(f live.Frame) error {
	data, ok := f.([]byte)
	if !ok {
		return fmt.Errorf("frame %T", f)
	}
	now := time.Now()
	if fr, err := parseBoardFrame(data); err == nil && fr.Type == "event" {
		c.tr.arrive(fr.Offset, c.slot, now, len(data))
	}
	return nil
}
func (c *stampConn) Ping() error       { return nil }
func (c *stampConn) Close(int, string) {}

// hubFanout measures the hub without the network: publish on the
// in-memory broker → the frame handed to each viewer's writer goroutine.
func (b *bench) hubFanout(ctx context.Context) error {
	n := b.opts.HubViewers
	size := b.eventBytes()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hub := live.NewHub(live.NewMemoryBroker(live.DefaultRetention), func(context.Context, string) (json.RawMessage, error) {
		return json.RawMessage(`{}`), nil
	}, live.Options{})
	hub.Start(ctx)
	tr := newTracker()
	for i := range n {
		go func() { _ = hub.Serve(ctx, &stampConn{slot: i, tr: tr}, "bench", "", 0, false) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for hub.Viewers("bench") < n {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d in-process viewers subscribed", hub.Viewers("bench"), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	payload := centrifugoPayload(0, size-len(`{"type":"event","epoch":"0123456789abcdef","offset":1,"event":}`))
	var lat []float64
	missing := 0
	for off := uint64(1); off <= uint64(b.opts.Events); off++ {
		t := tr.expect(off, n)
		if _, err := hub.Publish(ctx, "bench", payload); err != nil {
			return err
		}
		t.wait(n, 10*time.Second)
		var m int
		lat, m = t.latencies(lat, nil)
		missing += m
		tr.forget(off)
		time.Sleep(50 * time.Millisecond)
	}
	s := summarise(lat, missing)
	b.print(map[string]any{"benchmark": "live_hub_fanout", "viewers": n, "events": b.opts.Events, "event_bytes": size,
		"p50_ms": s.P50MS, "p99_ms": s.P99MS, "max_ms": s.MaxMS, "samples": s.Samples, "missing": s.Missing,
		"note": "in-process: broker publish → frame queued and taken by each viewer's writer goroutine; no network"})
	return nil
}

// eventBytes is the board event's size measured by the fan-out (1 KB when
// it did not run).
func (b *bench) eventBytes() int {
	if b.lastEventBytes > 0 {
		return int(b.lastEventBytes)
	}
	return 1024
}
