package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIImportExport runs parley import, a second (idempotent) import,
// a strict import that fails, and parley export in both formats.
func TestCLIImportExport(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if _, _, err := runCLI(t, "", "migrate", "--data", data); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runCLI(t, "", "site", "add", "--data", data, "--id", "news", "--name", "News", "--origin", "https://news.example"); err != nil {
		t.Fatal(err)
	}
	fixture := filepath.Join("..", "..", "transfer", "testdata")
	out, _, err := runCLI(t, "", "import", "--data", data, "--site", "news", "--format", "disqus", "--quiet", filepath.Join(fixture, "disqus.xml"))
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for _, want := range []string{"2 threads read, 2 stories created", "comments imported: 10 (approved 8, pending 1, spam 1)",
		"deleted in the source (not imported): 1", "replies made top-level (parent missing): 2", "line 115, id : comment has no ID", "skipped: 2", "committed in"} {
		if !strings.Contains(out, want) {
			t.Errorf("import report lacks %q:\n%s", want, out)
		}
	}
	out, _, err = runCLI(t, "", "import", "--data", data, "--site", "news", "--format", "disqus", "--quiet", filepath.Join(fixture, "disqus.xml"))
	if err != nil || !strings.Contains(out, "comments imported: 0") || !strings.Contains(out, "already imported before: 10") {
		t.Errorf("second import: %v\n%s", err, out)
	}
	out, _, err = runCLI(t, "", "import", "--data", data, "--site", "news", "--format", "wordpress", "--strict", "--quiet", filepath.Join(fixture, "wordpress.xml"))
	if err == nil || !strings.Contains(err.Error(), "Strict import") || !strings.Contains(out, "NOTHING committed") {
		t.Errorf("strict import with bad records: %v\n%s", err, out)
	}
	if _, _, err := runCLI(t, "", "import", "--data", data, "--site", "news", "--format", "gopher", "x"); err == nil {
		t.Error("unknown format accepted")
	}

	file := filepath.Join(t.TempDir(), "news.jsonl")
	if _, errOut, err := runCLI(t, "", "export", "--data", data, "--site", "news", "--out", file); err != nil || !strings.Contains(errOut, "exported 2 stories and 10 comments") {
		t.Fatalf("export: %v %s", err, errOut)
	}
	b, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(b), `{"type":"header","format":"parley","version":1`) || strings.Count(string(b), "\n") != 13 {
		t.Errorf("export file: %v\n%s", err, b)
	}
	out, _, err = runCLI(t, "", "export", "--data", data, "--site", "news", "--format", "wxr")
	if err != nil || strings.Count(out, "<wp:comment>") != 10 {
		t.Errorf("wxr export: %v", err)
	}
	if _, _, err := runCLI(t, "", "export", "--data", data, "--site", "nope"); err == nil {
		t.Error("export of an unknown site")
	}
}
