package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"leitai/judging/judgingbench"
	"leitai/models"
	"leitai/server/livebench"
	"leitai/storage"
	"leitai/storage/storagebench"
)

// cmdBench runs the load generators and measurements of BENCHMARKS.md,
// printing one JSON object per scenario.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("want: leitai bench start|upload|judging|scoring|live [flags]")}
	}
	switch args[0] {
	case "live":
		return benchLive(ctx, args[1:], stdout, stderr)
	case "judging":
		return judgingbench.Run(stdout)
	case "upload":
		fset := flag.NewFlagSet("leitai bench upload", flag.ContinueOnError)
		fset.SetOutput(stderr)
		size := fset.Int64("size-mib", 1024, "size of the generated file in MiB")
		conc := fset.Int("concurrency", 4, "parts in flight on both paths")
		runs := fset.Int("runs", 3, "runs of both paths, alternating (medians reported)")
		if err := fset.Parse(args[1:]); err != nil {
			return usageError{err}
		}
		return storagebench.RunUpload(ctx, stdout, storagebench.UploadOptions{Size: *size << 20, Concurrency: *conc, Runs: *runs, Log: stderr})
	case "scoring":
		fset := flag.NewFlagSet("leitai bench scoring", flag.ContinueOnError)
		fset.SetOutput(stderr)
		rate := fset.Int("rate", 500, "score saves per second to offer")
		dur := fset.Duration("duration", 10*time.Second, "how long to hold the rate (after a 1 s warm-up)")
		experts := fset.Int("experts", 50, "experts in the round")
		projects := fset.Int("projects", 200, "projects in the round (5 experts each)")
		dbURL := fset.String("database-url", "", "a throwaway PostgreSQL database to use (default: start a throwaway cluster)")
		submitEvery := fset.Int("submit-every", 4, "one (expert, project) pair in N submits (audited) on every save, the others save drafts; -1: drafts only")
		if err := fset.Parse(args[1:]); err != nil {
			return usageError{err}
		}
		return storagebench.RunScoring(ctx, stdout, storagebench.ScoringOptions{DatabaseURL: *dbURL, Rate: *rate, Duration: *dur,
			Experts: *experts, Projects: *projects, SubmitEvery: *submitEvery, Log: stderr})
	case "start":
		fset := flag.NewFlagSet("leitai bench start", flag.ContinueOnError)
		fset.SetOutput(stderr)
		runs := fset.Int("runs", 7, "number of cold starts to measure")
		if err := fset.Parse(args[1:]); err != nil {
			return usageError{err}
		}
		if *runs < 1 {
			return usageError{errors.New("--runs must be at least 1")}
		}
		res, err := benchStart(ctx, *runs)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(res)
	}
	return usageError{fmt.Errorf("unknown benchmark %q (want: start, upload, judging, scoring or live)", args[0])}
}

// startResult is the JSON line of the start benchmark.
type startResult struct {
	Benchmark string    `json:"benchmark"`
	Runs      int       `json:"runs"`
	MedianMS  float64   `json:"median_ms"`
	MinMS     float64   `json:"min_ms"`
	MaxMS     float64   `json:"max_ms"`
	TargetMS  float64   `json:"target_ms"`
	SamplesMS []float64 `json:"samples_ms"`
}

// benchStart starts this very binary on the embedded default (a fresh data
// dir each run, so every start also creates and migrates its database) and
// times exec → first /readyz 200.
func benchStart(ctx context.Context, runs int) (startResult, error) {
	self, err := os.Executable()
	if err != nil {
		return startResult{}, fmt.Errorf("find own binary: %w", err)
	}
	var samples []float64
	client := &http.Client{Timeout: time.Second}
	for i := 0; i < runs; i++ {
		d, err := oneStart(ctx, self, client)
		if err != nil {
			return startResult{}, fmt.Errorf("run %d: %w", i+1, err)
		}
		samples = append(samples, float64(d.Microseconds())/1000)
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	return startResult{Benchmark: "start_to_ready", Runs: runs, MedianMS: median,
		MinMS: sorted[0], MaxMS: sorted[len(sorted)-1], TargetMS: 1000, SamplesMS: samples}, nil
}

func oneStart(ctx context.Context, self string, client *http.Client) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "leitai-bench-start-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	addr := ln.Addr().String()
	ln.Close()

	cmd := exec.CommandContext(ctx, self, "serve", "--addr", addr, "--data-dir", dir, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "LEITAI_DATABASE_URL=", "LEITAI_S3_ENDPOINT=")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	url := "http://" + addr + "/readyz"
	deadline := start.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return 0, errors.New("no /readyz 200 within 30s on " + strconv.Quote(addr))
}

// benchLive runs the live-board benchmark (server/livebench): the server
// under test is this binary as a separate `leitai serve` process.
func benchLive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	raiseOpenFileLimit(stderr)
	fset := flag.NewFlagSet("leitai bench live", flag.ContinueOnError)
	fset.SetOutput(stderr)
	viewers := fset.String("viewers", "5000,10000", "fan-out sizes (comma-separated): viewers are added to reach each size")
	events := fset.Int("events", 20, "score events per fan-out size")
	runs := fset.Int("runs", 1, "runs of the Leitai and Centrifugo fan-out, alternating (medians reported)")
	hub := fset.Int("hub-viewers", 0, "viewers of the in-process hub fan-out (default: the largest of --viewers)")
	slow := fset.Int("slow-viewers", 5000, "viewers in the slow-client scenario")
	slowPct := fset.Int("slow-percent", 5, "percentage of them that stop reading")
	slowSecs := fset.Int("slow-seconds", 20, "seconds of events streamed at them")
	recovery := fset.Int("recovery-viewers", 5000, "viewers reconnecting after a server restart")
	rate := fset.Int("vote-rate", 1000, "votes per second in the vote burst")
	voteSecs := fset.Int("vote-seconds", 10, "seconds of the vote burst")
	voteViewers := fset.Int("vote-viewers", 1000, "viewers watching the board during the vote burst")
	inst := fset.Int("instance-viewers", 1000, "viewers on each of the two PostgreSQL instances")
	finalists := fset.Int("finalists", 10, "finalists of the seeded live event (the board's size grows with them)")
	scenarios := fset.String("scenarios", strings.Join(livebench.AllScenarios, ","), "scenarios to run, comma-separated")
	centrifugo := fset.String("centrifugo", "", "the Centrifugo "+livebench.CentrifugoVersion+" binary (default: the cache, built once with go install)")
	conc := fset.Int("dial-concurrency", 64, "websocket handshakes in flight")
	peer := fset.Bool("peer", true, "measure Centrifugo side by side")
	if err := fset.Parse(args); err != nil {
		return usageError{err}
	}
	var sizes []int
	for _, f := range strings.Split(*viewers, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 18999 {
			return usageError{fmt.Errorf("--viewers: want counts from 1 to 18999 (one process holds at most 20,000 files, the server 19,000 viewers, and the bench's monitor is one), got %q", f)}
		}
		sizes = append(sizes, n)
	}
	if *finalists < 2 || *finalists > 40 {
		return usageError{errors.New("--finalists: want 2 to 40")}
	}
	var names []string
	for _, s := range strings.Split(*scenarios, ",") {
		if s = strings.TrimSpace(s); s != "" {
			names = append(names, s)
		}
	}
	return livebench.Run(ctx, stdout, livebench.Options{
		Seed: func(ctx context.Context, dbURL, dir string) (livebench.Seed, error) {
			return seedLiveBench(ctx, dbURL, dir, *finalists)
		},
		Viewers: sizes, Events: *events, Runs: *runs, HubViewers: *hub,
		SlowViewers: *slow, SlowPercent: *slowPct, SlowSeconds: *slowSecs, RecoveryViewers: *recovery,
		VoteRate: *rate, VoteSeconds: *voteSecs, VoteViewers: *voteViewers, InstanceViewers: *inst,
		Scenarios: names, CentrifugoBinary: *centrifugo, NoPeer: !*peer, DialConcurrency: *conc, Log: stderr,
	})
}

// seedLiveBench creates, straight in the database (as livefinal_test.go
// does), a live round with the given number of finalists, an admin, a
// host and five judges.
func seedLiveBench(ctx context.Context, dbURL, dataDir string, finalists int) (livebench.Seed, error) {
	seed := livebench.Seed{Password: "live-bench-pass-1", Admin: "admin", Host: "host"}
	db, err := storage.Open(ctx, dbURL, dataDir, slog.New(slog.DiscardHandler))
	if err != nil {
		return seed, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return seed, err
	}
	actor := models.Actor{Name: "bench"}
	city, err := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCity, Name: "惠州市"})
	if err != nil {
		return seed, err
	}
	mk := func(username string, role models.Role, unit *int64) (models.User, error) {
		return db.CreateUser(ctx, actor, models.NewUser{Username: username, Password: seed.Password, Roles: []models.Role{role}, UnitID: unit, DisplayName: username})
	}
	if _, err := mk(seed.Admin, models.RoleAdmin, nil); err != nil {
		return seed, err
	}
	if _, err := mk(seed.Host, models.RoleHost, nil); err != nil {
		return seed, err
	}
	unit, err := mk("unit", models.RoleUnit, &city.ID)
	if err != nil {
		return seed, err
	}
	for i := 1; i <= 5; i++ {
		name := fmt.Sprintf("judge%d", i)
		if _, err := mk(name, models.RoleExpert, nil); err != nil {
			return seed, err
		}
		seed.Judges = append(seed.Judges, name)
	}
	now := time.Now()
	ed, err := db.CreateEdition(ctx, actor, models.EditionInput{Year: now.Year(), Title: "2026年惠州市社会治理创新十大项目",
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour), Categories: []string{"基层治理"}, Status: models.EditionActive})
	if err != nil {
		return seed, err
	}
	var projects []int64
	for i := range finalists {
		p, err := db.CreateProject(ctx, actor, unit, ed.ID, models.ProjectFields{Title: fmt.Sprintf("决赛项目%d：社区治理创新实践", i+1), Category: "基层治理"}, time.UTC)
		if err != nil {
			return seed, err
		}
		projects = append(projects, p.ID)
	}
	r, err := db.CreateRound(ctx, actor, ed.ID, models.Round{Name: "终审", Kind: models.RoundLive, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(24 * time.Hour), Rubric: models.FinalRubric(), ReviewersPerProject: 5, Method: "trimmed_mean", Trim: 1, KeyCriterion: "innovative"})
	if err != nil {
		return seed, err
	}
	if err := db.SetRoundProjects(ctx, actor, r.ID, projects, "决赛"); err != nil {
		return seed, err
	}
	seed.RoundID = r.ID
	return seed, nil
}
