package models

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"
)

// LiveEvent is one entry of a live board's persisted event log. It is
// declared here, not in live, so that storage's PostgreSQL broker can
// satisfy live's Broker without importing live.
type LiveEvent struct {
	Topic string
	// Epoch names the history the offset belongs to; it changes only when
	// history is truly lost (a reset), never on a restart.
	Epoch string
	// Offset counts the topic's events from 1, without gaps.
	Offset uint64
	// Payload is the event object ({"kind":…,…}).
	Payload json.RawMessage
	// At is when the event was appended.
	At time.Time
}

// NewEpoch returns a fresh random epoch name.
func NewEpoch() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// OperatorFigures are the counts /metrics reports from the database.
type OperatorFigures struct {
	// Votes (counted), VotesVoided (voided by the host, kept, never
	// counted) and DeviceTokens are per live final (by its id).
	Votes, VotesVoided, DeviceTokens map[int64]int64
	// MediaBacklog is media waiting for or in processing.
	MediaBacklog int64
}
