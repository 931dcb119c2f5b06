package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"leitai/models"
)

// liveChannel is the NOTIFY channel that wakes every instance's broker.
const liveChannel = "leitai_live"

type liveTopicRow struct {
	Topic string `gorm:"primaryKey"`
	Epoch string
	Head  uint64
}

func (liveTopicRow) TableName() string { return "live_topics" }

type liveEventRow struct {
	Topic    string `gorm:"primaryKey"`
	OffsetNo uint64 `gorm:"primaryKey;column:offset_no"`
	Payload  string
	At       time.Time
}

func (liveEventRow) TableName() string { return "live_events" }

func (r liveEventRow) event(epoch string) models.LiveEvent {
	return models.LiveEvent{Topic: r.Topic, Epoch: epoch, Offset: r.OffsetNo, Payload: json.RawMessage(r.Payload), At: r.At.UTC()}
}

// LiveBroker is the live boards' event log in the database: the same
// history on every instance, surviving restarts. On PostgreSQL, NOTIFY on a
// dedicated connection wakes every instance at once and polling catches up
// after a lost connection; on SQLite (one instance) publishes wake the
// local listeners directly. It satisfies live.Broker.
type LiveBroker struct {
	db        *DB
	log       *slog.Logger
	retention time.Duration
	keep      uint64
	poll      time.Duration

	mu    sync.Mutex
	wakes []chan struct{}
}

// LiveBrokerOptions tune a LiveBroker.
type LiveBrokerOptions struct {
	// KeepEvents and KeepFor: history keeps at least this many events or
	// this much time, whichever is more (defaults 300 and 10 minutes).
	KeepEvents uint64
	KeepFor    time.Duration
	// Poll is the fallback polling interval (default 1 s).
	Poll time.Duration
	Log  *slog.Logger
}

// NewLiveBroker returns the database-backed broker.
func (db *DB) NewLiveBroker(o LiveBrokerOptions) *LiveBroker {
	if o.KeepEvents == 0 {
		o.KeepEvents = 300
	}
	if o.KeepFor == 0 {
		o.KeepFor = 10 * time.Minute
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	return &LiveBroker{db: db, log: o.Log, retention: o.KeepFor, keep: o.KeepEvents, poll: o.Poll}
}

// ensureTopic creates the topic's row with a new epoch if it is missing.
func ensureTopic(tx *gorm.DB, topic string) error {
	return tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&liveTopicRow{Topic: topic, Epoch: models.NewEpoch()}).Error
}

// Publish implements live.Broker: one transaction appends the event under
// the topic row's lock (so offsets commit in order) and notifies.
func (b *LiveBroker) Publish(ctx context.Context, topic string, payload json.RawMessage) (models.LiveEvent, error) {
	var ev models.LiveEvent
	err := b.db.tx(ctx, func(tx *gorm.DB) error {
		var err error
		ev, err = b.db.appendLiveEvent(tx, topic, payload, b.db.now())
		return err
	})
	if err != nil {
		return models.LiveEvent{}, fmt.Errorf("live publish: %w", err)
	}
	b.wakeLocal()
	return ev, nil
}

// appendLiveEvent writes an event inside the caller's transaction, so a
// change and its event commit together (the outbox). Callers wake the
// local listeners after commit through the broker.
func (db *DB) appendLiveEvent(tx *gorm.DB, topic string, payload json.RawMessage, now time.Time) (models.LiveEvent, error) {
	if err := ensureTopic(tx, topic); err != nil {
		return models.LiveEvent{}, err
	}
	if err := tx.Exec("UPDATE live_topics SET head = head + 1 WHERE topic = ?", topic).Error; err != nil {
		return models.LiveEvent{}, err
	}
	var t liveTopicRow
	if err := tx.Where("topic = ?", topic).Take(&t).Error; err != nil {
		return models.LiveEvent{}, err
	}
	row := liveEventRow{Topic: topic, OffsetNo: t.Head, Payload: string(payload), At: now}
	if err := tx.Create(&row).Error; err != nil {
		return models.LiveEvent{}, err
	}
	if t.Head%50 == 0 {
		// Trim what is both beyond the kept count and older than the kept
		// time; 50 at a time keeps the cost off most publishes.
		cutoff := now.Add(-10 * time.Minute)
		if err := tx.Where("topic = ? AND offset_no <= ? AND at < ?", topic, int64(t.Head)-300, cutoff).Delete(&liveEventRow{}).Error; err != nil {
			return models.LiveEvent{}, err
		}
	}
	if db.dialect == Postgres {
		if err := tx.Exec("SELECT pg_notify(?, ?)", liveChannel, topic).Error; err != nil {
			return models.LiveEvent{}, err
		}
	}
	return row.event(t.Epoch), nil
}

// Head implements live.Broker; a topic gets its epoch on first use, and
// keeps it across restarts.
func (b *LiveBroker) Head(ctx context.Context, topic string) (string, uint64, error) {
	var t liveTopicRow
	err := b.db.tx(ctx, func(tx *gorm.DB) error {
		if err := ensureTopic(tx, topic); err != nil {
			return err
		}
		return tx.Where("topic = ?", topic).Take(&t).Error
	})
	if err != nil {
		return "", 0, fmt.Errorf("live head: %w", err)
	}
	return t.Epoch, t.Head, nil
}

// Since implements live.Broker.
func (b *LiveBroker) Since(ctx context.Context, topic, epoch string, offset uint64) ([]models.LiveEvent, bool, error) {
	g := b.db.gorm.WithContext(ctx)
	var t liveTopicRow
	if err := g.Where("topic = ?", topic).Take(&t).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, false, nil
		}
		return nil, false, mapError(err)
	}
	if t.Epoch != epoch || offset > t.Head {
		return nil, false, nil
	}
	if offset == t.Head {
		return nil, true, nil
	}
	var rows []liveEventRow
	if err := g.Where("topic = ? AND offset_no > ? AND offset_no <= ?", topic, offset, t.Head).Order("offset_no").Find(&rows).Error; err != nil {
		return nil, false, mapError(err)
	}
	if uint64(len(rows)) != t.Head-offset || rows[0].OffsetNo != offset+1 {
		return nil, false, nil // the start has been trimmed away
	}
	out := make([]models.LiveEvent, len(rows))
	for i, r := range rows {
		out[i] = r.event(t.Epoch)
	}
	return out, true, nil
}

func (b *LiveBroker) wakeLocal() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, w := range b.wakes {
		select {
		case w <- struct{}{}:
		default: // a wake-up is already pending; it reads every topic's news
		}
	}
}

// Listen implements live.Broker: it delivers, in offset order per topic,
// every event appended after Listen started, woken by NOTIFY (PostgreSQL),
// local publishes and a polling fallback.
func (b *LiveBroker) Listen(ctx context.Context) <-chan models.LiveEvent {
	out := make(chan models.LiveEvent, 1024)
	wake := make(chan struct{}, 1)
	b.mu.Lock()
	b.wakes = append(b.wakes, wake)
	b.mu.Unlock()
	heads := map[string]uint64{}
	// Start from the current heads: history before Listen is served by Since.
	var topics []liveTopicRow
	if err := b.db.gorm.WithContext(ctx).Find(&topics).Error; err == nil {
		for _, t := range topics {
			heads[t.Topic] = t.Head
		}
	}
	if b.db.dialect == Postgres && b.db.url != "" {
		go b.notifyLoop(ctx, wake)
	}
	go func() {
		defer close(out)
		tick := time.NewTicker(b.poll)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			case <-tick.C:
			}
			if err := b.deliverNew(ctx, heads, out); err != nil && ctx.Err() == nil {
				b.log.Warn("live broker: catching up failed; retrying", slog.Any("error", err))
				time.AfterFunc(200*time.Millisecond, func() {
					select {
					case wake <- struct{}{}:
					default:
					}
				})
			}
		}
	}()
	return out
}

// deliverNew sends every event past the known heads.
func (b *LiveBroker) deliverNew(ctx context.Context, heads map[string]uint64, out chan<- models.LiveEvent) error {
	g := b.db.gorm.WithContext(ctx)
	var topics []liveTopicRow
	if err := g.Find(&topics).Error; err != nil {
		return mapError(err)
	}
	for _, t := range topics {
		known, seen := heads[t.Topic]
		if seen && t.Head <= known {
			continue
		}
		var rows []liveEventRow
		if err := g.Where("topic = ? AND offset_no > ? AND offset_no <= ?", t.Topic, known, t.Head).Order("offset_no").Find(&rows).Error; err != nil {
			return mapError(err)
		}
		for _, r := range rows {
			select {
			case out <- r.event(t.Epoch):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		heads[t.Topic] = t.Head
	}
	return nil
}

// notifyLoop holds one dedicated connection (outside GORM's pool, which
// would recycle it and lose the LISTEN) and wakes the listener on every
// NOTIFY; after a reconnect it LISTENs again and wakes once to catch up.
func (b *LiveBroker) notifyLoop(ctx context.Context, wake chan<- struct{}) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, b.db.url)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+liveChannel)
		}
		if err == nil {
			backoff = 100 * time.Millisecond
			select {
			case wake <- struct{}{}:
			default:
			}
			for err == nil {
				if _, err = conn.WaitForNotification(ctx); err == nil {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			}
		}
		if conn != nil {
			_ = conn.Close(context.Background())
		}
		if ctx.Err() != nil {
			return
		}
		b.log.Warn("live broker: LISTEN connection lost; reconnecting", slog.Any("error", err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
}
