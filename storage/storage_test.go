package storage

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"testing"

	"leitai/models"
	"leitai/storage/storagetest"
)

// TestStorage runs the same suite against the embedded SQLite file and a
// real PostgreSQL cluster.
func TestStorage(t *testing.T) {
	pg := storagetest.StartPostgres(t)
	suite := []struct {
		name string
		fn   func(t *testing.T, db *DB)
	}{
		{"migrations reach the latest version", testMigrationsLatest},
		{"migrating twice is a no-op", testMigrateIdempotent},
		{"users", testUsers},
		{"errors map to kinds", testErrorKinds},
		{"unit tree", testUnits},
		{"unit import is all or nothing", testUnitImport},
		{"user import", testUserImport},
		{"sessions and passwords", testSessions},
		{"login throttle", testThrottle},
		{"login links are single use", testLoginLinks},
		{"tablet links are scoped to their final and seat", testTabletLinks},
		{"last admin stays", testLastAdmin},
		{"first-run setup", testSetup},
		{"audit chain", testAuditChain},
		{"one clock: DB.Now stamps changes and their audit entries", testOneClock},
		{"projects", testProjects},
		{"deadlines", testDeadline},
		{"live broker", testLiveBroker},
		{"review rounds", testRounds},
		{"live finals", testLiveShows},
		{"audience defences: the venue's cap and the minimum turnout", testAudienceDefences},
		{"audience defences: the screen's code, the breakdown, voids, phone tallies", testAudienceScreenAndVoids},
		{"tie decisions, advancement, panel, reminders, objections", testDecisions},
		{"the score save's conflict check agrees with the whole tree", testConflictChains},
		{"follow-through: awards, plans, reports, checks, tranches, tracker", testFollowThrough},
		{"follow-through reminders: once each, over SMTP, across instances", testFollowReminders},
		{"follow-through: award tiers per edition", testAwardTiers},
		{"follow-through: the rules the walk-through does not reach", testFollowRules},
		{"a unit deletes its own never-submitted draft", testDeleteDraft},
		{"notifications: written with their change, read by their user, e-mailed once each", testNotifications},
		{"review gaps: admin conflicts, moving one project, the holiday calendar and the 公示 window", testReviewGaps},
		{"blind rounds: redacted copies, audited, read by the experts, fixed once scored", testBlindRedactions},
		{"recommendation: step off as today, scope, quota, recommend, return, notifications", testRecommendation},
		{"recommendation: racing recommenders never exceed the quota", testRecommendQuotaRace},
		{"recommendation: scoped administration of units and unit accounts", testScopedAdministration},
	}
	open := map[Dialect]func(t *testing.T) *DB{
		SQLite: func(t *testing.T) *DB { return openMigrated(t, "", t.TempDir()) },
		Postgres: func(t *testing.T) *DB {
			return openMigrated(t, pg.NewDatabase(), "")
		},
	}
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			for _, tc := range suite {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, open[d](t)) })
			}
		})
	}
	t.Run("schemas of both dialects agree", func(t *testing.T) {
		lite, pgdb := open[SQLite](t), open[Postgres](t)
		a, b := schemaOf(t, lite), schemaOf(t, pgdb)
		if len(a) == 0 {
			t.Fatal("empty schema")
		}
		for table, cols := range a {
			if !slices.Equal(cols, b[table]) {
				t.Errorf("table %s: sqlite columns %v, postgres columns %v", table, cols, b[table])
			}
		}
		for table := range b {
			if _, ok := a[table]; !ok {
				t.Errorf("table %s exists only on postgres", table)
			}
		}
	})
	t.Run("postgres down is unavailable", func(t *testing.T) {
		db := open[Postgres](t)
		pg.Stop()
		defer pg.Start()
		err := db.Ping(context.Background())
		if models.KindOf(err) != models.KindUnavailable {
			t.Fatalf("Ping with postgres stopped = %v (kind %s), want unavailable", err, models.KindOf(err))
		}
		_, err = db.UserByUsername(context.Background(), "nobody")
		if models.KindOf(err) != models.KindUnavailable {
			t.Fatalf("query with postgres stopped = %v, want unavailable", err)
		}
		pg.Start()
		if err := db.Ping(context.Background()); err != nil {
			t.Fatalf("Ping after restart: %v", err)
		}
	})
}

func openMigrated(t *testing.T, url, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), url, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func testMigrationsLatest(t *testing.T, db *DB) {
	latest, err := db.LatestVersion()
	if err != nil || latest < 1 {
		t.Fatalf("LatestVersion = %d, %v", latest, err)
	}
	v, err := db.SchemaVersion(context.Background())
	if err != nil || v != latest {
		t.Fatalf("SchemaVersion = %d, %v; want %d", v, err, latest)
	}
	if err := db.CheckSchema(context.Background()); err != nil {
		t.Fatalf("CheckSchema: %v", err)
	}
}

func testMigrateIdempotent(t *testing.T, db *DB) {
	applied, err := db.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, %v", applied, err)
	}
}

var cli = models.Actor{Name: "test"}

func testUsers(t *testing.T, db *DB) {
	ctx := context.Background()
	unitID := mustUnit(t, db, nil, models.UnitCity, "惠州市")
	u, err := db.CreateUser(ctx, cli, models.NewUser{Username: "Zhang.San", DisplayName: "张三", Password: "correct horse", Roles: []models.Role{models.RoleUnit, models.RoleExpert}, UnitID: &unitID})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if u.ID == 0 || !u.HasRole(models.RoleExpert) || u.UnitID == nil || *u.UnitID != unitID {
		t.Fatalf("created user = %+v", u)
	}
	got, err := db.UserByUsername(ctx, "zhang.san")
	if err != nil || got.ID != u.ID || got.DisplayName != "张三" {
		t.Fatalf("UserByUsername = %+v, %v", got, err)
	}
	_, err = db.CreateUser(ctx, cli, models.NewUser{Username: "ZHANG.SAN", Password: "another one", Roles: []models.Role{models.RoleAdmin}})
	var me *models.Error
	if !errors.As(err, &me) || me.Kind != models.KindConflict || me.Fields["username"] == "" {
		t.Fatalf("duplicate username: %v, want conflict naming username", err)
	}
	_, err = db.CreateUser(ctx, cli, models.NewUser{Username: "x", Password: "short", Roles: nil})
	if !errors.As(err, &me) || me.Kind != models.KindInvalid || len(me.Fields) != 3 {
		t.Fatalf("invalid user: %v (fields %v), want invalid naming username, password, roles", err, me.Fields)
	}
}

func testErrorKinds(t *testing.T, db *DB) {
	_, err := db.UserByUsername(context.Background(), "nobody")
	if !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("missing user: %v, want not_found", err)
	}
}

func schemaOf(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	type col struct{ Table, Column string }
	var cols []col
	var err error
	if db.Dialect() == Postgres {
		err = db.gorm.Raw(`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns WHERE table_schema = current_schema()`).Scan(&cols).Error
	} else {
		err = db.gorm.Raw(`SELECT m.name AS "table", p.name AS "column" FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`).Scan(&cols).Error
	}
	if err != nil {
		t.Fatalf("read schema: %v", err)
	}
	for _, c := range cols {
		out[c.Table] = append(out[c.Table], c.Column)
	}
	for table := range out {
		sort.Strings(out[table])
	}
	return out
}
