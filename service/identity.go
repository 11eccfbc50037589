package service

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

// LoginFlowTTL is how long an OIDC sign-in may take at the provider.
const LoginFlowTTL = 10 * time.Minute

// maxUserAgent is how much of a browser's User-Agent a session keeps.
const maxUserAgent = 200

// SignIn is a started session: the secret (cookie value or bearer token,
// shown once) and who it is for.
type SignIn struct {
	Session *parley.Session
	Secret  string
	User    *parley.User
	Role    parley.Role // on the site signed in through; "" if none
	// ReturnTo is where an OIDC sign-in asked to go next (see OIDCStart).
	ReturnTo string
}

// startSession creates a session in tx.
func (s *Service) startSession(ctx context.Context, tx parley.Store, userID, method, siteID, userAgent string) (*parley.Session, string, error) {
	secret := newSecret("ps_")
	now := s.now()
	if len(userAgent) > maxUserAgent {
		userAgent = strings.ToValidUTF8(userAgent[:maxUserAgent], "")
	}
	sess := &parley.Session{IDHash: HashSecret(secret), UserID: userID, CSRFToken: newSecret(""), Method: method, SiteID: siteID,
		UserAgent: userAgent, CreatedAt: now, ExpiresAt: now.Add(s.sessionTTL)}
	if err := tx.CreateSession(ctx, sess); err != nil {
		return nil, "", err
	}
	return sess, secret, nil
}

// siteAuth returns a site's sign-in configuration; an unconfigured site
// has the zero configuration.
func (s *Service) siteAuth(ctx context.Context, siteID string) (*parley.Site, *parley.SiteAuth, error) {
	site, err := s.Site(ctx, siteID)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.store.GetSiteAuth(ctx, siteID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return site, &parley.SiteAuth{SiteID: siteID}, nil
	}
	return site, a, err
}

// externalName cleans a provider's display name (textnorm.CleanName),
// falling back when it is empty and cutting it to MaxNameChars.
func externalName(name, fallback string) string {
	name = textnorm.CleanName(name)
	if name == "" {
		name = textnorm.CleanName(fallback)
	}
	if utf8.RuneCountInString(name) > MaxNameChars {
		name = string([]rune(name)[:MaxNameChars])
	}
	return name
}

// bindIdentity returns the user bound to (issuer, subject), creating an
// identity-only user on the first sign-in, or binding it to linkUserID
// when that is set. It refreshes the identity's email and name.
func (s *Service) bindIdentity(ctx context.Context, tx parley.Store, issuer, subject, email, name, linkUserID string) (*parley.User, bool, error) {
	now := s.now()
	id, err := tx.GetIdentity(ctx, issuer, subject)
	switch {
	case err == nil:
		if linkUserID != "" && id.UserID != linkUserID {
			return nil, false, parley.Errorf(parley.ECONFLICT, "That account is already linked to another Parley user.")
		}
		id.Email, id.Name, id.LastLoginAt = email, name, now
		if err := tx.UpdateIdentity(ctx, id); err != nil {
			return nil, false, err
		}
		u, err := tx.GetUser(ctx, id.UserID)
		if err != nil {
			return nil, false, err
		}
		if u.PasswordHash == "" && u.Name != name {
			u.Name = name
			if err := tx.UpdateUser(ctx, u); err != nil {
				return nil, false, err
			}
			defer s.sessions.clear()
		}
		return u, false, nil
	case !parley.IsCode(err, parley.ENOTFOUND):
		return nil, false, err
	}
	var u *parley.User
	if linkUserID != "" {
		if u, err = tx.GetUser(ctx, linkUserID); err != nil {
			return nil, false, err
		}
	} else {
		u = &parley.User{ID: parley.NewID(now), Name: name, CreatedAt: now}
		if err := tx.CreateIdentityUser(ctx, u); err != nil {
			return nil, false, err
		}
	}
	err = tx.CreateIdentity(ctx, &parley.Identity{ID: parley.NewID(now), UserID: u.ID, Issuer: issuer, Subject: subject,
		Email: email, Name: name, CreatedAt: now, LastLoginAt: now})
	if parley.IsCode(err, parley.ECONFLICT) {
		return nil, false, parley.Errorf(parley.ECONFLICT, "Another sign-in of this account is in progress. Please try again.")
	}
	return u, true, err
}

// roleRank orders roles by power; "" is none.
var roleRank = map[parley.Role]int{parley.RoleAuthor: 1, parley.RoleModerator: 2, parley.RoleAdmin: 3}

// syncRole applies the role a provider gives at sign-in ("" for none) to
// the user's role on a site. The provider takes away only what it gave: a
// role that an admin or an invitation gave (anything but the provider's
// last role) is kept when the provider gives less or nothing, and raised
// when it gives more.
func syncRole(ctx context.Context, tx parley.Store, siteID string, u *parley.User, role parley.Role) (parley.Role, error) {
	cur, err := tx.GetRole(ctx, siteID, u.ID)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return "", err
	}
	prev, err := tx.GetProviderRole(ctx, siteID, u.ID)
	if err != nil {
		return "", err
	}
	if cur != prev && roleRank[cur] >= roleRank[role] {
		return cur, nil // not the provider's to lower
	}
	if err := tx.SetProviderRole(ctx, siteID, u.ID, role); err != nil {
		return "", err
	}
	if role != "" {
		return role, tx.SetRole(ctx, parley.Membership{SiteID: siteID, UserID: u.ID, Role: role})
	}
	if err := tx.DeleteRole(ctx, siteID, u.ID); err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return "", err
	}
	return "", nil
}

// SSOSignIn exchanges a newsroom's signed hand-off token for a session.
// The token is verified (signature, algorithm, aud = the site, exp, and a
// lifetime of at most an hour), used once (its jti; a second use, for
// example after logging out, is refused), and its subject maps to one
// local user per site. The token's role, or its absence, becomes the
// user's role on the site. Refusals are EUNAUTHORIZED with
// Fields["reason"].
func (s *Service) SSOSignIn(ctx context.Context, siteID, token, userAgent, clientKey string) (*SignIn, error) {
	if err := s.loginLimit(ctx, "login:"+clientKey); err != nil {
		return nil, err
	}
	if strings.TrimSpace(token) == "" {
		return nil, parley.Errorf(parley.EINVALID, "token is required.")
	}
	site, auth, err := s.siteAuth(ctx, siteID)
	if err != nil {
		return nil, err
	}
	if s.sso == nil || !auth.SSO.Enabled() {
		return nil, parley.Errorf(parley.EINVALID, "Single sign-on is not set up for %s.", site.Name)
	}
	c, err := s.sso.VerifySSO(ctx, auth.SSO, site.ID, token, s.now())
	if err != nil {
		return nil, err
	}
	if c.Email != "" {
		if c.Email, err = normalizeEmail(c.Email); err != nil {
			return nil, &parley.Error{Code: parley.EUNAUTHORIZED, Message: "The sign-in token's email is not a valid address.", Fields: map[string]any{"reason": "claims"}}
		}
	}
	name := externalName(c.Name, "")
	if name == "" {
		return nil, &parley.Error{Code: parley.EUNAUTHORIZED, Message: "The sign-in token needs name: the name shown with the user's comments.", Fields: map[string]any{"reason": "claims"}}
	}
	out := &SignIn{}
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.UseTokenID(ctx, site.ID, c.TokenID, c.ExpiresAt); err != nil {
			if parley.IsCode(err, parley.ECONFLICT) {
				return &parley.Error{Code: parley.EUNAUTHORIZED, Fields: map[string]any{"reason": "replayed"},
					Message: "This sign-in token was already used (tokens are single-use, also after logging out); the site must issue a new one."}
			}
			return err
		}
		u, _, err := s.bindIdentity(ctx, tx, parley.SSOIssuer(site.ID), c.Subject, c.Email, name, "")
		if err != nil {
			return err
		}
		if out.Role, err = syncRole(ctx, tx, site.ID, u, c.Role); err != nil {
			return err
		}
		if err := protectName(ctx, tx, site.ID, u); err != nil {
			return err
		}
		out.User = u
		out.Session, out.Secret, err = s.startSession(ctx, tx, u.ID, parley.LoginSSO, site.ID, userAgent)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckReturnTo validates where a browser may be sent after signing in to
// site: a path on this server, or a page (or, with "popup:", a widget
// window) on one of the site's origins or on ownOrigin.
func CheckReturnTo(site *parley.Site, ownOrigin, returnTo string) (string, error) {
	bad := parley.Errorf(parley.EINVALID, "The return address must be a page of this server or of %s.", site.Name)
	if returnTo == "" {
		return "/moderation", nil
	}
	if strings.ContainsAny(returnTo, "\\\r\n\t") {
		return "", bad
	}
	if strings.HasPrefix(returnTo, "/") && !strings.HasPrefix(returnTo, "//") {
		return returnTo, nil
	}
	target, popup := strings.CutPrefix(returnTo, "popup:")
	o, err := NormalizeOrigin(target)
	if err != nil {
		return "", bad
	}
	if o != strings.ToLower(ownOrigin) && !SiteAllowsOrigin(site, o) {
		return "", bad
	}
	if popup {
		return "popup:" + o, nil
	}
	if u, err := url.Parse(target); err != nil || u.User != nil {
		return "", bad
	}
	return target, nil
}

// OIDCStart begins a staff sign-in at the site's provider: it stores a
// single-use flow (state, PKCE verifier, nonce) and returns the provider
// URL to send the browser to, and the state, which the caller also binds
// to the browser (a cookie) so that the callback can check it. returnTo is
// checked with CheckReturnTo. linkUser, when set, binds the provider
// account to that signed-in user instead of a new one.
func (s *Service) OIDCStart(ctx context.Context, siteID, returnTo, ownOrigin, redirectURL string, linkUser *parley.User) (authURL, state string, err error) {
	site, auth, err := s.siteAuth(ctx, siteID)
	if err != nil {
		return "", "", err
	}
	if s.oidc == nil || !auth.OIDC.Enabled() {
		return "", "", parley.Errorf(parley.EINVALID, "Sign-in with a provider is not set up for %s.", site.Name)
	}
	if returnTo, err = CheckReturnTo(site, ownOrigin, returnTo); err != nil {
		return "", "", err
	}
	state = newSecret("")
	f := &parley.LoginFlow{StateHash: HashSecret(state), SiteID: site.ID, Verifier: newSecret(""), Nonce: newSecret(""),
		ReturnTo: returnTo, ExpiresAt: s.now().Add(LoginFlowTTL)}
	if linkUser != nil {
		f.LinkUserID = linkUser.ID
	}
	if authURL, err = s.oidc.AuthURL(ctx, auth.OIDC, redirectURL, state, f.Nonce, f.Verifier); err != nil {
		return "", "", parley.WrapError(parley.EUNAVAILABLE, "The sign-in provider cannot be reached. Please try again later.", err)
	}
	if err := s.store.CreateLoginFlow(ctx, f); err != nil {
		return "", "", err
	}
	return authURL, state, nil
}

// roleFromClaims maps the configured claim (a string or a list) to the
// most powerful configured role.
func roleFromClaims(cfg parley.OIDCConfig, claims map[string]any) parley.Role {
	name := cfg.RoleClaim
	if name == "" {
		name = "groups"
	}
	var values []string
	switch v := claims[name].(type) {
	case string:
		values = []string{v}
	case []any:
		for _, x := range v {
			if s, ok := x.(string); ok {
				values = append(values, s)
			}
		}
	case map[string]any: // e.g. Zitadel's role claim: {"role": {...}}
		for k := range v {
			values = append(values, k)
		}
	}
	var best parley.Role
	for _, v := range values {
		if r := cfg.Roles[v]; roleRank[r] > roleRank[best] {
			best = r
		}
	}
	return best
}

// OIDCCallback finishes a staff sign-in: it takes the flow for state
// (single use, 10 minutes), redeems the code with the PKCE verifier,
// verifies the ID token, maps (issuer, sub) to one local user, sets the
// user's role on the site from the role claim, uses an invitation when
// invite is set (AcceptInviteAs: the invited role, never lowering a higher
// one), and starts a session. A user who ends with no role on the site is
// refused (EFORBIDDEN).
func (s *Service) OIDCCallback(ctx context.Context, state, code, redirectURL, userAgent, clientKey, invite string) (*SignIn, error) {
	if err := s.loginLimit(ctx, "login:"+clientKey); err != nil {
		return nil, err
	}
	expired := parley.Errorf(parley.EINVALID, "This sign-in link has expired or was already used. Please start again.")
	if state == "" || code == "" {
		return nil, expired
	}
	f, err := s.store.TakeLoginFlow(ctx, HashSecret(state))
	if err != nil {
		if parley.IsCode(err, parley.ENOTFOUND) {
			return nil, expired
		}
		return nil, err
	}
	site, auth, err := s.siteAuth(ctx, f.SiteID)
	if err != nil {
		return nil, err
	}
	if s.oidc == nil || !auth.OIDC.Enabled() {
		return nil, parley.Errorf(parley.EINVALID, "Sign-in with a provider is not set up for %s.", site.Name)
	}
	c, err := s.oidc.Exchange(ctx, auth.OIDC, redirectURL, code, f.Verifier, f.Nonce)
	if err != nil {
		return nil, parley.WrapError(parley.EUNAUTHORIZED, "The sign-in provider's answer could not be verified. Please try again.", err)
	}
	if c.Subject == "" {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "The sign-in provider did not say who you are (no sub claim).")
	}
	role := roleFromClaims(auth.OIDC, c.Claims)
	name := externalName(c.Name, strings.Split(c.Email, "@")[0])
	if name == "" {
		name = "Staff"
	}
	out := &SignIn{ReturnTo: f.ReturnTo}
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		u, _, err := s.bindIdentity(ctx, tx, c.Issuer, c.Subject, strings.ToLower(c.Email), name, f.LinkUserID)
		if err != nil {
			return err
		}
		out.User = u
		out.Role, err = syncRole(ctx, tx, site.ID, u, role)
		return err
	})
	if err != nil {
		return nil, err
	}
	if invite != "" {
		l, err := s.AcceptInviteAs(ctx, invite, out.User)
		if err != nil {
			return nil, err
		}
		if l.SiteID != site.ID {
			return nil, parley.Errorf(parley.EINVALID, "This invitation is for another site.")
		}
		if out.Role, err = s.Role(ctx, out.User, site.ID); err != nil {
			return nil, err
		}
	}
	if out.Role == "" {
		return nil, parley.Errorf(parley.EFORBIDDEN, "Your account has no role on %s. Ask an admin to add you to a group that maps to one, or to invite you.", site.Name)
	}
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := protectName(ctx, tx, site.ID, out.User); err != nil {
			return err
		}
		out.Session, out.Secret, err = s.startSession(ctx, tx, out.User.ID, parley.LoginOIDC, site.ID, userAgent)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SignInProvider is a site's OIDC sign-in, as the dashboard's login page
// offers it.
type SignInProvider struct {
	SiteID, SiteName, Label string
}

// SignInProviders lists the sites that offer staff sign-in with OIDC.
func (s *Service) SignInProviders(ctx context.Context) ([]SignInProvider, error) {
	sites, err := s.store.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	var out []SignInProvider
	for _, site := range sites {
		a, err := s.store.GetSiteAuth(ctx, site.ID)
		if parley.IsCode(err, parley.ENOTFOUND) {
			continue
		} else if err != nil {
			return nil, err
		}
		if a.OIDC.Enabled() {
			label := a.OIDC.Label
			if label == "" {
				label = site.Name
			}
			out = append(out, SignInProvider{SiteID: site.ID, SiteName: site.Name, Label: label})
		}
	}
	return out, nil
}

// userByEmailOnSite finds a user by email: a password account, or else
// the one member of the site (a user with a role on it) who signs in with
// an identity reporting that email. This only resolves an admin's choice
// (say, a story's authors); it never binds a sign-in. ENOTFOUND if none,
// EINVALID if two members match.
func (s *Service) userByEmailOnSite(ctx context.Context, siteID, email string) (*parley.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := s.store.GetUserByEmail(ctx, email)
	if !parley.IsCode(err, parley.ENOTFOUND) {
		return u, err
	}
	members, err := s.store.ListSiteMembers(ctx, siteID)
	if err != nil {
		return nil, err
	}
	var found *parley.User
	for _, m := range members {
		ids, err := s.store.ListIdentities(ctx, m.UserID)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if strings.EqualFold(id.Email, email) {
				if found != nil && found.ID != m.UserID {
					return nil, parley.Errorf(parley.EINVALID, "Several users sign in with %q; ask them to use distinct addresses.", email)
				}
				if found, err = s.store.GetUser(ctx, m.UserID); err != nil {
					return nil, err
				}
			}
		}
	}
	if found == nil {
		return nil, parley.Errorf(parley.ENOTFOUND, "User not found.")
	}
	return found, nil
}
