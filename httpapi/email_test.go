package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/events"
	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/internal/testmail"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/mailer"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// newMailEnv is newEnv with a real SMTP server (mailpit) behind the outbox
// and links in email pointing at the test server.
func newMailEnv(t *testing.T, limits service.RateLimits) (*env, *testmail.Server) {
	t.Helper()
	mp := testmail.Start(t, testmail.Options{})
	db := sqltest.OpenSQLite(t)
	clock := testutil.NewClock(time.Now().UTC())
	db.SetClock(clock)
	srv := httptest.NewUnstartedServer(nil)
	publicURL := "http://" + srv.Listener.Addr().String()
	svc := service.New(service.Options{Passwords: service.CheapPasswordHasher, Store: db, Clock: clock, Bus: events.New(), RateLimits: limits, PublicURL: publicURL})
	snd, err := mailer.New(mailer.Config{URL: mp.SMTPURL(), From: "Comments <comments@a.example>"})
	if err != nil {
		t.Fatal(err)
	}
	svc.RegisterOutboxSender(parley.OutboxEmail, snd)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.RunOutbox(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	resolver, err := clientip.NewResolver([]string{"127.0.0.1/32", "::1/128"})
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Config{Service: svc, Bus: events.New(), Resolver: resolver})
	srv.Config.Handler = api.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	t.Cleanup(api.Close)
	e := &env{t: t, db: db, svc: svc, srv: srv, clock: clock, tokens: map[string]string{}}
	for _, s := range []struct{ id, origin string }{{"a", "https://a.example"}, {"b", "https://b.example"}} {
		if _, err := svc.CreateSite(ctx, s.id, "Site "+s.id, []string{s.origin}); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []struct {
		name, site string
		role       parley.Role
	}{{"mod", "a", parley.RoleModerator}, {"admin", "a", parley.RoleAdmin}} {
		email := u.name + "@example.com"
		if _, err := svc.CreateUser(ctx, email, u.name, "correct horse battery"); err != nil {
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
	return e, mp
}

var linkRe = regexp.MustCompile(`https?://\S+\?token=\S+`)

// mailedLink waits for the newest mail to addr and returns the link in it.
func mailedLink(t *testing.T, mp *testmail.Server, addr string) (string, string) {
	t.Helper()
	m := mp.LatestTo(t, addr, 15*time.Second)
	link := linkRe.FindString(m.Text)
	if link == "" {
		t.Fatalf("no link in %q", m.Text)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return link, u.Query().Get("token")
}

func form(t *testing.T, target string, v url.Values) (int, string) {
	t.Helper()
	res, err := http.PostForm(target, v)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

var pageToken = regexp.MustCompile(`data-token="([^"]+)"`)

func TestEmailLinkSignInEndToEnd(t *testing.T) {
	t.Parallel()
	e, mp := newMailEnv(t, service.RateLimits{})

	// A return page on another site is refused.
	r := e.do("POST", "/api/v1/auth/email-link", map[string]any{"site": "a", "email": "reader@example.org", "return_to": "https://evil.example/x"})
	if r.status != 422 {
		t.Fatalf("foreign return_to: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/auth/email-link", map[string]any{"site": "a", "email": "Reader@Example.org", "name": "Reader", "return_to": storyURL})
	if r.status != 202 {
		t.Fatalf("link request: %d %s", r.status, r.body)
	}
	link, token := mailedLink(t, mp, "reader@example.org")
	if !strings.HasPrefix(link, e.srv.URL+"/auth/email?token=") {
		t.Fatalf("link %q does not point at the server", link)
	}
	// Opening the link (as a mail scanner would) does not use it.
	for i := 0; i < 2; i++ {
		res, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("GET link: %d", res.StatusCode)
		}
	}
	status, page := form(t, e.srv.URL+"/auth/email", url.Values{"token": {token}})
	m := pageToken.FindStringSubmatch(page)
	if status != 200 || m == nil || !strings.Contains(page, `href="`+storyURL+`"`) {
		t.Fatalf("using the link: %d %s", status, page)
	}
	session := m[1]
	me := e.do("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+session)
	if me.status != 200 || me.json["user"].(map[string]any)["name"] != "Reader" {
		t.Fatalf("me: %d %s", me.status, me.body)
	}
	// The link works once.
	if status, page := form(t, e.srv.URL+"/auth/email", url.Values{"token": {token}}); status != 422 || pageToken.MatchString(page) {
		t.Fatalf("second use: %d", status)
	}

	// The signed-in commenter's approved comment shows "verified".
	r = e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "story_title": "Story", "body": "Signed in and verified."},
		"Authorization", "Bearer "+session)
	if r.status != 201 {
		t.Fatalf("post: %d %s", r.status, r.body)
	}
	id := r.json["comment"].(map[string]any)["id"].(string)
	if r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", map[string]any{}, e.bearer("mod")...); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	found := false
	for _, c := range e.thread() {
		if c["id"] == id {
			found = true
			if b := c["author"].(map[string]any)["badge"]; b != "verified" {
				t.Fatalf("badge = %v, want verified", b)
			}
		}
	}
	if !found {
		t.Fatal("the approved comment is not in the thread")
	}
	// Nobody may post as a guest under the verified address.
	r = e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "Impostor.", "author_name": "Someone Else", "author_email": "READER@example.org"})
	if r.status != 403 || r.json["error"].(map[string]any)["reason"] != "verified_email" {
		t.Fatalf("guest under a verified address: %d %s", r.status, r.body)
	}
}

func TestInviteAndPasswordResetEndToEnd(t *testing.T) {
	t.Parallel()
	e, mp := newMailEnv(t, service.RateLimits{})
	invite := map[string]any{"email": "newmod@example.org", "role": "moderator", "lang": "ru"}
	if r := e.do("POST", "/api/v1/admin/sites/a/invites", invite, e.bearer("mod")...); r.status != 403 {
		t.Fatalf("a moderator invited: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/admin/sites/a/invites", invite); r.status != 401 {
		t.Fatalf("anonymous invite: %d %s", r.status, r.body)
	}
	r := e.do("POST", "/api/v1/admin/sites/a/invites", invite, e.bearer("admin")...)
	if r.status != 201 {
		t.Fatalf("invite: %d %s", r.status, r.body)
	}
	list := e.do("GET", "/api/v1/admin/sites/a/invites", nil, e.bearer("admin")...)
	if n := len(list.json["invites"].([]any)); list.status != 200 || n != 1 {
		t.Fatalf("invites: %d %s", list.status, list.body)
	}
	m := mp.LatestTo(t, "newmod@example.org", 15*time.Second)
	if !strings.Contains(m.Subject, "Приглашение") {
		t.Fatalf("the invite is not in Russian: %q", m.Subject)
	}
	_, token := mailedLink(t, mp, "newmod@example.org")
	if r := e.do("POST", "/api/v1/auth/invites/accept", map[string]any{"token": token, "name": "New Mod", "password": "short"}); r.status != 422 {
		t.Fatalf("short password: %d", r.status)
	}
	r = e.do("POST", "/api/v1/auth/invites/accept", map[string]any{"token": token, "name": "New Mod", "password": "a long new password"})
	if r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	session := r.json["token"].(string)
	if q := e.do("GET", "/api/v1/moderation/queue?site=a", nil, "Authorization", "Bearer "+session); q.status != 200 {
		t.Fatalf("the invited moderator cannot moderate: %d %s", q.status, q.body)
	}
	if r := e.do("POST", "/api/v1/auth/invites/accept", map[string]any{"token": token, "name": "Again", "password": "a long new password"}); r.status != 422 {
		t.Fatalf("second accept: %d", r.status)
	}

	// Reset: a known and an unknown address get the same answer.
	known := e.do("POST", "/api/v1/auth/password-reset", map[string]any{"email": "newmod@example.org"})
	unknown := e.do("POST", "/api/v1/auth/password-reset", map[string]any{"email": "nobody@example.org"})
	if known.status != 202 || unknown.status != known.status || string(unknown.body) != string(known.body) {
		t.Fatalf("known %d %s / unknown %d %s", known.status, known.body, unknown.status, unknown.body)
	}
	var link string
	deadline := time.Now().Add(15 * time.Second)
	for link == "" && time.Now().Before(deadline) {
		for _, msg := range mp.Messages(t) {
			if strings.Contains(msg.Subject, "password") {
				link = linkRe.FindString(mp.Message(t, msg.ID).Text)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	u, err := url.Parse(link)
	if err != nil || link == "" {
		t.Fatalf("no reset link: %q", link)
	}
	r = e.do("POST", "/api/v1/auth/password-reset/confirm", map[string]any{"token": u.Query().Get("token"), "password": "another long password"})
	if r.status != 200 {
		t.Fatalf("reset: %d %s", r.status, r.body)
	}
	// The password change ended the old session; the new password works.
	if me := e.do("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+session); me.status != 401 {
		t.Fatalf("old session after a password change: %d", me.status)
	}
	if r := e.do("POST", "/api/v1/auth/login", map[string]any{"email": "newmod@example.org", "password": "another long password"}); r.status != 200 {
		t.Fatalf("login with the new password: %d %s", r.status, r.body)
	}
	for _, msg := range mp.Messages(t) {
		for _, to := range msg.To {
			if to.Address == "nobody@example.org" {
				t.Fatal("a reset mail went to an address without an account")
			}
		}
	}
}

func TestEmailLinkRequestsAreRateLimited(t *testing.T) {
	t.Parallel()
	limits := service.DefaultRateLimits
	e, _ := newMailEnv(t, limits)
	var last resp
	n := 0
	for ; n < 10; n++ {
		last = e.do("POST", "/api/v1/auth/password-reset", map[string]any{"email": "mod@example.com"}, "X-Forwarded-For", "198.51.100.7")
		if last.status != 202 {
			break
		}
	}
	if last.status != 429 || n != limits.EmailLinkPerAccountBurst || last.header.Get("Retry-After") == "" {
		t.Fatalf("per account: %d after %d requests", last.status, n)
	}
	// Per client address, across accounts.
	n = 0
	for ; n < 20; n++ {
		last = e.do("POST", "/api/v1/auth/email-link", map[string]any{"site": "a", "email": "r" + string(rune('a'+n)) + "@example.org"}, "X-Forwarded-For", "203.0.113.9")
		if last.status != 202 {
			break
		}
	}
	if last.status != 429 || n != limits.EmailLinkBurst {
		t.Fatalf("per address: %d after %d requests", last.status, n)
	}
}
