package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/parley-comments/parley/service"
)

// TestMain makes password hashing cheap for the in-process CLI tests and
// removes the binary the process tests share.
func TestMain(m *testing.M) {
	passwordHasher = service.CheapPasswordHasher
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binDir    string
	binErr    error
)

// buildBinary builds parley once per test run, for every test that runs it
// as a process.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "parley-bin-"); binErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, "parley"), ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "parley")
}

// startServer starts "parley serve" and returns its base URL and process.
func startServer(t *testing.T, bin string, args ...string) (string, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	urlc := make(chan string, 1)
	go func() {
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "listening on "); i >= 0 {
				urlc <- strings.Fields(line[i+len("listening on "):])[0]
			}
		}
	}()
	select {
	case u := <-urlc:
		return u, cmd
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

// TestKill9KeepsEveryAcknowledgedComment posts comments from many clients
// at once, kills the server with SIGKILL mid-stream, restarts it, and checks
// that every comment that got a 201 is stored exactly once.
func TestKill9KeepsEveryAcknowledgedComment(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	base, cmd := startServer(t, bin, "--data", data, "--demo", "--rate-limit=off")

	var mu sync.Mutex
	acked := map[string]string{} // body -> comment id
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				body := fmt.Sprintf("crash test comment from worker %d number %d", w, i)
				in, _ := json.Marshal(map[string]any{"site": "demo", "story_url": "https://demo.parley.example/crash", "body": body,
					"author_name": "W", "author_email": fmt.Sprintf("w%d@example.org", w)})
				req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/comments", bytes.NewReader(in))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", body)
				res, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var out struct {
					Comment struct{ ID string } `json:"comment"`
				}
				_ = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if res.StatusCode == http.StatusCreated {
					mu.Lock()
					acked[body] = out.Comment.ID
					mu.Unlock()
				}
			}
		}(w)
	}
	// Let posts flow, then kill the server without warning.
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 200 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	cancel()
	wg.Wait()

	// Restart on the same data directory: it must come up and serve.
	base2, _ := startServer(t, bin, "--data", data, "--demo")
	res, err := http.Get(base2 + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("restart health: %v %v", err, res)
	}
	res.Body.Close()

	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "parley.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for body, id := range acked {
		var n int
		var gotID string
		if err := db.QueryRow("SELECT count(*), coalesce(max(id), '') FROM comments WHERE body = ?", body).Scan(&n, &gotID); err != nil {
			t.Fatal(err)
		}
		if n != 1 || gotID != id {
			t.Fatalf("acknowledged comment %q: %d rows (id %q), want exactly 1 with id %q", body, n, gotID, id)
		}
	}
	t.Logf("%d acknowledged comments all present exactly once after kill -9", len(acked))
}
