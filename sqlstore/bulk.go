package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// bulkCacheKiB is the page cache of the SQLite connection that a bulk
// writer (an import) uses: an import batch touches every index of
// comments, and with SQLite's default 2 MB cache the pages spill to the WAL
// before the commit and are read back.
const bulkCacheKiB = 32 << 10

// bulkCheckpointPages is the WAL size (in pages, 40 MB) at which a bulk
// commit checkpoints: index pages that every batch touches are then copied
// to the database once per several batches rather than once per batch.
const bulkCheckpointPages = 10000

// OpenBulk returns a store for large writes (an import's batches of
// thousands of rows) and a function that releases it. On PostgreSQL it is
// db itself. On SQLite it is one connection of its own with a large page
// cache, whose transactions bypass the group commit: the group commit's
// savepoints would copy every page a batch touches into a journal. Other
// writers wait on SQLite's lock (busy_timeout) while a bulk transaction
// commits. The cache is released with the connection, so idle pooled
// connections never keep it.
func (db *DB) OpenBulk(ctx context.Context) (parley.Store, func() error, error) {
	path := strings.TrimPrefix(db.dsn, "sqlite:")
	if db.d.pg() || path == ":memory:" { // a second connection would see another in-memory database
		return db, func() error { return nil }, nil
	}
	sdb, err := sql.Open("sqlite", sqliteDSN(path)+fmt.Sprintf("&_pragma=cache_size(-%d)&_pragma=wal_autocheckpoint(%d)", bulkCacheKiB, bulkCheckpointPages))
	if err != nil {
		return nil, nil, parley.WrapError(parley.EINTERNAL, "Cannot open the database.", err)
	}
	sdb.SetMaxOpenConns(1)
	sdb.SetMaxIdleConns(1)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, nil, translate(err, "Database")
	}
	b := &DB{conn: &conn{d: db.d, db: sdb, sleep: time.Sleep, clock: db.clock}, sqlDB: sdb, dsn: db.dsn}
	return b, sdb.Close, nil
}
