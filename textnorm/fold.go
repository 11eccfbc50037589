package textnorm

import (
	"unicode"
)

// Scripts that look-alike folding knows.
const (
	scriptNone = iota
	scriptLatin
	scriptCyrillic
	scriptArmenian
	scriptGreek
)

func scriptOf(r rune) int {
	if uint32(r) < lowRunes {
		return int(lowScript[r])
	}
	return slowScriptOf(r)
}

// slowScriptOf is scriptOf from the Unicode tables.
func slowScriptOf(r rune) int {
	switch {
	case r < 0x80:
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
			return scriptLatin
		}
		return scriptNone
	case unicode.Is(unicode.Latin, r):
		return scriptLatin
	case unicode.Is(unicode.Cyrillic, r):
		return scriptCyrillic
	case unicode.Is(unicode.Armenian, r):
		return scriptArmenian
	case unicode.Is(unicode.Greek, r):
		return scriptGreek
	}
	return scriptNone
}

// Look-alike tables, lower case, by target script. They follow the Unicode
// TR39 confusables data for these letters, plus a few shapes that evaders use
// in practice (Cyrillic "и" for "u", "п" for "n", "г" for "r").
var confusables = map[int]map[rune]rune{
	scriptLatin: {
		// Cyrillic
		'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p',
		'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԁ': 'd',
		'һ': 'h', 'ԛ': 'q', 'ԝ': 'w', 'ү': 'y', 'ь': 'b', 'п': 'n', 'г': 'r', 'и': 'u',
		// Greek
		'α': 'a', 'β': 'b', 'γ': 'y', 'ε': 'e', 'ζ': 'z', 'η': 'n', 'ι': 'i', 'κ': 'k', 'ν': 'v',
		'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ω': 'w',
		// Armenian
		'օ': 'o', 'ո': 'n', 'ս': 'u', 'հ': 'h', 'զ': 'q', 'ց': 'g', 'ա': 'w',
	},
	scriptCyrillic: {
		// Latin
		'a': 'а', 'b': 'в', 'c': 'с', 'e': 'е', 'h': 'н', 'k': 'к', 'm': 'м', 'o': 'о', 'p': 'р',
		't': 'т', 'x': 'х', 'y': 'у', 'u': 'и', 'n': 'п', 'r': 'г',
		// Greek
		'α': 'а', 'ε': 'е', 'κ': 'к', 'ο': 'о', 'ρ': 'р', 'τ': 'т', 'χ': 'х', 'υ': 'у', 'η': 'п',
		// Armenian
		'օ': 'о', 'ո': 'п',
	},
	scriptArmenian: {
		// Latin
		'o': 'օ', 'n': 'ո', 'u': 'ս', 'h': 'հ', 'q': 'զ', 'g': 'ց', 'w': 'ա',
		// Cyrillic
		'о': 'օ', 'п': 'ո',
		// Greek
		'ο': 'օ',
	},
}

// Leetspeak readings by the script of the word they appear in.
var leet = map[int]map[rune]rune{
	scriptLatin: {
		'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g',
		'@': 'a', '$': 's', '!': 'i', '|': 'l',
	},
	scriptCyrillic: {
		'0': 'о', '3': 'з', '4': 'ч', '6': 'б', '@': 'а', '$': 'с',
	},
	scriptArmenian: {
		'0': 'օ',
	},
}

// isLeetRune reports whether r may stand for a letter in some script.
func isLeetRune(r rune) bool {
	switch r {
	case '0', '1', '3', '4', '5', '6', '7', '8', '9', '@', '$', '!', '|':
		return true
	}
	return false
}

// isJoinElem reports whether r can be one element of a split-letter run:
// a letter, or 0 1 3 4 5 @ $.
func isJoinElem(r rune) bool {
	if uint32(r) < lowRunes {
		return lowClass[r]&cJoinElem != 0
	}
	return isLetterSlow(r)
}

// isWordish reports whether r is a letter, a digit or a mark (any).
func isWordish(r rune) bool {
	if uint32(r) < lowRunes {
		return lowClass[r]&cWordish != 0
	}
	return isWordishSlow(r)
}

//go:noinline
func isWordishSlow(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// joinSplit joins runs of at least three single letters separated by one to
// three non-word characters: "i.d.i.o.t" → "idiot". It returns the result,
// which is us itself when nothing was joined, and buf, the scratch buffer
// the result is built in otherwise (grown if needed).
func joinSplit(us, buf []unit) (res, scratch []unit) {
	single := func(i int) bool {
		if !isJoinElem(us[i].r) {
			return false
		}
		if i > 0 && isWordish(us[i-1].r) {
			return false
		}
		return i+1 >= len(us) || !isWordish(us[i+1].r)
	}
	// out stays nil, standing for us[:i], until the first join.
	var out []unit
	for i := 0; i < len(us); {
		if !single(i) {
			if out != nil {
				out = append(out, us[i])
			}
			i++
			continue
		}
		elems := []int{i}
		j := i + 1
		var sep []rune // every separator in a run must be the same
		for j < len(us) {
			k := j
			for k < len(us) && k-j < 3 && !isWordish(us[k].r) && !isJoinElem(us[k].r) {
				k++
			}
			if k == j || k >= len(us) || !single(k) {
				break
			}
			this := make([]rune, 0, 3)
			for _, u := range us[j:k] {
				this = append(this, u.r)
			}
			if sep == nil {
				sep = this
			} else if string(sep) != string(this) {
				break
			}
			elems = append(elems, k)
			j = k + 1
		}
		letters := 0
		for _, e := range elems {
			if IsLetter(us[e].r) {
				letters++
			}
		}
		if len(elems) >= 3 && letters >= 2 {
			if out == nil {
				if cap(buf) < len(us) {
					buf = make([]unit, 0, len(us))
				}
				out = append(buf[:0], us[:i]...)
			}
			for _, e := range elems {
				out = append(out, us[e])
			}
			i = elems[len(elems)-1] + 1
			continue
		}
		if out != nil {
			out = append(out, us[i])
		}
		i++
	}
	if out == nil {
		return us, buf
	}
	return out, out
}

// foldWords lower-cases, folds look-alikes and undoes leetspeak, one
// whitespace-separated token at a time.
func foldWords(us []unit) []unit {
	for a := 0; a < len(us); {
		if us[a].r == ' ' {
			a++
			continue
		}
		b := a
		for b < len(us) && us[b].r != ' ' {
			b++
		}
		foldToken(us[a:b])
		a = b
	}
	return us
}

func foldToken(tok []unit) {
	turkic := false
	for _, u := range tok {
		switch u.r {
		case 'ğ', 'Ğ', 'ş', 'Ş', 'ı', 'İ', 'ə', 'Ə':
			turkic = true
		}
	}
	for k := range tok {
		tok[k].r = lower(tok[k].r, turkic)
	}
	urlish := looksLikeAddress(tok)
	// Words inside the token: runs of letters, digits, marks and leet symbols.
	for a := 0; a < len(tok); {
		if !isWordish(tok[a].r) && !isLeetRune(tok[a].r) {
			a++
			continue
		}
		b := a
		for b < len(tok) && (isWordish(tok[b].r) || isLeetRune(tok[b].r)) {
			b++
		}
		w := tok[a:b]
		script := foldConfusables(w)
		if !urlish {
			undoLeet(w, script)
		}
		a = b
	}
}

// lower lower-cases r; see the package comment for the Turkic rules.
func lower(r rune, turkic bool) rune {
	if r < 0x80 && r != 'I' {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	switch r {
	case 'I':
		if turkic {
			return 'ı'
		}
		return 'i'
	case 'İ':
		return 'i'
	case 'ё', 'Ё':
		return 'е'
	}
	return toLower(r)
}

// looksLikeAddress reports whether a token is a URL or e-mail address,
// whose digits and symbols are not leetspeak.
func looksLikeAddress(tok []unit) bool {
	dot := -1
	for k, u := range tok {
		if u.r == '.' || u.r == ':' {
			dot = k
			break
		}
	}
	if dot < 0 {
		return false
	}
	// A token whose only dot ends it ("word.") can only be "www." or
	// "name@host." among the marks.
	marks := addressMarks
	if dot == len(tok)-1 {
		marks = addressMarks[1:2]
	}
	for _, sub := range marks {
		if unitsContain(tok, sub) {
			return true
		}
	}
	at := -1
	for k, u := range tok {
		if u.r == '@' {
			at = k
		}
		if at >= 0 && u.r == '.' && k > at+1 {
			return true
		}
	}
	return false
}

// addressMarks are the substrings that make a token an address ("www."
// second: see looksLikeAddress).
var addressMarks = []string{"://", "www.", ".com", ".ru", ".net", ".org", ".am", ".az", ".tr", ".ly"}

// unitsContain reports whether the runes of tok contain the ASCII string sub.
func unitsContain(tok []unit, sub string) bool {
	for i := 0; i+len(sub) <= len(tok); i++ {
		if tok[i].r != rune(sub[0]) {
			continue
		}
		k := 1
		for k < len(sub) && tok[i+k].r == rune(sub[k]) {
			k++
		}
		if k == len(sub) {
			return true
		}
	}
	return false
}

// foldConfusables folds a mixed-script word toward one script and returns
// the word's script.
func foldConfusables(w []unit) int {
	var count [5]int
	for _, u := range w {
		if IsLetter(u.r) {
			count[scriptOf(u.r)]++
		}
	}
	present := 0
	only := scriptNone
	for s := scriptLatin; s <= scriptGreek; s++ {
		if count[s] > 0 {
			present++
			only = s
		}
	}
	if present <= 1 {
		return only
	}
	best, bestMiss, bestNative := scriptNone, 1<<30, -1
	// On a tie, Cyrillic and Armenian win: Latin look-alikes typed into a
	// Russian or Armenian word ("сyкa") are the common evasion.
	for _, cand := range []int{scriptCyrillic, scriptArmenian, scriptLatin} {
		if count[cand] == 0 {
			continue
		}
		miss := 0
		for _, u := range w {
			if !IsLetter(u.r) {
				continue
			}
			if s := scriptOf(u.r); s != cand && s != scriptNone {
				if _, ok := confusables[cand][u.r]; !ok {
					miss++
				}
			}
		}
		if miss < bestMiss || miss == bestMiss && count[cand] > bestNative {
			best, bestMiss, bestNative = cand, miss, count[cand]
		}
	}
	if best == scriptNone {
		return only
	}
	table := confusables[best]
	for k, u := range w {
		if s := scriptOf(u.r); s != best && s != scriptNone {
			if to, ok := table[u.r]; ok {
				w[k].r = to
			}
		}
	}
	return best
}

// undoLeet replaces runs of leet characters between letters of the word
// (and "$" next to a letter at either end) by the letters they stand for.
func undoLeet(w []unit, script int) {
	if script == scriptNone || script == scriptGreek {
		script = scriptLatin
	}
	letters, leets := 0, 0
	for _, u := range w {
		if isLeetRune(u.r) {
			leets++
		} else if IsLetter(u.r) {
			letters++
		}
	}
	if letters == 0 || leets == 0 {
		return
	}
	table := leet[script]
	// Runs between letters first; a word that has one is clearly leet, and
	// then a leading or trailing run next to a letter is too ("1d10t").
	inner := false
	for pass := 0; pass < 2; pass++ {
		inner = undoLeetPass(w, script, table, letters, pass == 1 && inner) || inner
	}
}

// undoLeetPass converts leet runs of w; edges allows runs at the word's
// start or end. It reports whether it converted a run between letters.
func undoLeetPass(w []unit, script int, table map[rune]rune, letters int, edges bool) bool {
	inner := false
	for a := 0; a < len(w); {
		if !isLeetRune(w[a].r) {
			a++
			continue
		}
		if _, ok := table[w[a].r]; !ok {
			a++
			continue
		}
		b := a
		dollars := true
		for b < len(w) {
			if !isLeetRune(w[b].r) {
				break
			}
			if _, ok := table[w[b].r]; !ok {
				break
			}
			if w[b].r != '$' {
				dollars = false
			}
			b++
		}
		left := a > 0 && IsLetter(w[a-1].r)
		right := b < len(w) && IsLetter(w[b].r)
		// Cyrillic evasions often start with a digit ("6ля"); Latin ones
		// rarely do, while "1st" and "4th" are common.
		leading := a == 0 && right && script == scriptCyrillic && letters >= 2
		// So do hiding ones at the end ("быдл0", "дерьм0").
		trailing := b == len(w) && left && script == scriptCyrillic && letters >= 3
		edge := edges && (a == 0 && right || b == len(w) && left)
		if left && right || dollars && (left || right) || leading || trailing || edge {
			for k := a; k < b; k++ {
				w[k].r = table[w[k].r]
			}
			inner = inner || left && right
		}
		a = b
	}
	return inner
}
