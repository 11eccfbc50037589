package service

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/transfer"
)

// ImportJob is an import started from the dashboard, running in the
// background on this instance.
type ImportJob struct {
	ID         string         `json:"id"`
	SiteID     string         `json:"site_id"`
	Format     string         `json:"format"`
	FileName   string         `json:"file_name"`
	Strict     bool           `json:"strict"`
	StartedBy  string         `json:"started_by"`
	State      string         `json:"state"` // running, done, failed
	Progress   ImportProgress `json:"progress"`
	Report     *ImportReport  `json:"report,omitempty"`
	Error      string         `json:"error,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at,omitzero"`
}

// Import job states.
const (
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// importJobs is the in-process registry of dashboard imports.
type importJobs struct {
	mu   sync.Mutex
	jobs map[string]*ImportJob
}

// maxJobsKept bounds the finished jobs remembered per process.
const maxJobsKept = 50

// StartImport saves an uploaded file and imports it into a site in the
// background; ImportJobs reports its progress and, at the end, its report.
// Admins only (EFORBIDDEN otherwise); EINVALID for an unknown format.
func (s *Service) StartImport(ctx context.Context, actor *parley.User, siteID, format string, strict bool, fileName string, file io.Reader) (*ImportJob, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	if !slices.Contains(transfer.Formats, format) {
		return nil, parley.Errorf(parley.EINVALID, "Unknown format %q.", format)
	}
	site, err := s.store.GetSite(ctx, siteID)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp("", "parley-import-*")
	if err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "Cannot store the upload.", err)
	}
	if _, err := io.Copy(tmp, file); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, parley.WrapError(parley.EINVALID, "The upload did not arrive whole.", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return nil, parley.WrapError(parley.EINTERNAL, "Cannot store the upload.", err)
	}
	now := s.now()
	job := &ImportJob{ID: parley.NewID(now), SiteID: siteID, Format: format, FileName: fileName, Strict: strict,
		StartedBy: actor.Name, State: JobRunning, StartedAt: now}
	s.imports.mu.Lock()
	if s.imports.jobs == nil {
		s.imports.jobs = map[string]*ImportJob{}
	}
	s.imports.jobs[job.ID] = job
	s.imports.prune()
	s.imports.mu.Unlock()

	opts := transfer.Options{}
	if len(site.Origins) > 0 {
		opts.BaseURL = site.Origins[0]
	}
	// The import outlives the upload request.
	bg := context.WithoutCancel(ctx)
	go func() {
		defer os.Remove(tmp.Name())
		rep, err := s.Import(bg, ImportOptions{SiteID: siteID, Format: format, Strict: strict,
			Progress: func(p ImportProgress) {
				s.imports.mu.Lock()
				job.Progress = p
				s.imports.mu.Unlock()
			}},
			func() (transfer.Decoder, func() error, error) { return transfer.Open(format, tmp.Name(), opts) })
		s.imports.mu.Lock()
		job.Report, job.FinishedAt, job.State = rep, s.now(), JobDone
		if rep != nil {
			job.Progress.Imported, job.Progress.Skipped = rep.ImportedTotal(), rep.Skipped
		}
		if err != nil {
			job.State, job.Error = JobFailed, parley.ErrorMessage(err)
		}
		s.imports.mu.Unlock()
		note := fmt.Sprintf("%s import of %s: %s", format, fileName, job.State)
		if rep != nil {
			note += fmt.Sprintf(", %d comments imported, %d skipped, %d unchanged", rep.ImportedTotal(), rep.Skipped, rep.Unchanged)
		}
		if aerr := s.store.AppendAudit(bg, &parley.AuditEntry{ID: parley.NewID(s.now()), SiteID: siteID, ActorID: actor.ID,
			ActorName: actor.Name, Action: "import", Note: note, CreatedAt: s.now()}); aerr != nil {
			s.log.Warn("import audit entry", "err", aerr)
		}
	}()
	return job.snapshot(), nil
}

// prune forgets the oldest finished jobs beyond maxJobsKept. mu is held.
func (j *importJobs) prune() {
	if len(j.jobs) <= maxJobsKept {
		return
	}
	var done []*ImportJob
	for _, job := range j.jobs {
		if job.State != JobRunning {
			done = append(done, job)
		}
	}
	slices.SortFunc(done, func(a, b *ImportJob) int { return a.StartedAt.Compare(b.StartedAt) })
	for i := 0; i < len(done) && len(j.jobs) > maxJobsKept; i++ {
		delete(j.jobs, done[i].ID)
	}
}

func (job *ImportJob) snapshot() *ImportJob {
	c := *job
	return &c
}

// ImportJobs returns a site's dashboard imports on this instance, newest
// first. Admins only.
func (s *Service) ImportJobs(ctx context.Context, actor *parley.User, siteID string) ([]*ImportJob, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	s.imports.mu.Lock()
	defer s.imports.mu.Unlock()
	var out []*ImportJob
	for _, job := range s.imports.jobs {
		if job.SiteID == siteID {
			out = append(out, job.snapshot())
		}
	}
	slices.SortFunc(out, func(a, b *ImportJob) int { return b.StartedAt.Compare(a.StartedAt) })
	return out, nil
}

// ExportSite writes a site's export (Export) for an admin of the site.
func (s *Service) ExportSite(ctx context.Context, actor *parley.User, siteID, format string, w io.Writer) (ExportSummary, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return ExportSummary{}, err
	}
	return s.Export(ctx, siteID, format, w)
}
