package storagetest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// mailpitVersion is the pinned Mailpit release the tests read mail from.
const mailpitVersion = "v1.33.1"

const mailpitInstallHint = "make test provisions it (scripts/provision.sh); or: GOBIN=~/.cache/leitai/mailpit-" + mailpitVersion +
	" go install github.com/axllent/mailpit@" + mailpitVersion

// Mailpit is a real SMTP server (github.com/axllent/mailpit) owned by one
// test, on loopback: the code under test sends to SMTPAddr, the test reads
// back what arrived through Mailpit's HTTP API.
type Mailpit struct {
	// SMTPAddr is host:port of the SMTP listener.
	SMTPAddr string
	httpAddr string
	t        testing.TB
}

// Mail is one message as Mailpit received it.
type Mail struct {
	From    string
	To      []string
	Subject string
	Text    string
}

// StartMailpit starts Mailpit on free loopback ports with its database in
// a temporary directory and waits until it is ready. The binary comes from
// LEITAI_TEST_MAILPIT, or the cache scripts/provision.sh builds it into;
// without one the test fails with the command that builds it. The server
// is killed when the test ends.
func StartMailpit(t testing.TB) *Mailpit {
	t.Helper()
	bin := os.Getenv("LEITAI_TEST_MAILPIT")
	if bin == "" {
		if cache, err := os.UserCacheDir(); err == nil {
			if p := filepath.Join(cache, "leitai", "mailpit-"+mailpitVersion, "mailpit"); checkExecutable(p) == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		t.Fatalf("LEITAI_TEST_MAILPIT is not set and no Mailpit is in the cache. %s", mailpitInstallHint)
	}
	if err := checkExecutable(bin); err != nil {
		t.Fatalf("LEITAI_TEST_MAILPIT=%s is not usable (%v). %s", bin, err, mailpitInstallHint)
	}
	m := &Mailpit{SMTPAddr: fmt.Sprintf("127.0.0.1:%d", FreePort(t)), httpAddr: fmt.Sprintf("127.0.0.1:%d", FreePort(t)), t: t}
	dir := t.TempDir()
	out := &lockedBuffer{}
	cmd := exec.Command(bin, "--smtp", m.SMTPAddr, "--listen", m.httpAddr, "--database", filepath.Join(dir, "mailpit.db"),
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--disable-version-check", "--max", "1000")
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit %s: %v. %s", bin, err, mailpitInstallHint)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(done)
	}()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
	// Registered after t.TempDir, so it runs before the directory goes.
	t.Cleanup(stop)
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-done:
			t.Fatalf("mailpit exited:\n%s", out.String())
		default:
		}
		resp, err := client.Get("http://" + m.httpAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not become ready on %s (last: %v):\n%s", m.httpAddr, err, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return m
}

// Messages returns every message received so far, oldest first, with its
// plain text.
func (m *Mailpit) Messages() []Mail {
	m.t.Helper()
	var list struct {
		Messages []struct {
			ID string
		}
	}
	m.get("/api/v1/messages?limit=1000", &list)
	out := make([]Mail, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- { // the API lists newest first
		var msg struct {
			From    struct{ Address string }
			To      []struct{ Address string }
			Subject string
			Text    string
		}
		m.get("/api/v1/message/"+list.Messages[i].ID, &msg)
		got := Mail{From: msg.From.Address, Subject: msg.Subject, Text: msg.Text}
		for _, to := range msg.To {
			got.To = append(got.To, to.Address)
		}
		out = append(out, got)
	}
	return out
}

func (m *Mailpit) get(path string, into any) {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+m.httpAddr+path, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		m.t.Fatalf("mailpit %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		m.t.Fatalf("mailpit %s: %v", path, err)
	}
}
