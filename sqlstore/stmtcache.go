package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// maxCachedStmts bounds the statement cache: queries built with a varying
// number of placeholders (IN lists) would otherwise grow it without end.
const maxCachedStmts = 512

// stmtCache keeps SQLite statements prepared. modernc.org/sqlite parses a
// statement's text on every unprepared call, and parsing was a fifth of the
// CPU of posting a comment; a statement prepared once through the pool is
// prepared on each pooled connection at most once (database/sql keeps it per
// connection, and a transaction reuses its connection's copy). PostgreSQL
// needs none: pgx caches its prepared statements per connection itself.
type stmtCache struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement for query, preparing it first, or nil
// when it is not to be cached (a script of several statements, a full
// cache) or cannot be prepared; the caller then runs the query unprepared,
// which reports any error as before.
func (sc *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	sc.mu.RLock()
	st, ok := sc.m[query]
	sc.mu.RUnlock()
	if ok {
		return st
	}
	if strings.Contains(query, ";") {
		return nil
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if st, ok := sc.m[query]; ok {
		return st
	}
	if len(sc.m) >= maxCachedStmts {
		return nil
	}
	st, err := sc.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	sc.m[query] = st
	return st
}

// close closes every cached statement.
func (sc *stmtCache) close() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	for q, st := range sc.m {
		st.Close()
		delete(sc.m, q)
	}
}

// stmt returns query prepared for c (inside c's transaction, if any), or
// nil if it is to run unprepared.
func (c *conn) stmt(ctx context.Context, query string) *sql.Stmt {
	if c.stmts == nil {
		return nil
	}
	st := c.stmts.get(ctx, query)
	if st == nil || c.tx == nil {
		return st
	}
	// Closed with the transaction; reuses the statement already prepared
	// on the transaction's connection.
	return c.tx.StmtContext(ctx, st)
}
