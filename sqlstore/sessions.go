package sqlstore

import (
	"context"

	"github.com/parley-comments/parley"
)

// GetSessionUser returns a session and its user in one query, expired or
// not (expiry is the service's policy). ENOTFOUND if either is missing.
func (c *conn) GetSessionUser(ctx context.Context, idHash string) (*parley.Session, *parley.User, error) {
	var s parley.Session
	var u parley.User
	err := c.queryRow(ctx, `SELECT s.id_hash, s.user_id, s.csrf_token, s.method, s.site_id, s.user_agent, s.created_at, s.expires_at,
		u.id, u.email, u.name, u.password_hash, u.created_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`, idHash).
		Scan(&s.IDHash, &s.UserID, &s.CSRFToken, &s.Method, &s.SiteID, &s.UserAgent, timeCol{&s.CreatedAt}, timeCol{&s.ExpiresAt},
			&u.ID, &u.Email, &u.Name, &u.PasswordHash, timeCol{&u.CreatedAt})
	if err != nil {
		return nil, nil, translate(err, "Session")
	}
	return &s, &u, nil
}
