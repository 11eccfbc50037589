package classify

import (
	"embed"
	"math"
	"strings"

	"github.com/parley-comments/parley/textnorm"
)

// Language codes the classifier reports.
const (
	langEn     = "en"
	langRu     = "ru"
	langHy     = "hy"
	langHyLatn = "hy-Latn"
	langAz     = "az"
	langTr     = "tr"
	langUnd    = "und" // undetermined
)

// latinLangs are told apart by character trigram profiles.
var latinLangs = []string{langEn, langTr, langAz, langHyLatn}

//go:embed langdata/*.txt
var langdataFS embed.FS

// langID identifies the language of a normalized text: first by script
// (Armenian → hy, Cyrillic → ru), then, for Latin script, by a naive-Bayes
// score over character trigram profiles plus a few decisive letters and
// words (ə is Azerbaijani; q and x are Azerbaijani or Armenian translit,
// never Turkish).
type langID struct {
	// profiles[lang][trigram hash] is the log-probability of the trigram.
	profiles map[string]map[uint32]float32
	floor    map[string]float32
	// merged is an open-addressing table from trigram hash h to the
	// log-probabilities of h in each of latinLangs, built by merge for one
	// cheap lookup per trigram. A zero key marks an empty slot.
	mergedKeys []uint32
	mergedVals [][4]float32
	mergedMask uint32
}

// lookup returns the log-probabilities of trigram h, if it is known.
func (id *langID) lookup(h uint32) ([4]float32, bool) {
	if h == 0 || len(id.mergedKeys) == 0 {
		return [4]float32{}, false
	}
	for i := h & id.mergedMask; ; i = (i + 1) & id.mergedMask {
		switch id.mergedKeys[i] {
		case h:
			return id.mergedVals[i], true
		case 0:
			return [4]float32{}, false
		}
	}
}

// merge builds the merged table from id.profiles.
func (id *langID) merge() {
	merged := map[uint32][4]float32{}
	for _, lang := range latinLangs {
		for h := range id.profiles[lang] {
			if _, ok := merged[h]; ok || h == 0 {
				continue
			}
			var v [4]float32
			for j, l2 := range latinLangs {
				p, ok := id.profiles[l2][h]
				if !ok {
					p = id.floor[l2]
				}
				v[j] = p
			}
			merged[h] = v
		}
	}
	size := 16
	for size < 2*len(merged) {
		size *= 2
	}
	id.mergedKeys = make([]uint32, size)
	id.mergedVals = make([][4]float32, size)
	id.mergedMask = uint32(size - 1)
	for h, v := range merged {
		i := h & id.mergedMask
		for id.mergedKeys[i] != 0 {
			i = (i + 1) & id.mergedMask
		}
		id.mergedKeys[i], id.mergedVals[i] = h, v
	}
}

// maxLangTrigrams bounds the trigrams detect reads: a long comment is
// decided by its beginning.
const maxLangTrigrams = 300

// profileBudget caps the text used per language so that every profile is
// estimated from a similar amount of text.
const profileBudget = 16 << 10

// buildLangID estimates profiles from sample texts by language.
func buildLangID(samples map[string][]string) *langID {
	id := &langID{profiles: map[string]map[uint32]float32{}, floor: map[string]float32{}}
	for _, lang := range latinLangs {
		counts := map[uint32]int{}
		total, used := 0, 0
		for _, s := range samples[lang] {
			if used > profileBudget {
				break
			}
			norm := withoutLinks(normalizeText(s))
			used += len(norm)
			eachTrigram(norm, func(h uint32) bool {
				counts[h]++
				total++
				return true
			})
		}
		const alpha, vocab = 0.5, 20000
		denom := float64(total) + alpha*vocab
		p := make(map[uint32]float32, len(counts))
		for h, c := range counts {
			p[h] = float32(math.Log((float64(c) + alpha) / denom))
		}
		id.profiles[lang] = p
		id.floor[lang] = float32(math.Log(alpha / denom))
	}
	id.merge()
	return id
}

// langSamples returns the embedded Azerbaijani and Armenian-translit
// samples written for Parley.
func langSamples() (map[string][]string, error) {
	out := map[string][]string{}
	for lang, file := range map[string]string{langAz: "langdata/az.txt", langHyLatn: "langdata/hy-latn.txt"} {
		b, err := langdataFS.ReadFile(file)
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				out[lang] = append(out[lang], line)
			}
		}
	}
	return out, nil
}

// eachTrigram calls fn with the hash of every letter trigram of the words
// of norm, each word padded with spaces, until fn returns false.
func eachTrigram(norm string, fn func(uint32) bool) {
	var buf [64]rune
	rs := buf[:0]
	emit := func(rs []rune) bool {
		for i := 0; i+3 <= len(rs); i++ {
			h := hashSeed('l')
			h = hashRune(h, rs[i])
			h = hashRune(h, rs[i+1])
			h = hashRune(h, rs[i+2])
			if !fn(h) {
				return false
			}
		}
		return true
	}
	inWord := false
	for _, r := range norm {
		if !textnorm.IsLetter(r) {
			if inWord {
				rs = append(rs, ' ')
				if !emit(rs) {
					return
				}
				inWord = false
			}
			continue
		}
		if !inWord {
			rs = append(buf[:0], ' ')
			inWord = true
		}
		if len(rs) < len(buf)-1 {
			rs = append(rs, r)
		}
	}
	if inWord {
		rs = append(rs, ' ')
		emit(rs)
	}
}

// appendTrigrams appends to dst the hashes of the first limit trigrams that
// eachTrigram would report for norm, in the same order.
func appendTrigrams(dst []uint32, norm string, limit int) []uint32 {
	var buf [64]rune
	rs := buf[:0]
	emit := func(rs []rune) bool {
		for i := 0; i+3 <= len(rs); i++ {
			if len(dst) == limit {
				return false
			}
			h := hashSeed('l')
			h = hashRune(h, rs[i])
			h = hashRune(h, rs[i+1])
			h = hashRune(h, rs[i+2])
			dst = append(dst, h)
		}
		return true
	}
	inWord := false
	for _, r := range norm {
		var letter bool
		if r < 0x80 {
			letter = 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		} else {
			letter = textnorm.IsLetter(r)
		}
		if !letter {
			if inWord {
				rs = append(rs, ' ')
				if !emit(rs) {
					return dst
				}
				inWord = false
			}
			continue
		}
		if !inWord {
			rs = append(buf[:0], ' ')
			inWord = true
		}
		if len(rs) < len(buf)-1 {
			rs = append(rs, r)
		}
	}
	if inWord {
		rs = append(rs, ' ')
		emit(rs)
	}
	return dst
}

// Decisive words: frequent in one language and rare in the others.
var (
	azWords = map[string]bool{"və": true, "mən": true, "sən": true, "deyil": true, "üçün": true, "nə": true,
		"yox": true, "çox": true, "necə": true, "niyə": true, "qardaş": true, "ilə": true, "edirəm": true, "salam": true,
		"necesen": true, "cox": true, "yaxsi": true, "qardas": true}
	hyLatnWords = map[string]bool{"barev": true, "baref": true, "inch": true, "inchpes": true, "inchu": true, "chem": true,
		"shat": true, "lav": true, "axper": true, "aper": true, "ara": true, "bari": true, "chka": true, "ka": true,
		"vor": true, "es": true, "em": true, "chi": true, "hima": true, "jan": true, "vonc": true, "vonces": true,
		"apres": true, "aprek": true, "shnorhakal": true, "mer": true, "du": true, "voch": true, "ov": true}
	trWords = map[string]bool{"ve": true, "bir": true, "bu": true, "ben": true, "sen": true, "değil": true, "için": true,
		"ne": true, "çok": true, "gibi": true, "ama": true, "da": true, "de": true, "ki": true, "var": true, "yok": true,
		"mı": true, "mi": true, "ile": true, "olan": true, "daha": true}
	enWords = map[string]bool{"the": true, "and": true, "is": true, "you": true, "to": true, "of": true, "a": true,
		"in": true, "that": true, "it": true, "are": true, "this": true, "for": true, "not": true, "he": true, "she": true}
)

// Decisive-word bits, indexed like latinLangs.
const (
	decEn = 1 << iota
	decTr
	decAz
	decHyLatn
)

// decisiveWords maps every decisive word to the languages it counts for,
// so that detect needs one lookup per word.
var decisiveWords = func() map[string]uint8 {
	out := map[string]uint8{}
	for _, x := range []struct {
		words map[string]bool
		bit   uint8
	}{{enWords, decEn}, {trWords, decTr}, {azWords, decAz}, {hyLatnWords, decHyLatn}} {
		for w := range x.words {
			out[w] |= x.bit
		}
	}
	return out
}()

// decisiveMaxLen is the byte length of the longest decisive word.
var decisiveMaxLen = func() int {
	n := 0
	for w := range decisiveWords {
		n = max(n, len(w))
	}
	return n
}()

// detect returns the language of normalized text and its words.
func (id *langID) detect(norm string, words []string) string {
	var arm, cyr, lat, other int
	for _, r := range norm {
		switch {
		case r < 0x80:
			if 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
				lat++
			}
		case !textnorm.IsLetter(r):
		case isArmenian(r):
			arm++
		case textnorm.IsCyrillic(r):
			cyr++
		case textnorm.IsLatin(r):
			lat++
		default:
			other++
		}
	}
	switch {
	case arm == 0 && cyr == 0 && lat == 0:
		return langUnd
	case arm >= cyr && arm >= lat:
		return langHy
	case cyr >= lat:
		return langRu
	case other > lat:
		return langUnd
	}
	if id == nil || len(id.profiles) == 0 {
		return langEn
	}
	var sum [4]float64
	var floors [4]float32
	for k, lang := range latinLangs {
		floors[k] = id.floor[lang]
	}
	var hbuf [maxLangTrigrams]uint32
	hs := appendTrigrams(hbuf[:0], norm, maxLangTrigrams)
	n := len(hs)
	for _, h := range hs {
		v, ok := id.lookup(h)
		if !ok {
			v = floors
		}
		sum[0] += float64(v[0])
		sum[1] += float64(v[1])
		sum[2] += float64(v[2])
		sum[3] += float64(v[3])
	}
	if n == 0 {
		return langEn
	}
	// score is indexed like latinLangs: en, tr, az, hy-Latn.
	const en, tr, az, hyl = 0, 1, 2, 3
	var score [4]float64
	for k := range latinLangs {
		score[k] = sum[k] / float64(n)
	}
	// Decisive letters and words, weighted per word so that long texts are
	// decided by their trigrams.
	bonus := 3.0 / float64(len(words)+1)
	for _, w := range words {
		if len(w) > decisiveMaxLen {
			continue
		}
		d := decisiveWords[w]
		if d == 0 {
			continue
		}
		if d&decAz != 0 {
			score[az] += bonus
		}
		if d&decHyLatn != 0 {
			score[hyl] += bonus
		}
		if d&decTr != 0 {
			score[tr] += bonus
		}
		if d&decEn != 0 {
			score[en] += bonus
		}
	}
	if strings.ContainsRune(norm, 'ə') {
		score[az] += 2
	}
	if strings.ContainsAny(norm, "qx") {
		score[tr] -= 0.5
	}
	if hasTurkishLetter(norm) {
		score[en] -= 1
		score[hyl] -= 1
	}
	// Ties go to the first in alphabetical order of the codes, then to en.
	best := en
	for _, k := range [4]int{az, en, hyl, tr} {
		if score[k] > score[best] {
			best = k
		}
	}
	return latinLangs[best]
}
