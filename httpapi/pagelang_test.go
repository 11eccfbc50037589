package httpapi_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/service"
)

// get fetches path with headers (name, value pairs) and returns the status and body.
func (e *env) get(path string, headers ...string) (int, string) {
	e.t.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestSignInPagesSpeakTheReadersLanguage: the login popup and the page an
// email sign-in link opens come from the catalog in the language the
// widget passes (lang=), else the browser's, with a language switch that
// keeps the page's parameters; errors are translated too.
func TestSignInPagesSpeakTheReadersLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	html := func(s string) string { return strings.NewReplacer("'", "&#39;", "\"", "&#34;").Replace(s) }
	popup := "/auth/popup?site=a&origin=" + url.QueryEscape("https://a.example") + "&return=" + url.QueryEscape(storyURL)
	for _, tc := range []struct{ query, accept, want string }{
		{"&lang=hy", "", "hy"},
		{"&lang=tr", "ru-RU,ru;q=0.9", "tr"},
		{"", "ru-RU,ru;q=0.9", "ru"},
		{"", "fr-FR, az;q=0.5", "az"},
		{"", "", "en"},
		{"&lang=xx", "de", "en"},
	} {
		status, page := e.get(popup+tc.query, "Accept-Language", tc.accept)
		if status != 200 || !strings.Contains(page, `<html lang="`+tc.want+`"`) ||
			!strings.Contains(page, html(cat.T(tc.want, "auth.popup.heading", "Site a"))) ||
			!strings.Contains(page, html(cat.T(tc.want, "auth.popup.send_link"))) ||
			!strings.Contains(page, `data-sent="`+html(cat.T(tc.want, "auth.popup.link_sent"))+`"`) {
			t.Fatalf("popup %q %q: want %s: %d %s", tc.query, tc.accept, tc.want, status, page)
		}
		if tc.want != "en" && strings.Contains(page, "Log in to comment on") {
			t.Fatalf("popup in %s has English: %s", tc.want, page)
		}
		// The switch offers the other languages on the same popup.
		for _, l := range i18n.Languages() {
			if l.Code == tc.want {
				continue
			}
			if !strings.Contains(page, `href="/auth/popup?lang=`+l.Code+`&amp;origin=https%3A%2F%2Fa.example&amp;return=`+url.QueryEscape(storyURL)+`&amp;site=a"`) {
				t.Fatalf("popup in %s: no switch to %s: %s", tc.want, l.Code, page)
			}
		}
	}
	// A wrong password is told in the popup's language, which the form keeps.
	res, err := http.PostForm(e.srv.URL+"/auth/popup", url.Values{"site": {"a"}, "origin": {"https://a.example"}, "lang": {"az"},
		"email": {"mod@example.com"}, "password": {"wrong password"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 401 || !strings.Contains(string(b), html(cat.T("az", "auth.err.login"))) || !strings.Contains(string(b), `name="lang" value="az"`) {
		t.Fatalf("wrong password in az: %d %s", res.StatusCode, b)
	}
	// The email-link page: GET shows the button in the link's language, a
	// used or unknown link is refused in it.
	status, page := e.get("/auth/email?token=pl_unknown&lang=hy", "Accept-Language", "en")
	if status != 200 || !strings.Contains(page, `<html lang="hy"`) || !strings.Contains(page, html(cat.T("hy", "auth.email.sign_in"))) ||
		!strings.Contains(page, `href="/auth/email?lang=ru&amp;token=pl_unknown"`) || !strings.Contains(page, `name="lang" value="hy"`) {
		t.Fatalf("email page in hy: %d %s", status, page)
	}
	// The OIDC callback's failures, in the browser's language.
	status, page = e.get("/auth/oidc/callback?error=access_denied", "Accept-Language", "hy-AM,hy;q=0.9")
	if status != 401 || !strings.Contains(page, `<html lang="hy"`) || !strings.Contains(page, cat.T("hy", "auth.err.provider_refused", "access_denied")) {
		t.Fatalf("provider refusal in hy: %d %s", status, page)
	}
	status, page = e.get("/auth/oidc/callback?state=x&code=y", "Accept-Language", "tr")
	if status != 400 || !strings.Contains(page, html(cat.T("tr", "auth.err.flow_expired"))) {
		t.Fatalf("expired flow in tr: %d %s", status, page)
	}
	status, page = form(t, e.srv.URL+"/auth/email", url.Values{"token": {"pl_unknown"}, "lang": {"ru"}})
	if status != 422 || !strings.Contains(page, html(cat.T("ru", "auth.err.link_invalid"))) || !strings.Contains(page, cat.T("ru", "auth.email.bad_link")) {
		t.Fatalf("bad link in ru: %d %s", status, page)
	}
}

// TestSignInLinkCarriesTheMailsLanguage: the link in a sign-in mail asked
// for in Armenian opens the page in Armenian, whatever the browser says.
func TestSignInLinkCarriesTheMailsLanguage(t *testing.T) {
	t.Parallel()
	e, mp := newMailEnv(t, service.RateLimits{})
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/api/v1/auth/email-link", map[string]any{"site": "a", "email": "hy-reader@example.org", "return_to": storyURL, "lang": "hy"})
	if r.status != 202 {
		t.Fatalf("link request: %d %s", r.status, r.body)
	}
	link, token := mailedLink(t, mp, "hy-reader@example.org")
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("lang") != "hy" {
		t.Fatalf("link %q has no lang=hy", link)
	}
	status, page := e.get(u.RequestURI(), "Accept-Language", "en-US")
	if status != 200 || !strings.Contains(page, `<html lang="hy"`) || !strings.Contains(page, cat.T("hy", "auth.email.title")) {
		t.Fatalf("link page: %d %s", status, page)
	}
	status, page = form(t, e.srv.URL+"/auth/email", url.Values{"token": {token}, "lang": {"hy"}})
	if status != 200 || !strings.Contains(page, cat.T("hy", "auth.email.signed_in")) || !pageToken.MatchString(page) {
		t.Fatalf("signed in: %d %s", status, page)
	}
}
