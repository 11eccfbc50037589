package classify

import (
	"testing"

	"github.com/parley-comments/parley"
)

// Dehumanizing a people or calling for its destruction is hate speech in
// every language the site gets, with or without a slur.
func TestGroupDirectedHateInEveryLanguage(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	hateful := map[string]string{
		"en":      "Armenians are vermin and should be wiped out",
		"ru":      "Все армяне — крысы, их надо выгнать",
		"tr":      "Tüm Ermeniler hain köpeklerdir",
		"az":      "Bütün ermənilər məhv edilməlidir, onlar itdir",
		"hy":      "Բոլոր թուրքերը պետք է սատկեն",
		"hy-Latn": "bolor turkery petq e satken, azerbajancinery shner en",
	}
	for lang, text := range hateful {
		v := classify(t, m, text)
		if v.SuggestedReason != parley.ReasonHateSpeech {
			t.Errorf("%s: %q suggested %q (scores %v)", lang, text, v.SuggestedReason, v.Scores)
		}
		if !hasEvidence(v, parley.LabelHateSpeech) {
			t.Errorf("%s: %q has no hate_speech evidence: %s", lang, text, evidenceString(text, v.Evidence))
		}
	}
}

// A people named near war, death and history is news, not hate: only a
// dehumanizing word or a call to violence within a few words pairs with it.
func TestGroupWordsAloneAreNotHate(t *testing.T) {
	t.Parallel()
	assertNoHate(t, mustDefault(t), []string{
		"The Armenian and Azerbaijani delegations met in Geneva on Tuesday.",
		"In 1915 the Ottoman government exterminated hundreds of thousands of Armenians.",
		"Russian and Turkish troops killed civilians, the report says.",
		"Армянские и азербайджанские беженцы до сих пор живут в общежитиях.",
		"Ermeni ve Azerbaycanlı gazeteciler ortak bir rapor yayımladı.",
		"Ermənilər və azərbaycanlılar Tbilisidə görüşdülər.",
		"Թուրքիայի և Ադրբեջանի նախագահները հանդիպեցին։",
		// The rats are far from the group word.
		"Armenians in Yerevan complained to the mayor about the garbage collection schedule, which has been late for weeks, and about rats.",
	})
}

func TestStructureLinksWithinClauses(t *testing.T) {
	t.Parallel()
	h := func(from int, cat string) lexHit { return lexHit{from: from, to: from + 1, cat: cat} }
	words := make([]string, 40)
	clause := make([]int32, 40)
	for i := range clause {
		clause[i] = int32(i / 20) // words 0-19 and 20-39 are two clauses
	}
	st := structure([]lexHit{h(0, catGroup), h(2, catDehuman), h(4, catInsult), h(20, catViolent), h(30, catObscene)}, words, words, clause, "en")
	want := []lexHit{h(0, catGroupHate), h(2, catGroupHate), h(4, catGroupHate), h(30, catObscene)}
	if len(st.hits) != len(want) || st.severity != sevDehuman {
		t.Fatalf("structure = %+v, want %+v at severity %d", st, want, sevDehuman)
	}
	for i := range want {
		if st.hits[i] != want[i] {
			t.Errorf("hit %d = %+v, want %+v", i, st.hits[i], want[i])
		}
	}
	// The call to violence is in the same clause now: the higher severity wins.
	if st := structure([]lexHit{h(0, catGroup), h(2, catDehuman), h(5, catViolent)}, words, words, clause, "en"); st.severity != sevViolent {
		t.Errorf("violent: severity %d, want %d", st.severity, sevViolent)
	}
	// A negation before the predicate undoes the link.
	if st := structure([]lexHit{h(0, catGroup), h(1, catNegation), h(2, catDehuman)}, words, words, clause, "en"); st.severity != sevNone || len(st.hits) != 0 {
		t.Errorf("negated: %+v", st)
	}
	// Counter-speech anywhere undoes every link.
	if st := structure([]lexHit{h(0, catCounter), h(3, catGroup), h(5, catDehuman)}, words, words, clause, "en"); st.severity != sevNone || len(st.hits) != 0 {
		t.Errorf("counter-speech: %+v", st)
	}
	// A group word next to a state word names the state.
	if st := structure([]lexHit{h(0, catGroup), h(1, catState), h(3, catVice)}, words, words, clause, "en"); st.severity != sevNone {
		t.Errorf("state: %+v", st)
	}
	// Without a group word, the pattern words vanish and nothing is added.
	if st := structure([]lexHit{h(0, catDehuman), h(1, catInsult), h(2, catViolent)}, words, words, clause, "en"); len(st.hits) != 1 || st.hits[0].cat != catInsult {
		t.Errorf("no group: %+v", st.hits)
	}
}

func hasEvidence(v parley.Verdict, l parley.Label) bool {
	for _, e := range v.Evidence {
		if e.Label == l {
			return true
		}
	}
	return false
}

// An animal word that names the animal ("stray dogs") does not liken a
// people to animals, while the same word about the people still does.
func TestLiteralAnimalsAreNotHate(t *testing.T) {
	t.Parallel()
	m := mustDefault(t)
	assertNoHate(t, m, []string{
		"Turkish stray dogs are a problem in Istanbul, the city council says.",
		"Armenian farmers say wild boars destroyed half of the harvest.",
		"Армянские власти отлавливают бездомных собак в Ереване.",
		"Türk belediyeleri sokak köpekleri için barınak açtı.",
		"Azərbaycan kəndlərində sahibsiz itlər uşaqlara hücum edir.",
		"Հայ գյուղացիները բողոքում են թափառող շներից։",
	})
	for _, text := range []string{
		"Turks are dogs",
		"Armenians are wild animals",
		"Армяне — собаки",
		"Армяне — дикие звери",
		"Ermeniler köpeklerdir",
	} {
		if v := classify(t, m, text); v.SuggestedReason != parley.ReasonHateSpeech {
			t.Errorf("%q: reason %q, want hate_speech (scores %v)", text, v.SuggestedReason, v.Scores)
		}
	}
}

// assertNoHate fails for each text that gets hate_speech evidence or the
// hate_speech reason.
func assertNoHate(t *testing.T, m *Model, texts []string) {
	t.Helper()
	for _, text := range texts {
		v := classify(t, m, text)
		if hasEvidence(v, parley.LabelHateSpeech) || v.SuggestedReason == parley.ReasonHateSpeech {
			t.Errorf("%q: reason %q, evidence %s", text, v.SuggestedReason, evidenceString(text, v.Evidence))
		}
	}
}
