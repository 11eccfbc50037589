package sqlstore

import (
	"context"
	"encoding/base64"
	"time"

	"github.com/parley-comments/parley"
)

// --- Reader reports ---

// CreateReport stores one reader's report of a comment. ECONFLICT if that
// reporter already reported it; ENOTFOUND if the comment does not exist.
func (c *conn) CreateReport(ctx context.Context, r *parley.Report) error {
	return c.insertNew(ctx, "Report", `INSERT INTO reports (id, site_id, comment_id, reporter_key, reason, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.SiteID, r.CommentID, r.ReporterKey, string(r.Reason), r.Note, c.d.timeArg(r.CreatedAt))
}

const reportCols = `id, site_id, comment_id, reporter_key, reason, note, created_at, resolution, resolved_by, resolved_at`

// ListReports returns a comment's reports, open and resolved, oldest first.
func (c *conn) ListReports(ctx context.Context, commentID string) ([]*parley.Report, error) {
	return c.listReports(ctx, `SELECT `+reportCols+` FROM reports WHERE comment_id = ? ORDER BY id`, commentID)
}

func (c *conn) listReports(ctx context.Context, q string, args ...any) ([]*parley.Report, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err, "Report")
	}
	defer rows.Close()
	var out []*parley.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "Report")
}

func scanReport(sc interface{ Scan(...any) error }) (*parley.Report, error) {
	var r parley.Report
	var reason, res string
	if err := sc.Scan(&r.ID, &r.SiteID, &r.CommentID, &r.ReporterKey, &reason, &r.Note, timeCol{&r.CreatedAt},
		&res, &r.ResolvedBy, timeCol{&r.ResolvedAt}); err != nil {
		return nil, translate(err, "Report")
	}
	r.Reason, r.Resolution = parley.Reason(reason), parley.ReportResolution(res)
	return &r, nil
}

// GetReport returns one report. ENOTFOUND if there is none.
func (c *conn) GetReport(ctx context.Context, id string) (*parley.Report, error) {
	return scanReport(c.queryRow(ctx, `SELECT `+reportCols+` FROM reports WHERE id = ?`, id))
}

// ResolveReports resolves every open report of a comment and returns how
// many it resolved.
func (c *conn) ResolveReports(ctx context.Context, commentID string, res parley.ReportResolution, by string, at time.Time) (int, error) {
	r, err := c.exec(ctx, `UPDATE reports SET resolution = ?, resolved_by = ?, resolved_at = ? WHERE comment_id = ? AND resolution = ''`,
		string(res), by, c.d.timeArg(at), commentID)
	if err != nil {
		return 0, translate(err, "Report")
	}
	n, err := r.RowsAffected()
	return int(n), translate(err, "Report")
}

// ListOpenReportsBy returns a reporter's open reports on a site, oldest first.
func (c *conn) ListOpenReportsBy(ctx context.Context, siteID, reporterKey string) ([]*parley.Report, error) {
	return c.listReports(ctx, `SELECT `+reportCols+` FROM reports WHERE site_id = ? AND reporter_key = ? AND resolution = '' ORDER BY id`,
		siteID, reporterKey)
}

// ResolveReport resolves one open report. ENOTFOUND if it is not open.
func (c *conn) ResolveReport(ctx context.Context, id string, res parley.ReportResolution, by string, at time.Time) error {
	r, err := c.exec(ctx, `UPDATE reports SET resolution = ?, resolved_by = ?, resolved_at = ? WHERE id = ? AND resolution = ''`,
		string(res), by, c.d.timeArg(at), id)
	if err != nil {
		return translate(err, "Report")
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return translate(err, "Report")
		}
		return parley.Errorf(parley.ENOTFOUND, "Report not found or already resolved.")
	}
	return nil
}

// --- Per-site classifier adapters ---

// GetSiteAdapter returns a site's adapter state. Inside a transaction on
// PostgreSQL the row is locked until commit, so concurrent learners on
// several instances apply their updates one after the other. ENOTFOUND if
// the site has none.
func (c *conn) GetSiteAdapter(ctx context.Context, siteID string) ([]byte, error) {
	q := `SELECT state FROM site_adapters WHERE site_id = ?`
	if c.tx != nil {
		q += c.d.forUpdate()
	}
	var enc string
	if err := c.queryRow(ctx, q, siteID).Scan(&enc); err != nil {
		return nil, translate(err, "Site adapter")
	}
	state, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "A stored site adapter is corrupt.", err)
	}
	return state, nil
}

// PutSiteAdapter inserts or replaces a site's adapter state. ENOTFOUND if
// the site does not exist.
func (c *conn) PutSiteAdapter(ctx context.Context, siteID string, state []byte, at time.Time) error {
	_, err := c.exec(ctx, `INSERT INTO site_adapters (site_id, state, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (site_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
		siteID, base64.StdEncoding.EncodeToString(state), c.d.timeArg(at))
	return translate(err, "Site")
}

// DeleteSiteAdapter removes a site's adapter state. Deleting one that does
// not exist is not an error.
func (c *conn) DeleteSiteAdapter(ctx context.Context, siteID string) error {
	_, err := c.exec(ctx, `DELETE FROM site_adapters WHERE site_id = ?`, siteID)
	return translate(err, "Site adapter")
}

// --- Housekeeping ---

// Purge deletes expired sessions, SSO token IDs and OIDC flows, idempotency keys created before
// keysBefore and rate buckets last touched before bucketsBefore, and
// returns the number of rows deleted.
func (c *conn) Purge(ctx context.Context, now, keysBefore, bucketsBefore time.Time) (int, error) {
	total := 0
	for _, q := range []struct {
		sql string
		at  time.Time
	}{
		{`DELETE FROM sessions WHERE expires_at <= ?`, now},
		{`DELETE FROM sso_token_ids WHERE expires_at <= ?`, now},
		{`DELETE FROM login_flows WHERE expires_at <= ?`, now},
		{`DELETE FROM idempotency_keys WHERE created_at < ?`, keysBefore},
		{`DELETE FROM rate_buckets WHERE updated_at < ?`, bucketsBefore},
	} {
		res, err := c.exec(ctx, q.sql, c.d.timeArg(q.at))
		if err != nil {
			return total, translate(err, "Purge")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, translate(err, "Purge")
		}
		total += int(n)
	}
	return total, nil
}
