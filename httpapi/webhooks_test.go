package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestWebhookAdminAPI creates, reads, changes, tests and deletes a webhook
// as the site's admin; moderators, admins of other sites and anonymous
// callers are refused; bad input is a 422 with a message.
func TestWebhookAdminAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	base := "/api/v1/admin/sites/a/webhooks"
	body := map[string]any{"url": "https://hooks.example/in", "events": []string{"comment.approved"}, "moderator_facing": true}
	for _, who := range []string{"mod", "author", "othermod"} {
		if r := e.do("POST", base, body, e.bearer(who)...); r.status != http.StatusForbidden {
			t.Errorf("%s created a webhook: %d", who, r.status)
		}
	}
	if r := e.do("POST", base, body); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", r.status)
	}
	for _, bad := range []map[string]any{
		{"url": "http://169.254.169.254/", "events": []string{"comment.approved"}},
		{"url": "https://hooks.example/in", "events": []string{"comment.vanished"}},
		{"url": "https://hooks.example/in", "events": "comment.approved"},
	} {
		r := e.do("POST", base, bad, e.bearer("admin")...)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(string(r.body), `"code":"invalid"`) {
			t.Errorf("POST %v: %d %s", bad, r.status, r.body)
		}
	}
	r := e.do("POST", base, body, e.bearer("admin")...)
	var h struct {
		ID, Secret string
		Active     bool
	}
	if r.status != http.StatusCreated || json.Unmarshal(r.body, &h) != nil || h.ID == "" || !strings.HasPrefix(h.Secret, "whsec_") || !h.Active {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := e.do("GET", base, nil, e.bearer("admin")...); r.status != http.StatusOK || !strings.Contains(string(r.body), h.ID) {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	if r := e.do("GET", base+"/"+h.ID, nil, e.bearer("mod")...); r.status != http.StatusForbidden || strings.Contains(string(r.body), h.Secret) {
		t.Fatalf("a moderator read the hook: %d %s", r.status, r.body)
	}
	if r := e.do("PATCH", base+"/"+h.ID, map[string]any{"active": false}, e.bearer("admin")...); r.status != http.StatusOK || !strings.Contains(string(r.body), `"active":false`) {
		t.Fatalf("patch: %d %s", r.status, r.body)
	}
	if r := e.do("POST", base+"/"+h.ID+"/test", map[string]any{}, e.bearer("admin")...); r.status != http.StatusAccepted {
		t.Fatalf("test: %d %s", r.status, r.body)
	}
	if r := e.do("GET", base+"/"+h.ID+"/deliveries", nil, e.bearer("admin")...); r.status != http.StatusOK || !strings.Contains(string(r.body), `"event":"test"`) {
		t.Fatalf("deliveries: %d %s", r.status, r.body)
	}
	if r := e.do("POST", base+"/"+h.ID+"/rotate-secret", map[string]any{}, e.bearer("admin")...); r.status != http.StatusOK || strings.Contains(string(r.body), h.Secret) {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/admin/sites/b/webhooks/"+h.ID, nil, e.bearer("admin")...); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Fatalf("through another site: %d", r.status)
	}
	if r := e.do("DELETE", base+"/"+h.ID, nil, e.bearer("admin")...); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := e.do("GET", base+"/"+h.ID, nil, e.bearer("admin")...); r.status != http.StatusNotFound {
		t.Fatalf("after delete: %d", r.status)
	}
}

// TestPrivacyRequestAnswersAlike: known and unknown addresses get the same
// 202; a bad kind or address is a 422.
func TestPrivacyRequestAnswersAlike(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.post("A comment by someone who wants their data.", map[string]any{"author_email": "known@example.org"})
	known := e.do("POST", "/api/v1/privacy/requests", map[string]any{"site": "a", "email": "known@example.org", "kind": "export"})
	unknown := e.do("POST", "/api/v1/privacy/requests", map[string]any{"site": "a", "email": "unknown@example.org", "kind": "export"})
	if known.status != http.StatusAccepted || unknown.status != http.StatusAccepted || string(known.body) != string(unknown.body) {
		t.Fatalf("known %d %s / unknown %d %s", known.status, known.body, unknown.status, unknown.body)
	}
	for _, bad := range []map[string]any{{"site": "a", "email": "x@example.org", "kind": "delete-everything"}, {"site": "a", "email": "not an address", "kind": "erase"}} {
		if r := e.do("POST", "/api/v1/privacy/requests", bad); r.status != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d %s", bad, r.status, r.body)
		}
	}
}
