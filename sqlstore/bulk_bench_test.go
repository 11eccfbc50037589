package sqlstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

// processCPU is the process's user+system CPU time so far: unlike wall
// time, it does not grow while the process waits for a core on a loaded
// machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkImportComments measures the store's part of an import on a
// SQLite file through the bulk connection: each op is one transaction of
// 2,000 imported comments (with their revisions and import keys) by 5,000
// authors in random order, as an import batch writes them. It reports the
// CPU per comment (cpu-µs/comment), which the machine's load does not
// inflate the way it does ns/op.
func BenchmarkImportComments(b *testing.B) {
	for _, rows := range []int{1, 32} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			defer sqlstore.SetSQLiteInsertRows(sqlstore.SetSQLiteInsertRows(rows))
			benchImportComments(b)
		})
	}
}

func benchImportComments(b *testing.B) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "parley.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	base := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	site := &parley.Site{ID: "bench", Name: "bench", CreatedAt: base}
	if err := db.CreateSite(ctx, site); err != nil {
		b.Fatal(err)
	}
	bulk, release, err := db.OpenBulk(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer release()
	const batch = 2000
	rng := rand.New(rand.NewPCG(1, 2))
	text := strings.Repeat("совет бюджет дорога школа ", 10)
	n := 0
	b.ResetTimer()
	cpu0 := processCPU()
	for range b.N {
		rows := make([]parley.ImportedComment, batch)
		story := &parley.Story{ID: parley.NewID(base.Add(time.Duration(n) * time.Second)), SiteID: site.ID,
			URL: fmt.Sprintf("https://b.example/%d", n), CreatedAt: base}
		for i := range rows {
			at := base.Add(time.Duration(n) * time.Second)
			author := rng.IntN(5000)
			c := &parley.Comment{ID: parley.NewID(at), SiteID: site.ID, StoryID: story.ID, Status: parley.StatusApproved,
				Body: text, HTML: "<p>" + text + "</p>", AuthorName: fmt.Sprintf("Reader %d", author),
				GuestEmail: fmt.Sprintf("reader%d@example.org", author), AuthorKey: fmt.Sprintf("e:reader%d@example.org", author),
				Language: "ru", Scores: map[parley.Label]float64{parley.LabelToxic: rng.Float64(), parley.LabelSpam: rng.Float64()},
				Risk: rng.Float64(), NormHash: fmt.Sprintf("%032x", rng.Uint64()), Version: 1, CreatedAt: at, UpdatedAt: at}
			rows[i] = parley.ImportedComment{Comment: c, Source: "disqus", SourceID: fmt.Sprint(n), SourceUserID: fmt.Sprint(author)}
			n++
		}
		err := bulk.InTx(ctx, func(tx parley.Store) error {
			if _, err := tx.EnsureStory(ctx, story); err != nil {
				return err
			}
			return tx.ImportComments(ctx, rows)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(n), "cpu-µs/comment")
}
