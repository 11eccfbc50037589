package service

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
)

// Moderator mails: a published comment was reported, the queue is too long
// or too old, and the daily summary. Recipients are the site's moderators
// and admins.

// DefaultAlertEvery is the least time between two queue alerts of a site.
const DefaultAlertEvery = time.Hour

// moderators returns the site's moderators and admins.
func moderators(ctx context.Context, tx parley.Store, siteID string) ([]*parley.User, error) {
	ms, err := tx.ListSiteMembers(ctx, siteID)
	if err != nil {
		return nil, err
	}
	var out []*parley.User
	for _, m := range ms {
		if !m.Role.CanModerate() {
			continue
		}
		u, err := tx.GetUser(ctx, m.UserID)
		if parley.IsCode(err, parley.ENOTFOUND) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// mailModerators queues one mail per moderator of site, each deduplicated
// by dedupe plus the moderator, written by body.
func (s *Service) mailModerators(ctx context.Context, tx parley.Store, site *parley.Site, dedupe string, body func(m *mailText) string) error {
	if !s.mailsOn(ctx) {
		return nil
	}
	cat, err := mailCatalog()
	if err != nil {
		return err
	}
	mods, err := moderators(ctx, tx, site.ID)
	if err != nil {
		return err
	}
	lang := site.Settings.WithDefaults().Locale
	if !i18n.Known(lang) {
		lang = i18n.Fallback
	}
	for _, u := range mods {
		m := &mailText{cat: cat, lang: lang}
		subject := body(m)
		m.rule()
		dash := s.notifyLink("/moderation/s/" + url.PathEscape(site.ID))
		m.link(dash, "mail.mod.footer", site.Name, dash)
		e, err := s.email(m, site, strings.ToLower(u.Email), u.Name, subject)
		if err != nil {
			return err
		}
		if err := s.EnqueueEmail(ctx, tx, site.ID, dedupe+":"+u.ID, e); err != nil {
			return err
		}
	}
	return nil
}

// notifyReported tells the site's moderators that a published comment was
// reported, once per comment. Call it in the report's transaction.
func (s *Service) notifyReported(ctx context.Context, tx parley.Store, c *parley.Comment, r *parley.Report) error {
	if c.ReportCount != 1 {
		return nil
	}
	site, err := tx.GetSite(ctx, c.SiteID)
	if err != nil {
		return err
	}
	story, err := tx.GetStory(ctx, c.StoryID)
	if err != nil {
		return err
	}
	return s.mailModerators(ctx, tx, site, "reported:"+c.ID, func(m *mailText) string {
		m.line("mail.reported.body", c.AuthorName, story.Title, m.t("reason."+string(r.Reason)))
		m.quote(c.Body)
		review := s.notifyLink("/moderation/s/" + url.PathEscape(site.ID) + "?reported=1&status=approved")
		m.link(review, "mail.reported.review", review)
		return m.t("mail.reported.subject", site.Name)
	})
}

// CheckQueueAlerts mails the moderators of every site whose pending queue
// has more than its AlertPendingOver items, or whose oldest pending item is
// older than AlertOldestMinutes, at most once per AlertEvery (default an
// hour) whatever the number of instances. It returns how many sites
// alerted.
func (s *Service) CheckQueueAlerts(ctx context.Context) (int, error) {
	sites, err := s.store.ListSites(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n := 0
	for _, site := range sites {
		st := site.Settings
		if st.AlertPendingOver <= 0 && st.AlertOldestMinutes <= 0 {
			continue
		}
		counts, err := s.store.CountQueue(ctx, site.ID)
		if err != nil {
			return n, err
		}
		pending := counts[parley.StatusPending]
		var age time.Duration
		if oldest, _, err := s.store.ListQueue(ctx, parley.QueueFilter{SiteID: site.ID, Status: parley.StatusPending, Sort: parley.SortOldest, Limit: 1}); err != nil {
			return n, err
		} else if len(oldest) > 0 {
			age = now.Sub(oldest[0].CreatedAt)
		}
		tooMany := st.AlertPendingOver > 0 && pending > st.AlertPendingOver
		tooOld := st.AlertOldestMinutes > 0 && age > time.Duration(st.AlertOldestMinutes)*time.Minute
		if !tooMany && !tooOld {
			continue
		}
		every := st.AlertEvery.Std()
		if every <= 0 {
			every = DefaultAlertEvery
		}
		period := now.Truncate(every).Unix()
		err = s.store.InTx(ctx, func(tx parley.Store) error {
			return s.mailModerators(ctx, tx, site, "alert:"+site.ID+":"+strconv.FormatInt(period, 10), func(m *mailText) string {
				m.line("mail.alert.body", site.Name, pending, int(age.Minutes()))
				review := s.notifyLink("/moderation/s/" + url.PathEscape(site.ID) + "?sort=oldest")
				m.link(review, "mail.alert.review", review)
				return m.t("mail.alert.subject", pending, site.Name)
			})
		})
		if err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.KickOutbox()
	}
	return n, nil
}

// SendDailySummaries mails the moderators of sites with DailySummary on a
// summary of the previous UTC day: decisions, what is pending and
// reported now, and the most used rejection reasons. Once per site and day.
func (s *Service) SendDailySummaries(ctx context.Context) (int, error) {
	sites, err := s.store.ListSites(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	dayEnd := now.Truncate(24 * time.Hour)
	dayStart := dayEnd.Add(-24 * time.Hour)
	n := 0
	for _, site := range sites {
		if !site.Settings.DailySummary {
			continue
		}
		decided := map[string]int{}
		reasons := map[parley.Reason]int{}
		f := parley.AuditFilter{SiteID: site.ID, Since: dayStart, Until: dayEnd, Limit: 500}
		for {
			page, next, err := s.store.ListAudit(ctx, f)
			if err != nil {
				return n, err
			}
			for _, e := range page {
				switch e.Action {
				case ActionApprove, "auto_approve":
					decided["approved"]++
				case ActionReject, "auto_reject":
					decided["rejected"]++
					reasons[e.Reason]++
				case ActionSpam, "auto_spam":
					decided["spam"]++
				}
			}
			if next == "" {
				break
			}
			f.Cursor = next
		}
		counts, err := s.store.CountQueue(ctx, site.ID)
		if err != nil {
			return n, err
		}
		type rc struct {
			r parley.Reason
			n int
		}
		var top []rc
		for r, c := range reasons {
			top = append(top, rc{r, c})
		}
		sort.Slice(top, func(i, j int) bool { return top[i].n > top[j].n || top[i].n == top[j].n && top[i].r < top[j].r })
		day := dayStart.Format("2006-01-02")
		err = s.store.InTx(ctx, func(tx parley.Store) error {
			return s.mailModerators(ctx, tx, site, "summary:"+site.ID+":"+day, func(m *mailText) string {
				m.line("mail.summary.decided", decided["approved"], decided["rejected"], decided["spam"])
				m.line("mail.summary.now", counts[parley.StatusPending], counts[parley.CountReported])
				if len(top) > 0 {
					var parts []string
					for i, t := range top {
						if i == 3 {
							break
						}
						parts = append(parts, fmt.Sprintf("%s (%d)", m.t("reason."+string(t.r)), t.n))
					}
					m.line("mail.summary.reasons", strings.Join(parts, ", "))
				}
				return m.t("mail.summary.subject", site.Name, day)
			})
		})
		if err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.KickOutbox()
	}
	return n, nil
}

// MailSettings are a site's mail options (see parley.Settings).
type MailSettings struct {
	NotifyAuthorApproved bool
	NotifyAuthorRejected bool
	AlertPendingOver     int
	AlertOldestMinutes   int
	AlertEvery           time.Duration
	DailySummary         bool
}

// SetMailSettings changes a site's mail options. Admins only; audited.
func (s *Service) SetMailSettings(ctx context.Context, actor *parley.User, siteID string, m MailSettings) error {
	if err := s.requireAdmin(ctx, actor, siteID); err != nil {
		return err
	}
	if m.AlertPendingOver < 0 || m.AlertOldestMinutes < 0 || m.AlertEvery < 0 || m.AlertEvery > 7*24*time.Hour {
		return parley.Errorf(parley.EINVALID, "Alert thresholds must be 0 (off) or positive, and the alert period at most 7 days.")
	}
	site, err := s.Site(ctx, siteID)
	if err != nil {
		return err
	}
	st := &site.Settings
	st.NotifyAuthorApproved, st.NotifyAuthorRejected, st.DailySummary = m.NotifyAuthorApproved, m.NotifyAuthorRejected, m.DailySummary
	st.AlertPendingOver, st.AlertOldestMinutes, st.AlertEvery = m.AlertPendingOver, m.AlertOldestMinutes, parley.Duration(m.AlertEvery)
	now := s.now()
	defer s.siteCache.forget(siteID)
	err = s.store.InTx(ctx, func(tx parley.Store) error {
		if err := tx.UpdateSite(ctx, site); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &parley.AuditEntry{ID: parley.NewID(now), SiteID: siteID, ActorID: actor.ID, ActorName: actor.Name,
			Action: "mail_settings", Note: fmt.Sprintf("approved mails %v, not-published mails %v, alert over %d pending or %d minutes, daily summary %v",
				m.NotifyAuthorApproved, m.NotifyAuthorRejected, m.AlertPendingOver, m.AlertOldestMinutes, m.DailySummary), CreatedAt: now})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, parley.Event{Type: parley.EventSiteUpdated, SiteID: siteID, At: now})
	return nil
}
