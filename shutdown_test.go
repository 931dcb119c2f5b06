package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leitai/models"
	"leitai/storage/objects"
)

// TestShutdownDrainsInFlightRequests starts a slow download, asks the
// server to stop (as SIGTERM does) and expects the download to finish
// whole while new connections are refused.
func TestShutdownDrainsInFlightRequests(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, map[string]string{"LEITAI_DATA_DIR": dir})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.PublicURL = "http://" + ln.Addr().String()
	if err := cfg.ensureSecret(); err != nil {
		t.Fatal(err)
	}
	// A 24 MiB object in the embedded store, behind a signed link.
	store, err := objects.NewFS(filepath.Join(dir, "media"), cfg.Secret, cfg.PublicURL)
	if err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("擂台"), 4<<20)
	ctx := context.Background()
	if _, err := store.Put(ctx, "test/big.bin", bytes.NewReader(body), int64(len(body)), "application/octet-stream"); err != nil {
		t.Fatal(err)
	}
	link, err := store.DownloadURL(ctx, "test/big.bin", models.LinkOptions{Expiry: time.Minute})
	if err != nil {
		t.Fatal(err)
	}

	serveCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- serve(serveCtx, cfg, ln, io.Discard, io.Discard) }()
	waitFor(t, cfg.PublicURL+"/healthz", 200, done)

	resp, err := http.Get(link)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("download: %v %v", err, resp)
	}
	defer resp.Body.Close()
	// Read a little, then ask the server to stop while the rest is in flight.
	first := make([]byte, 1<<20)
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatal(err)
	}
	stop()
	time.Sleep(200 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the server still accepts new connections while draining")
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("the in-flight download was cut: %v", err)
	}
	if got := append(first, rest...); !bytes.Equal(got, body) {
		t.Fatalf("downloaded %d bytes, want %d", len(got), len(body))
	}
	select {
	case err := <-done:
		if err != nil && !strings.Contains(err.Error(), "closed") {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not return after draining")
	}
}
