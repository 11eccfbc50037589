package sqlstore

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/parley-comments/parley"
	"modernc.org/sqlite"
)

// SQLite primary result codes that mean the database cannot write now.
const (
	sqliteIOErr    = 10
	sqliteFull     = 13
	sqliteCantOpen = 14
)

// UnavailableRetryAfter is the Retry-After given with EUNAVAILABLE when
// the database is down, restarting or out of disk space.
const UnavailableRetryAfter = 2 * time.Second

// unavailable reports whether err means the database cannot be reached or
// cannot write right now: PostgreSQL restarting or shutting down, a lost
// connection, a full disk. The same request can succeed later, so it is a
// 503 with Retry-After, never a 500.
func unavailable(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqliteIOErr, sqliteFull, sqliteCantOpen:
			return true
		}
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// 08: connection exception; 53: insufficient resources (disk full,
		// too many connections); 57P01-57P05: shutdown, crash recovery,
		// cannot connect now; 58030: I/O error.
		return strings.HasPrefix(pe.Code, "08") || strings.HasPrefix(pe.Code, "53") || strings.HasPrefix(pe.Code, "57P") || pe.Code == "58030"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ENOSPC):
		return true
	}
	// pgx reports a connection it closed after an error this way.
	return pgconn.SafeToRetry(err) || strings.Contains(err.Error(), "conn closed")
}

// unavailableError is the EUNAVAILABLE for an unavailable database.
func unavailableError(err error) error {
	return &parley.Error{Code: parley.EUNAVAILABLE, Message: "The database is unavailable for a moment; please try again.",
		RetryAfter: UnavailableRetryAfter, Err: err}
}
