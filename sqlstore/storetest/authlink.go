package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func testAuthLinks(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	u := seedUser(t, db, 2)
	l := &parley.AuthLink{ID: parley.NewID(at(3)), TokenHash: "h1", Purpose: parley.LinkInvite, SiteID: site.ID, Email: "New@Example.org",
		Role: parley.RoleModerator, InvitedBy: u.ID, CreatedAt: at(3), ExpiresAt: at(3).Add(30 * time.Minute)}
	must(t, db.CreateAuthLink(ctx(), l))
	dup := *l
	dup.ID = parley.NewID(at(4))
	wantCode(t, db.CreateAuthLink(ctx(), &dup), parley.ECONFLICT)

	got, err := db.PeekAuthLink(ctx(), "h1", at(5))
	must(t, err)
	want := *l
	want.Email, want.CreatedAt, want.ExpiresAt = "new@example.org", us(l.CreatedAt), us(l.ExpiresAt)
	deepEqual(t, "peek", got, &want)
	_, err = db.PeekAuthLink(ctx(), "h1", l.ExpiresAt)
	wantCode(t, err, parley.ENOTFOUND)
	list, err := db.ListAuthLinks(ctx(), site.ID, parley.LinkInvite, at(5))
	must(t, err)
	if len(list) != 1 || list[0].ID != l.ID {
		t.Fatalf("list = %+v", list)
	}

	// Concurrent takers: exactly one gets the link.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := db.TakeAuthLink(ctx(), "h1", at(6)); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !parley.IsCode(err, parley.ENOTFOUND) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d takers got the link, want 1", wins)
	}
	_, err = db.TakeAuthLink(ctx(), "h1", at(7))
	wantCode(t, err, parley.ENOTFOUND)

	// An expired link cannot be taken and is purged.
	old := &parley.AuthLink{ID: parley.NewID(at(8)), TokenHash: "h2", Purpose: parley.LinkReset, Email: "x@example.org", CreatedAt: at(8), ExpiresAt: at(9)}
	must(t, db.CreateAuthLink(ctx(), old))
	_, err = db.TakeAuthLink(ctx(), "h2", at(9))
	wantCode(t, err, parley.ENOTFOUND)
	n, err := db.PurgeAuthLinks(ctx(), at(10))
	must(t, err)
	if n != 1 {
		t.Fatalf("purged %d", n)
	}
	for i, h := range []string{"h3", "h4"} {
		must(t, db.CreateAuthLink(ctx(), &parley.AuthLink{ID: parley.NewID(at(11 + i)), TokenHash: h, Purpose: parley.LinkReset, Email: "Y@example.org",
			CreatedAt: at(11), ExpiresAt: at(11).Add(time.Hour)}))
	}
	must(t, db.DeleteAuthLinksFor(ctx(), "y@EXAMPLE.org", parley.LinkReset))
	_, err = db.PeekAuthLink(ctx(), "h4", at(12))
	wantCode(t, err, parley.ENOTFOUND)
	wantCode(t, db.DeleteAuthLink(ctx(), site.ID, "nope"), parley.ENOTFOUND)

	// Verified addresses.
	ok, err := db.EmailVerified(ctx(), u.Email)
	must(t, err)
	if ok {
		t.Fatal("a new user is verified")
	}
	must(t, db.SetEmailVerified(ctx(), u.ID, at(20)))
	wantCode(t, db.SetEmailVerified(ctx(), "nobody", at(20)), parley.ENOTFOUND)
	ok, err = db.EmailVerified(ctx(), "USER2@example.ORG")
	must(t, err)
	other := seedUser(t, db, 21)
	v, err := db.VerifiedUsers(ctx(), []string{u.ID, other.ID})
	must(t, err)
	if !ok || !v[u.ID] || v[other.ID] || len(v) != 1 {
		t.Fatalf("verified: %v %v", ok, v)
	}
}
