package service

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestLoginCostsTheSameForUnknownEmails: a login with an unknown email does
// exactly the password-hash work of a wrong password for a real account
// (the same number of argon2id derivations with the same parameters), so
// its timing does not reveal which accounts exist. Timing itself is not
// asserted (tests never assert timings); the work is.
func TestLoginCostsTheSameForUnknownEmails(t *testing.T) {
	db := sqltest.OpenSQLite(t)
	s := New(Options{Store: db, Clock: testutil.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))})
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, "real@example.org", "Real", "long enough password"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var calls []string
	orig := deriveKey
	deriveKey = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		mu.Lock()
		calls = append(calls, fmt.Sprintf("t=%d m=%d p=%d len=%d salt=%d", time, memory, threads, keyLen, len(salt)))
		mu.Unlock()
		return orig(password, salt, time, memory, threads, keyLen)
	}
	t.Cleanup(func() { deriveKey = orig })
	work := func(email string) []string {
		calls = nil
		_, _, _, err := s.Login(ctx, email, "wrong password!", "192.0.2.9")
		if !parley.IsCode(err, parley.EUNAUTHORIZED) || parley.ErrorMessage(err) != "Wrong email or password." {
			t.Fatalf("login %s: %v", email, err)
		}
		return calls
	}
	known, unknown := work("real@example.org"), work("nobody@example.org")
	if fmt.Sprint(known) != fmt.Sprint(unknown) || len(known) != 1 {
		t.Fatalf("a wrong password derives %v, an unknown email %v", known, unknown)
	}
}
