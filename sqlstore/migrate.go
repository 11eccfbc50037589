package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/parley-comments/parley"
)

// Migrations are numbered NNNN_name.sql, with the same numbers in both
// dialect directories. A released migration is never edited; changes are
// new files.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's embedded migrations in version order.
func (d *dialect) migrations() ([]migration, error) {
	dir := "migrations/" + d.name
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		if !ok || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("bad migration file name %q", name)
		}
		v, err := strconv.Atoi(num)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("bad migration number in %q", name)
		}
		b, err := migrationFS.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := range ms {
		if ms[i].version != i+1 {
			return nil, fmt.Errorf("migration %q: numbers must run 1, 2, 3... without gaps", ms[i].name)
		}
	}
	return ms, nil
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// Migrate applies every embedded migration newer than the database's
// schema version, each in its own transaction, and records it in
// schema_migrations. It is safe to run from several processes at once: on
// PostgreSQL an advisory lock serializes them, on SQLite the IMMEDIATE
// transaction does.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := db.d.migrations()
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, "Bad embedded migrations.", err)
	}
	if err := db.createMigrationsTable(ctx); err != nil {
		return parley.WrapError(parley.EINTERNAL, "Cannot create schema_migrations.", err)
	}
	for _, m := range ms {
		if err := db.applyMigration(ctx, m); err != nil {
			return parley.WrapError(parley.EINTERNAL, "Migration "+m.name+" failed.", err)
		}
	}
	return nil
}

// migrationLock is the PostgreSQL advisory lock key that serializes migrators.
const migrationLock = 7268110455

// createMigrationsTable creates schema_migrations if needed. On PostgreSQL
// two concurrent CREATE TABLE IF NOT EXISTS can still collide, so it runs
// under the migration lock.
func (db *DB) createMigrationsTable(ctx context.Context) (err error) {
	if !db.d.pg() {
		_, err := db.sqlDB.ExecContext(ctx, createMigrationsTable)
		return err
	}
	tx, err := db.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, createMigrationsTable); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) applyMigration(ctx context.Context, m migration) (err error) {
	tx, err := db.sqlDB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if db.d.pg() {
		// Serialize concurrent migrators; released at commit or rollback.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.d.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`), m.version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return tx.Rollback()
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.d.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		m.version, m.name, parley.SystemClock{}.Now().Format("2006-01-02T15:04:05.000000Z")); err != nil {
		return err
	}
	return tx.Commit()
}

// SchemaVersion returns the database's schema version (0 before the first
// migration) and the newest version embedded in this binary. A server
// should refuse to start while current < latest, and must refuse when
// current > latest (a newer binary migrated the database).
func (db *DB) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := db.d.migrations()
	if err != nil {
		return 0, 0, parley.WrapError(parley.EINTERNAL, "Bad embedded migrations.", err)
	}
	latest = len(ms)
	var exists bool
	if db.d.pg() {
		err = db.sqlDB.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists)
	} else {
		var n int
		err = db.sqlDB.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
		exists = n > 0
	}
	if err != nil {
		return 0, latest, parley.WrapError(parley.EUNAVAILABLE, "Cannot read the schema version.", err)
	}
	if !exists {
		return 0, latest, nil
	}
	if err := db.sqlDB.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return 0, latest, parley.WrapError(parley.EUNAVAILABLE, "Cannot read the schema version.", err)
	}
	return current, latest, nil
}
