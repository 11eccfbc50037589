package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/parley-comments/parley/sqlstore"
)

// dbFlags are the database selection flags every command takes.
type dbFlags struct {
	data string
	db   string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", envOr("PARLEY_DATA", "./parley-data"), "directory holding the SQLite database (env PARLEY_DATA)")
	fs.StringVar(&f.db, "db", os.Getenv("PARLEY_DB"), "PostgreSQL URL (postgres://…); overrides --data (env PARLEY_DB)")
}

// dsn returns the database to open: the PostgreSQL URL, or the SQLite file
// inside the data directory (created if needed).
func (f *dbFlags) dsn(ctx context.Context) (string, error) {
	if f.db != "" {
		if !strings.HasPrefix(f.db, "postgres://") && !strings.HasPrefix(f.db, "postgresql://") {
			return "", errorf(ctx, "cli.err.db_url")
		}
		return f.db, nil
	}
	if err := os.MkdirAll(f.data, 0o750); err != nil {
		return "", errorf(ctx, "cli.err.create_data", err)
	}
	return filepath.Join(f.data, "parley.db"), nil
}

// open opens the database and checks its schema. With migrate it applies
// pending migrations; otherwise a stale schema is an error that says what
// to do.
func (f *dbFlags) open(ctx context.Context, migrate bool) (*sqlstore.DB, error) {
	dsn, err := f.dsn(ctx)
	if err != nil {
		return nil, err
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if migrate {
		if err := db.Migrate(ctx); err != nil {
			db.Close()
			return nil, errorf(ctx, "cli.err.migrate", err)
		}
		return db, nil
	}
	cur, latest, err := db.SchemaVersion(ctx)
	if err != nil {
		db.Close()
		return nil, errorf(ctx, "cli.err.schema_read", err)
	}
	if cur != latest {
		db.Close()
		return nil, errorf(ctx, "cli.err.schema_stale", cur, latest)
	}
	return db, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	db, err := dbf.open(ctx, true)
	if err != nil {
		return err
	}
	defer db.Close()
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.migrate.done", cur, db.Dialect()))
	return nil
}

func runMigrateDB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "source: a SQLite data directory, a SQLite file, or a postgres:// URL")
	to := fs.String("to", "", "destination postgres:// URL")
	if err := parseFlags(ctx, fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" {
		return errorf(ctx, "cli.err.from_to")
	}
	src := *from
	if st, err := os.Stat(src); err == nil && st.IsDir() {
		src = filepath.Join(src, "parley.db")
	}
	srcDB, err := sqlstore.Open(ctx, src)
	if err != nil {
		return errorf(ctx, "cli.err.open_source", err)
	}
	defer srcDB.Close()
	dstDB, err := sqlstore.Open(ctx, *to)
	if err != nil {
		return errorf(ctx, "cli.err.open_dest", err)
	}
	defer dstDB.Close()
	rep, err := sqlstore.Copy(ctx, srcDB, dstDB, func(msg string) { fmt.Fprintln(stdout, msg) })
	if err != nil && len(rep.Tables) == 0 {
		return err
	}
	fmt.Fprintf(stdout, "%-20s %10s %10s  %s\n", "table", "source", "dest", "checksum")
	bad := 0
	for _, t := range rep.Tables {
		ok := "match"
		if t.SrcRows != t.DstRows || t.SrcChecksum != t.DstChecksum {
			ok, bad = "MISMATCH", bad+1
		}
		fmt.Fprintf(stdout, "%-20s %10d %10d  %s %s\n", t.Name, t.SrcRows, t.DstRows, ok, t.SrcChecksum)
	}
	if bad > 0 || err != nil {
		return errorf(ctx, "cli.migratedb.differ", bad, err)
	}
	fmt.Fprintln(stdout, tr(ctx, "cli.migratedb.verified"))
	return nil
}
