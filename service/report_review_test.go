package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// approved posts a comment and approves it.
func (f *fixture) approved(email, story, body string) *parley.Comment {
	f.t.Helper()
	f.clock.Add(time.Second)
	r, err := f.post(guest(), email, story, body)
	if err != nil {
		f.t.Fatal(err)
	}
	c, err := f.svc.Decide(context.Background(), f.mod, r.Comment.ID, service.Decision{Action: service.ActionApprove})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func reader(n int) service.Author {
	return service.Author{GuestToken: fmt.Sprintf("pg_reader%d", n), ClientKey: fmt.Sprintf("198.51.100.%d", n)}
}

func (f *fixture) report(a service.Author, id string, reason parley.Reason, note string) {
	f.t.Helper()
	f.clock.Add(time.Second)
	if _, err := f.svc.Report(context.Background(), a, id, reason, note); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) reported() *service.QueuePage {
	f.t.Helper()
	page, err := f.svc.Queue(context.Background(), f.mod, parley.QueueFilter{SiteID: "news", Reported: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return page
}

func (f *fixture) comment(id string) *parley.Comment {
	f.t.Helper()
	c, err := f.db.GetComment(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// Keeping a reported comment dismisses its reports: the count resets, the
// comment stays public and leaves the Reported queue; a rejection upholds
// them. Each queue item carries its open reports with reason and note.
func TestKeepingAReportedCommentDismissesItsReports(t *testing.T) {
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	kept := f.approved("a@example.org", "a", "A sharp but fair opinion about the budget.")
	gone := f.approved("b@example.org", "a", "Another comment that readers reported.")
	f.report(reader(1), kept.ID, parley.ReasonPersonalAttack, "insults the mayor")
	f.report(reader(2), kept.ID, parley.ReasonPersonalAttack, "")
	f.report(reader(3), kept.ID, parley.ReasonSpam, "")
	f.report(reader(1), gone.ID, parley.ReasonObscenity, "")

	page := f.reported()
	if len(page.Items) != 2 || page.Counts[parley.CountReported] != 2 {
		t.Fatalf("reported queue: %d items, counts %v", len(page.Items), page.Counts)
	}
	it := page.Items[0]
	if it.Comment.ID != kept.ID || len(it.Reports) != 3 || it.Reports[0].Note != "insults the mayor" || it.Reports[0].Reason != parley.ReasonPersonalAttack {
		t.Fatalf("first item's reports: %+v", it.Reports)
	}
	c, err := f.svc.Decide(ctx, f.mod, kept.ID, service.Decision{Action: service.ActionApprove, ExpectVersion: it.Comment.Version})
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != parley.StatusApproved || c.ReportCount != 0 {
		t.Fatalf("kept comment: status %s, %d reports", c.Status, c.ReportCount)
	}
	reports, err := f.svc.Reports(ctx, f.mod, kept.ID)
	if err != nil || len(reports) != 3 {
		t.Fatalf("reports kept for the record: %v %v", reports, err)
	}
	for _, r := range reports {
		if r.Resolution != parley.ReportDismissed || r.ResolvedBy != f.mod.ID {
			t.Fatalf("report after keeping: %+v", r)
		}
	}
	if _, err := f.svc.Decide(ctx, f.mod, gone.ID, service.Decision{Action: service.ActionReject, Reason: parley.ReasonObscenity}); err != nil {
		t.Fatal(err)
	}
	if reports, _ := f.svc.Reports(ctx, f.mod, gone.ID); reports[0].Resolution != parley.ReportUpheld {
		t.Fatalf("report after rejecting: %+v", reports[0])
	}
	if page := f.reported(); len(page.Items) != 0 || page.Counts[parley.CountReported] != 0 {
		t.Fatalf("reported queue after both decisions: %d items, counts %v", len(page.Items), page.Counts)
	}
	// A new report after the dismissal brings the comment back.
	f.report(reader(4), kept.ID, parley.ReasonOther, "still rude")
	if c := f.comment(kept.ID); c.ReportCount != 1 || c.Status != parley.StatusApproved {
		t.Fatalf("after a new report: status %s, %d reports", c.Status, c.ReportCount)
	}
}

// By default a report leaves the comment public; a site that hides after N
// reports takes it off the thread at the Nth, into the Reported queue.
func TestHideAfterReportsIsASiteSetting(t *testing.T) {
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	c := f.approved("a@example.org", "a", "An opinion many readers dislike.")
	for i := 1; i <= 3; i++ {
		f.report(reader(i), c.ID, parley.ReasonOffTopic, "")
	}
	if got := f.comment(c.ID); got.Status != parley.StatusApproved || got.ReportCount != 3 {
		t.Fatalf("default: status %s, %d reports", got.Status, got.ReportCount)
	}
	site, err := f.svc.Site(ctx, "news")
	if err != nil {
		t.Fatal(err)
	}
	s := site.Settings
	s.HideAfterReports = -1
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", s); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("negative hide_after_reports: %v", err)
	}
	s.HideAfterReports = 2
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", s); err != nil {
		t.Fatal(err)
	}
	d := f.approved("b@example.org", "a", "Another opinion readers dislike.")
	f.report(reader(1), d.ID, parley.ReasonOffTopic, "")
	if got := f.comment(d.ID); got.Status != parley.StatusApproved {
		t.Fatalf("one report of two: %s", got.Status)
	}
	f.report(reader(2), d.ID, parley.ReasonOffTopic, "")
	got := f.comment(d.ID)
	if got.Status != parley.StatusPending || got.ReportCount != 2 {
		t.Fatalf("after the second report: status %s, %d reports", got.Status, got.ReportCount)
	}
	thread, err := f.svc.Thread(ctx, reader(7), service.ThreadInput{SiteID: "news", StoryURL: "https://news.example/a"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range thread.Comments {
		if tc.ID == d.ID {
			t.Fatal("a hidden comment is still in the public thread")
		}
	}
	ids := map[string]bool{}
	for _, it := range f.reported().Items {
		ids[it.Comment.ID] = true
	}
	if !ids[d.ID] || !ids[c.ID] {
		t.Fatalf("reported queue: %v", ids)
	}
	entries, _, err := f.svc.Audit(ctx, f.mod, parley.AuditFilter{SiteID: "news", CommentID: d.ID})
	if err != nil || len(entries) == 0 || entries[0].Action != "auto_hide" || entries[0].ActorID != parley.ActorPolicy {
		t.Fatalf("audit: %+v %v", entries, err)
	}
	// Keeping it publishes it again and clears the reports.
	if got, err := f.svc.Decide(ctx, f.mod, d.ID, service.Decision{Action: service.ActionApprove}); err != nil || got.Status != parley.StatusApproved || got.ReportCount != 0 {
		t.Fatalf("keep: %+v %v", got, err)
	}
}

// Sanctioning a reporter for abuse of reporting stops their reports on the
// site and dismisses the open ones, and leaves them free to comment.
func TestSanctionReporterForAbuseOfReporting(t *testing.T) {
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	a := f.approved("a@example.org", "a", "A fine comment about the weather.")
	b := f.approved("b@example.org", "a", "Another fine comment about the rain.")
	abuser := reader(9)
	f.report(abuser, a.ID, parley.ReasonHateSpeech, "")
	f.report(abuser, b.ID, parley.ReasonHateSpeech, "")
	f.report(reader(1), b.ID, parley.ReasonOffTopic, "")
	page := f.reported()
	var rep *service.ReportView
	for _, it := range page.Items {
		if it.Comment.ID == a.ID {
			rep = it.Reports[0]
		}
	}
	if rep == nil {
		t.Fatal("no report on a")
	}
	outsider, err := f.svc.CreateUser(ctx, "other@example.org", "Other", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SanctionReporter(ctx, outsider, rep.ID, ""); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Fatalf("a non-moderator sanctions a reporter: %v", err)
	}
	if _, err := f.svc.SanctionReporter(ctx, f.mod, "01NOSUCHREPORTXXXXXXXXXXXX", ""); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("unknown report: %v", err)
	}
	sn, err := f.svc.SanctionReporter(ctx, f.mod, rep.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if sn.Kind != parley.SanctionNoReports || sn.Reason != "Abuse of reporting." {
		t.Fatalf("sanction: %+v", sn)
	}
	if got := f.comment(a.ID); got.ReportCount != 0 || got.Status != parley.StatusApproved {
		t.Fatalf("a after the sanction: %s, %d reports", got.Status, got.ReportCount)
	}
	if got := f.comment(b.ID); got.ReportCount != 1 {
		t.Fatalf("b keeps the other reader's report: %d", got.ReportCount)
	}
	page = f.reported()
	if len(page.Items) != 1 || page.Items[0].Comment.ID != b.ID || len(page.Items[0].Reports) != 1 {
		t.Fatalf("reported queue after the sanction: %d items", len(page.Items))
	}
	c := f.approved("c@example.org", "a", "A third comment.")
	if _, err := f.svc.Report(ctx, abuser, c.ID, parley.ReasonSpam, ""); parley.ErrorCode(err) != parley.ESANCTIONED {
		t.Fatalf("a sanctioned reporter reports again: %v", err)
	}
	// Sanctioning the same reporter twice adds no second sanction.
	if _, err := f.svc.SanctionReporter(ctx, f.mod, rep.ID, "again"); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.Sanctions(ctx, f.mod, "news", "")
	if err != nil || len(list) != 1 {
		t.Fatalf("sanctions: %v %v", list, err)
	}
}

func TestStoryLocaleOverridesTheSite(t *testing.T) {
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	c := f.approved("a@example.org", "hy-story", "Լավ հոդված է։")
	bad := "fr"
	if _, err := f.svc.UpdateStory(ctx, f.mod, c.StoryID, service.StorySettings{Locale: &bad}); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("unknown locale: %v", err)
	}
	hy := "hy"
	st, err := f.svc.UpdateStory(ctx, f.mod, c.StoryID, service.StorySettings{Locale: &hy})
	if err != nil || st.Locale != "hy" {
		t.Fatalf("story locale: %+v %v", st, err)
	}
	page, err := f.svc.Thread(ctx, reader(1), service.ThreadInput{SiteID: "news", StoryURL: "https://news.example/hy-story"})
	if err != nil || page.Story.Locale != "hy" {
		t.Fatalf("thread story: %+v %v", page.Story, err)
	}
}
