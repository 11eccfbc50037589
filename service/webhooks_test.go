package service_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

func ptr[T any](v T) *T { return &v }

// hookBodies returns the event names and bodies of a hook's deliveries,
// oldest first.
func hookBodies(t *testing.T, f *fixture, hookID string) ([]string, []string) {
	t.Helper()
	list, _, err := f.svc.WebhookDeliveries(context.Background(), f.mod, "news", hookID, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	var events, bodies []string
	for i := len(list) - 1; i >= 0; i-- {
		events = append(events, list[i].Event)
		bodies = append(bodies, string(list[i].Body))
	}
	return events, bodies
}

// TestPublicWebhooksNeverSeePrivateData walks every event (every path
// that emits one) and checks that a public-facing hook never receives
// pending or rejected text, an email, an address, an author key, a
// moderator note, a report note or a sanction reason, while a
// moderator-facing hook on the same site receives all of them.
func TestPublicWebhooksNeverSeePrivateData(t *testing.T) {
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	pub, mods := f.twoHooks()
	author := service.Author{ClientIP: "203.0.113.77", ClientKey: "203.0.113.77", GuestToken: "pg_secret_reader_token"}
	post := func(body string) *parley.Comment {
		t.Helper()
		f.clock.Add(time.Millisecond)
		res, err := f.svc.Post(ctx, author, service.PostInput{SiteID: "news", StoryURL: "https://news.example/hooks", Body: body,
			GuestName: "Reader Name", GuestEmail: "secret.reader@example.org", ComposeMillis: 20000})
		if err != nil {
			t.Fatal(err)
		}
		return res.Comment
	}
	decide := func(id, action string, reason parley.Reason, note string) {
		t.Helper()
		f.clock.Add(time.Millisecond)
		if _, err := f.svc.Decide(ctx, f.mod, id, service.Decision{Action: action, Reason: reason, Note: note}); err != nil {
			t.Fatal(err)
		}
	}
	edit := func(id, body string) {
		t.Helper()
		f.clock.Add(time.Millisecond)
		if _, err := f.svc.Edit(ctx, author, id, body); err != nil {
			t.Fatal(err)
		}
	}

	// A: pending, edited while pending, rejected: public hooks hear nothing.
	a := post("Pendingtext alpha about the budget vote in the council.")
	edit(a.ID, "Pendingtext beta, a rewrite about the council budget.")
	decide(a.ID, service.ActionReject, parley.ReasonOffTopic, "Modnote private remark")
	// B: approved, reported, its edit approved: all public.
	b := post("Approvedtext bravo on the new tram line schedule.")
	decide(b.ID, service.ActionApprove, "", "")
	f.clock.Add(time.Millisecond)
	if _, err := f.svc.Report(ctx, service.Author{GuestToken: "pg_other", ClientKey: "198.51.100.9"}, b.ID, parley.ReasonSpam, "Reportnote from a reader"); err != nil {
		t.Fatal(err)
	}
	edit(b.ID, "Approvededit bravo two, the tram line schedule revisited.")
	decide(b.ID, service.ActionApprove, "", "")
	// C: approved, then an edit that is rejected with the comment: public
	// hooks hear that it was withdrawn, never the edit's text.
	c := post("Approvedtext charlie about the river cleanup volunteers.")
	decide(c.ID, service.ActionApprove, "", "")
	edit(c.ID, "Pendingedit charlie, something the moderators refused.")
	decide(c.ID, service.ActionReject, parley.ReasonPersonalAttack, "")
	// D: held as spam at once.
	d := post("Spamtext delta visit my shop for cheap watches now.")
	decide(d.ID, service.ActionSpam, "", "")
	// A sanction on the author.
	f.clock.Add(time.Millisecond)
	if _, err := f.svc.AddSanction(ctx, f.mod, service.SanctionInput{SiteID: "news", AuthorKey: "e:secret.reader@example.org", Kind: parley.SanctionPremod, Reason: "Sanctionreason repeated insults"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(time.Millisecond)
	if _, err := f.svc.SendTestEvent(ctx, f.mod, "news", pub.ID); err != nil {
		t.Fatal(err)
	}

	secrets := []string{"secret.reader@example.org", "203.0.113.77", "Pendingtext", "Pendingedit", "Modnote", "Reportnote", "Sanctionreason",
		"Spamtext", "e:secret", "pending_text", "client_ip", "pg_secret", service.HashSecret(author.GuestToken)}
	pubEvents, pubBodies := hookBodies(t, f, pub.ID)
	for i, body := range pubBodies {
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("public delivery %d (%s) contains %q:\n%s", i, pubEvents[i], s, body)
			}
		}
		var env map[string]any
		if err := json.Unmarshal([]byte(body), &env); err != nil || env["audience"] != "public" {
			t.Fatalf("public delivery %d: %v %v", i, env["audience"], err)
		}
	}
	wantPub := []string{"comment.approved", "comment.reported", "comment.approved", "comment.edited", "comment.approved", "comment.rejected", "user.sanctioned", "test"}
	if !slices.Equal(pubEvents, wantPub) {
		t.Fatalf("public events %v, want %v", pubEvents, wantPub)
	}
	if !strings.Contains(pubBodies[3], "Approvededit bravo two") || !strings.Contains(pubBodies[2], `"edit_approved":true`) {
		t.Fatalf("the approved edit is missing from the public deliveries: %s", pubBodies[3])
	}
	if strings.Contains(pubBodies[5], "charlie") || !strings.Contains(pubBodies[5], `"status":"rejected"`) {
		t.Fatalf("withdrawal of C: %s", pubBodies[5])
	}

	// The moderator-facing hook gets everything, so the checks above can fail.
	modEvents, modBodies := hookBodies(t, f, mods.ID)
	joined := strings.Join(modBodies, "\n")
	for _, s := range secrets[:8] {
		if !strings.Contains(joined, s) {
			t.Errorf("moderator-facing deliveries lack %q", s)
		}
	}
	wantMod := []string{"comment.created", "comment.edited", "comment.rejected", "comment.created", "comment.approved", "comment.reported",
		"comment.edited", "comment.approved", "comment.created", "comment.approved", "comment.edited", "comment.rejected", "comment.created",
		"comment.rejected", "user.sanctioned"}
	if !slices.Equal(modEvents, wantMod) {
		t.Fatalf("moderator events %v, want %v", modEvents, wantMod)
	}
}

func TestWebhookAdministration(t *testing.T) {
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	reader, err := f.svc.CreateUser(ctx, "reader@news.example", "Reader", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	moderator, err := f.svc.CreateUser(ctx, "m2@news.example", "Second", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRole(ctx, "news", moderator.Email, parley.RoleModerator); err != nil {
		t.Fatal(err)
	}
	ev := []string{parley.HookCommentApproved}
	for _, u := range []*parley.User{nil, reader, moderator} {
		if _, err := f.svc.CreateWebhook(ctx, u, "news", service.WebhookInput{URL: ptr("https://x.example/"), Events: &ev}); err == nil {
			t.Fatalf("%v created a webhook", u)
		}
	}
	for _, c := range []struct {
		url    string
		events []string
	}{
		{"http://127.0.0.1:8080/", ev}, {"http://169.254.169.254/", ev}, {"ftp://x.example/", ev}, {"https://u:p@x.example/", ev},
		{"https://x.example/", []string{"comment.deleted"}}, {"https://x.example/", []string{}},
	} {
		_, err := f.svc.CreateWebhook(ctx, f.mod, "news", service.WebhookInput{URL: ptr(c.url), Events: &c.events})
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("CreateWebhook(%s, %v) = %v, want invalid", c.url, c.events, err)
		}
	}
	h, err := f.svc.CreateWebhook(ctx, f.mod, "news", service.WebhookInput{URL: ptr(" https://x.example/in "), Events: &ev, Description: ptr("CMS")})
	if err != nil || !h.Active || h.ModeratorFacing || !strings.HasPrefix(h.Secret, "whsec_") || h.URL != "https://x.example/in" {
		t.Fatalf("created %+v, %v", h, err)
	}
	f.clock.Add(time.Millisecond)
	rotated, err := f.svc.RotateWebhookSecret(ctx, f.mod, "news", h.ID)
	if err != nil || rotated.Secret == h.Secret {
		t.Fatalf("rotate: %v", err)
	}
	f.clock.Add(time.Millisecond)
	if _, err := f.svc.UpdateWebhook(ctx, f.mod, "news", h.ID, service.WebhookInput{Active: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Webhook(ctx, f.mod, "other", h.ID); err == nil {
		t.Fatal("a hook was found through another site")
	}
	f.clock.Add(time.Millisecond)
	if err := f.svc.DeleteWebhook(ctx, f.mod, "news", h.ID); err != nil {
		t.Fatal(err)
	}
	entries, _, err := f.svc.Audit(ctx, f.mod, parley.AuditFilter{SiteID: "news"})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	if !slices.Equal(actions, []string{"webhook_deleted", "webhook_updated", "webhook_secret_rotated", "webhook_created"}) {
		t.Fatalf("audit %v", actions)
	}
}
