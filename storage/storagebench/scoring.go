package storagebench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"leitai/models"
	"leitai/storage"
)

// ScoringOptions shape the expert-scoring benchmark. Zero values take the
// defaults.
type ScoringOptions struct {
	// DatabaseURL names a PostgreSQL database to use (it is migrated and
	// seeded: use a throwaway one). Empty: a throwaway cluster is started
	// with the server binaries of LEITAI_TEST_PG_BIN or the newest
	// /usr/lib/postgresql/*/bin.
	DatabaseURL string
	// Rate is the score saves per second to offer (default 500).
	Rate int
	// Duration is how long the rate is held after a 1 s warm-up (default 10 s).
	Duration time.Duration
	// Experts and Projects size the round (defaults 50 and 200, 5 experts
	// per project: 20 projects per expert).
	Experts, Projects int
	// Workers bounds the requests in flight (default 128).
	Workers int
	// SubmitEvery makes one (expert, project) pair in SubmitEvery submit
	// (audited) on every save, the others autosave drafts; default 4, a
	// negative value: drafts only.
	SubmitEvery int
	// ServerBinary is the leitai binary started as a separate process
	// (default: this executable).
	ServerBinary string
	// Log receives progress notes (default: discarded).
	Log io.Writer
}

// ScoringResult is the JSON line of the benchmark. Latencies are measured
// from each request's scheduled start (open loop), so a server that falls
// behind shows it in the percentiles instead of slowing the load down.
type ScoringResult struct {
	Benchmark    string  `json:"benchmark"`
	Database     string  `json:"database"`
	TargetRate   int     `json:"target_rate_per_s"`
	Seconds      float64 `json:"seconds"`
	Sent         int64   `json:"sent"`
	OK           int64   `json:"ok"`
	Errors       int64   `json:"errors"`
	AchievedRate float64 `json:"achieved_rate_per_s"`
	P50MS        float64 `json:"p50_ms"`
	P95MS        float64 `json:"p95_ms"`
	P99MS        float64 `json:"p99_ms"`
	MaxMS        float64 `json:"max_ms"`
	TargetP99MS  float64 `json:"target_p99_ms"`
	Experts      int     `json:"experts"`
	Projects     int     `json:"projects"`
	Submits      float64 `json:"submit_share"`
	// CPU per successful save in the measured window, in milliseconds:
	// the leitai server, PostgreSQL (when the benchmark started it) and
	// this load generator. On a shared machine these travel better than
	// the latencies.
	ServerCPUMS    float64 `json:"server_cpu_ms_per_save"`
	PostgresCPUMS  float64 `json:"postgres_cpu_ms_per_save,omitempty"`
	GeneratorCPUMS float64 `json:"generator_cpu_ms_per_save"`
	FirstError     string  `json:"first_error,omitempty"`
}

// RunScoring measures sustained expert score saves (PUT …/score) through
// a leitai server on PostgreSQL, as separate processes: it seeds an open
// round (experts × projects, 5 experts per project), signs every expert in,
// then offers Rate saves per second for Duration — by default three
// quarters autosaved drafts, one quarter submissions (audited) — and prints
// one JSON object.
func RunScoring(ctx context.Context, w io.Writer, opts ScoringOptions) error {
	if opts.Rate <= 0 {
		opts.Rate = 500
	}
	if opts.Duration <= 0 {
		opts.Duration = 10 * time.Second
	}
	if opts.Experts <= 0 {
		opts.Experts = 50
	}
	if opts.Projects <= 0 {
		opts.Projects = 200
	}
	if opts.Workers <= 0 {
		opts.Workers = 128
	}
	if opts.SubmitEvery == 0 {
		opts.SubmitEvery = 4
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.ServerBinary == "" {
		self, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find own binary: %w", err)
		}
		opts.ServerBinary = self
	}
	work, err := os.MkdirTemp("", "leitai-bench-scoring-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var pgCPU func() float64
	if opts.DatabaseURL == "" {
		pg, err := startPostgres(ctx, filepath.Join(work, "pg"))
		if err != nil {
			return err
		}
		defer pg.stop()
		opts.DatabaseURL = pg.url
		pgCPU = pg.cpuSeconds
		fmt.Fprintf(opts.Log, "scoring: PostgreSQL on %s\n", pg.url)
	}

	roundID, experts, err := seedRound(ctx, opts)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(opts.Log, "scoring: round %d seeded (%d experts, %d projects)\n", roundID, opts.Experts, opts.Projects)

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, opts.ServerBinary, "serve", "--addr", addr, "--data-dir", filepath.Join(work, "data"), "--log-level", "warn")
	cmd.Env = append(os.Environ(), "LEITAI_DATABASE_URL="+opts.DatabaseURL, "LEITAI_S3_ENDPOINT=", "LEITAI_PUBLIC_URL=http://"+addr)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", opts.ServerBinary, err)
	}
	srv := &server{cmd: cmd, base: "http://" + addr, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(srv.done) }()
	defer srv.stop()
	if err := waitStatus(srv.base+"/readyz", srv.done); err != nil {
		return fmt.Errorf("server: %w", err)
	}

	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: opts.Workers, MaxConnsPerHost: opts.Workers}}
	type job struct {
		c      *apiClient
		path   string
		submit bool
	}
	var jobs []job
	for i, username := range experts {
		c := &apiClient{base: srv.base, http: hc}
		var s sessionJSON
		if err := c.do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": benchPassword}, &s); err != nil {
			return fmt.Errorf("sign in %s: %w", username, err)
		}
		c.csrf = s.CSRFToken
		var list struct {
			Items []struct {
				ProjectID int64 `json:"project_id"`
			} `json:"items"`
		}
		if err := c.do(ctx, "GET", fmt.Sprintf("/api/v1/review/rounds/%d", roundID), nil, &list); err != nil {
			return err
		}
		for j, it := range list.Items {
			// A quarter of the (expert, project) pairs submit every save;
			// the others autosave drafts (a draft after a submission is
			// refused, so a pair keeps its kind).
			jobs = append(jobs, job{c: c, path: fmt.Sprintf("/api/v1/review/rounds/%d/projects/%d/score", roundID, it.ProjectID),
				submit: opts.SubmitEvery > 0 && (i+j)%opts.SubmitEvery == 0})
		}
	}
	if len(jobs) == 0 {
		return errors.New("no assignments to score")
	}
	submits := 0
	for _, j := range jobs {
		if j.submit {
			submits++
		}
	}
	fmt.Fprintf(opts.Log, "scoring: %d experts signed in, %d assigned pairs; warming up 1 s, then %d saves/s for %s\n", len(experts), len(jobs), opts.Rate, opts.Duration)

	var sent, okN, errN atomic.Int64
	var firstErr atomic.Value
	var mu sync.Mutex
	var lat []float64
	type ticket struct {
		at      time.Time
		n       int
		measure bool
	}
	tickets := make(chan ticket, opts.Rate*2)
	var wg sync.WaitGroup
	for range opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tk := range tickets {
				j := jobs[tk.n%len(jobs)]
				round := tk.n / len(jobs)
				// Points vary per save, within the default rubric.
				body := fmt.Sprintf(`{"points":{"innovative":%d,"exploratory":%d.5,"demonstrative":15,"replicable":%d,"sustainable":10},"comment":"bench %d","submit":%t}`,
					15+round%10, 10+tk.n%9, 12+tk.n%8, tk.n, j.submit)
				req, err := http.NewRequestWithContext(ctx, "PUT", j.c.base+j.path, bytes.NewReader([]byte(body)))
				if err != nil {
					continue
				}
				req.Header.Set("Content-Type", "application/json")
				j.c.auth(req)
				resp, err := hc.Do(req)
				elapsed := time.Since(tk.at)
				if err == nil {
					data, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("%s: %s", resp.Status, data)
					}
				}
				if !tk.measure {
					continue
				}
				sent.Add(1)
				if err != nil {
					errN.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				okN.Add(1)
				mu.Lock()
				lat = append(lat, float64(elapsed.Microseconds())/1000)
				mu.Unlock()
			}
		}()
	}
	warm := time.Second
	total := int((warm + opts.Duration).Seconds() * float64(opts.Rate))
	interval := time.Second / time.Duration(opts.Rate)
	start := time.Now()
	measureFrom := int(warm.Seconds() * float64(opts.Rate))
	var srvCPU0, pgCPU0, genCPU0 float64
	for n := 0; n < total; n++ {
		if n == measureFrom {
			srvCPU0, genCPU0 = cpuSeconds(cmd.Process.Pid), selfCPUSeconds()
			if pgCPU != nil {
				pgCPU0 = pgCPU()
			}
		}
		at := start.Add(time.Duration(n) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		select {
		case tickets <- ticket{at: at, n: n, measure: n >= measureFrom}:
		case <-ctx.Done():
			close(tickets)
			wg.Wait()
			return ctx.Err()
		}
	}
	close(tickets)
	wg.Wait()
	elapsed := time.Since(start.Add(warm))
	// Idle keep-alive connections would hold the server's graceful
	// shutdown until their idle timeout.
	hc.CloseIdleConnections()
	srvCPU, genCPU := cpuSeconds(cmd.Process.Pid)-srvCPU0, selfCPUSeconds()-genCPU0
	var pgUsed float64
	if pgCPU != nil {
		pgUsed = pgCPU() - pgCPU0
	}

	sort.Float64s(lat)
	res := ScoringResult{Benchmark: "expert_scoring", Database: "postgres", TargetRate: opts.Rate, Seconds: round(elapsed.Seconds()),
		Sent: sent.Load(), OK: okN.Load(), Errors: errN.Load(), AchievedRate: round(float64(okN.Load()) / elapsed.Seconds()),
		P50MS: round(pct(lat, 0.50)), P95MS: round(pct(lat, 0.95)), P99MS: round(pct(lat, 0.99)), TargetP99MS: 50,
		Experts: opts.Experts, Projects: opts.Projects, Submits: round(float64(submits) / float64(len(jobs)))}
	if len(lat) > 0 {
		res.MaxMS = round(lat[len(lat)-1])
	}
	if n := float64(okN.Load()); n > 0 {
		res.ServerCPUMS, res.GeneratorCPUMS = round(srvCPU*1000/n), round(genCPU*1000/n)
		if pgCPU != nil {
			res.PostgresCPUMS = round(pgUsed * 1000 / n)
		}
	}
	if e, ok := firstErr.Load().(string); ok {
		res.FirstError = e
	}
	return json.NewEncoder(w).Encode(res)
}

// pct is the nearest-rank percentile of sorted values.
func pct(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

const benchPassword = "bench-password-1"

// seedRound creates, straight through storage, an edition with units and
// eligible projects, the experts and an open round assigned with k = 5.
func seedRound(ctx context.Context, opts ScoringOptions) (int64, []string, error) {
	db, err := storage.Open(ctx, opts.DatabaseURL, "", slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return 0, nil, err
	}
	actor := models.Actor{Name: "bench"}
	now := time.Now().UTC()
	city, err := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCity, Name: "惠州市"})
	if err != nil {
		return 0, nil, err
	}
	var counties []models.Unit
	for i := range 5 {
		u, err := db.CreateUnit(ctx, actor, models.UnitInput{Kind: models.UnitCounty, ParentID: &city.ID, Name: "县区" + strconv.Itoa(i+1)})
		if err != nil {
			return 0, nil, err
		}
		counties = append(counties, u)
	}
	ed, err := db.CreateEdition(ctx, actor, models.EditionInput{Year: now.Year(), Title: "评分压测", Categories: []string{"基层治理"},
		OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(24 * time.Hour), Status: models.EditionActive})
	if err != nil {
		return 0, nil, err
	}
	var units []models.User
	for i, c := range counties {
		u, err := db.CreateUser(ctx, actor, models.NewUser{Username: "bench-unit-" + strconv.Itoa(i), Password: benchPassword,
			Roles: []models.Role{models.RoleUnit}, UnitID: &c.ID})
		if err != nil {
			return 0, nil, err
		}
		units = append(units, u)
	}
	var ids []int64
	for i := range opts.Projects {
		u := units[i%len(units)]
		p, err := db.CreateProject(ctx, actor, u, ed.ID, models.ProjectFields{Title: "压测项目" + strconv.Itoa(i+1), Category: "基层治理",
			Summary: "s", Problem: "p", Approach: "a", Results: "r", Replicability: "r", Sustainability: "s", StartDate: "2025-01-01",
			ContactName: "c", ContactPhone: "13800000000"}, time.UTC)
		if err != nil {
			return 0, nil, err
		}
		ids = append(ids, p.ID)
	}
	var experts []string
	for i := range opts.Experts {
		name := "bench-expert-" + strconv.Itoa(i)
		n := models.NewUser{Username: name, Password: benchPassword, Roles: []models.Role{models.RoleExpert}}
		if i%5 != 0 { // every fifth expert is from outside the tree; the others conflict with a county
			n.UnitID = &counties[i%len(counties)].ID
		}
		if _, err := db.CreateUser(ctx, actor, n); err != nil {
			return 0, nil, err
		}
		experts = append(experts, name)
	}
	r, err := db.CreateRound(ctx, actor, ed.ID, models.Round{Name: "初审", Kind: models.RoundOnline, OpensAt: now.Add(-time.Hour),
		ClosesAt: now.Add(24 * time.Hour), Rubric: models.DefaultRubric(), ReviewersPerProject: 5, Method: "trimmed_mean", Trim: 1, KeyCriterion: "innovative"})
	if err != nil {
		return 0, nil, err
	}
	// The projects stay drafts (submitting needs media, which scoring never
	// touches): the round gets them as an organiser sets a round's projects.
	if err := db.SetRoundProjects(ctx, actor, r.ID, ids, "bench"); err != nil {
		return 0, nil, err
	}
	if _, err := db.AssignRound(ctx, actor, r.ID, 20260501); err != nil {
		return 0, nil, err
	}
	if _, err := db.MoveRound(ctx, actor, r.ID, models.RoundOpen, time.UTC); err != nil {
		return 0, nil, err
	}
	slices.Sort(experts)
	return r.ID, experts, nil
}

// postgres is a throwaway cluster for the benchmark.
type postgres struct {
	bin, dir string
	asUser   bool
	url      string
}

func startPostgres(ctx context.Context, dir string) (*postgres, error) {
	bin := os.Getenv("LEITAI_TEST_PG_BIN")
	if bin == "" {
		found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
		if len(found) == 0 {
			return nil, errors.New("no PostgreSQL server binaries (apt-get install -y postgresql, or pass --database-url)")
		}
		sort.Strings(found)
		bin = filepath.Dir(found[len(found)-1])
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	p := &postgres{bin: bin, dir: dir, asUser: os.Geteuid() == 0}
	if p.asUser {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres system user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
			return nil, err
		}
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := cutLast(addr, ":")
	if err := p.run(ctx, "initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		return nil, err
	}
	// fsync=off as BENCHMARKS.md's throwaway cluster: the figure is the
	// server's, not this machine's disk.
	if err := p.run(ctx, "pg_ctl", "-D", filepath.Join(dir, "data"), "-l", filepath.Join(dir, "log"), "-w", "-o",
		fmt.Sprintf("-p %s -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", port, dir), "start"); err != nil {
		return nil, err
	}
	p.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%s/postgres?sslmode=disable", port)
	return p, nil
}

func (p *postgres) run(ctx context.Context, name string, args ...string) error {
	path := filepath.Join(p.bin, name)
	var cmd *exec.Cmd
	if p.asUser {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", name, err, out)
	}
	return nil
}

func (p *postgres) stop() {
	_ = p.run(context.Background(), "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "stop")
}

// cpuSeconds sums the CPU time of the cluster: the postmaster and its
// children (the backends serving the server).
func (p *postgres) cpuSeconds() float64 {
	b, err := os.ReadFile(filepath.Join(p.dir, "data", "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	master, err := strconv.Atoi(string(bytes.TrimSpace(line)))
	if err != nil {
		return 0
	}
	// The postmaster's own time and that of the backends it has reaped
	// (cutime, cstime), then the live backends.
	total := cpuSeconds(master) + reapedCPUSeconds(master)
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := bytes.Fields(stat[i+1:])
		if len(f) > 1 && string(f[1]) == strconv.Itoa(master) {
			total += cpuSeconds(pid)
		}
	}
	return total
}

// reapedCPUSeconds is the CPU time of a process's children that have
// exited and been waited for.
func reapedCPUSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 15 {
		return 0
	}
	cu, _ := strconv.ParseFloat(string(f[13]), 64)
	cs, _ := strconv.ParseFloat(string(f[14]), 64)
	return (cu + cs) / 100 // USER_HZ
}

// selfCPUSeconds is this process's user+system CPU time so far.
func selfCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func cutLast(s, sep string) (string, string, bool) {
	for i := len(s) - len(sep); i >= 0; i-- {
		if s[i:i+len(sep)] == sep {
			return s[:i], s[i+len(sep):], true
		}
	}
	return s, "", false
}
