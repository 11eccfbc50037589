package classify

import (
	"strings"
	"unicode/utf8"

	"github.com/parley-comments/parley/textnorm"
)

// armenianLatin is the canonical Latin reading of each Armenian letter, as
// Armenians write it in chat ("translit"). Variants that writers use for the
// same letter (kh/x for խ, q/k for ք, ts/c for ց and ծ, ou/u for ու) are
// folded to one form by canonHy, so script and translit meet in one space.
var armenianLatin = map[rune]string{
	'ա': "a", 'բ': "b", 'գ': "g", 'դ': "d", 'ե': "e", 'զ': "z", 'է': "e", 'ը': "y",
	'թ': "t", 'ժ': "zh", 'ի': "i", 'լ': "l", 'խ': "x", 'ծ': "c", 'կ': "k", 'հ': "h",
	'ձ': "dz", 'ղ': "gh", 'ճ': "ch", 'մ': "m", 'յ': "y", 'ն': "n", 'շ': "sh", 'ո': "o",
	'չ': "ch", 'պ': "p", 'ջ': "j", 'ռ': "r", 'ս': "s", 'վ': "v", 'տ': "t", 'ր': "r",
	'ց': "c", 'ւ': "v", 'փ': "p", 'ք': "k", 'օ': "o", 'ֆ': "f",
}

// isArmenian reports whether r is an Armenian letter.
func isArmenian(r rune) bool { return r >= 0x0531 && r <= 0x058A || r >= 0xFB13 && r <= 0xFB17 }

// translitHy writes an Armenian-script word in canonical Latin translit:
// "ախպեր" → "axper", "քու" → "ku", "բարեւ" → "barev".
func translitHy(w string) string {
	b := make([]byte, 0, len(w))
	for i := 0; i < len(w); {
		r, size := utf8.DecodeRuneInString(w[i:])
		i += size
		if r == 'ո' && strings.HasPrefix(w[i:], "ւ") {
			b = append(b, 'u')
			i += len("ւ")
			continue
		}
		if r >= armenianLow && r < armenianLow+rune(len(armenianLatinTable)) {
			if s := armenianLatinTable[r-armenianLow]; s != "" {
				b = append(b, s...)
				continue
			}
		}
		b = utf8.AppendRune(b, r)
	}
	return canonHy(string(b))
}

// armenianLatinTable is armenianLatin as an array from armenianLow.
const armenianLow = 'ա'

var armenianLatinTable = func() (t [0x58A - armenianLow]string) {
	for r, s := range armenianLatin {
		t[r-armenianLow] = s
	}
	return t
}()

// canonHy folds the spelling variants of Armenian translit to one form:
// kh→x, ts→c, ou→u, q→k, w→v, a word-initial "ye"→"e" and "vo"→"o".
func canonHy(w string) string {
	if strings.HasPrefix(w, "ye") {
		w = w[1:]
	} else if strings.HasPrefix(w, "vo") && len(w) > 2 {
		w = w[1:]
	}
	// The folds, left to right without overlaps: kh→x, ts→c, ou→u, q→k, w→v.
	fold := func(i int) (string, int) {
		switch c := w[i]; {
		case c == 'q':
			return "k", 1
		case c == 'w':
			return "v", 1
		case i+1 < len(w):
			switch w[i : i+2] {
			case "kh":
				return "x", 2
			case "ts":
				return "c", 2
			case "ou":
				return "u", 2
			}
		}
		return "", 0
	}
	first := -1
	for i := 0; i < len(w); i++ {
		if _, n := fold(i); n > 0 {
			first = i
			break
		}
	}
	if first < 0 {
		return w
	}
	b := append(make([]byte, 0, len(w)), w[:first]...)
	for i := first; i < len(w); {
		if s, n := fold(i); n > 0 {
			b = append(b, s...)
			i += n
			continue
		}
		b = append(b, w[i])
		i++
	}
	return string(b)
}

// foldTurkic folds Azerbaijani spelling toward Turkish for shared features:
// ə→e, q→k, x→h, and ı→i.
func foldTurkic(w string) string {
	if !hasTurkicFold(w) {
		return w
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ə':
			return 'e'
		case 'q':
			return 'k'
		case 'x':
			return 'h'
		case 'ı':
			return 'i'
		}
		return r
	}, w)
}

// featureWord returns the form of a normalized word used for hashed
// features and word-list matching: Armenian script in canonical translit,
// Armenian translit (lang "hy-Latn") in the same canonical spelling, and
// every Latin word folded with foldTurkic, so Azerbaijani shares n-grams with
// Turkish and Armenian script shares them with translit. Other words are
// returned unchanged.
func featureWord(w, lang string) string {
	hasLatin := false
	for _, r := range w {
		if isArmenian(r) {
			return foldTurkic(translitHy(w))
		}
		if r < 0x250 && textnorm.IsLetter(r) {
			hasLatin = true
		}
	}
	if hasLatin {
		if lang == langHyLatn {
			return foldTurkic(canonHy(w))
		}
		return foldTurkic(w)
	}
	return w
}

// hasTurkicFold reports whether w has a letter foldTurkic changes (ə, q, x,
// ı), with a byte scan: strings.ContainsAny is slow for non-ASCII sets.
func hasTurkicFold(w string) bool {
	for i := 0; i < len(w); i++ {
		switch w[i] {
		case 'q', 'x':
			return true
		case 0xC9: // ə is C9 99
			if i+1 < len(w) && w[i+1] == 0x99 {
				return true
			}
		case 0xC4: // ı is C4 B1
			if i+1 < len(w) && w[i+1] == 0xB1 {
				return true
			}
		}
	}
	return false
}

// hasTurkishLetter reports whether s has ğ, ş or ı (C4 9F, C5 9F, C4 B1).
func hasTurkishLetter(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		switch s[i] {
		case 0xC4:
			if s[i+1] == 0x9F || s[i+1] == 0xB1 {
				return true
			}
		case 0xC5:
			if s[i+1] == 0x9F {
				return true
			}
		}
	}
	return false
}
