package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testoidc"
	"github.com/parley-comments/parley/service"
)

const ssoSecret = "0123456789abcdef0123456789abcdef-site-a"

// ssoToken signs a hand-off token for site a as a newsroom backend would.
func (e *env) ssoToken(jti, sub, name, role string, mut ...func(jwt.MapClaims)) string {
	e.t.Helper()
	now := e.clock.Now()
	c := jwt.MapClaims{"sub": sub, "name": name, "email": sub + "@readers.example", "aud": "a", "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "jti": jti}
	if role != "" {
		c["role"] = role
	}
	for _, m := range mut {
		m(c)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte(ssoSecret))
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

func (e *env) enableSSO() {
	e.t.Helper()
	r := e.do("PUT", "/api/v1/admin/sites/a/auth", map[string]any{"sso": map[string]any{"secret": ssoSecret}}, e.bearer("admin")...)
	if r.status != 200 {
		e.t.Fatalf("enable SSO: %d %s", r.status, r.body)
	}
}

func reason(r resp) string {
	if e, ok := r.json["error"].(map[string]any); ok {
		s, _ := e["reason"].(string)
		return s
	}
	return ""
}

func TestSSOHandOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tok := e.ssoToken("j1", "reader-1", "Ada Reader", "")
	if r := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "a", "token": tok}); r.status != 422 {
		t.Fatalf("SSO before it is set up: %d %s", r.status, r.body)
	}
	if r := e.do("PUT", "/api/v1/admin/sites/a/auth", map[string]any{"sso": map[string]any{"secret": ssoSecret}}, e.bearer("mod")...); r.status != 403 {
		t.Fatalf("a moderator set up SSO: %d", r.status)
	}
	if r := e.do("PUT", "/api/v1/admin/sites/a/auth", map[string]any{"sso": map[string]any{"secret": "short"}}, e.bearer("admin")...); r.status != 422 {
		t.Fatalf("a short secret: %d %s", r.status, r.body)
	}
	e.enableSSO()
	view := e.do("GET", "/api/v1/admin/sites/a/auth", nil, e.bearer("admin")...)
	if strings.Contains(string(view.body), ssoSecret) || view.json["sso_secret_set"] != true {
		t.Fatalf("the admin view shows the secret or hides that it is set: %s", view.body)
	}

	r := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "a", "token": tok}, "Origin", "https://a.example")
	if r.status != 200 {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	session := r.json["token"].(string)
	bearer := []string{"Authorization", "Bearer " + session}
	post := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "Signed in through the newsroom."}, bearer...)
	if post.status != 201 {
		t.Fatalf("post as SSO user: %d %s", post.status, post.body)
	}
	if name := findComment(e.thread(bearer...), post.json["comment"].(map[string]any)["id"].(string))["author"].(map[string]any)["name"]; name != "Ada Reader" {
		t.Fatalf("author name %v", name)
	}
	// The same newsroom user later is the same Parley user; the name follows.
	r2 := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "a", "token": e.ssoToken("j2", "reader-1", "Ada R.", "")})
	if r2.status != 200 || r2.json["user"].(map[string]any)["id"] != r.json["user"].(map[string]any)["id"] || r2.json["user"].(map[string]any)["name"] != "Ada R." {
		t.Fatalf("second sign-in: %d %s vs %s", r2.status, r2.body, r.body)
	}

	// Refusals, each with its reason.
	for _, tc := range []struct {
		name, site, token, reason string
		status                    int
	}{
		{"replayed", "a", tok, "replayed", 401},
		{"expired", "a", e.ssoToken("j3", "reader-1", "Ada", "", func(c jwt.MapClaims) { c["exp"] = e.clock.Now().Add(-time.Hour).Unix() }), "expired", 401},
		{"wrong key", "a", func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "x", "name": "X", "aud": "a", "jti": "j4", "exp": e.clock.Now().Add(time.Minute).Unix()}).SignedString([]byte(ssoSecret + "!"))
			return s
		}(), "signature", 401},
		{"alg none", "a", func() string {
			s, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": "x", "name": "X", "aud": "a", "jti": "j5", "exp": e.clock.Now().Add(time.Minute).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
			return s
		}(), "algorithm", 401},
		{"wrong site", "a", e.ssoToken("j6", "reader-1", "Ada", "", func(c jwt.MapClaims) { c["aud"] = "b" }), "audience", 401},
	} {
		got := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": tc.site, "token": tc.token})
		if got.status != tc.status || got.errCode() != "unauthorized" || reason(got) != tc.reason {
			t.Errorf("%s: %d %s, want %d reason %s", tc.name, got.status, got.body, tc.status, tc.reason)
		}
	}
	// A token for site a is no good at site b, even with b's SSO on.
	if _, err := e.svc.Store().GetSite(context.Background(), "b"); err != nil {
		t.Fatal(err)
	}
	if got := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "b", "token": e.ssoToken("j7", "reader-1", "Ada", "")}); got.status != 422 {
		t.Fatalf("site b without SSO: %d %s", got.status, got.body)
	}

	// Logging out ends the session; the token that made it stays spent.
	j8 := e.ssoToken("j8", "reader-2", "Bo", "")
	r3 := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "a", "token": j8})
	b3 := []string{"Authorization", "Bearer " + r3.json["token"].(string)}
	if out := e.do("POST", "/api/v1/auth/logout", nil, b3...); out.status != 200 {
		t.Fatalf("logout: %d %s", out.status, out.body)
	}
	if me := e.do("GET", "/api/v1/auth/me", nil, b3...); me.status != 401 {
		t.Fatalf("session after logout: %d", me.status)
	}
	if again := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "a", "token": j8}); again.status != 401 || reason(again) != "replayed" {
		t.Fatalf("token replayed after logout: %d %s", again.status, again.body)
	}

	// The role claim gives and takes the role; staff get their badge.
	ed := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "a", "token": e.ssoToken("j9", "editor-1", "Eve Editor", "moderator")})
	if ed.status != 200 || ed.json["role"] != "moderator" {
		t.Fatalf("moderator by SSO: %d %s", ed.status, ed.body)
	}
	eb := []string{"Authorization", "Bearer " + ed.json["token"].(string)}
	sp := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "From the desk, via SSO."}, eb...)
	if c := findComment(e.thread(), sp.json["comment"].(map[string]any)["id"].(string)); c == nil || c["author"].(map[string]any)["badge"] != "staff" {
		t.Fatalf("SSO moderator's comment: %v (%s)", c, sp.body)
	}
	if q := e.do("GET", "/api/v1/moderation/queue?site=a", nil, eb...); q.status != 200 {
		t.Fatalf("SSO moderator reads the queue: %d", q.status)
	}
	if ed2 := e.do("POST", "/api/v1/auth/sso", map[string]any{"site": "a", "token": e.ssoToken("j10", "editor-1", "Eve Editor", "")}); ed2.json["role"] != "" {
		t.Fatalf("role kept without the claim: %s", ed2.body)
	}
	if q := e.do("GET", "/api/v1/moderation/queue?site=a", nil, eb...); q.status != 403 {
		t.Fatalf("demoted SSO user reads the queue: %d", q.status)
	}
}

func TestSessionsListRevokeAndBan(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	login := func() (string, []string) {
		r := e.do("POST", "/api/v1/auth/login", map[string]any{"email": "author@example.com", "password": "correct horse battery"}, "User-Agent", "TestBrowser/1.0")
		if r.status != 200 {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		return r.json["token"].(string), []string{"Authorization", "Bearer " + r.json["token"].(string)}
	}
	_, b1 := login()
	_, b2 := login()
	list := e.do("GET", "/api/v1/account/sessions", nil, b1...)
	ss, _ := list.json["sessions"].([]any)
	if list.status != 200 || len(ss) != 2 {
		t.Fatalf("sessions: %d %s", list.status, list.body)
	}
	var other string
	for _, x := range ss {
		m := x.(map[string]any)
		if m["method"] != "password" {
			t.Fatalf("session method %v", m["method"])
		}
		if m["current"] != true {
			other = m["id"].(string)
		}
	}
	// Another user cannot revoke it; its owner can.
	if r := e.do("DELETE", "/api/v1/account/sessions/"+other, nil, e.bearer("mod")...); r.status != 404 {
		t.Fatalf("someone else's session: %d", r.status)
	}
	if r := e.do("DELETE", "/api/v1/account/sessions/"+other, nil, b1...); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/auth/me", nil, b2...); r.status != 401 {
		t.Fatalf("revoked session still works: %d", r.status)
	}
	// An admin of the site revokes all of a member's sessions.
	me := e.do("GET", "/api/v1/auth/me", nil, b1...)
	uid := me.json["user"].(map[string]any)["id"].(string)
	if r := e.do("POST", "/api/v1/admin/sites/a/users/"+uid+"/revoke-sessions", nil, e.bearer("mod")...); r.status != 403 {
		t.Fatalf("a moderator revoked sessions: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/admin/sites/a/users/"+uid+"/revoke-sessions", nil, e.bearer("admin")...); r.status != 200 || r.json["revoked"] != float64(1) {
		t.Fatalf("admin revoke: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/auth/me", nil, b1...); r.status != 401 {
		t.Fatalf("session after admin revoke: %d", r.status)
	}
	// A ban ends every session of the banned user.
	_, b3 := login()
	if r := e.do("POST", "/api/v1/moderation/sanctions", map[string]any{"site": "a", "author_key": "u:" + uid, "kind": "ban", "reason": "abuse"}, e.bearer("mod")...); r.status != 201 && r.status != 200 {
		t.Fatalf("ban: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/auth/me", nil, b3...); r.status != 401 {
		t.Fatalf("session after ban: %d", r.status)
	}
}

func TestLoginIsLimitedPerAccount(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, service.DefaultRateLimits)
	limited := false
	for i := 0; i < 12; i++ {
		// A different address each time: only the per-account limit applies.
		r := e.do("POST", "/api/v1/auth/login", map[string]any{"email": "mod@example.com", "password": "wrong password!"}, "X-Forwarded-For", "203.0.113."+strconv.Itoa(i+1))
		if r.status == 429 {
			limited = true
			break
		}
		if r.status != 401 {
			t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
		}
	}
	if !limited {
		t.Fatal("12 wrong passwords for one account from 12 addresses were never limited")
	}
}

// browser is a cookie-keeping client that does not follow redirects, so
// that each hop of the OIDC flow is visible.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) get(u string) (*http.Response, string) {
	b.t.Helper()
	res, err := b.c.Get(u)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// follow GETs u and follows redirects until a page answers.
func (b *browser) follow(u string) (*http.Response, string) {
	b.t.Helper()
	for i := 0; i < 10; i++ {
		res, body := b.get(u)
		if res.StatusCode/100 != 3 {
			return res, body
		}
		next, err := res.Request.URL.Parse(res.Header.Get("Location"))
		if err != nil {
			b.t.Fatal(err)
		}
		u = next.String()
	}
	b.t.Fatal("too many redirects")
	return nil, ""
}

var authRequestID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// signInAtOP runs a full sign-in: Parley's start URL, the provider's login
// form, and back to Parley's callback. It returns the final answer.
func (b *browser) signInAtOP(parleyBase, site, returnTo, username, password string, extra ...string) (*http.Response, string) {
	b.t.Helper()
	q := url.Values{"return_to": {returnTo}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	res, body := b.follow(parleyBase + "/auth/oidc/" + site + "/start?" + q.Encode())
	m := authRequestID.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no login form at %s (%d): %s", res.Request.URL, res.StatusCode, body)
	}
	loginURL := res.Request.URL
	form := url.Values{"id": {m[1]}, "username": {username}, "password": {password}}
	post, err := b.c.PostForm(loginURL.String(), form)
	if err != nil {
		b.t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusFound {
		b.t.Fatalf("OP login: %d", post.StatusCode)
	}
	next, _ := post.Request.URL.Parse(post.Header.Get("Location"))
	// Follow the OP's redirects up to Parley's callback, then one more hop.
	u := next.String()
	for i := 0; i < 10; i++ {
		res, body = b.get(u)
		if res.StatusCode/100 != 3 || strings.HasPrefix(u, parleyBase+"/auth/oidc/callback") {
			return res, body
		}
		n, _ := res.Request.URL.Parse(res.Header.Get("Location"))
		u = n.String()
	}
	b.t.Fatal("too many redirects")
	return nil, ""
}

func TestOIDCStaffSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	op, err := testoidc.Start(testoidc.Config{ClientID: "parley-a", ClientSecret: "op-secret", RedirectURIs: []string{e.srv.URL + "/auth/oidc/callback"},
		Users: []testoidc.User{
			{ID: "u-desk", Username: "desk@idp", Password: "pw-desk-123", Name: "Dana Desk", Email: "mod@example.com", Groups: []string{"staff", "desk"}},
			{ID: "u-writer", Username: "writer@idp", Password: "pw-writer-123", Name: "Walt Writer", Email: "walt@paper.example", Groups: []string{"writers"}},
			{ID: "u-twin", Username: "twin@idp", Password: "pw-twin-123", Name: "Twin", Email: "walt@paper.example", Groups: []string{"writers"}},
			{ID: "u-rita", Username: "rita@idp", Password: "pw-rita-123", Name: "Rita Reporter", Email: "rita@paper.example", Groups: []string{"writers"}},
			{ID: "u-linker", Username: "linker@idp", Password: "pw-linker-123", Name: "Ada Admin", Email: "admin@example.com", Groups: []string{"writers"}},
			{ID: "u-invitee", Username: "invitee@idp", Password: "pw-invitee-123", Name: "Ivy Invitee", Email: "invitee@paper.example", Groups: []string{"readers"}},
			{ID: "u-nobody", Username: "nobody@idp", Password: "pw-nobody-123", Name: "No Body", Email: "nobody@paper.example", Groups: []string{"readers"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Close() })
	// OIDC talks to the provider in real time; the env's clock is frozen in
	// 2026-11, so move it to now for ID-token expiry checks.
	e.clock.Set(time.Now())
	r := e.do("PUT", "/api/v1/admin/sites/a/auth", map[string]any{"oidc": map[string]any{"issuer": op.Issuer, "client_id": "parley-a", "client_secret": "op-secret",
		"role_claim": "groups", "roles": map[string]string{"desk": "moderator", "writers": "author"}, "label": "Paper SSO"}}, e.bearer("admin")...)
	if r.status != 200 || strings.Contains(string(r.body), "op-secret") {
		t.Fatalf("configure OIDC: %d %s", r.status, r.body)
	}

	// A moderator by group lands in the dashboard path with a session.
	b := newBrowser(t)
	res, body := b.signInAtOP(e.srv.URL, "a", "/moderation/s/a", "desk@idp", "pw-desk-123")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/moderation/s/a" {
		t.Fatalf("callback: %d %s %s", res.StatusCode, res.Header.Get("Location"), body)
	}
	srvURL, _ := url.Parse(e.srv.URL)
	var cookie string
	for _, c := range b.c.Jar.Cookies(srvURL) {
		if c.Name == "parley_session" {
			cookie = c.Value
		}
	}
	if cookie == "" {
		t.Fatal("no session cookie after the callback")
	}
	bearer := []string{"Authorization", "Bearer " + cookie}
	me := e.do("GET", "/api/v1/auth/me", nil, bearer...)
	roles := me.json["user"].(map[string]any)["roles"].([]any)
	if len(roles) != 1 || roles[0].(map[string]any)["role"] != "moderator" || me.json["user"].(map[string]any)["name"] != "Dana Desk" {
		t.Fatalf("me after OIDC: %s", me.body)
	}
	// The provider's email equals a password user's: still a separate user.
	if me.json["user"].(map[string]any)["email"] == "mod@example.com" {
		t.Fatal("the OIDC user was matched to a password account by email")
	}
	id, _ := e.post("Please moderate me.", nil)
	if d := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", map[string]any{}, bearer...); d.status != 200 {
		t.Fatalf("OIDC moderator approves: %d %s", d.status, d.body)
	}
	sess := e.do("GET", "/api/v1/account/sessions", nil, bearer...)
	if !strings.Contains(string(sess.body), `"method":"oidc"`) {
		t.Fatalf("sessions: %s", sess.body)
	}

	// Signing in again maps to the same user.
	b2 := newBrowser(t)
	b2.signInAtOP(e.srv.URL, "a", "/moderation", "desk@idp", "pw-desk-123")
	var c2 string
	for _, c := range b2.c.Jar.Cookies(srvURL) {
		if c.Name == "parley_session" {
			c2 = c.Value
		}
	}
	me2 := e.do("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+c2)
	if me2.json["user"].(map[string]any)["id"] != me.json["user"].(map[string]any)["id"] {
		t.Fatalf("second sign-in is another user: %s vs %s", me2.body, me.body)
	}

	// Two provider users with one email are two Parley users.
	ids := map[string]bool{}
	for _, u := range [][2]string{{"writer@idp", "pw-writer-123"}, {"twin@idp", "pw-twin-123"}} {
		bw := newBrowser(t)
		res, body := bw.signInAtOP(e.srv.URL, "a", "popup:https://a.example", u[0], u[1])
		if res.StatusCode != 200 || !strings.Contains(body, `data-origin="https://a.example"`) || !strings.Contains(body, `data-role="author"`) {
			t.Fatalf("popup sign-in of %s: %d %s", u[0], res.StatusCode, body)
		}
		tok := regexp.MustCompile(`data-token="([^"]+)"`).FindStringSubmatch(body)[1]
		m := e.do("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+tok)
		ids[m.json["user"].(map[string]any)["id"].(string)] = true
	}
	if len(ids) != 2 {
		t.Fatalf("two provider accounts with one email became %d users", len(ids))
	}

	// The author badge, whichever way the author signed in: a moderator
	// lists the story's author by the email the provider reported.
	br := newBrowser(t)
	_, body = br.signInAtOP(e.srv.URL, "a", "popup:https://a.example", "rita@idp", "pw-rita-123")
	rita := []string{"Authorization", "Bearer " + regexp.MustCompile(`data-token="([^"]+)"`).FindStringSubmatch(body)[1]}
	rp := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": storyURL, "body": "The reporter answers."}, rita...)
	if rp.status != 201 {
		t.Fatalf("author posts: %d %s", rp.status, rp.body)
	}
	e.do("POST", "/api/v1/moderation/comments/"+rp.json["comment"].(map[string]any)["id"].(string)+"/approve", map[string]any{}, bearer...)
	storyID := e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil).json["story"].(map[string]any)["id"].(string)
	if r := e.do("PATCH", "/api/v1/moderation/stories/"+storyID, map[string]any{"author_emails": []string{"rita@paper.example"}}, bearer...); r.status != 200 {
		t.Fatalf("set the story's author: %d %s", r.status, r.body)
	}
	if r := e.do("PATCH", "/api/v1/moderation/stories/"+storyID, map[string]any{"author_emails": []string{"walt@paper.example"}}, bearer...); r.status != 422 {
		t.Fatalf("an email two provider users share must not pick one: %d %s", r.status, r.body)
	}
	if c := findComment(e.thread(), rp.json["comment"].(map[string]any)["id"].(string)); c == nil || c["author"].(map[string]any)["badge"] != "author" {
		t.Fatalf("the OIDC author's comment: %v", c)
	}

	// A password admin links a provider account that maps to a weaker
	// role: signing in with it is the same user, still an admin.
	bl := newBrowser(t)
	lr, err := bl.c.Post(e.srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"admin@example.com","password":"correct horse battery"}`))
	if err != nil || lr.StatusCode != 200 {
		t.Fatalf("password login: %v %v", lr, err)
	}
	var login struct {
		CSRF string `json:"csrf_token"`
	}
	_ = json.NewDecoder(lr.Body).Decode(&login)
	lr.Body.Close()
	// Without the session's CSRF token a link is refused (a page elsewhere
	// could otherwise bind an account the attacker controls).
	if res, _ := bl.get(e.srv.URL + "/auth/oidc/a/start?link=1&return_to=/moderation"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("link without the CSRF token: %d", res.StatusCode)
	}
	adminID := e.do("GET", "/api/v1/auth/me", nil, e.bearer("admin")...).json["user"].(map[string]any)["id"]
	if res, body := bl.signInAtOP(e.srv.URL, "a", "/moderation", "linker@idp", "pw-linker-123", "link", "1", "csrf_token", login.CSRF); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d %s", res.StatusCode, body)
	}
	bl2 := newBrowser(t)
	bl2.signInAtOP(e.srv.URL, "a", "/moderation", "linker@idp", "pw-linker-123")
	var lc string
	for _, c := range bl2.c.Jar.Cookies(srvURL) {
		if c.Name == "parley_session" {
			lc = c.Value
		}
	}
	lme := e.do("GET", "/api/v1/auth/me", nil, "Authorization", "Bearer "+lc)
	if lme.json["user"].(map[string]any)["id"] != adminID || !strings.Contains(string(lme.body), `"role":"admin"`) {
		t.Fatalf("linked sign-in: %s (admin is %v)", lme.body, adminID)
	}
	// Linking an account bound to someone else is refused.
	bl3 := newBrowser(t)
	lr, _ = bl3.c.Post(e.srv.URL+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"mod@example.com","password":"correct horse battery"}`))
	_ = json.NewDecoder(lr.Body).Decode(&login)
	lr.Body.Close()
	if res, body := bl3.signInAtOP(e.srv.URL, "a", "/moderation", "linker@idp", "pw-linker-123", "link", "1", "csrf_token", login.CSRF); res.StatusCode != http.StatusConflict {
		t.Fatalf("linking a bound account: %d %s", res.StatusCode, body)
	}

	// An invitation accepted through the provider: a user whose groups map
	// to nothing becomes the invited moderator (the hook the invite email
	// flow leaves for other sign-in methods).
	inv := "pl_invite-secret-for-the-oidc-test"
	if err := e.svc.Store().CreateAuthLink(context.Background(), &parley.AuthLink{ID: parley.NewID(e.clock.Now()), TokenHash: service.HashSecret(inv),
		Purpose: parley.LinkInvite, SiteID: "a", Email: "invitee@paper.example", Role: parley.RoleModerator, CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(30 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	bi := newBrowser(t)
	if res, body := bi.signInAtOP(e.srv.URL, "a", "/moderation/s/a", "invitee@idp", "pw-invitee-123", "invite", inv); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite through OIDC: %d %s", res.StatusCode, body)
	}
	bi2 := newBrowser(t)
	if res, _ := bi2.signInAtOP(e.srv.URL, "a", "/moderation/s/a", "invitee@idp", "pw-invitee-123"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the invited user signs in again: %d", res.StatusCode)
	}
	if res, _ := newBrowser(t).signInAtOP(e.srv.URL, "a", "/moderation/s/a", "nobody@idp", "pw-nobody-123", "invite", inv); res.StatusCode/100 != 4 {
		t.Fatalf("a used invitation worked again: %d", res.StatusCode)
	}

	// A user without a mapped group is refused.
	bn := newBrowser(t)
	res, body = bn.signInAtOP(e.srv.URL, "a", "/moderation", "nobody@idp", "pw-nobody-123")
	if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "no role") {
		t.Fatalf("unmapped user: %d %s", res.StatusCode, body)
	}

	// Redirect targets are checked: another site's page is refused before
	// the browser leaves for the provider.
	bx := newBrowser(t)
	if res, body := bx.get(e.srv.URL + "/auth/oidc/a/start?return_to=" + url.QueryEscape("https://evil.example/steal")); res.StatusCode != 422 {
		t.Fatalf("foreign return_to: %d %s", res.StatusCode, body)
	}
	if res, _ := bx.get(e.srv.URL + "/auth/oidc/a/start?return_to=" + url.QueryEscape("popup:https://b.example")); res.StatusCode != 422 {
		t.Fatalf("another site's popup origin: %d", res.StatusCode)
	}
	if res, _ := bx.get(e.srv.URL + "/auth/oidc/a/start?return_to=" + url.QueryEscape("//evil.example/x")); res.StatusCode != 422 {
		t.Fatalf("protocol-relative return_to: %d", res.StatusCode)
	}
	// A callback whose state is not this browser's (login CSRF) is refused.
	res, body = bx.get(e.srv.URL + "/auth/oidc/callback?state=forged&code=x")
	if res.StatusCode != 400 {
		t.Fatalf("forged callback: %d %s", res.StatusCode, body)
	}
}
