package server

import (
	"context"
	"crypto/sha1" //nolint:gosec // the websocket handshake's hash
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"

	"leitai/live"
	"leitai/models"
)

// Websocket tuning: no goroutine, buffer or fasthttp state is kept per
// idle viewer (TRAPS.md's budget per viewer). After the handshake the
// connection's descriptor is handed to one epoll instance (Linux,
// livews_linux.go) that reads only when a frame arrives; the hub writes
// prepared frames straight to the socket. No compression.
const (
	// wsWriteWait is how long a write to a viewer may block (its socket's
	// buffers, wsSendBuffer, full) before it is cut off as too slow.
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

// wsFrame is a server-to-client websocket message, header and payload,
// serialised once per broadcast and written as is to every viewer.
type wsFrame struct {
	b []byte
}

// PrepareFrame serialises a message once per broadcast for every viewer:
// one unmasked, final text frame.
func PrepareFrame(data []byte) (live.Frame, error) {
	return &wsFrame{b: appendFrame(make([]byte, 0, len(data)+10), 0x1, data)}, nil
}

// appendFrame appends a final, unmasked frame of opcode op.
func appendFrame(b []byte, op byte, payload []byte) []byte {
	b = append(b, 0x80|op)
	switch n := len(payload); {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127)
		b = binary.BigEndian.AppendUint64(b, uint64(n))
	}
	return append(b, payload...)
}

// wsPing is the keep-alive ping frame (no payload).
var wsPing = []byte{0x80 | 0x9, 0}

// closeFrame is a close frame with code and reason (cut to fit a control
// frame's 125 bytes).
func closeFrame(code int, reason string) []byte {
	if len(reason) > 123 {
		reason = reason[:123]
	}
	p := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(reason)), uint16(code))
	return appendFrame(nil, 0x8, append(p, reason...))
}

// boardConn is one viewer's connection: live.Conn and live.TryWriter for
// the hub, and the reading side (frames from the viewer: pongs and a
// close; anything else closes it).
type boardConn struct {
	nc net.Conn
	// rc is nc's descriptor for writes that must not block (TryWriteFrame)
	// and the poller's reads; nil: every frame goes through the writer.
	rc syscall.RawConn

	rest []byte // what TryWriteFrame could not write (hub-serialised)

	// Reading side: the poller's goroutine (or the fallback's reader).
	viewer   *live.Viewer
	partial  []byte       // an incomplete frame from the viewer, rarely
	lastRead atomic.Int64 // Unix ns of the last frame read (or the join)
	pongWait time.Duration
	fd       int32     // the descriptor registered with the poller
	polled   bool      // registered with the poller (under its lock)
	closed   bool      // Close has begun (under the poller's lock)
	release  func()    // gives the viewer's admission back
	closing  sync.Once // Close runs once
}

func (w *boardConn) frameBytes(f live.Frame) ([]byte, error) {
	wf, ok := f.(*wsFrame)
	if !ok {
		return nil, fmt.Errorf("live: unexpected frame %T", f)
	}
	return wf.b, nil
}

// TryWriteFrame writes f with one non-blocking write; what the socket did
// not take is kept (a slice of the shared frame: no copy) for Flush.
func (w *boardConn) TryWriteFrame(f live.Frame) (bool, error) {
	b, err := w.frameBytes(f)
	if err != nil {
		return false, err
	}
	if w.rc == nil {
		w.rest = b
		return false, nil
	}
	n, err := writeNonBlocking(w.rc, b)
	if err != nil {
		return false, err
	}
	if n == len(b) {
		return true, nil
	}
	w.rest = b[n:]
	return false, nil
}

// Flush writes what TryWriteFrame left, within the write deadline.
func (w *boardConn) Flush() error {
	if len(w.rest) == 0 {
		return nil
	}
	if err := w.nc.SetWriteDeadline(time.Now().Add(wsWriteWait)); err != nil {
		return err
	}
	defer w.clearDeadline()
	_, err := w.nc.Write(w.rest)
	w.rest = nil
	return err
}

// clearDeadline lifts the write deadline once a blocking write is done:
// left to expire, it would fail the next non-blocking write (Go's poller
// checks it first) and cut a viewer that keeps up.
func (w *boardConn) clearDeadline() { _ = w.nc.SetWriteDeadline(time.Time{}) }

func (w *boardConn) write(b []byte, wait time.Duration) error {
	if err := w.nc.SetWriteDeadline(time.Now().Add(wait)); err != nil {
		return err
	}
	defer w.clearDeadline()
	if len(w.rest) > 0 { // never left here by the hub, which flushes first
		if _, err := w.nc.Write(w.rest); err != nil {
			return err
		}
		w.rest = nil
	}
	_, err := w.nc.Write(b)
	return err
}

func (w *boardConn) WriteFrame(f live.Frame) error {
	b, err := w.frameBytes(f)
	if err != nil {
		return err
	}
	return w.write(b, wsWriteWait)
}

func (w *boardConn) Ping() error { return w.write(wsPing, wsWriteWait) }

// Close sends a close frame (within a second: a viewer that stopped
// reading would not take it) and closes the connection; the hub calls it
// once, and the handshake's refusals call it before any hub does.
func (w *boardConn) Close(code int, reason string) {
	w.closing.Do(func() {
		unwatch(w) // before the descriptor closes and its number is reused
		_ = w.write(closeFrame(code, reason), time.Second)
		_ = w.nc.Close()
		if w.release != nil {
			w.release()
		}
	})
}

// silent reports whether the viewer has sent nothing (no pong) for its
// pong wait.
func (w *boardConn) silent(now int64) bool {
	return now-w.lastRead.Load() > int64(w.pongWait)
}

// consume reads the frames in data (bytes from the viewer) and reports
// whether the connection stays open; a viewer may send pongs (which keep
// it open), a ping (ignored) and a close frame. Anything else, or a
// malformed frame, closes it.
func (w *boardConn) consume(data []byte) bool {
	if len(w.partial) > 0 {
		data = append(w.partial, data...)
		w.partial = nil
	}
frames:
	for len(data) >= 2 {
		b0, b1 := data[0], data[1]
		op, n, hl := b0&0x0f, int(b1&0x7f), 2
		if b0&0x70 != 0 || b1&0x80 == 0 {
			w.viewer.Close(1002, "protocol error") // reserved bits, or not masked
			return false
		}
		switch n {
		case 126:
			if len(data) < 4 {
				break frames
			}
			n, hl = int(binary.BigEndian.Uint16(data[2:])), 4
		case 127:
			n = wsReadLimit + 1 // no viewer frame is this large
		}
		if n > wsReadLimit || (op >= 0x8 && (n > 125 || b0&0x80 == 0)) {
			w.viewer.Close(1009, "frame too large")
			return false
		}
		if len(data) < hl+4+n {
			break frames // incomplete: wait for the rest
		}
		mask, payload := data[hl:hl+4], data[hl+4:hl+4+n]
		w.lastRead.Store(time.Now().UnixNano())
		switch op {
		case 0xA, 0x9: // pong (a ping from a viewer is not answered)
		case 0x8:
			code := 1000
			if len(payload) >= 2 {
				for i := range 2 {
					payload[i] ^= mask[i]
				}
				if c := int(binary.BigEndian.Uint16(payload)); c >= 1000 && c < 5000 && c != 1005 && c != 1006 {
					code = c
				}
			}
			w.viewer.Close(code, "")
			return false
		default:
			w.viewer.Close(1003, "the board is read-only")
			return false
		}
		data = data[hl+4+n:]
	}
	if len(data) > 0 {
		w.partial = append([]byte(nil), data...)
	}
	return true
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

// liveSocket serves one viewer of a live board. The websocket handshake
// is answered here rather than by a websocket library's upgrader: that
// one keeps a read buffer, a write buffer and a goroutine per connection
// (and gofiber/contrib/websocket's wrapper copies every header, cookie and
// query argument into maps for the connection's life), none of which a
// broadcast-only board needs. The origin is not checked, as before: the
// board is public and read-only.
func (s *handlers) liveSocket() fiber.Handler {
	return func(c *fiber.Ctx) error {
		// What the viewer needs of the request, copied now: the request
		// is gone once the upgrade hands the connection over.
		var eventID int64
		if _, err := fmt.Sscan(c.Params("id"), &eventID); err != nil {
			return models.Errorf(models.KindNotFound, "no such live event")
		}
		return s.upgradeViewer(c, models.LiveTopic(eventID))
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
		return s.upgradeViewer(c, models.TrackerTopic)
	}
}

// upgradeViewer answers the websocket handshake (RFC 6455) and hands the
// connection to the hub as a viewer of topic.
func (s *handlers) upgradeViewer(c *fiber.Ctx, topic string) error {
	ctx := c.Context()
	h := &ctx.Request.Header
	switch {
	case !ctx.IsGet():
		return models.Errorf(models.KindInvalid, "a websocket handshake is a GET request")
	case !headerHasToken(h.Peek("Sec-WebSocket-Version"), "13"):
		c.Set("Sec-WebSocket-Version", "13")
		return fiber.ErrUpgradeRequired
	case len(h.Peek("Sec-WebSocket-Key")) == 0:
		return models.Errorf(models.KindInvalid, "the websocket handshake has no Sec-WebSocket-Key")
	}
	ip, epoch := strings.Clone(c.IP()), strings.Clone(c.Query("epoch"))
	offset, hasOffset := live.ParseOffset(c.Query("offset"))
	raw := ctx.Conn() // the TCP connection under fasthttp's wrappers
	ctx.SetStatusCode(fiber.StatusSwitchingProtocols)
	ctx.Response.Header.Set("Upgrade", "websocket")
	ctx.Response.Header.Set("Connection", "Upgrade")
	ctx.Response.Header.Set("Sec-WebSocket-Accept", acceptKey(h.Peek("Sec-WebSocket-Key")))
	ctx.Hijack(func(hjc net.Conn) {
		defer func() {
			if r := recover(); r != nil {
				s.deps.Log.Error("live websocket panic", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			}
		}()
		s.serveViewer(hjc, raw, topic, ip, epoch, offset, hasOffset)
	})
	return nil
}

// acceptKey is the handshake's Sec-WebSocket-Accept for key.
func acceptKey(key []byte) string {
	h := sha1.New() //nolint:gosec // RFC 6455 names SHA-1
	h.Write(key)
	h.Write([]byte("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// headerHasToken reports whether a comma-separated header holds token.
func headerHasToken(v []byte, token string) bool {
	for _, f := range strings.Split(string(v), ",") {
		if strings.EqualFold(strings.TrimSpace(f), token) {
			return true
		}
	}
	return false
}

// serveViewer runs on fasthttp's hijack goroutine. On Linux, for a TCP
// connection, it detaches the socket from fasthttp (a duplicate
// descriptor of its own, so that fasthttp's buffers, request context and
// goroutine are released when this returns), registers it with the
// poller and returns: an idle viewer then holds no goroutine. Elsewhere it
// stays and reads (serveBlocking).
func (s *handlers) serveViewer(hjc, raw net.Conn, topic, ip, epoch string, offset uint64, hasOffset bool) {
	pongWait := s.pongWait
	if pongWait <= 0 {
		pongWait = wsPongWait
	}
	// Bytes the viewer sent right after its handshake, already read into
	// fasthttp's buffer (rare: a client waits for the 101 first).
	var early []byte
	if raw.SetReadDeadline(time.Now()) == nil {
		buf := make([]byte, 2*wsReadLimit)
		if n, _ := hjc.Read(buf); n > 0 {
			early = buf[:n]
		}
		_ = raw.SetReadDeadline(time.Time{})
	}
	bc := &boardConn{nc: hjc, pongWait: pongWait}
	detached := false
	if nc, rc, err := detach(raw); err == nil {
		bc.nc, bc.rc, detached = nc, rc, true
	}
	bc.lastRead.Store(time.Now().UnixNano())
	// Admit is the binding check (the one before the upgrade may have
	// raced with others): a refused viewer is told 1013, try again later.
	release, err := s.deps.Hub.Admit(ip)
	if err != nil {
		bc.Close(live.CloseTryAgainLater, "at capacity: try again later")
		return
	}
	bc.release = release
	v, err := s.deps.Hub.Join(s.baseContext(), bc, topic, epoch, offset, hasOffset)
	if err != nil {
		if err != live.ErrClosed {
			s.deps.Log.Debug("live viewer not joined", slog.String("topic", topic), slog.Any("error", err))
		}
		return
	}
	bc.viewer = v
	if len(early) > 0 && !bc.consume(early) {
		<-v.Done()
		return
	}
	if detached {
		if err := watch(bc); err == nil {
			return
		}
		// No poller: read here after all.
	}
	serveBlocking(bc)
}

// serveBlocking reads the viewer's frames on this goroutine until the
// connection ends (the portable path, without a poller), then waits until
// the hub has closed it: fasthttp closes a hijacked connection when its
// handler returns.
func serveBlocking(bc *boardConn) {
	buf := make([]byte, wsReadLimit)
	for {
		_ = bc.nc.SetReadDeadline(time.Now().Add(bc.pongWait))
		n, err := bc.nc.Read(buf)
		if n > 0 && !bc.consume(buf[:n]) {
			break
		}
		if err != nil {
			bc.viewer.Close(1001, "going away")
			break
		}
	}
	<-bc.viewer.Done()
}

// baseContext is the server's lifetime; websocket handlers outlive their
// request's context.
func (s *handlers) baseContext() context.Context {
	if s.deps.Context != nil {
		return s.deps.Context
	}
	return context.Background()
}
