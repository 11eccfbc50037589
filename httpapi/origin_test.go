package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
)

// raw sends a body with an explicit Content-Type ("" for none).
func (e *env) raw(method, path, contentType, body string, headers ...string) resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return e.send(req, headers...)
}

// A text/plain form on another site can carry a JSON-looking body. Every
// state-changing endpoint must refuse it, from a foreign origin, from the
// wrong site's origin, and (for the body type) even from the right one.
func TestCrossOriginAndNonJSONStateChangesAreRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id, _ := e.post("A comment to edit and report.", nil)
	e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", map[string]any{}, e.bearer("mod")...)
	forged := `{"site":"a","story_url":"` + storyURL + `","body":"forged","author_name":"X","author_email":"x@example.org","email":"mod@example.com","password":"correct horse battery","reason":"spam","x":"="}`
	endpoints := []struct{ method, path string }{
		{"POST", "/api/v1/comments"},
		{"PATCH", "/api/v1/comments/" + id},
		{"POST", "/api/v1/comments/" + id + "/report"},
		{"POST", "/api/v1/preview"},
		{"POST", "/api/v1/auth/login"},
		{"POST", "/api/v1/auth/logout"},
		{"POST", "/api/v1/moderation/comments/" + id + "/reject"},
		{"PUT", "/api/v1/admin/sites/a/settings"},
		{"POST", "/api/v1/admin/sites/a/webhooks"},
		{"POST", "/api/v1/privacy/requests"},
		{"POST", "/auth/popup"},
	}
	for _, ep := range endpoints {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
			r := e.raw(ep.method, ep.path, ct, forged, "Origin", "https://evil.example")
			if r.status != http.StatusForbidden {
				t.Errorf("%s %s (%s) from evil.example: %d %s, want 403", ep.method, ep.path, ct, r.status, r.body)
			}
			r = e.raw(ep.method, ep.path, ct, forged, "Origin", "null")
			if r.status != http.StatusForbidden {
				t.Errorf("%s %s (%s) from a null origin: %d %s, want 403", ep.method, ep.path, ct, r.status, r.body)
			}
		}
		if r := e.raw(ep.method, ep.path, "text/plain", forged, "Sec-Fetch-Site", "cross-site"); r.status != http.StatusForbidden {
			t.Errorf("%s %s cross-site without Origin: %d, want 403", ep.method, ep.path, r.status)
		}
		if !strings.HasPrefix(ep.path, "/api/") {
			continue
		}
		// The body type is checked even from an allowed origin or no origin.
		if r := e.raw(ep.method, ep.path, "text/plain", forged, "Origin", "https://a.example"); r.status != http.StatusUnsupportedMediaType && r.status != http.StatusForbidden {
			t.Errorf("%s %s text/plain from a.example: %d %s, want 415 (or 403 for staff routes)", ep.method, ep.path, r.status, r.body)
		}
		if r := e.raw(ep.method, ep.path, "text/plain", forged); r.status != http.StatusUnsupportedMediaType {
			t.Errorf("%s %s text/plain without Origin: %d %s, want 415", ep.method, ep.path, r.status, r.body)
		}
	}
	// Nothing was created, edited or reported, and nobody was logged in.
	th := e.thread()
	if len(th) != 1 || !strings.Contains(th[0]["html"].(string), "A comment to edit") {
		t.Fatalf("thread after forged requests: %v", th)
	}
	if r := e.do("GET", "/api/v1/moderation/queue?site=a&reported=true", nil, e.bearer("mod")...); strings.Contains(string(r.body), id) {
		t.Fatalf("the forged report was recorded: %s", r.body)
	}
}

// The service checks that the page's origin belongs to the comment's own
// site, so site b's pages cannot post to site a.
func TestOtherSitesOriginCannotPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := map[string]any{"site": "a", "story_url": storyURL, "body": "From b's page.", "author_name": "G", "author_email": "g@example.org"}
	if r := e.do("POST", "/api/v1/comments", body, "Origin", "https://b.example"); r.status != 403 || r.errCode() != "forbidden" {
		t.Fatalf("post to a from b.example: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/comments", body, "Origin", "https://a.example"); r.status != 201 {
		t.Fatalf("post to a from a.example: %d %s", r.status, r.body)
	}
	id, tok := e.post("Mine.", nil)
	if r := e.do("PATCH", "/api/v1/comments/"+id, map[string]any{"body": "Edited from b."}, "Origin", "https://b.example", "X-Parley-Guest-Token", tok); r.status != 403 {
		t.Fatalf("edit from b.example: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/login", map[string]any{"email": "mod@example.com", "password": "correct horse battery"}, "Origin", "https://a.example"); r.status != 200 {
		t.Fatalf("JSON login from the site's page: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", map[string]any{}, append(e.bearer("mod"), "Origin", "https://a.example")...); r.status != 403 {
		t.Fatalf("moderation from a news site's page: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/moderation/comments/"+id+"/approve", map[string]any{}, append(e.bearer("mod"), "Origin", e.srv.URL)...); r.status != 200 {
		t.Fatalf("moderation from Parley's own origin: %d %s", r.status, r.body)
	}
}
