package livebench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// process is a child process (the server under test, Centrifugo,
// PostgreSQL's postmaster is managed by pg_ctl instead).
type process struct {
	cmd  *exec.Cmd
	done chan struct{}
}

func startProcess(cmd *exec.Cmd, log io.Writer) (*process, error) {
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop sends SIGTERM and waits (SIGKILL to the group after grace).
func (p *process) stop(grace time.Duration) {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// leitaiServer is one `leitai serve` process under test.
type leitaiServer struct {
	bin, addr, dataDir, dbURL string
	log                       io.Writer
	proc                      *process
}

func (s *leitaiServer) base() string { return "http://" + s.addr }

// start runs the server (again, on the same address and data) and waits
// for /readyz; it returns how long that took.
func (s *leitaiServer) start(ctx context.Context) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, s.bin, "serve", "--addr", s.addr, "--data-dir", s.dataDir, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "LEITAI_DATABASE_URL="+s.dbURL, "LEITAI_S3_ENDPOINT=", "LEITAI_PUBLIC_URL=http://"+s.addr,
		"LEITAI_SECRET=leitai-live-bench-secret-0123456789")
	t0 := time.Now()
	p, err := startProcess(cmd, s.log)
	if err != nil {
		return 0, err
	}
	s.proc = p
	if err := waitReady(ctx, s.base()+"/readyz", p.done, time.Minute); err != nil {
		p.stop(5 * time.Second)
		return 0, fmt.Errorf("leitai serve on %s: %w", s.addr, err)
	}
	return time.Since(t0), nil
}

func (s *leitaiServer) stop() {
	if s.proc != nil {
		s.proc.stop(40 * time.Second)
		s.proc = nil
	}
}

func waitReady(ctx context.Context, url string, exited <-chan struct{}, within time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("the process exited (its log is above)")
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 within %s", url, within)
}

// rssKB reads VmRSS of a process in KiB.
// cpuMS is the CPU time (user + system) process pid has used, ms, from
// /proc/PID/stat (clock ticks of 10 ms: USER_HZ is 100 on Linux).
func cpuMS(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may
	// hold spaces: state is field 3, utime 14, stime 15.
	i := strings.LastIndexByte(string(b), ')')
	f := strings.Fields(string(b[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	utime, err1 := strconv.ParseFloat(f[11], 64)
	stime, err2 := strconv.ParseFloat(f[12], 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, b)
	}
	return (utime + stime) * 10, nil
}

func rssKB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		}
	}
	return 0, errors.New("no VmRSS in /proc/" + strconv.Itoa(pid) + "/status")
}

// settledRSS waits for a process's RSS to stop moving (two readings 500 ms
// apart within 1%, at most 5 s) and returns it.
func settledRSS(pid int) (int64, error) {
	prev, err := rssKB(pid)
	if err != nil {
		return 0, err
	}
	for range 10 {
		time.Sleep(500 * time.Millisecond)
		cur, err := rssKB(pid)
		if err != nil {
			return 0, err
		}
		if d := cur - prev; d*100 <= cur && -d*100 <= cur {
			return cur, nil
		}
		prev = cur
	}
	return prev, nil
}

// peakRSS samples a process's RSS every 100 ms until stopped and returns
// the highest reading.
func peakRSS(pid int) (stop func() int64) {
	var peak atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if kb, err := rssKB(pid); err == nil && kb > peak.Load() {
				peak.Store(kb)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 { close(done); wg.Wait(); return peak.Load() }
}

// ---- a throwaway PostgreSQL cluster (BENCHMARKS.md) ----

type postgres struct {
	bin, dir string
	port     int
	asUser   bool
}

func pgBin() (string, error) {
	if bin := os.Getenv("LEITAI_TEST_PG_BIN"); bin != "" {
		return bin, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(found) == 0 {
		return "", errors.New("PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/pg_ctl); install with: apt-get install -y postgresql, or set LEITAI_TEST_PG_BIN")
	}
	sort.Strings(found)
	return filepath.Dir(found[len(found)-1]), nil
}

// startPostgres initialises a cluster in a new temporary directory and
// starts it on a free loopback port (as the postgres user when root).
func startPostgres(ctx context.Context) (*postgres, error) {
	bin, err := pgBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "leitai-bench-pg-")
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	p := &postgres{bin: bin, dir: dir, asUser: os.Geteuid() == 0}
	p.port, _ = strconv.Atoi(port)
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
	}
	if err := p.run(ctx, "initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"); err != nil {
		p.remove()
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", p.port, dir)
	if err := p.run(ctx, "pg_ctl", "-D", filepath.Join(dir, "data"), "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		p.remove()
		return nil, err
	}
	return p, nil
}

func (p *postgres) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *postgres) run(ctx context.Context, name string, args ...string) error {
	path := filepath.Join(p.bin, name)
	var cmd *exec.Cmd
	if p.asUser {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = p.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

// stop stops the cluster and removes its directory.
func (p *postgres) stop() {
	_ = p.run(context.Background(), "pg_ctl", "-D", filepath.Join(p.dir, "data"), "-m", "immediate", "-w", "stop")
	p.remove()
}

func (p *postgres) remove() { _ = os.RemoveAll(p.dir) }
