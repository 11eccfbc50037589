package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// ProtectName records a protected name skeleton; a repeat is a no-op.
// ENOTFOUND if the site or user does not exist.
func (c *conn) ProtectName(ctx context.Context, siteID, skeleton, userID string) error {
	_, err := c.exec(ctx, `INSERT INTO protected_names (site_id, skeleton, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		siteID, skeleton, userID)
	return translate(err, "Site or user")
}

// NameProtected reports whether a skeleton is protected on a site.
func (c *conn) NameProtected(ctx context.Context, siteID, skeleton string) (bool, error) {
	var one int
	err := c.queryRow(ctx, `SELECT 1 FROM protected_names WHERE site_id = ? AND skeleton = ? LIMIT 1`, siteID, skeleton).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, translate(err, "Protected name")
}
