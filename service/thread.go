package service

import (
	"context"

	"github.com/parley-comments/parley"
)

// Badge labels shown next to an author's name.
const (
	BadgeAuthor = "author" // one of the story's authors
	BadgeStaff  = "staff"  // an admin or moderator of the site
	// BadgeVerified marks a signed-in commenter who proved their email
	// address (an email link); staff and author badges take precedence.
	BadgeVerified = "verified"
)

// ThreadInput asks for one page of a story's public thread.
type ThreadInput struct {
	SiteID   string
	StoryURL string
	Newest   bool
	Cursor   string
	Limit    int
}

// ThreadPage is one page of a public thread. Comments holds approved
// comments plus the viewer's own in other states.
type ThreadPage struct {
	Site       *parley.Site
	Story      *parley.Story // nil when nobody has commented yet
	Comments   []*parley.Comment
	NextCursor string
	Count      int // approved comments on the story
	// Title is the story title readers may see: "" while it is only a
	// commenter's suggestion (see parley.Story.Locked).
	Title  string
	Badges map[string]string // author user ID -> badge
}

// Thread returns a page of a story's thread as the viewer may see it.
// Unknown sites are ENOTFOUND; an unknown story is an empty page.
func (s *Service) Thread(ctx context.Context, a Author, in ThreadInput) (*ThreadPage, error) {
	site, err := s.Site(ctx, in.SiteID)
	if err != nil {
		return nil, err
	}
	storyURL, err := normalizeStoryURL(in.StoryURL)
	if err != nil {
		return nil, err
	}
	page := &ThreadPage{Site: site, Badges: map[string]string{}}
	story, err := s.store.GetStoryByURL(ctx, site.ID, storyURL)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return page, nil
	}
	if err != nil {
		return nil, err
	}
	page.Story = story
	q := parley.ThreadQuery{StoryID: story.ID, Newest: in.Newest, Cursor: in.Cursor, Limit: in.Limit}
	if a.User != nil {
		q.ViewerUserID = a.User.ID
	}
	if a.GuestToken != "" {
		q.ViewerGuestTokenHash = HashSecret(a.GuestToken)
	}
	page.Comments, page.NextCursor, err = s.store.ListThread(ctx, q)
	if err != nil {
		return nil, err
	}
	if page.Count, err = s.store.CountApproved(ctx, story.ID); err != nil {
		return nil, err
	}
	if story.Locked || page.Count > 0 {
		page.Title = story.Title
	}
	members, err := s.store.ListSiteMembers(ctx, site.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if m.Role.CanModerate() {
			page.Badges[m.UserID] = BadgeStaff
		}
	}
	for _, id := range story.AuthorIDs {
		page.Badges[id] = BadgeAuthor
	}
	var others []string
	for _, c := range page.Comments {
		if c.AuthorUserID != "" && page.Badges[c.AuthorUserID] == "" {
			others = append(others, c.AuthorUserID)
		}
	}
	verified, err := s.store.VerifiedUsers(ctx, others)
	if err != nil {
		return nil, err
	}
	for id := range verified {
		page.Badges[id] = BadgeVerified
	}
	return page, nil
}

// StoryByURL returns a site's story for a story URL as the widget sends it.
// ENOTFOUND if nobody has commented on it yet.
func (s *Service) StoryByURL(ctx context.Context, siteID, rawURL string) (*parley.Story, error) {
	storyURL, err := normalizeStoryURL(rawURL)
	if err != nil {
		return nil, err
	}
	return s.store.GetStoryByURL(ctx, siteID, storyURL)
}

// IsOwn reports whether the viewer wrote c.
func IsOwn(a Author, c *parley.Comment) bool {
	if a.User != nil {
		return c.AuthorUserID == a.User.ID
	}
	return a.GuestToken != "" && c.GuestTokenHash != "" && c.GuestTokenHash == HashSecret(a.GuestToken)
}
