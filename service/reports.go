package service

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/parley-comments/parley"
)

// EventCommentReported is published when a reader reports a comment.
const EventCommentReported = "comment.reported"

// reporterKey identifies a reporter so that each may report a comment once.
func reporterKey(a Author) string {
	switch {
	case a.User != nil:
		return "u:" + a.User.ID
	case a.GuestToken != "":
		return "g:" + HashSecret(a.GuestToken)
	}
	return "ip:" + a.ClientKey
}

// Report records a reader's report of a published comment and puts it in
// the site's Reported queue. Only approved comments can be reported;
// anything else is ENOTFOUND. Reporting the same comment twice is
// ECONFLICT. Reports are rate-limited like posts.
func (s *Service) Report(ctx context.Context, a Author, commentID string, reason parley.Reason, note string) (*parley.Report, error) {
	if !reason.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "A report needs a reason: hate_speech, obscenity, personal_attack, spam, off_topic or other.")
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > MaxNoteChars {
		return nil, parley.Errorf(parley.EINVALID, "The note is too long (limit %d characters).", MaxNoteChars)
	}
	c, err := s.store.GetComment(ctx, commentID)
	if err != nil || c.Status != parley.StatusApproved {
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
		return nil, parley.Errorf(parley.ENOTFOUND, "Comment not found.")
	}
	if err := s.rateLimit(ctx, "report:addr:"+a.ClientKey, s.limits.PerAddressPerMinute, s.limits.PerAddressBurst); err != nil {
		return nil, err
	}
	now := s.now()
	r := &parley.Report{ID: parley.NewID(now), SiteID: c.SiteID, CommentID: c.ID, ReporterKey: reporterKey(a), Reason: reason, Note: note, CreatedAt: now}
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.CreateReport(ctx, r); err != nil {
			if parley.IsCode(err, parley.ECONFLICT) {
				return parley.Errorf(parley.ECONFLICT, "You already reported this comment. Thank you; a moderator will look at it.")
			}
			return err
		}
		cur, err := tx.GetComment(ctx, c.ID)
		if err != nil {
			return err
		}
		cur.ReportCount++
		if err := tx.UpdateComment(ctx, cur); err != nil {
			return err
		}
		return s.emitHooks(ctx, tx, cur.SiteID, hookEvent{name: parley.HookCommentReported, comment: cur, report: r})
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, parley.Event{Type: EventCommentReported, SiteID: c.SiteID, StoryID: c.StoryID, CommentID: c.ID, Status: c.Status, At: now})
	return r, nil
}

// Reports lists a comment's reports for a moderator of its site.
func (s *Service) Reports(ctx context.Context, actor *parley.User, commentID string) ([]*parley.Report, error) {
	if _, err := s.Comment(ctx, actor, commentID); err != nil {
		return nil, err
	}
	return s.store.ListReports(ctx, commentID)
}

// AdapterStatus tells how many moderator decisions a site's adapter has
// learned from. Admins of the site only.
func (s *Service) AdapterStatus(ctx context.Context, actor *parley.User, siteID string) (int, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return 0, err
	}
	if s.adapter == nil {
		return 0, nil
	}
	state, err := s.store.GetSiteAdapter(ctx, siteID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return s.adapter.Decisions(state)
}

// ResetAdapter forgets everything a site's adapter learned, so the site is
// scored by the base model alone again. Admins of the site only; logged.
func (s *Service) ResetAdapter(ctx context.Context, actor *parley.User, siteID string) error {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return err
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.DeleteSiteAdapter(ctx, siteID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: siteID, ActorID: actor.ID, ActorName: actor.Name,
			Action: "adapter_reset", Note: "The site's classifier adapter was reset.", CreatedAt: now})
	})
}
