package classify

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
)

// functionalCase is one case of the HateCheck-style functional suite in
// testdata/functional.tsv.
type functionalCase struct {
	lang, function, text string
}

func readFunctionalSuite(t *testing.T) []functionalCase {
	t.Helper()
	f, err := os.Open("testdata/functional.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases []functionalCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, "\t", 3)
		if len(parts) != 3 {
			t.Fatalf("bad line %q", line)
		}
		cases = append(cases, functionalCase{parts[0], parts[1], parts[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

// passes reports whether verdict v is right for a case of function fn.
func passes(fn string, v parley.Verdict) bool {
	switch fn {
	case "dehumanization", "threat", "slur":
		return v.SuggestedReason == parley.ReasonHateSpeech
	case "negated", "counter_speech":
		return v.SuggestedReason != parley.ReasonHateSpeech && !hasEvidence(v, parley.LabelHateSpeech)
	case "neutral_mention", "state_criticism":
		return v.SuggestedReason == ""
	case "profanity":
		return v.SuggestedReason == parley.ReasonObscenity
	}
	return false
}

// TestFunctionalSuite runs the functional suite: at least 90% of the cases
// of every language must pass. With -v it prints the pass rate of every
// function in every language (the table in docs/model-card.md).
func TestFunctionalSuite(t *testing.T) {
	m := mustDefault(t)
	type key struct{ lang, fn string }
	pass, total := map[key]int{}, map[key]int{}
	var langs, fns []string
	for _, c := range readFunctionalSuite(t) {
		v := classify(t, m, c.text)
		k := key{c.lang, c.function}
		total[k]++
		if !slices.Contains(langs, c.lang) {
			langs = append(langs, c.lang)
		}
		if !slices.Contains(fns, c.function) {
			fns = append(fns, c.function)
		}
		if passes(c.function, v) {
			pass[k]++
		} else {
			t.Logf("FAIL %s %s: %q → reason %q, scores %v (language %s)", c.lang, c.function, c.text, v.SuggestedReason, v.Scores, v.Language)
		}
	}
	for _, fn := range fns {
		row := fn
		for _, l := range langs {
			k := key{l, fn}
			if total[k] < 5 {
				t.Errorf("%s %s: %d cases, want at least 5", l, fn, total[k])
			}
			row += fmt.Sprintf("\t%s %d/%d", l, pass[k], total[k])
		}
		t.Log(row)
	}
	for _, l := range langs {
		p, n := 0, 0
		for _, fn := range fns {
			p += pass[key{l, fn}]
			n += total[key{l, fn}]
		}
		t.Logf("%s: %d of %d cases pass (%.1f%%)", l, p, n, 100*float64(p)/float64(n))
		if float64(p) < 0.9*float64(n) {
			t.Errorf("%s: %d of %d cases pass, want at least 90%%", l, p, n)
		}
	}
}
