package storetest

import (
	"fmt"
	"sort"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

// testViewerComments: a viewer's own comments on a story, any status, in
// thread order, bounded by a page's cursor and its last comment; nobody
// else's, and none for a viewer given by neither an account nor a token.
func testViewerComments(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	story := seedStory(t, db, site, 2)
	other := seedStory(t, db, site, 3)
	user := seedUser(t, db, 4)
	var mine, minePlusGuest []string
	statuses := []parley.Status{parley.StatusApproved, parley.StatusPending, parley.StatusRejected, parley.StatusSpam}
	for i := 0; i < 12; i++ {
		c := newComment(site, story, 10+i, statuses[i%4])
		switch i % 3 {
		case 0:
			c.AuthorUserID = user.ID
			mine = append(mine, c.ID)
			minePlusGuest = append(minePlusGuest, c.ID)
		case 1:
			c.GuestTokenHash = "guest-hash"
			minePlusGuest = append(minePlusGuest, c.ID)
		}
		seedComment(t, db, c)
	}
	c := newComment(site, other, 40, parley.StatusPending) // the viewer's, on another story
	c.AuthorUserID = user.ID
	seedComment(t, db, c)

	got, err := db.ListViewerComments(ctx(), parley.ThreadQuery{StoryID: story.ID, ViewerUserID: user.ID}, "")
	must(t, err)
	equalIDs(t, "the user's comments", commentIDs(got), mine)
	got, err = db.ListViewerComments(ctx(), parley.ThreadQuery{StoryID: story.ID, ViewerUserID: user.ID, ViewerGuestTokenHash: "guest-hash", Newest: true}, "")
	must(t, err)
	want := append([]string(nil), minePlusGuest...)
	sort.Sort(sort.Reverse(sort.StringSlice(want)))
	equalIDs(t, "the user's and the guest's, newest first", commentIDs(got), want)
	got, err = db.ListViewerComments(ctx(), parley.ThreadQuery{StoryID: story.ID}, "")
	must(t, err)
	if len(got) != 0 {
		t.Fatalf("no viewer, yet %d comments", len(got))
	}

	// Bounded by a page of the thread: after its cursor, through its last.
	page, next, err := db.ListThread(ctx(), parley.ThreadQuery{StoryID: story.ID, Limit: 2})
	must(t, err)
	if next == "" || len(page) != 2 {
		t.Fatalf("first page: %d comments, next %q", len(page), next)
	}
	first, err := db.ListViewerComments(ctx(), parley.ThreadQuery{StoryID: story.ID, ViewerUserID: user.ID}, page[1].ID)
	must(t, err)
	rest, err := db.ListViewerComments(ctx(), parley.ThreadQuery{StoryID: story.ID, ViewerUserID: user.ID, Cursor: next}, "")
	must(t, err)
	for _, c := range first {
		if c.ID > page[1].ID {
			t.Fatalf("comment %s after the page's last %s", c.ID, page[1].ID)
		}
	}
	equalIDs(t, fmt.Sprintf("pages through %s and after", page[1].ID), append(commentIDs(first), commentIDs(rest)...), mine)
}
