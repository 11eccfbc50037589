package sqlstore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

const killChildEnv = "PARLEY_SQLSTORE_KILL_CHILD"

func seedSiteStory(t *testing.T, db *sqlstore.DB) (*parley.Site, *parley.Story) {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	site := &parley.Site{ID: "site", Name: "s", CreatedAt: now}
	story := &parley.Story{ID: "story", SiteID: site.ID, URL: "https://s.example/1", CreatedAt: now}
	if err := db.CreateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateStory(ctx, story); err != nil {
		t.Fatal(err)
	}
	return site, story
}

// TestSQLiteKill9KeepsAcknowledgedWrites runs a child process that writes
// comments and prints each ID once CreateComment has returned, kills it
// with SIGKILL mid-stream, and checks that every acknowledged comment is in
// the database and the database is intact. (Power loss cannot be simulated
// here; synchronous=FULL is what covers it, see docs/storage.md.)
func TestSQLiteKill9KeepsAcknowledgedWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "kill.db")
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	seedSiteStory(t, db)
	db.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 300 {
		if line := sc.Text(); len(line) == 26 {
			acked = append(acked, line)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("child acknowledged only %d writes", len(acked))
	}

	db, err = sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	for _, id := range acked {
		if _, err := db.GetComment(ctx, id); err != nil {
			t.Fatalf("acknowledged comment %s lost after kill -9: %v", id, err)
		}
	}
}

// TestSQLiteKillChild is the child process of the kill -9 test; it is
// skipped in a normal run.
func TestSQLiteKillChild(t *testing.T) {
	t.Parallel()
	path := os.Getenv(killChildEnv)
	if path == "" {
		t.Skip("helper process for TestSQLiteKill9KeepsAcknowledgedWrites")
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		now := time.Now()
		c := &parley.Comment{ID: parley.NewID(now), SiteID: "site", StoryID: "story", Status: parley.StatusPending,
			Body: fmt.Sprintf("c%d", i), CreatedAt: now, UpdatedAt: now}
		if err := db.CreateComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(os.Stdout, c.ID) // os.Stdout is unbuffered: printed only after the commit returned
	}
}

// TestSQLiteTwoHandlesOneFile writes from two independent pools on one
// database file at once, as two processes would: busy waits and InTx
// retries must let every write through.
func TestSQLiteTwoHandlesOneFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "two.db")
	var dbs []*sqlstore.DB
	for i := 0; i < 2; i++ {
		db, err := sqlstore.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
	}
	site, story := seedSiteStory(t, dbs[0])
	const perWorker = 40
	var wg sync.WaitGroup
	errs := make(chan error, 8*perWorker)
	for w := 0; w < 8; w++ {
		db := dbs[w%2]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWorker; i++ {
				err := db.InTx(ctx, func(tx parley.Store) error {
					now := time.Now()
					c := &parley.Comment{ID: parley.NewID(now), SiteID: site.ID, StoryID: story.ID, Status: parley.StatusApproved, CreatedAt: now, UpdatedAt: now}
					if err := tx.CreateComment(ctx, c); err != nil {
						return err
					}
					_, err := tx.CountApproved(ctx, story.ID)
					return err
				})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, db := range dbs {
		n, err := db.CountApproved(ctx, story.ID)
		if err != nil || n != 8*perWorker {
			t.Fatalf("CountApproved = %d, %v; want %d", n, err, 8*perWorker)
		}
	}
}
