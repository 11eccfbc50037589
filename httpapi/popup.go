package httpapi

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/clientip"
	"github.com/parley-comments/parley/service"
)

//go:embed assets
var assets embed.FS

var popupTemplate = template.Must(template.ParseFS(assets, "assets/popup.html", "assets/langs.html"))

// popupData fills the login popup page.
type popupData struct {
	pageText
	Site, SiteName, Origin, Error, Token, UserName, Role string
	// OIDCURL starts a sign-in at the site's provider, labelled OIDCLabel.
	OIDCURL, OIDCLabel string
	// ReturnTo is the widget's page, where an email sign-in link leads back.
	ReturnTo string
}

// popupOrigin checks that origin may receive a login token for site: it
// must be one of the site's origins, or this server's own origin.
func (s *Server) popupOrigin(r *http.Request, site *parley.Site, origin string) (string, error) {
	o, err := service.NormalizeOrigin(origin)
	if err != nil {
		return "", err
	}
	scheme := "http"
	if s.cookies.IsSecure(r) {
		scheme = "https"
	}
	if o == strings.ToLower(scheme+"://"+r.Host) || slices.Contains(site.Origins, o) {
		return o, nil
	}
	return "", parley.Errorf(parley.EFORBIDDEN, "This page is not allowed to log in to %s.", site.Name)
}

// handlePopup shows the login form that the widget opens in a popup. The
// popup hands the token back with postMessage to the checked origin only,
// so login works even where third-party cookies are blocked.
func (s *Server) handlePopup(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	site, err := s.svc.Site(r.Context(), q.Get("site"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	origin, err := s.popupOrigin(r, site, q.Get("origin"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d := s.popupPage(r, site, origin)
	if ret := q.Get("return"); ret != "" && len(ret) <= 2048 {
		d.ReturnTo = ret // checked against the site's origins when a link is requested
	}
	d.pageText = s.newPageText(pageLang(r, site), "/auth/popup", url.Values{"site": {site.ID}, "origin": {origin}, "return": {d.ReturnTo}})
	s.renderPopup(w, r, http.StatusOK, d)
}

// popupPage is the popup's form for a site, in the reader's language
// (pageLang), with a provider button when the site has OIDC sign-in.
func (s *Server) popupPage(r *http.Request, site *parley.Site, origin string) popupData {
	d := popupData{Site: site.ID, SiteName: site.Name, Origin: origin}
	d.pageText = s.newPageText(pageLang(r, site), "/auth/popup", url.Values{"site": {site.ID}, "origin": {origin}})
	if a, err := s.svc.SiteAuth(r.Context(), nil, site.ID); err == nil && a.OIDC.Enabled() {
		d.OIDCLabel = a.OIDC.Label
		if d.OIDCLabel == "" {
			d.OIDCLabel = d.T("auth.popup.oidc_default", site.Name)
		}
		d.OIDCURL = "/auth/oidc/" + url.PathEscape(site.ID) + "/start?" + url.Values{"return_to": {"popup:" + origin}}.Encode()
	}
	return d
}

func (s *Server) handlePopupLogin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	if err := r.ParseForm(); err != nil {
		s.writeError(w, r, parley.Errorf(parley.EMALFORMED, "The form could not be read."))
		return
	}
	site, err := s.svc.Site(r.Context(), r.PostForm.Get("site"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	origin, err := s.popupOrigin(r, site, r.PostForm.Get("origin"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data := s.popupPage(r, site, origin)
	sess, secret, u, err := s.svc.Login(r.Context(), r.PostForm.Get("email"), r.PostForm.Get("password"), clientip.RateKey(s.ips.ClientIP(r)))
	if err != nil {
		data.Error = s.authErrorMessage(data.Lang, err)
		s.renderPopup(w, r, parley.HTTPStatus(parley.ErrorCode(err)), data)
		return
	}
	s.cookies.SetSession(w, r, secret, sess.ExpiresAt)
	role, _ := s.svc.Role(r.Context(), u, site.ID)
	data.Token, data.UserName, data.Role = secret, u.Name, string(role)
	s.renderPopup(w, r, http.StatusOK, data)
}

// popupFailure is the popup page of a failed sign-in, with the message for
// key in the reader's language.
func (s *Server) popupFailure(r *http.Request, key string, args ...any) popupData {
	d := popupData{pageText: s.newPageText(pageLang(r, nil), "", nil)}
	d.Langs = nil // no page to switch to
	d.Error = d.T(key, args...)
	return d
}

// renderPopup renders the popup; a page without a language (the OIDC
// callback's) gets the reader's from the request.
func (s *Server) renderPopup(w http.ResponseWriter, r *http.Request, status int, d popupData) {
	if d.Lang == "" {
		d.pageText = s.popupFailure(r, "auth.popup.failed").pageText
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := popupTemplate.Execute(w, d); err != nil {
		s.log.Error("render popup", "err", err)
	}
}

// handleAsset serves the popup's static script and style.
func handleAsset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(b)
	}
}
