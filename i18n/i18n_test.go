package i18n

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCatalogComplete is the check every change to a locale file must pass:
// Load refuses a catalog where a locale lacks an English key, has an unknown
// one, misses a plural form its language needs, or drops an argument.
func TestCatalogComplete(t *testing.T) {
	c := mustLoad(t)
	for _, l := range languages {
		if got, want := len(c.msgs[l.Code]), len(c.msgs[Fallback]); got != want {
			t.Errorf("%s has %d keys, English %d", l.Code, got, want)
		}
	}
	for _, area := range []string{"widget.", "reason.", "label.", "lang.", "queue.", "item."} {
		if len(c.Keys(area)) == 0 {
			t.Errorf("no %s keys", area)
		}
	}
}

func locales(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, l := range languages {
		for name, body := range files {
			fsys[l.Code+"/"+name] = &fstest.MapFile{Data: []byte(body)}
		}
	}
	return fsys
}

func TestLoadRefusesIncompleteCatalogs(t *testing.T) {
	ok := `{"a.b": "x %d", "a.n": {"one": "%d one", "other": "%d other"}}`
	complete := func() fstest.MapFS {
		fsys := locales(map[string]string{"a.json": ok})
		fsys["ru/a.json"] = &fstest.MapFile{Data: []byte(`{"a.b": "x %d", "a.n": {"one": "%d", "few": "%d", "many": "%d", "other": "%d"}}`)}
		return fsys
	}
	if _, err := LoadFS(complete()); err != nil {
		t.Fatalf("a complete catalog: %v", err)
	}
	cases := map[string]struct {
		lang, file, body, want string
	}{
		"missing key":      {"hy", "a.json", `{"a.b": "x %d", "a.n": {"one": "%d", "other": "%d"}, "a.c": "y"}`, `hy: missing "a.c"`},
		"unknown key":      {"tr", "b.json", `{"a.z": "z"}`, `tr: unknown key "a.z"`},
		"duplicate key":    {"az", "b.json", `{"a.b": "x %d"}`, `defined twice`},
		"empty":            {"ru", "b.json", `{"a.e": "  "}`, `empty`},
		"russian few":      {"ru", "a.json", `{"a.b": "x %d", "a.n": {"one": "%d", "other": "%d"}}`, `ru: "a.n" lacks plural forms few, many`},
		"dropped argument": {"az", "a.json", `{"a.b": "x", "a.n": {"one": "%d", "other": "%d"}}`, `az: "a.b" uses [], English [1]`},
		"not plural":       {"tr", "a.json", `{"a.b": "x %d", "a.n": "%d"}`, `tr: "a.n" must be a plural message`},
		"no other form":    {"hy", "a.json", `{"a.b": "x %d", "a.n": {"one": "%d"}}`, `"other" form`},
		"bad form":         {"hy", "a.json", `{"a.b": "x %d", "a.n": {"one": "%d", "lots": "%d", "other": "%d"}}`, `unknown plural form "lots"`},
		"foreign form":     {"hy", "a.json", `{"a.b": "x %d", "a.n": {"one": "%d", "few": "%d", "other": "%d"}}`, `form "few" not supported`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			fsys := complete()
			if name == "missing key" {
				for _, l := range languages {
					if l.Code != tc.lang {
						fsys[l.Code+"/b.json"] = &fstest.MapFile{Data: []byte(`{"a.c": "y"}`)}
					}
				}
				fsys["en/a.json"] = &fstest.MapFile{Data: []byte(ok)}
			} else {
				fsys[tc.lang+"/"+tc.file] = &fstest.MapFile{Data: []byte(tc.body)}
			}
			_, err := LoadFS(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// Every JSON file of a locale is read: a new area's file needs no code.
func TestLoadReadsEveryFile(t *testing.T) {
	fsys := locales(map[string]string{"a.json": `{"a.x": "x"}`, "mail.json": `{"mail.subject": "Hi %s"}`})
	c, err := LoadFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T("ru", "mail.subject", "Ani"); got != "Hi Ani" {
		t.Errorf("mail.subject = %q", got)
	}
}

func TestPlurals(t *testing.T) {
	c := mustLoad(t)
	cases := []struct {
		lang, key string
		n         int
		want      string
	}{
		{"en", "widget.count", 1, "1 comment"},
		{"en", "widget.count", 0, "0 comments"},
		{"en", "widget.count", 2, "2 comments"},
		{"en", "item.reports", 1, "Reported by a reader once"},
		{"en", "item.reports", 3, "Reported by readers 3 times"},
		{"en", "item.resubmits", 1, "Resubmitted once after rejection or as a duplicate"},
		{"ru", "widget.count", 1, "1 комментарий"},
		{"ru", "widget.count", 3, "3 комментария"},
		{"ru", "widget.count", 5, "5 комментариев"},
		{"ru", "widget.count", 11, "11 комментариев"},
		{"ru", "widget.count", 21, "21 комментарий"},
		{"ru", "widget.count", 22, "22 комментария"},
		{"ru", "item.reports", 2, "Читатели пожаловались 2 раза"},
		{"ru", "item.reports", 5, "Читатели пожаловались 5 раз"},
		{"hy", "widget.count", 0, "0 մեկնաբանություն"},
		{"hy", "widget.count", 7, "7 մեկնաբանություն"},
		{"tr", "item.reports", 2, "Okurlar 2 kez şikâyet etti"},
		{"az", "item.resubmits", 4, "Rəddən sonra və ya dublikat kimi 4 dəfə yenidən göndərilib"},
	}
	for _, tc := range cases {
		if got := c.T(tc.lang, tc.key, tc.n); got != tc.want {
			t.Errorf("%s %s(%d) = %q, want %q", tc.lang, tc.key, tc.n, got, tc.want)
		}
	}
	if got := c.T("en", "campaigns.size", 1, 2, 1); got != "1 pending comment from 2 authors on 1 story" {
		t.Errorf("en campaigns.size = %q", got)
	}
	if got := c.T("ru", "campaigns.size", 5, 1, 2); got != "5 комментариев на проверке от 1 автора к 2 статьям" {
		t.Errorf("ru campaigns.size = %q", got)
	}
}

func TestLanguageNames(t *testing.T) {
	c := mustLoad(t)
	cases := map[[2]string]string{
		{"en", "hy"}: "Armenian",
		{"ru", "hy"}: "армянский",
		{"hy", "az"}: "ադրբեջաներեն",
		{"tr", "ru"}: "Rusça",
		{"az", "tr"}: "türk dili",
		{"en", "xx"}: "xx",
	}
	for in, want := range cases {
		if got := c.LanguageName(in[0], in[1]); got != want {
			t.Errorf("LanguageName(%s, %s) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func TestTFallbacks(t *testing.T) {
	c := mustLoad(t)
	if got := c.T("fr", "reason.spam"); got != "Spam" {
		t.Errorf("unknown language: %q", got)
	}
	if got := c.T("ru", "no.such.key"); got != "no.such.key" {
		t.Errorf("unknown key: %q", got)
	}
	// One personal-attack wording per language, shared by widget and dashboard.
	for _, l := range languages {
		if a, b := c.T(l.Code, "reason.personal_attack"), c.T(l.Code, "label.personal_attack"); a != b {
			t.Errorf("%s: reason %q, label %q", l.Code, a, b)
		}
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{"ru-RU": "ru", "AZ_latn": "az", " hy ": "hy", "fr": "", "": "", "tr-TR": "tr"} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
	if got := AcceptLanguage("fr-CH, hy;q=0.9, en;q=0.8"); got != "hy" {
		t.Errorf("AcceptLanguage = %q", got)
	}
	if got := AcceptLanguage("de"); got != "en" {
		t.Errorf("AcceptLanguage(de) = %q", got)
	}
}

func TestArgNumbers(t *testing.T) {
	for in, want := range map[string]string{"%s and %[3]d then %d": "[1 3 4]", "100%% sure": "[]", "%5.2f %x": "[1 2]"} {
		if got := fmt.Sprint(argNumbers(in)); got != want {
			t.Errorf("argNumbers(%q) = %s, want %s", in, got, want)
		}
	}
}
