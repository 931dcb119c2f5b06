package live

import (
	"errors"
	"net"
	"sync"
)

// client is one viewer: a bounded queue filled by the hub and drained by
// a writer goroutine that exists only while frames wait (run). An idle
// viewer holds no goroutine and no queue memory: the server's reader
// notices its pongs and close frames without one (see server/livews.go),
// and the hub's pinger queues its keep-alives.
//
// When the connection can write without blocking (a TryWriter), the
// fan-out writes a frame straight to the socket, one syscall, and a
// writer starts only for what the socket did not take.
type client struct {
	conn  Conn
	try   TryWriter // conn as a TryWriter, or nil
	limit int       // frames queued and not yet written before the viewer is cut off
	count *counters
	slot  uint32 // which of the pinger's rounds pings this viewer

	mu        sync.Mutex
	pending   []Frame // queued, not yet taken by the writer
	queued    int     // pending plus the frames the writer holds, not yet written
	spare     []Frame // the writer's emptied batch, reused while small
	writing   bool    // a writer goroutine (run) is running
	unflushed bool    // the conn holds the rest of a frame TryWriteFrame began

	once   sync.Once
	dead   chan struct{} // closed by kill: the viewer is to be closed
	done   chan struct{} // closed once the connection is closed
	code   int
	reason string
	// leave removes the viewer from its topic once it is closed.
	leave func()
}

// spareCap is the largest emptied batch kept for reuse per viewer.
const spareCap = 4

// pingFrame in a queue stands for a keep-alive ping.
type pingFrame struct{}

func newClient(conn Conn, size int, count *counters) *client {
	c := &client{conn: conn, limit: size, count: count, dead: make(chan struct{}), done: make(chan struct{})}
	c.try, _ = conn.(TryWriter)
	return c
}

// offerResult says what became of an offered frame.
type offerResult int

const (
	offered     offerResult = iota
	offerFull               // the queue was full: the viewer is cut off
	offerClosed             // the viewer is already being closed
)

// offer queues a frame without blocking, or writes it at once when the
// socket takes it; a full queue means the viewer does not keep up, and it
// is cut off rather than slowing everyone.
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
	if c.try != nil && !c.writing && c.queued == 0 && !c.unflushed {
		// Nothing waits and no writer runs: write now.
		ok, err := c.try.TryWriteFrame(f)
		if err != nil {
			c.mu.Unlock()
			c.writeFailed(err)
			return offerClosed
		}
		if ok {
			c.mu.Unlock()
			return offered
		}
		// The socket took part of it: the writer sends the rest.
		c.unflushed = true
		c.startLocked()
		c.mu.Unlock()
		return offered
	}
	c.push(f)
	c.startLocked()
	c.mu.Unlock()
	return offered
}

// ping queues a keep-alive unless frames already wait (they will be
// followed by the next round's ping).
func (c *client) ping() {
	select {
	case <-c.dead:
		return
	default:
	}
	c.mu.Lock()
	if c.queued == 0 && !c.unflushed {
		c.push(pingFrame{})
		c.startLocked()
	}
	c.mu.Unlock()
}

// startLocked starts the writer unless it runs (c.mu held).
func (c *client) startLocked() {
	if !c.writing {
		c.writing = true
		go c.run()
	}
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
	c.startLocked()
	c.mu.Unlock()
}

// kill marks the viewer for closing with code; it reports whether this
// call did (the first one decides the code). The writer closes the
// connection: the running one once its pending write returns (or hits
// its deadline), else one started for it.
func (c *client) kill(code int, reason string) (first bool) {
	c.once.Do(func() {
		c.code, c.reason = code, reason
		close(c.dead)
		first = true
	})
	if first {
		c.mu.Lock()
		c.startLocked()
		c.mu.Unlock()
	}
	return first
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

// run is the writer: it writes what waits, then ends; once the viewer is
// killed (or a write fails) it closes the connection, exactly once.
func (c *client) run() {
	for {
		c.mu.Lock()
		// Checked under c.mu: a kill that found this writer running
		// (and so started none) is seen here before the writer ends.
		select {
		case <-c.dead:
			c.mu.Unlock()
			c.finish()
			return
		default:
		}
		if c.unflushed {
			c.unflushed = false
			c.mu.Unlock()
			if err := c.try.Flush(); err != nil {
				c.writeFailed(err)
				c.finish()
				return
			}
			continue
		}
		batch := c.pending
		c.pending = nil
		if len(batch) == 0 {
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for i, f := range batch {
			select {
			case <-c.dead:
				c.finish()
				return
			default:
			}
			var err error
			if _, ok := f.(pingFrame); ok {
				err = c.conn.Ping()
			} else {
				err = c.conn.WriteFrame(f)
			}
			if err != nil {
				c.writeFailed(err)
				c.finish()
				return
			}
			batch[i] = nil
		}
		c.written(batch)
	}
}

// finish closes the connection and leaves the topic (the writer, once).
func (c *client) finish() {
	c.conn.Close(c.code, c.reason)
	close(c.done)
	c.mu.Lock()
	leave := c.leave
	c.mu.Unlock()
	if leave != nil {
		leave()
	}
}
