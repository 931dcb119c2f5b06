package storage

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"leitai/storage/migrations"
)

// migrationLockKey is the pg_advisory_xact_lock key that serialises
// instances migrating the same PostgreSQL database.
const migrationLockKey = 7_411_932_001

// Migration is one versioned schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// ErrSchemaBehind is returned (wrapped) when the database schema is older
// than this binary.
type ErrSchemaBehind struct {
	Current, Latest int
}

func (e *ErrSchemaBehind) Error() string {
	return fmt.Sprintf("database schema is at version %d but this binary needs version %d: run `leitai migrate` (or start with `leitai serve --migrate`)", e.Current, e.Latest)
}

// Migrations lists the migrations for a dialect in version order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := string(d)
	entries, err := fs.ReadDir(migrations.FS, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, rest, ok := strings.Cut(strings.TrimSuffix(name, ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %s: want NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(migrations.FS, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: rest, SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations for %s: version %d where %d was expected", d, m.Version, i+1)
		}
	}
	return out, nil
}

// LatestVersion is the newest schema version this binary knows.
func (db *DB) LatestVersion() (int, error) {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return 0, err
	}
	return len(ms), nil
}

func ensureVersionTable(tx *gorm.DB) error {
	return tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TIMESTAMP NOT NULL
	)`).Error
}

func currentVersion(tx *gorm.DB) (int, error) {
	var v *int
	if err := tx.Raw("SELECT MAX(version) FROM schema_migrations").Scan(&v).Error; err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}

// SchemaVersion returns the version the database is at (0 when empty).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.tx(ctx, func(tx *gorm.DB) error {
		var exists int
		if db.dialect == Postgres {
			if err := tx.Raw("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'").Scan(&exists).Error; err != nil {
				return err
			}
		} else if err := tx.Raw("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").Scan(&exists).Error; err != nil {
			return err
		}
		if exists == 0 {
			return nil
		}
		var err error
		v, err = currentVersion(tx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

// CheckSchema returns *ErrSchemaBehind when migrations are pending, and an
// error when the database is newer than this binary.
func (db *DB) CheckSchema(ctx context.Context) error {
	latest, err := db.LatestVersion()
	if err != nil {
		return err
	}
	current, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < latest:
		return &ErrSchemaBehind{Current: current, Latest: latest}
	case current > latest:
		return fmt.Errorf("database schema is at version %d, newer than this binary's %d: upgrade leitai", current, latest)
	}
	return nil
}

// Migrate applies every pending migration and returns the versions applied.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	latest, err := db.LatestVersion()
	if err != nil {
		return nil, err
	}
	return db.MigrateTo(ctx, latest)
}

// MigrateTo applies pending migrations up to and including version target.
// Each migration runs in its own transaction together with its row in
// schema_migrations; on PostgreSQL an advisory lock keeps two instances from
// migrating at once.
func (db *DB) MigrateTo(ctx context.Context, target int) ([]int, error) {
	ms, err := Migrations(db.dialect)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range ms {
		if m.Version > target {
			break
		}
		done := false
		err := db.tx(ctx, func(tx *gorm.DB) error {
			if db.dialect == Postgres {
				if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", migrationLockKey).Error; err != nil {
					return err
				}
			}
			if err := ensureVersionTable(tx); err != nil {
				return err
			}
			current, err := currentVersion(tx)
			if err != nil {
				return err
			}
			if current >= m.Version {
				done = true
				return nil
			}
			if current != m.Version-1 {
				return fmt.Errorf("schema at version %d cannot take migration %d", current, m.Version)
			}
			if err := tx.Exec(m.SQL).Error; err != nil {
				return err
			}
			return tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
				m.Version, m.Name, time.Now().UTC()).Error
		})
		if err != nil {
			return applied, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if !done {
			applied = append(applied, m.Version)
		}
	}
	return applied, nil
}
