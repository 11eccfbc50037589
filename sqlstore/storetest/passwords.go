package storetest

import (
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

// testReplacePasswordHash: the hash is replaced only while it is still the
// one the caller read, nothing else of the user changes, and the user's
// sessions stay; a stale old hash (a password changed meanwhile) or a
// missing user is ECONFLICT and changes nothing.
func testReplacePasswordHash(t *testing.T, db *sqlstore.DB) {
	u, other := seedUser(t, db, 1), seedUser(t, db, 2)
	sess := &parley.Session{IDHash: strings.Repeat("ab", 32), UserID: u.ID, CSRFToken: "csrf", CreatedAt: at(3), ExpiresAt: at(4000)}
	must(t, db.CreateSession(ctx(), sess))
	const upgraded = "$argon2id$v=19$m=65536,t=3,p=2$bmV3c2FsdA$bmV3aGFzaA"

	must(t, db.ReplacePasswordHash(ctx(), u.ID, u.PasswordHash, upgraded))
	got, err := db.GetUser(ctx(), u.ID)
	must(t, err)
	want := *u
	want.PasswordHash, want.CreatedAt = upgraded, us(u.CreatedAt)
	deepEqual(t, "user after ReplacePasswordHash", got, &want)
	if _, err := db.GetSession(ctx(), sess.IDHash); err != nil {
		t.Fatalf("the session did not survive the new hash: %v", err)
	}
	if o, err := db.GetUser(ctx(), other.ID); err != nil || o.PasswordHash != other.PasswordHash {
		t.Fatalf("another user's hash changed: %v %v", o, err)
	}

	// The hash read before is stale now: a second replace with it loses.
	wantCode(t, db.ReplacePasswordHash(ctx(), u.ID, u.PasswordHash, "$argon2id$stale"), parley.ECONFLICT)
	wantCode(t, db.ReplacePasswordHash(ctx(), "missing", u.PasswordHash, "$argon2id$x"), parley.ECONFLICT)
	got, err = db.GetUser(ctx(), u.ID)
	must(t, err)
	deepEqual(t, "user after a stale ReplacePasswordHash", got, &want)

	// In a transaction, as in the store's other writes.
	must(t, db.InTx(ctx(), func(tx parley.Store) error { return tx.ReplacePasswordHash(ctx(), u.ID, upgraded, u.PasswordHash) }))
	if got, _ := db.GetUser(ctx(), u.ID); got.PasswordHash != u.PasswordHash {
		t.Fatalf("hash after the replace in a transaction = %q", got.PasswordHash)
	}
}
