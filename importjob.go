package parley

import (
	"context"
	"time"
)

// ImportJob is an import started from the dashboard: the uploaded file
// waits on disk (FilePath, under the data directory) while a worker of one
// instance imports it. Progress and Report are the service's JSON.
type ImportJob struct {
	ID        string
	SiteID    string
	Format    string
	FileName  string // as uploaded
	FilePath  string // where the upload is kept until the job ends
	Node      string // the instance whose disk holds FilePath ("" for any)
	Strict    bool
	ActorID   string
	ActorName string
	State     string // ImportQueued, ImportRunning, ImportDone, ImportFailed
	Progress  []byte
	Report    []byte
	Error     string
	// Attempts counts the claims: a job claimed again after its worker
	// stopped (a restart) resumes, up to a limit.
	Attempts   int
	ClaimedBy  string
	LeaseUntil time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

// Import job states.
const (
	ImportQueued  = "queued"
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// ImportJobStore keeps dashboard import jobs. It is part of Store.
type ImportJobStore interface {
	CreateImportJob(ctx context.Context, j *ImportJob) error
	GetImportJob(ctx context.Context, id string) (*ImportJob, error)
	// ListImportJobs returns a site's jobs, newest first.
	ListImportJobs(ctx context.Context, siteID string, limit int) ([]*ImportJob, error)
	// ClaimImportJob leases the oldest job that is queued, or running
	// with an expired lease (its worker stopped), whose file is on node
	// (or on any node): it becomes running under owner until now+lease,
	// and its Attempts grows by one. Concurrent claimers (several
	// instances on PostgreSQL) never get the same job. ENOTFOUND if none.
	ClaimImportJob(ctx context.Context, owner, node string, now time.Time, lease time.Duration) (*ImportJob, error)
	// ProgressImportJob stores the progress of a running job and extends
	// its lease. ENOTFOUND if owner no longer holds it.
	ProgressImportJob(ctx context.Context, id, owner string, progress []byte, now time.Time, lease time.Duration) error
	// FinishImportJob ends a running job held by owner as done or failed.
	// ENOTFOUND if owner no longer holds it.
	FinishImportJob(ctx context.Context, id, owner, state string, report []byte, errMsg string, at time.Time) error
	// ReleaseImportJob puts a running job held by owner back in the
	// queue (a worker stopping cleanly), without counting the attempt.
	ReleaseImportJob(ctx context.Context, id, owner string, at time.Time) error
}
