package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
)

// TestLoginUpgradesAnOldPasswordHash: an account whose hash was made with
// older argon2id parameters gets a hash with the current ones on its next
// successful login (so a wrong password then costs the same work as an
// unknown email), stored without ending its sessions; a wrong password
// changes nothing; the new hash logs in and refuses a wrong password; a
// hash with the current parameters is left alone.
func TestLoginUpgradesAnOldPasswordHash(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		old := service.CheapPasswordHasher
		current := service.PasswordHasher{Time: 2, Memory: 16, Threads: 1} // cheap too, but other
		params := func(h service.PasswordHasher) string {
			return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$", h.Memory, h.Time, h.Threads)
		}
		stored := func() string {
			t.Helper()
			u, err := db.GetUserByEmail(ctx, "old@example.org")
			if err != nil {
				t.Fatal(err)
			}
			return u.PasswordHash
		}
		const pw = "an old long password"

		before := service.New(service.Options{Store: db, Passwords: old})
		if _, err := before.CreateUser(ctx, "old@example.org", "Old", pw); err != nil {
			t.Fatal(err)
		}
		_, oldSession, _, err := before.Login(ctx, "old@example.org", pw, "k") // same parameters: no upgrade
		if err != nil {
			t.Fatal(err)
		}
		oldHash := stored()
		if !strings.HasPrefix(oldHash, params(old)) {
			t.Fatalf("the account's hash %q was not made with the old parameters", oldHash)
		}

		svc := service.New(service.Options{Store: db, Passwords: current})
		if _, _, _, err := svc.Login(ctx, "OLD@example.org", "a wrong long password", "k"); !parley.IsCode(err, parley.EUNAUTHORIZED) {
			t.Fatalf("wrong password: %v", err)
		}
		if h := stored(); h != oldHash {
			t.Fatalf("a wrong password changed the hash to %q", h)
		}

		_, _, u, err := svc.Login(ctx, "old@example.org", pw, "k")
		if err != nil {
			t.Fatal(err)
		}
		newHash := stored()
		if !strings.HasPrefix(newHash, params(current)) || newHash == oldHash {
			t.Fatalf("after a login the stored hash is %q, want one with the current parameters %s", newHash, params(current))
		}
		if u.PasswordHash != newHash {
			t.Errorf("Login returned the user with hash %q, stored %q", u.PasswordHash, newHash)
		}
		if _, _, err := svc.SessionUser(ctx, oldSession); err != nil {
			t.Fatalf("the upgrade ended the user's session: %v", err)
		}

		if _, _, _, err := svc.Login(ctx, "old@example.org", pw, "k"); err != nil {
			t.Fatalf("login with the upgraded hash: %v", err)
		}
		if _, _, _, err := svc.Login(ctx, "old@example.org", pw+"!", "k"); !parley.IsCode(err, parley.EUNAUTHORIZED) {
			t.Fatalf("wrong password against the upgraded hash: %v", err)
		}
		if h := stored(); h != newHash {
			t.Fatalf("a login with the current parameters re-hashed again: %q", h)
		}
	})
}

// TestNeedsRehash: any difference from the hasher's parameters, salt or
// key length needs a new hash; the hasher's own hashes do not.
func TestNeedsRehash(t *testing.T) {
	t.Parallel()
	h := service.PasswordHasher{Time: 2, Memory: 16, Threads: 1}
	own, err := h.Hash("pw-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if h.NeedsRehash(own) {
		t.Fatalf("the hasher's own hash %q needs a rehash", own)
	}
	for _, other := range []service.PasswordHasher{{Time: 1, Memory: 16, Threads: 1}, {Time: 2, Memory: 8, Threads: 1}, {Time: 2, Memory: 16, Threads: 2}} {
		hash, err := other.Hash("pw-0123456789")
		if err != nil {
			t.Fatal(err)
		}
		if !h.NeedsRehash(hash) {
			t.Errorf("%+v's hash %q does not need a rehash for %+v", other, hash, h)
		}
	}
	parts := strings.Split(own, "$")
	shortSalt := strings.Join(append(parts[:4:4], "c2FsdA", parts[5]), "$")
	shortKey := strings.Join(append(parts[:5:5], "a2V5"), "$")
	for _, hash := range []string{shortSalt, shortKey, "", "$argon2i$v=19$m=16,t=2,p=1$c2FsdA$a2V5"} {
		if !h.NeedsRehash(hash) {
			t.Errorf("%q does not need a rehash", hash)
		}
	}
}
