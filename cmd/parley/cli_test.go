package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command in-process.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), err
}

func TestCLIAdminCommands(t *testing.T) {
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
