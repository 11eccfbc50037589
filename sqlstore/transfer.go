package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parley-comments/parley"
)

// maxParams bounds the bound parameters of one multi-row statement, well
// under SQLite's 32766 and PostgreSQL's 65535.
const maxParams = 30000

// ImportedIDs returns the comment IDs that sourceIDs were imported as.
func (c *conn) ImportedIDs(ctx context.Context, siteID, source string, sourceIDs []string) (map[string]string, error) {
	out := make(map[string]string)
	per := maxParams - 2
	for start := 0; start < len(sourceIDs); start += per {
		chunk := sourceIDs[start:min(len(sourceIDs), start+per)]
		args := make([]any, 0, len(chunk)+2)
		args = append(args, siteID, source)
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := c.query(ctx, `SELECT source_id, comment_id FROM import_keys WHERE site_id = ? AND source = ? AND source_id IN (`+
			placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, translate(err, "Import key")
		}
		for rows.Next() {
			var sid, cid string
			if err := rows.Scan(&sid, &cid); err != nil {
				rows.Close()
				return nil, translate(err, "Import key")
			}
			out[sid] = cid
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, translate(err, "Import key")
		}
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// sqliteInsertRows is how many rows one SQLite INSERT statement of
// multiInsert carries. A statement's fixed cost (database/sql, the driver,
// starting the VDBE program) is then shared by 32 rows, while the statement
// journal that a multi-row INSERT keeps (the first change of each page in
// the statement) stays small. BenchmarkImportComments: 1 row 84, 79; 32
// rows 60, 64 CPU µs per comment. Statements of thousands of rows were
// slower than single rows: parsing, and a journal of every page touched.
var sqliteInsertRows = 32

// multiInsert inserts rows of ncols values each. On PostgreSQL it sends
// as many rows per statement as the parameter bound allows (one round trip
// each). On SQLite it runs prepared statements of sqliteInsertRows rows
// (and single rows for the rest), each prepared once per call.
func (c *conn) multiInsert(ctx context.Context, head string, ncols int, rows int, row func(i int, args []any) []any) error {
	rowPH := "(" + placeholders(ncols) + ")"
	if !c.d.pg() {
		prep := c.q().(interface {
			PrepareContext(context.Context, string) (*sql.Stmt, error)
		})
		per := sqliteInsertRows
		args := make([]any, 0, per*ncols)
		i := 0
		for _, n := range []int{per, 1} {
			if rows-i < n {
				continue
			}
			st, err := prep.PrepareContext(c.stmtCtx(ctx), head+strings.TrimSuffix(strings.Repeat(rowPH+", ", n), ", "))
			if err != nil {
				return translate(err, "Comment")
			}
			for ; rows-i >= n; i += n {
				args = args[:0]
				for k := i; k < i+n; k++ {
					args = row(k, args)
				}
				if _, err := st.ExecContext(c.stmtCtx(ctx), args...); err != nil {
					st.Close()
					return translate(err, "Comment")
				}
			}
			st.Close()
		}
		return nil
	}
	per := max(1, maxParams/ncols)
	var full string // the statement text for a full chunk, built once
	for start := 0; start < rows; start += per {
		n := min(rows, start+per) - start
		var q string
		if n == per && full != "" {
			q = full
		} else {
			q = head + strings.TrimSuffix(strings.Repeat(rowPH+", ", n), ", ")
			if n == per {
				full = q
			}
		}
		args := make([]any, 0, n*ncols)
		for i := start; i < start+n; i++ {
			args = row(i, args)
		}
		if _, err := c.exec(ctx, q, args...); err != nil {
			return translate(err, "Comment")
		}
	}
	return nil
}

// ImportComments inserts imported comments, their first revisions and
// their import keys.
func (c *conn) ImportComments(ctx context.Context, cs []parley.ImportedComment) error {
	if len(cs) == 0 {
		return nil
	}
	js := make([]commentJSON, len(cs))
	for i, ic := range cs {
		var err error
		if js[i], err = encodeCommentJSON(ic.Comment); err != nil {
			return err
		}
	}
	d := c.d
	err := c.multiInsert(ctx, `INSERT INTO comments (id, site_id, story_id, parent_id, status, queue_status, body, html,
		edit_pending, pending_body, pending_html, author_user_id, author_name, guest_email, guest_token_hash, client_ip, author_key,
		reason, moderator_note, moderated_by, moderated_at, language, scores, evidence, suggested_reason, risk,
		norm_hash, resubmits, last_resubmit_at, cluster_id, spam_signals, compose_ms, created_at, updated_at, edited_at, version, report_count) VALUES `,
		37, len(cs), func(i int, a []any) []any {
			cm, j := cs[i].Comment, js[i]
			return append(a, cm.ID, cm.SiteID, cm.StoryID, cm.ParentID, string(cm.Status), queueStatus(cm), cm.Body, cm.HTML,
				cm.EditPending, cm.PendingBody, cm.PendingHTML, cm.AuthorUserID, cm.AuthorName, cm.GuestEmail, cm.GuestTokenHash, cm.ClientIP, cm.AuthorKey,
				string(cm.Reason), cm.ModeratorNote, cm.ModeratedBy, d.nullTimeArg(cm.ModeratedAt), cm.Language, j.scores, j.evidence, string(cm.SuggestedReason), cm.Risk,
				cm.NormHash, cm.Resubmits, d.nullTimeArg(cm.LastResubmit), cm.ClusterID, j.signals, cm.ComposeMillis,
				d.timeArg(cm.CreatedAt), d.timeArg(cm.UpdatedAt), d.nullTimeArg(cm.EditedAt), cm.Version, cm.ReportCount)
		})
	if err != nil {
		return err
	}
	// A revision shares its comment's ID: imported comments have exactly one.
	err = c.multiInsert(ctx, `INSERT INTO revisions (id, comment_id, body, html, created_at) VALUES `, 5, len(cs),
		func(i int, a []any) []any {
			cm := cs[i].Comment
			return append(a, cm.ID, cm.ID, cm.Body, cm.HTML, d.timeArg(cm.CreatedAt))
		})
	if err != nil {
		return err
	}
	return c.multiInsert(ctx, `INSERT INTO import_keys (site_id, source, source_id, comment_id, source_user_id, created_at) VALUES `, 6, len(cs),
		func(i int, a []any) []any {
			ic := cs[i]
			return append(a, ic.Comment.SiteID, ic.Source, ic.SourceID, ic.Comment.ID, ic.SourceUserID, d.timeArg(ic.Comment.UpdatedAt))
		})
}

// ExportComments returns a site's comments in ID order after afterID.
func (c *conn) ExportComments(ctx context.Context, siteID, storyID, afterID string, limit int) ([]*parley.Comment, error) {
	limit = clampLimit(limit, 1000, 5000)
	q := `SELECT ` + commentCols + ` FROM comments WHERE site_id = ? AND id > ?`
	args := []any{siteID, afterID}
	if storyID != "" {
		q += ` AND story_id = ?`
		args = append(args, storyID)
	}
	q += ` ORDER BY id LIMIT ?`
	return c.listComments(ctx, q, append(args, limit)...)
}
