package storetest

import (
	"bytes"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func testReports(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	c := seedComment(t, db, newComment(site, story, 3, parley.StatusApproved))
	other := seedComment(t, db, newComment(site, story, 4, parley.StatusApproved))
	r1 := &parley.Report{ID: parley.NewID(at(5)), SiteID: site.ID, CommentID: c.ID, ReporterKey: "ip:192.0.2.9", Reason: parley.ReasonPersonalAttack, Note: "rude", CreatedAt: at(5)}
	must(t, db.CreateReport(ctx(), r1))
	dup := *r1
	dup.ID = parley.NewID(at(6))
	wantCode(t, db.CreateReport(ctx(), &dup), parley.ECONFLICT)
	missing := *r1
	missing.ID, missing.CommentID, missing.ReporterKey = parley.NewID(at(7)), "01NOSUCHCOMMENTXXXXXXXXXXX", "ip:x"
	wantCode(t, db.CreateReport(ctx(), &missing), parley.ENOTFOUND)
	r2 := &parley.Report{ID: parley.NewID(at(8)), SiteID: site.ID, CommentID: c.ID, ReporterKey: "u:someone", Reason: parley.ReasonSpam, CreatedAt: at(8)}
	must(t, db.CreateReport(ctx(), r2))
	got, err := db.ListReports(ctx(), c.ID)
	must(t, err)
	want := []*parley.Report{{ID: r1.ID, SiteID: site.ID, CommentID: c.ID, ReporterKey: r1.ReporterKey, Reason: r1.Reason, Note: "rude", CreatedAt: us(r1.CreatedAt)},
		{ID: r2.ID, SiteID: site.ID, CommentID: c.ID, ReporterKey: r2.ReporterKey, Reason: r2.Reason, CreatedAt: us(r2.CreatedAt)}}
	deepEqual(t, "reports", got, want)

	// The reported queue and its count follow report_count.
	c.ReportCount = 2
	must(t, db.UpdateComment(ctx(), c))
	page, _, err := db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID, Status: parley.StatusApproved, Reported: true})
	must(t, err)
	equalIDs(t, "reported queue", commentIDs(page), []string{c.ID})
	counts, err := db.CountQueue(ctx(), site.ID)
	must(t, err)
	if counts[parley.CountReported] != 1 || counts[parley.StatusApproved] != 2 {
		t.Fatalf("counts = %v", counts)
	}
	_ = other
}

func testSiteAdapters(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	_, err := db.GetSiteAdapter(ctx(), site.ID)
	wantCode(t, err, parley.ENOTFOUND)
	state := []byte{0, 1, 2, 255, 'P', 'A', 'D'}
	must(t, db.PutSiteAdapter(ctx(), site.ID, state, at(2)))
	next := bytes.Repeat([]byte{7, 0}, 5000)
	must(t, db.InTx(ctx(), func(tx parley.Store) error {
		got, err := tx.GetSiteAdapter(ctx(), site.ID)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, state) {
			t.Errorf("state round trip: %v", got)
		}
		return tx.PutSiteAdapter(ctx(), site.ID, next, at(3))
	}))
	got, err := db.GetSiteAdapter(ctx(), site.ID)
	must(t, err)
	if !bytes.Equal(got, next) {
		t.Fatal("replaced state not read back")
	}
	wantCode(t, db.PutSiteAdapter(ctx(), "no-such-site", state, at(4)), parley.ENOTFOUND)
	must(t, db.DeleteSiteAdapter(ctx(), site.ID))
	must(t, db.DeleteSiteAdapter(ctx(), site.ID))
	_, err = db.GetSiteAdapter(ctx(), site.ID)
	wantCode(t, err, parley.ENOTFOUND)
}

func testPurge(t *testing.T, db *sqlstore.DB) {
	user := seedUser(t, db, 1)
	must(t, db.CreateSession(ctx(), &parley.Session{IDHash: "old", UserID: user.ID, CSRFToken: "c", CreatedAt: at(1), ExpiresAt: at(10)}))
	must(t, db.CreateSession(ctx(), &parley.Session{IDHash: "live", UserID: user.ID, CSRFToken: "c", CreatedAt: at(1), ExpiresAt: at(1000)}))
	must(t, db.PutIdempotencyKey(ctx(), "s|a", "old", "c1", at(5)))
	must(t, db.PutIdempotencyKey(ctx(), "s|a", "new", "c2", at(500)))
	touch := func(key string, when int) {
		t.Helper()
		must(t, db.UpdateRateBucket(ctx(), key, func(b *parley.RateBucket) error { b.Tokens, b.UpdatedAt = 4, at(when); return nil }))
	}
	touch("idle", 5)
	touch("busy", 500)
	n, err := db.Purge(ctx(), at(100), at(100), at(100))
	must(t, err)
	if n != 3 {
		t.Fatalf("purged %d rows, want 3", n)
	}
	_, err = db.GetSession(ctx(), "old")
	wantCode(t, err, parley.ENOTFOUND)
	_, err = db.GetSession(ctx(), "live")
	must(t, err)
	_, err = db.GetIdempotencyKey(ctx(), "s|a", "old")
	wantCode(t, err, parley.ENOTFOUND)
	id, err := db.GetIdempotencyKey(ctx(), "s|a", "new")
	must(t, err)
	if id != "c2" {
		t.Fatalf("kept key maps to %q", id)
	}
}
