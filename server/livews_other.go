//go:build !linux

package server

import (
	"errors"
	"net"
	"syscall"
)

// Without epoll (not Linux) a viewer keeps its hijack goroutine, which
// reads (serveBlocking), and every frame goes through the hub's writer.

var errNoPoller = errors.New("no poller on this system")

func detach(net.Conn) (net.Conn, syscall.RawConn, error) { return nil, nil, errNoPoller }

func writeNonBlocking(syscall.RawConn, []byte) (int, error) { return 0, errNoPoller }

func watch(*boardConn) error { return errNoPoller }

func unwatch(*boardConn) {}
