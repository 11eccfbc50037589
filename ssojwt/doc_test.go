package ssojwt_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/ssojwt"
)

// docBlock returns the first fenced code block of lang in docs/identity.md.
func docBlock(t *testing.T, lang string) string {
	t.Helper()
	b, err := os.ReadFile("../docs/identity.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```"+lang+"\n")
	if !ok {
		t.Fatalf("docs/identity.md has no %s block", lang)
	}
	code, _, _ := strings.Cut(rest, "```")
	return code
}

// TestDocExamples builds the Go signer and runs the Node signer printed in
// docs/identity.md, and checks that Parley accepts their tokens.
func TestDocExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the documented examples")
	}
	t.Parallel()
	const secret = "a-doc-example-secret-of-32-bytes-or-more"
	dir := t.TempDir()
	goSrc := "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/rand\"\n\t\"crypto/sha256\"\n\t\"encoding/base64\"\n\t\"encoding/hex\"\n\t\"encoding/json\"\n\t\"fmt\"\n\t\"os\"\n\t\"time\"\n)\n\n" +
		docBlock(t, "go") + "\nfunc main() { fmt.Print(ssoToken(os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5])) }\n"
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goSrc), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "sign")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the Go example: %v", err)
	}
	build := exec.Command(goBin, "build", "-o", bin, "main.go")
	build.Dir = dir
	build.Env = append(os.Environ(), "GO111MODULE=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Go example does not build: %v\n%s", err, out)
	}
	args := []string{secret, "gazette", "reader-1", "Zoë Reader", "zoe@readers.example"}
	tokens := map[string]string{}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	tokens["go"] = string(out)
	if node, err := exec.LookPath("node"); err == nil {
		js := filepath.Join(dir, "sign.js")
		src := docBlock(t, "js") + "\nprocess.stdout.write(ssoToken(...process.argv.slice(2)));\n"
		if err := os.WriteFile(js, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(node, append([]string{js}, args...)...).Output()
		if err != nil {
			t.Fatalf("the Node example: %v", err)
		}
		tokens["node"] = string(out)
	} else {
		t.Log("node not found; only the Go example was checked")
	}
	v := ssojwt.New(nil)
	for lang, tok := range tokens {
		c, err := v.VerifySSO(context.Background(), parley.SSOConfig{Secret: secret}, "gazette", tok, time.Now())
		if err != nil {
			t.Errorf("%s example's token refused: %v", lang, err)
			continue
		}
		if c.Subject != "reader-1" || c.Name != "Zoë Reader" || c.Email != "zoe@readers.example" || c.TokenID == "" {
			t.Errorf("%s example's claims: %+v", lang, c)
		}
		if _, err := v.VerifySSO(context.Background(), parley.SSOConfig{Secret: secret}, "other-site", tok, time.Now()); err == nil {
			t.Errorf("%s example's token accepted for another site", lang)
		}
	}
}
