// Package textnorm is Parley's one text normalizer. The classifier, the word
// lists and duplicate detection all see comment text through it, so that an
// evasion that fools one of them fools none of them less.
//
// Normalize applies, in order:
//
//  1. Unicode NFKC (full-width letters, ligatures, styled math letters such
//     as 𝐟𝐮𝐜𝐤 become plain letters).
//  2. Removal of invisible characters: format characters (category Cf: zero
//     width space, joiners, bidi controls, soft hyphen, BOM), Hangul fillers,
//     and combining marks left over after NFKC on Latin, Cyrillic, Armenian
//     and Greek letters (strike-through and "zalgo" marks). Other control
//     characters become spaces.
//  3. Joining letters split by spaces, dots or symbols: a run of at least
//     three single letters separated by the same one to three non-letter
//     characters ("i.d.i.o.t", "i d i o t", "f-u-c-k") becomes one word
//     ("idiot"); "e.g. a b" is left alone.
//     Single leetspeak characters may stand for letters in such a run
//     ("i.d.1.o.t") if at least two elements are real letters.
//  4. Lower-casing (with "ё" folded to "е") that is right for Turkish and Azerbaijani: "İ" becomes
//     "i"; "ı" stays "ı"; the ambiguous capital "I" becomes "ı" inside a
//     word that shows Turkic letters (ğ, ş, ı, İ, ə) and "i" everywhere
//     else, so English "I" and Turkish "ŞIK" (= "şık") both come out
//     right. DuplicateKey additionally folds "ı" to "i".
//  5. Folding look-alike letters in mixed-script words (the Unicode TR39
//     confusables idea): a word that mixes Latin, Cyrillic, Armenian or
//     Greek letters is folded toward the one script that the most of its
//     letters can be mapped to ("fuсk" with a Cyrillic "с" becomes Latin
//     "fuck"; "xyй" becomes Cyrillic "хуй"). Words in a single script are
//     never changed, so Russian and Armenian text is left intact.
//  6. Undoing leetspeak inside words that mix letters with digits or
//     symbols: a run of 0 1 3 4 5 7 8 9 @ $ ! | between letters becomes
//     letters ("sh1t", "n00b", "f@ck"); "$" also at a word's start or end
//     ("$hit", "a$$"). Cyrillic words use Cyrillic readings (0→о, 3→з, 4→ч,
//     6→б), also at the word's start ("6ля"). In a word that has a run
//     between letters, runs at its start or end are leet too ("1d10t").
//     Numbers, "$100", "@name", URLs and e-mail addresses are left
//     alone.
//  7. Marking letters hidden by symbols inside a word: a run of
//     asterisks, dots or other punctuation between two letters of a word
//     ("f*ck", "д,билы", "нае...ли", "убл)юдки") becomes one Mask rune "*",
//     which stands for zero to three hidden letters. Words still split at
//     it, so an unresolved mask reads as the punctuation did; a matcher
//     that knows the vocabulary resolves it with MatchMasked. Armenian
//     in-word marks (the question mark, emphasis and exclamation marks
//     written on a vowel, "ինչո՞ւ") are dropped instead, since they are
//     part of ordinary spelling. Hyphens, apostrophes, slashes, numbers
//     and addresses are left alone.
//  8. Squeezing a letter repeated three or more times to two ("fuuuuck" →
//     "fuuck", "cooool" → "cool"): two keeps real double letters intact;
//     matchers that want the fully squeezed form use Squeeze.
//  9. Collapsing runs of white space to one space and trimming the ends.
//
// Every rune of the result remembers the byte range of the original string
// it came from, so Result.Span can map evidence found in the normalized
// text back onto the text the author wrote.
package textnorm

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Result is a normalized text with a map back to the original.
type Result struct {
	// Text is the normalized text, valid UTF-8.
	Text string
	// starts[b] and ends[b] are the original byte range of the rune that
	// output byte b belongs to. starts has one extra entry for len(Text).
	starts []int32
	ends   []int32
	srcLen int
}

// unit is one rune of the text being normalized, with the byte range of the
// original it came from.
type unit struct {
	r    rune
	s, e int32
}

// Normalize returns the normalized form of s with its offset map. Invalid
// UTF-8 bytes are treated as spaces.
func Normalize(s string) Result {
	bp := unitPool.Get().(*unitBufs)
	us := decompose(s, bp.a[:0])
	bp.a = us[:0]
	us, bp.b = joinSplit(us, bp.b[:0])
	us = foldWords(us)
	us = maskInner(us)
	us = squeeze(us)
	us = collapseSpace(us)
	r := build(s, us)
	if cap(bp.a) <= maxPooledUnits && cap(bp.b) <= maxPooledUnits {
		unitPool.Put(bp)
	}
	return r
}

// unitBufs are the working buffers of one Normalize call, reused through
// unitPool so that normalizing allocates only its result.
type unitBufs struct{ a, b []unit }

// maxPooledUnits bounds the buffers kept for reuse, so that one huge text
// does not pin its memory.
const maxPooledUnits = 1 << 16

var unitPool = sync.Pool{New: func() any { return &unitBufs{} }}

// Span maps a byte range [i,j) of r.Text back to the byte range of the
// original string it came from. Out-of-range arguments are clamped; an empty
// range maps to an empty range at the corresponding original position. The
// result always satisfies 0 <= start <= end <= len(original).
func (r Result) Span(i, j int) (start, end int) {
	n := len(r.Text)
	if i < 0 {
		i = 0
	}
	if j > n {
		j = n
	}
	if i > n {
		i = n
	}
	if len(r.starts) == 0 {
		return 0, 0
	}
	if j <= i {
		p := int(r.starts[i])
		return p, p
	}
	return int(r.starts[i]), int(r.ends[j-1])
}

// DuplicateKey returns the text reduced for exact-duplicate comparison:
// normalized, with punctuation, symbols and whitespace removed, so
// "Hello, World!!" and "hello world" and "ｈｅｌｌｏ ｗｏｒｌｄ" agree.
// Dotless "ı" is folded to "i" so that case differences in Turkish do not
// matter either.
func DuplicateKey(s string) string { return DuplicateKeyOf(Normalize(s).Text) }

// DuplicateKeyOf is DuplicateKey of a text already normalized (t is
// Normalize(s).Text).
func DuplicateKeyOf(t string) string {
	var b strings.Builder
	b.Grow(len(t))
	for _, r := range t {
		switch {
		case r == 'ı':
			b.WriteRune('i')
		case IsLetter(r) || IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Words splits normalized text into word tokens: maximal runs of letters
// and digits.
func Words(norm string) []string {
	bounds := WordBounds(norm)
	out := make([]string, len(bounds))
	for k, b := range bounds {
		out[k] = norm[b[0]:b[1]]
	}
	return out
}

// WordBounds returns the byte range [start,end) in norm of each word that
// Words returns, in order.
func WordBounds(norm string) [][2]int {
	// Count first, so that the result is one allocation.
	n, in := 0, false
	for _, r := range norm {
		w := isWordRune(r)
		if w && !in {
			n++
		}
		in = w
	}
	if n == 0 {
		return nil
	}
	out := make([][2]int, 0, n)
	start := -1
	for i, r := range norm {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(norm)})
	}
	return out
}

// Squeeze returns w with every run of a repeated letter reduced to one
// letter ("fuuck" → "fuck"). Word-list matchers try it after the word
// itself.
func Squeeze(w string) string {
	repeated := false
	var last rune = -1
	for _, r := range w {
		if r == last {
			repeated = true
			break
		}
		last = r
	}
	if !repeated {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	var prev rune = -1
	for _, r := range w {
		if r == prev && IsLetter(r) {
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func isWordRune(r rune) bool {
	if uint32(r) < lowRunes {
		return lowClass[r]&cWordRune != 0
	}
	return isWordRuneSlow(r)
}

//go:noinline
func isWordRuneSlow(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// decompose applies NFKC segment by segment, so that every output rune
// knows its source range, and drops invisible characters.
func decompose(s string, us []unit) []unit { return decomposeWith(s, us, true) }

// decomposeWith is decompose; fast false always runs the normalizer (for
// tests that compare the two paths).
func decomposeWith(s string, us []unit, fast bool) []unit {
	if cap(us) < len(s) {
		us = make([]unit, 0, len(s))
	}
	if fast && isASCII(s) { // NFKC leaves ASCII alone
		for i := 0; i < len(s); i++ {
			r := rune(s[i])
			if r < 0x20 || r == 0x7F {
				r = ' '
			}
			us = append(us, unit{r: r, s: int32(i), e: int32(i + 1)})
		}
		return us
	}
	// add appends one rune of s[start:end], dropping invisible characters
	// and the marks on the scripts Parley folds, and blanking spaces and
	// controls.
	add := func(r rune, start, end int) {
		switch {
		case isInvisible(r):
			return
		case isMark(r):
			// Keep marks on other scripts (Devanagari, Arabic...); drop
			// strike-through and "zalgo" marks on the scripts we fold.
			if len(us) == 0 || dropMarkAfter(us[len(us)-1].r) {
				return
			}
		case isBlank(r):
			r = ' '
		}
		us = append(us, unit{r: r, s: int32(start), e: int32(end)})
	}
	if fast && nfkcInert(s) {
		// NFKC would return every rune as a segment of its own, unchanged.
		for i, r := range s {
			add(r, i, i+utf8.RuneLen(r))
		}
		return us
	}
	var it norm.Iter
	it.InitString(norm.NFKC, s)
	for !it.Done() {
		start := it.Pos()
		seg := it.Next()
		end := it.Pos()
		if it.Done() {
			end = len(s)
		}
		if end < start {
			end = start
		}
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			if r == utf8.RuneError && size <= 1 {
				r = ' '
			}
			add(r, start, end)
		}
	}
	return us
}

// nfkcInert reports whether NFKC leaves s as it is, one rune per segment:
// valid UTF-8 of runes below U+0800 (Latin, Greek, Cyrillic, Armenian...)
// with no combining marks, already in NFKC. Most comments in Parley's
// languages are, and skip the normalizer's per-segment work.
func nfkcInert(s string) bool {
	for _, r := range s {
		if r >= lowRunes || inertBits[r/64]&(1<<(r%64)) == 0 {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isInvisible reports whether r is a format or filler character that renders
// as nothing.
func isInvisible(r rune) bool {
	if uint32(r) < lowRunes {
		return invisibleBits[r/64]&(1<<(r%64)) != 0
	}
	return isInvisibleSlow(r)
}

// isInvisibleSlow is isInvisible from the Unicode tables.
func isInvisibleSlow(r rune) bool {
	switch r {
	case 0x115F, 0x1160, 0x3164, 0xFFA0, 0x034F, 0x180E, 0x17B4, 0x17B5:
		return true
	}
	if r >= 0xFE00 && r <= 0xFE0F || r >= 0xE0100 && r <= 0xE01EF { // variation selectors
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// dropMarkAfter reports whether a combining mark after r is noise to drop:
// true after letters of the scripts Parley folds and after non-letters.
func dropMarkAfter(r rune) bool {
	if !IsLetter(r) {
		return true
	}
	return scriptOf(r) != scriptNone
}

// build renders units into a Result.
func build(src string, us []unit) Result {
	n := 0
	for _, u := range us {
		if u.r < utf8.RuneSelf && u.r >= 0 {
			n++
		} else {
			n += runeLen(u.r)
		}
	}
	buf := make([]byte, 0, n)
	// starts and ends share one allocation.
	offs := make([]int32, 2*n+1)
	starts, ends := offs[:0:n+1], offs[n+1:n+1]
	for _, u := range us {
		if u.r < utf8.RuneSelf && u.r >= 0 {
			buf = append(buf, byte(u.r))
			starts = append(starts, u.s)
			ends = append(ends, u.e)
			continue
		}
		l := utf8.RuneLen(u.r)
		if l < 0 {
			u.r, l = ' ', 1
		}
		buf = utf8.AppendRune(buf, u.r)
		for k := 0; k < l; k++ {
			starts = append(starts, u.s)
			ends = append(ends, u.e)
		}
	}
	starts = append(starts, int32(len(src)))
	if len(us) > 0 {
		// An empty span at the end maps to the end of the last rune.
		starts[len(starts)-1] = us[len(us)-1].e
	}
	return Result{Text: unsafe.String(unsafe.SliceData(buf), len(buf)), starts: starts, ends: ends, srcLen: len(src)}
}

// runeLen is utf8.RuneLen with invalid runes counted as the one-byte space
// build writes for them.
func runeLen(r rune) int {
	if l := utf8.RuneLen(r); l > 0 {
		return l
	}
	return 1
}

// collapseSpace turns runs of spaces into one and trims both ends.
func collapseSpace(us []unit) []unit {
	out := us[:0]
	for _, u := range us {
		if u.r == ' ' && (len(out) == 0 || out[len(out)-1].r == ' ') {
			continue
		}
		out = append(out, u)
	}
	for len(out) > 0 && out[len(out)-1].r == ' ' {
		out = out[:len(out)-1]
	}
	return out
}

// squeeze reduces a letter repeated three or more times to two.
func squeeze(us []unit) []unit {
	out := us[:0]
	for _, u := range us {
		k := len(out)
		if k >= 2 && IsLetter(u.r) && out[k-1].r == u.r && out[k-2].r == u.r {
			out[k-1].e = u.e // the kept letter now covers the dropped ones
			continue
		}
		out = append(out, u)
	}
	return out
}
