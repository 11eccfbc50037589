package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parley-comments/parley/httpapi"
	"github.com/parley-comments/parley/service"
)

// TestSecurityHeaders: every response carries Permissions-Policy; HSTS
// is sent when cookies are secure (Parley behind HTTPS) and never on plain
// HTTP development setups.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	for _, path := range []string{"/healthz", "/api/v1/comments?site=a&story_url=" + storyURL, "/api/v1/nothing"} {
		r := e.do("GET", path, nil)
		if pp := r.header.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "geolocation=()") {
			t.Errorf("%s: Permissions-Policy %q", path, pp)
		}
		if h := r.header.Get("Strict-Transport-Security"); h != "" {
			t.Errorf("%s: HSTS %q without secure cookies", path, h)
		}
	}
	secure := httpapi.New(httpapi.Config{Service: e.svc, SecureCookies: true})
	t.Cleanup(secure.Close)
	rec := httptest.NewRecorder()
	secure.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if h := rec.Header().Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=") {
		t.Fatalf("HSTS with secure cookies: %q", h)
	}
}

// TestLoginLimitsPerAddressAndPerAccount: a password guesser spread over
// many addresses is stopped by the per-account limit, with a message about
// logins (not posting) and a Retry-After; other accounts are unaffected.
func TestLoginLimitsPerAddressAndPerAccount(t *testing.T) {
	e := newEnvWith(t, service.RateLimits{Enabled: true, LoginPerMinute: 600, LoginBurst: 100, LoginPerAccountPerMinute: 1, LoginPerAccountBurst: 3})
	login := func(email, ip string) resp {
		return e.do("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": "guess guess guess"}, "X-Forwarded-For", ip)
	}
	for i := range 3 {
		if r := login("mod@example.com", fmt.Sprintf("198.51.100.%d", i)); r.status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d %s", i, r.status, r.body)
		}
	}
	r := login("MOD@example.com", "198.51.100.99")
	msg, _ := r.json["error"].(map[string]any)["message"].(string)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" || !strings.Contains(msg, "login attempts") || strings.Contains(msg, "posting") {
		t.Fatalf("fourth attempt from a new address: %d %q Retry-After %q", r.status, msg, r.header.Get("Retry-After"))
	}
	if r := login("admin@example.com", "198.51.100.99"); r.status != http.StatusUnauthorized {
		t.Fatalf("another account: %d", r.status)
	}
	// The per-address limit's message is about logins too.
	e2 := newEnvWith(t, service.RateLimits{Enabled: true, LoginPerMinute: 1, LoginBurst: 1, LoginPerAccountPerMinute: 600, LoginPerAccountBurst: 100})
	e2.do("POST", "/api/v1/auth/login", map[string]string{"email": "a@example.com", "password": "x"})
	r = e2.do("POST", "/api/v1/auth/login", map[string]string{"email": "b@example.com", "password": "x"})
	if msg, _ := r.json["error"].(map[string]any)["message"].(string); r.status != http.StatusTooManyRequests || !strings.Contains(msg, "login attempts") {
		t.Fatalf("per-address limit: %d %q", r.status, msg)
	}
}

// TestStoryTitleFromAReaderIsNotPublicUntilConfirmed covers the API side:
// the thread's story title is empty while it is a reader's suggestion with
// nothing approved; a moderator's PATCH sets and locks title and URL; a URL
// off the site's origins is refused.
func TestStoryTitleFromAReaderIsNotPublicUntilConfirmed(t *testing.T) {
	e := newEnv(t)
	e.post("A first comment.", map[string]any{"story_title": "<img src=x onerror=alert(1)> Free money"})
	r := e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil)
	story := r.json["story"].(map[string]any)
	if story["title"] != "" {
		t.Fatalf("suggested title public: %q", story["title"])
	}
	if r := e.do("POST", "/api/v1/comments", map[string]any{"site": "a", "story_url": "https://evil.example/x", "body": "x", "author_name": "G"}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("story on another origin: %d %s", r.status, r.body)
	}
	id := story["id"].(string)
	if r := e.do("PATCH", "/api/v1/moderation/stories/"+id, map[string]any{"title": "Real title"}, e.bearer("othermod")...); r.status != http.StatusForbidden {
		t.Fatalf("another site's moderator renamed the story: %d", r.status)
	}
	if r := e.do("PATCH", "/api/v1/moderation/stories/"+id, map[string]any{"url": "https://evil.example/x"}, e.bearer("mod")...); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("story moved off the site: %d", r.status)
	}
	r = e.do("PATCH", "/api/v1/moderation/stories/"+id, map[string]any{"title": "Real title"}, e.bearer("mod")...)
	if st := r.json["story"].(map[string]any); r.status != 200 || st["locked"] != true || st["title"] != "Real title" {
		t.Fatalf("moderator rename: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/comments?site=a&story_url="+storyURL, nil)
	if title := r.json["story"].(map[string]any)["title"]; title != "Real title" {
		t.Fatalf("confirmed title: %q", title)
	}
}
