package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func newImportJob(siteID string, n int, node string) *parley.ImportJob {
	return &parley.ImportJob{ID: parley.NewID(at(n)), SiteID: siteID, Format: "disqus", FileName: fmt.Sprintf("f%d.xml", n),
		FilePath: fmt.Sprintf("/data/imports/%d.upload", n), Node: node, ActorID: "u1", ActorName: "Admin", State: parley.ImportQueued,
		CreatedAt: at(n), UpdatedAt: at(n)}
}

func testImportJobs(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	a, b, other := newImportJob(site.ID, 1, "n1"), newImportJob(site.ID, 2, ""), newImportJob(site.ID, 3, "n2")
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

	// Claims take the oldest job whose file is on this node (or any node).
	c1, err := db.ClaimImportJob(ctx(), "w1", "n1", at(10), time.Minute)
	must(t, err)
	if c1.ID != a.ID || c1.State != parley.ImportRunning || c1.Attempts != 1 || c1.ClaimedBy != "w1" || !c1.LeaseUntil.Equal(us(at(10).Add(time.Minute))) {
		t.Fatalf("first claim = %+v", c1)
	}
	c2, err := db.ClaimImportJob(ctx(), "w2", "n1", at(11), time.Minute)
	must(t, err)
	if c2.ID != b.ID {
		t.Fatalf("second claim = %s, want %s (the node-less job)", c2.ID, b.ID)
	}
	// n2's job is not n1's to run, and leased jobs are not claimed again.
	_, err = db.ClaimImportJob(ctx(), "w3", "n1", at(12), time.Minute)
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
	c3, err := db.ClaimImportJob(ctx(), "w9", "n1", later, time.Minute)
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
		must(t, db.CreateImportJob(ctx(), newImportJob(site.ID, 10+i, "")))
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
				j, err := db.ClaimImportJob(ctx(), name, "n", at(100), time.Hour)
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
