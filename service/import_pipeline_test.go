package service_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/transfer"
)

// An imported comment goes through the same normalize, classify and dedupe
// stages as a posted one: the same text gets the same duplicate key,
// language and scores, and the duplicate index matches the two (the import
// joins the posted comment's campaign cluster), while the import keeps its
// source's state and notifies nobody.
func TestImportRunsThePostPipelineStages(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := importService(t, db)
		const text = "The council budget vote on the new bridge and the school repairs was postponed again until the spring session"
		posted, err := svc.Post(ctx, service.Author{ClientKey: "reader-a"}, service.PostInput{SiteID: "news",
			StoryURL: "https://news.example/2026/bridge", GuestName: "Reader A", Body: text})
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "disqus.xml")
		export := `<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <thread dsq:id="t1"><link>https://news.example/2026/school</link><title>School</title><createdAt>2026-11-30T08:00:00Z</createdAt></thread>
  <post dsq:id="p1"><message><![CDATA[<p>` + text + `</p>]]></message><createdAt>2026-12-01T08:30:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><email>b@example.org</email><name>Reader B</name><isAnonymous>false</isAnonymous><username>readerb</username></author>
    <thread dsq:id="t1"/></post>
</disqus>`
		if err := os.WriteFile(file, []byte(export), 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := svc.Import(ctx, service.ImportOptions{SiteID: "news", Format: "disqus"},
			func() (transfer.Decoder, func() error, error) {
				return transfer.Open("disqus", file, transfer.Options{})
			})
		if err != nil || rep.Count("approved") != 1 {
			t.Fatalf("import: %+v %v", rep, err)
		}
		imported := byText(t, siteComments(t, db), "postponed")
		if imported.ID == posted.Comment.ID {
			t.Fatal("found the posted comment, not the imported one")
		}
		if imported.Body != posted.Comment.Body || imported.NormHash == "" || imported.NormHash != posted.Comment.NormHash {
			t.Errorf("normalize: imported %q (key %s), posted %q (key %s)", imported.Body, imported.NormHash, posted.Comment.Body, posted.Comment.NormHash)
		}
		if imported.Language != posted.Comment.Language || len(imported.Scores) == 0 || !maps.Equal(imported.Scores, posted.Comment.Scores) {
			t.Errorf("classify: imported %s %v, posted %s %v", imported.Language, imported.Scores, posted.Comment.Language, posted.Comment.Scores)
		}
		if imported.Risk != posted.Comment.Risk {
			t.Errorf("risk: imported %v, posted %v", imported.Risk, posted.Comment.Risk)
		}
		// dedupe: the index matched the imported text with the posted one.
		again, err := db.GetComment(ctx, posted.Comment.ID)
		if err != nil {
			t.Fatal(err)
		}
		if imported.ClusterID == "" || again.ClusterID != imported.ClusterID {
			t.Errorf("dedupe: imported cluster %q, posted cluster %q; want the same campaign", imported.ClusterID, again.ClusterID)
		}
		// decide and publish: the source's state, and no policy decision.
		if imported.Status != parley.StatusApproved || imported.ModeratedBy == parley.ActorPolicy {
			t.Errorf("imported comment: status %s, moderated by %q", imported.Status, imported.ModeratedBy)
		}
	})
}

// A writer that falls behind commits the batch waiting behind the one in
// hand in the same transaction: the first commit's progress report holds
// the writer back while the next batches are made, and the import still
// stores every comment with its parent and its thread, counts each comment
// once, and reports progress that only grows.
func TestImportWriterBehindMergesBatches(t *testing.T) {
	t.Parallel()
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := importService(t, db)
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">`)
		const threads, perThread = 6, 5
		for th := range threads {
			fmt.Fprintf(&b, `<thread dsq:id="t%d"><link>https://news.example/s%d</link><title>S%d</title></thread>`, th, th, th)
		}
		for th := range threads {
			for p := range perThread {
				parent := ""
				if p > 0 {
					parent = fmt.Sprintf(`<parent dsq:id="p%d-%d"/>`, th, p-1)
				}
				fmt.Fprintf(&b, `<post dsq:id="p%d-%d"><message><![CDATA[<p>comment %d of thread %d end</p>]]></message>
<createdAt>2026-12-01T08:%02d:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam>
<author><name>R%d</name><username>r%d</username></author><thread dsq:id="t%d"/>%s</post>`, th, p, p, th, th*perThread+p, p, p, th, parent)
			}
		}
		b.WriteString(`</disqus>`)
		file := writeTemp(t, b.String())
		var progress []int
		rep, err := svc.Import(ctx, service.ImportOptions{SiteID: "news", Format: "disqus", BatchSize: perThread,
			Progress: func(p service.ImportProgress) {
				if len(progress) == 0 {
					time.Sleep(300 * time.Millisecond)
				}
				progress = append(progress, p.Imported)
			}},
			func() (transfer.Decoder, func() error, error) {
				return transfer.Open("disqus", file, transfer.Options{})
			})
		if err != nil || rep.Count("approved") != threads*perThread || rep.StoriesCreated != threads {
			t.Fatalf("import: %+v %v", rep, err)
		}
		if !slices.IsSorted(progress) || progress[len(progress)-1] != threads*perThread {
			t.Errorf("progress %v, want growing to %d", progress, threads*perThread)
		}
		t.Logf("%d commits for %d batches", len(progress), threads)
		cs := siteComments(t, db)
		if len(cs) != threads*perThread {
			t.Fatalf("%d comments stored, want %d", len(cs), threads*perThread)
		}
		checkNoDanglingParents(t, cs)
		for th := range threads {
			story := byText(t, cs, fmt.Sprintf("comment 0 of thread %d end", th)).StoryID
			for p := 1; p < perThread; p++ {
				c := byText(t, cs, fmt.Sprintf("comment %d of thread %d end", p, th))
				prev := byText(t, cs, fmt.Sprintf("comment %d of thread %d end", p-1, th))
				if c.StoryID != story || c.ParentID != prev.ID {
					t.Errorf("thread %d comment %d: story %s parent %s, want %s %s", th, p, c.StoryID, c.ParentID, story, prev.ID)
				}
			}
		}
	})
}
