package modui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parley-comments/parley/classify"
	"github.com/parley-comments/parley/service"
)

func TestDashboardInTurkish(t *testing.T) {
	e := newEnv(t)
	e.comment("alpha", "a1", "Bu habere bir yorum.", "g1@example.org")
	mod := e.login("mod@alpha.example")
	res, body := mod.get("/moderation/s/alpha?lang=tr")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	for _, want := range []string{`<html lang="tr"`, "Moderasyon kuyruğu", "Onayla", `hreflang="tr" aria-current="true">Türkçe<`} {
		if !strings.Contains(body, want) {
			t.Errorf("Turkish queue lacks %q", want)
		}
	}
	// The choice is remembered.
	if _, body := mod.get("/moderation/s/alpha"); !strings.Contains(body, "Moderasyon kuyruğu") {
		t.Error("the language cookie was not honoured")
	}
}

// The queue names a comment's language in the moderator's language, not by
// its code, and counts reports with the language's plural forms.
func TestQueueNamesLanguagesAndPluralizes(t *testing.T) {
	m, err := classify.Default()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvWith(t, func(o *service.Options) { o.Classifier = m })
	e.comment("alpha", "a1", "Սա շատ լավ հոդված է, շնորհակալություն հեղինակին։", "g1@example.org")
	mod := e.login("mod@alpha.example")
	cases := map[string][]string{
		"en": {"Language: Armenian", `<option value="hy">Armenian</option>`},
		"ru": {"Язык: армянский", `<option value="az">азербайджанский</option>`},
		"hy": {"Լեզու: հայերեն"},
		"tr": {"Dil: Ermenice", `<option value="ru">Rusça</option>`},
	}
	for lang, wants := range cases {
		_, body := mod.get("/moderation/s/alpha?lang=" + lang)
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the queue lacks %q", lang, want)
			}
		}
		if strings.Contains(body, ": hy<") {
			t.Errorf("%s: a language code is shown", lang)
		}
	}
}
