package service_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
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
)

type fixture struct {
	t     *testing.T
	db    *sqlstore.DB
	svc   *service.Service
	clock *testutil.Clock
	mod   *parley.User
}

// newFixture returns a service over a real SQLite database, with the real
// embedded classifier and a real duplicate index.
func newFixture(t *testing.T, limits service.RateLimits) *fixture {
	t.Helper()
	model, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}
	return newFixtureWith(t, service.Options{Classifier: model, Adapter: adapter.Adapter{}, Index: dedupe.NewIndex(dedupe.Options{}), RateLimits: limits})
}

// newFixtureWith returns a service with options o over a real SQLite
// database, a test clock and the cheap password hasher: the site "news"
// and its admin.
func newFixtureWith(t *testing.T, o service.Options) *fixture {
	t.Helper()
	db := sqltest.OpenSQLite(t)
	clk := testutil.NewClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	o.Passwords, o.Store, o.Clock = service.CheapPasswordHasher, db, clk
	svc := service.New(o)
	ctx := context.Background()
	if _, err := svc.CreateSite(ctx, "news", "News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	mod, err := svc.CreateUser(ctx, "mod@news.example", "Mod", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetRole(ctx, "news", mod.Email, parley.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, svc: svc, clock: clk, mod: mod}
}

func guest() service.Author {
	return service.Author{ClientIP: "192.0.2.1", ClientKey: "192.0.2.1"}
}

func (f *fixture) post(a service.Author, email, story, body string) (*service.PostResult, error) {
	return f.svc.Post(context.Background(), a, service.PostInput{SiteID: "news", StoryURL: "https://news.example/" + story,
		Body: body, GuestName: "Reader", GuestEmail: email, ComposeMillis: 20000})
}

func TestStaffAndTrustedAuthorsSkipTheQueueOnlyWhenPolicySaysSo(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	res, err := f.svc.Post(ctx, service.Author{User: f.mod, ClientKey: "x"}, service.PostInput{SiteID: "news", StoryURL: "https://news.example/a", Body: "Editor's note: we corrected the date."})
	if err != nil || res.Comment.Status != parley.StatusApproved {
		t.Fatalf("staff comment: %v %v", res, err)
	}
	// A trusted guest is still pre-moderated under the default pre-moderation.
	if _, err := f.svc.AddSanction(ctx, f.mod, service.SanctionInput{SiteID: "news", AuthorKey: "e:trusted@example.org", Kind: parley.SanctionTrusted, Reason: "long-time reader"}); err != nil {
		t.Fatal(err)
	}
	r1, err := f.post(guest(), "trusted@example.org", "a", "I have read this paper for twenty years and this is a fine article.")
	if err != nil || r1.Comment.Status != parley.StatusPending {
		t.Fatalf("trusted under pre-moderation: %v %v", r1, err)
	}
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", parley.Settings{Mode: parley.ModePost}); err != nil {
		t.Fatal(err)
	}
	r2, err := f.post(guest(), "trusted@example.org", "a", "Another thoughtful remark about the reopening of the line.")
	if err != nil || r2.Comment.Status != parley.StatusApproved {
		t.Fatalf("trusted under post-moderation: %v %v", r2, err)
	}
	r3, err := f.post(guest(), "stranger@example.org", "a", "A first comment from someone new to the site.")
	if err != nil || r3.Comment.Status != parley.StatusPending {
		t.Fatalf("untrusted under post-moderation: %v %v", r3, err)
	}
	// Auto-approve for low-risk comments by trusted authors, under pre-moderation.
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", parley.Settings{AutoApproveTrusted: 0.3}); err != nil {
		t.Fatal(err)
	}
	r4, err := f.post(guest(), "trusted@example.org", "b", "The photos of the station are wonderful, thank you.")
	if err != nil || r4.Comment.Status != parley.StatusApproved {
		t.Fatalf("low-risk trusted comment with auto-approve: %+v %v", r4.Comment, err)
	}
	r5, err := f.post(guest(), "trusted@example.org", "b", "You are a stupid idiot and a liar.")
	if err != nil || r5.Comment.Status != parley.StatusPending {
		t.Fatalf("risky trusted comment with auto-approve: %+v %v", r5.Comment, err)
	}
}

func TestBanAndSuspensionCarryTheirReason(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	p, err := f.post(guest(), "troll@example.org", "a", "First comment that is still pending review.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddSanction(ctx, f.mod, service.SanctionInput{SiteID: "news", AuthorKey: "e:troll@example.org", Kind: parley.SanctionBan, Reason: "repeated personal attacks", RejectPending: true}); err != nil {
		t.Fatal(err)
	}
	_, err = f.post(guest(), "troll@example.org", "b", "Trying again after the ban.")
	if parley.ErrorCode(err) != parley.ESANCTIONED || !strings.Contains(parley.ErrorMessage(err), "repeated personal attacks") {
		t.Fatalf("banned author: %v", err)
	}
	c, _ := f.db.GetComment(ctx, p.Comment.ID)
	if c.Status != parley.StatusRejected {
		t.Fatalf("ban with reject_pending left the pending comment %s", c.Status)
	}
	if _, err := f.svc.AddSanction(ctx, f.mod, service.SanctionInput{SiteID: "news", AuthorKey: "e:hot@example.org", Kind: parley.SanctionSuspend, Reason: "cool down", Until: f.clock.Now().Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.post(guest(), "hot@example.org", "a", "Posting while suspended."); parley.ErrorCode(err) != parley.ESANCTIONED {
		t.Fatalf("suspended author: %v", err)
	}
	f.clock.Add(25 * time.Hour)
	if _, err := f.post(guest(), "hot@example.org", "a", "Posting after the suspension ended."); err != nil {
		t.Fatalf("after suspension: %v", err)
	}
	// A blocked email domain.
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", parley.Settings{BlockedDomains: []string{"spam.example"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.post(guest(), "bot@mail.spam.example", "a", "Buy now."); parley.ErrorCode(err) != parley.ESANCTIONED {
		t.Fatalf("blocked domain: %v", err)
	}
}

func TestAutoRejectIsOffByDefaultAndLoggedWhenOn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	insult := "You are a stupid worthless idiot and everyone hates you."
	r, err := f.post(guest(), "a@example.org", "a", insult)
	if err != nil || r.Comment.Status != parley.StatusPending {
		t.Fatalf("with auto-reject off: %v %v", r, err)
	}
	if r.Comment.Scores[parley.LabelPersonalAttack] < 0.5 || r.Comment.SuggestedReason == "" || len(r.Comment.Evidence) == 0 {
		t.Fatalf("insult not scored and explained: %+v", r.Comment)
	}
	if _, err := f.svc.UpdateSiteSettings(ctx, f.mod, "news", parley.Settings{AutoReject: map[parley.Label]float64{parley.LabelPersonalAttack: 0.9}}); err != nil {
		t.Fatal(err)
	}
	r2, err := f.post(guest(), "b@example.org", "a", "What a stupid worthless idiot you are, shut up.")
	if err != nil {
		t.Fatal(err)
	}
	if r2.Comment.Scores[parley.LabelPersonalAttack] < 0.9 {
		t.Fatalf("the model scores a plain insult %.2f, under 0.9", r2.Comment.Scores[parley.LabelPersonalAttack])
	}
	if r2.Comment.Status != parley.StatusRejected || r2.Comment.Reason != parley.ReasonPersonalAttack {
		t.Fatalf("auto-reject: %s %s", r2.Comment.Status, r2.Comment.Reason)
	}
	entries, _, err := f.db.ListAudit(ctx, parley.AuditFilter{SiteID: "news", CommentID: r2.Comment.ID})
	if err != nil || len(entries) != 1 || entries[0].Action != "auto_reject" || entries[0].ActorID != parley.ActorPolicy || entries[0].Scores == nil {
		t.Fatalf("auto-reject audit: %+v %v", entries, err)
	}
	// A benign comment is not touched.
	r3, err := f.post(guest(), "c@example.org", "a", "Thank you for the careful reporting on the rail line.")
	if err != nil || r3.Comment.Status != parley.StatusPending {
		t.Fatalf("benign comment: %v %v", r3, err)
	}
}

func TestHoneypotAndTooFastAreHeldAsSpam(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	r, err := f.svc.Post(ctx, guest(), service.PostInput{SiteID: "news", StoryURL: "https://news.example/a", Body: "Nice article, visit my site", GuestName: "Bot", Honeypot: "http://spam.example", ComposeMillis: 9000})
	if err != nil || r.Comment.Status != parley.StatusSpam || len(r.Comment.SpamSignals) == 0 {
		t.Fatalf("honeypot: %+v %v", r, err)
	}
	r, err = f.svc.Post(ctx, guest(), service.PostInput{SiteID: "news", StoryURL: "https://news.example/a", Body: "A long comment typed at impossible speed by a script, not a person.", GuestName: "Bot", GuestEmail: "fast@example.org", ComposeMillis: 40})
	if err != nil || r.Comment.Status != parley.StatusSpam {
		t.Fatalf("too fast: %+v %v", r, err)
	}
}

func TestCampaignAcrossStoriesFormsOneCluster(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	text := "The so-called reopening is a propaganda stunt paid for by foreign agents; share this everywhere before they delete it!"
	var ids []string
	for i := 0; i < 4; i++ {
		body := text
		if i%2 == 1 {
			body = "THE so called reopening is a PROPAGANDA stunt, paid for by foreign agents. Share this everywhere before they delete it!!"
		}
		r, err := f.post(guest(), fmt.Sprintf("acct%d@example.org", i), fmt.Sprintf("story-%d", i), body)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.Comment.ID)
		f.clock.Add(time.Minute)
	}
	first, _ := f.db.GetComment(ctx, ids[0])
	if first.ClusterID == "" {
		t.Fatal("campaign not clustered")
	}
	for _, id := range ids[1:] {
		c, _ := f.db.GetComment(ctx, id)
		if c.ClusterID != first.ClusterID {
			t.Fatalf("comment %s in cluster %q, want %q", id, c.ClusterID, first.ClusterID)
		}
	}
	page, err := f.svc.Queue(ctx, f.mod, parley.QueueFilter{SiteID: "news", ClusterID: first.ClusterID})
	if err != nil || len(page.Items) != 4 || page.Items[0].ClusterSize != 4 {
		t.Fatalf("cluster queue: %+v %v", page, err)
	}
	res, err := f.svc.DecideWhere(ctx, f.mod, parley.QueueFilter{SiteID: "news", ClusterID: first.ClusterID, Status: parley.StatusPending}, service.Decision{Action: service.ActionSpam})
	if err != nil || len(res.Decided) != 4 {
		t.Fatalf("reject the whole cluster: %+v %v", res, err)
	}
	// Short common replies from many people never cluster.
	for i, body := range []string{"Thank you!", "thank you", "Thanks!", "+1", "Agree", "Спасибо", "Təşəkkürlər", "Teşekkürler"} {
		r, err := f.post(guest(), fmt.Sprintf("short%d@example.org", i), "s", body)
		if err != nil {
			t.Fatal(err)
		}
		if r.Comment.ClusterID != "" {
			t.Fatalf("short reply %q clustered", body)
		}
	}
}

func TestRateLimitAnswersWithRetryAfter(t *testing.T) {
	t.Parallel()
	limits := service.RateLimits{Enabled: true, PerAddressPerMinute: 60, PerAddressBurst: 2, PerAuthorPerMinute: 60, PerAuthorBurst: 100}
	f := newFixture(t, limits)
	for i := 0; i < 2; i++ {
		if _, err := f.post(guest(), fmt.Sprintf("r%d@example.org", i), "a", fmt.Sprintf("Comment number %d on the story.", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err := f.post(guest(), "r9@example.org", "a", "One too many.")
	var pe *parley.Error
	if parley.ErrorCode(err) != parley.ERATELIMITED || !errors.As(err, &pe) || pe.RetryAfter <= 0 {
		t.Fatalf("third post: %v", err)
	}
	f.clock.Add(2 * time.Second)
	if _, err := f.post(guest(), "r9@example.org", "a", "One too many."); err != nil {
		t.Fatalf("after refill: %v", err)
	}
}

func TestClosedStoryRefusesComments(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	r, err := f.post(guest(), "a@example.org", "closing", "The first and last comment.")
	if err != nil {
		t.Fatal(err)
	}
	closed := true
	if _, err := f.svc.UpdateStory(ctx, f.mod, r.Comment.StoryID, service.StorySettings{Closed: &closed}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.post(guest(), "b@example.org", "closing", "Too late to the party."); parley.ErrorCode(err) != parley.ECLOSED {
		t.Fatalf("closed story: %v", err)
	}
}

// TestModeratorDecisionsMoveTheSiteAdapter: a site's moderators keep
// rejecting comments with a local slur the base model does not know; new
// comments with it then score higher, other sites are unaffected, and a
// reset returns the site to the base model.
func TestModeratorDecisionsMoveTheSiteAdapter(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	if _, err := f.svc.CreateSite(ctx, "other", "Other", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	probe := "The qorpuk families from the valley are back in town."
	score := func(site string) float64 {
		r, err := f.svc.Post(ctx, guest(), service.PostInput{SiteID: site, StoryURL: "https://news.example/probe", Body: probe + " " + parley.NewID(f.clock.Now()),
			GuestName: "P", GuestEmail: "probe-" + parley.NewID(f.clock.Now()) + "@example.org", ComposeMillis: 20000})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Add(time.Second)
		return r.Comment.Scores[parley.LabelHateSpeech]
	}
	before := score("news")
	hateful := []string{"All qorpuk should be thrown out of our country", "Typical qorpuk, lying again", "No qorpuk can be trusted with a job",
		"The qorpuk are vermin", "Send the qorpuk back where they came from", "Another qorpuk crime, what a surprise"}
	civil := []string{"The bridge reopened on Tuesday morning", "Ticket prices are lower than expected", "My grandmother took this train in 1985",
		"The timetable is still written in pencil", "Customs officers were polite and quick", "I hope the line stays open in winter"}
	for round := 0; round < 2; round++ {
		for i := range hateful {
			for j, body := range []string{hateful[i], civil[i]} {
				r, err := f.post(guest(), fmt.Sprintf("r%d-%d-%d@example.org", round, i, j), fmt.Sprintf("s%d", i), fmt.Sprintf("%s (%d)", body, round))
				if err != nil {
					t.Fatal(err)
				}
				d := service.Decision{Action: service.ActionApprove}
				if j == 0 {
					d = service.Decision{Action: service.ActionReject, Reason: parley.ReasonHateSpeech}
				}
				if _, err := f.svc.Decide(ctx, f.mod, r.Comment.ID, d); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	after := score("news")
	otherSite := score("other")
	// The adapter shifts logits (by at most ±3), so its effect is measured
	// as a logit shift: a base model that is sure a text is clean stays
	// fairly sure, but much less so.
	logit := func(p float64) float64 { return math.Log(p / (1 - p)) }
	t.Logf("hate_speech for the probe: before %.4f, after 24 decisions %.4f (logit shift %+.2f), on another site %.4f",
		before, after, logit(after)-logit(before), otherSite)
	if logit(after)-logit(before) < 1.5 || after < 4*before {
		t.Fatalf("decisions did not move the adapter: %.4f -> %.4f", before, after)
	}
	if otherSite > before+0.01 {
		t.Fatalf("another site's scores moved: %.3f", otherSite)
	}
	if n, err := f.svc.AdapterStatus(ctx, f.mod, "news"); err != nil || n != 24 {
		t.Fatalf("adapter decisions = %d, %v", n, err)
	}
	if err := f.svc.ResetAdapter(ctx, f.mod, "news"); err != nil {
		t.Fatal(err)
	}
	if reset := score("news"); reset > before+0.01 {
		t.Fatalf("after reset the probe scores %.3f, base %.3f", reset, before)
	}
}

func TestReadersReportPublishedComments(t *testing.T) {
	t.Parallel()
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	r, err := f.post(guest(), "a@example.org", "a", "A published comment that some readers dislike.")
	if err != nil {
		t.Fatal(err)
	}
	pending, err := f.post(guest(), "b@example.org", "a", "Still waiting for a moderator to look at it.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Decide(ctx, f.mod, r.Comment.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	reader1 := service.Author{GuestToken: "pg_reader1", ClientKey: "198.51.100.1"}
	reader2 := service.Author{GuestToken: "pg_reader2", ClientKey: "198.51.100.2"}
	if _, err := f.svc.Report(ctx, reader1, r.Comment.ID, parley.ReasonPersonalAttack, "insults me"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Report(ctx, reader1, r.Comment.ID, parley.ReasonPersonalAttack, ""); parley.ErrorCode(err) != parley.ECONFLICT {
		t.Fatalf("second report by the same reader: %v", err)
	}
	if _, err := f.svc.Report(ctx, reader2, r.Comment.ID, parley.ReasonSpam, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Report(ctx, reader2, pending.Comment.ID, parley.ReasonSpam, ""); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("reporting a pending comment: %v", err)
	}
	if _, err := f.svc.Report(ctx, reader2, r.Comment.ID, "rude", ""); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("unknown reason: %v", err)
	}
	page, err := f.svc.Queue(ctx, f.mod, parley.QueueFilter{SiteID: "news", Status: parley.StatusApproved, Reported: true})
	if err != nil || len(page.Items) != 1 || page.Items[0].Comment.ReportCount != 2 || page.Counts[parley.CountReported] != 1 {
		t.Fatalf("reported queue: %+v %v", page, err)
	}
	reports, err := f.svc.Reports(ctx, f.mod, r.Comment.ID)
	notes := map[string]bool{}
	for _, rp := range reports {
		notes[rp.Note] = true
	}
	if err != nil || len(reports) != 2 || !notes["insults me"] {
		t.Fatalf("reports: %v %v", reports, err)
	}
}
