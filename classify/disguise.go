package classify

import (
	"math/rand/v2"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-comments/parley/textnorm"
)

// Disguiser rewrites comments the way people hide words from filters, to
// measure how much of that the normalizer undoes (`parley eval
// --disguise`). Every word that a word list knows is disguised (those are
// the words an evader hides), and each other word of three letters or
// more with probability Rate. A disguised word gets one of: look-alike
// letters from another script ("пиcдeц" with Latin c and e), punctuation
// inside it ("убл)юдки"), a vowel hidden by "*", "." or "..." ("д*билы",
// "нае...ли"), a stretched letter ("дееебил"), its letters spaced or
// dotted ("д е б и л"), or digits for letters ("д3бил"). The same seed
// gives the same output.
type Disguiser struct {
	m    *Model
	rng  *rand.Rand
	Rate float64
}

// NewDisguiser returns a disguiser that knows m's word lists.
func NewDisguiser(m *Model, seed uint64, rate float64) *Disguiser {
	return &Disguiser{m: m, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), Rate: rate}
}

// Disguise returns text with its words disguised.
func (d *Disguiser) Disguise(text string) string {
	var b strings.Builder
	b.Grow(len(text) + len(text)/4)
	start := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := text[start:end]
		if utf8.RuneCountInString(w) >= 3 && (d.m.listed(w) || d.rng.Float64() < d.Rate) {
			w = d.word(w)
		}
		b.WriteString(w)
		start = -1
	}
	for i, r := range text {
		if unicode.IsLetter(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(text))
	return b.String()
}

// Look-alikes by the script of the letter they replace.
var disguiseLookalikes = map[rune]rune{
	// Cyrillic → Latin
	'а': 'a', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'х': 'x', 'у': 'y', 'к': 'k', 'м': 'm', 'т': 't',
	// Latin → Cyrillic
	'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'x': 'х', 'y': 'у', 'k': 'к', 'm': 'м', 't': 'т',
	// Armenian → Latin
	'օ': 'o', 'ս': 'u', 'հ': 'h', 'ո': 'n', 'զ': 'q', 'ց': 'g',
}

// disguiseDigits are digits people type for letters.
var disguiseDigits = map[rune]rune{
	'o': '0', 'i': '1', 'e': '3', 'a': '4', 's': '5', 't': '7',
	'о': '0', 'з': '3', 'ч': '4', 'б': '6',
	'օ': '0',
}

func isVowel(r rune) bool {
	return strings.ContainsRune("aeiouıəöüаеёиоуыэюяաեէըիոօ", unicode.ToLower(r))
}

// word disguises one word.
func (d *Disguiser) word(w string) string {
	rs := []rune(w)
	n := len(rs)
	inner := func() int { return 1 + d.rng.IntN(n-2) } // never the first or last letter
	for range 4 {                                      // a method that does not apply is retried
		switch d.rng.IntN(6) {
		case 0: // look-alikes
			out, changed := make([]rune, n), 0
			for i, r := range rs {
				out[i] = r
				if to, ok := disguiseLookalikes[unicode.ToLower(r)]; ok && changed < 2 && d.rng.IntN(2) == 0 {
					out[i], changed = to, changed+1
				}
			}
			if changed > 0 {
				return string(out)
			}
		case 1: // punctuation inside
			i := inner()
			p := []string{",", ")", ".", "*", "_", "!"}[d.rng.IntN(6)]
			return string(rs[:i]) + p + string(rs[i:])
		case 2: // a hidden vowel
			var vs []int
			for i := 1; i < n-1; i++ {
				if isVowel(rs[i]) {
					vs = append(vs, i)
				}
			}
			if len(vs) > 0 {
				i := vs[d.rng.IntN(len(vs))]
				return string(rs[:i]) + []string{"*", ".", "..."}[d.rng.IntN(3)] + string(rs[i+1:])
			}
		case 3: // a stretched letter
			i := inner()
			return string(rs[:i]) + strings.Repeat(string(rs[i]), 2+d.rng.IntN(3)) + string(rs[i:])
		case 4: // spaced or dotted letters
			sep := []string{" ", ".", " . "}[d.rng.IntN(3)]
			parts := make([]string, n)
			for i, r := range rs {
				parts[i] = string(r)
			}
			return strings.Join(parts, sep)
		case 5: // digits for letters
			out, changed := make([]rune, n), false
			for i, r := range rs {
				out[i] = r
				if to, ok := disguiseDigits[r]; ok && i > 0 && !changed {
					out[i], changed = to, true
				}
			}
			if changed {
				return string(out)
			}
		}
	}
	return w
}

// listed reports whether some word list matches w on its own as a word an
// evader would hide: obscene, insulting, a slur, a people, or what is said
// of one (phrases aside; negations, state words and the like are not).
func (m *Model) listed(w string) bool {
	nw := normWord(w)
	if nw == "" || textnorm.HasMask(nw) {
		return false
	}
	for _, lx := range m.lex {
		k := lx.key(nw)
		for _, c := range []string{lx.matchWord(k), lx.matchWord(textnorm.Squeeze(k))} {
			switch c {
			case catObscene, catInsult, catSlur, catGroup, catDehuman, catVice, catViolent, catExpel:
				return true
			}
		}
	}
	return false
}
