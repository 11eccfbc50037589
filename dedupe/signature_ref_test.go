package dedupe

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parley-comments/parley/textnorm"
)

// refSignNormalized is the signature with its MinHash values computed as
// they were before the shingle hashes were batched (every shingle updating
// every minimum in turn): the equivalence tests hold the new code to it.
// Only the MinHash values' code changed; the counts and the key come from
// signTokens.
func refSignNormalized(norm string) Signature {
	sig := SignNormalized(norm)
	refShingleMins(strings.Join(normTokens(norm), " "), ShingleRunes, sig.Mins[:])
	return sig
}

func refShingleMins(s string, k int, mins []uint32) {
	for i := range mins {
		mins[i] = ^uint32(0)
	}
	if s == "" {
		return
	}
	var offs []int
	for i := range s {
		offs = append(offs, i)
	}
	offs = append(offs, len(s))
	nr := len(offs) - 1
	add := func(h uint64) {
		for i := range mins {
			if v := uint32((hashA[i]*h + hashB[i]) >> 32); v < mins[i] {
				mins[i] = v
			}
		}
	}
	if nr < k {
		add(fnv64(s))
		return
	}
	for i := 0; i+k <= nr; i++ {
		add(fnv64(s[offs[i]:offs[i+k]]))
	}
}

// TestSignMatchesReference compares the signature with the reference
// implementation on generated comments of every length (up to several
// thousand shingles, past the block size), on the stock and edge texts,
// and on random bytes and runes.
func TestSignMatchesReference(t *testing.T) {
	t.Parallel()
	texts := []string{"", "a", "ab", "abcd", "abcde", "abcdef", "Thank you!", "+1", "👍", campaignText,
		"ŞIK İstanbul ı i\u200b\u0301 \xff\xfe", "Շնորհակալություն, շատ լավ հոդված է", "KKKKKKK$"}
	g := newWordSalad(7)
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		for n := i % 40; n >= 0; n-- {
			b.WriteString(g.text())
			b.WriteByte(' ')
		}
		texts = append(texts, b.String(), g.text())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("aбцdеfӘəıİşաբգ 0123456789.,\u200b\xff")
	for i := 0; i < 2000; i++ {
		r := make([]rune, rng.IntN(600))
		for j := range r {
			r[j] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(r))
		b := make([]byte, rng.IntN(300))
		for j := range b {
			b[j] = byte(rng.UintN(256))
		}
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		norm := textnorm.Normalize(text).Text
		if got, want := SignNormalized(norm), refSignNormalized(norm); got != want {
			t.Fatalf("SignNormalized(%q) differs from the reference:\n got %+v\nwant %+v", norm, got, want)
		}
		if got, want := Sign(text), refSignNormalized(norm); got != want {
			t.Fatalf("Sign(%q) differs from the reference", text)
		}
	}
}

// typicalNorms returns the normalized texts of 100 typical comments.
func typicalNorms() []string {
	g := newWordSalad(1)
	norms := make([]string, 100)
	for i := range norms {
		norms[i] = textnorm.Normalize(g.text()).Text
	}
	return norms
}

// BenchmarkSignNormalized measures the signature of one typical comment
// whose normalized text is already known (the import's case).
func BenchmarkSignNormalized(b *testing.B) {
	norms := typicalNorms()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		SignNormalized(norms[i%len(norms)])
	}
}

// BenchmarkSignNormalizedReference is BenchmarkSignNormalized of the
// reference implementation, for the A/B.
func BenchmarkSignNormalizedReference(b *testing.B) {
	norms := typicalNorms()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		refSignNormalized(norms[i%len(norms)])
	}
}
