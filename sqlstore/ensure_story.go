package sqlstore

import (
	"context"

	"github.com/parley-comments/parley"
)

// EnsureStory inserts s unless its site already has a story with s.URL,
// then reads the stored one back. ON CONFLICT DO NOTHING makes concurrent
// first comments wait for the first insert instead of failing: on
// PostgreSQL (READ COMMITTED) the re-read after the insert sees the
// winner's committed row; on SQLite writers are serialized anyway.
func (c *conn) EnsureStory(ctx context.Context, s *parley.Story) (*parley.Story, error) {
	if _, err := c.exec(ctx, `INSERT INTO stories (`+storyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		s.ID, s.SiteID, s.URL, s.Title, s.Closed, string(s.Mode), c.d.timeArg(s.CreatedAt), s.Locked, s.Locale); err != nil {
		return nil, translate(err, "Story")
	}
	return c.GetStoryByURL(ctx, s.SiteID, s.URL)
}
