package service

import (
	"context"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestSessionCache: with the session cache on, a session is read from the
// database once per TTL; signing out and a password change end it at once
// on this instance; expiry is still checked on a remembered session; and
// a caller changing the user it got does not change the remembered one.
func TestSessionCache(t *testing.T) {
	t.Parallel()
	db := testutil.NewCountingStore(sqltest.OpenSQLite(t))
	clk := testutil.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	s := New(Options{Store: db, Clock: clk, Passwords: CheapPasswordHasher, SessionCacheTTL: 2 * time.Second, SessionTTL: time.Hour})
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, "r@example.org", "Reader", "long enough password"); err != nil {
		t.Fatal(err)
	}
	login := func() string {
		t.Helper()
		_, secret, _, err := s.Login(ctx, "r@example.org", "long enough password", "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	reads := func() int {
		_, _, names := db.Calls()
		n := 0
		for _, name := range names {
			if name == "GetSessionUser" {
				n++
			}
		}
		return n
	}
	secret := login()
	before := reads()
	for i := 0; i < 5; i++ {
		u, _, err := s.SessionUser(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		u.Name = "Changed by a caller"
	}
	if n := reads() - before; n != 1 {
		t.Fatalf("5 look-ups within the TTL read the database %d times, want 1", n)
	}
	if u, _, _ := s.SessionUser(ctx, secret); u.Name != "Reader" {
		t.Fatalf("remembered user changed by a caller: %q", u.Name)
	}
	clk.Add(3 * time.Second)
	if _, _, err := s.SessionUser(ctx, secret); err != nil || reads()-before != 2 {
		t.Fatalf("after the TTL: err %v, %d reads, want a second read", err, reads()-before)
	}
	if err := s.Logout(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, secret); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("signed out, within the TTL: %v, want EUNAUTHORIZED", err)
	}
	secret = login()
	if _, _, err := s.SessionUser(ctx, secret); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Hour) // expired, and the clock's jump also ends the TTL
	if _, _, err := s.SessionUser(ctx, secret); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("expired: %v, want EUNAUTHORIZED", err)
	}
	secret = login()
	if _, _, err := s.SessionUser(ctx, secret); err != nil {
		t.Fatal(err)
	}
	u, err := db.GetUserByEmail(ctx, "r@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeUserSessions(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.SessionUser(ctx, secret); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("revoked, within the TTL: %v, want EUNAUTHORIZED", err)
	}
}
