package livebench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// devicesPerSource is how many device tokens the benchmark takes from one
// source address: under storage.DevicesPerAddress (1,500 a minute per
// address), so tokens come from several loopback addresses 127.0.1.x.
const devicesPerSource = 1000

// voteBurst: VoteRate votes a second for VoteSeconds, each from its own
// device (tokens obtained first), open loop (each vote is sent at its
// scheduled time whatever the earlier ones do; latency counts from that
// time). Then some devices vote again (409 expected) and the tally must
// count exactly one vote per device; a viewer notes the tally broadcasts.
func (b *bench) voteBurst(ctx context.Context) error {
	ss, err := b.server(ctx)
	if err != nil {
		return err
	}
	sh := ss.sh
	var tallyMu sync.Mutex
	var tallies []time.Time
	mp := newViewerPool(sh.wsURL())
	mp.onTally = func(at time.Time) {
		tallyMu.Lock()
		tallies = append(tallies, at)
		tallyMu.Unlock()
	}
	if _, err := mp.add(ctx, 1, 0, 1); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	defer mp.closeAll()
	pool := newViewerPool(sh.wsURL())
	defer pool.closeAll()
	if _, err := pool.add(ctx, b.opts.VoteViewers, 0, b.opts.DialConcurrency); err != nil {
		return err
	}

	total := b.opts.VoteRate * b.opts.VoteSeconds
	t0 := time.Now()
	tokens, err := deviceTokens(ctx, sh, total)
	if err != nil {
		return err
	}
	issue := time.Since(t0)
	b.notef("votes: %d device tokens in %.1f s", total, issue.Seconds())

	// A phone votes from the address it took its token from: the venue's
	// cap counts open votes per address and slot (votes_per_address).
	voters := make([]*apiClient, (total+devicesPerSource-1)/devicesPerSource)
	for s := range voters {
		voters[s] = &apiClient{base: sh.base, http: newHTTPClient(512/len(voters)+1, net.IPv4(127, 0, 1, byte(1+s)))}
	}
	voter := &apiClient{base: sh.base, http: newHTTPClient(4, nil)}
	vote := func(i int) error {
		return voters[i/devicesPerSource].do(ctx, "POST", fmt.Sprintf("/api/v1/live-events/%d/votes", sh.event.ID),
			map[string]any{"project_id": sh.slot[i%len(sh.slot)], "device_token": tokens[i]}, nil)
	}
	lat := make([]float64, total)
	codes := make([]int, total)
	interval := time.Second / time.Duration(b.opts.VoteRate)
	var wg sync.WaitGroup
	var late atomic.Int64
	tallyMu.Lock()
	tallies = nil
	tallyMu.Unlock()
	start := time.Now().Add(50 * time.Millisecond)
	for i := range total {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		} else if d < -10*time.Millisecond {
			late.Add(1)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := vote(i)
			lat[i] = ms(time.Since(at))
			codes[i] = statusOf(err)
		}()
	}
	sent := time.Since(start)
	wg.Wait()
	burst := time.Since(start)
	time.Sleep(time.Second) // the last tallies
	tallyMu.Lock()
	seen := append([]time.Time(nil), tallies...)
	tallyMu.Unlock()

	// A second vote from 200 devices that voted: refused.
	dups := min(200, total)
	again := map[int]int{}
	for i := range dups {
		again[statusOf(vote(i))]++
	}
	var board struct {
		Tally map[string]int `json:"tally"`
	}
	if err := voter.do(ctx, "GET", fmt.Sprintf("/api/v1/live-events/%d/board", sh.event.ID), nil, &board); err != nil {
		return err
	}
	counted := 0
	for _, n := range board.Tally {
		counted += n
	}
	byCode := map[string]int{}
	accepted := 0
	for _, c := range codes {
		byCode[fmt.Sprint(c)]++
		if c == 201 {
			accepted++
		}
	}
	s := summarise(lat, 0)
	hz := 0.0
	if len(seen) > 1 {
		hz = float64(len(seen)-1) / seen[len(seen)-1].Sub(seen[0]).Seconds()
	}
	perSecond := maxInWindow(seen, time.Second)
	exactlyOnce := accepted == total && counted == accepted && again[409] == dups
	b.print(map[string]any{"benchmark": "live_vote_burst", "rate_per_s": b.opts.VoteRate, "seconds": b.opts.VoteSeconds, "votes": total,
		"viewers": b.opts.VoteViewers, "devices": total, "device_sources": (total + devicesPerSource - 1) / devicesPerSource,
		"device_issue_s": round2(issue.Seconds()), "sent_s": round2(sent.Seconds()), "done_s": round2(burst.Seconds()), "sent_late": late.Load(),
		"p50_ms": s.P50MS, "p99_ms": s.P99MS, "max_ms": s.MaxMS, "target_p99_ms": 200, "status": byCode,
		"second_vote_status": again, "tally_counted": counted, "exactly_once": exactlyOnce,
		"tally_broadcasts": len(seen), "tally_mean_hz": round2(hz), "tally_max_per_s": perSecond, "tally_min_gap_ms": round2(ms(minGap(seen))),
		"target_tally_hz": 4,
		"meets_target":    s.P99MS <= 200 && exactlyOnce && perSecond <= 4,
		"note":            "latency from each vote's scheduled send time (open loop); each phone takes its token and votes from one of 127.0.1.x, 1,000 per address, with the event's votes_per_address at 1,000"})
	return nil
}

func statusOf(err error) int {
	if err == nil {
		return 201
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0 // transport error
}

// deviceTokens obtains n device tokens, at most devicesPerSource from each
// loopback source address.
func deviceTokens(ctx context.Context, sh *show, n int) ([]string, error) {
	tokens := make([]string, n)
	sources := (n + devicesPerSource - 1) / devicesPerSource
	clients := make([]*apiClient, sources)
	for s := range clients {
		clients[s] = &apiClient{base: sh.base, http: newHTTPClient(4, net.IPv4(127, 0, 1, byte(1+s)))}
	}
	var wg sync.WaitGroup
	var firstErr atomic.Value
	next := atomic.Int64{}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || firstErr.Load() != nil {
					return
				}
				var out struct {
					Token string `json:"device_token"`
				}
				if err := clients[i/devicesPerSource].do(ctx, "POST", fmt.Sprintf("/api/v1/live-events/%d/device", sh.event.ID), nil, &out); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				tokens[i] = out.Token
			}
		}()
	}
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, fmt.Errorf("device tokens: %w", err)
	}
	return tokens, nil
}
