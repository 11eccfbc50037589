package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func newOutbox(n int, kind, dedupe string) *parley.OutboxMessage {
	return &parley.OutboxMessage{ID: parley.NewID(at(n)), SiteID: "s1", Kind: kind, DedupeKey: dedupe,
		Payload: []byte(fmt.Sprintf(`{"n":%d}`, n)), CreatedAt: at(n)}
}

func outboxIDs(ms []*parley.OutboxMessage) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func testOutbox(t *testing.T, db *sqlstore.DB) {
	a, b, w := newOutbox(1, parley.OutboxEmail, "a"), newOutbox(2, parley.OutboxEmail, ""), newOutbox(3, parley.OutboxWebhook, "w")
	for _, m := range []*parley.OutboxMessage{a, b, w} {
		must(t, db.EnqueueOutbox(ctx(), m))
	}
	if b.DedupeKey != b.ID {
		t.Fatalf("empty dedupe key became %q, want the ID", b.DedupeKey)
	}
	// The same dedupe key again is a no-op, not an error.
	again := newOutbox(4, parley.OutboxEmail, "a")
	must(t, db.EnqueueOutbox(ctx(), again))
	_, err := db.GetOutbox(ctx(), again.ID)
	wantCode(t, err, parley.ENOTFOUND)
	bad := newOutbox(5, parley.OutboxEmail, "bad")
	bad.Payload = []byte("{not json")
	wantCode(t, db.EnqueueOutbox(ctx(), bad), parley.EINVALID)

	got, err := db.GetOutbox(ctx(), a.ID)
	must(t, err)
	want := &parley.OutboxMessage{ID: a.ID, SiteID: "s1", Kind: parley.OutboxEmail, DedupeKey: "a", Payload: []byte(`{"n":1}`),
		Status: parley.OutboxPending, NextAttemptAt: us(at(1)), CreatedAt: us(at(1)), UpdatedAt: us(at(1))}
	deepEqual(t, "outbox round trip", got, want)

	// Claims take due messages of one kind, oldest due first, and lease them.
	claimed, err := db.ClaimOutbox(ctx(), parley.OutboxEmail, "w1", at(10), time.Minute, 10)
	must(t, err)
	equalIDs(t, "first claim", outboxIDs(claimed), []string{a.ID, b.ID})
	if c := claimed[0]; c.Attempts != 1 || c.ClaimedBy != "w1" || !c.LeaseUntil.Equal(us(at(10).Add(time.Minute))) {
		t.Fatalf("claimed = %+v", c)
	}
	// Leased messages are not claimed again until the lease runs out.
	claimed, err = db.ClaimOutbox(ctx(), parley.OutboxEmail, "w2", at(20), time.Minute, 10)
	must(t, err)
	equalIDs(t, "claim under lease", outboxIDs(claimed), nil)
	claimed, err = db.ClaimOutbox(ctx(), parley.OutboxEmail, "w2", at(10).Add(time.Minute), time.Minute, 1)
	must(t, err)
	equalIDs(t, "claim after the lease", outboxIDs(claimed), []string{a.ID})
	if claimed[0].Attempts != 2 || claimed[0].ClaimedBy != "w2" {
		t.Fatalf("reclaimed = %+v", claimed[0])
	}

	// Complete, retry and park need a pending message.
	must(t, db.CompleteOutbox(ctx(), b.ID, at(30)))
	wantCode(t, db.CompleteOutbox(ctx(), b.ID, at(31)), parley.ENOTFOUND)
	wantCode(t, db.RetryOutbox(ctx(), b.ID, "x", at(31)), parley.ENOTFOUND)
	got, err = db.GetOutbox(ctx(), b.ID)
	must(t, err)
	if got.Status != parley.OutboxSent || !got.SentAt.Equal(us(at(30))) {
		t.Fatalf("after complete = %+v", got)
	}

	// Retry makes it due later; before then nobody claims it.
	later := at(10).Add(time.Hour)
	must(t, db.RetryOutbox(ctx(), a.ID, "421 try later", later))
	got, err = db.GetOutbox(ctx(), a.ID)
	must(t, err)
	if got.LastError != "421 try later" || !got.NextAttemptAt.Equal(us(later)) || got.ClaimedBy != "" || !got.LeaseUntil.IsZero() {
		t.Fatalf("after retry = %+v", got)
	}
	claimed, err = db.ClaimOutbox(ctx(), parley.OutboxEmail, "w3", later.Add(-time.Millisecond), time.Minute, 10)
	must(t, err)
	equalIDs(t, "claim before due", outboxIDs(claimed), nil)

	must(t, db.ParkOutbox(ctx(), a.ID, "550 no such user", at(40)))
	wantCode(t, db.ParkOutbox(ctx(), a.ID, "again", at(41)), parley.ENOTFOUND)
	claimed, err = db.ClaimOutbox(ctx(), parley.OutboxEmail, "w3", later.Add(time.Hour), time.Minute, 10)
	must(t, err)
	equalIDs(t, "parked messages are not claimed", outboxIDs(claimed), nil)

	// Listing filters by site, kind and status, newest first, with pages.
	page, next, err := db.ListOutbox(ctx(), parley.OutboxFilter{Status: parley.OutboxParked})
	must(t, err)
	equalIDs(t, "parked", outboxIDs(page), []string{a.ID})
	if next != "" || page[0].LastError != "550 no such user" || page[0].Attempts != 2 || !page[0].UpdatedAt.Equal(us(at(40))) {
		t.Fatalf("parked page = %+v next %q", page[0], next)
	}
	page, next, err = db.ListOutbox(ctx(), parley.OutboxFilter{SiteID: "s1", Limit: 2})
	must(t, err)
	equalIDs(t, "page 1", outboxIDs(page), []string{w.ID, b.ID})
	page, next, err = db.ListOutbox(ctx(), parley.OutboxFilter{SiteID: "s1", Limit: 2, Cursor: next})
	must(t, err)
	equalIDs(t, "page 2", outboxIDs(page), []string{a.ID})
	if next != "" {
		t.Fatalf("next after the last page = %q", next)
	}
	page, _, err = db.ListOutbox(ctx(), parley.OutboxFilter{Kind: parley.OutboxWebhook, SiteID: "s1"})
	must(t, err)
	equalIDs(t, "webhooks", outboxIDs(page), []string{w.ID})
	page, _, err = db.ListOutbox(ctx(), parley.OutboxFilter{SiteID: "other"})
	must(t, err)
	equalIDs(t, "other site", outboxIDs(page), nil)
	_, _, err = db.ListOutbox(ctx(), parley.OutboxFilter{Cursor: "garbage"})
	wantCode(t, err, parley.EINVALID)

	// Requeue gives a parked message a fresh start.
	wantCode(t, db.RequeueOutbox(ctx(), b.ID, at(50)), parley.ENOTFOUND)
	must(t, db.RequeueOutbox(ctx(), a.ID, at(50)))
	claimed, err = db.ClaimOutbox(ctx(), parley.OutboxEmail, "w4", at(50), time.Minute, 10)
	must(t, err)
	equalIDs(t, "requeued", outboxIDs(claimed), []string{a.ID})
	if claimed[0].Attempts != 1 {
		t.Fatalf("requeued attempts = %d, want 1", claimed[0].Attempts)
	}

	// Purge removes only sent messages older than the cut-off.
	n, err := db.PurgeOutbox(ctx(), at(30))
	must(t, err)
	if n != 0 {
		t.Fatalf("purged %d, want 0", n)
	}
	n, err = db.PurgeOutbox(ctx(), at(31))
	must(t, err)
	if n != 1 {
		t.Fatalf("purged %d, want 1", n)
	}
	_, err = db.GetOutbox(ctx(), b.ID)
	wantCode(t, err, parley.ENOTFOUND)
}

// testOutboxInTx checks that a message enqueued in a transaction that rolls
// back is gone with it.
func testOutboxInTx(t *testing.T, db *sqlstore.DB) {
	m := newOutbox(1, parley.OutboxEmail, "tx")
	boom := errors.New("boom")
	err := db.InTx(ctx(), func(tx parley.Store) error {
		must(t, tx.EnqueueOutbox(ctx(), m))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	_, err = db.GetOutbox(ctx(), m.ID)
	wantCode(t, err, parley.ENOTFOUND)
}

// testConcurrentOutboxClaims runs several claimers at once: every message is
// claimed by exactly one of them.
func testConcurrentOutboxClaims(t *testing.T, db *sqlstore.DB) {
	const messages, workers = 120, 6
	for i := 0; i < messages; i++ {
		must(t, db.EnqueueOutbox(ctx(), newOutbox(i, parley.OutboxEmail, fmt.Sprintf("k%d", i))))
	}
	var mu sync.Mutex
	owner := map[string]string{}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("w%d", w)
			for {
				ms, err := db.ClaimOutbox(ctx(), parley.OutboxEmail, name, at(messages), time.Hour, 7)
				if err != nil {
					errs[w] = err
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					if prev, ok := owner[m.ID]; ok {
						errs[w] = fmt.Errorf("%s claimed by %s and %s", m.ID, prev, name)
					}
					owner[m.ID] = name
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	if len(owner) != messages {
		t.Fatalf("%d messages claimed, want %d", len(owner), messages)
	}
}
