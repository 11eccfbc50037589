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
	letterBits, digitBits, markBits, blankBits, inertBits, upperBits, invisibleBits [lowRunes / 64]uint64
	lowScript                                                                       [lowRunes]uint8
	// lowClass has the cXxx bits of each rune below lowRunes.
	lowClass [lowRunes]uint8
	// lowLower is unicode.ToLower below lowRunes.
	lowLower [lowRunes]rune
)

func init() {
	for r := rune(0); r < lowRunes; r++ {
		if unicode.IsLetter(r) {
			letterBits[r/64] |= 1 << (r % 64)
		}
		if unicode.IsDigit(r) {
			digitBits[r/64] |= 1 << (r % 64)
		}
		if isMarkSlow(r) {
			markBits[r/64] |= 1 << (r % 64)
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			blankBits[r/64] |= 1 << (r % 64)
		}
		lowScript[r] = uint8(slowScriptOf(r))
		if unicode.IsUpper(r) {
			upperBits[r/64] |= 1 << (r % 64)
		}
		if isInvisibleSlow(r) {
			invisibleBits[r/64] |= 1 << (r % 64)
		}
		lowLower[r] = unicode.ToLower(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			lowClass[r] |= cWordRune
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
			lowClass[r] |= cWordish
		}
		switch {
		case unicode.IsLetter(r), r == '0', r == '1', r == '3', r == '4', r == '5', r == '@', r == '$':
			lowClass[r] |= cJoinElem
		}
		// NFKC leaves the rune as it is, as a segment of its own.
		p := norm.NFKC.PropertiesString(string(r))
		if !isMark(r) && p.CCC() == 0 && p.BoundaryBefore() && norm.NFKC.IsNormalString(string(r)) {
			inertBits[r/64] |= 1 << (r % 64)
		}
	}
}

// Rune classes in lowClass.
const (
	cWordRune = 1 << iota // a letter or a digit (isWordRune)
	cWordish              // a letter, a digit or a mark (isWordish)
	cJoinElem             // an element of a split-letter run (isJoinElem)
)

// IsLetter is unicode.IsLetter, answered from a table below U+0800.
func IsLetter(r rune) bool {
	if uint32(r) < lowRunes {
		return letterBits[r/64]&(1<<(r%64)) != 0
	}
	return isLetterSlow(r)
}

// isLetterSlow is kept out of IsLetter so that IsLetter inlines.
//
//go:noinline
func isLetterSlow(r rune) bool { return unicode.IsLetter(r) }

// The answers above the tables, kept out of their callers so that those
// inline.
//
//go:noinline
func isDigitSlow(r rune) bool { return unicode.IsDigit(r) }

//go:noinline
func isMarkSlow(r rune) bool { return unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) }

//go:noinline
func isBlankSlow(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

//go:noinline
func isUpperSlow(r rune) bool { return unicode.IsUpper(r) }

//go:noinline
func toLowerSlow(r rune) rune { return unicode.ToLower(r) }

// IsDigit is unicode.IsDigit, answered from a table below U+0800.
func IsDigit(r rune) bool {
	if uint32(r) < lowRunes {
		return digitBits[r/64]&(1<<(r%64)) != 0
	}
	return isDigitSlow(r)
}

// isMark reports whether r is a nonspacing or enclosing mark (Mn, Me).
func isMark(r rune) bool {
	if uint32(r) < lowRunes {
		return markBits[r/64]&(1<<(r%64)) != 0
	}
	return isMarkSlow(r)
}

// isBlank reports whether r is a space or a control character.
func isBlank(r rune) bool {
	if uint32(r) < lowRunes {
		return blankBits[r/64]&(1<<(r%64)) != 0
	}
	return isBlankSlow(r)
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

// IsUpper is unicode.IsUpper, answered from a table below U+0800.
func IsUpper(r rune) bool {
	if uint32(r) < lowRunes {
		return upperBits[r/64]&(1<<(r%64)) != 0
	}
	return isUpperSlow(r)
}

// toLower is unicode.ToLower, answered from a table below U+0800.
func toLower(r rune) rune {
	if uint32(r) < lowRunes {
		return lowLower[r]
	}
	return toLowerSlow(r)
}
