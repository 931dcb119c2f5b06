package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leitai/storage"
	"leitai/storage/storagetest"
)

// testConfig parses a configuration the way the binary does, from an
// environment given as a map.
func testConfig(t *testing.T, env map[string]string, args ...string) Config {
	t.Helper()
	fset := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg, _, err := parseConfig(fset, args, func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	return cfg
}

// startServe runs serve on a free port until the test ends; it returns the
// base URL.
func startServe(t *testing.T, cfg Config) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- serve(ctx, cfg, ln, io.Discard, &logs) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(40 * time.Second):
			t.Errorf("serve did not stop")
		}
	})
	base := "http://" + ln.Addr().String()
	waitFor(t, base+"/healthz", 200, done)
	return base
}

func waitFor(t *testing.T, url string, status int, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		default:
		}
		code, body := get(t, url)
		if code == status {
			return
		}
		last = body
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered %d; last: %s", url, status, last)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func readyState(t *testing.T, base string) (int, map[string]string) {
	t.Helper()
	code, body := get(t, base+"/readyz")
	var m map[string]string
	_ = json.Unmarshal([]byte(body), &m)
	return code, m
}

func TestServeEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir})
	base := startServe(t, cfg)
	if code, m := readyState(t, base); code != 200 || m["database"] != "ok" || m["storage"] != "ok" {
		t.Fatalf("readyz = %d %v", code, m)
	}
	if code, body := get(t, base+"/api/v1/openapi.json"); code != 200 || !strings.Contains(body, `"openapi"`) {
		t.Fatalf("openapi = %d", code)
	}
	if code, body := get(t, base+"/api/v1/nope"); code != 404 || !strings.Contains(body, `"not_found"`) {
		t.Fatalf("unknown API path = %d %s", code, body)
	}
	for _, f := range []string{storage.SQLiteFile, secretFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("data dir lacks %s: %v", f, err)
		}
	}
	secret, _ := os.ReadFile(filepath.Join(dir, secretFile))
	if st, _ := os.Stat(filepath.Join(dir, secretFile)); st == nil || st.Mode().Perm() != 0o600 || len(bytes.TrimSpace(secret)) != 64 {
		t.Errorf("generated secret: mode %v, %d chars", st.Mode(), len(bytes.TrimSpace(secret)))
	}
}

// TestReadyzFollowsPostgresAndMinIO stops the real services under a running
// server and expects /readyz to say which one is down, then to recover
// without a restart.
func TestReadyzFollowsPostgresAndMinIO(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	mc := storagetest.StartMinIO(t)
	cfg := testConfig(t, map[string]string{
		"LEITAI_DATA_DIR":      t.TempDir(),
		"LEITAI_DATABASE_URL":  pg.NewDatabase(),
		"LEITAI_S3_ENDPOINT":   mc.Endpoint,
		"LEITAI_S3_ACCESS_KEY": mc.AccessKey,
		"LEITAI_S3_SECRET_KEY": mc.SecretKey,
		"LEITAI_S3_BUCKET":     "leitai-test",
	}, "--migrate")
	base := startServe(t, cfg)
	if code, m := readyState(t, base); code != 200 {
		t.Fatalf("readyz = %d %v", code, m)
	}

	pg.Stop()
	code, m := readyState(t, base)
	if code != 503 || m["database"] != "down" || m["storage"] != "ok" {
		t.Fatalf("postgres stopped: readyz = %d %v", code, m)
	}
	pg.Start()
	waitFor(t, base+"/readyz", 200, nil)

	mc.Stop()
	code, m = readyState(t, base)
	if code != 503 || m["storage"] != "down" || m["database"] != "ok" {
		t.Fatalf("minio stopped: readyz = %d %v", code, m)
	}
	mc.Start()
	waitFor(t, base+"/readyz", 200, nil)
}

func TestServeRefusesPostgresSchemaBehind(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	url := pg.NewDatabase()
	env := map[string]string{"LEITAI_DATA_DIR": t.TempDir(), "LEITAI_DATABASE_URL": url}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = serve(context.Background(), testConfig(t, env), ln, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "leitai migrate") || !strings.Contains(err.Error(), "version 0") {
		t.Fatalf("serve on an unmigrated database: %v; want a refusal naming `leitai migrate`", err)
	}
	// `leitai migrate` brings it up to date, after which serve starts.
	var out bytes.Buffer
	if code := runWithEnv(t, env, []string{"migrate"}, "", &out); code != 0 {
		t.Fatalf("migrate exit %d: %s", code, out.String())
	}
	startServe(t, testConfig(t, env))
}

// runWithEnv runs the program with environment variables set for the call.
func runWithEnv(t *testing.T, env map[string]string, args []string, stdin string, out *bytes.Buffer) int {
	t.Helper()
	for k, v := range env {
		t.Setenv(k, v)
	}
	return run(context.Background(), args, strings.NewReader(stdin), out, out)
}

func TestUserCreateCommand(t *testing.T) {
	env := map[string]string{"LEITAI_DATA_DIR": t.TempDir(), "LEITAI_DATABASE_URL": "", "LEITAI_S3_ENDPOINT": ""}
	tests := []struct {
		name     string
		args     []string
		stdin    string
		wantCode int
		wantOut  string
	}{
		{"admin", []string{"user", "create", "--username", "admin", "--role", "admin,host", "--display-name", "组委会"}, "s3cret-pass\n", 0, "created user admin"},
		{"duplicate", []string{"user", "create", "--username", "ADMIN", "--role", "admin"}, "s3cret-pass\n", 1, "username"},
		{"short password", []string{"user", "create", "--username", "li", "--role", "expert"}, "short\n", 2, "password"},
		{"unknown role", []string{"user", "create", "--username", "li", "--role", "judge"}, "long enough\n", 2, "unknown role"},
		{"unit needs unit id", []string{"user", "create", "--username", "li", "--role", "unit"}, "long enough\n", 2, "unit_id"},
		{"no subcommand", []string{"user"}, "", 2, "user create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			code := runWithEnv(t, env, tt.args, tt.stdin, &out)
			if code != tt.wantCode || !strings.Contains(out.String(), tt.wantOut) {
				t.Fatalf("exit %d (want %d), output %q (want %q)", code, tt.wantCode, out.String(), tt.wantOut)
			}
		})
	}
}

// TestBackupWhileServing archives the embedded default while a server runs
// on it and checks the archive holds the database (with its rows) and media.
func TestBackupWhileServing(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LEITAI_DATA_DIR": dir, "LEITAI_DATABASE_URL": "", "LEITAI_S3_ENDPOINT": ""}
	startServe(t, testConfig(t, env))
	var out bytes.Buffer
	if code := runWithEnv(t, env, []string{"user", "create", "--username", "chen", "--role", "expert"}, "long enough\n", &out); code != 0 {
		t.Fatalf("user create: %s", out.String())
	}
	media := filepath.Join(dir, "media", "projects", "2026", "p1")
	if err := os.MkdirAll(filepath.Dir(media), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(media, []byte("photo bytes"), 0o640); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "backup.tar.gz")
	out.Reset()
	if code := runWithEnv(t, env, []string{"backup", "--out", archive}, "", &out); code != 0 {
		t.Fatalf("backup exit %d: %s", code, out.String())
	}
	restored := t.TempDir()
	files := untar(t, archive, restored)
	if files["media/projects/2026/p1"] != "photo bytes" {
		t.Fatalf("archive media: %v", keys(files))
	}
	db, err := storage.Open(context.Background(), "", restored, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open restored database: %v", err)
	}
	defer db.Close()
	if u, err := db.UserByUsername(context.Background(), "chen"); err != nil || u.ID == 0 {
		t.Fatalf("restored database lacks the user: %v", err)
	}
	out.Reset()
	if code := runWithEnv(t, env, []string{"backup"}, "", &out); code != 2 {
		t.Fatalf("backup without --out: exit %d", code)
	}
}

func untar(t *testing.T, archive, dest string) map[string]string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if hdr.Name == storage.SQLiteFile {
			if err := os.WriteFile(filepath.Join(dest, hdr.Name), b, 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		files[hdr.Name] = string(b)
	}
	return files
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestConfig(t *testing.T) {
	secretPath := filepath.Join(t.TempDir(), "s3secret")
	if err := os.WriteFile(secretPath, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, map[string]string{
		"LEITAI_ADDR":               "0.0.0.0:9000",
		"LEITAI_S3_ENDPOINT":        "minio:9000",
		"LEITAI_S3_ACCESS_KEY":      "ak",
		"LEITAI_S3_SECRET_KEY_FILE": secretPath,
		"LEITAI_TRUSTED_PROXIES":    "10.0.0.1, 10.1.0.0/16",
		"LEITAI_TIMEZONE":           "Asia/Shanghai",
	}, "--addr", "127.0.0.1:9001", "--public-url", "https://leitai.example.cn/")
	if cfg.Addr != "127.0.0.1:9001" {
		t.Errorf("flag must win over env: addr %q", cfg.Addr)
	}
	if cfg.S3SecretKey != "from-file" {
		t.Errorf("*_FILE secret: %q", cfg.S3SecretKey)
	}
	if len(cfg.TrustedProxies) != 2 || cfg.TrustedProxies[1] != "10.1.0.0/16" {
		t.Errorf("trusted proxies %v", cfg.TrustedProxies)
	}
	if cfg.PublicURL != "https://leitai.example.cn" || cfg.S3Region != "us-east-1" || cfg.DataDir != "./data" {
		t.Errorf("defaults: %+v", cfg)
	}
	if _, off := time.Now().In(cfg.Location).Zone(); off != 8*3600 {
		t.Errorf("Asia/Shanghai offset %d", off)
	}
	bad := []map[string]string{
		{"LEITAI_TIMEZONE": "Mars/Olympus"},
		{"LEITAI_S3_USE_SSL": "maybe"},
		{"LEITAI_S3_ENDPOINT": "minio:9000"},
		{"LEITAI_PUBLIC_URL": "leitai.example.cn"},
		{"LEITAI_DATABASE_URL_FILE": "/no/such/file"},
		{"LEITAI_WS_PER_ADDRESS": "-1"},
		{"LEITAI_WS_PER_ADDRESS": "many"},
		{"LEITAI_WS_MAX": "1.5"},
	}
	for _, env := range bad {
		fset := flag.NewFlagSet("test", flag.ContinueOnError)
		fset.SetOutput(io.Discard)
		if _, _, err := parseConfig(fset, nil, func(k string) string { return env[k] }); err == nil {
			t.Errorf("config %v accepted", env)
		}
	}
}
