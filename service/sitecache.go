package service

import (
	"context"
	"sync"
	"time"

	"github.com/parley-comments/parley"
)

// DefaultSiteCacheTTL is the site cache's TTL in production.
const DefaultSiteCacheTTL = 2 * time.Second

// maxCachedSites bounds the site cache; past it, it starts over.
const maxCachedSites = 10000

// siteCache remembers, for Options.SiteCacheTTL, the sites new comments
// are posted to and their classifier adapters' states: both were read on
// every post (two statements of a dozen). Only the post path reads it, and
// only reads what it hands out. A site or adapter changed through this
// instance's service is forgotten once the change commits, and a look-up
// that began before a forget is not kept; one changed on another instance,
// or in the store directly, is seen here within the TTL (docs/scaling.md).
type siteCache struct {
	ttl      time.Duration // 0: off
	mu       sync.Mutex
	gen      uint64 // counts forgets
	sites    map[string]cachedSite
	adapters map[string]cachedAdapter
}

type cachedSite struct {
	site parley.Site
	at   time.Time
}

type cachedAdapter struct {
	state []byte // nil: the site has no adapter state yet
	at    time.Time
}

func (c *siteCache) fresh(at, now time.Time) bool {
	return now.Sub(at) < c.ttl && !now.Before(at)
}

// forget drops what is remembered about a site: after its settings,
// origins or adapter change.
func (c *siteCache) forget(siteID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.sites, siteID)
	delete(c.adapters, siteID)
}

// forgetAdapter drops a site's remembered adapter state: after a decision
// teaches it.
func (c *siteCache) forgetAdapter(siteID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.adapters, siteID)
}

// keep remembers e under key in *m, unless something was forgotten since
// the look-up began at gen (it may have read what was forgotten).
func keep[T any](c *siteCache, m *map[string]T, key string, e T, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if *m == nil || len(*m) >= maxCachedSites {
		*m = map[string]T{}
	}
	(*m)[key] = e
}

// postSite returns the site a comment is posted to, from the cache when
// fresh. The caller must not change it.
func (s *Service) postSite(ctx context.Context, id string) (*parley.Site, error) {
	c, now := &s.siteCache, s.clock.Now()
	if c.ttl <= 0 {
		return s.store.GetSite(ctx, id)
	}
	c.mu.Lock()
	e, ok := c.sites[id]
	gen := c.gen
	c.mu.Unlock()
	if ok && c.fresh(e.at, now) {
		return &e.site, nil
	}
	site, err := s.store.GetSite(ctx, id)
	if err != nil {
		return nil, err
	}
	keep(c, &c.sites, id, cachedSite{site: *site, at: now}, gen)
	return site, nil
}

// adapterState returns a site's adapter state for scoring a post (nil when
// it has none), from the cache when fresh.
func (s *Service) adapterState(ctx context.Context, siteID string) ([]byte, error) {
	c, now := &s.siteCache, s.clock.Now()
	var gen uint64
	if c.ttl > 0 {
		c.mu.Lock()
		e, ok := c.adapters[siteID]
		gen = c.gen
		c.mu.Unlock()
		if ok && c.fresh(e.at, now) {
			return e.state, nil
		}
	}
	state, err := s.store.GetSiteAdapter(ctx, siteID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		state, err = nil, nil
	}
	if err != nil || c.ttl <= 0 {
		return state, err
	}
	keep(c, &c.adapters, siteID, cachedAdapter{state: state, at: now}, gen)
	return state, nil
}
