package classify

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

//go:embed lexicon/*.txt lexicon/gen
var lexiconFS embed.FS

// Word-list categories and the label each one supports.
const (
	catObscene = "obscene"
	catInsult  = "insult"
	catSlur    = "slur"
	catSpam    = "spam"
	// catGroupHate is not written in the lists: groupHate makes it from a
	// group word near a dehumanizing word or a call to violence.
	catGroupHate = "group_hate"
)

var catLabel = map[string]parley.Label{
	catObscene:   parley.LabelObscenity,
	catInsult:    parley.LabelPersonalAttack,
	catSlur:      parley.LabelHateSpeech,
	catGroupHate: parley.LabelHateSpeech,
	catSpam:      parley.LabelSpam,
}

// Categories that are ordinary words on their own and count only in
// structure (see structure.go): a people, religion or other group; a word
// that likens people to animals, vermin or dirt; a call to kill or destroy.
const (
	catGroup   = "group"
	catDehuman = "dehuman"
	catViolent = "violent"
	// catLiteral marks phrases in which an animal word means the animal
	// ("stray dogs", "бродячие собаки", "sokak köpekleri"). As the longer
	// hit it replaces its dehuman word, so "Turkish stray dogs" is not a
	// people likened to dogs. It counts for nothing on its own.
	catLiteral = "literal"
)

// fileCats are the categories a word-list file may use.
var fileCats = map[string]bool{catObscene: true, catInsult: true, catSlur: true, catSpam: true, catGroup: true,
	catDehuman: true, catViolent: true, catLiteral: true, catExpel: true, catVice: true, catEssential: true,
	catNegation: true, catCounter: true, catState: true, catNegCopula: true, catAddress: true, catAnaphor: true}

// lexEntry is one word-list entry: a sequence of word patterns.
type lexEntry struct {
	words []lexWord
	cat   string
}

// lexWord matches one normalized word: exactly, as a stem ("stem*": the
// word starts with it), or as an infix ("*root*"), never as an arbitrary
// substring, so "Scunthorpe" and "assessment" stay clean.
type lexWord struct {
	text          string
	prefix, infix bool
}

func (p lexWord) match(w string) bool {
	switch {
	case p.infix:
		return strings.Contains(w, p.text)
	case p.prefix:
		return strings.HasPrefix(w, p.text)
	}
	return w == p.text
}

// lexicon is one language's word list.
type lexicon struct {
	lang string
	key  func(string) string // folds a normalized word into the list's spelling
	// exact maps a one-word entry to its category.
	exact map[string]string
	// stems maps a stem to its category; stemLens lists the stem lengths in bytes.
	stems    map[string]string
	stemLens []int
	infixes  []lexEntry
	phrases  map[string][]lexEntry // by the first word's exact text or stem
	never    map[string]bool       // words that are never matched ("!word")
	vocab    []vocabEntry          // one-word entries, for words with hidden letters
	// sqExact maps a one-word entry with its repeated letters squeezed to
	// its category, for stretched words whose entry has a real double
	// letter ("assmuunch" is "asmunch", as "assmunch" is).
	sqExact map[string]string
	// first2 has a bit for the first two bytes of every exact, stem,
	// phrase and never entry shorter than 4 bytes, and first4 one for
	// the first four bytes (hashed) of every longer one, so most words
	// skip every map lookup (see maybe).
	first2 [1 << 16 / 64]uint64
	first4 [1 << 16 / 64]uint64
	// infixPairs has a bit for the first two bytes of every infix; a word
	// without any of them skips the infix search. infixShort marks an
	// infix of one byte, which the pairs cannot stand for.
	infixPairs [1 << 16 / 64]uint64
	infixShort bool
}

// pair2 is the index in first2 of a word's first two bytes.
func pair2(k string) uint32 {
	switch len(k) {
	case 0:
		return 0
	case 1:
		return uint32(k[0]) << 8
	}
	return uint32(k[0])<<8 | uint32(k[1])
}

// note records an entry word's first bytes in first2 or first4. A
// one-byte stem matches any second byte.
func (lx *lexicon) note(t string, prefix bool) {
	if len(t) >= 4 {
		p := hash4(t)
		lx.first4[p/64] |= 1 << (p % 64)
		return
	}
	if len(t) == 1 && prefix {
		for b := range 256 {
			p := uint32(t[0])<<8 | uint32(b)
			lx.first2[p/64] |= 1 << (p % 64)
		}
		return
	}
	p := pair2(t)
	lx.first2[p/64] |= 1 << (p % 64)
}

// hash4 is the index in first4 of a word's first four bytes.
func hash4(k string) uint32 {
	v := uint32(k[0]) | uint32(k[1])<<8 | uint32(k[2])<<16 | uint32(k[3])<<24
	return v * 2654435761 >> 16
}

// maybe reports whether an exact, stem, phrase or never entry may match
// the word k: an entry of 4 or more bytes shares k's first four, a shorter
// one its first two.
func (lx *lexicon) maybe(k string) bool {
	if len(k) >= 4 {
		if p := hash4(k); lx.first4[p/64]&(1<<(p%64)) != 0 {
			return true
		}
	}
	p := pair2(k)
	return lx.first2[p/64]&(1<<(p%64)) != 0
}

// noteInfix records an infix's first two bytes in infixPairs.
func (lx *lexicon) noteInfix(t string) {
	if len(t) < 2 {
		lx.infixShort = true
		return
	}
	p := pair2(t)
	lx.infixPairs[p/64] |= 1 << (p % 64)
}

// mayHaveInfix reports whether the word k may contain an infix entry.
func (lx *lexicon) mayHaveInfix(k string) bool {
	if lx.infixShort {
		return true
	}
	for i := 0; i+1 < len(k); i++ {
		p := uint32(k[i])<<8 | uint32(k[i+1])
		if lx.infixPairs[p/64]&(1<<(p%64)) != 0 {
			return true
		}
	}
	return false
}

func identity(s string) string { return s }

// foldTurkicLex folds Azerbaijani letters toward Turkish for word lists but,
// unlike foldTurkic, keeps ı apart from i ("sık" is not "sik").
func foldTurkicLex(w string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ə':
			return 'e'
		case 'q':
			return 'k'
		case 'x':
			return 'h'
		}
		return r
	}, w)
}

func hyKey(w string) string { return featureWord(w, langHyLatn) }

// lexiconKeys maps each word list's language to the fold of its keys.
var lexiconKeys = map[string]func(string) string{
	"en": identity, "ru": identity, "tr": foldTurkicLex, "az": foldTurkicLex, "hy": hyKey,
}

// loadLexicons reads the embedded word lists: each language's hand-written
// list, lexicon/<lang>.txt, followed by the lists generated from registry
// packages for it, lexicon/gen/<lang>-*.txt (see lists.go).
func loadLexicons() (map[string]*lexicon, error) { return readLexicons(true) }

// loadHandLexicons reads the hand-written lists alone.
func loadHandLexicons() (map[string]*lexicon, error) { return readLexicons(false) }

func readLexicons(generated bool) (map[string]*lexicon, error) {
	out := map[string]*lexicon{}
	for lang, key := range lexiconKeys {
		b, err := lexiconFS.ReadFile("lexicon/" + lang + ".txt")
		if err != nil {
			return nil, err
		}
		if generated {
			gen, err := fs.Glob(lexiconFS, "lexicon/gen/"+lang+"-*.txt")
			if err != nil {
				return nil, err
			}
			for _, g := range gen {
				gb, err := lexiconFS.ReadFile(g)
				if err != nil {
					return nil, err
				}
				b = append(append(b[:len(b):len(b)], '\n'), gb...)
			}
		}
		lx, err := parseLexicon(lang, key, bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		out[lang] = lx
	}
	return out, nil
}

func parseLexicon(lang string, key func(string) string, r interface{ Read([]byte) (int, error) }) (*lexicon, error) {
	lx := &lexicon{lang: lang, key: key, exact: map[string]string{}, stems: map[string]string{},
		phrases: map[string][]lexEntry{}, never: map[string]bool{}, sqExact: map[string]string{}}
	lens := map[int]bool{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		parts := strings.Split(text, "\t")
		if strings.HasPrefix(parts[0], "!") {
			k := key(normWord(parts[0][1:]))
			lx.never[k] = true
			lx.note(k, false)
			continue
		}
		if len(parts) < 2 {
			return nil, fmt.Errorf("lexicon %s line %d: want entry<TAB>category", lang, line)
		}
		cat := strings.TrimSpace(parts[1])
		if !fileCats[cat] {
			return nil, fmt.Errorf("lexicon %s line %d: unknown category %q", lang, line, cat)
		}
		var e lexEntry
		e.cat = cat
		for _, f := range strings.Fields(parts[0]) {
			var p lexWord
			if strings.HasPrefix(f, "*") && strings.HasSuffix(f, "*") && len(f) > 2 {
				p.infix, f = true, f[1:len(f)-1]
			} else if strings.HasSuffix(f, "*") {
				p.prefix, f = true, f[:len(f)-1]
			}
			p.text = key(normWord(f))
			if p.text == "" {
				return nil, fmt.Errorf("lexicon %s line %d: empty word", lang, line)
			}
			e.words = append(e.words, p)
		}
		if !e.words[0].infix || len(e.words) > 1 {
			lx.note(e.words[0].text, e.words[0].prefix)
		}
		switch {
		case len(e.words) > 1:
			lx.phrases[e.words[0].text] = append(lx.phrases[e.words[0].text], e)
		case e.words[0].infix:
			lx.infixes = append(lx.infixes, e)
			lx.noteInfix(e.words[0].text)
		case e.words[0].prefix:
			lx.stems[e.words[0].text] = cat
			lens[len(e.words[0].text)] = true
		default:
			lx.exact[e.words[0].text] = cat
			if sq := textnorm.Squeeze(e.words[0].text); sq != e.words[0].text {
				lx.sqExact[sq] = cat
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for n := range lens {
		lx.stemLens = append(lx.stemLens, n)
	}
	// Longest stem first: the most specific entry decides, the same on
	// every run.
	sort.Sort(sort.Reverse(sort.IntSlice(lx.stemLens)))
	lx.buildVocab()
	return lx, nil
}

// normWord normalizes a word-list word the same way comment text is.
func normWord(w string) string {
	return strings.ReplaceAll(normalizeText(w), " ", "")
}

// matchWord returns the category of a single folded word, or "".
func (lx *lexicon) matchWord(k string) string {
	if lx.maybe(k) {
		if lx.never[k] {
			return ""
		}
		if c, ok := lx.exact[k]; ok {
			return c
		}
		for _, n := range lx.stemLens {
			if n <= len(k) {
				if c, ok := lx.stems[k[:n]]; ok {
					return c
				}
			}
		}
	}
	if len(lx.infixes) > 0 && lx.mayHaveInfix(k) {
		for _, e := range lx.infixes {
			if e.words[0].match(k) {
				return e.cat
			}
		}
	}
	return ""
}

// lexHit is a word-list match over words [from, to) of a text.
type lexHit struct {
	from, to int
	cat      string
	lang     string
}

// match finds the entries of lx in keys (the folded words of a text). It
// tries each word as written and with repeated letters squeezed.
func (lx *lexicon) match(keys, squeezed []string, skip func(i int) bool, hits []lexHit) []lexHit {
	for i := range keys {
		if skip(i) {
			continue
		}
		cat := lx.matchWord(keys[i])
		if cat == "" && squeezed[i] != keys[i] && !(lx.maybe(keys[i]) && lx.never[keys[i]]) {
			cat = lx.matchWord(squeezed[i])
			if cat == "" {
				cat = lx.sqExact[squeezed[i]]
			}
		}
		if cat != "" {
			hits = append(hits, lexHit{from: i, to: i + 1, cat: cat, lang: lx.lang})
		}
		// A phrase starting here is tried too; the caller keeps the longer
		// of overlapping hits ("ermeni dölü" over "ermeni").
		for _, k := range []string{keys[i], squeezed[i]} {
			if hit, ok := lx.matchPhrase(k, i, keys, squeezed); ok {
				hits = append(hits, hit)
				break
			}
		}
	}
	return hits
}

// matchPhrase tries the multi-word entries whose first word is k at word i.
func (lx *lexicon) matchPhrase(k string, i int, keys, squeezed []string) (lexHit, bool) {
	if !lx.maybe(k) {
		return lexHit{}, false
	}
	for _, e := range lx.phrases[k] {
		if i+len(e.words) > len(keys) {
			continue
		}
		ok := true
		for j, p := range e.words[1:] {
			if !p.match(keys[i+1+j]) && !p.match(squeezed[i+1+j]) {
				ok = false
				break
			}
		}
		if ok {
			return lexHit{from: i, to: i + len(e.words), cat: e.cat, lang: lx.lang}, true
		}
	}
	return lexHit{}, false
}
