// Package live is the realtime board of the PK final: the hub, its topics,
// per-connection bounded queues with a writer goroutine only while frames wait, epoch and
// offset history for recovery, snapshots, and the Broker interface with its
// in-process default. It depends on a small Conn interface rather than on a
// websocket library, and imports models only.
package live
