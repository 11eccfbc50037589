package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/parley-comments/parley/sqlstore"
)

// lockData takes the data directory's lock file, which a running server
// holds for its lifetime so that restore never replaces a database under
// it. It returns ok false if another process holds it.
func lockData(dir string) (unlock func(), ok bool, err error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "parley.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK {
			return nil, false, nil
		}
		return nil, false, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, true, nil
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var dbf dbFlags
	dbf.register(fs)
	force := fs.Bool("force", false, "replace an existing database (it is kept as parley.db.replaced-TIME)")
	if err := parseFlags(ctx, fs, reorder(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errorf(ctx, "cli.err.usage", "parley restore [--force] --data DIR FILE")
	}
	if dbf.db != "" {
		return errorf(ctx, "cli.restore.postgres")
	}
	src := fs.Arg(0)
	// Verify first: a bad backup never touches the data directory.
	sum, err := sqlstore.VerifyBackup(ctx, src)
	if err != nil {
		return err
	}
	latest, err := sqlstore.LatestSchemaVersion()
	if err != nil {
		return err
	}
	if sum.SchemaVersion > latest {
		return errorf(ctx, "cli.restore.newer", src, sum.SchemaVersion, latest)
	}
	unlock, ok, err := lockData(dbf.data)
	if err != nil {
		return err
	}
	if !ok {
		return errorf(ctx, "cli.restore.running", dbf.data)
	}
	defer unlock()
	target := filepath.Join(dbf.data, "parley.db")
	if _, err := os.Stat(target); err == nil && !*force {
		return errorf(ctx, "cli.restore.exists", dbf.data)
	}
	tmp := target + ".restoring"
	if err := copyFile(src, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if _, err := sqlstore.VerifyBackup(ctx, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	if _, err := os.Stat(target); err == nil {
		// Checkpoint the old database's WAL into it, then keep it.
		old := fmt.Sprintf("%s.replaced-%s", target, time.Now().UTC().Format("20060102T150405Z"))
		if db, err := sqlstore.Open(ctx, target); err == nil {
			_, _ = db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			db.Close()
		}
		if err := os.Rename(target, old); err != nil {
			return err
		}
		fmt.Fprintln(stdout, tr(ctx, "cli.restore.kept", old))
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(target + suffix); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if err := os.Rename(tmp, target); err != nil {
		return err
	}
	if err := syncDir(dbf.data); err != nil {
		return err
	}
	printBackupSummary(ctx, stdout, sum)
	fmt.Fprintln(stdout, tr(ctx, "cli.restore.done", src, target))
	if sum.SchemaVersion < latest {
		fmt.Fprintln(stdout, tr(ctx, "cli.restore.migrate", sum.SchemaVersion, dbf.data))
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// backupSchedule is serve's built-in backup: every interval, a verified
// snapshot into dir, keeping the newest keep files.
type backupSchedule struct {
	every time.Duration
	keep  int
	dir   string
}

const backupPrefix = "parley-backup-"

// run makes a backup every interval until ctx ends.
func (b backupSchedule) run(ctx context.Context, db *sqlstore.DB, logger *slog.Logger) {
	tick := time.NewTicker(b.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := b.once(ctx, db, logger); err != nil && ctx.Err() == nil {
			logger.Error("scheduled backup failed", "err", err)
		}
	}
}

func (b backupSchedule) once(ctx context.Context, db *sqlstore.DB, logger *slog.Logger) error {
	if err := os.MkdirAll(b.dir, 0o750); err != nil {
		return err
	}
	path := filepath.Join(b.dir, backupPrefix+time.Now().UTC().Format("20060102T150405Z")+".db")
	sum, err := db.Backup(ctx, path)
	if err != nil {
		return err
	}
	logger.Info("backup written", "path", path, "bytes", sum.Bytes, "comments", sum.Rows["comments"], "integrity", sum.Integrity)
	return pruneBackups(b.dir, b.keep)
}

// pruneBackups deletes all but the newest keep scheduled backups.
func pruneBackups(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), backupPrefix) && strings.HasSuffix(e.Name(), ".db") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // timestamps sort by time
	for len(names) > keep {
		if err := os.Remove(filepath.Join(dir, names[0])); err != nil {
			return err
		}
		names = names[1:]
	}
	return nil
}
