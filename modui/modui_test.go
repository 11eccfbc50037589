package modui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

const testPassword = "correct horse battery"

// env is a dashboard over a real SQLite store with two sites and one user
// per persona.
type env struct {
	t    testing.TB
	svc  *service.Service
	srv  *httptest.Server
	ctx  context.Context
	site string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvTB(t)
}

func newEnvTB(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with service options changed by opt (nil: none).
func newEnvWith(t testing.TB, opt func(*service.Options)) *env {
	t.Helper()
	ctx := context.Background()
	db := sqltest.OpenSQLite(t)
	o := service.Options{Passwords: service.CheapPasswordHasher, Store: db, Clock: parley.SystemClock{}}
	if opt != nil {
		opt(&o)
	}
	svc := service.New(o)
	ui, err := New(Config{Service: svc})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	mux := http.NewServeMux()
	ui.Routes(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{t: t, svc: svc, srv: srv, ctx: ctx, site: "alpha"}
	for _, s := range []string{"alpha", "beta"} {
		if _, err := svc.CreateSite(ctx, s, strings.ToUpper(s)+" News", []string{"https://" + s + ".example"}); err != nil {
			t.Fatal(err)
		}
	}
	users := []struct {
		email string
		roles map[string]parley.Role
	}{
		{"mod@alpha.example", map[string]parley.Role{"alpha": parley.RoleModerator}},
		{"mod@beta.example", map[string]parley.Role{"beta": parley.RoleModerator}},
		{"author@alpha.example", map[string]parley.Role{"alpha": parley.RoleAuthor}},
		{"reader@example.org", nil},
		{"admin@both.example", map[string]parley.Role{"alpha": parley.RoleAdmin, "beta": parley.RoleModerator}},
	}
	for _, u := range users {
		if _, err := svc.CreateUser(ctx, u.email, strings.Split(u.email, "@")[0], testPassword); err != nil {
			t.Fatal(err)
		}
		for s, r := range u.roles {
			if err := svc.SetRole(ctx, s, u.email, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	return e
}

// client is a browser-like client with a cookie jar that does not follow
// redirects.
type client struct {
	*http.Client
	e    *env
	csrf string
}

func (e *env) anon() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, Client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs in through the login form and reads the CSRF token from a page.
func (e *env) login(email string) *client {
	e.t.Helper()
	c := e.anon()
	res, err := c.PostForm(e.srv.URL+"/moderation/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/moderation"}})
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/moderation" {
		e.t.Fatalf("login %s: status %d location %q", email, res.StatusCode, res.Header.Get("Location"))
	}
	sess := ""
	u, _ := url.Parse(e.srv.URL)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == SessionCookie {
			sess = ck.Value
		}
	}
	_, s, err := e.svc.SessionUser(e.ctx, sess)
	if err != nil {
		e.t.Fatalf("session: %v", err)
	}
	c.csrf = s.CSRFToken
	return c
}

func (c *client) get(path string) (*http.Response, string) {
	c.e.t.Helper()
	res, err := c.Get(c.e.srv.URL + path)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (c *client) post(path string, form url.Values, asJSON bool) (*http.Response, string) {
	c.e.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if asJSON {
		req.Header.Set("Accept", "application/json")
	}
	res, err := c.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// post creates a pending guest comment.
func (e *env) comment(site, story, body, email string) *parley.Comment {
	e.t.Helper()
	res, err := e.svc.Post(e.ctx, service.Author{ClientIP: "192.0.2.1", ClientKey: "192.0.2.1"}, service.PostInput{SiteID: site,
		StoryURL: "https://" + site + ".example/" + story, StoryTitle: "Story " + story, Body: body, GuestName: "Guest " + email,
		GuestEmail: email, ComposeMillis: 20000})
	if err != nil {
		e.t.Fatalf("post: %v", err)
	}
	return res.Comment
}

func TestEveryRouteRefusesOutsiders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.comment("alpha", "a1", "A comment on alpha.", "g1@example.org")
	st := c.StoryID
	gets := []string{"/moderation/s/alpha", "/moderation/s/alpha?status=spam", "/moderation/s/alpha/campaigns", "/moderation/s/alpha/items/" + c.ID,
		"/moderation/s/alpha/counts", "/moderation/s/alpha/sanctions", "/moderation/s/alpha/stories", "/moderation/s/alpha/stories/" + st,
		"/moderation/s/alpha/audit", "/moderation/s/alpha/transfer", "/moderation/s/alpha/export?format=jsonl"}
	posts := []string{"/moderation/s/alpha/import", "/moderation/s/alpha/decide", "/moderation/s/alpha/bulk", "/moderation/s/alpha/sanctions",
		"/moderation/s/alpha/sanctions/x/delete", "/moderation/s/alpha/settings", "/moderation/s/alpha/stories/" + st}

	guest := e.anon()
	for _, p := range gets {
		res, _ := guest.get(p)
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/moderation/login?next=") {
			t.Errorf("guest GET %s: %d %s, want a redirect to the login page", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range posts {
		if res, _ := guest.post(p, url.Values{"id": {c.ID}}, false); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("guest POST %s: %d, want 401", p, res.StatusCode)
		}
	}
	for _, who := range []string{"reader@example.org", "author@alpha.example", "mod@beta.example"} {
		u := e.login(who)
		for _, p := range gets {
			res, body := u.get(p)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "You are not a moderator of this site.") {
				t.Errorf("%s GET %s: %d, want 403 with a refusal", who, p, res.StatusCode)
			}
		}
		for _, p := range posts {
			res, _ := u.post(p, url.Values{"csrf_token": {u.csrf}, "id": {c.ID}, "action": {"approve"}, "version": {"1"}}, false)
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", who, p, res.StatusCode)
			}
		}
		if who != "mod@beta.example" {
			if res, _ := u.get("/moderation"); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET /moderation: %d, want 403 (no sites)", who, res.StatusCode)
			}
		}
	}
	got, err := e.svc.Comment(e.ctx, mustUser(t, e, "mod@alpha.example"), c.ID)
	if err != nil || got.Status != parley.StatusPending {
		t.Fatalf("the comment changed after refused requests: %v %v", got.Status, err)
	}
}

func mustUser(t *testing.T, e *env, email string) *parley.User {
	t.Helper()
	u, err := e.svc.Store().GetUserByEmail(e.ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSitePicker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := e.login("mod@alpha.example")
	if res, _ := mod.get("/moderation"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/moderation/s/alpha" {
		t.Fatalf("one site: %d %s, want a redirect to it", res.StatusCode, res.Header.Get("Location"))
	}
	admin := e.login("admin@both.example")
	res, body := admin.get("/moderation")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `href="/moderation/s/alpha"`) || !strings.Contains(body, `href="/moderation/s/beta"`) {
		t.Fatalf("two sites: %d, want links to both:\n%s", res.StatusCode, body)
	}
	if res, _ := admin.get("/moderation/s/gamma"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("unknown site: %d, want 403", res.StatusCode)
	}
}

func TestLoginFailsWithWrongPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.anon()
	res, body := c.post("/moderation/login", url.Values{"email": {"mod@alpha.example"}, "password": {"nope-nope-nope"}}, false)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password.") {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	if res.Header.Get("Set-Cookie") != "" {
		t.Fatal("a failed login set a cookie")
	}
	// A cross-site login post is refused.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/moderation/login", strings.NewReader(url.Values{"email": {"mod@alpha.example"}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site login: %d, want 403", res.StatusCode)
	}
	// Open redirects are not possible through next.
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/api/v1/comments"} {
		if got := safeNext(next); got != "/moderation" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}

func TestQueueShowsEvidenceAndDecides(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.comment("alpha", "a1", "You <b>idiot</b>, read the article.", "g1@example.org")
	// Give it classifier output as the classifier would.
	cur, _ := e.svc.Store().GetComment(e.ctx, c.ID)
	cur.Scores = map[parley.Label]float64{parley.LabelPersonalAttack: 0.91, parley.LabelToxic: 0.7}
	cur.Evidence = []parley.Evidence{{Start: 4, End: 16, Label: parley.LabelPersonalAttack}}
	cur.SuggestedReason = parley.ReasonPersonalAttack
	if err := e.svc.Store().UpdateComment(e.ctx, cur); err != nil {
		t.Fatal(err)
	}
	mod := e.login("mod@alpha.example")
	res, body := mod.get("/moderation/s/alpha")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("queue: %d", res.StatusCode)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	want := `<mark class="ev" data-labels="personal_attack" title="Personal attack">&lt;b&gt;idiot&lt;/b&gt;</mark>`
	if !strings.Contains(body, want) {
		t.Errorf("queue lacks the highlighted, escaped evidence %s", want)
	}
	for _, s := range []string{"g1@example.org", "Story a1", "91%", "Suggested reason", `data-count="pending">1<`} {
		if !strings.Contains(body, s) {
			t.Errorf("queue lacks %q", s)
		}
	}
	if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(strings.ReplaceAll(body, `<script type="application/json" id="i18n">`, "")) {
		t.Error("the page has inline script")
	}

	version := strconv.Itoa(cur.Version)
	// Without the CSRF token nothing happens.
	if res, _ := mod.post("/moderation/s/alpha/decide", url.Values{"id": {c.ID}, "version": {version}, "action": {"approve"}}, true); res.StatusCode != http.StatusForbidden {
		t.Fatalf("no CSRF: %d", res.StatusCode)
	}
	res, body = mod.post("/moderation/s/alpha/decide", url.Values{"csrf_token": {mod.csrf}, "id": {c.ID}, "version": {version}, "action": {"reject"}, "reason": {"personal_attack"}}, true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reject: %d %s", res.StatusCode, body)
	}
	var out struct {
		Comment struct{ Status string }
		Counts  map[string]int
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Comment.Status != "rejected" || out.Counts["rejected"] != 1 || out.Counts["pending"] != 0 {
		t.Fatalf("reject answer %s (%v)", body, err)
	}
	// A second moderator acting on the version they saw loses, clearly.
	admin := e.login("admin@both.example")
	res, body = admin.post("/moderation/s/alpha/decide", url.Values{"csrf_token": {admin.csrf}, "id": {c.ID}, "version": {version}, "action": {"approve"}}, true)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "Another moderator already decided on this comment: it is now Rejected.") {
		t.Fatalf("stale decision: %d %s", res.StatusCode, body)
	}
	got, _ := e.svc.Store().GetComment(e.ctx, c.ID)
	if got.Status != parley.StatusRejected || got.Reason != parley.ReasonPersonalAttack {
		t.Fatalf("stored %s/%s", got.Status, got.Reason)
	}
	// The audit page lists the decision.
	_, body = mod.get("/moderation/s/alpha/audit")
	if !strings.Contains(body, `data-action="reject" data-comment="`+c.ID+`"`) || !strings.Contains(body, "Pending → Rejected") {
		t.Fatalf("audit page lacks the rejection")
	}
	// The same page in Russian.
	_, body = mod.get("/moderation/s/alpha/audit?lang=ru")
	if !strings.Contains(body, `<html lang="ru" dir="ltr">`) || !strings.Contains(body, "Журнал действий") {
		t.Fatalf("audit page is not in Russian")
	}
}

func TestBulkClusterAndAuthor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a1 := e.comment("alpha", "s1", "first by one", "one@example.org")
	a2 := e.comment("alpha", "s2", "second by one", "one@example.org")
	b1 := e.comment("alpha", "s1", "by two", "two@example.org")
	mod := e.login("mod@alpha.example")
	res, body := mod.post("/moderation/s/alpha/bulk", url.Values{"csrf_token": {mod.csrf}, "scope": {"author"}, "author": {"e:one@example.org"},
		"action": {"reject"}, "reason": {"spam"}}, true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("bulk: %d %s", res.StatusCode, body)
	}
	for id, want := range map[string]parley.Status{a1.ID: parley.StatusRejected, a2.ID: parley.StatusRejected, b1.ID: parley.StatusPending} {
		got, _ := e.svc.Store().GetComment(e.ctx, id)
		if got.Status != want {
			t.Errorf("%s: %s, want %s", id, got.Status, want)
		}
	}
	// Selected ids, and ids from another site are refused per item.
	other := e.comment("beta", "x", "on beta", "three@example.org")
	res, body = mod.post("/moderation/s/alpha/bulk", url.Values{"csrf_token": {mod.csrf}, "ids": {b1.ID, other.ID}, "action": {"spam"}}, true)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, other.ID) {
		t.Fatalf("bulk ids: %d %s", res.StatusCode, body)
	}
	if got, _ := e.svc.Store().GetComment(e.ctx, other.ID); got.Status != parley.StatusPending {
		t.Fatalf("a comment of another site was decided: %s", got.Status)
	}
	if got, _ := e.svc.Store().GetComment(e.ctx, b1.ID); got.Status != parley.StatusSpam {
		t.Fatalf("selected comment: %s", got.Status)
	}
}

func TestItemFragmentFollowsTheView(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.comment("alpha", "s1", "hello there", "one@example.org")
	mod := e.login("mod@alpha.example")
	res, body := mod.get("/moderation/s/alpha/items/" + c.ID + "?status=pending")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), `<article class="item`) {
		t.Fatalf("fragment: %d %q", res.StatusCode, body)
	}
	if res, _ := mod.get("/moderation/s/alpha/items/" + c.ID + "?status=approved"); res.StatusCode != http.StatusNoContent {
		t.Fatalf("fragment for another view: %d, want 204", res.StatusCode)
	}
	if res, _ := mod.get("/moderation/s/alpha/items/" + c.ID + "?status=pending&author=e:two@example.org"); res.StatusCode != http.StatusNoContent {
		t.Fatalf("fragment for another author: %d, want 204", res.StatusCode)
	}
	// A moderator of both sites cannot fetch an alpha comment through beta.
	admin := e.login("admin@both.example")
	if res, _ := admin.get("/moderation/s/beta/items/" + c.ID); res.StatusCode != http.StatusNotFound {
		t.Fatalf("cross-site fragment: %d, want 404", res.StatusCode)
	}
}

func TestSanctionsAndSettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.comment("alpha", "s1", "pending one", "bad@example.org")
	mod := e.login("mod@alpha.example")
	res, body := mod.post("/moderation/s/alpha/sanctions", url.Values{"csrf_token": {mod.csrf}, "author_key": {"e:bad@example.org"}, "kind": {"ban"},
		"reason": {"Repeated abuse."}, "reject_pending": {"on"}}, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ban: %d %s", res.StatusCode, body)
	}
	if got, _ := e.svc.Store().GetComment(e.ctx, c.ID); got.Status != parley.StatusRejected {
		t.Fatalf("pending comment after a ban with reject_pending: %s", got.Status)
	}
	_, body = mod.get("/moderation/s/alpha/sanctions")
	if !strings.Contains(body, "Repeated abuse.") || !strings.Contains(body, "e:bad@example.org") {
		t.Fatal("sanctions page lacks the ban")
	}
	// Moderators cannot change site settings; admins can.
	if res, _ := mod.post("/moderation/s/alpha/settings", url.Values{"csrf_token": {mod.csrf}, "mode": {"pre"}, "blocked_domains": {"spam.example"}}, false); res.StatusCode != http.StatusForbidden {
		t.Fatalf("moderator changed settings: %d", res.StatusCode)
	}
	admin := e.login("admin@both.example")
	if res, _ := admin.post("/moderation/s/alpha/settings", url.Values{"csrf_token": {admin.csrf}, "mode": {"pre"}, "blocked_domains": {"Spam.example\n@junk.example"}}, false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admin settings: %d", res.StatusCode)
	}
	site, _ := e.svc.Site(e.ctx, "alpha")
	if strings.Join(site.Settings.BlockedDomains, ",") != "spam.example,junk.example" {
		t.Fatalf("blocked domains %v", site.Settings.BlockedDomains)
	}
	// A suspension needs a future date.
	res, body = mod.post("/moderation/s/alpha/sanctions", url.Values{"csrf_token": {mod.csrf}, "author_key": {"e:x@example.org"}, "kind": {"suspend"}, "until": {"2001-01-01"}}, false)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "future") {
		t.Fatalf("past suspension: %d", res.StatusCode)
	}
}

func TestStorySettings(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.comment("alpha", "s1", "text", "one@example.org")
	mod := e.login("mod@alpha.example")
	res, body := mod.post("/moderation/s/alpha/stories/"+c.StoryID, url.Values{"csrf_token": {mod.csrf}, "title": {"New title"}, "closed": {"on"},
		"mode": {"post"}, "authors": {"author@alpha.example"}, "url": {"https://alpha.example/moved"}, "locked": {"on"}}, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("story: %d %s", res.StatusCode, body)
	}
	_, body = mod.get("/moderation/s/alpha/stories/" + c.StoryID)
	for _, s := range []string{`value="New title"`, `name="closed" checked`, `<option value="post" selected>`, "author@alpha.example",
		`value="https://alpha.example/moved"`, `name="locked" aria-describedby="locked-help" checked`} {
		if !strings.Contains(body, s) {
			t.Errorf("story page lacks %q", s)
		}
	}
	if res, _ := mod.post("/moderation/s/alpha/stories/"+c.StoryID, url.Values{"csrf_token": {mod.csrf}, "authors": {"nobody@example.org"}}, false); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("unknown author: %d", res.StatusCode)
	}
	// A story cannot be moved off the site's origins.
	if res, body := mod.post("/moderation/s/alpha/stories/"+c.StoryID, url.Values{"csrf_token": {mod.csrf}, "url": {"https://evil.example/x"}}, false); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "origins") {
		t.Fatalf("story moved to another origin: %d", res.StatusCode)
	}
}

func TestStaticFilesAreHashedAndCached(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := e.login("mod@alpha.example")
	_, body := mod.get("/moderation/s/alpha")
	m := regexp.MustCompile(`src="(/moderation/static/app\.[0-9a-f]{12}\.js)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no hashed script URL")
	}
	res, js := mod.get(m[1])
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.Contains(js, "EventSource") {
		t.Fatalf("script: %d %s", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/moderation/static/app.js", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", r2.StatusCode)
	}
}

func TestReportedQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.comment("alpha", "a1", "A published comment that readers dislike.", "g1@example.org")
	mod := e.login("mod@alpha.example")
	modUser := mustUser(t, e, "mod@alpha.example")
	if _, err := e.svc.Decide(e.ctx, modUser, c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	for i, tok := range []string{"pg_r1", "pg_r2"} {
		if _, err := e.svc.Report(e.ctx, service.Author{GuestToken: tok, ClientKey: fmt.Sprintf("198.51.100.%d", i)}, c.ID, parley.ReasonPersonalAttack, ""); err != nil {
			t.Fatal(err)
		}
	}
	res, body := mod.get("/moderation/s/alpha?status=reported")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reported queue: %d", res.StatusCode)
	}
	for _, want := range []string{"A published comment that readers dislike.", "Reported by readers 2 times", `data-count="reported">1<`} {
		if !strings.Contains(body, want) {
			t.Errorf("reported queue lacks %q", want)
		}
	}
	// The approved comment without reports is not in it.
	other := e.comment("alpha", "a1", "Another published comment nobody minds.", "g2@example.org")
	if _, err := e.svc.Decide(e.ctx, modUser, other.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	if _, body := mod.get("/moderation/s/alpha?status=reported"); strings.Contains(body, "nobody minds") {
		t.Error("an unreported comment is in the Reported queue")
	}
}
