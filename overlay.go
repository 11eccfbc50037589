package parley

import "context"

// ViewerCommentStore reads one reader's own comments on a story, which a
// signed-in reader sees merged over the public (cached) thread: their
// pending, rejected and edited comments that nobody else sees.
type ViewerCommentStore interface {
	// ListViewerComments returns the comments on q.StoryID written by the
	// viewer (q.ViewerUserID or q.ViewerGuestTokenHash; none if both are
	// empty), in any status, in the thread's order (q.Newest), after
	// q.Cursor and, when through is not "", up to and including the comment
	// with ID through. At most 500.
	ListViewerComments(ctx context.Context, q ThreadQuery, through string) ([]*Comment, error)
}
