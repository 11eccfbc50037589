package parley

import (
	"context"
	"time"
)

// RateBucket is the stored state of one rate limit's token bucket. The
// arithmetic (how it refills, what a request takes) is the service's; the
// store only keeps the row.
type RateBucket struct {
	Key       string
	Tokens    float64
	UpdatedAt time.Time // when Tokens was last refilled; Purge drops idle buckets by it
	// New is set on a bucket that is not stored yet (Tokens and UpdatedAt
	// are then zero); the row is created with what the update leaves.
	New bool
}

// RateBucketStore keeps rate buckets in the database, so that several
// instances share them.
type RateBucketStore interface {
	// UpdateRateBucket reads the named bucket, lets fn change it, and
	// stores the result, as one atomic step: concurrent updates of a
	// bucket, from this instance or another on the same database, run one
	// after the other (the row stays locked until the write). fn may run
	// more than once; if it returns an error, nothing is written and the
	// error is returned.
	UpdateRateBucket(ctx context.Context, key string, fn func(b *RateBucket) error) error
}
