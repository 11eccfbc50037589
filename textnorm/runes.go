package textnorm

import (
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// lowRunes bounds the code points that the tables below answer for: Latin,
// Greek, Cyrillic and Armenian, which make up most comment text, are all
// below it. unicode.IsLetter and unicode.Is search range tables, which is
// slow enough to dominate normalizing a Russian or Armenian comment.
const lowRunes = 0x800

var (
	letterBits, digitBits, markBits, blankBits, inertBits [lowRunes / 64]uint64
	lowScript                                             [lowRunes]uint8
)

func init() {
	for r := rune(0); r < lowRunes; r++ {
		if unicode.IsLetter(r) {
			letterBits[r/64] |= 1 << (r % 64)
		}
		if unicode.IsDigit(r) {
			digitBits[r/64] |= 1 << (r % 64)
		}
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) {
			markBits[r/64] |= 1 << (r % 64)
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			blankBits[r/64] |= 1 << (r % 64)
		}
		lowScript[r] = uint8(slowScriptOf(r))
		// NFKC leaves the rune as it is, as a segment of its own.
		p := norm.NFKC.PropertiesString(string(r))
		if !isMark(r) && p.CCC() == 0 && p.BoundaryBefore() && norm.NFKC.IsNormalString(string(r)) {
			inertBits[r/64] |= 1 << (r % 64)
		}
	}
}

// IsLetter is unicode.IsLetter, answered from a table below U+0800.
func IsLetter(r rune) bool {
	if uint32(r) < lowRunes {
		return letterBits[r/64]&(1<<(r%64)) != 0
	}
	return isLetterSlow(r)
}

// isLetterSlow is kept out of IsLetter so that IsLetter inlines.
func isLetterSlow(r rune) bool { return unicode.IsLetter(r) }

// IsDigit is unicode.IsDigit, answered from a table below U+0800.
func IsDigit(r rune) bool {
	if uint32(r) < lowRunes {
		return digitBits[r/64]&(1<<(r%64)) != 0
	}
	return unicode.IsDigit(r)
}

// isMark reports whether r is a nonspacing or enclosing mark (Mn, Me).
func isMark(r rune) bool {
	if uint32(r) < lowRunes {
		return markBits[r/64]&(1<<(r%64)) != 0
	}
	return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r)
}

// isBlank reports whether r is a space or a control character.
func isBlank(r rune) bool {
	if uint32(r) < lowRunes {
		return blankBits[r/64]&(1<<(r%64)) != 0
	}
	return unicode.IsSpace(r) || unicode.IsControl(r)
}

// IsLatin is unicode.Is(unicode.Latin, r), from a table below U+0800.
func IsLatin(r rune) bool {
	if uint32(r) < lowRunes {
		return lowScript[r] == scriptLatin
	}
	return unicode.Is(unicode.Latin, r)
}

// IsCyrillic is unicode.Is(unicode.Cyrillic, r), from a table below U+0800.
func IsCyrillic(r rune) bool {
	if uint32(r) < lowRunes {
		return lowScript[r] == scriptCyrillic
	}
	return unicode.Is(unicode.Cyrillic, r)
}
