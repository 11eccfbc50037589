package service

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/textnorm"
)

// Moderation actions.
const (
	ActionApprove = "approve"
	ActionReject  = "reject"
	ActionSpam    = "spam"
)

// Decision is a moderator's decision on a comment.
type Decision struct {
	Action string        // approve, reject or spam
	Reason parley.Reason // required to reject
	Note   string        // optional, moderators only
	// ExpectVersion, when non-zero, makes the decision fail with
	// ECONFLICT if anyone changed the comment since the moderator saw it.
	ExpectVersion int
}

// Decide applies a moderator's decision to one comment and logs it.
// EUNAUTHORIZED without a user, EFORBIDDEN for non-moderators of the
// comment's site (including moderators of other sites), ENOTFOUND for an
// unknown comment, EINVALID for a bad reason, ECONFLICT when ExpectVersion
// is stale.
func (s *Service) Decide(ctx context.Context, actor *parley.User, id string, d Decision) (*parley.Comment, error) {
	if actor == nil {
		return nil, parley.Errorf(parley.EUNAUTHORIZED, "Please log in.")
	}
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "Comment not found.")
	}
	if err := s.requireModerator(ctx, actor, c.SiteID); err != nil {
		return nil, err
	}
	return s.decideOn(ctx, actor, c.SiteID, id, d)
}

// decideOn applies a decision by actor, already known to moderate siteID, to
// the comment id of that site: one transaction that reads, checks, updates,
// learns and logs. ENOTFOUND for a comment of another site.
func (s *Service) decideOn(ctx context.Context, actor *parley.User, siteID, id string, d Decision) (*parley.Comment, error) {
	if err := validateDecision(&d); err != nil {
		return nil, err
	}
	var now time.Time
	var out *parley.Comment
	var err error
	if s.adapter != nil {
		defer s.siteCache.forgetAdapter(siteID) // the decision taught it (learn)
	}
	for attempt := 0; ; attempt++ {
		err = s.store.InTx(ctx, func(tx parley.Store) error {
			cur, err := tx.GetComment(ctx, id)
			if err != nil {
				return notFoundAs(err, "Comment not found.")
			}
			if cur.SiteID != siteID {
				return parley.Errorf(parley.ENOTFOUND, "Comment not found.")
			}
			if d.ExpectVersion != 0 && cur.Version != d.ExpectVersion {
				return conflictError(cur)
			}
			// The decision's time, read after the row: strictly after the
			// previous decision on this comment, so the audit log (ordered
			// by time-sortable ID, at millisecond precision) lists the
			// decisions in the order they were applied, even when two
			// instances decide within one millisecond.
			now = s.now()
			if !now.After(cur.ModeratedAt.Truncate(time.Millisecond).Add(time.Millisecond - time.Microsecond)) {
				now = cur.ModeratedAt.Truncate(time.Millisecond).Add(time.Millisecond)
			}
			from, editPending := cur.Status, cur.EditPending
			decided := cur.Body
			if cur.EditPending {
				decided = cur.PendingBody
			}
			applyDecision(cur, d, actor.ID, now)
			if err := resolveReportsOnDecision(ctx, tx, cur, d.Action, actor.ID, now); err != nil {
				return err
			}
			if err := tx.UpdateComment(ctx, cur); err != nil {
				return err
			}
			if err := s.learn(ctx, tx, cur, decided); err != nil {
				return err
			}
			out = cur
			if err := tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: cur.SiteID, CommentID: cur.ID,
				ActorID: actor.ID, ActorName: actor.Name, Action: d.Action, From: from, To: cur.Status,
				Reason: d.Reason, Note: d.Note, Scores: cur.Scores, CreatedAt: now}); err != nil {
				return err
			}
			if err := s.emitHooks(ctx, tx, cur.SiteID, decisionHooks(cur, actor, from, editPending)...); err != nil {
				return err
			}
			return s.notifyDecision(ctx, tx, cur, from, editPending)
		})
		// Without ExpectVersion the moderator acts on the current state:
		// a lost race is retried on the fresh row (and logged once).
		if parley.IsCode(err, parley.ECONFLICT) && d.ExpectVersion == 0 && attempt < 3 {
			continue
		}
		break
	}
	if err != nil {
		if parley.IsCode(err, parley.ECONFLICT) {
			if cur, gerr := s.store.GetComment(ctx, id); gerr == nil {
				return nil, conflictError(cur)
			}
		}
		return nil, err
	}
	s.publish(ctx, parley.Event{Type: parley.EventCommentUpdated, SiteID: out.SiteID, StoryID: out.StoryID, CommentID: out.ID, Status: out.Status, At: now})
	return out, nil
}

// conflictError tells a moderator that someone else decided first.
func conflictError(cur *parley.Comment) error {
	msg := "Someone else changed this comment while you were looking at it."
	if cur.ModeratedBy != "" {
		switch cur.Status {
		case parley.StatusApproved:
			msg = "Another moderator already decided on this comment: it is now approved."
		case parley.StatusRejected:
			msg = "Another moderator already decided on this comment: it is now rejected."
		case parley.StatusSpam:
			msg = "Another moderator already decided on this comment: it is now spam."
		}
	}
	return &parley.Error{Code: parley.ECONFLICT, Message: msg, Fields: map[string]any{"status": cur.Status, "version": cur.Version}}
}

func validateDecision(d *Decision) error {
	d.Note = strings.TrimSpace(d.Note)
	if utf8.RuneCountInString(d.Note) > MaxNoteChars {
		return parley.Errorf(parley.EINVALID, "The note is too long (limit %d characters).", MaxNoteChars)
	}
	switch d.Action {
	case ActionApprove:
		d.Reason = ""
	case ActionReject:
		if !d.Reason.Valid() {
			return parley.Errorf(parley.EINVALID, "A rejection needs a reason: hate_speech, obscenity, personal_attack, spam, off_topic or other.")
		}
	case ActionSpam:
		d.Reason = parley.ReasonSpam
	default:
		return parley.Errorf(parley.EINVALID, "Unknown action %q.", d.Action)
	}
	return nil
}

// applyDecision changes a comment's state for a decision.
func applyDecision(c *parley.Comment, d Decision, actorID string, now time.Time) {
	switch d.Action {
	case ActionApprove:
		if c.EditPending {
			c.Body, c.HTML = c.PendingBody, c.PendingHTML
		}
		c.Status = parley.StatusApproved
		c.Reason = ""
	case ActionReject:
		c.Status = parley.StatusRejected
		c.Reason = d.Reason
	case ActionSpam:
		c.Status = parley.StatusSpam
		c.Reason = parley.ReasonSpam
	}
	c.EditPending = false
	c.PendingBody, c.PendingHTML = "", ""
	c.ModeratorNote = d.Note
	c.ModeratedBy = actorID
	c.ModeratedAt = now
	c.UpdatedAt = now
}

// BulkResult reports a bulk decision.
type BulkResult struct {
	Decided  []string         `json:"decided"`
	Failed   map[string]error `json:"-"` // comment id -> why it was not decided (a *parley.Error)
	Selected int              `json:"selected"`
}

// maxBulk is the most comments one bulk action touches.
const maxBulk = 1000

// DecideMany applies one decision to many comments of one site, each in its
// own transaction and audit entry. The actor must moderate siteID; comments
// of other sites, and comments another moderator changed meanwhile, are
// reported in Failed.
func (s *Service) DecideMany(ctx context.Context, actor *parley.User, siteID string, ids []string, d Decision) (*BulkResult, error) {
	if err := s.requireModerator(ctx, actor, siteID); err != nil {
		return nil, err
	}
	if len(ids) > maxBulk {
		return nil, parley.Errorf(parley.EINVALID, "At most %d comments at once.", maxBulk)
	}
	if err := validateDecision(&d); err != nil {
		return nil, err
	}
	res := &BulkResult{Failed: map[string]error{}, Selected: len(ids), Decided: []string{}}
	for _, id := range ids {
		c, err := s.store.GetComment(ctx, id)
		if err != nil || c.SiteID != siteID {
			if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
				return res, err
			}
			res.Failed[id] = parley.Errorf(parley.ENOTFOUND, "Comment not found.")
			continue
		}
		if _, err := s.Decide(ctx, actor, id, d); err != nil {
			code := parley.ErrorCode(err)
			if code == parley.EINTERNAL || code == parley.EUNAUTHORIZED {
				return res, err
			}
			res.Failed[id] = err
			continue
		}
		res.Decided = append(res.Decided, id)
	}
	return res, nil
}

// DecideWhere applies one decision to every comment matching a queue filter
// (for example a whole cluster, or everything pending by one author).
func (s *Service) DecideWhere(ctx context.Context, actor *parley.User, f parley.QueueFilter, d Decision) (*BulkResult, error) {
	if err := s.requireModerator(ctx, actor, f.SiteID); err != nil {
		return nil, err
	}
	var ids []string
	f.Limit, f.Cursor = 500, ""
	for len(ids) < maxBulk {
		page, next, err := s.store.ListQueue(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	d.ExpectVersion = 0
	return s.DecideMany(ctx, actor, f.SiteID, ids, d)
}

// QueueItem is one comment in the moderation queue with what a moderator
// needs to decide on it.
type QueueItem struct {
	Comment     *parley.Comment
	Story       *parley.Story
	Parent      *parley.Comment
	History     map[parley.Status]int
	Sanctions   []*parley.Sanction
	ClusterSize int
	Role        parley.Role // the author's role on the site, if a user
	AuthorEmail string      // the guest's email, or the account's
	// Reports are the comment's open reader reports, oldest first.
	Reports []*ReportView
}

// QueuePage is one page of the moderation queue.
type QueuePage struct {
	Items      []*QueueItem
	NextCursor string
	Counts     map[parley.Status]int
}

// Queue returns a page of the moderation queue. Moderators of the site only.
func (s *Service) Queue(ctx context.Context, actor *parley.User, f parley.QueueFilter) (*QueuePage, error) {
	if err := s.requireModerator(ctx, actor, f.SiteID); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "Unknown status %q.", f.Status)
	}
	if f.Limit > 500 {
		return nil, parley.Errorf(parley.EINVALID, "limit is at most 500.")
	}
	switch f.Sort {
	case "", parley.SortRisk, parley.SortOldest, parley.SortNewest:
	default:
		return nil, parley.Errorf(parley.EINVALID, "sort is risk, oldest or newest.")
	}
	comments, next, err := s.store.ListQueue(ctx, f)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.CountQueue(ctx, f.SiteID)
	if err != nil {
		return nil, err
	}
	page := &QueuePage{NextCursor: next, Counts: counts, Items: make([]*QueueItem, 0, len(comments))}
	load := s.newItemLoader()
	for _, c := range comments {
		it, err := load.item(ctx, c)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, it)
	}
	return page, nil
}

// clusterSize counts a cluster's comments in every status.
func (s *Service) clusterSize(ctx context.Context, siteID, clusterID string) (int, error) {
	n := 0
	for _, st := range []parley.Status{parley.StatusPending, parley.StatusApproved, parley.StatusRejected, parley.StatusSpam} {
		f := parley.QueueFilter{SiteID: siteID, ClusterID: clusterID, Status: st, Limit: 500}
		for {
			page, next, err := s.store.ListQueue(ctx, f)
			if err != nil {
				return 0, err
			}
			for _, c := range page {
				// The pending queue also lists approved comments with a
				// pending edit; count each comment once.
				if c.Status == st {
					n++
				}
			}
			if next == "" {
				break
			}
			f.Cursor = next
		}
	}
	return n, nil
}

// Comment returns one comment for a moderator of its site.
func (s *Service) Comment(ctx context.Context, actor *parley.User, id string) (*parley.Comment, error) {
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return nil, notFoundAs(err, "Comment not found.")
	}
	if err := s.requireModerator(ctx, actor, c.SiteID); err != nil {
		return nil, err
	}
	return c, nil
}

// Audit returns audit log entries, newest first. Moderators of the site only.
func (s *Service) Audit(ctx context.Context, actor *parley.User, f parley.AuditFilter) ([]*parley.AuditEntry, string, error) {
	if err := s.requireModerator(ctx, actor, f.SiteID); err != nil {
		return nil, "", err
	}
	if f.Limit > 1000 {
		return nil, "", parley.Errorf(parley.EINVALID, "limit is at most 1000.")
	}
	return s.store.ListAudit(ctx, f)
}

// StorySettings are what moderators may change on a story.
type StorySettings struct {
	Closed *bool
	Mode   *parley.ModerationMode
	Title  *string
	URL    *string // must be on one of the site's origins
	// Locked confirms the title and URL (see parley.Story.Locked). Setting
	// Title or URL locks the story unless Locked says otherwise.
	Locked       *bool
	AuthorEmails *[]string // replaces the story's authors
	Locale       *string   // the widget's language on the story; "" = the site's
}

// UpdateStory changes a story's settings. Moderators of its site only.
func (s *Service) UpdateStory(ctx context.Context, actor *parley.User, storyID string, in StorySettings) (*parley.Story, error) {
	st, err := s.store.GetStory(ctx, storyID)
	if err != nil {
		return nil, notFoundAs(err, "Story not found.")
	}
	if err := s.requireModerator(ctx, actor, st.SiteID); err != nil {
		return nil, err
	}
	if in.Closed != nil {
		st.Closed = *in.Closed
	}
	if in.Mode != nil {
		if *in.Mode != "" && !in.Mode.Valid() {
			return nil, parley.Errorf(parley.EINVALID, "Mode must be pre, post or empty (the site's mode).")
		}
		st.Mode = *in.Mode
	}
	if err := s.applyStoryMeta(ctx, st, in); err != nil {
		return nil, err
	}
	if in.Locale != nil {
		l := strings.TrimSpace(*in.Locale)
		if l != "" && !i18n.Known(l) {
			return nil, parley.Errorf(parley.EINVALID, "Locale must be one of en, ru, hy, az, tr, or empty (the site's).")
		}
		st.Locale = l
	}
	if in.AuthorEmails != nil {
		ids := []string{}
		for _, e := range *in.AuthorEmails {
			u, err := s.userByEmailOnSite(ctx, st.SiteID, e)
			if err != nil {
				if parley.IsCode(err, parley.ENOTFOUND) {
					return nil, parley.Errorf(parley.EINVALID, "No user with email %q.", e)
				}
				return nil, err
			}
			ids = append(ids, u.ID)
		}
		st.AuthorIDs = ids
	}
	if err := s.store.UpdateStory(ctx, st); err != nil {
		if parley.IsCode(err, parley.ECONFLICT) {
			return nil, parley.Errorf(parley.ECONFLICT, "Another story of this site already has that URL.")
		}
		return nil, err
	}
	now := s.now()
	if err := s.store.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: st.SiteID, ActorID: actor.ID, ActorName: actor.Name,
		Action: "story_settings", Note: st.URL, CreatedAt: now}); err != nil {
		return nil, err
	}
	s.publish(ctx, parley.Event{Type: parley.EventStoryUpdated, SiteID: st.SiteID, StoryID: st.ID, At: now})
	return st, nil
}

// applyStoryMeta applies staff changes to a story's title, URL and lock.
func (s *Service) applyStoryMeta(ctx context.Context, st *parley.Story, in StorySettings) error {
	if in.Title != nil {
		title := truncateRunes(textnorm.CleanName(*in.Title), MaxTitleChars)
		if title == "" {
			return parley.Errorf(parley.EINVALID, "A story needs a title.")
		}
		st.Title, st.Locked = title, true
	}
	if in.URL != nil {
		u, err := normalizeStoryURL(*in.URL)
		if err != nil {
			return err
		}
		site, err := s.Site(ctx, st.SiteID)
		if err != nil {
			return err
		}
		if err := storyOnSite(site, u); err != nil {
			return err
		}
		st.URL, st.Locked = u, true
	}
	if in.Locked != nil {
		st.Locked = *in.Locked
	}
	return nil
}
