package service

import (
	"context"
	"fmt"
	"strings"
	"time"
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
	site, err := s.Site(ctx, c.SiteID)
	if err != nil {
		return nil, err
	}
	if err := checkOrigin(site, a); err != nil {
		return nil, err
	}
	if err := s.rateLimit(ctx, "report:addr:"+a.ClientKey, s.limits.PerAddressPerMinute, s.limits.PerAddressBurst); err != nil {
		return nil, err
	}
	key := reporterKey(a)
	sanctions, err := s.store.ListSanctions(ctx, c.SiteID, key)
	if err != nil {
		return nil, err
	}
	if hasSanction(sanctions, parley.SanctionNoReports) {
		return nil, parley.Errorf(parley.ESANCTIONED, "You can no longer report comments on this site.")
	}
	hideAfter := site.Settings.HideAfterReports
	now := s.now()
	r := &parley.Report{ID: parley.NewID(now), SiteID: c.SiteID, CommentID: c.ID, ReporterKey: key, Reason: reason, Note: note, CreatedAt: now}
	var status parley.Status
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
		status = cur.Status
		hide := hideAfter > 0 && cur.ReportCount >= hideAfter && cur.Status == parley.StatusApproved
		if hide {
			// The site hides comments after N reports: off the public
			// thread until a moderator keeps (approves) or rejects it.
			cur.Status, cur.UpdatedAt, status = parley.StatusPending, now, parley.StatusPending
		}
		if err := tx.UpdateComment(ctx, cur); err != nil {
			return err
		}
		events := []hookEvent{{name: parley.HookCommentReported, comment: cur, report: r}}
		if hide {
			// The comment left public view: public hooks hear that, without
			// its text, as they hear of a withdrawal.
			events = append(events, hookEvent{name: parley.HookCommentHidden, comment: cur, report: r, wasPublic: true})
		}
		if err := s.emitHooks(ctx, tx, cur.SiteID, events...); err != nil {
			return err
		}
		if err := s.notifyReported(ctx, tx, cur, r); err != nil {
			return err
		}
		if !hide {
			return nil
		}
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: cur.SiteID, CommentID: cur.ID,
			ActorID: parley.ActorPolicy, ActorName: "Policy", Action: "auto_hide", From: parley.StatusApproved, To: parley.StatusPending,
			Note: fmt.Sprintf("Hidden after %d reports.", cur.ReportCount), Scores: cur.Scores, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	s.publish(ctx, parley.Event{Type: EventCommentReported, SiteID: c.SiteID, StoryID: c.StoryID, CommentID: c.ID, Status: status, At: now})
	if status != c.Status {
		s.publish(ctx, parley.Event{Type: parley.EventCommentUpdated, SiteID: c.SiteID, StoryID: c.StoryID, CommentID: c.ID, Status: status, At: now})
	}
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
	defer s.siteCache.forget(siteID)
	return s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.DeleteSiteAdapter(ctx, siteID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: siteID, ActorID: actor.ID, ActorName: actor.Name,
			Action: "adapter_reset", Note: "The site's classifier adapter was reset.", CreatedAt: now})
	})
}

// MaxHideAfterReports is the largest Settings.HideAfterReports.
const MaxHideAfterReports = 1000

// ReportView is one open report as a moderator sees it: never the
// reporter's address or token, only an account's name or "a guest".
type ReportView struct {
	*parley.Report
	// ReporterName is the reporting account's name; "" for a guest.
	ReporterName string
}

// openReports returns a comment's open reports for the queue.
func (s *Service) openReports(ctx context.Context, c *parley.Comment) ([]*ReportView, error) {
	all, err := s.store.ListReports(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []*ReportView
	for _, r := range all {
		if r.Resolution != parley.ReportOpen {
			continue
		}
		v := &ReportView{Report: r}
		if id, ok := strings.CutPrefix(r.ReporterKey, "u:"); ok {
			if u, err := s.store.GetUser(ctx, id); err == nil {
				v.ReporterName = u.Name
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// resolveReportsOnDecision settles a comment's open reports with a
// moderator's decision on it: approving keeps the comment and dismisses
// them, rejecting or marking as spam upholds them. Either way the comment
// leaves the Reported queue.
func resolveReportsOnDecision(ctx context.Context, tx parley.Store, c *parley.Comment, action, actorID string, now time.Time) error {
	if c.ReportCount == 0 {
		return nil
	}
	res := parley.ReportUpheld
	if action == ActionApprove {
		res = parley.ReportDismissed
	}
	if _, err := tx.ResolveReports(ctx, c.ID, res, actorID, now); err != nil {
		return err
	}
	c.ReportCount = 0
	return nil
}

// SanctionReporter punishes abuse of reporting: the reporter of reportID
// may no longer report comments on its site, and every open report they
// made there is resolved as abusive (so comments that only they reported
// leave the Reported queue). Moderators of the site only; logged. A
// reporter already sanctioned keeps the one sanction, which is returned.
// ENOTFOUND for an unknown report.
func (s *Service) SanctionReporter(ctx context.Context, actor *parley.User, reportID, reason string) (*parley.Sanction, error) {
	if actor == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	rep, err := s.store.GetReport(ctx, reportID)
	if err != nil {
		return nil, notFoundAs(err, "Report not found.")
	}
	if err := s.requireModerator(ctx, actor, rep.SiteID); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "Abuse of reporting."
	}
	if utf8.RuneCountInString(reason) > MaxNoteChars {
		return nil, parley.Errorf(parley.EINVALID, "The reason is too long (limit %d characters).", MaxNoteChars)
	}
	now := s.now()
	sn := &parley.Sanction{ID: parley.NewID(now), SiteID: rep.SiteID, AuthorKey: rep.ReporterKey, Kind: parley.SanctionNoReports,
		Reason: reason, CreatedBy: actor.ID, CreatedAt: now}
	var touched []*parley.Comment
	var out *parley.Sanction
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		touched = touched[:0]
		existing, err := tx.ListSanctions(ctx, rep.SiteID, rep.ReporterKey)
		if err != nil {
			return err
		}
		out = sn
		for _, e := range existing {
			if e.Kind == parley.SanctionNoReports {
				out = e // already sanctioned: answer with the stored sanction
			}
		}
		if out == sn {
			if err := tx.CreateSanction(ctx, sn); err != nil {
				return err
			}
		}
		open, err := tx.ListOpenReportsBy(ctx, rep.SiteID, rep.ReporterKey)
		if err != nil {
			return err
		}
		for _, r := range open {
			if err := tx.ResolveReport(ctx, r.ID, parley.ReportAbusive, actor.ID, now); err != nil {
				return err
			}
			c, err := tx.GetComment(ctx, r.CommentID)
			if err != nil {
				return err
			}
			if c.ReportCount > 0 {
				c.ReportCount--
			}
			c.UpdatedAt = now
			if err := tx.UpdateComment(ctx, c); err != nil {
				return err
			}
			touched = append(touched, c)
		}
		// The audit log keeps no reporter key (it may hold an address):
		// the report names the reporter for anyone who may see it.
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: rep.SiteID, CommentID: rep.CommentID,
			ActorID: actor.ID, ActorName: actor.Name, Action: "sanction_" + string(parley.SanctionNoReports),
			Note: fmt.Sprintf("Reporter of report %s: %s (%d open reports dismissed)", rep.ID, reason, len(touched)), CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	for _, c := range touched {
		s.publish(ctx, parley.Event{Type: parley.EventCommentUpdated, SiteID: c.SiteID, StoryID: c.StoryID, CommentID: c.ID, Status: c.Status, At: now})
	}
	return out, nil
}
