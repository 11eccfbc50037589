package dedupe

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// TestTune measures precision and recall of near-duplicate matching on
// real comments with simulated copy-paste edits, at several similarity
// thresholds. It needs the shared datasets:
//
//	PARLEY_DATASETS=/work/shared/datasets go test -run TestTune -v ./dedupe
//
// The figures in docs/duplicates.md come from this test.
func TestTune(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("PARLEY_DATASETS")
	if dir == "" {
		t.Skip("set PARLEY_DATASETS to the datasets directory")
	}
	all := loadDatasetTexts(t, dir)
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })

	ix := NewIndex(Options{Threshold: 0.2})
	var texts []string
	seenKey := map[uint64]bool{}
	for _, s := range all {
		sig := Sign(s)
		if ix.shortReason(&sig) != "" || seenKey[sig.Key] {
			continue
		}
		seenKey[sig.Key] = true
		texts = append(texts, s)
	}
	const queries = 2000
	heldOut := texts[len(texts)-queries:]
	texts = texts[:len(texts)-queries]
	t.Logf("corpus: %d dataset rows, %d eligible distinct texts indexed, %d held out", len(all), len(texts), len(heldOut))

	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	idOf := map[string]int{}
	for i, s := range texts {
		id := fmt.Sprintf("c%07d", i)
		idOf[id] = i
		ix.Add(Doc{SiteID: "s", CommentID: id, AuthorKey: "a" + strconv.Itoa(i), Text: s, At: base.Add(time.Duration(i) * time.Second)})
	}
	at := base.Add(time.Duration(len(texts)) * time.Second)
	thresholds := []float64{0.3, 0.4, 0.5, 0.6, 0.7}

	// estimate returns the similarity the index estimates between a
	// query signature and a stored comment.
	estimate := func(sig *Signature, id string) float64 {
		r := ix.byID[id]
		var short [NumHashes]uint8
		for i, v := range sig.Mins {
			short[i] = uint8(v)
		}
		m := float64(agree(&(*r.seg.rec(r.i)).sig, &short)) / NumHashes
		return (m - 1.0/256) / (1 - 1.0/256)
	}

	type level struct {
		name    string
		surface int // surface-only mutations (case, punctuation, look-alikes, zero-width, emoji)
		edits   int // word edits (typo, added word, dropped word)
	}
	levels := []level{
		{"surface changes only (3)", 3, 0},
		{"1 word edit + 2 surface", 2, 1},
		{"2 word edits + 2 surface", 2, 2},
		{"3 word edits + 2 surface", 2, 3},
		{"5 word edits + 2 surface", 2, 5},
	}
	for _, lv := range levels {
		tp := make([]int, len(thresholds))
		fp := make([]int, len(thresholds))
		dup := make([]int, len(thresholds)) // fp that are near-duplicates already in the corpus
		var jSum float64
		for q := 0; q < queries; q++ {
			oi := rng.IntN(len(texts))
			m := texts[oi]
			for k := 0; k < lv.surface; k++ {
				kind := rng.IntN(numMutations)
				for isEdit(kind) {
					kind = rng.IntN(numMutations)
				}
				m = mutate(rng, m, kind)
			}
			for k := 0; k < lv.edits; k++ {
				m = mutate(rng, m, []int{mutTypo, mutAddWord, mutDropWord}[rng.IntN(3)])
			}
			jSum += jaccard(shingleSet(m), shingleSet(texts[oi]))
			sig := Sign(m)
			res := ix.check(Doc{SiteID: "s", CommentID: "q", AuthorKey: "query", Text: m, At: at}, &sig)
			for ti, th := range thresholds {
				for _, id := range res.Matches {
					if estimate(&sig, id) < th {
						continue
					}
					if idOf[id] == oi {
						tp[ti]++
					} else {
						fp[ti]++
						if jaccard(shingleSet(m), shingleSet(texts[idOf[id]])) >= 0.5 {
							dup[ti]++
						}
					}
				}
			}
		}
		t.Logf("%-28s mean true Jaccard %.3f", lv.name, jSum/queries)
		for ti, th := range thresholds {
			prec := 1.0
			if tp[ti]+fp[ti] > 0 {
				prec = float64(tp[ti]) / float64(tp[ti]+fp[ti])
			}
			t.Logf("    threshold %.1f: recall %.4f  precision %.4f  (tp %d, fp %d, of which %d have true Jaccard >= 0.5 with the query: near-duplicates already in the corpus)",
				th, float64(tp[ti])/queries, prec, tp[ti], fp[ti], dup[ti])
		}
	}

	// Unrelated comments (not in the index) should match nothing.
	fp := make([]int, len(thresholds))
	dup := make([]int, len(thresholds))
	anyFP := make([]int, len(thresholds))
	var examples []string
	for _, s := range heldOut {
		sig := Sign(s)
		res := ix.check(Doc{SiteID: "s", CommentID: "q", AuthorKey: "query", Text: s, At: at}, &sig)
		for ti, th := range thresholds {
			n := 0
			for _, id := range res.Matches {
				if estimate(&sig, id) >= th {
					n++
					if jaccard(shingleSet(s), shingleSet(texts[idOf[id]])) >= 0.5 {
						dup[ti]++
					}
					if th == DefaultThreshold && len(examples) < 5 {
						examples = append(examples, fmt.Sprintf("%q ~ %q (true J %.2f)", s, texts[idOf[id]], jaccard(shingleSet(s), shingleSet(texts[idOf[id]]))))
					}
				}
			}
			fp[ti] += n
			if n > 0 {
				anyFP[ti]++
			}
		}
	}
	t.Logf("unrelated held-out comments (%d):", len(heldOut))
	for ti, th := range thresholds {
		t.Logf("    threshold %.1f: %d matches (%d of them true Jaccard >= 0.5: corpus near-duplicates), %d queries with any match (%.4f)",
			th, fp[ti], dup[ti], anyFP[ti], float64(anyFP[ti])/float64(len(heldOut)))
	}
	for _, e := range examples {
		t.Logf("    example at the default threshold: %s", e)
	}
}
