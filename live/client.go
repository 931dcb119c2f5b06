package live

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// client is one viewer: a bounded queue filled by the hub and drained by
// exactly one writer goroutine (the one running writeLoop).
//
// The queue is a slice that exists only while frames wait: an idle viewer
// holds no queue memory (a buffered channel of QueueSize frames would cost
// every viewer 4 KiB whether or not anything is pending; see TRAPS.md's
// 20 KB budget per viewer).
type client struct {
	conn  Conn
	limit int // frames queued and not yet written before the viewer is cut off
	count *counters

	mu      sync.Mutex
	pending []Frame // queued, not yet taken by the writer
	queued  int     // pending plus the frames the writer holds, not yet written
	spare   []Frame // the writer's emptied batch, reused while small
	wake    chan struct{}

	once   sync.Once
	dead   chan struct{}
	code   int
	reason string
}

// spareCap is the largest emptied batch kept for reuse per viewer.
const spareCap = 4

func newClient(conn Conn, size int, count *counters) *client {
	return &client{conn: conn, limit: size, count: count, wake: make(chan struct{}, 1), dead: make(chan struct{})}
}

// offerResult says what became of an offered frame.
type offerResult int

const (
	offered     offerResult = iota
	offerFull               // the queue was full: the viewer is cut off
	offerClosed             // the viewer is already being closed
)

// offer queues a frame without blocking; a full queue means the viewer
// does not keep up, and it is cut off rather than slowing everyone.
func (c *client) offer(f Frame) offerResult {
	select {
	case <-c.dead:
		return offerClosed
	default:
	}
	c.mu.Lock()
	if c.queued >= c.limit {
		c.mu.Unlock()
		c.kill(CloseSlowConsumer, "too slow: reconnect")
		return offerFull
	}
	c.push(f)
	c.mu.Unlock()
	c.signal()
	return offered
}

// writeFailed ends the viewer after a failed write; a write that hit its
// deadline is a viewer too slow to keep up (counted once: not when it was
// already cut off for a full queue and this was its stuck write).
func (c *client) writeFailed(err error) {
	var ne net.Error
	if c.kill(1006, "write failed") && errors.As(err, &ne) && ne.Timeout() && c.count != nil {
		c.count.slowCuts.Add(1)
	}
}

// push appends under c.mu.
func (c *client) push(f Frame) {
	if c.pending == nil && c.spare != nil {
		c.pending, c.spare = c.spare, nil
	}
	c.pending = append(c.pending, f)
	c.queued++
}

func (c *client) signal() {
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// enqueueInitial queues the first message and the catch-up frames; they
// must all fit, or the client starts from a snapshot on its next try.
func (c *client) enqueueInitial(f Frame, frames []Frame) {
	c.mu.Lock()
	if len(frames)+1 > c.limit {
		// Too far behind for the queue: allow this client's catch-up
		// burst once, with the usual room after it.
		c.limit += len(frames)
	}
	c.push(f)
	for _, fr := range frames {
		c.push(fr)
	}
	c.mu.Unlock()
	c.signal()
}

// kill marks the viewer for closing with code; it reports whether this
// call did (the first one decides the code).
func (c *client) kill(code int, reason string) (first bool) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.dead)
		first = true
	})
	return first
}

// take hands the writer every pending frame.
func (c *client) take() []Frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	batch := c.pending
	c.pending = nil
	return batch
}

// written marks a batch as written and keeps a small one for reuse.
func (c *client) written(batch []Frame) {
	clear(batch) // drop the frames: they may be large
	c.mu.Lock()
	c.queued -= len(batch)
	if cap(batch) <= spareCap && c.spare == nil {
		c.spare = batch[:0]
	}
	c.mu.Unlock()
}

// writeLoop writes queued frames and pings until the client is killed, a
// write fails or ctx ends; it closes the connection exactly once.
func (c *client) writeLoop(ctx context.Context, pingEvery time.Duration) error {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	defer func() {
		c.kill(1000, "")
		c.conn.Close(c.code, c.reason)
	}()
	for {
		if batch := c.take(); len(batch) > 0 {
			for i, f := range batch {
				select {
				case <-c.dead:
					return nil
				case <-ctx.Done():
					c.kill(1001, "going away")
					return nil
				default:
				}
				if err := c.conn.WriteFrame(f); err != nil {
					c.writeFailed(err)
					return err
				}
				batch[i] = nil
			}
			c.written(batch)
			continue
		}
		select {
		case <-c.wake:
		case <-ping.C:
			if err := c.conn.Ping(); err != nil {
				c.writeFailed(err)
				return err
			}
		case <-c.dead:
			return nil
		case <-ctx.Done():
			c.kill(1001, "going away")
			return nil
		}
	}
}
