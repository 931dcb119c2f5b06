package livebench

import (
	"context"
	"fmt"
	"os"
	"time"
)

// twoInstances: two leitai processes on one throwaway PostgreSQL; score
// events are caused on A (a judge's tablet talks to A) and received by
// InstanceViewers viewers on A and as many on B (the event log in the
// database, NOTIFY wakes B). The added latency is B's minus A's.
func (b *bench) twoInstances(ctx context.Context) error {
	pg, err := startPostgres(ctx)
	if err != nil {
		return fmt.Errorf("throwaway PostgreSQL: %w", err)
	}
	defer pg.stop()
	dir, err := os.MkdirTemp("", "leitai-bench-live-pg-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	seed, err := b.opts.Seed(ctx, pg.url(), dir)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	var srvs [2]*leitaiServer
	for i := range srvs {
		addr, err := freeAddr()
		if err != nil {
			return err
		}
		d := fmt.Sprintf("%s/%c", dir, 'a'+i)
		if err := os.MkdirAll(d, 0o750); err != nil {
			return err
		}
		srvs[i] = &leitaiServer{bin: b.opts.ServerBinary, addr: addr, dataDir: d, dbURL: pg.url(), log: b.log}
		if _, err := srvs[i].start(ctx); err != nil {
			return err
		}
		defer srvs[i].stop()
	}
	sh, err := createShow(ctx, srvs[0].base(), seed)
	if err != nil {
		return err
	}
	shB, err := sh.onInstance(ctx, srvs[1].base(), seed)
	if err != nil {
		return err
	}
	mp, mon, err := b.monitor(ctx, sh)
	if err != nil {
		return err
	}
	defer mp.closeAll()
	n := b.opts.InstanceViewers
	pa, pb := newViewerPool(sh.wsURL()), newViewerPool(shB.wsURL())
	defer pa.closeAll()
	defer pb.closeAll()
	for _, p := range []*viewerPool{pa, pb} {
		if _, err := p.add(ctx, n, 0, b.opts.DialConcurrency); err != nil {
			return err
		}
	}
	ta, tb := &target{pool: pa, want: n}, &target{pool: pb, want: n}
	submits, err := b.scoreEvents(ctx, sh, mon, []*target{ta, tb}, b.opts.Events, 15*time.Second, 100*time.Millisecond)
	if err != nil {
		return err
	}
	sa, sb := summarise(ta.lat, ta.missing), summarise(tb.lat, tb.missing)
	b.print(map[string]any{"benchmark": "live_two_instances", "database": "postgresql", "viewers_per_instance": n, "events": b.opts.Events,
		"event_bytes": ta.size, "submit_p50_ms": round2(median(submits)),
		"on_a": sa, "on_b": sb,
		"added_p50_ms": round2(sb.P50MS - sa.P50MS), "added_p99_ms": round2(sb.P99MS - sa.P99MS),
		"reached_b": sb.Missing == 0,
		"note":      "events caused on A (judge score over HTTP); latency from before the submit request to receipt"})
	return nil
}
