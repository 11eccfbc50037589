package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// limitTrace records the rate-limit buckets a login takes tokens from
// (their rates are the service's constants for each kind of bucket),
// with the account's hash replaced by a placeholder.
type limitTrace struct {
	*testutil.CountingStore
	mu    sync.Mutex
	calls []string
}

func (l *limitTrace) UpdateRateBucket(ctx context.Context, key string, fn func(b *parley.RateBucket) error) error {
	shown := key
	if i := strings.Index(key, "login:account:"); i >= 0 {
		shown = key[:i] + "login:account:<hash of the email>"
	}
	l.mu.Lock()
	l.calls = append(l.calls, fmt.Sprintf("UpdateRateBucket(%s)", shown))
	l.mu.Unlock()
	return l.CountingStore.UpdateRateBucket(ctx, key, fn)
}

// loginTrace is everything a failed login does that costs time: each
// argon2id derivation with its parameters, each store call (in and out of
// transactions), each rate-limit bucket, and what it answers.
type loginTrace struct {
	Derivations []string
	StoreCalls  []string
	Limits      []string
	Answer      string
}

// TestUnknownEmailAndWrongPasswordDoTheSameWork: a login with a wrong
// password for a real account and a login with an unknown email do the
// same work, operation for operation: the same argon2id derivations with
// the same parameters (those of the service's hasher, which made the
// account's hash), the same store calls, the same rate-limit buckets with
// the same rates, no session, and the same answer. Timing is not asserted
// (tests never do; BenchmarkLoginKnownVsUnknown measures it); the work
// is, so that a timing difference has nowhere to come from.
//
// It fails if the unknown-email path skips the dummy verification, if the
// dummy hash is made with other parameters than the accounts' (e.g. the
// production hasher while accounts use another), if one path looks up or
// writes more (a failed-login counter for known accounts only), or takes
// tokens from other buckets.
func TestUnknownEmailAndWrongPasswordDoTheSameWork(t *testing.T) {
	db := sqltest.OpenSQLite(t)
	store := &limitTrace{CountingStore: testutil.NewCountingStore(db)}
	// A hasher with parameters of its own, so that a dummy hash made with
	// any other (the production or the cheap test one) shows.
	hasher := PasswordHasher{Time: 2, Memory: 16, Threads: 1}
	limits := DefaultRateLimits
	s := New(Options{Store: store, Passwords: hasher, RateLimits: limits, Clock: testutil.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))})
	ctx := context.Background()
	if _, err := s.CreateUser(ctx, "real@example.org", "Real", "long enough password"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var derivations []string
	orig := deriveKey
	deriveKey = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		mu.Lock()
		derivations = append(derivations, fmt.Sprintf("argon2id(t=%d, m=%d KiB, p=%d, key %d bytes, salt %d bytes, password %d bytes)",
			time, memory, threads, keyLen, len(salt), len(password)))
		mu.Unlock()
		return orig(password, salt, time, memory, threads, keyLen)
	}
	t.Cleanup(func() { deriveKey = orig })
	s.dummyHash() // made once per process, before the first login: not part of either path

	login := func(email string) loginTrace {
		t.Helper()
		derivations, store.calls = nil, nil
		store.Reset()
		sess, secret, u, err := s.Login(ctx, email, "wrong password!", "192.0.2.9")
		_, _, names := store.Calls()
		tr := loginTrace{Derivations: derivations, StoreCalls: names, Limits: store.calls,
			Answer: fmt.Sprintf("session %v, secret %q, user %v, %s %q retry %v", sess != nil, secret, u != nil, parley.ErrorCode(err), parley.ErrorMessage(err), retryAfter(err))}
		return tr
	}
	for _, pair := range [][2]string{{"real@example.org", "nobody@example.org"}, {"REAL@example.org ", "someone.else@example.org"}} {
		known, unknown := login(pair[0]), login(pair[1])
		if fmt.Sprint(known) != fmt.Sprint(unknown) {
			t.Errorf("a wrong password for %s does\n  %+v\nan unknown email %s does\n  %+v", pair[0], known, pair[1], unknown)
		}
		want := fmt.Sprintf("argon2id(t=%d, m=%d KiB, p=%d, key %d bytes, salt %d bytes, password %d bytes)", hasher.Time, hasher.Memory, hasher.Threads,
			argonKeyLen, argonSaltLen, len("wrong password!"))
		if !slices.Equal(known.Derivations, []string{want}) {
			t.Errorf("derivations %v, want exactly one with the service's parameters: %s", known.Derivations, want)
		}
		if len(known.Limits) != 2 || !strings.Contains(known.Answer, "unauthorized") || strings.Contains(known.Answer, "session true") {
			t.Errorf("a failed login took %v and answered %s", known.Limits, known.Answer)
		}
	}
}

func retryAfter(err error) time.Duration {
	if e, ok := err.(*parley.Error); ok {
		return e.RetryAfter
	}
	return 0
}
