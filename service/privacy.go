package service

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/i18n"
)

// Data subject requests: export (GDPR articles 15 and 20) and erasure
// (article 17), by the commenter through a mailed link or by a site's
// admin from the dashboard. See docs/privacy.md.

// PrivacyLinkTTL is how long a mailed export or erasure link works.
const PrivacyLinkTTL = 24 * time.Hour

// Audit actions of data subject requests. Their entries never name the
// subject.
const (
	AuditErasure = "erasure"
	AuditExport  = "export"
)

// Export is everything Parley holds about one commenter, as the JSON file
// they download.
type Export struct {
	GeneratedAt time.Time        `json:"generated_at"`
	Email       string           `json:"email,omitempty"`
	Account     *ExportAccount   `json:"account"`
	Comments    []ExportComment  `json:"comments"`
	Reports     []ExportReport   `json:"reports"`
	Sanctions   []ExportSanction `json:"sanctions"`
}

// ExportAccount is the commenter's account, if they have one.
type ExportAccount struct {
	ID        string              `json:"id"`
	Name      string              `json:"name"`
	Email     string              `json:"email"`
	CreatedAt time.Time           `json:"created_at"`
	Roles     []parley.Membership `json:"roles"`
}

// ExportComment is one of the commenter's comments, in any state, with
// every stored revision.
type ExportComment struct {
	ID            string                   `json:"id"`
	SiteID        string                   `json:"site_id"`
	StoryURL      string                   `json:"story_url"`
	StoryTitle    string                   `json:"story_title"`
	ParentID      string                   `json:"parent_id,omitempty"`
	Status        parley.Status            `json:"status"`
	Name          string                   `json:"name"`
	Email         string                   `json:"email,omitempty"`
	Text          string                   `json:"text"`
	PendingEdit   string                   `json:"pending_edit,omitempty"`
	Reason        parley.Reason            `json:"reason,omitempty"`
	ModeratorNote string                   `json:"moderator_note,omitempty"`
	ClientIP      string                   `json:"client_ip,omitempty"`
	Language      string                   `json:"language,omitempty"`
	Scores        map[parley.Label]float64 `json:"scores,omitempty"`
	ReportCount   int                      `json:"report_count"`
	CreatedAt     time.Time                `json:"created_at"`
	EditedAt      time.Time                `json:"edited_at,omitzero"`
	ModeratedAt   time.Time                `json:"moderated_at,omitzero"`
	Revisions     []ExportRevision         `json:"revisions"`
}

// ExportRevision is one stored version of a comment's text.
type ExportRevision struct {
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// ExportReport is a report the commenter made.
type ExportReport struct {
	CommentID string        `json:"comment_id"`
	Reason    parley.Reason `json:"reason"`
	Note      string        `json:"note,omitempty"`
	CreatedAt time.Time     `json:"created_at"`
}

// ExportSanction is a sanction on the commenter.
type ExportSanction struct {
	SiteID    string              `json:"site_id"`
	Kind      parley.SanctionKind `json:"kind"`
	Reason    string              `json:"reason,omitempty"`
	Until     time.Time           `json:"until,omitzero"`
	CreatedAt time.Time           `json:"created_at"`
}

// subject resolves an email to the commenter: the address, and the account
// that has it, if any.
func (s *Service) subject(ctx context.Context, email string) (string, *parley.User, error) {
	email, err := normalizeEmail(email)
	if err != nil {
		return "", nil, err
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if parley.IsCode(err, parley.ENOTFOUND) {
		return email, nil, nil
	}
	return email, u, err
}

// buildExport collects a subject's data on siteID ("" = every site).
func (s *Service) buildExport(ctx context.Context, siteID, email string, u *parley.User) (*Export, error) {
	ex := &Export{GeneratedAt: s.now(), Email: email, Comments: []ExportComment{}, Reports: []ExportReport{}, Sanctions: []ExportSanction{}}
	userID := ""
	keys := map[string]bool{"e:" + email: true}
	if u != nil {
		userID = u.ID
		keys["u:"+u.ID] = true
		roles, err := s.store.ListMemberships(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if roles == nil {
			roles = []parley.Membership{}
		}
		ex.Account = &ExportAccount{ID: u.ID, Name: u.Name, Email: u.Email, CreatedAt: u.CreatedAt, Roles: roles}
	}
	stories := map[string]*parley.Story{}
	sites := map[string]bool{}
	for after := ""; ; {
		page, err := s.store.SubjectComments(ctx, siteID, email, userID, after, 500)
		if err != nil {
			return nil, err
		}
		for _, c := range page {
			st := stories[c.StoryID]
			if st == nil {
				if st, err = s.store.GetStory(ctx, c.StoryID); err != nil {
					return nil, err
				}
				stories[c.StoryID] = st
			}
			revs, err := s.commentRevisions(ctx, c)
			if err != nil {
				return nil, err
			}
			ec := ExportComment{ID: c.ID, SiteID: c.SiteID, StoryURL: st.URL, StoryTitle: st.Title, ParentID: c.ParentID, Status: c.Status,
				Name: c.AuthorName, Email: c.GuestEmail, Text: c.Body, PendingEdit: c.PendingBody, Reason: c.Reason, ModeratorNote: c.ModeratorNote,
				ClientIP: c.ClientIP, Language: c.Language, Scores: c.Scores, ReportCount: c.ReportCount, CreatedAt: c.CreatedAt,
				EditedAt: c.EditedAt, ModeratedAt: c.ModeratedAt, Revisions: []ExportRevision{}}
			for _, r := range revs {
				ec.Revisions = append(ec.Revisions, ExportRevision{Text: r.Body, CreatedAt: r.CreatedAt})
			}
			ex.Comments = append(ex.Comments, ec)
			sites[c.SiteID] = true
			keys[c.AuthorKey] = true
			if c.GuestTokenHash != "" {
				keys["g:"+c.GuestTokenHash] = true
			}
			if a, err := netip.ParseAddr(c.ClientIP); err == nil {
				keys["ip:"+clientip.RateKey(a)] = true
			}
		}
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	var rk []string
	for k := range keys {
		rk = append(rk, k)
	}
	reps, err := s.store.SubjectReports(ctx, rk)
	if err != nil {
		return nil, err
	}
	for _, r := range reps {
		if siteID == "" || r.SiteID == siteID {
			ex.Reports = append(ex.Reports, ExportReport{CommentID: r.CommentID, Reason: r.Reason, Note: r.Note, CreatedAt: r.CreatedAt})
		}
	}
	if siteID != "" {
		sites = map[string]bool{siteID: true}
	}
	for site := range sites {
		for k := range keys {
			if !strings.HasPrefix(k, "e:") && !strings.HasPrefix(k, "u:") {
				continue
			}
			list, err := s.store.ListSanctions(ctx, site, k)
			if err != nil {
				return nil, err
			}
			for _, sn := range list {
				ex.Sanctions = append(ex.Sanctions, ExportSanction{SiteID: sn.SiteID, Kind: sn.Kind, Reason: sn.Reason, Until: sn.Until, CreatedAt: sn.CreatedAt})
			}
		}
	}
	return ex, nil
}

// AdminExport returns what a site holds about the commenter with that
// email: their comments on the site in every state, their reports and
// sanctions there, and their account. Admins of the site only; audited
// (without the subject).
func (s *Service) AdminExport(ctx context.Context, actor *parley.User, siteID, email string) (*Export, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return nil, err
	}
	email, u, err := s.subject(ctx, email)
	if err != nil {
		return nil, err
	}
	ex, err := s.buildExport(ctx, siteID, email, u)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.store.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: siteID, ActorID: actor.ID, ActorName: actor.Name,
		Action: AuditExport, Note: fmt.Sprintf("A commenter's data was exported by an admin: %d comments.", len(ex.Comments)), CreatedAt: now})
	if err != nil {
		return nil, err
	}
	return ex, nil
}

// erase carries out an erasure and writes one audit entry per touched
// site (and siteID, if given), in the erasure's transaction.
func (s *Service) erase(ctx context.Context, e parley.Erasure, actorID, actorName, who string) (parley.ErasureResult, error) {
	e.At = s.now()
	e.Then = func(ctx context.Context, tx parley.Store, res parley.ErasureResult) error {
		sites := res.Sites
		if e.SiteID != "" && len(sites) == 0 {
			sites = []string{e.SiteID}
		}
		for _, site := range sites {
			note := fmt.Sprintf("A commenter's data was erased at the request of %s: %d comments deleted, %d kept as %s.", who, res.Deleted, res.Placeholder, parley.ErasedText)
			if res.Account {
				note += " Their account was removed."
			}
			if err := tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(e.At), SiteID: site, ActorID: actorID, ActorName: actorName,
				Action: AuditErasure, Note: note, CreatedAt: e.At}); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := s.store.Erase(ctx, e)
	s.sessions.clear()
	if err != nil {
		return res, err
	}
	for _, site := range res.Sites {
		s.publish(ctx, parley.Event{Type: parley.EventSiteUpdated, SiteID: site, At: e.At})
	}
	return res, nil
}

// keepPlaceholders reads a site's erasure setting.
func (s *Service) keepPlaceholders(ctx context.Context, siteID string) (bool, error) {
	site, err := s.Site(ctx, siteID)
	if err != nil {
		return false, err
	}
	return !site.Settings.ErasureDeletes, nil
}

// AdminErase erases the commenter with that email from one site: their
// comments there are deleted or kept as "[deleted]" (per the site's
// setting; those others replied to are always kept), and their name,
// email, addresses, reports, sanctions and keys on the site are removed.
// Their account is removed too when nothing else holds it (no role, no
// comments on other sites). Admins of the site only; audited without the
// subject.
func (s *Service) AdminErase(ctx context.Context, actor *parley.User, siteID, email string) (parley.ErasureResult, error) {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return parley.ErasureResult{}, err
	}
	email, u, err := s.subject(ctx, email)
	if err != nil {
		return parley.ErasureResult{}, err
	}
	keep, err := s.keepPlaceholders(ctx, siteID)
	if err != nil {
		return parley.ErasureResult{}, err
	}
	e := parley.Erasure{SiteID: siteID, Email: email, KeepPlaceholders: keep}
	if u != nil {
		e.UserID = u.ID
		if e.DeleteAccount, err = s.accountOnlyOn(ctx, u, siteID); err != nil {
			return parley.ErasureResult{}, err
		}
	}
	return s.erase(ctx, e, actor.ID, actor.Name, "an admin")
}

// accountOnlyOn reports whether u has no role anywhere and no comments on
// sites other than siteID.
func (s *Service) accountOnlyOn(ctx context.Context, u *parley.User, siteID string) (bool, error) {
	roles, err := s.store.ListMemberships(ctx, u.ID)
	if err != nil || len(roles) > 0 {
		return false, err
	}
	for after := ""; ; {
		page, err := s.store.SubjectComments(ctx, "", "", u.ID, after, 1000)
		if err != nil {
			return false, err
		}
		for _, c := range page {
			if c.SiteID != siteID {
				return false, nil
			}
		}
		if len(page) < 1000 {
			return true, nil
		}
		after = page[len(page)-1].ID
	}
}

// SetErasureDeletes chooses what an erasure does with a commenter's
// published comments on the site: delete them (true) or keep them as
// "[deleted]" (false, the default). Admins only; audited.
func (s *Service) SetErasureDeletes(ctx context.Context, actor *parley.User, siteID string, deletes bool) error {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return err
	}
	site, err := s.Site(ctx, siteID)
	if err != nil {
		return err
	}
	site.Settings.ErasureDeletes = deletes
	now := s.now()
	defer s.siteCache.forget(siteID)
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.UpdateSite(ctx, site); err != nil {
			return err
		}
		note := "Erased commenters' published comments are kept as " + parley.ErasedText + "."
		if deletes {
			note = "Erased commenters' published comments are deleted (those with replies are kept as " + parley.ErasedText + ")."
		}
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: siteID, ActorID: actor.ID, ActorName: actor.Name,
			Action: "privacy_settings", Note: note, CreatedAt: now})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, parley.Event{Type: parley.EventSiteUpdated, SiteID: siteID, At: now})
	return nil
}

// RequestPrivacy starts a commenter's export or erasure: if Parley holds
// anything under the address, a link valid for PrivacyLinkTTL is mailed to
// it. The answer is the same whether or not it does (nil), so that the
// form cannot tell who commented. Rate-limited per client and per address.
func (s *Service) RequestPrivacy(ctx context.Context, siteID, email string, kind parley.PrivacyKind, clientKey string) error {
	if kind != parley.PrivacyExport && kind != parley.PrivacyErase {
		return parley.Errorf(parley.EINVALID, "kind must be export or erase.")
	}
	if s.publicURL == "" {
		return parley.Errorf(parley.EUNAVAILABLE, "This server cannot send links: its public URL is not configured.")
	}
	site, err := s.Site(ctx, siteID)
	if err != nil {
		return err
	}
	email, u, err := s.subject(ctx, email)
	if err != nil {
		return err
	}
	if err := s.rateLimit(ctx, "privacy:addr:"+clientKey, s.limits.LoginPerMinute, s.limits.LoginBurst); err != nil {
		return err
	}
	if err := s.rateLimit(ctx, "privacy:email:"+email, 1, 3); err != nil {
		return err
	}
	userID := ""
	if u != nil {
		userID = u.ID
	}
	held, err := s.store.SubjectComments(ctx, "", email, userID, "", 1)
	if err != nil {
		return err
	}
	if len(held) == 0 && u == nil {
		return nil
	}
	cat, err := mailCatalog()
	if err != nil {
		return err
	}
	now := s.now()
	token := newSecret("pp_")
	r := &parley.PrivacyRequest{ID: parley.NewID(now), Kind: kind, SiteID: site.ID, Email: email, TokenHash: HashSecret(token),
		CreatedAt: now, ExpiresAt: now.Add(PrivacyLinkTTL)}
	lang := site.Settings.WithDefaults().Locale
	if !i18n.Known(lang) {
		lang = i18n.Fallback
	}
	m := &mailText{cat: cat, lang: lang}
	m.line("mail.privacy."+string(kind)+".body", site.Name)
	open := s.notifyLink("/privacy/" + token)
	m.link(open, "mail.link.open", open)
	m.line("mail.privacy.expires", int(PrivacyLinkTTL.Hours()))
	m.line("mail.confirm.ignore")
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.CreatePrivacyRequest(ctx, r); err != nil {
			return err
		}
		e, err := s.email(m, site, email, "", m.t("mail.privacy."+string(kind)+".subject", site.Name))
		if err != nil {
			return err
		}
		return s.EnqueueEmail(ctx, tx, site.ID, "privacy:"+r.ID, e)
	})
	if err != nil {
		return err
	}
	s.KickOutbox()
	return nil
}

// PrivacyRequest returns the request behind a mailed link: ENOTFOUND for
// an unknown, expired or used link.
func (s *Service) PrivacyRequest(ctx context.Context, token string) (*parley.PrivacyRequest, error) {
	r, err := s.store.GetPrivacyRequest(ctx, HashSecret(token))
	if err != nil {
		return nil, notFoundAs(err, "This link is not valid or has expired.")
	}
	if !s.now().Before(r.ExpiresAt) || !r.UsedAt.IsZero() {
		return nil, parley.Errorf(parley.ENOTFOUND, "This link is not valid or has expired.")
	}
	return r, nil
}

// ExportByToken returns the commenter's data, over every site, for an
// export link. Audited on the site the request came from.
func (s *Service) ExportByToken(ctx context.Context, token string) (*Export, error) {
	r, err := s.PrivacyRequest(ctx, token)
	if err != nil || r.Kind != parley.PrivacyExport {
		return nil, parley.Errorf(parley.ENOTFOUND, "This link is not valid or has expired.")
	}
	email, u, err := s.subject(ctx, r.Email)
	if err != nil {
		return nil, err
	}
	ex, err := s.buildExport(ctx, "", email, u)
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.store.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: r.SiteID, ActorID: "subject", ActorName: "Commenter",
		Action: AuditExport, Note: fmt.Sprintf("A commenter downloaded their data through a mailed link: %d comments.", len(ex.Comments)), CreatedAt: now})
	return ex, err
}

// EraseByToken erases the commenter behind an erasure link from every
// site (each site's placeholder setting applies to its comments) and
// removes their account. The link works once.
func (s *Service) EraseByToken(ctx context.Context, token string) (parley.ErasureResult, error) {
	var total parley.ErasureResult
	r, err := s.PrivacyRequest(ctx, token)
	if err != nil || r.Kind != parley.PrivacyErase {
		return total, parley.Errorf(parley.ENOTFOUND, "This link is not valid or has expired.")
	}
	if err := s.store.UsePrivacyRequest(ctx, r.ID, s.now()); err != nil {
		return total, err
	}
	email, u, err := s.subject(ctx, r.Email)
	if err != nil {
		return total, err
	}
	userID := ""
	if u != nil {
		userID = u.ID
	}
	sites := map[string]bool{}
	for after := ""; ; {
		page, err := s.store.SubjectComments(ctx, "", email, userID, after, 1000)
		if err != nil {
			return total, err
		}
		for _, c := range page {
			sites[c.SiteID] = true
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	for site := range sites {
		keep, err := s.keepPlaceholders(ctx, site)
		if err != nil {
			return total, err
		}
		res, err := s.erase(ctx, parley.Erasure{SiteID: site, Email: email, UserID: userID, KeepPlaceholders: keep}, "subject", "Commenter", "the commenter")
		if err != nil {
			return total, err
		}
		total.Deleted += res.Deleted
		total.Placeholder += res.Placeholder
		total.Sites = append(total.Sites, res.Sites...)
	}
	// What no site holds: the account, settings, sessions, other requests.
	res, err := s.erase(ctx, parley.Erasure{Email: email, UserID: userID, DeleteAccount: true}, "subject", "Commenter", "the commenter")
	if err != nil {
		return total, err
	}
	total.Account = res.Account
	if len(sites) == 0 {
		now := s.now()
		err = s.store.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: r.SiteID, ActorID: "subject", ActorName: "Commenter",
			Action: AuditErasure, Note: "A commenter's data was erased at the request of the commenter: no comments; their account was removed.", CreatedAt: now})
	}
	return total, err
}
