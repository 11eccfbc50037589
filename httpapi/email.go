package httpapi

import (
	"context"
	"html/template"
	"net/http"
	"net/url"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/service"
)

// EmailService is what the email-link, invite, reset and outbox endpoints
// need. Admin methods check their own permissions.
type EmailService interface {
	RequestSignInLink(ctx context.Context, in service.SignInLinkInput) error
	UseSignInLink(ctx context.Context, token string) (*service.SignedIn, error)
	RequestPasswordReset(ctx context.Context, email, lang, clientKey string) error
	ResetPassword(ctx context.Context, token, password string) (*parley.User, error)
	AcceptInvite(ctx context.Context, token, name, password string) (*service.SignedIn, error)
	Invite(ctx context.Context, actor *parley.User, in service.InviteInput) (*parley.AuthLink, error)
	Invites(ctx context.Context, actor *parley.User, siteID string) ([]*parley.AuthLink, error)
	RevokeInvite(ctx context.Context, actor *parley.User, siteID, id string) error
	Outbox(ctx context.Context, actor *parley.User, siteID string, status parley.OutboxStatus, cursor string, limit int) (*service.OutboxPage, error)
	RetryOutboxMessage(ctx context.Context, actor *parley.User, siteID, id string) (*service.OutboxItem, error)
}

func (s *Server) emailRoutes() {
	m := s.mux
	m.HandleFunc("POST /api/v1/auth/email-link", s.handleEmailLink)
	m.HandleFunc("GET /auth/email", s.handleEmailLinkPage)
	m.HandleFunc("POST /auth/email", s.handleEmailLinkUse)
	m.HandleFunc("GET /auth/email.js", handleAsset("email.js", "text/javascript; charset=utf-8"))
	m.HandleFunc("POST /api/v1/auth/password-reset", s.handlePasswordResetRequest)
	m.HandleFunc("POST /api/v1/auth/password-reset/confirm", s.handlePasswordReset)
	m.HandleFunc("POST /api/v1/auth/invites/accept", s.handleAcceptInvite)
	m.HandleFunc("GET /api/v1/admin/sites/{id}/invites", s.handleListInvites)
	m.HandleFunc("POST /api/v1/admin/sites/{id}/invites", s.handleInvite)
	m.HandleFunc("DELETE /api/v1/admin/sites/{id}/invites/{invite}", s.handleRevokeInvite)
	m.HandleFunc("GET /api/v1/admin/sites/{id}/outbox", s.handleOutbox)
	m.HandleFunc("POST /api/v1/admin/sites/{id}/outbox/{msg}/retry", s.handleOutboxRetry)
}

// linkSent is the one answer to a link request, whether or not the address
// has an account.
var linkSent = map[string]any{"ok": true, "message": "If the address can receive email, a link is on its way. It works once and expires soon."}

func (s *Server) clientKey(r *http.Request) string { return clientip.RateKey(s.ips.ClientIP(r)) }

func (s *Server) handleEmailLink(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Site     string `json:"site"`
		Email    string `json:"email"`
		Name     string `json:"name"`
		ReturnTo string `json:"return_to"`
		Lang     string `json:"lang"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	err := s.svc.RequestSignInLink(r.Context(), service.SignInLinkInput{SiteID: in.Site, Email: in.Email, Name: in.Name, ReturnTo: in.ReturnTo,
		Lang: langOr(in.Lang, r), ClientKey: s.clientKey(r)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, linkSent)
}

func langOr(lang string, r *http.Request) string {
	if l := i18n.Match(lang); l != "" {
		return l
	}
	return i18n.AcceptLanguage(r.Header.Get("Accept-Language"))
}

var emailPageTemplate = template.Must(template.ParseFS(assets, "assets/email.html", "assets/langs.html"))

// emailPageData fills the page an email sign-in link opens.
type emailPageData struct {
	pageText
	Token, Error, UserName, Secret, ReturnTo string
}

// emailPage starts the page in the link's language (the mail's, carried
// as lang= in the link), with a switch that keeps the token.
func (s *Server) emailPage(r *http.Request, token string) emailPageData {
	return emailPageData{pageText: s.newPageText(pageLang(r, nil), "/auth/email", url.Values{"token": {token}}), Token: token}
}

// handleEmailLinkPage shows a button that uses the link. Opening the link
// does not use it, so that mail scanners that fetch links cannot burn it.
func (s *Server) handleEmailLinkPage(w http.ResponseWriter, r *http.Request) {
	s.renderEmailPage(w, http.StatusOK, s.emailPage(r, r.URL.Query().Get("token")))
}

func (s *Server) handleEmailLinkUse(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, parley.Errorf(parley.EMALFORMED, "The form could not be read."))
		return
	}
	d := s.emailPage(r, "")
	d.Langs = nil // the link is used: no page to switch to
	in, err := s.svc.UseSignInLink(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		d.Error = s.authErrorMessage(d.Lang, err)
		s.renderEmailPage(w, parley.HTTPStatus(parley.ErrorCode(err)), d)
		return
	}
	s.cookies.SetSession(w, r, in.Secret, in.Session.ExpiresAt)
	d.UserName, d.Secret, d.ReturnTo = in.User.Name, in.Secret, in.ReturnTo
	s.renderEmailPage(w, http.StatusOK, d)
}

func (s *Server) renderEmailPage(w http.ResponseWriter, status int, d emailPageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store")
	// same-origin, not no-referrer: with no-referrer a browser sends
	// "Origin: null" with the page's form, which guardUnsafe refuses on
	// /auth/; the token-bearing URL still never leaves this server.
	h.Set("Referrer-Policy", "same-origin")
	w.WriteHeader(status)
	if err := emailPageTemplate.Execute(w, d); err != nil {
		s.log.Error("render email page", "err", err)
	}
}

func (s *Server) handlePasswordResetRequest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
		Lang  string `json:"lang"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.svc.RequestPasswordReset(r.Context(), in.Email, langOr(in.Lang, r), s.clientKey(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, linkSent)
}

func (s *Server) handlePasswordReset(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.svc.ResetPassword(r.Context(), in.Token, in.Password); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "message": "Your password is changed and you are signed out everywhere. Log in with the new password."})
}

func (s *Server) handleAcceptInvite(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Token    string `json:"token"`
		Name     string `json:"name"`
		Password string `json:"password"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.svc.AcceptInvite(r.Context(), in.Token, in.Name, in.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.cookies.SetSession(w, r, res.Secret, res.Session.ExpiresAt)
	writeJSON(w, http.StatusOK, map[string]any{"token": res.Secret, "csrf_token": res.Session.CSRFToken, "site_id": res.SiteID,
		"user": map[string]any{"id": res.User.ID, "name": res.User.Name}, "expires_at": res.Session.ExpiresAt})
}

// inviteView is an open invitation as admins see it.
type inviteView struct {
	ID        string      `json:"id"`
	Email     string      `json:"email"`
	Role      parley.Role `json:"role"`
	InvitedBy string      `json:"invited_by"`
	CreatedAt any         `json:"created_at"`
	ExpiresAt any         `json:"expires_at"`
}

func toInviteView(l *parley.AuthLink) inviteView {
	return inviteView{ID: l.ID, Email: l.Email, Role: l.Role, InvitedBy: l.InvitedBy, CreatedAt: l.CreatedAt, ExpiresAt: l.ExpiresAt}
}

func (s *Server) handleListInvites(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		ls, err := s.svc.Invites(r.Context(), u, r.PathValue("id"))
		if err != nil {
			return err
		}
		out := make([]inviteView, 0, len(ls))
		for _, l := range ls {
			out = append(out, toInviteView(l))
		}
		writeJSON(w, http.StatusOK, map[string]any{"invites": out})
		return nil
	})
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		var in struct {
			Email string      `json:"email"`
			Role  parley.Role `json:"role"`
			Lang  string      `json:"lang"`
		}
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		l, err := s.svc.Invite(r.Context(), u, service.InviteInput{SiteID: r.PathValue("id"), Email: in.Email, Role: in.Role, Lang: langOr(in.Lang, r), ClientKey: s.clientKey(r)})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, toInviteView(l))
		return nil
	})
}

func (s *Server) handleRevokeInvite(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		if err := s.svc.RevokeInvite(r.Context(), u, r.PathValue("id"), r.PathValue("invite")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

func (s *Server) handleOutbox(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		limit, err := queryInt(r, "limit", 50, 500)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		page, err := s.svc.Outbox(r.Context(), u, r.PathValue("id"), parley.OutboxStatus(q.Get("status")), q.Get("cursor"), limit)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, page)
		return nil
	})
}

func (s *Server) handleOutboxRetry(w http.ResponseWriter, r *http.Request) {
	s.withUser(w, r, func(u *parley.User) error {
		it, err := s.svc.RetryOutboxMessage(r.Context(), u, r.PathValue("id"), r.PathValue("msg"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, it)
		return nil
	})
}
