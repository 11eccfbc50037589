package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
)

// runCLI runs one command in-process.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestCLIAdminCommands(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	// serve refuses a database that has not been migrated, and says what to do.
	_, _, err := runCLI(t, "", "serve", "--data", data, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "parley migrate") {
		t.Fatalf("serve on a stale schema: %v", err)
	}
	if out, _, err := runCLI(t, "", "migrate", "--data", data); err != nil || !strings.Contains(out, "schema is at version") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if _, _, err := runCLI(t, "", "site", "add", "--data", data, "--id", "gazette", "--name", "The Gazette", "--origin", "https://www.gazette.example/"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "", "site", "add", "--data", data, "--id", "gazette", "--name", "Again", "--origin", "https://x.example"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("duplicate site: %v", err)
	}
	if _, _, err := runCLI(t, "", "site", "add", "--data", data, "--id", "Bad ID!", "--name", "x"); err == nil {
		t.Fatal("bad site id accepted")
	}
	if _, _, err := runCLI(t, "", "user", "add", "--data", data, "--email", "ed@gazette.example", "--name", "Ed", "--role", "admin", "--site", "gazette"); err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Fatalf("user add without --password-stdin: %v", err)
	}
	if _, _, err := runCLI(t, "short\n", "user", "add", "--data", data, "--email", "ed@gazette.example", "--name", "Ed", "--role", "admin", "--site", "gazette", "--password-stdin"); err == nil {
		t.Fatal("short password accepted")
	}
	if _, _, err := runCLI(t, "a good long password\n", "user", "add", "--data", data, "--email", "ed@gazette.example", "--name", "Ed", "--role", "emperor", "--site", "gazette", "--password-stdin"); err == nil {
		t.Fatal("unknown role accepted")
	}
	if _, _, err := runCLI(t, "a good long password\n", "user", "add", "--data", data, "--email", "ed@gazette.example", "--name", "Ed", "--role", "admin", "--site", "gazette", "--password-stdin"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "token", "create", "--data", data, "--email", "ed@gazette.example")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if tok := lines[len(lines)-1]; !strings.HasPrefix(tok, "pt_") || strings.ContainsAny(tok, " \t") {
		t.Fatalf("token line %q", tok)
	}
	if _, _, err := runCLI(t, "", "token", "create", "--data", data, "--email", "nobody@gazette.example"); err == nil {
		t.Fatal("token for an unknown user")
	}
	if _, _, err := runCLI(t, "", "frobnicate"); err == nil {
		t.Fatal("unknown command accepted")
	}
}

func TestClassifyAndEvalCommands(t *testing.T) {
	t.Parallel()
	out, _, err := runCLI(t, "", "classify", "--json", "You are a stupid idiot")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Language string             `json:"language"`
		Scores   map[string]float64 `json:"scores"`
		Evidence []struct {
			Start, End int
			Label      string
			Text       string
		} `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("classify --json: %v\n%s", err, out)
	}
	if v.Language != "en" || v.Scores["personal_attack"] < 0.5 || len(v.Evidence) == 0 {
		t.Fatalf("classify: %+v", v)
	}
	csvPath := filepath.Join(t.TempDir(), "test.csv")
	rows := "text,lang,toxic,personal_attack,hate_speech,obscenity,spam,source\n" +
		"You are a stupid idiot,en,1,1,,,0,t\n" +
		"Thanks for the careful reporting,en,0,0,,,0,t\n" +
		"Check out my channel and subscribe http://spam.example,en,0,,,,1,t\n" +
		"What a worthless moron you are,en,1,1,,,0,t\n" +
		"The bridge reopened on Tuesday,en,0,0,,,0,t\n"
	if err := os.WriteFile(csvPath, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, "", "eval", "--data", csvPath, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		N      int     `json:"n"`
		CPS    float64 `json:"comments_per_second"`
		Labels map[string]struct {
			N         int      `json:"n"`
			Positives int      `json:"positives"`
			ROCAUC    *float64 `json:"roc_auc"`
			PRAUC     *float64 `json:"pr_auc"`
			MacroF1   *float64 `json:"macro_f1"`
			Precision *float64 `json:"precision"`
			Recall    *float64 `json:"recall"`
			Threshold *float64 `json:"threshold"`
		} `json:"labels"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, out)
	}
	tox, ok := rep.Labels["toxic"]
	if rep.N != 5 || rep.CPS <= 0 || !ok || tox.N != 5 || tox.Positives != 2 || tox.ROCAUC == nil || tox.PRAUC == nil || tox.MacroF1 == nil || tox.Precision == nil || tox.Recall == nil || tox.Threshold == nil {
		t.Fatalf("eval report: %s", out)
	}
	if *tox.ROCAUC < 0.99 {
		t.Fatalf("toxic ROC-AUC on five obvious rows = %.3f", *tox.ROCAUC)
	}
	if _, ok := rep.Labels["hate_speech"]; ok {
		t.Fatal("a label with no known values is reported")
	}
}

// TestTrainCommandWithEmbeddings trains a small model with a semantic head
// from CSV and GloVe-format files, measures it on the tune split, and
// scores a comment with the written model.
func TestTrainCommandWithEmbeddings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("text,lang,toxic,personal_attack,hate_speech,obscenity,spam,source\n")
	insults := []string{"idiot", "moron", "clown"}
	nice := []string{"lovely report", "careful reporting", "useful article"}
	for i := range 300 {
		if i%2 == 0 {
			fmt.Fprintf(&csv, "you are an %s number %d,en,1,1,,,0,toy\n", insults[i%3], i)
		} else {
			fmt.Fprintf(&csv, "thanks for the %s number %d,en,0,0,,,0,toy\n", nice[i%3], i)
		}
	}
	data := filepath.Join(dir, "toy.csv")
	vecs := filepath.Join(dir, "vectors.txt")
	model := filepath.Join(dir, "model.bin")
	if err := os.WriteFile(data, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	glove := "idiot 1 0 0\nmoron 0.9 0.1 0\nclown 0.8 0.2 0\nimbecile 0.95 0 0.05\nlovely 0 1 0\nreport 0 0.8 0.2\n" +
		"careful 0 0.9 0.1\nreporting 0 0.7 0.3\nuseful 0 1 0.1\narticle 0 0.6 0.4\nthanks 0 0.9 0\nyou 0.3 0.3 0.3\n"
	if err := os.WriteFile(vecs, []byte(glove), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := runCLI(t, "", "train", "--data", data, "--out", model, "--embeddings", vecs, "--eval", "--eval-split", "tune")
	if err != nil {
		t.Fatal(err)
	}
	first, report, _ := strings.Cut(out, "\n")
	if !strings.Contains(first, "wrote "+model) {
		t.Fatalf("train output: %q", first)
	}
	var rep struct {
		N      int `json:"n"`
		Labels map[string]struct {
			ROCAUC float64 `json:"roc_auc"`
		} `json:"labels"`
	}
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatalf("train --eval: %v\n%s", err, report)
	}
	if rep.N == 0 || rep.Labels["toxic"].ROCAUC < 0.99 {
		t.Fatalf("tune-split report: %s", report)
	}
	out, _, err = runCLI(t, "", "eval", "--data", data, "--model", model, "--json")
	if err != nil || !strings.Contains(out, `"personal_attack"`) {
		t.Fatalf("eval with the trained model: %v\n%s", err, out)
	}

	// A bad split is the command line's own refusal, in its language.
	if _, _, err := runCLI(t, "", "train", "--data", data, "--out", model, "--eval-split", "test"); err == nil || err.Error() != tr(context.Background(), "cli.err.eval_split") {
		t.Errorf("bad split: err = %v", err)
	}
	for name, args := range map[string][]string{
		"missing embeddings": {"train", "--data", data, "--out", model, "--embeddings", filepath.Join(dir, "nope.txt")},
		"bad embeddings":     {"train", "--data", data, "--out", model, "--embeddings", data},
	} {
		if _, _, err := runCLI(t, "", args...); parley.ErrorCode(err) != parley.EINVALID {
			t.Errorf("%s: err = %v, want EINVALID", name, err)
		}
	}
}
