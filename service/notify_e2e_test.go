package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testmail"
	"github.com/parley-comments/parley/mailer"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
	"github.com/parley-comments/parley/webhook"
)

// receiver is a real HTTP webhook receiver on loopback. It verifies every
// signature and records what arrived; while down it answers 503.
type receiver struct {
	*httptest.Server
	secret string
	mu     sync.Mutex
	down   bool
	got    []receivedHook // accepted deliveries, in arrival order
	tries  int
	bad    int // requests whose signature did not verify
}

type receivedHook struct {
	ID, Event, CommentID, Body string
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.tries++
		if r.down {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if err := webhook.Verify(r.secret, req.Header.Get(webhook.HeaderSignature), body, time.Now(), 0); err != nil {
			r.bad++
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var env struct {
			ID      string `json:"id"`
			Event   string `json:"event"`
			Comment struct {
				ID string `json:"id"`
			} `json:"comment"`
		}
		_ = json.Unmarshal(body, &env)
		if env.ID != req.Header.Get(webhook.HeaderDelivery) || env.Event != req.Header.Get(webhook.HeaderEvent) {
			r.bad++
		}
		r.got = append(r.got, receivedHook{ID: env.ID, Event: env.Event, CommentID: env.Comment.ID, Body: string(body)})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) snapshot() ([]receivedHook, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedHook(nil), r.got...), r.bad
}

func (r *receiver) setDown(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

// instance is one Parley process: a service on its own pool, with its
// outbox worker sending mail to mailpit and webhooks over loopback.
func startInstance(t *testing.T, db *sqlstore.DB, name string, mp *testmail.Server) *service.Service {
	t.Helper()
	svc := service.New(service.Options{Store: db, Clock: parley.SystemClock{}, PublicURL: "https://comments.news.example", WebhookAllowPrivate: true})
	svc.SetOutboxOptions(service.OutboxOptions{Owner: name, Poll: 50 * time.Millisecond, BaseBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, MaxAttempts: 100})
	snd, err := mailer.New(mailer.Config{URL: mp.SMTPURL(), From: "The News <comments@news.example>"})
	if err != nil {
		t.Fatal(err)
	}
	svc.RegisterOutboxSender(parley.OutboxEmail, snd)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = svc.RunOutbox(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return svc
}

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReplyApprovedOnTwoInstancesMailsAndHooksOnce runs two instances on
// one PostgreSQL database with a real SMTP server (mailpit) and a real
// webhook receiver: a reply approved on instance A gives exactly one mail
// to the parent's author, quoting the approved text, with a working
// one-click unsubscribe header, and exactly one webhook delivery; a pending
// reply and a rejected reply give none.
func TestReplyApprovedOnTwoInstancesMailsAndHooksOnce(t *testing.T) {
	ctx := context.Background()
	dsn := sqltest.PostgresDSN(t)
	open := func() *sqlstore.DB {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	dbA, dbB := open(), open()
	if err := dbA.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mp := testmail.Start(t, testmail.Options{})
	rcv := newReceiver(t)
	a := startInstance(t, dbA, "instance-a", mp)
	startInstance(t, dbB, "instance-b", mp)

	if _, err := a.CreateSite(ctx, "news", "The News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	admin, err := a.CreateUser(ctx, "editor@news.example", "Editor", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRole(ctx, "news", admin.Email, parley.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	events := []string{parley.HookCommentApproved}
	hook, err := a.CreateWebhook(ctx, admin, "news", service.WebhookInput{URL: ptr(rcv.URL + "/parley"), Events: &events})
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = hook.Secret

	post := func(name, email, ip, parent, body string) *parley.Comment {
		t.Helper()
		res, err := a.Post(ctx, service.Author{ClientIP: ip, ClientKey: ip}, service.PostInput{SiteID: "news", StoryURL: "https://news.example/tram",
			StoryTitle: "The tram line", ParentID: parent, Body: body, GuestName: name, GuestEmail: email, ComposeMillis: 20000})
		if err != nil {
			t.Fatal(err)
		}
		return res.Comment
	}
	parent := post("Ana", "ana@reader.example", "198.51.100.7", "", "The new tram line will change the old town.")
	if _, err := a.Decide(ctx, admin, parent.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	// Ana confirms her address once, through the link mailed to her.
	confirm := mp.LatestTo(t, "ana@reader.example", 20*time.Second)
	m := regexp.MustCompile(`https://comments\.news\.example/notify/([A-Za-z0-9_-]+)/confirm`).FindStringSubmatch(confirm.Text)
	if m == nil {
		t.Fatalf("no confirmation link in %q %+v\n%s", confirm.Text, confirm, mp.Raw(t, confirm.ID))
	}
	if _, err := a.ConfirmNotify(ctx, m[1]); err != nil {
		t.Fatal(err)
	}

	pending := post("Bob", "bob@reader.example", "203.0.113.9", parent.ID, "Pendingreply: still waiting for a moderator.")
	rejected := post("Cy", "cy@reader.example", "203.0.113.10", parent.ID, "Rejectedreply: something a moderator refuses.")
	if _, err := a.Decide(ctx, admin, rejected.ID, service.Decision{Action: service.ActionReject, Reason: parley.ReasonOffTopic}); err != nil {
		t.Fatal(err)
	}
	approved := post("Dee", "dee@reader.example", "203.0.113.11", parent.ID, "Approvedreply: the old town needs it.")
	// Dee edits before the decision; the mail must carry the approved text.
	if _, err := a.Decide(ctx, admin, approved.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}

	waitFor(t, "the webhook delivery", func() bool { got, _ := rcv.snapshot(); return len(got) >= 2 })
	waitFor(t, "the reply mail", func() bool {
		for _, msg := range mp.Messages(t) {
			if strings.Contains(msg.Subject, "replied") {
				return true
			}
		}
		return false
	})
	time.Sleep(1500 * time.Millisecond) // room for a duplicate from the other instance to show up

	var replies []testmail.Message
	for _, msg := range mp.Messages(t) {
		if strings.Contains(msg.Subject, "replied") {
			replies = append(replies, mp.Message(t, msg.ID))
		}
	}
	if len(replies) != 1 {
		t.Fatalf("%d reply mails, want exactly 1", len(replies))
	}
	r := replies[0]
	if len(r.To) != 1 || r.To[0].Address != "ana@reader.example" || r.Subject != "Dee replied to your comment on “The tram line”" {
		t.Fatalf("reply mail to %v, subject %q", r.To, r.Subject)
	}
	if !strings.Contains(r.Text, "> Approvedreply: the old town needs it.") || !strings.Contains(r.Text, "https://news.example/tram#parley-comment-"+approved.ID) {
		t.Fatalf("reply mail text:\n%s", r.Text)
	}
	for _, s := range []string{"Pendingreply", "Rejectedreply", "dee@reader.example", "bob@reader.example", "203.0.113", "198.51.100.7"} {
		if strings.Contains(r.Text, s) || strings.Contains(r.Subject, s) {
			t.Errorf("the reply mail to Ana contains %q", s)
		}
	}
	h := mp.Headers(t, r.ID)
	unsub := h["List-Unsubscribe"]
	if len(unsub) != 1 || !regexp.MustCompile(`^<https://comments\.news\.example/notify/[A-Za-z0-9_-]+/unsubscribe>$`).MatchString(unsub[0]) ||
		!slices.Equal(h["List-Unsubscribe-Post"], []string{"List-Unsubscribe=One-Click"}) {
		t.Fatalf("unsubscribe headers %q %q", unsub, h["List-Unsubscribe-Post"])
	}
	for _, msg := range mp.Messages(t) {
		for _, to := range msg.To {
			if to.Address == "bob@reader.example" || to.Address == "cy@reader.example" {
				if !strings.HasPrefix(msg.Subject, "Confirm your address") {
					t.Errorf("%s got %q", to.Address, msg.Subject)
				}
			}
		}
	}

	got, bad := rcv.snapshot()
	if bad != 0 {
		t.Fatalf("%d deliveries failed verification", bad)
	}
	var ids []string
	for _, g := range got {
		if g.Event != parley.HookCommentApproved {
			t.Fatalf("unexpected event %s", g.Event)
		}
		ids = append(ids, g.CommentID)
		for _, s := range []string{"Pendingreply", "Rejectedreply", "@reader.example", "203.0.113", "198.51.100"} {
			if strings.Contains(g.Body, s) {
				t.Errorf("public delivery contains %q: %s", s, g.Body)
			}
		}
	}
	if !slices.Equal(ids, []string{parent.ID, approved.ID}) {
		t.Fatalf("delivered approvals for %v, want exactly one each for the parent and the approved reply", ids)
	}
	_ = pending
}

// TestWebhookReceiverDownThenUpGetsEverythingInOrder takes the receiver
// down while one comment goes through its life (posted, approved,
// reported, edited, edit approved) and another comment is posted; once
// the receiver is back every delivery arrives, each exactly once per
// delivery ID, and those of one comment in the order of the events.
func TestWebhookReceiverDownThenUpGetsEverythingInOrder(t *testing.T) {
	ctx := context.Background()
	db := sqltest.OpenSQLite(t)
	mp := testmail.Start(t, testmail.Options{})
	rcv := newReceiver(t)
	svc := startInstance(t, db, "solo", mp)
	if _, err := svc.CreateSite(ctx, "news", "The News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	admin, err := svc.CreateUser(ctx, "editor@news.example", "Editor", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetRole(ctx, "news", admin.Email, parley.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	all := parley.HookEvents
	hook, err := svc.CreateWebhook(ctx, admin, "news", service.WebhookInput{URL: ptr(rcv.URL), Events: &all, ModeratorFacing: ptr(true)})
	if err != nil {
		t.Fatal(err)
	}
	rcv.secret = hook.Secret
	rcv.setDown(true)

	author := service.Author{ClientIP: "198.51.100.20", ClientKey: "198.51.100.20", GuestToken: "pg_author"}
	res, err := svc.Post(ctx, author, service.PostInput{SiteID: "news", StoryURL: "https://news.example/a", Body: "First version of my comment about the bridge.",
		GuestName: "Eve", GuestEmail: "eve@reader.example", ComposeMillis: 20000})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Comment
	if _, err := svc.Decide(ctx, admin, c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Report(ctx, service.Author{GuestToken: "pg_r", ClientKey: "203.0.113.1"}, c.ID, parley.ReasonOther, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Edit(ctx, author, c.ID, "Second version of my comment about the bridge."); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Decide(ctx, admin, c.ID, service.Decision{Action: service.ActionApprove}); err != nil {
		t.Fatal(err)
	}
	other, err := svc.Post(ctx, service.Author{ClientIP: "198.51.100.21", ClientKey: "198.51.100.21"}, service.PostInput{SiteID: "news",
		StoryURL: "https://news.example/a", Body: "Another reader's comment on the bridge.", GuestName: "Fay", ComposeMillis: 20000})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"comment.created", "comment.approved", "comment.reported", "comment.edited", "comment.approved"}

	// Down: attempts fail and nothing is accepted.
	waitFor(t, "failed attempts", func() bool { rcv.mu.Lock(); defer rcv.mu.Unlock(); return rcv.tries >= 4 })
	if got, _ := rcv.snapshot(); len(got) != 0 {
		t.Fatalf("accepted while down: %v", got)
	}
	time.Sleep(300 * time.Millisecond)
	rcv.setDown(false)
	waitFor(t, "every delivery", func() bool { got, _ := rcv.snapshot(); return len(got) >= len(want)+1 })
	time.Sleep(500 * time.Millisecond)

	got, bad := rcv.snapshot()
	if bad != 0 {
		t.Fatalf("%d deliveries failed verification", bad)
	}
	var seq []string
	seen := map[string]bool{}
	for _, g := range got {
		if seen[g.ID] {
			continue // at least once: receivers dedupe on the delivery ID
		}
		seen[g.ID] = true
		if g.CommentID == c.ID {
			seq = append(seq, g.Event)
		}
	}
	if !slices.Equal(seq, want) {
		t.Fatalf("deliveries for the comment arrived as %v, want %v", seq, want)
	}
	if !seen[deliveryFor(t, svc, admin, hook.ID, other.Comment.ID)] {
		t.Fatal("the other comment's delivery never arrived")
	}
	log, _, err := svc.WebhookDeliveries(ctx, admin, "news", hook.ID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range log {
		if d.Status != parley.DeliveryDelivered || d.StatusCode != http.StatusNoContent {
			t.Errorf("delivery %s (%s): %s %d", d.ID, d.Event, d.Status, d.StatusCode)
		}
	}
}

// deliveryFor returns the ID of the delivery of a comment's creation.
func deliveryFor(t *testing.T, svc *service.Service, admin *parley.User, hookID, commentID string) string {
	t.Helper()
	log, _, err := svc.WebhookDeliveries(context.Background(), admin, "news", hookID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range log {
		if d.OrderKey == "comment:"+commentID {
			return d.ID
		}
	}
	t.Fatalf("no delivery for %s", commentID)
	return ""
}
