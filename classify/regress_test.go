package classify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/parley-comments/parley"
)

// The output regression test pins Classify's exact outputs (language,
// scores to 1e-9, evidence spans, suggested reason) for a fixed sample of
// dev-split texts from ../shared/datasets and for the test texts of this
// package. The repository stores only a hash of each dataset text, never the
// text itself; the texts are read from the datasets at test time.
//
// Regenerate after a deliberate model change with
//
//	go test ./classify -run TestOutputRegression -update-golden
//
// Set PARLEY_EQUIV_REF=/some/file.json to check every dev-split row instead:
// the first run writes the file, later runs compare against it.

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden_scores.json")

const (
	goldenFile      = "testdata/golden_scores.json"
	datasetsDir     = "../../shared/datasets"
	goldenPerSource = 50
)

// goldenOut is the pinned output for one text.
type goldenOut struct {
	Hash     string    `json:"hash"`
	Lang     string    `json:"lang"`
	Scores   []float64 `json:"scores"`
	Evidence [][3]any  `json:"evidence"`
	Reason   string    `json:"reason,omitempty"`
}

func textHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

func outputOf(t testing.TB, m *Model, text string) goldenOut {
	t.Helper()
	v, err := m.Classify(context.Background(), text)
	if err != nil {
		t.Fatalf("Classify: %v", err)
	}
	g := goldenOut{Hash: textHash(text), Lang: v.Language, Reason: string(v.SuggestedReason), Evidence: [][3]any{}}
	for _, l := range parley.Labels {
		g.Scores = append(g.Scores, v.Scores[l])
	}
	for _, e := range v.Evidence {
		g.Evidence = append(g.Evidence, [3]any{e.Start, e.End, string(e.Label)})
	}
	return g
}

// sameOutput reports the first difference between want and got, or "".
func sameOutput(want, got goldenOut) string {
	if want.Lang != got.Lang {
		return fmt.Sprintf("language %s, want %s", got.Lang, want.Lang)
	}
	if want.Reason != got.Reason {
		return fmt.Sprintf("reason %q, want %q", got.Reason, want.Reason)
	}
	if len(want.Scores) != len(got.Scores) {
		return fmt.Sprintf("%d scores, want %d", len(got.Scores), len(want.Scores))
	}
	for i := range want.Scores {
		if math.Abs(want.Scores[i]-got.Scores[i]) > 1e-9 {
			return fmt.Sprintf("score %s = %.12f, want %.12f", parley.Labels[i], got.Scores[i], want.Scores[i])
		}
	}
	w, _ := json.Marshal(want.Evidence)
	g, _ := json.Marshal(got.Evidence)
	if string(w) != string(g) {
		return fmt.Sprintf("evidence %s, want %s", g, w)
	}
	return ""
}

// devTexts returns the dev-split texts of every dataset file by source, or
// nil if the datasets are absent.
func devTexts(t testing.TB) map[string][]string {
	t.Helper()
	all := datasetRows(t)
	if all == nil {
		return nil
	}
	out := map[string][]string{}
	for name, rows := range all {
		for _, row := range rows {
			if SplitOf(row.Text) == SplitDev {
				out[name] = append(out[name], row.Text)
			}
		}
	}
	return out
}

// datasetRows reads every *.train.csv of ../shared/datasets, by file name;
// nil if the datasets are absent.
func datasetRows(t testing.TB) map[string][]Row {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(datasetsDir, "*.train.csv"))
	if len(files) == 0 {
		return nil
	}
	out := map[string][]Row{}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := ReadCSV(r)
		r.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = rows
	}
	return out
}

// packageTexts are the test texts of this package (goldens, political
// regression set, held-out language sentences).
func packageTexts() []string {
	var out []string
	for _, g := range goldens {
		out = append(out, g.text)
	}
	for _, lang := range sortedKeys(political) {
		out = append(out, political[lang]...)
	}
	for _, lang := range sortedKeys(heldOut) {
		out = append(out, heldOut[lang]...)
	}
	return append(out, benchText)
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// goldenSample picks goldenPerSource dev texts of each source, the first by
// hash, so that the choice does not depend on row order.
func goldenSample(dev map[string][]string) []string {
	var out []string
	for _, src := range sortedKeys(dev) {
		texts := append([]string(nil), dev[src]...)
		sort.Slice(texts, func(i, j int) bool { return textHash(texts[i]) < textHash(texts[j]) })
		texts = dedupeSorted(texts)
		out = append(out, texts[:min(goldenPerSource, len(texts))]...)
	}
	return out
}

func dedupeSorted(texts []string) []string {
	out := texts[:0]
	for i, s := range texts {
		if i == 0 || s != texts[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func TestOutputRegression(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	dev := devTexts(t)
	if *updateGolden {
		if dev == nil {
			t.Fatal("-update-golden needs the datasets in " + datasetsDir)
		}
		var outs []goldenOut
		for _, s := range append(packageTexts(), goldenSample(dev)...) {
			outs = append(outs, outputOf(t, m, s))
		}
		// One compact line per text, so that diffs stay readable.
		b := []byte("[\n")
		for i, o := range outs {
			line, err := json.Marshal(o)
			if err != nil {
				t.Fatal(err)
			}
			b = append(b, line...)
			if i < len(outs)-1 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		b = append(b, ']')
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d outputs to %s", len(outs), goldenFile)
		return
	}
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	var want []goldenOut
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, s := range packageTexts() {
		texts[textHash(s)] = s
	}
	for _, src := range dev {
		for _, s := range src {
			texts[textHash(s)] = s
		}
	}
	checked, missing := 0, 0
	for _, w := range want {
		s, ok := texts[w.Hash]
		if !ok {
			missing++
			continue
		}
		checked++
		if d := sameOutput(w, outputOf(t, m, s)); d != "" {
			t.Errorf("text %s (%q): %s", w.Hash, truncate(s, 60), d)
		}
	}
	if dev == nil {
		t.Logf("datasets absent in %s: checked only the %d package texts, skipped %d dataset texts", datasetsDir, checked, missing)
	} else if missing > 0 {
		t.Errorf("%d golden texts not found in the datasets (changed datasets? regenerate with -update-golden)", missing)
	}
	if checked == 0 {
		t.Fatal("no golden text checked")
	}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// TestOutputEquivalenceAll compares every dev-split row (and the package
// texts) with a reference file given by PARLEY_EQUIV_REF, writing it first
// if it does not exist. It is for checking that a speed change keeps every
// output.
func TestOutputEquivalenceAll(t *testing.T) {
	t.Parallel()
	ref := os.Getenv("PARLEY_EQUIV_REF")
	if ref == "" {
		t.Skip("set PARLEY_EQUIV_REF=/path/ref.json to compare every dev-split row")
	}
	m := mustDefault(t)
	dev := devTexts(t)
	if dev == nil {
		t.Skip("datasets absent in " + datasetsDir)
	}
	texts := packageTexts()
	for _, src := range sortedKeys(dev) {
		texts = append(texts, dev[src]...)
	}
	var got []goldenOut
	for _, s := range texts {
		got = append(got, outputOf(t, m, s))
	}
	b, err := os.ReadFile(ref)
	if os.IsNotExist(err) {
		b, err = json.Marshal(got)
		if err == nil {
			err = os.WriteFile(ref, b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d reference outputs to %s", len(got), ref)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	var want []goldenOut
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Fatalf("%d outputs, reference has %d", len(got), len(want))
	}
	bad := 0
	for i := range want {
		if d := sameOutput(want[i], got[i]); d != "" {
			bad++
			if bad <= 20 {
				t.Errorf("text %d %q: %s", i, truncate(texts[i], 60), d)
			}
		}
	}
	t.Logf("compared %d texts, %d differ", len(want), bad)
}
