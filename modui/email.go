package modui

import (
	"context"
	"github.com/parley-comments/parley/internal/router"
	"net/http"
	"net/url"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/service"
)

// EmailService is what the team, outbox, invitation and password-reset
// pages need. Admin methods check their own permissions.
type EmailService interface {
	Invite(ctx context.Context, actor *parley.User, in service.InviteInput) (*parley.AuthLink, error)
	Invites(ctx context.Context, actor *parley.User, siteID string) ([]*parley.AuthLink, error)
	RevokeInvite(ctx context.Context, actor *parley.User, siteID, id string) error
	PeekInvite(ctx context.Context, token string) (*service.InviteInfo, error)
	AcceptInvite(ctx context.Context, token, name, password string) (*service.SignedIn, error)
	RequestPasswordReset(ctx context.Context, email, lang, clientKey string) error
	ResetPassword(ctx context.Context, token, password string) (*parley.User, error)
	Outbox(ctx context.Context, actor *parley.User, siteID string, status parley.OutboxStatus, cursor string, limit int) (*service.OutboxPage, error)
	RetryOutboxMessage(ctx context.Context, actor *parley.User, siteID, id string) (*service.OutboxItem, error)
	LinkMinutes() int
	Team(ctx context.Context, actor *parley.User, siteID string) ([]service.TeamMember, error)
	AdminRevokeUserSessions(ctx context.Context, actor *parley.User, siteID, userID string) (int, error)
}

// emailRoutes registers the team and outbox pages (admins) and the public
// invitation and password-reset pages.
func (ui *UI) emailRoutes(mux router.Registrar, site func(pattern string, h siteHandler)) {
	site("GET /moderation/s/{site}/team", ui.handleTeam)
	site("POST /moderation/s/{site}/team/invites", ui.handleInvite)
	site("POST /moderation/s/{site}/team/invites/{id}/delete", ui.handleRevokeInvite)
	site("POST /moderation/s/{site}/team/members/{user}/revoke-sessions", ui.handleRevokeUserSessions)
	site("GET /moderation/s/{site}/outbox", ui.handleOutbox)
	site("POST /moderation/s/{site}/outbox/{id}/retry", ui.handleOutboxRetry)
	mux.HandleFunc("GET /moderation/invite", ui.handleInvitePage)
	mux.HandleFunc("POST /moderation/invite", ui.handleAcceptInvite)
	mux.HandleFunc("GET /moderation/reset", ui.handleResetPage)
	mux.HandleFunc("POST /moderation/reset", ui.handleResetRequest)
	mux.HandleFunc("GET /moderation/reset/confirm", ui.handleResetPage)
	mux.HandleFunc("POST /moderation/reset/confirm", ui.handleResetConfirm)
}

func (ui *UI) teamPage(w http.ResponseWriter, r *http.Request, rq *request, status int, errMsg string) {
	list, err := ui.svc.Invites(r.Context(), rq.user, rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	team, err := ui.svc.Team(r.Context(), rq.user, rq.site.ID)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "team")
	p.Invites, p.Team, p.Error, p.Minutes = list, team, errMsg, ui.svc.LinkMinutes()
	if r.Method == http.MethodPost {
		p.Email = r.PostFormValue("email")
	}
	ui.render(w, r, status, "team", p)
}

func (ui *UI) handleTeam(w http.ResponseWriter, r *http.Request, rq *request) {
	ui.teamPage(w, r, rq, http.StatusOK, "")
}

func (ui *UI) sitePath(rq *request, rest string) string {
	return "/moderation/s/" + url.PathEscape(rq.site.ID) + rest
}

func (ui *UI) handleInvite(w http.ResponseWriter, r *http.Request, rq *request) {
	_, err := ui.svc.Invite(r.Context(), rq.user, service.InviteInput{SiteID: rq.site.ID, Email: r.PostFormValue("email"),
		Role: parley.Role(r.PostFormValue("role")), Lang: r.PostFormValue("lang"), ClientKey: httpx.ClientKey(ui.ips, r)})
	if err != nil {
		if c := parley.ErrorCode(err); c == parley.EINVALID || c == parley.ERATELIMITED {
			ui.teamPage(w, r, rq, parley.HTTPStatus(c), ui.errorMessage(rq.lang, err))
			return
		}
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone(ui.sitePath(rq, "/team"), "invite_sent"), http.StatusSeeOther)
}

func (ui *UI) handleRevokeInvite(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := ui.svc.RevokeInvite(r.Context(), rq.user, rq.site.ID, r.PathValue("id")); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone(ui.sitePath(rq, "/team"), "invite_revoked"), http.StatusSeeOther)
}

// handleRevokeUserSessions signs a member of the site's team out
// everywhere (admins only; the service checks the role and that the user
// belongs to the site, and audits it).
func (ui *UI) handleRevokeUserSessions(w http.ResponseWriter, r *http.Request, rq *request) {
	if _, err := ui.svc.AdminRevokeUserSessions(r.Context(), rq.user, rq.site.ID, r.PathValue("user")); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone(ui.sitePath(rq, "/team"), "user_sessions_revoked"), http.StatusSeeOther)
}

func (ui *UI) handleOutbox(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	status := parley.OutboxStatus(q.Get("status"))
	if status == "" {
		status = parley.OutboxParked
	}
	page, err := ui.svc.Outbox(r.Context(), rq.user, rq.site.ID, status, q.Get("cursor"), 50)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	p := ui.newPage(r, rq, "outbox")
	p.Outbox, p.OutboxStatus = page, status
	if page.NextCursor != "" {
		p.NextURL = p.Link("/outbox", "status", string(status), "cursor", page.NextCursor)
	}
	ui.render(w, r, http.StatusOK, "outbox", p)
}

func (ui *UI) handleOutboxRetry(w http.ResponseWriter, r *http.Request, rq *request) {
	if _, err := ui.svc.RetryOutboxMessage(r.Context(), rq.user, rq.site.ID, r.PathValue("id")); err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, withDone(ui.sitePath(rq, "/outbox"), "outbox_retried"), http.StatusSeeOther)
}

// publicPage starts a page for someone who is not signed in.
func (ui *UI) publicPage(w http.ResponseWriter, r *http.Request, name string) *page {
	setPageHeaders(w)
	rq := &request{lang: ui.pickLang(w, r)}
	p := ui.newPage(r, rq, name)
	p.Minutes = ui.svc.LinkMinutes()
	return p
}

// publicForm reads a public page's form post. It renders the page with an
// error and returns nil when the post came from another origin.
func (ui *UI) publicForm(w http.ResponseWriter, r *http.Request, name string) *page {
	p := ui.publicPage(w, r, name)
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p.Token, p.Email = r.PostFormValue("token"), r.PostFormValue("email")
	if !sameOrigin(r) {
		p.Error = ui.cat.T(p.Lang, "err.csrf")
		ui.render(w, r, http.StatusForbidden, name, p)
		return nil
	}
	return p
}

// renderFailed renders a public page with err's message and status.
func (ui *UI) renderFailed(w http.ResponseWriter, r *http.Request, p *page, err error) {
	p.Error = ui.errorMessage(p.Lang, err)
	ui.render(w, r, parley.HTTPStatus(parley.ErrorCode(err)), p.Name, p)
}

func (ui *UI) handleInvitePage(w http.ResponseWriter, r *http.Request) {
	p := ui.publicPage(w, r, "invite")
	p.Token = r.URL.Query().Get("token")
	info, err := ui.svc.PeekInvite(r.Context(), p.Token)
	if err != nil {
		ui.renderFailed(w, r, p, err)
		return
	}
	p.Invite = info
	// A site with OIDC sign-in can take the invitation with the provider
	// account instead of a password (service.AcceptInviteAs).
	ui.addProviders(r, p)
	for _, pr := range p.Providers {
		if pr.SiteID == info.SiteID {
			p.InviteOIDC = "/auth/oidc/" + url.PathEscape(pr.SiteID) + "/start?" +
				url.Values{"return_to": {"/moderation/s/" + pr.SiteID}, "invite": {p.Token}}.Encode()
			p.InviteOIDCLabel = pr.Label
		}
	}
	p.Providers = nil
	ui.render(w, r, http.StatusOK, "invite", p)
}

func (ui *UI) handleAcceptInvite(w http.ResponseWriter, r *http.Request) {
	p := ui.publicForm(w, r, "invite")
	if p == nil {
		return
	}
	p.Invite, _ = ui.svc.PeekInvite(r.Context(), p.Token)
	res, err := ui.svc.AcceptInvite(r.Context(), p.Token, r.PostFormValue("name"), r.PostFormValue("password"))
	if err != nil {
		ui.renderFailed(w, r, p, err)
		return
	}
	ui.cookies.SetSession(w, r, res.Secret, res.Session.ExpiresAt)
	http.Redirect(w, r, "/moderation/s/"+url.PathEscape(res.SiteID), http.StatusSeeOther)
}

func (ui *UI) handleResetPage(w http.ResponseWriter, r *http.Request) {
	p := ui.publicPage(w, r, "reset")
	p.Token = r.URL.Query().Get("token")
	ui.render(w, r, http.StatusOK, "reset", p)
}

func (ui *UI) handleResetRequest(w http.ResponseWriter, r *http.Request) {
	p := ui.publicForm(w, r, "reset")
	if p == nil {
		return
	}
	if err := ui.svc.RequestPasswordReset(r.Context(), p.Email, p.Lang, httpx.ClientKey(ui.ips, r)); err != nil {
		ui.renderFailed(w, r, p, err)
		return
	}
	p.Sent = true
	ui.render(w, r, http.StatusAccepted, "reset", p)
}

func (ui *UI) handleResetConfirm(w http.ResponseWriter, r *http.Request) {
	p := ui.publicForm(w, r, "reset")
	if p == nil {
		return
	}
	if _, err := ui.svc.ResetPassword(r.Context(), p.Token, r.PostFormValue("password")); err != nil {
		ui.renderFailed(w, r, p, err)
		return
	}
	ui.cookies.ClearSession(w, r)
	http.Redirect(w, r, withDone("/moderation/login", "password_reset"), http.StatusSeeOther)
}
