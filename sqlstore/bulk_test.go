package sqlstore

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

// A bulk writer's commits do not checkpoint; its checkpointer copies the
// WAL into the database beside it, restarts the WAL once it is large, and
// truncates it when the bulk store is released. What the writer committed
// is there for other connections, and the database checks out.
func TestBulkCheckpointsBesideTheWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, path := testSQLite(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := db.CreateSite(ctx, &parley.Site{ID: "s", Name: "S", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	before := st.Size()
	bulk, release, err := db.openBulk(ctx, 40)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{7}, 64<<10) // 16 pages
	const txs = 20
	for i := range txs {
		id := parley.NewID(now.Add(time.Duration(i) * time.Second))
		err := bulk.InTx(ctx, func(tx parley.Store) error {
			if err := tx.CreateImportJob(ctx, &parley.ImportJob{ID: id, SiteID: "s", Format: "disqus", FileName: "f", ActorID: "u", ActorName: "A",
				State: parley.ImportUploading, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			return tx.AddImportUploadChunk(ctx, id, 0, chunk)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// The database file grows only by checkpoints, which the writer's
	// commits no longer make.
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > before+int64(len(chunk)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint beside the bulk writer: database file %d bytes, was %d", st.Size(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path + "-wal"); err == nil && st.Size() != 0 {
		t.Errorf("WAL of %d bytes after the bulk store's release, want it truncated", st.Size())
	}
	var n int
	if err := db.sqlDB.QueryRow(`SELECT count(*) FROM import_uploads`).Scan(&n); err != nil || n != txs {
		t.Fatalf("%d chunks (%v), want %d", n, err, txs)
	}
	var ok string
	if err := db.sqlDB.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check: %q %v", ok, err)
	}
}
