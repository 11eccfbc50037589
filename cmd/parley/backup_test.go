package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
)

// TestBackupWhileEightClientsPost backs the database up with the CLI while
// eight clients post, then restores it into a new data directory: the
// restored database passes integrity_check and holds every comment
// acknowledged before the backup started.
func TestBackupWhileEightClientsPost(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	db, err := sqlstore.Open(ctx, filepath.Join(data, "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Options{Store: db, Clock: parley.SystemClock{}})
	if _, err := svc.CreateSite(ctx, "news", "News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		acked []string
		stop  atomic.Bool
		wg    sync.WaitGroup
		posts atomic.Int64
	)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				res, err := svc.Post(ctx, service.Author{ClientIP: "192.0.2.1", ClientKey: fmt.Sprintf("c%d", w)}, service.PostInput{
					SiteID: "news", StoryURL: fmt.Sprintf("https://news.example/s%d", i%5), GuestName: "Reader",
					GuestEmail: fmt.Sprintf("r%d@example.org", w), Body: fmt.Sprintf("client %d comment %d", w, i), ComposeMillis: 20000})
				if err != nil {
					if parley.IsCode(err, parley.EUNAVAILABLE) {
						continue // busy: not acknowledged
					}
					t.Errorf("post: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, res.Comment.ID)
				mu.Unlock()
				posts.Add(1)
			}
		}()
	}
	for posts.Load() < 40 {
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "backup.db")
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"backup", "--data", data, "--out", out}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v\n%s", err, stderr.String())
	}
	for posts.Load() < int64(len(before))+40 {
		time.Sleep(5 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if !strings.Contains(stdout.String(), "integrity_check ok") {
		t.Errorf("backup output: %s", stdout.String())
	}

	// Restore into a new data directory, then refuse to overwrite it.
	target := t.TempDir()
	stdout.Reset()
	if err := run(ctx, []string{"restore", "--data", target, out}, nil, &stdout, &stderr); err != nil {
		t.Fatalf("restore: %v", err)
	}
	if err := run(ctx, []string{"restore", "--data", target, out}, nil, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over a database without --force: %v", err)
	}
	if err := run(ctx, []string{"restore", "--force", "--data", target, out}, nil, &stdout, &stderr); err != nil {
		t.Errorf("restore --force: %v", err)
	}
	sum, err := sqlstore.VerifyBackup(ctx, filepath.Join(target, "parley.db"))
	if err != nil || sum.Integrity != "ok" {
		t.Fatalf("restored database: %+v %v", sum, err)
	}
	rdb, err := sqlstore.Open(ctx, filepath.Join(target, "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	for _, id := range before {
		if _, err := rdb.GetComment(ctx, id); err != nil {
			t.Fatalf("comment %s, acknowledged before the backup, is missing from it: %v", id, err)
		}
	}
	t.Logf("%d comments acknowledged before the backup, %d in it, %d posted in all", len(before), sum.Rows["comments"], posts.Load())

	// A damaged file is refused before anything is touched.
	bad := filepath.Join(t.TempDir(), "bad.db")
	os.WriteFile(bad, []byte("not a database at all, just text that is long enough"), 0o600)
	if err := run(ctx, []string{"restore", "--force", "--data", target, bad}, nil, &stdout, &stderr); err == nil {
		t.Error("a damaged backup was restored")
	}
	// A running server's data directory is refused even with --force.
	unlock, ok, err := lockData(target)
	if err != nil || !ok {
		t.Fatal(err)
	}
	defer unlock()
	if err := run(ctx, []string{"restore", "--force", "--data", target, out}, nil, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "running") {
		t.Errorf("restore under a running server: %v", err)
	}
}
