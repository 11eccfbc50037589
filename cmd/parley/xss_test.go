package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/xsscheck"
	"github.com/parley-comments/parley/service"
)

// TestStoredXSSCorpus posts every payload of testdata/xss/corpus.txt as a
// comment body, a guest name and a story title, approves it with the
// payload as the moderator's note, and then parses what every output makes
// of it: the widget's JSON (comment HTML), the dashboard's queue, item,
// stories, story and audit pages, and the audit export (JSON and CSV).
// No script, event handler, dangerous URL or foreign element may appear.
func TestStoredXSSCorpus(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t)
	ctx := context.Background()
	payloads := xsscheck.Corpus(t)
	type posted struct{ id, story string }
	var stored []posted
	refusedBodies := 0 // request forms refused with a 4xx
	for i, p := range payloads {
		story := fmt.Sprintf("https://a.example/xss/%d", i)
		// The payload as body, name and title; where one is refused (a
		// body of which nothing would show, a name empty once cleaned), it
		// goes inline after text, or the name is replaced.
		var res *http.Response
		var body []byte
		for _, try := range [][2]string{{p, p}, {p, ""}, {fmt.Sprintf("Payload %d: %s", i, p), p}, {fmt.Sprintf("Payload %d: %s", i, p), ""}} {
			name := try[1]
			if name == "" {
				name = fmt.Sprintf("Reader %d", i)
			}
			res, body = f.postJSON("/api/v1/comments", map[string]any{"site": "a", "story_url": story, "story_title": p, "body": try[0], "author_name": name})
			if res.StatusCode != http.StatusCreated && res.StatusCode/100 == 4 {
				refusedBodies++
				continue
			}
			break
		}
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("payload %d %q: %d %s", i, p, res.StatusCode, body)
		}
		var out struct{ Comment struct{ ID string } }
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Decide(ctx, f.users[mod], out.Comment.ID, service.Decision{Action: service.ActionApprove, Note: p}); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, posted{out.Comment.ID, story})
	}
	t.Logf("%d payloads stored and approved; %d forms refused (nothing would show, or an empty name)", len(stored), refusedBodies)

	// The widget's JSON: every comment's HTML is in the renderer's allowlist.
	for _, s := range stored {
		_, body := f.get(anonymous, "/api/v1/comments?site=a&story_url="+url.QueryEscape(s.story))
		var thread struct {
			Comments []struct {
				ID   string
				HTML string
			}
		}
		if err := json.Unmarshal(body, &thread); err != nil {
			t.Fatalf("thread JSON: %v", err)
		}
		for _, c := range thread.Comments {
			for _, problem := range xsscheck.CommentProblems(c.HTML) {
				t.Errorf("comment %s: %s", c.ID, problem)
			}
		}
	}
	// The dashboard.
	pages := []string{"/moderation/s/a?status=approved", "/moderation/s/a/stories", "/moderation/s/a/audit"}
	for _, s := range stored {
		pages = append(pages, "/moderation/s/a/items/"+s.id+"?status=approved")
	}
	stories, _, err := f.svc.Store().ListStories(ctx, "a", "", 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stories {
		pages = append(pages, "/moderation/s/a/stories/"+st.ID)
	}
	for _, page := range pages {
		res, body := f.get(mod, page)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", page, res.StatusCode)
		}
		doc, err := html.Parse(strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, problem := range xsscheck.PageProblems(doc) {
			t.Errorf("%s: %s", page, problem)
		}
	}
	// The audit export: the notes come back byte for byte in JSON, and no
	// CSV cell can start a spreadsheet formula.
	_, body := f.get(mod, "/api/v1/moderation/audit?site=a&limit=1000")
	var audit struct{ Entries []parley.AuditEntry }
	if err := json.Unmarshal(body, &audit); err != nil {
		t.Fatalf("audit JSON: %v", err)
	}
	notes := map[string]bool{}
	for _, e := range audit.Entries {
		notes[e.Note] = true
	}
	for _, p := range payloads {
		if !notes[strings.TrimSpace(p)] {
			t.Errorf("audit note %q did not round-trip", p)
		}
	}
	_, body = f.get(mod, "/api/v1/moderation/audit?site=a&limit=1000&format=csv")
	rows, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	if err != nil {
		t.Fatalf("audit CSV: %v", err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("CSV cell starts a formula: %q", cell)
			}
		}
	}
}

// postJSON posts a JSON body as the guest principal.
func (f *authzFixture) postJSON(path string, v any) (*http.Response, []byte) {
	b, _ := json.Marshal(v)
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Parley-Guest-Token", f.guest)
	return f.send(req)
}

// get fetches path as p (a session cookie for the dashboard, a bearer
// session for the API).
func (f *authzFixture) get(p principal, path string) (*http.Response, []byte) {
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if p != anonymous {
		secret, _ := f.session(p)
		if strings.HasPrefix(path, "/moderation") {
			req.AddCookie(&http.Cookie{Name: "parley_session", Value: secret})
		} else {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
	}
	return f.send(req)
}

func (f *authzFixture) send(req *http.Request) (*http.Response, []byte) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}
