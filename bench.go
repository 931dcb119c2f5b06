package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"

	"leitai/judging/judgingbench"
	"leitai/storage/storagebench"
)

// cmdBench runs the load generators and measurements of BENCHMARKS.md,
// printing one JSON object per scenario.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{errors.New("want: leitai bench start|upload|judging|scoring [flags]")}
	}
	switch args[0] {
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
	return usageError{fmt.Errorf("unknown benchmark %q (want: start, upload, judging or scoring)", args[0])}
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
