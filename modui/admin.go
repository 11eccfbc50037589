package modui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/service"
)

func (ui *UI) sanctionsPage(w http.ResponseWriter, r *http.Request, rq *request, status int, errMsg string) {
	list, err := ui.svc.Sanctions(r.Context(), rq.user, rq.site.ID, "")
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "sanctions")
	p.SanctionList = list
	p.AuthorKey = r.URL.Query().Get("author")
	if r.Method == http.MethodPost {
		p.AuthorKey = r.PostFormValue("author_key")
	}
	s := rq.site.Settings.WithDefaults()
	p.BlockedDomains = strings.Join(rq.site.Settings.BlockedDomains, "\n")
	p.SiteMode = s.Mode
	p.HideAfterReports = s.HideAfterReports
	p.Guests = !s.GuestsDisallowed
	p.Error = errMsg
	ui.render(w, r, status, "sanctions", p)
}

func (ui *UI) handleSanctions(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.sanctionsPage(w, r, rq, http.StatusOK, "")
}

// parseUntil reads a date ("2006-01-02", the end of that day) or a
// date and time ("2006-01-02T15:04") in UTC.
func parseUntil(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02T15:04", s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, parley.Errorf(parley.EINVALID, "The end date must look like 2026-12-31.")
	}
	return t.Add(24*time.Hour - time.Second), nil
}

func (ui *UI) handleAddSanction(w http.ResponseWriter, r *http.Request, rq *request) {
	until, err := parseUntil(r.PostFormValue("until"))
	if err == nil {
		_, err = ui.svc.AddSanction(r.Context(), rq.user, service.SanctionInput{SiteID: rq.site.ID,
			AuthorKey: strings.TrimSpace(r.PostFormValue("author_key")), Kind: parley.SanctionKind(r.PostFormValue("kind")),
			Reason: r.PostFormValue("reason"), Until: until, RejectPending: r.PostFormValue("reject_pending") == "on"})
	}
	if err != nil {
		if parley.IsCode(err, parley.EINVALID) {
			ui.sanctionsPage(w, r, rq, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err))
			return
		}
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/sanctions", "sanction_added"), http.StatusSeeOther)
}

func (ui *UI) handleRemoveSanction(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := ui.svc.RemoveSanction(r.Context(), rq.user, rq.site.ID, r.PathValue("id")); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/sanctions", "sanction_removed"), http.StatusSeeOther)
}

// handleSiteSettings changes the site's moderation mode and blocked email
// domains, keeping every other setting. Admins only (the service checks).
func (ui *UI) handleSiteSettings(w http.ResponseWriter, r *http.Request, rq *request) {
	s := rq.site.Settings
	s.Mode = parley.ModerationMode(r.PostFormValue("mode"))
	var domains []string
	for _, d := range strings.FieldsFunc(r.PostFormValue("blocked_domains"), func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' }) {
		d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
		if d != "" {
			domains = append(domains, d)
		}
	}
	s.BlockedDomains = domains
	if r.PostFormValue("guests_field") == "1" { // the form shows the box: unchecked means off
		s.GuestsDisallowed = r.PostFormValue("guests") != "on"
	}
	if v := strings.TrimSpace(r.PostFormValue("hide_after_reports")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			ui.sanctionsPage(w, r, rq, http.StatusUnprocessableEntity, ui.cat.T(rq.lang, "settings.hide_after_invalid"))
			return
		}
		s.HideAfterReports = n
	}
	if _, err := ui.svc.UpdateSiteSettings(r.Context(), rq.user, rq.site.ID, s); err != nil {
		if parley.IsCode(err, parley.EINVALID) {
			ui.sanctionsPage(w, r, rq, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err))
			return
		}
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/sanctions", "settings_saved"), http.StatusSeeOther)
}

func (ui *UI) handleStories(w http.ResponseWriter, r *http.Request, rq *request) {
	list, next, err := ui.svc.ModeratorStories(r.Context(), rq.user, rq.site.ID, r.URL.Query().Get("cursor"), 50)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "stories")
	p.Stories = list
	if next != "" {
		p.NextURL = p.SiteURL("/stories?cursor=" + url.QueryEscape(next))
	}
	ui.render(w, r, http.StatusOK, "stories", p)
}

func (ui *UI) storyPage(w http.ResponseWriter, r *http.Request, rq *request, status int, errMsg string) {
	st, authors, err := ui.svc.ModeratorStory(r.Context(), rq.user, r.PathValue("id"))
	if err == nil && st.SiteID != rq.site.ID {
		err = parley.Errorf(parley.ENOTFOUND, "Story not found.")
	}
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "story")
	p.Story = st
	emails := make([]string, len(authors))
	for i, a := range authors {
		emails[i] = a.Email
	}
	p.StoryAuthors = strings.Join(emails, "\n")
	p.Error = errMsg
	ui.render(w, r, status, "story", p)
}

func (ui *UI) handleStory(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.storyPage(w, r, rq, http.StatusOK, "")
}

func (ui *UI) handleUpdateStory(w http.ResponseWriter, r *http.Request, rq *request) {
	st, _, err := ui.svc.ModeratorStory(r.Context(), rq.user, r.PathValue("id"))
	if err == nil && st.SiteID != rq.site.ID {
		err = parley.Errorf(parley.ENOTFOUND, "Story not found.")
	}
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	closed := r.PostFormValue("closed") == "on"
	mode := parley.ModerationMode(r.PostFormValue("mode"))
	locked := r.PostFormValue("locked") == "on"
	emails := strings.FieldsFunc(r.PostFormValue("authors"), func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' })
	in := service.StorySettings{Closed: &closed, Mode: &mode, Locked: &locked, AuthorEmails: &emails}
	if _, ok := r.PostForm["locale"]; ok {
		locale := r.PostFormValue("locale")
		in.Locale = &locale
	}
	if _, ok := r.PostForm["title"]; ok {
		title := r.PostFormValue("title")
		in.Title = &title
	}
	if _, ok := r.PostForm["url"]; ok {
		storyURL := r.PostFormValue("url")
		in.URL = &storyURL
	}
	if _, err := ui.svc.UpdateStory(r.Context(), rq.user, st.ID, in); err != nil {
		if parley.IsCode(err, parley.EINVALID) {
			ui.storyPage(w, r, rq, http.StatusUnprocessableEntity, ui.errorMessage(rq.lang, err))
			return
		}
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone("/moderation/s/"+url.PathEscape(rq.site.ID)+"/stories/"+url.PathEscape(st.ID), "story_saved"), http.StatusSeeOther)
}

func (ui *UI) handleAudit(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	f := parley.AuditFilter{SiteID: rq.site.ID, Query: strings.TrimSpace(q.Get("q")), Action: q.Get("action"),
		CommentID: strings.TrimSpace(q.Get("comment")), ActorID: strings.TrimSpace(q.Get("actor")), Cursor: q.Get("cursor"), Limit: 100}
	entries, next, err := ui.svc.Audit(r.Context(), rq.user, f)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "audit")
	p.Audit = entries
	p.AuditQuery = url.Values{"q": {f.Query}, "action": {f.Action}, "comment": {f.CommentID}, "actor": {f.ActorID}}
	exp := url.Values{"site": {rq.site.ID}}
	for k, v := range map[string]string{"q": f.Query, "action": f.Action, "comment": f.CommentID, "actor": f.ActorID} {
		if v != "" {
			exp.Set(k, v)
		}
	}
	exp.Set("limit", "1000")
	p.ExportJSON = "/api/v1/moderation/audit?" + exp.Encode()
	exp.Set("format", "csv")
	p.ExportCSV = "/api/v1/moderation/audit?" + exp.Encode()
	if next != "" {
		nq := url.Values{}
		for k, v := range p.AuditQuery {
			if v[0] != "" {
				nq[k] = v
			}
		}
		nq.Set("cursor", next)
		p.NextURL = p.SiteURL("/audit?" + nq.Encode())
	}
	ui.render(w, r, http.StatusOK, "audit", p)
}

// auditActions are the audit actions offered in the filter.
var auditActions = []string{"approve", "reject", "spam", "auto_approve", "auto_reject", "auto_spam", "edit", "sanction_trusted", "sanction_premod",
	"sanction_suspend", "sanction_ban", "sanction_removed", "story_settings",
	"webhook_created", "webhook_updated", "webhook_secret_rotated", "webhook_test", "webhook_deleted", "erasure", "export", "privacy_settings", "mail_settings"}

// AuditActions lists the audit actions for the filter menu.
func (p *page) AuditActions() []string { return auditActions }
