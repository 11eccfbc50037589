package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The text report never suggests a reason whose label it does not mark as
// above its threshold (the contradiction of issue 19), in any language.
func TestClassifyReasonAgreesWithMarkedScores(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"He is an idiot and a traitor, shut up",
		"Azerbaijanis are not a real people, just vermin that should be driven out of the Caucasus",
		"Ermeniler asalak bir millettir",
		"Ты безмозглый тролль",
		"ուղեղ չունեցող տրոլ ես",
		"yalançı və axmaqsan",
		"долбоеб",
		"Подписывайтесь на мой канал",
		"ну вы и д,билы",
	} {
		out, _, err := runCLI(t, "", "classify", text)
		if err != nil {
			t.Fatal(err)
		}
		reason := ""
		marked := map[string]bool{}
		for _, line := range strings.Split(out, "\n") {
			if r, ok := strings.CutPrefix(line, "suggested reason: "); ok {
				reason = r
			}
			if f := strings.Fields(line); len(f) > 2 && strings.Contains(line, "<- above threshold") {
				marked[f[0]] = true
			}
		}
		if reason != "" && !marked[reason] {
			t.Errorf("%q: suggested reason %s is not marked above its threshold:\n%s", text, reason, out)
		}
	}
}

// eval --disguise, --simulate-moderation and --language run end to end.
func TestEvalDisguiseAndSimulation(t *testing.T) {
	t.Parallel()
	csvPath := filepath.Join(t.TempDir(), "rows.csv")
	var b strings.Builder
	b.WriteString("text,lang,toxic,personal_attack,hate_speech,obscenity,spam,source\n")
	for i := 0; i < 30; i++ {
		b.WriteString("Ты тупой дебил и урод,ru,1,1,0,0,0,t\n")
		b.WriteString("Спасибо за статью о выборах,ru,0,0,0,0,0,t\n")
		b.WriteString("Thanks for the report,en,0,0,0,0,0,t\n")
	}
	if err := os.WriteFile(csvPath, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "eval", "--data", csvPath, "--language", "ru", "--disguise", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		N     int `json:"n"`
		Civil struct{ N, Flagged int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.N != 60 || rep.Civil.N != 30 {
		t.Fatalf("eval --language ru --disguise: %+v %v\n%s", rep, err, out)
	}
	out, _, err = runCLI(t, "", "eval", "--simulate-moderation", "--data", csvPath, "--language", "ru", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var points []struct {
		Decisions, Rest int
		Own             map[string]float64
	}
	if err := json.Unmarshal([]byte(out), &points); err != nil || len(points) != 2 || points[1].Decisions != 50 || points[1].Rest != 10 {
		t.Fatalf("simulate-moderation: %+v %v\n%s", points, err, out)
	}
	if _, _, err := runCLI(t, "", "eval", "--data", csvPath, "--split", "nope"); err == nil {
		t.Fatal("bad --split accepted")
	}
}
