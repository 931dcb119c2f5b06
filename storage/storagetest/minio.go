package storagetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// minioVersion is the pinned MinIO release the tests run against.
const minioVersion = "v0.0.0-20260212201848-7aac2a2c5b7c"

// minioInstallHint tells a developer how to get the MinIO server binary.
const minioInstallHint = "make test provisions it; or: GOBIN=~/.cache/leitai/minio-v0.0.0-20260212201848-7aac2a2c5b7c go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"

// minioStartTimeout bounds how long StartMinIO and Start wait for the
// server to answer its liveness probe.
const minioStartTimeout = 30 * time.Second

// MinIO is a real MinIO server owned by one test. It listens on loopback and
// keeps its data in a temporary directory that is removed when the test ends.
type MinIO struct {
	// Endpoint is the S3 API address, host:port without a scheme.
	Endpoint string
	// AccessKey is the root user.
	AccessKey string
	// SecretKey is the root password.
	SecretKey string

	t           testing.TB
	bin         string
	dataDir     string
	consoleAddr string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *lockedBuffer
}

// StartMinIO starts a MinIO server on free loopback ports with random root
// credentials and waits until it is live. The binary comes from
// LEITAI_TEST_MINIO; when that is unset or not executable the test fails with
// the command that builds it. The server is killed when the test ends.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	bin := os.Getenv("LEITAI_TEST_MINIO")
	if bin == "" {
		// Where `make test` builds it, so a plain `go test` finds it too.
		if cache, err := os.UserCacheDir(); err == nil {
			if p := filepath.Join(cache, "leitai", "minio-"+minioVersion, "minio"); checkExecutable(p) == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		t.Fatalf("LEITAI_TEST_MINIO is not set and no MinIO is in the cache: it must name a MinIO server binary. %s", minioInstallHint)
	}
	if err := checkExecutable(bin); err != nil {
		t.Fatalf("LEITAI_TEST_MINIO=%s is not usable (%v). %s", bin, err, minioInstallHint)
	}
	m := &MinIO{
		Endpoint:    fmt.Sprintf("127.0.0.1:%d", FreePort(t)),
		AccessKey:   "leitai-" + randomHex(t, 6),
		SecretKey:   randomHex(t, 20),
		t:           t,
		bin:         bin,
		dataDir:     filepath.Join(t.TempDir(), "minio-data"),
		consoleAddr: fmt.Sprintf("127.0.0.1:%d", FreePort(t)),
	}
	if err := os.MkdirAll(m.dataDir, 0o750); err != nil {
		t.Fatalf("minio data dir: %v", err)
	}
	// Registered after t.TempDir, so it runs before the directory is removed.
	t.Cleanup(m.Stop)
	m.Start()
	return m
}

// Start starts the server (again) on the same port and data directory and
// waits until it answers /minio/health/live. Starting a running server is a
// no-op.
func (m *MinIO) Start() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cmd != nil {
		return
	}
	out := &lockedBuffer{}
	cmd := exec.Command(m.bin, "server", m.dataDir,
		"--address", m.Endpoint,
		"--console-address", m.consoleAddr)
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+m.AccessKey,
		"MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
	)
	cmd.Stdout, cmd.Stderr = out, out
	// Own process group, so Stop can kill MinIO and anything it spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		m.t.Fatalf("start minio %s: %v. %s", m.bin, err, minioInstallHint)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	m.cmd, m.done, m.out = cmd, done, out

	if err := waitLive(m.Endpoint, done); err != nil {
		m.stopLocked()
		m.t.Fatalf("minio did not become live on %s: %v\nserver output:\n%s", m.Endpoint, err, out.String())
	}
}

// Stop kills the server's process group and waits for it to exit, as a crash
// or an outage would. Stopping a stopped server is a no-op.
func (m *MinIO) Stop() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stopLocked()
}

func (m *MinIO) stopLocked() {
	if m.cmd == nil {
		return
	}
	// A negative pid addresses the whole process group.
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
		m.t.Logf("minio (pid %d) did not exit 10s after SIGKILL", m.cmd.Process.Pid)
	}
	m.cmd, m.done = nil, nil
}

// Output returns what the server has printed since it was last started.
func (m *MinIO) Output() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.out == nil {
		return ""
	}
	return m.out.String()
}

// waitLive polls the liveness endpoint until it answers 200, the process
// exits, or minioStartTimeout passes.
func waitLive(endpoint string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	url := "http://" + endpoint + "/minio/health/live"
	deadline := time.Now().Add(minioStartTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("server exited")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			cancel()
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				cancel()
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		cancel()
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("timed out after %s (last: %v)", minioStartTimeout, last)
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("not a regular file")
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("not executable")
	}
	return nil
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// lockedBuffer collects a child's output; the process writes to it from
// its own goroutines while the test may read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
