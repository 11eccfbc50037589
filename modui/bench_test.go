package modui

import (
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/parley-comments/parley"
)

// BenchmarkQueue10k measures the pending queue with 10,000 pending
// comments on SQLite: the first page, a page deep in the queue (keyset
// cursor), the riskiest-first order, and the campaigns page, each one full
// HTTP request through the dashboard.
//
//	go test ./modui/ -run '^$' -bench Queue10k -benchtime 20x
func BenchmarkQueue10k(b *testing.B) {
	e := newBenchEnv(b)
	mod := e.login("mod@alpha.example")
	var body string
	// Walk 200 pages in to get a deep cursor.
	next := regexp.MustCompile(`href="([^"]*cursor=[^"]*)" rel="next"`)
	deep := ""
	path := "/moderation/s/alpha?sort=oldest"
	for i := 0; i < 200; i++ {
		_, body = mod.get(path)
		m := next.FindStringSubmatch(body)
		if m == nil {
			b.Fatalf("no next page after %d pages", i)
		}
		path = htmlUnescape(m[1])
		deep = path
	}
	for _, c := range []struct{ name, path string }{
		{"first-page", "/moderation/s/alpha"},
		{"page-200", deep},
		{"risk", "/moderation/s/alpha?sort=risk"},
		{"campaigns", "/moderation/s/alpha/campaigns"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				res, _ := mod.get(c.path)
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", c.path, res.StatusCode)
				}
			}
		})
	}
}

func htmlUnescape(s string) string { return regexp.MustCompile(`&amp;`).ReplaceAllString(s, "&") }

// newBenchEnv is newEnv with 10,000 pending comments on site alpha, written
// straight to the store in one transaction.
func newBenchEnv(b *testing.B) *env {
	e := newEnvTB(b)
	st := &parley.Story{ID: parley.NewID(time.Now()), SiteID: "alpha", URL: "https://alpha.example/big", Title: "Big story", CreatedAt: time.Now().UTC()}
	store := e.svc.Store()
	if err := store.CreateStory(e.ctx, st); err != nil {
		b.Fatal(err)
	}
	base := time.Now().UTC().Add(-10 * time.Hour).Truncate(time.Microsecond)
	err := store.InTx(e.ctx, func(tx parley.Store) error {
		for i := 0; i < 10000; i++ {
			at := base.Add(time.Duration(i) * time.Second)
			c := &parley.Comment{ID: parley.NewID(at), SiteID: "alpha", StoryID: st.ID, Status: parley.StatusPending,
				Body: fmt.Sprintf("Comment number %d about the big story.", i), HTML: "<p>…</p>", AuthorName: "Guest",
				GuestEmail: fmt.Sprintf("g%d@example.org", i%500), AuthorKey: fmt.Sprintf("e:g%d@example.org", i%500),
				Scores: map[parley.Label]float64{parley.LabelToxic: float64(i%100) / 100}, Risk: float64(i%100) / 100,
				Language: "en", CreatedAt: at, UpdatedAt: at, Version: 1}
			if i%50 == 0 {
				c.ClusterID = fmt.Sprintf("cl%03d", i%7)
			}
			if err := tx.CreateComment(e.ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return e
}
