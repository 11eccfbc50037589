package service_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestFirstCommentsOnANewStoryAllSucceed posts 120 comments at once on a
// story that does not exist yet, on both databases and, on PostgreSQL,
// through two service instances with their own pools: every one is stored,
// all on one story.
func TestFirstCommentsOnANewStoryAllSucceed(t *testing.T) {
	t.Parallel()
	for _, b := range []struct {
		name string
		open func(t *testing.T) []parley.Store
	}{
		{"sqlite", func(t *testing.T) []parley.Store { return []parley.Store{sqltest.OpenSQLite(t)} }},
		{"postgres", func(t *testing.T) []parley.Store {
			dsn := sqltest.PostgresDSN(t)
			var out []parley.Store
			for range 2 {
				db, err := sqlstore.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				out = append(out, db)
			}
			if err := out[0].(*sqlstore.DB).Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			return out
		}},
	} {
		t.Run(b.name, func(t *testing.T) {
			stores := b.open(t)
			clk := testutil.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
			var svcs []*service.Service
			for _, st := range stores {
				svcs = append(svcs, service.New(service.Options{Store: st, Clock: clk}))
			}
			ctx := context.Background()
			if _, err := svcs[0].CreateSite(ctx, "news", "News", []string{"https://news.example"}); err != nil {
				t.Fatal(err)
			}
			const n = 120
			errs := make([]error, n)
			stories := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					res, err := svcs[i%len(svcs)].Post(ctx, service.Author{ClientKey: fmt.Sprint("198.51.100.", i)}, service.PostInput{
						SiteID: "news", StoryURL: "https://news.example/2026/breaking", StoryTitle: "Breaking",
						Body: fmt.Sprintf("First reaction number %d to the breaking news.", i), GuestName: "Reader"})
					errs[i] = err
					if err == nil {
						stories[i] = res.Comment.StoryID
					}
				}()
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("post %d: %v (HTTP %d)", i, err, parley.HTTPStatus(parley.ErrorCode(err)))
				}
				if stories[i] != stories[0] {
					t.Fatalf("post %d on story %s, post 0 on %s", i, stories[i], stories[0])
				}
			}
		})
	}
}

// TestEditsRunTheWholePipeline: an edit gets the link check and the site's
// automatic decisions, like a post.
func TestEditsRunTheWholePipeline(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	a := guest()
	a.GuestToken = service.NewGuestToken()
	r, err := f.svc.Post(ctx, a, service.PostInput{SiteID: "news", StoryURL: "https://news.example/e", GuestName: "Reader",
		Body: "A calm remark about the budget, with no links at all.", ComposeMillis: 20000})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Edit(ctx, a, r.Comment.ID, "Buy now: https://a.example https://b.example https://c.example https://d.example https://e.example")
	if err != nil {
		t.Fatal(err)
	}
	if !hasSignal(c, "links") {
		t.Fatalf("an edit to five links got no links signal: %+v", c.SpamSignals)
	}
	// Editing the links away removes the signal again.
	if c, err = f.svc.Edit(ctx, a, r.Comment.ID, "A calm remark about the budget, corrected."); err != nil || hasSignal(c, "links") {
		t.Fatalf("links signal after the links were removed: %+v %v", c, err)
	}

	// The site's auto-reject applies to an edit.
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", parley.Settings{AutoReject: map[parley.Label]float64{parley.LabelPersonalAttack: 0.9}}); err != nil {
		t.Fatal(err)
	}
	c, err = f.svc.Edit(ctx, a, r.Comment.ID, "What a stupid worthless idiot you are, shut up.")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != parley.StatusRejected || c.Reason != parley.ReasonPersonalAttack || c.ModeratedBy != parley.ActorPolicy {
		t.Fatalf("an insulting edit was not auto-rejected: %s %s by %q", c.Status, c.Reason, c.ModeratedBy)
	}
	audit, _, err := f.svc.Audit(ctx, f.mod, parley.AuditFilter{SiteID: "news", CommentID: c.ID})
	if err != nil || !slices.ContainsFunc(audit, func(e *parley.AuditEntry) bool { return e.Action == "auto_reject" }) {
		t.Fatalf("no auto_reject audit entry for the edit: %+v %v", audit, err)
	}

	// Staff edits are approved at once, as staff posts are.
	staff := service.Author{User: f.mod, ClientKey: "x"}
	sr, err := f.svc.Post(ctx, staff, service.PostInput{SiteID: "news", StoryURL: "https://news.example/e", Body: "Editor's note: the date was wrong."})
	if err != nil || sr.Comment.Status != parley.StatusApproved {
		t.Fatalf("staff post: %v %v", sr, err)
	}
	c, err = f.svc.Edit(ctx, staff, sr.Comment.ID, "Editor's note: the date was wrong; it is 27 November.")
	if err != nil || c.Status != parley.StatusApproved || c.EditPending || c.Body != "Editor's note: the date was wrong; it is 27 November." {
		t.Fatalf("staff edit: %+v %v", c, err)
	}
}

func hasSignal(c *parley.Comment, kind string) bool {
	for _, s := range c.SpamSignals {
		if s.Kind == kind {
			return true
		}
	}
	return false
}

// TestCommentsOfWhichNothingShowsAreRefused: a body that renders to nothing
// (an HTML block) is a clear 422, not an empty published comment.
func TestCommentsOfWhichNothingShowsAreRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	for _, body := range []string{"<div>\nHello there, this is hidden", "<script>alert(1)</script>", "<!-- nothing -->", "<p>\n\n</p>"} {
		_, err := f.post(guest(), "", "empty", body)
		if !parley.IsCode(err, parley.EINVALID) || parley.HTTPStatus(parley.ErrorCode(err)) != http.StatusUnprocessableEntity {
			t.Errorf("%q: got %v, want a 422 invalid", body, err)
		}
	}
	// Markdown that shows something is fine.
	if _, err := f.post(guest(), "", "empty", "**bold** <b>and</b> text"); err != nil {
		t.Fatal(err)
	}
}

// TestLetterlessCommentsAreNeverDuplicates: two different emoji-only
// comments by one author are two comments, not a duplicate.
func TestLetterlessCommentsAreNeverDuplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	for _, body := range []string{"👍👍👍", "🎉", "!!!", "👍👍👍"} {
		if _, err := f.post(guest(), "fan@example.org", "emoji", body); err != nil {
			t.Fatalf("%q: %v", body, err)
		}
	}
	// Text is still checked.
	if _, err := f.post(guest(), "fan@example.org", "emoji", "Same words twice."); err != nil {
		t.Fatal(err)
	}
	if _, err := f.post(guest(), "fan@example.org", "emoji", "Same words twice."); !parley.IsCode(err, parley.EDUPLICATE) {
		t.Fatalf("a repeated text: %v, want duplicate", err)
	}
}

// TestRevisionsStartWithThePostedText: a comment never edited has one
// revision, itself (a post stores none); its first edit stores the posted
// text first, so the history lists every version, oldest first.
func TestRevisionsStartWithThePostedText(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	a := guest()
	a.GuestToken = service.NewGuestToken()
	r, err := f.svc.Post(ctx, a, service.PostInput{SiteID: "news", StoryURL: "https://news.example/r", GuestName: "Reader",
		Body: "The first version of a remark about the budget.", ComposeMillis: 20000})
	if err != nil {
		t.Fatal(err)
	}
	texts := func() []string {
		t.Helper()
		d, err := f.svc.CommentDetail(ctx, f.mod, r.Comment.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, rv := range d.Revisions {
			if rv.CommentID != r.Comment.ID || rv.HTML == "" {
				t.Fatalf("revision %+v", rv)
			}
			out = append(out, rv.Body)
		}
		return out
	}
	if got := texts(); !slices.Equal(got, []string{"The first version of a remark about the budget."}) {
		t.Fatalf("revisions of a comment never edited: %q", got)
	}
	for _, body := range []string{"The second version of a remark about the budget.", "The third version of a remark about the budget."} {
		f.clock.Add(time.Minute)
		if _, err := f.svc.Edit(ctx, a, r.Comment.ID, body); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"The first version of a remark about the budget.", "The second version of a remark about the budget.", "The third version of a remark about the budget."}
	if got := texts(); !slices.Equal(got, want) {
		t.Fatalf("revisions after two edits: %q, want %q", got, want)
	}
}
