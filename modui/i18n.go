package modui

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed locales/*.json
var localeFS embed.FS

// langInfo describes one interface language.
type langInfo struct {
	Code string
	Name string // in its own language
	RTL  bool
}

// languages are the dashboard's languages, in menu order. English is the
// reference: every other locale must have every English key.
var languages = []langInfo{
	{Code: "en", Name: "English"},
	{Code: "ru", Name: "Русский"},
	{Code: "hy", Name: "Հայերեն"},
	{Code: "az", Name: "Azərbaycanca"},
}

// rtlLanguages are written right to left. None of the shipped locales is,
// but the layout uses logical CSS properties so that adding one needs only
// a locale file.
var rtlLanguages = map[string]bool{"ar": true, "he": true, "fa": true, "ur": true}

// catalog holds the translated messages: lang -> key -> text.
type catalog struct {
	msgs map[string]map[string]string
}

// loadCatalog reads every locale and checks that each has all of English's
// keys and no unknown ones.
func loadCatalog() (*catalog, error) {
	c := &catalog{msgs: map[string]map[string]string{}}
	for _, l := range languages {
		b, err := localeFS.ReadFile(path.Join("locales", l.Code+".json"))
		if err != nil {
			return nil, fmt.Errorf("modui: locale %s: %w", l.Code, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("modui: locale %s: %w", l.Code, err)
		}
		c.msgs[l.Code] = m
	}
	en := c.msgs["en"]
	for code, m := range c.msgs {
		var missing, extra []string
		for k := range en {
			if m[k] == "" {
				missing = append(missing, k)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				extra = append(extra, k)
			}
		}
		if len(missing)+len(extra) > 0 {
			sort.Strings(missing)
			sort.Strings(extra)
			return nil, fmt.Errorf("modui: locale %s: missing keys %v, unknown keys %v", code, missing, extra)
		}
	}
	return c, nil
}

// T returns the message for key in lang, formatted with args. An unknown
// key is returned as itself, so that a mistake shows on the page (and the
// template test catches it).
func (c *catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs["en"]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// has reports whether key exists in English.
func (c *catalog) has(key string) bool {
	_, ok := c.msgs["en"][key]
	return ok
}

func knownLang(code string) bool {
	for _, l := range languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// pickLang chooses the interface language: ?lang= (remembered in a
// cookie), then the cookie, then Accept-Language, then English.
func (ui *UI) pickLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); knownLang(l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/moderation", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: ui.cookies.IsSecure(r), SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && knownLang(c.Value) {
		return c.Value
	}
	return acceptLanguage(r.Header.Get("Accept-Language"))
}

// acceptLanguage returns the first known language in an Accept-Language
// header (in the order given; q-values are rarely used for ordering by
// browsers), or "en".
func acceptLanguage(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		base := strings.ToLower(strings.SplitN(tag, "-", 2)[0])
		if knownLang(base) {
			return base
		}
	}
	return "en"
}
