package live

import (
	"context"
	"sync"
	"time"
)

// client is one viewer: a bounded queue filled by the hub and drained by
// exactly one writer goroutine (the one running writeLoop).
type client struct {
	conn  Conn
	queue chan Frame

	once   sync.Once
	dead   chan struct{}
	code   int
	reason string
}

func newClient(conn Conn, size int) *client {
	return &client{conn: conn, queue: make(chan Frame, size), dead: make(chan struct{})}
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
	select {
	case c.queue <- f:
		return true
	default:
		c.kill(CloseSlowConsumer, "too slow: reconnect")
		return false
	}
}

// enqueueInitial queues the first message and the catch-up frames; they
// must all fit, or the client starts from a snapshot on its next try.
func (c *client) enqueueInitial(prepare func([]byte) (Frame, error), first []byte, frames []Frame) error {
	f, err := prepare(first)
	if err != nil {
		return err
	}
	if len(frames)+1 > cap(c.queue) {
		// Too far behind for the queue: grow this client's queue once
		// for the catch-up burst.
		c.queue = make(chan Frame, len(frames)+cap(c.queue))
	}
	c.queue <- f
	for _, fr := range frames {
		c.queue <- fr
	}
	return nil
}

func (c *client) kill(code int, reason string) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.dead)
	})
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
		select {
		case f := <-c.queue:
			if err := c.conn.WriteFrame(f); err != nil {
				c.kill(1006, "write failed")
				return err
			}
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
