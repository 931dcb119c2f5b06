package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// startProfiling serves net/http/pprof on LEITAI_PPROF_ADDR when it is set
// (a loopback address only: profiles show the process's memory), for
// profiling `leitai serve` under `leitai bench live`. It is off by default.
func startProfiling(stderr io.Writer) {
	addr := os.Getenv("LEITAI_PPROF_ADDR")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(stderr, "LEITAI_PPROF_ADDR %q: want a loopback host:port; profiling off\n", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(stderr, "LEITAI_PPROF_ADDR: %v; profiling off\n", err)
		return
	}
	go func() { _ = http.Serve(ln, mux) }()
}
