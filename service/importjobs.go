package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/transfer"
)

// ImportJob is an import started from the dashboard, as admins see it. It
// is stored (parley.ImportJob): the uploaded file waits under the import
// directory until the job ends, a worker of any instance runs it, and a
// job whose worker stopped (a restart) resumes.
type ImportJob struct {
	ID         string         `json:"id"`
	SiteID     string         `json:"site_id"`
	Format     string         `json:"format"`
	FileName   string         `json:"file_name"`
	Strict     bool           `json:"strict"`
	StartedBy  string         `json:"started_by"`
	State      string         `json:"state"` // queued, running, done, failed
	Attempts   int            `json:"attempts"`
	Progress   ImportProgress `json:"progress"`
	Report     *ImportReport  `json:"report,omitempty"`
	Error      string         `json:"error,omitempty"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at,omitzero"`
}

// Import job states.
const (
	JobQueued  = parley.ImportQueued
	JobRunning = parley.ImportRunning
	JobDone    = parley.ImportDone
	JobFailed  = parley.ImportFailed
)

// ImportJobOptions configures dashboard imports.
type ImportJobOptions struct {
	// Dir keeps uploaded files until their job ends (cmd/parley: the data
	// directory's "imports"). Default: "parley-imports" in the system's
	// temporary directory.
	Dir string
	// Node names this instance's disk: a job is only run by an instance
	// of the same Node, since its file is there. Instances that share Dir
	// (a network volume) leave it empty. Default: the host name.
	Node string
	// Owner names this worker in claims. Default: host name and process ID.
	Owner string
	// Lease is how long a claim lasts without a heartbeat; a job whose
	// worker stopped is claimed again after it. Default 1 minute.
	Lease time.Duration
	// Heartbeat is how often a running job's progress is stored and its
	// lease extended. Default Lease/6.
	Heartbeat time.Duration
	// Poll is how often the worker looks for jobs (it is also woken when
	// this instance starts one). Default 5 seconds.
	Poll time.Duration
	// MaxAttempts bounds the claims of one job: a job interrupted that
	// many times is marked failed. Default 3.
	MaxAttempts int
}

func (o ImportJobOptions) withDefaults() ImportJobOptions {
	host, _ := os.Hostname()
	if o.Dir == "" {
		o.Dir = filepath.Join(os.TempDir(), "parley-imports")
	}
	if o.Node == "" {
		o.Node = host
	}
	if o.Owner == "" {
		o.Owner = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), parley.NewID(time.Now())[20:])
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = o.Lease / 6
	}
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 3
	}
	return o
}

// importJobs is this process's import worker state.
type importJobs struct {
	mu      sync.Mutex
	opts    ImportJobOptions
	set     bool
	wake    chan struct{}
	running bool
}

// SetImportJobs configures dashboard imports; call it before serving.
func (s *Service) SetImportJobs(o ImportJobOptions) {
	s.imports.mu.Lock()
	defer s.imports.mu.Unlock()
	s.imports.opts, s.imports.set = o.withDefaults(), true
}

func (s *Service) importOptions() ImportJobOptions {
	s.imports.mu.Lock()
	defer s.imports.mu.Unlock()
	if !s.imports.set {
		s.imports.opts, s.imports.set = s.imports.opts.withDefaults(), true
	}
	if s.imports.wake == nil {
		s.imports.wake = make(chan struct{}, 1)
	}
	return s.imports.opts
}

func (s *Service) wakeImports() {
	s.importOptions()
	select {
	case s.imports.wake <- struct{}{}:
	default:
	}
}

// StartImport keeps an uploaded file under the import directory and queues
// its import into a site; a worker (RunImportJobs) runs it, and ImportJobs
// reports its progress and, at the end, its report. Admins only
// (EFORBIDDEN otherwise); EINVALID for an unknown format.
func (s *Service) StartImport(ctx context.Context, actor *parley.User, siteID, format string, strict bool, fileName string, file io.Reader) (*ImportJob, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	if !slices.Contains(transfer.Formats, format) {
		return nil, parley.Errorf(parley.EINVALID, "Unknown format %q.", format)
	}
	if _, err := s.store.GetSite(ctx, siteID); err != nil {
		return nil, err
	}
	o := s.importOptions()
	now := s.now()
	id := parley.NewID(now)
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "Cannot store the upload.", err)
	}
	path := filepath.Join(o.Dir, id+".upload")
	if err := saveUpload(path, file); err != nil {
		return nil, err
	}
	j := &parley.ImportJob{ID: id, SiteID: siteID, Format: format, FileName: fileName, FilePath: path, Node: o.Node, Strict: strict,
		ActorID: actor.ID, ActorName: actor.Name, State: parley.ImportQueued, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateImportJob(ctx, j); err != nil {
		os.Remove(path)
		return nil, err
	}
	s.wakeImports()
	return jobView(j), nil
}

// saveUpload writes the upload to path, whole or not at all.
func saveUpload(path string, file io.Reader) error {
	tmp := path + ".part"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return parley.WrapError(parley.EINTERNAL, "Cannot store the upload.", err)
	}
	if _, err := io.Copy(f, file); err != nil {
		f.Close()
		os.Remove(tmp)
		return parley.WrapError(parley.EINVALID, "The upload did not arrive whole.", err)
	}
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		os.Remove(tmp)
		return parley.WrapError(parley.EINTERNAL, "Cannot store the upload.", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return parley.WrapError(parley.EINTERNAL, "Cannot store the upload.", err)
	}
	return nil
}

// jobView is what admins see of a stored job.
func jobView(j *parley.ImportJob) *ImportJob {
	v := &ImportJob{ID: j.ID, SiteID: j.SiteID, Format: j.Format, FileName: j.FileName, Strict: j.Strict, StartedBy: j.ActorName,
		State: j.State, Attempts: j.Attempts, Error: j.Error, StartedAt: j.CreatedAt, FinishedAt: j.FinishedAt}
	if len(j.Progress) > 0 {
		_ = json.Unmarshal(j.Progress, &v.Progress)
	}
	if len(j.Report) > 0 {
		var rep ImportReport
		if json.Unmarshal(j.Report, &rep) == nil {
			v.Report = &rep
			v.Progress.Imported, v.Progress.Skipped = rep.ImportedTotal(), rep.Skipped
		}
	}
	return v
}

// ImportJobs returns a site's dashboard imports, newest first. Admins only.
func (s *Service) ImportJobs(ctx context.Context, actor *parley.User, siteID string) ([]*ImportJob, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	js, err := s.store.ListImportJobs(ctx, siteID, 50)
	if err != nil {
		return nil, err
	}
	out := make([]*ImportJob, len(js))
	for i, j := range js {
		out[i] = jobView(j)
	}
	return out, nil
}

// RunImportJobs runs this process's import worker until ctx is done: it
// claims jobs one at a time (an import uses every core) and runs each to
// its end. Workers of several instances share the database safely: a job
// is claimed by one worker, whose lease its heartbeat extends; a job whose
// worker stopped is claimed again when the lease runs out and resumes
// (imports are idempotent, so what was written is not written twice), up
// to MaxAttempts claims. A second call in one process returns an error.
func (s *Service) RunImportJobs(ctx context.Context) error {
	o := s.importOptions()
	s.imports.mu.Lock()
	if s.imports.running {
		s.imports.mu.Unlock()
		return errors.New("the import worker is already running in this process")
	}
	s.imports.running = true
	s.imports.mu.Unlock()
	defer func() {
		s.imports.mu.Lock()
		s.imports.running = false
		s.imports.mu.Unlock()
	}()
	t := time.NewTicker(o.Poll)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			ran, err := s.RunNextImportJob(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.WarnContext(ctx, "import job", "err", err)
			}
			if !ran || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-s.imports.wake:
		}
	}
}

// RunNextImportJob claims one waiting job and runs it to its end. It
// reports whether there was one. If ctx ends first, the job goes back to
// the queue for the next start.
func (s *Service) RunNextImportJob(ctx context.Context) (bool, error) {
	o := s.importOptions()
	j, err := s.store.ClaimImportJob(ctx, o.Owner, o.Node, s.now(), o.Lease)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	bg := context.WithoutCancel(ctx)
	if j.Attempts > o.MaxAttempts {
		return true, s.endImportJob(bg, j, nil, parley.Errorf(parley.EUNAVAILABLE, "The import was interrupted %d times (the server stopped while it ran) and was given up. "+
			"What it wrote is kept; start it again to import the rest (nothing is imported twice).", j.Attempts-1))
	}
	if _, err := os.Stat(j.FilePath); err != nil {
		return true, s.endImportJob(bg, j, nil, parley.Errorf(parley.EINVALID,
			"The uploaded file is gone from this server (%s); upload it again.", filepath.Base(j.FilePath)))
	}
	if j.Attempts > 1 {
		s.log.InfoContext(ctx, "import job resumed after an interruption", "job", j.ID, "attempt", j.Attempts)
	}
	rep, err := s.runImportJob(ctx, j, o)
	switch {
	case errors.Is(err, errLeaseLost):
		s.log.WarnContext(ctx, "import job: another worker took it over", "job", j.ID)
		return true, nil
	case ctx.Err() != nil:
		// Stopping: the job goes back to the queue, and the next start
		// resumes it.
		if rerr := s.store.ReleaseImportJob(bg, j.ID, o.Owner, s.now()); rerr != nil {
			s.log.WarnContext(bg, "import job: release", "job", j.ID, "err", rerr)
		}
		return true, ctx.Err()
	}
	return true, s.endImportJob(bg, j, rep, err)
}

// errLeaseLost stops an import whose claim another worker now holds.
var errLeaseLost = errors.New("import job lease lost")

// runImportJob imports a claimed job's file while a heartbeat stores its
// progress and extends its lease.
func (s *Service) runImportJob(ctx context.Context, j *parley.ImportJob, o ImportJobOptions) (*ImportReport, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var mu sync.Mutex
	var progress ImportProgress
	if len(j.Progress) > 0 {
		_ = json.Unmarshal(j.Progress, &progress)
	}
	beat := func() {
		mu.Lock()
		p, _ := json.Marshal(progress)
		mu.Unlock()
		err := s.store.ProgressImportJob(context.WithoutCancel(ctx), j.ID, o.Owner, p, s.now(), o.Lease)
		if parley.IsCode(err, parley.ENOTFOUND) {
			cancel(errLeaseLost)
		} else if err != nil {
			s.log.WarnContext(ctx, "import job: progress", "job", j.ID, "err", err)
		}
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(o.Heartbeat)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				beat()
			}
		}
	}()
	site, err := s.store.GetSite(ctx, j.SiteID)
	if err != nil {
		return nil, err
	}
	topts := transfer.Options{}
	if len(site.Origins) > 0 {
		topts.BaseURL = site.Origins[0]
	}
	rep, err := s.Import(ctx, ImportOptions{SiteID: j.SiteID, Format: j.Format, Strict: j.Strict,
		Progress: func(p ImportProgress) {
			mu.Lock()
			progress = p
			mu.Unlock()
		}},
		func() (transfer.Decoder, func() error, error) { return transfer.Open(j.Format, j.FilePath, topts) })
	if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
		return rep, errLeaseLost
	}
	return rep, err
}

// endImportJob stores a job's outcome, logs it in the audit log and removes
// its file.
func (s *Service) endImportJob(ctx context.Context, j *parley.ImportJob, rep *ImportReport, runErr error) error {
	o := s.importOptions()
	state, msg := parley.ImportDone, ""
	if runErr != nil {
		state, msg = parley.ImportFailed, parley.ErrorMessage(runErr)
	}
	var report []byte
	if rep != nil {
		report, _ = json.Marshal(rep)
	}
	if err := s.store.FinishImportJob(ctx, j.ID, o.Owner, state, report, msg, s.now()); err != nil {
		return err // lease lost: the new holder ends it
	}
	if err := os.Remove(j.FilePath); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.WarnContext(ctx, "import job: remove upload", "job", j.ID, "err", err)
	}
	note := fmt.Sprintf("%s import of %s: %s", j.Format, j.FileName, state)
	if rep != nil {
		note += fmt.Sprintf(", %d comments imported, %d skipped, %d unchanged", rep.ImportedTotal(), rep.Skipped, rep.Unchanged)
	}
	if msg != "" {
		note += ": " + msg
	}
	if err := s.store.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(s.now()), SiteID: j.SiteID, ActorID: j.ActorID,
		ActorName: j.ActorName, Action: "import", Note: note, CreatedAt: s.now()}); err != nil {
		s.log.WarnContext(ctx, "import audit entry", "err", err)
	}
	return nil
}

// ExportSite writes a site's export (Export) for an admin of the site.
func (s *Service) ExportSite(ctx context.Context, actor *parley.User, siteID, format string, w io.Writer) (ExportSummary, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return ExportSummary{}, err
	}
	return s.Export(ctx, siteID, format, w)
}
