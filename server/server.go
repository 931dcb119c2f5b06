// Package server is Leitai's HTTP face: the Fiber app, its routes, thin
// handlers, middleware, one ErrorHandler for the error contract, and the
// embedded single-page frontend. It declares the small interfaces it needs
// from storage and never imports it.
package server

import (
	"context"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"leitai/models"
)

// Pinger is a dependency that can say whether it is ready.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Checker is an object store that can say whether it is ready.
type Checker interface {
	Check(ctx context.Context) error
}

// SignedFiles serves the filesystem store's signed download links. It is
// nil when media live in MinIO, whose presigned links go straight to MinIO.
type SignedFiles interface {
	VerifyLink(key string, q url.Values, now time.Time) (contentType, disposition string, err error)
	Stat(ctx context.Context, key string) (models.ObjectInfo, error)
	Get(ctx context.Context, key string, rng *models.ByteRange) (io.ReadCloser, models.ObjectInfo, error)
}

// Config is the part of the program's configuration the server uses.
type Config struct {
	// Version is reported by /healthz's caller tools and in logs.
	Version string
	// TrustedProxies are addresses or CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string
	// MediaOrigins are extra origins (the S3 public endpoint) that pages may
	// load media from and upload to.
	MediaOrigins []string
	// BodyLimit caps request bodies in bytes.
	BodyLimit int
}

// Deps are the server's collaborators, constructed in main.
type Deps struct {
	Log      *slog.Logger
	DB       Pinger
	Objects  Checker
	Files    SignedFiles
	Metrics  *prometheus.Registry
	Frontend fs.FS
	Config   Config
}

// DefaultBodyLimit is the request body cap when Config.BodyLimit is 0.
const DefaultBodyLimit = 8 << 20

// New builds the Fiber app with its middleware and routes.
func New(d Deps) *fiber.App {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	if d.Config.BodyLimit == 0 {
		d.Config.BodyLimit = DefaultBodyLimit
	}
	app := fiber.New(fiber.Config{
		AppName:                 "leitai",
		Immutable:               true, // values from *fiber.Ctx may outlive the handler
		BodyLimit:               d.Config.BodyLimit,
		ErrorHandler:            errorHandler(d.Log),
		DisableStartupMessage:   true,
		ReadTimeout:             60 * time.Second,
		WriteTimeout:            120 * time.Second,
		IdleTimeout:             120 * time.Second,
		EnableTrustedProxyCheck: len(d.Config.TrustedProxies) > 0,
		TrustedProxies:          d.Config.TrustedProxies,
		ProxyHeader:             proxyHeader(d.Config.TrustedProxies),
		ReadBufferSize:          16 << 10,
	})
	s := &handlers{deps: d}
	app.Use(requestID(), accessLog(d.Log), newMetrics(d.Metrics).middleware, resolveErrors, recoverer(d.Log), securityHeaders(d.Config.MediaOrigins))
	s.routes(app)
	return app
}

func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

// handlers carries the dependencies of every handler.
type handlers struct {
	deps Deps
}
