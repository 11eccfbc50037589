package storetest

import (
	"sync"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

// testEnsureStory: 120 concurrent first comments' EnsureStory calls for one
// URL all succeed and agree on one story; an existing story is returned
// unchanged; an unknown site is ENOTFOUND.
func testEnsureStory(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	const n = 120
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := db.EnsureStory(ctx(), &parley.Story{ID: parley.NewID(at(10 + i)), SiteID: site.ID,
				URL: "https://news.example/hot", Title: "Hot", CreatedAt: at(10 + i)})
			errs[i] = err
			if err == nil {
				ids[i] = st.ID
			}
		}()
	}
	wg.Wait()
	for i := range n {
		must(t, errs[i])
		if ids[i] != ids[0] {
			t.Fatalf("call %d got story %s, call 0 got %s", i, ids[i], ids[0])
		}
	}
	got, err := db.EnsureStory(ctx(), &parley.Story{ID: parley.NewID(at(500)), SiteID: site.ID, URL: "https://news.example/hot",
		Title: "Renamed", CreatedAt: at(500)})
	must(t, err)
	if got.ID != ids[0] || got.Title != "Hot" {
		t.Fatalf("existing story: got %s %q, want %s \"Hot\"", got.ID, got.Title, ids[0])
	}
	// Locked round-trips through UpdateStory.
	got.Locked, got.Title = true, "Confirmed"
	must(t, db.UpdateStory(ctx(), got))
	if again, err := db.GetStory(ctx(), got.ID); err != nil || !again.Locked || again.Title != "Confirmed" {
		t.Fatalf("locked story read back as %+v, %v", again, err)
	}
	_, err = db.EnsureStory(ctx(), &parley.Story{ID: parley.NewID(at(501)), SiteID: "missing", URL: "u", CreatedAt: at(501)})
	wantCode(t, err, parley.ENOTFOUND)
}
