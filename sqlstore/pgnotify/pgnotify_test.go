package pgnotify_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore/pgnotify"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// wait is a liveness bound only: a correct bus delivers in milliseconds,
// and the test fails rather than hangs if it never does.
const wait = 20 * time.Second

func newBus(t *testing.T, dsn string) *pgnotify.Bus {
	t.Helper()
	b, err := pgnotify.New(context.Background(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func receive(t *testing.T, ch <-chan parley.Event, want parley.Event) {
	t.Helper()
	timeout := time.After(wait)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatal("subscription closed")
			}
			if e.CommentID == want.CommentID {
				if !e.At.Equal(want.At) || e.Type != want.Type || e.SiteID != want.SiteID || e.StoryID != want.StoryID || e.Status != want.Status {
					t.Fatalf("got %+v, want %+v", e, want)
				}
				return
			}
		case <-timeout:
			t.Fatalf("event %s not delivered", want.CommentID)
		}
	}
}

func event(n int) parley.Event {
	now := time.Date(2025, 5, 6, 7, 8, 9, 123456789, time.UTC)
	return parley.Event{Type: parley.EventCommentUpdated, SiteID: "site", StoryID: "story",
		CommentID: parley.NewID(now.Add(time.Duration(n) * time.Millisecond)), Status: parley.StatusApproved, At: now}
}

func TestTwoInstances(t *testing.T) {
	t.Parallel()
	dsn := sqltest.PostgresDSN(t)
	a, b := newBus(t, dsn), newBus(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	subA, subB := a.Subscribe(ctx), b.Subscribe(ctx)
	subB2 := b.Subscribe(ctx)

	e := event(1)
	if err := a.Publish(ctx, e); err != nil {
		t.Fatal(err)
	}
	receive(t, subB, e)  // the other instance
	receive(t, subB2, e) // every local subscriber
	receive(t, subA, e)  // and the publisher itself

	e2 := event(2)
	if err := b.Publish(ctx, e2); err != nil {
		t.Fatal(err)
	}
	receive(t, subA, e2)

	// Cancelling a subscription closes its channel.
	sctx, scancel := context.WithCancel(context.Background())
	s := a.Subscribe(sctx)
	scancel()
	for range s {
	}
	// Closing the bus closes the remaining subscriptions.
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for range subA {
	}
	if err := a.Publish(context.Background(), event(3)); parley.ErrorCode(err) != parley.EUNAVAILABLE {
		t.Fatalf("publish on a closed bus: %v", err)
	}
	if _, ok := <-a.Subscribe(context.Background()); ok {
		t.Fatal("subscription on a closed bus delivered")
	}
}

func TestReconnect(t *testing.T) {
	t.Parallel()
	dsn := sqltest.PostgresDSN(t)
	a, b := newBus(t, dsn), newBus(t, dsn)
	ctx := context.Background()
	sub := b.Subscribe(ctx)

	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var killed int
	if err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'parley-listen' AND datname = current_database()`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 2 {
		t.Fatalf("terminated %d listen connections, want 2", killed)
	}
	// Events published while b reconnects may be lost; keep publishing until
	// one arrives.
	deadline := time.Now().Add(wait)
	for i := 0; ; i++ {
		if time.Now().After(deadline) {
			t.Fatal("no event delivered after the listen connection was killed")
		}
		e := event(100 + i)
		if err := a.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-sub:
			if got.Type != e.Type {
				t.Fatalf("got %+v", got)
			}
			return
		case <-time.After(200 * time.Millisecond):
		}
	}
}
