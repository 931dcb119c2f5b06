package live

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"leitai/models"
)

// Event is one entry of a topic's persisted event log (see
// models.LiveEvent).
type Event = models.LiveEvent

// Broker is the event log behind the hub: it assigns offsets, keeps history
// and delivers every event (from any instance) to every hub. The in-process
// MemoryBroker serves one instance; storage provides the PostgreSQL broker
// for several.
type Broker interface {
	// Publish appends payload to the topic's log.
	Publish(ctx context.Context, topic string, payload json.RawMessage) (Event, error)
	// Since returns the events after offset in epoch, in order. ok is false
	// when the epoch differs or the offset has left the history: the
	// client then needs a snapshot.
	Since(ctx context.Context, topic, epoch string, offset uint64) (events []Event, ok bool, err error)
	// Head returns the topic's epoch and latest offset.
	Head(ctx context.Context, topic string) (epoch string, offset uint64, err error)
	// Listen delivers every published event, in offset order per topic,
	// until ctx ends.
	Listen(ctx context.Context) <-chan Event
}

// Retention is how much history a broker keeps per topic: at least
// MinEvents events or MinAge of them, whichever is more.
type Retention struct {
	MinEvents int
	MinAge    time.Duration
}

// DefaultRetention is the contract's minimum: 300 events or 10 minutes.
var DefaultRetention = Retention{MinEvents: 300, MinAge: 10 * time.Minute}

// MemoryBroker keeps the log in memory: the default for one instance. Its
// epoch lives as long as the process.
type MemoryBroker struct {
	retention Retention
	now       func() time.Time

	mu        sync.Mutex
	epoch     string
	logs      map[string][]Event
	heads     map[string]uint64
	listeners []chan Event
}

// NewMemoryBroker returns an empty in-process broker.
func NewMemoryBroker(r Retention) *MemoryBroker {
	return &MemoryBroker{retention: r, now: time.Now, epoch: models.NewEpoch(), logs: map[string][]Event{}, heads: map[string]uint64{}}
}

// Publish implements Broker.
func (b *MemoryBroker) Publish(_ context.Context, topic string, payload json.RawMessage) (Event, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.heads[topic]++
	ev := Event{Topic: topic, Epoch: b.epoch, Offset: b.heads[topic], Payload: payload, At: b.now()}
	log := append(b.logs[topic], ev)
	// Trim what is both beyond MinEvents and older than MinAge.
	cut := 0
	for cut < len(log)-b.retention.MinEvents && ev.At.Sub(log[cut].At) > b.retention.MinAge {
		cut++
	}
	b.logs[topic] = log[cut:]
	for _, l := range b.listeners {
		l <- ev // listeners are drained by their hub without blocking on clients
	}
	return ev, nil
}

// Since implements Broker.
func (b *MemoryBroker) Since(_ context.Context, topic, epoch string, offset uint64) ([]Event, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if epoch != b.epoch {
		return nil, false, nil
	}
	head := b.heads[topic]
	if offset >= head {
		return nil, offset == head, nil
	}
	log := b.logs[topic]
	if len(log) == 0 || log[0].Offset > offset+1 {
		return nil, false, nil
	}
	start := int(offset + 1 - log[0].Offset)
	return append([]Event(nil), log[start:]...), true, nil
}

// Head implements Broker.
func (b *MemoryBroker) Head(_ context.Context, topic string) (string, uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.epoch, b.heads[topic], nil
}

// Listen implements Broker. The channel is buffered generously; the hub
// drains it continuously.
func (b *MemoryBroker) Listen(ctx context.Context) <-chan Event {
	ch := make(chan Event, 4096)
	b.mu.Lock()
	b.listeners = append(b.listeners, ch)
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		defer b.mu.Unlock()
		for i, l := range b.listeners {
			if l == ch {
				b.listeners = append(b.listeners[:i], b.listeners[i+1:]...)
				break
			}
		}
		close(ch)
	}()
	return ch
}
