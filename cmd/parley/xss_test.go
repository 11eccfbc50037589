package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// loadXSSCorpus reads testdata/xss/corpus.txt: one Go string literal per
// line; # starts a comment.
func loadXSSCorpus(t *testing.T) []string {
	f, err := os.Open("../../testdata/xss/corpus.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := strconv.Unquote(line)
		if err != nil {
			t.Fatalf("corpus line %d: %v", n, err)
		}
		out = append(out, p)
	}
	if len(out) < 100 {
		t.Fatalf("the corpus has %d payloads, want at least 100", len(out))
	}
	return out
}

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
	payloads := loadXSSCorpus(t)
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
			for _, problem := range commentProblems(c.HTML) {
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
		for _, problem := range pageProblems(doc) {
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

// commentElements and commentAttrs are what the renderer may produce.
var (
	commentElements = map[atom.Atom]bool{atom.P: true, atom.Br: true, atom.Em: true, atom.Strong: true, atom.Del: true,
		atom.Blockquote: true, atom.Ul: true, atom.Ol: true, atom.Li: true, atom.Code: true, atom.Pre: true, atom.A: true}
	commentAttrs = map[string]bool{"a.href": true, "a.rel": true, "a.target": true, "ol.start": true}
)

// commentProblems parses a comment's HTML as a fragment and checks every
// element and attribute against the renderer's allowlist.
func commentProblems(h string) []string {
	ctx := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := html.ParseFragment(strings.NewReader(h), ctx)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, n := range nodes {
		walk(n, func(n *html.Node) {
			switch n.Type {
			case html.ElementNode:
				if !commentElements[n.DataAtom] {
					out = append(out, fmt.Sprintf("element <%s> in %q", n.Data, h))
				}
				for _, a := range n.Attr {
					if !commentAttrs[n.Data+"."+a.Key] {
						out = append(out, fmt.Sprintf("attribute %s on <%s> in %q", a.Key, n.Data, h))
					}
					if a.Key == "href" && !safeURL(a.Val, "http:", "https:", "mailto:") {
						out = append(out, fmt.Sprintf("href %q", a.Val))
					}
				}
			case html.CommentNode:
				out = append(out, fmt.Sprintf("an HTML comment in %q", h))
			}
		})
	}
	return out
}

// pageProblems checks a dashboard page: scripts only from the dashboard's
// own static files (or its JSON data block), no event handlers, no
// dangerous URLs, no frames, objects, base or refresh.
func pageProblems(doc *html.Node) []string {
	var out []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		attr := func(k string) string {
			for _, a := range n.Attr {
				if a.Key == k {
					return a.Val
				}
			}
			return ""
		}
		switch n.DataAtom {
		case atom.Script:
			if src := attr("src"); !strings.HasPrefix(src, "/moderation/static/") && attr("type") != "application/json" {
				out = append(out, fmt.Sprintf("a <script> (src %q)", src))
			}
		case atom.Iframe, atom.Frame, atom.Object, atom.Embed, atom.Base, atom.Applet:
			out = append(out, fmt.Sprintf("a <%s>", n.Data))
		case atom.Meta:
			if strings.EqualFold(attr("http-equiv"), "refresh") {
				out = append(out, "a meta refresh")
			}
		}
		for _, a := range n.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"):
				out = append(out, fmt.Sprintf("event handler %s=%q on <%s>", a.Key, a.Val, n.Data))
			case k == "href" || k == "src" || k == "action" || k == "formaction" || k == "xlink:href" || k == "data":
				if !safeURL(a.Val, "http:", "https:", "mailto:") {
					out = append(out, fmt.Sprintf("%s=%q on <%s>", a.Key, a.Val, n.Data))
				}
			case k == "style" && (strings.Contains(strings.ToLower(a.Val), "expression(") || strings.Contains(strings.ToLower(a.Val), "url(")):
				out = append(out, fmt.Sprintf("style %q", a.Val))
			}
		}
	})
	return out
}

// TestXSSCheckersCatchBadMarkup: the checkers above do find what they look for.
func TestXSSCheckersCatchBadMarkup(t *testing.T) {
	t.Parallel()
	for _, h := range []string{`<img src=x onerror=alert(1)>`, `<a href="java&#x09;script:alert(1)">x</a>`, `<p onclick=x>t</p>`,
		`<script>alert(1)</script>`, `<!-- x -->`, `<a href=" JaVaScRiPt:alert(1)">x</a>`} {
		if len(commentProblems(h)) == 0 {
			t.Errorf("comment check missed %q", h)
		}
		doc, _ := html.Parse(strings.NewReader("<p>" + h + "</p>"))
		if h != `<!-- x -->` && len(pageProblems(doc)) == 0 {
			t.Errorf("page check missed %q", h)
		}
	}
	if p := commentProblems(`<p><a href="https://ok.example" rel="nofollow ugc noopener" target="_blank">ok</a> <em>x</em></p>`); len(p) != 0 {
		t.Errorf("a safe comment flagged: %v", p)
	}
}

// safeURL reports whether u is relative or uses one of the schemes, read
// the way a browser reads it (ASCII control and space characters dropped).
func safeURL(u string, schemes ...string) bool {
	clean := strings.Map(func(r rune) rune {
		if r <= ' ' || unicode.IsControl(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, u)
	i := strings.IndexAny(clean, ":/?#")
	if i < 0 || clean[i] != ':' {
		return true // relative
	}
	for _, s := range schemes {
		if strings.HasPrefix(clean, s) {
			return true
		}
	}
	return false
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}
