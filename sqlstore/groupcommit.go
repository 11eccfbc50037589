package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"

	"github.com/parley-comments/parley"
)

// maxBatch bounds how many transactions one SQLite commit carries.
const maxBatch = 64

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
type writer struct {
	c    *conn
	jobs chan *txJob
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// commits and committed count the batches committed and the
	// transactions they carried (read by tests and benchmarks).
	commits, committed atomic.Int64
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
	tx, err := w.c.db.BeginTx(ctx, nil)
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
	} else {
		// Nothing of this batch is durable: every job runs again alone.
		_ = tx.Rollback()
		again = append(ran, again...)
	}
	w.alone(again)
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
