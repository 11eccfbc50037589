package storetest

import (
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func testPrivacy(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	old := newComment(site, story, 3, parley.StatusApproved)
	old.ClientIP, old.AuthorKey = "192.0.2.77", "ip:192.0.2.77"
	seedComment(t, db, old)
	oldEmail := newComment(site, story, 4, parley.StatusPending)
	oldEmail.ClientIP, oldEmail.AuthorKey, oldEmail.GuestEmail = "192.0.2.78", "e:a@x.example", "a@x.example"
	seedComment(t, db, oldEmail)
	recent := newComment(site, story, 10_000, parley.StatusApproved)
	recent.ClientIP, recent.AuthorKey = "192.0.2.79", "ip:192.0.2.79"
	seedComment(t, db, recent)
	must(t, db.CreateReport(ctx(), &parley.Report{ID: parley.NewID(at(5)), SiteID: site.ID, CommentID: recent.ID, ReporterKey: "ip:192.0.2.80", Reason: parley.ReasonSpam, CreatedAt: at(5)}))
	must(t, db.CreateReport(ctx(), &parley.Report{ID: parley.NewID(at(10_001)), SiteID: site.ID, CommentID: recent.ID, ReporterKey: "ip:192.0.2.81", Reason: parley.ReasonSpam, CreatedAt: at(10_001)}))

	h := &parley.Webhook{ID: parley.NewID(at(6)), SiteID: site.ID, URL: "https://h.example/", Events: []string{parley.HookCommentCreated}, Secret: "s", CreatedAt: at(6), UpdatedAt: at(6)}
	must(t, db.CreateWebhook(ctx(), h))
	for i, st := range []parley.DeliveryStatus{parley.DeliveryDelivered, parley.DeliveryPending} {
		must(t, db.CreateDelivery(ctx(), &parley.WebhookDelivery{ID: parley.NewID(at(7 + i)), SiteID: site.ID, WebhookID: h.ID, Event: parley.HookCommentCreated,
			OrderKey: "comment:" + old.ID, Body: []byte(`{"ip":"192.0.2.77"}`), Status: st, CreatedAt: at(7 + i)}))
	}
	n, err := db.DropOldAddresses(ctx(), at(1000))
	must(t, err)
	if n != 5 { // two addresses, one address key, one report key, one finished delivery
		t.Fatalf("DropOldAddresses changed %d rows, want 5", n)
	}
	if page, _, err := db.ListDeliveries(ctx(), h.ID, "", 10); err != nil || len(page) != 1 || page[0].Status != parley.DeliveryPending {
		t.Fatalf("deliveries after retention: %v %v", page, err)
	}
	for _, c := range []struct {
		id, ip, key string
	}{{old.ID, "", "anon:" + old.ID}, {oldEmail.ID, "", "e:a@x.example"}, {recent.ID, "192.0.2.79", "ip:192.0.2.79"}} {
		got, err := db.GetComment(ctx(), c.id)
		must(t, err)
		if got.ClientIP != c.ip || got.AuthorKey != c.key {
			t.Fatalf("comment %s: ip %q key %q, want %q %q", c.id, got.ClientIP, got.AuthorKey, c.ip, c.key)
		}
	}
	reps, err := db.ListReports(ctx(), recent.ID)
	must(t, err)
	if len(reps) != 2 || reps[0].ReporterKey != "anon:"+reps[0].ID || reps[1].ReporterKey != "ip:192.0.2.81" {
		t.Fatalf("reports after retention: %+v %+v", reps[0], reps[1])
	}
	if n, err := db.DropOldAddresses(ctx(), at(1000)); err != nil || n != 0 {
		t.Fatalf("second run changed %d rows (%v)", n, err)
	}

	// Privacy requests: found by token hash, used once.
	r := &parley.PrivacyRequest{ID: parley.NewID(at(20)), Kind: parley.PrivacyErase, SiteID: site.ID, Email: "a@x.example", TokenHash: "h1",
		CreatedAt: at(20), ExpiresAt: at(20).Add(time.Hour)}
	must(t, db.CreatePrivacyRequest(ctx(), r))
	got, err := db.GetPrivacyRequest(ctx(), "h1")
	must(t, err)
	if got.ID != r.ID || got.Kind != parley.PrivacyErase || got.Email != r.Email || !got.ExpiresAt.Equal(us(r.ExpiresAt)) || !got.UsedAt.IsZero() {
		t.Fatalf("privacy request %+v", got)
	}
	_, err = db.GetPrivacyRequest(ctx(), "nope")
	wantCode(t, err, parley.ENOTFOUND)
	must(t, db.UsePrivacyRequest(ctx(), r.ID, at(21)))
	wantCode(t, db.UsePrivacyRequest(ctx(), r.ID, at(22)), parley.ECONFLICT)
	wantCode(t, db.UsePrivacyRequest(ctx(), "nope", at(22)), parley.ENOTFOUND)

	page, err := db.SubjectComments(ctx(), site.ID, "A@X.example", "", "", 10)
	must(t, err)
	equalIDs(t, "subject comments", commentIDs(page), []string{oldEmail.ID})
}
