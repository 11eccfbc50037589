package service

import (
	"context"

	"github.com/parley-comments/parley"
)

// itemLoader builds queue items, reading each story, author history,
// sanction list, cluster size and account once however many items share
// them.
type itemLoader struct {
	s         *Service
	stories   map[string]*parley.Story
	histories map[string]map[parley.Status]int
	sanctions map[string][]*parley.Sanction
	clusters  map[string]int
	users     map[string]*parley.User
}

func (s *Service) newItemLoader() *itemLoader {
	return &itemLoader{s: s, stories: map[string]*parley.Story{}, histories: map[string]map[parley.Status]int{},
		sanctions: map[string][]*parley.Sanction{}, clusters: map[string]int{}, users: map[string]*parley.User{}}
}

// item returns c with what a moderator needs to decide on it.
func (l *itemLoader) item(ctx context.Context, c *parley.Comment) (*QueueItem, error) {
	st := l.s.store
	it := &QueueItem{Comment: c, AuthorEmail: c.GuestEmail}
	var err error
	if it.Story = l.stories[c.StoryID]; it.Story == nil {
		if it.Story, err = st.GetStory(ctx, c.StoryID); err != nil {
			return nil, err
		}
		l.stories[c.StoryID] = it.Story
	}
	if c.ParentID != "" {
		if p, err := st.GetComment(ctx, c.ParentID); err == nil {
			it.Parent = p
		}
	}
	var ok bool
	if it.History, ok = l.histories[c.AuthorKey]; !ok {
		if it.History, err = st.AuthorHistory(ctx, c.SiteID, c.AuthorKey); err != nil {
			return nil, err
		}
		l.histories[c.AuthorKey] = it.History
	}
	if it.Sanctions, ok = l.sanctions[c.AuthorKey]; !ok {
		if it.Sanctions, err = st.ListSanctions(ctx, c.SiteID, c.AuthorKey); err != nil {
			return nil, err
		}
		l.sanctions[c.AuthorKey] = it.Sanctions
	}
	if c.ClusterID != "" {
		if it.ClusterSize, ok = l.clusters[c.ClusterID]; !ok {
			if it.ClusterSize, err = l.s.clusterSize(ctx, c.SiteID, c.ClusterID); err != nil {
				return nil, err
			}
			l.clusters[c.ClusterID] = it.ClusterSize
		}
	}
	if c.AuthorUserID != "" {
		if r, err := st.GetRole(ctx, c.SiteID, c.AuthorUserID); err == nil {
			it.Role = r
		}
		u, ok := l.users[c.AuthorUserID]
		if !ok {
			u, err = st.GetUser(ctx, c.AuthorUserID)
			if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
				return nil, err
			}
			l.users[c.AuthorUserID] = u
		}
		it.AuthorEmail = ""
		if u != nil {
			it.AuthorEmail = u.Email
		}
	}
	if c.ReportCount > 0 {
		if it.Reports, err = l.s.openReports(ctx, c); err != nil {
			return nil, err
		}
	}
	return it, nil
}

// QueueItemIn is QueueItem for a comment of the scope's site: ENOTFOUND
// for a comment of another site.
func (s *Service) QueueItemIn(ctx context.Context, sc *SiteScope, id string) (*QueueItem, error) {
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "Comment not found.")
	}
	if c.SiteID != sc.site.ID {
		return nil, parley.Errorf(parley.ENOTFOUND, "Comment not found.")
	}
	return s.newItemLoader().item(ctx, c)
}
