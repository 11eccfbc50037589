package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// --- Idempotency keys ---

// PutIdempotencyKey records that key in scope made commentID. ECONFLICT if
// the (scope, key) pair exists.
func (c *conn) PutIdempotencyKey(ctx context.Context, scope, key, commentID string, at time.Time) error {
	return c.insertNew(ctx, "Idempotency key", `INSERT INTO idempotency_keys (scope, key, comment_id, created_at) VALUES (?, ?, ?, ?)`,
		scope, key, commentID, c.d.timeArg(at))
}

// GetIdempotencyKey returns the comment ID recorded for (scope, key).
// ENOTFOUND if none.
func (c *conn) GetIdempotencyKey(ctx context.Context, scope, key string) (string, error) {
	var id string
	err := c.queryRow(ctx, `SELECT comment_id FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key).Scan(&id)
	return id, translate(err, "Idempotency key")
}

// --- Audit log ---

const auditCols = `id, site_id, comment_id, actor_id, actor_name, action, from_status, to_status, reason, note, scores, created_at`

// AppendAudit appends one entry to the audit log. ECONFLICT if the ID exists.
func (c *conn) AppendAudit(ctx context.Context, e *parley.AuditEntry) error {
	scores, err := marshalJSON(e.Scores)
	if err != nil {
		return err
	}
	return c.insertNew(ctx, "Audit entry", `INSERT INTO audit_log (`+auditCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.SiteID, e.CommentID, e.ActorID, e.ActorName, e.Action, string(e.From), string(e.To), string(e.Reason), e.Note, scores,
		c.d.timeArg(e.CreatedAt))
}

// likePattern escapes s for a LIKE ... ESCAPE '\' substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(s)) + "%"
}

// ListAudit returns a page of audit entries, newest first, and the next
// page's cursor ("" on the last page). Query matches a substring of the
// note, reason or comment ID, ignoring ASCII case. Since is inclusive,
// Until exclusive. Default limit 50, max 500. EINVALID for a malformed
// cursor.
func (c *conn) ListAudit(ctx context.Context, f parley.AuditFilter) ([]*parley.AuditEntry, string, error) {
	limit := clampLimit(f.Limit, 50, 500)
	var where []string
	var args []any
	for _, eq := range []struct{ col, v string }{
		{"site_id", f.SiteID}, {"comment_id", f.CommentID}, {"actor_id", f.ActorID}, {"action", f.Action},
	} {
		if eq.v != "" {
			where = append(where, eq.col+` = ?`)
			args = append(args, eq.v)
		}
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		where = append(where, `(lower(note) LIKE ? ESCAPE '\' OR lower(reason) LIKE ? ESCAPE '\' OR lower(comment_id) LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	if !f.Since.IsZero() {
		where = append(where, `created_at >= ?`)
		args = append(args, c.d.timeArg(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, `created_at < ?`)
		args = append(args, c.d.timeArg(f.Until))
	}
	if f.Cursor != "" {
		k, err := decodeCursor(f.Cursor, "audit")
		if err != nil {
			return nil, "", err
		}
		where = append(where, `id < ?`)
		args = append(args, k.ID)
	}
	q := `SELECT ` + auditCols + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, "", translate(err, "Audit entry")
	}
	defer rows.Close()
	var out []*parley.AuditEntry
	for rows.Next() {
		var e parley.AuditEntry
		var from, to, reason, scores string
		if err := rows.Scan(&e.ID, &e.SiteID, &e.CommentID, &e.ActorID, &e.ActorName, &e.Action, &from, &to, &reason, &e.Note, &scores,
			timeCol{&e.CreatedAt}); err != nil {
			return nil, "", translate(err, "Audit entry")
		}
		e.From, e.To, e.Reason = parley.Status(from), parley.Status(to), parley.Reason(reason)
		if err := unmarshalJSON(scores, &e.Scores); err != nil {
			return nil, "", err
		}
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", translate(err, "Audit entry")
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(cursorKey{Kind: "audit", ID: out[limit-1].ID})
	}
	return out, next, nil
}

// --- Sanctions ---

// CreateSanction stores a sanction. ECONFLICT if the ID exists, ENOTFOUND
// if the site does not.
func (c *conn) CreateSanction(ctx context.Context, s *parley.Sanction) error {
	return c.insertNew(ctx, "Sanction", `INSERT INTO sanctions (id, site_id, author_key, kind, reason, until, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.SiteID, s.AuthorKey, string(s.Kind), s.Reason, c.d.nullTimeArg(s.Until), s.CreatedBy, c.d.timeArg(s.CreatedAt))
}

// DeleteSanction removes a site's sanction. ENOTFOUND if the site has no
// sanction with that ID.
func (c *conn) DeleteSanction(ctx context.Context, siteID, id string) error {
	res, err := c.exec(ctx, `DELETE FROM sanctions WHERE site_id = ? AND id = ?`, siteID, id)
	return mustAffect(res, err, "Sanction")
}

// ListSanctions returns a site's sanctions, oldest first; authorKey ""
// lists all. Expired sanctions are included: the caller compares Until.
func (c *conn) ListSanctions(ctx context.Context, siteID, authorKey string) ([]*parley.Sanction, error) {
	q := `SELECT id, site_id, author_key, kind, reason, until, created_by, created_at FROM sanctions WHERE site_id = ?`
	args := []any{siteID}
	if authorKey != "" {
		q += ` AND author_key = ?`
		args = append(args, authorKey)
	}
	rows, err := c.query(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, translate(err, "Sanction")
	}
	defer rows.Close()
	var out []*parley.Sanction
	for rows.Next() {
		var s parley.Sanction
		var kind string
		if err := rows.Scan(&s.ID, &s.SiteID, &s.AuthorKey, &kind, &s.Reason, timeCol{&s.Until}, &s.CreatedBy, timeCol{&s.CreatedAt}); err != nil {
			return nil, translate(err, "Sanction")
		}
		s.Kind = parley.SanctionKind(kind)
		out = append(out, &s)
	}
	return out, translate(rows.Err(), "Sanction")
}
