package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/gofiber/fiber/v2"

	"leitai/models"
)

// AuditLog reads the audit chain.
type AuditLog interface {
	ListAudit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error)
	VerifyAudit(ctx context.Context) (models.AuditVerification, error)
}

type auditEntryJSON struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	ActorID   *int64          `json:"actor_id"`
	ActorName string          `json:"actor_name"`
	Action    string          `json:"action"`
	Entity    string          `json:"entity"`
	EntityID  string          `json:"entity_id"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`
	IP        string          `json:"ip"`
	PrevHash  string          `json:"prev_hash"`
	Hash      string          `json:"hash"`
}

// rawOrNull passes stored canonical JSON through, or null when empty or
// (after tampering) not JSON at all.
func rawOrNull(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func (s *handlers) listAudit(c *fiber.Ctx) error {
	before, err := queryID(c, "before_id")
	if err != nil {
		return err
	}
	f := models.AuditFilter{Limit: c.QueryInt("limit", 50), Entity: c.Query("entity"), EntityID: c.Query("entity_id")}
	if before != nil {
		f.BeforeID = *before
	}
	if f.Limit < 1 || f.Limit > 500 {
		return models.Invalid("bad query parameter", map[string]string{"limit": "between 1 and 500"})
	}
	entries, err := s.deps.Audit.ListAudit(c.UserContext(), f)
	if err != nil {
		return err
	}
	out := make([]auditEntryJSON, len(entries))
	for i, e := range entries {
		out[i] = auditEntryJSON{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
			Entity: e.Entity, EntityID: e.EntityID, Before: rawOrNull(e.Before), After: rawOrNull(e.After),
			IP: e.IP, PrevHash: e.PrevHash, Hash: e.Hash}
	}
	var next *int64
	if len(entries) == f.Limit {
		last := entries[len(entries)-1].ID
		next = &last
	}
	return c.JSON(fiber.Map{"entries": out, "next_before_id": next})
}

func (s *handlers) verifyAudit(c *fiber.Ctx) error {
	v, err := s.deps.Audit.VerifyAudit(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"ok": v.FirstBroken == nil, "checked": v.Checked, "first_broken": v.FirstBroken, "head_hash": v.HeadHash, "anchors": v.Anchors})
}
