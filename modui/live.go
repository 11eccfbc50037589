package modui

import (
	"context"
	"sync"
	"time"

	"github.com/parley-comments/parley"
)

// liveTTL bounds how long a computed live answer is shared.
const liveTTL = 2 * time.Second

// liveCache shares the work a live event causes among this instance's
// dashboard tabs: every open tab asks for the changed item and the tab
// counts after each event; the first request computes the answer and the
// others, arriving within liveTTL, reuse it. An entry is dropped when an
// event for its comment or site arrives, and is never used for an event
// that happened after the entry was computed (the script sends the event's
// time as "since").
type liveCache struct {
	now     func() time.Time
	mu      sync.Mutex
	entries map[string]*liveEntry
}

type liveEntry struct {
	site    string
	started time.Time
	done    chan struct{}
	val     any
	err     error
}

func newLiveCache(now func() time.Time) *liveCache {
	return &liveCache{now: now, entries: map[string]*liveEntry{}}
}

// get returns the value for key, computing it with load unless an entry
// computed after since and within liveTTL exists or is being computed.
func (lc *liveCache) get(ctx context.Context, site, key string, since time.Time, load func(context.Context) (any, error)) (any, error) {
	now := lc.now()
	lc.mu.Lock()
	e := lc.entries[key]
	if e == nil || now.Sub(e.started) > liveTTL || e.started.Before(since) {
		e = &liveEntry{site: site, started: now, done: make(chan struct{})}
		lc.entries[key] = e
		lc.mu.Unlock()
		// Computed apart from the request that started it, so that a
		// client going away does not fail the others waiting on it.
		e.val, e.err = load(context.WithoutCancel(ctx))
		close(e.done)
		if e.err != nil {
			lc.drop(key, e)
		}
		return e.val, e.err
	}
	lc.mu.Unlock()
	select {
	case <-e.done:
		return e.val, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (lc *liveCache) drop(key string, e *liveEntry) {
	lc.mu.Lock()
	if lc.entries[key] == e {
		delete(lc.entries, key)
	}
	lc.mu.Unlock()
}

// invalidate drops the entries an event makes stale: its comment's item
// and its site's counts. Expired entries go too, so the map stays small.
func (lc *liveCache) invalidate(e parley.Event) {
	now := lc.now()
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for k, en := range lc.entries {
		if k == itemKey(e.SiteID, e.CommentID) || k == countsKey(e.SiteID) || now.Sub(en.started) > liveTTL {
			delete(lc.entries, k)
		}
	}
}

func itemKey(siteID, commentID string) string { return "item:" + siteID + ":" + commentID }
func countsKey(siteID string) string          { return "counts:" + siteID }
