// Package storagebench measures the storage paths of BENCHMARKS.md. Its
// upload benchmark sends a large generated file through the platform's
// chunked upload API into MinIO and, in the same run, the same bytes with a
// direct minio-go PutObject to the same MinIO, and reports throughput, the
// ratio and the server's memory growth.
package storagebench

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MinIOVersion is the pinned MinIO build the benchmark starts when no
// endpoint is given (the one `make test` builds into the cache).
const MinIOVersion = "v0.0.0-20260212201848-7aac2a2c5b7c"

// UploadOptions shape the upload benchmark. Zero values take the defaults.
type UploadOptions struct {
	// Size is the generated file's size (default 1 GiB).
	Size int64
	// Concurrency is the number of parts in flight, on both paths
	// (default 4).
	Concurrency int
	// Runs repeats both paths, alternating; medians are reported (default 1).
	Runs int
	// ServerBinary is the leitai binary started as a separate process
	// (default: this executable).
	ServerBinary string
	// MinIOBinary is started on a temporary directory when S3Endpoint is
	// empty (default: the cached pinned build).
	MinIOBinary string
	// S3Endpoint, S3AccessKey, S3SecretKey name an already running MinIO
	// instead (host:port, loopback).
	S3Endpoint, S3AccessKey, S3SecretKey string
	// WorkDir holds the generated file and the server's data (default: a
	// temporary directory, removed afterwards).
	WorkDir string
	// Log receives progress notes (default: discarded).
	Log io.Writer
}

// UploadResult is one JSON line of the benchmark.
type UploadResult struct {
	Benchmark   string  `json:"benchmark"`
	Path        string  `json:"path,omitempty"`
	Bytes       int64   `json:"bytes,omitempty"`
	Concurrency int     `json:"concurrency,omitempty"`
	ChunkMiB    int64   `json:"chunk_mib,omitempty"`
	Runs        int     `json:"runs,omitempty"`
	Seconds     float64 `json:"seconds,omitempty"`
	MiBPerS     float64 `json:"mib_per_s,omitempty"`
	// Summary line.
	Ratio              float64  `json:"ratio,omitempty"`
	TargetRatio        float64  `json:"target_ratio,omitempty"`
	ServerRSSBeforeMiB float64  `json:"server_rss_before_mib,omitempty"`
	ServerRSSPeakMiB   float64  `json:"server_rss_peak_mib,omitempty"`
	ServerRSSAfterMiB  float64  `json:"server_rss_after_mib,omitempty"`
	ServerRSSGrowthMiB *float64 `json:"server_rss_growth_mib,omitempty"`
	TargetRSSGrowthMiB float64  `json:"target_rss_growth_mib,omitempty"`
	PartRetries        *int64   `json:"part_retries,omitempty"`
	// ServerCPUSecondsPerGiB is the server's user+system CPU time per GiB
	// uploaded through it (2 cores are shared by client, server and MinIO).
	ServerCPUSecondsPerGiB float64   `json:"server_cpu_s_per_gib,omitempty"`
	PlatformSamplesMiBs    []float64 `json:"platform_samples_mib_per_s,omitempty"`
	DirectSamplesMiBs      []float64 `json:"direct_samples_mib_per_s,omitempty"`
}

const benchBucket = "leitai-bench"

// RunUpload runs the large-upload benchmark and prints one JSON object per
// path and a summary with the ratio platform ÷ direct and the server's RSS
// growth (read from /proc/<pid>/status, sampled while the upload runs).
func RunUpload(ctx context.Context, w io.Writer, opts UploadOptions) error {
	if opts.Size <= 0 {
		opts.Size = 1 << 30
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.Runs <= 0 {
		opts.Runs = 1
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.ServerBinary == "" {
		self, err := os.Executable()
		if err != nil {
			return err
		}
		opts.ServerBinary = self
	}
	work := opts.WorkDir
	if work == "" {
		dir, err := os.MkdirTemp("", "leitai-bench-upload-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		work = dir
	}

	endpoint, access, secret := opts.S3Endpoint, opts.S3AccessKey, opts.S3SecretKey
	if endpoint == "" {
		m, err := startMinIO(ctx, opts.MinIOBinary, filepath.Join(work, "minio"))
		if err != nil {
			return err
		}
		defer m.stop()
		endpoint, access, secret = m.endpoint, m.access, m.secret
	}
	fmt.Fprintf(opts.Log, "minio on %s\n", endpoint)

	file := filepath.Join(work, "upload.bin")
	fmt.Fprintf(opts.Log, "generating %d bytes\n", opts.Size)
	sums, err := generate(file, opts.Size, chunkSize)
	if err != nil {
		return err
	}

	srv, err := startServer(ctx, opts.ServerBinary, filepath.Join(work, "server"), endpoint, access, secret)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(opts.Log, "server pid %d on %s\n", srv.cmd.Process.Pid, srv.base)
	unit, projectID, err := seed(ctx, srv.base)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}

	mc, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(access, secret, ""), Region: "us-east-1"})
	if err != nil {
		return err
	}
	if err := mc.MakeBucket(ctx, benchBucket, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		if code := minio.ToErrorResponse(err).Code; code != "BucketAlreadyOwnedByYou" && code != "BucketAlreadyExists" {
			return fmt.Errorf("bench bucket: %w", err)
		}
	}

	before, err := rssMiB(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	var peak atomic.Int64
	peak.Store(int64(before * 1024))
	stopSampling := sampleRSS(srv.cmd.Process.Pid, &peak)

	var platform, direct []float64
	var retries atomic.Int64
	var serverCPU float64
	for run := 0; run < opts.Runs; run++ {
		cpu0 := cpuSeconds(srv.cmd.Process.Pid)
		start := time.Now()
		if err := uploadThroughPlatform(ctx, unit, projectID, file, opts.Size, sums, opts.Concurrency, &retries); err != nil {
			stopSampling()
			return fmt.Errorf("platform upload: %w", err)
		}
		platform = append(platform, mibPerS(opts.Size, time.Since(start)))
		serverCPU += cpuSeconds(srv.cmd.Process.Pid) - cpu0
		fmt.Fprintf(opts.Log, "run %d platform: %.1f MiB/s\n", run+1, platform[len(platform)-1])

		start = time.Now()
		if err := uploadDirect(ctx, mc, file, opts.Size, opts.Concurrency); err != nil {
			stopSampling()
			return fmt.Errorf("direct upload: %w", err)
		}
		direct = append(direct, mibPerS(opts.Size, time.Since(start)))
		fmt.Fprintf(opts.Log, "run %d direct: %.1f MiB/s\n", run+1, direct[len(direct)-1])
	}
	stopSampling()
	after, err := rssMiB(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	peakMiB := float64(peak.Load()) / 1024

	growth, nRetries := round(peakMiB-before), retries.Load()
	enc := json.NewEncoder(w)
	pm, dm := median(platform), median(direct)
	for _, r := range []UploadResult{
		{Benchmark: "upload_1gib", Path: "platform", Bytes: opts.Size, Concurrency: opts.Concurrency, ChunkMiB: chunkSize >> 20,
			Runs: opts.Runs, Seconds: round(float64(opts.Size) / (1 << 20) / pm), MiBPerS: round(pm)},
		{Benchmark: "upload_1gib", Path: "direct_putobject", Bytes: opts.Size, Concurrency: opts.Concurrency, ChunkMiB: 16,
			Runs: opts.Runs, Seconds: round(float64(opts.Size) / (1 << 20) / dm), MiBPerS: round(dm)},
		{Benchmark: "upload_1gib", Ratio: round(pm / dm), TargetRatio: 0.8, ServerRSSBeforeMiB: round(before),
			ServerRSSPeakMiB: round(peakMiB), ServerRSSAfterMiB: round(after), ServerRSSGrowthMiB: &growth,
			TargetRSSGrowthMiB: 64, PartRetries: &nRetries,
			ServerCPUSecondsPerGiB: round(serverCPU / float64(opts.Runs) / (float64(opts.Size) / (1 << 30))), PlatformSamplesMiBs: platform, DirectSamplesMiBs: direct},
	} {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// chunkSize is the platform's part size (models.ChunkSize; storagebench
// speaks to the server over HTTP like a browser and imports nothing of it).
const chunkSize = 8 << 20

func mibPerS(n int64, d time.Duration) float64 { return float64(n) / (1 << 20) / d.Seconds() }

func round(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// generate writes size pseudo-random bytes that sniff as an MP4 video and
// returns the MD5 of every chunk.
func generate(path string, size, chunk int64) ([][]byte, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rng := rand.NewChaCha8([32]byte{'l', 'e', 'i', 't', 'a', 'i'})
	buf := make([]byte, chunk)
	var sums [][]byte
	for off := int64(0); off < size; off += chunk {
		b := buf[:min(chunk, size-off)]
		_, _ = rng.Read(b)
		if off == 0 {
			copy(b, []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"))
		}
		s := md5.Sum(b)
		sums = append(sums, s[:])
		if _, err := f.Write(b); err != nil {
			return nil, err
		}
	}
	return sums, f.Close()
}

// ---- the server under test ----

type server struct {
	cmd  *exec.Cmd
	base string
	done chan struct{}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func startServer(ctx context.Context, bin, dataDir, endpoint, access, secret string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", addr, "--data-dir", dataDir, "--log-level", "warn")
	cmd.Env = append(os.Environ(), "LEITAI_DATABASE_URL=", "LEITAI_S3_ENDPOINT="+endpoint, "LEITAI_S3_ACCESS_KEY="+access,
		"LEITAI_S3_SECRET_KEY="+secret, "LEITAI_S3_BUCKET=leitai", "LEITAI_PUBLIC_URL=http://"+addr)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	if err := waitStatus(s.base+"/readyz", s.done); err != nil {
		s.stop()
		return nil, fmt.Errorf("server: %w", err)
	}
	return s, nil
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	}
}

func waitStatus(url string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("process exited")
		default:
		}
		if resp, err := client.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer 200 within a minute", url)
}

// ---- MinIO ----

type minioServer struct {
	cmd                      *exec.Cmd
	endpoint, access, secret string
	done                     chan struct{}
}

func startMinIO(ctx context.Context, bin, dir string) (*minioServer, error) {
	if bin == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, err
		}
		bin = filepath.Join(cache, "leitai", "minio-"+MinIOVersion, "minio")
	}
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("MinIO server binary %s: %w (build it with: GOBIN=%s go install github.com/minio/minio@%s, or pass an endpoint)",
			bin, err, filepath.Dir(bin), MinIOVersion)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	console, err := freeAddr()
	if err != nil {
		return nil, err
	}
	m := &minioServer{endpoint: addr, access: "bench-" + strconv.FormatInt(time.Now().UnixNano()%1e6, 10), secret: "bench-secret-key-0123456789", done: make(chan struct{})}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	m.cmd = exec.CommandContext(ctx, bin, "server", dir, "--address", addr, "--console-address", console, "--quiet")
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.access, "MINIO_ROOT_PASSWORD="+m.secret, "MINIO_BROWSER=off", "MINIO_UPDATE=off")
	m.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := m.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = m.cmd.Wait(); close(m.done) }()
	if err := waitStatus("http://"+addr+"/minio/health/live", m.done); err != nil {
		m.stop()
		return nil, fmt.Errorf("minio: %w", err)
	}
	return m, nil
}

func (m *minioServer) stop() {
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	<-m.done
}

// ---- memory ----

// rssMiB reads VmRSS of a process.
func rssMiB(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0, err
			}
			return float64(kb) / 1024, nil
		}
	}
	return 0, errors.New("no VmRSS")
}

// cpuSeconds is a process's user+system CPU time so far (0 when unknown).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) start at ")".
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ
}

// sampleRSS keeps the highest RSS (in KiB) seen every 50 ms until stopped.
func sampleRSS(pid int, peak *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			if mib, err := rssMiB(pid); err == nil {
				kb := int64(mib * 1024)
				for {
					old := peak.Load()
					if kb <= old || peak.CompareAndSwap(old, kb) {
						break
					}
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// ---- the API client ----

type apiClient struct {
	base, cookie, csrf string
	http               *http.Client
}

func (c *apiClient) do(ctx context.Context, method, path string, body any, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.auth(req)
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, data)
	}
	for _, sc := range resp.Cookies() {
		if sc.Name == "leitai_session" {
			c.cookie = sc.Value
		}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

func (c *apiClient) auth(req *http.Request) {
	if c.cookie != "" {
		req.Header.Set("Cookie", "leitai_session="+c.cookie)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
}

type sessionJSON struct {
	CSRFToken string `json:"csrf_token"`
}

// seed creates an admin (first-run setup), an open edition, a unit with
// its account and one project, and returns the unit's client and the
// project id.
func seed(ctx context.Context, base string) (*apiClient, int64, error) {
	// Keep a connection per part in flight, as browsers do (six per host);
	// Go's default of two idle connections would reconnect all the time.
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 16, MaxConnsPerHost: 16}}
	admin := &apiClient{base: base, http: hc}
	var s sessionJSON
	if err := admin.do(ctx, "POST", "/api/v1/setup", map[string]string{"username": "bench-admin", "password": "bench-password-1"}, &s); err != nil {
		return nil, 0, err
	}
	admin.csrf = s.CSRFToken
	var idOnly struct {
		ID int64 `json:"id"`
	}
	now := time.Now().UTC()
	if err := admin.do(ctx, "POST", "/api/v1/editions", map[string]any{"year": now.Year(), "title": "bench", "categories": []string{"基层治理"},
		"opens_at": now.Add(-time.Hour), "closes_at": now.Add(24 * time.Hour), "status": "active"}, &idOnly); err != nil {
		return nil, 0, err
	}
	editionID := idOnly.ID
	if err := admin.do(ctx, "POST", "/api/v1/units", map[string]any{"kind": "city", "name": "惠州市"}, &idOnly); err != nil {
		return nil, 0, err
	}
	unitID := idOnly.ID
	if err := admin.do(ctx, "POST", "/api/v1/users", map[string]any{"username": "bench-unit", "password": "bench-password-2",
		"roles": []string{"unit"}, "unit_id": unitID}, nil); err != nil {
		return nil, 0, err
	}
	unit := &apiClient{base: base, http: hc}
	if err := unit.do(ctx, "POST", "/api/v1/auth/login", map[string]string{"username": "bench-unit", "password": "bench-password-2"}, &s); err != nil {
		return nil, 0, err
	}
	unit.csrf = s.CSRFToken
	if err := unit.do(ctx, "POST", fmt.Sprintf("/api/v1/editions/%d/projects", editionID), map[string]any{"title": "bench"}, &idOnly); err != nil {
		return nil, 0, err
	}
	return unit, idOnly.ID, nil
}

type uploadJSON struct {
	UploadID  string `json:"upload_id"`
	ChunkSize int64  `json:"chunk_size"`
	Parts     int    `json:"parts"`
	Received  []int  `json:"received"`
}

// uploadThroughPlatform is what the browser does in proxy mode: part 1,
// then the other parts with `concurrency` in flight, each with its
// Content-MD5, retried on failure; then completion.
func uploadThroughPlatform(ctx context.Context, c *apiClient, projectID int64, file string, size int64, sums [][]byte, concurrency int, retries *atomic.Int64) error {
	var up uploadJSON
	if err := c.do(ctx, "POST", fmt.Sprintf("/api/v1/projects/%d/uploads", projectID),
		map[string]any{"filename": "bench.mp4", "size": size, "content_type": "video/mp4", "mode": "proxy"}, &up); err != nil {
		return err
	}
	if up.ChunkSize != chunkSize {
		return fmt.Errorf("server chunk size %d, benchmark expects %d", up.ChunkSize, chunkSize)
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	send := func(buf []byte, n int) error {
		off := int64(n-1) * chunkSize
		b := buf[:min(chunkSize, size-off)]
		if _, err := f.ReadAt(b, off); err != nil {
			return err
		}
		var last error
		for attempt := 0; attempt < 4; attempt++ {
			if attempt > 0 {
				retries.Add(1)
				time.Sleep(time.Duration(attempt) * 500 * time.Millisecond)
			}
			req, err := http.NewRequestWithContext(ctx, "PUT", fmt.Sprintf("%s/api/v1/uploads/%s/parts/%d", c.base, up.UploadID, n), bytes.NewReader(b))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/octet-stream")
			req.Header.Set("Content-MD5", base64.StdEncoding.EncodeToString(sums[n-1]))
			c.auth(req)
			resp, err := c.http.Do(req)
			if err != nil {
				last = err
				continue
			}
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			last = fmt.Errorf("part %d: %s: %s", n, resp.Status, data)
			if resp.StatusCode < 500 {
				return last
			}
		}
		return last
	}
	if err := send(make([]byte, chunkSize), 1); err != nil {
		return err
	}
	next := make(chan int)
	errc := make(chan error, concurrency)
	var wg sync.WaitGroup
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, chunkSize)
			for n := range next {
				if err := send(buf, n); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	var sendErr error
feed:
	for n := 2; n <= up.Parts; n++ {
		select {
		case next <- n:
		case sendErr = <-errc:
			break feed
		}
	}
	close(next)
	wg.Wait()
	if sendErr == nil && len(errc) > 0 {
		sendErr = <-errc
	}
	if sendErr != nil {
		return sendErr
	}
	var media struct {
		Size int64 `json:"size"`
		ID   int64 `json:"id"`
	}
	if err := c.do(ctx, "POST", "/api/v1/uploads/"+up.UploadID+"/complete", map[string]any{}, &media); err != nil {
		return err
	}
	if media.Size != size {
		return fmt.Errorf("medium of %d bytes, want %d", media.Size, size)
	}
	// Let the media worker finish with it (outside the timed part of the
	// next measurement), then leave the bucket as it was.
	for deadline := time.Now().Add(10 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var m struct {
			Processing string `json:"processing"`
		}
		if err := c.do(ctx, "GET", fmt.Sprintf("/api/v1/media/%d", media.ID), nil, &m); err != nil {
			return err
		}
		if m.Processing != "pending" && m.Processing != "running" {
			break
		}
	}
	return c.do(ctx, "DELETE", fmt.Sprintf("/api/v1/media/%d", media.ID), nil, nil)
}

// uploadDirect is the peer: minio-go PutObject of the same file, size
// given, parts of 16 MiB with the same number of threads.
func uploadDirect(ctx context.Context, mc *minio.Client, file string, size int64, concurrency int) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	key := "bench/direct.bin"
	info, err := mc.PutObject(ctx, benchBucket, key, f, size, minio.PutObjectOptions{
		ContentType: "video/mp4", PartSize: 16 << 20, NumThreads: uint(concurrency)})
	if err != nil {
		return err
	}
	if info.Size != size {
		return fmt.Errorf("direct object of %d bytes, want %d", info.Size, size)
	}
	return mc.RemoveObject(ctx, benchBucket, key, minio.RemoveObjectOptions{})
}
