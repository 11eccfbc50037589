package textnorm

import "testing"

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
