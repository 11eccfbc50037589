package classify

import (
	"sort"
	"testing"
)

func TestDisguiseIsDeterministic(t *testing.T) {
	m := mustDefault(t)
	text := "Ты безмозглый тролль и дебил, Armenians are vermin, sen aptalsın"
	a := NewDisguiser(m, 7, 0.5).Disguise(text)
	if b := NewDisguiser(m, 7, 0.5).Disguise(text); a != b {
		t.Errorf("same seed, different output: %q, %q", a, b)
	}
	if a == text {
		t.Errorf("nothing disguised: %q", a)
	}
}

// The normalizer undoes most disguises of listed words: for every one-word
// obscene or insult entry of the Russian, English and Turkish lists (exact
// entries, as written), five disguised copies are classified, and the word
// list must still find the word in at least 90% of them.
func TestDisguisedListedWordsAreStillFound(t *testing.T) {
	m := mustDefault(t)
	// Each word is shown in a few words of its language, so that the
	// language is detected as it would be in a comment.
	context := map[string]string{"ru": "ну ты и ", "en": "you are such a ", "tr": "sen tam bir "}
	for _, lang := range []string{"ru", "en", "tr"} {
		lx := m.lex[lang]
		var words []string
		for w, c := range lx.exact {
			if (c == catObscene || c == catInsult) && len([]rune(w)) >= 4 && lang != "tr" || lang == "tr" && (c == catObscene || c == catInsult) && isPlainTurkish(w) {
				words = append(words, w)
			}
		}
		sort.Strings(words)
		found, n := 0, 0
		for seed := uint64(1); seed <= 5; seed++ {
			d := NewDisguiser(m, seed, 0)
			for _, w := range words {
				text := context[lang] + d.Disguise(w)
				sc := &scratch{}
				a := m.extract(text, sc)
				n++
				if len(a.hits) > 0 {
					found++
				} else if testing.Verbose() {
					t.Logf("%s: %q → %q not found (normalized %q)", lang, w, text, a.norm.Text)
				}
			}
		}
		rate := float64(found) / float64(n)
		t.Logf("%s: %d of %d disguised listed words found (%.3f)", lang, found, n, rate)
		if rate < 0.9 {
			t.Errorf("%s: only %.3f of disguised listed words found", lang, rate)
		}
	}
}

// isPlainTurkish reports whether a Turkish list key is spelled as a Turkish
// comment would be (the list folds Azerbaijani letters, so a key with none
// of ə, q, x is one).
func isPlainTurkish(w string) bool {
	for _, r := range w {
		if r == 'ə' || r == 'q' || r == 'x' {
			return false
		}
	}
	return len([]rune(w)) >= 4
}
