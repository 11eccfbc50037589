// Package classify is Parley's built-in comment classifier: pure Go,
// embedded in the binary, no network calls.
//
// It scores a comment on five labels (toxic, personal_attack, hate_speech,
// obscenity, spam) with one logistic-regression head per label over a shared
// hashed feature space: character n-grams (1–5) of each normalized word,
// word unigrams and bigrams, hits from curated per-language word lists
// (package directory lexicon/), and a few shape features (links, mentions,
// shouting). Text is normalized with package textnorm first, so evasions by
// look-alike letters, leetspeak, invisible characters or split letters meet
// the same features as plain text, and evidence spans point into the
// original text.
//
// Languages: en, ru, tr from labeled data; az through its shared character
// n-grams with Turkish (ə→e, q→k, x→h folding) plus an Azerbaijani word
// list; hy in Armenian script and in Latin translit ("hy-Latn") through one
// canonical transliteration plus an Armenian word list. Scores for hy,
// hy-Latn and az are less reliable; see Threshold and docs/model-card.md.
//
// For comments detected as English, a semantic head adds its logits: frozen
// GloVe word vectors averaged over the words and passed through one hidden
// layer (semantic.go). Word lists also catch group-directed hate in every
// language (a people named next to a dehumanizing word or a call to
// violence; see groupHate).
//
// Default loads the model trained by `parley train` (`make model`) and
// embedded as model.bin.
package classify

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	_ "embed" // for the embedded default model
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

// nLabels is the number of heads, in the order of parley.Labels.
const nLabels = 5

// labelIndex maps a label to its head.
func labelIndex(l parley.Label) int {
	for i, x := range parley.Labels {
		if x == l {
			return i
		}
	}
	return -1
}

// Model is a trained classifier. It is safe for concurrent use.
type Model struct {
	bits uint8
	// weights holds (1<<bits) rows of nLabels float weights while training;
	// a finished model keeps only q, the weights quantized to 8 bits with one
	// scale per label (4× less memory, so fewer cache misses per feature).
	weights    []float32
	q          []int8
	scale      [nLabels]float32
	thresholds [nLabels]float32
	// langThresholds overrides thresholds for a language where the tune
	// rows of that language had enough of both classes (0 = no override).
	langThresholds map[string][nLabels]float32
	// measured holds, per language, thresholds set from measured precision
	// on a labeled sample of comments in that language (see
	// TuneMeasuredThresholds); they replace the floors for that language.
	// Stored among the language thresholds under measuredPrefix+lang.
	measured map[string][nLabels]float32
	lang     *langID
	lex      map[string]*lexicon
	// hyVocab is the Armenian translit vocabulary (see lists.go).
	hyVocab []uint64
	// hierAttack: the personal_attack head is conditional on toxic
	// (P(attack) = P(toxic)·P(attack | toxic)).
	hierAttack bool
	// groupHateRate is the share of hate speech among the training rows
	// with a group_hate word-list hit (a group word next to a dehumanizing
	// word, a call to violence or abuse). Such a comment's hate_speech score
	// is at least this (see groupHate).
	groupHateRate float32
	// sem is the semantic head for English, or nil (see semantic.go).
	sem  *semantic
	pool sync.Pool
}

var _ parley.Classifier = (*Model)(nil)

//go:embed model.bin
var defaultModel []byte

var (
	defaultOnce sync.Once
	defaultM    *Model
	defaultErr  error
)

// Default returns the embedded model trained from ../shared/datasets. It is
// loaded once and shared.
func Default() (*Model, error) {
	defaultOnce.Do(func() {
		defaultM, defaultErr = Load(bytes.NewReader(defaultModel))
		releaseEmbedded(defaultModel)
	})
	return defaultM, defaultErr
}

// conservativeLangs are languages without labeled training data.
var conservativeLangs = map[string]bool{langHy: true, langHyLatn: true, langAz: true}

// conservativeFloor is the least score at which the model suggests a reason
// for a comment in a conservative language, unless a word list supports it.
const conservativeFloor = 0.75

// distantFloor is the least score at which the model suggests a reason
// label that has no human labels in the comment's language (personal
// attacks, hate speech and obscenity in Russian and Turkish are learned
// from word lists by distant supervision), unless a word list supports it.
// Character n-grams of a listed word inside an innocent one ("страхуй",
// "sık") can lift such a label, and only a word-list match is precise.
const distantFloor = 0.9

// Threshold returns the score at or above which the model calls label l for
// a comment in language lang. For hy, hy-Latn and az, which have no labeled
// data, it is at least conservativeFloor, so that uncertain comments get no
// suggested reason and callers that auto-reject should leave them to a human.
// A reason label whose threshold was not tuned on human labels in lang is
// at least distantFloor. It returns 1 for an unknown label.
func (m *Model) Threshold(lang string, l parley.Label) float64 {
	i := labelIndex(l)
	if i < 0 {
		return 1
	}
	if mt, ok := m.measured[lang]; ok && mt[i] > 0 {
		return float64(mt[i])
	}
	t := m.baseThreshold(lang, i)
	if conservativeLangs[lang] && t < conservativeFloor {
		t = conservativeFloor
	}
	if i != 0 && !m.tunedFor(lang, i) && t < distantFloor {
		t = distantFloor
	}
	return t
}

// tunedFor reports whether label i's threshold for lang was tuned on rows
// of that language with human labels.
func (m *Model) tunedFor(lang string, i int) bool {
	lt, ok := m.langThresholds[lang]
	return ok && lt[i] > 0
}

// baseThreshold is label i's tuned threshold for lang, without the
// conservative floor.
func (m *Model) baseThreshold(lang string, i int) float64 {
	if lt, ok := m.langThresholds[lang]; ok && lt[i] > 0 {
		return float64(lt[i])
	}
	return float64(m.thresholds[i])
}

// feat is one active feature: its bucket, its value and the word it came
// from (-1 for whole-text features).
type feat struct {
	idx  uint32
	val  float32
	word int32
}

// linkWord and mentionWord stand in the word and bigram features for a
// link and for an @mention, whose own letters are not features: "check
// out <link>" is spam's commonest shape (5-fold ROC-AUC on the YouTube
// rows 0.972 → 0.975 with them). The NUL byte keeps them apart from any
// real word.
const linkWord, mentionWord = "\x00link", "\x00mention"

// pseudoWord returns the stand-in word of a link or mention word, or "".
func pseudoWord(kind byte) string {
	switch kind {
	case 'u':
		return linkWord
	case '@':
		return mentionWord
	}
	return ""
}

// scratch holds one classification's working memory.
type scratch struct {
	feats   []feat
	runes   []rune
	words   []string
	fwords  []string
	keys    []string
	sq      []string
	skip    []bool
	link    []byte  // per word: 'u' starts a link, '@' starts a mention
	linkEnd []int32 // per first word of a link or mention: the word after its last
	script  []int8
	hits    []lexHit
	contrib []float64
	ws      []wordContrib
	clause  []int32    // per word: its clause (see clauses)
	unm     []unmasked // per word, when the text has masks: its resolution
	semX    []float32
	semH    []float32
}

// wordContrib is one word's contribution to the top label's score.
type wordContrib struct {
	word int32
	c    float64
}

// analysis is what the feature extractor found in one text. Its words and
// hits live in the scratch it was extracted with and are valid until that
// scratch is used again.
type analysis struct {
	norm   textnorm.Result
	lang   string
	bounds [][2]int
	words  []string
	hits   []lexHit
	// target: the text addresses someone (a second-person word or an
	// @mention).
	target bool
	// severity of hate against a people, and whether an insult is aimed at
	// the addressee (see structure).
	severity int
	attack   bool
	counter  bool // counter-speech (see catCounter)
}

// Hashing: FNV-1a over a namespace byte and the feature's runes.
const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func hashSeed(ns byte) uint32 { return (fnvOffset ^ uint32(ns)) * fnvPrime }

func hashRune(h uint32, r rune) uint32 {
	if r < 0x80 {
		return (h ^ uint32(r)) * fnvPrime
	}
	var b [4]byte
	n := encodeRune(b[:], r)
	for _, c := range b[:n] {
		h = (h ^ uint32(c)) * fnvPrime
	}
	return h
}

func hashString(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

func encodeRune(b []byte, r rune) int {
	switch {
	case r < 0x800:
		b[0] = byte(0xC0 | r>>6)
		b[1] = byte(0x80 | r&0x3F)
		return 2
	case r < 0x10000:
		b[0] = byte(0xE0 | r>>12)
		b[1] = byte(0x80 | (r>>6)&0x3F)
		b[2] = byte(0x80 | r&0x3F)
		return 3
	}
	b[0] = byte(0xF0 | r>>18)
	b[1] = byte(0x80 | (r>>12)&0x3F)
	b[2] = byte(0x80 | (r>>6)&0x3F)
	b[3] = byte(0x80 | r&0x3F)
	return 4
}

// normalizeText is the classifier's view of textnorm.Normalize.
func normalizeText(s string) string { return textnorm.Normalize(s).Text }

// minNgramNorm is the least feature count that n-gram values are
// normalized by (value 1/sqrt(max(n, minNgramNorm))).
const minNgramNorm = 64

// maxTextBytes bounds the text the classifier reads; longer comments are
// scored on their first maxTextBytes bytes.
const maxTextBytes = 20000

// extract computes the features of text into sc.feats.
func (m *Model) extract(text string, sc *scratch) analysis {
	if len(text) > maxTextBytes {
		cut := maxTextBytes
		for cut > 0 && !isRuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	return m.extractNorm(text, textnorm.Normalize(text), sc)
}

// extractNorm is extract of a text (cut to maxTextBytes) and its
// normalized form n.
func (m *Model) extractNorm(text string, n textnorm.Result, sc *scratch) analysis {
	var a analysis
	a.norm = n
	norm := a.norm.Text
	a.bounds = textnorm.WordBounds(norm)
	words := sc.words[:0]
	for _, b := range a.bounds {
		words = append(words, norm[b[0]:b[1]])
	}
	sc.unm = sc.unm[:0]
	if textnorm.HasMask(norm) {
		a.bounds, words, sc.unm = m.unmask(norm, a.bounds, words, sc.unm)
	}
	sc.words = words
	a.words = words

	// Links and mentions are features of their own, not words, and say
	// nothing of the language.
	sc.skip = resize(sc.skip, len(words))
	sc.link = resize(sc.link, len(words))
	sc.linkEnd = resize(sc.linkEnd, len(words))
	urls, mentions := 0, 0
	for start := 0; start < len(norm); {
		end := strings.IndexByte(norm[start:], ' ')
		if end < 0 {
			end = len(norm)
		} else {
			end += start
		}
		tok := norm[start:end]
		isURL, isMention := linkToken(tok)
		if isURL {
			urls++
		}
		if isMention {
			mentions++
		}
		if isURL || isMention {
			first := -1
			for i, b := range a.bounds {
				if b[0] >= start && b[1] <= end {
					sc.skip[i] = true
					if first < 0 {
						first = i
						sc.link[i] = '@'
						if isURL {
							sc.link[i] = 'u'
						}
					}
					sc.linkEnd[first] = int32(i + 1)
				}
			}
		}
		start = end + 1
	}
	langText := norm // withoutLinks(norm), built only when needed
	if urls+mentions > 0 {
		langText = withoutLinks(norm)
	}
	a.lang = m.lang.detect(langText, words)
	if (a.lang == langEn || a.lang == langTr || a.lang == langAz) && len(words) <= maxTranslitCheckWords {
		if m.armenianTranslit(words, sc.skip) {
			a.lang = langHyLatn
		}
	}
	if (a.lang == langEn || a.lang == langTr || a.lang == langAz) && m.hyTranslitVote(words, sc.skip) {
		a.lang = langHyLatn
	}

	sc.fwords = sc.fwords[:0]
	sc.keys = sc.keys[:0]
	sc.sq = sc.sq[:0]
	for i, w := range words {
		fw := ""
		switch {
		case sc.skip[i]:
		case len(sc.unm) > 0 && sc.unm[i].lang == "hy":
			fw = w // resolved from the Armenian list, already in its spelling
		default:
			fw = featureWord(w, a.lang)
		}
		sc.fwords = append(sc.fwords, fw)
	}

	// Word-list hits, linked within clauses.
	sc.clause = clauses(norm, a.bounds, words, sc.clause)
	st := structure(m.lexHits(words, a.lang, sc), words, sc.fwords, sc.clause, a.lang)
	a.hits, a.severity, a.attack, a.counter = st.hits, st.severity, st.attack, st.counter

	sc.feats = sc.feats[:0]
	// Character n-grams of each word, padded with spaces.
	for i, fw := range sc.fwords {
		if fw == "" {
			continue
		}
		rs := append(sc.runes[:0], ' ')
		for _, r := range fw {
			rs = append(rs, r)
		}
		rs = append(rs, ' ')
		sc.runes = rs
		for p := 0; p < len(rs); p++ {
			h := hashSeed('c')
			for n := 1; n <= 5 && p+n <= len(rs); n++ {
				// hashRune, with its common cases inline.
				switch r := rs[p+n-1]; {
				case r < 0x80:
					h = (h ^ uint32(r)) * fnvPrime
				case r < 0x800:
					h = (h ^ uint32(0xC0|r>>6)) * fnvPrime
					h = (h ^ uint32(0x80|r&0x3F)) * fnvPrime
				default:
					h = hashRune(h, r)
				}
				if n == 1 && (rs[p] == ' ') {
					continue
				}
				sc.feats = append(sc.feats, feat{idx: h, word: int32(i)})
			}
		}
	}
	// Words and word bigrams.
	prev := -1
	for i, fw := range sc.fwords {
		if fw == "" {
			fw = pseudoWord(sc.link[i])
		}
		if fw == "" {
			continue
		}
		sc.feats = append(sc.feats, feat{idx: hashString(hashSeed('w'), fw), word: int32(i)})
		if prev >= 0 {
			pw := sc.fwords[prev]
			if pw == "" {
				pw = pseudoWord(sc.link[prev])
			}
			h := hashString(hashSeed('b'), pw)
			h = hashString((h^' ')*fnvPrime, fw)
			sc.feats = append(sc.feats, feat{idx: h, word: int32(i)})
		}
		prev = i
	}
	if n := len(sc.feats); n > 0 {
		// Very short texts are damped: a few n-grams are weak evidence.
		v := float32(1 / math.Sqrt(float64(max(n, minNgramNorm))))
		for k := range sc.feats {
			sc.feats[k].val = v
		}
	}
	// Whole-text features, value 1.
	add := func(name string, word int32) {
		sc.feats = append(sc.feats, feat{idx: hashString(hashSeed('x'), name), val: 1, word: word})
	}
	add("bias", -1)
	// Second-person words and mentions mark a target: an insult needs one,
	// swearing does not.
	target := mentions > 0
	for i, w := range words {
		if !sc.skip[i] && secondPerson[w] {
			target = true
			break
		}
	}
	a.target = target
	if target {
		add("target", -1)
	}
	var perCat [len(lexCats)]int
	for _, h := range a.hits {
		c := catIndex(h.cat)
		perCat[c]++
		if perCat[c] <= 2 {
			sc.feats = append(sc.feats, feat{idx: lexCatHash[c], val: 1, word: int32(h.from)})
			if target {
				sc.feats = append(sc.feats, feat{idx: targetLexCatHash[c], val: 1, word: int32(h.from)})
			}
		}
	}
	if urls > 0 {
		add("url", -1)
	}
	if urls > 1 {
		add("url2", -1)
	}
	if mentions > 0 {
		add("mention", -1)
	}
	if shouting(text) {
		add("shout", -1)
	}
	return a
}

// maxTranslitCheckWords bounds the comments armenianTranslit checks: the
// n-gram profiles mistake only short translit comments for en, tr or az,
// and the check costs a word-list lookup per word.
const maxTranslitCheckWords = 16

// armenianTranslit reports whether a Latin text that language
// identification took for en, tr or az is Armenian translit after all: a
// word the Armenian list knows as a people, an insult, an obscenity or
// what is said of a people ("adrbejancinery arnetner en"), that no other
// list knows. Short translit comments share too many letter sequences with
// English and Turkish for the n-gram profiles alone.
func (m *Model) armenianTranslit(words []string, skip []bool) bool {
	hy := m.lex["hy"]
	if hy == nil {
		return false
	}
	for i, w := range words {
		if skip[i] || wordScript(w) != 1 || len(w) < 4 {
			continue
		}
		switch hy.matchWord(featureWord(w, langHyLatn)) {
		case catGroup, catSlur, catObscene, catInsult, catDehuman, catVice, catViolent, catExpel, catCounter:
		default:
			continue
		}
		known := false
		for _, l := range []string{"en", "tr", "az"} {
			if lx := m.lex[l]; lx != nil && lx.matchWord(lx.key(w)) != "" {
				known = true
			}
		}
		if !known {
			return true
		}
	}
	return false
}

// lexCats are the word-list categories; lexCatHash and targetLexCatHash
// are the buckets of their "lex:" and "target+lex:" features.
var (
	lexCats                      = [...]string{catObscene, catInsult, catSlur, catGroupHate, catSpam}
	lexCatHash, targetLexCatHash = func() (a, b [len(lexCats)]uint32) {
		for i, c := range lexCats {
			a[i] = hashString(hashSeed('x'), "lex:"+c)
			b[i] = hashString(hashSeed('x'), "target+lex:"+c)
		}
		return a, b
	}()
)

// catIndex returns the index of cat in lexCats.
func catIndex(cat string) int {
	for i, c := range lexCats {
		if c == cat {
			return i
		}
	}
	panic("classify: unknown word-list category " + cat)
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func resize[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// secondPerson lists normalized second-person pronouns and forms of "you
// are" in the supported languages.
var secondPerson = map[string]bool{
	"you": true, "your": true, "youre": true, "u": true, "ur": true, "yourself": true,
	"ты": true, "тебя": true, "тебе": true, "тобой": true, "твой": true, "твоя": true, "вы": true, "вас": true, "вам": true,
	"sen": true, "seni": true, "sana": true, "senin": true, "siz": true, "sizi": true,
	"sən": true, "səni": true, "sənə": true, "sənin": true,
	"դու": true, "քեզ": true, "քո": true, "դուք": true, "du": true, "qez": true, "qo": true, "duq": true,
}

// linkToken reports whether a space-separated token of normalized text is
// a link or an @mention.
func linkToken(tok string) (isURL, isMention bool) {
	isURL = strings.Contains(tok, "://") || strings.HasPrefix(tok, "www.") || looksLikeDomain(tok)
	isMention = strings.HasPrefix(tok, "@") && len(tok) > 1
	return isURL, isMention
}

// withoutLinks returns normalized text without its links and @mentions,
// for language identification: "@USER" says nothing about the language,
// and in tweets it is most of the text (76 English tune rows were called
// Turkish for it). Text with no letters besides them is returned as it is.
func withoutLinks(norm string) string {
	has := false
	for tok := range strings.SplitSeq(norm, " ") {
		if u, m := linkToken(tok); u || m {
			has = true
			break
		}
	}
	if !has {
		return norm
	}
	var b strings.Builder
	for tok := range strings.SplitSeq(norm, " ") {
		if u, m := linkToken(tok); u || m || tok == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tok)
	}
	out := b.String()
	if strings.IndexFunc(out, textnorm.IsLetter) < 0 {
		return norm
	}
	return out
}

// looksLikeDomain reports whether a token is a bare domain like "bit.ly/x".
func looksLikeDomain(tok string) bool {
	if i := strings.IndexByte(tok, '.'); i < 0 || i == len(tok)-1 {
		return false // no dot, or only the one that ends a sentence
	}
	for _, tld := range []string{".com", ".net", ".org", ".ru", ".ly", ".io", ".info", ".biz", ".xyz", ".am", ".az"} {
		if i := strings.Index(tok, tld); i > 0 {
			rest := tok[i+len(tld):]
			if rest == "" || rest[0] == '/' || rest[0] == '.' || rest[0] == ',' {
				return true
			}
		}
	}
	return false
}

// shouting reports whether most letters of a longer text are capitals.
func shouting(text string) bool {
	up, letters := 0, 0
	for _, r := range text {
		if textnorm.IsLetter(r) {
			letters++
			if textnorm.IsUpper(r) {
				up++
			}
		}
	}
	return letters >= 12 && up*10 >= letters*7
}

// lexHits matches the word lists that apply to each word: English on Latin
// words always, Turkish and Azerbaijani on Latin words of tr/az texts,
// Armenian on Armenian-script words and on Latin words of hy-Latn texts,
// Russian on Cyrillic words.
func (m *Model) lexHits(words []string, lang string, sc *scratch) []lexHit {
	if len(words) == 0 {
		return nil
	}
	if cap(sc.script) < len(words) {
		sc.script = make([]int8, len(words))
	}
	script := sc.script[:len(words)]
	clear(script)
	for i, w := range words {
		for _, r := range w {
			if r < 0x80 {
				if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
					script[i] = 1
					break
				}
				continue
			}
			switch {
			case isArmenian(r):
				script[i] = 3
			case textnorm.IsCyrillic(r):
				script[i] = 2
			case textnorm.IsLatin(r):
				script[i] = 1
			default:
				continue
			}
			break
		}
	}
	hits := sc.hits[:0]
	// run matches lx on the words want selects; same says that the keys
	// of the previous run are lx's too (the Turkish and Azerbaijani lists
	// fold alike).
	run := func(lx *lexicon, want func(i int) bool, same bool) {
		if lx == nil {
			return
		}
		if same {
			hits = lx.match(sc.keys, sc.sq, func(i int) bool { return sc.keys[i] == "" }, hits)
			return
		}
		sc.keys = sc.keys[:0]
		sc.sq = sc.sq[:0]
		for i, w := range words {
			if sc.skip[i] || !want(i) || len(sc.unm) > 0 && sc.unm[i].cat != "" {
				sc.keys = append(sc.keys, "")
				sc.sq = append(sc.sq, "")
				continue
			}
			// Squeeze after folding: Armenian "ուուու" is one letter in translit.
			k := sc.fwords[i]
			if lx.lang != langHy || k == "" {
				// The Armenian list's key is the feature spelling, already
				// computed; the others fold differently.
				k = lx.key(w)
			}
			sc.keys = append(sc.keys, k)
			sc.sq = append(sc.sq, textnorm.Squeeze(sc.keys[i]))
		}
		hits = lx.match(sc.keys, sc.sq, func(i int) bool { return sc.keys[i] == "" }, hits)
	}
	latin := func(i int) bool { return script[i] == 1 }
	run(m.lex["en"], latin, false)
	if lang == langTr || lang == langAz {
		run(m.lex["tr"], latin, false)
		run(m.lex["az"], latin, m.lex["tr"] != nil)
	}
	run(m.lex["ru"], func(i int) bool { return script[i] == 2 }, false)
	run(m.lex["hy"], func(i int) bool { return script[i] == 3 || lang == langHyLatn && script[i] == 1 }, false)
	for i, u := range sc.unm {
		if u.cat != "" && !sc.skip[i] {
			hits = append(hits, lexHit{from: i, to: i + 1, cat: u.cat, lang: u.lang})
		}
	}
	slices.SortStableFunc(hits, func(a, b lexHit) int { return cmp.Compare(a.from, b.from) })
	// Drop a hit inside a longer one (a phrase and its own first word).
	out := hits[:0]
	for _, h := range hits {
		if n := len(out); n > 0 && h.from < out[n-1].to {
			if h.to-h.from > out[n-1].to-out[n-1].from {
				out[n-1] = h
			}
			continue
		}
		out = append(out, h)
	}
	sc.hits = hits
	return out
}

// scores computes the five probabilities of the text last extracted into
// sc as a: the linear heads' logits, plus the semantic head's where it
// applies, then the word lists' say:
//   - hate against a people found by structure sets hate_speech and toxic to
//     at least its severity's floor (hateFloor), and an insult aimed at the
//     addressee sets personal_attack and toxic to at least attackFloor;
//   - without an obscene word, obscenity is scaled down or capped (see
//     untunedObscenityScale): an insult is not obscenity;
//   - a label that a word list supports and that is over its base threshold
//     is lifted to the threshold shown for it (Threshold), so that the
//     suggested reason always agrees with the scores shown.
func (m *Model) scores(a analysis, sc *scratch) [nLabels]float64 {
	z := m.linear(sc.feats)
	if m.sem != nil && a.lang == semanticLang {
		if sz, ok := m.sem.logits(sc.words, sc.skip, sc); ok {
			for l := range z {
				z[l] += float64(m.sem.mix[l] * sz[l])
			}
		}
	}
	p := m.probabilities(z)
	if f := hateFloor[a.severity]; f > 0 {
		p[0], p[2] = max(p[0], f), max(p[2], f)
	}
	if a.attack {
		p[0], p[1] = max(p[0], attackFloor), max(p[1], attackFloor)
	}
	var supported [nLabels]bool
	for _, h := range a.hits {
		if i := labelIndex(catLabel[h.cat]); i >= 0 {
			supported[i] = true
		}
	}
	if !supported[obscenityLabel] {
		switch {
		case !m.tunedFor(a.lang, obscenityLabel):
			p[obscenityLabel] *= untunedObscenityScale
		default:
			p[obscenityLabel] = min(p[obscenityLabel], obscenityCap)
		}
	}
	if a.counter {
		// Counter-speech quotes hate to condemn it: no hate_speech reason.
		p[2] = min(p[2], counterHateCap*m.Threshold(a.lang, parley.LabelHateSpeech))
		supported[2] = false
	}
	for i, l := range parley.Labels {
		if supported[i] && p[i] >= m.baseThreshold(a.lang, i) {
			p[i] = max(p[i], m.Threshold(a.lang, l))
		}
	}
	return p
}

// counterHateCap is the share of the hate_speech threshold that a comment
// with counter-speech ("calling Armenians parasites is disgusting") may
// reach: it names the hate it condemns, and the n-grams see only that.
const counterHateCap = 0.9

// obscenityLabel is the index of the obscenity head.
const obscenityLabel = 3

// Obscenity without an obscene word. Where obscenity was learned from the
// word lists alone (every language but English), its score without an
// obscene word is n-gram bleed from insults and is scaled down by
// untunedObscenityScale. In English, learned from human labels, it stays
// below obscenityCap, under the 0.5 at which the queue marks a score high:
// "an idiot and a traitor" is an attack, and its obscenity, learned from
// rows where insults and swearing go together, must not say otherwise.
// (OLID dev obscenity ROC-AUC is 0.831 with and without the cap: its
// obscene rows all have a listed word.)
const (
	untunedObscenityScale = 0.25
	obscenityCap          = 0.45
)

// probabilities turns logits into the five scores.
func (m *Model) probabilities(z [nLabels]float64) [nLabels]float64 {
	for l := range z {
		z[l] = sigmoid(z[l])
	}
	if m.hierAttack {
		z[1] *= z[0]
	}
	return z
}

// linear computes the linear heads' logits for extracted features.
func (m *Model) linear(feats []feat) [nLabels]float64 {
	var z [nLabels]float64
	mask := uint32(1)<<m.bits - 1
	if m.q == nil {
		for _, f := range feats {
			i := (f.idx & mask) * nLabels
			row := m.weights[i : i+nLabels : i+nLabels]
			for l := range nLabels {
				z[l] += float64(row[l] * f.val)
			}
		}
	} else {
		// Five scalar sums, not an array, so that they stay in registers;
		// each is summed in the same order as before.
		var a0, a1, a2, a3, a4 float32
		q := m.q
		// Touching the row of the feature prefetchAhead places ahead
		// starts its cache miss early; the weights are 5 MB and the
		// buckets random, so the loop is bound by memory latency.
		const prefetchAhead = 16
		var touch int8
		if m.bits == shippedBits {
			// The shipped model's size as an array type: the row index is
			// masked to its length, so the loop has no bounds checks.
			rows := (*[1 << shippedBits][nLabels]int8)(unsafe.Slice((*[nLabels]int8)(unsafe.Pointer(unsafe.SliceData(q))), len(q)/nLabels))
			const smask = 1<<shippedBits - 1
			for k, f := range feats {
				if k+prefetchAhead < len(feats) {
					touch ^= rows[feats[k+prefetchAhead].idx&smask][0]
				}
				row := &rows[f.idx&smask]
				v := f.val
				a0 += float32(row[0]) * v
				a1 += float32(row[1]) * v
				a2 += float32(row[2]) * v
				a3 += float32(row[3]) * v
				a4 += float32(row[4]) * v
			}
		} else {
			for k, f := range feats {
				if k+prefetchAhead < len(feats) {
					touch ^= q[(feats[k+prefetchAhead].idx&mask)*nLabels]
				}
				i := (f.idx & mask) * nLabels
				row := q[i : i+nLabels : i+nLabels]
				v := f.val
				a0 += float32(row[0]) * v
				a1 += float32(row[1]) * v
				a2 += float32(row[2]) * v
				a3 += float32(row[3]) * v
				a4 += float32(row[4]) * v
			}
		}
		prefetchSink.Store(int32(touch))
		acc := [nLabels]float32{a0, a1, a2, a3, a4}
		for l := range nLabels {
			z[l] = float64(acc[l] * m.scale[l])
		}
	}
	return z
}

// shippedBits is the hash size of the shipped model, 2^20 buckets, which
// linear scores without bounds checks.
const shippedBits = 20

// prefetchSink keeps the prefetching loads in scores from being optimized
// away.
var prefetchSink atomic.Int32

// weight returns the weight of bucket idx (already masked) for label l.
func (m *Model) weight(idx uint32, l int) float32 {
	if m.q == nil {
		return m.weights[idx*nLabels+uint32(l)]
	}
	return float32(m.q[idx*nLabels+uint32(l)]) * m.scale[l]
}

// quantize replaces the float weights by 8-bit ones with one scale per
// label, the form the model is saved, loaded and used in.
func (m *Model) quantize() {
	var scale [nLabels]float32
	for i, x := range m.weights {
		if a := float32(math.Abs(float64(x))); a > scale[i%nLabels] {
			scale[i%nLabels] = a
		}
	}
	for l := range scale {
		scale[l] /= 127
		if scale[l] == 0 {
			scale[l] = 1
		}
	}
	q := make([]int8, len(m.weights))
	for i, x := range m.weights {
		q[i] = int8(math.Round(float64(x / scale[i%nLabels])))
	}
	m.q, m.scale, m.weights = q, scale, nil
}

func sigmoid(z float64) float64 {
	if z < -35 {
		z = -35
	} else if z > 35 {
		z = 35
	}
	return 1 / (1 + math.Exp(-z))
}

func (m *Model) getScratch() *scratch {
	if sc, ok := m.pool.Get().(*scratch); ok {
		return sc
	}
	return &scratch{}
}

// evidenceWorthy reports whether a word may be shown as n-gram evidence:
// not a short or function word, which carry weight only in context.
func evidenceWorthy(w string) bool {
	return utf8.RuneCountInString(w) >= 3 && !secondPerson[w] && !stopWords[w]
}

var stopWords = map[string]bool{
	"the": true, "and": true, "this": true, "that": true, "what": true, "are": true, "was": true, "for": true, "with": true,
	"who": true, "his": true, "her": true, "she": true, "they": true, "them": true, "our": true, "not": true, "all": true,
	"это": true, "что": true, "как": true, "так": true, "все": true, "для": true, "его": true, "она": true, "они": true,
	"bir": true, "bu": true, "şu": true, "ben": true, "için": true, "gibi": true, "ama": true, "daha": true, "çok": true,
}

// Reason priority when several labels are over threshold.
var reasonOrder = []struct {
	label  parley.Label
	reason parley.Reason
}{
	{parley.LabelHateSpeech, parley.ReasonHateSpeech},
	{parley.LabelPersonalAttack, parley.ReasonPersonalAttack},
	{parley.LabelObscenity, parley.ReasonObscenity},
	{parley.LabelSpam, parley.ReasonSpam},
}

// maxEvidence bounds the n-gram evidence spans per verdict.
const maxEvidence = 3

// Classify scores text. It implements parley.Classifier. The verdict has
// the language, a score in [0,1] per label, evidence spans (byte offsets into
// text) for word-list hits and for the words that pushed the top label up
// most, and a suggested reason when a label is over its threshold (priority
// hate_speech > personal_attack > obscenity > spam). It returns an error only
// when ctx is done.
func (m *Model) Classify(ctx context.Context, text string) (parley.Verdict, error) {
	if err := ctx.Err(); err != nil {
		return parley.Verdict{}, parley.WrapError(parley.EUNAVAILABLE, "Classification was cancelled.", err)
	}
	sc := m.getScratch()
	defer m.pool.Put(sc)
	return m.verdict(m.extract(text, sc), sc), nil
}

// verdict scores an analysed text.
func (m *Model) verdict(a analysis, sc *scratch) parley.Verdict {
	s := m.scores(a, sc)

	v := parley.Verdict{Language: a.lang, Scores: make(map[parley.Label]float64, nLabels)}
	for i, l := range parley.Labels {
		v.Scores[l] = s[i]
	}
	// Word-list evidence.
	addEv := func(from, to int, l parley.Label) {
		st, en := a.norm.Span(a.bounds[from][0], a.bounds[to-1][1])
		if st >= en {
			return
		}
		for _, e := range v.Evidence {
			if e.Start == st && e.End == en && e.Label == l {
				return
			}
		}
		v.Evidence = append(v.Evidence, parley.Evidence{Start: st, End: en, Label: l})
	}
	for _, h := range a.hits {
		addEv(h.from, h.to, catLabel[h.cat])
	}
	// N-gram evidence for the top label among toxic-type labels.
	var thr [nLabels]float64
	for i, l := range parley.Labels {
		thr[i] = m.Threshold(a.lang, l)
	}
	top, topScore := -1, 0.0
	for i := range parley.Labels {
		// A label near its threshold is explained (0.8 of it), except one
		// learned without human labels in this language: its n-grams are
		// what the distant floor distrusts ("sık", often, shares them with
		// "sik"), so it is explained only at the floor.
		near := thr[i] * 0.8
		if i != 0 && !m.tunedFor(a.lang, i) {
			near = thr[i]
		}
		if s[i] >= near && s[i] > topScore {
			top, topScore = i, s[i]
		}
	}
	if top >= 0 {
		contrib := sc.contrib[:0]
		for range a.bounds {
			contrib = append(contrib, 0)
		}
		sc.contrib = contrib
		mask := uint32(1)<<m.bits - 1
		for _, f := range sc.feats {
			if f.word >= 0 {
				contrib[f.word] += float64(m.weight(f.idx&mask, top) * f.val)
			}
		}
		ws := sc.ws[:0]
		for w, c := range contrib {
			if c > 0.25 && evidenceWorthy(a.words[w]) {
				ws = append(ws, wordContrib{int32(w), c})
			}
		}
		sc.ws = ws
		slices.SortFunc(ws, func(x, y wordContrib) int {
			if x.c != y.c {
				if x.c > y.c {
					return -1
				}
				return 1
			}
			return cmp.Compare(x.word, y.word)
		})
		for k, w := range ws {
			if k == maxEvidence {
				break
			}
			to := int(w.word) + 1
			if sc.link[w.word] != 0 {
				to = int(sc.linkEnd[w.word]) // the whole link, not its first word
			}
			addEv(int(w.word), to, parley.Labels[top])
		}
	}
	slices.SortStableFunc(v.Evidence, func(x, y parley.Evidence) int { return cmp.Compare(x.Start, y.Start) })

	for _, r := range reasonOrder {
		i := labelIndex(r.label)
		t := thr[i]
		if s[i] >= t {
			v.SuggestedReason = r.reason
			break
		}
	}
	return v
}

// Model file format: gzip of
//
//	magic "PARLEYCLS" version(uint8=4) bits(uint8) flags(uint8, version ≥ 3)
//	groupHateRate(float32, version ≥ 4)
//	thresholds(5×float32)
//	language thresholds: count(uint32), then name(len-prefixed) 5×float32
//	langid: count(uint32) then per language: name(len-prefixed) floor(float32)
//	        n(uint32) n×(hash uint32, logp float32)
//	weights: per label scale(float32), then (1<<bits)×5 int8 quantized weights.
//	semantic head, if flags has flagSemantic: see semantic.writeTo.
const (
	// measuredPrefix marks, among the language thresholds, those set from
	// measured precision (Model.measured). A reader that does not know it
	// sees a language no comment has.
	measuredPrefix = "measured:"
	modelMagic     = "PARLEYCLS"
	modelVersion   = 4
	// flagHierAttack marks a personal_attack head conditional on toxic.
	flagHierAttack = 1
	// flagSemantic marks a semantic head after the weights (version 4).
	flagSemantic = 2
)

// Save writes the model in its binary format (quantized to 8 bits per weight
// with one scale per label, gzip-compressed).
func (m *Model) Save(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	put := func(v any) {
		if err == nil {
			err = binary.Write(bw, binary.LittleEndian, v)
		}
	}
	bw.WriteString(modelMagic)
	put(uint8(modelVersion))
	put(m.bits)
	var flags uint8
	if m.hierAttack {
		flags |= flagHierAttack
	}
	if m.sem != nil {
		flags |= flagSemantic
	}
	put(flags)
	put(m.groupHateRate)
	put(m.thresholds)
	all := map[string][nLabels]float32{}
	for l, t := range m.langThresholds {
		all[l] = t
	}
	for l, t := range m.measured {
		all[measuredPrefix+l] = t
	}
	tl := make([]string, 0, len(all))
	for l := range all {
		tl = append(tl, l)
	}
	sort.Strings(tl)
	put(uint32(len(tl)))
	for _, l := range tl {
		put(uint8(len(l)))
		put([]byte(l))
		put(all[l])
	}
	langs := make([]string, 0, len(m.lang.profiles))
	for l := range m.lang.profiles {
		langs = append(langs, l)
	}
	sort.Strings(langs)
	put(uint32(len(langs)))
	for _, l := range langs {
		put(uint8(len(l)))
		put([]byte(l))
		put(m.lang.floor[l])
		p := m.lang.profiles[l]
		keys := make([]uint32, 0, len(p))
		for h := range p {
			keys = append(keys, h)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		put(uint32(len(keys)))
		for _, h := range keys {
			put(h)
			put(p[h])
		}
	}
	if m.q == nil {
		m.quantize()
	}
	put(m.scale)
	q := m.q
	put(q)
	if err != nil {
		return err
	}
	if m.sem != nil {
		if err := m.sem.writeTo(bw); err != nil {
			return err
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Load reads a model written by Save. A malformed model is an EINVALID error.
func Load(r io.Reader) (*Model, error) {
	bad := func(err error) error {
		return parley.WrapError(parley.EINVALID, "The classifier model is malformed.", err)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, bad(err)
	}
	br := bufio.NewReader(zr)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != modelMagic {
		return nil, bad(errors.New("bad magic"))
	}
	get := func(v any) {
		if err == nil {
			err = binary.Read(br, binary.LittleEndian, v)
		}
	}
	var version uint8
	m := &Model{lang: &langID{profiles: map[string]map[uint32]float32{}, floor: map[string]float32{}}}
	get(&version)
	get(&m.bits)
	var flags uint8
	if version >= 3 {
		get(&flags)
	}
	if version >= 4 {
		get(&m.groupHateRate)
	}
	m.hierAttack = flags&flagHierAttack != 0
	get(&m.thresholds)
	if err == nil && ((version < 2 || version > modelVersion) || m.bits < 8 || m.bits > 26) {
		return nil, bad(fmt.Errorf("version %d bits %d", version, m.bits))
	}
	var nt uint32
	get(&nt)
	if err == nil && nt > 64 {
		return nil, bad(fmt.Errorf("%d language thresholds", nt))
	}
	m.langThresholds = map[string][nLabels]float32{}
	for i := 0; i < int(nt) && err == nil; i++ {
		var ln uint8
		get(&ln)
		name := make([]byte, ln)
		get(name)
		var t [nLabels]float32
		get(&t)
		if lang, ok := strings.CutPrefix(string(name), measuredPrefix); ok {
			if m.measured == nil {
				m.measured = map[string][nLabels]float32{}
			}
			m.measured[lang] = t
			continue
		}
		m.langThresholds[string(name)] = t
	}
	var nl uint32
	get(&nl)
	if err == nil && nl > 64 {
		return nil, bad(fmt.Errorf("%d languages", nl))
	}
	for i := 0; i < int(nl) && err == nil; i++ {
		var ln uint8
		get(&ln)
		name := make([]byte, ln)
		get(name)
		var floor float32
		get(&floor)
		var n uint32
		get(&n)
		if err == nil && n > 1<<22 {
			return nil, bad(fmt.Errorf("profile of %d trigrams", n))
		}
		p := make(map[uint32]float32, n)
		for k := 0; k < int(n) && err == nil; k++ {
			var h uint32
			var lp float32
			get(&h)
			get(&lp)
			p[h] = lp
		}
		m.lang.profiles[string(name)] = p
		m.lang.floor[string(name)] = floor
	}
	m.lang.merge()
	var scale [nLabels]float32
	get(&scale)
	if err != nil {
		return nil, bad(err)
	}
	q := make([]int8, (1<<m.bits)*nLabels)
	get(q)
	if err != nil {
		return nil, bad(err)
	}
	m.q, m.scale = q, scale
	if flags&flagSemantic != 0 {
		if m.sem, err = readSemantic(br); err != nil {
			return nil, bad(err)
		}
	}
	if m.lex, err = loadLexicons(); err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "The classifier word lists are malformed.", err)
	}
	if m.hyVocab, err = hyVocab(); err != nil {
		return nil, parley.WrapError(parley.EINTERNAL, "The classifier word lists are malformed.", err)
	}
	return m, nil
}
