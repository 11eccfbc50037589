package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/parley-comments/parley"
	"github.com/parley-comments/parley/adapter"
	"github.com/parley-comments/parley/dedupe"
	"github.com/parley-comments/parley/service"
	"github.com/parley-comments/parley/sqlstore"
	"github.com/parley-comments/parley/transfer"
)

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	site := fs.String("site", "", "site ID to import into (required)")
	format := fs.String("format", "", "disqus, wordpress, remark42, isso, commento or parley (required)")
	strict := fs.Bool("strict", false, "commit nothing unless every record imports")
	baseURL := fs.String("base-url", "", "site URL for Isso and Commento page paths (default: the site's first origin)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	quiet := fs.Bool("quiet", false, "no progress lines")
	memLimit := fs.Int64("memory-limit", 384<<20, "soft memory limit in bytes for the import's Go heap (0: none; GOMEMLIMIT, if set, wins)")
	if err := fs.Parse(reorder(args)); err != nil {
		return err
	}
	if *site == "" || *format == "" || fs.NArg() != 1 {
		return fmt.Errorf("usage: parley import --site ID --format FORMAT [--strict] FILE")
	}
	path := fs.Arg(0)
	if *memLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		// A long file's bookkeeping grows the live heap; with a limit the
		// collector runs more often instead of letting the heap double.
		debug.SetMemoryLimit(*memLimit)
	}
	db, err := dbf.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	classifier, err := loadClassifier()
	if err != nil {
		return fmt.Errorf("load classifier: %w", err)
	}
	svc := service.New(service.Options{Store: db, Clock: parley.SystemClock{}, Classifier: classifier, Adapter: adapter.Adapter{},
		Index: dedupe.NewIndex(dedupe.Options{Window: parley.DefaultClusterWindow})})
	opts := transfer.Options{BaseURL: *baseURL}
	if opts.BaseURL == "" {
		if s, err := db.GetSite(ctx, *site); err == nil && len(s.Origins) > 0 {
			opts.BaseURL = s.Origins[0]
		}
	}
	f := *format
	if f == "wxr" {
		f = "wordpress"
	} else if f == "jsonl" {
		f = "parley"
	}
	start := time.Now()
	last := start
	rep, err := svc.Import(ctx, service.ImportOptions{SiteID: *site, Format: f, Strict: *strict,
		Progress: func(p service.ImportProgress) {
			if *quiet || time.Since(last) < 2*time.Second {
				return
			}
			last = time.Now()
			el := time.Since(start).Seconds()
			fmt.Fprintf(stderr, "… %d records read, %d comments imported (%.0f/s)\n", p.Records, p.Imported, float64(p.Imported)/el)
		}},
		func() (transfer.Decoder, func() error, error) { return transfer.Open(f, path, opts) })
	if rep != nil {
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			if jerr := enc.Encode(rep); jerr != nil {
				return jerr
			}
		} else {
			printImportReport(stdout, rep)
		}
	}
	if err != nil {
		return cliError(err)
	}
	return nil
}

// reorder moves flags after the first positional argument to the front, so
// "import FILE --site x" works like "import --site x FILE".
func reorder(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") && a != "-" {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !isBoolFlag(a) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func isBoolFlag(a string) bool {
	switch strings.TrimLeft(a, "-") {
	case "strict", "json", "quiet", "force", "h", "help":
		return true
	}
	return false
}

func printImportReport(w io.Writer, r *service.ImportReport) {
	fmt.Fprintf(w, "format %s: %d threads read, %d stories created\n", r.Format, r.Threads, r.StoriesCreated)
	var states []string
	for s := range r.Imported {
		states = append(states, string(s))
	}
	sort.Strings(states)
	parts := []string{}
	for _, s := range states {
		parts = append(parts, fmt.Sprintf("%s %d", s, r.Imported[parley.Status(s)]))
	}
	fmt.Fprintf(w, "comments imported: %d (%s)\n", r.ImportedTotal(), strings.Join(parts, ", "))
	fmt.Fprintf(w, "already imported before: %d; deleted in the source (not imported): %d; pingbacks/trackbacks ignored: %d\n",
		r.Unchanged, r.Deleted, r.Ignored)
	fmt.Fprintf(w, "replies made top-level (parent missing): %d\n", r.TopLevel)
	for _, p := range r.Notices {
		fmt.Fprintf(w, "  line %d, id %s: %s\n", p.Line, p.SourceID, p.Reason)
	}
	fmt.Fprintf(w, "skipped: %d\n", r.Skipped)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  line %d, id %s: %s\n", p.Line, p.SourceID, p.Reason)
	}
	if r.Fatal != "" {
		fmt.Fprintf(w, "stopped early: %s\n", r.Fatal)
	}
	state := "committed"
	if !r.Committed {
		state = "NOTHING committed"
	}
	rate := 0.0
	if r.Duration > 0 {
		rate = float64(r.ImportedTotal()) / r.Duration.Seconds()
	}
	fmt.Fprintf(w, "%s in %s (%.0f comments/s)\n", state, r.Duration.Round(time.Millisecond), rate)
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	site := fs.String("site", "", "site ID (required)")
	format := fs.String("format", "jsonl", "jsonl (Parley's schema, docs/migrate.md) or wxr (WordPress)")
	out := fs.String("out", "-", "output file; - for standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *site == "" {
		return fmt.Errorf("--site is required")
	}
	svc, done, err := adminService(ctx, &dbf)
	if err != nil {
		return err
	}
	defer done()
	w := stdout
	var f *os.File
	if *out != "-" {
		// Write next to the target and rename, so a failed export leaves no partial file.
		f, err = os.CreateTemp(filepath.Dir(*out), ".parley-export-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		w = f
	}
	sum, err := svc.Export(ctx, *site, *format, w)
	if err != nil {
		return cliError(err)
	}
	if f != nil {
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "exported %d stories and %d comments to %s\n", sum.Stories, sum.Comments, *out)
	}
	return nil
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	out := fs.String("out", "", "backup file to write (must not exist)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("--out is required")
	}
	if dbf.db != "" {
		return fmt.Errorf("parley backup copies the SQLite database; for PostgreSQL use pg_dump (docs/backup.md)")
	}
	if _, err := os.Stat(filepath.Join(dbf.data, "parley.db")); err != nil {
		return fmt.Errorf("no database in %s: %w", dbf.data, err)
	}
	db, err := dbf.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	sum, err := db.Backup(ctx, *out)
	if err != nil {
		return cliError(err)
	}
	printBackupSummary(stdout, sum)
	fmt.Fprintf(stdout, "backup written in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

func printBackupSummary(w io.Writer, sum sqlstore.BackupSummary) {
	fmt.Fprintf(w, "%s: %d bytes, schema version %d, integrity_check %s\n", sum.Path, sum.Bytes, sum.SchemaVersion, sum.Integrity)
	var tables []string
	for t := range sum.Rows {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintf(w, "  %-12s %d rows\n", t, sum.Rows[t])
	}
	var sts []string
	for s := range sum.Comments {
		sts = append(sts, s)
	}
	sort.Strings(sts)
	for _, s := range sts {
		fmt.Fprintf(w, "  comments %-9s %d\n", s, sum.Comments[s])
	}
}
