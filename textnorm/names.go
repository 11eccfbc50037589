package textnorm

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxMarks is how many combining marks in a row a name keeps; more are
// "zalgo" noise.
const maxMarks = 2

// CleanName returns a display name (a guest's name, an account's name, a
// story title) safe to show: NFC, with control characters (CR, LF, NUL…),
// format characters (zero-width spaces and joiners, bidi overrides and
// isolates, soft hyphens, BOM) and invisible fillers removed, runs of more
// than two combining marks cut, other white space collapsed to one space,
// and the ends trimmed. "Rob\u202egnp.exe" becomes "Robgnp.exe" and
// "Mod\u200berator" becomes "Moderator".
func CleanName(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	marks, space := 0, false
	for _, r := range norm.NFC.String(s) {
		switch {
		case unicode.IsControl(r) && !unicode.IsSpace(r), isInvisible(r), unicode.Is(unicode.Co, r), r == unicode.ReplacementChar:
			continue
		case unicode.IsSpace(r) || unicode.Is(unicode.Zs, r) || unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r):
			space = b.Len() > 0
			marks = 0
			continue
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
			if marks++; marks > maxMarks {
				continue
			}
		default:
			marks = 0
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// Skeleton returns the look-alike skeleton of a name, after Unicode TR39:
// two names with the same skeleton look the same to a reader. It cleans
// the name, drops accents and case, maps Cyrillic, Greek and Armenian
// letters that look like Latin ones to those ("Мοdеrаtоr" with Cyrillic
// and Greek letters → "moderator"), reads 0 as o and 1, i, l, | as one
// letter, "rn" as "m" and "vv" as "w", and drops everything but letters
// and digits (spaces, dots, dashes). "" means nothing to compare.
func Skeleton(name string) string {
	folded := make([]rune, 0, len(name))
	for _, r := range norm.NFD.String(CleanName(name)) {
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			continue
		}
		r = unicode.ToLower(r)
		if m, ok := confusables[scriptLatin][r]; ok {
			r = m
		}
		switch r {
		case '0':
			r = 'o'
		case '1', 'i', 'ı', '|', '!', 'ӏ', 'ǀ':
			r = 'l'
		case 'ς':
			r = 'c'
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			folded = append(folded, r)
		}
	}
	s := string(folded)
	return strings.NewReplacer("rn", "m", "vv", "w").Replace(s)
}
