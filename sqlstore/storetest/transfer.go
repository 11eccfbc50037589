package storetest

import (
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/sqlstore"
)

// testTransfer checks the TransferStore: multi-row imports with their
// revisions and keys, the key lookup, and export paging.
func testTransfer(t *testing.T, db *sqlstore.DB) {
	site := seedSite(t, db, 1)
	other := seedSite(t, db, 2)
	s1 := seedStory(t, db, site, 3)
	s2 := seedStory(t, db, site, 4)
	var rows []parley.ImportedComment
	for i := range 1500 { // more than one multi-row statement
		st := s1
		if i%2 == 1 {
			st = s2
		}
		c := fullComment(site, st, "", 100+i)
		c.ParentID = ""
		rows = append(rows, parley.ImportedComment{Comment: c, Source: "disqus", SourceID: "d" + c.ID, SourceUserID: "u"})
	}
	must(t, db.InTx(ctx(), func(tx parley.Store) error { return tx.ImportComments(ctx(), rows) }))

	got, err := db.GetComment(ctx(), rows[7].Comment.ID)
	must(t, err)
	deepEqual(t, "imported comment", got, normComment(rows[7].Comment))
	revs, err := db.ListRevisions(ctx(), rows[7].Comment.ID)
	must(t, err)
	if len(revs) != 1 || revs[0].Body != rows[7].Comment.Body {
		t.Errorf("revisions = %+v", revs)
	}

	ids, err := db.ImportedIDs(ctx(), site.ID, "disqus", []string{rows[0].SourceID, rows[1499].SourceID, "dnope"})
	must(t, err)
	if len(ids) != 2 || ids[rows[0].SourceID] != rows[0].Comment.ID || ids[rows[1499].SourceID] != rows[1499].Comment.ID {
		t.Errorf("ImportedIDs = %v", ids)
	}
	for _, q := range []struct{ site, source string }{{other.ID, "disqus"}, {site.ID, "wordpress"}} {
		ids, err = db.ImportedIDs(ctx(), q.site, q.source, []string{rows[0].SourceID})
		must(t, err)
		if len(ids) != 0 {
			t.Errorf("ImportedIDs(%s, %s) = %v, want none", q.site, q.source, ids)
		}
	}

	// The same source key again is a conflict, and nothing of the batch stays.
	again := fullComment(site, s1, "", 5000)
	err = db.InTx(ctx(), func(tx parley.Store) error {
		return tx.ImportComments(ctx(), []parley.ImportedComment{{Comment: again, Source: "disqus", SourceID: rows[0].SourceID}})
	})
	wantCode(t, err, parley.ECONFLICT)
	_, err = db.GetComment(ctx(), again.ID)
	wantCode(t, err, parley.ENOTFOUND)

	// Export pages in ID order, whole site or one story.
	var all []string
	after := ""
	for {
		page, err := db.ExportComments(ctx(), site.ID, "", after, 400)
		must(t, err)
		all = append(all, commentIDs(page)...)
		if len(page) < 400 {
			break
		}
		after = page[len(page)-1].ID
	}
	var want []string
	for _, r := range rows {
		want = append(want, r.Comment.ID)
	}
	equalIDs(t, "exported comments", all, want)
	page, err := db.ExportComments(ctx(), site.ID, s2.ID, "", 5000)
	must(t, err)
	if len(page) != 750 || page[0].StoryID != s2.ID {
		t.Errorf("story export: %d comments", len(page))
	}
	page, err = db.ExportComments(ctx(), other.ID, "", "", 10)
	must(t, err)
	if len(page) != 0 {
		t.Errorf("another site's export has %d comments", len(page))
	}
}
