package modui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSessionsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.login("author@alpha.example") // an author, who moderates nothing, still manages sessions
	b := e.login("author@alpha.example")
	res, body := a.get("/moderation/account/sessions")
	if res.StatusCode != 200 || strings.Count(body, "/revoke\"") != 2 || !strings.Contains(body, "(this browser)") {
		t.Fatalf("sessions page: %d %s", res.StatusCode, body)
	}
	u := mustUser(t, e, "author@alpha.example")
	list, err := e.svc.Sessions(e.ctx, u)
	if err != nil || len(list) != 2 {
		t.Fatalf("sessions: %v %v", list, err)
	}
	// Find b's session: the one a's page does not mark as current.
	var other string
	for _, s := range list {
		if !strings.Contains(body, s.IDHash+"/revoke") {
			t.Fatalf("session %s not listed", s.IDHash)
		}
		if s.CSRFToken == b.csrf {
			other = s.IDHash
		}
	}
	if res, _ := a.post("/moderation/account/sessions/"+other+"/revoke", url.Values{}, false); res.StatusCode != http.StatusForbidden {
		t.Fatalf("revoke without the CSRF token: %d", res.StatusCode)
	}
	if res, _ := a.post("/moderation/account/sessions/"+other+"/revoke", url.Values{"csrf_token": {a.csrf}}, false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res, _ := b.get("/moderation/account/sessions"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the revoked browser still gets in: %d", res.StatusCode)
	}
	// Someone else's session is not found.
	m := e.login("mod@alpha.example")
	mine, _ := e.svc.Sessions(e.ctx, u)
	if res, _ := m.post("/moderation/account/sessions/"+mine[0].IDHash+"/revoke", url.Values{"csrf_token": {m.csrf}}, false); res.StatusCode != http.StatusNotFound {
		t.Fatalf("revoking another user's session: %d", res.StatusCode)
	}
}

func TestSignInSettingsPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := e.login("mod@alpha.example")
	if res, _ := mod.get("/moderation/s/alpha/signin"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a moderator opened the sign-in settings: %d", res.StatusCode)
	}
	if res, _ := mod.post("/moderation/s/alpha/signin", url.Values{"csrf_token": {mod.csrf}, "sso_secret": {strings.Repeat("x", 40)}}, false); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a moderator saved sign-in settings: %d", res.StatusCode)
	}
	admin := e.login("admin@both.example")
	secret := "a-newsroom-secret-that-is-long-enough-1234"
	form := url.Values{"csrf_token": {admin.csrf}, "sso_secret": {secret}, "oidc_issuer": {"https://login.alpha.example"}, "oidc_client_id": {"parley"},
		"oidc_client_secret": {"cs-123"}, "oidc_roles": {"desk=moderator\nnewsroom = author\n"}, "oidc_label": {"Alpha account"}}
	if res, body := admin.post("/moderation/s/alpha/signin", form, false); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, body)
	}
	res, body := admin.get("/moderation/s/alpha/signin")
	if res.StatusCode != 200 || strings.Contains(body, secret) || strings.Contains(body, "cs-123") || !strings.Contains(body, "desk=moderator\nnewsroom=author") ||
		!strings.Contains(body, "/auth/oidc/callback") {
		t.Fatalf("settings page: %d %s", res.StatusCode, body)
	}
	// Saving again with the secret fields empty keeps both secrets.
	form.Set("sso_secret", "")
	form.Set("oidc_client_secret", "")
	admin.post("/moderation/s/alpha/signin", form, false)
	a, err := e.svc.SiteAuth(e.ctx, nil, "alpha")
	if err != nil || a.SSO.Secret != secret || a.OIDC.ClientSecret != "cs-123" || a.OIDC.Roles["newsroom"] != "author" {
		t.Fatalf("stored: %+v %v", a, err)
	}
	// Bad input is refused with the page and a message; nothing changes.
	form.Set("oidc_roles", "desk=owner")
	if res, body := admin.post("/moderation/s/alpha/signin", form, false); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "admin, moderator or author") {
		t.Fatalf("bad role: %d %s", res.StatusCode, body)
	}
	// The login page offers the provider.
	if _, body := e.anon().get("/moderation/login"); !strings.Contains(body, "/auth/oidc/alpha/start") || !strings.Contains(body, "Alpha account") {
		t.Fatalf("login page: %s", body)
	}
	// The sessions page offers to link it, with the session's CSRF token.
	if _, body := admin.get("/moderation/account/sessions"); !strings.Contains(body, "/auth/oidc/alpha/start?link=1&amp;csrf_token="+url.QueryEscape(admin.csrf)) {
		t.Fatalf("sessions page without the link button: %s", body)
	}
	// Turning both off.
	form.Set("oidc_roles", "")
	form.Set("sso_off", "on")
	form.Set("oidc_off", "on")
	admin.post("/moderation/s/alpha/signin", form, false)
	if a, _ := e.svc.SiteAuth(e.ctx, nil, "alpha"); a.SSO.Enabled() || a.OIDC.Enabled() {
		t.Fatalf("still on: %+v", a)
	}
}
