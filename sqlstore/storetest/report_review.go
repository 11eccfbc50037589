package storetest

import (
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func testReportReview(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	c := seedComment(t, db, newComment(site, story, 3, parley.StatusApproved))
	hidden := seedComment(t, db, newComment(site, story, 4, parley.StatusPending))
	report := func(n int, cm *parley.Comment, key string) *parley.Report {
		r := &parley.Report{ID: parley.NewID(at(n)), SiteID: site.ID, CommentID: cm.ID, ReporterKey: key, Reason: parley.ReasonSpam, CreatedAt: at(n)}
		must(t, db.CreateReport(ctx(), r))
		return r
	}
	r1 := report(10, c, "ip:192.0.2.9")
	r2 := report(11, c, "u:abuser")
	r3 := report(12, hidden, "u:abuser")

	got, err := db.GetReport(ctx(), r1.ID)
	must(t, err)
	deepEqual(t, "GetReport", got, &parley.Report{ID: r1.ID, SiteID: site.ID, CommentID: c.ID, ReporterKey: r1.ReporterKey, Reason: parley.ReasonSpam, CreatedAt: us(r1.CreatedAt)})
	_, err = db.GetReport(ctx(), "01NOSUCHREPORTXXXXXXXXXXXX")
	wantCode(t, err, parley.ENOTFOUND)

	open, err := db.ListOpenReportsBy(ctx(), site.ID, "u:abuser")
	must(t, err)
	equalIDs(t, "open reports by a reporter", ids(open, func(r *parley.Report) string { return r.ID }), []string{r2.ID, r3.ID})

	// One report resolved; resolving it again is ENOTFOUND.
	must(t, db.ResolveReport(ctx(), r3.ID, parley.ReportAbusive, "mod1", at(20)))
	wantCode(t, db.ResolveReport(ctx(), r3.ID, parley.ReportAbusive, "mod1", at(21)), parley.ENOTFOUND)
	got, err = db.GetReport(ctx(), r3.ID)
	must(t, err)
	if got.Resolution != parley.ReportAbusive || got.ResolvedBy != "mod1" || !got.ResolvedAt.Equal(us(at(20))) {
		t.Fatalf("resolved report = %+v", got)
	}
	open, err = db.ListOpenReportsBy(ctx(), site.ID, "u:abuser")
	must(t, err)
	equalIDs(t, "open reports after one is resolved", ids(open, func(r *parley.Report) string { return r.ID }), []string{r2.ID})

	// A comment's open reports resolved at once; resolved ones are kept.
	n, err := db.ResolveReports(ctx(), c.ID, parley.ReportDismissed, "mod2", at(30))
	must(t, err)
	if n != 2 {
		t.Fatalf("ResolveReports = %d, want 2", n)
	}
	n, err = db.ResolveReports(ctx(), c.ID, parley.ReportDismissed, "mod2", at(31))
	must(t, err)
	if n != 0 {
		t.Fatalf("ResolveReports again = %d, want 0", n)
	}
	all, err := db.ListReports(ctx(), c.ID)
	must(t, err)
	for _, r := range all {
		if r.Resolution != parley.ReportDismissed || !r.ResolvedAt.Equal(us(at(30))) {
			t.Fatalf("report after ResolveReports = %+v", r)
		}
	}

	// The Reported queue without a status lists approved and hidden
	// (pending) comments with open reports, and counts them.
	c.ReportCount, hidden.ReportCount = 1, 2
	must(t, db.UpdateComment(ctx(), c))
	must(t, db.UpdateComment(ctx(), hidden))
	page, _, err := db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID, Reported: true})
	must(t, err)
	equalIDs(t, "reported queue", commentIDs(page), []string{c.ID, hidden.ID})
	counts, err := db.CountQueue(ctx(), site.ID)
	must(t, err)
	if counts[parley.CountReported] != 2 {
		t.Fatalf("reported count = %d, want 2", counts[parley.CountReported])
	}
}

func testStoryLocale(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	st := &parley.Story{ID: parley.NewID(at(2)), SiteID: site.ID, URL: "https://news.example/hy", Title: "Հոդված", Locale: "hy", CreatedAt: at(2)}
	got, err := db.EnsureStory(ctx(), st)
	must(t, err)
	if got.Locale != "hy" {
		t.Fatalf("EnsureStory locale = %q", got.Locale)
	}
	got.Locale = "tr"
	must(t, db.UpdateStory(ctx(), got))
	got, err = db.GetStory(ctx(), st.ID)
	must(t, err)
	if got.Locale != "tr" {
		t.Fatalf("after UpdateStory locale = %q", got.Locale)
	}
}
