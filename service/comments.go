package service

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

// Author identifies who is acting on the public side: a signed-in user, or
// a guest with an optional guest token. ClientKey is the client address
// rate key (IPv6 grouped by /64); ClientIP the full address.
type Author struct {
	User       *parley.User
	GuestToken string
	ClientIP   string
	ClientKey  string
	// Origin is the Origin of the browser page that sent the request; ""
	// when there is none or it is Parley's own. State changes refuse a page
	// that is not one of the site's origins.
	Origin string
}

// PostInput is a new comment as submitted.
type PostInput struct {
	SiteID         string
	StoryURL       string
	StoryTitle     string
	ParentID       string
	Body           string
	GuestName      string
	GuestEmail     string
	Honeypot       string
	ComposeMillis  int64
	IdempotencyKey string
}

// PostResult is what Post returns.
type PostResult struct {
	Comment *parley.Comment
	// GuestToken is the token a guest must keep to see this comment's
	// status later. It is the token they sent, or a new one.
	GuestToken string
	// Replayed is true when an Idempotency-Key matched an earlier request.
	Replayed bool
}

// replay returns the comment stored under an idempotency key, or nil.
func (s *Service) replay(ctx context.Context, scope, key, guestToken string) (*PostResult, error) {
	id, err := s.store.GetIdempotencyKey(ctx, scope, key)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := s.store.GetComment(ctx, id)
	if err != nil {
		return nil, err
	}
	return &PostResult{Comment: c, GuestToken: guestToken, Replayed: true}, nil
}

// recordResubmit counts a resubmission on the original and returns the
// EDUPLICATE error that tells the author it is already awaiting review.
func (s *Service) recordResubmit(ctx context.Context, originalID string) error {
	now := s.now()
	var orig *parley.Comment
	err := s.store.InTx(ctx, func(tx parley.Store) error {
		c, err := tx.GetComment(ctx, originalID)
		if err != nil {
			return err
		}
		c.Resubmits++
		c.LastResubmit = now
		c.UpdatedAt = now
		orig = c
		return tx.UpdateComment(ctx, c)
	})
	if err != nil {
		return err
	}
	msg := "You already posted this comment. It is awaiting review by a moderator."
	switch {
	case orig.Status == parley.StatusApproved && !orig.EditPending:
		msg = "You already posted this comment, and it has been published."
	case orig.Status == parley.StatusRejected || orig.Status == parley.StatusSpam:
		msg = "You already posted this comment, and a moderator did not approve it."
	}
	return &parley.Error{Code: parley.EDUPLICATE, Message: msg, Fields: map[string]any{"comment_id": orig.ID}}
}

// joinCluster puts matched comments that had no cluster into this one.
// Comments already in a cluster stay where they are.
func (s *Service) joinCluster(ctx context.Context, tx parley.Store, clusterID string, ids []string) error {
	for _, id := range ids {
		if err := s.joinOne(ctx, tx, clusterID, id); err != nil {
			return err
		}
	}
	return nil
}

// joinOne puts one matched comment into a cluster unless it has one. A
// concurrent change to that comment (ECONFLICT: another post of the same
// campaign clustering it, a moderator deciding) is read again, a few
// times; clustering is a hint, so a comment that keeps changing is left
// as it is rather than failing the new comment's post.
func (s *Service) joinOne(ctx context.Context, tx parley.Store, clusterID, id string) error {
	for attempt := 0; attempt < 3; attempt++ {
		m, err := tx.GetComment(ctx, id)
		if parley.IsCode(err, parley.ENOTFOUND) {
			return nil
		}
		if err != nil {
			return err
		}
		if m.ClusterID != "" {
			return nil
		}
		m.ClusterID = clusterID
		err = tx.UpdateComment(ctx, m)
		if parley.IsCode(err, parley.ECONFLICT) {
			continue
		}
		if err == nil && s.index != nil {
			s.index.SetCluster(id, clusterID)
		}
		return err
	}
	return nil
}

// classify fills in the classifier's verdict for text (norm is its
// normalization), adjusted by the site's adapter. A classifier failure is
// logged and the comment goes to a human unscored.
func (s *Service) classify(ctx context.Context, c *parley.Comment, text string, norm textnorm.Result) {
	if s.classifier == nil {
		return
	}
	v, err := s.verdict(ctx, text, norm)
	if err != nil {
		s.log.WarnContext(ctx, "classify", "err", err)
		return
	}
	if s.adapter != nil && c.SiteID != "" {
		state, err := s.adapterState(ctx, c.SiteID)
		switch {
		case err != nil:
			s.log.WarnContext(ctx, "load site adapter", "site", c.SiteID, "err", err)
		case state != nil:
			if adj, err := s.adapter.Adjust(ctx, state, text, v); err == nil {
				v = adj
			} else {
				s.log.WarnContext(ctx, "site adapter", "site", c.SiteID, "err", err)
			}
		}
	}
	applyVerdict(c, v)
}

// applyVerdict stores a classifier verdict on c: language, scores,
// evidence, suggested reason, risk and the spam_score signal.
func applyVerdict(c *parley.Comment, v parley.Verdict) {
	c.Language = v.Language
	c.Scores = v.Scores
	c.Evidence = v.Evidence
	c.SuggestedReason = v.SuggestedReason
	c.Risk = 0
	for _, sc := range v.Scores {
		if sc > c.Risk {
			c.Risk = sc
		}
	}
	// Strip old spam_score signals and add a fresh one.
	kept := c.SpamSignals[:0]
	for _, sig := range c.SpamSignals {
		if sig.Kind != "spam_score" {
			kept = append(kept, sig)
		}
	}
	c.SpamSignals = kept
	if sp := v.Scores[parley.LabelSpam]; sp >= 0.5 {
		c.SpamSignals = append(c.SpamSignals, parley.SpamSignal{Kind: "spam_score", Detail: "The classifier's spam score is " + formatScore(sp) + "."})
	}
}

// learn teaches the site's adapter one moderator decision, inside the
// decision's transaction so that concurrent decisions on several instances
// apply one after the other.
func (s *Service) learn(ctx context.Context, tx parley.Store, c *parley.Comment, text string) error {
	if s.adapter == nil || s.classifier == nil {
		return nil
	}
	base, err := s.classifier.Classify(ctx, text)
	if err != nil {
		return err
	}
	state, err := tx.GetSiteAdapter(ctx, c.SiteID)
	if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
		return err
	}
	next, err := s.adapter.Learn(ctx, state, text, base, c.Status, c.Reason)
	if err != nil {
		s.log.WarnContext(ctx, "site adapter: a corrupt state is replaced", "site", c.SiteID, "err", err)
		if next, err = s.adapter.Learn(ctx, nil, text, base, c.Status, c.Reason); err != nil {
			return err
		}
	}
	if next == nil || string(next) == string(state) {
		return nil
	}
	return tx.PutSiteAdapter(ctx, c.SiteID, next, s.now())
}

// thresholder is implemented by classifiers that know their own per-language
// thresholds (classify.Model).
type thresholder interface {
	Threshold(lang string, l parley.Label) float64
}

// autoRejectFloor is the lowest score at which a comment in these languages
// may be rejected without a person: the model learned them from word lists
// and a few hundred hand-written rows, not from a labeled corpus, so its
// reason thresholds there (measured on that small dev data, as low as 0.5)
// are good enough to suggest a reason to a moderator, not to act alone.
var autoRejectFloor = map[string]float64{"hy": 0.9, "hy-Latn": 0.9, "az": 0.9}

// autoRejectThresholds returns the site's settings with each auto-reject
// threshold raised, where needed, to the classifier's own threshold for the
// comment's language and to autoRejectFloor: a site setting must not
// auto-reject Armenian or Azerbaijani comments below either.
func (s *Service) autoRejectThresholds(settings parley.Settings, lang string) parley.Settings {
	if len(settings.AutoReject) == 0 {
		return settings
	}
	th, _ := s.classifier.(thresholder)
	raised := make(map[parley.Label]float64, len(settings.AutoReject))
	for l, v := range settings.AutoReject {
		v = max(v, autoRejectFloor[lang])
		if th != nil {
			v = max(v, th.Threshold(lang, l))
		}
		raised[l] = v
	}
	settings.AutoReject = raised
	return settings
}

// postDecision is what policy decides for a new comment.
type postDecision struct {
	status parley.Status
	reason parley.Reason
	action string
	note   string
}

// decideOnPost applies the site's policy to a new comment.
func decideOnPost(c *parley.Comment, settings parley.Settings, storyMode parley.ModerationMode, role parley.Role, sanctions []*parley.Sanction) postDecision {
	for _, sig := range c.SpamSignals {
		if sig.Kind == "honeypot" || sig.Kind == "too_fast" {
			return postDecision{status: parley.StatusSpam, reason: parley.ReasonSpam, action: "auto_spam", note: sig.Detail}
		}
	}
	for _, l := range parley.Labels {
		th, ok := settings.AutoReject[l]
		if ok && th > 0 && c.Scores[l] >= th {
			reason := labelReason(l)
			return postDecision{status: parley.StatusRejected, reason: reason, action: "auto_reject",
				note: "Score for " + string(l) + " " + formatScore(c.Scores[l]) + " is at or above the site's threshold " + formatScore(th) + "."}
		}
	}
	if role.CanModerate() {
		return postDecision{status: parley.StatusApproved, action: "auto_approve", note: "Posted by site staff."}
	}
	trusted := hasSanction(sanctions, parley.SanctionTrusted) && !hasSanction(sanctions, parley.SanctionPremod)
	if trusted && settings.AutoApproveTrusted > 0 && c.Risk < settings.AutoApproveTrusted && len(c.SpamSignals) == 0 {
		return postDecision{status: parley.StatusApproved, action: "auto_approve",
			note: "Trusted author; risk " + formatScore(c.Risk) + " is below the site's auto-approve threshold " + formatScore(settings.AutoApproveTrusted) + "."}
	}
	mode := settings.Mode
	if storyMode != "" {
		mode = storyMode
	}
	if mode == parley.ModePost && trusted && len(c.SpamSignals) == 0 {
		return postDecision{status: parley.StatusApproved, action: "auto_approve", note: "Trusted author under post-moderation."}
	}
	return postDecision{status: parley.StatusPending}
}

func storyMode(st *parley.Story) parley.ModerationMode {
	if st == nil {
		return ""
	}
	return st.Mode
}

// labelReason maps a classifier label to the policy reason shown to authors.
func labelReason(l parley.Label) parley.Reason {
	switch l {
	case parley.LabelHateSpeech:
		return parley.ReasonHateSpeech
	case parley.LabelObscenity:
		return parley.ReasonObscenity
	case parley.LabelSpam:
		return parley.ReasonSpam
	case parley.LabelPersonalAttack, parley.LabelToxic:
		return parley.ReasonPersonalAttack
	}
	return parley.ReasonOther
}

// visibleTo reports whether the poster of c may reply to parent: approved
// comments, or the poster's own.
func visibleTo(parent, c *parley.Comment) bool {
	if parent.Status == parley.StatusApproved {
		return true
	}
	if c.AuthorUserID != "" {
		return parent.AuthorUserID == c.AuthorUserID
	}
	return c.GuestTokenHash != "" && parent.GuestTokenHash == c.GuestTokenHash
}

// validateBody checks a comment body's presence, encoding and length.
func validateBody(body string) error {
	if !utf8.ValidString(body) {
		return parley.Errorf(parley.EMALFORMED, "The comment is not valid UTF-8.")
	}
	if strings.TrimSpace(body) == "" {
		return parley.Errorf(parley.EINVALID, "The comment is empty.")
	}
	if n := utf8.RuneCountInString(body); n > MaxBodyChars {
		return parley.Errorf(parley.ETOOLARGE, "The comment has %d characters; the limit is %d.", n, MaxBodyChars)
	}
	return nil
}

// normalizeStoryURL validates a story URL and drops its fragment, so that
// links to one comment share the story.
func normalizeStoryURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", parley.Errorf(parley.EINVALID, "The story URL is required.")
	}
	if len(raw) > MaxURLChars {
		return "", parley.Errorf(parley.EINVALID, "The story URL is too long.")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", parley.Errorf(parley.EINVALID, "The story URL must be an absolute http or https URL.")
	}
	u.Fragment, u.RawFragment = "", ""
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

func domainBlocked(domains []string, email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	d := email[at+1:]
	for _, b := range domains {
		b = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(b), "@"))
		if b != "" && (d == b || strings.HasSuffix(d, "."+b)) {
			return true
		}
	}
	return false
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// ensureStory returns the site's story for a URL, creating it with a
// title suggestion if this is its first comment. Concurrent first comments
// all get the same story.
func (s *Service) ensureStory(ctx context.Context, siteID, storyURL, title string, now time.Time) (*parley.Story, error) {
	if title == "" {
		title = storyURL
	}
	return s.store.EnsureStory(ctx, &parley.Story{ID: parley.NewID(now), SiteID: siteID, URL: storyURL, Title: title, CreatedAt: now})
}
