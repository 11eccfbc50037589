package sqlstore

import (
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/parley-comments/parley"
	"modernc.org/sqlite"
)

// Dialect names returned by DB.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// SQLite result codes used for error translation (see sqlite.org/rescode.html).
const (
	sqliteBusy             = 5
	sqliteLocked           = 6
	sqliteConstraint       = 19
	sqliteConstraintFK     = 19 | 3<<8
	sqliteConstraintPK     = 19 | 6<<8
	sqliteConstraintUnique = 19 | 8<<8
)

// dialect holds the few things that differ between SQLite and PostgreSQL.
// Queries are written once with ? placeholders and rebound here.
type dialect struct {
	name string
}

var (
	sqliteDialect   = &dialect{name: DialectSQLite}
	postgresDialect = &dialect{name: DialectPostgres}
)

func (d *dialect) pg() bool { return d.name == DialectPostgres }

// rebind rewrites ? placeholders to $1, $2... for PostgreSQL. Queries in this
// package never contain a literal question mark.
func (d *dialect) rebind(q string) string {
	if !d.pg() || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// forUpdate is the row-locking suffix for a SELECT inside a transaction.
// SQLite write transactions already hold the database write lock
// (BEGIN IMMEDIATE), so it needs none.
func (d *dialect) forUpdate() string {
	if d.pg() {
		return " FOR UPDATE"
	}
	return ""
}

// Times are stored in UTC with microsecond precision: as INTEGER unix
// microseconds in SQLite and as timestamptz in PostgreSQL. Zero times are
// stored as NULL.

// timeArg encodes a non-null time argument.
func (d *dialect) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.pg() {
		return t
	}
	return t.UnixMicro()
}

// nullTimeArg encodes a time that may be zero (stored as NULL).
func (d *dialect) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.timeArg(t)
}

// timeCol scans a time column written by timeArg or nullTimeArg, from either
// backend. NULL scans as the zero time.
type timeCol struct{ t *time.Time }

// Scan implements sql.Scanner.
func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return errors.New("sqlstore: unexpected time column type")
	}
	return nil
}

// retryable reports whether err is a transient failure after which the whole
// transaction may be run again: SQLite busy/locked, PostgreSQL serialization
// failure or deadlock.
func retryable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// translate maps a driver error to a *parley.Error. It is applied at every
// exit of this package: sql.ErrNoRows becomes ENOTFOUND, a unique or primary
// key violation becomes ECONFLICT, a foreign key violation (a referenced row
// is missing) becomes ENOTFOUND, a transient failure (busy, serialization)
// or an unavailable database (down, restarting, disk full) EUNAVAILABLE
// with a Retry-After, anything else EINTERNAL. *parley.Error
// values pass through unchanged.
func translate(err error, what string) error {
	if err == nil {
		return nil
	}
	var pe *parley.Error
	if errors.As(err, &pe) {
		return err
	}
	if errors.Is(err, sql.ErrNoRows) {
		return parley.WrapError(parley.ENOTFOUND, what+" not found.", err).WithKey("Not found.")
	}
	if retryable(err) {
		// Outside InTx (which retries these), a transient failure that
		// outlasted the busy timeout is reported as a temporary outage.
		return &parley.Error{Code: parley.EUNAVAILABLE, Message: "The database is busy; try again.", RetryAfter: time.Second, Err: err}
	}
	if unavailable(err) {
		return unavailableError(err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqliteConstraintUnique, sqliteConstraintPK:
			return parley.WrapError(parley.ECONFLICT, what+" already exists.", err).WithKey("This already exists.")
		case sqliteConstraintFK:
			return parley.WrapError(parley.ENOTFOUND, "A record that "+lowerFirst(what)+" refers to was not found.", err).WithKey("A record that this refers to was not found.")
		}
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505":
			return parley.WrapError(parley.ECONFLICT, what+" already exists.", err).WithKey("This already exists.")
		case "23503":
			return parley.WrapError(parley.ENOTFOUND, "A record that "+lowerFirst(what)+" refers to was not found.", err).WithKey("A record that this refers to was not found.")
		}
	}
	return parley.WrapError(parley.EINTERNAL, "Internal error.", err)
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
