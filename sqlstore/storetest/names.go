package storetest

import (
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

// testProtectedNames: a protected skeleton is found on its site only;
// protecting twice is fine; unknown sites and users are ENOTFOUND.
func testProtectedNames(t *testing.T, db *sqlstore.DB) {
	site, other := seedSite(t, db, 1), seedSite(t, db, 2)
	u := seedUser(t, db, 3)
	must(t, db.ProtectName(ctx(), site.ID, "moderator", u.ID))
	must(t, db.ProtectName(ctx(), site.ID, "moderator", u.ID))
	for _, tc := range []struct {
		site, skeleton string
		want           bool
	}{{site.ID, "moderator", true}, {other.ID, "moderator", false}, {site.ID, "moderators", false}} {
		got, err := db.NameProtected(ctx(), tc.site, tc.skeleton)
		must(t, err)
		if got != tc.want {
			t.Errorf("NameProtected(%s, %s) = %v", tc.site, tc.skeleton, got)
		}
	}
	wantCode(t, db.ProtectName(ctx(), "missing", "x", u.ID), parley.ENOTFOUND)
	wantCode(t, db.ProtectName(ctx(), site.ID, "x", "missing"), parley.ENOTFOUND)
}
