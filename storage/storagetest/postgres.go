// Package storagetest starts real PostgreSQL and MinIO servers for tests.
// Nothing here is a fake: when a server cannot be started the test fails and
// names the command that installs what is missing; it never skips.
package storagetest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	// The pgx stdlib driver is used only to create per-test databases.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Postgres is a throwaway PostgreSQL cluster owned by one test binary.
type Postgres struct {
	t       testing.TB
	bin     string
	dir     string
	port    int
	asUser  bool
	dbCount int
	running bool
}

// StartPostgres initialises a new cluster in a temporary directory and starts
// it on a free loopback port. The cluster is stopped and removed when the test
// ends. The binaries come from LEITAI_TEST_PG_BIN, else the newest
// /usr/lib/postgresql/*/bin.
func StartPostgres(t testing.TB) *Postgres {
	t.Helper()
	bin, err := postgresBin()
	if err != nil {
		t.Fatalf("PostgreSQL server binaries not found (%v). `make test` provisions them; or install with: apt-get update && apt-get install -y postgresql", err)
	}
	dir, err := os.MkdirTemp("", "leitai-pg-")
	if err != nil {
		t.Fatalf("temp dir: %v", err)
	}
	p := &Postgres{t: t, bin: bin, dir: dir, port: FreePort(t), asUser: os.Geteuid() == 0}
	t.Cleanup(func() {
		p.Stop()
		os.RemoveAll(dir)
	})
	if p.asUser {
		// initdb and postgres refuse to run as root: hand the directory to
		// the postgres system user and run them as that user.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs the postgres system user (apt-get install -y postgresql): %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatalf("chown %s: %v", dir, err)
		}
	}
	p.run("initdb", "-D", p.dataDir(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
	p.Start()
	return p
}

func postgresBin() (string, error) {
	if bin := os.Getenv("LEITAI_TEST_PG_BIN"); bin != "" {
		if _, err := os.Stat(filepath.Join(bin, "pg_ctl")); err != nil {
			return "", fmt.Errorf("LEITAI_TEST_PG_BIN=%s: %w", bin, err)
		}
		return bin, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(found) == 0 {
		return "", fmt.Errorf("no /usr/lib/postgresql/*/bin/pg_ctl")
	}
	sort.Strings(found)
	return filepath.Dir(found[len(found)-1]), nil
}

func (p *Postgres) dataDir() string { return filepath.Join(p.dir, "data") }

func (p *Postgres) run(name string, args ...string) {
	p.t.Helper()
	path := filepath.Join(p.bin, name)
	var cmd *exec.Cmd
	if p.asUser {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = p.dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		p.t.Fatalf("%s %v: %v\n%s", name, args, err, out.String())
	}
}

// Start starts the cluster (again) on its port; a running cluster is left as it is.
func (p *Postgres) Start() {
	p.t.Helper()
	if p.running {
		return
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", p.port, p.dir)
	p.run("pg_ctl", "-D", p.dataDir(), "-o", opts, "-l", filepath.Join(p.dir, "log"), "-w", "start")
	p.running = true
}

// Stop stops the cluster immediately, as a crash or an outage would.
func (p *Postgres) Stop() {
	if !p.running {
		return
	}
	p.running = false
	path := filepath.Join(p.bin, "pg_ctl")
	args := []string{"-D", p.dataDir(), "-m", "immediate", "-w", "stop"}
	var cmd *exec.Cmd
	if p.asUser {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	_ = cmd.Run() // already stopped is fine
}

// URL returns the connection URL of the maintenance database.
func (p *Postgres) URL() string { return p.urlFor("postgres") }

func (p *Postgres) urlFor(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", p.port, db)
}

// NewDatabase creates a fresh, empty database and returns its URL.
func (p *Postgres) NewDatabase() string {
	p.t.Helper()
	p.dbCount++
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), p.dbCount)
	conn, err := sql.Open("pgx", p.URL())
	if err != nil {
		p.t.Fatalf("open postgres: %v", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		p.t.Fatalf("create database: %v", err)
	}
	return p.urlFor(name)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
