package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testmail"
	"github.com/parley-comments/parley/mailer"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// mailInstance is one Parley process: its own pool on the shared database,
// its own service and outbox worker, sending to a real SMTP server.
func mailInstance(t *testing.T, ctx context.Context, dsn, smtpURL string, o service.OutboxOptions) *service.Service {
	t.Helper()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := service.New(service.Options{Store: db, Passwords: service.CheapPasswordHasher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	svc.SetOutboxOptions(o)
	snd, err := mailer.New(mailer.Config{URL: smtpURL, From: "Parley <parley@news.example>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	svc.RegisterOutboxSender(parley.OutboxEmail, snd)
	return svc
}

func enqueueMails(t *testing.T, svc *service.Service, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		err := svc.Store().InTx(ctx, func(tx parley.Store) error {
			return svc.EnqueueEmail(ctx, tx, "", fmt.Sprintf("test:%d", i), parley.Email{To: fmt.Sprintf("r%d@example.org", i), Subject: fmt.Sprintf("Message %d", i), Text: "Hello."})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// runWorkers starts each service's worker and returns a stop function.
func runWorkers(svcs ...*service.Service) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, svc := range svcs {
		wg.Add(1)
		go func() { defer wg.Done(); _ = svc.RunOutbox(ctx) }()
	}
	return func() { cancel(); wg.Wait() }
}

// waitSent polls the outbox until n messages are sent.
func waitSent(t *testing.T, st parley.Store, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		page, _, err := st.ListOutbox(context.Background(), parley.OutboxFilter{Status: parley.OutboxSent, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages sent after %v", len(page), n, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// assertDeliveredOnce checks that mailpit holds exactly one message to each
// of r0..r(n-1)@example.org.
func assertDeliveredOnce(t *testing.T, mp *testmail.Server, n int) {
	t.Helper()
	count := map[string]int{}
	for _, m := range mp.Messages(t) {
		for _, to := range m.To {
			count[to.Address]++
		}
	}
	for i := 0; i < n; i++ {
		if c := count[fmt.Sprintf("r%d@example.org", i)]; c != 1 {
			t.Errorf("r%d@example.org got %d messages, want 1", i, c)
		}
	}
	if len(count) != n {
		t.Errorf("%d recipients, want %d", len(count), n)
	}
}

// TestTwoInstancesOnOnePostgresDeliverEachEmailOnce runs two instances on
// one PostgreSQL database against a real SMTP server: 200 queued messages
// arrive exactly once each.
func TestTwoInstancesOnOnePostgresDeliverEachEmailOnce(t *testing.T) {
	t.Parallel()
	mp := testmail.Start(t, testmail.Options{})
	ctx := context.Background()
	dsn := sqltest.PostgresDSN(t)
	o := service.OutboxOptions{Batch: 10, Poll: 20 * time.Millisecond}
	a := mailInstance(t, ctx, dsn, mp.SMTPURL(), o)
	b := mailInstance(t, ctx, dsn, mp.SMTPURL(), o)
	enqueueMails(t, a, 0, 100)
	enqueueMails(t, b, 100, 100)
	stop := runWorkers(a, b)
	waitSent(t, a.Store(), 200, 2*time.Minute)
	stop()
	assertDeliveredOnce(t, mp, 200)
}

// TestSMTPOutageLosesNothing stops the SMTP server, queues mail while it is
// down, and restarts it: everything arrives once, nothing is parked.
func TestSMTPOutageLosesNothing(t *testing.T) {
	t.Parallel()
	mp := testmail.Start(t, testmail.Options{})
	ctx := context.Background()
	svc := mailInstance(t, ctx, sqltest.PostgresDSN(t), mp.SMTPURL(),
		service.OutboxOptions{Poll: 20 * time.Millisecond, BaseBackoff: 200 * time.Millisecond, MaxBackoff: time.Second, MaxAttempts: 1000})
	enqueueMails(t, svc, 0, 5)
	stop := runWorkers(svc)
	defer stop()
	waitSent(t, svc.Store(), 5, time.Minute)

	mp.Stop()
	enqueueMails(t, svc, 5, 25)
	// Wait until the worker has failed on every queued message at least once.
	deadline := time.Now().Add(time.Minute)
	for {
		page, _, err := svc.Store().ListOutbox(ctx, parley.OutboxFilter{Status: parley.OutboxPending, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, m := range page {
			if m.LastError != "" {
				failed++
			}
		}
		if failed == 25 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 25 messages failed while the server was down", failed)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // several more failed rounds while it is down
	mp.Start(t)
	waitSent(t, svc.Store(), 30, time.Minute)
	parked, _, err := svc.Store().ListOutbox(ctx, parley.OutboxFilter{Status: parley.OutboxParked})
	if err != nil {
		t.Fatal(err)
	}
	if len(parked) != 0 {
		t.Fatalf("%d messages parked", len(parked))
	}
	assertDeliveredOnce(t, mp, 30)
}
