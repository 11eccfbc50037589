package service_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// The erased commenter's identifiers; the test looks for each of them in
// every byte of the database afterwards.
const (
	subjEmail = "zebulon.quixwright@erase.example"
	subjName  = "Zebulon Quixwright"
	subjIP    = "198.51.100.123"
	subjText  = "Xylophonic"
)

// TestErasureLeavesNoTrace erases a commenter who posted (as a guest and
// signed in), edited, was reported, reported someone, was sanctioned and
// sent webhooks on their way, and then finds neither their email, name,
// address nor text anywhere: in every byte of the SQLite files, or in
// every row of every PostgreSQL table. The thread stays readable: a reply
// by someone else remains under a "[deleted]" placeholder.
func TestErasureLeavesNoTrace(t *testing.T) {
	for _, b := range []string{"sqlite", "postgres"} {
		t.Run(b, func(t *testing.T) {
			t.Parallel()
			var db *sqlstore.DB
			var path string
			if b == "sqlite" {
				path = filepath.Join(t.TempDir(), "parley.db")
				var err error
				if db, err = sqlstore.Open(context.Background(), path); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if err := db.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
			} else {
				db = sqltest.OpenPostgres(t)
			}
			testErasure(t, db, func() []byte { return dump(t, db, path) })
		})
	}
}

// dump returns every byte of the SQLite files, or the text of every row of
// every PostgreSQL table.
func dump(t *testing.T, db *sqlstore.DB, path string) []byte {
	t.Helper()
	var out bytes.Buffer
	if path != "" {
		for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
			b, err := os.ReadFile(path + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			out.Write(b)
		}
		return out.Bytes()
	}
	ctx := context.Background()
	rows, err := db.SQL().QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 15 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	for _, tb := range tables {
		var s *string
		if err := db.SQL().QueryRowContext(ctx, `SELECT string_agg(t::text, E'\n') FROM "`+tb+`" t`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		if s != nil {
			out.WriteString(tb + ": " + *s + "\n")
		}
	}
	return out.Bytes()
}

func testErasure(t *testing.T, db *sqlstore.DB, dump func() []byte) {
	ctx := context.Background()
	clk := testutil.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	db.SetClock(clk)
	svc := service.New(service.Options{Store: db, Clock: clk, RateLimits: service.DefaultRateLimits})
	if _, err := svc.CreateSite(ctx, "news", "News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	admin, err := svc.CreateUser(ctx, "admin@news.example", "Admin", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetRole(ctx, "news", admin.Email, parley.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	all := parley.HookEvents
	for _, mods := range []bool{true, false} {
		if _, err := svc.CreateWebhook(ctx, admin, "news", service.WebhookInput{URL: ptr("https://hooks.example/x"), Events: &all, ModeratorFacing: &mods}); err != nil {
			t.Fatal(err)
		}
	}
	step := func() { clk.Add(time.Second) }
	subj := service.Author{ClientIP: subjIP, ClientKey: subjIP, GuestToken: "pg_zebulon_token"}
	post := func(a service.Author, name, email, parent, body string) *parley.Comment {
		t.Helper()
		step()
		res, err := svc.Post(ctx, a, service.PostInput{SiteID: "news", StoryURL: "https://news.example/erasure", ParentID: parent, Body: body,
			GuestName: name, GuestEmail: email, ComposeMillis: 20000, IdempotencyKey: "k-" + body[len(body)-12:]})
		if err != nil {
			t.Fatal(err)
		}
		return res.Comment
	}
	decide := func(id, action string, reason parley.Reason) {
		t.Helper()
		step()
		if _, err := svc.Decide(ctx, admin, id, service.Decision{Action: action, Reason: reason, Note: "Noted about " + subjName}); err != nil {
			t.Fatal(err)
		}
	}

	// The subject as a guest: published, pending, rejected, and edited.
	a := post(subj, subjName, subjEmail, "", subjText+" first thoughts on the tram line.")
	decide(a.ID, service.ActionApprove, "")
	pending := post(subj, subjName, subjEmail, "", subjText+" a second, still pending comment.")
	rejected := post(subj, subjName, strings.ToUpper(subjEmail), "", subjText+" a third one that gets rejected.")
	decide(rejected.ID, service.ActionReject, parley.ReasonOffTopic)
	step()
	if _, err := svc.Edit(ctx, subj, a.ID, subjText+" first thoughts, edited."); err != nil {
		t.Fatal(err)
	}
	_ = pending
	// Someone else replies to the published comment; the subject reports
	// the reply, and someone reports the subject's comment.
	other := service.Author{ClientIP: "203.0.113.5", ClientKey: "203.0.113.5", GuestToken: "pg_other"}
	reply := post(other, "Other Reader", "other@reader.example", a.ID, "I disagree with you about the tram line.")
	decide(reply.ID, service.ActionApprove, "")
	step()
	if _, err := svc.Report(ctx, subj, reply.ID, parley.ReasonSpam, "reported by "+subjName); err != nil {
		t.Fatal(err)
	}
	step()
	if _, err := svc.Report(ctx, other, a.ID, parley.ReasonPersonalAttack, ""); err != nil {
		t.Fatal(err)
	}
	// A sanction on the subject, with the email in its key and the name in its reason.
	step()
	if _, err := svc.AddSanction(ctx, admin, service.SanctionInput{SiteID: "news", AuthorKey: "e:" + subjEmail, Kind: parley.SanctionPremod, Reason: "Watch " + subjName}); err != nil {
		t.Fatal(err)
	}
	// The subject also has an account (same email) and comments signed in.
	u, err := svc.CreateUser(ctx, subjEmail, subjName, "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := svc.Login(ctx, subjEmail, "long enough password", subjIP); err != nil {
		t.Fatal(err)
	}
	signedIn := post(service.Author{User: u, ClientIP: subjIP, ClientKey: subjIP}, "", "", "", subjText+" signed in this time.")
	decide(signedIn.ID, service.ActionApprove, "")

	before := dump()
	for _, s := range []string{subjEmail, subjName, subjIP, subjText} {
		if !bytes.Contains(before, []byte(s)) {
			t.Fatalf("the database does not contain %q before the erasure: the test would prove nothing", s)
		}
	}

	// Only the site's admin may erase, and the result says what happened.
	if _, err := svc.AdminErase(ctx, u, "news", subjEmail); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Fatalf("a non-admin erased: %v", err)
	}
	step()
	res, err := svc.AdminErase(ctx, admin, "news", subjEmail)
	if err != nil {
		t.Fatal(err)
	}
	if res.Placeholder != 2 || res.Deleted != 2 || !res.Account {
		t.Fatalf("erasure result %+v: want 2 placeholders (published), 2 deleted, the account removed", res)
	}

	after := dump()
	for _, s := range []string{subjEmail, strings.ToUpper(subjEmail), subjName, "Zebulon", subjIP, subjText, "pg_zebulon", service.HashSecret("pg_zebulon_token")} {
		if i := bytes.Index(after, []byte(s)); i >= 0 {
			lo, hi := max(0, i-80), min(len(after), i+len(s)+80)
			t.Errorf("%q is still in the database after the erasure: …%q…", s, after[lo:hi])
		}
	}

	// The thread still reads: the reply, under a "[deleted]" parent.
	page, err := svc.Thread(ctx, service.Author{}, service.ThreadInput{SiteID: "news", StoryURL: "https://news.example/erasure"})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*parley.Comment{}
	for _, c := range page.Comments {
		byID[c.ID] = c
	}
	if r := byID[reply.ID]; r == nil || r.Body != "I disagree with you about the tram line." || r.ParentID != a.ID || r.AuthorName != "Other Reader" {
		t.Fatalf("the reply is gone or changed: %+v", r)
	}
	if p := byID[a.ID]; p == nil || p.Body != parley.ErasedText || p.AuthorName != parley.ErasedText || p.GuestEmail != "" || p.ClientIP != "" {
		t.Fatalf("the replied-to comment is not a placeholder: %+v", p)
	}
	if _, err := db.GetUser(ctx, u.ID); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("the account survived: %v", err)
	}
	if r, err := db.GetComment(ctx, reply.ID); err != nil || r.ReportCount != 0 {
		t.Fatalf("the subject's report still counts: %+v %v", r, err)
	}
	// The audit log records the erasure, not who.
	entries, _, err := svc.Audit(ctx, admin, parley.AuditFilter{SiteID: "news", Action: service.AuditErasure})
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Note, "2 comments deleted, 2 kept as [deleted]") {
		t.Fatalf("erasure audit: %+v %v", entries, err)
	}
}
