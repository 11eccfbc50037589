package service

import (
	"context"

	"github.com/parley-comments/parley"
)

// Low-risk lane: pending comments that every signal calls clean, for a
// moderator to read as one compact page and approve with one key.
const (
	// LowRiskMaxScore is the highest classifier score (any label) a
	// low-risk comment may have.
	LowRiskMaxScore = 0.4
	// LowRiskPage is the most comments one low-risk page shows.
	LowRiskPage = 20
	// lowRiskScan bounds how many pending comments one request reads
	// while looking for a page of low-risk ones.
	lowRiskScan = 1000
)

// LowRisk reports whether the classifier, the duplicate detector and the
// author's history all call a pending comment clean: no score at or above
// LowRiskMaxScore and no suggested reason; not a resubmission, not in a
// campaign cluster and no spam signal; an author with nothing rejected or
// marked as spam on the site and no sanction but "trusted"; no edit
// waiting (an edit is compared with the published text, one at a time) and
// no reader reports.
func LowRisk(it *QueueItem) bool {
	c := it.Comment
	if c.Status != parley.StatusPending || c.EditPending || c.ReportCount > 0 {
		return false
	}
	if c.Scores == nil || c.Risk >= LowRiskMaxScore || c.SuggestedReason != "" {
		return false // unscored comments are not known to be clean
	}
	for _, s := range c.Scores {
		if s >= LowRiskMaxScore {
			return false
		}
	}
	if c.Resubmits > 0 || c.ClusterID != "" || len(c.SpamSignals) > 0 {
		return false
	}
	if it.History[parley.StatusRejected] > 0 || it.History[parley.StatusSpam] > 0 {
		return false
	}
	for _, s := range it.Sanctions {
		if s.Kind != parley.SanctionTrusted {
			return false
		}
	}
	return true
}

// LowRiskQueue returns up to LowRiskPage low-risk pending comments of a
// site, oldest first, and whether more pending comments were left unread
// (the scan stops after lowRiskScan). Moderators of the site only.
func (s *Service) LowRiskQueue(ctx context.Context, actor *parley.User, siteID string) (*QueuePage, error) {
	f := parley.QueueFilter{SiteID: siteID, Status: parley.StatusPending, Sort: parley.SortOldest, Limit: 100}
	out := &QueuePage{}
	for read := 0; read < lowRiskScan; {
		page, err := s.Queue(ctx, actor, f)
		if err != nil {
			return nil, err
		}
		out.Counts = page.Counts
		for _, it := range page.Items {
			if LowRisk(it) {
				out.Items = append(out.Items, it)
				if len(out.Items) == LowRiskPage {
					return out, nil
				}
			}
		}
		read += len(page.Items)
		if page.NextCursor == "" {
			return out, nil
		}
		f.Cursor = page.NextCursor
	}
	return out, nil
}
