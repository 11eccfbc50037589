package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// --- Email links and verified addresses (parley.AuthLinkStore) ---

const authLinkCols = `id, token_hash, purpose, site_id, email, user_id, role, invited_by, return_to, name, created_at, expires_at`

// CreateAuthLink stores a link. ECONFLICT if its ID or hash exists.
func (c *conn) CreateAuthLink(ctx context.Context, l *parley.AuthLink) error {
	return c.insertNew(ctx, "Link", `INSERT INTO auth_links (`+authLinkCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.TokenHash, l.Purpose, l.SiteID, strings.ToLower(l.Email), l.UserID, string(l.Role), l.InvitedBy, l.ReturnTo, l.Name,
		c.d.timeArg(l.CreatedAt), c.d.timeArg(l.ExpiresAt))
}

// PeekAuthLink returns an unexpired link.
func (c *conn) PeekAuthLink(ctx context.Context, tokenHash string, now time.Time) (*parley.AuthLink, error) {
	ls, err := c.authLinks(ctx, `SELECT `+authLinkCols+` FROM auth_links WHERE token_hash = ? AND expires_at > ?`, tokenHash, c.d.timeArg(now))
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "The link is invalid, used or expired.")
	}
	return ls[0], nil
}

// TakeAuthLink deletes and returns an unexpired link in one statement, so
// two concurrent takers cannot both get it.
func (c *conn) TakeAuthLink(ctx context.Context, tokenHash string, now time.Time) (*parley.AuthLink, error) {
	ls, err := c.authLinks(ctx, `DELETE FROM auth_links WHERE token_hash = ? AND expires_at > ? RETURNING `+authLinkCols, tokenHash, c.d.timeArg(now))
	if err != nil {
		return nil, err
	}
	if len(ls) == 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "The link is invalid, used or expired.")
	}
	return ls[0], nil
}

// ListAuthLinks returns a site's unexpired links of a purpose, newest first.
func (c *conn) ListAuthLinks(ctx context.Context, siteID, purpose string, now time.Time) ([]*parley.AuthLink, error) {
	return c.authLinks(ctx, `SELECT `+authLinkCols+` FROM auth_links WHERE site_id = ? AND purpose = ? AND expires_at > ? ORDER BY id DESC LIMIT 500`,
		siteID, purpose, c.d.timeArg(now))
}

// DeleteAuthLink deletes a site's link.
func (c *conn) DeleteAuthLink(ctx context.Context, siteID, id string) error {
	res, err := c.exec(ctx, `DELETE FROM auth_links WHERE site_id = ? AND id = ?`, siteID, id)
	return mustAffect(res, err, "Link")
}

// DeleteAuthLinksFor deletes every link of a purpose sent to email.
func (c *conn) DeleteAuthLinksFor(ctx context.Context, email, purpose string) error {
	_, err := c.exec(ctx, `DELETE FROM auth_links WHERE email = ? AND purpose = ?`, strings.ToLower(email), purpose)
	return translate(err, "Link")
}

// PurgeAuthLinks deletes expired links.
func (c *conn) PurgeAuthLinks(ctx context.Context, now time.Time) (int, error) {
	res, err := c.exec(ctx, `DELETE FROM auth_links WHERE expires_at <= ?`, c.d.timeArg(now))
	if err != nil {
		return 0, translate(err, "Link")
	}
	n, err := res.RowsAffected()
	return int(n), translate(err, "Link")
}

// SetEmailVerified marks a user's address verified (the first time only).
func (c *conn) SetEmailVerified(ctx context.Context, userID string, at time.Time) error {
	res, err := c.exec(ctx, `UPDATE users SET email_verified_at = COALESCE(email_verified_at, ?) WHERE id = ?`, c.d.timeArg(at), userID)
	return mustAffect(res, err, "User")
}

// VerifiedUsers returns which users have a verified address.
func (c *conn) VerifiedUsers(ctx context.Context, userIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(userIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(userIDs))
	for i, id := range userIDs {
		args[i] = id
	}
	rows, err := c.query(ctx, `SELECT id FROM users WHERE email_verified_at IS NOT NULL AND id IN (?`+strings.Repeat(", ?", len(userIDs)-1)+`)`, args...)
	if err != nil {
		return nil, translate(err, "User")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, translate(err, "User")
		}
		out[id] = true
	}
	return out, translate(rows.Err(), "User")
}

// EmailVerified reports whether a user with this address verified it.
func (c *conn) EmailVerified(ctx context.Context, email string) (bool, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM users WHERE email_lower = ? AND email_verified_at IS NOT NULL`, strings.ToLower(email)).Scan(&n)
	return n > 0, translate(err, "User")
}

func (c *conn) authLinks(ctx context.Context, query string, args ...any) ([]*parley.AuthLink, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err, "Link")
	}
	defer rows.Close()
	var out []*parley.AuthLink
	for rows.Next() {
		var l parley.AuthLink
		var role string
		if err := rows.Scan(&l.ID, &l.TokenHash, &l.Purpose, &l.SiteID, &l.Email, &l.UserID, &role, &l.InvitedBy, &l.ReturnTo, &l.Name,
			timeCol{&l.CreatedAt}, timeCol{&l.ExpiresAt}); err != nil {
			return nil, translate(err, "Link")
		}
		l.Role = parley.Role(role)
		out = append(out, &l)
	}
	return out, translate(rows.Err(), "Link")
}
