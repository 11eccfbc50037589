package main

import (
	"context"
	"io"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

// TestDemoSeedingMailsNobody: `serve --demo` seeds made-up readers (guests
// with reader…@demo.example addresses, reports on a published comment) on
// a server whose public URL is set, so mail is on. Seeding must queue no
// mail at all: no "confirm your address" to the fake readers, no
// "reported" mail to the demo staff. A comment posted afterwards still
// asks for confirmation (mail is not off for good).
func TestDemoSeedingMailsNobody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbf := dbFlags{data: t.TempDir()}
	db, err := dbf.open(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := service.New(service.Options{Store: db, Clock: parley.SystemClock{}, PublicURL: "http://127.0.0.1:8080",
		Passwords: service.CheapPasswordHasher})
	if err := setupDemo(ctx, svc, "http://127.0.0.1:8080", "", true, io.Discard); err != nil {
		t.Fatal(err)
	}
	mails, _, err := db.ListOutbox(ctx, parley.OutboxFilter{Kind: parley.OutboxEmail, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		t.Errorf("seeding queued a mail: %s", m.Payload)
	}
	// After seeding, a real guest with an address is asked to confirm it.
	if _, err := svc.Post(ctx, service.Author{ClientIP: "192.0.2.200", ClientKey: "192.0.2.200", GuestToken: "pg_after_seed"},
		service.PostInput{SiteID: demoSiteID, StoryURL: demoStoryURL, Body: "A question after the demo was seeded.", GuestName: "Later",
			GuestEmail: "later@example.org", ComposeMillis: 45000}); err != nil {
		t.Fatal(err)
	}
	mails, _, err = db.ListOutbox(ctx, parley.OutboxFilter{Kind: parley.OutboxEmail, Limit: 1000})
	if err != nil || len(mails) != 1 {
		t.Fatalf("after seeding, a guest's comment queued %d mails (%v), want the one confirmation", len(mails), err)
	}
}
