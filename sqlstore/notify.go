package sqlstore

import (
	"context"
	"time"

	"github.com/parley-comments/parley"
)

const notifyCols = `site_id, email, token, mode, locale, confirmed_at, created_at, updated_at`

func scanNotifyReader(sc interface{ Scan(...any) error }) (*parley.NotifyReader, error) {
	var r parley.NotifyReader
	var mode string
	if err := sc.Scan(&r.SiteID, &r.Email, &r.Token, &mode, &r.Locale, timeCol{&r.ConfirmedAt}, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt}); err != nil {
		return nil, err
	}
	r.Mode = parley.NotifyMode(mode)
	return &r, nil
}

// PutNotifyReader inserts r unless (site, email) exists, and returns the
// stored row: r as it reads back when it was inserted (without reading it),
// the existing row otherwise.
func (c *conn) PutNotifyReader(ctx context.Context, r *parley.NotifyReader) (*parley.NotifyReader, error) {
	res, err := c.exec(ctx, `INSERT INTO notify_readers (`+notifyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, email) DO NOTHING`,
		r.SiteID, r.Email, r.Token, string(r.Mode), r.Locale, c.d.nullTimeArg(r.ConfirmedAt), c.d.timeArg(r.CreatedAt), c.d.timeArg(r.UpdatedAt))
	if err != nil {
		return nil, translate(err, "Notification settings")
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		stored := *r
		stored.ConfirmedAt, stored.CreatedAt, stored.UpdatedAt = storedTime(r.ConfirmedAt), storedTime(r.CreatedAt), storedTime(r.UpdatedAt)
		return &stored, nil
	}
	return c.GetNotifyReader(ctx, r.SiteID, r.Email)
}

// storedTime is t as the store reads it back: UTC, to the microsecond, and
// the zero time unchanged.
func storedTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// GetNotifyReader returns a reader's settings on a site. ENOTFOUND if none.
func (c *conn) GetNotifyReader(ctx context.Context, siteID, email string) (*parley.NotifyReader, error) {
	r, err := scanNotifyReader(c.queryRow(ctx, `SELECT `+notifyCols+` FROM notify_readers WHERE site_id = ? AND email = ?`, siteID, email))
	return r, translate(err, "Notification settings")
}

// GetNotifyReaderByToken finds settings by their link token. ENOTFOUND if none.
func (c *conn) GetNotifyReaderByToken(ctx context.Context, token string) (*parley.NotifyReader, error) {
	r, err := scanNotifyReader(c.queryRow(ctx, `SELECT `+notifyCols+` FROM notify_readers WHERE token = ?`, token))
	return r, translate(err, "Notification settings")
}

// UpdateNotifyReader writes mode, locale, confirmation and update times.
func (c *conn) UpdateNotifyReader(ctx context.Context, r *parley.NotifyReader) error {
	res, err := c.exec(ctx, `UPDATE notify_readers SET mode = ?, locale = ?, confirmed_at = ?, updated_at = ? WHERE site_id = ? AND email = ?`,
		string(r.Mode), r.Locale, c.d.nullTimeArg(r.ConfirmedAt), c.d.timeArg(r.UpdatedAt), r.SiteID, r.Email)
	return mustAffect(res, err, "Notification settings")
}

// MuteThread mutes a story for a reader; muting twice is no error.
func (c *conn) MuteThread(ctx context.Context, siteID, email, storyID string, at time.Time) error {
	_, err := c.exec(ctx, `INSERT INTO notify_mutes (site_id, email, story_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		siteID, email, storyID, c.d.timeArg(at))
	return translate(err, "Mute")
}

// UnmuteThread lifts a mute; lifting none is no error.
func (c *conn) UnmuteThread(ctx context.Context, siteID, email, storyID string) error {
	_, err := c.exec(ctx, `DELETE FROM notify_mutes WHERE site_id = ? AND email = ? AND story_id = ?`, siteID, email, storyID)
	return translate(err, "Mute")
}

// IsMuted reports whether a reader muted a story.
func (c *conn) IsMuted(ctx context.Context, siteID, email, storyID string) (bool, error) {
	var n int
	err := c.queryRow(ctx, `SELECT COUNT(*) FROM notify_mutes WHERE site_id = ? AND email = ? AND story_id = ?`, siteID, email, storyID).Scan(&n)
	return n > 0, translate(err, "Mute")
}

// AddDigestItem queues a comment for a reader's digest; twice is no error.
func (c *conn) AddDigestItem(ctx context.Context, siteID, email, commentID string, at time.Time) error {
	_, err := c.exec(ctx, `INSERT INTO notify_digest (site_id, email, comment_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		siteID, email, commentID, c.d.timeArg(at))
	return translate(err, "Digest item")
}

// TakeDigestItems removes and returns up to limit of a reader's queued
// comment IDs, oldest first. Run it in the transaction that queues the
// digest mail.
func (c *conn) TakeDigestItems(ctx context.Context, siteID, email string, limit int) ([]string, error) {
	rows, err := c.query(ctx, `SELECT comment_id FROM notify_digest WHERE site_id = ? AND email = ? ORDER BY created_at, comment_id LIMIT ?`,
		siteID, email, clampLimit(limit, 50, 500))
	if err != nil {
		return nil, translate(err, "Digest item")
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, translate(err, "Digest item")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, translate(err, "Digest item")
	}
	for _, id := range ids {
		if _, err := c.exec(ctx, `DELETE FROM notify_digest WHERE site_id = ? AND email = ? AND comment_id = ?`, siteID, email, id); err != nil {
			return nil, translate(err, "Digest item")
		}
	}
	return ids, nil
}

// DigestReaders lists the (site, email) pairs with items queued before before.
func (c *conn) DigestReaders(ctx context.Context, before time.Time) ([][2]string, error) {
	rows, err := c.query(ctx, `SELECT DISTINCT site_id, email FROM notify_digest WHERE created_at < ? ORDER BY site_id, email`, c.d.timeArg(before))
	if err != nil {
		return nil, translate(err, "Digest item")
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, translate(err, "Digest item")
		}
		out = append(out, p)
	}
	return out, translate(rows.Err(), "Digest item")
}
