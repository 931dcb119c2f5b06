// Package livebench is `leitai bench live`: the live-board benchmark of
// BENCHMARKS.md. It starts the server under test as a separate process
// (`leitai serve`), connects thousands of websocket viewers to a seeded
// live event, causes events the way the show does (a judge's score
// submission over HTTP, audience votes) and measures what every viewer
// receives; in the same run it measures Centrifugo v6 as the peer. Each
// scenario prints one JSON object.
//
// It lives beside the server it measures (ARCHITECTURE.md's import rules
// allow leitai/live/... to import models only, not a websocket library);
// it does not import leitai/server or storage: the database is seeded
// through a Seeder from the caller, everything else goes over HTTP and
// websockets.
package livebench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Seed names what a Seeder created: a live round with finalists, and the
// accounts of the show (all with Password).
type Seed struct {
	RoundID  int64
	Password string
	Admin    string
	Host     string
	Judges   []string
}

// Seeder creates a live round with its finalists and the people of the
// show in the database at databaseURL (empty: the embedded SQLite in
// dataDir), migrating it first, the way livefinal_test.go does.
type Seeder func(ctx context.Context, databaseURL, dataDir string) (Seed, error)

// Options shape the benchmark; zero values take the defaults.
type Options struct {
	// ServerBinary is the leitai binary started as the server (default:
	// this executable).
	ServerBinary string
	Seed         Seeder
	// Viewers are the fan-out sizes, ascending (default 5,000 and 10,000);
	// viewers are added to reach each size, so memory is measured per size.
	Viewers []int
	// Events is how many score events each size receives (default 20).
	Events int
	// Runs repeats the fan-out of Leitai and Centrifugo, alternating;
	// medians are reported (default 1).
	Runs int
	// HubViewers is the size of the in-process hub fan-out (default: the
	// largest of Viewers).
	HubViewers int
	// SlowViewers is the size of the slow-client scenario, of which
	// SlowPercent stop reading (defaults 5,000 and 5).
	SlowViewers int
	SlowPercent int
	// SlowSeconds is how long events stream at the slow viewers (20).
	SlowSeconds int
	// RecoveryViewers reconnect after a server restart (5,000).
	RecoveryViewers int
	// VoteRate votes per second for VoteSeconds (1,000 and 10).
	VoteRate, VoteSeconds int
	// VoteViewers watch the board (and its tallies) during the burst (1,000).
	VoteViewers int
	// InstanceViewers watch each of the two instances on PostgreSQL (1,000).
	InstanceViewers int
	// Scenarios selects scenarios by name (default: all): fanout, hub,
	// slow, recovery, votes, instances.
	Scenarios []string
	// CentrifugoBinary is the peer (default: the cache, built once with
	// go install when missing).
	CentrifugoBinary string
	// NoPeer skips Centrifugo.
	NoPeer bool
	// DialConcurrency is how many websocket handshakes are in flight (64).
	DialConcurrency int
	// Log receives progress notes and the servers' logs (default stderr).
	Log io.Writer
}

// AllScenarios are the scenario names in the order they run.
var AllScenarios = []string{"fanout", "hub", "slow", "recovery", "votes", "instances"}

func (o *Options) defaults() error {
	if o.Seed == nil {
		return errors.New("livebench: no Seeder")
	}
	if o.ServerBinary == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		o.ServerBinary = self
	}
	if len(o.Viewers) == 0 {
		o.Viewers = []int{5000, 10000}
	}
	slices.Sort(o.Viewers)
	if o.Viewers[0] < 1 {
		return errors.New("livebench: viewer counts must be positive")
	}
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&o.Events, 20)
	def(&o.Runs, 1)
	def(&o.HubViewers, o.Viewers[len(o.Viewers)-1])
	def(&o.SlowViewers, 5000)
	def(&o.SlowPercent, 5)
	def(&o.SlowSeconds, 20)
	def(&o.RecoveryViewers, 5000)
	def(&o.VoteRate, 1000)
	def(&o.VoteSeconds, 10)
	def(&o.VoteViewers, 1000)
	def(&o.InstanceViewers, 1000)
	def(&o.DialConcurrency, 64)
	if len(o.Scenarios) == 0 {
		o.Scenarios = AllScenarios
	}
	for _, s := range o.Scenarios {
		if !slices.Contains(AllScenarios, s) {
			return fmt.Errorf("livebench: unknown scenario %q (want: %s)", s, strings.Join(AllScenarios, ", "))
		}
	}
	if o.Log == nil {
		o.Log = os.Stderr
	}
	return nil
}

// Run runs the selected scenarios and prints one JSON object per scenario
// on w. A scenario that fails prints an object with its error and the
// others still run; Run then returns an error naming the failures.
func Run(ctx context.Context, w io.Writer, opts Options) error {
	if err := opts.defaults(); err != nil {
		return err
	}
	b := &bench{opts: opts, out: json.NewEncoder(w), log: opts.Log}
	var failed []string
	for _, name := range AllScenarios {
		if !slices.Contains(opts.Scenarios, name) {
			continue
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.notef("scenario %s", name)
		t0 := time.Now()
		var err error
		switch name {
		case "hub":
			err = b.hubFanout(ctx)
		case "fanout":
			err = b.scoreFanout(ctx)
		case "slow":
			err = b.slowClients(ctx)
		case "recovery":
			err = b.recovery(ctx)
		case "votes":
			err = b.voteBurst(ctx)
		case "instances":
			err = b.twoInstances(ctx)
		}
		b.notef("scenario %s: %.1f s", name, time.Since(t0).Seconds())
		if err != nil {
			failed = append(failed, name)
			b.print(map[string]any{"benchmark": "live_" + name, "error": err.Error()})
		}
	}
	b.closeShared()
	if len(failed) > 0 {
		return fmt.Errorf("live benchmark: %s failed (see the JSON lines)", strings.Join(failed, ", "))
	}
	return nil
}

// bench is one run of the benchmark.
type bench struct {
	opts Options
	out  *json.Encoder
	log  io.Writer

	// shared is the SQLite server with its seeded show, used by the
	// single-instance scenarios one after another (restarted between them
	// so each starts from a fresh process).
	shared *sharedServer
	// lastEventBytes is the size of the board's event frame as viewers
	// received it.
	lastEventBytes int64
}

type sharedServer struct {
	srv  *leitaiServer
	seed Seed
	sh   *show
	dir  string
}

func (b *bench) notef(format string, args ...any) {
	fmt.Fprintf(b.log, "livebench: "+format+"\n", args...)
}

// print writes one result line; a map gets the host's load average (the
// machine is shared: figures from a loaded host are not comparable).
func (b *bench) print(v any) {
	if m, ok := v.(map[string]any); ok {
		if la := loadAvg(); la >= 0 {
			m["host_load_1m"] = la
		}
	}
	if err := b.out.Encode(v); err != nil {
		fmt.Fprintf(b.log, "livebench: write result: %v\n", err)
	}
}

// server returns the shared SQLite server, started fresh (restarted when
// it already runs, so memory figures start from a new process).
func (b *bench) server(ctx context.Context) (*sharedServer, error) {
	if b.shared != nil {
		b.shared.srv.stop()
		if _, err := b.shared.srv.start(ctx); err != nil {
			return nil, err
		}
		return b.shared, nil
	}
	dir, err := os.MkdirTemp("", "leitai-bench-live-")
	if err != nil {
		return nil, err
	}
	seed, err := b.opts.Seed(ctx, "", dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("seed: %w", err)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	srv := &leitaiServer{bin: b.opts.ServerBinary, addr: addr, dataDir: dir, log: b.log}
	if _, err := srv.start(ctx); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	sh, err := createShow(ctx, srv.base(), seed)
	if err != nil {
		srv.stop()
		os.RemoveAll(dir)
		return nil, err
	}
	b.shared = &sharedServer{srv: srv, seed: seed, sh: sh, dir: dir}
	return b.shared, nil
}

func (b *bench) closeShared() {
	if b.shared != nil {
		b.shared.srv.stop()
		os.RemoveAll(b.shared.dir)
		b.shared = nil
	}
}

// loadAvg is the host's 1-minute load average (-1 when unknown).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return -1
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return -1
	}
	la, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return -1
	}
	return la
}
