package main

import (
	"bufio"
	"database/sql"
	"fmt"
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

// TestMain makes password hashing cheap for the in-process CLI tests,
// makes the CLI speak English whatever the machine's locale (tests that
// want another language pass --lang), and removes the binary the process
// tests share.
func TestMain(m *testing.M) {
	passwordHasher = service.CheapPasswordHasher
	os.Setenv("PARLEY_LANG", "en")
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

// TestKill9KeepsEveryAcknowledgedComment posts comments from 16 clients
// at once, kills the server with SIGKILL mid-stream, restarts it, and checks
// that every comment that got a 201 is stored exactly once, that no answer
// before the kill was an error, and that the restarted server takes posts.
func TestKill9KeepsEveryAcknowledgedComment(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildBinary(t)
	data := t.TempDir()
	base, cmd := startServer(t, bin, "--data", data, "--demo", "--rate-limit=off")

	l := startLoad(base, "demo", demoNewsroom+"/crash", 0)
	l.waitAcked(t, 100, 60*time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	l.finish(t)

	// Restart on the same data directory: it comes up and takes posts.
	base2, _ := startServer(t, bin, "--data", data, "--demo", "--rate-limit=off")
	l2 := startLoad(base2, "demo", demoNewsroom+"/crash-after", 0)
	l2.waitAcked(t, 30, 60*time.Second)
	l2.finish(t)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(data, "parley.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l.checkExactlyOnce(t, db, "?")
	l2.checkExactlyOnce(t, db, "?")
	t.Logf("%d acknowledged comments all present exactly once after kill -9", len(l.acked))
}
