package modui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley/service"
)

// TestPrivacyPage exports and erases a commenter from the dashboard as the
// site's admin; moderators and admins of other sites are refused.
func TestPrivacyPage(t *testing.T) {
	e := newEnv(t)
	c := e.comment("alpha", "p1", "A comment by a reader who later wants out.", "leaver@example.org")
	admin := e.login("admin@both.example")
	if res, body := admin.get("/moderation/s/alpha/privacy"); res.StatusCode != http.StatusOK || !strings.Contains(body, "Data requests") {
		t.Fatalf("privacy page: %d", res.StatusCode)
	}
	res, body := admin.post("/moderation/s/alpha/privacy/export", url.Values{"csrf_token": {admin.csrf}, "email": {"Leaver@Example.org"}}, false)
	var ex service.Export
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || json.Unmarshal([]byte(body), &ex) != nil {
		t.Fatalf("export: %d %q %s", res.StatusCode, res.Header.Get("Content-Disposition"), body)
	}
	if len(ex.Comments) != 1 || ex.Comments[0].ID != c.ID || ex.Comments[0].Text != c.Body || ex.Comments[0].Status != "pending" || ex.Comments[0].ClientIP != "192.0.2.1" {
		t.Fatalf("export content: %+v", ex.Comments)
	}
	if res, body := admin.post("/moderation/s/alpha/privacy/erase", url.Values{"csrf_token": {admin.csrf}, "email": {"leaver@example.org"}}, false); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Tick the box") {
		t.Fatalf("erase without confirmation: %d", res.StatusCode)
	}
	res, body = admin.post("/moderation/s/alpha/privacy/erase", url.Values{"csrf_token": {admin.csrf}, "email": {"leaver@example.org"}, "confirm": {"on"}}, false)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Comments deleted: 1; kept as [deleted]: 0.") {
		t.Fatalf("erase: %d %s", res.StatusCode, body)
	}
	if _, err := e.svc.Store().GetComment(e.ctx, c.ID); err == nil {
		t.Fatal("the pending comment survived the erasure")
	}
	if res, _ := admin.post("/moderation/s/alpha/privacy/mail", url.Values{"csrf_token": {admin.csrf}, "approved": {"on"}, "alert_pending": {"5"}, "alert_every": {"30"}}, false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("mail settings: %d", res.StatusCode)
	}
	if site, err := e.svc.Site(e.ctx, "alpha"); err != nil || !site.Settings.NotifyAuthorApproved || site.Settings.NotifyAuthorRejected || site.Settings.AlertPendingOver != 5 || site.Settings.AlertEvery.Std() != 30*time.Minute {
		t.Fatalf("mail settings not saved: %+v %v", site.Settings, err)
	}
	if res, _ := admin.post("/moderation/s/alpha/privacy/mail", url.Values{"csrf_token": {admin.csrf}, "alert_pending": {"-1"}}, false); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("negative threshold: %d", res.StatusCode)
	}
	for _, who := range []string{"mod@alpha.example", "mod@beta.example"} {
		u := e.login(who)
		if res, _ := u.get("/moderation/s/alpha/privacy"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s GET privacy: %d", who, res.StatusCode)
		}
		for _, p := range []string{"/export", "/erase", "/settings", "/mail"} {
			if res, _ := u.post("/moderation/s/alpha/privacy"+p, url.Values{"csrf_token": {u.csrf}, "email": {"x@example.org"}, "confirm": {"on"}}, false); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST privacy%s: %d", who, p, res.StatusCode)
			}
		}
	}
	if _, body := admin.get("/moderation/s/alpha/audit"); !strings.Contains(body, "Data erased") || !strings.Contains(body, "Data exported") || strings.Contains(body, "leaver@example.org") {
		t.Fatal("the audit log lacks the data requests, or names the subject")
	}
}
