package storage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"gorm.io/gorm"

	"leitai/models"
)

// auditLockKey serialises appends to the audit chain on PostgreSQL (SQLite
// serialises write transactions itself).
const auditLockKey = 7_411_932_002

type auditRow struct {
	ID         int64 `gorm:"primaryKey;autoIncrement:false"`
	At         time.Time
	ActorID    *int64
	ActorName  string
	Action     string
	Entity     string
	EntityID   string
	BeforeJSON string `gorm:"column:before_json"`
	AfterJSON  string `gorm:"column:after_json"`
	IP         string `gorm:"column:ip"`
	PrevHash   string
	Hash       string
}

func (auditRow) TableName() string { return "audit_log" }

func (r auditRow) model() models.AuditEntry {
	return models.AuditEntry{ID: r.ID, At: r.At.UTC(), ActorID: r.ActorID, ActorName: r.ActorName, Action: r.Action,
		Entity: r.Entity, EntityID: r.EntityID, Before: r.BeforeJSON, After: r.AfterJSON, IP: r.IP,
		PrevHash: r.PrevHash, Hash: r.Hash}
}

// appendAudit adds an entry to the chain inside the caller's transaction, so
// the change and its audit entry commit together or not at all.
func (db *DB) appendAudit(tx *gorm.DB, rec models.AuditRecord) error {
	before, err := models.CanonicalJSON(rec.Before)
	if err != nil {
		return err
	}
	after, err := models.CanonicalJSON(rec.After)
	if err != nil {
		return err
	}
	last, err := db.auditHead(tx)
	if err != nil {
		return err
	}
	e := models.AuditEntry{
		ID: last.ID + 1, At: models.AuditTime(db.now()), ActorID: rec.Actor.UserID, ActorName: rec.Actor.Name,
		Action: rec.Action, Entity: rec.Entity, EntityID: rec.EntityID, Before: before, After: after,
		IP: rec.Actor.IP, PrevHash: last.Hash,
	}
	e.Hash = e.ComputeHash()
	row := auditRow{ID: e.ID, At: e.At, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action, Entity: e.Entity,
		EntityID: e.EntityID, BeforeJSON: e.Before, AfterJSON: e.After, IP: e.IP, PrevHash: e.PrevHash, Hash: e.Hash}
	if err := tx.Create(&row).Error; err != nil {
		return fmt.Errorf("audit: append: %w", err)
	}
	return nil
}

// ListAudit returns entries newest first.
func (db *DB) ListAudit(ctx context.Context, f models.AuditFilter) ([]models.AuditEntry, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	q := db.gorm.WithContext(ctx).Order("id DESC").Limit(f.Limit)
	if f.BeforeID > 0 {
		q = q.Where("id < ?", f.BeforeID)
	}
	if f.Entity != "" {
		q = q.Where("entity = ?", f.Entity)
	}
	if f.EntityID != "" {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	var rows []auditRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list audit: %w", mapError(err))
	}
	out := make([]models.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// auditHead returns the chain's newest entry (id and hash; zero when the
// log is empty), holding the chain's lock on PostgreSQL until the
// transaction ends.
func (db *DB) auditHead(tx *gorm.DB) (auditRow, error) {
	if db.dialect == Postgres {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", auditLockKey).Error; err != nil {
			return auditRow{}, err
		}
	}
	var last auditRow
	if err := tx.Select("id", "hash").Order("id DESC").Limit(1).Find(&last).Error; err != nil {
		return auditRow{}, fmt.Errorf("audit: read chain head: %w", err)
	}
	return last, nil
}

// VerifyAudit re-walks the whole chain in id order, in batches, and reports
// the first broken link; then it checks every publication's anchor.
func (db *DB) VerifyAudit(ctx context.Context) (models.AuditVerification, error) {
	v, err := db.verifyChain(ctx)
	if err != nil || v.FirstBroken != nil {
		return v, err
	}
	// Every publication anchored the head as it was then: each anchored
	// entry must still be there with the same hash, or entries were cut
	// from the end (which re-walking the remaining chain cannot see).
	var anchors []publicationRow
	if err := db.gorm.WithContext(ctx).Select("round_id", "audit_head_id", "audit_head_hash").
		Where("audit_head_id > 0").Order("audit_head_id").Find(&anchors).Error; err != nil {
		return v, fmt.Errorf("verify audit anchors: %w", mapError(err))
	}
	for _, a := range anchors {
		var row auditRow
		err := db.gorm.WithContext(ctx).Select("id", "hash").Where("id = ?", a.AuditHeadID).Limit(1).Find(&row).Error
		if err != nil {
			return v, fmt.Errorf("verify audit anchors: %w", mapError(err))
		}
		if row.ID == 0 || row.Hash != a.AuditHeadHash {
			v.FirstBroken = &models.ChainBreak{ID: a.AuditHeadID, Reason: fmt.Sprintf(
				"entry %d, anchored when round %d was published, is missing or changed: entries were removed from the log", a.AuditHeadID, a.RoundID)}
			return v, nil
		}
		v.Anchors++
	}
	return v, nil
}

func (db *DB) verifyChain(ctx context.Context) (models.AuditVerification, error) {
	var v models.AuditVerification
	prev := ""
	var after int64
	for {
		var rows []auditRow
		err := db.gorm.WithContext(ctx).Where("id > ?", after).Order("id").Limit(1000).Find(&rows).Error
		if err != nil {
			return v, fmt.Errorf("verify audit: %w", mapError(err))
		}
		if len(rows) == 0 {
			v.HeadHash = prev
			return v, nil
		}
		entries := make([]models.AuditEntry, len(rows))
		for i, r := range rows {
			entries[i] = r.model()
		}
		if b := models.VerifyChain(entries, prev); b != nil {
			v.FirstBroken = b
			for _, e := range entries {
				if e.ID == b.ID {
					break
				}
				v.Checked++
			}
			return v, nil
		}
		v.Checked += int64(len(rows))
		prev = rows[len(rows)-1].Hash
		after = rows[len(rows)-1].ID
	}
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
