package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
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
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// principal is one kind of caller the matrix tries.
type principal string

const (
	anonymous principal = "anonymous"
	guest     principal = "guest"     // no account, holds the guest token of the fixture comments
	badToken  principal = "bad token" // a bearer token or session cookie that does not exist
	author    principal = "author"    // author role on site a
	otherMod  principal = "moderator of another site"
	mod       principal = "moderator"
	adminP    principal = "admin"
)

var principals = []principal{anonymous, guest, badToken, author, otherMod, mod, adminP}

// allowed reports whether p may call a route of class a.
func (a access) allowed(p principal) bool {
	switch a {
	case public:
		return true
	case account:
		return p == author || p == otherMod || p == mod || p == adminP
	case anyModerator:
		return p == otherMod || p == mod || p == adminP
	case owner:
		return p == guest
	case moderator:
		return p == mod || p == adminP
	case admin:
		return p == adminP
	}
	return false
}

// authzFixture is the assembled server with its users and resources.
type authzFixture struct {
	t     *testing.T
	db    *sqlstore.DB
	svc   *service.Service
	srv   *httptest.Server
	users map[principal]*parley.User
	guest string // guest token
	n     int
	// patterns are every route of the assembled router.
	patterns []string
}

func newAuthzFixture(t *testing.T) *authzFixture {
	db := sqltest.OpenSQLite(t)
	bus := events.New()
	svc := service.New(service.Options{Store: db, Bus: bus, Passwords: passwordHasher, // cheap in tests (TestMain): a 10 s request deadline under -race on a loaded machine
		SiteCacheTTL: service.DefaultSiteCacheTTL}) // as serve runs
	resolver, err := clientip.NewResolver(nil)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	api := httpapi.New(httpapi.Config{Service: svc, Bus: bus, Resolver: resolver, Logger: logger})
	t.Cleanup(api.Close)
	if err := mountExtras(api.Mux(), svc, logger, false, resolver); err != nil {
		t.Fatal(err)
	}
	mountDemo(api.Mux())
	f := &authzFixture{t: t, db: db, svc: svc, srv: httptest.NewServer(api.Handler()), users: map[principal]*parley.User{}, guest: service.NewGuestToken()}
	t.Cleanup(f.srv.Close)
	ctx := context.Background()
	for _, s := range []string{"a", "b"} {
		if _, err := svc.CreateSite(ctx, s, "Site "+s, []string{"https://" + s + ".example"}); err != nil {
			t.Fatal(err)
		}
	}
	for p, m := range map[principal]parley.Membership{author: {SiteID: "a", Role: parley.RoleAuthor},
		otherMod: {SiteID: "b", Role: parley.RoleModerator}, mod: {SiteID: "a", Role: parley.RoleModerator}, adminP: {SiteID: "a", Role: parley.RoleAdmin}} {
		email := strings.ReplaceAll(string(p), " ", "-") + "@example.org"
		u, err := svc.CreateUser(ctx, email, "User "+string(p), "long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRole(ctx, m.SiteID, email, m.Role); err != nil {
			t.Fatal(err)
		}
		f.users[p] = u
	}
	f.patterns = api.Mux().Patterns()
	return f
}

// comment posts a fresh guest comment (on its own story when ownStory).
func (f *authzFixture) comment(ownStory bool) *parley.Comment {
	f.n++
	u := "https://a.example/news/1"
	if ownStory {
		u = fmt.Sprintf("https://a.example/news/s%d", f.n)
	}
	// Routes under test may have turned guest comments off: turn them on.
	ctx := context.Background()
	if site, err := f.svc.Site(ctx, "a"); err == nil && site.Settings.GuestsDisallowed {
		site.Settings.GuestsDisallowed = false
		if _, err := f.svc.UpdateSiteSettings(ctx, f.users[adminP], "a", site.Settings); err != nil {
			f.t.Fatal(err)
		}
	}
	r, err := f.svc.Post(ctx, service.Author{GuestToken: f.guest, ClientKey: "192.0.2.1"}, service.PostInput{SiteID: "a",
		StoryURL: u, Body: fmt.Sprintf("Fixture comment %d.", f.n), GuestName: "Guest"})
	if err != nil {
		f.t.Fatal(err)
	}
	return r.Comment
}

// fill makes the resource a rule's {id} stands for and returns its ID.
func (f *authzFixture) fill(k idKind) string {
	ctx := context.Background()
	switch k {
	case commentID:
		return f.comment(false).ID
	case approvedID:
		c := f.comment(false)
		if _, err := f.svc.Decide(ctx, f.users[adminP], c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
			f.t.Fatal(err)
		}
		return c.ID
	case storyID:
		return f.comment(true).StoryID
	case sanctionID:
		f.n++
		s, err := f.svc.AddSanction(ctx, f.users[adminP], service.SanctionInput{SiteID: "a", AuthorKey: fmt.Sprintf("e:s%d@example.org", f.n), Kind: parley.SanctionBan, Reason: "matrix"})
		if err != nil {
			f.t.Fatal(err)
		}
		return s.ID
	case siteID:
		return "a"
	case webhookID:
		// A site has at most 20 webhooks: make room.
		if hooks, err := f.svc.Webhooks(ctx, f.users[adminP], "a"); err == nil && len(hooks) >= 15 {
			for _, h := range hooks {
				if err := f.svc.DeleteWebhook(ctx, f.users[adminP], "a", h.ID); err != nil {
					f.t.Fatal(err)
				}
			}
		}
		f.n++
		u := fmt.Sprintf("https://hooks.example/%d", f.n)
		events := []string{parley.HookCommentApproved}
		h, err := f.svc.CreateWebhook(ctx, f.users[adminP], "a", service.WebhookInput{URL: &u, Events: &events})
		if err != nil {
			f.t.Fatal(err)
		}
		return h.ID
	case inviteID:
		f.n++
		l, err := f.svc.Invite(ctx, f.users[adminP], service.InviteInput{SiteID: "a", Email: fmt.Sprintf("invitee%d@example.org", f.n), Role: parley.RoleModerator, ClientKey: "k"})
		if err != nil {
			f.t.Fatal(err)
		}
		return l.ID
	case outboxID:
		f.fill(inviteID) // an invitation is an email in the outbox
		msgs, _, err := f.db.ListOutbox(ctx, parley.OutboxFilter{SiteID: "a"})
		if err != nil || len(msgs) == 0 {
			f.t.Fatalf("no outbox message: %v", err)
		}
		return msgs[0].ID
	case modUserID:
		return f.users[mod].ID
	case reportID:
		c := f.fill(approvedID)
		f.n++
		r, err := f.svc.Report(ctx, service.Author{ClientKey: fmt.Sprintf("198.51.100.%d", f.n%250), ClientIP: "198.51.100.1"}, c, parley.ReasonSpam, "")
		if err != nil {
			f.t.Fatal(err)
		}
		return r.ID
	case missingID:
		return "01NOSUCHRESOURCE000000000"
	case staticFile:
		res, err := http.Get(f.srv.URL + "/moderation/login")
		if err != nil {
			f.t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`/moderation/static/([^"?]+)`).FindSubmatch(b)
		if m == nil {
			f.t.Fatal("no static file linked from the login page")
		}
		return string(m[1])
	}
	return ""
}

// session returns a fresh session secret and CSRF token for p's user.
func (f *authzFixture) session(p principal) (string, string) {
	secret, csrf := service.NewGuestToken(), service.NewGuestToken()
	secret = "ps_" + secret[3:]
	now := time.Now().UTC()
	if err := f.db.CreateSession(context.Background(), &parley.Session{IDHash: service.HashSecret(secret), UserID: f.users[p].ID,
		CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		f.t.Fatal(err)
	}
	return secret, csrf
}

// request builds the request for pattern as principal p.
func (f *authzFixture) request(pattern string, rule authzRule, p principal) *http.Request {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	id := f.fill(rule.ids)
	f.n++
	pairs := []string{"{site}", "a", "{id}", id, "{file}", id, "{$}", "", "{n}", fmt.Sprint(f.n)}
	for name, k := range rule.params {
		pairs = append(pairs, name, f.fill(k))
	}
	sub := strings.NewReplacer(pairs...)
	path = sub.Replace(path)
	if strings.HasSuffix(pattern, "/") {
		path += "nothing" // a catch-all
	}
	if rule.query != "" {
		path += "?" + sub.Replace(rule.query)
	}
	var body io.Reader
	ctype := ""
	switch {
	case rule.json != "":
		body, ctype = strings.NewReader(sub.Replace(rule.json)), "application/json"
	case rule.form != "" || method == http.MethodPost && strings.HasPrefix(path, "/moderation"):
		body, ctype = strings.NewReader(sub.Replace(rule.form)), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	dashboard := strings.HasPrefix(path, "/moderation")
	switch p {
	case anonymous:
	case guest:
		req.Header.Set("X-Parley-Guest-Token", f.guest)
	case badToken:
		if dashboard {
			req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: "ps_nosuchsession"})
		} else {
			req.Header.Set("Authorization", "Bearer pt_nosuchtoken")
		}
	default:
		secret, csrf := f.session(p)
		if dashboard {
			req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: secret})
			req.Header.Set("X-CSRF-Token", csrf)
			if ctype == "application/x-www-form-urlencoded" {
				q, _ := url.ParseQuery(sub.Replace(rule.form))
				q.Set("csrf_token", csrf)
				req.Body = io.NopCloser(strings.NewReader(q.Encode()))
				req.ContentLength = int64(len(q.Encode()))
			}
		} else {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
	}
	return req
}

// refused reports whether a response refuses the caller: 401, 403, 404 (a
// resource hidden from them) or the dashboard's redirect to its login page.
func refused(res *http.Response) bool {
	switch res.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	}
	return res.StatusCode/100 == 3 && strings.HasPrefix(res.Header.Get("Location"), "/moderation/login")
}

// TestAuthorizationMatrix walks every route of the assembled server against
// anonymous callers, guests, a bad token, an author, a moderator of another
// site, a moderator and an admin, and checks each gets what the table in
// authz_table_test.go says. A route missing from the table fails the test.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	f := newAuthzFixture(t)
	seen := map[string]bool{}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, pattern := range f.patterns {
		seen[pattern] = true
		rule, ok := authzTable[pattern]
		if !ok {
			t.Errorf("route %q has no entry in authzTable (cmd/parley/authz_table_test.go): say who may call it", pattern)
			continue
		}
		for _, p := range principals {
			if rule.who == public && p == badToken {
				continue // a bad token may be refused even where nobody needs one
			}
			req := f.request(pattern, rule, p)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			res, err := client.Do(req.WithContext(ctx))
			if err != nil {
				cancel()
				t.Fatalf("%s as %s: %v", pattern, p, err)
			}
			res.Body.Close()
			cancel()
			want := rule.who.allowed(p)
			switch {
			case res.StatusCode >= 500:
				t.Errorf("%s as %s: %d", pattern, p, res.StatusCode)
			case want && rule.status != 0 && res.StatusCode != rule.status:
				t.Errorf("%s as %s: %d, want %d", pattern, p, res.StatusCode, rule.status)
			case want && rule.status == 0 && refused(res):
				t.Errorf("%s as %s: refused with %d (Location %q), but the table allows it", pattern, p, res.StatusCode, res.Header.Get("Location"))
			case !want && !refused(res):
				t.Errorf("%s as %s: %d, but only %s may call it", pattern, p, res.StatusCode, rule.who)
			}
		}
	}
	for pattern := range authzTable {
		if !seen[pattern] {
			t.Errorf("authzTable lists %q, which the router does not have", pattern)
		}
	}
}

func (a access) String() string {
	return [...]string{"anyone", "signed-in users", "moderators of any site", "the comment's author", "the site's moderators and admins", "the site's admins"}[a]
}
