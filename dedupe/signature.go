package dedupe

import (
	"strings"
	"unicode/utf8"

	"github.com/parley-comments/parley/textnorm"
)

// Signature parameters. A signature is NumHashes MinHash values over the
// set of ShingleRunes-rune shingles of the normalized word sequence. LSH
// splits it into Bands bands of Rows values each; two texts become
// candidates when any band agrees exactly. See docs/duplicates.md for how
// these were chosen.
const (
	ShingleRunes = 5
	Bands        = 16
	Rows         = 4
	NumHashes    = Bands * Rows
)

// Signature is what the index keeps of a text: MinHash values for
// similarity, an exact-text key for commonness, and the counts that decide
// whether the text is long and informative enough to form a cluster. It
// holds no text.
type Signature struct {
	// Mins holds the MinHash values, one per hash function.
	Mins [NumHashes]uint32
	// Key is a 64-bit hash of the normalized words, equal for texts that
	// differ only in case, punctuation, white space, symbols, look-alike
	// letters or invisible characters.
	Key uint64
	// Words is the number of word tokens (runs of letters and digits).
	Words int
	// Informative is the number of word tokens of at least three letters
	// that are not on the built-in stoplist of function words and
	// courtesy words.
	Informative int
	// Runes is the number of letters and digits.
	Runes int
	// Stock reports that the whole text is one of the built-in common
	// short replies ("thank you", "+1", "спасибо", ...).
	Stock bool
}

// hash coefficients for the NumHashes multiply-shift hash functions,
// fixed so that every instance computes the same signatures.
var hashA, hashB [NumHashes]uint64

func init() {
	s := uint64(0x9E3779B97F4A7C15)
	next := func() uint64 { // splitmix64
		s += 0x9E3779B97F4A7C15
		z := s
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		return z ^ (z >> 31)
	}
	for i := range hashA {
		hashA[i] = next() | 1
		hashB[i] = next()
	}
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv64(s string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// mix64 is a strong 64-bit finalizer (from splitmix64).
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// tokens returns the normalized word tokens of text, with dotless "ı"
// folded to "i" as textnorm.DuplicateKey does.
func tokens(text string) []string { return normTokens(textnorm.Normalize(text).Text) }

// normTokens is tokens of a text already normalized.
func normTokens(norm string) []string {
	ws := textnorm.Words(norm)
	for i, w := range ws {
		if strings.ContainsRune(w, 'ı') {
			ws[i] = strings.ReplaceAll(w, "ı", "i")
		}
	}
	return ws
}

// Sign computes the signature of text.
func Sign(text string) Signature {
	return signTokens(tokens(text))
}

// SignNormalized is Sign of a text already normalized (norm is
// textnorm.Normalize(text).Text), for a caller that also needs the
// normalized text for something else.
func SignNormalized(norm string) Signature { return signTokens(normTokens(norm)) }

func signTokens(ws []string) Signature {
	var sig Signature
	sig.Words = len(ws)
	joined := strings.Join(ws, " ")
	sig.Key = mix64(fnv64(joined))
	for _, w := range ws {
		n := utf8.RuneCountInString(w)
		sig.Runes += n
		if n >= 3 && !isStopword(w) {
			sig.Informative++
		}
	}
	sig.Stock = isStockReply(ws)
	shingleMins(joined, ShingleRunes, &sig.Mins)
	return sig
}

// shingleBlock is how many shingle hashes shingleMins collects before it
// folds them into the minimums.
const shingleBlock = 128

// shingleMins fills mins with the MinHash of the set of k-rune shingles of
// s. A text shorter than k runes is one shingle; the empty text has all
// values at the maximum.
//
// The shingles' hashes are collected a block at a time, and each hash
// function then runs over the whole block with its coefficients and its
// minimum in registers (instead of every shingle updating all NumHashes
// minimums in memory), four hash functions per pass over the block: the
// same values, in fewer instructions
// (BenchmarkSignNormalized). A ring of the last k+1 rune starts replaces
// a slice of every rune start, so a long text allocates nothing.
func shingleMins(s string, k int, mins *[NumHashes]uint32) {
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	if s == "" {
		return
	}
	var block [shingleBlock]uint64
	n := 0
	flush := func() {
		hs := block[:n]
		for i := 0; i < NumHashes; i += 4 {
			a0, a1, a2, a3 := hashA[i], hashA[i+1], hashA[i+2], hashA[i+3]
			b0, b1, b2, b3 := hashB[i], hashB[i+1], hashB[i+2], hashB[i+3]
			m0, m1, m2, m3 := mins[i], mins[i+1], mins[i+2], mins[i+3]
			for _, h := range hs {
				m0 = min(m0, uint32((a0*h+b0)>>32))
				m1 = min(m1, uint32((a1*h+b1)>>32))
				m2 = min(m2, uint32((a2*h+b2)>>32))
				m3 = min(m3, uint32((a3*h+b3)>>32))
			}
			mins[i], mins[i+1], mins[i+2], mins[i+3] = m0, m1, m2, m3
		}
		n = 0
	}
	// ring[r%ringSize] is the byte offset of rune r.
	const ringSize = 16
	if k >= ringSize {
		panic("dedupe: shingle longer than the ring")
	}
	var ring [ringSize]int
	r := 0
	for i := range s {
		ring[r%ringSize] = i
		if r >= k {
			block[n] = fnv64(s[ring[(r-k)%ringSize]:i])
			if n++; n == shingleBlock {
				flush()
			}
		}
		r++
	}
	if r < k {
		block[0], n = fnv64(s), 1
	} else {
		block[n] = fnv64(s[ring[(r-k)%ringSize]:])
		n++
	}
	flush()
}

// bandKey returns the LSH key of band b of sig, salted with the site so
// that different sites never share buckets.
func bandKey(site uint32, sig *Signature, b int) uint32 {
	h := uint64(fnvOffset) ^ uint64(site)<<8 ^ uint64(b)
	for _, v := range sig.Mins[b*Rows : (b+1)*Rows] {
		h = (h ^ uint64(v)) * fnvPrime
	}
	return uint32(mix64(h))
}

// Similarity estimates the Jaccard similarity of the shingle sets of two
// signatures: the share of MinHash values that agree.
func Similarity(a, b *Signature) float64 {
	n := 0
	for i := range a.Mins {
		if a.Mins[i] == b.Mins[i] {
			n++
		}
	}
	return float64(n) / NumHashes
}
