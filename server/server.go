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

	"leitai/judging"
	"leitai/live"
	"leitai/models"
)

// Accounts signs people in and out.
type Accounts interface {
	Login(ctx context.Context, a models.LoginAttempt) (string, models.Session, error)
	SessionByToken(ctx context.Context, token string) (models.Session, error)
	Logout(ctx context.Context, token string) error
	ChangePassword(ctx context.Context, actor models.Actor, userID int64, current, next, userAgent string) (string, models.Session, error)
	RedeemLoginLink(ctx context.Context, token, ip, userAgent string) (string, models.Session, error)
	SetupNeeded(ctx context.Context) (bool, error)
	SetupFirstAdmin(ctx context.Context, n models.NewUser, ip, userAgent string) (string, models.Session, error)
}

// Projects holds the editions and their projects.
type Projects interface {
	ListEditions(ctx context.Context, onlyPublic bool) ([]models.Edition, error)
	EditionByID(ctx context.Context, id int64) (models.Edition, error)
	CreateEdition(ctx context.Context, actor models.Actor, in models.EditionInput) (models.Edition, error)
	UpdateEdition(ctx context.Context, actor models.Actor, id int64, in models.EditionInput) (models.Edition, error)
	CreateProject(ctx context.Context, actor models.Actor, user models.User, editionID int64, f models.ProjectFields, loc *time.Location) (models.Project, error)
	ProjectByID(ctx context.Context, user models.User, id int64) (models.Project, error)
	SaveDraft(ctx context.Context, user models.User, id int64, f models.ProjectFields, loc *time.Location) (models.Project, error)
	SubmitProject(ctx context.Context, actor models.Actor, user models.User, id int64, loc *time.Location) (models.Project, error)
	WithdrawProject(ctx context.Context, actor models.Actor, user models.User, id int64, loc *time.Location) (models.Project, error)
	ProjectVersions(ctx context.Context, user models.User, id int64) ([]models.ProjectVersion, error)
	SetEligibility(ctx context.Context, actor models.Actor, ids []int64, eligible bool, reason string) ([]models.Project, error)
	ListProjects(ctx context.Context, user models.User, f models.ProjectFilter) ([]models.Project, error)
}

// Rounds holds the review rounds, assignments and scores.
type Rounds interface {
	CreateRound(ctx context.Context, actor models.Actor, editionID int64, in models.Round) (models.Round, error)
	RoundByID(ctx context.Context, id int64) (models.Round, error)
	ListRounds(ctx context.Context, editionID int64) ([]models.Round, error)
	UpdateRound(ctx context.Context, actor models.Actor, id int64, in models.Round) (models.Round, error)
	MoveRound(ctx context.Context, actor models.Actor, id int64, to models.RoundStatus, loc *time.Location) (models.RoundChange, error)
	Publications(ctx context.Context) ([]models.Round, []models.Publication, error)
	PublicationOf(ctx context.Context, roundID int64) (models.Publication, error)
	AssignRound(ctx context.Context, actor models.Actor, roundID int64, seed uint64) (judging.Assignment, error)
	RoundProgress(ctx context.Context, roundID int64) ([]models.ExpertProgress, error)
	RoundSheet(ctx context.Context, roundID int64) (judging.Sheet, error)
	PublishedObjections(ctx context.Context, roundIDs []int64) (map[int64][]models.Objection, error)
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
	Tablets     TabletLinks
	Figures     Figures
	// Follow is the follow-through of funded projects; Photos serves the
	// tracker's public photos from the object store.
	Follow FollowThrough
	// Drafts deletes a unit's never-submitted drafts.
	Drafts DraftDeleter
	Photos PhotoStore
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
	s := &handlers{deps: d}
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
	// boards remembers live events found to exist (id → when), see
	// boardExists.
	boards sync.Map
	// pongWait is how long a board viewer may stay silent (no pong)
	// before it is closed; 0: wsPongWait. Tests shorten it.
	pongWait time.Duration
}
