// Command seed fills a Parley database with approved comments for the load
// benchmarks: one story with 200 comments (top-level and replies), one with
// 20, and 10,000 more spread over 500 stories. It writes through the
// parley.Store interface, so it works on SQLite and PostgreSQL alike.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/render"
	"github.com/parley-comments/parley/sqlstore"
)

func main() {
	dsn := flag.String("db", "", "database: a SQLite file path or a postgres:// URL (migrated first)")
	site := flag.String("site", "bench", "site ID to create and fill")
	extra := flag.Int("extra", 0, "approved comments to add over stories of 20 (https://bench.example/x/N), for start-up and scale tests")
	flag.Parse()
	if err := run(context.Background(), *dsn, *site, *extra); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

var words = strings.Fields(`the rail line reopening border trade families students cheaper tickets station valley
engineers customs talks history people trust neighbours road market apricots cement journey timetable weekly
peace hope fear price village city river mountain winter summer bridge news report article comment question`)

func sentence(r *rand.Rand) string {
	n := 12 + r.IntN(40)
	w := make([]string, n)
	for i := range w {
		w[i] = words[r.IntN(len(words))]
	}
	return strings.Join(w, " ") + "."
}

func run(ctx context.Context, dsn, siteID string, extra int) error {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	now := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
	if err := db.CreateSite(ctx, &parley.Site{ID: siteID, Name: "Benchmark", Origins: []string{"http://127.0.0.1", "https://bench.example"}, CreatedAt: now}); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	rd := render.New()
	seq := 0
	storyIn := func(tx parley.Store, url string, n int) error {
		st := &parley.Story{ID: parley.NewID(now), SiteID: siteID, URL: url, Title: "Story " + url, CreatedAt: now}
		{
			if err := tx.CreateStory(ctx, st); err != nil {
				return err
			}
			var ids []string
			for i := 0; i < n; i++ {
				seq++
				at := now.Add(time.Duration(seq) * time.Millisecond)
				body := sentence(r)
				c := &parley.Comment{ID: parley.NewID(at), SiteID: siteID, StoryID: st.ID, Status: parley.StatusApproved,
					Body: body, HTML: rd.HTML(body), AuthorName: fmt.Sprintf("Reader %d", r.IntN(5000)),
					AuthorKey: fmt.Sprintf("e:reader%d@example.org", seq), GuestEmail: fmt.Sprintf("reader%d@example.org", seq),
					NormHash: fmt.Sprintf("%032x", seq), CreatedAt: at, UpdatedAt: at, Version: 1, ModeratedBy: "seed", ModeratedAt: at}
				// About a third are replies to an earlier comment.
				if len(ids) > 0 && r.IntN(3) == 0 {
					c.ParentID = ids[r.IntN(len(ids))]
				}
				if err := tx.CreateComment(ctx, c); err != nil {
					return err
				}
				ids = append(ids, c.ID)
			}
			return nil
		}
	}
	story := func(url string, n int) error {
		return db.InTx(ctx, func(tx parley.Store) error { return storyIn(tx, url, n) })
	}
	if err := story("https://bench.example/big", 200); err != nil {
		return err
	}
	if err := story("https://bench.example/small", 20); err != nil {
		return err
	}
	for i := 0; i < 500; i++ {
		if err := story(fmt.Sprintf("https://bench.example/s/%d", i), 20); err != nil {
			return err
		}
	}
	// The extra comments in transactions of 500 stories each.
	for i := 0; i*20 < extra; i += 500 {
		if err := db.InTx(ctx, func(tx parley.Store) error {
			for j := i; j < i+500 && j*20 < extra; j++ {
				if err := storyIn(tx, fmt.Sprintf("https://bench.example/x/%d", j), min(20, extra-j*20)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	fmt.Printf("seeded site %s: 200 + 20 + 500×20 + %d = %d approved comments\n", siteID, extra, seq)
	return nil
}
