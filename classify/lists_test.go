package classify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/textnorm"
)

// readDevSet reads one of Parley's dev sets.
func readDevSet(t *testing.T, name string) []Row {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "devsets", name+".csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ReadCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// The Armenian translit vocabulary (tesseract-ocr-hye) tells translit from
// English and Turkic text: before it, 22 of the 120 hy-Latn dev comments
// were taken for English and 1 for Turkish.
func TestArmenianTranslitByVocabulary(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	count := func(set, lang string) (n, of int) {
		for _, r := range readDevSet(t, set) {
			if classify(t, m, r.Text).Language == lang {
				n++
			}
			of++
		}
		return n, of
	}
	if n, of := count("hy-latn", langHyLatn); n < of-2 {
		t.Errorf("hy-Latn dev comments identified as hy-Latn: %d of %d", n, of)
	}
	for _, set := range []string{"en", "tr", "az"} {
		if n, of := count(set, langHyLatn); n > 1 {
			t.Errorf("%s dev comments taken for hy-Latn: %d of %d", set, n, of)
		}
	}
	for _, s := range []string{
		"Erku angam kardaci hodvacy u der chem haskanum, te inchu e xorhurdy sharunakum antesel hin qaghaqi bnakichnerin.",
		"Menq arjani enq aveli lav pataskhanneri, ays arajarky grogh@ petq e amachi.",
	} {
		if got := classify(t, m, s).Language; got != langHyLatn {
			t.Errorf("%q: language %s, want hy-Latn", s, got)
		}
	}
	for _, s := range []string{
		"The council keeps ignoring the residents of the old town, and the parking plan is back with a new name.",
		"Belediye meclisi eski şehir sakinlerini görmezden gelmeye devam ediyor, otopark planı yine gündemde.",
		"Şura köhnə şəhərin sakinlərinə məhəl qoymur, dayanacaq planı yenidən gətirilir.",
	} {
		if got := classify(t, m, s).Language; got == langHyLatn {
			t.Errorf("%q: taken for hy-Latn", s)
		}
	}
}

// The entries generated from naughty-words are matched, and none is a word
// of a civil dev comment.
func TestGeneratedListsAreUsed(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	for _, c := range []struct{ text, word string }{
		{"ty prosto pizda, ponyal", "pizda"},
		{"хватит выебываться перед всеми", "выебываться"},
		{"bunu götten uydurdun", "götten"},
	} {
		v := classify(t, m, c.text)
		found := false
		for _, e := range v.Evidence {
			if e.Label == parley.LabelObscenity && c.text[e.Start:e.End] == c.word {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no obscenity evidence on %q (%+v)", c.text, c.word, v.Evidence)
		}
	}
	gen, err := filepath.Glob(filepath.Join("lexicon", "gen", "*.txt"))
	if err != nil || len(gen) != 3 {
		t.Fatalf("generated lists: %v %v", gen, err)
	}
	entries := map[string]string{}
	for _, p := range gen {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "# lexicon: ") || !strings.Contains(string(b), "CC BY 4.0") {
			t.Errorf("%s: no lexicon line or license header", p)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if e, _, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") && !strings.Contains(e, " ") {
				entries[e] = p
			}
		}
	}
	for _, set := range []string{"en", "ru", "tr", "az", "hy", "hy-latn"} {
		for _, r := range readDevSet(t, set) {
			if r.Labels[0] != 0 {
				continue
			}
			for _, w := range textnorm.Words(normalizeText(r.Text)) {
				if p, ok := entries[foldTurkicLex(w)]; ok {
					t.Errorf("%s: civil dev comment %q uses %q", p, r.Text, w)
				}
			}
		}
	}
}
