package sqlstore

import (
	"context"
	"strings"

	"github.com/parley-comments/parley"
)

// ListViewerComments returns the viewer's own comments on a story within a
// page of the thread (see parley.ViewerCommentStore).
func (c *conn) ListViewerComments(ctx context.Context, q parley.ThreadQuery, through string) ([]*parley.Comment, error) {
	kind, cmp, order, upTo := "thread-asc", ">", "ASC", "<="
	if q.Newest {
		kind, cmp, order, upTo = "thread-desc", "<", "DESC", ">="
	}
	var who []string
	args := []any{q.StoryID}
	if q.ViewerUserID != "" {
		// "<> ''" lets SQLite use the partial index comments_thread_user.
		who = append(who, `(author_user_id = ? AND author_user_id <> '')`)
		args = append(args, q.ViewerUserID)
	}
	if q.ViewerGuestTokenHash != "" {
		who = append(who, `(guest_token_hash = ? AND guest_token_hash <> '')`)
		args = append(args, q.ViewerGuestTokenHash)
	}
	if len(who) == 0 {
		return nil, nil
	}
	sqlq := `SELECT ` + commentCols + ` FROM comments WHERE story_id = ? AND (` + strings.Join(who, " OR ") + `)`
	if q.Cursor != "" {
		k, err := decodeCursor(q.Cursor, kind)
		if err != nil {
			return nil, err
		}
		sqlq += ` AND id ` + cmp + ` ?`
		args = append(args, k.ID)
	}
	if through != "" {
		sqlq += ` AND id ` + upTo + ` ?`
		args = append(args, through)
	}
	sqlq += ` ORDER BY id ` + order + ` LIMIT 500`
	return c.listComments(ctx, sqlq, args...)
}
