// Package sqlstore implements parley.Store on SQLite (pure Go,
// modernc.org/sqlite) and PostgreSQL (jackc/pgx through database/sql) with
// one shared set of queries and a small dialect layer.
//
// Every method translates driver errors at the boundary: a missing row is
// parley.ENOTFOUND, a unique-key clash parley.ECONFLICT, and transient
// failures (SQLite busy, PostgreSQL serialization failure or deadlock) are
// retried by InTx. See docs/storage.md for the schema and settings.
//
// # Durability
//
// SQLite connections run with journal_mode=WAL, synchronous=FULL,
// foreign_keys=ON and a busy timeout, set on every pooled connection.
// synchronous=FULL (rather than the common NORMAL) makes every commit sync
// the WAL (with fdatasync, as SQLite's Linux builds do), so a comment
// acknowledged with a 2xx survives both a kill -9 of the process and a
// power loss of the machine. Write transactions begin
// IMMEDIATE so two writers never deadlock upgrading read locks.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/parley-comments/parley"
	"modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// SQLite connection settings, applied to every pooled connection.
const (
	sqliteBusyTimeout = 10 * time.Second
	sqliteMaxConns    = 8
	// postgresMaxConns is the default pool size; override it with the
	// pool_max_conns DSN parameter.
	postgresMaxConns = 16
	// maxTxAttempts bounds InTx retries of transient failures.
	maxTxAttempts = 10
	// sqliteAutoCheckpoint is SQLite's automatic checkpoint threshold in
	// WAL frames, for writes outside the group-commit writer, which
	// checkpoints after every checkpointFrames frames itself.
	sqliteAutoCheckpoint = 4 * checkpointFrames
)

// DB is a database connection pool. It implements parley.Store; its methods
// run outside any transaction except inside InTx.
type DB struct {
	*conn
	sqlDB *sql.DB
	dsn   string
}

var _ parley.Store = (*DB)(nil)

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs the queries of parley.Store against either the pool or one
// transaction (tx != nil).
type conn struct {
	d     *dialect
	db    *sql.DB
	tx    *sql.Tx
	sleep func(time.Duration)
	clock parley.Clock
	// w is SQLite's group-commit writer (nil on PostgreSQL).
	w *writer
	// batched is set on a transaction shared by a group commit: a request
	// that goes away must not interrupt the statements of the others.
	batched bool
	// stmts keeps statements prepared (SQLite; nil on PostgreSQL).
	stmts *stmtCache
}

// stmtCtx is the context a statement runs with.
func (c *conn) stmtCtx(ctx context.Context) context.Context {
	if c.batched {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (c *conn) q() querier {
	if c.tx != nil {
		return c.tx
	}
	return c.db
}

func (c *conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx, query = c.stmtCtx(ctx), c.d.rebind(query)
	if st := c.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return c.q().ExecContext(ctx, query, args...)
}

func (c *conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx, query = c.stmtCtx(ctx), c.d.rebind(query)
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.q().QueryContext(ctx, query, args...)
}

func (c *conn) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx, query = c.stmtCtx(ctx), c.d.rebind(query)
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.q().QueryRowContext(ctx, query, args...)
}

// Open opens a database. dsn is either a postgres:// or postgresql:// URL,
// or a SQLite file path (optionally prefixed "sqlite:"). It does not
// migrate: call Migrate, or check SchemaVersion.
//
// A PostgreSQL URL may carry pool_max_conns=N (default 16), which is removed
// before the URL reaches the driver.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		sdb *sql.DB
		d   *dialect
		err error
	)
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		d = postgresDialect
		sdb, err = openPostgres(dsn)
	} else {
		d = sqliteDialect
		sdb, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	}
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "Cannot open the database.", err)
	}
	db := &DB{conn: &conn{d: d, db: sdb, sleep: time.Sleep, clock: parley.SystemClock{}}, sqlDB: sdb, dsn: dsn}
	if err := db.Ping(ctx); err != nil {
		sdb.Close()
		return nil, err
	}
	if d == sqliteDialect {
		db.conn.stmts = newStmtCache(sdb)
		db.conn.w = newWriter(db.conn)
	}
	return db, nil
}

// sqliteDSN builds the modernc.org/sqlite DSN for a file path. The _pragma
// parameters run on every new pooled connection.
func sqliteDSN(path string) string {
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous(FULL)")
	v.Add("_pragma", "foreign_keys(ON)")
	// Deleted content is overwritten with zeros, so that an erased
	// commenter's data does not linger in free pages (docs/privacy.md).
	v.Add("_pragma", "secure_delete(ON)")
	// Statement and savepoint journals stay in memory: a group commit
	// runs each member under a savepoint, and on disk their journal was a
	// temporary file written page by page for every comment.
	v.Add("_pragma", "temp_store(MEMORY)")
	v.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", sqliteAutoCheckpoint))
	v.Set("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

// syncData makes SQLite commit with fdatasync(2) rather than fsync(2), as
// SQLite's own Linux builds do (see docs/storage.md). It is process-wide.
var syncData = sync.OnceFunc(func() { _, _ = sqlite.Fdatasync(true) })

func openSQLite(path string) (*sql.DB, error) {
	syncData()
	if path == "" {
		return nil, errors.New("empty SQLite path")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, errors.New("SQLite path must not contain ? or #")
	}
	sdb, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(sqliteMaxConns)
	sdb.SetMaxIdleConns(sqliteMaxConns)
	return sdb, nil
}

func openPostgres(dsn string) (*sql.DB, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, err
	}
	maxConns := postgresMaxConns
	q := u.Query()
	if v := q.Get("pool_max_conns"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("invalid pool_max_conns %q", v)
		}
		maxConns = n
		q.Del("pool_max_conns")
		u.RawQuery = q.Encode()
	}
	sdb, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, err
	}
	sdb.SetMaxOpenConns(maxConns)
	sdb.SetMaxIdleConns(maxConns / 2)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	return sdb, nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Ping checks that the database answers. It returns EUNAVAILABLE if not.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sqlDB.PingContext(ctx); err != nil {
		return parley.WrapError(parley.EUNAVAILABLE, "The database is unavailable.", err)
	}
	return nil
}

// Close closes the pool.
func (db *DB) Close() error {
	if db.w != nil {
		db.w.close()
	}
	if db.stmts != nil {
		db.stmts.close()
	}
	if err := db.sqlDB.Close(); err != nil {
		return parley.WrapError(parley.EINTERNAL, "Cannot close the database.", err)
	}
	return nil
}

// SetClock sets the clock that TakeLoginFlow and ListUserSessions compare
// expiry times with (session expiry itself is the service's). The default
// is the system clock.
func (db *DB) SetClock(c parley.Clock) { db.clock = c }

// SQL returns the underlying *sql.DB, for tests and tools.
func (db *DB) SQL() *sql.DB { return db.sqlDB }

// InTx runs fn inside one transaction and commits if fn returns nil. The
// Store passed to fn uses the transaction; calling InTx on it runs fn in the
// same transaction. SQLite transactions begin IMMEDIATE (they take the write
// lock at once); PostgreSQL ones run at READ COMMITTED, and the queries that
// read before they write lock their rows. When the transaction fails with a
// transient error (SQLite busy, PostgreSQL serialization failure or
// deadlock) it is rolled back and fn runs again, up to 10 times. On SQLite,
// concurrent transactions are committed together (see writer).
func (c *conn) InTx(ctx context.Context, fn func(tx parley.Store) error) error {
	if c.tx != nil {
		return fn(c)
	}
	if c.w != nil {
		return translate(c.w.do(ctx, fn), "Record")
	}
	return c.retryTx(ctx, fn, 0)
}

// retryTx runs fn in a transaction of its own, retrying transient failures.
// first is the number of attempts already made (and failed transiently).
func (c *conn) retryTx(ctx context.Context, fn func(tx parley.Store) error, first int) error {
	var err error
	for attempt := first; attempt < maxTxAttempts; attempt++ {
		if attempt > 0 {
			// Jittered exponential backoff: 1ms, 2ms, 4ms ... capped at 100ms.
			d := min(time.Millisecond<<attempt, 100*time.Millisecond)
			c.sleep(d/2 + rand.N(d/2+1))
		}
		err = c.runTx(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil && retryable(err) {
		return &parley.Error{Code: parley.EUNAVAILABLE, Message: "The database is busy; try again.", RetryAfter: time.Second, Err: err}
	}
	return translate(err, "Record")
}

func (c *conn) runTx(ctx context.Context, fn func(tx parley.Store) error) (err error) {
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err := fn(&conn{d: c.d, db: c.db, tx: tx, sleep: c.sleep, clock: c.clock, stmts: c.stmts}); err != nil {
		return err
	}
	return tx.Commit()
}
