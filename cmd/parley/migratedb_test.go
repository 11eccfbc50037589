package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-comments/parley/sqlstore/sqltest"
)

// TestMigrateDBCopiesASeededSiteToPostgres seeds a SQLite installation with
// 10,220 comments, copies it with "parley migrate-db", and checks that the
// command verified every table's count and checksum, twice (it is safe to
// run again).
func TestMigrateDBCopiesASeededSiteToPostgres(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds and runs the binaries")
	}
	bin := buildBinary(t)
	seed := filepath.Join(t.TempDir(), "seed")
	if out, err := exec.Command("go", "build", "-o", seed, "../../bench/seed").CombinedOutput(); err != nil {
		t.Fatalf("build seeder: %v\n%s", err, out)
	}
	data := t.TempDir()
	if out, err := exec.Command(seed, "-db", filepath.Join(data, "parley.db")).CombinedOutput(); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	dsn := sqltest.PostgresDSN(t)
	for run := 1; run <= 2; run++ {
		out := cli(t, bin, "", "migrate-db", "--from", data, "--to", dsn)
		if !strings.Contains(out, "copy verified") || strings.Contains(out, "MISMATCH") {
			t.Fatalf("run %d:\n%s", run, out)
		}
		var commentsLine string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "comments ") {
				commentsLine = l
			}
		}
		if f := strings.Fields(commentsLine); len(f) < 3 || f[1] != "10220" || f[2] != "10220" {
			t.Fatalf("run %d: comments row %q, want 10220 on both sides", run, commentsLine)
		}
	}
}
