package service

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// eachDB runs fn on a fresh SQLite and a fresh PostgreSQL database.
func eachDB(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Helper()
	for _, b := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", sqltest.OpenSQLite}, {"postgres", sqltest.OpenPostgres}} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			fn(t, b.open(t))
		})
	}
}

var rateBase = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

// TestRateTokens checks the token bucket's arithmetic through the store's
// bucket rows on both databases: the burst, the refill, the wait, the cap,
// a clock going backwards, and independent buckets.
func TestRateTokens(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		s := New(Options{Store: db, Clock: parley.SystemClock{}})
		now := rateBase
		take := func(key string) (bool, time.Duration) {
			t.Helper()
			ok, wait, err := s.takeRateToken(context.Background(), key, 0.5, 3, now) // one token per 2s, burst 3
			if err != nil {
				t.Fatal(err)
			}
			return ok, wait
		}
		for i := 0; i < 3; i++ {
			if ok, _ := take("a"); !ok {
				t.Fatalf("take %d of the burst refused", i)
			}
		}
		if ok, wait := take("a"); ok || wait != 2*time.Second {
			t.Fatalf("empty bucket: ok=%v wait=%v, want refused and 2s", ok, wait)
		}
		if ok, _ := take("b"); !ok {
			t.Fatal("buckets are not independent")
		}
		now = now.Add(time.Second) // half a token
		if ok, wait := take("a"); ok || wait != time.Second {
			t.Fatalf("half-full bucket: ok=%v wait=%v, want refused and 1s", ok, wait)
		}
		now = now.Add(time.Second)
		if ok, _ := take("a"); !ok {
			t.Fatal("refilled token refused")
		}
		if ok, _ := take("a"); ok {
			t.Fatal("took a token that was not there")
		}
		now = now.Add(time.Hour) // refill caps at burst
		for i := 0; i < 3; i++ {
			if ok, _ := take("a"); !ok {
				t.Fatalf("take %d after a long pause refused", i)
			}
		}
		if ok, _ := take("a"); ok {
			t.Fatal("bucket refilled beyond its burst")
		}
		now = now.Add(-time.Hour) // a clock going backwards refills nothing
		if ok, _ := take("a"); ok {
			t.Fatal("backwards clock refilled the bucket")
		}
		if _, _, err := s.takeRateToken(context.Background(), "c", 0, 3, now); !parley.IsCode(err, parley.EINVALID) {
			t.Fatalf("zero rate: %v, want EINVALID", err)
		}
	})
}

// TestConcurrentRateTokens takes from one bucket from many goroutines
// (on PostgreSQL, over many pooled connections): exactly the burst
// succeeds.
func TestConcurrentRateTokens(t *testing.T) {
	t.Parallel()
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		const workers, burst = 16, 5
		s := New(Options{Store: db, Clock: parley.SystemClock{}})
		var wg sync.WaitGroup
		oks := make([]bool, workers)
		errs := make([]error, workers)
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				oks[i], _, errs[i] = s.takeRateToken(context.Background(), "shared", 1e-6, burst, rateBase)
			}()
		}
		wg.Wait()
		n := 0
		for i := range oks {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if oks[i] {
				n++
			}
		}
		if n != burst {
			t.Fatalf("%d concurrent takes succeeded, want exactly the burst %d", n, burst)
		}
	})
}

// TestTakeFromLowersToABurstLowered: a bucket stored under a larger burst
// holds no more than the new one.
func TestTakeFromLowersToABurstLowered(t *testing.T) {
	t.Parallel()
	b := &parley.RateBucket{Tokens: 10, UpdatedAt: rateBase}
	if ok, _ := takeFrom(b, 1, 3, rateBase); !ok || b.Tokens != 2 {
		t.Fatalf("took=%v, %v tokens left, want a token taken and 2 left", ok, b.Tokens)
	}
}
