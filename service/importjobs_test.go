package service_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// jobInstance is one server instance's service over a shared database, with
// its own import worker name.
func jobInstance(t *testing.T, db *sqlstore.DB, clk *testutil.Clock, dir, owner string, maxAttempts int) *service.Service {
	t.Helper()
	svc := service.New(service.Options{Store: db, Clock: clk, Passwords: service.CheapPasswordHasher})
	svc.SetImportJobs(service.ImportJobOptions{Dir: dir, Owner: owner, Lease: time.Minute, Heartbeat: time.Hour, MaxAttempts: maxAttempts})
	return svc
}

type jobFixture struct {
	db         *sqlstore.DB
	clk        *testutil.Clock
	dir        string
	admin, mod *parley.User
	a, b       *service.Service // two instances
}

func newJobFixture(t *testing.T, db *sqlstore.DB, maxAttempts int) *jobFixture {
	t.Helper()
	f := &jobFixture{db: db, clk: testutil.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)), dir: t.TempDir()}
	f.a = jobInstance(t, db, f.clk, f.dir, "instance-a", maxAttempts)
	f.b = jobInstance(t, db, f.clk, f.dir, "instance-b", maxAttempts)
	f.seed(t)
	return f
}

// seed creates the site news with an admin and a moderator.
func (f *jobFixture) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if _, err := f.a.CreateSite(ctx, "news", "News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		email string
		role  parley.Role
		dst   **parley.User
	}{{"admin@news.example", parley.RoleAdmin, &f.admin}, {"mod@news.example", parley.RoleModerator, &f.mod}} {
		user, err := f.a.CreateUser(ctx, u.email, "Staff", "long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.a.SetRole(ctx, "news", u.email, u.role); err != nil {
			t.Fatal(err)
		}
		*u.dst = user
	}
}

func (f *jobFixture) start(t *testing.T, strict bool) *service.ImportJob {
	t.Helper()
	file, err := os.Open(fixturePath("disqus.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	job, err := f.a.StartImport(context.Background(), f.admin, "news", "disqus", strict, "disqus.xml", file)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != service.JobQueued {
		t.Fatalf("a new job is %q, want queued", job.State)
	}
	return job
}

func (f *jobFixture) job(t *testing.T, id string) *service.ImportJob {
	t.Helper()
	jobs, err := f.a.ImportJobs(context.Background(), f.admin, "news")
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.ID == id {
			return j
		}
	}
	t.Fatalf("job %s not listed", id)
	return nil
}

// uploadKept reports whether a job's upload is in the database.
func uploadKept(t *testing.T, db *sqlstore.DB, jobID string) bool {
	t.Helper()
	_, err := db.ImportUploadChunk(context.Background(), jobID, 0)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		t.Fatal(err)
	}
	return err == nil
}

// A dashboard import is stored with its file, run by one worker, and its
// report kept; the file is deleted when it ends.
func TestImportJobRunsOnceAndKeepsItsReport(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newJobFixture(t, db, 3)
		job := f.start(t, false)
		if !uploadKept(t, db, job.ID) || job.Size == 0 {
			t.Fatalf("the upload of job %+v is not in the database", job)
		}
		// Both instances' workers look at once: exactly one runs it.
		var wg sync.WaitGroup
		ran := make([]bool, 2)
		errs := make([]error, 2)
		for i, svc := range []*service.Service{f.a, f.b} {
			wg.Add(1)
			go func() { defer wg.Done(); ran[i], errs[i] = svc.RunNextImportJob(ctx) }()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || ran[0] == ran[1] {
			t.Fatalf("workers: ran %v, errors %v; want exactly one to run the job", ran, errs)
		}
		got := f.job(t, job.ID)
		if got.State != service.JobDone || got.Report == nil || got.Report.ImportedTotal() != 10 || got.Attempts != 1 || got.FinishedAt.IsZero() {
			t.Fatalf("job after its run: %+v", got)
		}
		if got.Progress.Imported != 10 {
			t.Errorf("progress = %+v", got.Progress)
		}
		if uploadKept(t, db, job.ID) {
			t.Error("the upload is kept after the job ended")
		}
		if ran, err := f.a.RunNextImportJob(ctx); ran || err != nil {
			t.Errorf("a finished job ran again: %v %v", ran, err)
		}
		entries, _, err := db.ListAudit(ctx, parley.AuditFilter{SiteID: "news", Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range entries {
			found = found || e.Action == "import" && strings.Contains(e.Note, "10 comments imported")
		}
		if !found {
			t.Error("no audit entry for the import")
		}
	})
}

// A job whose instance stopped mid-way (its lease runs out) is resumed by
// another instance; what was written before is not written twice.
func TestImportJobResumesAfterRestart(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newJobFixture(t, db, 3)
		job := f.start(t, false)
		// Instance a claims the job and dies after writing its comments,
		// before marking it done.
		claimed, err := db.ClaimImportJob(ctx, "instance-a", f.clk.Now(), time.Minute)
		if err != nil || claimed.ID != job.ID {
			t.Fatalf("claim: %v", err)
		}
		if _, err := importFile(t, f.a, "disqus", fixturePath("disqus.xml"), false); err != nil {
			t.Fatal(err)
		}
		if got := f.job(t, job.ID); got.State != service.JobRunning {
			t.Fatalf("state = %q, want running", got.State)
		}
		// While the lease holds, nobody else takes it.
		if ran, err := f.b.RunNextImportJob(ctx); ran || err != nil {
			t.Fatalf("a leased job was taken: %v %v", ran, err)
		}
		f.clk.Add(2 * time.Minute)
		if ran, err := f.b.RunNextImportJob(ctx); !ran || err != nil {
			t.Fatalf("the interrupted job was not resumed: %v %v", ran, err)
		}
		got := f.job(t, job.ID)
		if got.State != service.JobDone || got.Attempts != 2 || got.Report == nil || got.Report.Unchanged != 10 || got.Report.ImportedTotal() != 0 {
			t.Fatalf("resumed job: %+v (report %+v)", got, got.Report)
		}
		if n := len(siteComments(t, db)); n != 10 {
			t.Errorf("%d comments after the resumed import, want 10", n)
		}
	})
}

// A job interrupted more often than allowed fails with a message that says
// so, and is not lost.
func TestImportJobGivenUpAfterRepeatedInterruptions(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newJobFixture(t, db, 1)
		job := f.start(t, false)
		if _, err := db.ClaimImportJob(ctx, "instance-a", f.clk.Now(), time.Minute); err != nil {
			t.Fatal(err)
		}
		f.clk.Add(2 * time.Minute)
		if ran, err := f.b.RunNextImportJob(ctx); !ran || err != nil {
			t.Fatalf("run: %v %v", ran, err)
		}
		got := f.job(t, job.ID)
		if got.State != service.JobFailed || !strings.Contains(got.Error, "interrupted once") {
			t.Fatalf("job: %+v", got)
		}
		// The failure is kept in every catalog language: an Armenian
		// admin reads it in Armenian, with the count in it.
		if hy := got.ErrorIn("hy"); hy == got.Error || !strings.Contains(hy, "1") || !strings.ContainsRune(hy, 'ա') {
			t.Errorf("the failure in hy: %q (English %q)", hy, got.Error)
		}
		if uploadKept(t, db, job.ID) {
			t.Error("the upload of a job given up is kept")
		}
		if n := len(siteComments(t, db)); n != 0 {
			t.Errorf("%d comments imported by a job given up", n)
		}
	})
}

// stopOnClassify is a classifier that stops the server (cancels the
// worker's context) when the import reaches its first comment.
type stopOnClassify struct{ stop context.CancelFunc }

func (c stopOnClassify) Classify(ctx context.Context, _ string) (parley.Verdict, error) {
	c.stop()
	return parley.Verdict{}, ctx.Err()
}

// A worker that stops (shutdown) puts its job back in the queue at once,
// without counting the attempt; the next start resumes it.
func TestImportJobReleasedOnShutdown(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		f := newJobFixture(t, db, 3)
		job := f.start(t, false)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stopping := service.New(service.Options{Store: db, Clock: f.clk, Classifier: stopOnClassify{cancel}})
		stopping.SetImportJobs(service.ImportJobOptions{Dir: f.dir, Owner: "instance-c", Lease: time.Minute, Heartbeat: time.Hour})
		if ran, err := stopping.RunNextImportJob(ctx); !ran || err == nil {
			t.Fatalf("ran = %v, err = %v; want the job claimed and then stopped", ran, err)
		}
		if got := f.job(t, job.ID); got.State != service.JobQueued || got.Attempts != 0 {
			t.Fatalf("job after a stop: %+v", got)
		}
		if n := len(siteComments(t, db)); n != 0 {
			t.Fatalf("an import stopped before its first batch committed wrote %d comments", n)
		}
		if ran, err := f.b.RunNextImportJob(context.Background()); !ran || err != nil {
			t.Fatalf("run: %v %v", ran, err)
		}
		if got := f.job(t, job.ID); got.State != service.JobDone || got.Report.ImportedTotal() != 10 {
			t.Fatalf("job: %+v", got)
		}
	})
}

// Imports are for the site's admins only.
func TestImportJobsAdminOnly(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newJobFixture(t, db, 3)
		if _, err := f.a.CreateSite(ctx, "other", "Other", []string{"https://other.example"}); err != nil {
			t.Fatal(err)
		}
		_, err := f.a.StartImport(ctx, f.mod, "news", "disqus", false, "x.xml", strings.NewReader("<disqus/>"))
		if parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Errorf("moderator StartImport: %v, want EFORBIDDEN", err)
		}
		if _, err := f.a.ImportJobs(ctx, f.mod, "news"); parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Errorf("moderator ImportJobs: %v, want EFORBIDDEN", err)
		}
		if _, err := f.a.StartImport(ctx, f.admin, "other", "disqus", false, "x.xml", strings.NewReader("<disqus/>")); parley.ErrorCode(err) != parley.EFORBIDDEN {
			t.Errorf("admin of another site: %v, want EFORBIDDEN", err)
		}
		if jobs, err := f.a.ImportJobs(ctx, f.admin, "news"); err != nil || len(jobs) != 0 {
			t.Errorf("jobs after refused imports: %d (%v)", len(jobs), err)
		}
	})
}

// twoInstances opens the same database twice, as two servers would (on
// SQLite: two processes on one file; on PostgreSQL: two pools), each with
// its own service and its own local directory.
func twoInstances(t *testing.T, backend string) (dbA, dbB *sqlstore.DB, a, b *service.Service) {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "parley.db")
	if backend == "postgres" {
		dsn = sqltest.PostgresDSN(t)
	}
	open := func() *sqlstore.DB {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA = open()
	if err := dbA.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dbB = open()
	clk := testutil.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	a = jobInstance(t, dbA, clk, t.TempDir(), "instance-a", 3)
	b = jobInstance(t, dbB, clk, t.TempDir(), "instance-b", 3)
	return dbA, dbB, a, b
}

// The upload is kept in the database, so that the instance that did not
// receive it runs the job: a Disqus file of several chunks, read back as it
// is imported, and an Isso database, copied to the worker's directory.
func TestImportJobRunsOnTheInstanceThatDidNotReceiveTheUpload(t *testing.T) {
	t.Parallel()
	disqus, err := os.ReadFile(fixturePath("disqus.xml"))
	if err != nil {
		t.Fatal(err)
	}
	// Padding in an XML comment makes the file span three chunks.
	decl, rest, _ := bytes.Cut(disqus, []byte("?>"))
	big := slices.Concat(decl, []byte("?>\n<!--"), bytes.Repeat([]byte("padding "), 320<<10), []byte("-->"), rest)
	isso, err := os.ReadFile(issoFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			dbA, dbB, a, b := twoInstances(t, backend)
			f := &jobFixture{a: a, b: b}
			f.seed(t)
			admin := f.admin
			for _, up := range []struct {
				format string
				data   []byte
				want   int
			}{{"disqus", big, 10}, {"isso", isso, 4}} {
				job, err := a.StartImport(ctx, admin, "news", up.format, false, "upload", bytes.NewReader(up.data))
				if err != nil {
					t.Fatal(err)
				}
				if job.Size != int64(len(up.data)) {
					t.Fatalf("%s: job size %d, want %d", up.format, job.Size, len(up.data))
				}
				if ran, err := b.RunNextImportJob(ctx); !ran || err != nil {
					t.Fatalf("%s: instance b: ran %v, %v", up.format, ran, err)
				}
				jobs, err := b.ImportJobs(ctx, admin, "news")
				if err != nil {
					t.Fatal(err)
				}
				i := slices.IndexFunc(jobs, func(j *service.ImportJob) bool { return j.ID == job.ID })
				if i < 0 {
					t.Fatalf("%s: job not listed", up.format)
				}
				got := jobs[i]
				if got.State != service.JobDone || got.Report == nil || got.Report.ImportedTotal() != up.want {
					t.Fatalf("%s: job run by instance b: %+v (report %+v)", up.format, got, got.Report)
				}
				if uploadKept(t, dbA, job.ID) {
					t.Errorf("%s: the upload is kept after the job ended", up.format)
				}
			}
			if n := len(siteComments(t, dbB)); n != 14 {
				t.Errorf("%d comments, want 14", n)
			}
			if ran, err := a.RunNextImportJob(ctx); ran || err != nil {
				t.Errorf("instance a found a job to run: %v %v", ran, err)
			}
		})
	}
}

// brokenUpload is a request body cut off after some bytes.
type brokenUpload struct{ n int }

func (r *brokenUpload) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, errors.New("connection reset")
	}
	n := min(len(p), r.n)
	r.n -= n
	return n, nil
}

// An upload that does not arrive whole is refused, its job ends failed and
// its chunks are deleted; a job whose upload never completes (its instance
// stopped) is ended by a worker's sweep.
func TestImportUploadThatDoesNotArriveWhole(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newJobFixture(t, db, 3)
		_, err := f.a.StartImport(ctx, f.admin, "news", "disqus", false, "cut.xml", &brokenUpload{n: 3 << 20})
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Fatalf("StartImport of a cut-off upload: %v, want EINVALID", err)
		}
		jobs, err := f.a.ImportJobs(ctx, f.admin, "news")
		if err != nil || len(jobs) != 1 {
			t.Fatalf("jobs: %d (%v)", len(jobs), err)
		}
		if j := jobs[0]; j.State != service.JobFailed || !strings.Contains(j.Error, "did not arrive whole") || uploadKept(t, db, j.ID) {
			t.Fatalf("job of a cut-off upload: %+v (chunks kept: %v)", j, uploadKept(t, db, j.ID))
		}

		// An instance that stopped mid-upload leaves a job uploading; a
		// worker started a day later ends it.
		stale := &parley.ImportJob{ID: parley.NewID(f.clk.Now()), SiteID: "news", Format: "disqus", FileName: "x.xml",
			ActorID: f.admin.ID, ActorName: "Admin", State: parley.ImportUploading, CreatedAt: f.clk.Now(), UpdatedAt: f.clk.Now()}
		if err := db.CreateImportJob(ctx, stale); err != nil {
			t.Fatal(err)
		}
		if err := db.AddImportUploadChunk(ctx, stale.ID, 0, []byte("<disqus>")); err != nil {
			t.Fatal(err)
		}
		f.clk.Add(25 * time.Hour)
		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- f.b.RunImportJobs(wctx) }()
		deadline := time.Now().Add(time.Minute)
		for (f.job(t, stale.ID).State != service.JobFailed || uploadKept(t, db, stale.ID)) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if j := f.job(t, stale.ID); j.State != service.JobFailed || !strings.Contains(j.Error, "did not complete") || uploadKept(t, db, stale.ID) {
			t.Fatalf("stale upload after the sweep: %+v", j)
		}
		if ru := f.job(t, stale.ID).ErrorIn("ru"); !strings.Contains(ru, "Загрузка не завершилась") {
			t.Errorf("the sweep's failure in ru: %q", ru)
		}
	})
}
