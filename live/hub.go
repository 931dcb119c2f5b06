package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
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

// TryWriter is implemented by a Conn that can try a write without
// blocking: the fan-out then writes each frame straight to the socket
// (one syscall, no goroutine woken), and a viewer's writer goroutine
// starts only when its socket is full. The hub never calls these
// concurrently with each other or with WriteFrame, Ping and Close.
type TryWriter interface {
	// TryWriteFrame writes f if the socket takes it without waiting and
	// reports whether it took all of it. When it took only part, or none,
	// the conn keeps the rest, and the next call is Flush; it never blocks.
	TryWriteFrame(f Frame) (bool, error)
	// Flush writes what TryWriteFrame left, with the write deadline.
	Flush() error
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
	// PingInterval is how often each connection is pinged (by Start's
	// pinger, in pingRounds rounds spread over the interval).
	PingInterval time.Duration
	// Shards splits each topic's viewers into lists with their own lock
	// (default 128), which GOMAXPROCS workers take in turn during a
	// fan-out: many small lists rather than one per core, so that a worker
	// whose thread the system pauses (a loaded machine) delays only the
	// few viewers of the list in hand while the others take the rest.
	Shards int
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
	mu     sync.Mutex // orders joins and deliveries; held across a fan-out
	epoch  string
	head   uint64
	recent []recentEvent // ascending offsets, at most opts.Recent
	snap   *cachedSnapshot
	next   uint32 // joins so far: picks a viewer's shard and ping round

	// shards hold the viewers, each list under its own lock, so that a
	// fan-out runs on every core and a viewer leaving takes one shard's
	// lock, not the topic's.
	shards  []shard
	viewers atomic.Int64
}

type shard struct {
	mu      sync.Mutex
	clients map[*client]struct{}
	_       [40]byte // keep shards' locks on separate cache lines
}

// remove takes c out of s (s.mu held) and counts it.
func (t *topic) removeLocked(s *shard, c *client) {
	if _, ok := s.clients[c]; ok {
		delete(s.clients, c)
		t.viewers.Add(-1)
	}
}

// pingRounds is how many rounds the pinger spreads each PingInterval
// over: a tenth of the viewers at a time, not all at once.
const pingRounds = 10

// parallelFrom is the topic size from which a fan-out runs its shards in
// parallel; below it one goroutine is quicker.
const parallelFrom = 256

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
	if opts.Shards <= 0 {
		opts.Shards = 128
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
	go h.pingLoop(ctx)
}

// pingLoop pings every viewer once per PingInterval, a round of them at a
// time; a viewer with frames waiting is skipped (see client.ping).
func (h *Hub) pingLoop(ctx context.Context) {
	tick := time.NewTicker(h.opts.PingInterval / pingRounds)
	defer tick.Stop()
	for round := uint32(0); ; round = (round + 1) % pingRounds {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for _, t := range h.allTopics() {
			for i := range t.shards {
				s := &t.shards[i]
				s.mu.Lock()
				for c := range s.clients {
					if c.slot == round {
						c.ping()
					}
				}
				s.mu.Unlock()
			}
		}
	}
}

func (h *Hub) allTopics() []*topic {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*topic, 0, len(h.topics))
	for _, t := range h.topics {
		out = append(out, t)
	}
	return out
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
		t = &topic{shards: make([]shard, h.opts.Shards)}
		for i := range t.shards {
			t.shards[i].clients = map[*client]struct{}{}
		}
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

// offerLocked queues a frame for every viewer of t (or writes it at once),
// its shards taken in turn by up to GOMAXPROCS workers; it returns once
// every viewer has it, so frames reach each viewer in the order of the
// topic. Viewers whose queue is full are cut off and leave the topic at
// once (their writer closes the connection once its pending write returns
// or hits its deadline).
func (h *Hub) offerLocked(t *topic, frame Frame) {
	workers := min(runtime.GOMAXPROCS(0), len(t.shards))
	if workers == 1 || t.viewers.Load() < parallelFrom {
		for i := range t.shards {
			h.offerShard(t, &t.shards[i], frame)
		}
		return
	}
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= len(t.shards) {
				return
			}
			h.offerShard(t, &t.shards[i], frame)
		}
	}
	var wg sync.WaitGroup
	for range workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

func (h *Hub) offerShard(t *topic, s *shard, frame Frame) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		switch c.offer(frame) {
		case offered:
		case offerFull:
			h.count.queueDrops.Add(1)
			h.count.slowCuts.Add(1)
			t.removeLocked(s, c)
		default: // already closing
			h.count.queueDrops.Add(1)
			t.removeLocked(s, c)
		}
	}
}

// resetLocked forgets local history: every viewer must take a new
// snapshot, so they are disconnected with a restart code and reconnect.
func (h *Hub) resetLocked(t *topic, epoch string, head uint64) {
	t.epoch, t.head, t.recent, t.snap = epoch, head, nil, nil
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		for c := range s.clients {
			c.kill(CloseServiceRestart, "history reset: reconnect")
			t.removeLocked(s, c)
		}
		s.mu.Unlock()
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

// Viewer is a connection that Join registered. The hub writes to it (a
// goroutine exists only while frames wait) and closes it exactly once;
// the caller, which reads the connection, tells it when the peer is gone.
type Viewer struct {
	c *client
}

// Close asks the hub to close the viewer's connection with code (the peer
// sent a close frame, stopped answering pings, or broke the protocol); a
// viewer already being closed keeps its first code.
func (v *Viewer) Close(code int, reason string) { v.c.kill(code, reason) }

// Done is closed once the hub has closed the connection and the viewer
// has left its topic.
func (v *Viewer) Done() <-chan struct{} { return v.c.done }

// Join registers conn as a viewer of topicName and returns at once; the
// hub then writes to it until it is closed (Viewer.Close, a slow viewer
// cut off, a failed write, Shutdown). A client that presents epoch and
// offset (from a previous connection) is caught up from history when
// possible, otherwise it starts from a snapshot. ctx bounds the join
// (broker and snapshot queries) only. On an error conn has been closed.
func (h *Hub) Join(ctx context.Context, conn Conn, topicName, epoch string, offset uint64, hasOffset bool) (*Viewer, error) {
	if h.closed.Load() {
		conn.Close(CloseServiceRestart, "restarting")
		return nil, ErrClosed
	}
	if h.testHookServe != nil {
		h.testHookServe()
	}
	c := newClient(conn, h.opts.QueueSize, &h.count)
	if err := h.subscribe(ctx, c, topicName, epoch, offset, hasOffset); err != nil {
		conn.Close(1011, "could not load the board")
		return nil, err
	}
	return &Viewer{c: c}, nil
}

// Serve is Join, then waits until the connection is closed; when ctx ends
// first the viewer is closed with 1001 (going away).
func (h *Hub) Serve(ctx context.Context, conn Conn, topicName, epoch string, offset uint64, hasOffset bool) error {
	v, err := h.Join(ctx, conn, topicName, epoch, offset, hasOffset)
	if err != nil {
		return err
	}
	select {
	case <-v.Done():
	case <-ctx.Done():
		v.Close(1001, "going away")
		<-v.Done()
	}
	return nil
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
	n := t.next
	t.next++
	s := &t.shards[n%uint32(len(t.shards))]
	c.slot = n % pingRounds
	c.mu.Lock()
	c.leave = func() {
		s.mu.Lock()
		t.removeLocked(s, c)
		s.mu.Unlock()
	}
	c.mu.Unlock()
	s.mu.Lock()
	select {
	case <-c.done: // closed already (its first write failed): not joined
	default:
		s.clients[c] = struct{}{}
		t.viewers.Add(1)
	}
	s.mu.Unlock()
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

// Viewers returns how many connections watch a topic.
func (h *Hub) Viewers(name string) int {
	return int(h.topic(name).viewers.Load())
}

// Shutdown closes every connection with 1012 (service restart) so that
// clients reconnect to another instance or after the restart; Serve calls
// return. New connections are refused.
func (h *Hub) Shutdown() {
	h.closed.Store(true)
	for _, t := range h.allTopics() {
		t.mu.Lock()
		for i := range t.shards {
			s := &t.shards[i]
			s.mu.Lock()
			for c := range s.clients {
				c.kill(CloseServiceRestart, "server restarting")
			}
			s.mu.Unlock()
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
		if t.viewers.Load() > 0 {
			out = append(out, name)
		}
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
