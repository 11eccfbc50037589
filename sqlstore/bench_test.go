package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// seedQueue stores n pending comments on one site with spread-out risks.
func seedQueue(b *testing.B, db *sqlstore.DB, n int) *parley.Site {
	site, _ := seedStory(b, db, n, func(int) (parley.Status, string) { return parley.StatusPending, "" })
	return site
}

// seedStory stores n comments on one story, with status and author user ID
// chosen by kind(i), and runs ANALYZE.
func seedStory(b *testing.B, db *sqlstore.DB, n int, kind func(i int) (parley.Status, string)) (*parley.Site, *parley.Story) {
	b.Helper()
	ctx := context.Background()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	site := &parley.Site{ID: parley.NewID(base), Name: "bench", CreatedAt: base}
	story := &parley.Story{ID: parley.NewID(base), SiteID: site.ID, URL: "https://b.example/1", CreatedAt: base}
	if err := db.CreateSite(ctx, site); err != nil {
		b.Fatal(err)
	}
	if err := db.CreateStory(ctx, story); err != nil {
		b.Fatal(err)
	}
	for start := 0; start < n; start += 1000 {
		err := db.InTx(ctx, func(tx parley.Store) error {
			for i := start; i < min(n, start+1000); i++ {
				at := base.Add(time.Duration(i) * time.Millisecond)
				st, author := kind(i)
				c := &parley.Comment{ID: parley.NewID(at), SiteID: site.ID, StoryID: story.ID, Status: st, AuthorUserID: author,
					Body: fmt.Sprintf("comment %d", i), HTML: "<p>x</p>", Risk: float64((i*7919)%1000) / 1000, CreatedAt: at, UpdatedAt: at}
				if err := tx.CreateComment(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// Let the planner see the real table size, as autovacuum/ANALYZE would.
	if _, err := db.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return site, story
}

// BenchmarkQueueDeepPage measures fetching one 50-comment page of a
// 10,000-comment pending queue, sorted by risk, from deep inside it (after
// 9,500 comments): keyset pagination makes it cost the same as page one.
func BenchmarkQueueDeepPage(b *testing.B) {
	for _, be := range sqltest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			db := be.Open(b)
			site := seedQueue(b, db, 10000)
			ctx := context.Background()
			// Walk to the page after 9,500 comments to get its cursor.
			cursor := ""
			for i := 0; i < 19; i++ {
				_, next, err := db.ListQueue(ctx, parley.QueueFilter{SiteID: site.ID, Sort: parley.SortRisk, Limit: 500, Cursor: cursor})
				if err != nil {
					b.Fatal(err)
				}
				cursor = next
			}
			for _, tc := range []struct{ name, cursor string }{{"first", ""}, {"after9500", cursor}} {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						cs, _, err := db.ListQueue(ctx, parley.QueueFilter{SiteID: site.ID, Sort: parley.SortRisk, Cursor: tc.cursor})
						if err != nil || len(cs) != 50 {
							b.Fatalf("%d comments, %v", len(cs), err)
						}
					}
				})
			}
		})
	}
}

// BenchmarkThreadDeepPage measures one 100-comment page of a 10,000-comment
// story (three quarters approved, 1% by the viewer) for a signed-in viewer,
// first page and after 7,000 comments.
func BenchmarkThreadDeepPage(b *testing.B) {
	for _, be := range sqltest.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			db := be.Open(b)
			_, story := seedStory(b, db, 10000, func(i int) (parley.Status, string) {
				st := parley.StatusApproved
				if i%4 == 0 {
					st = parley.StatusPending
				}
				if i%100 == 0 {
					return st, "viewer"
				}
				return st, "someone"
			})
			ctx := context.Background()
			q := parley.ThreadQuery{StoryID: story.ID, ViewerUserID: "viewer", Limit: 500}
			for i := 0; i < 14; i++ {
				_, next, err := db.ListThread(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				q.Cursor = next
			}
			for _, tc := range []struct{ name, cursor string }{{"first", ""}, {"after7000", q.Cursor}} {
				b.Run(tc.name, func(b *testing.B) {
					for b.Loop() {
						cs, _, err := db.ListThread(ctx, parley.ThreadQuery{StoryID: story.ID, ViewerUserID: "viewer", Cursor: tc.cursor})
						if err != nil || len(cs) != 100 {
							b.Fatalf("%d comments, %v", len(cs), err)
						}
					}
				})
			}
		})
	}
}
