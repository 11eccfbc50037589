package service

import (
	"context"
	"strings"

	"github.com/parley-comments/parley"
)

// Badge labels shown next to an author's name.
const (
	BadgeAuthor = "author" // one of the story's authors
	BadgeStaff  = "staff"  // an admin or moderator of the site
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
	Count      int               // approved comments on the story
	Badges     map[string]string // author user ID -> badge
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

// Edit changes a comment's text within the site's edit window. Only its
// author may edit. An approved comment keeps its public text until a
// moderator approves the edit; the edit goes back to the queue.
func (s *Service) Edit(ctx context.Context, a Author, id, body string) (*parley.Comment, error) {
	if err := validateBody(body); err != nil {
		return nil, err
	}
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "Comment not found.")
	}
	if !IsOwn(a, c) {
		// Do not reveal that someone else's pending comment exists.
		return nil, parley.Errorf(parley.ENOTFOUND, "Comment not found.")
	}
	site, err := s.Site(ctx, c.SiteID)
	if err != nil {
		return nil, err
	}
	if err := checkOrigin(site, a); err != nil {
		return nil, err
	}
	now := s.now()
	if now.Sub(c.CreatedAt) > site.Settings.WithDefaults().EditWindow.Std() {
		return nil, parley.Errorf(parley.EINVALID, "The time to edit this comment is over.")
	}
	if c.Status == parley.StatusRejected || c.Status == parley.StatusSpam {
		return nil, parley.Errorf(parley.EINVALID, "A comment that was not approved cannot be edited.")
	}
	if strings.TrimSpace(body) == strings.TrimSpace(c.Body) && !c.EditPending {
		return c, nil
	}
	html := s.renderer.HTML(body)
	scored := &parley.Comment{SiteID: c.SiteID, SpamSignals: append([]parley.SpamSignal(nil), c.SpamSignals...)}
	s.classify(ctx, scored, body)
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		cur, err := tx.GetComment(ctx, id)
		if err != nil {
			return err
		}
		from := cur.Status
		if cur.Status == parley.StatusApproved {
			cur.EditPending = true
			cur.PendingBody, cur.PendingHTML = body, html
		} else {
			cur.Body, cur.HTML = body, html
		}
		cur.Language, cur.Scores, cur.Evidence = scored.Language, scored.Scores, scored.Evidence
		cur.SuggestedReason, cur.Risk, cur.SpamSignals = scored.SuggestedReason, scored.Risk, scored.SpamSignals
		cur.NormHash = normHash(body)
		cur.EditedAt, cur.UpdatedAt = now, now
		if err := tx.UpdateComment(ctx, cur); err != nil {
			return err
		}
		if err := tx.AddRevision(ctx, &parley.Revision{ID: parley.NewID(now), CommentID: cur.ID, Body: body, HTML: html, CreatedAt: now}); err != nil {
			return err
		}
		c = cur
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: cur.SiteID, CommentID: cur.ID,
			ActorID: cur.AuthorKey, ActorName: cur.AuthorName, Action: "edit", From: from, To: cur.Status,
			Note: "Edited by its author; back in the queue.", Scores: cur.Scores, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, parley.Event{Type: parley.EventCommentUpdated, SiteID: c.SiteID, StoryID: c.StoryID, CommentID: c.ID, Status: c.Status, At: now})
	return c, nil
}
