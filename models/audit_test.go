package models

import (
	"testing"
	"time"
)

func TestCanonicalJSON(t *testing.T) {
	a, err := CanonicalJSON(map[string]any{"b": 1, "a": map[string]any{"z": "文", "y": 2.50}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":{"y":2.5,"z":"文"},"b":1}`; a != want {
		t.Fatalf("got %s want %s", a, want)
	}
	type s struct {
		Z int    `json:"z"`
		A string `json:"a"`
	}
	b, _ := CanonicalJSON(s{Z: 1, A: "x"})
	if b != `{"a":"x","z":1}` {
		t.Fatalf("struct: %s", b)
	}
	if n, _ := CanonicalJSON(nil); n != "" {
		t.Fatalf("nil: %q", n)
	}
}

func TestVerifyChain(t *testing.T) {
	actor := int64(1)
	var entries []AuditEntry
	prev := ""
	for i := int64(1); i <= 4; i++ {
		e := AuditEntry{ID: i, At: time.Date(2026, 11, 26, 8, 0, 0, int(i)*1234567, time.UTC), ActorID: &actor,
			ActorName: "admin", Action: "user.create", Entity: "user", EntityID: "7", After: `{"username":"li"}`, IP: "10.0.0.1", PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		entries = append(entries, e)
	}
	if b := VerifyChain(entries, ""); b != nil {
		t.Fatalf("intact chain broken at %+v", b)
	}
	// A nanosecond difference is below what the databases store.
	entries[0].At = entries[0].At.Add(100 * time.Nanosecond)
	if b := VerifyChain(entries, ""); b != nil {
		t.Fatalf("sub-microsecond change must not break the chain: %+v", b)
	}
	tampered := append([]AuditEntry(nil), entries...)
	tampered[2].After = `{"username":"wang"}`
	if b := VerifyChain(tampered, ""); b == nil || b.ID != 3 {
		t.Fatalf("changed row: %+v, want break at 3", b)
	}
	removed := append(append([]AuditEntry(nil), entries[:1]...), entries[2:]...)
	if b := VerifyChain(removed, ""); b == nil || b.ID != 3 {
		t.Fatalf("removed row: %+v, want break at 3", b)
	}
	rehashed := append([]AuditEntry(nil), entries...)
	rehashed[1].Action = "user.delete"
	rehashed[1].Hash = rehashed[1].ComputeHash()
	if b := VerifyChain(rehashed, ""); b == nil || b.ID != 3 {
		t.Fatalf("rehashed row: %+v, want break at the next entry, 3", b)
	}
}
