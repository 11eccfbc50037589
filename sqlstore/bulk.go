package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/parley-comments/parley"
)

// bulkCacheKiB is the page cache of the SQLite connection that a bulk
// writer (an import) uses: an import batch touches every index of
// comments, and with SQLite's default 2 MB cache the pages spill to the WAL
// before the commit and are read back.
const bulkCacheKiB = 32 << 10

// bulkCheckpointEvery is how often the checkpointer of a bulk writer copies
// the WAL's new pages into the database (a passive checkpoint, beside the
// writer), and bulkRestartPages the WAL size (in pages, 200 MB) at which it
// makes the next transaction start the WAL again from its beginning.
const (
	bulkCheckpointEvery = 100 * time.Millisecond
	bulkRestartPages    = 50000
)

// OpenBulk returns a store for large writes (an import's batches of
// thousands of rows) and a function that releases it. On PostgreSQL it is
// db itself. On SQLite it is one connection of its own with a large page
// cache, whose transactions bypass the group commit: the group commit's
// savepoints would copy every page a batch touches into a journal. Other
// writers wait on SQLite's lock (busy_timeout) while a bulk transaction
// commits. The cache is released with the connection, so idle pooled
// connections never keep it.
//
// The bulk connection's commits do not checkpoint: a checkpointer on a
// connection of its own copies the WAL into the database while the writer
// goes on (on the other core), so a batch's commit is only its WAL write
// and fsync. Each commit is durable when it returns, as with every other
// write (synchronous=FULL); the checkpoint only moves pages from the WAL to
// the database file. The WAL stays under about bulkRestartPages: past it,
// the checkpointer holds the writer's next transaction back (the writer
// would otherwise take SQLite's lock again at once, and the checkpointer
// never get it), waits for the current one to end, finishes the
// checkpoint, and the next transaction writes the WAL from its start.
// Release stops the checkpointer after a last full checkpoint, which
// truncates the WAL.
func (db *DB) OpenBulk(ctx context.Context) (parley.Store, func() error, error) {
	return db.openBulk(ctx, bulkRestartPages)
}

// openBulk is OpenBulk with the WAL size (in pages) at which the
// checkpointer restarts it.
func (db *DB) openBulk(ctx context.Context, restartPages int) (parley.Store, func() error, error) {
	path := strings.TrimPrefix(db.dsn, "sqlite:")
	if db.d.pg() || path == ":memory:" { // a second connection would see another in-memory database
		return db, func() error { return nil }, nil
	}
	open := func(pragmas string) (*sql.DB, error) {
		sdb, err := sql.Open("sqlite", sqliteDSN(path)+pragmas)
		if err != nil {
			return nil, parley.WrapError(parley.EINTERNAL, "Cannot open the database.", err)
		}
		sdb.SetMaxOpenConns(1)
		sdb.SetMaxIdleConns(1)
		if err := sdb.PingContext(ctx); err != nil {
			sdb.Close()
			return nil, translate(err, "Database")
		}
		return sdb, nil
	}
	sdb, err := open(fmt.Sprintf("&_pragma=cache_size(-%d)&_pragma=wal_autocheckpoint(0)", bulkCacheKiB))
	if err != nil {
		return nil, nil, err
	}
	cdb, err := open("")
	if err != nil {
		sdb.Close()
		return nil, nil, err
	}
	stop, done := make(chan struct{}), make(chan struct{})
	gate := new(sync.RWMutex)
	go func() {
		defer close(done)
		checkpointLoop(cdb, restartPages, gate, stop)
	}()
	b := &bulkStore{Store: &DB{conn: &conn{d: db.d, db: sdb, sleep: time.Sleep, clock: db.clock}, sqlDB: sdb, dsn: db.dsn}, gate: gate}
	release := func() error {
		close(stop)
		<-done
		_, err := cdb.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
		return errors.Join(translate(err, "Checkpoint"), cdb.Close(), sdb.Close())
	}
	return b, release, nil
}

// bulkStore is the bulk connection's store: its transactions and the
// checkpointer's WAL restarts take turns.
type bulkStore struct {
	parley.Store
	gate *sync.RWMutex
}

// InTx runs fn in a transaction, read-holding gate: a restart waits for it
// to end, and the next one waits for the restart (a pending Lock holds new
// RLocks back).
func (b *bulkStore) InTx(ctx context.Context, fn func(tx parley.Store) error) error {
	b.gate.RLock()
	defer b.gate.RUnlock()
	return b.Store.InTx(ctx, fn)
}

// checkpointLoop checkpoints the WAL through cdb every bulkCheckpointEvery
// until stop is closed, and restarts it past restartPages, holding gate so
// that the bulk writer lets it. A failed checkpoint is retried at the next
// tick: the WAL then only grows, and SQLite still reads it correctly.
func checkpointLoop(cdb *sql.DB, restartPages int, gate *sync.RWMutex, stop <-chan struct{}) {
	t := time.NewTicker(bulkCheckpointEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		var busy, frames, copied int
		if err := cdb.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil || frames < restartPages {
			continue
		}
		// With the writer held back, RESTART copies what is left and
		// makes the next transaction start the WAL from its beginning.
		gate.Lock()
		_, _ = cdb.Exec(`PRAGMA wal_checkpoint(RESTART)`)
		gate.Unlock()
	}
}
