// Command leitai is the Leitai (擂台) platform: one binary that serves the
// API, the live board and the embedded web frontend, plus the operator
// subcommands. This file is the one wiring place: configuration, logging,
// database, object store and server are constructed here and passed down.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"leitai/frontend"
	"leitai/live"
	"leitai/models"
	"leitai/server"
	"leitai/storage"
	"leitai/storage/mail"
	"leitai/storage/objects"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `leitai — the Leitai (擂台) innovation-competition platform

Usage:
  leitai [serve] [flags]        serve the platform (default)
  leitai migrate [flags]        apply pending database migrations and exit
  leitai user create --username U --role R[,R…] [--unit-id N] [--display-name NAME]
                                create an account; the password is read from stdin
  leitai backup --out FILE      archive the embedded database and media while serving
  leitai demo [--password P] [--json]
                                seed the demo edition into an empty database
  leitai rank < sheet.json      rank a score sheet exactly as the server does (JSON)
  leitai draw --seed S [--pairing pk|single] ID…
                                re-run a live final's lot draw from its published seed and ids
  leitai bench start|upload|judging|scoring
                                the benchmarks of BENCHMARKS.md, one JSON object per line
  leitai version                print the version

Run "leitai serve -h" for the configuration flags; each has an environment
variable too (LEITAI_…).
`

// run is the whole program; it returns the exit code. Tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, args, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, args, stdout, stderr)
	case "user":
		err = cmdUser(ctx, args, stdin, stdout, stderr)
	case "backup":
		err = cmdBackup(ctx, args, stdout, stderr)
	case "rank":
		return cmdRank(stdin, stdout, stderr)
	case "draw":
		err = cmdDraw(args, stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, args, stdout, stderr)
	case "bench":
		err = cmdBench(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "leitai", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "leitai: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "leitai %s: %v\n", cmd, err)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "leitai %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// usageError marks bad command-line input (exit code 2).
type usageError struct{ error }

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogJSON {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func configFor(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, []string, error) {
	fset := flag.NewFlagSet("leitai "+name, flag.ContinueOnError)
	fset.SetOutput(stderr)
	if extra != nil {
		extra(fset)
	}
	cfg, rest, err := parseConfig(fset, args, os.Getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, nil, err
		}
		return cfg, nil, usageError{err}
	}
	return cfg, rest, nil
}

// openDatabase opens the configured database. On SQLite pending migrations
// apply at once; on PostgreSQL they apply only when migrate is true, and a
// schema that is behind is refused.
func openDatabase(ctx context.Context, cfg Config, log *slog.Logger, migrate bool) (*storage.DB, error) {
	db, err := storage.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	if db.Dialect() == storage.SQLite || migrate {
		applied, err := db.Migrate(ctx)
		if err != nil {
			db.Close()
			return nil, err
		}
		if len(applied) > 0 {
			log.Info("migrations applied", slog.Any("versions", applied))
		}
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openObjectStore opens MinIO when an endpoint is configured, else the
// filesystem store in the data dir (returned twice: it also serves links).
func openObjectStore(ctx context.Context, cfg Config) (storage.MediaStore, *objects.FS, error) {
	if cfg.S3Endpoint == "" {
		fs, err := objects.NewFS(filepath.Join(cfg.DataDir, "media"), cfg.Secret, cfg.PublicURL)
		return fs, fs, err
	}
	m, err := objects.NewMinIO(ctx, objects.MinIOConfig{
		Endpoint: cfg.S3Endpoint, PublicEndpoint: cfg.S3PublicEndpoint,
		AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
		Bucket: cfg.S3Bucket, Region: cfg.S3Region, UseSSL: cfg.S3UseSSL,
	})
	return m, nil, err
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := configFor("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	raiseOpenFileLimit(stderr)
	startProfiling(stderr)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return serve(ctx, cfg, ln, stdout, stderr)
}

// serve runs the platform on ln until ctx is cancelled, then drains
// in-flight requests and closes everything.
func serve(ctx context.Context, cfg Config, ln net.Listener, stdout, stderr io.Writer) error {
	log := newLogger(cfg, stderr)
	defer ln.Close()
	if err := cfg.ensureSecret(); err != nil {
		return err
	}
	db, err := openDatabase(ctx, cfg, log, cfg.Migrate)
	if err != nil {
		return err
	}
	defer db.Close()
	store, files, err := openObjectStore(ctx, cfg)
	if err != nil {
		return err
	}
	// Project media and their worker (thumbnails, video, upload clean-up);
	// it stops before the database closes.
	media := storage.NewMediaService(db, store, storage.MediaConfig{
		TempDir: filepath.Join(cfg.DataDir, "tmp"), DirectUploads: cfg.S3Endpoint != "", Location: cfg.Location, Log: log})
	defer media.Start(ctx)()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	deps := server.Deps{
		Log: log, DB: db, Objects: store, Metrics: reg, Accounts: db, Units: db, Users: db, Audit: db, Editions: db, Projects: db, Rounds: db, Gaps: db, Reviews: db, Decisions: db, Objections: db, Panels: db, Tablets: db, Figures: db,
		Config: server.Config{
			Version: version, TrustedProxies: cfg.TrustedProxies, MediaOrigins: mediaOrigins(cfg),
			PublicURL: cfg.PublicURL, Location: cfg.Location, SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
			Secret: cfg.Secret, MetricsToken: cfg.MetricsToken,
		},
	}
	if files != nil {
		deps.Files = files
	}
	deps.Media, deps.Uploads, deps.ReviewFiles = media, media, media
	deps.Visits, deps.EditionFigures = media, db
	follow := storage.NewFollowService(db, cfg.Location)
	deps.Follow, deps.Photos, deps.Drafts = follow, media, media
	sender, err := mail.Parse(cfg.SMTPURL, cfg.SMTPFrom)
	if err != nil {
		return err
	}
	if sender != nil {
		// Reminders before and after due dates, claimed in the database so
		// that several instances send each once.
		go runReminders(ctx, follow, sender, log)
	}
	// Notifications: written by the changes themselves; the loop writes the
	// reminders before rounds close and, with SMTP, sends the e-mails (each
	// claimed once in the database).
	notes := storage.NewNotificationService(db, cfg.Location).WithPublicURL(cfg.PublicURL)
	deps.Notifications, deps.Returns = notes, db
	deps.Redactions = db
	deps.Recommend = db
	go runNotifications(ctx, notes, sender, log)

	// The live boards: the database event log (the same history on every
	// instance, surviving restarts; PostgreSQL's NOTIFY wakes the others),
	// the hub fanning it out, and vote tallies at most 4 times a second.
	liveCtx, stopLive := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLive()
	broker := db.NewLiveBroker(storage.LiveBrokerOptions{Log: log})
	lives := storage.NewLiveService(db, broker, cfg.Secret)
	// The caps on board connections: per client address, and in all below
	// the open-file limit (raised to the hard limit by cmdServe), so that
	// one address, or a crowd, is refused (503 / 1013) rather than taking
	// the process's descriptors from the database and HTTP.
	nofile, _ := openFileLimit()
	maxViewers, clamped := wsCapacity(cfg.WSMax, nofile)
	if clamped {
		log.Warn("LEITAI_WS_MAX is above the open-file limit less headroom: capped", slog.Int("configured", cfg.WSMax),
			slog.Int("max", maxViewers), slog.Uint64("open_file_limit", nofile))
	}
	snapshot := func(ctx context.Context, topic string) (json.RawMessage, error) {
		if topic == models.TrackerTopic {
			return follow.TrackerSnapshot(ctx)
		}
		return lives.Snapshot(ctx, topic)
	}
	hub := live.NewHub(broker, snapshot, live.Options{Prepare: server.PrepareFrame, Log: log,
		PerAddress: cfg.WSPerAddress, MaxViewers: maxViewers})
	hub.Start(liveCtx)
	go hub.RunSideband(liveCtx, 250*time.Millisecond, func(ctx context.Context, topic string) ([]byte, error) {
		return server.TallyMessage(ctx, lives, topic)
	})
	deps.Live, deps.Audience, deps.Hub, deps.Context = lives, lives, hub, liveCtx
	// Open tracker pages and big screens between sessions hear, within a
	// second, that the public tracker changed (the same history and epochs
	// as the boards, on every instance).
	follow.OnChange(func(awardID int64) {
		payload, _ := json.Marshal(map[string]any{"kind": "tracker.changed", "award_id": awardID})
		if _, err := hub.Publish(liveCtx, models.TrackerTopic, payload); err != nil {
			log.Warn("tracker change not published", slog.Int64("award", awardID), slog.Any("error", err))
		}
	})
	if frontend.Built() {
		deps.Frontend = frontend.Dist()
	} else {
		log.Warn("the web frontend is not built into this binary: run `make build`")
	}
	app := server.New(deps)

	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	log.Info("serving", slog.String("addr", ln.Addr().String()), slog.String("database", string(db.Dialect())),
		slog.String("public_url", cfg.PublicURL), slog.String("version", version))
	fmt.Fprintf(stdout, "Leitai 擂台 is running at %s\n", publicURLFor(cfg, ln))

	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: draining in-flight requests")
	// Fiber's shutdown leaves hijacked websockets open: the hub closes them
	// with 1012 (service restart) so screens reconnect and recover.
	hub.Shutdown()
	stopLive()
	if err := app.ShutdownWithTimeout(30 * time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// raiseOpenFileLimit lifts the soft limit on open files to the hard one: the
// server holds a file per websocket viewer, the live benchmark one per
// simulated viewer (BENCHMARKS.md: 20,000 per process here). Go's runtime
// does this too on Linux (since Go 1.19); doing it here keeps it explicit
// and says when it fails.
func raiseOpenFileLimit(stderr io.Writer) {
	var l syscall.Rlimit
	err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
	if err == nil && l.Cur < l.Max {
		l.Cur = l.Max
		err = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
	if err != nil {
		fmt.Fprintf(stderr, "leitai: could not raise the open-file limit: %v\n", err)
	}
}

// openFileLimit returns the process's soft limit on open files (0 when
// unknown or unlimited).
func openFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	if l.Cur == ^uint64(0) { // RLIM_INFINITY
		return 0, nil
	}
	return l.Cur, nil
}

// wsCapacity is the cap on board connections for an open-file limit of
// nofile: the configured one (0: none given), never more than the limit
// less a reserve for the database pool, HTTP clients, uploads and the
// runtime — a twentieth of the limit, at least 256 (20,000 → 19,000). It
// reports whether a configured cap was lowered to fit.
func wsCapacity(configured int, nofile uint64) (limit int, clamped bool) {
	if nofile == 0 {
		return configured, false // unknown or unlimited: only the configured cap
	}
	n := int(min(nofile, 1<<30))
	derived := n - max(256, n/20)
	if derived < n/2 {
		derived = n / 2 // a tiny limit: still leave half to everything else
	}
	if configured > 0 && configured <= derived {
		return configured, false
	}
	return derived, configured > derived
}

// publicURLFor prints the address actually bound when the configured public
// URL is only the default for the configured address.
func publicURLFor(cfg Config, ln net.Listener) string {
	if cfg.PublicURL == "http://"+cfg.Addr {
		return "http://" + ln.Addr().String()
	}
	return cfg.PublicURL
}

func mediaOrigins(cfg Config) []string {
	endpoint := cfg.S3PublicEndpoint
	if endpoint == "" {
		endpoint = cfg.S3Endpoint
	}
	if endpoint == "" {
		return nil
	}
	scheme := "http://"
	if cfg.S3UseSSL {
		scheme = "https://"
	}
	if strings.Contains(endpoint, "://") {
		return []string{endpoint}
	}
	return []string{scheme + endpoint}
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, _, err := configFor("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	db, err := storage.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s); schema at version %d\n", len(applied), v)
	return nil
}

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{errors.New("want: leitai user create --username U --role R[,R…] [--unit-id N] [--display-name NAME] (password on stdin)")}
	}
	var username, roles, unitID, displayName string
	cfg, _, err := configFor("user create", args[1:], stderr, func(f *flag.FlagSet) {
		f.StringVar(&username, "username", "", "login name")
		f.StringVar(&roles, "role", "", "roles, comma-separated: admin, unit, expert, host")
		f.StringVar(&unitID, "unit-id", "", "the unit a unit user belongs to (an expert's affiliation)")
		f.StringVar(&displayName, "display-name", "", "name shown in the interface")
	})
	if err != nil {
		return err
	}
	n := models.NewUser{Username: username, DisplayName: displayName}
	if n.Roles, err = models.ParseRoles(roles); err != nil {
		return usageError{describe(err)}
	}
	if unitID != "" {
		id, err := strconv.ParseInt(unitID, 10, 64)
		if err != nil || id <= 0 {
			return usageError{fmt.Errorf("--unit-id: want a positive number, got %q", unitID)}
		}
		n.UnitID = &id
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	n.Password = strings.TrimRight(line, "\r\n")
	if err := n.Validate(); err != nil {
		return usageError{describe(err)}
	}
	log := newLogger(cfg, stderr)
	db, err := openDatabase(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(ctx, cliActor(), n)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "created user %s (id %d, roles %s)\n", u.Username, u.ID, roles)
	return nil
}

// cliActor names the operator of a command-line change in the audit log.
func cliActor() models.Actor {
	name := "cli"
	if u, err := user.Current(); err == nil {
		name = "cli:" + u.Username
	}
	return models.Actor{Name: name}
}

// describe spells out a models.Error's field problems for a terminal.
func describe(err error) error {
	var me *models.Error
	if !errors.As(err, &me) || len(me.Fields) == 0 {
		return err
	}
	parts := make([]string, 0, len(me.Fields))
	for f, p := range me.Fields {
		parts = append(parts, f+": "+p)
	}
	slices.Sort(parts)
	return fmt.Errorf("%s (%s)", me.Message, strings.Join(parts, "; "))
}

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var out string
	cfg, _, err := configFor("backup", args, stderr, func(f *flag.FlagSet) {
		f.StringVar(&out, "out", "", "archive to write (.tar.gz)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return usageError{errors.New("--out FILE is required")}
	}
	if cfg.DatabaseURL != "" || cfg.S3Endpoint != "" {
		return usageError{errors.New("backup archives the embedded default only; for PostgreSQL and MinIO use pg_dump and `mc mirror` (see README)")}
	}
	log := newLogger(cfg, stderr)
	db, err := openDatabase(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Backup(ctx, filepath.Join(cfg.DataDir, "media"), out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", out, n)
	return nil
}

// NotificationInterval is how often an instance sends pending
// notification e-mails and looks for reminders before rounds close.
const NotificationInterval = 10 * time.Second

func runNotifications(ctx context.Context, notes *storage.NotificationService, sender mail.Sender, log *slog.Logger) {
	host, _ := os.Hostname()
	instance := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), models.NewEpoch())
	t := time.NewTicker(NotificationInterval)
	defer t.Stop()
	for {
		if n, err := notes.RemindClosingRounds(ctx); err != nil {
			log.Warn("round reminders", slog.Any("error", err))
		} else if n > 0 {
			log.Info("round reminders written", slog.Int("count", n))
		}
		if sender != nil {
			if n, err := notes.SendEmails(ctx, sender, instance, log); err != nil {
				log.Warn("notification e-mails", slog.Any("error", err))
			} else if n > 0 {
				log.Info("notification e-mails sent", slog.Int("count", n))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ReminderInterval is how often an instance looks for reminders to send.
const ReminderInterval = 10 * time.Minute

func runReminders(ctx context.Context, follow *storage.FollowService, sender mail.Sender, log *slog.Logger) {
	host, _ := os.Hostname()
	instance := fmt.Sprintf("%s/%d/%s", host, os.Getpid(), models.NewEpoch())
	t := time.NewTicker(ReminderInterval)
	defer t.Stop()
	for {
		if n, err := follow.SendReminders(ctx, sender, instance, log); err != nil {
			log.Warn("reminders", slog.Any("error", err))
		} else if n > 0 {
			log.Info("reminders sent", slog.Int("count", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
