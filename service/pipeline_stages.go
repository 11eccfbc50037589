package service

import (
	"context"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/spamcheck"
	"github.com/parley-comments/parley/textnorm"
)

// validate checks the input and everything the write depends on: the
// site, the author, the story and the parent, the author's sanctions and
// rate limits. A repeated Idempotency-Key ends the write with the
// original comment.
func (s *Service) validate(ctx context.Context, w *write) error {
	if err := validateBody(w.in.Body); err != nil {
		return err
	}
	w.now = s.now()
	if w.kind == writeEdit {
		return s.validateEdit(ctx, w)
	}
	storyURL, err := normalizeStoryURL(w.in.StoryURL)
	if err != nil {
		return err
	}
	w.storyURL = storyURL
	if err := s.loadSite(ctx, w); err != nil {
		return err
	}
	if err := storyOnSite(w.site, storyURL); err != nil {
		return err
	}
	if err := s.identify(ctx, w); err != nil {
		return err
	}
	if w.in.IdempotencyKey != "" {
		if len(w.in.IdempotencyKey) > 200 {
			return parley.Errorf(parley.EINVALID, "The Idempotency-Key header is too long.")
		}
		if err := s.replayWrite(ctx, w); err != nil || w.done {
			return err
		}
	}
	if err := s.admit(ctx, w); err != nil {
		return err
	}
	return s.locate(ctx, w)
}

// loadSite loads the site a new comment is for.
func (s *Service) loadSite(ctx context.Context, w *write) error {
	if w.in.SiteID == "" {
		return parley.Errorf(parley.EINVALID, "The site is required.")
	}
	site, err := s.postSite(ctx, w.in.SiteID)
	if err != nil {
		if parley.IsCode(err, parley.ENOTFOUND) {
			return parley.Errorf(parley.EINVALID, "Unknown site %q.", w.in.SiteID)
		}
		return err
	}
	w.site, w.settings = site, site.Settings.WithDefaults()
	return checkOrigin(site, w.author)
}

// identify sets the new comment's author: a signed-in user or a guest with
// a name, an optional email and a guest token.
func (s *Service) identify(ctx context.Context, w *write) error {
	a, in := w.author, w.in
	c := &parley.Comment{ID: parley.NewID(w.now), SiteID: w.site.ID, Body: in.Body, ComposeMillis: in.ComposeMillis,
		ClientIP: a.ClientIP, CreatedAt: w.now, UpdatedAt: w.now}
	w.c = c
	if a.User != nil {
		c.AuthorUserID, c.AuthorName, c.AuthorKey = a.User.ID, a.User.Name, "u:"+a.User.ID
		var err error
		w.role, err = s.Role(ctx, a.User, w.site.ID)
		return err
	}
	if w.settings.GuestsDisallowed {
		return parley.Errorf(parley.EUNAUTHORIZED, "Please log in to comment on this site.")
	}
	name, err := cleanName(in.GuestName)
	if err != nil {
		return err
	}
	c.AuthorName = name
	c.AuthorKey = "ip:" + a.ClientKey
	if strings.TrimSpace(in.GuestEmail) != "" {
		email, err := normalizeEmail(in.GuestEmail)
		if err != nil {
			return err
		}
		if domainBlocked(w.settings.BlockedDomains, email) {
			return parley.Errorf(parley.ESANCTIONED, "Comments from this email domain are not accepted on this site.")
		}
		if verified, err := s.store.EmailVerified(ctx, email); err != nil {
			return err
		} else if verified {
			return &parley.Error{Code: parley.EFORBIDDEN, Message: "This email address belongs to a verified account. Sign in with an email link to comment with it.",
				Fields: map[string]any{"reason": "verified_email"}}
		}
		c.GuestEmail, c.AuthorKey = email, "e:"+email
	}
	if err := s.checkGuestName(ctx, w.site.ID, name); err != nil {
		return err
	}
	w.guestToken = a.GuestToken
	if w.guestToken == "" || len(w.guestToken) > 200 {
		w.guestToken = NewGuestToken()
	}
	c.GuestTokenHash = HashSecret(w.guestToken)
	return nil
}

// replayWrite ends the write with the comment stored under the request's
// Idempotency-Key, if there is one: the same key from the same author
// returns the original comment, whatever happened since.
func (s *Service) replayWrite(ctx context.Context, w *write) error {
	w.scope = w.site.ID + "|" + w.c.AuthorKey
	res, err := s.replay(ctx, w.scope, w.in.IdempotencyKey, w.guestToken)
	if err != nil || res == nil {
		return err
	}
	w.result, w.done = res, true
	return nil
}

// admit refuses sanctioned authors and applies the rate limits, before
// anything is stored.
func (s *Service) admit(ctx context.Context, w *write) error {
	var err error
	if w.sanctions, err = s.store.ListSanctions(ctx, w.site.ID, w.c.AuthorKey); err != nil {
		return err
	}
	if err := blockingSanction(w.sanctions, w.now); err != nil {
		return err
	}
	a := w.author
	if err := s.rateLimit(ctx, "post:addr:"+a.ClientKey, s.limits.PerAddressPerMinute, s.limits.PerAddressBurst); err != nil {
		return err
	}
	if w.c.AuthorKey != "ip:"+a.ClientKey {
		return s.rateLimit(ctx, "post:author:"+w.site.ID+":"+w.c.AuthorKey, s.limits.PerAuthorPerMinute, s.limits.PerAuthorBurst)
	}
	return nil
}

// locate finds the story (nil if this is its first comment) and checks the
// parent comment.
func (s *Service) locate(ctx context.Context, w *write) error {
	story, err := s.store.GetStoryByURL(ctx, w.site.ID, w.storyURL)
	switch {
	case err == nil:
		if story.Closed {
			return parley.Errorf(parley.ECLOSED, "Comments are closed on this story.")
		}
		w.story = story
	case !parley.IsCode(err, parley.ENOTFOUND):
		return err
	}
	if w.in.ParentID == "" {
		return nil
	}
	parent, err := s.store.GetComment(ctx, w.in.ParentID)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	if err != nil || parent.SiteID != w.site.ID || w.story == nil || parent.StoryID != w.story.ID || !visibleTo(parent, w.c) {
		return parley.Errorf(parley.EINVALID, "The comment you are replying to is not in this story.")
	}
	w.c.ParentID = parent.ID
	return nil
}

// validateEdit checks that the author may still edit the comment, and
// makes w.c a draft of it carrying the new text.
func (s *Service) validateEdit(ctx context.Context, w *write) error {
	c, err := s.store.GetComment(ctx, w.editID)
	if err != nil {
		return notFoundAs(err, "Comment not found.")
	}
	if !IsOwn(w.author, c) {
		// Do not reveal that someone else's pending comment exists.
		return parley.Errorf(parley.ENOTFOUND, "Comment not found.")
	}
	if w.site, err = s.Site(ctx, c.SiteID); err != nil {
		return err
	}
	if err := checkOrigin(w.site, w.author); err != nil {
		return err
	}
	w.settings = w.site.Settings.WithDefaults()
	if w.now.Sub(c.CreatedAt) > w.settings.EditWindow.Std() {
		return parley.Errorf(parley.EINVALID, "The time to edit this comment is over.")
	}
	if c.Status == parley.StatusRejected || c.Status == parley.StatusSpam {
		return parley.Errorf(parley.EINVALID, "A comment that was not approved cannot be edited.")
	}
	if strings.TrimSpace(w.in.Body) == strings.TrimSpace(c.Body) && !c.EditPending {
		w.result, w.done = &PostResult{Comment: c}, true
		return nil
	}
	if w.sanctions, err = s.store.ListSanctions(ctx, c.SiteID, c.AuthorKey); err != nil {
		return err
	}
	if err := blockingSanction(w.sanctions, w.now); err != nil {
		return err
	}
	if w.role, err = s.Role(ctx, w.author.User, c.SiteID); err != nil {
		return err
	}
	if w.story, err = s.store.GetStory(ctx, c.StoryID); err != nil {
		return err
	}
	draft := *c
	draft.Body = w.in.Body
	// The link check runs again below; other signals (duplicates,
	// clusters) stay with the comment.
	draft.SpamSignals = slices.DeleteFunc(slices.Clone(c.SpamSignals), func(sig parley.SpamSignal) bool {
		return sig.Kind == spamcheck.KindLinks
	})
	w.prev, w.c = c, &draft
	return nil
}

// normalize renders the text, refusing a comment of which nothing would
// show, and computes the duplicate key and the story title suggestion.
func (s *Service) normalize(_ context.Context, w *write) error {
	if w.kind == writeImport {
		return s.normalizeImport(w)
	}
	w.c.HTML = s.renderer.HTML(w.c.Body)
	if !hasVisibleText(w.c.HTML) {
		return parley.Errorf(parley.EINVALID, "Nothing of this comment would show: HTML tags are not allowed. Please write plain text or Markdown.")
	}
	w.norm = textnorm.Normalize(w.c.Body)
	w.c.NormHash = normHashOf(w.norm.Text)
	if w.newComment() {
		w.title = truncateRunes(textnorm.CleanName(w.in.StoryTitle), MaxTitleChars)
	}
	return nil
}

// hasVisibleText reports whether rendered, sanitized comment HTML shows
// any text. The renderer allows no images or other content without text.
func hasVisibleText(h string) bool {
	var b strings.Builder
	inTag := false
	for _, r := range h {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(html.UnescapeString(b.String())) != ""
}

// classifyWrite scores the text and adds the spam signals.
func (s *Service) classifyWrite(ctx context.Context, w *write) error {
	if w.kind == writeImport {
		s.classifyImport(ctx, w)
	} else {
		s.classify(ctx, w.c, w.c.Body, w.norm)
	}
	in := spamcheck.Input{Body: w.c.Body, MaxLinks: w.settings.MaxLinks}
	if w.kind == writePost {
		in.Honeypot, in.ComposeMillis = w.in.Honeypot, w.in.ComposeMillis
	}
	w.c.SpamSignals = append(w.c.SpamSignals, spamcheck.Check(in)...)
	return nil
}

// dedupe refuses the same author's resubmission of a new comment and
// checks the text against other authors' recent comments for campaigns.
// Texts with nothing to compare (no letters or digits) are never
// duplicates.
func (s *Service) dedupe(ctx context.Context, w *write) error {
	if w.c.NormHash == "" {
		return nil
	}
	if w.newComment() && w.kind != writeImport { // an import keeps the source's resubmissions
		dup, err := s.store.FindDuplicate(ctx, w.site.ID, w.c.AuthorKey, w.c.NormHash, w.now.Add(-w.settings.DuplicateWindow.Std()))
		switch {
		case err == nil:
			if w.in.IdempotencyKey != "" {
				// A retry that raced its own first attempt.
				if err := s.replayWrite(ctx, w); err != nil || w.done {
					return err
				}
			}
			return s.recordResubmit(ctx, dup.ID)
		case !parley.IsCode(err, parley.ENOTFOUND):
			return err
		}
	}
	if s.index == nil || w.c.ClusterID != "" {
		return nil
	}
	if w.imp != nil { // signed by normalize
		w.sig = &w.imp.sig
	} else {
		sig := dedupe.SignNormalized(w.norm.Text)
		w.sig = &sig // publish indexes the comment with it
	}
	w.match = s.index.CheckSigned(dedupe.Doc{SiteID: w.site.ID, CommentID: w.c.ID, AuthorKey: w.c.AuthorKey, Text: w.c.Body, At: w.now}, w.sig)
	if !w.match.Common && len(w.match.Matches) > 0 {
		w.c.ClusterID = w.match.ClusterID
		w.c.SpamSignals = append(w.c.SpamSignals, parley.SpamSignal{Kind: "cluster",
			Detail: clusterDetail(len(w.match.Matches), w.match.Reason)})
	}
	return nil
}

// decide applies the site's automatic decisions.
func (s *Service) decide(_ context.Context, w *write) error {
	if w.kind == writeImport {
		return nil // the source's state is kept
	}
	w.decision = decideOnPost(w.c, s.autoRejectThresholds(w.settings, w.c.Language), storyMode(w.story), w.role, w.sanctions)
	return nil
}

// persist stores the write in one transaction. A new story is created
// first, in its own statement that concurrent first comments share.
func (s *Service) persist(ctx context.Context, w *write) error {
	if w.kind == writeEdit {
		var edited *parley.Comment
		err := s.store.InTx(ctx, func(tx parley.Store) (err error) {
			edited, err = s.persistEdit(ctx, tx, w)
			return err
		})
		if err == nil {
			w.c = edited
		}
		return err
	}
	if w.story == nil {
		st, err := s.ensureStory(ctx, w.site.ID, w.storyURL, w.title, w.now)
		if err != nil {
			return err
		}
		if st.Closed {
			return parley.Errorf(parley.ECLOSED, "Comments are closed on this story.")
		}
		w.story = st
	}
	w.c.StoryID = w.story.ID
	if w.decision.status != parley.StatusPending {
		w.c.Status, w.c.Reason, w.c.ModeratedBy, w.c.ModeratedAt = w.decision.status, w.decision.reason, parley.ActorPolicy, w.now
	} else {
		w.c.Status = parley.StatusPending
	}
	w.c.Version = 1 // versions start at 1 so that 0 can mean "not given"
	err := s.store.InTx(ctx, func(tx parley.Store) error { return s.persistNew(ctx, tx, w) })
	if parley.IsCode(err, parley.ECONFLICT) && w.in.IdempotencyKey != "" {
		// A concurrent request with the same key won the race.
		if rerr := s.replayWrite(ctx, w); rerr == nil && w.done {
			return nil
		}
	}
	return err
}

// persistNew writes a new comment, its cluster and the policy's audit entry
// inside tx. Its first revision is the comment itself until it is edited
// (see commentRevisions): most comments never are, and a revisions row on
// every post was a tenth of the pages a post's commit writes.
func (s *Service) persistNew(ctx context.Context, tx parley.Store, w *write) error {
	c := w.c
	if w.in.IdempotencyKey != "" {
		if err := tx.PutIdempotencyKey(ctx, w.scope, w.in.IdempotencyKey, c.ID, w.now); err != nil {
			return err
		}
	}
	if err := tx.CreateComment(ctx, c); err != nil {
		return err
	}
	if u := w.author.User; u != nil {
		if err := protectName(ctx, tx, c.SiteID, u); err != nil {
			return err
		}
	}
	if c.ClusterID != "" {
		if err := s.joinCluster(ctx, tx, c.ClusterID, w.match.Unclustered); err != nil {
			return err
		}
	}
	if err := s.auditDecision(ctx, tx, w, c, parley.StatusPending); err != nil {
		return err
	}
	if err := s.emitHooks(ctx, tx, c.SiteID, hookEvent{name: parley.HookCommentCreated, comment: c}); err != nil {
		return err
	}
	if err := s.askConfirmation(ctx, tx, w.site, c); err != nil {
		return err
	}
	if c.Status == parley.StatusApproved {
		return s.notifyApproved(ctx, tx, c, false)
	}
	return nil
}

// persistEdit applies the edit to the stored comment inside tx and returns
// the comment as stored.
func (s *Service) persistEdit(ctx context.Context, tx parley.Store, w *write) (*parley.Comment, error) {
	cur, err := tx.GetComment(ctx, w.prev.ID)
	if err != nil {
		return nil, err
	}
	from := cur.Status
	if err := keepFirstRevision(ctx, tx, cur); err != nil {
		return nil, err
	}
	applyEdit(cur, w.c, w.decision, w.now)
	if err := tx.UpdateComment(ctx, cur); err != nil {
		return nil, err
	}
	if err := tx.AddRevision(ctx, &parley.Revision{ID: parley.NewID(w.now), CommentID: cur.ID, Body: w.c.Body, HTML: w.c.HTML, CreatedAt: w.now}); err != nil {
		return nil, err
	}
	if c := w.c; c.ClusterID != "" && w.prev.ClusterID == "" {
		if err := s.joinCluster(ctx, tx, c.ClusterID, w.match.Unclustered); err != nil {
			return nil, err
		}
	}
	to, note := cur.Status, "Edited by its author; back in the queue."
	if w.decision.status != parley.StatusPending {
		to, note = from, "Edited by its author." // the policy's own entry below records the decision
	}
	if err := tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(w.now), SiteID: cur.SiteID, CommentID: cur.ID,
		ActorID: cur.AuthorKey, ActorName: cur.AuthorName, Action: "edit", From: from, To: to,
		Note: note, Scores: cur.Scores, CreatedAt: w.now}); err != nil {
		return nil, err
	}
	if err := s.auditDecision(ctx, tx, w, cur, from); err != nil {
		return nil, err
	}
	events := []hookEvent{{name: parley.HookCommentEdited, comment: cur, audience: audienceModerators}}
	if w.decision.status != parley.StatusPending {
		events = append(events, decisionHooks(cur, nil, from, from == parley.StatusApproved)...)
	}
	if err := s.emitHooks(ctx, tx, cur.SiteID, events...); err != nil {
		return nil, err
	}
	if cur.Status == parley.StatusApproved && from != parley.StatusApproved {
		return cur, s.notifyApproved(ctx, tx, cur, false)
	}
	return cur, nil
}

// firstRevision is the revision a comment without stored revisions has:
// its text as posted (persistNew stores none).
func firstRevision(c *parley.Comment) *parley.Revision {
	return &parley.Revision{ID: c.ID, CommentID: c.ID, Body: c.Body, HTML: c.HTML, CreatedAt: c.CreatedAt}
}

// keepFirstRevision stores c's text as posted as its first revision before
// its first edit, inside the edit's transaction. Comments stored before
// posts stopped writing it, and imported ones, already have theirs.
func keepFirstRevision(ctx context.Context, tx parley.Store, c *parley.Comment) error {
	revs, err := tx.ListRevisions(ctx, c.ID)
	if err != nil || len(revs) > 0 {
		return err
	}
	return tx.AddRevision(ctx, firstRevision(c))
}

// commentRevisions lists a comment's revisions, oldest first: the stored
// ones, or the comment itself when it was never edited.
func (s *Service) commentRevisions(ctx context.Context, c *parley.Comment) ([]*parley.Revision, error) {
	revs, err := s.store.ListRevisions(ctx, c.ID)
	if err != nil || len(revs) > 0 {
		return revs, err
	}
	return []*parley.Revision{firstRevision(c)}, nil
}

// applyEdit puts an edit's text, scores and policy decision on the stored
// comment cur. Without a decision an approved comment keeps its public text
// and the edit waits for a moderator.
func applyEdit(cur, draft *parley.Comment, d postDecision, now time.Time) {
	switch {
	case d.status == parley.StatusPending && cur.Status == parley.StatusApproved:
		cur.EditPending = true
		cur.PendingBody, cur.PendingHTML = draft.Body, draft.HTML
	case d.status == parley.StatusPending:
		cur.Body, cur.HTML = draft.Body, draft.HTML
	default:
		cur.Body, cur.HTML = draft.Body, draft.HTML
		cur.EditPending, cur.PendingBody, cur.PendingHTML = false, "", ""
		cur.Status, cur.Reason, cur.ModeratedBy, cur.ModeratedAt = d.status, d.reason, parley.ActorPolicy, now
	}
	cur.Language, cur.Scores, cur.Evidence = draft.Language, draft.Scores, draft.Evidence
	cur.SuggestedReason, cur.Risk, cur.SpamSignals = draft.SuggestedReason, draft.Risk, draft.SpamSignals
	cur.NormHash = draft.NormHash
	if cur.ClusterID == "" {
		cur.ClusterID = draft.ClusterID
	}
	cur.EditedAt, cur.UpdatedAt = now, now
}

// auditDecision logs an automatic decision, if policy made one.
func (s *Service) auditDecision(ctx context.Context, tx parley.Store, w *write, c *parley.Comment, from parley.Status) error {
	d := w.decision
	if d.status == parley.StatusPending {
		return nil
	}
	return tx.AppendAudit(ctx, &parley.AuditEntry{
		ID: parley.NewID(w.now), SiteID: w.site.ID, CommentID: c.ID, ActorID: parley.ActorPolicy, ActorName: "Policy",
		Action: d.action, From: from, To: d.status, Reason: d.reason, Note: d.note, Scores: c.Scores, CreatedAt: w.now,
	})
}

// publishWrite tells the duplicate index and the live listeners, after
// the commit.
func (s *Service) publishWrite(ctx context.Context, w *write) error {
	c := w.c
	typ := parley.EventCommentUpdated
	if w.newComment() {
		typ = parley.EventCommentCreated
		if s.index != nil && c.NormHash != "" {
			d := dedupe.Doc{SiteID: c.SiteID, CommentID: c.ID, AuthorKey: c.AuthorKey, ClusterID: c.ClusterID, Text: c.Body, At: w.now}
			if w.sig != nil {
				s.index.AddSigned(d, w.sig)
			} else {
				s.index.Add(d)
			}
		}
	}
	if w.kind == writeImport {
		return nil // imported comments notify nobody
	}
	s.publish(ctx, parley.Event{Type: typ, SiteID: c.SiteID, StoryID: c.StoryID, CommentID: c.ID, Status: c.Status, At: w.now})
	w.result = &PostResult{Comment: c, GuestToken: w.guestToken}
	return nil
}
