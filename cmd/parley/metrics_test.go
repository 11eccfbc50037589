package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestMetricsListenAddress: metrics are off by default, on their own
// listener with --metrics-addr, and on loopback when no host is given;
// the public listener never serves them.
func TestMetricsListenAddress(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{":9090": "127.0.0.1:9090", "0.0.0.0:9090": "0.0.0.0:9090", "[::1]:1": "[::1]:1"} {
		if got, err := metricsListenAddr(context.Background(), in); err != nil || got != want {
			t.Errorf("metricsListenAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := metricsListenAddr(context.Background(), "9090"); err == nil {
		t.Error("a bare port was accepted")
	}
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	bin := buildBinary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--metrics-addr", ":0", "--data", t.TempDir(), "--migrate")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var base, metrics string
	for base == "" || metrics == "" {
		select {
		case l := <-lines:
			if _, u, ok := strings.Cut(l, "listening on "); ok {
				base = strings.Fields(u)[0]
			}
			if _, u, ok := strings.Cut(l, "metrics on "); ok {
				metrics = strings.Fields(u)[0]
			}
		case <-time.After(60 * time.Second):
			t.Fatal("server did not start")
		}
	}
	if !strings.HasPrefix(metrics, "http://127.0.0.1:") {
		t.Fatalf("metrics on %s, want loopback", metrics)
	}
	get := func(u string) (int, string) {
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get(metrics); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics listener: %d", code)
	}
	if code, _ := get(base + "/metrics"); code != http.StatusNotFound {
		t.Fatalf("public listener serves /metrics: %d", code)
	}
}
