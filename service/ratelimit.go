package service

import (
	"context"
	"math"
	"time"

	"github.com/parley-comments/parley"
)

// Rate limits are token buckets kept in the database (so that instances
// share them): each holds at most burst tokens, refills at a steady rate,
// and a request takes one token or is refused with the time until the next.
// The arithmetic is here; the store only reads and writes the bucket's row,
// atomically (parley.RateBucketStore).

// takeToken takes a token from a bucket when limits are enabled; when the
// bucket is empty it returns ERATELIMITED with msg and the wait.
func (s *Service) takeToken(ctx context.Context, key string, perMinute float64, burst int, msg string) error {
	if !s.limits.Enabled || perMinute <= 0 {
		return nil
	}
	ok, wait, err := s.takeRateToken(ctx, key, perMinute/60, burst, s.now())
	if err != nil {
		return err
	}
	if !ok {
		if wait < time.Second {
			wait = time.Second
		}
		return &parley.Error{Code: parley.ERATELIMITED, Message: msg, RetryAfter: wait}
	}
	return nil
}

// takeRateToken takes one token from the bucket named key, which refills
// at perSecond up to burst tokens; a new bucket starts full. It reports
// whether a token was taken and, if not, how long until one will be there.
// EINVALID if perSecond or burst is not positive.
func (s *Service) takeRateToken(ctx context.Context, key string, perSecond float64, burst int, now time.Time) (bool, time.Duration, error) {
	if !(perSecond > 0) || burst < 1 || math.IsInf(perSecond, 0) {
		return false, 0, parley.Errorf(parley.EINVALID, "Invalid rate limit.")
	}
	var ok bool
	var wait time.Duration
	err := s.store.UpdateRateBucket(ctx, key, func(b *parley.RateBucket) error {
		ok, wait = takeFrom(b, perSecond, burst, now)
		return nil
	})
	return ok, wait, err
}

// takeFrom refills b for the time since it was last refilled and takes a
// token from it if there is a whole one, else reports the wait for one. A
// clock that goes backwards refills nothing, and a bucket holds no more
// than burst even if the burst was lowered.
func takeFrom(b *parley.RateBucket, perSecond float64, burst int, now time.Time) (bool, time.Duration) {
	now = now.UTC().Truncate(time.Microsecond) // the stored precision
	if b.New {
		b.Tokens, b.UpdatedAt = float64(burst), now
	}
	if elapsed := now.Sub(b.UpdatedAt); elapsed > 0 {
		b.Tokens = math.Min(float64(burst), b.Tokens+elapsed.Seconds()*perSecond)
		b.UpdatedAt = now
	}
	b.Tokens = math.Min(b.Tokens, float64(burst))
	if b.Tokens >= 1 {
		b.Tokens--
		return true, 0
	}
	return false, time.Duration(math.Ceil((1 - b.Tokens) / perSecond * float64(time.Second)))
}
