package sqlstore

import (
	"context"
	"time"

	"github.com/parley-comments/parley"
)

const importJobCols = `id, site_id, format, file_name, upload_size, strict, actor_id, actor_name, state, progress, report, error,
	attempts, claimed_by, lease_until, created_at, updated_at, finished_at`

// CreateImportJob stores a new job.
func (c *conn) CreateImportJob(ctx context.Context, j *parley.ImportJob) error {
	d := c.d
	_, err := c.exec(ctx, `INSERT INTO import_jobs (`+importJobCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.SiteID, j.Format, j.FileName, j.UploadSize, j.Strict, j.ActorID, j.ActorName, j.State, string(j.Progress),
		string(j.Report), j.Error, j.Attempts, j.ClaimedBy, d.nullTimeArg(j.LeaseUntil), d.timeArg(j.CreatedAt), d.timeArg(j.UpdatedAt),
		d.nullTimeArg(j.FinishedAt))
	return translate(err, "Import job")
}

// GetImportJob returns one job.
func (c *conn) GetImportJob(ctx context.Context, id string) (*parley.ImportJob, error) {
	rows, err := c.query(ctx, `SELECT `+importJobCols+` FROM import_jobs WHERE id = ?`, id)
	if err != nil {
		return nil, translate(err, "Import job")
	}
	return oneImportJob(rows, parley.Errorf(parley.ENOTFOUND, "Import job not found."))
}

// ListImportJobs returns a site's jobs, newest first.
func (c *conn) ListImportJobs(ctx context.Context, siteID string, limit int) ([]*parley.ImportJob, error) {
	limit = clampLimit(limit, 50, 500)
	rows, err := c.query(ctx, `SELECT `+importJobCols+` FROM import_jobs WHERE site_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, siteID, limit)
	if err != nil {
		return nil, translate(err, "Import job")
	}
	return scanImportJobs(rows)
}

// AddImportUploadChunk stores one chunk of a job's upload.
func (c *conn) AddImportUploadChunk(ctx context.Context, jobID string, seq int, data []byte) error {
	_, err := c.exec(ctx, `INSERT INTO import_uploads (job_id, seq, data) VALUES (?, ?, ?)`, jobID, seq, data)
	return translate(err, "Import upload")
}

// ImportUploadChunk returns one chunk of a job's upload.
func (c *conn) ImportUploadChunk(ctx context.Context, jobID string, seq int) ([]byte, error) {
	var data []byte
	err := c.queryRow(ctx, `SELECT data FROM import_uploads WHERE job_id = ? AND seq = ?`, jobID, seq).Scan(&data)
	return data, translate(err, "Import upload chunk")
}

// QueueImportJob queues a job whose upload is stored whole.
func (c *conn) QueueImportJob(ctx context.Context, id string, size int64, at time.Time) error {
	res, err := c.exec(ctx, `UPDATE import_jobs SET state = 'queued', upload_size = ?, updated_at = ? WHERE id = ? AND state = 'uploading'`,
		size, c.d.timeArg(at), id)
	return mustAffect(res, err, "Uploading import job")
}

// FailImportUploads ends uploads that will not complete and deletes the
// chunks of every ended job.
func (c *conn) FailImportUploads(ctx context.Context, id string, before time.Time, errMsg string, at time.Time) (int, error) {
	set := `UPDATE import_jobs SET state = 'failed', error = ?, updated_at = ?, finished_at = ? WHERE state = 'uploading' AND `
	args := []any{errMsg, c.d.timeArg(at), c.d.timeArg(at)}
	if id != "" {
		set += `id = ?`
		args = append(args, id)
	} else {
		set += `created_at < ?`
		args = append(args, c.d.timeArg(before))
	}
	res, err := c.exec(ctx, set, args...)
	if err != nil {
		return 0, translate(err, "Import job")
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, translate(err, "Import job")
	}
	return int(n), c.deleteEndedUploads(ctx)
}

// deleteEndedUploads deletes the chunks of jobs that have ended.
func (c *conn) deleteEndedUploads(ctx context.Context) error {
	_, err := c.exec(ctx, `DELETE FROM import_uploads WHERE job_id IN (SELECT id FROM import_jobs WHERE state IN ('done', 'failed'))`)
	return translate(err, "Import upload")
}

// ClaimImportJob leases one job in one statement. On PostgreSQL the inner
// SELECT skips a row another instance has locked, so concurrent claimers
// get different jobs (or none); SQLite runs it under its write lock.
func (c *conn) ClaimImportJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*parley.ImportJob, error) {
	if owner == "" || lease <= 0 {
		return nil, parley.Errorf(parley.EINVALID, "A claim needs an owner and a lease.")
	}
	lock := ""
	if c.d.pg() {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	nowArg := c.d.timeArg(now)
	rows, err := c.query(ctx, `UPDATE import_jobs SET state = 'running', claimed_by = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
		WHERE id IN (SELECT id FROM import_jobs WHERE state IN ('queued', 'running') AND (lease_until IS NULL OR lease_until <= ?)
			ORDER BY created_at, id LIMIT 1`+lock+`)
		RETURNING `+importJobCols,
		owner, c.d.timeArg(now.Add(lease)), nowArg, nowArg)
	if err != nil {
		return nil, translate(err, "Import job")
	}
	return oneImportJob(rows, parley.Errorf(parley.ENOTFOUND, "No import job is waiting."))
}

// ProgressImportJob stores progress and extends the lease of owner's job.
func (c *conn) ProgressImportJob(ctx context.Context, id, owner string, progress []byte, now time.Time, lease time.Duration) error {
	res, err := c.exec(ctx, `UPDATE import_jobs SET progress = ?, lease_until = ?, updated_at = ?
		WHERE id = ? AND claimed_by = ? AND state = 'running'`, string(progress), c.d.timeArg(now.Add(lease)), c.d.timeArg(now), id, owner)
	return mustAffect(res, err, "Running import job")
}

// FinishImportJob ends owner's job and deletes its upload. The deletion is
// a statement of its own: chunks that an interruption leaves are deleted by
// the next FailImportUploads.
func (c *conn) FinishImportJob(ctx context.Context, id, owner, state string, report []byte, errMsg string, at time.Time) error {
	if state != parley.ImportDone && state != parley.ImportFailed {
		return parley.Errorf(parley.EINVALID, "An import job ends done or failed.")
	}
	res, err := c.exec(ctx, `UPDATE import_jobs SET state = ?, report = ?, error = ?, claimed_by = '', lease_until = NULL,
		updated_at = ?, finished_at = ? WHERE id = ? AND claimed_by = ? AND state = 'running'`,
		state, string(report), errMsg, c.d.timeArg(at), c.d.timeArg(at), id, owner)
	if err := mustAffect(res, err, "Running import job"); err != nil {
		return err
	}
	_, err = c.exec(ctx, `DELETE FROM import_uploads WHERE job_id = ?`, id)
	return translate(err, "Import upload")
}

// ReleaseImportJob puts owner's job back in the queue.
func (c *conn) ReleaseImportJob(ctx context.Context, id, owner string, at time.Time) error {
	res, err := c.exec(ctx, `UPDATE import_jobs SET state = 'queued', claimed_by = '', lease_until = NULL,
		attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = ?
		WHERE id = ? AND claimed_by = ? AND state = 'running'`, c.d.timeArg(at), id, owner)
	return mustAffect(res, err, "Running import job")
}

// oneImportJob returns the first job of rows, or none when there is none.
func oneImportJob(rows jobRows, none error) (*parley.ImportJob, error) {
	js, err := scanImportJobs(rows)
	if err != nil {
		return nil, err
	}
	if len(js) == 0 {
		return nil, none
	}
	return js[0], nil
}

// jobRows are the rows of an import_jobs query (*sql.Rows).
type jobRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

func scanImportJobs(rows jobRows) ([]*parley.ImportJob, error) {
	defer rows.Close()
	var out []*parley.ImportJob
	for rows.Next() {
		var j parley.ImportJob
		var progress, report string
		if err := rows.Scan(&j.ID, &j.SiteID, &j.Format, &j.FileName, &j.UploadSize, &j.Strict, &j.ActorID, &j.ActorName,
			&j.State, &progress, &report, &j.Error, &j.Attempts, &j.ClaimedBy, timeCol{&j.LeaseUntil}, timeCol{&j.CreatedAt},
			timeCol{&j.UpdatedAt}, timeCol{&j.FinishedAt}); err != nil {
			return nil, translate(err, "Import job")
		}
		if progress != "" {
			j.Progress = []byte(progress)
		}
		if report != "" {
			j.Report = []byte(report)
		}
		out = append(out, &j)
	}
	return out, translate(rows.Err(), "Import job")
}
