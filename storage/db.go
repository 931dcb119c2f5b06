// Package storage is everything that touches the database (GORM on
// PostgreSQL or the embedded SQLite file), migrations, and — through its
// sub-packages — the object stores. Its service methods run one transaction
// per use case and turn driver errors into models' error kinds.
package storage

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dialect names the SQL database behind a DB.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// SQLiteFile is the database file name inside the data directory.
const SQLiteFile = "leitai.db"

// DB is the application's database handle.
type DB struct {
	gorm    *gorm.DB
	dialect Dialect
	// path is the SQLite file; empty on PostgreSQL.
	path string
	// url is the PostgreSQL URL, for the live broker's LISTEN connection.
	url string

	// Now is the clock every service reads "now" from, once per
	// transaction; tests replace it. It defaults to the wall clock.
	Now func() time.Time

	dummyOnce sync.Once
	dummy     []byte
}

// Open connects to PostgreSQL when databaseURL is set, else opens (creating
// it if needed) the SQLite file in dataDir. It does not migrate.
func Open(ctx context.Context, databaseURL, dataDir string, log *slog.Logger) (*DB, error) {
	cfg := &gorm.Config{
		// Explicit column lists survive schema changes made by another
		// instance ("cached plan must not change result type").
		QueryFields:            true,
		SkipDefaultTransaction: true,
		Logger:                 newGormLogger(log),
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	if databaseURL != "" {
		g, err := gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, mapError(fmt.Errorf("open postgres: %w", err))
		}
		sqlDB, err := g.DB()
		if err != nil {
			return nil, fmt.Errorf("postgres pool: %w", err)
		}
		sqlDB.SetMaxOpenConns(40)
		// As many idle as open: under a burst (500 score saves/s) a smaller
		// idle pool closes and reopens connections, and each new one costs
		// PostgreSQL a backend process.
		sqlDB.SetMaxIdleConns(40)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		db := &DB{gorm: g, dialect: Postgres, url: databaseURL, Now: time.Now}
		if err := db.Ping(ctx); err != nil {
			return nil, err
		}
		return db, nil
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dataDir, SQLiteFile)
	// Pragmas apply per connection, so they live in the DSN.
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	g, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("sqlite pool: %w", err)
	}
	sqlDB.SetMaxOpenConns(8)
	db := &DB{gorm: g, dialect: SQLite, path: path, Now: time.Now}
	if err := db.Ping(ctx); err != nil {
		return nil, err
	}
	return db, nil
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers a query within a few seconds.
func (db *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var one int
	if err := db.gorm.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil {
		return mapError(fmt.Errorf("database: %w", err))
	}
	return nil
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.gorm.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// tx runs fn in one transaction; fn must use the handle it is given, never
// db.gorm (with SQLite that would wait on the transaction's own lock).
func (db *DB) tx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return mapError(db.gorm.WithContext(ctx).Transaction(fn))
}

type gormLogger struct {
	log *slog.Logger
}

func newGormLogger(log *slog.Logger) logger.Interface {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return gormLogger{log: log.With(slog.String("component", "db"))}
}

func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }
func (l gormLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}
func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

// Trace logs slow statements only; errors are returned to callers, who
// decide whether they matter (a not-found is not worth a log line).
func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if elapsed := time.Since(begin); elapsed > 500*time.Millisecond {
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow query", slog.Duration("elapsed", elapsed), slog.String("sql", sql), slog.Int64("rows", rows))
	}
}

// now is the database clock's reading in UTC.
func (db *DB) now() time.Time { return db.Now().UTC() }
