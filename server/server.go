// Package server is Leitai's HTTP face: the Fiber app, its routes, thin
// handlers, middleware, one ErrorHandler for the error contract, and the
// embedded single-page frontend. It declares the small interfaces it needs
// from storage and never imports it.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"leitai/live"
	"leitai/models"
)

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
	// PublicURL is the address people use, for links and QR codes.
	PublicURL string
	// Location is the time zone deadlines are shown in.
	Location *time.Location
	// SecureCookies marks cookies Secure (the public URL is https).
	SecureCookies bool
	// Secret signs device cookies (the login throttle's trusted browsers).
	Secret []byte
	// MetricsToken, when set, lets any host read /metrics with
	// "Authorization: Bearer <token>"; without it only loopback may.
	MetricsToken string
}

// Deps are the server's collaborators, constructed in main.
type Deps struct {
	Log *slog.Logger
	// Each handler file declares the few methods it calls (UnitStore in
	// units.go, Reviews in review.go, …); main hands the storage services
	// in, and a test only the fakes its handlers need.
	DB          Pinger
	Objects     Checker
	Files       SignedFiles
	Accounts    Accounts
	Units       UnitStore
	Users       UserStore
	Audit       AuditLog
	Editions    Editions
	Projects    Projects
	Media       MediaLibrary
	Uploads     Uploads
	ReviewFiles ReviewFiles
	Rounds      Rounds
	Reviews     Reviews
	Decisions   Decisions
	Objections  Objections
	Panels      Panels
	Live        LiveShows
	// Audience is the live final's audience defences (liveaudience.go).
	Audience LiveAudience
	Tablets  TabletLinks
	Figures  Figures
	// Follow is the follow-through of funded projects; Photos serves the
	// tracker's public photos from the object store.
	Follow FollowThrough
	// Drafts deletes a unit's never-submitted drafts.
	Drafts DraftDeleter
	// Returns sends a submitted project back to its unit; Notifications
	// are each user's own notifications and settings.
	Returns       ProjectReturner
	Notifications Notifications
	Photos        PhotoStore
	// Gaps are the review's admin tools (gaps.go): declared conflicts,
	// moving one project, the holiday calendar, the publication window.
	Gaps ReviewGaps
	// Redactions are blind rounds' redacted copies (blind.go).
	Redactions Redactions
	// Visits are the site visits of 复审 (visits.go); EditionFigures the
	// office's overview of an edition.
	Visits         SiteVisits
	EditionFigures EditionFigures
	// Recommend is the county and department recommendation step and the
	// recommenders' scoped administration (recommend.go).
	Recommend Recommendations
	// Clock is "now" for the handlers (nil: time.Now), so that a test can
	// set the day.
	Clock func() time.Time
	// Hub serves the live boards' websockets; Context is the server's
	// lifetime (websocket handlers outlive their requests).
	Hub      *live.Hub
	Context  context.Context
	Metrics  *prometheus.Registry
	Frontend fs.FS
	Config   Config
}

// DefaultBodyLimit is the request body cap when Config.BodyLimit is 0:
// one upload chunk (models.ChunkSize) and some slack. JSON bodies are capped
// at 1 MiB by decodeJSON.
const DefaultBodyLimit = int(models.ChunkSize) + 1<<20

// New builds the Fiber app with its middleware and routes.
func New(d Deps) *fiber.App {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	if d.Clock == nil {
		d.Clock = time.Now
	}
	if d.Config.BodyLimit == 0 {
		d.Config.BodyLimit = DefaultBodyLimit
	}
	app := fiber.New(fiber.Config{
		AppName:               "leitai",
		Immutable:             true, // values from *fiber.Ctx may outlive the handler
		BodyLimit:             d.Config.BodyLimit,
		ErrorHandler:          errorHandler(d.Log),
		DisableStartupMessage: true,
		// Generous: an 8 MiB upload chunk on a slow venue link takes minutes.
		ReadTimeout:             5 * time.Minute,
		WriteTimeout:            120 * time.Second,
		IdleTimeout:             120 * time.Second,
		EnableTrustedProxyCheck: len(d.Config.TrustedProxies) > 0,
		TrustedProxies:          d.Config.TrustedProxies,
		ProxyHeader:             proxyHeader(d.Config.TrustedProxies),
		// 8 KiB holds any real request head (large cookies, WeChat user agents);
		// fasthttp keeps it for every hijacked websocket, so it is part of each
		// live viewer's memory.
		ReadBufferSize: 8 << 10,
	})
	if d.Hub != nil || d.Figures != nil {
		d.Metrics.MustRegister(newOperatorCollector(d.Hub, d.Figures))
	}
	s := &handlers{deps: d, refused: newAudienceRefusals(d.Metrics)}
	app.Use(requestID(), accessLog(d.Log), newMetrics(d.Metrics).middleware, resolveErrors, recoverer(d.Log), securityHeaders(d.Config.MediaOrigins), bodyLimits(d.Config.BodyLimit))
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
	// refused counts the audience's refused requests (metrics.go).
	refused *prometheus.CounterVec
	// boards remembers live events found to exist (id → when), see
	// boardExists.
	boards sync.Map
	// pongWait is how long a board viewer may stay silent (no pong)
	// before it is closed; 0: wsPongWait. Tests shorten it.
	pongWait time.Duration
}
