package httpapi_test

import (
	"strings"
	"testing"

	"github.com/parley-comments/parley/service"
)

// TestAPIErrorsSpeakTheReadersLanguage: a refusal's message comes from the
// catalog in the language the widget asks for (Accept-Language, which it
// sets to the reader's chosen language; ?lang= wins), with the language's
// plurals and digit grouping; the code stays the same in every language.
func TestAPIErrorsSpeakTheReadersLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	post := func(body, path string, headers ...string) (string, string) {
		t.Helper()
		in := map[string]any{"site": "a", "story_url": storyURL, "story_title": "Story", "body": body, "author_name": "Guest", "author_email": "guest@example.org"}
		r := e.do("POST", path, in, headers...)
		msg, _ := r.json["error"].(map[string]any)["message"].(string)
		return r.errCode(), msg
	}
	for _, tc := range []struct{ path, accept, want string }{
		{"/api/v1/comments", "", "The comment is empty."},
		{"/api/v1/comments", "hy", "Մեկնաբանությունը դատարկ է։"},
		{"/api/v1/comments", "fr-FR, az;q=0.8", "Şərh boşdur."},
		{"/api/v1/comments?lang=tr", "hy", "Yorum boş."},
		{"/api/v1/comments", "ru-RU,ru;q=0.9", "Комментарий пуст."},
	} {
		if code, msg := post("   ", tc.path, "Accept-Language", tc.accept); code != "invalid" || msg != tc.want {
			t.Errorf("%s with Accept-Language %q: %s %q, want %q", tc.path, tc.accept, code, msg, tc.want)
		}
	}
	// Arguments are formatted in the language: Russian plural and grouping.
	long := strings.Repeat("д", service.MaxBodyChars+1)
	if code, msg := post(long, "/api/v1/comments", "Accept-Language", "ru"); code != "too_large" || msg != "В комментарии 10\u00a0001 символ, а можно не больше 10\u00a0000." {
		t.Errorf("too long in ru: %s %q", code, msg)
	}
	if code, msg := post(long, "/api/v1/comments", "Accept-Language", "hy"); code != "too_large" || msg != "Մեկնաբանությունն ունի 10\u00a0001 նիշ, սահմանը 10\u00a0000 է։" {
		t.Errorf("too long in hy: %s %q", code, msg)
	}
}
