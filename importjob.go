package parley

import (
	"context"
	"time"
)

// ImportJob is an import started from the dashboard: the uploaded file is
// kept in the database, in chunks (ImportUploadChunk), while a worker of
// any instance imports it. Progress and Report are the service's JSON.
type ImportJob struct {
	ID         string
	SiteID     string
	Format     string
	FileName   string // as uploaded
	UploadSize int64  // bytes of the upload, once it is stored whole
	Strict     bool
	ActorID    string
	ActorName  string
	State      string // ImportUploading, ImportQueued, ImportRunning, ImportDone, ImportFailed
	Progress   []byte
	Report     []byte
	Error      string // the failure: its text in each catalog language as a JSON object, or plain English
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
	ImportUploading = "uploading" // its file is still arriving: no worker takes it
	ImportQueued    = "queued"
	ImportRunning   = "running"
	ImportDone      = "done"
	ImportFailed    = "failed"
)

// ImportJobStore keeps dashboard import jobs and their uploads. It is part
// of Store.
type ImportJobStore interface {
	CreateImportJob(ctx context.Context, j *ImportJob) error
	GetImportJob(ctx context.Context, id string) (*ImportJob, error)
	// ListImportJobs returns a site's jobs, newest first.
	ListImportJobs(ctx context.Context, siteID string, limit int) ([]*ImportJob, error)
	// AddImportUploadChunk stores chunk seq (0, 1, 2 ...) of the upload of
	// a job that is uploading. ENOTFOUND if the job is not uploading.
	AddImportUploadChunk(ctx context.Context, jobID string, seq int, data []byte) error
	// ImportUploadChunk returns chunk seq of a job's upload. ENOTFOUND if
	// there is no such chunk (past the end, or the job has ended).
	ImportUploadChunk(ctx context.Context, jobID string, seq int) ([]byte, error)
	// QueueImportJob ends a job's upload: an uploading job of size bytes
	// becomes queued. ENOTFOUND if it is not uploading.
	QueueImportJob(ctx context.Context, id string, size int64, at time.Time) error
	// FailImportUploads ends as failed, with errMsg, the job id if it is
	// uploading, or (id "") every job uploading since before; their
	// chunks are deleted, as are any left of jobs that have ended. It
	// returns how many jobs it ended.
	FailImportUploads(ctx context.Context, id string, before time.Time, errMsg string, at time.Time) (int, error)
	// ClaimImportJob leases the oldest job that is queued, or running
	// with an expired lease (its worker stopped): it becomes running under
	// owner until now+lease, and its Attempts grows by one. Concurrent
	// claimers (several instances on PostgreSQL) never get the same job.
	// ENOTFOUND if none.
	ClaimImportJob(ctx context.Context, owner string, now time.Time, lease time.Duration) (*ImportJob, error)
	// ProgressImportJob stores the progress of a running job and extends
	// its lease. ENOTFOUND if owner no longer holds it.
	ProgressImportJob(ctx context.Context, id, owner string, progress []byte, now time.Time, lease time.Duration) error
	// FinishImportJob ends a running job held by owner as done or failed
	// and deletes its upload. ENOTFOUND if owner no longer holds it.
	FinishImportJob(ctx context.Context, id, owner, state string, report []byte, errMsg string, at time.Time) error
	// ReleaseImportJob puts a running job held by owner back in the
	// queue (a worker stopping cleanly), without counting the attempt.
	ReleaseImportJob(ctx context.Context, id, owner string, at time.Time) error
}
