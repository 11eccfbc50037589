package service

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/parley-comments/parley"
)

// originTTL is how long the set of allowed cross-origin callers is reused
// before it is read again. A site created through this instance is seen at
// once; one created through another instance (or the CLI) within originTTL.
const originTTL = 30 * time.Second

// originCache holds the union of every site's origins.
type originCache struct {
	mu      sync.Mutex
	origins map[string]bool
	at      time.Time
}

// OriginAllowed reports whether any site lists origin, so that the public
// API may answer a browser calling from it. The site named in the request is
// checked again by the use case itself.
func (s *Service) OriginAllowed(ctx context.Context, origin string) (bool, error) {
	origin = strings.ToLower(origin)
	c := &s.origins
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.clock.Now()
	if c.origins == nil || now.Sub(c.at) >= originTTL || now.Before(c.at) {
		sites, err := s.store.ListSites(ctx)
		if err != nil {
			return false, err
		}
		set := map[string]bool{}
		for _, site := range sites {
			for _, o := range site.Origins {
				set[strings.ToLower(o)] = true
			}
		}
		c.origins, c.at = set, now
	}
	return c.origins[origin], nil
}

// forgetOrigins drops the cached origin set after a site change.
func (s *Service) forgetOrigins() {
	s.origins.mu.Lock()
	s.origins.origins = nil
	s.origins.mu.Unlock()
}

// Memberships lists the user's roles, site by site.
func (s *Service) Memberships(ctx context.Context, user *parley.User) ([]parley.Membership, error) {
	if user == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Not logged in.")
	}
	return s.store.ListMemberships(ctx, user.ID)
}

// CommentDetail is a comment as its moderators see it: every revision and
// every report.
type CommentDetail struct {
	Comment   *parley.Comment
	Revisions []*parley.Revision
	Reports   []*parley.Report
}

// CommentDetail returns a comment with its revisions and reports.
// Moderators of the comment's site only.
func (s *Service) CommentDetail(ctx context.Context, actor *parley.User, id string) (*CommentDetail, error) {
	c, err := s.Comment(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	d := &CommentDetail{Comment: c}
	if d.Revisions, err = s.commentRevisions(ctx, c); err != nil {
		return nil, err
	}
	if d.Reports, err = s.store.ListReports(ctx, c.ID); err != nil {
		return nil, err
	}
	if d.Reports == nil {
		d.Reports = []*parley.Report{}
	}
	return d, nil
}
