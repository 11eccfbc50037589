package storetest

import (
	"reflect"
	"sync"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

func testIdentity(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	pw := seedUser(t, db, 2)

	// Sign-in configuration round-trips, and is replaced whole.
	_, err := db.GetSiteAuth(ctx(), site.ID)
	wantCode(t, err, parley.ENOTFOUND)
	cfg := &parley.SiteAuth{SiteID: site.ID, UpdatedAt: at(3),
		SSO: parley.SSOConfig{Secret: "s3cret-s3cret-s3cret-s3cret-s3cret"},
		OIDC: parley.OIDCConfig{Issuer: "https://idp.example", ClientID: "parley", ClientSecret: "cs", RoleClaim: "groups",
			Roles: map[string]parley.Role{"desk": parley.RoleModerator, "writers": parley.RoleAuthor}}}
	must(t, db.PutSiteAuth(ctx(), cfg))
	got, err := db.GetSiteAuth(ctx(), site.ID)
	must(t, err)
	want := *cfg
	want.UpdatedAt = us(want.UpdatedAt)
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("site auth = %+v, want %+v", got, want)
	}
	cfg.SSO = parley.SSOConfig{}
	cfg.UpdatedAt = at(4)
	must(t, db.PutSiteAuth(ctx(), cfg))
	if got, _ := db.GetSiteAuth(ctx(), site.ID); got.SSO.Enabled() || !got.OIDC.Enabled() {
		t.Fatalf("replaced config: %+v", got)
	}
	wantCode(t, db.PutSiteAuth(ctx(), &parley.SiteAuth{SiteID: "no-such-site", UpdatedAt: at(4)}), parley.ENOTFOUND)

	// Identity users never collide with password users or each other, and
	// are not found by email.
	u1 := &parley.User{ID: parley.NewID(at(5)), Email: pw.Email, Name: "Ext One", CreatedAt: at(5)}
	u2 := &parley.User{ID: parley.NewID(at(6)), Email: pw.Email, Name: "Ext Two", CreatedAt: at(6)}
	must(t, db.CreateIdentityUser(ctx(), u1))
	must(t, db.CreateIdentityUser(ctx(), u2))
	if byEmail, err := db.GetUserByEmail(ctx(), pw.Email); err != nil || byEmail.ID != pw.ID {
		t.Fatalf("email lookup found %v, %v; want the password user", byEmail, err)
	}
	if got, err := db.GetUser(ctx(), u1.ID); err != nil || got.Email != "" || got.PasswordHash != "" || got.Name != "Ext One" {
		t.Fatalf("identity user = %+v, %v", got, err)
	}

	// (issuer, subject) binds one user; the same subject at another issuer is another account.
	i1 := &parley.Identity{ID: parley.NewID(at(7)), UserID: u1.ID, Issuer: "https://idp.example", Subject: "42", Email: "a@x.example", Name: "A", CreatedAt: at(7), LastLoginAt: at(7)}
	must(t, db.CreateIdentity(ctx(), i1))
	dup := *i1
	dup.ID, dup.UserID = parley.NewID(at(8)), u2.ID
	wantCode(t, db.CreateIdentity(ctx(), &dup), parley.ECONFLICT)
	other := dup
	other.Issuer = parley.SSOIssuer(site.ID)
	must(t, db.CreateIdentity(ctx(), &other))
	gi, err := db.GetIdentity(ctx(), "https://idp.example", "42")
	must(t, err)
	if gi.UserID != u1.ID || gi.Email != "a@x.example" || !gi.CreatedAt.Equal(us(at(7))) {
		t.Fatalf("identity = %+v", gi)
	}
	_, err = db.GetIdentity(ctx(), "https://idp.example", "43")
	wantCode(t, err, parley.ENOTFOUND)
	gi.Email, gi.Name, gi.LastLoginAt = "b@x.example", "B", at(9)
	must(t, db.UpdateIdentity(ctx(), gi))
	list, err := db.ListIdentities(ctx(), u1.ID)
	must(t, err)
	if len(list) != 1 || list[0].Email != "b@x.example" || !list[0].LastLoginAt.Equal(us(at(9))) {
		t.Fatalf("identities of u1 = %+v", list)
	}
	wantCode(t, db.UpdateIdentity(ctx(), &parley.Identity{ID: "missing", LastLoginAt: at(9)}), parley.ENOTFOUND)

	// Many concurrent first sign-ins of one account bind it once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for n := 0; n < 8; n++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			err := db.CreateIdentity(ctx(), &parley.Identity{ID: parley.NewID(at(100 + n)), UserID: u2.ID, Issuer: "https://idp.example", Subject: "race", CreatedAt: at(10), LastLoginAt: at(10)})
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !parley.IsCode(err, parley.ECONFLICT) {
				t.Error(err)
			}
		}(n)
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent bindings of one account succeeded, want 1", wins)
	}

	// Provider roles: recorded, replaced, forgotten, per site.
	if r, err := db.GetProviderRole(ctx(), site.ID, u1.ID); err != nil || r != "" {
		t.Fatalf("no provider role: %q %v", r, err)
	}
	must(t, db.SetProviderRole(ctx(), site.ID, u1.ID, parley.RoleModerator))
	must(t, db.SetProviderRole(ctx(), site.ID, u1.ID, parley.RoleAuthor))
	if r, _ := db.GetProviderRole(ctx(), site.ID, u1.ID); r != parley.RoleAuthor {
		t.Fatalf("provider role = %q", r)
	}
	if r, _ := db.GetProviderRole(ctx(), "other", u1.ID); r != "" {
		t.Fatalf("provider role on another site = %q", r)
	}
	must(t, db.SetProviderRole(ctx(), site.ID, u1.ID, ""))
	if r, _ := db.GetProviderRole(ctx(), site.ID, u1.ID); r != "" {
		t.Fatalf("forgotten provider role = %q", r)
	}
}

func testTokenIDsAndFlows(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	must(t, db.UseTokenID(ctx(), site.ID, "jti-1", at(100)))
	wantCode(t, db.UseTokenID(ctx(), site.ID, "jti-1", at(100)), parley.ECONFLICT)
	must(t, db.UseTokenID(ctx(), "other-site", "jti-1", at(100)))

	f := &parley.LoginFlow{StateHash: "h1", SiteID: site.ID, Verifier: "v", Nonce: "n", ReturnTo: "/moderation", LinkUserID: "u", ExpiresAt: at(100)}
	must(t, db.CreateLoginFlow(ctx(), f))
	wantCode(t, db.CreateLoginFlow(ctx(), f), parley.ECONFLICT)
	db.SetClock(fixedClock{at(50)})
	got, err := db.TakeLoginFlow(ctx(), "h1")
	must(t, err)
	f.ExpiresAt = us(f.ExpiresAt)
	if !reflect.DeepEqual(got, f) {
		t.Fatalf("flow = %+v, want %+v", got, f)
	}
	_, err = db.TakeLoginFlow(ctx(), "h1")
	wantCode(t, err, parley.ENOTFOUND) // single use
	must(t, db.CreateLoginFlow(ctx(), &parley.LoginFlow{StateHash: "h2", SiteID: site.ID, ExpiresAt: at(40)}))
	_, err = db.TakeLoginFlow(ctx(), "h2")
	wantCode(t, err, parley.ENOTFOUND) // expired

	// Purge drops expired token IDs and flows.
	must(t, db.UseTokenID(ctx(), site.ID, "old", at(10)))
	must(t, db.CreateLoginFlow(ctx(), &parley.LoginFlow{StateHash: "h3", SiteID: site.ID, ExpiresAt: at(10)}))
	n, err := db.Purge(ctx(), at(20), at(0), at(0))
	must(t, err)
	if n != 2 {
		t.Fatalf("purged %d, want 2", n)
	}
	must(t, db.UseTokenID(ctx(), site.ID, "old", at(300))) // its ID is free again only after it expired
}

func testUserSessions(t *testing.T, db *sqlstore.DB) {
	u := seedUser(t, db, 1)
	other := seedUser(t, db, 2)
	for _, s := range []*parley.Session{
		{IDHash: "a", UserID: u.ID, CSRFToken: "c", CreatedAt: at(1), ExpiresAt: at(1000)},
		{IDHash: "b", UserID: u.ID, CSRFToken: "c", Method: parley.LoginOIDC, SiteID: "s", UserAgent: "Firefox", CreatedAt: at(2), ExpiresAt: at(1000)},
		{IDHash: "gone", UserID: u.ID, CSRFToken: "c", CreatedAt: at(0), ExpiresAt: at(5)},
		{IDHash: "o", UserID: other.ID, CSRFToken: "c", CreatedAt: at(3), ExpiresAt: at(1000)},
	} {
		must(t, db.CreateSession(ctx(), s))
	}
	db.SetClock(fixedClock{at(10)})
	list, err := db.ListUserSessions(ctx(), u.ID)
	must(t, err)
	if len(list) != 2 || list[0].IDHash != "b" || list[0].Method != parley.LoginOIDC || list[0].UserAgent != "Firefox" || list[1].Method != parley.LoginPassword {
		t.Fatalf("sessions = %+v", list)
	}
	n, err := db.DeleteUserSessions(ctx(), u.ID)
	must(t, err)
	if n != 3 {
		t.Fatalf("deleted %d sessions, want 3", n)
	}
	if list, _ := db.ListUserSessions(ctx(), u.ID); len(list) != 0 {
		t.Fatalf("sessions left: %+v", list)
	}
	_, err = db.GetSession(ctx(), "o")
	must(t, err)
}

// testIdentityErasure: erasing an account that signs in through identities
// removes the identities and provider roles with it.
func testIdentityErasure(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	u := &parley.User{ID: parley.NewID(at(2)), Name: "Ext", CreatedAt: at(2)}
	must(t, db.CreateIdentityUser(ctx(), u))
	must(t, db.CreateIdentity(ctx(), &parley.Identity{ID: parley.NewID(at(3)), UserID: u.ID, Issuer: parley.SSOIssuer(site.ID), Subject: "s-1",
		Email: "ext@readers.example", Name: "Ext", CreatedAt: at(3), LastLoginAt: at(3)}))
	must(t, db.SetRole(ctx(), parley.Membership{SiteID: site.ID, UserID: u.ID, Role: parley.RoleAuthor}))
	must(t, db.SetProviderRole(ctx(), site.ID, u.ID, parley.RoleAuthor))
	must(t, db.CreateSession(ctx(), &parley.Session{IDHash: "ext", UserID: u.ID, CSRFToken: "c", Method: parley.LoginSSO, SiteID: site.ID, CreatedAt: at(3), ExpiresAt: at(1000)}))
	res, err := db.Erase(ctx(), parley.Erasure{UserID: u.ID, DeleteAccount: true, At: at(4)})
	must(t, err)
	if !res.Account {
		t.Fatal("the account was not removed")
	}
	_, err = db.GetIdentity(ctx(), parley.SSOIssuer(site.ID), "s-1")
	wantCode(t, err, parley.ENOTFOUND)
	if r, _ := db.GetProviderRole(ctx(), site.ID, u.ID); r != "" {
		t.Fatalf("provider role left: %q", r)
	}
}
