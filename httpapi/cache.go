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

// threadCache holds the public page of each thread request: its JSON for
// anonymous readers, and its parts for signed-in readers, whose own
// comments are merged in at response time (publicPage.withViewer). Entries
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
	page *publicPage
	at   time.Time
}

// publicPage is one page of a thread as anyone may see it.
type publicPage struct {
	body     []byte         // the anonymous answer
	resp     map[string]any // its fields
	rest     []byte         // its fields but comments and viewer, encoded
	comments []publicComment
	raw      [][]byte // each comment, encoded
	badges   map[string]string
	siteID   string
	storyID  string // "" when the story did not exist
	last     string // the last comment's ID when a next page exists, else ""

	// overlays remembers signed-in readers' own comments on this page (see
	// Server.viewerComments), by reader. They change only with an event
	// on the story, which drops the page and them with it.
	mu       sync.Mutex
	overlays map[string][]*parley.Comment
}

// maxOverlays bounds how many readers' overlays a page remembers.
const maxOverlays = 256

func (p *publicPage) overlay(viewer string) ([]*parley.Comment, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	own, ok := p.overlays[viewer]
	return own, ok
}

func (p *publicPage) rememberOverlay(viewer string, own []*parley.Comment) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.overlays == nil || len(p.overlays) >= maxOverlays {
		p.overlays = map[string][]*parley.Comment{}
	}
	p.overlays[viewer] = own
}

func newThreadCache(now func() time.Time) *threadCache {
	return &threadCache{entries: map[string]cacheEntry{}, now: now}
}

func (c *threadCache) get(key string) (*publicPage, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if c.now().Sub(e.at) > threadCacheTTL {
		c.bytes -= e.page.size()
		delete(c.entries, key)
		return nil, false
	}
	return e.page, true
}

// size is about what a page holds in memory: its JSON twice over (the
// encoded answer, its parts, and each comment encoded).
func (p *publicPage) size() int { return 3 * len(p.body) }

func (c *threadCache) put(key string, p *publicPage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes -= old.page.size()
	}
	if c.bytes+p.size() > threadCacheBytes {
		c.entries, c.bytes = map[string]cacheEntry{}, 0
	}
	c.entries[key] = cacheEntry{page: p, at: c.now()}
	c.bytes += p.size()
}

// invalidate drops every entry an event may have changed: the story's, the
// site's entries for stories that did not exist yet, and all of the site's
// on a site-wide event.
func (c *threadCache) invalidate(e parley.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, v := range c.entries {
		if p := v.page; p.siteID == e.SiteID && (e.StoryID == "" || p.storyID == e.StoryID || p.storyID == "") {
			c.bytes -= p.size()
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
