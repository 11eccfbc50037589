package service

import (
	"context"

	"github.com/parley-comments/parley"
)

// ViewerComments returns the viewer's own comments on a story that fall in
// one page of its thread: the page asked for by in (its cursor and order)
// and ending at the public page's last comment, through ("" when the
// public page is the last). A signed-in reader's thread is the public page
// (the same for everyone, so cached) with these merged in: their pending,
// rejected and edited comments, which nobody else may see. Anonymous
// readers have none.
func (s *Service) ViewerComments(ctx context.Context, a Author, in ThreadInput, storyID, through string) ([]*parley.Comment, error) {
	if storyID == "" || (a.User == nil && a.GuestToken == "") {
		return nil, nil
	}
	q := parley.ThreadQuery{StoryID: storyID, Newest: in.Newest, Cursor: in.Cursor}
	if a.User != nil {
		q.ViewerUserID = a.User.ID
	} else {
		q.ViewerGuestTokenHash = HashSecret(a.GuestToken)
	}
	return s.store.ListViewerComments(ctx, q, through)
}
