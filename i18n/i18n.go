// Package i18n is Parley's one message catalog: the widget, the dashboard,
// emails and the command line read their text from it, in English, Russian,
// Armenian, Azerbaijani and Turkish.
//
// The catalog lives in locales/<lang>/*.json; every JSON file in a locale's
// directory is loaded, so each area keeps its own file (common.json,
// dashboard.json, widget.json, mail.json, …). Keys are namespaced by area
// ("widget.heading", "mail.reply.subject", "queue.title") and unique across
// the files of a locale. English is the reference: Load fails when another
// locale lacks one of its keys, has one it does not know, or gives a plural
// message without the forms its language needs.
//
// A message is a string in Go's fmt syntax (%s, %d, %[2]s), or a plural
// message, chosen by CLDR plural rules (golang.org/x/text/feature/plural):
//
//	"item.reports": {"arg": 1, "one": "Reported by readers %d time", "other": "Reported by readers %d times"}
//
// arg is the 1-based argument that selects the form (default 1); the forms
// are zero, one, two, few, many, other, or "=N" for an exact number. A
// message with more than one count names its parts:
//
//	"campaigns.size": {"msg": "${comments} from ${authors}", "vars": {
//	    "comments": {"arg": 1, "one": "%[1]d comment", "other": "%[1]d comments"},
//	    "authors": {"arg": 2, "one": "%[2]d author", "other": "%[2]d authors"}}}
//
// The widget's build (frontend/build.mjs) compiles the widget's keys of the
// same files into its bundle and formats them the same way.
package i18n

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/parley-comments/parley"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed locales
var localeFS embed.FS

// Language is one interface language.
type Language struct {
	Code string // BCP 47 primary subtag: "en", "hy"
	Name string // its name in itself: "Հայերեն"
}

// languages are Parley's interface languages, in menu order.
var languages = []Language{
	{Code: "en", Name: "English"},
	{Code: "ru", Name: "Русский"},
	{Code: "hy", Name: "Հայերեն"},
	{Code: "az", Name: "Azərbaycanca"},
	{Code: "tr", Name: "Türkçe"},
}

// rtl are the languages written right to left. None of Parley's is yet,
// but the dashboard and widget use logical CSS properties so that adding
// one needs only its locale files and a line in languages.
var rtl = map[string]bool{"ar": true, "he": true, "fa": true, "ur": true}

// Dir returns the text direction of a language: "ltr" or "rtl".
func Dir(code string) string {
	if rtl[code] {
		return "rtl"
	}
	return "ltr"
}

// Fallback is the reference language, used when nothing else matches.
const Fallback = "en"

// Languages returns the interface languages in menu order.
func Languages() []Language { return append([]Language(nil), languages...) }

// Known reports whether code is one of the interface languages.
func Known(code string) bool {
	for _, l := range languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Match returns the interface language for a BCP 47 tag ("ru-RU" → "ru",
// "AZ_latn" → "az"), or "" when none matches.
func Match(tag string) string {
	t := strings.ToLower(strings.TrimSpace(strings.ReplaceAll(tag, "_", "-")))
	base, _, _ := strings.Cut(t, "-")
	if Known(base) {
		return base
	}
	return ""
}

// AcceptLanguage returns the first interface language named in an
// Accept-Language header, in the order given, or Fallback.
func AcceptLanguage(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(part, ";")
		if l := Match(tag); l != "" {
			return l
		}
	}
	return Fallback
}

// Message is one entry of a locale file: a string, or plural forms.
type Message struct {
	Text   string              // a plain message
	Forms  map[string]string   // plural forms: "one", "few", "=0", …
	Arg    int                 // the argument that selects the form (1-based)
	Msg    string              // with Vars: the message that places them
	Vars   map[string]*Message // named plural parts of Msg
	plural bool
}

// IsPlural reports whether the message depends on a number.
func (m *Message) IsPlural() bool { return m.plural }

// UnmarshalJSON reads a string or a plural object.
func (m *Message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.Text)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.plural = true
	m.Arg = 1
	for k, v := range raw {
		switch k {
		case "arg":
			if err := json.Unmarshal(v, &m.Arg); err != nil || m.Arg < 1 {
				return fmt.Errorf("arg must be a positive integer")
			}
		case "msg":
			if err := json.Unmarshal(v, &m.Msg); err != nil {
				return err
			}
		case "vars":
			if err := json.Unmarshal(v, &m.Vars); err != nil {
				return err
			}
			for name, sub := range m.Vars {
				if !sub.plural || sub.Vars != nil {
					return fmt.Errorf("var %s must be a plural object without vars", name)
				}
			}
		default:
			if !validForm(k) {
				return fmt.Errorf("unknown plural form %q", k)
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("form %s: %w", k, err)
			}
			if m.Forms == nil {
				m.Forms = map[string]string{}
			}
			m.Forms[k] = s
		}
	}
	if (m.Vars == nil) != (m.Msg == "") {
		return fmt.Errorf("msg and vars go together")
	}
	if m.Vars == nil && m.Forms["other"] == "" {
		return fmt.Errorf("a plural message needs an \"other\" form")
	}
	if m.Vars != nil && m.Forms != nil {
		return fmt.Errorf("a message with vars has no forms of its own")
	}
	return nil
}

var formNames = []string{"zero", "one", "two", "few", "many", "other"}

func validForm(k string) bool {
	for _, f := range formNames {
		if k == f {
			return true
		}
	}
	if n, ok := strings.CutPrefix(k, "="); ok {
		_, err := strconv.Atoi(n)
		return err == nil
	}
	return false
}

// selectMessage turns plural forms into an x/text plural selector.
func (m *Message) selectMessage() catalog.Message {
	var cases []any
	// Exact numbers first: Selectf takes the first matching case.
	keys := make([]string, 0, len(m.Forms))
	for k := range m.Forms {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ei, ej := strings.HasPrefix(keys[i], "="), strings.HasPrefix(keys[j], "=")
		if ei != ej {
			return ei
		}
		return formRank(keys[i]) < formRank(keys[j])
	})
	for _, k := range keys {
		cases = append(cases, k, m.Forms[k])
	}
	return plural.Selectf(m.Arg, "%d", cases...)
}

func formRank(k string) int {
	for i, f := range formNames {
		if k == f {
			return i
		}
	}
	return -1
}

// Catalog is the loaded message catalog. It is safe for concurrent use.
type Catalog struct {
	msgs     map[string]map[string]*Message // lang → key → message
	printers map[string]*message.Printer
}

// Load reads and checks the embedded catalog.
//
// The catalog is read-only once loaded, so it is loaded once per process
// and shared by everyone who asks (the dashboard, the reader pages, the
// mails).
func Load() (*Catalog, error) {
	loadOnce.Do(func() {
		sub, err := fs.Sub(localeFS, "locales")
		if err != nil {
			loadErr = err
			return
		}
		loaded, loadErr = LoadFS(sub)
	})
	return loaded, loadErr
}

var (
	loadOnce sync.Once
	loaded   *Catalog
	loadErr  error
)

// LoadFS reads and checks a catalog laid out as <lang>/*.json in fsys.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]*Message{}, printers: map[string]*message.Printer{}}
	for _, l := range languages {
		files, err := fs.Glob(fsys, l.Code+"/*.json")
		if err != nil {
			return nil, err
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("i18n: no message files for %s", l.Code)
		}
		msgs := map[string]*Message{}
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("i18n: %w", err)
			}
			var m map[string]*Message
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := msgs[k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q is defined twice in %s", f, k, l.Code)
				}
				if v == nil || (!v.plural && strings.TrimSpace(v.Text) == "") {
					return nil, fmt.Errorf("i18n: %s: key %q is empty", f, k)
				}
				msgs[k] = v
			}
		}
		c.msgs[l.Code] = msgs
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for lang, msgs := range c.msgs {
		tag := language.MustParse(lang)
		for k, m := range msgs {
			var err error
			switch {
			case !m.plural:
				err = b.SetString(tag, k, m.Text)
			case m.Vars != nil:
				var parts []catalog.Message
				for name, v := range m.Vars {
					parts = append(parts, catalog.Var(name, v.selectMessage()))
				}
				parts = append(parts, catalog.String(m.Msg))
				err = b.Set(tag, k, parts...)
			default:
				err = b.Set(tag, k, m.selectMessage())
			}
			if err != nil {
				return nil, fmt.Errorf("i18n: %s %s: %w", lang, k, err)
			}
		}
		c.printers[lang] = message.NewPrinter(tag, message.Catalog(b))
	}
	return c, nil
}

// check compares every locale with English: the same keys, plural where
// English is plural, the forms the language's CLDR rules need, and the same
// formatting verbs.
func (c *Catalog) check() error {
	en := c.msgs[Fallback]
	var problems []string
	for _, l := range languages {
		m := c.msgs[l.Code]
		for k, ref := range en {
			got, ok := m[k]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: missing %q", l.Code, k))
				continue
			}
			if ref.plural && !got.plural {
				// A language may pluralize what English does not, but not the reverse.
				problems = append(problems, fmt.Sprintf("%s: %q must be a plural message as in English", l.Code, k))
				continue
			}
			if p := formProblems(l.Code, got); p != "" {
				problems = append(problems, fmt.Sprintf("%s: %q %s", l.Code, k, p))
			}
			if a, b := verbs(ref), verbs(got); a != b {
				problems = append(problems, fmt.Sprintf("%s: %q uses %s, English %s", l.Code, k, b, a))
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				problems = append(problems, fmt.Sprintf("%s: unknown key %q (not in English)", l.Code, k))
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("i18n: the catalog is incomplete:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// neededForms returns the plural forms that lang uses for whole numbers,
// by asking the CLDR rules about 0…1000.
func neededForms(lang string) map[string]bool {
	tag := language.MustParse(lang)
	out := map[string]bool{}
	for n := 0; n <= 1000; n++ {
		f := plural.Cardinal.MatchPlural(tag, n, 0, 0, 0, 0)
		out[formNames[formIndex(f)]] = true
	}
	return out
}

func formIndex(f plural.Form) int {
	switch f {
	case plural.Zero:
		return 0
	case plural.One:
		return 1
	case plural.Two:
		return 2
	case plural.Few:
		return 3
	case plural.Many:
		return 4
	}
	return 5
}

// formProblems says which plural forms m lacks for lang, or "".
func formProblems(lang string, m *Message) string {
	if !m.plural {
		return ""
	}
	if m.Vars != nil {
		var out []string
		for name, v := range m.Vars {
			if p := formProblems(lang, v); p != "" {
				out = append(out, "var "+name+" "+p)
			}
		}
		sort.Strings(out)
		return strings.Join(out, "; ")
	}
	var missing []string
	for _, f := range formNames {
		if neededForms(lang)[f] && m.Forms[f] == "" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return "lacks plural forms " + strings.Join(missing, ", ")
	}
	return ""
}

// verbs lists the argument numbers a message formats, e.g. "[1 2]", so that
// a translation that drops or adds an argument is caught. Plural forms may
// leave the number out ("once"), so only the arguments other than the
// selecting one count for them.
func verbs(m *Message) string {
	set := map[int]bool{}
	add := func(s string, skip int) {
		for _, a := range argNumbers(s) {
			if a != skip {
				set[a] = true
			}
		}
	}
	switch {
	case !m.plural:
		add(m.Text, 0)
	case m.Vars != nil:
		add(m.Msg, 0)
		for _, v := range m.Vars {
			set[v.Arg] = true
			for _, f := range v.Forms {
				add(f, v.Arg)
			}
		}
	default:
		set[m.Arg] = true
		for _, f := range m.Forms {
			add(f, m.Arg)
		}
	}
	var out []int
	for a := range set {
		out = append(out, a)
	}
	sort.Ints(out)
	return fmt.Sprint(out)
}

// argNumbers returns the 1-based argument number of each verb in a fmt
// format: "%s and %[3]d" → [1 3].
func argNumbers(s string) []int {
	var out []int
	next := 1
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			continue
		}
		i++
		if i < len(s) && s[i] == '%' {
			continue
		}
		for i < len(s) && strings.IndexByte("+-# 0123456789.", s[i]) >= 0 {
			i++
		}
		if i < len(s) && s[i] == '[' {
			end := strings.IndexByte(s[i:], ']')
			if end > 0 {
				if n, err := strconv.Atoi(s[i+1 : i+end]); err == nil {
					next = n
				}
				i += end + 1
			}
		}
		if i < len(s) {
			out = append(out, next)
			next++
		}
	}
	return out
}

// T returns the message for key in lang (English when lang is unknown),
// formatted with args by lang's rules: plural forms, and digits grouped as
// the language groups them. Without args a plain message comes back as
// written, verbs and all, for a script to fill in. An unknown key comes
// back as itself, so that a mistake shows where it is.
func (c *Catalog) T(lang, key string, args ...any) string {
	p, ok := c.printers[lang]
	if !ok {
		p = c.printers[Fallback]
	}
	if !c.Has(key) {
		return key
	}
	if m := c.Message(lang, key); len(args) == 0 && m != nil && !m.plural {
		return m.Text // unformatted: scripts fill it in later
	}
	return p.Sprintf(key, args...)
}

// Has reports whether key is in the catalog.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[Fallback][key]
	return ok
}

// Keys returns the keys that begin with prefix, sorted.
func (c *Catalog) Keys(prefix string) []string {
	var out []string
	for k := range c.msgs[Fallback] {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Message returns the raw message for key in lang, or nil.
func (c *Catalog) Message(lang, key string) *Message {
	return c.msgs[lang][key]
}

// LanguageName returns the name of the language code in the language in:
// "hy" in "ru" is "армянский". A code outside the catalog comes back as
// itself.
func (c *Catalog) LanguageName(in, code string) string {
	if c.Has("lang." + code) {
		return c.T(in, "lang."+code)
	}
	return code
}

// FS returns the catalog's files (<lang>/*.json), for tools that compile
// them elsewhere.
func FS() fs.FS {
	sub, _ := fs.Sub(localeFS, "locales")
	return sub
}

// ErrorMessage returns err's safe message in lang: the catalog's
// translation (errors.json) of the first parley.Error in err's chain,
// formatted with its arguments by lang's rules. A message the catalog does
// not have comes back in English as the error wrote it, and anything that
// is not a parley.Error, or an internal one, is "err.internal": its detail
// is for the logs.
func (c *Catalog) ErrorMessage(lang string, err error) string {
	if err == nil {
		return ""
	}
	if _, ok := c.msgs[lang]; !ok {
		lang = Fallback
	}
	var pe *parley.Error
	if !errors.As(err, &pe) || pe.Code == parley.EINTERNAL {
		return c.T(lang, "err.internal")
	}
	key, args := pe.MessageKey()
	m := c.Message(lang, key)
	if m == nil {
		return pe.Message
	}
	if len(args) == 0 && !m.plural {
		return m.Text
	}
	return c.printers[lang].Sprintf(key, args...)
}
