package service

import (
	"context"
	"net/url"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/ssojwt"
)

// Sessions lists a user's own unexpired sessions, newest first.
func (s *Service) Sessions(ctx context.Context, user *parley.User) ([]*parley.Session, error) {
	if user == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	return s.store.ListUserSessions(ctx, user.ID)
}

// RevokeSession ends one of the user's own sessions, named by its ID hash.
// ENOTFOUND for a session that is not the user's.
func (s *Service) RevokeSession(ctx context.Context, user *parley.User, idHash string) error {
	sessions, err := s.Sessions(ctx, user)
	if err != nil {
		return err
	}
	for _, sess := range sessions {
		if sess.IDHash == idHash {
			defer s.sessions.clear()
			return s.store.DeleteSession(ctx, idHash)
		}
	}
	return parley.Errorf(parley.ENOTFOUND, "No such session.")
}

// RevokeUserSessions ends every session of a user, wherever they signed
// in. A ban and a password change call it; it returns how many ended.
func (s *Service) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	defer s.sessions.clear()
	return s.store.DeleteUserSessions(ctx, userID)
}

// AdminRevokeUserSessions lets an admin of siteID end every session of a
// user who has a role on the site or signed in through its SSO. The
// audit log records it.
func (s *Service) AdminRevokeUserSessions(ctx context.Context, actor *parley.User, siteID, userID string) (int, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return 0, err
	}
	if err := s.siteUser(ctx, siteID, userID); err != nil {
		return 0, err
	}
	n, err := s.RevokeUserSessions(ctx, userID)
	if err != nil {
		return 0, err
	}
	now := s.now()
	err = s.store.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: siteID, ActorID: actor.ID, ActorName: actor.Name,
		Action: "sessions_revoked", Note: "u:" + userID, CreatedAt: now})
	return n, err
}

// siteUser returns ENOTFOUND unless the user belongs to the site: a role
// on it, or an identity from its SSO.
func (s *Service) siteUser(ctx context.Context, siteID, userID string) error {
	if _, err := s.store.GetRole(ctx, siteID, userID); err == nil {
		return nil
	} else if !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	ids, err := s.store.ListIdentities(ctx, userID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id.Issuer == parley.SSOIssuer(siteID) {
			return nil
		}
	}
	return parley.Errorf(parley.ENOTFOUND, "Unknown user.")
}

// revokeBanned ends the sessions of a banned signed-in author ("u:" key).
func (s *Service) revokeBanned(ctx context.Context, authorKey string) error {
	userID, ok := strings.CutPrefix(authorKey, "u:")
	if !ok {
		return nil
	}
	_, err := s.RevokeUserSessions(ctx, userID)
	return err
}

// SiteAuth returns a site's sign-in configuration. Admins of the site only
// (actor nil is the CLI, which has the database anyway).
func (s *Service) SiteAuth(ctx context.Context, actor *parley.User, siteID string) (*parley.SiteAuth, error) {
	if actor != nil {
		if err := s.requireAdmin(ctx, actor, siteID); err != nil {
			return nil, err
		}
	}
	_, a, err := s.siteAuth(ctx, siteID)
	return a, err
}

// MinSSOSecretBytes is the shortest HS256 secret accepted.
const MinSSOSecretBytes = 32

// SetSiteAuth validates and stores a site's sign-in configuration. Admins
// of the site only (actor nil is the CLI).
func (s *Service) SetSiteAuth(ctx context.Context, actor *parley.User, a *parley.SiteAuth) error {
	if actor != nil {
		if err := s.requireAdmin(ctx, actor, a.SiteID); err != nil {
			return err
		}
	}
	if _, err := s.Site(ctx, a.SiteID); err != nil {
		return err
	}
	if err := validateSSO(a.SSO); err != nil {
		return err
	}
	if err := validateOIDC(a.OIDC); err != nil {
		return err
	}
	a.UpdatedAt = s.now()
	return s.store.PutSiteAuth(ctx, a)
}

func validateSSO(c parley.SSOConfig) error {
	n := 0
	for _, v := range []string{c.Secret, c.PublicKey, c.JWKSURL} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return parley.Errorf(parley.EINVALID, "Set one SSO key: a secret (HS256), a public key (RS256/EdDSA) or a JWKS URL.")
	}
	if c.Secret != "" && len(c.Secret) < MinSSOSecretBytes {
		return parley.Errorf(parley.EINVALID, "The SSO secret must have at least %d bytes.", MinSSOSecretBytes)
	}
	if c.PublicKey != "" {
		if _, err := ssojwt.ParsePublicKey(c.PublicKey); err != nil {
			return err
		}
	}
	if c.JWKSURL != "" && !webURL(c.JWKSURL) {
		return parley.Errorf(parley.EINVALID, "The JWKS URL must be an https:// URL.")
	}
	return nil
}

func validateOIDC(c parley.OIDCConfig) error {
	if c.Issuer == "" && c.ClientID == "" {
		return nil
	}
	if !webURL(c.Issuer) || c.ClientID == "" {
		return parley.Errorf(parley.EINVALID, "OIDC needs an issuer (an https:// URL) and a client ID.")
	}
	for v, r := range c.Roles {
		if v == "" || !r.Valid() {
			return parley.Errorf(parley.EINVALID, "Each OIDC role mapping is a claim value and admin, moderator or author.")
		}
	}
	return nil
}

// webURL accepts https URLs, and http on loopback hosts for development.
func webURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	h := u.Hostname()
	return u.Scheme == "https" || (u.Scheme == "http" && (h == "localhost" || h == "127.0.0.1" || h == "::1"))
}
