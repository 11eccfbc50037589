package classify

import (
	"cmp"
	"slices"
	"strings"

	"github.com/parley-comments/parley/textnorm"
)

// vocabEntry is a one-word word-list entry, the vocabulary that a word with
// hidden letters ("д,билы", "f*ck") is resolved against.
type vocabEntry struct {
	text   string // in the list's key spelling
	prefix bool
	cat    string
}

// buildVocab lists lx's one-word exact and stem entries: exact entries
// first, then longer before shorter, so the most specific entry wins, the
// same way on every run.
func (lx *lexicon) buildVocab() {
	lx.vocab = lx.vocab[:0]
	for t, c := range lx.exact {
		lx.vocab = append(lx.vocab, vocabEntry{text: t, cat: c})
	}
	for t, c := range lx.stems {
		lx.vocab = append(lx.vocab, vocabEntry{text: t, prefix: true, cat: c})
	}
	slices.SortFunc(lx.vocab, func(a, b vocabEntry) int {
		if a.prefix != b.prefix {
			if a.prefix {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(len(b.text), len(a.text)); c != 0 {
			return c
		}
		return strings.Compare(a.text, b.text)
	})
}

// minUnmaskLetters is the least number of visible letters a masked word
// needs before it is resolved against a stem; a whole-word entry needs
// one fewer ("х*й"). "*" or "a*" could be anything.
const minUnmaskLetters = 3

// resolveMasked finds the word-list entry that a masked word (parts joined
// by textnorm.Mask, already folded by lx.key part by part) spells, and
// returns the word rewritten with the entry's letters.
func (lx *lexicon) resolveMasked(masked string) (word, cat string, ok bool) {
	letters := 0
	for _, r := range masked {
		if r != textnorm.Mask {
			letters++
		}
	}
	if letters < minUnmaskLetters-1 {
		return "", "", false
	}
	for _, e := range lx.vocab {
		if e.cat == catLiteral || e.prefix && letters < minUnmaskLetters {
			continue
		}
		if w, ok := textnorm.MatchMasked(masked, e.text, e.prefix); ok {
			if lx.never[w] {
				return "", "", false
			}
			return w, e.cat, true
		}
	}
	return "", "", false
}

// unmasked is a word whose hidden letters were resolved from a word list.
type unmasked struct {
	word, cat, lang string
}

// unmask joins the words of norm that the normalizer split at a mask
// ("д*билы" is "д" and "билы") into one word where a word list knows the
// word they spell, in place: bounds and words shrink, and res gets, for
// each remaining word, the resolution (empty for ordinary words). Words
// are tried against the lists of their script: Russian for Cyrillic,
// Armenian for Armenian, and English, Turkish, Azerbaijani and Armenian
// translit for Latin.
func (m *Model) unmask(norm string, bounds [][2]int, words []string, res []unmasked) ([][2]int, []string, []unmasked) {
	res = res[:0]
	out := 0
	for i := 0; i < len(bounds); {
		j := i
		for j+1 < len(bounds) && bounds[j][1]+1 == bounds[j+1][0] && norm[bounds[j][1]] == textnorm.Mask {
			j++
		}
		var u unmasked
		if j > i {
			u = m.resolveGroup(words[i : j+1])
		}
		if u.cat != "" {
			bounds[out] = [2]int{bounds[i][0], bounds[j][1]}
			words[out] = u.word
			res = append(res, u)
			out++
			i = j + 1
			continue
		}
		for k := i; k <= j; k++ {
			bounds[out], words[out] = bounds[k], words[k]
			res = append(res, unmasked{})
			out++
		}
		i = j + 1
	}
	return bounds[:out], words[:out], res
}

// resolveGroup resolves the parts of one masked word.
func (m *Model) resolveGroup(parts []string) unmasked {
	var langs []string
	switch wordScript(parts[0]) {
	case 1:
		langs = []string{"en", "tr", "az", "hy"}
	case 2:
		langs = []string{"ru"}
	case 3:
		langs = []string{"hy"}
	}
	for _, l := range langs {
		lx := m.lex[l]
		if lx == nil {
			continue
		}
		var b strings.Builder
		for k, p := range parts {
			if k > 0 {
				b.WriteRune(textnorm.Mask)
			}
			b.WriteString(lx.key(p))
		}
		// The Armenian list is in translit: an Armenian word comes back
		// in it, which is also its feature spelling.
		if w, cat, ok := lx.resolveMasked(b.String()); ok {
			return unmasked{word: w, cat: cat, lang: l}
		}
	}
	return unmasked{}
}

// wordScript is 1 for a Latin word, 2 for Cyrillic, 3 for Armenian, 0 for
// none of them (by the first letter).
func wordScript(w string) int8 {
	for _, r := range w {
		switch {
		case r < 0x80:
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				return 1
			}
			continue
		case isArmenian(r):
			return 3
		case textnorm.IsCyrillic(r):
			return 2
		case textnorm.IsLatin(r):
			return 1
		}
	}
	return 0
}
