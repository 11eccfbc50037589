package sqlstore

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/parley-comments/parley"
)

// --- The outbox (parley.OutboxStore) ---

const outboxCols = `id, site_id, kind, dedupe_key, payload, status, attempts, next_attempt_at, last_error,
	claimed_by, lease_until, created_at, updated_at, sent_at`

// EnqueueOutbox stores m as pending, due at m.NextAttemptAt (or
// m.CreatedAt if that is zero). An existing DedupeKey makes it a no-op.
func (c *conn) EnqueueOutbox(ctx context.Context, m *parley.OutboxMessage) error {
	if !json.Valid(m.Payload) {
		return parley.Errorf(parley.EINVALID, "The outbox payload is not JSON.")
	}
	if m.ID == "" || m.Kind == "" || m.CreatedAt.IsZero() {
		return parley.Errorf(parley.EINVALID, "An outbox message needs an ID, a kind and a creation time.")
	}
	if m.DedupeKey == "" {
		m.DedupeKey = m.ID
	}
	if m.NextAttemptAt.IsZero() {
		m.NextAttemptAt = m.CreatedAt
	}
	m.Status, m.Attempts, m.UpdatedAt = parley.OutboxPending, 0, m.CreatedAt
	_, err := c.exec(ctx, `INSERT INTO outbox (id, site_id, kind, dedupe_key, payload, status, attempts, next_attempt_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
		m.ID, m.SiteID, m.Kind, m.DedupeKey, string(m.Payload), string(parley.OutboxPending),
		c.d.timeArg(m.NextAttemptAt), c.d.timeArg(m.CreatedAt), c.d.timeArg(m.CreatedAt))
	return translate(err, "Outbox message")
}

// ClaimOutbox leases due messages in one statement. On PostgreSQL the inner
// SELECT skips rows another worker has locked, so concurrent workers claim
// disjoint sets; SQLite runs the statement under its database write lock.
func (c *conn) ClaimOutbox(ctx context.Context, kind, owner string, now time.Time, lease time.Duration, limit int) ([]*parley.OutboxMessage, error) {
	if owner == "" || lease <= 0 || limit <= 0 {
		return nil, parley.Errorf(parley.EINVALID, "A claim needs an owner, a lease and a limit.")
	}
	lock := ""
	if c.d.pg() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	nowArg := c.d.timeArg(now)
	// Most claims find nothing (the worker wakes after every write): look
	// first, so that an empty claim takes no write lock.
	var due int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM outbox WHERE kind = ? AND status = 'pending'
		AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1) AS due`, kind, nowArg, nowArg).Scan(&due)
	if err != nil || due == 0 {
		return nil, translate(err, "Outbox message")
	}
	rows, err := c.query(ctx, `UPDATE outbox SET claimed_by = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id IN (SELECT id FROM outbox WHERE kind = ? AND status = 'pending' AND next_attempt_at <= ?
			AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at, id LIMIT ?`+lock+`)
		RETURNING `+outboxCols,
		owner, c.d.timeArg(now.Add(lease)), nowArg, kind, nowArg, nowArg, limit)
	if err != nil {
		return nil, translate(err, "Outbox message")
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].NextAttemptAt.Equal(out[j].NextAttemptAt) {
			return out[i].NextAttemptAt.Before(out[j].NextAttemptAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// CompleteOutbox marks a pending message sent and releases its lease.
func (c *conn) CompleteOutbox(ctx context.Context, id string, at time.Time) error {
	return c.updateOutbox(ctx, "Pending outbox message", `UPDATE outbox SET status = 'sent', sent_at = ?, updated_at = ?,
		last_error = '', claimed_by = '', lease_until = NULL WHERE id = ? AND status = 'pending'`, c.d.timeArg(at), c.d.timeArg(at), id)
}

// RetryOutbox makes a pending message due again at next.
func (c *conn) RetryOutbox(ctx context.Context, id, lastErr string, next time.Time) error {
	return c.updateOutbox(ctx, "Pending outbox message", `UPDATE outbox SET next_attempt_at = ?, last_error = ?, claimed_by = '',
		lease_until = NULL WHERE id = ? AND status = 'pending'`, c.d.timeArg(next), lastErr, id)
}

// ParkOutbox parks a pending message.
func (c *conn) ParkOutbox(ctx context.Context, id, lastErr string, at time.Time) error {
	return c.updateOutbox(ctx, "Pending outbox message", `UPDATE outbox SET status = 'parked', last_error = ?, updated_at = ?,
		claimed_by = '', lease_until = NULL WHERE id = ? AND status = 'pending'`, lastErr, c.d.timeArg(at), id)
}

// RequeueOutbox makes a parked message pending again with no attempts.
func (c *conn) RequeueOutbox(ctx context.Context, id string, at time.Time) error {
	return c.updateOutbox(ctx, "Parked outbox message", `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?,
		updated_at = ? WHERE id = ? AND status = 'parked'`, c.d.timeArg(at), c.d.timeArg(at), id)
}

// updateOutbox runs an UPDATE of one message; ENOTFOUND ("what not found.")
// if it matched no row in the expected status.
func (c *conn) updateOutbox(ctx context.Context, what, query string, args ...any) error {
	res, err := c.exec(ctx, query, args...)
	return mustAffect(res, err, what)
}

// GetOutbox returns one message.
func (c *conn) GetOutbox(ctx context.Context, id string) (*parley.OutboxMessage, error) {
	rows, err := c.query(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id)
	if err != nil {
		return nil, translate(err, "Outbox message")
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, parley.Errorf(parley.ENOTFOUND, "Outbox message not found.")
	}
	return out[0], nil
}

// ListOutbox returns messages newest first.
func (c *conn) ListOutbox(ctx context.Context, f parley.OutboxFilter) ([]*parley.OutboxMessage, string, error) {
	limit := clampLimit(f.Limit, 50, 500)
	var where []string
	var args []any
	for _, eq := range []struct{ col, v string }{{"site_id", f.SiteID}, {"kind", f.Kind}, {"status", string(f.Status)}} {
		if eq.v != "" {
			where = append(where, eq.col+` = ?`)
			args = append(args, eq.v)
		}
	}
	if f.Cursor != "" {
		k, err := decodeCursor(f.Cursor, "outbox")
		if err != nil {
			return nil, "", err
		}
		where = append(where, `id < ?`)
		args = append(args, k.ID)
	}
	q := `SELECT ` + outboxCols + ` FROM outbox`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := c.query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, "", translate(err, "Outbox message")
	}
	out, err := scanOutbox(rows)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(cursorKey{Kind: "outbox", ID: out[limit-1].ID})
	}
	return out, next, nil
}

// PurgeOutbox deletes messages sent before sentBefore.
func (c *conn) PurgeOutbox(ctx context.Context, sentBefore time.Time) (int, error) {
	res, err := c.exec(ctx, `DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?`, c.d.timeArg(sentBefore))
	if err != nil {
		return 0, translate(err, "Outbox message")
	}
	n, err := res.RowsAffected()
	return int(n), translate(err, "Outbox message")
}

// scanOutbox reads outbox rows and closes them.
func scanOutbox(rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}) ([]*parley.OutboxMessage, error) {
	defer rows.Close()
	var out []*parley.OutboxMessage
	for rows.Next() {
		var m parley.OutboxMessage
		var payload, status string
		if err := rows.Scan(&m.ID, &m.SiteID, &m.Kind, &m.DedupeKey, &payload, &status, &m.Attempts, timeCol{&m.NextAttemptAt},
			&m.LastError, &m.ClaimedBy, timeCol{&m.LeaseUntil}, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, timeCol{&m.SentAt}); err != nil {
			return nil, translate(err, "Outbox message")
		}
		m.Payload, m.Status = []byte(payload), parley.OutboxStatus(status)
		out = append(out, &m)
	}
	return out, translate(rows.Err(), "Outbox message")
}
