package models

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry is one row of the append-only, hash-chained audit log. Each
// entry's Hash covers its own fields and the previous entry's hash, so
// changing, inserting or deleting a row breaks the chain from there on.
type AuditEntry struct {
	ID        int64
	At        time.Time
	ActorID   *int64
	ActorName string
	Action    string
	Entity    string
	EntityID  string
	// Before and After are canonical JSON (sorted keys), or empty.
	Before   string
	After    string
	IP       string
	PrevHash string
	Hash     string
}

// AuditRecord is what a use case asks to be logged.
type AuditRecord struct {
	Actor    Actor
	Action   string
	Entity   string
	EntityID string
	Before   any
	After    any
}

// Actor is who did something: a signed-in user, or the command line.
type Actor struct {
	UserID *int64
	Name   string
	IP     string
}

// CanonicalJSON encodes v as JSON with object keys sorted at every level,
// so that the same value always hashes the same, whatever a database did to
// key order. nil encodes as the empty string.
func CanonicalJSON(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("canonical json: %w", err)
	}
	// Decoding into interface{} turns objects into maps, which encoding/json
	// writes with sorted keys; UseNumber keeps numbers exactly as written.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return "", fmt.Errorf("canonical json: %w", err)
	}
	out, err := json.Marshal(generic)
	if err != nil {
		return "", fmt.Errorf("canonical json: %w", err)
	}
	return string(out), nil
}

// AuditTime normalises a time to what both databases store exactly: UTC,
// truncated to microseconds.
func AuditTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// ComputeHash returns the hex SHA-256 over the entry's fields and PrevHash.
func (e AuditEntry) ComputeHash() string {
	var actor any
	if e.ActorID != nil {
		actor = *e.ActorID
	}
	text, _ := json.Marshal([]any{
		e.PrevHash, e.ID, AuditTime(e.At).Format(time.RFC3339Nano), actor, e.ActorName,
		e.Action, e.Entity, e.EntityID, e.Before, e.After, e.IP,
	})
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])
}

// ChainBreak describes the first entry whose hash does not hold.
type ChainBreak struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

// VerifyChain re-walks entries in id order starting after prevHash (the
// hash of the entry before the first one, "" at the start of the log) and
// reports the first broken link, or nil.
func VerifyChain(entries []AuditEntry, prevHash string) *ChainBreak {
	for _, e := range entries {
		if e.PrevHash != prevHash {
			return &ChainBreak{ID: e.ID, Reason: "previous-hash link does not match the entry before it (a row was changed, removed or inserted)"}
		}
		if got := e.ComputeHash(); got != e.Hash {
			return &ChainBreak{ID: e.ID, Reason: "the entry's contents do not match its hash (the row was changed)"}
		}
		prevHash = e.Hash
	}
	return nil
}

// AuditFilter selects a page of the audit log, newest first.
type AuditFilter struct {
	BeforeID int64
	Limit    int
	Entity   string
	EntityID string
}

// AuditVerification is the result of re-walking the whole chain.
type AuditVerification struct {
	Checked int64
	// Anchors is how many publication anchors were found still in place.
	Anchors     int64
	FirstBroken *ChainBreak
	HeadHash    string
}
