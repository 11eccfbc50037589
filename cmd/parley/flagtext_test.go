package main

import (
	"errors"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-comments/parley/i18n"
)

// flagMethods are the flag.FlagSet methods that define a flag; the usage is
// their last argument (the second for Func and BoolFunc).
var flagMethods = map[string]bool{"String": true, "Bool": true, "Int": true, "Int64": true, "Uint": true, "Uint64": true,
	"Float64": true, "Duration": true, "Var": true, "TextVar": true, "StringVar": true, "BoolVar": true, "IntVar": true,
	"Int64Var": true, "UintVar": true, "Uint64Var": true, "Float64Var": true, "DurationVar": true, "Func": true, "BoolFunc": true}

// TestEveryFlagIsTranslated walks the command's source for flag
// definitions (fs.String(…), fs.Func(…), …): each usage must be a literal
// and a key of flags.json whose English text is the usage itself, so that
// the catalog check holds it to every locale.
func TestEveryFlagIsTranslated(t *testing.T) {
	t.Parallel()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	n := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(node ast.Node) bool {
			call, ok := node.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !flagMethods[sel.Sel.Name] || len(call.Args) < 2 {
				return true
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "fs" {
				return true
			}
			arg := call.Args[len(call.Args)-1]
			if sel.Sel.Name == "Func" || sel.Sel.Name == "BoolFunc" {
				arg = call.Args[1]
			}
			n++
			lit, ok := arg.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: a flag's usage must be a string literal (it is the catalog key)", fset.Position(arg.Pos()))
				return true
			}
			usage, _ := strconv.Unquote(lit.Value)
			if m := cat.Message("en", usage); m == nil || m.Text != usage {
				t.Errorf("%s: %q is not in i18n/locales/*/flags.json", fset.Position(arg.Pos()), usage)
			}
			return true
		})
	}
	if n < 50 {
		t.Fatalf("found only %d flags: the walk is broken", n)
	}
}

// TestFlagsSpeakEveryLanguage: every command's -h lists its flags in the
// command's language, and the flag package's errors are translated too.
func TestFlagsSpeakEveryLanguage(t *testing.T) {
	t.Parallel()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	commands := [][]string{{"serve"}, {"migrate"}, {"site", "add"}, {"site", "auth"}, {"user", "add"}, {"user", "reset-password"},
		{"token", "create"}, {"migrate-db"}, {"import"}, {"export"}, {"backup"}, {"restore"}, {"train"}, {"eval"},
		{"tune-thresholds"}, {"classify"}}
	help := func(lang string, cmd []string) string {
		t.Helper()
		out, errOut, err := runCLI(t, "", append(append([]string{"--lang", lang}, cmd...), "-h")...)
		if !errors.Is(err, flag.ErrHelp) {
			t.Fatalf("%s %s -h: %v", lang, cmd, err)
		}
		return out + errOut // train lists its flags on standard output
	}
	english := map[string][]string{}
	for _, cmd := range commands {
		english[strings.Join(cmd, " ")] = strings.Split(help("en", cmd), "\n")
	}
	for _, l := range i18n.Languages() {
		t.Run(l.Code, func(t *testing.T) {
			t.Parallel()
			for _, cmd := range commands {
				name := strings.Join(cmd, " ")
				lines := strings.Split(help(l.Code, cmd), "\n")
				if lines[0] != cat.T(l.Code, "cli.flags.usage", name) {
					t.Errorf("%s -h begins %q", name, lines[0])
				}
				en := english[name]
				if len(lines) != len(en) || len(lines) < 3 {
					t.Fatalf("%s -h in %s has %d lines, in English %d:\n%s", name, l.Code, len(lines), len(en), strings.Join(lines, "\n"))
				}
				for i, line := range lines {
					if strings.HasPrefix(line, "  -") && strings.Fields(line)[0] != strings.Fields(en[i])[0] {
						t.Errorf("%s -h lists %q where English lists %q", name, line, en[i])
					}
					if l.Code != "en" && strings.HasPrefix(line, "    \t") && line == en[i] {
						t.Errorf("%s -h in %s: %q is the English text", name, l.Code, line)
					}
				}
			}
			if _, _, err := runCLI(t, "", "--lang", l.Code, "export", "--bogus"); err == nil || err.Error() != cat.T(l.Code, "cli.flags.undefined", "bogus") {
				t.Errorf("an unknown flag: %v", err)
			}
			if _, _, err := runCLI(t, "", "--lang", l.Code, "import", "--strict=maybe"); err == nil ||
				err.Error() != cat.T(l.Code, "cli.flags.bad_bool", `"maybe"`, "strict", cat.T(l.Code, "cli.flags.parse_error")) {
				t.Errorf("a bad boolean: %v", err)
			}
		})
	}
}
