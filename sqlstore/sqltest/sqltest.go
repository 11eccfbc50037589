// Package sqltest opens migrated, throw-away sqlstore databases for tests:
// SQLite in a temporary directory, and PostgreSQL as a fresh database on
// the server named by PARLEY_TEST_POSTGRES.
package sqltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver for the admin connection
	"github.com/parley-comments/parley/sqlstore"
)

// DefaultPostgres is the server used when PARLEY_TEST_POSTGRES is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// OpenSQLite returns a migrated SQLite database in tb.TempDir(), closed at
// cleanup.
func OpenSQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(tb.TempDir(), "parley.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// OpenPostgres creates a fresh, uniquely named database on the server at
// PARLEY_TEST_POSTGRES (default DefaultPostgres), opens and migrates it, and
// drops it at cleanup. If the server is unreachable the test is skipped
// when PARLEY_SKIP_POSTGRES=1 and fails otherwise.
func OpenPostgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, PostgresDSN(tb))
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { db.Close() }) // runs before the DROP registered by PostgresDSN
	if err := db.Migrate(ctx); err != nil {
		tb.Fatalf("migrate postgres: %v", err)
	}
	return db
}

// PostgresDSN creates a fresh, empty (not migrated), uniquely named
// database like OpenPostgres and returns its URL; it is dropped at cleanup,
// after cleanups registered later (such as closing pools on it) have run.
func PostgresDSN(tb testing.TB) string {
	tb.Helper()
	admin := os.Getenv("PARLEY_TEST_POSTGRES")
	if admin == "" {
		admin = DefaultPostgres
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	adb, err := sql.Open("pgx", admin)
	if err == nil {
		err = adb.PingContext(ctx)
	}
	if err != nil {
		if adb != nil {
			adb.Close()
		}
		if os.Getenv("PARLEY_SKIP_POSTGRES") == "1" {
			tb.Skipf("PostgreSQL at %s unreachable and PARLEY_SKIP_POSTGRES=1: %v", redact(admin), err)
		}
		tb.Fatalf("PostgreSQL at %s unreachable (set PARLEY_SKIP_POSTGRES=1 to skip): %v", redact(admin), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "parley_test_" + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		adb.Close()
		tb.Fatalf("create database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		defer adb.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := adb.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		tb.Fatalf("parse PARLEY_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// Backend names one database backend for table-driven tests.
type Backend struct {
	Name string
	Open func(testing.TB) *sqlstore.DB
}

// Backends returns SQLite and PostgreSQL.
func Backends() []Backend {
	return []Backend{
		{Name: "sqlite", Open: OpenSQLite},
		{Name: "postgres", Open: OpenPostgres},
	}
}
