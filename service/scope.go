package service

import (
	"context"

	"github.com/parley-comments/parley"
)

// SiteScope is a moderator's standing on one site, checked once per
// request by ModeratorScope. Its fields are unexported, so only the service
// makes one; the dashboard passes it back to act on that site without the
// role being read again.
type SiteScope struct {
	user *parley.User
	site *parley.Site
	role parley.Role
}

// User is the moderator.
func (sc *SiteScope) User() *parley.User { return sc.user }

// Site is the site they moderate.
func (sc *SiteScope) Site() *parley.Site { return sc.site }

// Role is their role on it (moderator or admin).
func (sc *SiteScope) Role() parley.Role { return sc.role }

// ModeratorScope checks that actor moderates siteID (one role read, one
// site read): EUNAUTHORIZED without a user, EFORBIDDEN for everyone else,
// including for unknown sites, so that site IDs cannot be probed.
func (s *Service) ModeratorScope(ctx context.Context, actor *parley.User, siteID string) (*SiteScope, error) {
	if actor == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	r, err := s.Role(ctx, actor, siteID)
	if err != nil {
		return nil, err
	}
	if !r.CanModerate() {
		return nil, parley.Errorf(parley.EFORBIDDEN, "You are not a moderator of this site.")
	}
	site, err := s.store.GetSite(ctx, siteID)
	if err != nil {
		return nil, notFoundAs(err, "Unknown site.")
	}
	return &SiteScope{user: actor, site: site, role: r}, nil
}

// DecideIn applies a decision to a comment of the scope's site in one
// transaction (see Decide for the errors). A comment of another site is
// ENOTFOUND.
func (s *Service) DecideIn(ctx context.Context, sc *SiteScope, id string, d Decision) (*parley.Comment, error) {
	return s.decideOn(ctx, sc.user, sc.site.ID, id, d)
}

// QueueCounts returns the scope's site's queue counts by tab, from one
// counting query. The keys are the statuses plus parley.CountReported.
func (s *Service) QueueCounts(ctx context.Context, sc *SiteScope) (map[parley.Status]int, error) {
	return s.store.CountQueue(ctx, sc.site.ID)
}

// InQueue reports whether c belongs in the moderation queue view f. It is
// the rule the store's ListQueue applies in SQL, for checking a single
// comment (a live update) without a query: the pending view holds pending
// comments and approved ones with an edit awaiting review; the reported
// view (Reported with no status) holds reported comments that are approved
// or pending; every other view holds the comments with that status, so an
// approved comment with a pending edit is in both the pending and the
// approved view.
func InQueue(f parley.QueueFilter, c *parley.Comment) bool {
	if c.SiteID != f.SiteID {
		return false
	}
	switch {
	case f.Reported && f.Status == "":
		// The Reported queue: published comments, and those hidden after
		// reports (pending again) until a moderator decides.
		if c.Status != parley.StatusApproved && c.Status != parley.StatusPending {
			return false
		}
	case f.Status == "" || f.Status == parley.StatusPending:
		if c.Status != parley.StatusPending && !(c.Status == parley.StatusApproved && c.EditPending) {
			return false
		}
	default:
		if c.Status != f.Status {
			return false
		}
	}
	if f.Reported && c.ReportCount == 0 {
		return false
	}
	if f.StoryID != "" && c.StoryID != f.StoryID || f.Language != "" && c.Language != f.Language ||
		f.AuthorKey != "" && c.AuthorKey != f.AuthorKey || f.ClusterID != "" && c.ClusterID != f.ClusterID {
		return false
	}
	if f.Label != "" {
		min := f.MinScore
		if min == 0 {
			min = 0.5
		}
		if c.Scores[f.Label] < min {
			return false
		}
	}
	return true
}
