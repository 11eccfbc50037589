package service

// This file holds the few read-only queries the moderator dashboard (package
// modui) needs beyond the JSON API's: which sites a user moderates, a
// moderator's view of a site, the campaign (cluster) list, and story
// settings with their authors. It uses only parley.Store and the same
// permission checks as the rest of the service.

import (
	"context"
	"sort"

	"github.com/parley-comments/parley"
)

// ModeratedSite is a site the user moderates, with their role on it.
type ModeratedSite struct {
	Site *parley.Site
	Role parley.Role
}

// ModeratedSites returns the sites where actor is a moderator or an admin,
// sorted by name. EUNAUTHORIZED without a user; an empty list for anyone
// else.
func (s *Service) ModeratedSites(ctx context.Context, actor *parley.User) ([]ModeratedSite, error) {
	if actor == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	ms, err := s.store.ListMemberships(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	out := []ModeratedSite{}
	for _, m := range ms {
		if !m.Role.CanModerate() {
			continue
		}
		site, err := s.store.GetSite(ctx, m.SiteID)
		if parley.IsCode(err, parley.ENOTFOUND) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ModeratedSite{Site: site, Role: m.Role})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Site.Name < out[j].Site.Name })
	return out, nil
}

// ModeratorSite returns a site and actor's role on it if actor moderates
// it: EUNAUTHORIZED without a user, EFORBIDDEN for everyone else, including
// for unknown sites (so that site IDs cannot be probed).
func (s *Service) ModeratorSite(ctx context.Context, actor *parley.User, siteID string) (*parley.Site, parley.Role, error) {
	sc, err := s.ModeratorScope(ctx, actor, siteID)
	if err != nil {
		return nil, "", err
	}
	return sc.site, sc.role, nil
}

// Campaign is a duplicate cluster with pending comments.
type Campaign struct {
	ClusterID string
	Pending   int             // pending comments in the cluster
	Authors   int             // distinct authors among them
	Stories   int             // distinct stories among them
	Sample    *parley.Comment // the oldest pending comment
	Newest    *parley.Comment // the newest pending comment
}

// maxCampaignScan bounds how many pending comments Campaigns reads.
const maxCampaignScan = 10000

// Campaigns groups a site's pending comments by duplicate cluster, largest
// first. It reads at most 10,000 pending comments. Moderators only.
func (s *Service) Campaigns(ctx context.Context, actor *parley.User, siteID string) ([]*Campaign, error) {
	if err := s.requireModerator(ctx, actor, siteID); err != nil {
		return nil, err
	}
	byID := map[string]*Campaign{}
	authors := map[string]map[string]bool{}
	stories := map[string]map[string]bool{}
	f := parley.QueueFilter{SiteID: siteID, Status: parley.StatusPending, Sort: parley.SortOldest, Limit: 500}
	for n := 0; n < maxCampaignScan; {
		page, next, err := s.store.ListQueue(ctx, f)
		if err != nil {
			return nil, err
		}
		n += len(page)
		for _, c := range page {
			if c.ClusterID == "" || c.Status != parley.StatusPending {
				continue
			}
			cp := byID[c.ClusterID]
			if cp == nil {
				cp = &Campaign{ClusterID: c.ClusterID, Sample: c}
				byID[c.ClusterID] = cp
				authors[c.ClusterID] = map[string]bool{}
				stories[c.ClusterID] = map[string]bool{}
			}
			cp.Pending++
			cp.Newest = c
			authors[c.ClusterID][c.AuthorKey] = true
			stories[c.ClusterID][c.StoryID] = true
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	out := make([]*Campaign, 0, len(byID))
	for id, cp := range byID {
		cp.Authors, cp.Stories = len(authors[id]), len(stories[id])
		out = append(out, cp)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Pending != out[j].Pending {
			return out[i].Pending > out[j].Pending
		}
		return out[i].ClusterID < out[j].ClusterID
	})
	return out, nil
}

// ModeratorStories returns a page of a site's stories. Moderators only.
func (s *Service) ModeratorStories(ctx context.Context, actor *parley.User, siteID, cursor string, limit int) ([]*parley.Story, string, error) {
	if err := s.requireModerator(ctx, actor, siteID); err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	return s.store.ListStories(ctx, siteID, cursor, limit)
}

// StoryAuthor is one of a story's authors as moderators see them.
type StoryAuthor struct {
	UserID string
	Name   string
	Email  string
}

// ModeratorStory returns a story and its authors for a moderator of its
// site. ENOTFOUND for an unknown story, EFORBIDDEN for non-moderators.
func (s *Service) ModeratorStory(ctx context.Context, actor *parley.User, storyID string) (*parley.Story, []StoryAuthor, error) {
	st, err := s.store.GetStory(ctx, storyID)
	if err != nil {
		return nil, nil, notFoundAs(err, "Story not found.")
	}
	if err := s.requireModerator(ctx, actor, st.SiteID); err != nil {
		return nil, nil, err
	}
	authors := []StoryAuthor{}
	for _, id := range st.AuthorIDs {
		u, err := s.store.GetUser(ctx, id)
		if parley.IsCode(err, parley.ENOTFOUND) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		authors = append(authors, StoryAuthor{UserID: u.ID, Name: u.Name, Email: u.Email})
	}
	return st, authors, nil
}

// AuthorEmail returns the email of a comment's account author for a
// moderator of the comment's site ("" for guests, whose email is on the
// comment). EFORBIDDEN for non-moderators.
func (s *Service) AuthorEmail(ctx context.Context, actor *parley.User, c *parley.Comment) (string, error) {
	if err := s.requireModerator(ctx, actor, c.SiteID); err != nil {
		return "", err
	}
	if c.AuthorUserID == "" {
		return c.GuestEmail, nil
	}
	u, err := s.store.GetUser(ctx, c.AuthorUserID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// QueueItem returns one comment with what a moderator needs to decide on
// it (story, parent, author history and sanctions, cluster size, author
// role), like one item of Queue. ENOTFOUND for an unknown comment,
// EFORBIDDEN for non-moderators of its site.
func (s *Service) QueueItem(ctx context.Context, actor *parley.User, id string) (*QueueItem, error) {
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "Comment not found.")
	}
	if err := s.requireModerator(ctx, actor, c.SiteID); err != nil {
		return nil, err
	}
	return s.newItemLoader().item(ctx, c)
}
