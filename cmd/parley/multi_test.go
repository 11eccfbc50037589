package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// cli runs a parley command against a database and returns its stdout.
func cli(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("parley %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

func call(t *testing.T, method, url string, body any, headers ...string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestTwoInstancesOnOnePostgres runs two parley processes on one PostgreSQL
// database and checks that they behave as one service.
func TestTwoInstancesOnOnePostgres(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	dsn := sqltest.PostgresDSN(t)
	bin := buildBinary(t)
	cli(t, bin, "", "migrate", "--db", dsn)
	cli(t, bin, "", "site", "add", "--db", dsn, "--id", "news", "--name", "News", "--origin", "https://news.example")
	cli(t, bin, "a long enough password\n", "user", "add", "--db", dsn, "--email", "mod@news.example", "--name", "Mod", "--role", "moderator", "--site", "news", "--password-stdin")
	out := strings.Split(strings.TrimSpace(cli(t, bin, "", "token", "create", "--db", dsn, "--email", "mod@news.example")), "\n")
	auth := []string{"Authorization", "Bearer " + out[len(out)-1]}
	a, _ := startServer(t, bin, "--db", dsn, "--rate-limit=off")
	b, _ := startServer(t, bin, "--db", dsn, "--rate-limit=off")
	story := "https://news.example/a"
	list := func(base string) []any {
		st, res := call(t, "GET", base+"/api/v1/comments?site=news&story_url="+story, nil)
		if st != 200 {
			t.Fatalf("list: %d %v", st, res)
		}
		return res["comments"].([]any)
	}
	post := func(base, body string, headers ...string) (int, map[string]any) {
		return call(t, "POST", base+"/api/v1/comments", map[string]any{"site": "news", "story_url": story, "body": body, "author_name": "G", "author_email": "g@example.org"}, headers...)
	}

	// A reader's live stream on A.
	req, _ := http.NewRequest("GET", a+"/api/v1/stream?site=news&story_url="+story, nil)
	streamRes, err := http.DefaultClient.Do(req)
	if err != nil || streamRes.StatusCode != 200 {
		t.Fatalf("stream: %v %v", err, streamRes)
	}
	defer streamRes.Body.Close()
	approvedSeen := make(chan string, 4)
	go func() {
		sc := bufio.NewScanner(streamRes.Body)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var ev map[string]any
				if json.Unmarshal([]byte(line), &ev) == nil {
					approvedSeen <- fmt.Sprint(ev["comment_id"])
				}
			}
		}
	}()

	// Post on A, approve on B, read on A.
	st, res := post(a, "Posted on instance A")
	if st != 201 {
		t.Fatalf("post on A: %d %v", st, res)
	}
	id := res["comment"].(map[string]any)["id"].(string)
	if len(list(a)) != 0 {
		t.Fatal("pending comment visible")
	}
	if st, res := call(t, "POST", b+"/api/v1/moderation/comments/"+id+"/approve", nil, auth...); st != 200 {
		t.Fatalf("approve on B: %d %v", st, res)
	}
	// A caches anonymous threads; B's approval reaches it through NOTIFY,
	// which the spec allows a second for.
	var got []any
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = list(a); len(got) == 1 {
			break
		}
	}
	if len(got) != 1 || got[0].(map[string]any)["id"] != id {
		t.Fatalf("A does not show the comment approved on B within 2 s: %v", got)
	}
	select {
	case got := <-approvedSeen:
		if got != id {
			t.Fatalf("stream on A saw %s, want %s", got, id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the reader's stream on A did not see the approval made on B")
	}

	// Concurrent approve on A and reject on B of one comment.
	_, res = post(a, "Contested comment")
	id2 := res["comment"].(map[string]any)["id"].(string)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, step := range []struct{ base, action string }{{a, "approve"}, {b, "reject"}} {
		wg.Add(1)
		go func(i int, base, action string) {
			defer wg.Done()
			codes[i], _ = call(t, "POST", base+"/api/v1/moderation/comments/"+id2+"/"+action, map[string]any{"reason": "other"}, auth...)
		}(i, step.base, step.action)
	}
	wg.Wait()
	_, cm := call(t, "GET", a+"/api/v1/moderation/comments/"+id2, nil, auth...)
	final := cm["comment"].(map[string]any)["status"].(string)
	_, audit := call(t, "GET", b+"/api/v1/moderation/audit?site=news&comment="+id2, nil, auth...)
	entries := audit["entries"].([]any)
	succeeded := 0
	for _, c := range codes {
		if c == 200 {
			succeeded++
		}
	}
	if len(entries) != succeeded || succeeded == 0 {
		t.Fatalf("codes %v but %d audit entries", codes, len(entries))
	}
	if last := entries[0].(map[string]any)["to"]; last != final {
		t.Fatalf("final status %s but the newest audit entry says %v", final, last)
	}
	// The log is one chain: each decision starts from the state the
	// previous one left.
	for i := 0; i+1 < len(entries); i++ {
		newer, older := entries[i].(map[string]any), entries[i+1].(map[string]any)
		if newer["from"] != older["to"] {
			t.Fatalf("audit entries do not chain: %v then %v", older, newer)
		}
	}

	// One idempotency key replayed across both instances makes one comment.
	ids := map[string]bool{}
	for _, base := range []string{a, b, a, b} {
		st, res := post(base, "Idempotent across instances", "Idempotency-Key", "k-1")
		if st != 201 {
			t.Fatalf("idempotent post: %d %v", st, res)
		}
		ids[res["comment"].(map[string]any)["id"].(string)] = true
	}
	if len(ids) != 1 {
		t.Fatalf("one idempotency key made %d comments", len(ids))
	}
}
