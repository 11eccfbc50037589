package service

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/mailer"
)

// Reader and moderator notifications by email. Every mail is written to
// the outbox in the transaction of the change that causes it, so a mail
// goes out if and only if its cause committed. See docs/notifications.md.

var (
	catalogOnce sync.Once
	catalog     *i18n.Catalog
	catalogErr  error
)

// mailCatalog returns the message catalog for mails.
func mailCatalog() (*i18n.Catalog, error) {
	catalogOnce.Do(func() { catalog, catalogErr = i18n.Load() })
	return catalog, catalogErr
}

// mailText is a mail being written in one language: its lines become a
// plain-text part and an HTML part (mailer.Composer.Notice).
type mailText struct {
	cat   *i18n.Catalog
	lang  string
	lines []mailer.Line
}

func (m *mailText) t(key string, args ...any) string { return m.cat.T(m.lang, key, args...) }

// line appends a translated paragraph.
func (m *mailText) line(key string, args ...any) {
	m.lines = append(m.lines, mailer.Line{Text: m.t(key, args...)})
}

// link appends a translated paragraph that shows link (one of args).
func (m *mailText) link(link, key string, args ...any) {
	m.lines = append(m.lines, mailer.Line{Text: m.t(key, args...), URL: link})
}

// quote appends someone's text as a quotation.
func (m *mailText) quote(text string) {
	m.lines = append(m.lines, mailer.Line{Text: text, Quote: true})
}

// rule starts the footer.
func (m *mailText) rule() { m.lines = append(m.lines, mailer.Line{Rule: true}) }

// email renders the mail to one recipient. Links in its HTML part are
// anchors only when they go to Parley's public URL or one of site's
// origins (where its stories are).
func (s *Service) email(m *mailText, site *parley.Site, to, toName, subject string) (parley.Email, error) {
	bases := []string{s.publicURL}
	for _, o := range site.Origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http") {
			bases = append(bases, u.Scheme+"://"+u.Host)
		}
	}
	c, err := mailer.NewComposer(m.cat, bases...)
	if err != nil {
		return parley.Email{}, parley.WrapError(parley.EINTERNAL, "Email is misconfigured.", err)
	}
	return c.Notice(to, toName, m.lang, subject, m.lines)
}

// notifyLink returns a reader link under the public URL.
func (s *Service) notifyLink(path string) string {
	return strings.TrimRight(s.publicURL, "/") + path
}

// readerLang is the language of a reader's mails: theirs if known, else
// the site's.
func readerLang(r *parley.NotifyReader, site *parley.Site) string {
	if r != nil && i18n.Known(r.Locale) {
		return r.Locale
	}
	if l := site.Settings.WithDefaults().Locale; i18n.Known(l) {
		return l
	}
	return i18n.Fallback
}

// authorEmail returns the address notifications about c go to: the
// account's for a signed-in author, the guest's own otherwise ("" if
// none), and whether it is confirmed by the account.
func authorEmail(ctx context.Context, tx parley.Store, c *parley.Comment) (string, bool, error) {
	if c.AuthorUserID == "" {
		return c.GuestEmail, false, nil
	}
	u, err := tx.GetUser(ctx, c.AuthorUserID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return strings.ToLower(u.Email), true, nil
}

// reader returns the settings of the author of c on its site, creating
// them if needed (confirmed for accounts). It returns nil when c's author
// gave no address.
func (s *Service) reader(ctx context.Context, tx parley.Store, c *parley.Comment) (*parley.NotifyReader, error) {
	email, account, err := authorEmail(ctx, tx, c)
	if err != nil || email == "" {
		return nil, err
	}
	now := s.now()
	r := &parley.NotifyReader{SiteID: c.SiteID, Email: email, Token: newSecret("pn_"), Mode: parley.NotifyImmediate, CreatedAt: now, UpdatedAt: now}
	if account {
		r.ConfirmedAt = now
	}
	got, err := tx.PutNotifyReader(ctx, r)
	if err != nil {
		return nil, err
	}
	if account && got.ConfirmedAt.IsZero() {
		got.ConfirmedAt, got.UpdatedAt = now, now
		if err := tx.UpdateNotifyReader(ctx, got); err != nil {
			return nil, err
		}
	}
	return got, nil
}

// footer appends the lines every reader mail ends with and returns the
// one-click unsubscribe URL.
func (s *Service) footer(m *mailText, site *parley.Site, r *parley.NotifyReader, storyID string) string {
	m.rule()
	m.line("mail.footer.why", site.Name)
	settings := s.notifyLink("/notify/" + url.PathEscape(r.Token))
	if storyID != "" {
		mute := settings + "/mute/" + url.PathEscape(storyID)
		m.link(mute, "mail.footer.mute", mute)
	}
	m.link(settings, "mail.footer.settings", settings)
	unsub := settings + "/unsubscribe"
	m.link(unsub, "mail.footer.unsubscribe", unsub)
	return unsub
}

// sendReaderMail renders and queues a mail to a reader.
func (s *Service) sendReaderMail(ctx context.Context, tx parley.Store, site *parley.Site, r *parley.NotifyReader, dedupe, subject string, m *mailText, storyID string) error {
	unsub := s.footer(m, site, r, storyID)
	e, err := s.email(m, site, r.Email, "", subject)
	if err != nil {
		return err
	}
	e.ListUnsubscribe = unsub
	return s.EnqueueEmail(ctx, tx, site.ID, dedupe, e)
}

// mayMail reports whether r wants mail about a comment on storyID.
func mayMail(ctx context.Context, tx parley.Store, r *parley.NotifyReader, storyID string) (bool, error) {
	if r == nil || r.ConfirmedAt.IsZero() || r.Mode == parley.NotifyOff {
		return false, nil
	}
	muted, err := tx.IsMuted(ctx, r.SiteID, r.Email, storyID)
	return !muted, err
}

// notifyApproved queues the mails a newly published comment c causes: the
// reply notification to the author of its parent (or a digest item), and
// "your comment was approved" to its author if the site sends those. The
// mail quotes c's approved text. Call it in the transaction that approved c.
func (s *Service) notifyApproved(ctx context.Context, tx parley.Store, c *parley.Comment, byModerator bool) error {
	if !s.mailsOn(ctx) {
		return nil
	}
	cat, err := mailCatalog()
	if err != nil {
		return err
	}
	site, err := tx.GetSite(ctx, c.SiteID)
	if err != nil {
		return err
	}
	story, err := tx.GetStory(ctx, c.StoryID)
	if err != nil {
		return err
	}
	link := story.URL + "#parley-comment-" + c.ID
	if byModerator && site.Settings.NotifyAuthorApproved {
		r, err := s.reader(ctx, tx, c)
		if err != nil {
			return err
		}
		if ok, err := mayMail(ctx, tx, r, story.ID); err != nil {
			return err
		} else if ok {
			m := &mailText{cat: cat, lang: readerLang(r, site)}
			m.line("mail.approved.body", story.Title)
			m.quote(c.Body)
			m.link(link, "mail.link", link)
			if err := s.sendReaderMail(ctx, tx, site, r, "approved:"+c.ID, m.t("mail.approved.subject", site.Name), m, story.ID); err != nil {
				return err
			}
		}
	}
	if c.ParentID == "" {
		return nil
	}
	parent, err := tx.GetComment(ctx, c.ParentID)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return nil
	}
	if err != nil {
		return err
	}
	if parent.AuthorKey == c.AuthorKey || parent.Body == parley.ErasedText && parent.AuthorName == parley.ErasedText {
		return nil // one's own reply, or an erased author
	}
	r, err := s.reader(ctx, tx, parent)
	if err != nil {
		return err
	}
	if ok, err := mayMail(ctx, tx, r, story.ID); err != nil || !ok {
		return err
	}
	if r.Mode == parley.NotifyDigest {
		return tx.AddDigestItem(ctx, r.SiteID, r.Email, c.ID, s.now())
	}
	m := &mailText{cat: cat, lang: readerLang(r, site)}
	m.line("mail.reply.body", c.AuthorName, story.Title)
	m.quote(c.Body)
	m.link(link, "mail.link", link)
	return s.sendReaderMail(ctx, tx, site, r, "reply:"+c.ID+":"+r.Email, m.t("mail.reply.subject", c.AuthorName, story.Title), m, story.ID)
}

// notifyRejected queues "your comment was not published" with the reason,
// if the site sends those. Call it in the transaction of the decision.
func (s *Service) notifyRejected(ctx context.Context, tx parley.Store, c *parley.Comment) error {
	if !s.mailsOn(ctx) {
		return nil
	}
	site, err := tx.GetSite(ctx, c.SiteID)
	if err != nil || !site.Settings.NotifyAuthorRejected {
		return err
	}
	cat, err := mailCatalog()
	if err != nil {
		return err
	}
	r, err := s.reader(ctx, tx, c)
	if err != nil {
		return err
	}
	story, err := tx.GetStory(ctx, c.StoryID)
	if err != nil {
		return err
	}
	if ok, err := mayMail(ctx, tx, r, story.ID); err != nil || !ok {
		return err
	}
	m := &mailText{cat: cat, lang: readerLang(r, site)}
	m.line("mail.rejected.body", story.Title)
	m.line("mail.rejected.reason", m.t("reason."+string(c.Reason)))
	if p := site.Settings.PolicyText[m.lang]; p != "" {
		m.line("mail.rejected.policy")
		m.quote(p)
	}
	return s.sendReaderMail(ctx, tx, site, r, "rejected:"+c.ID, m.t("mail.rejected.subject", site.Name), m, story.ID)
}

// notifyDecision queues the mails of a moderator's decision on c, which
// was in state from (with an edit pending if editPending). Only a first
// publication mails: approving an edit does not notify again.
func (s *Service) notifyDecision(ctx context.Context, tx parley.Store, c *parley.Comment, from parley.Status, editPending bool) error {
	switch {
	case c.Status == parley.StatusApproved && from != parley.StatusApproved:
		return s.notifyApproved(ctx, tx, c, true)
	case (c.Status == parley.StatusRejected || c.Status == parley.StatusSpam) && from == parley.StatusPending && !editPending:
		return s.notifyRejected(ctx, tx, c)
	}
	return nil
}

// askConfirmation queues the one-time "confirm your address" mail for a
// guest who gave an email on a site where it is not confirmed yet. Call it
// in the transaction that stores the comment.
func (s *Service) askConfirmation(ctx context.Context, tx parley.Store, site *parley.Site, c *parley.Comment) error {
	if c.AuthorUserID != "" || c.GuestEmail == "" || !s.mailsOn(ctx) {
		return nil
	}
	r, err := s.reader(ctx, tx, c)
	if err != nil || r == nil || !r.ConfirmedAt.IsZero() || r.Mode == parley.NotifyOff {
		return err
	}
	cat, err := mailCatalog()
	if err != nil {
		return err
	}
	e, err := s.confirmationMail(site, r, &mailText{cat: cat, lang: readerLang(r, site)})
	if err != nil {
		return err
	}
	e.To = r.Email
	return s.EnqueueEmail(ctx, tx, site.ID, "confirm:"+c.SiteID+":"+r.Email, e)
}

// --- Reader settings through their links (no sign-in) ---

// NotifySettings returns the settings behind a link token. ENOTFOUND for
// an unknown token.
func (s *Service) NotifySettings(ctx context.Context, token string) (*parley.NotifyReader, *parley.Site, error) {
	r, err := s.store.GetNotifyReaderByToken(ctx, token)
	if err != nil {
		return nil, nil, notFoundAs(err, "This link is not valid.")
	}
	site, err := s.Site(ctx, r.SiteID)
	if err != nil {
		return nil, nil, err
	}
	return r, site, nil
}

// SetNotifyMode changes a reader's mode through their link; confirming the
// address is implied (they followed a mailed link).
func (s *Service) SetNotifyMode(ctx context.Context, token string, mode parley.NotifyMode) (*parley.NotifyReader, error) {
	if !mode.Valid() {
		return nil, parley.Errorf(parley.EINVALID, "Mode must be immediate, digest or off.")
	}
	r, _, err := s.NotifySettings(ctx, token)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r.Mode, r.UpdatedAt = mode, now
	if r.ConfirmedAt.IsZero() && mode != parley.NotifyOff {
		r.ConfirmedAt = now
	}
	return r, s.store.UpdateNotifyReader(ctx, r)
}

// Unsubscribe turns a reader's mails off (RFC 8058 one-click).
func (s *Service) Unsubscribe(ctx context.Context, token string) (*parley.NotifyReader, error) {
	return s.SetNotifyMode(ctx, token, parley.NotifyOff)
}

// ConfirmNotify confirms a reader's address through their link.
func (s *Service) ConfirmNotify(ctx context.Context, token string) (*parley.NotifyReader, error) {
	r, _, err := s.NotifySettings(ctx, token)
	if err != nil {
		return nil, err
	}
	if r.ConfirmedAt.IsZero() {
		r.ConfirmedAt, r.UpdatedAt = s.now(), s.now()
		if r.Mode == parley.NotifyOff {
			r.Mode = parley.NotifyImmediate
		}
		err = s.store.UpdateNotifyReader(ctx, r)
	}
	return r, err
}

// MuteStory mutes (or, with mute false, unmutes) a story's discussion for
// the reader behind a link. ENOTFOUND for a story of another site.
func (s *Service) MuteStory(ctx context.Context, token, storyID string, mute bool) (*parley.Story, error) {
	r, _, err := s.NotifySettings(ctx, token)
	if err != nil {
		return nil, err
	}
	st, err := s.store.GetStory(ctx, storyID)
	if err != nil || st.SiteID != r.SiteID {
		if err != nil && !parley.IsCode(err, parley.ENOTFOUND) {
			return nil, err
		}
		return nil, parley.Errorf(parley.ENOTFOUND, "Story not found.")
	}
	if mute {
		return st, s.store.MuteThread(ctx, r.SiteID, r.Email, st.ID, s.now())
	}
	return st, s.store.UnmuteThread(ctx, r.SiteID, r.Email, st.ID)
}

// SendDigests queues one digest mail per reader whose oldest queued reply
// is older than a day, each with the replies that are still approved (a
// reply rejected after its approval is left out). It returns how many
// mails it queued.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	now := s.now()
	pairs, err := s.store.DigestReaders(ctx, now.Add(-24*time.Hour))
	if err != nil {
		return 0, err
	}
	cat, err := mailCatalog()
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range pairs {
		err := s.store.InTx(ctx, func(tx parley.Store) error {
			r, err := tx.GetNotifyReader(ctx, p[0], p[1])
			if err != nil {
				return err
			}
			site, err := tx.GetSite(ctx, r.SiteID)
			if err != nil {
				return err
			}
			ids, err := tx.TakeDigestItems(ctx, r.SiteID, r.Email, 50)
			if err != nil || len(ids) == 0 || r.Mode == parley.NotifyOff {
				return err
			}
			m := &mailText{cat: cat, lang: readerLang(r, site)}
			n := 0
			for _, id := range ids {
				c, err := tx.GetComment(ctx, id)
				if parley.IsCode(err, parley.ENOTFOUND) {
					continue
				}
				if err != nil {
					return err
				}
				if c.Status != parley.StatusApproved {
					continue
				}
				st, err := tx.GetStory(ctx, c.StoryID)
				if err != nil {
					return err
				}
				if muted, err := tx.IsMuted(ctx, r.SiteID, r.Email, st.ID); err != nil || muted {
					if err != nil {
						return err
					}
					continue
				}
				if n == 0 {
					m.line("mail.digest.body", site.Name)
				}
				n++
				m.line("mail.reply.body", c.AuthorName, st.Title)
				m.quote(c.Body)
				link := st.URL + "#parley-comment-" + c.ID
				m.link(link, "mail.link", link)
			}
			if n == 0 {
				return nil
			}
			sent++
			return s.sendReaderMail(ctx, tx, site, r, "digest:"+r.SiteID+":"+r.Email+":"+ids[0], m.t("mail.digest.subject", n, site.Name), m, "")
		})
		if err != nil {
			return sent, err
		}
	}
	if sent > 0 {
		s.KickOutbox()
	}
	return sent, nil
}
