package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// commentCols is the SELECT list for comments; scanComment reads it.
const commentCols = `id, site_id, story_id, parent_id, status, body, html, edit_pending, pending_body, pending_html,
	author_user_id, author_name, guest_email, guest_token_hash, client_ip, author_key,
	reason, moderator_note, moderated_by, moderated_at,
	language, scores, evidence, suggested_reason, risk,
	norm_hash, resubmits, last_resubmit_at, cluster_id, spam_signals, compose_ms,
	created_at, updated_at, edited_at, version, report_count`

// queueStatus is the status the moderation queue sees: approved comments
// with an edit pending are back in the queue as pending.
func queueStatus(c *parley.Comment) string {
	if c.Status == parley.StatusApproved && c.EditPending {
		return string(parley.StatusPending)
	}
	return string(c.Status)
}

// commentJSON holds a comment's JSON-encoded columns.
type commentJSON struct{ scores, evidence, signals string }

func encodeCommentJSON(c *parley.Comment) (commentJSON, error) {
	var j commentJSON
	var err error
	if j.scores, err = marshalJSON(c.Scores); err != nil {
		return j, err
	}
	if j.evidence, err = marshalJSON(c.Evidence); err != nil {
		return j, err
	}
	j.signals, err = marshalJSON(c.SpamSignals)
	return j, err
}

// CreateComment inserts a comment. ECONFLICT if the ID exists; ENOTFOUND
// if its site or story does not.
func (c *conn) CreateComment(ctx context.Context, cm *parley.Comment) error {
	j, err := encodeCommentJSON(cm)
	if err != nil {
		return err
	}
	d := c.d
	return c.insertNew(ctx, "Comment", `INSERT INTO comments (id, site_id, story_id, parent_id, status, queue_status, body, html,
		edit_pending, pending_body, pending_html, author_user_id, author_name, guest_email, guest_token_hash, client_ip, author_key,
		reason, moderator_note, moderated_by, moderated_at, language, scores, evidence, suggested_reason, risk,
		norm_hash, resubmits, last_resubmit_at, cluster_id, spam_signals, compose_ms, created_at, updated_at, edited_at, version, report_count)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		cm.ID, cm.SiteID, cm.StoryID, cm.ParentID, string(cm.Status), queueStatus(cm), cm.Body, cm.HTML,
		cm.EditPending, cm.PendingBody, cm.PendingHTML, cm.AuthorUserID, cm.AuthorName, cm.GuestEmail, cm.GuestTokenHash, cm.ClientIP, cm.AuthorKey,
		string(cm.Reason), cm.ModeratorNote, cm.ModeratedBy, d.nullTimeArg(cm.ModeratedAt), cm.Language, j.scores, j.evidence, string(cm.SuggestedReason), cm.Risk,
		cm.NormHash, cm.Resubmits, d.nullTimeArg(cm.LastResubmit), cm.ClusterID, j.signals, cm.ComposeMillis,
		d.timeArg(cm.CreatedAt), d.timeArg(cm.UpdatedAt), d.nullTimeArg(cm.EditedAt), cm.Version, cm.ReportCount)
}

func scanComment(sc interface{ Scan(...any) error }) (*parley.Comment, error) {
	var c parley.Comment
	var status, reason, suggested string
	var scores, evidence, signals string
	err := sc.Scan(&c.ID, &c.SiteID, &c.StoryID, &c.ParentID, &status, &c.Body, &c.HTML, &c.EditPending, &c.PendingBody, &c.PendingHTML,
		&c.AuthorUserID, &c.AuthorName, &c.GuestEmail, &c.GuestTokenHash, &c.ClientIP, &c.AuthorKey,
		&reason, &c.ModeratorNote, &c.ModeratedBy, timeCol{&c.ModeratedAt},
		&c.Language, &scores, &evidence, &suggested, &c.Risk,
		&c.NormHash, &c.Resubmits, timeCol{&c.LastResubmit}, &c.ClusterID, &signals, &c.ComposeMillis,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}, timeCol{&c.EditedAt}, &c.Version, &c.ReportCount)
	if err != nil {
		return nil, err
	}
	c.Status, c.Reason, c.SuggestedReason = parley.Status(status), parley.Reason(reason), parley.Reason(suggested)
	if err := unmarshalJSON(scores, &c.Scores); err != nil {
		return nil, err
	}
	if err := unmarshalJSON(evidence, &c.Evidence); err != nil {
		return nil, err
	}
	if err := unmarshalJSON(signals, &c.SpamSignals); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *conn) listComments(ctx context.Context, query string, args ...any) ([]*parley.Comment, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err, "Comment")
	}
	defer rows.Close()
	var out []*parley.Comment
	for rows.Next() {
		cm, err := scanComment(rows)
		if err != nil {
			return nil, translate(err, "Comment")
		}
		out = append(out, cm)
	}
	return out, translate(rows.Err(), "Comment")
}

// GetComment returns a comment. ENOTFOUND if missing.
func (c *conn) GetComment(ctx context.Context, id string) (*parley.Comment, error) {
	cm, err := scanComment(c.queryRow(ctx, `SELECT `+commentCols+` FROM comments WHERE id = ?`, id))
	return cm, translate(err, "Comment")
}

// UpdateComment writes every field of c except ID, SiteID, StoryID,
// ParentID and CreatedAt, if the stored version equals c.Version, and then
// increments c.Version. ECONFLICT if another writer got there first,
// ENOTFOUND if the comment does not exist.
func (c *conn) UpdateComment(ctx context.Context, cm *parley.Comment) error {
	j, err := encodeCommentJSON(cm)
	if err != nil {
		return err
	}
	d := c.d
	res, err := c.exec(ctx, `UPDATE comments SET status = ?, queue_status = ?, body = ?, html = ?,
		edit_pending = ?, pending_body = ?, pending_html = ?, author_user_id = ?, author_name = ?, guest_email = ?,
		guest_token_hash = ?, client_ip = ?, author_key = ?, reason = ?, moderator_note = ?, moderated_by = ?, moderated_at = ?,
		language = ?, scores = ?, evidence = ?, suggested_reason = ?, risk = ?, norm_hash = ?, resubmits = ?,
		last_resubmit_at = ?, cluster_id = ?, spam_signals = ?, compose_ms = ?, updated_at = ?, edited_at = ?,
		report_count = ?, version = version + 1
		WHERE id = ? AND version = ?`,
		string(cm.Status), queueStatus(cm), cm.Body, cm.HTML,
		cm.EditPending, cm.PendingBody, cm.PendingHTML, cm.AuthorUserID, cm.AuthorName, cm.GuestEmail,
		cm.GuestTokenHash, cm.ClientIP, cm.AuthorKey, string(cm.Reason), cm.ModeratorNote, cm.ModeratedBy, d.nullTimeArg(cm.ModeratedAt),
		cm.Language, j.scores, j.evidence, string(cm.SuggestedReason), cm.Risk, cm.NormHash, cm.Resubmits,
		d.nullTimeArg(cm.LastResubmit), cm.ClusterID, j.signals, cm.ComposeMillis, d.timeArg(cm.UpdatedAt), d.nullTimeArg(cm.EditedAt),
		cm.ReportCount, cm.ID, cm.Version)
	if err != nil {
		return translate(err, "Comment")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(err, "Comment")
	}
	if n == 0 {
		var one int
		err := c.queryRow(ctx, `SELECT 1 FROM comments WHERE id = ?`, cm.ID).Scan(&one)
		if err != nil {
			return translate(err, "Comment")
		}
		return parley.Errorf(parley.ECONFLICT, "The comment was changed by someone else; reload and try again.")
	}
	cm.Version++
	return nil
}

// ListThread returns a page of a story's approved comments plus, when a
// viewer is given, the viewer's own comments in any status, ordered by ID
// (oldest first unless q.Newest), and the next page's cursor ("" on the
// last page). Default limit 100, max 500. EINVALID for a malformed cursor.
func (c *conn) ListThread(ctx context.Context, q parley.ThreadQuery) ([]*parley.Comment, string, error) {
	limit := clampLimit(q.Limit, 100, 500)
	kind, cmp, order := "thread-asc", ">", "ASC"
	if q.Newest {
		kind, cmp, order = "thread-desc", "<", "DESC"
	}
	vis := []string{`status = 'approved'`}
	args := []any{q.StoryID}
	if q.ViewerUserID != "" {
		vis = append(vis, `author_user_id = ?`)
		args = append(args, q.ViewerUserID)
	}
	if q.ViewerGuestTokenHash != "" {
		vis = append(vis, `guest_token_hash = ?`)
		args = append(args, q.ViewerGuestTokenHash)
	}
	sqlq := `SELECT ` + commentCols + ` FROM comments WHERE story_id = ? AND (` + strings.Join(vis, " OR ") + `)`
	if q.Cursor != "" {
		k, err := decodeCursor(q.Cursor, kind)
		if err != nil {
			return nil, "", err
		}
		sqlq += ` AND id ` + cmp + ` ?`
		args = append(args, k.ID)
	}
	sqlq += ` ORDER BY id ` + order + ` LIMIT ?`
	args = append(args, limit+1)
	out, err := c.listComments(ctx, sqlq, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(cursorKey{Kind: kind, ID: out[limit-1].ID})
	}
	return out, next, nil
}

// CountApproved returns the number of approved comments on a story.
func (c *conn) CountApproved(ctx context.Context, storyID string) (int, error) {
	var n int
	err := c.queryRow(ctx, `SELECT count(*) FROM comments WHERE story_id = ? AND status = 'approved'`, storyID).Scan(&n)
	return n, translate(err, "Comment")
}

// scoreExpr is the SQL expression for a comment's score for one label; its
// one argument is jsonPath(label).
func (d *dialect) scoreExpr() string {
	if d.pg() {
		return `(scores::jsonb ->> ?)::double precision`
	}
	return `json_extract(scores, ?)`
}

func (d *dialect) jsonPath(l parley.Label) string {
	if d.pg() {
		return string(l)
	}
	return `$."` + strings.ReplaceAll(string(l), `"`, ``) + `"`
}

// ListQueue returns a page of a site's comments for moderators and the next
// page's cursor ("" on the last page). Status "" or pending selects pending
// comments and approved ones with an edit pending. Sorts: risk (riskiest
// first, then oldest), oldest (the default) and newest. Default limit 50,
// max 500. Pagination is keyset, so deep pages cost the same as the first.
// EINVALID for a malformed cursor or an unknown sort.
func (c *conn) ListQueue(ctx context.Context, f parley.QueueFilter) ([]*parley.Comment, string, error) {
	limit := clampLimit(f.Limit, 50, 500)
	sort := f.Sort
	if sort == "" {
		sort = parley.SortOldest
	}
	where := []string{`site_id = ?`}
	args := []any{f.SiteID}
	switch {
	case f.Reported && f.Status == "":
		// The Reported queue: published comments, and those hidden after
		// reports (pending again) until a moderator decides.
		where = append(where, `status IN ('approved', 'pending')`)
	case f.Status == "" || f.Status == parley.StatusPending:
		where = append(where, `queue_status = 'pending'`)
	default:
		where = append(where, `status = ?`)
		args = append(args, string(f.Status))
	}
	for _, eq := range []struct{ col, v string }{
		{"story_id", f.StoryID}, {"language", f.Language}, {"author_key", f.AuthorKey}, {"cluster_id", f.ClusterID},
	} {
		if eq.v != "" {
			where = append(where, eq.col+` = ?`)
			args = append(args, eq.v)
		}
	}
	if f.Reported {
		where = append(where, `report_count > 0`)
	}
	if f.Label != "" {
		min := f.MinScore
		if min == 0 {
			min = 0.5
		}
		where = append(where, c.d.scoreExpr()+` >= ?`)
		args = append(args, c.d.jsonPath(f.Label), min)
	}
	kind := "queue-" + string(sort)
	var k cursorKey
	if f.Cursor != "" {
		var err error
		if k, err = decodeCursor(f.Cursor, kind); err != nil {
			return nil, "", err
		}
	}
	var order string
	switch sort {
	case parley.SortRisk:
		order = `risk DESC, id ASC`
		if f.Cursor != "" {
			// risk <= k bounds the index range; the OR then skips the
			// ties already returned.
			where = append(where, `risk <= ? AND (risk < ? OR id > ?)`)
			args = append(args, k.Risk, k.Risk, k.ID)
		}
	case parley.SortOldest:
		order = `id ASC`
		if f.Cursor != "" {
			where = append(where, `id > ?`)
			args = append(args, k.ID)
		}
	case parley.SortNewest:
		order = `id DESC`
		if f.Cursor != "" {
			where = append(where, `id < ?`)
			args = append(args, k.ID)
		}
	default:
		return nil, "", parley.Errorf(parley.EINVALID, "Unknown sort %q.", string(sort))
	}
	args = append(args, limit+1)
	out, err := c.listComments(ctx, `SELECT `+commentCols+` FROM comments WHERE `+strings.Join(where, " AND ")+
		` ORDER BY `+order+` LIMIT ?`, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = encodeCursor(cursorKey{Kind: kind, ID: last.ID, Risk: last.Risk})
	}
	return out, next, nil
}

func (c *conn) countByStatus(ctx context.Context, query string, args ...any) (map[parley.Status]int, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, translate(err, "Comment")
	}
	defer rows.Close()
	out := map[parley.Status]int{}
	for rows.Next() {
		var st, qst string
		var n int
		if err := rows.Scan(&st, &qst, &n); err != nil {
			return nil, translate(err, "Comment")
		}
		out[parley.Status(st)] += n
		if qst != st {
			out[parley.Status(qst)] += n
		}
	}
	return out, translate(rows.Err(), "Comment")
}

// CountQueue returns a site's comment counts by status. Approved comments
// with a pending edit count under approved and under pending. Statuses with
// no comments are absent from the map.
func (c *conn) CountQueue(ctx context.Context, siteID string) (map[parley.Status]int, error) {
	// One query: the counts by status and, in the same scan, the reported
	// comments that are approved or pending (the Reported tab).
	rows, err := c.query(ctx, `SELECT status, queue_status, count(*),
		sum(CASE WHEN report_count > 0 AND status IN ('approved', 'pending') THEN 1 ELSE 0 END)
		FROM comments WHERE site_id = ? GROUP BY status, queue_status`, siteID)
	if err != nil {
		return nil, translate(err, "Comment")
	}
	defer rows.Close()
	counts := map[parley.Status]int{}
	for rows.Next() {
		var st, qst string
		var n, reported int
		if err := rows.Scan(&st, &qst, &n, &reported); err != nil {
			return nil, translate(err, "Comment")
		}
		counts[parley.Status(st)] += n
		if qst != st {
			counts[parley.Status(qst)] += n
		}
		if reported > 0 {
			counts[parley.CountReported] += reported
		}
	}
	return counts, translate(rows.Err(), "Comment")
}

// AuthorHistory returns counts by status of a site's comments by an author
// key. Approved comments with a pending edit count only as approved.
func (c *conn) AuthorHistory(ctx context.Context, siteID, authorKey string) (map[parley.Status]int, error) {
	return c.countByStatus(ctx, `SELECT status, status, count(*) FROM comments WHERE site_id = ? AND author_key = ? GROUP BY status`, siteID, authorKey)
}

// FindDuplicate returns the newest comment on the site by authorKey with
// the given normalized-text hash created at or after since. ENOTFOUND if
// there is none.
func (c *conn) FindDuplicate(ctx context.Context, siteID, authorKey, normHash string, since time.Time) (*parley.Comment, error) {
	cm, err := scanComment(c.queryRow(ctx, `SELECT `+commentCols+` FROM comments
		WHERE site_id = ? AND author_key = ? AND norm_hash = ? AND created_at >= ?
		ORDER BY created_at DESC, id DESC LIMIT 1`, siteID, authorKey, normHash, c.d.timeArg(since)))
	return cm, translate(err, "Comment")
}

// ScanComments returns up to limit comments of every site created at or
// after since, in ID order after afterID ("" for the start). Default limit
// 500, max 5000.
func (c *conn) ScanComments(ctx context.Context, since time.Time, afterID string, limit int) ([]*parley.Comment, error) {
	limit = clampLimit(limit, 500, 5000)
	return c.listComments(ctx, `SELECT `+commentCols+` FROM comments WHERE created_at >= ? AND id > ? ORDER BY id LIMIT ?`,
		c.d.timeArg(since), afterID, limit)
}

// AddRevision stores one revision of a comment's text. ECONFLICT if the ID
// exists, ENOTFOUND if the comment does not.
func (c *conn) AddRevision(ctx context.Context, r *parley.Revision) error {
	return c.insertNew(ctx, "Revision", `INSERT INTO revisions (id, comment_id, body, html, created_at) VALUES (?, ?, ?, ?, ?)`,
		r.ID, r.CommentID, r.Body, r.HTML, c.d.timeArg(r.CreatedAt))
}

// ListRevisions returns a comment's revisions, oldest first.
func (c *conn) ListRevisions(ctx context.Context, commentID string) ([]*parley.Revision, error) {
	rows, err := c.query(ctx, `SELECT id, comment_id, body, html, created_at FROM revisions WHERE comment_id = ? ORDER BY id`, commentID)
	if err != nil {
		return nil, translate(err, "Revision")
	}
	defer rows.Close()
	var out []*parley.Revision
	for rows.Next() {
		var r parley.Revision
		if err := rows.Scan(&r.ID, &r.CommentID, &r.Body, &r.HTML, timeCol{&r.CreatedAt}); err != nil {
			return nil, translate(err, "Revision")
		}
		out = append(out, &r)
	}
	return out, translate(rows.Err(), "Revision")
}
