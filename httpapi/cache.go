package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/parley-comments/parley"
)

// Thread cache limits.
const (
	// threadCacheTTL bounds how stale a cached thread can be if an event
	// is lost (events are hints; a PostgreSQL LISTEN reconnect can drop
	// some).
	threadCacheTTL = 30 * time.Second
	// threadCacheBytes bounds the cache's memory; past it the cache starts
	// over.
	threadCacheBytes = 32 << 20
)

// threadCache holds the public JSON of anonymous thread requests. Entries
// are dropped when anything on their story (or, for a story that did not
// exist yet, their site) changes: synchronously for changes made through
// this instance, and through the event bus for changes made on others.
type threadCache struct {
	mu      sync.Mutex
	entries map[string]cacheEntry
	bytes   int
	now     func() time.Time
}

type cacheEntry struct {
	body    []byte
	siteID  string
	storyID string // "" when the story did not exist
	at      time.Time
}

func newThreadCache(now func() time.Time) *threadCache {
	return &threadCache{entries: map[string]cacheEntry{}, now: now}
}

func (c *threadCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if c.now().Sub(e.at) > threadCacheTTL {
		c.bytes -= len(e.body)
		delete(c.entries, key)
		return nil, false
	}
	return e.body, true
}

func (c *threadCache) put(key, siteID, storyID string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(old.body)
	}
	if c.bytes+len(body) > threadCacheBytes {
		c.entries, c.bytes = map[string]cacheEntry{}, 0
	}
	c.entries[key] = cacheEntry{body: body, siteID: siteID, storyID: storyID, at: c.now()}
	c.bytes += len(body)
}

// invalidate drops every entry an event may have changed: the story's, the
// site's entries for stories that did not exist yet, and all of the site's
// on a site-wide event.
func (c *threadCache) invalidate(e parley.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.entries {
		if v.siteID == e.SiteID && (e.StoryID == "" || v.storyID == e.StoryID || v.storyID == "") {
			c.bytes -= len(v.body)
			delete(c.entries, k)
		}
	}
}

// follow invalidates entries for events from other instances until ctx ends.
func (c *threadCache) follow(ctx context.Context, bus parley.EventBus) {
	for e := range bus.Subscribe(ctx) {
		c.invalidate(e)
	}
}
