package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Frame is a message prepared once for every connection (for a websocket
// library, its prepared-message type). The hub never looks inside.
type Frame any

// Conn is what the hub needs of one viewer's connection. The server's
// websocket adapter implements it; tests use plain structs.
type Conn interface {
	// WriteFrame writes one prepared message; the adapter applies its
	// write deadline.
	WriteFrame(f Frame) error
	// Ping sends a keep-alive.
	Ping() error
	// Close closes the connection with a close code and reason; it is
	// called exactly once.
	Close(code int, reason string)
}

// Close codes the hub uses.
const (
	// CloseGoingAway: the hub is shutting down for a restart (1012,
	// service restart): clients reconnect and recover.
	CloseServiceRestart = 1012
	// CloseSlowConsumer: the client did not keep up with the board.
	CloseSlowConsumer = 1008
)

// Snapshotter returns a topic's whole public state. It is called under the
// topic's lock, and the events that follow the snapshot's offset are then
// delivered, so events must be self-contained state updates that are safe to
// apply to a state that already contains them.
type Snapshotter func(ctx context.Context, topic string) (json.RawMessage, error)

// Options tune a Hub.
type Options struct {
	// Prepare serialises a message once per broadcast into a Frame.
	Prepare func(data []byte) (Frame, error)
	// QueueSize bounds each connection's pending frames; a client whose
	// queue is full is cut off as a slow consumer.
	QueueSize int
	// PingInterval is how often idle connections are pinged.
	PingInterval time.Duration
	// Recent is how many prepared events each topic keeps in memory for
	// fast recovery; older ones come from the broker.
	Recent int
	// SnapshotTTL is how long viewers joining at the same head share one
	// snapshot (default 200 ms; negative: never). The state's server time
	// is then up to this old.
	SnapshotTTL time.Duration
	// PerAddress caps the connections one client address may hold (a
	// venue behind one NAT shares an address); 0: no cap. See Admit.
	PerAddress int
	// MaxViewers caps the connections of this instance, below its limit
	// on open files; 0: no cap.
	MaxViewers int
	Log        *slog.Logger
}

// Hub fans events out to the viewers of each topic (a live event's board).
type Hub struct {
	broker   Broker
	snapshot Snapshotter
	opts     Options

	mu     sync.Mutex
	topics map[string]*topic
	// closed is set once by Shutdown, before it closes the viewers it
	// finds; a viewer that subscribes later sees it under its topic's lock
	// and closes itself (see subscribe).
	closed atomic.Bool
	// testHookServe, when set (tests only), runs in Serve between the
	// closed check and the subscription: the window a Shutdown once slipped
	// into, leaving the viewer open and never told 1012.
	testHookServe func()

	admit admission
	count counters
}

type topic struct {
	mu      sync.Mutex
	epoch   string
	head    uint64
	recent  []recentEvent // ascending offsets, at most opts.Recent
	clients map[*client]struct{}
	snap    *cachedSnapshot
}

// cachedSnapshot is a prepared snapshot message that viewers joining at
// the same head share for a moment: a hall of screens connecting at once
// (or reconnecting after a history reset) costs one board query per
// SnapshotTTL instead of one per viewer, and one prepared frame instead
// of one per viewer. A broadcast outside the history (a tally) or a new
// event invalidates it.
type cachedSnapshot struct {
	epoch string
	head  uint64
	at    time.Time
	frame Frame
}

type recentEvent struct {
	offset uint64
	frame  Frame
}

// NewHub builds a hub over broker. Run must be running for events to flow.
func NewHub(broker Broker, snapshot Snapshotter, opts Options) *Hub {
	if opts.QueueSize <= 0 {
		opts.QueueSize = 256
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = 25 * time.Second
	}
	if opts.Recent <= 0 {
		opts.Recent = 512
	}
	if opts.SnapshotTTL == 0 {
		opts.SnapshotTTL = 200 * time.Millisecond
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Prepare == nil {
		opts.Prepare = func(b []byte) (Frame, error) { return b, nil }
	}
	return &Hub{broker: broker, snapshot: snapshot, opts: opts, topics: map[string]*topic{},
		admit: admission{perAddress: max(opts.PerAddress, 0), total: max(opts.MaxViewers, 0), byAddr: map[string]int{}}}
}

// Start begins delivering the broker's events to viewers until ctx ends.
// It subscribes to the broker before returning, so an event published
// after Start returns is never missed.
func (h *Hub) Start(ctx context.Context) {
	events := h.broker.Listen(ctx)
	go func() {
		for ev := range events {
			h.dispatch(ctx, ev)
		}
	}()
}

// Publish appends an event to a topic's log; every hub listening on the
// broker (on every instance) then delivers it.
func (h *Hub) Publish(ctx context.Context, topicName string, payload json.RawMessage) (Event, error) {
	return h.broker.Publish(ctx, topicName, payload)
}

// eventMessage is the wire form of an event.
type eventMessage struct {
	Type   string          `json:"type"`
	Epoch  string          `json:"epoch"`
	Offset uint64          `json:"offset"`
	Event  json.RawMessage `json:"event"`
}

func (h *Hub) topic(name string) *topic {
	h.mu.Lock()
	defer h.mu.Unlock()
	t, ok := h.topics[name]
	if !ok {
		t = &topic{clients: map[*client]struct{}{}}
		h.topics[name] = t
	}
	return t
}

// dispatch serialises an event once and queues it for every viewer of its
// topic. Events at or below the topic's head (already delivered, e.g.
// fetched during a subscription) are skipped; a gap makes viewers resync.
func (h *Hub) dispatch(ctx context.Context, ev Event) {
	t := h.topic(ev.Topic)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.epoch == ev.Epoch && ev.Offset <= t.head {
		return
	}
	if t.epoch != "" && (t.epoch != ev.Epoch || ev.Offset != t.head+1) {
		// History changed under us or we missed events: fill the gap from
		// the broker when possible.
		if missed, ok, err := h.broker.Since(ctx, ev.Topic, t.epoch, t.head); err == nil && ok && t.epoch == ev.Epoch {
			for _, m := range missed {
				if m.Offset < ev.Offset {
					h.deliverLocked(t, m)
				}
			}
		} else {
			h.resetLocked(t, ev.Epoch, ev.Offset-1)
		}
	}
	h.deliverLocked(t, ev)
}

func (h *Hub) deliverLocked(t *topic, ev Event) {
	data, err := json.Marshal(eventMessage{Type: "event", Epoch: ev.Epoch, Offset: ev.Offset, Event: ev.Payload})
	if err != nil {
		h.opts.Log.Error("live: encode event", slog.Any("error", err))
		return
	}
	frame, err := h.opts.Prepare(data)
	if err != nil {
		h.opts.Log.Error("live: prepare event", slog.Any("error", err))
		return
	}
	t.epoch, t.head, t.snap = ev.Epoch, ev.Offset, nil
	t.recent = append(t.recent, recentEvent{offset: ev.Offset, frame: frame})
	if len(t.recent) > h.opts.Recent {
		t.recent = append(t.recent[:0], t.recent[len(t.recent)-h.opts.Recent:]...)
	}
	h.offerLocked(t, frame)
}

// offerLocked queues a frame for every viewer of t; viewers whose queue is
// full are cut off and leave the topic at once (their writer closes the
// connection once its pending write returns or hits its deadline).
func (h *Hub) offerLocked(t *topic, frame Frame) {
	for c := range t.clients {
		switch c.offer(frame) {
		case offered:
		case offerFull:
			h.count.queueDrops.Add(1)
			h.count.slowCuts.Add(1)
			delete(t.clients, c)
		default: // already closing
			h.count.queueDrops.Add(1)
			delete(t.clients, c)
		}
	}
}

// resetLocked forgets local history: every viewer must take a new
// snapshot, so they are disconnected with a restart code and reconnect.
func (h *Hub) resetLocked(t *topic, epoch string, head uint64) {
	t.epoch, t.head, t.recent, t.snap = epoch, head, nil, nil
	for c := range t.clients {
		c.kill(CloseServiceRestart, "history reset: reconnect")
		delete(t.clients, c)
	}
}

// Broadcast sends a self-contained message outside the history (e.g. vote
// tallies): the next one or a snapshot carries the whole state.
func (h *Hub) Broadcast(topicName string, data []byte) error {
	frame, err := h.opts.Prepare(data)
	if err != nil {
		return fmt.Errorf("live: prepare: %w", err)
	}
	t := h.topic(topicName)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.snap = nil // a snapshot taken before this message may lack it
	h.offerLocked(t, frame)
	return nil
}

// ErrClosed is returned by Serve once the hub has shut down.
var ErrClosed = errors.New("live: hub closed")

// Serve registers conn as a viewer of topicName and blocks, writing to it,
// until the connection ends. A client that presents epoch and offset (from
// a previous connection) is caught up from history when possible,
// otherwise it starts from a snapshot. The caller runs the connection's
// read loop (pongs, close frames) and cancels ctx when it ends.
func (h *Hub) Serve(ctx context.Context, conn Conn, topicName, epoch string, offset uint64, hasOffset bool) error {
	if h.closed.Load() {
		conn.Close(CloseServiceRestart, "restarting")
		return ErrClosed
	}
	if h.testHookServe != nil {
		h.testHookServe()
	}
	c := newClient(conn, h.opts.QueueSize, &h.count)
	if err := h.subscribe(ctx, c, topicName, epoch, offset, hasOffset); err != nil {
		conn.Close(1011, "could not load the board")
		return err
	}
	defer h.unsubscribe(topicName, c)
	return c.writeLoop(ctx, h.opts.PingInterval)
}

func (h *Hub) subscribe(ctx context.Context, c *client, name, epoch string, offset uint64, hasOffset bool) error {
	t := h.topic(name)
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.epoch == "" {
		e, head, err := h.broker.Head(ctx, name)
		if err != nil {
			return fmt.Errorf("live: head of %s: %w", name, err)
		}
		t.epoch, t.head = e, head
	}
	if hasOffset && epoch == t.epoch && offset <= t.head {
		if frames, ok := h.catchUpLocked(ctx, t, name, offset); ok {
			msg, _ := json.Marshal(map[string]any{"type": "recovered", "epoch": t.epoch, "offset": offset})
			f, err := h.opts.Prepare(msg)
			if err != nil {
				return err
			}
			c.enqueueInitial(f, frames)
			h.joinLocked(t, c)
			return nil
		}
	}
	f, err := h.snapshotLocked(ctx, t, name)
	if err != nil {
		return err
	}
	c.enqueueInitial(f, nil)
	h.joinLocked(t, c)
	return nil
}

// joinLocked adds c to t's viewers (t.mu held). If Shutdown has begun it
// may already have passed this topic, so c is told 1012 at once: either
// Shutdown takes t.mu after this and closes c, or it set closed before
// this took t.mu and c closes itself — no viewer is left open.
func (h *Hub) joinLocked(t *topic, c *client) {
	t.clients[c] = struct{}{}
	if h.closed.Load() {
		c.kill(CloseServiceRestart, "server restarting")
	}
}

// snapshotLocked returns the prepared snapshot message at t's head: the
// cached one while it is fresh, else a new one.
func (h *Hub) snapshotLocked(ctx context.Context, t *topic, name string) (Frame, error) {
	now := time.Now()
	if s := t.snap; s != nil && s.epoch == t.epoch && s.head == t.head && now.Sub(s.at) < h.opts.SnapshotTTL {
		return s.frame, nil
	}
	state, err := h.snapshot(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("live: snapshot of %s: %w", name, err)
	}
	msg, err := json.Marshal(map[string]any{"type": "snapshot", "epoch": t.epoch, "offset": t.head, "state": state})
	if err != nil {
		return nil, err
	}
	f, err := h.opts.Prepare(msg)
	if err != nil {
		return nil, err
	}
	if h.opts.SnapshotTTL > 0 {
		t.snap = &cachedSnapshot{epoch: t.epoch, head: t.head, at: now, frame: f}
	}
	return f, nil
}

// catchUpLocked returns the prepared frames after offset: from the recent
// ring when it covers them, else from the broker.
func (h *Hub) catchUpLocked(ctx context.Context, t *topic, name string, offset uint64) ([]Frame, bool) {
	if offset == t.head {
		return nil, true
	}
	if len(t.recent) > 0 && t.recent[0].offset <= offset+1 {
		start := int(offset + 1 - t.recent[0].offset)
		frames := make([]Frame, 0, len(t.recent)-start)
		for _, r := range t.recent[start:] {
			frames = append(frames, r.frame)
		}
		return frames, true
	}
	events, ok, err := h.broker.Since(ctx, name, t.epoch, offset)
	if err != nil || !ok {
		return nil, false
	}
	var frames []Frame
	for _, ev := range events {
		if ev.Offset > t.head {
			break // not yet dispatched here: it will arrive as an event
		}
		data, err := json.Marshal(eventMessage{Type: "event", Epoch: ev.Epoch, Offset: ev.Offset, Event: ev.Payload})
		if err != nil {
			return nil, false
		}
		f, err := h.opts.Prepare(data)
		if err != nil {
			return nil, false
		}
		frames = append(frames, f)
	}
	if uint64(len(frames)) != t.head-offset {
		return nil, false
	}
	h.extendRecentLocked(t, offset, frames)
	return frames, true
}

// extendRecentLocked puts the frames after offset (up to t's head), just
// fetched from the broker, in front of the recent ring, so that the next
// viewer presenting an offset this far back is served from memory: after
// a restart the ring is empty, and a hall of screens that missed events
// would otherwise each query the database under the topic's lock.
func (h *Hub) extendRecentLocked(t *topic, offset uint64, frames []Frame) {
	first := t.head + 1 // the ring's first offset (head+1: empty)
	if len(t.recent) > 0 {
		first = t.recent[0].offset
	}
	if first <= offset+1 {
		return // the ring already covers them
	}
	older := make([]recentEvent, 0, int(first-offset-1)+len(t.recent))
	for i, f := range frames {
		o := offset + 1 + uint64(i)
		if o >= first {
			break
		}
		older = append(older, recentEvent{offset: o, frame: f})
	}
	ring := append(older, t.recent...)
	if len(ring) > h.opts.Recent {
		ring = ring[len(ring)-h.opts.Recent:]
	}
	t.recent = ring
}

func (h *Hub) unsubscribe(name string, c *client) {
	t := h.topic(name)
	t.mu.Lock()
	delete(t.clients, c)
	t.mu.Unlock()
}

// Viewers returns how many connections watch a topic.
func (h *Hub) Viewers(name string) int {
	t := h.topic(name)
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.clients)
}

// Shutdown closes every connection with 1012 (service restart) so that
// clients reconnect to another instance or after the restart; Serve calls
// return. New connections are refused.
func (h *Hub) Shutdown() {
	h.closed.Store(true)
	h.mu.Lock()
	topics := make([]*topic, 0, len(h.topics))
	for _, t := range h.topics {
		topics = append(topics, t)
	}
	h.mu.Unlock()
	for _, t := range topics {
		t.mu.Lock()
		for c := range t.clients {
			c.kill(CloseServiceRestart, "server restarting")
		}
		t.mu.Unlock()
	}
}

// ParseOffset reads the offset query parameter of a reconnecting client.
func ParseOffset(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// Topics lists the topics that have viewers on this instance.
func (h *Hub) Topics() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for name, t := range h.topics {
		t.mu.Lock()
		if len(t.clients) > 0 {
			out = append(out, name)
		}
		t.mu.Unlock()
	}
	return out
}

// RunSideband broadcasts frequent, self-contained updates outside the
// history (vote tallies) at most once per interval per topic: every
// interval, for each topic with local viewers, it asks update for the
// topic's message and broadcasts it when it differs from the last one sent.
// Every instance runs its own, so viewers on every instance get them.
//
// The next round starts `every` after the previous one ended (a timer, not
// a ticker): a round delayed by a slow update is not followed by a quick
// one, so a topic's broadcasts are at least about `every` apart (≤ 4 Hz
// for 250 ms) even under load.
func (h *Hub) RunSideband(ctx context.Context, every time.Duration, update func(ctx context.Context, topic string) ([]byte, error)) {
	tick := time.NewTimer(every)
	defer tick.Stop()
	last := map[string]string{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		seen := map[string]bool{}
		for _, name := range h.Topics() {
			seen[name] = true
			msg, err := update(ctx, name)
			if err != nil {
				if ctx.Err() == nil {
					h.opts.Log.Warn("live: sideband update failed", slog.String("topic", name), slog.Any("error", err))
				}
				continue
			}
			if msg == nil || last[name] == string(msg) {
				continue
			}
			if err := h.Broadcast(name, msg); err == nil {
				last[name] = string(msg)
			}
		}
		for name := range last {
			if !seen[name] {
				delete(last, name) // a viewer who comes back gets the next one
			}
		}
		tick.Reset(every)
	}
}
