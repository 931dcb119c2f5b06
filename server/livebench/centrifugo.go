package livebench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// CentrifugoVersion is the peer of BENCHMARKS.md.
const CentrifugoVersion = "v6.9.1"

const centrifugoModule = "github.com/centrifugal/centrifugo/v6"

// CentrifugoPath is where the peer is cached, like MinIO in
// scripts/provision.sh: $XDG_CACHE_HOME/leitai/centrifugo-v6.9.1/centrifugo.
func CentrifugoPath() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "leitai", "centrifugo-"+CentrifugoVersion, "centrifugo"), nil
}

// ensureCentrifugo returns the peer binary, building it once into the
// cache with `go install` (GOBIN) when it is missing.
func ensureCentrifugo(ctx context.Context, bin string, log io.Writer) (string, error) {
	if bin == "" {
		var err error
		if bin, err = CentrifugoPath(); err != nil {
			return "", err
		}
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(log, "livebench: building Centrifugo %s into %s (once; a few minutes)\n", CentrifugoVersion, filepath.Dir(bin))
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, "go", "install", centrifugoModule+"@"+CentrifugoVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+filepath.Dir(bin))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("GOBIN=%s go install %s@%s: %w: %s", filepath.Dir(bin), centrifugoModule, CentrifugoVersion, err, tail(out.String(), 600))
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("go install left no %s: %w", bin, err)
	}
	return bin, nil
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

const centrifugoKey = "bench-key"

// centrifugo is a running peer.
type centrifugo struct {
	addr string
	dir  string
	proc *process
	http *http.Client
}

// startCentrifugo starts the peer with the configuration of BENCHMARKS.md
// on a free port.
func startCentrifugo(ctx context.Context, bin string, log io.Writer) (*centrifugo, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	port := addr[strings.LastIndexByte(addr, ':')+1:]
	dir, err := os.MkdirTemp("", "leitai-bench-centrifugo-")
	if err != nil {
		return nil, err
	}
	config := fmt.Sprintf(`{"client":{"insecure":true,"allowed_origins":["*"]},"channel":{"without_namespace":{"allow_subscribe_for_client":true}},"http_api":{"key":%q},"http_server":{"address":"127.0.0.1","port":%q},"log":{"level":"error"}}`, centrifugoKey, port)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-c", filepath.Join(dir, "config.json"))
	cmd.Dir = dir
	p, err := startProcess(cmd, log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c := &centrifugo{addr: addr, dir: dir, proc: p, http: newHTTPClient(4, nil)}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := c.api(ctx, "info", map[string]any{}); err == nil {
			return c, nil
		} else if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("centrifugo on %s did not answer its API within 30 s: %w", addr, err)
		}
		select {
		case <-p.done:
			os.RemoveAll(dir)
			return nil, fmt.Errorf("centrifugo exited at start (log above)")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *centrifugo) stop() {
	c.proc.stop(10 * time.Second)
	os.RemoveAll(c.dir)
}

// api calls a method of the server API (POST /api/<method>, X-API-Key).
func (c *centrifugo) api(ctx context.Context, method string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", "http://"+c.addr+"/api/"+method, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("X-API-Key", centrifugoKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || bytes.Contains(data, []byte(`"error"`)) {
		return fmt.Errorf("centrifugo %s: %d %s", method, resp.StatusCode, data)
	}
	return nil
}

// publish sends data (a JSON object holding "seq") to the board channel.
func (c *centrifugo) publish(ctx context.Context, data json.RawMessage) error {
	return c.api(ctx, "publish", map[string]any{"channel": "board", "data": data})
}

// centrifugoPayload is a publication of about size bytes carrying seq.
func centrifugoPayload(seq uint64, size int) json.RawMessage {
	head := fmt.Sprintf(`{"seq":%d,"pad":"`, seq)
	pad := max(size-len(head)-2, 0)
	return json.RawMessage(head + strings.Repeat("x", pad) + `"}`)
}

// cviewers are Centrifugo clients subscribed to the board channel.
type cviewers struct {
	url   string
	tr    *tracker
	mu    sync.Mutex
	conns []*websocket.Conn
	done  sync.WaitGroup
}

func newCViewers(addr string) *cviewers {
	return &cviewers{url: "ws://" + addr + "/connection/websocket", tr: newTracker()}
}

func (p *cviewers) size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// add connects n more clients, conc at a time; each is subscribed when
// add returns.
func (p *cviewers) add(ctx context.Context, n, conc int) (time.Duration, error) {
	t0 := time.Now()
	p.mu.Lock()
	first := len(p.conns)
	p.conns = append(p.conns, make([]*websocket.Conn, n)...)
	p.mu.Unlock()
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	var failed atomic.Int64
	var firstErr atomic.Value
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func(slot int) {
			defer wg.Done()
			defer func() { <-sem }()
			conn, err := p.dial(ctx, slot)
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err)
				return
			}
			p.mu.Lock()
			p.conns[slot] = conn
			p.mu.Unlock()
			p.done.Add(1)
			go p.read(conn, slot)
		}(first + i)
	}
	wg.Wait()
	if f := failed.Load(); f > 0 {
		return time.Since(t0), fmt.Errorf("%d of %d centrifugo clients could not connect: %v", f, n, firstErr.Load())
	}
	return time.Since(t0), nil
}

// dial connects, sends connect and subscribe (BENCHMARKS.md) and waits
// for the subscribe reply.
func (p *cviewers) dial(ctx context.Context, slot int) (*websocket.Conn, error) {
	conn, _, err := wsDialer(sourceIP(slot), false).DialContext(ctx, p.url, nil)
	if err != nil {
		return nil, err
	}
	for _, cmd := range []string{`{"id":1,"connect":{}}`, `{"id":2,"subscribe":{"channel":"board"}}`} {
		if err := conn.WriteMessage(websocket.TextMessage, []byte(cmd)); err != nil {
			conn.Close()
			return nil, err
		}
	}
	_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	defer conn.SetReadDeadline(time.Time{})
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("centrifugo handshake: %w", err)
		}
		for _, line := range splitCentrifugo(msg) {
			r, err := parseCentrifugo(line)
			if err != nil {
				continue
			}
			if r.Error {
				conn.Close()
				return nil, fmt.Errorf("centrifugo refused command %d: %s", r.ID, line)
			}
			if r.ID == 2 {
				return conn, nil
			}
		}
	}
}

func (p *cviewers) read(conn *websocket.Conn, slot int) {
	defer p.done.Done()
	var buf bytes.Buffer
	for {
		_, r, err := conn.NextReader()
		if err != nil {
			return
		}
		buf.Reset()
		if _, err := buf.ReadFrom(r); err != nil {
			return
		}
		now := time.Now()
		for _, line := range splitCentrifugo(buf.Bytes()) {
			rep, err := parseCentrifugo(line)
			switch {
			case err != nil:
			case rep.Ping:
				_ = conn.WriteMessage(websocket.TextMessage, []byte("{}"))
			case rep.Push:
				p.tr.arrive(rep.Seq, slot, now, len(line))
			}
		}
	}
}

func (p *cviewers) closeAll() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	p.done.Wait()
}
