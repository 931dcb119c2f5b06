package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	// Embedded zone data: LEITAI_TIMEZONE works on machines without tzdata.
	_ "time/tzdata"
)

// Config is the whole program's configuration, parsed once from the
// environment and flags (flags win). Secrets may come from files named by
// the *_FILE variables.
type Config struct {
	Addr             string
	DataDir          string
	DatabaseURL      string
	S3Endpoint       string
	S3PublicEndpoint string
	S3AccessKey      string
	S3SecretKey      string
	S3Bucket         string
	S3Region         string
	S3UseSSL         bool
	PublicURL        string
	TrustedProxies   []string
	// MetricsToken lets other hosts read /metrics with a bearer token.
	MetricsToken string
	// SMTPURL and SMTPFrom send e-mail (reminders, notifications); empty: in-app only.
	SMTPURL  string
	SMTPFrom string
	Timezone string
	Location *time.Location
	// Secret signs download links and other tokens. Generated into the
	// data dir on first start when not given.
	Secret   []byte
	LogLevel slog.Level
	LogJSON  bool
	// Migrate lets `serve` apply pending PostgreSQL migrations at start.
	Migrate bool
	// WSPerAddress caps the live board connections of one client address
	// (0: no cap); WSMax caps this instance's (0: derived from the
	// open-file limit, see wsCapacity).
	WSPerAddress int
	WSMax        int
}

// option describes one setting: its environment variable, flag name,
// default, and whether it is a secret (then NAME_FILE is read too).
type option struct {
	env, flag, def, usage string
	secret                bool
	target                *string
}

// parseConfig fills a Config from getenv and the flags in args, registering
// the flags on fset. The returned rest are the arguments after the flags.
func parseConfig(fset *flag.FlagSet, args []string, getenv func(string) string) (Config, []string, error) {
	var c Config
	var useSSL, proxies, logLevel, logFormat, secret, wsPerAddress, wsMax string
	opts := []option{
		{"LEITAI_ADDR", "addr", "127.0.0.1:8080", "address to listen on", false, &c.Addr},
		{"LEITAI_DATA_DIR", "data-dir", "./data", "data directory (SQLite file, media, generated secret)", false, &c.DataDir},
		{"LEITAI_DATABASE_URL", "database-url", "", "PostgreSQL URL; empty uses SQLite in the data dir", true, &c.DatabaseURL},
		{"LEITAI_S3_ENDPOINT", "s3-endpoint", "", "S3/MinIO endpoint host:port; empty stores media in the data dir", false, &c.S3Endpoint},
		{"LEITAI_S3_PUBLIC_ENDPOINT", "s3-public-endpoint", "", "S3 endpoint as browsers reach it, when it differs", false, &c.S3PublicEndpoint},
		{"LEITAI_S3_ACCESS_KEY", "s3-access-key", "", "S3 access key", true, &c.S3AccessKey},
		{"LEITAI_S3_SECRET_KEY", "s3-secret-key", "", "S3 secret key", true, &c.S3SecretKey},
		{"LEITAI_S3_BUCKET", "s3-bucket", "leitai", "S3 bucket (created when missing)", false, &c.S3Bucket},
		{"LEITAI_S3_REGION", "s3-region", "us-east-1", "S3 region (set so presigning needs no network call)", false, &c.S3Region},
		{"LEITAI_S3_USE_SSL", "s3-use-ssl", "false", "use HTTPS to reach S3", false, &useSSL},
		{"LEITAI_PUBLIC_URL", "public-url", "", "the address people use, for links and QR codes (default http://ADDR)", false, &c.PublicURL},
		{"LEITAI_TRUSTED_PROXIES", "trusted-proxies", "", "comma-separated proxy addresses/CIDRs whose X-Forwarded-For is trusted", false, &proxies},
		{"LEITAI_TIMEZONE", "timezone", "Asia/Shanghai", "time zone for display and deadlines", false, &c.Timezone},
		{"LEITAI_SECRET", "secret", "", "signing secret; generated into the data dir when empty", true, &secret},
		{"LEITAI_METRICS_TOKEN", "metrics-token", "", "bearer token for /metrics from other hosts; without it /metrics answers loopback only", true, &c.MetricsToken},
		{"LEITAI_SMTP_URL", "smtp-url", "", "smtp://user:pass@host:587 (or smtps://) for reminder and notification e-mail; empty: in the app only", true, &c.SMTPURL},
		{"LEITAI_SMTP_FROM", "smtp-from", "", "sender address of e-mail (default leitai@<smtp host>)", false, &c.SMTPFrom},
		{"LEITAI_LOG_LEVEL", "log-level", "info", "debug, info, warn or error", false, &logLevel},
		{"LEITAI_LOG_FORMAT", "log-format", "text", "text or json", false, &logFormat},
		{"LEITAI_WS_PER_ADDRESS", "ws-per-address", "2000", "live board connections one client address may hold (a venue behind one NAT shares one); 0: no cap", false, &wsPerAddress},
		{"LEITAI_WS_MAX", "ws-max", "0", "live board connections of this instance; 0: the open-file limit less headroom for the database and HTTP", false, &wsMax},
	}
	for _, o := range opts {
		def := o.def
		if v := getenv(o.env); v != "" {
			def = v
		}
		usage := fmt.Sprintf("%s (env %s)", o.usage, o.env)
		if o.secret {
			usage = fmt.Sprintf("%s (env %s or %s_FILE)", o.usage, o.env, o.env)
		}
		fset.StringVar(o.target, o.flag, def, usage)
	}
	fset.BoolVar(&c.Migrate, "migrate", false, "apply pending PostgreSQL migrations before serving")
	if err := fset.Parse(args); err != nil {
		return c, nil, err
	}
	set := map[string]bool{}
	fset.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, o := range opts {
		if !o.secret || set[o.flag] || getenv(o.env) != "" {
			continue
		}
		if file := getenv(o.env + "_FILE"); file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				return c, nil, fmt.Errorf("%s_FILE: %w", o.env, err)
			}
			*o.target = strings.TrimSpace(string(b))
		}
	}
	var err error
	if c.S3UseSSL, err = strconv.ParseBool(useSSL); err != nil {
		return c, nil, fmt.Errorf("LEITAI_S3_USE_SSL: want true or false, got %q", useSSL)
	}
	for _, p := range strings.Split(proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
	}
	if c.Location, err = time.LoadLocation(c.Timezone); err != nil {
		return c, nil, fmt.Errorf("LEITAI_TIMEZONE: %w", err)
	}
	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		return c, nil, fmt.Errorf("LEITAI_LOG_LEVEL: %w", err)
	}
	switch logFormat {
	case "text":
	case "json":
		c.LogJSON = true
	default:
		return c, nil, fmt.Errorf("LEITAI_LOG_FORMAT: want text or json, got %q", logFormat)
	}
	if c.WSPerAddress, err = strconv.Atoi(strings.TrimSpace(wsPerAddress)); err != nil || c.WSPerAddress < 0 {
		return c, nil, fmt.Errorf("LEITAI_WS_PER_ADDRESS: want a whole number ≥ 0, got %q", wsPerAddress)
	}
	if c.WSMax, err = strconv.Atoi(strings.TrimSpace(wsMax)); err != nil || c.WSMax < 0 {
		return c, nil, fmt.Errorf("LEITAI_WS_MAX: want a whole number ≥ 0, got %q", wsMax)
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, nil, fmt.Errorf("LEITAI_PUBLIC_URL: want an absolute http(s) URL, got %q", c.PublicURL)
	}
	if (c.S3Endpoint != "") && (c.S3AccessKey == "" || c.S3SecretKey == "") {
		return c, nil, errors.New("LEITAI_S3_ENDPOINT is set: LEITAI_S3_ACCESS_KEY and LEITAI_S3_SECRET_KEY are required")
	}
	if secret != "" {
		c.Secret = []byte(secret)
	}
	return c, fset.Args(), nil
}

// secretFile is where a generated secret is kept inside the data dir.
const secretFile = "secret.key"

// ensureSecret loads the secret from the data dir, generating it on first
// start, unless one was configured.
func (c *Config) ensureSecret() error {
	if len(c.Secret) > 0 {
		return nil
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(c.DataDir, secretFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if s := strings.TrimSpace(string(b)); len(s) >= 32 {
			c.Secret = []byte(s)
			return nil
		}
		return fmt.Errorf("%s is too short: delete it to generate a new secret", path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("generate secret: %w", err)
	}
	s := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return c.ensureSecret() // another process won the race: use its secret
	}
	if err != nil {
		return fmt.Errorf("write secret: %w", err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("write secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write secret: %w", err)
	}
	c.Secret = []byte(s)
	return nil
}
