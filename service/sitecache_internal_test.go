package service

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/testutil"
	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestSiteCache: with the site cache on, posts read their site from the
// database once per TTL; a change through the service takes effect on the
// next post, and one made in the store directly (as another instance
// would) once the remembered site is older than the TTL.
func TestSiteCache(t *testing.T) {
	t.Parallel()
	db := testutil.NewCountingStore(sqltest.OpenSQLite(t))
	clk := testutil.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	s := New(Options{Store: db, Clock: clk, Passwords: CheapPasswordHasher, SiteCacheTTL: 2 * time.Second})
	ctx := context.Background()
	if _, err := s.CreateSite(ctx, "s", "Site", []string{"https://s.example"}); err != nil {
		t.Fatal(err)
	}
	admin, err := s.CreateUser(ctx, "admin@example.org", "Admin", "long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetRole(ctx, "s", admin.Email, parley.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	n := 0
	post := func() error {
		n++
		_, err := s.Post(ctx, Author{GuestToken: NewGuestToken(), ClientKey: fmt.Sprintf("192.0.2.%d", n)},
			PostInput{SiteID: "s", StoryURL: "https://s.example/a", Body: fmt.Sprintf("Comment number %d.", n), GuestName: "Guest"})
		return err
	}
	reads := func() int {
		_, _, names := db.Calls()
		k := 0
		for _, name := range names {
			if name == "GetSite" {
				k++
			}
		}
		return k
	}
	before := reads()
	for range 3 {
		if err := post(); err != nil {
			t.Fatal(err)
		}
	}
	if got := reads() - before; got != 1 {
		t.Fatalf("3 posts within the TTL read the site %d times, want 1", got)
	}

	site, err := s.Site(ctx, "s")
	if err != nil {
		t.Fatal(err)
	}
	settings := site.Settings
	settings.GuestsDisallowed = true
	if _, err := s.UpdateSiteSettings(ctx, admin, "s", settings); err != nil {
		t.Fatal(err)
	}
	if err := post(); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("a guest posted right after the service turned guests off: %v", err)
	}

	site.Settings.GuestsDisallowed = false // another instance turns them on again
	if err := db.UpdateSite(ctx, site); err != nil {
		t.Fatal(err)
	}
	if err := post(); !parley.IsCode(err, parley.EUNAUTHORIZED) {
		t.Fatalf("the site changed in the store was read again within the TTL: %v", err)
	}
	clk.Add(2 * time.Second)
	if err := post(); err != nil {
		t.Fatalf("a site changed in the store is seen after the TTL: %v", err)
	}
}
