package live

import (
	"context"
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

func newClient(conn Conn, size int) *client {
	return &client{conn: conn, limit: size, wake: make(chan struct{}, 1), dead: make(chan struct{})}
}

// offer queues a frame without blocking and reports whether the viewer is
// still served; a full queue means the viewer does not keep up, and it is
// cut off rather than slowing everyone.
func (c *client) offer(f Frame) bool {
	select {
	case <-c.dead:
		return false
	default:
	}
	c.mu.Lock()
	if c.queued >= c.limit {
		c.mu.Unlock()
		c.kill(CloseSlowConsumer, "too slow: reconnect")
		return false
	}
	c.push(f)
	c.mu.Unlock()
	c.signal()
	return true
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

func (c *client) kill(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.dead)
	})
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
					c.kill(1006, "write failed")
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
				c.kill(1006, "ping failed")
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
