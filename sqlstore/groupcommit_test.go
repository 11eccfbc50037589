package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

func seedSite(t *testing.T, db *DB) {
	t.Helper()
	if err := db.CreateSite(context.Background(), &parley.Site{ID: "s", Name: "S", CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
}

// TestGroupCommitKeepsEachTransactionAlone commits many concurrent
// transactions on SQLite while some members of the same batches fail (an
// error after writing, a panic after writing, a cancelled request) and
// checks that exactly the successful ones are stored, that a failed member
// left nothing behind, and that the others were not affected.
func TestGroupCommitKeepsEachTransactionAlone(t *testing.T) {
	t.Parallel()
	db, _ := testSQLite(t)
	seedSite(t, db)
	ctx := context.Background()
	errBoom := errors.New("boom")

	// The first transaction holds the writer until the others are queued,
	// so they share batches.
	release := make(chan struct{})
	holding := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- db.InTx(ctx, func(tx parley.Store) error {
			select {
			case <-holding:
			default:
				close(holding) // once: a retried run must not close it again
			}
			<-release
			return tx.CreateUser(ctx, &parley.User{ID: "first", Email: "first@x", Name: "F", CreatedAt: time.Now().UTC()})
		})
	}()

	<-holding // the others queue behind it, whatever the scheduler does

	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	panics := make([]any, n)
	started := make(chan struct{}, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			cctx := ctx
			if i%10 == 3 {
				var cancel context.CancelFunc
				cctx, cancel = context.WithCancel(ctx)
				defer cancel()
				started <- struct{}{}
				errs[i] = db.InTx(cctx, func(tx parley.Store) error {
					if err := tx.CreateUser(cctx, &parley.User{ID: fmt.Sprint("u", i), Email: fmt.Sprint(i, "@x"), Name: "U", CreatedAt: time.Now().UTC()}); err != nil {
						return err
					}
					cancel() // the request goes away mid-transaction
					return nil
				})
				return
			}
			started <- struct{}{}
			errs[i] = db.InTx(cctx, func(tx parley.Store) error {
				if err := tx.CreateUser(cctx, &parley.User{ID: fmt.Sprint("u", i), Email: fmt.Sprint(i, "@x"), Name: "U", CreatedAt: time.Now().UTC()}); err != nil {
					return err
				}
				switch i % 10 {
				case 1:
					return errBoom
				case 2:
					panic("member panics")
				case 4:
					// A duplicate email: a constraint error inside the batch.
					return tx.CreateUser(cctx, &parley.User{ID: fmt.Sprint("d", i), Email: "first@x", Name: "D", CreatedAt: time.Now().UTC()})
				}
				return nil
			})
		}()
	}
	for i := 0; i < n; i++ {
		<-started
	}
	time.Sleep(50 * time.Millisecond) // let the senders reach the writer
	close(release)
	wg.Wait()
	if err := <-held; err != nil {
		t.Fatal(err)
	}

	for i := 0; i < n; i++ {
		_, gerr := db.GetUser(ctx, fmt.Sprint("u", i))
		switch i % 10 {
		case 1:
			if !errors.Is(errs[i], errBoom) || !parley.IsCode(gerr, parley.ENOTFOUND) {
				t.Errorf("member %d failed with %v but its row: %v", i, errs[i], gerr)
			}
		case 2:
			if panics[i] != "member panics" || !parley.IsCode(gerr, parley.ENOTFOUND) {
				t.Errorf("member %d: panic %v, row %v", i, panics[i], gerr)
			}
		case 4:
			if !parley.IsCode(errs[i], parley.ECONFLICT) || !parley.IsCode(gerr, parley.ENOTFOUND) {
				t.Errorf("member %d: %v, row %v", i, errs[i], gerr)
			}
		case 3:
			// A cancelled request either committed (its statements were
			// not interrupted) or failed as a whole; never half.
			if (errs[i] == nil) != (gerr == nil) {
				t.Errorf("member %d: err %v but row %v", i, errs[i], gerr)
			}
		default:
			if errs[i] != nil || gerr != nil || panics[i] != nil {
				t.Errorf("member %d: err %v, row %v, panic %v", i, errs[i], gerr, panics[i])
			}
		}
	}
	if c, j := db.w.commits.Load(), db.w.committed.Load(); c >= j {
		t.Errorf("%d commits for %d transactions: nothing was grouped", c, j)
	} else {
		t.Logf("%d transactions in %d commits", j, c)
	}
}

// TestGroupCommitIsDurableAcrossReopen: what InTx acknowledged is in the
// file after the database is closed and opened again.
func TestGroupCommitIsDurableAcrossReopen(t *testing.T) {
	t.Parallel()
	db, path := testSQLite(t)
	seedSite(t, db)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 30; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := db.InTx(ctx, func(tx parley.Store) error {
				return tx.CreateUser(ctx, &parley.User{ID: fmt.Sprint("u", i), Email: fmt.Sprint(i, "@x"), Name: "U", CreatedAt: time.Now().UTC()})
			}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(ctx, func(parley.Store) error { return nil }); !parley.IsCode(err, parley.EUNAVAILABLE) {
		t.Fatalf("InTx after Close: %v", err)
	}
	again, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for i := 0; i < 30; i++ {
		if _, err := again.GetUser(ctx, fmt.Sprint("u", i)); err != nil {
			t.Fatalf("acknowledged user %d lost: %v", i, err)
		}
	}
}

// TestGroupCommitCheckpointsTheWAL: the writer checkpoints the WAL itself,
// before SQLite's automatic checkpoint would, so after many more frames
// than one checkpoint's worth the WAL has started over rather than grown,
// and everything acknowledged is still there after the database is closed
// and opened again.
func TestGroupCommitCheckpointsTheWAL(t *testing.T) {
	t.Parallel()
	db, path := testSQLite(t)
	seedSite(t, db)
	ctx := context.Background()
	var auto int
	if err := db.sqlDB.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&auto); err != nil || auto <= checkpointFrames {
		t.Fatalf("SQLite checkpoints automatically every %d frames (%v), before the writer would", auto, err)
	}
	const n = 1500 // each commit writes several frames: a table and two indexes, at least
	for i := range n {
		if err := db.InTx(ctx, func(tx parley.Store) error {
			return tx.CreateUser(ctx, &parley.User{ID: fmt.Sprint("u", i), Email: fmt.Sprint(i, "@x"), Name: "U", CreatedAt: time.Now().UTC()})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if db.w.checkpoints.Load() == 0 {
		t.Fatal("the writer never checkpointed")
	}
	st, err := os.Stat(path + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// One checkpoint's worth of frames, and the last commits' frames.
	if limit := int64(2*checkpointFrames) * (4096 + 24); st.Size() > limit {
		t.Fatalf("the WAL grew to %d bytes after %d commits (%d checkpoints); limit %d", st.Size(), n, db.w.checkpoints.Load(), limit)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	for _, i := range []int{0, n / 2, n - 1} {
		if _, err := again.GetUser(ctx, fmt.Sprint("u", i)); err != nil {
			t.Fatalf("acknowledged user %d lost: %v", i, err)
		}
	}
}
