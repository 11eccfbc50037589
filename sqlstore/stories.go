package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/parley-comments/parley"
)

const storyCols = `id, site_id, url, title, closed, mode, created_at, locked, locale`

// CreateStory inserts a story and its authors. ECONFLICT if the ID or
// (site, URL) exists; ENOTFOUND if the site or an author does not exist.
func (c *conn) CreateStory(ctx context.Context, s *parley.Story) error {
	return c.InTx(ctx, func(tx parley.Store) error {
		t := tx.(*conn)
		if err := t.insertNew(ctx, "Story", `INSERT INTO stories (`+storyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.SiteID, s.URL, s.Title, s.Closed, string(s.Mode), c.d.timeArg(s.CreatedAt), s.Locked, s.Locale); err != nil {
			return err
		}
		return t.insertAuthors(ctx, s)
	})
}

func (c *conn) insertAuthors(ctx context.Context, s *parley.Story) error {
	for i, uid := range s.AuthorIDs {
		if _, err := c.exec(ctx, `INSERT INTO story_authors (story_id, user_id, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, s.ID, uid, i); err != nil {
			return translate(err, "Story author")
		}
	}
	return nil
}

// scanStory scans storyCols, then any extra columns into extra.
func scanStory(sc interface{ Scan(...any) error }, extra ...any) (*parley.Story, error) {
	var s parley.Story
	var mode string
	if err := sc.Scan(append([]any{&s.ID, &s.SiteID, &s.URL, &s.Title, &s.Closed, &mode, timeCol{&s.CreatedAt}, &s.Locked, &s.Locale}, extra...)...); err != nil {
		return nil, err
	}
	s.Mode = parley.ModerationMode(mode)
	s.AuthorIDs = []string{}
	return &s, nil
}

// loadAuthors fills AuthorIDs (in the order they were given) for stories,
// with one query.
func (c *conn) loadAuthors(ctx context.Context, stories []*parley.Story) error {
	if len(stories) == 0 {
		return nil
	}
	byID := make(map[string]*parley.Story, len(stories))
	args := make([]any, len(stories))
	for i, s := range stories {
		byID[s.ID] = s
		args[i] = s.ID
	}
	rows, err := c.query(ctx, `SELECT story_id, user_id FROM story_authors WHERE story_id IN (`+
		strings.TrimSuffix(strings.Repeat("?, ", len(stories)), ", ")+`) ORDER BY story_id, position`, args...)
	if err != nil {
		return translate(err, "Story")
	}
	defer rows.Close()
	for rows.Next() {
		var sid, uid string
		if err := rows.Scan(&sid, &uid); err != nil {
			return translate(err, "Story")
		}
		if s := byID[sid]; s != nil {
			s.AuthorIDs = append(s.AuthorIDs, uid)
		}
	}
	return translate(rows.Err(), "Story")
}

// getStory reads one story with its authors in one statement (a post reads
// its story on every write; a second query for the authors was one more
// statement per post): the authors come as one comma-separated column, in
// position order. User IDs contain no comma.
func (c *conn) getStory(ctx context.Context, where string, args ...any) (*parley.Story, error) {
	agg := `group_concat(user_id, ',' ORDER BY position)`
	if c.d.pg() {
		agg = `string_agg(user_id, ',' ORDER BY position)`
	}
	var authors sql.NullString
	s, err := scanStory(c.queryRow(ctx, `SELECT `+storyCols+`, (SELECT `+agg+` FROM story_authors WHERE story_id = stories.id) FROM stories WHERE `+where, args...), &authors)
	if err != nil {
		return nil, translate(err, "Story")
	}
	if authors.String != "" {
		s.AuthorIDs = strings.Split(authors.String, ",")
	}
	return s, nil
}

// GetStory returns a story with its authors. ENOTFOUND if missing.
func (c *conn) GetStory(ctx context.Context, id string) (*parley.Story, error) {
	return c.getStory(ctx, `id = ?`, id)
}

// GetStoryByURL returns a site's story with that exact URL. ENOTFOUND if none.
func (c *conn) GetStoryByURL(ctx context.Context, siteID, url string) (*parley.Story, error) {
	return c.getStory(ctx, `site_id = ? AND url = ?`, siteID, url)
}

// UpdateStory writes a story's URL, title, closed flag, mode and locale, and
// replaces its authors. ENOTFOUND if missing, ECONFLICT if the new URL is
// taken on the site.
func (c *conn) UpdateStory(ctx context.Context, s *parley.Story) error {
	return c.InTx(ctx, func(tx parley.Store) error {
		t := tx.(*conn)
		res, err := t.exec(ctx, `UPDATE stories SET url = ?, title = ?, closed = ?, mode = ?, locked = ?, locale = ? WHERE id = ?`,
			s.URL, s.Title, s.Closed, string(s.Mode), s.Locked, s.Locale, s.ID)
		if err := mustAffect(res, err, "Story"); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM story_authors WHERE story_id = ?`, s.ID); err != nil {
			return translate(err, "Story")
		}
		return t.insertAuthors(ctx, s)
	})
}

// ListStories returns a page of a site's stories, newest first, and the
// cursor of the next page ("" on the last page). Default limit 50, max 500.
// EINVALID for a malformed cursor.
func (c *conn) ListStories(ctx context.Context, siteID string, cursor string, limit int) ([]*parley.Story, string, error) {
	limit = clampLimit(limit, 50, 500)
	q := `SELECT ` + storyCols + ` FROM stories WHERE site_id = ?`
	args := []any{siteID}
	if cursor != "" {
		k, err := decodeCursor(cursor, "story")
		if err != nil {
			return nil, "", err
		}
		q += ` AND id < ?`
		args = append(args, k.ID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, "", translate(err, "Story")
	}
	var out []*parley.Story
	for rows.Next() {
		s, err := scanStory(rows)
		if err != nil {
			rows.Close()
			return nil, "", translate(err, "Story")
		}
		out = append(out, s)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, "", translate(err, "Story")
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(cursorKey{Kind: "story", ID: out[limit-1].ID})
	}
	if err := c.loadAuthors(ctx, out); err != nil {
		return nil, "", err
	}
	return out, next, nil
}
