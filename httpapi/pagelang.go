package httpapi

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
)

// mustCatalog loads the embedded message catalog. go test ./i18n checks
// it, so a failure here is a broken build, like a template that does not
// parse.
func mustCatalog() *i18n.Catalog {
	c, err := i18n.Load()
	if err != nil {
		panic(err)
	}
	return c
}

// pageLang is the language of a page a reader or staff member lands on
// from the widget or an email: the link's or the widget's ?lang= (or the
// posted form's lang), then the browser's Accept-Language when it names
// one of the five, then the site's language, then English.
func pageLang(r *http.Request, site *parley.Site) string {
	if l := i18n.Match(r.FormValue("lang")); l != "" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(part, ";")
		if l := i18n.Match(tag); l != "" {
			return l
		}
	}
	if site != nil && i18n.Known(site.Settings.Locale) {
		return site.Settings.Locale
	}
	return i18n.Fallback
}

// apiLang is the language of the API's error messages: ?lang= in the URL,
// else the first of the five that Accept-Language names (the widget sends
// the reader's chosen language there), else English.
func apiLang(r *http.Request) string {
	if l := i18n.Match(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	return i18n.AcceptLanguage(r.Header.Get("Accept-Language"))
}

// pageText is what the popup and the email-link page share: the language,
// the catalog, and the language switch.
type pageText struct {
	Lang  string
	cat   *i18n.Catalog
	Langs []langLink
}

// langLink is one entry of a page's language switch.
type langLink struct {
	Code, Name, URL string
	Current         bool
}

// T translates key into the page's language.
func (p pageText) T(key string, args ...any) string { return p.cat.T(p.Lang, key, args...) }

// Dir is the page's text direction.
func (p pageText) Dir() string { return i18n.Dir(p.Lang) }

// newPageText returns the text of a page in lang, with a switch whose
// links go to path with query plus lang=<code>.
func (s *Server) newPageText(lang, path string, query url.Values) pageText {
	p := pageText{Lang: lang, cat: s.cat}
	for _, l := range i18n.Languages() {
		q := url.Values{}
		for k, v := range query {
			if v[0] != "" {
				q[k] = v
			}
		}
		q.Set("lang", l.Code)
		p.Langs = append(p.Langs, langLink{Code: l.Code, Name: l.Name, URL: path + "?" + q.Encode(), Current: l.Code == lang})
	}
	return p
}

// authErrorMessage is an error from signing in, in lang: the common ones
// from the catalog, others as the service wrote them.
func (s *Server) authErrorMessage(lang string, err error) string {
	var pe *parley.Error
	switch code := parley.ErrorCode(err); {
	case code == parley.EUNAUTHORIZED:
		return s.cat.T(lang, "auth.err.login")
	case code == parley.ERATELIMITED:
		return s.cat.T(lang, "auth.err.rate_limited")
	case code == parley.EINVALID && errors.As(err, &pe) && pe.Fields["reason"] == "link_invalid":
		return s.cat.T(lang, "auth.err.link_invalid")
	}
	return s.cat.ErrorMessage(lang, err)
}
