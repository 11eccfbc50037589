package classify

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"slices"
	"sync"
)

// Lists generated from registry packages (`make lexicon`, see
// lists_gen_test.go and lexicon/gen/NOTICE):
//   - lexicon/gen/<lang>-*.txt join the word list of <lang> (loadLexicons):
//     the obscene entries of naughty-words that Parley's own lists lack,
//     filtered against civil comments;
//   - hyTranslitFile: Armenian word forms of tesseract-ocr-hye in canonical
//     Latin translit, without English and Azerbaijani forms, which tell
//     Armenian translit from English and Turkic text (hyTranslitVote).
const hyTranslitFile = "hy-translit-vocab.txt.gz"

// hyVocab is the set of hyTranslitFile's forms as sorted 64-bit hashes.
var hyVocab = sync.OnceValues(func() ([]uint64, error) {
	b, err := lexiconFS.ReadFile("lexicon/gen/" + hyTranslitFile)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var hs []uint64
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		if w := sc.Bytes(); len(w) > 0 && w[0] != '#' {
			hs = append(hs, hash64(w))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	slices.Sort(hs)
	return slices.Compact(hs), nil
})

// hash64 is 64-bit FNV-1a.
func hash64[T string | []byte](b T) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i])
		h *= 1099511628211
	}
	return h
}

// Armenian translit is recognized (hyTranslitVote) when at least
// hyVoteMin of the Latin words of 3 or more letters, and at least
// hyVoteShare of them, are Armenian forms that are not English or
// Azerbaijani words. The vote stops after hyVoteLook such words without
// any Armenian one. Measured on Parley's dev sets and 3,000 rows each of
// OLID and OffensEval-TR (see docs/model-card.md).
const (
	hyVoteMin   = 2
	hyVoteShare = 0.3
	hyVoteLook  = 8
)

// hyTranslitVote reports whether a Latin text that language identification
// took for en, tr or az is Armenian translit by its vocabulary.
func (m *Model) hyTranslitVote(words []string, skip []bool) bool {
	if m.hyVocab == nil {
		return false
	}
	n, k := 0, 0
	for i, w := range words {
		if skip[i] || len(w) < 3 || wordScript(w) != 1 {
			continue
		}
		n++
		if k == 0 && n > hyVoteLook {
			return false
		}
		if m.sem != nil && m.sem.known(w) {
			continue
		}
		if _, found := slices.BinarySearch(m.hyVocab, hash64(featureWord(w, langHyLatn))); found {
			k++
		}
	}
	return k >= hyVoteMin && float64(k) >= hyVoteShare*float64(n)
}
