package modui

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/parley-comments/parley"
)

// TestAdminSignsATeamMemberOutEverywhere: the team page lists the site's
// members with a "Sign out everywhere" button for each other member (a
// CSRF-protected form). The button ends every session of that member and
// is audited; a moderator of the site, an admin of another site, a request
// without the CSRF token and a user of another site are all refused, and
// their attempts end no session.
func TestAdminSignsATeamMemberOutEverywhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.login("admin@both.example")
	modA, modA2 := e.login("mod@alpha.example"), e.login("mod@alpha.example")
	modB := e.login("mod@beta.example")
	u, err := e.svc.Store().GetUserByEmail(e.ctx, "mod@alpha.example")
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.svc.Store().GetUserByEmail(e.ctx, "mod@beta.example")
	if err != nil {
		t.Fatal(err)
	}
	path := "/moderation/s/alpha/team/members/" + u.ID + "/revoke-sessions"

	res, body := admin.get("/moderation/s/alpha/team")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("team page: %d", res.StatusCode)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var form *html.Node
	forms := 0
	walkNodes(doc, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" && strings.HasSuffix(attrOf(n, "action"), "/revoke-sessions") {
			forms++
			if attrOf(n, "action") == path {
				form = n
			}
		}
	})
	if form == nil || attrOf(form, "method") != "post" || !strings.Contains(body, "Sign out everywhere") {
		t.Fatalf("no sign-out form for mod@alpha.example on the team page:\n%s", body)
	}
	csrf := ""
	walkNodes(form, func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "input" && attrOf(n, "name") == "csrf_token" {
			csrf = attrOf(n, "value")
		}
	})
	if csrf != admin.csrf {
		t.Errorf("the form's CSRF token %q is not the session's", csrf)
	}
	if forms != 2 { // the moderator and the author of alpha; not the admin's own row
		t.Errorf("%d sign-out forms, want 2 (every member but oneself)", forms)
	}

	stillIn := func(c *client) bool {
		res, _ := c.get("/moderation/account/sessions")
		return res.StatusCode == http.StatusOK
	}
	// Refused: the moderator themselves, another site's moderator, no CSRF
	// token, and a user who is not on the site.
	for _, try := range []struct {
		name string
		c    *client
		path string
		form url.Values
		want int
	}{
		{"a moderator", modA2, path, url.Values{"csrf_token": {modA2.csrf}}, http.StatusForbidden},
		{"another site's moderator", modB, path, url.Values{"csrf_token": {modB.csrf}}, http.StatusForbidden},
		{"no CSRF token", admin, path, url.Values{}, http.StatusForbidden},
		{"a user of another site", admin, "/moderation/s/alpha/team/members/" + other.ID + "/revoke-sessions", url.Values{"csrf_token": {admin.csrf}}, http.StatusNotFound},
	} {
		if res, _ := try.c.post(try.path, try.form, false); res.StatusCode != try.want {
			t.Errorf("%s: %d, want %d", try.name, res.StatusCode, try.want)
		}
	}
	if !stillIn(modA) || !stillIn(modB) {
		t.Fatal("a refused request ended a session")
	}

	res, _ = admin.post(path, url.Values{"csrf_token": {admin.csrf}}, false)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d", res.StatusCode)
	}
	if _, body := admin.get(res.Header.Get("Location")); !strings.Contains(body, "Signed out everywhere") {
		t.Errorf("no confirmation on the team page")
	}
	if stillIn(modA) || stillIn(modA2) {
		t.Error("the moderator's sessions survived")
	}
	if !stillIn(admin) || !stillIn(modB) {
		t.Error("someone else's session ended")
	}
	entries, _, err := e.svc.Store().ListAudit(e.ctx, parley.AuditFilter{SiteID: "alpha", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, en := range entries {
		found = found || en.Action == "sessions_revoked" && en.Note == "u:"+u.ID
	}
	if !found {
		t.Error("the sign-out is not in the audit log")
	}
}

func walkNodes(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walkNodes(c, fn)
	}
}

func attrOf(n *html.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}
