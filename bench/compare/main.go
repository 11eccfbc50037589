// Command compare runs Parley and a peer comment server (remark42, given by
// the path of its binary) through the same workload on loopback, taking
// turns rep by rep, and prints each figure with the ratio Parley/peer:
//
//   - ready after start: from exec to the first good answer, on an empty
//     data directory and on a seeded one;
//   - idle memory: resident set size after the seeded start, idle;
//   - POST a new comment with 1, 4 and 16 clients: requests/s and p99;
//   - GET a 200-comment story, anonymous and signed-in: requests/s.
//
// It is run by bench/compare.sh, which builds Parley and the seeder:
//
//	PEER_BIN=/path/to/remark42 bash bench/compare.sh
//
// Parley is seeded with bench/seed (10,220 approved comments, one story of
// 200); the peer through its API (the same 200-comment story and a
// 20-comment one). Rate limits are off in both.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func main() {
	parleyBin := flag.String("parley", "", "path of the parley binary")
	seedBin := flag.String("seed", "", "path of the bench/seed binary")
	peerBin := flag.String("peer", "", "path of the peer (remark42) binary")
	reps := flag.Int("reps", 3, "interleaved repetitions")
	dur := flag.Duration("duration", 8*time.Second, "length of each load run")
	flag.Parse()
	if *parleyBin == "" || *seedBin == "" || *peerBin == "" {
		fmt.Fprintln(os.Stderr, "compare: -parley, -seed and -peer are required")
		os.Exit(2)
	}
	tmp, err := os.MkdirTemp("", "parley-compare-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(tmp)
	systems := []system{&parleySys{bin: *parleyBin, seed: *seedBin}, &peerSys{bin: *peerBin}}
	results := map[string]map[string][]float64{} // system -> metric -> values
	for r := 0; r < *reps; r++ {
		order := systems
		if r%2 == 1 {
			order = []system{systems[1], systems[0]}
		}
		for _, s := range order {
			fmt.Fprintf(os.Stderr, "rep %d: %s\n", r+1, s.name())
			m, err := runOne(s, filepath.Join(tmp, fmt.Sprintf("%s-%d", s.name(), r)), *dur)
			if err != nil {
				fail(fmt.Errorf("%s: %w", s.name(), err))
			}
			if results[s.name()] == nil {
				results[s.name()] = map[string][]float64{}
			}
			for k, v := range m {
				results[s.name()][k] = append(results[s.name()][k], v)
			}
		}
	}
	report(results, *reps, *dur)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "compare:", err)
	os.Exit(1)
}

// system is one server under test.
type system interface {
	name() string
	// start starts the server on dir (seeded or not) and returns it once
	// it answers.
	start(dir string, port int) (*proc, error)
	// seed fills dir (stopped: Parley) or the running server (the peer).
	seedStopped(dir string) error
	seedRunning(p *proc) error
	// post sends one new comment; n makes it unique.
	post(c *http.Client, p *proc, n int64) error
	// readStory reads the 200-comment story, signed in or not.
	readStory(c *http.Client, p *proc, signedIn bool) error
	// signIn prepares the signed-in reader.
	signIn(p *proc) error
}

// proc is a running server.
type proc struct {
	cmd   *exec.Cmd
	base  string
	ready time.Duration
	token string // the signed-in reader's credential
	dir   string
}

func (p *proc) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// rssMiB is the process's resident set size.
func (p *proc) rssMiB() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// launch starts cmd and polls url until it answers 200; ready is measured
// from just before exec.
func launch(cmd *exec.Cmd, base, probe string) (*proc, error) {
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, base: base}
	c := &http.Client{Timeout: time.Second}
	for time.Since(t0) < 60*time.Second {
		if res, err := c.Get(base + probe); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				p.ready = time.Since(t0)
				return p, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("did not become ready: %s", logs.String())
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// runOne runs the whole workload on one system and returns its figures.
func runOne(s system, dir string, dur time.Duration) (map[string]float64, error) {
	m := map[string]float64{}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	// Empty start.
	empty := filepath.Join(dir, "empty")
	_ = os.MkdirAll(empty, 0o755)
	p, err := s.start(empty, freePort())
	if err != nil {
		return nil, err
	}
	m["ready_empty_ms"] = float64(p.ready.Milliseconds())
	p.stop()

	// Seeded start, idle memory, then load.
	data := filepath.Join(dir, "data")
	_ = os.MkdirAll(data, 0o755)
	if err := s.seedStopped(data); err != nil {
		return nil, err
	}
	port := freePort()
	if p, err = s.start(data, port); err != nil {
		return nil, err
	}
	if err := s.seedRunning(p); err != nil {
		p.stop()
		return nil, err
	}
	p.stop()
	if p, err = s.start(data, port); err != nil {
		return nil, err
	}
	defer p.stop()
	m["ready_seeded_ms"] = float64(p.ready.Milliseconds())
	time.Sleep(3 * time.Second)
	m["idle_rss_mib"] = p.rssMiB()

	var seq atomic.Int64
	for _, clients := range []int{1, 4, 16} {
		// A failed post (a peer's 504 under load, say) is counted, not
		// fatal: the table shows it, and its wait counts in the p99.
		rps, p99, errs := load(clients, dur, func(c *http.Client) error { return s.post(c, p, seq.Add(1)) })
		m[fmt.Sprintf("post_%d_rps", clients)] = rps
		m[fmt.Sprintf("post_%d_p99_ms", clients)] = p99
		m[fmt.Sprintf("post_%d_failed", clients)] = float64(errs)
	}
	if err := s.signIn(p); err != nil {
		return nil, err
	}
	for _, signed := range []bool{false, true} {
		rps, _, errs := load(16, dur, func(c *http.Client) error { return s.readStory(c, p, signed) })
		if errs > 0 {
			return nil, fmt.Errorf("%d failed reads", errs)
		}
		if signed {
			m["story200_signed_rps"] = rps
		} else {
			m["story200_anon_rps"] = rps
		}
	}
	m["story200_signed_share"] = m["story200_signed_rps"] / m["story200_anon_rps"]
	m["rss_after_load_mib"] = p.rssMiB()
	return m, nil
}

// load runs fn from n clients for d and returns successful requests/s,
// the p99 latency in ms of every request (failed ones included) and the
// number of failed requests.
func load(n int, d time.Duration, fn func(c *http.Client) error) (rps, p99 float64, errs int64) {
	var mu sync.Mutex
	var lat []time.Duration
	var failed atomic.Int64
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			var mine []time.Duration
			for time.Now().Before(end) {
				t0 := time.Now()
				err := fn(c)
				mine = append(mine, time.Since(t0))
				if err != nil {
					if failed.Add(1) == 1 {
						fmt.Fprintln(os.Stderr, "request failed:", err)
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		return 0, 0, failed.Load()
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return float64(int64(len(lat))-failed.Load()) / d.Seconds(), float64(lat[len(lat)*99/100].Microseconds()) / 1000, failed.Load()
}

// do sends a request and fails unless the status is want.
func do(c *http.Client, req *http.Request, want int) error {
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, res.StatusCode, b)
	}
	return nil
}

func jsonReq(method, url string, body any) *http.Request {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(context.Background(), method, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func commentText(n int64) string {
	return fmt.Sprintf("Load test comment %d about the reopening of the rail line and what it means for trade.", n)
}

// parleySys is Parley.
type parleySys struct{ bin, seed string }

func (s *parleySys) name() string { return "parley" }

func (s *parleySys) start(dir string, port int) (*proc, error) {
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(s.bin, "serve", "--data", dir, "--migrate", "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--rate-limit=off", "--log-level=warn")
	p, err := launch(cmd, base, "/healthz")
	if p != nil {
		p.dir = dir
	}
	return p, err
}

func (s *parleySys) seedStopped(dir string) error {
	out, err := exec.Command(s.seed, "-db", filepath.Join(dir, "parley.db")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("seed: %v %s", err, out)
	}
	return nil
}

func (s *parleySys) seedRunning(*proc) error { return nil }

func (s *parleySys) post(c *http.Client, p *proc, n int64) error {
	return do(c, jsonReq("POST", p.base+"/api/v1/comments", map[string]any{"site": "bench",
		"story_url": fmt.Sprintf("https://bench.example/s/%d", n%500), "body": commentText(n),
		"author_name": "Load", "author_email": fmt.Sprintf("load%d@example.org", n), "compose_ms": 30000}), http.StatusCreated)
}

// signIn makes an account, signs it in, and gives it a pending comment on
// the story, so that its reads carry its own overlay.
func (s *parleySys) signIn(p *proc) error {
	// The CLI gives every account a role somewhere: an author on another
	// site, so that on the benchmark site the account is a plain reader.
	if out, err := exec.Command(s.bin, "site", "add", "--data", p.dir, "--id", "elsewhere", "--name", "Elsewhere", "--origin", "https://elsewhere.example").CombinedOutput(); err != nil {
		return fmt.Errorf("site add: %v %s", err, out)
	}
	cmd := exec.Command(s.bin, "user", "add", "--data", p.dir, "--email", "reader@example.org", "--name", "Reader",
		"--role", "author", "--site", "elsewhere", "--password-stdin")
	cmd.Stdin = strings.NewReader("bench-reader-password\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("user add: %v %s", err, out)
	}
	res, err := http.DefaultClient.Do(jsonReq("POST", p.base+"/api/v1/auth/login", map[string]string{"email": "reader@example.org", "password": "bench-reader-password"}))
	if err != nil {
		return err
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		return fmt.Errorf("login: %d %v", res.StatusCode, err)
	}
	p.token = out.Token
	req := jsonReq("POST", p.base+"/api/v1/comments", map[string]any{"site": "bench", "story_url": "https://bench.example/big",
		"body": "The signed-in reader's own comment, awaiting moderation.", "compose_ms": 30000})
	req.Header.Set("Authorization", "Bearer "+p.token)
	return do(http.DefaultClient, req, http.StatusCreated)
}

func (s *parleySys) readStory(c *http.Client, p *proc, signedIn bool) error {
	req, _ := http.NewRequest("GET", p.base+"/api/v1/comments?site=bench&story_url=https://bench.example/big&limit=500", nil)
	if signedIn {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	return do(c, req, http.StatusOK)
}

// peerSys is remark42.
type peerSys struct{ bin string }

const peerSecret = "bench-shared-secret"

func (s *peerSys) name() string { return "peer" }

func (s *peerSys) start(dir string, port int) (*proc, error) {
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(s.bin, "server", "--secret="+peerSecret, "--url="+base, fmt.Sprintf("--port=%d", port),
		"--address=127.0.0.1", "--site=remark", "--store.bolt.path="+filepath.Join(dir, "var"),
		"--backup="+filepath.Join(dir, "backup"), "--avatar.fs.path="+filepath.Join(dir, "avatars"),
		"--image.fs.path="+filepath.Join(dir, "pictures"), "--update-limit=1000000", "--auth.anon")
	p, err := launch(cmd, base, "/ping")
	if p != nil {
		p.dir = dir
		p.token = peerToken("anonymous_bench_writer")
	}
	return p, err
}

// peerToken is a remark42 user JWT for id, signed with the shared secret.
func peerToken(id string) string {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"aud": "remark", "iss": "remark42",
		"exp": time.Now().Add(24 * time.Hour).Unix(), "iat": time.Now().Unix(), "jti": id,
		"user": map[string]any{"name": "Bench " + id, "id": id, "picture": "", "attrs": map[string]any{"admin": false, "blocked": false}}})
	s, err := t.SignedString([]byte(peerSecret))
	if err != nil {
		fail(err)
	}
	return s
}

func (s *peerSys) seedStopped(string) error { return nil }

func (s *peerSys) seedRunning(p *proc) error {
	c := &http.Client{}
	for i := 0; i < 220; i++ {
		url := "https://bench.example/big"
		if i >= 200 {
			url = "https://bench.example/small"
		}
		req := jsonReq("POST", p.base+"/api/v1/comment?site=remark", map[string]any{"text": commentText(int64(-i)), "locator": map[string]string{"site": "remark", "url": url}})
		req.Header.Set("X-JWT", p.token)
		if err := do(c, req, http.StatusCreated); err != nil {
			return err
		}
	}
	return nil
}

func (s *peerSys) post(c *http.Client, p *proc, n int64) error {
	req := jsonReq("POST", p.base+"/api/v1/comment?site=remark", map[string]any{"text": commentText(n),
		"locator": map[string]string{"site": "remark", "url": fmt.Sprintf("https://bench.example/s/%d", n%500)}})
	req.Header.Set("X-JWT", p.token)
	spreadIP(req)
	return do(c, req, http.StatusCreated)
}

// ipSeq numbers the client addresses the peer is told.
var ipSeq atomic.Uint32

// spreadIP gives each peer request its own client address (X-Real-IP,
// which remark42 trusts when no --trusted-proxy is set), so that its
// per-address limits, which its flags cannot lift for reads, measure
// nothing here: this benchmark is about throughput.
func spreadIP(req *http.Request) {
	n := ipSeq.Add(1)
	req.Header.Set("X-Real-IP", fmt.Sprintf("44.%d.%d.%d", n>>16&255, n>>8&255, n&255)) // public: private ones are ignored
}

func (s *peerSys) signIn(p *proc) error {
	p.token = peerToken("anonymous_bench_reader")
	return nil
}

func (s *peerSys) readStory(c *http.Client, p *proc, signedIn bool) error {
	req, _ := http.NewRequest("GET", p.base+"/api/v1/find?site=remark&url=https://bench.example/big&format=tree", nil)
	spreadIP(req)
	if signedIn {
		req.Header.Set("X-JWT", p.token)
	}
	return do(c, req, http.StatusOK)
}

// report prints the median (and range) of each figure and the ratio of
// the medians.
func report(res map[string]map[string][]float64, reps int, dur time.Duration) {
	rows := []struct{ key, label string }{
		{"post_1_rps", "POST, 1 client (req/s)"},
		{"post_1_p99_ms", "POST, 1 client, p99 (ms)"},
		{"post_4_rps", "POST, 4 clients (req/s)"},
		{"post_4_p99_ms", "POST, 4 clients, p99 (ms)"},
		{"post_16_rps", "POST, 16 clients (req/s)"},
		{"post_16_p99_ms", "POST, 16 clients, p99 (ms)"},
		{"post_1_failed", "POST, 1 client, failed requests"},
		{"post_4_failed", "POST, 4 clients, failed requests"},
		{"post_16_failed", "POST, 16 clients, failed requests"},
		{"story200_anon_rps", "200-comment story, anonymous (req/s)"},
		{"story200_signed_rps", "200-comment story, signed in (req/s)"},
		{"story200_signed_share", "signed-in / anonymous"},
		{"ready_empty_ms", "ready after start, empty (ms)"},
		{"ready_seeded_ms", "ready after start, seeded (ms)"},
		{"idle_rss_mib", "idle memory, seeded (MiB RSS)"},
		{"rss_after_load_mib", "memory after the load (MiB RSS)"},
	}
	fmt.Printf("%d interleaved reps, %s per load run, medians [min–max]\n\n", reps, dur)
	fmt.Println("| what | Parley | peer | Parley / peer |")
	fmt.Println("|---|---|---|---|")
	for _, r := range rows {
		a, b := res["parley"][r.key], res["peer"][r.key]
		fmt.Printf("| %s | %s | %s | %.2f |\n", r.label, summary(a), summary(b), median(a)/median(b))
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func summary(v []float64) string {
	if len(v) == 0 {
		return "–"
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	f := func(x float64) string {
		if x < 10 {
			return strconv.FormatFloat(x, 'f', 2, 64)
		}
		return strconv.FormatFloat(x, 'f', 0, 64)
	}
	return fmt.Sprintf("%s [%s–%s]", f(median(s)), f(s[0]), f(s[len(s)-1]))
}
