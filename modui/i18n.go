package modui

import (
	"net/http"

	"github.com/parley-comments/parley/i18n"
)

// pickLang chooses the interface language: ?lang= (remembered in a
// cookie), then the cookie, then Accept-Language, then English.
func (ui *UI) pickLang(w http.ResponseWriter, r *http.Request) string {
	if l := r.URL.Query().Get("lang"); i18n.Known(l) {
		http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/moderation", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: ui.cookies.IsSecure(r), SameSite: http.SameSiteLaxMode})
		return l
	}
	if c, err := r.Cookie(langCookie); err == nil && i18n.Known(c.Value) {
		return c.Value
	}
	return i18n.AcceptLanguage(r.Header.Get("Accept-Language"))
}
