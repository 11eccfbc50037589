package service

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/transfer"
)

// ImportJob is an import started from the dashboard, as admins see it. It
// is stored (parley.ImportJob) with its uploaded file, in chunks in the
// database, so that a worker of any instance runs it; a job whose worker
// stopped (a restart) resumes.
type ImportJob struct {
	ID        string         `json:"id"`
	SiteID    string         `json:"site_id"`
	Format    string         `json:"format"`
	FileName  string         `json:"file_name"`
	Strict    bool           `json:"strict"`
	StartedBy string         `json:"started_by"`
	State     string         `json:"state"` // uploading, queued, running, done, failed
	Size      int64          `json:"size"`  // bytes uploaded
	Attempts  int            `json:"attempts"`
	Progress  ImportProgress `json:"progress"`
	Report    *ImportReport  `json:"report,omitempty"`
	Error     string         `json:"error,omitempty"` // in English
	// ErrorText is Error in each catalog language, when it was stored so
	// (jobFailure); ErrorIn picks one.
	ErrorText  map[string]string `json:"-"`
	StartedAt  time.Time         `json:"started_at"`
	FinishedAt time.Time         `json:"finished_at,omitzero"`
}

// Import job states.
const (
	JobUploading = parley.ImportUploading
	JobQueued    = parley.ImportQueued
	JobRunning   = parley.ImportRunning
	JobDone      = parley.ImportDone
	JobFailed    = parley.ImportFailed
)

// ImportJobOptions configures dashboard imports.
type ImportJobOptions struct {
	// Dir holds the copy of an Isso upload (a database file, which
	// SQLite opens from disk) while its job runs (cmd/parley: the data
	// directory's "imports"). Other formats are read from the database as
	// they are imported. Default: "parley-imports" in the system's
	// temporary directory.
	Dir string
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

// uploadChunk is the size of the chunks an upload is stored in.
const uploadChunk = 1 << 20

// staleUpload is how long an upload may take: a job still uploading after
// it (its instance stopped mid-way) is failed and its chunks deleted.
const staleUpload = 24 * time.Hour

// StartImport stores an uploaded file in the database, a chunk at a time
// (never whole in memory), and queues its import into a site; a worker of
// any instance (RunImportJobs) runs it, and ImportJobs reports its
// progress and, at the end, its report. Admins only (EFORBIDDEN
// otherwise); EINVALID for an unknown format or an upload that did not
// arrive whole.
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
	now := s.now()
	j := &parley.ImportJob{ID: parley.NewID(now), SiteID: siteID, Format: format, FileName: fileName, Strict: strict,
		ActorID: actor.ID, ActorName: actor.Name, State: parley.ImportUploading, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateImportJob(ctx, j); err != nil {
		return nil, err
	}
	size, err := s.storeUpload(ctx, j.ID, file)
	if err == nil {
		err = s.store.QueueImportJob(ctx, j.ID, size, s.now())
	}
	if err != nil {
		if _, ferr := s.store.FailImportUploads(context.WithoutCancel(ctx), j.ID, time.Time{}, jobFailure(err), s.now()); ferr != nil {
			s.log.WarnContext(ctx, "import job: end a failed upload", "job", j.ID, "err", ferr)
		}
		return nil, err
	}
	j.State, j.UploadSize = parley.ImportQueued, size
	s.wakeImports()
	return jobView(j), nil
}

// storeUpload copies file into job id's chunks and returns its size.
func (s *Service) storeUpload(ctx context.Context, id string, file io.Reader) (int64, error) {
	buf := make([]byte, uploadChunk)
	var size int64
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(file, buf)
		if n > 0 {
			if err := s.store.AddImportUploadChunk(ctx, id, seq, buf[:n]); err != nil {
				return 0, err
			}
			size += int64(n)
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return size, nil
		case err != nil:
			return 0, parley.WrapError(parley.EINVALID, "The upload did not arrive whole.", err)
		}
	}
}

// uploadReader reads a job's upload back from the database, one chunk in
// memory at a time.
type uploadReader struct {
	ctx  context.Context
	st   parley.Store
	job  string
	size int64 // as stored when the upload completed
	read int64
	seq  int
	buf  []byte
}

func (r *uploadReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.read >= r.size {
			return 0, io.EOF
		}
		b, err := r.st.ImportUploadChunk(r.ctx, r.job, r.seq)
		if parley.IsCode(err, parley.ENOTFOUND) {
			return 0, parley.Errorf(parley.EINVALID, "The uploaded file is gone from the database (its job has ended); upload it again.")
		}
		if err != nil {
			return 0, err
		}
		r.seq++
		r.buf = b
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	r.read += int64(n)
	return n, nil
}

// openUpload opens a job's upload for its decoder. An Isso upload is a
// database file: it is copied to a file under dir first, and removed when
// the decoder is closed.
func (s *Service) openUpload(ctx context.Context, j *parley.ImportJob, dir string, o transfer.Options) (transfer.Decoder, func() error, error) {
	r := &uploadReader{ctx: ctx, st: s.store, job: j.ID, size: j.UploadSize}
	if j.Format != "isso" {
		d, err := transfer.NewDecoder(j.Format, bufio.NewReaderSize(r, 64<<10), o)
		return d, func() error { return nil }, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	f, err := os.CreateTemp(dir, j.ID+"-*.isso")
	if err != nil {
		return nil, nil, err
	}
	path := f.Name()
	_, err = io.Copy(f, r)
	if err = errors.Join(err, f.Close()); err != nil {
		os.Remove(path)
		return nil, nil, err
	}
	d, closeFn, err := transfer.Open(j.Format, path, o)
	if err != nil {
		os.Remove(path)
		return nil, nil, err
	}
	return d, func() error { return errors.Join(closeFn(), os.Remove(path)) }, nil
}

// jobView is what admins see of a stored job.
func jobView(j *parley.ImportJob) *ImportJob {
	v := &ImportJob{ID: j.ID, SiteID: j.SiteID, Format: j.Format, FileName: j.FileName, Strict: j.Strict, StartedBy: j.ActorName,
		State: j.State, Size: j.UploadSize, Attempts: j.Attempts, Error: j.Error, StartedAt: j.CreatedAt, FinishedAt: j.FinishedAt}
	if strings.HasPrefix(j.Error, "{") && json.Unmarshal([]byte(j.Error), &v.ErrorText) == nil {
		v.Error = v.ErrorText[i18n.Fallback]
	}
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
	var swept time.Time
	for {
		if now := s.now(); now.Sub(swept) >= time.Hour {
			swept = now
			if n, err := s.store.FailImportUploads(ctx, "", now.Add(-staleUpload),
				jobFailure(parley.Errorf(parley.EINVALID, "The upload did not complete (the server stopped while it arrived); upload the file again.")), now); err != nil {
				s.log.WarnContext(ctx, "import jobs: end stale uploads", "err", err)
			} else if n > 0 {
				s.log.InfoContext(ctx, "import jobs: ended uploads that did not complete", "jobs", n)
			}
		}
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
	j, err := s.store.ClaimImportJob(ctx, o.Owner, s.now(), o.Lease)
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
		func() (transfer.Decoder, func() error, error) { return s.openUpload(ctx, j, o.Dir, topts) })
	if cause := context.Cause(ctx); errors.Is(cause, errLeaseLost) {
		return rep, errLeaseLost
	}
	return rep, err
}

// endImportJob stores a job's outcome (which deletes its upload) and logs
// it in the audit log.
func (s *Service) endImportJob(ctx context.Context, j *parley.ImportJob, rep *ImportReport, runErr error) error {
	o := s.importOptions()
	state, msg := parley.ImportDone, ""
	if runErr != nil {
		state, msg = parley.ImportFailed, jobFailure(runErr)
	}
	var report []byte
	if rep != nil {
		report, _ = json.Marshal(rep)
	}
	if err := s.store.FinishImportJob(ctx, j.ID, o.Owner, state, report, msg, s.now()); err != nil {
		return err // lease lost: the new holder ends it
	}
	note := fmt.Sprintf("%s import of %s: %s", j.Format, j.FileName, state)
	if rep != nil {
		note += fmt.Sprintf(", %d comments imported, %d skipped, %d unchanged", rep.ImportedTotal(), rep.Skipped, rep.Unchanged)
	}
	if runErr != nil {
		note += ": " + parley.ErrorMessage(runErr)
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

// jobFailure is the text a failed import job is stored with: the error's
// message in every catalog language, as a JSON object, so that each admin
// reads it in their own language (ImportJob.ErrorIn). Without the catalog
// it is the English message.
func jobFailure(err error) string {
	cat, cerr := mailCatalog()
	if cerr != nil {
		return parley.ErrorMessage(err)
	}
	msgs := make(map[string]string)
	for _, l := range i18n.Languages() {
		msgs[l.Code] = cat.ErrorMessage(l.Code, err)
	}
	b, _ := json.Marshal(msgs)
	return string(b)
}

// ErrorIn returns the job's failure in lang, or in English when it was
// stored in English only (before jobFailure, or a migration's message).
func (j *ImportJob) ErrorIn(lang string) string {
	if m, ok := j.ErrorText[lang]; ok {
		return m
	}
	return j.Error
}
