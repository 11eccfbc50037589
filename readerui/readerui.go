// Package readerui serves the pages behind the links in reader mails,
// which work without signing in: notification settings (immediate or
// digest), the RFC 8058 one-click unsubscribe, muting a story's
// discussion, confirming an address, and the data export and erasure
// links. The secret token in the path is the reader's credential; pages
// never change anything on GET (mail scanners open links), only on POST.
package readerui

import (
	"context"
	"embed"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/internal/router"
	"github.com/parley-comments/parley/service"
)

// Service is what the reader pages need; *service.Service is one.
type Service interface {
	NotifySettings(ctx context.Context, token string) (*parley.NotifyReader, *parley.Site, error)
	SetNotifyMode(ctx context.Context, token string, mode parley.NotifyMode) (*parley.NotifyReader, error)
	Unsubscribe(ctx context.Context, token string) (*parley.NotifyReader, error)
	ConfirmNotify(ctx context.Context, token string) (*parley.NotifyReader, error)
	MuteStory(ctx context.Context, token, storyID string, mute bool) (*parley.Story, error)
	PrivacyRequest(ctx context.Context, token string) (*parley.PrivacyRequest, error)
	ExportByToken(ctx context.Context, token string) (*service.Export, error)
	EraseByToken(ctx context.Context, token string) (parley.ErasureResult, error)
}

var _ Service = (*service.Service)(nil)

//go:embed templates/page.html
var templateFS embed.FS

// UI serves the reader pages.
type UI struct {
	svc  Service
	log  *slog.Logger
	cat  *i18n.Catalog
	page *template.Template
}

// New parses the template and loads the catalog.
func New(svc Service, log *slog.Logger) (*UI, error) {
	if log == nil {
		log = slog.Default()
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	t, err := template.ParseFS(templateFS, "templates/page.html")
	if err != nil {
		return nil, err
	}
	return &UI{svc: svc, log: log, cat: cat, page: t}, nil
}

// Routes registers the reader pages on mux.
func (ui *UI) Routes(mux router.Registrar) {
	mux.HandleFunc("GET /notify/{token}", ui.handleSettings)
	mux.HandleFunc("POST /notify/{token}", ui.handleSetMode)
	mux.HandleFunc("GET /notify/{token}/unsubscribe", ui.handleUnsubscribePage)
	mux.HandleFunc("POST /notify/{token}/unsubscribe", ui.handleUnsubscribe)
	mux.HandleFunc("GET /notify/{token}/confirm", ui.handleConfirmPage)
	mux.HandleFunc("POST /notify/{token}/confirm", ui.handleConfirm)
	mux.HandleFunc("GET /notify/{token}/mute/{story}", ui.handleMutePage)
	mux.HandleFunc("POST /notify/{token}/mute/{story}", ui.handleMute)
	mux.HandleFunc("GET /privacy/{token}", ui.handlePrivacy)
	mux.HandleFunc("GET /privacy/{token}/export.json", ui.handleExport)
	mux.HandleFunc("POST /privacy/{token}/erase", ui.handleErase)
}

// view is the template's data.
type view struct {
	ui      *UI
	Lang    string
	Kind    string // settings, unsubscribe, unsubscribed, confirm, confirmed, mute, muted, export, erase, erased, error
	Site    string
	Action  string // the form's target
	Mode    parley.NotifyMode
	Story   string
	Message string
	Saved   bool
	Langs   []langLink // the language switch (GET pages only)
}

// langLink is one entry of a page's language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// T translates a key into the page's language.
func (v *view) T(key string, args ...any) string { return v.ui.cat.T(v.Lang, key, args...) }

// lang is the page's language: the switch's ?lang=, then the reader's
// stored locale, then the browser's, then the site's.
func (ui *UI) lang(r *http.Request, reader *parley.NotifyReader, site *parley.Site) string {
	if l := i18n.Match(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if reader != nil && i18n.Known(reader.Locale) {
		return reader.Locale
	}
	if l := i18n.AcceptLanguage(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	if site != nil && i18n.Known(site.Settings.Locale) {
		return site.Settings.Locale
	}
	return i18n.Fallback
}

func (ui *UI) render(w http.ResponseWriter, r *http.Request, status int, v *view) {
	v.ui = ui
	if r.Method == http.MethodGet && v.Kind != "error" {
		for _, l := range i18n.Languages() {
			v.Langs = append(v.Langs, langLink{Code: l.Code, Name: l.Name, URL: r.URL.Path + "?lang=" + l.Code, Current: l.Code == v.Lang})
		}
	}
	if l := i18n.Match(r.URL.Query().Get("lang")); l != "" && r.Method == http.MethodGet {
		switch v.Kind {
		case "settings", "unsubscribe", "confirm", "mute":
			v.Action += "?lang=" + l // a chosen language stays for the answer to the form
		}
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Robots-Tag", "noindex")
	var b strings.Builder
	if err := ui.page.ExecuteTemplate(&b, "page", v); err != nil {
		ui.log.ErrorContext(r.Context(), "render reader page", "err", err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// fail renders an error page: not found for bad links, the safe message
// otherwise.
func (ui *UI) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := parley.ErrorCode(err)
	status := parley.HTTPStatus(code)
	v := &view{ui: ui, Kind: "error", Lang: ui.lang(r, nil, nil)}
	switch {
	case code == parley.ENOTFOUND:
		v.Message = v.Tr("reader.bad_link")
	case status >= 500:
		ui.log.ErrorContext(r.Context(), "reader page", "path", r.URL.Path, "err", err)
		v.Message = v.Tr("reader.error")
	default:
		v.Message = ui.cat.ErrorMessage(v.Lang, err)
	}
	ui.render(w, r, status, v)
}

// Tr is T for Go code before the view is rendered.
func (v *view) Tr(key string) string { return v.T(key) }

// settingsView loads a reader's settings for a page.
func (ui *UI) settingsView(w http.ResponseWriter, r *http.Request, kind string) (*view, bool) {
	reader, site, err := ui.svc.NotifySettings(r.Context(), r.PathValue("token"))
	if err != nil {
		ui.fail(w, r, err)
		return nil, false
	}
	v := &view{ui: ui, Kind: kind, Lang: ui.lang(r, reader, site), Site: site.Name, Mode: reader.Mode, Action: r.URL.Path}
	return v, true
}

func (ui *UI) handleSettings(w http.ResponseWriter, r *http.Request) {
	if v, ok := ui.settingsView(w, r, "settings"); ok {
		v.Saved = r.URL.Query().Get("saved") == "1"
		ui.render(w, r, http.StatusOK, v)
	}
}

func (ui *UI) handleSetMode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if _, err := ui.svc.SetNotifyMode(r.Context(), r.PathValue("token"), parley.NotifyMode(r.PostFormValue("mode"))); err != nil {
		ui.fail(w, r, err)
		return
	}
	next := r.URL.Path + "?saved=1"
	if l := i18n.Match(r.URL.Query().Get("lang")); l != "" {
		next += "&lang=" + l
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (ui *UI) handleUnsubscribePage(w http.ResponseWriter, r *http.Request) {
	if v, ok := ui.settingsView(w, r, "unsubscribe"); ok {
		ui.render(w, r, http.StatusOK, v)
	}
}

// handleUnsubscribe is the RFC 8058 one-click target: a mail client POSTs
// "List-Unsubscribe=One-Click" without cookies; the page's button posts
// the same.
func (ui *UI) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if _, err := ui.svc.Unsubscribe(r.Context(), r.PathValue("token")); err != nil {
		ui.fail(w, r, err)
		return
	}
	if v, ok := ui.settingsView(w, r, "unsubscribed"); ok {
		v.Action = strings.TrimSuffix(r.URL.Path, "/unsubscribe")
		ui.render(w, r, http.StatusOK, v)
	}
}

func (ui *UI) handleConfirmPage(w http.ResponseWriter, r *http.Request) {
	if v, ok := ui.settingsView(w, r, "confirm"); ok {
		ui.render(w, r, http.StatusOK, v)
	}
}

func (ui *UI) handleConfirm(w http.ResponseWriter, r *http.Request) {
	if _, err := ui.svc.ConfirmNotify(r.Context(), r.PathValue("token")); err != nil {
		ui.fail(w, r, err)
		return
	}
	if v, ok := ui.settingsView(w, r, "confirmed"); ok {
		v.Action = strings.TrimSuffix(r.URL.Path, "/confirm")
		ui.render(w, r, http.StatusOK, v)
	}
}

func (ui *UI) handleMutePage(w http.ResponseWriter, r *http.Request) {
	v, ok := ui.settingsView(w, r, "mute")
	if !ok {
		return
	}
	ui.render(w, r, http.StatusOK, v)
}

func (ui *UI) handleMute(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	mute := r.PostFormValue("mute") != "0"
	st, err := ui.svc.MuteStory(r.Context(), r.PathValue("token"), r.PathValue("story"), mute)
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	if v, ok := ui.settingsView(w, r, "muted"); ok {
		v.Story = st.Title
		if !mute {
			v.Kind = "unmuted"
		}
		ui.render(w, r, http.StatusOK, v)
	}
}

func (ui *UI) handlePrivacy(w http.ResponseWriter, r *http.Request) {
	req, err := ui.svc.PrivacyRequest(r.Context(), r.PathValue("token"))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	v := &view{Kind: string(req.Kind), Lang: ui.lang(r, nil, nil), Action: r.URL.Path}
	ui.render(w, r, http.StatusOK, v)
}

func (ui *UI) handleExport(w http.ResponseWriter, r *http.Request) {
	ex, err := ui.svc.ExportByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="parley-my-data.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(ex)
}

func (ui *UI) handleErase(w http.ResponseWriter, r *http.Request) {
	res, err := ui.svc.EraseByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		ui.fail(w, r, err)
		return
	}
	v := &view{Kind: "erased", Lang: ui.lang(r, nil, nil)}
	v.ui = ui
	v.Message = v.T("reader.erased_count", res.Deleted, res.Placeholder)
	ui.render(w, r, http.StatusOK, v)
}
