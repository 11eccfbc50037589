package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func newImportJob(siteID string, n int, state string) *parley.ImportJob {
	return &parley.ImportJob{ID: parley.NewID(at(n)), SiteID: siteID, Format: "disqus", FileName: fmt.Sprintf("f%d.xml", n),
		UploadSize: int64(100 * n), ActorID: "u1", ActorName: "Admin", State: state, CreatedAt: at(n), UpdatedAt: at(n)}
}

func testImportJobs(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	a, b, other := newImportJob(site.ID, 1, parley.ImportQueued), newImportJob(site.ID, 2, parley.ImportQueued), newImportJob(site.ID, 3, parley.ImportUploading)
	a.Strict = true
	for _, j := range []*parley.ImportJob{a, b, other} {
		must(t, db.CreateImportJob(ctx(), j))
	}
	got, err := db.GetImportJob(ctx(), a.ID)
	must(t, err)
	want := *a
	want.CreatedAt, want.UpdatedAt = us(a.CreatedAt), us(a.UpdatedAt)
	deepEqual(t, "import job round trip", got, &want)
	_, err = db.GetImportJob(ctx(), "nope")
	wantCode(t, err, parley.ENOTFOUND)

	// Claims take the oldest queued job.
	c1, err := db.ClaimImportJob(ctx(), "w1", at(10), time.Minute)
	must(t, err)
	if c1.ID != a.ID || c1.State != parley.ImportRunning || c1.Attempts != 1 || c1.ClaimedBy != "w1" || !c1.LeaseUntil.Equal(us(at(10).Add(time.Minute))) {
		t.Fatalf("first claim = %+v", c1)
	}
	c2, err := db.ClaimImportJob(ctx(), "w2", at(11), time.Minute)
	must(t, err)
	if c2.ID != b.ID {
		t.Fatalf("second claim = %s, want %s", c2.ID, b.ID)
	}
	// A job still uploading is not claimed, nor are leased jobs.
	_, err = db.ClaimImportJob(ctx(), "w3", at(12), time.Minute)
	wantCode(t, err, parley.ENOTFOUND)

	// Progress extends the lease of the holder only.
	must(t, db.ProgressImportJob(ctx(), a.ID, "w1", []byte(`{"imported":5}`), at(20), time.Minute))
	wantCode(t, db.ProgressImportJob(ctx(), a.ID, "w2", []byte(`{}`), at(20), time.Minute), parley.ENOTFOUND)
	got, err = db.GetImportJob(ctx(), a.ID)
	must(t, err)
	if string(got.Progress) != `{"imported":5}` || !got.LeaseUntil.Equal(us(at(20).Add(time.Minute))) {
		t.Fatalf("after progress: %+v", got)
	}

	// A worker that stops without finishing (a restart) loses its job when
	// the lease runs out: another claims it, and the first can no longer
	// write to it.
	later := at(20).Add(2 * time.Minute)
	c3, err := db.ClaimImportJob(ctx(), "w9", later, time.Minute)
	must(t, err)
	if c3.ID != a.ID || c3.Attempts != 2 || c3.ClaimedBy != "w9" {
		t.Fatalf("reclaim = %+v", c3)
	}
	wantCode(t, db.FinishImportJob(ctx(), a.ID, "w1", parley.ImportDone, nil, "", later), parley.ENOTFOUND)
	must(t, db.FinishImportJob(ctx(), a.ID, "w9", parley.ImportDone, []byte(`{"threads":1}`), "", later))
	got, err = db.GetImportJob(ctx(), a.ID)
	must(t, err)
	if got.State != parley.ImportDone || string(got.Report) != `{"threads":1}` || got.ClaimedBy != "" || !got.LeaseUntil.IsZero() || !got.FinishedAt.Equal(us(later)) {
		t.Fatalf("finished = %+v", got)
	}
	wantCode(t, db.FinishImportJob(ctx(), b.ID, "w2", "weird", nil, "", later), parley.EINVALID)

	// A clean stop puts the job back without counting the attempt.
	must(t, db.ReleaseImportJob(ctx(), b.ID, "w2", later))
	got, err = db.GetImportJob(ctx(), b.ID)
	must(t, err)
	if got.State != parley.ImportQueued || got.Attempts != 0 || got.ClaimedBy != "" {
		t.Fatalf("released = %+v", got)
	}
	wantCode(t, db.FinishImportJob(ctx(), other.ID, "x", parley.ImportFailed, nil, "boom", later), parley.ENOTFOUND) // not running

	list, err := db.ListImportJobs(ctx(), site.ID, 10)
	must(t, err)
	if len(list) != 3 || list[0].ID != other.ID || list[2].ID != a.ID {
		t.Fatalf("list = %d jobs, want 3, newest first", len(list))
	}
}

// Several instances claiming at once never get the same job.
func testConcurrentImportClaims(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	const jobs, workers = 30, 6
	for i := range jobs {
		must(t, db.CreateImportJob(ctx(), newImportJob(site.ID, 10+i, parley.ImportQueued)))
	}
	var mu sync.Mutex
	owner := map[string]string{}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("w%d", w)
			for {
				j, err := db.ClaimImportJob(ctx(), name, at(100), time.Hour)
				if parley.IsCode(err, parley.ENOTFOUND) {
					return
				}
				if err != nil {
					errs[w] = err
					return
				}
				mu.Lock()
				if prev, ok := owner[j.ID]; ok {
					errs[w] = fmt.Errorf("%s claimed by %s and %s", j.ID, prev, name)
				}
				owner[j.ID] = name
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	if len(owner) != jobs {
		t.Fatalf("%d jobs claimed, want %d", len(owner), jobs)
	}
}

// An upload is stored in chunks, read back by any connection, queued once
// whole, and deleted when its job ends; an upload that never completes is
// failed by the sweep.
func testImportUploads(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	j := newImportJob(site.ID, 1, parley.ImportUploading)
	must(t, db.CreateImportJob(ctx(), j))
	chunks := [][]byte{[]byte("<disqus>\x00\xff"), make([]byte, 1<<20)}
	for i, c := range chunks {
		must(t, db.AddImportUploadChunk(ctx(), j.ID, i, c))
	}
	wantCode(t, db.AddImportUploadChunk(ctx(), "no-such-job", 0, []byte("x")), parley.ENOTFOUND)
	for i, c := range chunks {
		got, err := db.ImportUploadChunk(ctx(), j.ID, i)
		must(t, err)
		if string(got) != string(c) {
			t.Fatalf("chunk %d: %d bytes back, want %d", i, len(got), len(c))
		}
	}
	_, err := db.ImportUploadChunk(ctx(), j.ID, 2)
	wantCode(t, err, parley.ENOTFOUND)
	// Not claimable while uploading; queued with its size, then claimed.
	_, err = db.ClaimImportJob(ctx(), "w", at(5), time.Minute)
	wantCode(t, err, parley.ENOTFOUND)
	must(t, db.QueueImportJob(ctx(), j.ID, 1<<20+10, at(5)))
	wantCode(t, db.QueueImportJob(ctx(), j.ID, 1, at(5)), parley.ENOTFOUND)
	c, err := db.ClaimImportJob(ctx(), "w", at(6), time.Minute)
	must(t, err)
	if c.ID != j.ID || c.UploadSize != 1<<20+10 {
		t.Fatalf("claimed %+v", c)
	}
	must(t, db.FinishImportJob(ctx(), j.ID, "w", parley.ImportDone, nil, "", at(7)))
	_, err = db.ImportUploadChunk(ctx(), j.ID, 0)
	wantCode(t, err, parley.ENOTFOUND)

	// One upload fails by its ID; the sweep fails those uploading since
	// before its time, and keeps younger ones.
	k, old, young := newImportJob(site.ID, 2, parley.ImportUploading), newImportJob(site.ID, 3, parley.ImportUploading), newImportJob(site.ID, 9, parley.ImportUploading)
	for _, x := range []*parley.ImportJob{k, old, young} {
		must(t, db.CreateImportJob(ctx(), x))
		must(t, db.AddImportUploadChunk(ctx(), x.ID, 0, []byte("part")))
	}
	n, err := db.FailImportUploads(ctx(), k.ID, time.Time{}, "cut off", at(10))
	must(t, err)
	if n != 1 {
		t.Fatalf("failed %d uploads by ID, want 1", n)
	}
	n, err = db.FailImportUploads(ctx(), "", at(5), "never completed", at(10))
	must(t, err)
	if n != 1 {
		t.Fatalf("the sweep failed %d uploads, want 1", n)
	}
	for _, x := range []struct {
		j     *parley.ImportJob
		state string
		error string
		kept  bool
	}{{k, parley.ImportFailed, "cut off", false}, {old, parley.ImportFailed, "never completed", false}, {young, parley.ImportUploading, "", true}} {
		got, err := db.GetImportJob(ctx(), x.j.ID)
		must(t, err)
		if got.State != x.state || got.Error != x.error || (x.state == parley.ImportFailed) != !got.FinishedAt.IsZero() {
			t.Errorf("job %s: %+v, want %s %q", x.j.FileName, got, x.state, x.error)
		}
		_, err = db.ImportUploadChunk(ctx(), x.j.ID, 0)
		if (err == nil) != x.kept {
			t.Errorf("job %s: chunk read: %v, want kept %v", x.j.FileName, err, x.kept)
		}
	}
}
