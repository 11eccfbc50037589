package service

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/transfer"
)

// ExportSummary counts what an export wrote.
type ExportSummary struct {
	Stories  int
	Comments int
}

// exportPage is how many comments an export reads per query.
const exportPage = 2000

// Export writes every story and comment of a site, in every status, to w:
// format "jsonl" is Parley's versioned JSON lines schema (docs/migrate.md),
// "wxr" is WordPress WXR. Stories come oldest first; comments in ID order.
// The export holds guests' email addresses: it is for administrators only.
// Returns EINVALID for an unknown format or site.
func (s *Service) Export(ctx context.Context, siteID, format string, w io.Writer) (ExportSummary, error) {
	var sum ExportSummary
	site, err := s.store.GetSite(ctx, siteID)
	if err != nil {
		if parley.IsCode(err, parley.ENOTFOUND) {
			return sum, parley.Errorf(parley.EINVALID, "Unknown site %q.", siteID)
		}
		return sum, err
	}
	if format != "jsonl" && format != "wxr" {
		return sum, parley.Errorf(parley.EINVALID, "Unknown export format %q: use jsonl or wxr.", format)
	}
	stories, err := s.allStories(ctx, siteID)
	if err != nil {
		return sum, err
	}
	urls := make(map[string]string, len(stories))
	for _, st := range stories {
		urls[st.ID] = st.URL
	}
	if format == "wxr" {
		return s.exportWXR(ctx, site, stories, urls, w)
	}
	jw, err := transfer.NewJSONLWriter(w, transfer.JSONLHeader{SiteID: site.ID, SiteName: site.Name, ExportedAt: s.now()})
	if err != nil {
		return sum, err
	}
	for _, st := range stories {
		if err := jw.Story(storyRecord(st)); err != nil {
			return sum, err
		}
		sum.Stories++
	}
	err = s.eachComment(ctx, siteID, "", func(c *parley.Comment) error {
		sum.Comments++
		return jw.Comment(commentRecord(c, urls))
	})
	if err != nil {
		return sum, err
	}
	return sum, jw.Flush()
}

func (s *Service) exportWXR(ctx context.Context, site *parley.Site, stories []*parley.Story, urls map[string]string, w io.Writer) (ExportSummary, error) {
	var sum ExportSummary
	home := ""
	if len(site.Origins) > 0 {
		home = site.Origins[0]
	}
	xw, err := transfer.NewWXRWriter(w, site.Name, home)
	if err != nil {
		return sum, err
	}
	for _, st := range stories {
		if err := xw.Story(storyRecord(st)); err != nil {
			return sum, err
		}
		sum.Stories++
		err := s.eachComment(ctx, site.ID, st.ID, func(c *parley.Comment) error {
			sum.Comments++
			return xw.Comment(commentRecord(c, urls))
		})
		if err != nil {
			return sum, err
		}
	}
	return sum, xw.Close()
}

// allStories returns a site's stories, oldest first.
func (s *Service) allStories(ctx context.Context, siteID string) ([]*parley.Story, error) {
	var out []*parley.Story
	cursor := ""
	for {
		page, next, err := s.store.ListStories(ctx, siteID, cursor, 500)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if next == "" || len(page) == 0 {
			break
		}
		cursor = next
	}
	slices.Reverse(out) // ListStories is newest first
	return out, nil
}

func (s *Service) eachComment(ctx context.Context, siteID, storyID string, fn func(*parley.Comment) error) error {
	after := ""
	for {
		page, err := s.store.ExportComments(ctx, siteID, storyID, after, exportPage)
		if err != nil {
			return err
		}
		for _, c := range page {
			if err := fn(c); err != nil {
				return fmt.Errorf("write export: %w", err)
			}
		}
		if len(page) < exportPage {
			return nil
		}
		after = page[len(page)-1].ID
	}
}

func storyRecord(st *parley.Story) transfer.JSONLStory {
	return transfer.JSONLStory{URL: st.URL, Title: st.Title, Closed: st.Closed, Mode: string(st.Mode), CreatedAt: st.CreatedAt}
}

func commentRecord(c *parley.Comment, urls map[string]string) transfer.JSONLComment {
	return transfer.JSONLComment{ID: c.ID, StoryURL: urls[c.StoryID], ParentID: c.ParentID, Status: string(c.Status),
		Body: c.Body, HTML: c.HTML,
		Author: transfer.JSONLAuthor{Name: c.AuthorName, Email: c.GuestEmail, UserID: c.AuthorUserID, Key: c.AuthorKey},
		Reason: string(c.Reason), ModeratorNote: c.ModeratorNote, ModeratedBy: c.ModeratedBy, ModeratedAt: c.ModeratedAt,
		CreatedAt: c.CreatedAt, EditedAt: c.EditedAt}
}
