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

// queuedMails returns the emails in the outbox, oldest first.
func queuedMails(t *testing.T, f *fixture) []parley.Email {
	t.Helper()
	var out []parley.Email
	filter := parley.OutboxFilter{Kind: parley.OutboxEmail, Limit: 500}
	for {
		ms, next, err := f.db.ListOutbox(context.Background(), filter)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			var e parley.Email
			if err := json.Unmarshal(m.Payload, &e); err != nil {
				t.Fatal(err)
			}
			out = append(out, e)
		}
		if next == "" {
			slices.Reverse(out)
			return out
		}
		filter.Cursor = next
	}
}

func mailsTo(ms []parley.Email, to, subject string) []parley.Email {
	var out []parley.Email
	for _, m := range ms {
		if m.To == to && strings.Contains(m.Subject, subject) {
			out = append(out, m)
		}
	}
	return out
}

// TestEveryMailTemplateKeepsOthersPrivate walks every mail: address
// confirmation, reply (immediate and digest), approved, not published with
// its reason, reported, queue alert and daily summary. Every one has an
// HTML part beside its text. Mails to readers carry, in neither part, no
// pending or rejected text of others, no other email address and no IP
// address; replies are mailed only once approved, never for a
// rejected reply, and not to a reader who muted the story or unsubscribed.
func TestEveryMailTemplateKeepsOthersPrivate(t *testing.T) {
	f := newFixture(t, service.RateLimits{})
	ctx := context.Background()
	f.changeSettings(func(st *parley.Settings) {
		st.NotifyAuthorApproved, st.NotifyAuthorRejected, st.DailySummary = true, true, true
		st.AlertPendingOver, st.AlertOldestMinutes = 2, 60
		st.PolicyText = map[string]string{"en": "Be kind to each other."}
	})
	post := func(name, email, ip, parent, body string) *parley.Comment {
		t.Helper()
		f.clock.Add(time.Second)
		res, err := f.svc.Post(ctx, service.Author{ClientIP: ip, ClientKey: ip}, service.PostInput{SiteID: "news", StoryURL: "https://news.example/mail",
			StoryTitle: "Mail story", ParentID: parent, Body: body, GuestName: name, GuestEmail: email, ComposeMillis: 20000})
		if err != nil {
			t.Fatal(err)
		}
		return res.Comment
	}
	decide := func(id, action string, reason parley.Reason) {
		t.Helper()
		f.clock.Add(time.Second)
		if _, err := f.svc.Decide(ctx, f.mod, id, service.Decision{Action: action, Reason: reason, Note: "Modnote secret"}); err != nil {
			t.Fatal(err)
		}
	}
	confirm := f.confirmReader

	ana := post("Ana", "ana@reader.example", "198.51.100.1", "", "Parent comment by Ana about the harbour.")
	if got := mailsTo(queuedMails(t, f), "ana@reader.example", "Confirm your address"); len(got) != 1 {
		t.Fatalf("confirmation mails to Ana: %d", len(got))
	}
	confirm("ana@reader.example")
	decide(ana.ID, service.ActionApprove, "")
	if got := mailsTo(queuedMails(t, f), "ana@reader.example", "was published"); len(got) != 1 || !strings.Contains(got[0].Text, "> Parent comment by Ana") {
		t.Fatalf("approved mail to Ana: %+v", got)
	}

	pending := post("Bob", "bob@reader.example", "203.0.113.2", ana.ID, "Pendingtext reply still waiting.")
	rejected := post("Cy", "cy@reader.example", "203.0.113.3", ana.ID, "Rejectedtext reply that gets refused.")
	confirm("cy@reader.example")
	decide(rejected.ID, service.ActionReject, parley.ReasonPersonalAttack)
	if got := mailsTo(queuedMails(t, f), "ana@reader.example", "replied"); len(got) != 0 {
		t.Fatalf("a pending or rejected reply mailed Ana: %+v", got)
	}
	notPub := mailsTo(queuedMails(t, f), "cy@reader.example", "was not published")
	if len(notPub) != 1 || !strings.Contains(notPub[0].Text, "Reason: Personal attack.") || !strings.Contains(notPub[0].Text, "Be kind to each other.") {
		t.Fatalf("not-published mail to Cy: %+v", notPub)
	}
	dee := post("Dee", "dee@reader.example", "203.0.113.4", ana.ID, "Approvedtext reply from Dee.")
	decide(dee.ID, service.ActionApprove, "")
	replies := mailsTo(queuedMails(t, f), "ana@reader.example", "replied")
	if len(replies) != 1 || !strings.Contains(replies[0].Text, "> Approvedtext reply from Dee.") || replies[0].ListUnsubscribe == "" {
		t.Fatalf("reply mails to Ana: %+v", replies)
	}
	// Approving an edit does not mail again.
	f.clock.Add(time.Second)
	if _, err := f.svc.Edit(ctx, service.Author{GuestToken: "x"}, dee.ID, "ignored"); err == nil {
		t.Fatal("a stranger edited")
	}

	// Reported: the moderators hear of it once.
	f.clock.Add(time.Second)
	if _, err := f.svc.Report(ctx, service.Author{GuestToken: "pg_rep", ClientKey: "203.0.113.9"}, dee.ID, parley.ReasonSpam, "Reportnote"); err != nil {
		t.Fatal(err)
	}
	if got := mailsTo(queuedMails(t, f), "mod@news.example", "was reported"); len(got) != 1 {
		t.Fatalf("reported mails to the moderator: %d", len(got))
	}

	// Muted, then digest, then unsubscribed.
	r, err := f.db.GetNotifyReader(ctx, "news", "ana@reader.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.MuteStory(ctx, r.Token, ana.StoryID, true); err != nil {
		t.Fatal(err)
	}
	eve := post("Eve", "eve@reader.example", "203.0.113.5", ana.ID, "Another approved reply, muted.")
	decide(eve.ID, service.ActionApprove, "")
	if _, err := f.svc.MuteStory(ctx, r.Token, ana.StoryID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetNotifyMode(ctx, r.Token, parley.NotifyDigest); err != nil {
		t.Fatal(err)
	}
	fay := post("Fay", "fay@reader.example", "203.0.113.6", ana.ID, "Digest reply from Fay.")
	decide(fay.ID, service.ActionApprove, "")
	gus := post("Gus", "gus@reader.example", "203.0.113.7", ana.ID, "Digest reply from Gus, rejected later.")
	decide(gus.ID, service.ActionApprove, "")
	decide(gus.ID, service.ActionReject, parley.ReasonOffTopic)
	if got := mailsTo(queuedMails(t, f), "ana@reader.example", "replied"); len(got) != 1 {
		t.Fatalf("Ana got %d immediate reply mails, want only Dee's", len(got))
	}
	f.clock.Add(25 * time.Hour)
	if n, err := f.svc.SendDigests(ctx); err != nil || n != 1 {
		t.Fatalf("SendDigests = %d, %v", n, err)
	}
	digest := mailsTo(queuedMails(t, f), "ana@reader.example", "New replies")
	if len(digest) != 1 || !strings.Contains(digest[0].Text, "Digest reply from Fay.") || strings.Contains(digest[0].Text, "Gus") {
		t.Fatalf("digest: %+v", digest)
	}
	// The digest's HTML part quotes the reply and links to it on the site.
	if h := digest[0].HTML; !strings.Contains(h, "Digest reply from Fay.</blockquote>") || !strings.Contains(h, `<a href="https://news.example/mail#parley-comment-`+fay.ID+`"`) ||
		!strings.Contains(h, `<a href="http://127.0.0.1:8080/notify/`) {
		t.Fatalf("digest HTML: %s", h)
	}
	if _, err := f.svc.Unsubscribe(ctx, r.Token); err != nil {
		t.Fatal(err)
	}
	hal := post("Hal", "hal@reader.example", "203.0.113.8", ana.ID, "Reply after unsubscribing.")
	decide(hal.ID, service.ActionApprove, "")
	f.clock.Add(25 * time.Hour)
	if n, _ := f.svc.SendDigests(ctx); n != 0 {
		t.Fatalf("an unsubscribed reader got %d digests", n)
	}

	// Queue alert: once per period, then the daily summary.
	post("Ivy", "", "203.0.113.10", "", "Pending one for the alert.")
	post("Jo", "", "203.0.113.11", "", "Pending two for the alert.")
	for i := 0; i < 3; i++ {
		if _, err := f.svc.CheckQueueAlerts(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := mailsTo(queuedMails(t, f), "mod@news.example", "Moderation queue"); len(got) != 1 || !strings.Contains(got[0].Text, "3 comments wait") {
		t.Fatalf("alerts: %+v", got)
	}
	if _, err := f.svc.SendDailySummaries(ctx); err != nil {
		t.Fatal(err)
	}
	f.clock.Add(24 * time.Hour)
	if _, err := f.svc.SendDailySummaries(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendDailySummaries(ctx); err != nil {
		t.Fatal(err)
	}
	summaries := mailsTo(queuedMails(t, f), "mod@news.example", "moderation summary")
	if len(summaries) != 2 {
		t.Fatalf("summaries: %d, want one per day", len(summaries))
	}
	if h := summaries[0].HTML; !strings.Contains(h, "<p>Decided: ") || !strings.Contains(h, `<a href="http://127.0.0.1:8080/moderation/s/news"`) {
		t.Fatalf("summary HTML: %s", h)
	}

	// No mail to a reader carries anyone else's private data.
	for _, m := range queuedMails(t, f) {
		if m.To == "mod@news.example" {
			continue
		}
		if m.HTML == "" {
			t.Errorf("mail to %s (%s) has no HTML part", m.To, m.Subject)
		}
		text := m.Subject + "\n" + m.Text + "\n" + m.HTML
		for _, s := range []string{"Pendingtext", "Modnote", "Reportnote", "203.0.113", "198.51.100"} {
			if strings.Contains(text, s) {
				t.Errorf("mail to %s (%s) contains %q", m.To, m.Subject, s)
			}
		}
		if !strings.Contains(m.Subject, "was not published") && strings.Contains(text, "Rejectedtext") {
			t.Errorf("mail to %s (%s) quotes the rejected reply", m.To, m.Subject)
		}
		for _, addr := range []string{"ana@", "bob@", "cy@", "dee@", "eve@", "fay@", "gus@", "hal@"} {
			if !strings.HasPrefix(m.To, addr) && strings.Contains(text, addr) {
				t.Errorf("mail to %s contains %s", m.To, addr)
			}
		}
	}
	_ = pending
}
