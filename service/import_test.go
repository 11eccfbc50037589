package service_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
	"github.com/parley-comments/parley/transfer"
)

var (
	modelOnce sync.Once
	model     *classify.Model
	modelErr  error
)

// importService returns a service over db with the real classifier and
// duplicate index, and a site "news".
func importService(t *testing.T, db *sqlstore.DB) *service.Service {
	t.Helper()
	modelOnce.Do(func() { model, modelErr = classify.Default() })
	if modelErr != nil {
		t.Fatal(modelErr)
	}
	clk := testutil.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	svc := service.New(service.Options{Store: db, Clock: clk, Classifier: model, Adapter: adapter.Adapter{}, Index: dedupe.NewIndex(dedupe.Options{})})
	if _, err := svc.CreateSite(context.Background(), "news", "News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	return svc
}

// bothDatabases runs fn on SQLite and on PostgreSQL.
func bothDatabases(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, sqltest.OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, sqltest.OpenPostgres(t)) })
}

func fixturePath(name string) string { return filepath.Join("..", "transfer", "testdata", name) }

func importFile(t *testing.T, svc *service.Service, format, path string, strict bool) (*service.ImportReport, error) {
	t.Helper()
	return svc.Import(context.Background(), service.ImportOptions{SiteID: "news", Format: format, Strict: strict, BatchSize: 3},
		func() (transfer.Decoder, func() error, error) {
			return transfer.Open(format, path, transfer.Options{BaseURL: "https://news.example"})
		})
}

// siteComments returns the site's comments keyed by author name + first
// words, for assertions.
func siteComments(t *testing.T, db *sqlstore.DB) []*parley.Comment {
	t.Helper()
	cs, err := db.ExportComments(context.Background(), "news", "", "", 5000)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func byText(t *testing.T, cs []*parley.Comment, substr string) *parley.Comment {
	t.Helper()
	for _, c := range cs {
		if strings.Contains(c.Body, substr) {
			return c
		}
	}
	t.Fatalf("no comment contains %q", substr)
	return nil
}

// checkNoDanglingParents fails if any comment's parent is not a comment of
// the same story.
func checkNoDanglingParents(t *testing.T, cs []*parley.Comment) {
	t.Helper()
	ids := map[string]*parley.Comment{}
	for _, c := range cs {
		ids[c.ID] = c
	}
	for _, c := range cs {
		if c.ParentID == "" {
			continue
		}
		p, ok := ids[c.ParentID]
		if !ok || p.StoryID != c.StoryID {
			t.Errorf("comment %q has a dangling parent %s", c.Body, c.ParentID)
		}
	}
}

func TestImportDisqusHardCases(t *testing.T) {
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		svc := importService(t, db)
		rep, err := importFile(t, svc, "disqus", fixturePath("disqus.xml"), false)
		if err != nil {
			t.Fatalf("import: %v", err)
		}
		if rep.Threads != 2 || rep.StoriesCreated != 2 || rep.Deleted != 1 || rep.Skipped != 2 || rep.TopLevel != 2 {
			t.Errorf("report = %+v", rep)
		}
		want := map[parley.Status]int{parley.StatusApproved: 8, parley.StatusSpam: 1, parley.StatusPending: 1}
		for st, n := range want {
			if rep.Imported[st] != n {
				t.Errorf("imported %s = %d, want %d (%v)", st, rep.Imported[st], n, rep.Imported)
			}
		}
		var lines []int
		for _, p := range rep.Problems {
			lines = append(lines, p.Line)
		}
		if len(lines) != 2 || lines[0] != 115 || lines[1] != 123 {
			t.Errorf("skipped lines = %v (%+v), want the no-ID post at 115 and the bad date at 123", lines, rep.Problems)
		}
		cs := siteComments(t, db)
		if len(cs) != 10 {
			t.Fatalf("%d comments stored, want 10", len(cs))
		}
		checkNoDanglingParents(t, cs)
		first := byText(t, cs, "First!")
		l2 := byText(t, cs, "Согласен")
		l3 := byText(t, cs, "before its parent")
		l4 := byText(t, cs, "Level four")
		l5 := byText(t, cs, "Level five")
		if l2.ParentID != first.ID || l3.ParentID != l2.ID || l4.ParentID != l3.ID || l5.ParentID != l4.ID {
			t.Errorf("nesting lost: %s<-%s<-%s<-%s<-%s", first.ParentID, l2.ParentID, l3.ParentID, l4.ParentID, l5.ParentID)
		}
		if byText(t, cs, "deleted comment").ParentID != "" || byText(t, cs, "not in the file").ParentID != "" {
			t.Error("replies to missing parents must be top-level")
		}
		if strings.Contains(first.HTML, "<script") || strings.Contains(first.HTML, "onclick") || strings.Contains(first.Body, "alert") {
			t.Errorf("unsanitized HTML: %q / body %q", first.HTML, first.Body)
		}
		if !strings.Contains(first.HTML, `rel="nofollow ugc noopener"`) || !strings.Contains(first.Body, "(https://example.org/x)") {
			t.Errorf("link: %q / body %q", first.HTML, first.Body)
		}
		if !strings.Contains(l4.Body, "café au lait Արմ") && !strings.Contains(l4.Body, "café\u00a0au\u00a0lait Արմ") {
			t.Errorf("entities: %q", l4.Body)
		}
		if first.GuestEmail != "anna@example.org" || first.AuthorKey != "e:anna@example.org" || l4.AuthorKey != first.AuthorKey {
			t.Errorf("one author across comments: %q %q %q", first.GuestEmail, first.AuthorKey, l4.AuthorKey)
		}
		if !first.CreatedAt.Equal(time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)) || first.CreatedAt.Location() != time.UTC {
			t.Errorf("time = %v", first.CreatedAt)
		}
		pend := byText(t, cs, "Waiting")
		if pend.Status != parley.StatusPending || !pend.CreatedAt.Equal(time.Date(2024, 3, 2, 5, 7, 0, 0, time.UTC)) {
			t.Errorf("pending: %s %v", pend.Status, pend.CreatedAt)
		}
		if sp := byText(t, cs, "watches"); sp.Status != parley.StatusSpam || sp.Reason != parley.ReasonSpam {
			t.Errorf("spam: %s %s", sp.Status, sp.Reason)
		}
		arm := byText(t, cs, "Երևանի")
		if arm.Language == "" || arm.Scores == nil {
			t.Errorf("not classified: %+v", arm)
		}
		st, err := db.GetStory(context.Background(), arm.StoryID)
		if err != nil || st.Title != "Երևանի բյուջե" || !st.Closed || st.URL != "https://news.example/2024/yerevan" {
			t.Errorf("story = %+v, %v", st, err)
		}
		// The queue knows the pending comment; nobody else sees it.
		q, _, err := db.ListQueue(context.Background(), parley.QueueFilter{SiteID: "news"})
		if err != nil || len(q) != 1 || q[0].ID != pend.ID {
			t.Errorf("queue = %v, %v", q, err)
		}

		// Importing the same file again changes nothing.
		rep2, err := importFile(t, svc, "disqus", fixturePath("disqus.xml"), false)
		if err != nil {
			t.Fatal(err)
		}
		if rep2.ImportedTotal() != 0 || rep2.Unchanged != 10 || rep2.StoriesCreated != 0 {
			t.Errorf("second import: %+v", rep2)
		}
		if n := len(siteComments(t, db)); n != 10 {
			t.Errorf("%d comments after the second import", n)
		}
	})
}

func TestImportEachFormat(t *testing.T) {
	gz := gzipFixture(t, "remark42.jsonl")
	isso := issoFixture(t)
	tests := []struct {
		format, path                     string
		approved, pending, spam, deleted int
		skipped, topLevel, ignored       int
		nested                           [2]string // a reply and its parent, by text
	}{
		{"wordpress", fixturePath("wordpress.xml"), 3, 1, 1, 1, 2, 1, 1, [2]string{"наконец", "Körpü"}},
		{"remark42", fixturePath("remark42.jsonl"), 4, 0, 0, 1, 2, 1, 0, [2]string{"раньше", "Ջուրը"}},
		{"remark42", gz, 4, 0, 0, 1, 2, 1, 0, [2]string{"раньше", "Ջուրը"}},
		{"commento", fixturePath("commento.json"), 2, 1, 1, 1, 2, 0, 0, [2]string{"Azərbaycan", "Учителей"}},
		{"isso", isso, 3, 1, 0, 1, 1, 1, 0, [2]string{"Ответ", "Բժիշկները"}},
	}
	for _, tt := range tests {
		t.Run(tt.format+"/"+filepath.Base(tt.path), func(t *testing.T) {
			bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
				svc := importService(t, db)
				rep, err := importFile(t, svc, tt.format, tt.path, false)
				if err != nil {
					t.Fatalf("import: %v (%+v)", err, rep)
				}
				got := [7]int{rep.Imported[parley.StatusApproved], rep.Imported[parley.StatusPending], rep.Imported[parley.StatusSpam],
					rep.Deleted, rep.Skipped, rep.TopLevel, rep.Ignored}
				want := [7]int{tt.approved, tt.pending, tt.spam, tt.deleted, tt.skipped, tt.topLevel, tt.ignored}
				if got != want {
					t.Errorf("approved, pending, spam, deleted, skipped, top-level, ignored = %v, want %v; problems %+v notices %+v", got, want, rep.Problems, rep.Notices)
				}
				cs := siteComments(t, db)
				checkNoDanglingParents(t, cs)
				reply, parent := byText(t, cs, tt.nested[0]), byText(t, cs, tt.nested[1])
				if reply.ParentID != parent.ID {
					t.Errorf("%q should reply to %q", reply.Body, parent.Body)
				}
				for _, c := range cs {
					if strings.Contains(c.HTML, "<script") || strings.Contains(c.HTML, "onerror") || strings.Contains(c.HTML, "<img") {
						t.Errorf("unsanitized: %q", c.HTML)
					}
				}
				rep2, err := importFile(t, svc, tt.format, tt.path, false)
				if err != nil || rep2.ImportedTotal() != 0 || rep2.Unchanged != rep.ImportedTotal() {
					t.Errorf("second import: %+v %v", rep2, err)
				}
			})
		})
	}
}

func gzipFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(fixturePath(name))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	p := filepath.Join(t.TempDir(), name+".gz")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// issoFixture builds an Isso database from testdata/isso.sql.
func issoFixture(t *testing.T) string {
	t.Helper()
	schema, err := os.ReadFile(fixturePath("isso.sql"))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "comments.db")
	db, err := sql.Open("sqlite", "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStrictImportCommitsNothing(t *testing.T) {
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		svc := importService(t, db)
		rep, err := importFile(t, svc, "disqus", fixturePath("disqus.xml"), true)
		if !parley.IsCode(err, parley.EINVALID) || rep == nil || rep.Committed || rep.Skipped != 2 {
			t.Fatalf("strict import: %+v, %v", rep, err)
		}
		if n := len(siteComments(t, db)); n != 0 {
			t.Errorf("%d comments committed by a failed strict import", n)
		}
		stories, _, _ := db.ListStories(context.Background(), "news", "", 10)
		if len(stories) != 0 {
			t.Errorf("%d stories committed by a failed strict import", len(stories))
		}
		// A clean file imports under --strict.
		rep, err = importFile(t, svc, "wordpress", writeTemp(t, cleanWXR), true)
		if err != nil || !rep.Committed || rep.ImportedTotal() != 2 {
			t.Errorf("clean strict import: %+v %v", rep, err)
		}
	})
}

const cleanWXR = `<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><title>T</title><link>https://news.example/t</link><wp:post_id>1</wp:post_id>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>A</wp:comment_author><wp:comment_date_gmt>2024-01-01 00:00:00</wp:comment_date_gmt><wp:comment_content>one</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>B</wp:comment_author><wp:comment_date_gmt>2024-01-01 00:01:00</wp:comment_date_gmt><wp:comment_content>two</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_parent>1</wp:comment_parent></wp:comment>
</item></channel></rss>`

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTruncatedAndWrongFiles(t *testing.T) {
	data, err := os.ReadFile(fixturePath("disqus.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(data, []byte(`<post dsq:id="1010">`)) + 40
	truncated := writeTemp(t, string(data[:cut]))
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		svc := importService(t, db)
		rep, err := importFile(t, svc, "disqus", truncated, false)
		if !parley.IsCode(err, parley.EINVALID) || !strings.Contains(err.Error(), "line 108") {
			t.Fatalf("truncated: %v", err)
		}
		if !strings.Contains(rep.Fatal, "truncated") {
			t.Errorf("fatal = %q", rep.Fatal)
		}
		cs := siteComments(t, db)
		if len(cs) != 8 || rep.ImportedTotal() != 8 {
			t.Errorf("committed %d (report %d), want the 8 valid comments before the cut", len(cs), rep.ImportedTotal())
		}
		checkNoDanglingParents(t, cs)

		// Strict: nothing.
		_, err = svc.Import(context.Background(), service.ImportOptions{SiteID: "news", Format: "disqus", Strict: true},
			func() (transfer.Decoder, func() error, error) {
				return transfer.Open("disqus", truncated, transfer.Options{})
			})
		if !parley.IsCode(err, parley.EINVALID) {
			t.Errorf("strict truncated: %v", err)
		}
		// A WordPress file given as Disqus.
		_, err = importFile(t, svc, "disqus", fixturePath("wordpress.xml"), false)
		if !parley.IsCode(err, parley.EINVALID) || !strings.Contains(err.Error(), "not a Disqus export") {
			t.Errorf("wrong format: %v", err)
		}
		// Entities declared in a DOCTYPE are refused.
		xxe := writeTemp(t, `<?xml version="1.0"?><!DOCTYPE disqus [<!ENTITY x SYSTEM "file:///etc/passwd">]><disqus>&x;</disqus>`)
		_, err = importFile(t, svc, "disqus", xxe, false)
		if !parley.IsCode(err, parley.EINVALID) || !strings.Contains(err.Error(), "entities") {
			t.Errorf("XXE: %v", err)
		}
	})
}

func TestExportImportRoundTrip(t *testing.T) {
	bothDatabases(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		svc := importService(t, db)
		for _, f := range []struct{ format, path string }{{"disqus", "disqus.xml"}, {"wordpress", "wordpress.xml"}, {"commento", "commento.json"}} {
			if _, err := importFile(t, svc, f.format, fixturePath(f.path), false); err != nil {
				t.Fatal(err)
			}
		}
		// A staff comment: its account is kept when it exists where the export goes.
		editor, err := svc.CreateUser(ctx, "editor@news.example", "Editor", "a long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRole(ctx, "news", editor.Email, parley.RoleAdmin); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Post(ctx, service.Author{User: editor, ClientKey: "x"}, service.PostInput{SiteID: "news",
			StoryURL: "https://news.example/2024/budget", Body: "Editor's note: the figures are from March."}); err != nil {
			t.Fatal(err)
		}
		var first bytes.Buffer
		sum, err := svc.Export(ctx, "news", "jsonl", &first)
		if err != nil || sum.Comments != 10+5+4+1 || !strings.Contains(first.String(), `"user_id":"`+editor.ID+`"`) {
			t.Fatalf("export: %+v %v", sum, err)
		}
		// Into an empty database of the other kind, and back out.
		var db2 *sqlstore.DB
		if db.Dialect() == sqlstore.DialectSQLite {
			db2 = sqltest.OpenPostgres(t)
		} else {
			db2 = sqltest.OpenSQLite(t)
		}
		svc2 := importService(t, db2)
		if err := db2.CreateUser(ctx, &parley.User{ID: editor.ID, Email: editor.Email, Name: editor.Name, PasswordHash: "x", CreatedAt: editor.CreatedAt}); err != nil {
			t.Fatal(err)
		}
		p := writeTemp(t, first.String())
		rep, err := importFile(t, svc2, "parley", p, true)
		if err != nil || rep.ImportedTotal() != sum.Comments {
			t.Fatalf("re-import: %+v %v", rep, err)
		}
		var second bytes.Buffer
		if _, err := svc2.Export(ctx, "news", "jsonl", &second); err != nil {
			t.Fatal(err)
		}
		if first.String() != second.String() {
			a, b := strings.Split(first.String(), "\n"), strings.Split(second.String(), "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Fatalf("line %d differs:\n%s\n%s", i+1, a[i], b[i])
				}
			}
			t.Fatalf("exports differ in length: %d vs %d lines", len(a), len(b))
		}

		// WXR out, WordPress in: the same threads.
		var wxr bytes.Buffer
		if _, err := svc.Export(ctx, "news", "wxr", &wxr); err != nil {
			t.Fatal(err)
		}
		db3 := sqltest.OpenSQLite(t)
		svc3 := importService(t, db3)
		rep, err = importFile(t, svc3, "wordpress", writeTemp(t, wxr.String()), true)
		if err != nil {
			t.Fatalf("wxr import: %v %+v", err, rep)
		}
		// Rejected comments go out as trash (deleted), the rest come back.
		if rep.ImportedTotal() != sum.Comments || rep.Threads != sum.Stories {
			t.Errorf("wxr round trip: %d comments in %d threads, want %d in %d (%+v)", rep.ImportedTotal(), rep.Threads, sum.Comments, sum.Stories, rep)
		}
		threadShape := func(db *sqlstore.DB) map[string]int {
			depth := map[string]int{}
			out := map[string]int{}
			cs, _ := db.ExportComments(ctx, "news", "", "", 5000)
			for _, c := range cs {
				if c.ParentID != "" {
					depth[c.ID] = depth[c.ParentID] + 1
				}
				out[c.Body+"|"+string(c.Status)] = depth[c.ID]
			}
			return out
		}
		a, b := threadShape(db), threadShape(db3)
		for k, v := range a {
			if b[k] != v {
				t.Errorf("%q: depth %d after the WXR round trip, want %d", k, b[k], v)
			}
		}
	})
}
