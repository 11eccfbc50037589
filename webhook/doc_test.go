package webhook

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// docBlock returns the first fenced code block of lang in docs/webhooks.md.
func docBlock(t *testing.T, lang string) string {
	t.Helper()
	b, err := os.ReadFile("../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```"+lang+"\n")
	if !ok {
		t.Fatalf("docs/webhooks.md has no %s block", lang)
	}
	code, _, _ := strings.Cut(rest, "```")
	return code
}

// docCases are signatures the documented verifiers must accept or refuse.
func docCases() (body []byte, now time.Time, cases []struct {
	secret, header string
	body           []byte
	want           bool
}) {
	now = time.Unix(1_800_000_000, 0)
	body = []byte(`{"id":"01J","event":"comment.approved","comment":{"text":"Ünïcode ✓"}}`)
	sig := Sign("whsec_doc", now, body)
	cases = []struct {
		secret, header string
		body           []byte
		want           bool
	}{
		{"whsec_doc", sig, body, true},
		{"whsec_doc", "v1=deadbeef," + sig, body, true},
		{"whsec_wrong", sig, body, false},
		{"whsec_doc", Sign("whsec_doc", now.Add(-6*time.Minute), body), body, false},
		{"whsec_doc", sig, append([]byte(`{"x":1,`), body[1:]...), false},
		{"whsec_doc", "", body, false},
	}
	return body, now, cases
}

// TestDocExamples runs the Go and Node verifiers printed in
// docs/webhooks.md against Parley's signer.
func TestDocExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the documented examples")
	}
	t.Parallel()
	_, now, cases := docCases()
	dir := t.TempDir()

	goSrc := "package main\n\nimport (\n\t\"crypto/hmac\"\n\t\"crypto/sha256\"\n\t\"encoding/hex\"\n\t\"fmt\"\n\t\"os\"\n\t\"strconv\"\n\t\"strings\"\n\t\"time\"\n)\n\n" +
		docBlock(t, "go") + `
func main() {
	sec, _ := strconv.ParseInt(os.Args[4], 10, 64)
	fmt.Print(verify(os.Args[1], os.Args[2], []byte(os.Args[3]), time.Unix(sec, 0)))
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(goSrc), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "verify")
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the documented example: %v", err)
	}
	build := exec.Command(goBin, "build", "-o", bin, "main.go")
	build.Dir = dir
	build.Env = append(os.Environ(), "GO111MODULE=off")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("the Go example does not build: %v\n%s", err, out)
	}
	nodeSrc := docBlock(t, "js") + `
const [secret, header, body, now] = process.argv.slice(2);
process.stdout.write(String(verify(secret, header, Buffer.from(body), Number(now))));
`
	js := filepath.Join(dir, "verify.js")
	if err := os.WriteFile(js, []byte(nodeSrc), 0o600); err != nil {
		t.Fatal(err)
	}
	node, nodeErr := exec.LookPath("node")
	for i, c := range cases {
		args := []string{c.secret, c.header, string(c.body), strconv.FormatInt(now.Unix(), 10)}
		if out, err := exec.Command(bin, args...).Output(); err != nil || string(out) != strconv.FormatBool(c.want) {
			t.Errorf("Go example, case %d: %q %v, want %v", i, out, err, c.want)
		}
		if nodeErr != nil {
			continue
		}
		if out, err := exec.Command(node, append([]string{js}, args...)...).Output(); err != nil || string(out) != strconv.FormatBool(c.want) {
			t.Errorf("Node example, case %d: %q %v, want %v", i, out, err, c.want)
		}
	}
	if nodeErr != nil {
		t.Log("node is not installed: the Node example was not run")
	}
}
