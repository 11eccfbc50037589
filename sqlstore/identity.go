package sqlstore

import (
	"context"
	"database/sql"

	"time"

	"github.com/parley-comments/parley"
)

// GetSiteAuth returns a site's sign-in configuration. ENOTFOUND if none.
func (c *conn) GetSiteAuth(ctx context.Context, siteID string) (*parley.SiteAuth, error) {
	var cfg string
	var updated time.Time
	if err := c.queryRow(ctx, `SELECT config, updated_at FROM site_auth WHERE site_id = ?`, siteID).Scan(&cfg, timeCol{&updated}); err != nil {
		return nil, translate(err, "Site sign-in configuration")
	}
	a := &parley.SiteAuth{}
	if err := unmarshalJSON(cfg, a); err != nil {
		return nil, err
	}
	a.SiteID, a.UpdatedAt = siteID, updated
	return a, nil
}

// PutSiteAuth inserts or replaces a site's sign-in configuration.
// ENOTFOUND if the site does not exist.
func (c *conn) PutSiteAuth(ctx context.Context, a *parley.SiteAuth) error {
	cfg, err := marshalJSON(a)
	if err != nil {
		return err
	}
	_, err = c.exec(ctx, `INSERT INTO site_auth (site_id, config, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (site_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
		a.SiteID, cfg, c.d.timeArg(a.UpdatedAt))
	return translate(err, "Site")
}

// CreateIdentityUser inserts a user with no password and no login email.
// Its email_lower is "#" and the user ID: unique, and no address
// normalizes to it, so GetUserByEmail never finds the user.
func (c *conn) CreateIdentityUser(ctx context.Context, u *parley.User) error {
	u.Email, u.PasswordHash = "", ""
	return c.insertNew(ctx, "User", `INSERT INTO users (id, email, email_lower, name, password_hash, created_at) VALUES (?, '', ?, ?, '', ?)`,
		u.ID, "#"+u.ID, u.Name, c.d.timeArg(u.CreatedAt))
}

const identityCols = `id, user_id, issuer, subject, email, name, created_at, last_login_at`

func scanIdentity(sc interface{ Scan(...any) error }) (*parley.Identity, error) {
	var i parley.Identity
	if err := sc.Scan(&i.ID, &i.UserID, &i.Issuer, &i.Subject, &i.Email, &i.Name, timeCol{&i.CreatedAt}, timeCol{&i.LastLoginAt}); err != nil {
		return nil, err
	}
	return &i, nil
}

// CreateIdentity binds an external account to a user. ECONFLICT if the
// (issuer, subject) pair or the ID exists.
func (c *conn) CreateIdentity(ctx context.Context, i *parley.Identity) error {
	return c.insertNew(ctx, "Identity", `INSERT INTO identities (`+identityCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, i.UserID, i.Issuer, i.Subject, i.Email, i.Name, c.d.timeArg(i.CreatedAt), c.d.timeArg(i.LastLoginAt))
}

// GetIdentity returns the identity for an external account. ENOTFOUND if none.
func (c *conn) GetIdentity(ctx context.Context, issuer, subject string) (*parley.Identity, error) {
	i, err := scanIdentity(c.queryRow(ctx, `SELECT `+identityCols+` FROM identities WHERE issuer = ? AND subject = ?`, issuer, subject))
	return i, translate(err, "Identity")
}

// UpdateIdentity writes an identity's email, name and last sign-in.
// ENOTFOUND if missing.
func (c *conn) UpdateIdentity(ctx context.Context, i *parley.Identity) error {
	res, err := c.exec(ctx, `UPDATE identities SET email = ?, name = ?, last_login_at = ? WHERE id = ?`,
		i.Email, i.Name, c.d.timeArg(i.LastLoginAt), i.ID)
	return mustAffect(res, err, "Identity")
}

// ListIdentities returns a user's identities, oldest first.
func (c *conn) ListIdentities(ctx context.Context, userID string) ([]*parley.Identity, error) {
	rows, err := c.query(ctx, `SELECT `+identityCols+` FROM identities WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, translate(err, "Identity")
	}
	defer rows.Close()
	var out []*parley.Identity
	for rows.Next() {
		i, err := scanIdentity(rows)
		if err != nil {
			return nil, translate(err, "Identity")
		}
		out = append(out, i)
	}
	return out, translate(rows.Err(), "Identity")
}

// UseTokenID records a hand-off token ID. ECONFLICT if already recorded.
func (c *conn) UseTokenID(ctx context.Context, siteID, jti string, expiresAt time.Time) error {
	return c.insertNew(ctx, "Token ID", `INSERT INTO sso_token_ids (site_id, jti, expires_at) VALUES (?, ?, ?)`,
		siteID, jti, c.d.timeArg(expiresAt))
}

// CreateLoginFlow stores an OIDC flow. ECONFLICT if the state exists.
func (c *conn) CreateLoginFlow(ctx context.Context, f *parley.LoginFlow) error {
	return c.insertNew(ctx, "Login flow", `INSERT INTO login_flows (state_hash, site_id, verifier, nonce, return_to, link_user_id, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		f.StateHash, f.SiteID, f.Verifier, f.Nonce, f.ReturnTo, f.LinkUserID, c.d.timeArg(f.ExpiresAt))
}

// TakeLoginFlow returns and deletes an unexpired flow; of two concurrent
// callers only one gets it. ENOTFOUND if unknown, taken or expired.
func (c *conn) TakeLoginFlow(ctx context.Context, stateHash string) (*parley.LoginFlow, error) {
	var f parley.LoginFlow
	err := c.queryRow(ctx, `DELETE FROM login_flows WHERE state_hash = ?
		RETURNING state_hash, site_id, verifier, nonce, return_to, link_user_id, expires_at`, stateHash).
		Scan(&f.StateHash, &f.SiteID, &f.Verifier, &f.Nonce, &f.ReturnTo, &f.LinkUserID, timeCol{&f.ExpiresAt})
	if err != nil {
		return nil, translate(err, "Login flow")
	}
	if !c.clock.Now().Before(f.ExpiresAt) {
		return nil, parley.Errorf(parley.ENOTFOUND, "Login flow not found.")
	}
	return &f, nil
}

// ListUserSessions returns a user's unexpired sessions, newest first.
func (c *conn) ListUserSessions(ctx context.Context, userID string) ([]*parley.Session, error) {
	rows, err := c.query(ctx, `SELECT `+sessionCols+` FROM sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id_hash`,
		userID, c.d.timeArg(c.clock.Now()))
	if err != nil {
		return nil, translate(err, "Session")
	}
	defer rows.Close()
	var out []*parley.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, translate(err, "Session")
		}
		out = append(out, s)
	}
	return out, translate(rows.Err(), "Session")
}

// DeleteUserSessions ends all of a user's sessions.
func (c *conn) DeleteUserSessions(ctx context.Context, userID string) (int, error) {
	res, err := c.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return 0, translate(err, "Session")
	}
	n, err := res.RowsAffected()
	return int(n), translate(err, "Session")
}

// SetProviderRole records (or with "" forgets) the role a provider gave.
func (c *conn) SetProviderRole(ctx context.Context, siteID, userID string, role parley.Role) error {
	if role == "" {
		_, err := c.exec(ctx, `DELETE FROM provider_roles WHERE site_id = ? AND user_id = ?`, siteID, userID)
		return translate(err, "Provider role")
	}
	_, err := c.exec(ctx, `INSERT INTO provider_roles (site_id, user_id, role) VALUES (?, ?, ?)
		ON CONFLICT (site_id, user_id) DO UPDATE SET role = excluded.role`, siteID, userID, string(role))
	return translate(err, "User")
}

// GetProviderRole returns the role a provider last gave, or "".
func (c *conn) GetProviderRole(ctx context.Context, siteID, userID string) (parley.Role, error) {
	var r string
	err := c.queryRow(ctx, `SELECT role FROM provider_roles WHERE site_id = ? AND user_id = ?`, siteID, userID).Scan(&r)
	if err == sql.ErrNoRows {
		return "", nil
	}
	return parley.Role(r), translate(err, "Provider role")
}
