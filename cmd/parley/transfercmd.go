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
	memLimit := fs.Int64("memory-limit", 320<<20, "soft memory limit in bytes for the import's Go heap (0: none; GOMEMLIMIT, if set, wins)")
	if err := parseFlags(ctx, fs, reorder(args)); err != nil {
		return err
	}
	if *site == "" || *format == "" || fs.NArg() != 1 {
		return errorf(ctx, "cli.err.usage", "parley import --site ID --format FORMAT [--strict] FILE")
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
		return errorf(ctx, "cli.err.classifier", err)
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
			fmt.Fprintln(stderr, tr(ctx, "cli.import.progress", p.Records, p.Imported, float64(p.Imported)/el))
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
			printImportReport(ctx, stdout, rep)
		}
	}
	if err != nil {
		return err
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

func printImportReport(ctx context.Context, w io.Writer, r *service.ImportReport) {
	fmt.Fprintln(w, tr(ctx, "cli.import.format", r.Format, r.Threads, r.StoriesCreated))
	var states []string
	for s := range r.Imported {
		states = append(states, string(s))
	}
	sort.Strings(states)
	parts := []string{}
	for _, s := range states {
		parts = append(parts, fmt.Sprintf("%s %d", s, r.Imported[parley.Status(s)]))
	}
	fmt.Fprintln(w, tr(ctx, "cli.import.imported", r.ImportedTotal(), strings.Join(parts, ", ")))
	fmt.Fprintln(w, tr(ctx, "cli.import.unchanged", r.Unchanged, r.Deleted, r.Ignored))
	fmt.Fprintln(w, tr(ctx, "cli.import.toplevel", r.TopLevel))
	for _, p := range r.Notices {
		fmt.Fprintln(w, tr(ctx, "cli.import.line", p.Line, p.SourceID, p.Reason))
	}
	fmt.Fprintln(w, tr(ctx, "cli.import.skipped", r.Skipped))
	for _, p := range r.Problems {
		fmt.Fprintln(w, tr(ctx, "cli.import.line", p.Line, p.SourceID, p.Reason))
	}
	if r.Fatal != "" {
		fmt.Fprintln(w, tr(ctx, "cli.import.fatal", r.Fatal))
	}
	state := "cli.import.committed"
	if !r.Committed {
		state = "cli.import.not_committed"
	}
	rate := 0.0
	if r.Duration > 0 {
		rate = float64(r.ImportedTotal()) / r.Duration.Seconds()
	}
	fmt.Fprintln(w, tr(ctx, state, r.Duration.Round(time.Millisecond).String(), rate))
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	site := fs.String("site", "", "site ID (required)")
	format := fs.String("format", "jsonl", "jsonl (Parley's schema, docs/migrate.md) or wxr (WordPress)")
	out := fs.String("out", "-", "output file; - for standard output")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if *site == "" {
		return errorf(ctx, "cli.err.required", "--site")
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
		return err
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
		fmt.Fprintln(stderr, tr(ctx, "cli.export.done", sum.Stories, sum.Comments, *out))
	}
	return nil
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	out := fs.String("out", "", "backup file to write (must not exist)")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errorf(ctx, "cli.err.required", "--out")
	}
	if dbf.db != "" {
		return errorf(ctx, "cli.backup.postgres")
	}
	if _, err := os.Stat(filepath.Join(dbf.data, "parley.db")); err != nil {
		return errorf(ctx, "cli.err.no_database", dbf.data, err)
	}
	db, err := dbf.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	sum, err := db.Backup(ctx, *out)
	if err != nil {
		return err
	}
	printBackupSummary(ctx, stdout, sum)
	fmt.Fprintln(stdout, tr(ctx, "cli.backup.done", time.Since(start).Round(time.Millisecond).String()))
	return nil
}

func printBackupSummary(ctx context.Context, w io.Writer, sum sqlstore.BackupSummary) {
	fmt.Fprintln(w, tr(ctx, "cli.backup.summary", sum.Path, sum.Bytes, sum.SchemaVersion, sum.Integrity))
	var tables []string
	for t := range sum.Rows {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		fmt.Fprintln(w, tr(ctx, "cli.backup.rows", t, sum.Rows[t]))
	}
	var sts []string
	for s := range sum.Comments {
		sts = append(sts, s)
	}
	sort.Strings(sts)
	for _, s := range sts {
		fmt.Fprintln(w, tr(ctx, "cli.backup.comments", s, sum.Comments[s]))
	}
}
