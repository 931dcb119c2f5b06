package server

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"leitai/live"
	"leitai/models"
)

// Websocket tuning: small buffers and a shared write-buffer pool keep an
// idle viewer cheap (TRAPS.md); no compression.
const (
	wsWriteWait = 10 * time.Second
	wsPongWait  = 60 * time.Second // the hub pings every 25 s
	wsReadLimit = 512              // viewers send nothing but control frames
	// wsSendBuffer caps the kernel's send buffer of a viewer's socket.
	// Left to autotuning it grows to megabytes (tcp_wmem), so a viewer
	// that stops reading holds that much kernel memory and thousands of
	// frames before its writes block, and is cut off only minutes later;
	// 32 KiB (the kernel doubles it) holds dozens of board events, plenty
	// for a screen that keeps up, even over a slow link.
	wsSendBuffer = 32 << 10
)

var wsWritePool sync.Pool

// PrepareFrame serialises a message once per broadcast for every viewer.
func PrepareFrame(data []byte) (live.Frame, error) {
	return fws.NewPreparedMessage(fws.TextMessage, data)
}

// wsConn adapts a websocket connection to live.Conn.
type wsConn struct {
	c *fws.Conn
}

func (w wsConn) WriteFrame(f live.Frame) error {
	pm, ok := f.(*fws.PreparedMessage)
	if !ok {
		return fmt.Errorf("live: unexpected frame %T", f)
	}
	if err := w.c.SetWriteDeadline(time.Now().Add(wsWriteWait)); err != nil {
		return err
	}
	return w.c.WritePreparedMessage(pm)
}

func (w wsConn) Ping() error {
	return w.c.WriteControl(fws.PingMessage, nil, time.Now().Add(wsWriteWait))
}

func (w wsConn) Close(code int, reason string) {
	_ = w.c.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = w.c.Close()
}

// liveUpgrade answers plain HTTP requests and unknown events before the
// upgrade, so a wrong address gets the error contract, not a hijack.
func (s *handlers) liveUpgrade(c *fiber.Ctx) error {
	if !fws.FastHTTPIsWebSocketUpgrade(c.Context()) {
		return &models.Error{Kind: models.KindInvalid, Message: "this is the live board's websocket: connect with a websocket client"}
	}
	if s.deps.Hub == nil {
		return models.Errorf(models.KindUnavailable, "the live board is not running")
	}
	if err := s.boardExists(c); err != nil {
		return err
	}
	// The caps on connections (per address, in all) answer before the
	// upgrade when they can; Admit in liveSocket decides.
	if err := s.deps.Hub.CanAdmit(c.IP()); err != nil {
		return s.refuse(c, err)
	}
	if tc, ok := c.Context().Conn().(interface{ SetWriteBuffer(int) error }); ok {
		_ = tc.SetWriteBuffer(wsSendBuffer)
	}
	return c.Next()
}

// boardKnownFor is how long a board found in the database is believed to
// exist without asking again. Loading the show to check the event exists
// was two thirds of the CPU of connecting 10,000 viewers (pprof, the
// connect phase of `leitai bench live`): a hall of screens reconnecting
// at once now costs one lookup per board per boardKnownFor. Live events
// are never deleted; were one to vanish, its snapshot fails and the
// viewer is closed with 1011.
const boardKnownFor = 30 * time.Second

// boardExists answers 404 (the error contract) for an unknown live event
// before the upgrade, from memory for a board found recently.
func (s *handlers) boardExists(c *fiber.Ctx) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	now := time.Now()
	if at, ok := s.boards.Load(id); ok && now.Sub(at.(time.Time)) < boardKnownFor {
		return nil
	}
	if _, err := s.deps.Live.LiveShow(c.UserContext(), id); err != nil {
		return err
	}
	s.boards.Store(id, now) // only existing events: callers cannot grow the map
	return nil
}

// wsRetryAfter is what a viewer refused for capacity is told to wait.
const wsRetryAfter = 10

// refuse answers a connection refused by a cap: 503 with Retry-After in
// the error contract's shape, written here rather than through the error
// handler, which logs every 503 as an error: a flood of refused
// connections must not become a flood of log lines (/metrics counts
// them; a warning is logged at most every 10 s).
func (s *handlers) refuse(c *fiber.Ctx, err error) error {
	msg := "the live board is at capacity on this server: try again shortly"
	if err == live.ErrAddressFull {
		msg = "too many live board connections from this address: try again shortly"
	}
	now := time.Now().UnixNano()
	if last := wsRefusalLogged.Load(); now-last > int64(10*time.Second) && wsRefusalLogged.CompareAndSwap(last, now) {
		st := s.deps.Hub.Stats()
		s.deps.Log.Warn("live board connections refused", slog.String("ip", c.IP()), slog.Any("reason", err),
			slog.Int("connections", st.Connections), slog.Int("max", st.MaxViewers), slog.Int("per_address", st.PerAddress))
	}
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(wsRetryAfter))
	return c.Status(fiber.StatusServiceUnavailable).JSON(errorBody{Error: errorDetail{Code: models.KindUnavailable, Message: msg}})
}

// wsRefusalLogged is when a refusal was last logged (Unix ns).
var wsRefusalLogged atomic.Int64

// wsUpgrader upgrades board connections. It is fasthttp/websocket's own,
// not gofiber/contrib/websocket's wrapper: that one copies every request
// header, cookie, query argument and local into maps kept for the
// connection's life, about 2 KB per idle viewer of no use to the board
// (heap profile of 10,000 viewers). The origin is not checked, as before:
// the board is public and read-only.
var wsUpgrader = fws.FastHTTPUpgrader{
	ReadBufferSize: 512, WriteBufferSize: 2048, WriteBufferPool: &wsWritePool,
	CheckOrigin: func(*fasthttp.RequestCtx) bool { return true },
}

// liveSocket serves one viewer of a live board: the hub writes (one
// writer goroutine: this handler's), a reader goroutine answers control
// frames. The handler returns only after both have finished, because the
// library reuses the connection once it returns (TRAPS.md).
func (s *handlers) liveSocket() fiber.Handler {
	return func(c *fiber.Ctx) error {
		// What the viewer needs of the request, copied now: the request
		// is gone once the upgrade hands the connection over.
		var eventID int64
		if _, err := fmt.Sscan(c.Params("id"), &eventID); err != nil {
			return models.Errorf(models.KindNotFound, "no such live event")
		}
		ip, epoch := strings.Clone(c.IP()), strings.Clone(c.Query("epoch"))
		offset, hasOffset := live.ParseOffset(c.Query("offset"))
		err := wsUpgrader.Upgrade(c.Context(), func(conn *fws.Conn) {
			s.serveViewer(conn, models.LiveTopic(eventID), ip, epoch, offset, hasOffset)
		})
		if err != nil {
			return fiber.ErrUpgradeRequired
		}
		return nil
	}
}

// trackerUpgrade is liveUpgrade for the public tracker's channel: the same
// caps, no event to look up.
func (s *handlers) trackerUpgrade(c *fiber.Ctx) error {
	if !fws.FastHTTPIsWebSocketUpgrade(c.Context()) {
		return &models.Error{Kind: models.KindInvalid, Message: "this is the tracker's websocket: connect with a websocket client"}
	}
	if s.deps.Hub == nil {
		return models.Errorf(models.KindUnavailable, "the live board is not running")
	}
	if err := s.deps.Hub.CanAdmit(c.IP()); err != nil {
		return s.refuse(c, err)
	}
	return c.Next()
}

// trackerSocket serves one viewer of the tracker's channel (open tracker
// pages, big screens between sessions): a snapshot, then an event each
// time the public tracker changed, with the board's protocol.
func (s *handlers) trackerSocket() fiber.Handler {
	return func(c *fiber.Ctx) error {
		ip, epoch := strings.Clone(c.IP()), strings.Clone(c.Query("epoch"))
		offset, hasOffset := live.ParseOffset(c.Query("offset"))
		if err := wsUpgrader.Upgrade(c.Context(), func(conn *fws.Conn) {
			s.serveViewer(conn, models.TrackerTopic, ip, epoch, offset, hasOffset)
		}); err != nil {
			return fiber.ErrUpgradeRequired
		}
		return nil
	}
}

func (s *handlers) serveViewer(c *fws.Conn, topic, ip, epoch string, offset uint64, hasOffset bool) {
	defer func() {
		if r := recover(); r != nil {
			s.deps.Log.Error("live websocket panic", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		}
	}()
	// Admit is the binding check (the one before the upgrade may have
	// raced with others): a refused viewer is told 1013, try again later.
	release, err := s.deps.Hub.Admit(ip)
	if err != nil {
		wsConn{c}.Close(live.CloseTryAgainLater, "at capacity: try again later")
		return
	}
	defer release()
	ctx, cancel := context.WithCancel(s.baseContext())
	defer cancel()
	c.SetReadLimit(wsReadLimit)
	_ = c.SetReadDeadline(time.Now().Add(wsPongWait))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(wsPongWait)) })
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		defer cancel()
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
			_ = c.SetReadDeadline(time.Now().Add(wsPongWait))
		}
	}()
	err = s.deps.Hub.Serve(ctx, wsConn{c}, topic, epoch, offset, hasOffset)
	if err != nil && ctx.Err() == nil && err != live.ErrClosed {
		s.deps.Log.Debug("live viewer ended", slog.String("topic", topic), slog.Any("error", err))
	}
	// fasthttp closes a hijacked connection only when this handler
	// returns (its Close is a no-op until then), and the reader would
	// wait for the peer up to wsPongWait: a viewer the hub cut off (too
	// slow, or gone) would keep its socket for another minute. Wake the
	// reader now so that the connection closes at once.
	_ = c.SetReadDeadline(time.Now())
	_ = c.Close()
	<-readerDone
}

// baseContext is the server's lifetime; websocket handlers outlive their
// request's context.
func (s *handlers) baseContext() context.Context {
	if s.deps.Context != nil {
		return s.deps.Context
	}
	return context.Background()
}
