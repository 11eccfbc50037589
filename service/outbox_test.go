package service_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// outboxFixture is a service without a classifier, for outbox tests.
type outboxFixture struct {
	db    *sqlstore.DB
	svc   *service.Service
	clock *testutil.Clock
	admin *parley.User
	mod   *parley.User
}

func newOutboxFixture(t *testing.T, db *sqlstore.DB) *outboxFixture {
	t.Helper()
	clk := testutil.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	db.SetClock(clk)
	svc := service.New(service.Options{Store: db, Clock: clk, Passwords: service.CheapPasswordHasher})
	svc.SetOutboxOptions(service.OutboxOptions{Owner: "test", MaxAttempts: 3, BaseBackoff: time.Minute, MaxBackoff: 10 * time.Minute})
	ctx := context.Background()
	if _, err := svc.CreateSite(ctx, "news", "News", []string{"https://news.example"}); err != nil {
		t.Fatal(err)
	}
	f := &outboxFixture{db: db, svc: svc, clock: clk}
	for _, u := range []struct {
		email string
		role  parley.Role
		dst   **parley.User
	}{{"admin@news.example", parley.RoleAdmin, &f.admin}, {"mod@news.example", parley.RoleModerator, &f.mod}} {
		user, err := svc.CreateUser(ctx, u.email, "Staff", "long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRole(ctx, "news", u.email, u.role); err != nil {
			t.Fatal(err)
		}
		*u.dst = user
	}
	return f
}

func (f *outboxFixture) enqueue(t *testing.T, to string) {
	t.Helper()
	err := f.db.InTx(context.Background(), func(tx parley.Store) error {
		return f.svc.EnqueueEmail(context.Background(), tx, "news", "", parley.Email{To: to, Subject: "Hello", Text: "Body"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (f *outboxFixture) drain(t *testing.T) int {
	t.Helper()
	n, err := f.svc.DrainOutbox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOutboxRetriesWithBackoffThenParksAndAnAdminRetries(t *testing.T) {
	t.Parallel()
	f := newOutboxFixture(t, sqltest.OpenSQLite(t))
	ctx := context.Background()
	var mu sync.Mutex
	fail := true
	sends := 0
	f.svc.RegisterOutboxSender(parley.OutboxEmail, service.OutboxSenderFunc(func(ctx context.Context, m *parley.OutboxMessage) error {
		mu.Lock()
		defer mu.Unlock()
		sends++
		if fail {
			return errors.New("451 try again later")
		}
		return nil
	}))
	f.enqueue(t, "reader@example.org")

	// Attempt 1 fails; the retry waits about a minute (±20%), then two.
	if n := f.drain(t); n != 1 {
		t.Fatalf("first drain handled %d", n)
	}
	page, err := f.svc.Outbox(ctx, f.admin, "news", parley.OutboxPending, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	m := page.Items[0]
	if wait := m.NextAttemptAt.Sub(f.clock.Now()); wait < 48*time.Second || wait > 72*time.Second || m.LastError != "451 try again later" {
		t.Fatalf("after one failure: wait %v, %+v", wait, m.OutboxMessage)
	}
	if m.To != "reader@example.org" || m.Subject != "Hello" {
		t.Fatalf("admin view: to %q subject %q", m.To, m.Subject)
	}
	if n := f.drain(t); n != 0 {
		t.Fatalf("a message was retried before its backoff: %d", n)
	}
	f.clock.Add(73 * time.Second)
	f.drain(t)
	page, _ = f.svc.Outbox(ctx, f.admin, "news", parley.OutboxPending, "", 0)
	if wait := page.Items[0].NextAttemptAt.Sub(f.clock.Now()); wait < 96*time.Second || wait > 144*time.Second {
		t.Fatalf("second backoff %v, want about 2 minutes", wait)
	}
	// The third failure (MaxAttempts) parks it.
	f.clock.Add(145 * time.Second)
	f.drain(t)
	parked, err := f.svc.Outbox(ctx, f.admin, "news", parley.OutboxParked, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(parked.Items) != 1 || parked.Items[0].Attempts != 3 || sends != 3 {
		t.Fatalf("parked = %+v, sends %d", parked.Items, sends)
	}
	f.clock.Add(24 * time.Hour)
	if n := f.drain(t); n != 0 {
		t.Fatalf("a parked message was retried: %d", n)
	}

	// Only an admin of the site sees and retries it.
	if _, err := f.svc.Outbox(ctx, f.mod, "news", "", "", 0); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Fatalf("moderator listing: %v", err)
	}
	id := parked.Items[0].ID
	if _, err := f.svc.RetryOutboxMessage(ctx, f.mod, "news", id); parley.ErrorCode(err) != parley.EFORBIDDEN {
		t.Fatalf("moderator retry: %v", err)
	}
	if _, err := f.svc.RetryOutboxMessage(ctx, nil, "news", id); parley.ErrorCode(err) != parley.EUNAUTHORIZED {
		t.Fatalf("anonymous retry: %v", err)
	}
	mu.Lock()
	fail = false
	mu.Unlock()
	it, err := f.svc.RetryOutboxMessage(ctx, f.admin, "news", id)
	if err != nil || it.Status != parley.OutboxPending || it.Attempts != 0 {
		t.Fatalf("retry = %+v, %v", it, err)
	}
	if _, err := f.svc.RetryOutboxMessage(ctx, f.admin, "news", id); parley.ErrorCode(err) != parley.EINVALID {
		t.Fatalf("retrying a pending message: %v", err)
	}
	f.drain(t)
	sent, _ := f.svc.Outbox(ctx, f.admin, "news", parley.OutboxSent, "", 0)
	if len(sent.Items) != 1 || sent.Items[0].SentAt.IsZero() {
		t.Fatalf("sent = %+v", sent.Items)
	}
}

func TestOutboxPermanentFailureParksAtOnce(t *testing.T) {
	t.Parallel()
	f := newOutboxFixture(t, sqltest.OpenSQLite(t))
	f.svc.RegisterOutboxSender(parley.OutboxEmail, service.OutboxSenderFunc(func(ctx context.Context, m *parley.OutboxMessage) error {
		return service.Permanent(errors.New("550 no such user"))
	}))
	f.enqueue(t, "nobody@example.org")
	f.drain(t)
	parked, err := f.svc.Outbox(context.Background(), f.admin, "news", parley.OutboxParked, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(parked.Items) != 1 || parked.Items[0].Attempts != 1 || parked.Items[0].LastError != "550 no such user" {
		t.Fatalf("parked = %+v", parked.Items)
	}
}

func TestOutboxWithoutASenderKeepsMailPending(t *testing.T) {
	t.Parallel()
	f := newOutboxFixture(t, sqltest.OpenSQLite(t))
	f.enqueue(t, "reader@example.org")
	f.clock.Add(48 * time.Hour)
	if n := f.drain(t); n != 0 {
		t.Fatalf("drained %d messages without a sender", n)
	}
	page, err := f.svc.Outbox(context.Background(), f.admin, "news", parley.OutboxPending, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 1 || page.Items[0].Attempts != 0 {
		t.Fatalf("pending = %+v", page.Items)
	}
}

func TestEnqueueEmailRefusesBadPayloads(t *testing.T) {
	t.Parallel()
	f := newOutboxFixture(t, sqltest.OpenSQLite(t))
	for _, e := range []parley.Email{
		{To: "Evil <x@example.org>", Subject: "s", Text: "t"},
		{To: "x@example.org\r\nBcc: y@example.org", Subject: "s", Text: "t"},
		{To: "x@example.org", Subject: "s\r\nBcc: y@example.org", Text: "t"},
		{To: "x@example.org", Subject: "", Text: "t"},
		{To: "x@example.org", Subject: "s", Text: "t", ListUnsubscribe: "javascript:alert(1)"},
	} {
		err := f.db.InTx(context.Background(), func(tx parley.Store) error {
			return f.svc.EnqueueEmail(context.Background(), tx, "news", "", e)
		})
		if parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%+v: %v, want invalid", e, err)
		}
	}
}

// TestOutboxWorkersOnOneDatabaseSendEachMessageOnce runs two services, each
// with its own connection pool and worker, on one database.
func TestOutboxWorkersOnOneDatabaseSendEachMessageOnce(t *testing.T) {
	t.Parallel()
	for _, b := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "parley.db") }},
		{"postgres", func(t *testing.T) string { return sqltest.PostgresDSN(t) }},
	} {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dsn := b.dsn(t)
			var (
				mu    sync.Mutex
				count = map[string]int{}
				total int
			)
			var svcs []*service.Service
			for i := 0; i < 2; i++ {
				db, err := sqlstore.Open(ctx, dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				svc := service.New(service.Options{Store: db})
				svc.SetOutboxOptions(service.OutboxOptions{Owner: fmt.Sprintf("w%d", i), Batch: 5, Poll: 10 * time.Millisecond})
				svc.RegisterOutboxSender(parley.OutboxWebhook, service.OutboxSenderFunc(func(ctx context.Context, m *parley.OutboxMessage) error {
					mu.Lock()
					defer mu.Unlock()
					count[m.ID]++
					total++
					return nil
				}))
				svcs = append(svcs, svc)
			}
			const n = 200
			now := time.Now().UTC()
			for i := 0; i < n; i++ {
				m := &parley.OutboxMessage{ID: parley.NewID(now), Kind: parley.OutboxWebhook, Payload: []byte(`{}`), CreatedAt: now}
				if err := svcs[i%2].Store().EnqueueOutbox(ctx, m); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for _, svc := range svcs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// The probe below may hold the worker slot for a moment.
					for svc.RunOutbox(ctx) != nil {
						time.Sleep(time.Millisecond)
					}
				}()
			}
			// Once the worker runs, a second one in the same process is refused.
			done, stop := context.WithCancel(ctx)
			stop()
			for svcs[0].RunOutbox(done) == nil {
				time.Sleep(time.Millisecond)
			}
			deadline := time.Now().Add(time.Minute)
			for {
				page, _, err := svcs[0].Store().ListOutbox(ctx, parley.OutboxFilter{Status: parley.OutboxSent, Limit: 500})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == n || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			cancel()
			wg.Wait()
			mu.Lock()
			defer mu.Unlock()
			if len(count) != n || total != n {
				t.Fatalf("%d distinct messages sent in %d sends, want %d each", len(count), total, n)
			}
		})
	}
}
