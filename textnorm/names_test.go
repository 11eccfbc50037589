package textnorm

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func TestCleanNameRemovesWhatLies(t *testing.T) {
	for in, want := range map[string]string{
		"Rob\u202egnp.exe":       "Robgnp.exe",
		"Mod\u200berator":        "Moderator",
		"  Ann\r\nSmith\x00 ":    "Ann Smith",
		"Jo\u2066hn\u2069":       "John",
		"e\u0301mile":            "émile", // NFC
		"a\u00adb\ufeffc\u200dd": "abcd",
		"tab\there":              "tab here",
		"line\u2028sep":          "line sep",
		"\xffbad":                "bad",
	} {
		if got := CleanName(in); got != want {
			t.Errorf("CleanName(%q) = %q, want %q", in, got, want)
		}
	}
	// "Zalgo" stacks keep at most two marks per letter.
	if got := []rune(CleanName("Z\u0351\u0352\u0353\u0354\u0355")); len(got) != 3 {
		t.Errorf("zalgo name kept %d runes: %q", len(got), string(got))
	}
}

func TestSkeletonMatchesLookAlikes(t *testing.T) {
	same := [][2]string{
		{"Moderator", "Мοdеrаtоr"},       // Cyrillic М, е, а, о and Greek ο
		{"Moderator", "Mod\u200berator"}, // zero-width space
		{"Moderator", "MODERATOR"},       // case
		{"Moderator", "M0derator"},       // zero for o
		{"Night Editor", "Night-Editor"}, // punctuation and spaces
		{"Night Editor", "NightEdltor"},  // l for i
		{"Emile", "Émile"},               // accents
		{"Mary", "Маrу"},                 // Cyrillic а, у
		{"Ann Smith", "Ann Srnith"},      // rn for m
		{"Gohar", "Gօhar"},               // Armenian օ
		{"Alex", "Αlεx"},                 // Greek Α, ε
	}
	for _, p := range same {
		if a, b := Skeleton(p[0]), Skeleton(p[1]); a != b {
			t.Errorf("Skeleton(%q) = %q, Skeleton(%q) = %q; want equal", p[0], a, p[1], b)
		}
	}
	differ := [][2]string{{"Moderator", "Moderators"}, {"Anna", "Anya"}, {"Ivan", "Iván Petrov"}}
	for _, p := range differ {
		if Skeleton(p[0]) == Skeleton(p[1]) {
			t.Errorf("%q and %q share a skeleton %q", p[0], p[1], Skeleton(p[0]))
		}
	}
	if Skeleton("\u200b\u202e") != "" {
		t.Error("an invisible name has a skeleton")
	}
}

// FuzzCleanName: a cleaned name has no control, format or bidi characters,
// is valid NFC UTF-8 without outer spaces, and cleaning it again changes
// nothing; its skeleton is the skeleton of the raw name.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"", "Rob\u202egnp.exe", "Mod\u200berator", "Ann\r\nSmith\x00", "Мοdеrаtоr", "e\u0301\u0301\u0301\u0301", "\xff\xfe", "  a  b  ", "ﬁ", "İstanbul"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CleanName(s)
		if !utf8.ValidString(c) || !norm.NFC.IsNormalString(c) || strings.TrimSpace(c) != c {
			t.Fatalf("CleanName(%q) = %q: invalid, not NFC or not trimmed", s, c)
		}
		for _, r := range c {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (r != ' ' && unicode.IsSpace(r)) {
				t.Fatalf("CleanName(%q) = %q keeps %U", s, c, r)
			}
		}
		if again := CleanName(c); again != c {
			t.Fatalf("CleanName not idempotent: %q -> %q -> %q", s, c, again)
		}
		if Skeleton(c) != Skeleton(s) {
			t.Fatalf("Skeleton(%q) = %q, of its cleaned form %q", s, Skeleton(s), Skeleton(c))
		}
	})
}
