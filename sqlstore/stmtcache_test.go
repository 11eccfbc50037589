package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

// TestStatementCache: on SQLite a statement run outside a transaction is
// kept prepared and reused; one first run inside a transaction runs
// unprepared and is prepared for next time; scripts are never kept; and
// the answers are the same either way.
func TestStatementCache(t *testing.T) {
	t.Parallel()
	db, _ := testSQLite(t)
	ctx := context.Background()
	sc := db.stmts
	if sc == nil {
		t.Fatal("no statement cache on SQLite")
	}
	cached := func(q string) bool {
		sc.mu.RLock()
		defer sc.mu.RUnlock()
		_, ok := sc.m[q]
		return ok
	}
	const q = `SELECT COUNT(*) FROM sites WHERE id <> ?`
	for i := 0; i < 3; i++ {
		var n int
		if err := db.queryRow(ctx, q, "x").Scan(&n); err != nil || n != 0 {
			t.Fatalf("run %d: %d sites, %v", i, n, err)
		}
	}
	if !cached(q) {
		t.Fatal("a statement run outside a transaction was not kept prepared")
	}
	const inTx = `SELECT COUNT(*) FROM sites WHERE name <> ?`
	for i := 0; i < 2; i++ {
		err := db.InTx(ctx, func(tx parley.Store) error {
			if err := tx.CreateSite(ctx, &parley.Site{ID: string(rune('a' + i)), Name: "S", CreatedAt: time.Now().UTC()}); err != nil {
				return err
			}
			var n int
			if err := tx.(*conn).queryRow(ctx, inTx, "x").Scan(&n); err != nil || n != i+1 {
				t.Errorf("in a transaction, run %d: %d sites, %v", i, n, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !cached(inTx) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !cached(inTx) {
		t.Fatal("a statement first run in a transaction was never prepared")
	}
	const script = `SELECT 1; SELECT 2`
	if _, err := db.exec(ctx, script); err != nil {
		t.Fatal(err)
	}
	if cached(script) {
		t.Fatal("a script of two statements was kept")
	}
}
