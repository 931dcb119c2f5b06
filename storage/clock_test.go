package storage

import (
	"context"
	"testing"
	"time"

	"leitai/models"
)

// testOneClock: DB.Now is the one clock of every service: a change and
// its audit entry carry the reading of the injected clock, not the wall's.
func testOneClock(t *testing.T, db *DB) {
	ctx := context.Background()
	at := time.Date(2031, 3, 4, 5, 6, 7, 0, time.UTC)
	wall := db.Now
	db.Now = func() time.Time { return at }
	defer func() { db.Now = wall }()

	city, err := db.CreateUnit(ctx, cli, models.UnitInput{Kind: models.UnitCity, Name: "钟表市"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(ctx, cli, models.NewUser{Username: "clock-unit", Password: "a-clock-password-2031", Roles: []models.Role{models.RoleUnit}, UnitID: &city.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ResetPassword(ctx, cli, u.ID, "another-clock-password-2031"); err != nil {
		t.Fatal(err)
	}
	entries, err := db.ListAudit(ctx, models.AuditFilter{Limit: 10})
	if err != nil || len(entries) < 3 {
		t.Fatalf("audit %v %v", entries, err)
	}
	for _, e := range entries[:3] {
		if !e.At.Equal(at) {
			t.Errorf("audit %s at %v, want the injected clock's %v", e.Action, e.At, at)
		}
	}
	var row userRow
	if err := db.gorm.Take(&row, u.ID).Error; err != nil {
		t.Fatal(err)
	}
	if !row.CreatedAt.Equal(at) || !row.UpdatedAt.Equal(at) {
		t.Errorf("user created %v updated %v, want %v", row.CreatedAt, row.UpdatedAt, at)
	}
}
