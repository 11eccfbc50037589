package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/service"
)

// IdentityService is what the sign-in and session routes need.
type IdentityService interface {
	SSOSignIn(ctx context.Context, siteID, token, userAgent, clientKey string) (*service.SignIn, error)
	OIDCStart(ctx context.Context, siteID, returnTo, ownOrigin, redirectURL string, linkUser *parley.User) (string, string, error)
	OIDCCallback(ctx context.Context, state, code, redirectURL, userAgent, clientKey, invite string) (*service.SignIn, error)
	Sessions(ctx context.Context, user *parley.User) ([]*parley.Session, error)
	RevokeSession(ctx context.Context, user *parley.User, idHash string) error
	AdminRevokeUserSessions(ctx context.Context, actor *parley.User, siteID, userID string) (int, error)
	SiteAuth(ctx context.Context, actor *parley.User, siteID string) (*parley.SiteAuth, error)
	SetSiteAuth(ctx context.Context, actor *parley.User, a *parley.SiteAuth) error
}

// oidcStateCookie binds an OIDC flow to the browser that started it;
// oidcInviteCookie carries an invitation to use at the callback.
const (
	oidcStateCookie  = "parley_oidc_state"
	oidcInviteCookie = "parley_oidc_invite"
)

// ownOriginOf is this server's origin as the browser sees it.
func (s *Server) ownOriginOf(r *http.Request) string {
	scheme := "http"
	if s.cookies.IsSecure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// signInJSON is the answer to every sign-in that hands a token to a script.
func signInJSON(in *service.SignIn) map[string]any {
	return map[string]any{"token": in.Secret, "csrf_token": in.Session.CSRFToken, "expires_at": in.Session.ExpiresAt,
		"user": map[string]any{"id": in.User.ID, "name": in.User.Name}, "role": in.Role}
}

type ssoRequest struct {
	Site  string `json:"site"`
	Token string `json:"token"`
}

// handleSSO exchanges a newsroom's signed hand-off token for a session
// token (the widget sends it as a bearer token).
func (s *Server) handleSSO(w http.ResponseWriter, r *http.Request) {
	var in ssoRequest
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if o := pageOrigin(r); o != "" {
		site, err := s.svc.Site(r.Context(), in.Site)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if !service.SiteAllowsOrigin(site, o) {
			s.writeError(w, r, parley.Errorf(parley.EFORBIDDEN, "Pages on %s may not sign in to %s.", o, site.Name))
			return
		}
	}
	res, err := s.svc.SSOSignIn(r.Context(), in.Site, in.Token, r.UserAgent(), clientip.RateKey(s.ips.ClientIP(r)))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, signInJSON(res))
}

// publicSession is a session as its owner sees it.
type publicSession struct {
	ID        string    `json:"id"`
	Method    string    `json:"method"`
	SiteID    string    `json:"site_id,omitempty"`
	UserAgent string    `json:"user_agent"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Current   bool      `json:"current"`
}

// currentSessionHash is the ID hash of the session the request uses.
func currentSessionHash(r *http.Request) string {
	if sess := httpx.From(r).Session; sess != nil {
		return sess.IDHash
	}
	if secret := httpx.SessionSecret(r); secret != "" {
		return service.HashSecret(secret)
	}
	return ""
}

func (s *Server) handleListSessions(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.svc.Sessions(r.Context(), u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cur := currentSessionHash(r)
	out := make([]publicSession, 0, len(list))
	for _, x := range list {
		out = append(out, publicSession{ID: x.IDHash, Method: x.Method, SiteID: x.SiteID, UserAgent: x.UserAgent,
			CreatedAt: x.CreatedAt, ExpiresAt: x.ExpiresAt, Current: x.IDHash == cur})
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": out})
}

func (s *Server) handleRevokeSession(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.RevokeSession(r.Context(), u, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) handleAdminRevokeSessions(w http.ResponseWriter, r *http.Request) {
	u, err := s.user(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.svc.AdminRevokeUserSessions(r.Context(), u, r.PathValue("id"), r.PathValue("user"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"revoked": n})
}

// siteAuthView is a site's sign-in configuration with secrets withheld.
func siteAuthView(a *parley.SiteAuth) map[string]any {
	sso := a.SSO
	oidc := a.OIDC
	secretSet, clientSecretSet := sso.Secret != "", oidc.ClientSecret != ""
	sso.Secret, oidc.ClientSecret = "", ""
	return map[string]any{"site_id": a.SiteID, "sso": sso, "sso_enabled": a.SSO.Enabled(), "sso_secret_set": secretSet,
		"oidc": oidc, "oidc_enabled": a.OIDC.Enabled(), "oidc_client_secret_set": clientSecretSet, "updated_at": a.UpdatedAt}
}

// signedInUser is the request's user, or EUNAUTHORIZED when nobody is
// signed in. Service.SiteAuth treats a nil actor as the server itself, so
// its handlers must never pass one through.
func (s *Server) signedInUser(r *http.Request) (*parley.User, error) {
	u, err := s.user(r)
	if err == nil && u == nil {
		err = parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	return u, err
}

func (s *Server) handleGetSiteAuth(w http.ResponseWriter, r *http.Request) {
	u, err := s.signedInUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.svc.SiteAuth(r.Context(), u, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, siteAuthView(a))
}

// siteAuthUpdate changes a site's sign-in configuration: an omitted
// section is kept, null turns it off, and an object replaces it, except
// that an empty secret keeps the stored one.
type siteAuthUpdate struct {
	SSO  json.RawMessage `json:"sso"`
	OIDC json.RawMessage `json:"oidc"`
}

func (s *Server) handlePutSiteAuth(w http.ResponseWriter, r *http.Request) {
	var in siteAuthUpdate
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.signedInUser(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.svc.SiteAuth(r.Context(), u, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := applySection(in.SSO, &a.SSO, func(old, next *parley.SSOConfig) {
		if next.Secret == "" && next.PublicKey == "" && next.JWKSURL == "" {
			next.Secret = old.Secret
		}
	}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := applySection(in.OIDC, &a.OIDC, func(old, next *parley.OIDCConfig) {
		if next.ClientSecret == "" && next.Issuer == old.Issuer && next.ClientID == old.ClientID {
			next.ClientSecret = old.ClientSecret
		}
	}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.SetSiteAuth(r.Context(), u, a); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, siteAuthView(a))
}

// applySection applies one section of a siteAuthUpdate to cur.
func applySection[T any](raw json.RawMessage, cur *T, keep func(old, next *T)) error {
	switch s := strings.TrimSpace(string(raw)); {
	case s == "":
		return nil
	case s == "null":
		var zero T
		*cur = zero
		return nil
	}
	var next T
	if err := json.Unmarshal(raw, &next); err != nil {
		return parley.WrapError(parley.EINVALID, "The sign-in configuration has a field of the wrong type.", err)
	}
	keep(cur, &next)
	*cur = next
	return nil
}

// oidcRedirectURL is the callback URL registered at the provider.
func (s *Server) oidcRedirectURL(r *http.Request) string {
	return s.ownOriginOf(r) + "/auth/oidc/callback"
}

// handleOIDCStart sends the browser to the site's provider. return_to is
// a dashboard path or "popup:<origin>" for the widget's login popup;
// invite is an invitation (the token of an invite email) to accept as the
// account signed in at the provider.
func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) {
	var link *parley.User
	if r.URL.Query().Get("link") == "1" {
		// Linking binds whatever provider account the browser signs in
		// with, so it must be the account owner's own request: their
		// session's CSRF token in the link (a page elsewhere cannot know it).
		rq := httpx.From(r)
		if rq.User == nil || rq.Session == nil || subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("csrf_token")), []byte(rq.Session.CSRFToken)) != 1 {
			s.renderPopup(w, r, http.StatusForbidden, s.popupFailure(r, "auth.err.link_first"))
			return
		}
		link = rq.User
	}
	authURL, state, err := s.svc.OIDCStart(r.Context(), r.PathValue("site"), r.URL.Query().Get("return_to"), s.ownOriginOf(r), s.oidcRedirectURL(r), link)
	if err != nil {
		s.renderPopup(w, r, parley.HTTPStatus(parley.ErrorCode(err)), popupData{Error: s.cat.ErrorMessage(pageLang(r, nil), err)})
		return
	}
	s.flowCookie(w, r, oidcStateCookie, state)
	if inv := r.URL.Query().Get("invite"); inv != "" {
		s.flowCookie(w, r, oidcInviteCookie, inv)
	}
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// flowCookie sets (or, with an empty value, clears) a cookie that lives for
// one OIDC sign-in, on the OIDC paths only.
func (s *Server) flowCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	c := &http.Cookie{Name: name, Value: value, Path: "/auth/oidc/", MaxAge: int(service.LoginFlowTTL.Seconds()),
		HttpOnly: true, Secure: s.cookies.IsSecure(r), SameSite: http.SameSiteLaxMode}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// handleOIDCCallback finishes the sign-in the provider sent back. The
// state must equal the cookie set at the start, so a sign-in started in
// another browser (login CSRF) is refused.
func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	invite := ""
	if c, err := r.Cookie(oidcInviteCookie); err == nil {
		invite = c.Value
	}
	s.flowCookie(w, r, oidcStateCookie, "")
	s.flowCookie(w, r, oidcInviteCookie, "")
	if e := q.Get("error"); e != "" {
		s.renderPopup(w, r, http.StatusUnauthorized, s.popupFailure(r, "auth.err.provider_refused", strings.TrimSpace(e+" "+q.Get("error_description"))))
		return
	}
	c, err := r.Cookie(oidcStateCookie)
	if err != nil || c.Value == "" || c.Value != q.Get("state") {
		s.renderPopup(w, r, http.StatusBadRequest, s.popupFailure(r, "auth.err.flow_expired"))
		return
	}
	res, err := s.svc.OIDCCallback(r.Context(), q.Get("state"), q.Get("code"), s.oidcRedirectURL(r), r.UserAgent(), clientip.RateKey(s.ips.ClientIP(r)), invite)
	if err != nil {
		s.renderPopup(w, r, parley.HTTPStatus(parley.ErrorCode(err)), popupData{Error: s.cat.ErrorMessage(pageLang(r, nil), err)})
		return
	}
	s.cookies.SetSession(w, r, res.Secret, res.Session.ExpiresAt)
	if origin, ok := strings.CutPrefix(res.ReturnTo, "popup:"); ok {
		s.renderPopup(w, r, http.StatusOK, popupData{Origin: origin, Token: res.Secret, UserName: res.User.Name, Role: string(res.Role)})
		return
	}
	if u, err := url.Parse(res.ReturnTo); err != nil || (u.Host == "" && !strings.HasPrefix(res.ReturnTo, "/")) {
		res.ReturnTo = "/moderation"
	}
	http.Redirect(w, r, res.ReturnTo, http.StatusSeeOther)
}
