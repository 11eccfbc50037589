package modui

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestWebhookPages adds a webhook through the dashboard, sends a test
// event from it and reads the delivery log; moderators who are not admins,
// and admins of other sites, are refused every webhook page.
func TestWebhookPages(t *testing.T) {
	e := newEnv(t)
	admin := e.login("admin@both.example")
	res, body := admin.get("/moderation/s/alpha/webhooks")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "No webhooks yet.") {
		t.Fatalf("webhooks page: %d", res.StatusCode)
	}
	form := url.Values{"csrf_token": {admin.csrf}, "url": {"http://127.0.0.1:9/in"}, "events": {"comment.approved"}, "audience": {"public"}}
	if res, body := admin.post("/moderation/s/alpha/webhooks", form, false); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not allowed for webhooks") {
		t.Fatalf("private URL: %d %s", res.StatusCode, body)
	}
	form.Set("url", "https://hooks.example/in")
	form["events"] = []string{"comment.approved", "comment.reported"}
	form.Set("audience", "moderators")
	res, _ = admin.post("/moderation/s/alpha/webhooks", form, false)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/moderation/s/alpha/webhooks/") {
		t.Fatalf("create: %d %q", res.StatusCode, loc)
	}
	hookPath := strings.SplitN(loc, "?", 2)[0]
	res, body = admin.get(loc)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Webhook added.") || !regexp.MustCompile(`<code id="hook-secret">whsec_[A-Za-z0-9_-]{40,}</code>`).MatchString(body) {
		t.Fatalf("hook page: %d\n%s", res.StatusCode, body)
	}
	if res, _ := admin.post(hookPath+"/test", url.Values{"csrf_token": {admin.csrf}}, false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("test: %d", res.StatusCode)
	}
	_, body = admin.get(hookPath)
	if !strings.Contains(body, `<tr class="delivery-pending"><td>`) || !strings.Contains(body, "<code>test</code>") {
		t.Fatalf("the test delivery is not in the log:\n%s", body)
	}
	if res, _ := admin.post(hookPath+"/test", url.Values{}, false); res.StatusCode != http.StatusForbidden {
		t.Fatalf("test without CSRF token: %d", res.StatusCode)
	}

	// Moderators (not admins) and admins of another site are refused.
	for _, who := range []string{"mod@alpha.example", "mod@beta.example", "reader@example.org"} {
		c := e.login(who)
		for _, p := range []string{"/moderation/s/alpha/webhooks", hookPath} {
			if res, _ := c.get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", who, p, res.StatusCode)
			}
		}
		for _, p := range []string{"/moderation/s/alpha/webhooks", hookPath, hookPath + "/test", hookPath + "/rotate", hookPath + "/delete"} {
			if res, _ := c.post(p, url.Values{"csrf_token": {c.csrf}, "url": {"https://x.example/"}, "events": {"comment.approved"}}, false); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", who, p, res.StatusCode)
			}
		}
	}
	// The admin of alpha is only a moderator of beta: no webhooks there.
	if res, _ := admin.get("/moderation/s/beta/webhooks"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("beta webhooks for a beta moderator: %d", res.StatusCode)
	}
	if res, _ := admin.get(strings.Replace(hookPath, "/alpha/", "/beta/", 1)); res.StatusCode != http.StatusForbidden {
		t.Fatalf("alpha's hook through beta: %d", res.StatusCode)
	}
	if res, _ := admin.post(hookPath+"/delete", url.Values{"csrf_token": {admin.csrf}}, false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if _, body := admin.get("/moderation/s/alpha/audit"); !strings.Contains(body, "Webhook deleted") || !strings.Contains(body, "Webhook test sent") {
		t.Fatal("webhook actions are missing from the audit log")
	}
}
