package server

import (
	"errors"
	"net"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The poller: one epoll instance and one goroutine for every board
// viewer of the process. A viewer sends nothing but pongs and a close,
// so rather than a goroutine blocked in a read per connection (8 KB of
// stack and fasthttp's buffers, per idle viewer), epoll says when one of
// them has something to read, and this goroutine reads it at once with
// a shared buffer (a non-blocking read: a few bytes, never a wait). A
// sweep closes viewers silent for their pong wait.
type poller struct {
	epfd int

	mu    sync.Mutex
	conns map[int32]*boardConn // by descriptor
}

var (
	pollerOnce sync.Once
	thePoller  *poller
	pollerErr  error
)

// sweepEvery is how often silent viewers are looked for.
const sweepEvery = time.Second

func getPoller() (*poller, error) {
	pollerOnce.Do(func() {
		fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			pollerErr = err
			return
		}
		thePoller = &poller{epfd: fd, conns: map[int32]*boardConn{}}
		go thePoller.wait()
		go thePoller.sweep()
	})
	return thePoller, pollerErr
}

// detach gives the viewer a descriptor of its own for raw's socket (a
// duplicate, in Go's network poller for writes with deadlines), so that
// fasthttp can close and forget raw and its per-connection state.
func detach(raw net.Conn) (net.Conn, syscall.RawConn, error) {
	tc, ok := raw.(*net.TCPConn)
	if !ok {
		return nil, nil, errors.New("not a TCP connection")
	}
	f, err := tc.File() // a duplicate descriptor
	if err != nil {
		return nil, nil, err
	}
	nc, err := net.FileConn(f) // non-blocking, in Go's poller
	_ = f.Close()
	if err != nil {
		return nil, nil, err
	}
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		_ = nc.Close()
		return nil, nil, err
	}
	return nc, rc, nil
}

// writeNonBlocking writes b once without waiting: on a full socket it
// writes what fits, possibly nothing.
func writeNonBlocking(rc syscall.RawConn, b []byte) (int, error) {
	var n int
	var werr error
	err := rc.Write(func(fd uintptr) bool {
		n, werr = unix.Write(int(fd), b)
		return true // never wait in Go's poller
	})
	if err != nil {
		return 0, err
	}
	if werr == unix.EAGAIN || werr == unix.EINTR {
		return 0, nil
	}
	if werr != nil {
		return 0, werr
	}
	return n, nil
}

// watch registers bc with the poller; on success the caller may return,
// and the poller reads bc from then on.
func watch(bc *boardConn) error {
	p, err := getPoller()
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if bc.closed {
		return nil // closed meanwhile: nothing to read
	}
	var cerr error
	err = bc.rc.Control(func(fd uintptr) {
		bc.fd = int32(fd)
		cerr = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, int(fd),
			&unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)})
	})
	if err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	bc.polled = true
	p.conns[bc.fd] = bc
	return nil
}

// unwatch takes bc off the poller (Close calls it before the descriptor
// is closed, so that its number, once reused, is not confused with bc).
func unwatch(bc *boardConn) {
	p, err := getPoller()
	if err != nil {
		return // no poller: bc was never watched
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	bc.closed = true
	p.removeLocked(bc)
}

func (p *poller) removeLocked(bc *boardConn) {
	if !bc.polled {
		return
	}
	bc.polled = false
	if p.conns[bc.fd] == bc {
		delete(p.conns, bc.fd)
	}
	_ = bc.rc.Control(func(fd uintptr) {
		_ = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, int(fd), nil)
	})
}

// stop takes bc off the poller (it is gone or closing) and closes it
// with code unless the hub already is.
func (p *poller) stop(bc *boardConn, code int, reason string) {
	p.mu.Lock()
	p.removeLocked(bc)
	p.mu.Unlock()
	if code != 0 {
		bc.viewer.Close(code, reason)
	}
}

func (p *poller) wait() {
	events := make([]unix.EpollEvent, 256)
	buf := make([]byte, 4096)
	for {
		n, err := unix.EpollWait(p.epfd, events, -1)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			panic("live board poller: " + err.Error()) // cannot happen with a valid epfd
		}
		for _, ev := range events[:n] {
			p.mu.Lock()
			bc := p.conns[ev.Fd]
			p.mu.Unlock()
			if bc != nil {
				p.readable(bc, buf)
			}
		}
	}
}

// readable reads what bc's viewer sent. The read holds the descriptor in
// Go's poller, so a concurrent Close cannot hand its number to another
// connection mid-read; an event for a descriptor closed and reused since
// reads nothing (EAGAIN).
func (p *poller) readable(bc *boardConn, buf []byte) {
	var n int
	var rerr error
	if err := bc.rc.Read(func(fd uintptr) bool {
		n, rerr = unix.Read(int(fd), buf)
		return true
	}); err != nil {
		return // closed
	}
	switch {
	case rerr == unix.EAGAIN || rerr == unix.EINTR:
	case rerr != nil || n == 0: // reset, or the viewer went away
		p.stop(bc, 1001, "going away")
	case !bc.consume(buf[:n]):
		p.stop(bc, 0, "")
	}
}

// sweep closes viewers that sent nothing for their pong wait.
func (p *poller) sweep() {
	tick := time.NewTicker(sweepEvery)
	defer tick.Stop()
	var silent []*boardConn
	for range tick.C {
		now := time.Now().UnixNano()
		p.mu.Lock()
		for _, bc := range p.conns {
			if bc.silent(now) {
				silent = append(silent, bc)
			}
		}
		p.mu.Unlock()
		for i, bc := range silent {
			p.stop(bc, 1001, "going away")
			silent[i] = nil
		}
		silent = silent[:0]
	}
}
