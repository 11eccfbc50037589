package modui

import (
	"encoding/json"
	"net/http"
	"net/url"
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

// TestDashboardErrorsInTheModeratorsLanguage: the service's refusals reach
// the moderator in the dashboard's language, on the error page, in the
// script's JSON, and for each comment a bulk action could not decide.
func TestDashboardErrorsInTheModeratorsLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mod := e.login("mod@alpha.example")
	mod.get("/moderation/s/alpha?lang=hy") // remembered in a cookie
	const future = "Ժամանակավոր արգելափակման համար անհրաժեշտ է ապագայում ավարտի ամսաթիվ։"
	form := url.Values{"csrf_token": {mod.csrf}, "author_key": {"e:x@example.org"}, "kind": {"suspend"}, "until": {"2001-01-01"}}
	if res, body := mod.post("/moderation/s/alpha/sanctions", form, false); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, future) {
		t.Errorf("past suspension, page: %d, lacks the Armenian message", res.StatusCode)
	}
	c := e.comment("alpha", "a1", "A comment.", "g1@example.org")
	res, body := mod.post("/moderation/s/alpha/decide", url.Values{"csrf_token": {mod.csrf}, "id": {c.ID}, "action": {"approve"}}, true)
	var out struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || res.StatusCode != http.StatusUnprocessableEntity || out.Error.Code != "invalid" ||
		out.Error.Message != "Մեկնաբանության տարբերակը նշված չէ։" {
		t.Errorf("a decision without a version, JSON: %d %s", res.StatusCode, body)
	}
	res, body = mod.post("/moderation/s/alpha/bulk", url.Values{"csrf_token": {mod.csrf}, "action": {"approve"}, "ids": {"nosuchcomment"}}, true)
	var bulk struct{ Failed map[string]string }
	if err := json.Unmarshal([]byte(body), &bulk); err != nil || bulk.Failed["nosuchcomment"] != "Չի գտնվել։" {
		t.Errorf("bulk failure: %d %s", res.StatusCode, body)
	}
}
