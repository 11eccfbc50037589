package main

import (
	"bytes"
	"context"
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
