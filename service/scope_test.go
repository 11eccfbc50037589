package service_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestInQueueAgreesWithListQueue stores comments in every moderation state
// (including approved ones with a pending edit, reported ones, and ones
// with scores) and checks, view by view, that service.InQueue (the rule
// live dashboard updates use) selects exactly what the store's ListQueue
// returns on a reload.
func TestInQueueAgreesWithListQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := sqltest.OpenSQLite(t)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"s", "other"} {
		if err := db.CreateSite(ctx, &parley.Site{ID: id, Name: id, CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	story := &parley.Story{ID: parley.NewID(now), SiteID: "s", URL: "https://s.example/1", CreatedAt: now}
	if err := db.CreateStory(ctx, story); err != nil {
		t.Fatal(err)
	}
	otherStory := &parley.Story{ID: parley.NewID(now), SiteID: "other", URL: "https://o.example/1", CreatedAt: now}
	if err := db.CreateStory(ctx, otherStory); err != nil {
		t.Fatal(err)
	}
	var all []*parley.Comment
	i := 0
	for _, st := range []parley.Status{parley.StatusPending, parley.StatusApproved, parley.StatusRejected, parley.StatusSpam} {
		for _, editPending := range []bool{false, true} {
			for _, reported := range []int{0, 2} {
				for _, score := range []float64{0.1, 0.8} {
					i++
					at := now.Add(time.Duration(i) * time.Second)
					site, sid := "s", story.ID
					if i%7 == 0 {
						site, sid = "other", otherStory.ID
					}
					c := &parley.Comment{ID: parley.NewID(at), SiteID: site, StoryID: sid, Status: parley.StatusPending,
						Body: fmt.Sprint("comment ", i), HTML: "<p>x</p>", AuthorKey: fmt.Sprint("g:", i%3), AuthorName: "G", Language: "en",
						Scores: map[parley.Label]float64{parley.LabelToxic: score}, CreatedAt: at, UpdatedAt: at}
					if err := db.CreateComment(ctx, c); err != nil {
						t.Fatal(err)
					}
					c.Status, c.ReportCount = st, reported
					if st == parley.StatusApproved && editPending {
						c.EditPending, c.PendingBody, c.PendingHTML = true, "edited", "<p>edited</p>"
					}
					if err := db.UpdateComment(ctx, c); err != nil {
						t.Fatal(err)
					}
					got, err := db.GetComment(ctx, c.ID)
					if err != nil {
						t.Fatal(err)
					}
					all = append(all, got)
				}
			}
		}
	}
	views := []parley.QueueFilter{}
	views = append(views, parley.QueueFilter{SiteID: "s", Reported: true}) // the Reported tab
	for _, st := range []parley.Status{parley.StatusPending, parley.StatusApproved, parley.StatusRejected, parley.StatusSpam} {
		views = append(views, parley.QueueFilter{SiteID: "s", Status: st},
			parley.QueueFilter{SiteID: "s", Status: st, Reported: true},
			parley.QueueFilter{SiteID: "s", Status: st, Label: parley.LabelToxic},
			parley.QueueFilter{SiteID: "s", Status: st, AuthorKey: "g:1"})
	}
	for _, f := range views {
		f.Limit = 500
		listed, _, err := db.ListQueue(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for _, c := range listed {
			want = append(want, c.ID)
		}
		for _, c := range all {
			if service.InQueue(f, c) {
				got = append(got, c.ID)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Errorf("view %+v: ListQueue has %d comments, InQueue selects %d", f, len(want), len(got))
		}
	}
	// The approved view keeps an approved comment whose edit awaits review,
	// and so does the pending view.
	for _, c := range all {
		if c.SiteID == "s" && c.Status == parley.StatusApproved && c.EditPending {
			if !service.InQueue(parley.QueueFilter{SiteID: "s", Status: parley.StatusApproved}, c) || !service.InQueue(parley.QueueFilter{SiteID: "s"}, c) {
				t.Fatal("an approved comment with a pending edit is missing from the approved or the pending view")
			}
			return
		}
	}
	t.Fatal("no approved comment with a pending edit was stored")
}

// TestSessionExpiryIsTheServicesRule: the store returns a session whatever
// its age; the service refuses it from its expiry time on.
func TestSessionExpiryIsTheServicesRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	sess, secret, _, err := f.svc.Login(ctx, "mod@news.example", "long enough password", "k")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.SessionUser(ctx, secret); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(sess.ExpiresAt.Sub(f.clock.Now()) - time.Microsecond)
	if _, _, err := f.svc.SessionUser(ctx, secret); err != nil {
		t.Fatalf("a session a microsecond before expiry: %v", err)
	}
	f.clock.Add(time.Microsecond)
	if _, _, err := f.svc.SessionUser(ctx, secret); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("an expired session: %v", err)
	}
	if _, err := f.svc.BearerUser(ctx, secret); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("an expired session as a bearer token: %v", err)
	}
}
