package modui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

// outboxToken returns the token of the newest queued email to addr. With no
// SMTP server configured, mail waits in the outbox, where the test reads it.
func outboxToken(t *testing.T, e *env, addr string) string {
	t.Helper()
	ms, _, err := e.svc.Store().ListOutbox(e.ctx, parley.OutboxFilter{Kind: parley.OutboxEmail, Status: parley.OutboxPending})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		var em parley.Email
		if err := json.Unmarshal(m.Payload, &em); err != nil {
			t.Fatal(err)
		}
		if em.To == addr {
			if m := regexp.MustCompile(`token=([A-Za-z0-9_%-]+)`).FindStringSubmatch(em.Text); m != nil {
				tok, _ := url.QueryUnescape(m[1])
				return tok
			}
		}
	}
	t.Fatalf("no queued mail with a link to %s", addr)
	return ""
}

func TestInviteAcceptAndTeamPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := e.login("mod@alpha.example")
	for _, p := range []string{"/moderation/s/alpha/team", "/moderation/s/alpha/outbox"} {
		if res, _ := mod.get(p); res.StatusCode != http.StatusForbidden {
			t.Errorf("moderator GET %s: %d, want 403", p, res.StatusCode)
		}
	}
	if res, _ := mod.post("/moderation/s/alpha/team/invites", url.Values{"csrf_token": {mod.csrf}, "email": {"x@example.org"}, "role": {"moderator"}}, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("moderator invite: %d", res.StatusCode)
	}
	admin := e.login("admin@both.example")
	// Only moderators and authors can be invited.
	if res, _ := admin.post("/moderation/s/alpha/team/invites", url.Values{"csrf_token": {admin.csrf}, "email": {"x@example.org"}, "role": {"admin"}}, false); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("admin invite: %d", res.StatusCode)
	}
	res, _ := admin.post("/moderation/s/alpha/team/invites", url.Values{"csrf_token": {admin.csrf}, "email": {"New.Mod@Example.org"}, "role": {"moderator"}, "lang": {"en"}}, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("invite: %d", res.StatusCode)
	}
	res, body := admin.get(res.Header.Get("Location"))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Invitation sent.") || !strings.Contains(body, "new.mod@example.org") {
		t.Fatalf("team page: %d\n%s", res.StatusCode, body)
	}
	// Without SMTP the invitation waits in the outbox; admins see it there.
	res, body = admin.get("/moderation/s/alpha/outbox?status=pending")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "new.mod@example.org") || !strings.Contains(body, "Your invitation to the comments of ALPHA News") {
		t.Fatalf("outbox page: %d\n%s", res.StatusCode, body)
	}
	token := outboxToken(t, e, "new.mod@example.org")

	// A site with OIDC offers to accept with the provider account too.
	if err := e.svc.SetSiteAuth(e.ctx, nil, &parley.SiteAuth{SiteID: "alpha", OIDC: parley.OIDCConfig{Issuer: "https://id.alpha.example", ClientID: "parley", Label: "Alpha SSO"}}); err != nil {
		t.Fatal(err)
	}
	invitee := e.anon()
	res, body = invitee.get("/moderation/invite?token=" + url.QueryEscape(token))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "ALPHA News") || !strings.Contains(body, `name="password"`) {
		t.Fatalf("invite page: %d\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, `/auth/oidc/alpha/start?invite=`+url.QueryEscape(token)) || !strings.Contains(body, "Accept with Alpha SSO instead") {
		t.Fatalf("no OIDC acceptance on the invite page:\n%s", body)
	}
	if res, body := invitee.get("/moderation/invite?token=wrong"); res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(body, `name="password"`) {
		t.Fatalf("bad token page: %d", res.StatusCode)
	}
	res, _ = invitee.post("/moderation/invite", url.Values{"token": {token}, "name": {"New Mod"}, "password": {"a long enough password"}}, false)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/moderation/s/alpha" {
		t.Fatalf("accept: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := invitee.get("/moderation/s/alpha"); res.StatusCode != http.StatusOK {
		t.Fatalf("the new moderator's queue: %d", res.StatusCode)
	}
	if res, _ := e.anon().post("/moderation/invite", url.Values{"token": {token}, "name": {"Again"}, "password": {"a long enough password"}}, false); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("second accept: %d", res.StatusCode)
	}
}

func TestParkedMailIsShownAndRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	st := e.svc.Store()
	now := time.Now().UTC()
	m := &parley.OutboxMessage{ID: parley.NewID(now), SiteID: "alpha", Kind: parley.OutboxEmail, CreatedAt: now,
		Payload: []byte(`{"to":"reader@example.org","subject":"Hello there","text":"secret link https://x/?token=abc"}`)}
	if err := st.EnqueueOutbox(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimOutbox(e.ctx, parley.OutboxEmail, "w", now, time.Minute, 10); err != nil {
		t.Fatal(err)
	}
	if err := st.ParkOutbox(e.ctx, m.ID, "550 5.1.1 no such user", now); err != nil {
		t.Fatal(err)
	}
	admin := e.login("admin@both.example")
	res, body := admin.get("/moderation/s/alpha/outbox")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "550 5.1.1 no such user") || !strings.Contains(body, "Hello there") {
		t.Fatalf("parked list: %d\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, "token=abc") {
		t.Fatal("the outbox page shows a message body")
	}
	// The admin of beta (a moderator of alpha's sister site) cannot retry alpha's mail.
	if res, _ := admin.post("/moderation/s/beta/outbox/"+m.ID+"/retry", url.Values{"csrf_token": {admin.csrf}}, false); res.StatusCode != http.StatusForbidden {
		t.Fatalf("retry through another site: %d", res.StatusCode)
	}
	res, _ = admin.post("/moderation/s/alpha/outbox/"+m.ID+"/retry", url.Values{"csrf_token": {admin.csrf}}, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("retry: %d", res.StatusCode)
	}
	got, err := st.GetOutbox(e.ctx, m.ID)
	if err != nil || got.Status != parley.OutboxPending || got.Attempts != 0 {
		t.Fatalf("after retry: %+v %v", got, err)
	}
}

func TestPasswordResetPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.login("mod@alpha.example")
	anon := e.anon()
	if res, body := anon.get("/moderation/login"); res.StatusCode != http.StatusOK || !strings.Contains(body, `href="/moderation/reset"`) {
		t.Fatalf("login page has no reset link: %d", res.StatusCode)
	}
	var bodies []string
	for _, addr := range []string{"mod@alpha.example", "nobody@alpha.example"} {
		res, body := anon.post("/moderation/reset", url.Values{"email": {addr}}, false)
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("reset request for %s: %d", addr, res.StatusCode)
		}
		bodies = append(bodies, strings.ReplaceAll(body, addr, ""))
	}
	if bodies[0] != bodies[1] {
		t.Fatal("the reset page answers differently for an unknown address")
	}
	token := outboxToken(t, e, "mod@alpha.example")
	if res, body := anon.get("/moderation/reset/confirm?token=" + url.QueryEscape(token)); res.StatusCode != http.StatusOK || !strings.Contains(body, `name="password"`) {
		t.Fatalf("confirm page: %d", res.StatusCode)
	}
	res, _ := anon.post("/moderation/reset/confirm", url.Values{"token": {token}, "password": {"a brand new password"}}, false)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/moderation/login?done=password_reset") {
		t.Fatalf("confirm: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	// The old session is gone.
	if res, _ := old.get("/moderation/s/alpha"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session after reset: %d", res.StatusCode)
	}
	if _, _, _, err := e.svc.Login(e.ctx, "mod@alpha.example", "a brand new password", "k"); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
}

func TestGuestsSetting(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login("admin@both.example")
	if _, body := admin.get("/moderation/s/alpha/sanctions"); !strings.Contains(body, `name="guests" value="on" checked`) {
		t.Fatal("guests are not shown as allowed by default")
	}
	// A post without the box (a script setting only the mode) leaves it alone.
	res, _ := admin.post("/moderation/s/alpha/settings", url.Values{"csrf_token": {admin.csrf}, "mode": {"pre"}}, false)
	if site, err := e.svc.Site(e.ctx, "alpha"); res.StatusCode != http.StatusSeeOther || err != nil || site.Settings.GuestsDisallowed {
		t.Fatalf("a post without the guests box changed it: %d %v", res.StatusCode, err)
	}
	// The form with the box unchecked requires sign-in.
	res, _ = admin.post("/moderation/s/alpha/settings", url.Values{"csrf_token": {admin.csrf}, "mode": {"pre"}, "guests_field": {"1"}}, false)
	site, err := e.svc.Site(e.ctx, "alpha")
	if res.StatusCode != http.StatusSeeOther || err != nil || !site.Settings.GuestsDisallowed {
		t.Fatalf("guests still allowed: %d %v", res.StatusCode, err)
	}
}
