package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// The fault-injection suite: 16 clients post while the database restarts,
// the disk fills up or the server is killed. Every request gets a 201 only
// when its comment is durable, every 201'd comment is stored exactly once
// afterwards, errors are 503 with Retry-After (never another 5xx), and the
// server recovers by itself.

// load is 16 clients posting comments on one story until stopped.
type load struct {
	mu        sync.Mutex
	acked     map[string]string // body -> comment id, for 201s
	statuses  map[int]int
	bad       []string // anything but a 201 with an ID or a 503 with Retry-After
	transport int      // requests that got no HTTP answer
	stop      context.CancelFunc
	wg        sync.WaitGroup
}

// startLoad starts the clients; pad makes each body that much longer.
func startLoad(base, site, story string, pad int) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{acked: map[string]string{}, statuses: map[int]int{}, stop: cancel}
	client := &http.Client{Timeout: 10 * time.Second}
	filler := strings.Repeat("Lorem ipsum dolor sit amet. ", pad/28+1)[:pad]
	for w := range 16 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf("Fault test comment from client %d number %d. %s", w, i, filler)
				in, _ := json.Marshal(map[string]any{"site": site, "story_url": story, "body": body,
					"author_name": "Client", "author_email": fmt.Sprintf("c%d@example.org", w)})
				req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/comments", bytes.NewReader(in))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("c%d-%d", w, i))
				res, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						l.mu.Lock()
						l.transport++
						l.mu.Unlock()
						time.Sleep(50 * time.Millisecond)
					}
					continue
				}
				var out struct {
					Comment struct{ ID string } `json:"comment"`
				}
				derr := json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if derr != nil && ctx.Err() != nil {
					continue // stopped while reading the answer
				}
				l.mu.Lock()
				l.statuses[res.StatusCode]++
				switch {
				case res.StatusCode == http.StatusCreated && out.Comment.ID == "":
					l.bad = append(l.bad, fmt.Sprintf("201 without a comment ID: %v", derr))
				case res.StatusCode == http.StatusCreated:
					l.acked[body] = out.Comment.ID
				case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != "":
					time.Sleep(20 * time.Millisecond)
				default: // every request is valid: anything else is a lost comment
					l.bad = append(l.bad, fmt.Sprintf("%d (Retry-After %q)", res.StatusCode, res.Header.Get("Retry-After")))
				}
				l.mu.Unlock()
			}
		}()
	}
	return l
}

// waitAcked waits until at least n comments were acknowledged.
func (l *load) waitAcked(t *testing.T, n int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		l.mu.Lock()
		got := len(l.acked)
		l.mu.Unlock()
		if got >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t.Fatalf("only %d comments acknowledged within %s (want %d); statuses %v, %d without an answer", len(l.acked), within, n, l.statuses, l.transport)
}

// finish stops the clients and checks that no error was a 5xx other than
// a 503 with Retry-After.
func (l *load) finish(t *testing.T) {
	t.Helper()
	l.stop()
	l.wg.Wait()
	if len(l.bad) > 0 {
		t.Errorf("%d responses were neither a 201 with an ID nor a 503 with Retry-After, e.g. %s; statuses %v", len(l.bad), l.bad[0], l.statuses)
	}
	t.Logf("statuses %v, %d requests without an answer, %d acknowledged", l.statuses, l.transport, len(l.acked))
}

// checkExactlyOnce checks every acknowledged comment is stored once, with
// the ID it was acknowledged with.
func (l *load) checkExactlyOnce(t *testing.T, db *sql.DB, placeholder string) {
	t.Helper()
	for body, id := range l.acked {
		var n int
		var gotID string
		if err := db.QueryRow("SELECT count(*), coalesce(max(id), '') FROM comments WHERE body = "+placeholder, body).Scan(&n, &gotID); err != nil {
			t.Fatal(err)
		}
		if n != 1 || gotID != id {
			t.Fatalf("acknowledged comment %.60q: %d rows (id %q), want exactly 1 with id %q", body, n, gotID, id)
		}
	}
}

// TestFaultPostgresRestart restarts a throw-away PostgreSQL cluster (made
// by the test with initdb, so the shared server is never touched) under 16
// posting clients.
func TestFaultPostgresRestart(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the server binary and a PostgreSQL cluster")
	}
	pg := startThrowawayPostgres(t)
	bin := buildBinary(t)
	cli(t, bin, "", "migrate", "--db", pg.dsn)
	cli(t, bin, "", "site", "add", "--db", pg.dsn, "--id", "news", "--name", "News", "--origin", "https://news.example")
	base, _ := startServer(t, bin, "--db", pg.dsn, "--rate-limit=off")

	l := startLoad(base, "news", "https://news.example/restart", 0)
	l.waitAcked(t, 60, 60*time.Second)
	pg.ctl(t, "restart", "-m", "fast")
	l.mu.Lock()
	before := len(l.acked)
	l.mu.Unlock()
	l.waitAcked(t, before+60, 60*time.Second) // the server recovers by itself
	l.finish(t)

	db, err := sql.Open("pgx", pg.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l.checkExactlyOnce(t, db, "$1")
}

// throwawayPostgres is a PostgreSQL cluster of the test's own.
type throwawayPostgres struct {
	bin, dir, dsn string
}

func (p *throwawayPostgres) ctl(t *testing.T, args ...string) {
	t.Helper()
	args = append([]string{"-u", "postgres", "--", filepath.Join(p.bin, "pg_ctl"), "-D", p.dir, "-w", "-l", filepath.Join(p.dir, "log")}, args...)
	if out, err := exec.Command("runuser", args...).CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl %v: %v\n%s", args, err, out)
	}
}

// startThrowawayPostgres runs initdb and pg_ctl from Debian's PostgreSQL
// (as the postgres user) on a free port, and stops and removes the cluster
// at cleanup. It skips when PostgreSQL's binaries or runuser are missing.
func startThrowawayPostgres(t *testing.T) *throwawayPostgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Skip("no /usr/lib/postgresql/*/bin/initdb: cannot make a throw-away PostgreSQL cluster")
	}
	if _, err := exec.LookPath("runuser"); err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and runuser to run initdb as the postgres user")
	}
	dir, err := os.MkdirTemp("", "parley-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
		t.Skipf("chown to postgres: %v %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := &throwawayPostgres{bin: filepath.Dir(bins[len(bins)-1]), dir: filepath.Join(dir, "data")}
	if out, err := exec.Command("runuser", "-u", "postgres", "--", filepath.Join(p.bin, "initdb"), "-D", p.dir, "-A", "trust", "-U", "postgres", "--no-sync").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	p.ctl(t, "start", "-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", port, dir))
	t.Cleanup(func() {
		_ = exec.Command("runuser", "-u", "postgres", "--", filepath.Join(p.bin, "pg_ctl"), "-D", p.dir, "-m", "immediate", "-w", "stop").Run()
	})
	p.dsn = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return p
}

// TestFaultSQLiteDiskFull fills up the (size-limited tmpfs) filesystem of
// the SQLite database under 16 posting clients, then frees space.
func TestFaultSQLiteDiskFull(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a size-limited tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	bin := buildBinary(t)
	cli(t, bin, "", "migrate", "--data", dir)
	cli(t, bin, "", "site", "add", "--data", dir, "--id", "news", "--name", "News", "--origin", "https://news.example")
	// Ballast the test deletes to give the disk back.
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 3<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	base, cmd := startServer(t, bin, "--data", dir, "--rate-limit=off")

	l := startLoad(base, "news", "https://news.example/full", 4000)
	deadline := time.Now().Add(90 * time.Second)
	for {
		l.mu.Lock()
		full := l.statuses[http.StatusServiceUnavailable]
		l.mu.Unlock()
		if full >= 20 {
			break
		}
		if time.Now().After(deadline) {
			l.finish(t)
			t.Fatalf("the disk never filled up: statuses %v", l.statuses)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	l.mu.Lock()
	before := len(l.acked)
	l.mu.Unlock()
	l.waitAcked(t, before+20, 60*time.Second) // recovers once there is space
	l.finish(t)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "parley.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l.checkExactlyOnce(t, db, "?")
}
