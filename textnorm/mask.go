package textnorm

// Mask is the rune that stands for letters hidden by symbols inside a word
// ("f*ck", "д,билы"); see Normalize, step 7, and MatchMasked.
const Mask = '*'

// maxMaskRun bounds the symbols one mask may replace ("нае.....ли").
const maxMaskRun = 5

// MaxMasked is how many letters one Mask may stand for in MatchMasked.
const MaxMasked = 3

// isArmenianInWordMark reports whether r is one of the Armenian marks that
// ordinary spelling writes on a vowel inside a word: emphasis (՛),
// exclamation (՜) and question (՞).
func isArmenianInWordMark(r rune) bool { return r == 0x055B || r == 0x055C || r == 0x055E }

// isMaskSymbol reports whether r can hide letters inside a word. Hyphens
// (compounds: "кто-то", "e-mail"), apostrophes ("don't", Turkish
// "Ermeni'ler") and slashes ("and/or", "км/ч") cannot.
func isMaskSymbol(r rune) bool {
	switch r {
	case '*', '.', ',', ')', '(', '!', '?', '#', '%', '_', '"', '~', '^', '+', ':', ';', '=', '<', '>', '[', ']', '{', '}', '«', '»', '•', '·', '×':
		return true
	}
	return false
}

// maskInner replaces a run of mask symbols between two letters inside one
// token by a single Mask rune whose source range covers the run, and drops
// Armenian in-word marks. Tokens that look like addresses and runs next to
// digits are left alone. A word joined by a mask has its look-alike letters
// folded as one word ("x*й" is Cyrillic "х*й").
func maskInner(us []unit) []unit {
	out := us[:0] // filtering in place never overtakes the reader
	tokStart := 0
	urlish := false
	for i := 0; i < len(us); i++ {
		u := us[i]
		if u.r == ' ' {
			out = append(out, u)
			continue
		}
		if i == 0 || us[i-1].r == ' ' {
			tokStart = i
			end := i
			for end < len(us) && us[end].r != ' ' {
				end++
			}
			urlish = looksLikeAddress(us[i:end])
		}
		if urlish || i == tokStart || !isMaskSymbol(u.r) && !isArmenianInWordMark(u.r) {
			out = append(out, u)
			continue
		}
		left := out[len(out)-1].r
		k := i
		for k < len(us) && k-i < maxMaskRun && (isMaskSymbol(us[k].r) || isArmenianInWordMark(us[k].r)) {
			k++
		}
		if k >= len(us) || !IsLetter(left) || !IsLetter(us[k].r) {
			out = append(out, u)
			continue
		}
		if k == i+1 && (u.r == '.' || u.r == ',') && segLen(out, len(out)-1, -1) == 1 && segLen(us, k, 1) == 1 {
			out = append(out, u) // an abbreviation: "e.g.", "т.е."
			continue
		}
		armenianMarks := true
		for _, v := range us[i:k] {
			armenianMarks = armenianMarks && isArmenianInWordMark(v.r)
		}
		if armenianMarks {
			// Spelling, not disguise: the vowel before keeps the mark's bytes.
			out[len(out)-1].e = us[k-1].e
		} else {
			out = append(out, unit{r: Mask, s: u.s, e: us[k-1].e})
		}
		i = k - 1
	}
	// Fold look-alikes across each masked word.
	for a := 0; a < len(out); {
		b := a
		masked := false
		for b < len(out) && (IsLetter(out[b].r) || out[b].r == Mask) {
			masked = masked || out[b].r == Mask
			b++
		}
		if masked {
			foldConfusables(out[a:b])
		}
		a = b + 1
	}
	return out
}

// MatchMasked reports whether a normalized word with Mask runes (each
// standing for zero to MaxMasked letters) can be spelled as entry. With
// prefix set, entry is a stem: the word need only start with it. It
// returns the word rewritten with the entry's letters in place of the masks
// it covers, and masks after the entry dropped ("д*билы" and "дебил" give
// "дебилы").
func MatchMasked(word, entry string, prefix bool) (string, bool) {
	w, e := []rune(word), []rune(entry)
	var buf []rune
	// try matches w[i:] against e[j:]; used is how many letters the mask at
	// w[i] covers so far, shown and hidden how many of e's letters matched
	// a written letter and a mask. At least as many letters must be shown
	// as hidden, so "g*birliği" is not the stem "gay".
	var try func(i, j, used, shown, hidden int) bool
	try = func(i, j, used, shown, hidden int) bool {
		if j == len(e) {
			if shown < hidden {
				return false
			}
			buf = append(buf[:0], e...)
			for _, r := range w[i:] {
				if r == Mask {
					continue
				}
				if !prefix {
					return false
				}
				buf = append(buf, r)
			}
			return true
		}
		if i == len(w) {
			return false
		}
		if w[i] == Mask {
			// The mask covers nothing more, or one more letter.
			if try(i+1, j, 0, shown, hidden) {
				return true
			}
			return used < MaxMasked && try(i, j+1, used+1, shown, hidden+1)
		}
		return w[i] == e[j] && try(i+1, j+1, 0, shown+1, hidden)
	}
	if !try(0, 0, 0, 0, 0) {
		return "", false
	}
	return string(buf), true
}

// HasMask reports whether s contains a Mask rune.
func HasMask(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == Mask {
			return true
		}
	}
	return false
}

// segLen counts the letters of us from i in direction dir (±1).
func segLen(us []unit, i, dir int) int {
	n := 0
	for ; i >= 0 && i < len(us) && IsLetter(us[i].r); i += dir {
		n++
	}
	return n
}
