package service

import (
	"context"
	"sync"
	"time"

	"github.com/parley-comments/parley"
)

// maxCachedSessions bounds the session cache; past it, it starts over.
const maxCachedSessions = 10000

// sessionCache remembers session look-ups (and the signed-in reader's role
// on the sites they read) for Options.SessionCacheTTL, so that a reader's
// requests in quick succession (the thread, its count, its live updates)
// cost one database read, not one each. Expiry is still checked on every
// use. Signing out, revoking sessions, changing or erasing a user on this
// instance empties it at once; on other instances a revoked session keeps
// working until its entry is older than the TTL.
type sessionCache struct {
	ttl   time.Duration // 0: off
	mu    sync.Mutex
	m     map[string]*cachedSession // by the secret's hash
	roles map[string]cachedRole     // by user and site
}

type cachedSession struct {
	user parley.User
	sess parley.Session
	at   time.Time
}

type cachedRole struct {
	role parley.Role
	at   time.Time
}

func (c *sessionCache) get(hash string, now time.Time) (*cachedSession, bool) {
	if c.ttl <= 0 {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.Sub(e.at) >= c.ttl || now.Before(e.at) {
		return nil, false
	}
	return e, true
}

func (c *sessionCache) put(hash string, u *parley.User, sess *parley.Session, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedSessions {
		c.m = map[string]*cachedSession{}
	}
	c.m[hash] = &cachedSession{user: *u, sess: *sess, at: now}
}

// clear forgets every session: after anything that may end a session or
// change a user.
func (c *sessionCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.roles = nil, nil
}

func (c *sessionCache) role(key string, now time.Time) (parley.Role, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.roles[key]
	if !ok || now.Sub(e.at) >= c.ttl || now.Before(e.at) {
		return "", false
	}
	return e.role, true
}

func (c *sessionCache) putRole(key string, r parley.Role, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.roles == nil || len(c.roles) >= maxCachedSessions {
		c.roles = map[string]cachedRole{}
	}
	c.roles[key] = cachedRole{role: r, at: now}
}

// sessionUser is SessionUser's look-up, through the cache.
func (s *Service) sessionUser(ctx context.Context, hash string) (*parley.User, *parley.Session, error) {
	now := s.clock.Now()
	if e, ok := s.sessions.get(hash, now); ok {
		u, sess := e.user, e.sess // copies: callers may change them
		return &u, &sess, nil
	}
	sess, u, err := s.store.GetSessionUser(ctx, hash)
	if err != nil {
		return nil, nil, err
	}
	s.sessions.put(hash, u, sess, now)
	return u, sess, nil
}

// ViewerRole is the role shown to a signed-in reader of a site's thread
// (the thread's viewer.role): Role, remembered for the session cache's TTL.
// It decides nothing; permission checks use Role.
func (s *Service) ViewerRole(ctx context.Context, user *parley.User, siteID string) (parley.Role, error) {
	if user == nil || s.sessions.ttl <= 0 {
		return s.Role(ctx, user, siteID)
	}
	key, now := user.ID+"\x00"+siteID, s.clock.Now()
	if r, ok := s.sessions.role(key, now); ok {
		return r, nil
	}
	r, err := s.Role(ctx, user, siteID)
	if err == nil {
		s.sessions.putRole(key, r, now)
	}
	return r, err
}
