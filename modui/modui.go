// Package modui serves the moderator dashboard at /moderation: login, a
// site picker, the queues (pending, campaigns, approved, rejected, spam)
// with keyboard triage, bulk actions, undo and live updates, sanctions,
// story and site settings, and the audit log.
//
// Pages are rendered on the server with html/template (every template is
// parsed and checked at startup) and work without JavaScript; the embedded
// script (static/app.js) adds the keyboard, delayed-commit undo and live
// updates over the moderation event stream. Everything is served under a
// strict Content-Security-Policy (script-src 'self', no inline code), and
// every state-changing request carries the session's CSRF token.
//
// modui holds no policy: permissions and state changes are the service's.
package modui

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/internal/httpx"
	"github.com/parley-comments/parley/internal/router"
	"github.com/parley-comments/parley/service"
)

// SessionCookie is the session cookie name; it is the same cookie the JSON
// API sets, so one login serves both.
const SessionCookie = httpx.SessionCookie

// langCookie remembers the dashboard language.
const langCookie = "parley_mod_lang"

// DefaultUndoWindow is how long the browser holds a decision before
// committing it, so that the moderator can undo it.
const DefaultUndoWindow = 5 * time.Second

// pageSize is how many queue items one page shows.
const pageSize = 25

// Config configures the dashboard.
type Config struct {
	Service Service
	Logger  *slog.Logger
	// SecureCookies sets the Secure flag on the session cookie.
	SecureCookies bool
	// Resolver finds the client address for login rate limits. nil uses
	// the connection's address.
	Resolver *clientip.Resolver
	// UndoWindow is how long a decision can be undone before the browser
	// commits it. Default DefaultUndoWindow.
	UndoWindow time.Duration
}

// UI is the moderator dashboard.
type UI struct {
	svc     Service
	log     *slog.Logger
	cookies httpx.Cookies
	ips     *clientip.Resolver
	undo    time.Duration
	pages   lazyPages
	assets  *assets
	cat     *i18n.Catalog
	live    *liveCache
}

// New parses and checks every template, locale and static file. It fails
// if any template does not parse, a page is missing, or a locale lacks a
// key that English has.
func New(cfg Config) (*UI, error) {
	if cfg.Service == nil {
		return nil, errors.New("modui: Config.Service is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.UndoWindow <= 0 {
		cfg.UndoWindow = DefaultUndoWindow
	}
	ui := &UI{svc: cfg.Service, log: cfg.Logger, cookies: httpx.Cookies{Secure: cfg.SecureCookies}, ips: cfg.Resolver, undo: cfg.UndoWindow,
		live: newLiveCache(time.Now)}
	cfg.Service.OnEvent(ui.live.invalidate)
	var err error
	if ui.cat, err = i18n.Load(); err != nil {
		return nil, err
	}
	if ui.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	// Checked now, kept only once the dashboard is first used: an idle
	// server need not hold a few MB of parsed templates.
	if _, err = parsePages(); err != nil {
		return nil, err
	}
	return ui, nil
}

// MustNew is New for wiring code: it panics if the embedded templates,
// locales or static files are broken, which the package's tests rule out.
func MustNew(cfg Config) *UI {
	ui, err := New(cfg)
	if err != nil {
		panic(err)
	}
	return ui
}

// Routes registers the dashboard's routes on mux: GET and POST under
// /moderation, and static files under /moderation/static/.
func (ui *UI) Routes(mux router.Registrar) {
	mux.HandleFunc("GET /moderation/static/{file}", ui.handleStatic)
	mux.HandleFunc("GET /moderation/login", ui.handleLoginPage)
	mux.HandleFunc("POST /moderation/login", ui.handleLogin)
	mux.Handle("POST /moderation/logout", ui.auth(ui.handleLogout))
	mux.Handle("GET /moderation", ui.auth(ui.handleSites))
	mux.Handle("GET /moderation/{$}", ui.auth(ui.handleSites))

	site := func(pattern string, h siteHandler) { mux.Handle(pattern, ui.auth(ui.siteScope(h))) }
	site("GET /moderation/s/{site}", ui.handleQueue)
	site("GET /moderation/s/{site}/campaigns", ui.handleCampaigns)
	site("GET /moderation/s/{site}/items/{id}", ui.handleItem)
	site("GET /moderation/s/{site}/counts", ui.handleCounts)
	site("POST /moderation/s/{site}/decide", ui.handleDecide)
	site("POST /moderation/s/{site}/bulk", ui.handleBulk)
	site("POST /moderation/s/{site}/reports/{id}/sanction", ui.handleSanctionReporter)
	site("GET /moderation/s/{site}/sanctions", ui.handleSanctions)
	site("POST /moderation/s/{site}/sanctions", ui.handleAddSanction)
	site("POST /moderation/s/{site}/sanctions/{id}/delete", ui.handleRemoveSanction)
	site("POST /moderation/s/{site}/settings", ui.handleSiteSettings)
	site("GET /moderation/s/{site}/stories", ui.handleStories)
	site("GET /moderation/s/{site}/stories/{id}", ui.handleStory)
	site("POST /moderation/s/{site}/stories/{id}", ui.handleUpdateStory)
	site("GET /moderation/s/{site}/audit", ui.handleAudit)
	site("GET /moderation/s/{site}/signin", ui.handleSignInSettings)
	site("POST /moderation/s/{site}/signin", ui.handleSaveSignIn)
	mux.Handle("GET /moderation/account/sessions", ui.auth(ui.handleSessions))
	mux.Handle("POST /moderation/account/sessions/{id}/revoke", ui.auth(ui.handleRevokeSession))
	ui.webhookRoutes(site)
	ui.emailRoutes(mux, site)
	ui.privacyRoutes(site)
	site("GET /moderation/s/{site}/transfer", ui.handleTransfer)
	site("GET /moderation/s/{site}/export", ui.handleExport)
	mux.Handle("POST /moderation/s/{site}/import", ui.authLimit(MaxImportUpload, ui.siteScope(ui.handleImport)))
	mux.Handle("/moderation/", ui.auth(func(w http.ResponseWriter, r *http.Request, rq *request) {
		ui.fail(w, r, rq, parley.Errorf(parley.ENOTFOUND, "Page not found."))
	}))
}

// request is the signed-in moderator and the request's page context.
type request struct {
	user    *parley.User
	session *parley.Session
	site    *parley.Site
	role    parley.Role
	scope   *service.SiteScope // the moderator's standing on site, checked once
	lang    string
}

type authedHandler func(w http.ResponseWriter, r *http.Request, rq *request)
type siteHandler = authedHandler

// auth resolves the session cookie (once per request: httpx.Authenticate
// reuses the lookup made when the dashboard is mounted behind the API's
// handler). Without a valid session, GET requests are sent to the login
// page and others get 401. Unsafe requests must carry the session's CSRF
// token (X-CSRF-Token header or csrf_token field).
func (ui *UI) auth(h authedHandler) http.Handler { return ui.authLimit(httpx.MaxRequestBytes, h) }

// authLimit is auth with a request body limit of limit bytes.
func (ui *UI) authLimit(limit int64, h authedHandler) http.Handler {
	return httpx.Authenticate(ui.svc, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w)
		rq := &request{lang: ui.pickLang(w, r)}
		if who := httpx.From(r); who.Session != nil {
			rq.user, rq.session = who.User, who.Session
		}
		if rq.user == nil {
			if r.Method == http.MethodGet && !httpx.WantsJSON(r) {
				http.Redirect(w, r, "/moderation/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			ui.fail(w, r, rq, parley.Errorf(parley.EUNAUTHORIZED, "Please log in."))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			ui.fail(w, r, rq, parley.Errorf(parley.EFORBIDDEN, "Missing or wrong CSRF token: the request came from another site."))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := httpx.From(r).CheckCSRF(r); err != nil {
			ui.fail(w, r, rq, err)
			return
		}
		h(w, r, rq)
	}))
}

// siteScope checks that the user moderates the site in the path.
func (ui *UI) siteScope(h siteHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		sc, err := ui.svc.ModeratorScope(r.Context(), rq.user, r.PathValue("site"))
		if err != nil {
			ui.fail(w, r, rq, err)
			return
		}
		rq.scope, rq.site, rq.role = sc, sc.Site(), sc.Role()
		h(w, r, rq)
	}
}

// setPageHeaders sets the dashboard's security headers.
func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// errorMessage is the message shown for err in the page's language: the
// dashboard's own words for the common access and concurrency errors, the
// catalog's translation of the service's safe message otherwise.
func (ui *UI) errorMessage(lang string, err error) string {
	t := func(k string, a ...any) string { return ui.cat.T(lang, k, a...) }
	var pe *parley.Error
	errors.As(err, &pe)
	switch parley.ErrorCode(err) {
	case parley.EUNAUTHORIZED:
		return t("err.unauthorized")
	case parley.EFORBIDDEN:
		if pe != nil && strings.Contains(pe.Message, "CSRF") {
			return t("err.csrf")
		}
		return t("err.forbidden")
	case parley.ENOTFOUND:
		return t("err.not_found")
	case parley.ECONFLICT:
		if pe != nil {
			if st, ok := pe.Fields["status"].(parley.Status); ok && st != parley.StatusPending {
				return t("err.conflict_decided", t("status."+string(st)))
			}
		}
		return t("err.conflict")
	}
	return ui.cat.ErrorMessage(lang, err)
}

// fail answers with an error: JSON for the script, a page otherwise.
func (ui *UI) fail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	code := parley.ErrorCode(err)
	status := parley.HTTPStatus(code)
	if status >= 500 {
		ui.log.ErrorContext(r.Context(), "moderation dashboard", "path", r.URL.Path, "err", err)
	}
	msg := ui.errorMessage(rq.lang, err)
	if httpx.WantsJSON(r) {
		httpx.WriteJSON(w, status, map[string]any{"error": httpx.ErrorBody(err, msg)})
		return
	}
	p := ui.newPage(r, rq, "error")
	p.Error = msg
	p.Status = status
	ui.render(w, r, status, "error", p)
}

// safeNext returns next if it is a dashboard path, otherwise /moderation.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/moderation") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/moderation"
}

// sameOrigin reports whether a form post came from this host. Browsers
// send Origin on every cross-site POST ("null" from opaque origins, which
// is refused); requests without it (old clients, curl) are accepted unless
// Sec-Fetch-Site says they are cross-site.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		return r.Header.Get("Sec-Fetch-Site") != "cross-site"
	}
	u, err := url.Parse(o)
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, r.Host)
}

// addProviders offers the sites' OIDC sign-ins on the login page.
func (ui *UI) addProviders(r *http.Request, p *page) {
	var err error
	if p.Providers, err = ui.svc.SignInProviders(r.Context()); err != nil {
		ui.log.WarnContext(r.Context(), "list sign-in providers", "err", err)
	}
}

func (ui *UI) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w)
	rq := &request{lang: ui.pickLang(w, r)}
	p := ui.newPage(r, rq, "login")
	p.Next = safeNext(r.URL.Query().Get("next"))
	ui.addProviders(r, p)
	ui.render(w, r, http.StatusOK, "login", p)
}

func (ui *UI) handleLogin(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w)
	rq := &request{lang: ui.pickLang(w, r)}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p := ui.newPage(r, rq, "login")
	p.Next = safeNext(r.PostFormValue("next"))
	ui.addProviders(r, p)
	p.Email = r.PostFormValue("email")
	if !sameOrigin(r) {
		p.Error = ui.cat.T(rq.lang, "err.csrf")
		ui.render(w, r, http.StatusForbidden, "login", p)
		return
	}
	sess, secret, _, err := ui.svc.Login(r.Context(), p.Email, r.PostFormValue("password"), httpx.ClientKey(ui.ips, r))
	if err != nil {
		status := parley.HTTPStatus(parley.ErrorCode(err))
		switch parley.ErrorCode(err) {
		case parley.EUNAUTHORIZED:
			p.Error = ui.cat.T(rq.lang, "login.wrong")
		case parley.ERATELIMITED:
			p.Error = ui.cat.T(rq.lang, "login.rate_limited")
		default:
			p.Error = ui.errorMessage(rq.lang, err)
		}
		ui.render(w, r, status, "login", p)
		return
	}
	ui.cookies.SetSession(w, r, secret, sess.ExpiresAt)
	http.Redirect(w, r, p.Next, http.StatusSeeOther)
}

func (ui *UI) handleLogout(w http.ResponseWriter, r *http.Request, rq *request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := ui.svc.Logout(r.Context(), c.Value); err != nil {
			ui.fail(w, r, rq, err)
			return
		}
	}
	ui.cookies.ClearSession(w, r)
	http.Redirect(w, r, "/moderation/login", http.StatusSeeOther)
}

func (ui *UI) handleSites(w http.ResponseWriter, r *http.Request, rq *request) {
	sites, err := ui.svc.ModeratedSites(r.Context(), rq.user)
	if err != nil {
		ui.fail(w, r, rq, err)
		return
	}
	if len(sites) == 0 {
		ui.fail(w, r, rq, parley.Errorf(parley.EFORBIDDEN, "You do not moderate any site."))
		return
	}
	if len(sites) == 1 {
		http.Redirect(w, r, "/moderation/s/"+url.PathEscape(sites[0].Site.ID), http.StatusSeeOther)
		return
	}
	p := ui.newPage(r, rq, "sites")
	p.Sites = sites
	ui.render(w, r, http.StatusOK, "sites", p)
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (ui *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t := ui.pages.get(name)
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", data); err != nil {
		ui.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprint(w, b.String())
}

// back returns the dashboard path to return to after a form post.
func back(r *http.Request, fallback string) string {
	if b := r.PostFormValue("back"); b != "" {
		return safeNext(b)
	}
	return fallback
}
