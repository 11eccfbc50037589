package dedupe

import (
	"encoding/csv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// loadDatasetTexts reads the text column of every *.train.csv in dir,
// dropping the corpora's placeholder tokens (@USER, URL, RT).
func loadDatasetTexts(tb testing.TB, dir string) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.train.csv"))
	if err != nil || len(files) == 0 {
		tb.Skipf("no datasets in %s", dir)
	}
	var out []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		r := csv.NewReader(fh)
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		fh.Close()
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		for _, row := range rows[1:] {
			if len(row) == 0 {
				continue
			}
			var kept []string
			for _, w := range strings.Fields(row[0]) {
				if w == "@USER" || w == "URL" || w == "RT" || strings.HasPrefix(w, "@") || strings.HasPrefix(w, "http") {
					continue
				}
				kept = append(kept, w)
			}
			out = append(out, strings.Join(kept, " "))
		}
	}
	return out
}

var (
	emojis     = []string{"👍", "🔥", "😡", "🇦🇲", "💯", "🙏", "‼️"}
	extraWords = []string{"really", "honestly", "folks", "again", "today", "people", "truth", "share", "everyone", "now"}
	lookalike  = map[rune]rune{'a': 'а', 'e': 'е', 'o': 'о', 'c': 'с', 'p': 'р', 'x': 'х', 'y': 'у'}
)

// mutation kinds, each a small edit someone copying a campaign text makes.
const (
	mutCase = iota
	mutPunct
	mutLookalike
	mutZeroWidth
	mutEmoji
	mutTypo
	mutAddWord
	mutDropWord
	numMutations
)

// editMutations are the kinds that change the words, not just their
// surface form.
func isEdit(k int) bool { return k == mutTypo || k == mutAddWord || k == mutDropWord }

// mutate applies one mutation of kind k to s.
func mutate(rng *rand.Rand, s string, k int) string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return s
	}
	i := rng.IntN(len(words))
	switch k {
	case mutCase:
		if rng.IntN(2) == 0 {
			return strings.ToUpper(s)
		}
		words[i] = strings.ToUpper(words[i])
	case mutPunct:
		words[i] += []string{"!!!", ",", "...", "?!", " -"}[rng.IntN(5)]
	case mutLookalike:
		rs := []rune(s)
		for j, r := range rs {
			if l, ok := lookalike[r]; ok && rng.IntN(3) == 0 {
				rs[j] = l
			}
		}
		return string(rs)
	case mutZeroWidth:
		w := words[i]
		if n := utf8.RuneCountInString(w); n > 1 {
			rs := []rune(w)
			p := 1 + rng.IntN(n-1)
			words[i] = string(rs[:p]) + "\u200b" + string(rs[p:])
		}
	case mutEmoji:
		words[i] += " " + emojis[rng.IntN(len(emojis))]
	case mutTypo:
		rs := []rune(words[i])
		letters := 0
		for _, r := range rs {
			if unicode.IsLetter(r) {
				letters++
			}
		}
		if letters < 2 {
			return s
		}
		p := rng.IntN(len(rs))
		switch rng.IntN(3) {
		case 0: // delete
			rs = append(rs[:p:p], rs[p+1:]...)
		case 1: // swap with next
			if p+1 < len(rs) {
				rs[p], rs[p+1] = rs[p+1], rs[p]
			}
		default: // double a letter
			rs = append(rs[:p+1:p+1], rs[p:]...)
		}
		words[i] = string(rs)
	case mutAddWord:
		w := extraWords[rng.IntN(len(extraWords))]
		words = append(words[:i:i], append([]string{w}, words[i:]...)...)
	case mutDropWord:
		if len(words) > 3 {
			words = append(words[:i:i], words[i+1:]...)
		}
	}
	return strings.Join(words, " ")
}

// shingleSet returns the exact set of k-rune shingles Sign hashes, for
// measuring true Jaccard similarity in tests.
func shingleSet(text string) map[string]bool {
	s := strings.Join(tokens(text), " ")
	rs := []rune(s)
	set := make(map[string]bool)
	if len(rs) < ShingleRunes {
		set[s] = true
		return set
	}
	for i := 0; i+ShingleRunes <= len(rs); i++ {
		set[string(rs[i:i+ShingleRunes])] = true
	}
	return set
}

func jaccard(a, b map[string]bool) float64 {
	inter := 0
	for k := range a {
		if b[k] {
			inter++
		}
	}
	union := len(a) + len(b) - inter
	if union == 0 {
		return 1
	}
	return float64(inter) / float64(union)
}
