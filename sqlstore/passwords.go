package sqlstore

import (
	"context"

	"github.com/parley-comments/parley"
)

// ReplacePasswordHash sets a user's password hash to newHash if it is still
// oldHash, in one statement, and touches nothing else (not the sessions).
// ECONFLICT if the stored hash is another (the password changed meanwhile)
// or the user is gone.
func (c *conn) ReplacePasswordHash(ctx context.Context, userID, oldHash, newHash string) error {
	res, err := c.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, newHash, userID, oldHash)
	if err := mustAffect(res, err, "User"); !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	return parley.Errorf(parley.ECONFLICT, "The password changed meanwhile.")
}
