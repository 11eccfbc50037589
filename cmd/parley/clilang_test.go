package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/i18n"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
)

// TestCLISpeaksEveryLanguage runs the admin, backup, export, classify and
// help commands with --lang in each of the five languages and checks that
// what they print for people is the catalog's text in that language (and,
// outside English, not the English text).
func TestCLISpeaksEveryLanguage(t *testing.T) {
	t.Parallel()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	latest, err := sqlstore.LatestSchemaVersion()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.Languages() {
		t.Run(l.Code, func(t *testing.T) {
			t.Parallel()
			lang := l.Code
			T := func(key string, args ...any) string { return cat.T(lang, key, args...) }
			translated := func(key string, args ...any) string {
				t.Helper()
				s := T(key, args...)
				if lang != "en" && s == cat.T("en", key, args...) {
					t.Errorf("%s: %s is the English text %q", lang, key, s)
				}
				return s
			}
			cli := func(stdin string, args ...string) (string, string, error) {
				t.Helper()
				return runCLI(t, stdin, append([]string{"--lang", lang}, args...)...)
			}
			data := t.TempDir()
			if out, _, err := cli("", "migrate", "--data", data); err != nil || out != translated("cli.migrate.done", latest, "sqlite")+"\n" {
				t.Fatalf("migrate: %q %v", out, err)
			}
			if out, _, err := cli("", "site", "add", "--data", data, "--id", "gazette", "--name", "The Gazette", "--origin", "https://gazette.example"); err != nil ||
				out != translated("cli.site.added", "gazette", "The Gazette", "https://gazette.example")+"\n" {
				t.Fatalf("site add: %q %v", out, err)
			}
			// The service's refusal, in the command's language.
			dup := parley.Errorf(parley.ECONFLICT, "A site with ID %q already exists.", "gazette")
			if _, _, err := cli("", "site", "add", "--data", data, "--id", "gazette", "--name", "Again", "--origin", "https://x.example"); err == nil ||
				err.Error() != cat.ErrorMessage(lang, dup) || (lang != "en" && err.Error() == dup.Message) {
				t.Fatalf("site add of an existing ID: %v", err)
			}
			if _, _, err := cli("", "user", "add", "--data", data, "--email", "ed@gazette.example", "--name", "Ed", "--role", "admin", "--site", "gazette"); err == nil || err.Error() != translated("cli.err.password_stdin") {
				t.Fatalf("user add without --password-stdin: %v", err)
			}
			if _, _, err := cli("a good long password\n", "user", "add", "--data", data, "--email", "ed@gazette.example", "--name", "Ed", "--role", "emperor", "--site", "gazette", "--password-stdin"); err == nil || err.Error() != translated("cli.err.role") {
				t.Fatalf("bad role: %v", err)
			}
			if out, _, err := cli("a good long password\n", "user", "add", "--data", data, "--email", "ed@gazette.example", "--name", "Ed", "--role", "admin", "--site", "gazette", "--password-stdin"); err != nil ||
				out != translated("cli.user.added", "ed@gazette.example", "admin", "gazette")+"\n" {
				t.Fatalf("user add: %q %v", out, err)
			}
			if out, _, err := cli("another good long password\n", "user", "reset-password", "--data", data, "--email", "ed@gazette.example", "--password-stdin"); err != nil ||
				out != translated("cli.user.password_changed", "ed@gazette.example")+"\n" {
				t.Fatalf("reset-password: %q %v", out, err)
			}
			if out, errOut, err := cli("", "token", "create", "--data", data, "--email", "ed@gazette.example"); err != nil || errOut != translated("cli.token.created")+"\n" || strings.Count(out, "\n") != 1 || len(out) < 20 {
				t.Fatalf("token create: %q %q %v", out, errOut, err)
			}
			// Reports: the export's line, the backup's summary, row counts in the language's plural.
			file := filepath.Join(t.TempDir(), "export.jsonl")
			if _, errOut, err := cli("", "export", "--data", data, "--site", "gazette", "--out", file); err != nil || errOut != translated("cli.export.done", 0, 0, file)+"\n" {
				t.Fatalf("export: %q %v", errOut, err)
			}
			if _, _, err := cli("", "export", "--data", data); err == nil || err.Error() != translated("cli.err.required", "--site") {
				t.Fatalf("export without --site: %v", err)
			}
			backup := filepath.Join(t.TempDir(), "b.db")
			out, _, err := cli("", "backup", "--data", data, "--out", backup)
			if err != nil || !strings.Contains(out, translated("cli.backup.rows", "sites", 1)+"\n") || !strings.Contains(out, "\n"+strings.SplitN(translated("cli.backup.done", "X"), "X", 2)[0]) {
				t.Fatalf("backup: %q %v", out, err)
			}
			if _, _, err := cli("", "restore", "--data", data, backup); err == nil || err.Error() != translated("cli.restore.exists", data) {
				t.Fatalf("restore over a database: %v", err)
			}
			// classify's prose (not --json).
			out, _, err = cli("", "classify", "The new timetable suits people who work late.")
			if err != nil || !strings.HasPrefix(out, translated("cli.classify.language", "en")+"\n") {
				t.Fatalf("classify: %q %v", out, err)
			}
			if out, _, err := cli("", "classify", "--json", "The new timetable suits people who work late."); err != nil || !strings.HasPrefix(out, "{") {
				t.Fatalf("classify --json is not JSON: %q %v", out, err)
			}
			// Errors, help.
			if _, _, err := cli("", "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"); err == nil || err.Error() != translated("cli.err.schema_stale", 0, latest) {
				t.Fatalf("serve on a stale schema: %v", err)
			}
			if _, _, err := cli("", "serve", "--data", data, "--addr", "nowhere"); err == nil || !strings.HasPrefix(err.Error(), strings.SplitN(translated("cli.err.addr", "X"), "X", 2)[0]) {
				t.Fatalf("serve --addr: %v", err)
			}
			if _, _, err := cli("", "frobnicate"); err == nil || err.Error() != translated("cli.err.unknown_command", "frobnicate") {
				t.Fatalf("unknown command: %v", err)
			}
			if out, _, err := cli("", "help"); err != nil || out != translated("cli.usage")+"\n" {
				t.Fatalf("help: %q %v", out, err)
			}
			// The demo's start-up lines and the file of logins.
			ctx := withMessages(context.Background(), &messages{cat: cat, lang: lang})
			dbf := dbFlags{data: t.TempDir()}
			db, err := dbf.open(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			svc := service.New(service.Options{Store: db, Clock: parley.SystemClock{}, Passwords: service.CheapPasswordHasher})
			var demo bytes.Buffer
			logins := filepath.Join(dbf.data, "demo-logins.txt")
			if err := setupDemo(ctx, svc, "http://127.0.0.1:8080", logins, false, &demo); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{translated("cli.demo.created", "demo"), translated("cli.demo.urls", "http://127.0.0.1:8080", "http://127.0.0.1:8080"),
				translated("cli.demo.logins_file", logins), translated("cli.demo.lost", demoModerator.email)} {
				if !strings.Contains(demo.String(), want+"\n") {
					t.Errorf("demo output lacks %q:\n%s", want, demo.String())
				}
			}
			if b, err := os.ReadFile(logins); err != nil || !strings.HasPrefix(string(b), strings.SplitN(translated("cli.demo.logins_header", "X", "Y"), "X", 2)[0]) {
				t.Errorf("logins file: %q %v", b, err)
			}
		})
	}
}

// TestCLILanguageChoice: --lang wins, then PARLEY_LANG, then the POSIX
// variables in their order (the first one set decides; C is English).
func TestCLILanguageChoice(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, tc := range []struct {
		flag string
		env  func(string) string
		want string
	}{
		{"", env(), "en"},
		{"hy", env("PARLEY_LANG", "ru", "LANG", "tr_TR.UTF-8"), "hy"},
		{"", env("PARLEY_LANG", "az", "LC_ALL", "ru_RU.UTF-8"), "az"},
		{"", env("PARLEY_LANG", "fr", "LANG", "tr_TR.UTF-8"), "tr"},
		{"", env("LC_ALL", "ru_RU.UTF-8", "LANG", "tr_TR.UTF-8"), "ru"},
		{"", env("LC_MESSAGES", "hy_AM.UTF-8", "LANG", "tr_TR.UTF-8"), "hy"},
		{"", env("LANG", "az_AZ.UTF-8"), "az"},
		{"", env("LC_ALL", "C", "LANG", "ru_RU.UTF-8"), "en"},
		{"", env("LANG", "C.UTF-8"), "en"},
		{"RU", env(), "ru"},
	} {
		if got, err := cliLang(tc.flag, tc.env); err != nil || got != tc.want {
			t.Errorf("cliLang(%q, …) = %q, %v; want %q", tc.flag, got, err, tc.want)
		}
	}
	if _, err := cliLang("fr", env()); err == nil {
		t.Error("--lang fr accepted")
	}
	for _, args := range [][]string{{"--lang", "hy", "migrate", "--data", "d"}, {"migrate", "--lang=hy", "--data", "d"}, {"migrate", "--data", "d", "-lang", "hy"}} {
		lang, rest, err := takeLangFlag(args)
		if err != nil || lang != "hy" || strings.Join(rest, " ") != "migrate --data d" {
			t.Errorf("takeLangFlag(%q) = %q %q %v", args, lang, rest, err)
		}
	}
	if lang, rest, _ := takeLangFlag([]string{"classify", "--", "--lang", "x"}); lang != "" || len(rest) != 4 {
		t.Errorf("--lang after -- was taken: %q %q", lang, rest)
	}
	if _, _, err := takeLangFlag([]string{"migrate", "--lang"}); err == nil {
		t.Error("--lang without a value accepted")
	}
	// The English usage constant (and the package doc) match the catalog's.
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := cat.T("en", "cli.usage"); got != usage {
		t.Errorf("cli.usage in en/cli.json differs from the usage constant:\n%s\n---\n%s", got, usage)
	}
}
