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
//
// Preparing takes a pooled connection. A caller inside a transaction
// already holds one, so it never waits for another: it runs its statement
// unprepared and has it prepared in the background for next time. No lock
// is held while preparing.
type stmtCache struct {
	db      *sql.DB
	mu      sync.RWMutex
	m       map[string]*sql.Stmt
	pending map[string]bool // being prepared in the background
	closed  bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for query, or nil when the caller is
// to run it unprepared: a script of several statements, a full cache, a
// statement that does not prepare (running it reports the error), or one
// not prepared yet when wait is false (it is then prepared in the
// background).
func (sc *stmtCache) get(ctx context.Context, query string, wait bool) *sql.Stmt {
	sc.mu.RLock()
	st, ok := sc.m[query]
	sc.mu.RUnlock()
	if ok {
		return st
	}
	if strings.Contains(query, ";") {
		return nil
	}
	if !wait {
		sc.prepareLater(query)
		return nil
	}
	return sc.prepare(ctx, query)
}

func (sc *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	sc.mu.RLock()
	full := sc.closed || len(sc.m) >= maxCachedStmts
	sc.mu.RUnlock()
	if full {
		return nil
	}
	st, err := sc.db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if old, ok := sc.m[query]; ok {
		st.Close()
		return old
	}
	if sc.closed || len(sc.m) >= maxCachedStmts {
		st.Close()
		return nil
	}
	sc.m[query] = st
	return st
}

func (sc *stmtCache) prepareLater(query string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.closed || sc.pending[query] || len(sc.pending) >= maxCachedStmts {
		return
	}
	sc.pending[query] = true
	go func() {
		sc.prepare(context.Background(), query)
		sc.mu.Lock()
		delete(sc.pending, query)
		sc.mu.Unlock()
	}()
}

// close closes every cached statement; nothing is cached after it.
func (sc *stmtCache) close() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.closed = true
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
	st := c.stmts.get(ctx, query, c.tx == nil)
	if st == nil || c.tx == nil {
		return st
	}
	// Closed with the transaction; reuses the statement already prepared
	// on the transaction's connection.
	return c.tx.StmtContext(ctx, st)
}
