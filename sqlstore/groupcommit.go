package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"github.com/parley-comments/parley"
	"modernc.org/sqlite"
)

// maxBatch bounds how many transactions one SQLite commit carries.
const maxBatch = 64

// checkpointFrames is how many WAL frames the writer commits before it
// checkpoints (SQLite's default automatic checkpoint threshold).
const checkpointFrames = 1000

// errClosed answers InTx after Close.
var errClosed = parley.Errorf(parley.EUNAVAILABLE, "The database is closed.")

// writer is SQLite's group commit. Every InTx on SQLite hands its function
// to one goroutine, which runs the functions that are waiting, one after
// another, inside one transaction, each under its own savepoint, and then
// commits them all with one fsync. So concurrent writers neither wait on
// SQLite's busy handler nor pay a sync each, and InTx still returns only
// after its writes are durable.
//
// A function that fails is rolled back to its savepoint (the first of a
// batch, which runs before any other, with the whole transaction); the
// others in the batch are unaffected. If the batch as a whole fails (the commit, or a
// savepoint that an error undid), each function that had succeeded runs
// again alone, in its own transaction with the usual retries, as InTx
// allows ("fn may run more than once").
//
// The writer checkpoints the WAL itself, after every checkpointFrames frames
// it has committed, once the batch's callers have their answer: SQLite's
// automatic checkpoint (at sqliteAutoCheckpoint frames, which the writer's
// own checkpoints keep the WAL below) ran inside the commit that crossed
// its threshold, so that batch's callers waited for the checkpoint's copy
// and its two syncs. Being the only writer, the writer lets its checkpoint
// finish, so the WAL starts over from its beginning rather than grow.
type writer struct {
	c    *conn
	jobs chan *txJob
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// frames counts the WAL frames committed since the last checkpoint.
	frames int
	// commits and committed count the batches committed and the
	// transactions they carried, checkpoints the checkpoints (read by
	// tests and benchmarks).
	commits, committed, checkpoints atomic.Int64
}

type txJob struct {
	ctx   context.Context
	fn    func(tx parley.Store) error
	err   error
	panic any
	done  chan struct{}
	// failed counts the transient failures already met, so that running
	// it alone backs off and retries as InTx would have.
	failed int
}

func newWriter(c *conn) *writer {
	w := &writer{c: c, jobs: make(chan *txJob), stop: make(chan struct{}), done: make(chan struct{})}
	go w.loop()
	return w
}

// do runs fn through the writer and waits until it is committed or failed.
func (w *writer) do(ctx context.Context, fn func(tx parley.Store) error) error {
	j := &txJob{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case w.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-w.stop:
		return errClosed
	}
	<-j.done // once taken, a job is always finished, so that its outcome is known
	if j.panic != nil {
		panic(j.panic)
	}
	return j.err
}

// close stops the writer after the batch in progress.
func (w *writer) close() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

func (w *writer) loop() {
	defer close(w.done)
	for {
		var first *txJob
		select {
		case first = <-w.jobs:
		case <-w.stop:
			return
		}
		w.batch(first)
	}
}

// batch runs first and whatever else is waiting in one transaction. The
// outcome of every job, failed or not, is delivered only once the batch's
// outcome is known, since each job saw the writes of those before it.
func (w *writer) batch(first *txJob) {
	ctx := context.Background() // a batch outlives any one request
	// A pooled connection, as a request's reads use: at one writer at a
	// time its page cache stays valid for the next request's reads.
	wc, err := w.c.db.Conn(ctx)
	if err != nil {
		w.alone([]*txJob{first})
		return
	}
	defer wc.Close()
	tx, err := wc.BeginTx(ctx, nil)
	if err != nil {
		w.alone([]*txJob{first})
		return
	}
	var ran, again []*txJob // ran: finished inside the batch; again: to run alone after it
	broken := false
	exec := func(q string) {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			broken = true // an error undid the whole transaction
		}
	}
	run := func(j *txJob) {
		if err := j.ctx.Err(); err != nil {
			j.err = err
			ran = append(ran, j)
			return
		}
		if exec("SAVEPOINT job"); broken {
			again = append(again, j)
			return
		}
		j.panic, j.err = w.call(j, w.txConn(tx))
		if j.err == nil && j.panic == nil {
			exec("RELEASE job")
		} else if exec("ROLLBACK TO job"); !broken {
			exec("RELEASE job")
		}
		if j.panic == nil && retryable(j.err) {
			j.failed++
			again = append(again, j)
			return
		}
		ran = append(ran, j)
	}
	// The first job needs no savepoint: nothing else is in the
	// transaction yet, so if it fails, the transaction is rolled back.
	// At one writer at a time, that is every job, and a savepoint costs
	// a statement journal of every page the job changes.
	if first.err = first.ctx.Err(); first.err == nil {
		first.panic, first.err = w.call(first, w.txConn(tx))
	}
	if first.err != nil || first.panic != nil {
		_ = tx.Rollback()
		if first.panic == nil && retryable(first.err) && first.ctx.Err() == nil {
			first.failed++
			w.alone([]*txJob{first})
			return
		}
		close(first.done)
		return
	}
	ran = append(ran, first)
	for len(ran)+len(again) < maxBatch && !broken {
		select {
		case j := <-w.jobs:
			run(j)
			continue
		default:
		}
		break
	}
	if !broken && tx.Commit() == nil {
		w.commits.Add(1)
		w.committed.Add(int64(len(ran)))
		for _, j := range ran {
			close(j.done)
		}
		w.checkpoint(ctx, wc)
	} else {
		// Nothing of this batch is durable: every job runs again alone.
		_ = tx.Rollback()
		again = append(ran, again...)
	}
	w.alone(again)
}

// checkpoint adds the frames the last commit wrote to the count and
// checkpoints the WAL once the count reaches checkpointFrames. A checkpoint
// that readers keep from finishing is tried again after the next commit.
func (w *writer) checkpoint(ctx context.Context, wc *sql.Conn) {
	_ = wc.Raw(func(dc any) error {
		if st, ok := dc.(sqlite.DBStatus); ok {
			n, _, _ := st.Status(sqlite.DBStatusCacheWrite, true)
			w.frames += n
		}
		return nil
	})
	if w.frames < checkpointFrames {
		return
	}
	var busy, log, done int
	if err := wc.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &done); err != nil || done < log {
		return
	}
	w.frames = 0
	w.checkpoints.Add(1)
}

// txConn is the Store a job of a batch writes through.
func (w *writer) txConn(tx *sql.Tx) *conn {
	return &conn{d: w.c.d, db: w.c.db, tx: tx, sleep: w.c.sleep, clock: w.c.clock, batched: true, stmts: w.c.stmts}
}

// call runs a job's function, turning a panic into a value.
func (w *writer) call(j *txJob, tx *conn) (p any, err error) {
	defer func() {
		if v := recover(); v != nil {
			p = v
		}
	}()
	return nil, j.fn(tx)
}

// alone runs each job in its own transaction with the usual retries.
func (w *writer) alone(jobs []*txJob) {
	for _, j := range jobs {
		var p any
		err := func() (err error) {
			defer func() {
				if v := recover(); v != nil {
					p = v
				}
			}()
			return w.c.retryTx(j.ctx, j.fn, j.failed)
		}()
		j.err, j.panic = err, p
		close(j.done)
	}
}
