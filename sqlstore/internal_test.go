package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"modernc.org/sqlite"
)

// These tests live inside the package (they need its internals), so they
// cannot use sqltest, which imports sqlstore; they open databases directly.

func testSQLite(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, path
}

func testPostgres(t *testing.T) *DB {
	t.Helper()
	admin := os.Getenv("PARLEY_TEST_POSTGRES")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	ctx := context.Background()
	adb, err := sql.Open("pgx", admin)
	if err == nil {
		err = adb.PingContext(ctx)
	}
	if err != nil {
		if os.Getenv("PARLEY_SKIP_POSTGRES") == "1" {
			t.Skipf("PostgreSQL unreachable: %v", err)
		}
		t.Fatalf("PostgreSQL unreachable (PARLEY_SKIP_POSTGRES=1 skips): %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "parley_itest_" + hex.EncodeToString(b)
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		adb.Close()
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	db, err := Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestSQLitePragmasOnEveryConnection holds several pooled connections at
// once and checks the durability settings on each.
func TestSQLitePragmasOnEveryConnection(t *testing.T) {
	t.Parallel()
	db, _ := testSQLite(t)
	ctx := context.Background()
	var conns []*sql.Conn
	for i := 0; i < sqliteMaxConns; i++ {
		c, err := db.sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		var journal string
		var sync, fk, busy, temp, auto int
		for _, p := range []struct {
			q    string
			dest any
		}{{"PRAGMA journal_mode", &journal}, {"PRAGMA synchronous", &sync}, {"PRAGMA foreign_keys", &fk}, {"PRAGMA busy_timeout", &busy}, {"PRAGMA temp_store", &temp},
			{"PRAGMA wal_autocheckpoint", &auto}} {
			if err := c.QueryRowContext(ctx, p.q).Scan(p.dest); err != nil {
				t.Fatal(err)
			}
		}
		if journal != "wal" || sync != 2 || fk != 1 || busy != int(sqliteBusyTimeout.Milliseconds()) || temp != 2 || auto != sqliteAutoCheckpoint {
			t.Errorf("connection %d: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d temp_store=%d wal_autocheckpoint=%d; want wal 2(FULL) 1 %d 2(MEMORY) %d",
				i, journal, sync, fk, busy, temp, auto, sqliteBusyTimeout.Milliseconds(), sqliteAutoCheckpoint)
		}
	}
	if !sqlite.FdatasyncEnabled() {
		t.Error("SQLite commits with fsync(2), not fdatasync(2)")
	}
	for _, c := range conns {
		c.Close()
	}
}

// sqliteBusyError provokes a real SQLITE_BUSY: a second handle with no busy
// timeout tries to write while db holds the write lock.
func sqliteBusyError(t *testing.T, db *DB, path string) error {
	t.Helper()
	ctx := context.Background()
	tx, err := db.sqlDB.BeginTx(ctx, nil) // BEGIN IMMEDIATE: takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	otx, err := other.BeginTx(ctx, nil)
	if err == nil {
		otx.Rollback()
		t.Fatal("second writer got the lock")
	}
	return err
}

// postgresSerializationError provokes a real 40001: two REPEATABLE READ
// transactions update the same row.
func postgresSerializationError(t *testing.T, db *DB) error {
	t.Helper()
	ctx := context.Background()
	if _, err := db.sqlDB.ExecContext(ctx, `INSERT INTO rate_buckets (key, tokens, updated_at) VALUES ('r', 1, now())`); err != nil {
		t.Fatal(err)
	}
	opts := &sql.TxOptions{Isolation: sql.LevelRepeatableRead}
	t1, err := db.sqlDB.BeginTx(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer t1.Rollback()
	var x float64
	if err := t1.QueryRowContext(ctx, `SELECT tokens FROM rate_buckets WHERE key = 'r'`).Scan(&x); err != nil {
		t.Fatal(err)
	}
	if _, err := db.sqlDB.ExecContext(ctx, `UPDATE rate_buckets SET tokens = 2 WHERE key = 'r'`); err != nil {
		t.Fatal(err)
	}
	_, err = t1.ExecContext(ctx, `UPDATE rate_buckets SET tokens = 3 WHERE key = 'r'`)
	if err == nil {
		t.Fatal("no serialization failure")
	}
	return err
}

// TestTransientErrorsRetried checks, with real driver errors from each
// backend, that they are classified as transient and that InTx runs fn
// again after one, and gives up with EUNAVAILABLE when they persist.
func TestTransientErrorsRetried(t *testing.T) {
	t.Parallel()
	sqliteDB, path := testSQLite(t)
	pgDB := testPostgres(t)
	for _, tc := range []struct {
		name string
		db   *DB
		err  error
	}{
		{"sqlite busy", sqliteDB, sqliteBusyError(t, sqliteDB, path)},
		{"postgres serialization failure", pgDB, postgresSerializationError(t, pgDB)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !retryable(tc.err) {
				t.Fatalf("%v is not retryable", tc.err)
			}
			// Wrapped as the Store methods wrap it, it is still retryable.
			if tr := translate(tc.err, "Comment"); !retryable(tr) || parley.ErrorCode(tr) != parley.EUNAVAILABLE {
				t.Fatalf("translated to %v: want EUNAVAILABLE keeping the retryable cause", tr)
			}
			var slept []time.Duration
			tc.db.sleep = func(d time.Duration) { slept = append(slept, d) }
			attempts := 0
			err := tc.db.InTx(context.Background(), func(tx parley.Store) error {
				attempts++
				if attempts == 1 {
					return translate(tc.err, "Comment")
				}
				return tx.CreateSite(context.Background(), &parley.Site{ID: "s-" + tc.db.Dialect(), Name: "n", CreatedAt: time.Now()})
			})
			if err != nil || attempts != 2 || len(slept) != 1 {
				t.Fatalf("err=%v attempts=%d sleeps=%d; want success on attempt 2 after one backoff", err, attempts, len(slept))
			}
			if _, err := tc.db.GetSite(context.Background(), "s-"+tc.db.Dialect()); err != nil {
				t.Fatalf("retried transaction did not commit: %v", err)
			}
			attempts = 0
			err = tc.db.InTx(context.Background(), func(parley.Store) error { attempts++; return tc.err })
			if parley.ErrorCode(err) != parley.EUNAVAILABLE || attempts != maxTxAttempts {
				t.Fatalf("persistent failure: err=%v attempts=%d; want unavailable after %d", err, attempts, maxTxAttempts)
			}
		})
	}
	// Non-transient errors are not retried.
	if retryable(sql.ErrNoRows) || retryable(errors.New("x")) {
		t.Fatal("non-transient error classified as retryable")
	}
}

// TestCopyTablesMatchSchema guards Copy against a migration that adds a
// table or column without telling it.
func TestCopyTablesMatchSchema(t *testing.T) {
	t.Parallel()
	sqliteDB, _ := testSQLite(t)
	pgDB := testPostgres(t)
	want := map[string][]string{}
	for _, tb := range copyTables {
		var names []string
		for _, c := range tb.cols {
			names = append(names, c.name)
		}
		sort.Strings(names)
		want[tb.name] = names
	}
	for _, db := range []*DB{sqliteDB, pgDB} {
		q := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'schema_migrations'`
		if db.d.pg() {
			q = `SELECT table_name, column_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'`
		}
		rows, err := db.sqlDB.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for rows.Next() {
			var tbl, col string
			if err := rows.Scan(&tbl, &col); err != nil {
				t.Fatal(err)
			}
			got[tbl] = append(got[tbl], col)
		}
		rows.Close()
		for k := range got {
			sort.Strings(got[k])
		}
		for tbl, cols := range got {
			if strings.Join(cols, ",") != strings.Join(want[tbl], ",") {
				t.Errorf("%s table %s: schema columns %v, Copy knows %v", db.Dialect(), tbl, cols, want[tbl])
			}
		}
		for tbl := range want {
			if _, ok := got[tbl]; !ok {
				t.Errorf("%s: Copy lists table %s that the schema lacks", db.Dialect(), tbl)
			}
		}
	}
}

func TestMigrateIdempotentAndVersioned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, db := range []*DB{func() *DB { d, _ := testSQLite(t); return d }(), testPostgres(t)} {
		cur, latest, err := db.SchemaVersion(ctx)
		if err != nil || cur != latest || latest < 1 {
			t.Fatalf("%s: SchemaVersion = %d, %d, %v", db.Dialect(), cur, latest, err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("%s: second Migrate: %v", db.Dialect(), err)
		}
		var n int
		if err := db.sqlDB.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != latest {
			t.Fatalf("%s: schema_migrations has %d rows (%v), want %d", db.Dialect(), n, err, latest)
		}
	}
	// A fresh database reports version 0 before migrating.
	fresh, err := Open(ctx, filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if cur, latest, err := fresh.SchemaVersion(ctx); err != nil || cur != 0 || latest < 1 {
		t.Fatalf("fresh SchemaVersion = %d, %d, %v", cur, latest, err)
	}
	// Both dialects have the same migration numbers.
	ms, _ := sqliteDialect.migrations()
	mp, _ := postgresDialect.migrations()
	if len(ms) != len(mp) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(ms), len(mp))
	}
	for i := range ms {
		if ms[i].name != mp[i].name {
			t.Errorf("migration %d: %s vs %s", i+1, ms[i].name, mp[i].name)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if _, err := Open(ctx, "postgres://postgres@127.0.0.1:5432/postgres?pool_max_conns=zero"); parley.ErrorCode(err) != parley.EINTERNAL {
		t.Fatalf("bad pool_max_conns: %v", err)
	}
	if _, err := Open(ctx, "sqlite:"); err == nil {
		t.Fatal("empty SQLite path accepted")
	}
	if _, err := Open(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "x.db")); parley.ErrorCode(err) != parley.EUNAVAILABLE {
		t.Fatalf("unopenable SQLite file: %v", err)
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(cursorKey{Kind: "queue-risk", ID: "01ABC", Risk: 0.25}))
	f.Add("")
	f.Add("e30")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := decodeCursor(s, "queue-risk")
		if err != nil {
			if parley.ErrorCode(err) != parley.EINVALID {
				t.Fatalf("error code %s", parley.ErrorCode(err))
			}
			return
		}
		if k.ID == "" || k.Kind != "queue-risk" {
			t.Fatalf("accepted %+v", k)
		}
		k2, err := decodeCursor(encodeCursor(k), "queue-risk")
		if err != nil || k2 != k {
			t.Fatalf("re-encoding %+v gave %+v, %v", k, k2, err)
		}
	})
}

// TestConcurrentMigrate migrates one fresh database from several handles at
// once, as several instances starting together would.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pg := testPostgres(t) // migrated; use its server for a fresh database
	var name string
	if err := pg.sqlDB.QueryRow(`SELECT 'parley_itest_m' || substr(md5(random()::text), 1, 10)`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if _, err := pg.sqlDB.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = pg.sqlDB.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	u, _ := url.Parse(pg.dsn)
	u.Path = "/" + name
	for _, dsn := range []string{u.String(), filepath.Join(t.TempDir(), "m.db")} {
		const n = 4
		errs := make(chan error, n)
		var dbs []*DB
		for i := 0; i < n; i++ {
			db, err := Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			dbs = append(dbs, db)
		}
		for _, db := range dbs {
			go func() { errs <- db.Migrate(ctx) }()
		}
		for i := 0; i < n; i++ {
			if err := <-errs; err != nil {
				t.Fatalf("%s: concurrent Migrate: %v", dbs[0].Dialect(), err)
			}
		}
		cur, latest, err := dbs[0].SchemaVersion(ctx)
		if err != nil || cur != latest {
			t.Fatalf("%s: version %d/%d, %v", dbs[0].Dialect(), cur, latest, err)
		}
	}
}
