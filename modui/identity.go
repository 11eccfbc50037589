package modui

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/parley-comments/parley"
)

// handleSessions lists the signed-in user's sessions; any signed-in user
// may see and end their own, whatever their role.
func (ui *UI) handleSessions(w http.ResponseWriter, r *http.Request, rq *request) {
	list, err := ui.svc.Sessions(r.Context(), rq.user)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "sessions")
	p.SessionList, p.CurrentSession = list, rq.session.IDHash
	ui.addProviders(r, p)
	ui.render(w, r, http.StatusOK, "sessions", p)
}

func (ui *UI) handleRevokeSession(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	if err := ui.svc.RevokeSession(r.Context(), rq.user, id); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	if id == rq.session.IDHash {
		http.Redirect(w, r, "/moderation/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, withDone("/moderation/account/sessions", "session_revoked"), http.StatusSeeOther)
}

// roleLines writes a role mapping one "value=role" per line, sorted.
func roleLines(m map[string]parley.Role) string {
	lines := make([]string, 0, len(m))
	for v, r := range m {
		lines = append(lines, v+"="+string(r))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// parseRoleLines reads "value=role" lines.
func parseRoleLines(s string) (map[string]parley.Role, error) {
	out := map[string]parley.Role{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		v, r, ok := strings.Cut(line, "=")
		if !ok {
			return nil, parley.Errorf(parley.EINVALID, "Write each role mapping as value=role, one per line (%q).", line)
		}
		out[strings.TrimSpace(v)] = parley.Role(strings.TrimSpace(r))
	}
	return out, nil
}

func (ui *UI) signInPage(w http.ResponseWriter, r *http.Request, rq *request, a *parley.SiteAuth, status int, errMsg string) {
	p := ui.newPage(r, rq, "signin")
	p.Auth, p.RoleLines, p.Error = a, roleLines(a.OIDC.Roles), errMsg
	scheme := "http"
	if ui.cookies.IsSecure(r) {
		scheme = "https"
	}
	p.Callback = fmt.Sprintf("%s://%s/auth/oidc/callback", scheme, r.Host)
	ui.render(w, r, status, "signin", p)
}

// handleSignInSettings shows a site's SSO and OIDC settings. Admins only;
// secrets are never shown, only whether they are set.
func (ui *UI) handleSignInSettings(w http.ResponseWriter, r *http.Request, rq *request) {
	a, err := ui.svc.SiteAuth(r.Context(), rq.user, rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	ui.signInPage(w, r, rq, a, http.StatusOK, "")
}

// handleSaveSignIn saves the form. An empty secret field keeps the stored
// secret; the "off" boxes clear a section.
func (ui *UI) handleSaveSignIn(w http.ResponseWriter, r *http.Request, rq *request) {
	a, err := ui.svc.SiteAuth(r.Context(), rq.user, rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	next := *a
	switch {
	case r.PostFormValue("sso_off") == "on":
		next.SSO = parley.SSOConfig{}
	case f("sso_secret") != "":
		next.SSO = parley.SSOConfig{Secret: f("sso_secret")}
	case f("sso_public_key") != "" && f("sso_public_key") != a.SSO.PublicKey:
		next.SSO = parley.SSOConfig{PublicKey: f("sso_public_key")}
	case f("sso_jwks_url") != "" && f("sso_jwks_url") != a.SSO.JWKSURL:
		next.SSO = parley.SSOConfig{JWKSURL: f("sso_jwks_url")}
	}
	if r.PostFormValue("oidc_off") == "on" {
		next.OIDC = parley.OIDCConfig{}
	} else {
		roles, err := parseRoleLines(r.PostFormValue("oidc_roles"))
		if err != nil {
			ui.signInPage(w, r, rq, a, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err))
			return
		}
		secret := f("oidc_client_secret")
		if secret == "" && f("oidc_issuer") == a.OIDC.Issuer && f("oidc_client_id") == a.OIDC.ClientID {
			secret = a.OIDC.ClientSecret
		}
		next.OIDC = parley.OIDCConfig{Issuer: f("oidc_issuer"), ClientID: f("oidc_client_id"), ClientSecret: secret,
			RoleClaim: f("oidc_role_claim"), Roles: roles, Label: f("oidc_label"), Scopes: a.OIDC.Scopes}
	}
	if err := ui.svc.SetSiteAuth(r.Context(), rq.user, &next); err != nil {
		if parley.IsCode(err, parley.EINVALID) {
			ui.signInPage(w, r, rq, a, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err))
			return
		}
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/signin", "signin_saved"), http.StatusSeeOther)
}
