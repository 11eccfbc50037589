package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testmail"
	"github.com/parley-comments/parley/internal/xsscheck"
	"github.com/parley-comments/parley/mailer"
	"github.com/parley-comments/parley/service"
)

// mailHosts are the hosts mails of the fixture's site may link to: the
// public URL (the service's default) and the site's origin.
var mailHosts = []string{"127.0.0.1:8080", "news.example"}

// TestStoredXSSCorpusInMailsAndWebhooks runs every payload of
// testdata/xss/corpus.txt through the real pipeline as the words of the
// people in it: a story title, a reply's author name and body, a report
// note, the site's rules, an inviting admin's name. Every mail this
// causes (address confirmation, reply, digest, approved, not published,
// reported, queue alert, daily summary, invitation, password reset) and
// every webhook delivery (public- and moderator-facing) is then parsed:
//   - each mail is built as the SMTP sender builds it and parsed back; its
//     HTML part has no script, event handler, image or style that loads,
//     and links only to the public URL or the site's origin; its text part
//     keeps people's words in quotation lines and links only there too;
//     with mailpit installed, every mail also goes through a real SMTP
//     server and is checked as received;
//   - each delivery is valid JSON with "<", ">" and "&" escaped, its
//     comment HTML within the renderer's allowlist, and public ones carry
//     only the documented public fields.
//
// A pending and a rejected reply (each carrying a payload) sit beside
// every approved one: their text never reaches a public delivery or a
// mail to anyone but their own author.
func TestStoredXSSCorpusInMailsAndWebhooks(t *testing.T) {
	t.Parallel()
	// No classifier or near-duplicate index: they would score each of
	// the test's 600 posts and are not what it checks.
	f := newFixtureWith(t, service.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx := context.Background()
	payloads := xsscheck.Corpus(t)
	pub, mods := f.twoHooks()
	confirm := f.confirmReader
	// post tries the payload as name and body; a form the service refuses
	// (nothing would show, an empty name) is retried with the payload
	// inline after text, or another name.
	post := func(i int, who, email, story, title, parent, name, body string) *parley.Comment {
		t.Helper()
		for _, try := range [][2]string{{body, name}, {body, ""}, {fmt.Sprintf("Payload %d: %s", i, body), name}, {fmt.Sprintf("Payload %d: %s", i, body), ""}} {
			n := try[1]
			if n == "" {
				n = fmt.Sprintf("%s %d", who, i)
			}
			f.clock.Add(time.Second)
			ip := fmt.Sprintf("203.0.113.%d", i%250+1)
			res, err := f.svc.Post(ctx, service.Author{ClientIP: ip, ClientKey: ip}, service.PostInput{SiteID: "news", StoryURL: story,
				StoryTitle: title, ParentID: parent, Body: try[0], GuestName: n, GuestEmail: email, ComposeMillis: 20000})
			if parley.ErrorCode(err) == parley.EINVALID {
				continue
			}
			if err != nil {
				t.Fatalf("payload %d (%s): %v", i, who, err)
			}
			return res.Comment
		}
		t.Fatalf("payload %d (%s): every form refused", i, who)
		return nil
	}
	decide := func(id, action string, reason parley.Reason, note string) {
		t.Helper()
		f.clock.Add(time.Second)
		if _, err := f.svc.Decide(ctx, f.mod, id, service.Decision{Action: action, Reason: reason, Note: note}); err != nil {
			t.Fatal(err)
		}
	}
	post(0, "Ana", "ana@reader.example", "https://news.example/xss/start", "Start", "", "Ana", "Ana's first comment, to confirm her address.")
	confirm("ana@reader.example")
	post(0, "Dig", "dig@reader.example", "https://news.example/xss/start", "Start", "", "Dig", "Dig's first comment, to confirm her address.")
	confirm("dig@reader.example")
	dig, err := f.db.GetNotifyReader(ctx, "news", "dig@reader.example")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SetNotifyMode(ctx, dig.Token, parley.NotifyDigest); err != nil {
		t.Fatal(err)
	}
	for i, p := range payloads {
		// The site's rules, quoted in "not published" mails.
		f.changeSettings(func(st *parley.Settings) {
			st.NotifyAuthorApproved, st.NotifyAuthorRejected, st.DailySummary, st.AlertPendingOver = true, true, true, 1
			st.PolicyText = map[string]string{"en": p}
		})
		story := fmt.Sprintf("https://news.example/xss/%d", i)
		// The parent is Ana's (immediate reply mails) or, every other
		// payload, Dig's (a daily digest).
		parentName, parentEmail := "Ana", "ana@reader.example"
		if i%2 == 1 {
			parentName, parentEmail = "Dig", "dig@reader.example"
		}
		parent := post(i, parentName, parentEmail, story, p, "", parentName, fmt.Sprintf("%s's parent comment %d.", parentName, i))
		decide(parent.ID, service.ActionApprove, "", "")
		// The replier confirms their address, then their reply is approved.
		w := fmt.Sprintf("w%d@reader.example", i)
		reply := post(i, "Writer", w, story, p, parent.ID, p, p)
		confirm(w)
		decide(reply.ID, service.ActionApprove, "", p)
		// A rejected reply and a pending one, each with the payload.
		rj := fmt.Sprintf("rj%d@reader.example", i)
		rej := post(i, "Rejected", rj, story, p, parent.ID, p, fmt.Sprintf("Rejectedsecret %d %s", i, p))
		confirm(rj)
		decide(rej.ID, service.ActionReject, parley.ReasonPersonalAttack, p)
		post(i, "Pending", fmt.Sprintf("pn%d@reader.example", i), story, p, parent.ID, p, fmt.Sprintf("Pendingsecret %d %s", i, p))
		// A report with the payload as its note.
		f.clock.Add(time.Second)
		if _, err := f.svc.Report(ctx, service.Author{GuestToken: fmt.Sprintf("pg_rep_%d", i), ClientKey: "198.51.100.7"}, reply.ID, parley.ReasonSpam, p); err != nil {
			t.Fatal(err)
		}
		// An admin whose name is the payload invites a moderator (every
		// fourth payload; mailer.TestStoredXSSCorpusInEveryEmailTemplate
		// renders the invitation with each).
		if i%4 != 0 {
			continue
		}
		if u, err := f.svc.CreateUser(ctx, fmt.Sprintf("admin%d@news.example", i), p, "long enough password"); err == nil {
			if err := f.svc.SetRole(ctx, "news", u.Email, parley.RoleAdmin); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Invite(ctx, u, service.InviteInput{SiteID: "news", Email: fmt.Sprintf("invitee%d@example.org", i), Role: parley.RoleModerator, Lang: "en", ClientKey: "x"}); err != nil {
				t.Fatal(err)
			}
			if i%16 == 0 { // a reset link greets by name (each takes 100 ms on purpose)
				if err := f.svc.RequestPasswordReset(ctx, u.Email, "en", "x"); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.svc.SetRole(ctx, "news", u.Email, parley.RoleAuthor); err != nil { // no moderator mails to each of them
				t.Fatal(err)
			}
		} else if parley.ErrorCode(err) != parley.EINVALID {
			t.Fatal(err)
		}
	}
	// Digests, a queue alert and a daily summary.
	f.clock.Add(25 * time.Hour)
	for {
		n, err := f.svc.SendDigests(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	if _, err := f.svc.CheckQueueAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SendDailySummaries(ctx); err != nil {
		t.Fatal(err)
	}

	mails := queuedMails(t, f)
	kinds := map[string]int{}
	from := &mail.Address{Address: "comments@news.example"}
	for _, e := range mails {
		kind := mailKind(e.Subject)
		kinds[kind]++
		if e.HTML == "" {
			t.Errorf("%s mail to %s has no HTML part", kind, e.To)
		}
		raw, err := mailer.Build(from, e, "<x@news.example>", f.clock.Now())
		if err != nil {
			t.Fatalf("%s mail to %s: %v", kind, e.To, err)
		}
		text, h, _, err := xsscheck.MIMEParts(raw)
		if err != nil {
			t.Fatal(err)
		}
		checkMailParts(t, kind+" mail to "+e.To, text, h)
		// Others' pending and rejected text reach no one.
		all := e.Subject + text + h
		if strings.Contains(all, "Pendingsecret") {
			t.Errorf("%s mail to %s carries a pending reply", kind, e.To)
		}
		if strings.Contains(all, "Rejectedsecret") && !(kind == "not published" && strings.HasPrefix(e.To, "rj")) {
			t.Errorf("%s mail to %s carries a rejected reply", kind, e.To)
		}
	}
	t.Logf("%d mails: %v", len(mails), kinds)
	n := len(payloads)
	for kind, atLeast := range map[string]int{"confirm": 2 * n, "reply": n / 2, "digest": 2, "approved": 2 * n, "not published": n, "reported": n,
		"queue": 1, "summary": 1, "invite": n / 5, "reset": 2} {
		if kinds[kind] < atLeast {
			t.Errorf("%d %s mails, want at least %d", kinds[kind], kind, atLeast)
		}
	}

	// Webhooks.
	pubEvents, pubBodies := hookBodies(t, f, pub.ID)
	modEvents, modBodies := hookBodies(t, f, mods.ID)
	for i, b := range pubBodies {
		for _, p := range xsscheck.WebhookProblems([]byte(b)) {
			t.Errorf("public %s: %s", pubEvents[i], p)
		}
		if strings.Contains(b, "Pendingsecret") || strings.Contains(b, "Rejectedsecret") {
			t.Errorf("public %s carries pending or rejected text: %s", pubEvents[i], b)
		}
	}
	for i, b := range modBodies {
		for _, p := range xsscheck.WebhookProblems([]byte(b)) {
			t.Errorf("moderator %s: %s", modEvents[i], p)
		}
	}
	// The checks above can fail: the moderator-facing hook does get the
	// pending and rejected text.
	if joined := strings.Join(modBodies, ""); !strings.Contains(joined, "Pendingsecret") || !strings.Contains(joined, "Rejectedsecret") {
		t.Error("the moderator-facing deliveries lack the pending or rejected text")
	}
	for _, ev := range []string{"comment.approved", "comment.reported"} {
		if !slices.Contains(pubEvents, ev) {
			t.Errorf("no public %s delivery", ev)
		}
	}

	// Through a real SMTP server: what mailpit received is what was checked.
	if testmail.Binary() == "" {
		t.Log("mailpit is not installed; the mails were checked as built, not as received")
		return
	}
	srv := testmail.Start(t, testmail.Options{})
	snd, err := mailer.New(mailer.Config{URL: srv.SMTPURL(), From: "Parley <comments@news.example>", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for i, e := range mails {
		if k := mailKind(e.Subject); k == "confirm" || k == "approved" && (e.To == "ana@reader.example" || e.To == "dig@reader.example") {
			continue // no one's words in them but the site's name
		}
		if err := snd.SendEmail(ctx, e, fmt.Sprintf("xss%d", i)); err != nil {
			t.Fatal(err)
		}
		sent++
	}
	got := srv.WaitFor(t, sent, 30*time.Second)
	if len(got) != sent {
		t.Fatalf("mailpit received %d of %d mails", len(got), sent)
	}
	for _, m := range got {
		full := srv.Message(t, m.ID)
		checkMailParts(t, "received "+mailKind(full.Subject)+" mail", strings.ReplaceAll(full.Text, "\r\n", "\n"), full.HTML)
		if full.HTML == "" {
			t.Errorf("received %q without an HTML part", full.Subject)
		}
	}
}

// checkMailParts checks both parts of one mail.
func checkMailParts(t *testing.T, what, text, h string) {
	t.Helper()
	for _, p := range xsscheck.EmailHTMLProblems(h, mailHosts...) {
		t.Errorf("%s, HTML part: %s", what, p)
	}
	for _, p := range xsscheck.EmailTextProblems(text, mailHosts...) {
		t.Errorf("%s, text part: %s", what, p)
	}
}

// mailKind names a mail by its (English) subject.
func mailKind(subject string) string {
	for _, k := range []struct{ in, kind string }{{"Confirm your address", "confirm"}, {"replied to your comment", "reply"},
		{"New replies", "digest"}, {"was published", "approved"}, {"was not published", "not published"}, {"was reported", "reported"},
		{"Moderation queue", "queue"}, {"moderation summary", "summary"}, {"invitation", "invite"}, {"Reset your password", "reset"}} {
		if strings.Contains(subject, k.in) {
			return k.kind
		}
	}
	return "other"
}
