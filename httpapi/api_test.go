package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/events"
	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/oidclogin"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
	"github.com/parley-comments/parley/ssojwt"
)

// env is a running API over a real SQLite database.
type env struct {
	t     *testing.T
	db    *sqlstore.DB
	svc   *service.Service
	srv   *httptest.Server
	api   *httpapi.Server
	clock *testutil.Clock
	// tokens by role name: "mod" (moderator of site a), "admin" (admin of a),
	// "author" (author on a), "othermod" (moderator of site b).
	tokens map[string]string
}

const storyURL = "https://a.example/news/1"

func newEnv(t *testing.T) *env {
	return newEnvWith(t, service.RateLimits{})
}

// newEnvWith starts the API with rate limits, the real duplicate index, and
// 127.0.0.1 as a trusted proxy, so tests can set client addresses with
// X-Forwarded-For.
func newEnvWith(t *testing.T, limits service.RateLimits) *env {
	t.Helper()
	return newEnvOn(t, sqltest.OpenSQLite(t), limits)
}

// newEnvOn is newEnvWith over a given database (sqltest.Backends).
func newEnvOn(t *testing.T, db *sqlstore.DB, limits service.RateLimits) *env {
	t.Helper()
	clock := testutil.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	svc := service.New(service.Options{Passwords: service.CheapPasswordHasher, Store: db, Clock: clock, Bus: events.New(), RateLimits: limits, Index: dedupe.NewIndex(dedupe.Options{}),
		SSO: ssojwt.New(nil), OIDC: oidclogin.New(nil)})
	resolver, err := clientip.NewResolver([]string{"127.0.0.1/32", "::1/128"})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Service: svc, Bus: events.New(), Resolver: resolver})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(api.Close)
	e := &env{t: t, db: db, svc: svc, srv: srv, api: api, clock: clock, tokens: map[string]string{}}
	ctx := context.Background()
	for _, s := range []struct{ id, origin string }{{"a", "https://a.example"}, {"b", "https://b.example"}} {
		if _, err := svc.CreateSite(ctx, s.id, "Site "+s.id, []string{s.origin}); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		name, site string
		role       parley.Role
	}{{"mod", "a", parley.RoleModerator}, {"admin", "a", parley.RoleAdmin}, {"author", "a", parley.RoleAuthor}, {"othermod", "b", parley.RoleModerator}} {
		email := u.name + "@example.com"
		if _, err := svc.CreateUser(ctx, email, strings.ToUpper(u.name[:1])+u.name[1:], "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRole(ctx, u.site, email, u.role); err != nil {
			t.Fatal(err)
		}
		tok, err := svc.CreateToken(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[u.name] = tok
	}
	return e
}

type resp struct {
	status int
	header http.Header
	body   []byte
	json   map[string]any
}

func (r resp) errCode() string {
	if e, ok := r.json["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

// do sends a request with optional headers ("Authorization" etc.).
func (e *env) do(method, path string, body any, headers ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return e.send(req, headers...)
}

// send sends req with extra headers (name, value pairs) and reads the answer.
func (e *env) send(req *http.Request, headers ...string) resp {
	e.t.Helper()
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	out := resp{status: res.StatusCode, header: res.Header, body: b}
	_ = json.Unmarshal(b, &out.json)
	return out
}

func (e *env) bearer(name string) []string {
	return []string{"Authorization", "Bearer " + e.tokens[name]}
}

// post posts a guest comment and returns its id and guest token.
func (e *env) post(body string, extra map[string]any) (string, string) {
	e.t.Helper()
	in := map[string]any{"site": "a", "story_url": storyURL, "story_title": "Story", "body": body, "author_name": "Guest", "author_email": "guest@example.org"}
	for k, v := range extra {
		in[k] = v
	}
	r := e.do("POST", "/api/v1/comments", in)
	if r.status != 201 {
		e.t.Fatalf("post: %d %s", r.status, r.body)
	}
	c := r.json["comment"].(map[string]any)
	if c["status"] != "pending" {
		e.t.Fatalf("new comment status %v, want pending", c["status"])
	}
	tok, _ := r.json["guest_token"].(string)
	return c["id"].(string), tok
}

// thread returns the public thread as seen with the given headers.
func (e *env) thread(headers ...string) []map[string]any {
	e.t.Helper()
	r := e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil, headers...)
	if r.status != 200 {
		e.t.Fatalf("thread: %d %s", r.status, r.body)
	}
	var out []map[string]any
	for _, c := range r.json["comments"].([]any) {
		out = append(out, c.(map[string]any))
	}
	return out
}

func findComment(list []map[string]any, id string) map[string]any {
	for _, c := range list {
		if c["id"] == id {
			return c
		}
	}
	return nil
}

func (e *env) countComments() int {
	e.t.Helper()
	var n int
	if err := e.db.SQL().QueryRow("SELECT count(*) FROM comments").Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestPreModerationLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, guestTok := e.post("First! A *thoughtful* comment.", nil)

	if c := findComment(e.thread(), id); c != nil {
		t.Fatal("pending comment visible to the public")
	}
	own := findComment(e.thread("X-Parley-Guest-Token", guestTok), id)
	if own == nil || own["status"] != "pending" {
		t.Fatalf("author does not see own pending comment: %v", own)
	}

	r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...)
	if r.status != 200 || r.json["comment"].(map[string]any)["status"] != "approved" {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	c := findComment(e.thread(), id)
	if c == nil || !strings.Contains(c["html"].(string), "<em>thoughtful</em>") {
		t.Fatalf("approved comment not public: %v", c)
	}
	if _, has := c["status"]; has {
		t.Fatal("public comment carries a status field")
	}

	// Rejection: hidden from everyone, reason shown to its author only.
	id2, tok2 := e.post("You are all idiots", nil)
	r = e.do("POST", "/api/v1/moderation/comments/"+id2+"/reject", map[string]any{"reason": "personal_attack", "note": "insult"}, e.bearer("mod")...)
	if r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if findComment(e.thread(), id2) != nil {
		t.Fatal("rejected comment is public")
	}
	if findComment(e.thread("X-Parley-Guest-Token", guestTok+"x"), id2) != nil {
		t.Fatal("rejected comment visible with a wrong guest token")
	}
	mine := findComment(e.thread("X-Parley-Guest-Token", tok2), id2)
	if mine == nil || mine["status"] != "rejected" || mine["reason"] != "personal_attack" {
		t.Fatalf("author does not see the rejection reason: %v", mine)
	}
	if strings.Contains(string(e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil).body), "idiots") {
		t.Fatal("rejected text leaked into the public thread")
	}
	// Count only includes approved comments.
	if n := e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil).json["count"]; n != float64(1) {
		t.Fatalf("count = %v, want 1", n)
	}
}

func TestEditAfterApprovalKeepsApprovedTextUntilReapproved(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, tok := e.post("Original approved text", nil)
	e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...)
	e.clock.Add(time.Minute)
	r := e.do("PATCH", "/api/v1/comments/"+id, map[string]any{"body": "Sneaky edited text"}, "X-Parley-Guest-Token", tok)
	if r.status != 200 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	pub := findComment(e.thread(), id)
	if pub == nil || !strings.Contains(pub["html"].(string), "Original approved text") || strings.Contains(pub["html"].(string), "Sneaky") {
		t.Fatalf("public text changed before the edit was approved: %v", pub)
	}
	// The edit is in the pending queue.
	q := e.do("GET", "/api/v1/moderation/queue?site=a", nil, e.bearer("mod")...)
	if !strings.Contains(string(q.body), "Sneaky edited text") {
		t.Fatalf("edit not in the queue: %s", q.body)
	}
	e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...)
	pub = findComment(e.thread(), id)
	if !strings.Contains(pub["html"].(string), "Sneaky edited text") {
		t.Fatalf("approved edit not public: %v", pub)
	}
	// Someone else cannot edit; the edit window closes.
	if r := e.do("PATCH", "/api/v1/comments/"+id, map[string]any{"body": "hijack"}, "X-Parley-Guest-Token", "pg_wrong"); r.status != 404 {
		t.Fatalf("edit by someone else: %d", r.status)
	}
	e.clock.Add(time.Hour)
	if r := e.do("PATCH", "/api/v1/comments/"+id, map[string]any{"body": "too late"}, "X-Parley-Guest-Token", tok); r.status != 422 {
		t.Fatalf("edit after the window: %d %s", r.status, r.body)
	}
}

func TestModerationPermissionMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, guestTok := e.post("Needs review", nil)
	endpoints := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/moderation/queue?site=a", nil},
		{"GET", "/api/v1/moderation/comments/" + id, nil},
		{"POST", "/api/v1/moderation/comments/" + id + "/approve", map[string]any{}},
		{"POST", "/api/v1/moderation/comments/" + id + "/reject", map[string]any{"reason": "spam"}},
		{"POST", "/api/v1/moderation/comments/" + id + "/spam", map[string]any{}},
		{"POST", "/api/v1/moderation/bulk", map[string]any{"site": "a", "action": "approve", "ids": []string{id}}},
		{"GET", "/api/v1/moderation/audit?site=a", nil},
		{"GET", "/api/v1/moderation/sanctions?site=a", nil},
		{"POST", "/api/v1/moderation/sanctions", map[string]any{"site": "a", "author_key": "e:guest@example.org", "kind": "ban", "reason": "x"}},
		{"DELETE", "/api/v1/moderation/sanctions/01NOSUCHSANCTION?site=a", nil},
		{"PATCH", "/api/v1/moderation/stories/" + e.storyID(id), map[string]any{"closed": true}},
		{"PUT", "/api/v1/admin/sites/a/settings", map[string]any{"mode": "post"}},
		{"GET", "/api/v1/admin/sites/a/adapter", nil},
		{"DELETE", "/api/v1/admin/sites/a/adapter", nil},
		{"GET", "/api/v1/moderation/stream?site=a", nil},
	}
	callers := []struct {
		name    string
		headers []string
		want    []int
	}{
		{"anonymous", nil, []int{401}},
		{"guest with token", []string{"X-Parley-Guest-Token", guestTok}, []int{401}},
		{"bad token", []string{"Authorization", "Bearer pt_nope"}, []int{401}},
		{"author", e.bearer("author"), []int{403, 404}},
		{"moderator of another site", e.bearer("othermod"), []int{403, 404}},
	}
	for _, c := range callers {
		for _, ep := range endpoints {
			r := e.do(ep.method, ep.path, ep.body, c.headers...)
			ok := false
			for _, w := range c.want {
				ok = ok || r.status == w
			}
			if !ok || r.errCode() == "" {
				t.Errorf("%s %s %s: got %d %s, want one of %v with an error code", c.name, ep.method, ep.path, r.status, r.body, c.want)
			}
		}
	}
	// Nothing changed.
	if st := e.commentStatus(id); st != "pending" {
		t.Fatalf("status changed to %s by refused callers", st)
	}
	var closed bool
	if err := e.db.SQL().QueryRow("SELECT closed FROM stories").Scan(&closed); err != nil || closed {
		t.Fatalf("story closed by refused callers (%v)", err)
	}
	// The site's moderator is allowed (stream excluded: it stays open), but
	// not on the admin endpoints.
	for _, ep := range endpoints[:len(endpoints)-1] {
		if ep.path == "/api/v1/moderation/sanctions" && ep.method == "POST" || strings.HasPrefix(ep.path, "/api/v1/moderation/sanctions/01NOSUCH") {
			continue
		}
		if strings.HasPrefix(ep.path, "/api/v1/admin/") {
			if r := e.do(ep.method, ep.path, ep.body, e.bearer("mod")...); r.status != 403 {
				t.Errorf("moderator on admin endpoint %s %s: %d", ep.method, ep.path, r.status)
			}
			continue
		}
		r := e.do(ep.method, ep.path, ep.body, e.bearer("mod")...)
		if r.status != 200 {
			t.Errorf("moderator %s %s: %d %s", ep.method, ep.path, r.status, r.body)
		}
	}
}

func (e *env) storyID(commentID string) string {
	var id string
	if err := e.db.SQL().QueryRow("SELECT story_id FROM comments WHERE id = ?", commentID).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func (e *env) commentStatus(id string) string {
	var st string
	if err := e.db.SQL().QueryRow("SELECT status FROM comments WHERE id = ?", id).Scan(&st); err != nil {
		e.t.Fatal(err)
	}
	return st
}

func TestBadInputIsRefusedAndStoresNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	parentID, _ := e.post("a parent in story 1", nil)
	before := e.countComments()
	valid := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"site": "a", "story_url": "https://a.example/news/2", "body": "hello", "author_name": "G"}
		mod(m)
		return m
	}
	cases := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"malformed JSON", `{"site": "a",`, 400, "malformed"},
		{"invalid UTF-8", []byte("{\"site\":\"a\",\"story_url\":\"https://a.example/x\",\"body\":\"\xff\xfe\",\"author_name\":\"G\"}"), 400, "malformed"},
		{"empty request", "", 400, "malformed"},
		{"empty comment", valid(func(m map[string]any) { m["body"] = "   " }), 422, "invalid"},
		{"missing body", valid(func(m map[string]any) { delete(m, "body") }), 422, "invalid"},
		{"missing story_url", valid(func(m map[string]any) { delete(m, "story_url") }), 422, "invalid"},
		{"missing guest name", valid(func(m map[string]any) { delete(m, "author_name") }), 422, "invalid"},
		{"bad email", valid(func(m map[string]any) { m["author_email"] = "not-an-email" }), 422, "invalid"},
		{"unknown site", valid(func(m map[string]any) { m["site"] = "nope" }), 422, "invalid"},
		{"parent from another story", valid(func(m map[string]any) { m["parent_id"] = parentID }), 422, "invalid"},
		{"unknown parent", valid(func(m map[string]any) { m["parent_id"] = "01NOPE" }), 422, "invalid"},
		{"wrong type", valid(func(m map[string]any) { m["body"] = 42 }), 422, "invalid"},
		{"oversized comment", valid(func(m map[string]any) { m["body"] = strings.Repeat("a", service.MaxBodyChars+1) }), 413, "too_large"},
		{"oversized request", valid(func(m map[string]any) { m["body"] = strings.Repeat("ы", httpapi.MaxRequestBytes) }), 413, "too_large"},
		{"relative story URL", valid(func(m map[string]any) { m["story_url"] = "/news/2" }), 422, "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/comments", c.body)
			if r.status != c.status || r.errCode() != c.code {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, c.status, c.code)
			}
			if msg := r.json["error"].(map[string]any)["message"]; msg == "" || msg == nil {
				t.Fatal("error without a message")
			}
		})
	}
	if after := e.countComments(); after != before {
		t.Fatalf("refused requests stored %d comments", after-before)
	}
	var stories int
	_ = e.db.SQL().QueryRow("SELECT count(*) FROM stories").Scan(&stories)
	if stories != 1 {
		t.Fatalf("refused requests created stories: %d", stories)
	}
	// A comment of exactly the limit is accepted.
	r := e.do("POST", "/api/v1/comments", valid(func(m map[string]any) { m["body"] = strings.Repeat("ü", service.MaxBodyChars) }))
	if r.status != 201 {
		t.Fatalf("comment at the limit: %d %s", r.status, r.body)
	}
}

func TestPublicJSONNeverCarriesEmailOrIP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, tok := e.post("Hello there, nice article", map[string]any{"author_email": "secret.person@example.org"})
	e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...)
	e.post("my second comment, pending", map[string]any{"author_email": "secret.person@example.org"})
	for _, h := range [][]string{nil, {"X-Parley-Guest-Token", tok}} {
		body := string(e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil, h...).body)
		for _, bad := range []string{"secret.person", "@example.org", "127.0.0.1", "client_ip", "guest_email", "author_key", "token_hash", service.HashSecret(tok)} {
			if strings.Contains(body, bad) {
				t.Fatalf("public thread contains %q: %s", bad, body)
			}
		}
	}
	// Moderators do see the email.
	if q := e.do("GET", "/api/v1/moderation/queue?site=a", nil, e.bearer("mod")...); !strings.Contains(string(q.body), "secret.person@example.org") {
		t.Fatalf("moderator queue lacks the email: %s", q.body)
	}
}

func TestIdempotencyKeyMakesOneComment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	in := map[string]any{"site": "a", "story_url": storyURL, "body": "Only once please", "author_name": "G", "author_email": "g@example.org"}
	var ids []string
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/api/v1/comments", in, "Idempotency-Key", "draft-123")
			mu.Lock()
			defer mu.Unlock()
			if r.status == 201 {
				ids = append(ids, r.json["comment"].(map[string]any)["id"].(string))
			} else {
				t.Errorf("retry got %d %s", r.status, r.body)
			}
		}()
	}
	wg.Wait()
	if e.countComments() != 1 {
		t.Fatalf("%d comments stored, want 1", e.countComments())
	}
	if len(ids) != 5 {
		t.Fatalf("%d of 5 retries succeeded", len(ids))
	}
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("retries returned different comments: %v", ids)
		}
	}
}

func TestDuplicateResubmissionIsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, _ := e.post("The same opinion, twice.", nil)
	in := map[string]any{"site": "a", "story_url": "https://a.example/news/other", "body": "  the SAME opinion — twice!! ", "author_name": "Guest", "author_email": "GUEST@example.org"}
	r := e.do("POST", "/api/v1/comments", in)
	if r.status != 409 || r.errCode() != "duplicate" || r.json["error"].(map[string]any)["comment_id"] != id {
		t.Fatalf("resubmission: %d %s", r.status, r.body)
	}
	if e.countComments() != 1 {
		t.Fatal("a duplicate was stored")
	}
	q := e.do("GET", "/api/v1/moderation/comments/"+id, nil, e.bearer("mod")...)
	if q.json["comment"].(map[string]any)["resubmits"] != float64(1) {
		t.Fatalf("resubmission not recorded: %s", q.body)
	}
}

func TestConcurrentDecisionsWithVersionConflict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, _ := e.post("Decide me", nil)
	q := e.do("GET", "/api/v1/moderation/comments/"+id, nil, e.bearer("mod")...)
	version := q.json["comment"].(map[string]any)["version"]
	r1 := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", map[string]any{"version": version}, e.bearer("mod")...)
	r2 := e.do("POST", "/api/v1/moderation/comments/"+id+"/reject", map[string]any{"version": version, "reason": "spam"}, e.bearer("admin")...)
	if r1.status != 200 || r2.status != 409 || r2.errCode() != "conflict" {
		t.Fatalf("got %d and %d %s", r1.status, r2.status, r2.body)
	}
	if !strings.Contains(r2.json["error"].(map[string]any)["message"].(string), "already decided") {
		t.Fatalf("conflict message does not explain: %s", r2.body)
	}
	a := e.do("GET", "/api/v1/moderation/audit?site=a&comment="+id, nil, e.bearer("mod")...)
	if n := len(a.json["entries"].([]any)); n != 1 {
		t.Fatalf("%d audit entries, want 1", n)
	}
}

func TestCookieLoginNeedsCSRFForWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, _ := e.post("csrf target", nil)
	r := e.do("POST", "/api/v1/auth/login", map[string]any{"email": "mod@example.com", "password": "correct horse battery"})
	if r.status != 200 || r.json["token"] == "" {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	var cookie string
	for _, c := range r.header.Values("Set-Cookie") {
		if strings.HasPrefix(c, httpapi.SessionCookie+"=") {
			cookie = strings.SplitN(c, ";", 2)[0]
			if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
				t.Fatalf("session cookie flags: %s", c)
			}
		}
	}
	csrf := r.json["csrf_token"].(string)
	if r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, "Cookie", cookie); r.status != 403 {
		t.Fatalf("cookie write without CSRF: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/moderation/queue?site=a", nil, "Cookie", cookie); r.status != 200 {
		t.Fatalf("cookie read: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, "Cookie", cookie, "X-CSRF-Token", csrf); r.status != 200 {
		t.Fatalf("cookie write with CSRF: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/login", map[string]any{"email": "mod@example.com", "password": "wrong password"}); r.status != 401 {
		t.Fatalf("wrong password: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/auth/logout", nil, "Cookie", cookie, "X-CSRF-Token", csrf); r.status != 200 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/moderation/queue?site=a", nil, "Cookie", cookie); r.status != 401 {
		t.Fatalf("after logout: %d", r.status)
	}
}

func TestCORSAllowsOnlySiteOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("OPTIONS", "/api/v1/comments", nil, "Origin", "https://a.example", "Access-Control-Request-Method", "POST")
	if r.header.Get("Access-Control-Allow-Origin") != "https://a.example" || r.header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("preflight from a site origin: %d %v", r.status, r.header)
	}
	r = e.do("OPTIONS", "/api/v1/comments", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "POST")
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("preflight allowed an unknown origin")
	}
	r = e.do("GET", "/api/v1/moderation/queue?site=a", nil, append(e.bearer("mod"), "Origin", "https://a.example")...)
	if r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("moderation API answers cross-origin")
	}
}

func TestStaffCommentsGetBadges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "From the desk"}, e.bearer("mod")...)
	if r.status != 201 {
		t.Fatalf("staff post: %d %s", r.status, r.body)
	}
	c := findComment(e.thread(), r.json["comment"].(map[string]any)["id"].(string))
	if c == nil || c["author"].(map[string]any)["badge"] != "staff" {
		t.Fatalf("staff comment: %v", c)
	}
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, _ := e.post("metrics probe", nil)
	e.do("GET", "/api/v1/moderation/comments/"+id, nil, e.bearer("mod")...)
	// Metrics are not on the public listener (cmd/parley serves them on
	// --metrics-addr).
	if r := e.do("GET", "/metrics", nil); r.status != http.StatusNotFound {
		t.Fatalf("GET /metrics on the API listener: %d", r.status)
	}
	rec := httptest.NewRecorder()
	e.api.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`parley_http_requests_total{code="201",route="POST /api/v1/comments"} 1`,
		`parley_http_requests_total{code="200",route="GET /api/v1/moderation/comments/{id}"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, id) {
		t.Fatal("a comment ID leaked into metric labels")
	}
}

func TestDuplicateVariantsAreCaught(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, _ := e.post("Please read the full report before judging the negotiators", nil)
	for _, variant := range []string{
		"PLEASE READ THE FULL REPORT BEFORE JUDGING THE NEGOTIATORS",
		"Please read the full report before judging the negotiators!!!",
		"Please re\u0430d the full report before judging the negoti\u0430tors", // Cyrillic а
		"Please read the full\u200b report before judging the negotiators",     // zero-width space
	} {
		r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": variant, "author_name": "Guest", "author_email": "guest@example.org"})
		if r.status != 409 || r.errCode() != "duplicate" || r.json["error"].(map[string]any)["comment_id"] != id {
			t.Fatalf("variant %q: %d %s", variant, r.status, r.body)
		}
	}
	if n := e.countComments(); n != 1 {
		t.Fatalf("queue holds %d comments, want 1", n)
	}
}

func TestCampaignClusterAndShortRepliesInTheQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	campaign := "The reopening of this railway is a disgrace and a betrayal of every family who lost someone in the war, and the editors who celebrate it should be ashamed of what they are doing to our country today."
	for i := 0; i < 5; i++ {
		r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": fmt.Sprintf("https://a.example/news/%d", i%3),
			"body": campaign, "author_name": "G", "author_email": fmt.Sprintf("g%d@example.org", i)}, "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		if r.status != 201 {
			t.Fatalf("campaign post %d: %d %s", i, r.status, r.body)
		}
	}
	for i := 0; i < 5; i++ {
		r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "Thank you!", "author_name": "T",
			"author_email": fmt.Sprintf("t%d@example.org", i)}, "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i))
		if r.status != 201 {
			t.Fatalf("thank-you post %d: %d %s", i, r.status, r.body)
		}
	}
	q := e.do("GET", "/api/v1/moderation/queue?site=a&limit=100", nil, e.bearer("mod")...)
	clusters := map[string]int{}
	for _, raw := range q.json["comments"].([]any) {
		c := raw.(map[string]any)
		cl, _ := c["cluster"].(map[string]any)
		switch {
		case c["body"] == campaign:
			if cl == nil || cl["size"] != float64(5) {
				t.Fatalf("campaign item cluster = %v, want size 5", c["cluster"])
			}
			clusters[cl["id"].(string)]++
		case cl != nil:
			t.Fatalf("%q is in a cluster: %v", c["body"], cl)
		}
	}
	if len(clusters) != 1 {
		t.Fatalf("campaign spread over %d clusters", len(clusters))
	}
}

func TestFloodFromOneAddressIsLimited(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, service.DefaultRateLimits)
	var limited resp
	for i := 0; i < 30; i++ {
		r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": fmt.Sprintf("flood message number %d", i),
			"author_name": "F", "author_email": fmt.Sprintf("f%d@example.org", i)}, "X-Forwarded-For", "2001:db8:1:2::7")
		if r.status == 429 {
			limited = r
			break
		}
	}
	if limited.status != 429 || limited.errCode() != "rate_limited" || limited.header.Get("Retry-After") == "" {
		t.Fatalf("flood never limited: %+v", limited)
	}
	// The same /64 is the same client.
	r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "from a sibling address", "author_name": "F", "author_email": "sib@example.org"}, "X-Forwarded-For", "2001:db8:1:2::8")
	if r.status != 429 {
		t.Fatalf("same /64: %d", r.status)
	}
	r = e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "an unrelated reader", "author_name": "O", "author_email": "o@example.org"}, "X-Forwarded-For", "192.0.2.44")
	if r.status != 201 {
		t.Fatalf("second address affected: %d %s", r.status, r.body)
	}
}

func TestReportAndAdapterEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, tok := e.post("A comment to report later", nil)
	if r := e.do("POST", "/api/v1/comments/"+id+"/report", map[string]any{"reason": "spam"}); r.status != 404 {
		t.Fatalf("report of a pending comment: %d %s", r.status, r.body)
	}
	e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...)
	if r := e.do("POST", "/api/v1/comments/"+id+"/report", map[string]any{"reason": "personal_attack", "note": "mean"}, "X-Parley-Guest-Token", "pg_someone"); r.status != 201 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/comments/"+id+"/report", map[string]any{"reason": "spam"}, "X-Parley-Guest-Token", "pg_someone"); r.status != 409 {
		t.Fatalf("second report: %d %s", r.status, r.body)
	}
	q := e.do("GET", "/api/v1/moderation/queue?site=a&status=approved&reported=1", nil, e.bearer("mod")...)
	if items := q.json["comments"].([]any); len(items) != 1 || q.json["counts"].(map[string]any)["reported"] != float64(1) {
		t.Fatalf("reported queue: %s", q.body)
	}
	c := e.do("GET", "/api/v1/moderation/comments/"+id, nil, e.bearer("mod")...)
	if reps := c.json["reports"].([]any); len(reps) != 1 || strings.Contains(string(c.body), "pg_someone") {
		t.Fatalf("reports on the comment: %s", c.body)
	}
	// The public thread never shows reports or reporters.
	if body := string(e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil, "X-Parley-Guest-Token", tok).body); strings.Contains(body, "report_count") || strings.Contains(body, "pg_someone") || strings.Contains(body, "mean") {
		t.Fatalf("public thread mentions reports: %s", body)
	}
	// Adapter endpoints: admins only.
	for _, who := range []string{"mod", "author", "othermod"} {
		if r := e.do("DELETE", "/api/v1/admin/sites/a/adapter", nil, e.bearer(who)...); r.status != 403 {
			t.Fatalf("%s resets the adapter: %d", who, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/admin/sites/a/adapter", nil); r.status != 401 {
		t.Fatalf("anonymous adapter status: %d", r.status)
	}
	if r := e.do("DELETE", "/api/v1/admin/sites/a/adapter", nil, e.bearer("admin")...); r.status != 200 {
		t.Fatalf("admin reset: %d %s", r.status, r.body)
	}
	a := e.do("GET", "/api/v1/moderation/audit?site=a&action=adapter_reset", nil, e.bearer("mod")...)
	if len(a.json["entries"].([]any)) != 1 {
		t.Fatalf("adapter reset not audited: %s", a.body)
	}
}

func TestAnonymousThreadsAreCachedUntilTheStoryChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, tok := e.post("first comment, approved", nil)
	e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", nil, e.bearer("mod")...)
	path := "/api/v1/comments?site=a&story_url=" + storyURL
	if r := e.do("GET", path, nil); r.header.Get("X-Parley-Cache") != "miss" {
		t.Fatalf("first read: cache %q", r.header.Get("X-Parley-Cache"))
	}
	if r := e.do("GET", path, nil); r.header.Get("X-Parley-Cache") != "hit" || len(r.json["comments"].([]any)) != 1 {
		t.Fatalf("second read: cache %q, %s", r.header.Get("X-Parley-Cache"), r.body)
	}
	// A reader with a guest token sees their own pending comment: never cached.
	id2, tok2 := e.post("second comment, pending", nil)
	if r := e.do("GET", path, nil, "X-Parley-Guest-Token", tok2); r.header.Get("X-Parley-Cache") != "" || findComment(e.thread("X-Parley-Guest-Token", tok2), id2) == nil {
		t.Fatalf("personal read was cached: %q", r.header.Get("X-Parley-Cache"))
	}
	// Approval invalidates at once.
	e.do("POST", "/api/v1/moderation/comments/"+id2+"/approve", nil, e.bearer("mod")...)
	r := e.do("GET", path, nil)
	if r.header.Get("X-Parley-Cache") != "miss" || len(r.json["comments"].([]any)) != 2 {
		t.Fatalf("after approval: cache %q, %s", r.header.Get("X-Parley-Cache"), r.body)
	}
	// So does a rejection of a published comment.
	e.do("GET", path, nil)
	e.do("POST", "/api/v1/moderation/comments/"+id+"/reject", map[string]any{"reason": "other"}, e.bearer("mod")...)
	if r := e.do("GET", path, nil); len(r.json["comments"].([]any)) != 1 {
		t.Fatalf("rejected comment still served from cache: %s", r.body)
	}
	_ = tok
	// A story that had no comments yet is invalidated by its first one.
	empty := "/api/v1/comments?site=a&story_url=https://a.example/news/new"
	e.do("GET", empty, nil)
	e.do("GET", empty, nil)
	r = e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": "https://a.example/news/new", "body": "staff first"}, e.bearer("mod")...)
	if r.status != 201 {
		t.Fatalf("staff post: %d", r.status)
	}
	if r := e.do("GET", empty, nil); len(r.json["comments"].([]any)) != 1 {
		t.Fatalf("new story's first comment hidden by the cache: %s", r.body)
	}
	// Site and story settings reach cached threads at once.
	e.do("GET", path, nil)
	if r := e.do("PUT", "/api/v1/admin/sites/a/settings", map[string]any{"policy_text": map[string]string{"en": "Be kind."}}, e.bearer("admin")...); r.status != 200 {
		t.Fatalf("settings: %d %s", r.status, r.body)
	}
	r = e.do("GET", path, nil)
	if r.json["site"].(map[string]any)["policy_text"] != "Be kind." {
		t.Fatalf("policy text not updated: %s", r.body)
	}
	storyID := r.json["story"].(map[string]any)["id"].(string)
	if r := e.do("PATCH", "/api/v1/moderation/stories/"+storyID, map[string]any{"closed": true}, e.bearer("mod")...); r.status != 200 {
		t.Fatalf("close story: %d %s", r.status, r.body)
	}
	if r := e.do("GET", path, nil); r.json["story"].(map[string]any)["closed"] != true {
		t.Fatalf("closed story served open from the cache: %s", r.body)
	}
}
