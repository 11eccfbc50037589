// Package storetest is the conformance suite for parley.Store
// implementations. Run it against every backend:
//
//	func TestSQLite(t *testing.T) { storetest.Run(t, sqltest.OpenSQLite) }
//
// Each subtest opens its own empty, migrated database with open.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

// Run runs every conformance test against databases from open.
func Run(t *testing.T, open func(testing.TB) *sqlstore.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *sqlstore.DB)
	}{
		{"Sites", testSites},
		{"Users", testUsers},
		{"ReplacePasswordHash", testReplacePasswordHash},
		{"Roles", testRoles},
		{"Tokens", testTokens},
		{"Sessions", testSessions},
		{"Stories", testStories},
		{"EnsureStory", testEnsureStory},
		{"ProtectedNames", testProtectedNames},
		{"StoryPages", testStoryPages},
		{"CommentRoundTrip", testCommentRoundTrip},
		{"UpdateComment", testUpdateComment},
		{"ConcurrentUpdateComment", testConcurrentUpdateComment},
		{"ThreadVisibility", testThreadVisibility},
		{"ThreadPages", testThreadPages},
		{"ViewerComments", testViewerComments},
		{"Queue", testQueue},
		{"QueueFilters", testQueueFilters},
		{"QueuePagesLarge", testQueuePagesLarge},
		{"Counts", testCounts},
		{"FindDuplicate", testFindDuplicate},
		{"ScanComments", testScanComments},
		{"Revisions", testRevisions},
		{"IdempotencyKeys", testIdempotencyKeys},
		{"Audit", testAudit},
		{"Sanctions", testSanctions},
		{"RateBuckets", testRateBuckets},
		{"ConcurrentRateBuckets", testConcurrentRateBuckets},
		{"InTx", testInTx},
		{"ErrorMapping", testErrorMapping},
		{"Times", testTimes},
		{"Reports", testReports},
		{"ReportReview", testReportReview},
		{"StoryLocale", testStoryLocale},
		{"SiteAdapters", testSiteAdapters},
		{"Purge", testPurge},
		{"Identity", testIdentity}, {"TokenIDsAndFlows", testTokenIDsAndFlows}, {"UserSessions", testUserSessions}, {"IdentityErasure", testIdentityErasure},
		{"Webhooks", testWebhooks},
		{"Privacy", testPrivacy},
		{"Outbox", testOutbox}, {"OutboxInTx", testOutboxInTx}, {"ConcurrentOutboxClaims", testConcurrentOutboxClaims},
		{"AuthLinks", testAuthLinks},
		{"Transfer", testTransfer},
		{"ImportJobs", testImportJobs}, {"ConcurrentImportClaims", testConcurrentImportClaims}, {"ImportUploads", testImportUploads},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// base is the fixtures' clock origin; it has sub-microsecond digits that
// the store must drop.
var base = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)

// at returns base plus n milliseconds; IDs made with it sort by n.
func at(n int) time.Time { return base.Add(time.Duration(n) * time.Millisecond) }

// us truncates t to the stored precision, in UTC.
func us(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func ctx() context.Context { return context.Background() }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := parley.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
	var pe *parley.Error
	if !errors.As(err, &pe) {
		t.Fatalf("error %v is not a *parley.Error", err)
	}
}

func seedSite(t *testing.T, db parley.Store, n int) *parley.Site {
	t.Helper()
	s := &parley.Site{ID: parley.NewID(at(n)), Name: fmt.Sprintf("Site %d", n), CreatedAt: at(n)}
	must(t, db.CreateSite(ctx(), s))
	return s
}

func seedUser(t *testing.T, db parley.Store, n int) *parley.User {
	t.Helper()
	u := &parley.User{ID: parley.NewID(at(n)), Email: fmt.Sprintf("User%d@Example.org", n), Name: fmt.Sprintf("User %d", n),
		PasswordHash: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA", CreatedAt: at(n)}
	must(t, db.CreateUser(ctx(), u))
	return u
}

func seedStory(t *testing.T, db parley.Store, site *parley.Site, n int) *parley.Story {
	t.Helper()
	s := &parley.Story{ID: parley.NewID(at(n)), SiteID: site.ID, URL: fmt.Sprintf("https://news.example/%d", n),
		Title: fmt.Sprintf("Story %d", n), AuthorIDs: []string{}, CreatedAt: at(n)}
	must(t, db.CreateStory(ctx(), s))
	return s
}

// newComment returns a minimal comment (not stored) created at at(n).
func newComment(site *parley.Site, story *parley.Story, n int, status parley.Status) *parley.Comment {
	return &parley.Comment{
		ID: parley.NewID(at(n)), SiteID: site.ID, StoryID: story.ID, Status: status,
		Body: fmt.Sprintf("comment %d", n), HTML: fmt.Sprintf("<p>comment %d</p>", n),
		AuthorName: "Guest", AuthorKey: "ip:192.0.2.1", CreatedAt: at(n), UpdatedAt: at(n),
	}
}

func seedComment(t *testing.T, db parley.Store, c *parley.Comment) *parley.Comment {
	t.Helper()
	must(t, db.CreateComment(ctx(), c))
	return c
}

func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func commentIDs(cs []*parley.Comment) []string {
	return ids(cs, func(c *parley.Comment) string { return c.ID })
}

func equalIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %v\n want %v", what, got, want)
	}
}

func deepEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func testSites(t *testing.T, db *sqlstore.DB) {
	s := &parley.Site{
		ID: parley.NewID(at(1)), Name: "Daily News", Origins: []string{"https://news.example", "https://www.news.example"},
		Settings: parley.Settings{
			Mode: parley.ModePost, GuestsDisallowed: true, PolicyText: map[string]string{"en": "Be kind.", "hy": "Եղեք բարի։"},
			Locale: "hy", EditWindow: parley.Duration(10 * time.Minute), MaxLinks: 2,
			AutoReject: map[parley.Label]float64{parley.LabelHateSpeech: 0.95}, DuplicateWindow: parley.Duration(time.Hour),
			ClusterWindow: parley.Duration(48 * time.Hour), BlockedDomains: []string{"spam.example"}, Extra: map[string]string{"k": "v"},
		},
		CreatedAt: at(1),
	}
	must(t, db.CreateSite(ctx(), s))
	got, err := db.GetSite(ctx(), s.ID)
	must(t, err)
	want := *s
	want.CreatedAt = us(s.CreatedAt)
	deepEqual(t, "site round trip", got, &want)

	wantCode(t, db.CreateSite(ctx(), &parley.Site{ID: s.ID, Name: "again", CreatedAt: at(2)}), parley.ECONFLICT)
	_, err = db.GetSite(ctx(), "missing")
	wantCode(t, err, parley.ENOTFOUND)

	want.Name, want.Origins, want.Settings = "Daily News 2", []string{"https://n2.example"}, parley.Settings{Mode: parley.ModePre}
	must(t, db.UpdateSite(ctx(), &want))
	got, err = db.GetSite(ctx(), s.ID)
	must(t, err)
	deepEqual(t, "updated site", got, &want)
	wantCode(t, db.UpdateSite(ctx(), &parley.Site{ID: "missing"}), parley.ENOTFOUND)

	s2 := seedSite(t, db, 5)
	list, err := db.ListSites(ctx())
	must(t, err)
	equalIDs(t, "ListSites", ids(list, func(s *parley.Site) string { return s.ID }), []string{s.ID, s2.ID})
}

func testUsers(t *testing.T, db *sqlstore.DB) {
	u := &parley.User{ID: parley.NewID(at(1)), Email: "Ana.Petrosyan@Example.ORG", Name: "Ana", PasswordHash: "$argon2id$x", CreatedAt: at(1)}
	must(t, db.CreateUser(ctx(), u))
	want := *u
	want.CreatedAt = us(u.CreatedAt)
	got, err := db.GetUser(ctx(), u.ID)
	must(t, err)
	deepEqual(t, "user round trip", got, &want)
	got, err = db.GetUserByEmail(ctx(), "ana.petrosyan@example.org")
	must(t, err)
	deepEqual(t, "user by lower-case email", got, &want)
	got, err = db.GetUserByEmail(ctx(), "ANA.PETROSYAN@EXAMPLE.ORG")
	must(t, err)
	deepEqual(t, "user by upper-case email", got, &want)

	dup := &parley.User{ID: parley.NewID(at(2)), Email: "ana.petrosyan@example.org", Name: "Other", CreatedAt: at(2)}
	wantCode(t, db.CreateUser(ctx(), dup), parley.ECONFLICT)
	_, err = db.GetUserByEmail(ctx(), "nobody@example.org")
	wantCode(t, err, parley.ENOTFOUND)
	_, err = db.GetUser(ctx(), "missing")
	wantCode(t, err, parley.ENOTFOUND)

	want.Email, want.Name, want.PasswordHash = "ana@example.org", "Ana P.", "$argon2id$y"
	must(t, db.UpdateUser(ctx(), &want))
	got, err = db.GetUserByEmail(ctx(), "ANA@example.org")
	must(t, err)
	deepEqual(t, "updated user", got, &want)
	if _, err := db.GetUserByEmail(ctx(), "ana.petrosyan@example.org"); parley.ErrorCode(err) != parley.ENOTFOUND {
		t.Fatalf("old email still finds the user: %v", err)
	}
	// The old email is free again; taking the new one by update is a conflict.
	other := seedUser(t, db, 3)
	other.Email = "ANA@EXAMPLE.ORG"
	wantCode(t, db.UpdateUser(ctx(), other), parley.ECONFLICT)
	wantCode(t, db.UpdateUser(ctx(), &parley.User{ID: "missing", Email: "m@example.org"}), parley.ENOTFOUND)
}

func testRoles(t *testing.T, db *sqlstore.DB) {
	s1, s2 := seedSite(t, db, 1), seedSite(t, db, 2)
	u1, u2 := seedUser(t, db, 3), seedUser(t, db, 4)
	must(t, db.SetRole(ctx(), parley.Membership{SiteID: s1.ID, UserID: u1.ID, Role: parley.RoleModerator}))
	must(t, db.SetRole(ctx(), parley.Membership{SiteID: s2.ID, UserID: u1.ID, Role: parley.RoleAuthor}))
	must(t, db.SetRole(ctx(), parley.Membership{SiteID: s1.ID, UserID: u2.ID, Role: parley.RoleAuthor}))
	// Replace.
	must(t, db.SetRole(ctx(), parley.Membership{SiteID: s1.ID, UserID: u1.ID, Role: parley.RoleAdmin}))
	r, err := db.GetRole(ctx(), s1.ID, u1.ID)
	must(t, err)
	if r != parley.RoleAdmin {
		t.Fatalf("role = %q, want admin", r)
	}
	ms, err := db.ListMemberships(ctx(), u1.ID)
	must(t, err)
	deepEqual(t, "ListMemberships", ms, []parley.Membership{
		{SiteID: s1.ID, UserID: u1.ID, Role: parley.RoleAdmin}, {SiteID: s2.ID, UserID: u1.ID, Role: parley.RoleAuthor},
	})
	members, err := db.ListSiteMembers(ctx(), s1.ID)
	must(t, err)
	deepEqual(t, "ListSiteMembers", members, []parley.Membership{
		{SiteID: s1.ID, UserID: u1.ID, Role: parley.RoleAdmin}, {SiteID: s1.ID, UserID: u2.ID, Role: parley.RoleAuthor},
	})
	must(t, db.DeleteRole(ctx(), s1.ID, u1.ID))
	_, err = db.GetRole(ctx(), s1.ID, u1.ID)
	wantCode(t, err, parley.ENOTFOUND)
	wantCode(t, db.DeleteRole(ctx(), s1.ID, u1.ID), parley.ENOTFOUND)
	// A role for a user that does not exist: the foreign key maps to ENOTFOUND.
	wantCode(t, db.SetRole(ctx(), parley.Membership{SiteID: s1.ID, UserID: "missing", Role: parley.RoleAdmin}), parley.ENOTFOUND)
	ms, err = db.ListMemberships(ctx(), "nobody")
	must(t, err)
	if len(ms) != 0 {
		t.Fatalf("memberships of unknown user: %v", ms)
	}
}

func testTokens(t *testing.T, db *sqlstore.DB) {
	u := seedUser(t, db, 1)
	tok := &parley.Token{ID: parley.NewID(at(2)), UserID: u.ID, SecretHash: strings.Repeat("ab", 32), CreatedAt: at(2)}
	must(t, db.CreateToken(ctx(), tok))
	got, err := db.GetTokenBySecretHash(ctx(), tok.SecretHash)
	must(t, err)
	want := *tok
	want.CreatedAt = us(tok.CreatedAt)
	deepEqual(t, "token round trip", got, &want)
	must(t, db.TouchToken(ctx(), tok.ID, at(5000)))
	got, err = db.GetTokenBySecretHash(ctx(), tok.SecretHash)
	must(t, err)
	want.LastUsedAt = us(at(5000))
	deepEqual(t, "touched token", got, &want)
	wantCode(t, db.TouchToken(ctx(), "missing", at(1)), parley.ENOTFOUND)
	_, err = db.GetTokenBySecretHash(ctx(), "nope")
	wantCode(t, err, parley.ENOTFOUND)
	wantCode(t, db.CreateToken(ctx(), &parley.Token{ID: parley.NewID(at(3)), UserID: u.ID, SecretHash: tok.SecretHash, CreatedAt: at(3)}), parley.ECONFLICT)
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

func testSessions(t *testing.T, db *sqlstore.DB) {
	u := seedUser(t, db, 1)
	s := &parley.Session{IDHash: strings.Repeat("cd", 32), UserID: u.ID, CSRFToken: "csrf", CreatedAt: at(10), ExpiresAt: at(2000)}
	must(t, db.CreateSession(ctx(), s))
	got, err := db.GetSession(ctx(), s.IDHash)
	must(t, err)
	want := *s
	want.CreatedAt, want.ExpiresAt = us(s.CreatedAt), us(s.ExpiresAt)
	deepEqual(t, "session round trip", got, &want)
	wantCode(t, db.CreateSession(ctx(), s), parley.ECONFLICT)

	gs, gu, err := db.GetSessionUser(ctx(), s.IDHash) // expired or not: expiry is the service's
	must(t, err)
	deepEqual(t, "session of GetSessionUser", gs, &want)
	wantU, err := db.GetUser(ctx(), u.ID)
	must(t, err)
	deepEqual(t, "user of GetSessionUser", gu, wantU)
	_, _, err = db.GetSessionUser(ctx(), "missing")
	wantCode(t, err, parley.ENOTFOUND)
	must(t, db.DeleteSession(ctx(), s.IDHash))
	_, err = db.GetSession(ctx(), s.IDHash)
	wantCode(t, err, parley.ENOTFOUND)
	_, _, err = db.GetSessionUser(ctx(), s.IDHash)
	wantCode(t, err, parley.ENOTFOUND)
	must(t, db.DeleteSession(ctx(), s.IDHash)) // idempotent
}

func testStories(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	a1, a2, a3 := seedUser(t, db, 2), seedUser(t, db, 3), seedUser(t, db, 4)
	s := &parley.Story{ID: parley.NewID(at(5)), SiteID: site.ID, URL: "https://news.example/a?x=1", Title: "Title",
		Closed: true, Mode: parley.ModePost, AuthorIDs: []string{a2.ID, a1.ID}, CreatedAt: at(5)}
	must(t, db.CreateStory(ctx(), s))
	want := *s
	want.CreatedAt = us(s.CreatedAt)
	got, err := db.GetStory(ctx(), s.ID)
	must(t, err)
	deepEqual(t, "story round trip", got, &want)
	got, err = db.GetStoryByURL(ctx(), site.ID, s.URL)
	must(t, err)
	deepEqual(t, "story by URL", got, &want)
	_, err = db.GetStoryByURL(ctx(), site.ID, "https://news.example/other")
	wantCode(t, err, parley.ENOTFOUND)
	_, err = db.GetStory(ctx(), "missing")
	wantCode(t, err, parley.ENOTFOUND)

	dup := &parley.Story{ID: parley.NewID(at(6)), SiteID: site.ID, URL: s.URL, CreatedAt: at(6)}
	wantCode(t, db.CreateStory(ctx(), dup), parley.ECONFLICT)
	// The failed create left nothing behind.
	_, err = db.GetStory(ctx(), dup.ID)
	wantCode(t, err, parley.ENOTFOUND)
	// Same URL on another site is fine.
	site2 := seedSite(t, db, 7)
	must(t, db.CreateStory(ctx(), &parley.Story{ID: parley.NewID(at(8)), SiteID: site2.ID, URL: s.URL, CreatedAt: at(8)}))
	// Story on a missing site.
	wantCode(t, db.CreateStory(ctx(), &parley.Story{ID: parley.NewID(at(9)), SiteID: "missing", URL: "u", CreatedAt: at(9)}), parley.ENOTFOUND)

	want.Title, want.Closed, want.Mode, want.AuthorIDs = "New title", false, "", []string{a3.ID}
	must(t, db.UpdateStory(ctx(), &want))
	got, err = db.GetStory(ctx(), s.ID)
	must(t, err)
	deepEqual(t, "updated story", got, &want)
	want.AuthorIDs = []string{}
	must(t, db.UpdateStory(ctx(), &want))
	got, err = db.GetStory(ctx(), s.ID)
	must(t, err)
	deepEqual(t, "story without authors", got, &want)

	other := seedStory(t, db, site, 10)
	other.URL = s.URL
	wantCode(t, db.UpdateStory(ctx(), other), parley.ECONFLICT)
	wantCode(t, db.UpdateStory(ctx(), &parley.Story{ID: "missing", SiteID: site.ID, URL: "x"}), parley.ENOTFOUND)
}

func testStoryPages(t *testing.T, db *sqlstore.DB) {
	site, other := seedSite(t, db, 1), seedSite(t, db, 2)
	var want []string
	for i := 0; i < 7; i++ {
		want = append(want, seedStory(t, db, site, 10+i).ID)
	}
	seedStory(t, db, other, 100)
	sort.Sort(sort.Reverse(sort.StringSlice(want))) // newest first
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("too many pages")
		}
		page, next, err := db.ListStories(ctx(), site.ID, cursor, 3)
		must(t, err)
		if len(page) > 3 {
			t.Fatalf("page of %d > limit 3", len(page))
		}
		got = append(got, ids(page, func(s *parley.Story) string { return s.ID })...)
		if next == "" {
			break
		}
		cursor = next
	}
	equalIDs(t, "ListStories pages", got, want)
	_, _, err := db.ListStories(ctx(), site.ID, "not a cursor", 3)
	wantCode(t, err, parley.EINVALID)

	// Listed stories carry their authors, in order.
	u1, u2 := seedUser(t, db, 200), seedUser(t, db, 201)
	withAuthors := &parley.Story{ID: parley.NewID(at(300)), SiteID: site.ID, URL: "https://news.example/authors",
		AuthorIDs: []string{u2.ID, u1.ID}, CreatedAt: at(300)}
	must(t, db.CreateStory(ctx(), withAuthors))
	page, _, err := db.ListStories(ctx(), site.ID, "", 2)
	must(t, err)
	if len(page) != 2 || page[0].ID != withAuthors.ID {
		t.Fatalf("first page %v", ids(page, func(s *parley.Story) string { return s.ID }))
	}
	deepEqual(t, "listed authors", page[0].AuthorIDs, withAuthors.AuthorIDs)
	deepEqual(t, "listed story without authors", page[1].AuthorIDs, []string{})
}

// fullComment sets every field of parley.Comment to a non-zero value.
func fullComment(site *parley.Site, story *parley.Story, parent string, n int) *parley.Comment {
	return &parley.Comment{
		ID: parley.NewID(at(n)), SiteID: site.ID, StoryID: story.ID, ParentID: parent, Status: parley.StatusApproved,
		Body: "Hello *world* — Բարև 🌍", HTML: "<p>Hello <em>world</em> — Բարև 🌍</p>",
		EditPending: true, PendingBody: "edited", PendingHTML: "<p>edited</p>",
		AuthorUserID: "01USERIDXXXXXXXXXXXXXXXXXX", AuthorName: "Ana", GuestEmail: "ana@example.org",
		GuestTokenHash: strings.Repeat("ef", 32), ClientIP: "2001:db8::1", AuthorKey: "u:01USERIDXXXXXXXXXXXXXXXXXX",
		Reason: parley.ReasonOffTopic, ModeratorNote: "note", ModeratedBy: "01MODXXXXXXXXXXXXXXXXXXXXX", ModeratedAt: at(n + 50),
		Language: "hy", Scores: map[parley.Label]float64{parley.LabelToxic: 0.1234567890123, parley.LabelSpam: 1e-9},
		Evidence:        []parley.Evidence{{Start: 0, End: 5, Label: parley.LabelToxic}, {Start: 7, End: 12, Label: parley.LabelSpam}},
		SuggestedReason: parley.ReasonSpam, Risk: 0.1234567890123,
		NormHash: "normhash", Resubmits: 3, LastResubmit: at(n + 40), ClusterID: "cluster-1",
		SpamSignals:   []parley.SpamSignal{{Kind: "links", Detail: "4 links"}, {Kind: "too_fast", Detail: "1.2s"}},
		ComposeMillis: 1234567890123, CreatedAt: at(n), UpdatedAt: at(n + 60), EditedAt: at(n + 30), Version: 7,
		ReportCount: 2,
	}
}

func normComment(c *parley.Comment) *parley.Comment {
	x := *c
	x.ModeratedAt, x.LastResubmit, x.CreatedAt, x.UpdatedAt, x.EditedAt = us(c.ModeratedAt), us(c.LastResubmit), us(c.CreatedAt), us(c.UpdatedAt), us(c.EditedAt)
	return &x
}

func testCommentRoundTrip(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	parent := seedComment(t, db, newComment(site, story, 3, parley.StatusApproved))
	c := fullComment(site, story, parent.ID, 10)
	must(t, db.CreateComment(ctx(), c))
	got, err := db.GetComment(ctx(), c.ID)
	must(t, err)
	deepEqual(t, "comment round trip", got, normComment(c))

	// A minimal comment keeps its zero values (nil maps and slices, zero times).
	m := newComment(site, story, 20, parley.StatusPending)
	must(t, db.CreateComment(ctx(), m))
	got, err = db.GetComment(ctx(), m.ID)
	must(t, err)
	deepEqual(t, "minimal comment round trip", got, normComment(m))

	wantCode(t, db.CreateComment(ctx(), c), parley.ECONFLICT)
	_, err = db.GetComment(ctx(), "missing")
	wantCode(t, err, parley.ENOTFOUND)
	bad := newComment(site, story, 30, parley.StatusPending)
	bad.StoryID = "missing"
	wantCode(t, db.CreateComment(ctx(), bad), parley.ENOTFOUND)
}

func testUpdateComment(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	c := seedComment(t, db, newComment(site, story, 3, parley.StatusPending))
	// Change every mutable field.
	u := fullComment(site, story, "", 3)
	u.ID, u.CreatedAt, u.Version = c.ID, c.CreatedAt, c.Version
	must(t, db.UpdateComment(ctx(), u))
	if u.Version != c.Version+1 {
		t.Fatalf("version after update = %d, want %d", u.Version, c.Version+1)
	}
	got, err := db.GetComment(ctx(), c.ID)
	must(t, err)
	deepEqual(t, "updated comment", got, normComment(u))

	// A stale version loses.
	stale := *got
	stale.Version--
	stale.Body = "stale"
	wantCode(t, db.UpdateComment(ctx(), &stale), parley.ECONFLICT)
	got2, err := db.GetComment(ctx(), c.ID)
	must(t, err)
	deepEqual(t, "comment after lost update", got2, got)

	missing := newComment(site, story, 9, parley.StatusPending)
	wantCode(t, db.UpdateComment(ctx(), missing), parley.ENOTFOUND)
}

func testConcurrentUpdateComment(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	c := seedComment(t, db, newComment(site, story, 3, parley.StatusPending))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := *c
			u.Status = parley.StatusApproved
			u.ModeratorNote = fmt.Sprintf("writer %d", i)
			errs[i] = db.InTx(ctx(), func(tx parley.Store) error { return tx.UpdateComment(ctx(), &u) })
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch parley.ErrorCode(err) {
		case "":
			if won >= 0 {
				t.Fatalf("writers %d and %d both won", won, i)
			}
			won = i
		case parley.ECONFLICT:
		default:
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no writer won")
	}
	got, err := db.GetComment(ctx(), c.ID)
	must(t, err)
	if got.Version != c.Version+1 || got.ModeratorNote != fmt.Sprintf("writer %d", won) {
		t.Fatalf("stored version %d note %q; want version %d note of writer %d", got.Version, got.ModeratorNote, c.Version+1, won)
	}
}

func testThreadVisibility(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story, story2 := seedStory(t, db, site, 2), seedStory(t, db, site, 3)
	approved := seedComment(t, db, newComment(site, story, 10, parley.StatusApproved))
	othersPending := seedComment(t, db, newComment(site, story, 11, parley.StatusPending))
	othersPending.AuthorUserID = "someone-else"
	mine := newComment(site, story, 12, parley.StatusPending)
	mine.AuthorUserID = "viewer"
	seedComment(t, db, mine)
	myRejected := newComment(site, story, 13, parley.StatusRejected)
	myRejected.AuthorUserID = "viewer"
	seedComment(t, db, myRejected)
	guestPending := newComment(site, story, 14, parley.StatusPending)
	guestPending.GuestTokenHash = "guesthash"
	seedComment(t, db, guestPending)
	spam := seedComment(t, db, newComment(site, story, 15, parley.StatusSpam))
	seedComment(t, db, newComment(site, story2, 16, parley.StatusApproved)) // other story
	_ = spam

	list := func(q parley.ThreadQuery) []string {
		t.Helper()
		q.StoryID = story.ID
		cs, next, err := db.ListThread(ctx(), q)
		must(t, err)
		if next != "" {
			t.Fatalf("unexpected next cursor %q", next)
		}
		return commentIDs(cs)
	}
	equalIDs(t, "anonymous viewer", list(parley.ThreadQuery{}), []string{approved.ID})
	equalIDs(t, "user viewer", list(parley.ThreadQuery{ViewerUserID: "viewer"}), []string{approved.ID, mine.ID, myRejected.ID})
	equalIDs(t, "guest viewer", list(parley.ThreadQuery{ViewerGuestTokenHash: "guesthash"}), []string{approved.ID, guestPending.ID})
	equalIDs(t, "both", list(parley.ThreadQuery{ViewerUserID: "viewer", ViewerGuestTokenHash: "guesthash", Newest: true}),
		[]string{guestPending.ID, myRejected.ID, mine.ID, approved.ID})
	equalIDs(t, "unknown viewer", list(parley.ThreadQuery{ViewerUserID: "stranger", ViewerGuestTokenHash: "nohash"}), []string{approved.ID})
	n, err := db.CountApproved(ctx(), story.ID)
	must(t, err)
	if n != 1 {
		t.Fatalf("CountApproved = %d, want 1", n)
	}
}

func testThreadPages(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	var want []string
	for i := 0; i < 23; i++ {
		st := parley.StatusApproved
		if i%4 == 3 {
			st = parley.StatusPending
		}
		c := seedComment(t, db, newComment(site, story, 10+i, st))
		if st == parley.StatusApproved {
			want = append(want, c.ID)
		}
	}
	for _, newest := range []bool{false, true} {
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("too many pages")
			}
			cs, next, err := db.ListThread(ctx(), parley.ThreadQuery{StoryID: story.ID, Newest: newest, Cursor: cursor, Limit: 5})
			must(t, err)
			if len(cs) > 5 {
				t.Fatalf("page of %d > limit 5", len(cs))
			}
			got = append(got, commentIDs(cs)...)
			if next == "" {
				break
			}
			cursor = next
		}
		w := append([]string(nil), want...)
		if newest {
			sort.Sort(sort.Reverse(sort.StringSlice(w)))
		}
		equalIDs(t, fmt.Sprintf("thread pages newest=%v", newest), got, w)
	}
	// An exact multiple of the page size ends without an empty extra page.
	cs, next, err := db.ListThread(ctx(), parley.ThreadQuery{StoryID: story.ID, Limit: len(want)})
	must(t, err)
	if len(cs) != len(want) || next != "" {
		t.Fatalf("full page: %d comments, next %q", len(cs), next)
	}
	// Default limit 100.
	for i := 0; i < 90; i++ {
		seedComment(t, db, newComment(site, story, 100+i, parley.StatusApproved))
	}
	cs, next, err = db.ListThread(ctx(), parley.ThreadQuery{StoryID: story.ID})
	must(t, err)
	if len(cs) != 100 || next == "" {
		t.Fatalf("default page: %d comments, next %q; want 100 and a cursor", len(cs), next)
	}
	_, _, err = db.ListThread(ctx(), parley.ThreadQuery{StoryID: story.ID, Cursor: "%%%"})
	wantCode(t, err, parley.EINVALID)
	// A cursor from the other order is rejected rather than misread.
	_, _, err = db.ListThread(ctx(), parley.ThreadQuery{StoryID: story.ID, Cursor: next, Newest: true})
	wantCode(t, err, parley.EINVALID)
}

// queueFixture stores comments with chosen risks for the queue tests.
func queueFixture(t *testing.T, db *sqlstore.DB) (site *parley.Site, pending []*parley.Comment, editPending *parley.Comment) {
	site = seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	risks := []float64{0.2, 0.9, 0.5, 0.9, 0.1, 0.5, 0.9, 0.0, 0.7}
	for i, r := range risks {
		c := newComment(site, story, 10+i, parley.StatusPending)
		c.Risk = r
		pending = append(pending, seedComment(t, db, c))
	}
	editPending = newComment(site, story, 30, parley.StatusApproved)
	editPending.EditPending, editPending.Risk = true, 0.6
	seedComment(t, db, editPending)
	seedComment(t, db, newComment(site, story, 31, parley.StatusApproved))
	seedComment(t, db, newComment(site, story, 32, parley.StatusRejected))
	otherSite := seedSite(t, db, 40)
	seedComment(t, db, newComment(otherSite, seedStory(t, db, otherSite, 41), 42, parley.StatusPending))
	return site, pending, editPending
}

func pageAll(t *testing.T, db *sqlstore.DB, f parley.QueueFilter) []*parley.Comment {
	t.Helper()
	var all []*parley.Comment
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("too many pages")
		}
		cs, next, err := db.ListQueue(ctx(), f)
		must(t, err)
		if f.Limit > 0 && len(cs) > f.Limit {
			t.Fatalf("page of %d > limit %d", len(cs), f.Limit)
		}
		all = append(all, cs...)
		if next == "" {
			return all
		}
		f.Cursor = next
	}
}

func testQueue(t *testing.T, db *sqlstore.DB) {
	site, pending, edit := queueFixture(t, db)
	queue := append(append([]*parley.Comment(nil), pending...), edit)

	byRisk := append([]*parley.Comment(nil), queue...)
	sort.SliceStable(byRisk, func(i, j int) bool {
		if byRisk[i].Risk != byRisk[j].Risk {
			return byRisk[i].Risk > byRisk[j].Risk
		}
		return byRisk[i].ID < byRisk[j].ID
	})
	oldest := append([]*parley.Comment(nil), queue...)
	sort.Slice(oldest, func(i, j int) bool { return oldest[i].ID < oldest[j].ID })
	newest := append([]*parley.Comment(nil), oldest...)
	sort.Slice(newest, func(i, j int) bool { return newest[i].ID > newest[j].ID })

	for _, tc := range []struct {
		sort parley.QueueSort
		want []*parley.Comment
	}{{parley.SortRisk, byRisk}, {parley.SortOldest, oldest}, {parley.SortNewest, newest}, {"", oldest}} {
		for _, limit := range []int{1, 2, 3, 50} {
			got := pageAll(t, db, parley.QueueFilter{SiteID: site.ID, Sort: tc.sort, Limit: limit})
			equalIDs(t, fmt.Sprintf("queue sort=%q limit=%d", tc.sort, limit), commentIDs(got), commentIDs(tc.want))
		}
	}
	got := pageAll(t, db, parley.QueueFilter{SiteID: site.ID, Status: parley.StatusPending, Sort: parley.SortRisk})
	equalIDs(t, "explicit pending", commentIDs(got), commentIDs(byRisk))
	got = pageAll(t, db, parley.QueueFilter{SiteID: site.ID, Status: parley.StatusApproved})
	if len(got) != 2 || got[0].ID != edit.ID {
		t.Fatalf("approved listing: %v", commentIDs(got))
	}
	got = pageAll(t, db, parley.QueueFilter{SiteID: site.ID, Status: parley.StatusRejected})
	if len(got) != 1 || got[0].Status != parley.StatusRejected {
		t.Fatalf("rejected listing: %v", commentIDs(got))
	}
	_, _, err := db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID, Sort: "sideways"})
	wantCode(t, err, parley.EINVALID)
	_, next, err := db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID, Sort: parley.SortRisk, Limit: 2})
	must(t, err)
	_, _, err = db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID, Sort: parley.SortOldest, Cursor: next})
	wantCode(t, err, parley.EINVALID)
	_, _, err = db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID, Cursor: "bm9wZQ"})
	wantCode(t, err, parley.EINVALID)
}

func testQueueFilters(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	s1, s2 := seedStory(t, db, site, 2), seedStory(t, db, site, 3)
	mk := func(n int, story *parley.Story, mod func(c *parley.Comment)) *parley.Comment {
		c := newComment(site, story, n, parley.StatusPending)
		mod(c)
		return seedComment(t, db, c)
	}
	a := mk(10, s1, func(c *parley.Comment) {
		c.Language, c.AuthorKey, c.ClusterID = "ru", "e:a@example.org", "cl1"
		c.Scores = map[parley.Label]float64{parley.LabelToxic: 0.8, parley.LabelSpam: 0.1}
	})
	b := mk(11, s2, func(c *parley.Comment) {
		c.Language, c.AuthorKey, c.ClusterID = "en", "e:b@example.org", "cl1"
		c.Scores = map[parley.Label]float64{parley.LabelToxic: 0.5, parley.LabelSpam: 0.95}
	})
	c := mk(12, s1, func(c *parley.Comment) {
		c.Language, c.AuthorKey = "en", "e:a@example.org"
		c.Scores = map[parley.Label]float64{parley.LabelToxic: 0.2}
	})
	d := mk(13, s2, func(c *parley.Comment) { c.Language = "hy" }) // no scores at all

	for _, tc := range []struct {
		name string
		f    parley.QueueFilter
		want []*parley.Comment
	}{
		{"story", parley.QueueFilter{StoryID: s1.ID}, []*parley.Comment{a, c}},
		{"language", parley.QueueFilter{Language: "en"}, []*parley.Comment{b, c}},
		{"author", parley.QueueFilter{AuthorKey: "e:a@example.org"}, []*parley.Comment{a, c}},
		{"cluster", parley.QueueFilter{ClusterID: "cl1"}, []*parley.Comment{a, b}},
		{"label default min 0.5", parley.QueueFilter{Label: parley.LabelToxic}, []*parley.Comment{a, b}},
		{"label min 0.9", parley.QueueFilter{Label: parley.LabelSpam, MinScore: 0.9}, []*parley.Comment{b}},
		{"label min 0.15", parley.QueueFilter{Label: parley.LabelToxic, MinScore: 0.15}, []*parley.Comment{a, b, c}},
		{"combined", parley.QueueFilter{StoryID: s2.ID, Language: "en", Label: parley.LabelSpam}, []*parley.Comment{b}},
		{"none", parley.QueueFilter{Language: "tr"}, nil},
		{"all", parley.QueueFilter{}, []*parley.Comment{a, b, c, d}},
	} {
		tc.f.SiteID = site.ID
		got := pageAll(t, db, tc.f)
		equalIDs(t, tc.name, commentIDs(got), commentIDs(tc.want))
	}
}

// testQueuePagesLarge pages through more comments than the maximum page.
func testQueuePagesLarge(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	const n = 1200
	want := make([]string, 0, n)
	must(t, db.InTx(ctx(), func(tx parley.Store) error {
		for i := 0; i < n; i++ {
			c := newComment(site, story, 10+i, parley.StatusPending)
			c.Risk = float64(i%10) / 10
			if err := tx.CreateComment(ctx(), c); err != nil {
				return err
			}
			want = append(want, c.ID)
		}
		return nil
	}))
	cs, next, err := db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID, Limit: 10000})
	must(t, err)
	if len(cs) != 500 || next == "" {
		t.Fatalf("limit is capped at 500: got %d, next %q", len(cs), next)
	}
	cs, _, err = db.ListQueue(ctx(), parley.QueueFilter{SiteID: site.ID})
	must(t, err)
	if len(cs) != 50 {
		t.Fatalf("default limit: got %d, want 50", len(cs))
	}
	got := pageAll(t, db, parley.QueueFilter{SiteID: site.ID, Sort: parley.SortRisk, Limit: 500})
	if len(got) != n {
		t.Fatalf("risk pages returned %d comments, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for i, c := range got {
		if seen[c.ID] {
			t.Fatalf("comment %s returned twice", c.ID)
		}
		seen[c.ID] = true
		if i > 0 {
			p := got[i-1]
			if p.Risk < c.Risk || (p.Risk == c.Risk && p.ID > c.ID) {
				t.Fatalf("risk order broken at %d: (%v %s) before (%v %s)", i, p.Risk, p.ID, c.Risk, c.ID)
			}
		}
	}
	got = pageAll(t, db, parley.QueueFilter{SiteID: site.ID, Sort: parley.SortOldest, Limit: 333})
	equalIDs(t, "oldest pages", commentIDs(got), want)
}

func testCounts(t *testing.T, db *sqlstore.DB) {
	site, pending, _ := queueFixture(t, db)
	counts, err := db.CountQueue(ctx(), site.ID)
	must(t, err)
	// 9 pending + 1 approved with an edit pending; 2 approved; 1 rejected.
	deepEqual(t, "CountQueue", counts, map[parley.Status]int{
		parley.StatusPending: len(pending) + 1, parley.StatusApproved: 2, parley.StatusRejected: 1,
	})
	story := seedStory(t, db, site, 100)
	for i, st := range []parley.Status{parley.StatusApproved, parley.StatusApproved, parley.StatusSpam, parley.StatusPending} {
		c := newComment(site, story, 110+i, st)
		c.AuthorKey = "u:someone"
		if i == 1 {
			c.EditPending = true
		}
		seedComment(t, db, c)
	}
	h, err := db.AuthorHistory(ctx(), site.ID, "u:someone")
	must(t, err)
	deepEqual(t, "AuthorHistory", h, map[parley.Status]int{parley.StatusApproved: 2, parley.StatusSpam: 1, parley.StatusPending: 1})
	h, err = db.AuthorHistory(ctx(), site.ID, "u:nobody")
	must(t, err)
	if len(h) != 0 {
		t.Fatalf("history of unknown author: %v", h)
	}
	n, err := db.CountApproved(ctx(), story.ID)
	must(t, err)
	if n != 2 {
		t.Fatalf("CountApproved = %d, want 2", n)
	}
}

func testFindDuplicate(t *testing.T, db *sqlstore.DB) {
	site, site2 := seedSite(t, db, 1), seedSite(t, db, 2)
	story, story2 := seedStory(t, db, site, 3), seedStory(t, db, site2, 4)
	mk := func(n int, st *parley.Story, s *parley.Site, key, hash string) *parley.Comment {
		c := newComment(s, st, n, parley.StatusPending)
		c.AuthorKey, c.NormHash = key, hash
		return seedComment(t, db, c)
	}
	mk(10, story, site, "e:a", "h1")
	second := mk(20, story, site, "e:a", "h1")
	mk(30, story, site, "e:b", "h1")   // other author
	mk(40, story, site, "e:a", "h2")   // other text
	mk(50, story2, site2, "e:a", "h1") // other site
	got, err := db.FindDuplicate(ctx(), site.ID, "e:a", "h1", at(0))
	must(t, err)
	if got.ID != second.ID {
		t.Fatalf("FindDuplicate = %s, want the newest %s", got.ID, second.ID)
	}
	got, err = db.FindDuplicate(ctx(), site.ID, "e:a", "h1", second.CreatedAt) // inclusive
	must(t, err)
	if got.ID != second.ID {
		t.Fatalf("FindDuplicate at boundary = %s, want %s", got.ID, second.ID)
	}
	_, err = db.FindDuplicate(ctx(), site.ID, "e:a", "h1", at(21))
	wantCode(t, err, parley.ENOTFOUND)
	_, err = db.FindDuplicate(ctx(), site.ID, "e:c", "h1", at(0))
	wantCode(t, err, parley.ENOTFOUND)
}

func testScanComments(t *testing.T, db *sqlstore.DB) {
	site, site2 := seedSite(t, db, 1), seedSite(t, db, 2)
	story, story2 := seedStory(t, db, site, 3), seedStory(t, db, site2, 4)
	var all []string
	for i := 0; i < 12; i++ {
		st, s := story, site
		if i%2 == 1 {
			st, s = story2, site2
		}
		all = append(all, seedComment(t, db, newComment(s, st, 10+i, parley.StatusPending)).ID)
	}
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("too many pages")
		}
		cs, err := db.ScanComments(ctx(), at(13), after, 4)
		must(t, err)
		if len(cs) == 0 {
			break
		}
		got = append(got, commentIDs(cs)...)
		after = cs[len(cs)-1].ID
	}
	equalIDs(t, "ScanComments since at(13)", got, all[3:])
}

func testRevisions(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	c := seedComment(t, db, newComment(site, story, 3, parley.StatusApproved))
	r1 := &parley.Revision{ID: parley.NewID(at(10)), CommentID: c.ID, Body: "v1", HTML: "<p>v1</p>", CreatedAt: at(10)}
	r2 := &parley.Revision{ID: parley.NewID(at(20)), CommentID: c.ID, Body: "v2", HTML: "<p>v2</p>", CreatedAt: at(20)}
	must(t, db.AddRevision(ctx(), r2))
	must(t, db.AddRevision(ctx(), r1))
	wantCode(t, db.AddRevision(ctx(), r1), parley.ECONFLICT)
	wantCode(t, db.AddRevision(ctx(), &parley.Revision{ID: parley.NewID(at(30)), CommentID: "missing", CreatedAt: at(30)}), parley.ENOTFOUND)
	got, err := db.ListRevisions(ctx(), c.ID)
	must(t, err)
	w1, w2 := *r1, *r2
	w1.CreatedAt, w2.CreatedAt = us(r1.CreatedAt), us(r2.CreatedAt)
	deepEqual(t, "ListRevisions", got, []*parley.Revision{&w1, &w2})
}

func testIdempotencyKeys(t *testing.T, db *sqlstore.DB) {
	must(t, db.PutIdempotencyKey(ctx(), "site1|e:a", "key-1", "comment-1", at(1)))
	wantCode(t, db.PutIdempotencyKey(ctx(), "site1|e:a", "key-1", "comment-2", at(2)), parley.ECONFLICT)
	must(t, db.PutIdempotencyKey(ctx(), "site1|e:b", "key-1", "comment-3", at(3))) // other scope
	id, err := db.GetIdempotencyKey(ctx(), "site1|e:a", "key-1")
	must(t, err)
	if id != "comment-1" {
		t.Fatalf("GetIdempotencyKey = %q, want comment-1 (the first writer)", id)
	}
	_, err = db.GetIdempotencyKey(ctx(), "site1|e:a", "key-2")
	wantCode(t, err, parley.ENOTFOUND)

	// A conflict inside a transaction leaves the transaction usable, on
	// every backend, so the service can look up the winner and carry on.
	must(t, db.InTx(ctx(), func(tx parley.Store) error {
		err := tx.PutIdempotencyKey(ctx(), "site1|e:a", "key-1", "comment-4", at(4))
		if parley.ErrorCode(err) != parley.ECONFLICT {
			return fmt.Errorf("put in tx: %v", err)
		}
		id, err := tx.GetIdempotencyKey(ctx(), "site1|e:a", "key-1")
		if err != nil {
			return err
		}
		if id != "comment-1" {
			return fmt.Errorf("winner %q", id)
		}
		return tx.PutIdempotencyKey(ctx(), "site1|e:a", "key-5", "comment-5", at(5))
	}))
	id, err = db.GetIdempotencyKey(ctx(), "site1|e:a", "key-5")
	must(t, err)
	if id != "comment-5" {
		t.Fatalf("key written after a conflict in the tx: %q", id)
	}

	// Concurrent puts of one key: exactly one succeeds.
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.PutIdempotencyKey(ctx(), "race", "k", fmt.Sprintf("c%d", i), at(i))
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch parley.ErrorCode(err) {
		case "":
			ok++
		case parley.ECONFLICT:
		default:
			t.Fatalf("concurrent put: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d concurrent puts succeeded, want 1", ok)
	}
}

func testAudit(t *testing.T, db *sqlstore.DB) {
	var entries []*parley.AuditEntry
	for i := 0; i < 9; i++ {
		e := &parley.AuditEntry{
			ID: parley.NewID(at(10 + i)), SiteID: "site-a", CommentID: fmt.Sprintf("comment-%d", i%3),
			ActorID: []string{"mod-1", "mod-2", parley.ActorPolicy}[i%3], ActorName: "Mod", Action: []string{"approve", "reject"}[i%2],
			From: parley.StatusPending, To: parley.StatusApproved, Reason: parley.ReasonSpam, Note: fmt.Sprintf("Note %d 100%%_done", i),
			Scores: map[parley.Label]float64{parley.LabelSpam: float64(i) / 10}, CreatedAt: at(10 + i),
		}
		if i == 4 {
			e.Scores = nil
		}
		must(t, db.AppendAudit(ctx(), e))
		entries = append(entries, e)
	}
	must(t, db.AppendAudit(ctx(), &parley.AuditEntry{ID: parley.NewID(at(50)), SiteID: "site-b", Action: "approve", CreatedAt: at(50)}))
	wantCode(t, db.AppendAudit(ctx(), entries[0]), parley.ECONFLICT)

	rev := func(es ...*parley.AuditEntry) []string {
		out := ids(es, func(e *parley.AuditEntry) string { return e.ID })
		sort.Sort(sort.Reverse(sort.StringSlice(out)))
		return out
	}
	list := func(f parley.AuditFilter) []*parley.AuditEntry {
		t.Helper()
		var all []*parley.AuditEntry
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("too many pages")
			}
			es, next, err := db.ListAudit(ctx(), f)
			must(t, err)
			all = append(all, es...)
			if next == "" {
				return all
			}
			f.Cursor = next
		}
	}
	all := list(parley.AuditFilter{SiteID: "site-a", Limit: 2})
	equalIDs(t, "audit newest first", ids(all, func(e *parley.AuditEntry) string { return e.ID }), rev(entries...))
	w := *entries[3]
	w.CreatedAt = us(w.CreatedAt)
	deepEqual(t, "audit round trip", all[5], &w)
	w = *entries[4]
	w.CreatedAt = us(w.CreatedAt)
	deepEqual(t, "audit round trip without scores", all[4], &w)

	for _, tc := range []struct {
		name string
		f    parley.AuditFilter
		want []*parley.AuditEntry
	}{
		{"comment", parley.AuditFilter{CommentID: "comment-1"}, []*parley.AuditEntry{entries[1], entries[4], entries[7]}},
		{"actor", parley.AuditFilter{ActorID: parley.ActorPolicy}, []*parley.AuditEntry{entries[2], entries[5], entries[8]}},
		{"action", parley.AuditFilter{Action: "reject"}, []*parley.AuditEntry{entries[1], entries[3], entries[5], entries[7]}},
		{"query note, any case", parley.AuditFilter{Query: "NOTE 7"}, []*parley.AuditEntry{entries[7]}},
		{"query LIKE metacharacters are literal", parley.AuditFilter{Query: "%_d"}, entries},
		{"query no wildcard match", parley.AuditFilter{Query: "0%d"}, nil},
		{"query comment id", parley.AuditFilter{Query: "ment-2"}, []*parley.AuditEntry{entries[2], entries[5], entries[8]}},
		{"query reason", parley.AuditFilter{Query: "spa"}, entries},
		{"since inclusive, until exclusive", parley.AuditFilter{Since: at(12), Until: at(15)}, entries[2:5]},
	} {
		tc.f.SiteID = "site-a"
		tc.f.Limit = 2
		got := list(tc.f)
		equalIDs(t, "audit "+tc.name, ids(got, func(e *parley.AuditEntry) string { return e.ID }), rev(tc.want...))
	}
	es, _, err := db.ListAudit(ctx(), parley.AuditFilter{})
	must(t, err)
	if len(es) != 10 {
		t.Fatalf("unfiltered audit: %d entries, want 10", len(es))
	}
	_, _, err = db.ListAudit(ctx(), parley.AuditFilter{Cursor: "x"})
	wantCode(t, err, parley.EINVALID)
}

func testSanctions(t *testing.T, db *sqlstore.DB) {
	site, site2 := seedSite(t, db, 1), seedSite(t, db, 2)
	s1 := &parley.Sanction{ID: parley.NewID(at(10)), SiteID: site.ID, AuthorKey: "e:a", Kind: parley.SanctionSuspend, Reason: "cool off",
		Until: at(100000), CreatedBy: "mod", CreatedAt: at(10)}
	s2 := &parley.Sanction{ID: parley.NewID(at(20)), SiteID: site.ID, AuthorKey: "e:b", Kind: parley.SanctionBan, CreatedBy: "mod", CreatedAt: at(20)}
	s3 := &parley.Sanction{ID: parley.NewID(at(30)), SiteID: site.ID, AuthorKey: "e:a", Kind: parley.SanctionTrusted, CreatedAt: at(30)}
	s4 := &parley.Sanction{ID: parley.NewID(at(40)), SiteID: site2.ID, AuthorKey: "e:a", Kind: parley.SanctionPremod, CreatedAt: at(40)}
	for _, s := range []*parley.Sanction{s1, s2, s3, s4} {
		must(t, db.CreateSanction(ctx(), s))
	}
	wantCode(t, db.CreateSanction(ctx(), s1), parley.ECONFLICT)
	norm := func(ss ...*parley.Sanction) []*parley.Sanction {
		var out []*parley.Sanction
		for _, s := range ss {
			x := *s
			x.Until, x.CreatedAt = us(s.Until), us(s.CreatedAt)
			out = append(out, &x)
		}
		return out
	}
	got, err := db.ListSanctions(ctx(), site.ID, "")
	must(t, err)
	deepEqual(t, "all sanctions", got, norm(s1, s2, s3))
	got, err = db.ListSanctions(ctx(), site.ID, "e:a")
	must(t, err)
	deepEqual(t, "author sanctions", got, norm(s1, s3))
	wantCode(t, db.DeleteSanction(ctx(), site2.ID, s1.ID), parley.ENOTFOUND) // wrong site
	must(t, db.DeleteSanction(ctx(), site.ID, s1.ID))
	wantCode(t, db.DeleteSanction(ctx(), site.ID, s1.ID), parley.ENOTFOUND)
	got, err = db.ListSanctions(ctx(), site.ID, "e:a")
	must(t, err)
	deepEqual(t, "after delete", got, norm(s3))
}

// testRateBuckets checks that the store keeps a rate bucket's row: a new
// bucket is reported New and created with what the update left, an update
// is stored, and an update that fails writes nothing. The arithmetic is
// the service's (service/ratelimit_test.go).
func testRateBuckets(t *testing.T, db *sqlstore.DB) {
	update := func(key string, fn func(b *parley.RateBucket) error) error {
		t.Helper()
		return db.UpdateRateBucket(ctx(), key, fn)
	}
	at := func(n int) time.Time { return at(n).Truncate(time.Microsecond) } // the stored precision
	var seen parley.RateBucket
	must(t, update("a", func(b *parley.RateBucket) error {
		seen = *b
		b.Tokens, b.UpdatedAt = 2.5, at(1)
		return nil
	}))
	if !seen.New || seen.Key != "a" || seen.Tokens != 0 || !seen.UpdatedAt.IsZero() {
		t.Fatalf("new bucket seen as %+v", seen)
	}
	must(t, update("a", func(b *parley.RateBucket) error {
		seen = *b
		b.Tokens, b.UpdatedAt = b.Tokens-1, at(2)
		return nil
	}))
	if seen.New || seen.Tokens != 2.5 || !seen.UpdatedAt.Equal(at(1)) {
		t.Fatalf("stored bucket seen as %+v, want 2.5 tokens at %v", seen, at(1))
	}
	boom := parley.Errorf(parley.EINVALID, "boom")
	if err := update("a", func(b *parley.RateBucket) error { b.Tokens = 99; return boom }); err != boom {
		t.Fatalf("failed update returned %v, want its own error", err)
	}
	if err := update("b", func(b *parley.RateBucket) error { b.Tokens = 99; return boom }); err != boom {
		t.Fatalf("failed creation returned %v, want its own error", err)
	}
	must(t, update("a", func(b *parley.RateBucket) error {
		seen = *b
		return nil
	}))
	if seen.Tokens != 1.5 || !seen.UpdatedAt.Equal(at(2)) {
		t.Fatalf("bucket after a failed update: %+v, want 1.5 tokens at %v", seen, at(2))
	}
	must(t, update("b", func(b *parley.RateBucket) error {
		seen = *b
		return nil
	}))
	if !seen.New {
		t.Fatal("a failed creation stored the bucket")
	}
}

// testConcurrentRateBuckets runs many updates of one new bucket at once;
// each adds a token to what it read, so any two that overlapped (read the
// same value) would lose one.
func testConcurrentRateBuckets(t *testing.T, db *sqlstore.DB) {
	const workers = 16
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.UpdateRateBucket(ctx(), "shared", func(b *parley.RateBucket) error {
				b.Tokens++
				b.UpdatedAt = base
				return nil
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		must(t, err)
	}
	var got float64
	must(t, db.UpdateRateBucket(ctx(), "shared", func(b *parley.RateBucket) error { got = b.Tokens; return nil }))
	if got != workers {
		t.Fatalf("%d concurrent updates left %v tokens: updates overlapped", workers, got)
	}
}

func testInTx(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	boom := parley.Errorf(parley.EINVALID, "boom")
	var storyID string
	err := db.InTx(ctx(), func(tx parley.Store) error {
		st := seedStory(t, tx, site, 2)
		storyID = st.ID
		// Visible inside the transaction, also through a nested InTx.
		return tx.InTx(ctx(), func(tx2 parley.Store) error {
			if _, err := tx2.GetStory(ctx(), st.ID); err != nil {
				return err
			}
			return boom
		})
	})
	if err != boom {
		t.Fatalf("InTx returned %v, want fn's error unchanged", err)
	}
	_, err = db.GetStory(ctx(), storyID)
	wantCode(t, err, parley.ENOTFOUND) // rolled back

	// A plain error from fn also rolls back, and comes back as EINTERNAL.
	err = db.InTx(ctx(), func(tx parley.Store) error {
		storyID = seedStory(t, tx, site, 3).ID
		return errors.New("plain")
	})
	wantCode(t, err, parley.EINTERNAL)
	_, err = db.GetStory(ctx(), storyID)
	wantCode(t, err, parley.ENOTFOUND)

	// A panic in fn rolls back, releases the connection and propagates.
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v, want the panic from fn", p)
			}
		}()
		_ = db.InTx(ctx(), func(tx parley.Store) error {
			storyID = seedStory(t, tx, site, 5).ID
			panic("boom")
		})
	}()
	_, err = db.GetStory(ctx(), storyID)
	wantCode(t, err, parley.ENOTFOUND)

	must(t, db.InTx(ctx(), func(tx parley.Store) error {
		storyID = seedStory(t, tx, site, 4).ID
		return nil
	}))
	_, err = db.GetStory(ctx(), storyID)
	must(t, err)
}

func testErrorMapping(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	u1, u2 := seedUser(t, db, 2), seedUser(t, db, 3)
	// No rows -> ENOTFOUND.
	_, err := db.GetComment(ctx(), "nope")
	wantCode(t, err, parley.ENOTFOUND)
	// A unique violation raised by the driver (an UPDATE cannot use ON
	// CONFLICT) -> ECONFLICT.
	u2.Email = strings.ToUpper(u1.Email)
	wantCode(t, db.UpdateUser(ctx(), u2), parley.ECONFLICT)
	// A foreign key violation -> ENOTFOUND.
	wantCode(t, db.CreateToken(ctx(), &parley.Token{ID: "t", UserID: "missing", SecretHash: "h", CreatedAt: at(4)}), parley.ENOTFOUND)
	// Inside a transaction the codes are the same, and the driver-level
	// conflict aborts the transaction, which InTx reports with fn's error.
	err = db.InTx(ctx(), func(tx parley.Store) error {
		return tx.UpdateUser(ctx(), u2)
	})
	wantCode(t, err, parley.ECONFLICT)
	// Messages are safe: no SQL or driver text.
	msg := parley.ErrorMessage(err)
	if strings.Contains(strings.ToLower(msg), "sql") || strings.Contains(msg, "users") {
		t.Fatalf("unsafe message %q", msg)
	}
	_ = site
}

func testTimes(t *testing.T, db *sqlstore.DB) {
	loc := time.FixedZone("UTC+4", 4*3600)
	created := time.Date(2024, 2, 29, 23, 59, 59, 999999999, loc) // local date differs from UTC
	s := &parley.Site{ID: parley.NewID(created), Name: "tz", CreatedAt: created}
	must(t, db.CreateSite(ctx(), s))
	got, err := db.GetSite(ctx(), s.ID)
	must(t, err)
	if !got.CreatedAt.Equal(created.Truncate(time.Microsecond)) || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("time round trip: got %v, want %v in UTC", got.CreatedAt, created.Truncate(time.Microsecond))
	}
	// Far past and future times survive as well.
	for _, tm := range []time.Time{time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC), time.Date(2999, 12, 31, 23, 59, 59, 999999000, time.UTC)} {
		s := &parley.Site{ID: parley.NewID(base) + "x", Name: "t", CreatedAt: tm}
		s.ID = s.ID[:26]
		must(t, db.CreateSite(ctx(), s))
		got, err := db.GetSite(ctx(), s.ID)
		must(t, err)
		if !got.CreatedAt.Equal(tm) {
			t.Fatalf("time %v came back as %v", tm, got.CreatedAt)
		}
	}
}
